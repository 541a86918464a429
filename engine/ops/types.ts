// What an op declaration is made of: the tensor metadata meta functions work on,
// the contexts handed to meta functions, CPU kernels and decompositions, and the
// op groups passes test membership of. See Note [Declaring an op] in registry.ts.

import { type DType } from '../core/dtype';
import { type NDArray } from '../core/ndarray';
import { type IntLike, type SymInt, type ShapeEnv, type ValueRange } from '../symbolic';
import { type Schema } from './schema';

/** Shape and dtype of a tensor, over symbolic sizes. The FakeTensor of this engine. */
export interface TensorMeta {
  readonly dtype: DType;
  readonly shape: readonly IntLike[];
  readonly strides: readonly IntLike[];
  /** Offset into storage, in elements (views only; 0 otherwise). */
  readonly storageOffset?: IntLike;
}

export function isTensorMeta(v: unknown): v is TensorMeta {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'strides' in v;
}

export enum OpGroup {
  /** Pointwise on broadcast inputs. */
  Elementwise = 'elementwise',
  Unary = 'unary',
  Binary = 'binary',
  Reduction = 'reduction',
  /** Output aliases an input's storage. */
  View = 'view',
  /** Writes into its first argument and returns it (`add_`). */
  Inplace = 'inplace',
  Commutative = 'commutative',
  /** Produces values from nothing but shapes (zeros, arange). */
  Factory = 'factory',
  /** Randomness: must not be constant-folded or deduplicated. */
  Random = 'random',
  /** Kept even when its result is unused (_assert_scalar). */
  SideEffect = 'side_effect',
  /** Part of core ATen: run_decompositions() keeps it. */
  Core = 'core',
  /** Works on symbolic ints, not tensors (sym_size, operator.add). */
  SymScalar = 'sym_scalar',
}

export interface MetaContext {
  readonly op: string;
  /** The trace's ShapeEnv; undefined when shapes are all concrete. */
  readonly env: ShapeEnv | undefined;
  /** A fresh data-dependent size/value (`u0`), as `.item()` and nonzero make. */
  newUnbacked(range?: ValueRange): IntLike;
}

export interface CpuContext {
  readonly op: string;
}

/** What a decomposition may do: call other ops and read metadata of its values. */
export interface DecompContext {
  call(op: string, args: readonly unknown[], kwargs?: Readonly<Record<string, unknown>>): unknown;
  meta(tensor: unknown): TensorMeta;
}

export type MetaFn = (args: unknown[], ctx: MetaContext) => unknown;
export type CpuFn = (args: unknown[], ctx: CpuContext) => unknown;
export type DecompFn = (args: unknown[], ctx: DecompContext) => unknown;

export interface OpDeclaration {
  /** Native schema string, exactly as in native_functions.yaml. */
  readonly schema: string;
  /** Namespace; `aten` unless stated. */
  readonly namespace?: string;
  readonly groups?: readonly OpGroup[];
  readonly meta: MetaFn;
  /** CPU reference kernel over NDArrays; results are NDArrays or scalars. */
  readonly cpu: CpuFn;
  /** For ops outside core ATen: how run_decompositions() rewrites them. */
  readonly decomp?: DecompFn;
  /** For in-place ops: the functional op that computes the new value (`aten.add.Tensor`). */
  readonly functional?: string;
}

export interface OpDef extends OpDeclaration {
  /** `aten.add.Tensor` — how torch prints `torch.ops.aten.add.Tensor`. */
  readonly name: string;
  readonly parsed: Schema;
  readonly groupSet: ReadonlySet<OpGroup>;
}

export type { NDArray, SymInt };
