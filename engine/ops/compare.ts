// Comparisons and logic: eq/ne/lt/le/gt/ge (Tensor and Scalar overloads),
// logical_and/or/xor/not, bitwise_and/or/xor/not, __and__/__or__ (which
// run_decompositions() rewrites to bitwise_and/bitwise_or), isnan, isinf.
// Comparisons compute in the promoted dtype of their operands and produce bool.

import { type DType, isFloating } from '../core/dtype';
import { type NDArray } from '../core/ndarray';
import { binaryKernel, bitwise, unaryKernel } from './cpu-elementwise';
import { kernelOperand, notImplemented, promoteOperands } from './elementwise';
import { type Operand, elementwiseMeta, meta, resultDType } from './meta-utils';
import { defineOp } from './registry';
import { type OpDef, OpGroup, type TensorMeta } from './types';

const { Elementwise, Unary, Binary, Core, Commutative } = OpGroup;

type Cmp = (x: number, y: number) => number;

/** A binary op producing bool, computing in the operands' promoted dtype. */
function boolBinary(schema: string, f: Cmp, groups: OpGroup[] = [Core]): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Binary, ...groups],
    meta: (args, ctx) => elementwiseMeta(args as Operand[], 'bool', ctx.op),
    cpu: ([a, b], ctx) => {
      const d = promoteOperands([a, b]);
      return binaryKernel(kernelOperand(a), kernelOperand(b), f, 'bool', d, ctx.op);
    },
  });
}

function comparison(name: string, f: Cmp, commutative = false): OpDef[] {
  const g = commutative ? [Core, Commutative] : [Core];
  return [
    boolBinary(`${name}.Tensor(Tensor self, Tensor other) -> Tensor`, f, g),
    boolBinary(`${name}.Scalar(Tensor self, Scalar other) -> Tensor`, f),
  ];
}

export const [eq, eqScalar] = comparison('eq', (x, y) => Number(x === y), true);
export const [ne, neScalar] = comparison('ne', (x, y) => Number(x !== y), true);
export const [lt, ltScalar] = comparison('lt', (x, y) => Number(x < y));
export const [le, leScalar] = comparison('le', (x, y) => Number(x <= y));
export const [gt, gtScalar] = comparison('gt', (x, y) => Number(x > y));
export const [ge, geScalar] = comparison('ge', (x, y) => Number(x >= y));

// Logical ops read truthiness (NaN is true); the compute dtype only matters for reads.
export const logicalAnd = boolBinary('logical_and(Tensor self, Tensor other) -> Tensor', (x, y) => Number(x !== 0 && y !== 0), [Core, Commutative]);
export const logicalOr = boolBinary('logical_or(Tensor self, Tensor other) -> Tensor', (x, y) => Number(x !== 0 || y !== 0), [Core, Commutative]);
export const logicalXor = boolBinary('logical_xor(Tensor self, Tensor other) -> Tensor', (x, y) => Number(x !== 0 !== (y !== 0)), [Core, Commutative]);

export const logicalNot = defineOp({
  schema: 'logical_not(Tensor self) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self]) => meta('bool', (self as TensorMeta).shape),
  cpu: ([self]) => unaryKernel(self as NDArray, (v) => Number(v === 0), 'bool'),
});

function boolUnary(schema: string, f: (v: number) => number): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Unary, Core],
    meta: ([self]) => meta('bool', (self as TensorMeta).shape),
    cpu: ([self]) => unaryKernel(self as NDArray, f, 'bool'),
  });
}

export const isnan = boolUnary('isnan(Tensor self) -> Tensor', (v) => Number(v !== v));
export const isinf = boolUnary('isinf(Tensor self) -> Tensor', (v) => Number(v === Infinity || v === -Infinity));

/** Bitwise ops: integers and bools only (the CPU kernel raises for floats; meta does not check). */
function bitwiseOp(schema: string, kind: 'and' | 'or' | 'xor', kernelName: string, groups: OpGroup[], decomp?: OpDef['decomp']): OpDef {
  const intF = bitwise(kind);
  return defineOp({
    schema,
    groups: [Elementwise, Binary, ...groups],
    decomp,
    meta: (args, ctx) => elementwiseMeta(args as Operand[], resultDType(args as Operand[]), ctx.op),
    cpu: ([a, b], ctx) => {
      const d: DType = promoteOperands([a, b]);
      if (isFloating(d)) throw notImplemented(ctx.op, kernelName, d);
      return binaryKernel(kernelOperand(a), kernelOperand(b), intF, d, d, ctx.op);
    },
  });
}

export const bitwiseAnd = bitwiseOp('bitwise_and.Tensor(Tensor self, Tensor other) -> Tensor', 'and', 'bitwise_and_cpu', [Core, Commutative]);
export const bitwiseOr = bitwiseOp('bitwise_or.Tensor(Tensor self, Tensor other) -> Tensor', 'or', 'bitwise_or_cpu', [Core, Commutative]);
export const bitwiseXor = bitwiseOp('bitwise_xor.Tensor(Tensor self, Tensor other) -> Tensor', 'xor', 'bitwise_xor_cpu', [Core, Commutative]);
export const and = bitwiseOp('__and__.Tensor(Tensor self, Tensor other) -> Tensor', 'and', 'bitwise_and_cpu', [Commutative], ([a, b], ctx) =>
  ctx.call('aten.bitwise_and.Tensor', [a, b]),
);
export const or = bitwiseOp('__or__.Tensor(Tensor self, Tensor other) -> Tensor', 'or', 'bitwise_or_cpu', [Commutative], ([a, b], ctx) =>
  ctx.call('aten.bitwise_or.Tensor', [a, b]),
);

const dunder = (schema: string, kind: 'and' | 'or' | 'xor', target: string) =>
  bitwiseOp(schema, kind, `bitwise_${kind}_cpu`, schema.includes('.Tensor') ? [Commutative] : [], ([a, b], ctx) => ctx.call(target, [a, b]));
export const andScalar = dunder('__and__.Scalar(Tensor self, Scalar other) -> Tensor', 'and', 'aten.bitwise_and.Scalar');
export const orScalar = dunder('__or__.Scalar(Tensor self, Scalar other) -> Tensor', 'or', 'aten.bitwise_or.Scalar');
export const xor = dunder('__xor__.Tensor(Tensor self, Tensor other) -> Tensor', 'xor', 'aten.bitwise_xor.Tensor');
export const xorScalar = dunder('__xor__.Scalar(Tensor self, Scalar other) -> Tensor', 'xor', 'aten.bitwise_xor.Scalar');

export const bitwiseNot = defineOp({
  schema: 'bitwise_not(Tensor self) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self]) => meta((self as TensorMeta).dtype, (self as TensorMeta).shape),
  cpu: ([self], ctx) => {
    const x = self as NDArray;
    if (isFloating(x.dtype)) throw notImplemented(ctx.op, 'bitwise_not_cpu', x.dtype);
    // ~v == -v - 1 for two's-complement ints; the store wraps uint8.
    return unaryKernel(x, x.dtype === 'bool' ? (v) => Number(v === 0) : (v) => -v - 1);
  },
});

export const compareOps: OpDef[] = [
  eq, eqScalar, ne, neScalar, lt, ltScalar, le, leScalar, gt, gtScalar, ge, geScalar,
  logicalAnd, logicalOr, logicalXor, logicalNot, isnan, isinf,
  bitwiseAnd, bitwiseOr, bitwiseXor, and, or, andScalar, orScalar, xor, xorScalar, bitwiseNot,
];
