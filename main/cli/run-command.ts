// `pt2 run FILE.pt2 [--backend cpu|webgpu] [--threads N|auto] [--input PATH.bin[:SHAPE]]... [--out DIR]
// [--compare REF.bin]... [--json]` (see DESIGN.md "The pt2 CLI"), plus what
// `pt2 bench` shares with it: loading an archive, raw little-endian tensors, the
// Node WebGPU host and its isolation.
//
// Note [WebGPU in a child process]
// Dawn in Node can abort the whole process while JS waits on GPU work (see Note
// [Dawn in Node: aborts while waiting] in engine/runtime/webgpu/gpu-wait.ts for
// the cause found and fixed). As a second line of defence the CLI never runs
// WebGPU in its own process: it re-runs itself as a child with
// PT2_WEBGPU_CHILD=1, retries a child that dies from a signal (a fresh process,
// a fresh device; PT2_WEBGPU_RETRIES, default 2), and falls back to Chromium's
// SwiftShader Vulkan driver when the system has no adapter. A child that finds
// no adapter exits with EXIT_NO_ADAPTER.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DType, isDType, itemSize } from '../../engine/core/dtype';
import { EngineError } from '../../engine/core/errors';
import { NDArray, contiguousStrides } from '../../engine/core/ndarray';
import { type ExportedProgram } from '../../engine/export/exported-program';
import { isTensorMeta } from '../../engine/ops/types';
import { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { exampleInputs, frozenInputIndices, programInputs, userInputMetas, userOutputs } from '../../engine/runtime/program';
import { type AdapterDescription, type GpuLike, acquireDevice } from '../../engine/runtime/webgpu/device';
import { WebGpuRuntime } from '../../engine/runtime/webgpu/webgpu-runtime';
import { loadPt2 } from '../../engine/serialize/read';
import { storageFromBytes, storageToBytes } from '../../engine/serialize/tensor-data';
import { SESSION_OPTIONS, parseBackend, parseCommand, parseThreads } from './command-args';
import { type HostCpuThreads, defaultCpuThreads, openCpuThreads } from '../host/cpu-threads';

export const EXIT_NO_ADAPTER = 75;
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A problem with the command line or its files: printed without a stack trace, exit 1. */
export class RunUsageError extends Error {
  override name = 'RunUsageError';
}

export type Backend = 'cpu' | 'webgpu';

export function loadProgram(path: string): ExportedProgram {
  if (!existsSync(path)) throw new RunUsageError(`no such file: ${path}`);
  const archive = loadPt2(new Uint8Array(readFileSync(path)));
  const ep = archive.programs.get('model') ?? [...archive.programs.values()][0];
  if (!ep) throw new RunUsageError(`${path} holds no program`);
  return ep;
}

/** `PATH.bin[:SHAPE]` → path and shape (SHAPE like 1x3x224x224; `:` alone or none → default). */
export function parseInputSpec(spec: string): { path: string; shape?: number[] } {
  const m = /^(.*?)(?::(\d+(?:x\d+)*|scalar))?$/.exec(spec)!;
  const path = m[1]!;
  if (!m[2]) return { path };
  return { path, shape: m[2] === 'scalar' ? [] : m[2].split('x').map(Number) };
}

/** Raw little-endian data of `dtype` as an NDArray of `shape`; the byte count must match. */
export function readRawTensor(path: string, dtype: DType, shape: readonly number[]): NDArray {
  if (!existsSync(path)) throw new RunUsageError(`no such input file: ${path}`);
  const bytes = new Uint8Array(readFileSync(path));
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * itemSize(dtype))
    throw new RunUsageError(`${path}: ${bytes.length} bytes, but ${dtype}[${shape.join(', ')}] needs ${n * itemSize(dtype)} bytes`);
  return new NDArray(storageFromBytes(dtype, bytes, true), [...shape], contiguousStrides(shape));
}

/** Raw little-endian bytes of an array in row-major order. */
export function rawBytes(a: NDArray): Uint8Array {
  return storageToBytes(a.clone().storage);
}

/** The user inputs: from --input files (dtype from the placeholder) or the archive's example inputs. */
export function resolveInputs(ep: ExportedProgram, specs: readonly string[]): unknown[] {
  const metas = userInputMetas(ep);
  const examples = exampleInputs(ep);
  if (specs.length === 0) {
    if (!examples) throw new RunUsageError(`the archive has no example inputs; pass --input PATH.bin[:SHAPE] for ${metas.map((m) => m.name).join(', ')}`);
    return examples;
  }
  if (specs.length !== metas.length) throw new RunUsageError(`the program takes ${metas.length} input(s) (${metas.map((m) => m.name).join(', ')}), got ${specs.length} --input`);
  return specs.map((spec, i) => {
    const { path, shape } = parseInputSpec(spec);
    const meta = metas[i]!.meta;
    if (!isTensorMeta(meta)) throw new RunUsageError(`input ${metas[i]!.name} is not a tensor; it cannot come from a file`);
    let dims = shape;
    if (!dims) {
      const ex = examples?.[i];
      if (ex instanceof NDArray) dims = [...ex.shape];
      else if (meta.shape.every((d) => typeof d === 'number')) dims = meta.shape as number[];
      else throw new RunUsageError(`input ${metas[i]!.name} has a dynamic shape; give it as ${path}:SHAPE (e.g. :1x16)`);
    }
    return readRawTensor(path, meta.dtype, dims);
  });
}

