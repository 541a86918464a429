// torch.diff: n-th forward difference along a dim, with optional prepend/append.
// Not core ATen: run_decompositions() rewrites it, as torch does, into
// cat (when prepending/appending) + pairs of slices + sub (logical_xor for bool).

import { OpArgumentError } from '../core/errors';
import { type NDArray } from '../core/ndarray';
import { type IntLike, symAdd, symSub } from '../symbolic';
import { wrapDim, meta } from './meta-utils';
import { defineOp } from './registry';
import { type OpDef, type TensorMeta, type DecompContext } from './types';
import { sub } from './elementwise';
import { logicalXor } from './compare';
import { cat } from './shape-ops';
import { slice } from './movement';

const SCHEMA = 'diff(Tensor self, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None) -> Tensor';

const addI = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a + b : symAdd(a, b));
const subI = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a - b : symSub(a, b));

function checkArgs(op: string, ndim: number, n: number): void {
  if (ndim === 0) throw new OpArgumentError(op, 'diff expects input to be at least one-dimensional');
  if (n < 0) throw new OpArgumentError(op, `order must be non-negative but got ${n}`);
}

export const diff: OpDef = defineOp({
  schema: SCHEMA,
  meta: (args, ctx) => {
    const [x, n, dimArg, pre, app] = args as [TensorMeta, number, number, TensorMeta | null, TensorMeta | null];
    checkArgs(ctx.op, x.shape.length, n);
    const dim = wrapDim(dimArg, x.shape.length);
    let size: IntLike = x.shape[dim]!;
    if (pre) size = addI(size, pre.shape[dim]!);
    if (app) size = addI(size, app.shape[dim]!);
    const out = [...x.shape];
    const reduced = subI(size, n);
    out[dim] = typeof reduced === 'number' ? Math.max(reduced, 0) : reduced;
    return meta(x.dtype, out);
  },
  cpu: (args, ctx) => {
    const [x, n, dimArg, pre, app] = args as [NDArray, number, number, NDArray | null, NDArray | null];
    checkArgs(ctx.op, x.ndim, n);
    const dim = wrapDim(dimArg, x.ndim);
    const parts = [pre, x, app].filter((t): t is NDArray => t !== null);
    let cur = parts.length > 1 ? (cat.cpu([parts, dim], { op: cat.name }) as NDArray) : x;
    const step = x.dtype === 'bool' ? logicalXor : sub;
    for (let i = 0; i < n && cur.shape[dim]! > 0; i++) {
      const len = cur.shape[dim]!;
      const hi = slice.cpu([cur, dim, 1, len, 1], { op: slice.name }) as NDArray;
      const lo = slice.cpu([cur, dim, 0, len - 1, 1], { op: slice.name }) as NDArray;
      cur = step.cpu(step === sub ? [hi, lo, 1] : [hi, lo], { op: step.name }) as NDArray;
    }
    return n === 0 ? cur.clone() : cur;
  },
  decomp: (args, ctx: DecompContext) => {
    const [x, n, dimArg, pre, app] = args as [unknown, number, number, unknown, unknown];
    const m = ctx.meta(x);
    const dim = dimArg;
    let cur = x;
    if (pre !== null || app !== null) cur = ctx.call('aten.cat.default', [[pre, x, app].filter((t) => t !== null), dim]);
    const op = m.dtype === 'bool' ? 'aten.logical_xor.default' : 'aten.sub.Tensor';
    for (let i = 0; i < n; i++) {
      const len = ctx.meta(cur).shape[wrapDim(dim, m.shape.length)]!;
      const lo = ctx.call('aten.slice.Tensor', [cur, dim, 0, subI(len, 1)]);
      const hi = ctx.call('aten.slice.Tensor', [cur, dim, 1, len]);
      cur = ctx.call(op, [hi, lo]);
    }
    return cur;
  },
});

export const diffOps: OpDef[] = [diff];
