// Shared by the CPU runtime's tests: seeded random arrays (contiguous, transposed,
// sliced), a kernel context over a fresh pool and workspace, and a harness that
// runs an op's fast kernel and its registry reference kernel on the same bound
// arguments and compares shape, dtype and values.

import { expect } from 'vitest';
import { type DType } from '../../core/dtype';
import { NDArray, Storage } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { type Graph, type Node } from '../../ir/graph';
import { defaultRegistry } from '../../ops/register-all';
import { bindArgs } from '../../ops/schema';
import { GemmWorkspace } from './gemm';
import { type KernelContext } from './kernel-context';
import { type CpuThreads } from './kernel-threads';
import { BufferPool } from './memory-plan';
import { fastKernels } from './fast-kernels';

/** Deterministic uniform numbers in [-1, 1). */
export function rng(seed = 1): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  };
}

export function randArray(shape: readonly number[], r: () => number, dtype: DType = 'float32', scale = 1): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return NDArray.fromValues(dtype, shape, Array.from({ length: n }, () => (dtype === 'bool' ? r() > 0 : dtype.startsWith('int') ? Math.floor(r() * 5) : r() * scale)));
}

/** A non-contiguous array with the given shape: a transposed view of a random array (last two dims swapped). */
export function randTransposed(shape: readonly number[], r: () => number): NDArray {
  if (shape.length < 2) return randSliced(shape, r);
  const nd = shape.length;
  const swapped = [...shape];
  [swapped[nd - 1], swapped[nd - 2]] = [swapped[nd - 2]!, swapped[nd - 1]!];
  const base = randArray(swapped, r);
  const st = [...base.strides];
  [st[nd - 1], st[nd - 2]] = [st[nd - 2]!, st[nd - 1]!];
  return base.withView(shape, st, 0);
}

/** A non-contiguous array: every other element of the last dim of a wider array, at an offset. */
export function randSliced(shape: readonly number[], r: () => number): NDArray {
  const wide = shape.length ? [...shape.slice(0, -1), shape[shape.length - 1]! * 2 + 1] : [3];
  const base = randArray(wide, r);
  const st = shape.length ? [...base.strides.slice(0, -1), 2] : [];
  return base.withView(shape, st, 1);
}

export function kernelContext(opts: { wasm?: boolean; threads?: CpuThreads } = {}): KernelContext & { pool: BufferPool } {
  const pool = new BufferPool();
  const gemm = new GemmWorkspace(opts);
  return { op: 'test', pool, gemm, allocF32: (n) => pool.alloc(n), frozenKey: () => undefined };
}

const FAST = fastKernels();

/** Bind (args, kwargs) by the op's schema, run the fast kernel and the reference kernel. */
export function runBoth(op: string, args: unknown[], kwargs: Record<string, unknown> = {}, ctx: KernelContext = kernelContext()): { fast: unknown; ref: unknown } {
  const def = defaultRegistry.get(op);
  const bound = bindArgs(def.parsed, args, kwargs);
  const fast = FAST.get(op);
  if (!fast) throw new Error(`no fast kernel for ${op}`);
  // Reference kernels may write in place: give each side its own copies.
  const copy = (a: unknown): unknown => (a instanceof NDArray ? a.withView(a.shape, a.strides, a.offset) : Array.isArray(a) ? a.map(copy) : a);
  const cloneDeep = (a: unknown): unknown => (a instanceof NDArray ? cloneKeepLayout(a) : Array.isArray(a) ? a.map(cloneDeep) : a);
  const refArgs = bound.map(cloneDeep);
  const ref = def.cpu(refArgs, { op: def.name });
  const out = fast(bound.map(copy), ctx);
  return { fast: out, ref };
}

/** A copy with the same shape/strides/offset over fresh storage. */
function cloneKeepLayout(a: NDArray): NDArray {
  return new NDArray(new Storage(a.dtype, a.storage.data.slice()), a.shape, a.strides, a.offset);
}

/** Compare arrays (or lists of arrays): shape, dtype, then values within atol + rtol·|ref|. */
export function expectClose(fast: unknown, ref: unknown, tol = { atol: 1e-5, rtol: 1e-4 }, path = 'out'): void {
  if (Array.isArray(ref)) {
    expect(Array.isArray(fast), `${path}: expected a list`).toBe(true);
    const f = fast as unknown[];
    expect(f.length, `${path}: list length`).toBe(ref.length);
    ref.forEach((r, i) => expectClose(f[i], r, tol, `${path}[${i}]`));
    return;
  }
  if (!(ref instanceof NDArray)) {
    expect(fast, path).toEqual(ref);
    return;
  }
  expect(fast, `${path}: fast kernel declined or returned a non-array`).toBeInstanceOf(NDArray);
  const f = fast as NDArray;
  expect([...f.shape], `${path}: shape`).toEqual([...ref.shape]);
  expect(f.dtype, `${path}: dtype`).toBe(ref.dtype);
  const a = f.toArray();
  const b = ref.toArray();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    const err = Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Infinity : err;
      at = i;
    }
  }
  expect(at, `${path}: element ${at} is ${a[at]}, reference ${b[at]}`).toBe(-1);
}

/** A call_function node named `name`. */
export const call = (g: Graph, target: string, args: unknown[], name: string): Node => g.createNode('call_function', target, args as never[], {}, name);

/** GPT-2's GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) spelled as the 8 ATen ops its export has. */
export function geluChain(g: Graph, x: Node): Node {
  const half = call(g, 'aten.mul.Tensor', [x, 0.5], 'half');
  const cube = call(g, 'aten.pow.Tensor_Scalar', [x, new PyFloat(3)], 'cube');
  const cm = call(g, 'aten.mul.Tensor', [cube, 0.044715], 'cm');
  const inner = call(g, 'aten.add.Tensor', [x, cm], 'inner');
  const scaled = call(g, 'aten.mul.Tensor', [inner, 0.7978845608028654], 'scaled');
  const th = call(g, 'aten.tanh.default', [scaled], 'th');
  const plus = call(g, 'aten.add.Tensor', [th, new PyFloat(1)], 'plus');
  return call(g, 'aten.mul.Tensor', [half, plus], 'gelu');
}