/** The outputs' dtype named by a reference file (`NAME.out.float32.bin`), else the given one. */
function refDType(path: string, fallback: DType): DType {
  const m = /\.(\w+)\.bin$/.exec(path);
  return m && isDType(m[1]!) ? (m[1] as DType) : fallback;
}

export interface Comparison {
  ref: string;
  output: number;
  maxAbsDiff: number;
  maxAbsRef: number;
}

export function compareWith(out: NDArray, path: string, index: number): Comparison {
  const dtype = refDType(path, out.dtype);
  const ref = readRawTensor(path, dtype, [out.numel]).toArray();
  const got = out.toArray();
  let diff = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i]! - got[i]!);
    diff = Number.isNaN(d) ? (Number.isNaN(ref[i]!) && Number.isNaN(got[i]!) ? diff : Infinity) : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { ref: path, output: index, maxAbsDiff: diff, maxAbsRef: scale };
}

/**
 * navigator.gpu for Node: the `webgpu` package (Dawn). PT2_DAWN_FLAGS passes
 * Dawn options, separated by spaces (e.g. `enable-dawn-features=allow_unsafe_apis,disable_robustness`
 * or `adapter=NAME`; the package's README lists them).
 */
export async function nodeGpu(): Promise<GpuLike> {
  const mod = (await import('webgpu')) as { create: (opts: string[]) => GpuLike; globals: object };
  Object.assign(globalThis, mod.globals);
  return mod.create((process.env.PT2_DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean));
}

/** A backend session: runs a program repeatedly; `adapter` for WebGPU, `threads` for the CPU. */
export interface Session {
  readonly backend: Backend;
  readonly adapter?: AdapterDescription;
  readonly threads?: number;
  run(user: unknown[]): Promise<unknown[]>;
  close(): void;
}

/** `threads`: CPU threads in all (default 1); when workers cannot start, the session runs on one and says why on stderr. */
export async function openSession(ep: ExportedProgram, backend: Backend, opts: { threads?: number } = {}): Promise<Session> {
  const frozenInputs = frozenInputIndices(ep);
  if (backend === 'cpu') {
    let threads: HostCpuThreads | undefined;
    try {
      threads = await openCpuThreads(opts.threads ?? 1);
    } catch (e) {
      process.stderr.write(`pt2: running on one CPU thread: ${(e as Error).message}\n`);
    }
    const rt = new CpuRuntime(ep.graph, { frozenInputs, threads });
    return {
      backend,
      threads: threads?.total ?? 1,
      run: async (user) => userOutputs(ep, rt.run(programInputs(ep, user)), user),
      close: () => void threads?.close(),
    };
  }
  injectFault();
  const dev = await acquireDevice(await nodeGpu());
  if (!dev) {
    process.stderr.write('pt2: no WebGPU adapter on this machine\n');
    process.exit(EXIT_NO_ADAPTER);
  }
  const rt = new WebGpuRuntime(ep.graph, dev, { frozenInputs });
  return {
    backend,
    adapter: dev.adapter,
    run: async (user) => userOutputs(ep, await rt.run(programInputs(ep, user)), user),
    close: () => {
      rt.destroy();
      dev.device.destroy();
    },
  };
}

/**
 * Run this CLI command again in a child process for WebGPU (see Note [WebGPU in a
 * child process]); returns the child's exit code. Output passes through.
 */
export async function runIsolated(argv: readonly string[], opts: { retries?: number } = {}): Promise<number> {
  const launcher = join(import.meta.dirname, 'pt2.mjs');
  // stderr is held back until the child exits: a child that found no adapter only printed Dawn's probing noise.
  const attempt = (env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const child = spawn(process.execPath, [launcher, ...argv], { env: { ...env, PT2_WEBGPU_CHILD: '1' }, stdio: ['inherit', 'inherit', 'pipe'] });
      const err: Buffer[] = [];
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      child.on('close', (code, signal) => {
        if (code !== EXIT_NO_ADAPTER) process.stderr.write(Buffer.concat(err));
        resolve({ code, signal });
      });
    });
  let env: NodeJS.ProcessEnv = { ...process.env };
  let usedSwiftShader = Boolean(env.VK_ICD_FILENAMES);
  const retries = opts.retries ?? Number(process.env.PT2_WEBGPU_RETRIES ?? 2);
  for (let crashes = 0; ; ) {
    const { code, signal } = await attempt(env);
    if (code === EXIT_NO_ADAPTER && !usedSwiftShader && existsSync(SWIFTSHADER_ICD)) {
      process.stderr.write('pt2: no system WebGPU adapter; using the SwiftShader (software) Vulkan driver\n');
      env = swiftShaderEnv(env);
      usedSwiftShader = true;
      continue;
    }
    if (code === EXIT_NO_ADAPTER) {
      process.stderr.write('pt2: no WebGPU adapter (install a GPU driver, or chromium for SwiftShader)\n');
      return 1;
    }
    const crashed = signal !== null || (code !== null && code >= 128);
    if (!crashed) return code ?? 2;
    if (crashes++ >= retries) {
      process.stderr.write(`pt2: the WebGPU process died (${signal ?? `exit ${code}`}) ${crashes} times; giving up\n`);
      return 2;
    }
    process.stderr.write(`pt2: the WebGPU process died (${signal ?? `exit ${code}`}); retrying in a fresh process\n`);
  }
}

