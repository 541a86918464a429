// export() behaviours beyond the corpus: lazy constant lifting, strict mode refusal,
// bad dynamic_shapes specs with clear errors.

import { describe, expect, test } from 'vitest';
import { NDArray } from '../core/ndarray';
import { UserError } from '../core/errors';
import { Tensor } from '../trace/tensor';
import { Module } from '../trace/module';
import { callOp } from '../trace/dispatch';
import { Dim } from '../symbolic/dim';
import { exportModule } from './export';

const ones = (...shape: number[]) => Tensor.fromNDArray(NDArray.fromValues('float32', shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(1)));

class WithAttrs extends Module {
  constructor() {
    super();
    this.setConstant('unused', ones(3));
    this.setConstant('scale', ones(3));
  }
  forward(x: Tensor) {
    return callOp('aten.mul.Tensor', [x, this.getConstant('scale')]);
  }
}

describe('exportModule', () => {
  test('tensor attributes are lifted as constants only when forward reads them', () => {
    const ep = exportModule(new WithAttrs(), [ones(3)]);
    expect(ep.graph.placeholders.map((p) => p.name)).toEqual(['c_scale', 'x']);
    expect(ep.graphSignature.inputSpecs[0]).toEqual({ kind: 'CONSTANT_TENSOR', name: 'c_scale', target: 'scale' });
    expect([...ep.constants.keys()]).toEqual(['scale']);
  });

  test('strict=True is refused with a clear pointer', () => {
    expect(() => exportModule(new WithAttrs(), [ones(3)], {}, { strict: true })).toThrow(/strict=True export is not supported yet/);
  });

  test('dynamic_shapes keys must name forward arguments', () => {
    expect(() => exportModule(new WithAttrs(), [ones(3)], {}, { dynamicShapes: { y: { 0: new Dim('b') } } })).toThrow(UserError);
    expect(() => exportModule(new WithAttrs(), [ones(3)], {}, { dynamicShapes: { y: { 0: new Dim('b') } } })).toThrow(/top-level keys must be the arg names \["x"\]/);
  });

  test('example sizes outside a Dim range are rejected before tracing', () => {
    expect(() => exportModule(new WithAttrs(), [ones(3)], {}, { dynamicShapes: { x: { 0: new Dim('b', { min: 4 }) } } })).toThrow(/has size 3, which is outside the range \[4, inf\]/);
  });
});

describe('Dim hints', () => {
  class Relu extends Module {
    forward(x: Tensor) {
      return callOp('aten.relu.default', [x]);
    }
  }
  test('AUTO and DYNAMIC dims range over [2, int_oo] as in torch; hints survive copies', () => {
    const ep = exportModule(new Relu(), [ones(4, 3)], {}, { dynamicShapes: [{ 0: { hint: 'AUTO' }, 1: Dim.STATIC }] });
    expect(ep.rangeConstraints.map((r) => r.range.toString())).toEqual(['VR[2, int_oo]']);
    expect(exportModule(new Relu(), [ones(1, 3)], {}, { dynamicShapes: [{ 0: Dim.AUTO }] }).rangeConstraints).toEqual([]);
  });
});

describe('run_decompositions on in-place updates', () => {
  class ViewWrite extends Module {
    forward(x: Tensor) {
      const row = callOp('aten.select.int', [x, 0, 0]);
      callOp('aten.add_.Tensor', [row, 1]);
      return callOp('aten.mul.Tensor', [x, 2]);
    }
  }
  test('writing through a view of an input is refused with a clear error, never a silently wrong program', () => {
    const ep = exportModule(new ViewWrite(), [ones(2, 3)]);
    expect(ep.opSequence()).toEqual(['aten.select.int', 'aten.add_.Tensor', 'aten.mul.Tensor']);
    expect(() => ep.runDecompositions()).toThrow(/writes into a view of 'x'; run_decompositions\(\) cannot functionalize/);
    // The training IR itself runs eagerly with torch's semantics (the view shares storage).
    const x = ones(2, 3);
    const out = ep.module()(x) as Tensor;
    expect(out.toArray()).toEqual([4, 4, 4, 2, 2, 2]);
  });
});

describe('verifyMeta', () => {
  test('a node whose recorded shape its op contradicts is reported by name', async () => {
    const { verifyMeta } = await import('./verify');
    const { GraphVerificationError } = await import('../core/errors');
    const ep = exportModule(new WithAttrs(), [ones(3)]);
    verifyMeta(ep.graph, ep.parts.env);
    const mul = ep.graph.nodes.find((n) => n.name === 'mul')!;
    mul.meta.val = { dtype: 'float32', shape: [4], strides: [1] };
    expect(() => verifyMeta(ep.graph, ep.parts.env)).toThrow(GraphVerificationError);
    expect(() => verifyMeta(ep.graph, ep.parts.env)).toThrow('node mul (aten.mul.Tensor) records float32[4] but its inputs give float32[3]');
  });
});
