// SymFloat through export: `x[: round(x.shape[0] / 2)]` (exportdb
// dynamic_shape_round) and guards that a Dim's range cannot express.

import { describe, expect, test } from 'vitest';
import { NDArray } from '../core/ndarray';
import { ConstraintViolationError } from '../core/errors';
import { Tensor } from '../trace/tensor';
import { Module } from '../trace/module';
import { callOp } from '../trace/dispatch';
import { sizeAt } from '../trace/python-semantics';
import { symFloatBinary, symToInt } from '../trace/sym-ops';
import { Dim } from '../symbolic/dim';
import { type IntLike } from '../symbolic';
import { exportModule } from './export';

const arange = (...shape: number[]) => Tensor.fromNDArray(NDArray.fromValues('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i)));

/** `x[: round(x.shape[0] / 2)]` */
class Round extends Module {
  forward(x: Tensor) {
    const half = symToInt('round', symFloatBinary('truediv', sizeAt(x, 0) as IntLike, 2) as number);
    return callOp('aten.slice.Tensor', [x, 0, null, half]);
  }
}

function exportError(dynamicShapes: Record<string, unknown>): Error {
  try {
    exportModule(new Round(), [arange(3, 2)], {}, { dynamicShapes });
  } catch (e) {
    return e as Error;
  }
  throw new Error('export succeeded');
}

describe('SymFloat in export', () => {
  test('dynamic_shape_round: a guard on round(s0/2) violates the Dim, with no suggested fix', () => {
    const err = exportError({ x: { 0: new Dim('dim0_x') } });
    expect(err).toBeInstanceOf(ConstraintViolationError);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('Constraints violated (dim0_x)! For more information, run with TORCH_LOGS="+dynamic".');
    // torch 2.11 reports `round(…) >= 0 and round(…) <= L['x'].size()[0]` (its slice
    // guards the conjunction) and a second guard `round(…) != 1` (output
    // contiguity); the engine's slice guards only the upper clamp.
    expect(lines[1]).toBe("  - Not all values of dim0_x = L['x'].size()[0] in the specified range satisfy the generated guard round(L['x'].size()[0] / 2) <= L['x'].size()[0].");
    expect(err.message).not.toContain('Suggested fixes');
    expect(err.message).toMatch(/\n\nThe error above occurred when calling torch\.export\.export\./);
  });

  test('a bounded Dim shows its range in the bullet', () => {
    const err = exportError({ x: { 0: new Dim('n', { min: 3, max: 10 }) } });
    expect(err.message).toContain("Not all values of n = L['x'].size()[0] in the specified range 3 <= n <= 10 satisfy the generated guard round(");
  });

  test('Dim.AUTO exports, the sizes computed through truediv and round', () => {
    const ep = exportModule(new Round(), [arange(5, 2)], {}, { dynamicShapes: { x: { 0: Dim.AUTO } } });
    const targets = ep.graph.nodes.filter((n) => n.op === 'call_function').map((n) => n.target);
    expect(targets).toEqual(['aten.sym_size.int', 'operator.truediv', 'round', 'aten.slice.Tensor']);
    expect(ep.toString()).toContain('round(truediv)');
  });
});

describe('SymFloat programs run', () => {
  test('round() of a symbolic size is recorded and computed by ep.module()', async () => {
    const { Module } = await import('../trace/module');
    const { exportModule } = await import('./export');
    const { symToInt, symFloatBinary } = await import('../trace/sym-ops');
    const { sizeAt } = await import('../trace/python-semantics');
    const { callOp } = await import('../trace/dispatch');
    const { Dim } = await import('../symbolic/dim');
    const { Tensor } = await import('../trace/tensor');
    const { NDArray } = await import('../core/ndarray');
    class HalfRows extends Module {
      forward(x: InstanceType<typeof Tensor>) {
        const n = symToInt('round', symFloatBinary('truediv', sizeAt(x, 0), 2) as never);
        return callOp('aten.slice.Tensor', [x, 0, 0, n]);
      }
    }
    const rows = (n: number) => Tensor.fromNDArray(NDArray.fromValues('float32', [n, 2], Array.from({ length: 2 * n }, (_, i) => i)));
    const ep = exportModule(new HalfRows(), [rows(6)], {}, { dynamicShapes: [{ 0: Dim.AUTO }] });
    expect(ep.opSequence()).toContain('<built-in function round>');
    for (const [n, want] of [[7, 4], [5, 2], [9, 4]] as const) expect((ep.module()(rows(n)) as InstanceType<typeof Tensor>).shape[0]).toBe(want);
  });
});