/**
 * Test hooks for the isolation remedy: PT2_WEBGPU_FAULT=abort-once:FILE makes
 * the first WebGPU child abort (as Dawn does) and leave FILE behind, so the
 * next attempt runs normally; PT2_WEBGPU_FAULT=abort aborts every attempt.
 */
function injectFault(): void {
  if (process.env.PT2_WEBGPU_FAULT === 'abort') process.abort();
  const m = /^abort-once:(.+)$/.exec(process.env.PT2_WEBGPU_FAULT ?? '');
  if (!m || existsSync(m[1]!)) return;
  writeFileSync(m[1]!, 'aborted once\n');
  process.abort();
}

/** Environment for Dawn over Chromium's SwiftShader Vulkan ICD (and its libvulkan). */
export function swiftShaderEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const runtimeDir = env.XDG_RUNTIME_DIR ?? join(process.env.TMPDIR ?? '/tmp', `pt2-xdg-${process.getuid?.() ?? 0}`);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  return {
    ...env,
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    XDG_RUNTIME_DIR: runtimeDir,
  };
}

/** Errors that are the user's (bad file, bad input, unsupported program): exit 1. */
export function isUserError(e: unknown): boolean {
  return e instanceof RunUsageError || (e instanceof EngineError && !/internal error/.test(e.message));
}

const RUN_USAGE = 'Usage: pt2 run FILE.pt2 [--backend cpu|webgpu] [--threads N|auto] [--input PATH.bin[:SHAPE]]... [--out DIR] [--compare REF.bin]... [--json]\n';

export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'run',
    RUN_USAGE,
    args,
    {
      ...SESSION_OPTIONS,
      out: { type: 'string' },
      compare: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean' },
    },
    'FILE.pt2',
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const backend = parseBackend('run', values.backend);
  if (!backend) return 1;
  const threads = parseThreads('run', values.threads, defaultCpuThreads());
  if (threads === undefined) return 1;
  if (backend === 'webgpu' && !process.env.PT2_WEBGPU_CHILD) return runIsolated(['run', ...args]);
  try {
    const ep = loadProgram(positionals[0]!);
    const inputs = resolveInputs(ep, values.input);
    const session = await openSession(ep, backend, { threads });
    const t0 = performance.now();
    const outs = await session.run(inputs);
    const ms = performance.now() - t0;
    session.close();
    const arrays = outs.filter((o): o is NDArray => o instanceof NDArray);
    const files: string[] = [];
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      arrays.forEach((o, i) => {
        const file = join(values.out!, `out${i}.bin`);
        writeFileSync(file, rawBytes(o));
        files.push(file);
      });
    }
    if (values.compare.length > arrays.length) throw new RunUsageError(`${values.compare.length} --compare files for ${arrays.length} output(s)`);
    const comparisons = values.compare.map((ref, i) => compareWith(arrays[i]!, ref, i));
    if (values.json) {
      const report = {
        backend,
        adapter: session.adapter ?? null,
        threads: session.threads ?? null,
        ms,
        outputs: arrays.map((o, i) => ({ index: i, shape: [...o.shape], dtype: o.dtype, file: files[i] ?? null })),
        compare: comparisons.map((c) => ({ ref: c.ref, output: c.output, max_abs_diff: c.maxAbsDiff, max_abs_ref: c.maxAbsRef })),
      };
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      if (session.adapter) process.stdout.write(`adapter: ${describeAdapter(session.adapter)}\n`);
      arrays.forEach((o, i) => process.stdout.write(`out${i}: ${o.dtype}[${o.shape.join(', ')}]${files[i] ? ` -> ${files[i]}` : ''}\n`));
      process.stdout.write(`time: ${ms.toFixed(3)} ms (${backendLabel(session)})\n`);
      for (const c of comparisons)
        process.stdout.write(`out${c.output} vs ${c.ref}: max |diff| = ${c.maxAbsDiff.toExponential(3)} (max |ref| = ${c.maxAbsRef.toExponential(3)}, relative ${(c.maxAbsDiff / (c.maxAbsRef || 1)).toExponential(3)})\n`);
    }
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`pt2 run: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

/** The backend with its thread count: `cpu, 2 threads`. */
export function backendLabel(s: Session): string {
  return s.threads === undefined ? s.backend : `${s.backend}, ${s.threads} thread${s.threads === 1 ? '' : 's'}`;
}

/** One line naming the adapter, and whether it is a software rasterizer (never called a GPU). */
export function describeAdapter(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unknown adapter';
  return a.software ? `${name} (software adapter, not a GPU)` : `${name} (GPU)`;
}
