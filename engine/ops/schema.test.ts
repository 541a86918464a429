import { describe, expect, test } from 'vitest';
import { parseSchema, bindArgs, stripDefaults } from './schema';
import { PyFloat } from '../core/scalar';
import { OpArgumentError } from '../core/errors';

describe('ATen schema parsing', () => {
  test('arguments, kwarg-only, defaults, alias annotations', () => {
    const s = parseSchema('add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)');
    expect(s.name).toBe('add_');
    expect(s.overload).toBe('Tensor');
    expect(s.args.map((a) => [a.name, a.type, a.kwargOnly, a.mutable])).toEqual([
      ['self', 'Tensor', false, true],
      ['other', 'Tensor', false, false],
      ['alpha', 'Scalar', true, false],
    ]);
    expect(s.returns[0]).toMatchObject({ type: 'Tensor', aliasOf: 'a' });
  });

  test('list defaults and overload-less names', () => {
    const s = parseSchema('conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=1, SymInt[2] padding=0, SymInt[2] dilation=1, SymInt groups=1) -> Tensor');
    expect(s.overload).toBe('default');
    expect(s.args.map((a) => a.default)).toEqual([undefined, undefined, null, [1, 1], [0, 0], [1, 1], 1]);
    const ln = parseSchema('native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)');
    expect(ln.returns).toHaveLength(3);
    expect(parseSchema('batch_norm(Tensor input, float eps=1e-05) -> Tensor').args[1]!.default).toBe(1e-5);
    expect(parseSchema('f(Tensor x, float p=1.) -> Tensor').args[1]!.default).toEqual(new PyFloat(1));
  });

  test('binding and default stripping match how torch records calls', () => {
    const s = parseSchema('conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor');
    const bound = bindArgs(s, ['x', 'w', 'b', [1, 1], [1, 1], [1, 1], 1]);
    expect(stripDefaults(s, bound)).toEqual({ args: ['x', 'w', 'b', [1, 1], [1, 1]], kwargs: {} });
    const slice = parseSchema('slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)');
    expect(stripDefaults(slice, bindArgs(slice, ['x', 0, null, 'n'])).args).toEqual(['x', 0, null, 'n']);
    const clone = parseSchema('clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor');
    expect(stripDefaults(clone, bindArgs(clone, ['x'], { memory_format: { enum: 'contiguous_format' } }))).toEqual({ args: ['x'], kwargs: { memory_format: { enum: 'contiguous_format' } } });
  });

  test('bad calls are typed errors', () => {
    const s = parseSchema('sin(Tensor self) -> Tensor');
    expect(() => bindArgs(s, [])).toThrow(OpArgumentError);
    expect(() => bindArgs(s, ['x', 'y'])).toThrow(/takes 1 positional arguments but 2 were given/);
    expect(() => bindArgs(s, ['x'], { bogus: 1 })).toThrow(/unexpected keyword argument 'bogus'/);
  });
});
