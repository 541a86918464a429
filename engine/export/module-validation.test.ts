// ep.module() checks inputs against the signature and range constraints and
// names the offending input, where PyTorch fails deep inside an op.

import { describe, expect, test } from 'vitest';
import { InputValidationError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { Tensor } from '../trace/tensor';
import { Module } from '../trace/module';
import { callOp } from '../trace/dispatch';
import { exportModule } from './export';
import { Dim } from '../symbolic/dim';

const randn = (...shape: number[]) => Tensor.fromNDArray(NDArray.fromValues('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i))));

class AddMul extends Module {
  forward(x: Tensor, y: Tensor) {
    return callOp('aten.mul.Tensor', [callOp('aten.add.Tensor', [x, y]), 2]);
  }
}

describe('ExportedProgram.module() input validation', () => {
  const batch = new Dim('batch', { min: 2, max: 16 });
  const ep = exportModule(new AddMul(), [randn(4, 3), randn(4, 3)], {}, { dynamicShapes: { x: { 0: batch }, y: { 0: batch } } });

  test('accepts any size within the declared range', () => {
    const out = ep.module()(randn(7, 3), randn(7, 3)) as Tensor;
    expect(out.shape).toEqual([7, 3]);
  });

  test('names the input, the expected type and what it got', () => {
    const call = () => ep.module()(randn(4, 5), randn(4, 3));
    expect(call).toThrow(InputValidationError);
    expect(call).toThrow('Input x: expected f32[s0, 3], but got f32[4, 5] (dimension 1 must be 3, got 5)');
  });

  test('dims sharing a Dim must agree', () => {
    expect(() => ep.module()(randn(4, 3), randn(5, 3))).toThrow(/Input y: .*dimension 0 is s0, which an earlier input fixed to 4/);
  });

  test('range constraints are enforced with a fix', () => {
    expect(() => ep.module()(randn(20, 3), randn(20, 3))).toThrow(/s0 = 20 is outside the exported range VR\[2, 16\]/);
  });

  test('dtype and arity', () => {
    const int = Tensor.fromNDArray(NDArray.fromValues('int64', [4, 3], new Array(12).fill(1)));
    expect(() => ep.module()(int, randn(4, 3))).toThrow('Input x: expected dtype float32 (f32[s0, 3]), but got int64 (i64[4, 3])');
    expect(() => ep.module()(randn(4, 3))).toThrow(/takes 2 inputs \(x, y\) but was called with 1/);
  });
});
