// `pt2 bench FILE.pt2 [--backend cpu|webgpu] [--warmup N] [--reps N] [--input PATH.bin[:SHAPE]]... --json`
// (see DESIGN.md "The pt2 CLI"): times whole runs of the program (inputs in,
// outputs read back) and reports {backend, adapter, ms: {min, median, max}}.
// The adapter is described as reported; a software rasterizer (SwiftShader,
// llvmpipe, WARP, a fallback adapter) is flagged `software: true` and never
// printed as a GPU. WebGPU runs in a child process (Note [WebGPU in a child process]).

import { parseArgs } from 'node:util';
import { type Backend, describeAdapter, isUserError, loadProgram, openSession, resolveInputs, runIsolated } from './run-command';

const BENCH_USAGE = 'Usage: pt2 bench FILE.pt2 [--backend cpu|webgpu] [--warmup N] [--reps N] [--input PATH.bin[:SHAPE]]... [--json]\n';

export async function benchCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        backend: { type: 'string', default: 'cpu' },
        warmup: { type: 'string', default: '3' },
        reps: { type: 'string', default: '10' },
        input: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`pt2 bench: ${(e as Error).message}\n${BENCH_USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const warmup = Number(values.warmup);
  const reps = Number(values.reps);
  if (positionals.length !== 1) {
    process.stderr.write(`pt2 bench: expected one FILE.pt2\n${BENCH_USAGE}`);
    return 1;
  }
  if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(reps) || reps < 1) {
    process.stderr.write('pt2 bench: --warmup must be an integer ≥ 0 and --reps an integer ≥ 1\n');
    return 1;
  }
  const backend = values.backend as Backend;
  if (backend !== 'cpu' && backend !== 'webgpu') {
    process.stderr.write(`pt2 bench: --backend must be cpu or webgpu, got '${values.backend}'\n`);
    return 1;
  }
  if (backend === 'webgpu' && !process.env.PT2_WEBGPU_CHILD) return runIsolated(['bench', ...args]);
  try {
    const ep = loadProgram(positionals[0]!);
    const inputs = resolveInputs(ep, values.input);
    const session = await openSession(ep, backend);
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
    if (values.json) process.stdout.write(`${JSON.stringify({ backend, adapter: session.adapter ?? null, ms })}\n`);
    else {
      if (session.adapter) process.stdout.write(`adapter: ${describeAdapter(session.adapter)}\n`);
      process.stdout.write(`${backend}: min ${ms.min.toFixed(3)} ms, median ${ms.median.toFixed(3)} ms, max ${ms.max.toFixed(3)} ms over ${reps} runs (${warmup} warm-up)\n`);
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
