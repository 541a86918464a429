// Where the host runs exported programs: the engine's runtimes (engine/runtime),
// never the reference interpreter that ep.call uses.
// - CPU: a CpuRuntime (fast kernels, fused steps, pooled buffers) built once per
//   program and kept by the session.
// - WebGPU: the same path the pt2 CLI takes (see Note [WebGPU in a child process]
//   in main/cli/run-command.ts): Dawn from the Node `webgpu` package never runs in
//   the host; the program and its inputs go to `pt2 run --backend webgpu` in a
//   child process, which retries on a crash and falls back to Chromium's
//   SwiftShader driver when the system has no adapter. Availability is probed the
//   same way (webgpu-probe.mjs, system driver first, then SwiftShader), and a
//   software adapter is always labelled as such, never as a GPU.
// - WebGPU in the window: a compare can also run the exported side on Chromium's
//   own WebGPU (renderer/webgpu/). The host then only prepares what the window
//   runs (the .pt2 bytes Save writes, the mutable buffers' current values, the
//   inputs; main/common/compare-wire.ts) and rebuilds the outputs it sends back.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterInfo, ComparePrepareResponse, WebGpuAvailability, WireValue } from '../common/ipc-contract';
import { type Base64Codec, WireError, adapterInfo, decodeValues, encodeValue, encodeValues, mutatedBuffers } from '../common/compare-wire';
import { treeFlatten, treeUnflatten } from '../../engine/core/pytree';
import { isDType } from '../../engine/core/dtype';
import { NDArray } from '../../engine/core/ndarray';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { type CpuThreads } from '../../engine/runtime/cpu/kernel-threads';
import { frozenInputIndices, programInputs, userOutputs } from '../../engine/runtime/program';
import { type AdapterDescription, describeAdapterInfo } from '../../engine/runtime/webgpu/device';
export { adapterInfo } from '../common/compare-wire';
import { Tensor } from '../../engine/trace/tensor';
import { HostRequestError, NotAvailableError } from './host-errors';
import type { SerializerApi } from './engine-adapters';

export const CPU_RUNTIME = 'CPU runtime';
export const WEBGPU_RUNTIME = 'WebGPU runtime';
/** What the eager side of Compare runs on. */
export const EAGER_RUNTIME = 'eager model (reference interpreter)';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const PT2_LAUNCHER = join(import.meta.dirname, '..', 'cli', 'pt2.mjs');
const PROBE = join(import.meta.dirname, 'webgpu-probe.mjs');
/** A WebGPU run (two Node starts, shader compilation on a software adapter) may take a while. */
const WEBGPU_TIMEOUT_MS = Number(process.env.PT2_STUDIO_WEBGPU_TIMEOUT_MS ?? 120_000);

/** Environment for a Node child: under Electron, its binary runs as plain Node. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return process.versions.electron ? { ...env, ELECTRON_RUN_AS_NODE: '1' } : { ...env };
}

/** The user inputs of a call, flat and in the program's order. */
function userLeaves(args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  return treeFlatten([args, kwargs], (x) => x instanceof Tensor).leaves;
}

/** Flat runtime outputs back into the program's output structure, as Tensors. */
function restructure(ep: ExportedProgram, flat: readonly unknown[]): unknown {
  return treeUnflatten(
    flat.map((v) => (v instanceof NDArray ? Tensor.fromNDArray(v) : v)),
    ep.parts.outSpec,
  );
}

/** Run on a CpuRuntime built for the program (mutations are written back, as ep.call does). */
export function runOnCpu(ep: ExportedProgram, rt: CpuRuntime, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const user = userLeaves(args, kwargs);
  return restructure(ep, userOutputs(ep, rt.run(programInputs(ep, user)), user));
}

/** `threads`: worker threads for big kernels (see cpu-threads.ts); one thread without. */
export function cpuRuntimeFor(ep: ExportedProgram, threads?: CpuThreads): CpuRuntime {
  return new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), threads });
}

//#region WebGPU

function probeOnce(env: NodeJS.ProcessEnv): Promise<{ adapter: AdapterDescription | null; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROBE], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ adapter: null, error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(Buffer.concat(out).toString('utf8').trim().split('\n').pop() ?? '') as { adapter: Record<string, unknown> | null; error?: string };
        resolve({ adapter: r.adapter ? describeAdapterInfo(r.adapter as Partial<GPUAdapterInfo>) : null, error: r.error });
      } catch {
        resolve({ adapter: null, error: `the WebGPU probe exited (${signal ?? `code ${code}`}) without an answer` });
      }
    });
  });
}

/** The CLI's helpers, imported when WebGPU is first used (they load the serializer eagerly). */
const cli = () => import('../cli/run-command');

let probe: Promise<WebGpuAvailability> | undefined;

/**
 * Whether the WebGPU backend can run here, and on which adapter: the system's
 * driver first, then SwiftShader (as `pt2 run --backend webgpu` does).
 * PT2_STUDIO_WEBGPU=off switches it off.
 */
export function webGpuAvailability(): Promise<WebGpuAvailability> {
  probe ??= (async (): Promise<WebGpuAvailability> => {
    if (process.env.PT2_STUDIO_WEBGPU === 'off') return { available: false, reason: 'WebGPU is switched off for this host (PT2_STUDIO_WEBGPU=off).' };
    let r = await probeOnce({ ...process.env });
    if (!r.adapter && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) r = await probeOnce((await cli()).swiftShaderEnv({ ...process.env }));
    if (!r.adapter)
      return {
        available: false,
        reason: `No WebGPU adapter could be created on this machine (Node webgpu package / Dawn${r.error ? `: ${r.error}` : ''}); install a GPU driver, or Chromium for its SwiftShader software adapter.`,
      };
    return { available: true, adapter: adapterInfo(r.adapter) };
  })();
  return probe;
}

