// Python-level tensor semantics that are not single ATen ops: `x.shape[i]`,
// `bool(tensor)`, `tensor.item()`. The Python front end and TypeScript users
// share these so both trace identically.

import { OpArgumentError } from '../core/errors';
import { type IntLike, symEq } from '../symbolic';
import { Tensor } from './tensor';
import { callOp } from './dispatch';
import { currentTracer } from './tracer';
import { symBool } from './sym-ops';

/** `x.shape[d]` / `x.size(d)`: a Python int or a SymInt. */
export function sizeAt(t: Tensor, d: number): IntLike {
  const n = t.ndim;
  const i = d < 0 ? d + n : d;
  if (i < 0 || i >= n) throw new OpArgumentError('size', `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${d})`);
  return t.shape[i]!;
}

/** `tensor.item()`: a number eagerly; an unbacked SymInt while tracing. */
export function item(t: Tensor): unknown {
  return callOp('aten.item.default', [t]);
}

/** `bool(tensor)`: guards on data while tracing (a data-dependent error unless decidable). */
export function tensorToBool(t: Tensor): boolean {
  if (!currentTracer()) {
    if (t.nd.numel !== 1) throw new OpArgumentError('bool', `Boolean value of Tensor with more than one value is ambiguous`);
    return t.nd.item() !== 0;
  }
  const v = item(t);
  if (typeof v === 'number' || typeof v === 'boolean') return Boolean(v);
  return symBool(symEq(v as IntLike, 1));
}
