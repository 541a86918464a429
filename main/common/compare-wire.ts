// What crosses the boundary when the exported side of a compare runs in the window
// (Chromium's WebGPU in a renderer worker) rather than in the host: tensors as raw
// little-endian bytes in row-major order (base64, so the same messages cross Electron
// IPC, HTTP and postMessage unchanged), Python scalars as tagged JSON, and the adapter
// that ran, labelled the same way on both sides (a software adapter is never a GPU).
// A program the window keeps compiled across runs must start each run from the host's
// state, so the host also sends the buffers the program changes (mutatedBuffers).
// Pure: the host (Node) and the renderer's worker (browser) both use it.

import { type DType, isDType, itemSize } from '../../engine/core/dtype';
import { NDArray, contiguousStrides } from '../../engine/core/ndarray';
import { PyFloat } from '../../engine/core/scalar';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { Node } from '../../engine/ir/graph';
import { frozenInputIndices } from '../../engine/runtime/program';
import { storageFromBytes, storageToBytes } from '../../engine/serialize/tensor-data';
import { Tensor } from '../../engine/trace/tensor';
import type { WireValue } from './ipc-contract';
export { adapterInfo } from './adapter-label';

/** A value that cannot cross, or a message that does not decode: the message says which and why. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Base64 for the side that runs it: Node passes a Buffer-based codec, browsers use the portable one. */
export interface Base64Codec {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
}

/** atob/btoa (browsers, workers, Node ≥ 16), in chunks so large tensors do not overflow the call stack. */
export const portableBase64: Base64Codec = {
  encode(bytes) {
    const CHUNK = 0x8000;
    const parts: string[] = [];
    for (let i = 0; i < bytes.length; i += CHUNK) parts.push(String.fromCharCode(...bytes.subarray(i, i + CHUNK)));
    return btoa(parts.join(''));
  },
  decode(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  },
};

const article = (w: string): string => `${/^[aeiou]/i.test(w) ? 'an' : 'a'} ${w}`;
const describe = (v: unknown): string => (Array.isArray(v) ? 'a list' : article(typeof v === 'object' && v ? ((v as object).constructor?.name ?? 'object') : typeof v));

/** One flat value (a tensor or a Python scalar) as its wire form. `what` names it in errors ("input 2"). */
export function encodeValue(v: unknown, what: string, codec: Base64Codec = portableBase64): WireValue {
  const nd = v instanceof Tensor ? v.nd : v;
  if (nd instanceof NDArray) {
    // clone(): contiguous, row-major, and never a view into a larger buffer.
    const bytes = storageToBytes(nd.clone().storage);
    return { kind: 'tensor', dtype: nd.dtype, shape: [...nd.shape], data: codec.encode(bytes) };
  }
  if (nd instanceof PyFloat) return { kind: 'float', value: nd.value };
  if (typeof nd === 'number') return { kind: Number.isInteger(nd) ? 'int' : 'float', value: nd };
  if (typeof nd === 'boolean') return { kind: 'bool', value: nd };
  if (nd === null || nd === undefined) return { kind: 'none' };
  if (typeof nd === 'string') return { kind: 'str', value: nd };
  throw new WireError(`${what} is ${describe(nd)}, which cannot be sent to the window's WebGPU runtime; only tensors and Python scalars can. Use the host's WebGPU or the CPU backend for this program.`);
}

/** The inverse of encodeValue: a tensor becomes an NDArray (its own buffer), a scalar its engine value. */
export function decodeValue(w: WireValue, what: string, codec: Base64Codec = portableBase64): unknown {
  switch (w?.kind) {
    case 'tensor': {
      if (typeof w.dtype !== 'string' || !isDType(w.dtype)) throw new WireError(`${what}: unknown dtype ${String(w.dtype)}`);
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new WireError(`${what}: bad shape ${JSON.stringify(w.shape)}`);
      if (typeof w.data !== 'string') throw new WireError(`${what}: the tensor's data is missing`);
      const dtype: DType = w.dtype;
      const bytes = codec.decode(w.data);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (bytes.length !== n * itemSize(dtype)) throw new WireError(`${what}: ${bytes.length} bytes, but ${dtype}[${w.shape.join(', ')}] needs ${n * itemSize(dtype)}`);
      return new NDArray(storageFromBytes(dtype, bytes, true), [...w.shape], contiguousStrides(w.shape));
    }
    case 'int':
    case 'float': {
      const { kind, value } = w;
      if (typeof value !== 'number') throw new WireError(`${what}: ${kind} without a number`);
      return kind === 'float' && Number.isInteger(value) ? new PyFloat(value) : value;
    }
    case 'bool':
      if (typeof w.value !== 'boolean') throw new WireError(`${what}: bool without a boolean`);
      return w.value;
    case 'none':
      return null;
    case 'str':
      if (typeof w.value !== 'string') throw new WireError(`${what}: str without a string`);
      return w.value;
    default:
      throw new WireError(`${what}: not a wire value (kind ${String((w as unknown as { kind?: unknown } | null)?.kind)})`);
  }
}

export const encodeValues = (vs: readonly unknown[], what: string, codec?: Base64Codec): WireValue[] => vs.map((v, i) => encodeValue(v, `${what} ${i}`, codec));

export function decodeValues(ws: unknown, what: string, codec?: Base64Codec): unknown[] {
  if (!Array.isArray(ws)) throw new WireError(`${what}: expected a list of wire values`);
  return (ws as WireValue[]).map((w, i) => decodeValue(w, `${what} ${i}`, codec));
}

/** aten.add_.Tensor, aten.relu_.default: an op that writes its first argument (not aten.__and__.Tensor). */
const IN_PLACE = /^aten\.\w*[A-Za-z0-9]_\.\w+$/;

/**
 * The buffers a program changes, by placeholder index: BUFFER_MUTATION targets, and
 * buffers an in-place op writes directly (a program that keeps `count.add_(1)` has no
 * BUFFER_MUTATION output, yet its buffer changes on every run).
 */
export function mutatedBuffers(ep: ExportedProgram): Map<number, string> {
  const specs = ep.graphSignature.inputSpecs;
  const index = new Map(specs.map((s, i) => [s.name, i]));
  const declared = new Set(ep.graphSignature.outputSpecs.filter((s) => s.kind === 'BUFFER_MUTATION').map((s) => s.target));
  const out = new Map<number, string>();
  specs.forEach((s, i) => {
    if (s.kind === 'BUFFER' && s.target && declared.has(s.target)) out.set(i, s.target);
  });
  for (const n of ep.graph.nodes) {
    if (n.op !== 'call_function' || !IN_PLACE.test(n.target)) continue;
    const a = n.args[0];
    if (!(a instanceof Node) || a.op !== 'placeholder') continue;
    const i = index.get(a.name);
    const spec = i === undefined ? undefined : specs[i];
    if (spec?.kind === 'BUFFER' && spec.target) out.set(i!, spec.target);
  }
  return out;
}

/** Placeholders a runtime may upload once and keep: the engine's frozen inputs less any buffer the program writes in place. */
export function keptInputs(ep: ExportedProgram): Set<number> {
  const frozen = frozenInputIndices(ep);
  for (const i of mutatedBuffers(ep).keys()) frozen.delete(i);
  return frozen;
}
