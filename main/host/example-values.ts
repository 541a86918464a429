// Concrete values for example inputs: ExampleValue descriptions become engine
// tensors through a seeded generator (so one document always exports and compares
// on the same numbers), plus cloning and flattening helpers the compare view uses.

import { NDArray } from '../../engine/core/ndarray';
import { type DType, isDType, isFloating } from '../../engine/core/dtype';
import { pyList, isPyList } from '../../engine/core/pytree';
import { Tensor } from '../../engine/trace/tensor';
import type { ExampleValue } from './model-file';

/** mulberry32: small, fast, good enough for test data. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function tensorOf(dtype: string, shape: number[], init: (i: number) => number): Tensor {
  if (!isDType(dtype)) throw new Error(`unsupported dtype ${dtype}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = init(i);
  return Tensor.fromNDArray(NDArray.fromValues(dtype as DType, shape, values));
}

/** Make the engine value an ExampleValue describes. Tuples become arrays, lists pyLists. */
export function materialize(v: ExampleValue, rng: () => number): unknown {
  switch (v.kind) {
    case 'value':
      return v.value;
    case 'tuple':
      return v.items.map((x) => materialize(x, rng));
    case 'list':
      return pyList(v.items.map((x) => materialize(x, rng)));
    case 'dict':
      return Object.fromEntries(v.entries.map(([k, x]) => [k, materialize(x, rng)]));
    case 'tensor': {
      const init = v.init;
      switch (init.kind) {
        case 'randn':
          return tensorOf(v.dtype, v.shape, () => normal(rng));
        case 'rand':
          return tensorOf(v.dtype, v.shape, () => rng());
        case 'ones':
          return tensorOf(v.dtype, v.shape, () => 1);
        case 'zeros':
          return tensorOf(v.dtype, v.shape, () => 0);
        case 'arange':
          return tensorOf(v.dtype, v.shape, (i) => i);
        case 'full':
          return tensorOf(v.dtype, v.shape, () => init.value);
        case 'randint':
          return tensorOf(v.dtype, v.shape, () => init.low + Math.floor(rng() * (init.high - init.low)));
        case 'data':
          return tensorOf(v.dtype, v.shape, (i) => init.values[i]!);
      }
    }
  }
}

/** Deep copy of inputs (in-place ops in a program must not leak into the next run). */
export function cloneValue(v: unknown): unknown {
  if (v instanceof Tensor) return Tensor.fromNDArray(v.nd.clone());
  if (Array.isArray(v)) {
    const items = v.map(cloneValue);
    return isPyList(v) ? pyList(items) : items;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneValue(x)]));
  return v;
}

/** Leaves of a value with their Python-style paths (`[0]`, `['sum']`). */
export function flattenWithPaths(v: unknown, path = ''): Array<{ path: string; value: unknown }> {
  if (v instanceof Tensor) return [{ path, value: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => flattenWithPaths(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => flattenWithPaths(x, `${path}['${k}']`));
  return [{ path, value: v }];
}

/** A random tensor like `like` with a new shape (floats: standard normal; others: the original values when the shape is unchanged, else zeros). */
export function randomLike(like: Tensor, shape: number[], rng: () => number): Tensor {
  if (isFloating(like.dtype)) return tensorOf(like.dtype, shape, () => normal(rng));
  if (shape.join(',') === like.shape.join(',')) return Tensor.fromNDArray(like.nd.clone());
  return tensorOf(like.dtype, shape, () => 0);
}