interface CliReport {
  adapter: AdapterDescription | null;
  ms: number;
  outputs: Array<{ index: number; shape: number[]; dtype: string; file: string | null }>;
}

/**
 * Run a program on WebGPU through `pt2 run --backend webgpu` in a child process.
 * The program's state is not changed (mutations happen in the child).
 */
export async function runOnWebGpu(ep: ExportedProgram, ser: SerializerApi, args: unknown[], kwargs: Record<string, unknown>, checkCancelled: () => void): Promise<{ out: unknown; ms: number; adapter: AdapterInfo }> {
  const avail = await webGpuAvailability();
  if (!avail.available) throw new NotAvailableError(avail.reason ?? 'WebGPU is not available.', 'engine/runtime/webgpu');
  const { rawBytes, readRawTensor } = await cli();
  const user = userLeaves(args, kwargs);
  const dir = mkdtempSync(join(tmpdir(), 'pt2-studio-webgpu-'));
  try {
    const file = join(dir, 'program.pt2');
    writeFileSync(file, ser.savePt2(ep, { rootName: 'program' }));
    const inputArgs: string[] = [];
    user.forEach((u, i) => {
      const nd = u instanceof Tensor ? u.nd : u;
      if (!(nd instanceof NDArray)) throw new HostRequestError(`WebGPU runs take tensor inputs only; input ${i} is ${String(u)}. Use the CPU backend for this program.`);
      const p = join(dir, `in${i}.bin`);
      writeFileSync(p, rawBytes(nd));
      inputArgs.push('--input', `${p}:${nd.shape.length ? nd.shape.join('x') : 'scalar'}`);
    });
    const outDir = join(dir, 'out');
    const { code, stdout, stderr } = await runCli(['run', file, '--backend', 'webgpu', ...inputArgs, '--out', outDir, '--json'], checkCancelled);
    const line = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) {
      throw new HostRequestError(`The WebGPU run failed: ${childFailure(stderr, code)}`);
    }
    const report = JSON.parse(line) as CliReport;
    const flat = report.outputs.map((o) => {
      if (!o.file || !isDType(o.dtype)) throw new HostRequestError(`The WebGPU run returned output ${o.index} without data`);
      return readRawTensor(o.file, o.dtype, o.shape);
    });
    if (!report.adapter) throw new HostRequestError('The WebGPU run did not report its adapter');
    return { out: restructure(ep, flat), ms: report.ms, adapter: adapterInfo(report.adapter) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a `pt2 run` child failed, from its stderr: its `pt2:` lines less the note that it fell back to SwiftShader, else its last lines. */
export function childFailure(stderr: string, code: number | null): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const own = lines.filter((l) => l.startsWith('pt2') && !/using the SwiftShader/.test(l));
  return own.join('; ') || lines.filter((l) => !/using the SwiftShader/.test(l)).slice(-3).join('; ') || `exit ${code}`;
}

function runCli(argv: string[], checkCancelled: () => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PT2_LAUNCHER, ...argv], { env: childEnv(process.env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const started = Date.now();
    const poll = setInterval(() => {
      try {
        checkCancelled();
        if (Date.now() - started > WEBGPU_TIMEOUT_MS) throw new HostRequestError(`The WebGPU run took longer than ${WEBGPU_TIMEOUT_MS / 1000} s and was stopped.`);
      } catch (e) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(e);
      }
    }, 100);
    child.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
//#endregion

//#region WebGPU in the window
/** Base64 through Buffer: the host's side of the wire (large archives). */
export const nodeBase64: Base64Codec = {
  encode: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'),
  decode: (t) => new Uint8Array(Buffer.from(t, 'base64')),
};

/**
 * What the window needs to run the program on its own WebGPU: the archive (unless it
 * already holds `programKey`), the current values of the buffers the program mutates
 * (so a program the window keeps compiled starts from the host's state), and the
 * flat user inputs.
 */
export function windowRunPayload(
  ep: ExportedProgram,
  ser: SerializerApi,
  programKey: string,
  heldProgram: string | undefined,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Omit<ComparePrepareResponse, 'eagerMs'> {
  let inputs: WireValue[];
  try {
    inputs = encodeValues(userLeaves(args, kwargs), 'input', nodeBase64);
  } catch (e) {
    if (e instanceof WireError) throw new HostRequestError(e.message);
    throw e;
  }
  const mutableBuffers: Record<string, WireValue> = {};
  for (const target of mutatedBuffers(ep).values()) {
    const t = ep.parts.stateDict.get(target) ?? ep.parts.constants.get(target);
    if (t) mutableBuffers[target] = encodeValue(t, `buffer ${target}`, nodeBase64);
  }
  const archive = heldProgram === programKey ? undefined : nodeBase64.encode(ser.savePt2(ep, { rootName: 'program' }));
  return { programKey, archive, mutableBuffers, inputs };
}

/** The window's flat outputs back into the program's output structure, as Tensors. */
export function windowRunOutputs(ep: ExportedProgram, outputs: unknown): unknown {
  let flat: unknown[];
  try {
    flat = decodeValues(outputs, 'output', nodeBase64);
  } catch (e) {
    if (e instanceof WireError) throw new HostRequestError(`The window's WebGPU run sent back outputs that do not decode: ${e.message}`);
    throw e;
  }
  const expected = ep.graphSignature.outputSpecs.filter((s) => s.kind === 'USER_OUTPUT').length;
  if (flat.length !== expected) throw new HostRequestError(`The window's WebGPU run sent back ${flat.length} outputs; the program has ${expected}.`);
  return restructure(ep, flat);
}
//#endregion
