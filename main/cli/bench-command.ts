// `pt2 bench FILE.pt2 [--backend cpu|webgpu] [--threads N|auto] [--warmup N] [--reps N] [--input PATH.bin[:SHAPE]]... --json`
// (see DESIGN.md "The pt2 CLI"): times whole runs of the program (inputs in,
// outputs read back) and reports {backend, adapter, ms: {min, median, max}}.
// The adapter is described as reported; a software rasterizer (SwiftShader,
// llvmpipe, WARP, a fallback adapter) is flagged `software: true` and never
// printed as a GPU. WebGPU runs in a child process (Note [WebGPU in a child process]).

import { SESSION_OPTIONS, parseBackend, parseCommand, parseThreads } from './command-args';
import { defaultCpuThreads } from '../host/cpu-threads';
import { backendLabel, describeAdapter, isUserError, loadProgram, openSession, resolveInputs, runIsolated } from './run-command';

const BENCH_USAGE = 'Usage: pt2 bench FILE.pt2 [--backend cpu|webgpu] [--threads N|auto] [--warmup N] [--reps N] [--input PATH.bin[:SHAPE]]... [--json]\n';

export async function benchCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'bench',
    BENCH_USAGE,
    args,
    {
      ...SESSION_OPTIONS,
      warmup: { type: 'string', default: '3' },
      reps: { type: 'string', default: '10' },
      json: { type: 'boolean' },
    },
    'FILE.pt2',
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const warmup = Number(values.warmup);
  const reps = Number(values.reps);
  if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(reps) || reps < 1) {
    process.stderr.write('pt2 bench: --warmup must be an integer ≥ 0 and --reps an integer ≥ 1\n');
    return 1;
  }
  const backend = parseBackend('bench', values.backend);
  if (!backend) return 1;
  const threads = parseThreads('bench', values.threads, defaultCpuThreads());
  if (threads === undefined) return 1;
  if (backend === 'webgpu' && !process.env.PT2_WEBGPU_CHILD) return runIsolated(['bench', ...args]);
  try {
    const ep = loadProgram(positionals[0]!);
    const inputs = resolveInputs(ep, values.input);
    const session = await openSession(ep, backend, { threads });
    for (let i = 0; i < warmup; i++) await session.run(inputs);
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await session.run(inputs);
      times.push(performance.now() - t0);
    }
    session.close();
    times.sort((a, b) => a - b);
    const ms = { min: times[0]!, median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]! };
    if (values.json) process.stdout.write(`${JSON.stringify({ backend, adapter: session.adapter ?? null, threads: session.threads ?? null, ms })}\n`);
    else {
      if (session.adapter) process.stdout.write(`adapter: ${describeAdapter(session.adapter)}\n`);
      process.stdout.write(`${backendLabel(session)}: min ${ms.min.toFixed(3)} ms, median ${ms.median.toFixed(3)} ms, max ${ms.max.toFixed(3)} ms over ${reps} runs (${warmup} warm-up)\n`);
    }
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`pt2 bench: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
