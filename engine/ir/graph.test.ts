import { describe, expect, test } from 'vitest';
import { Graph } from './graph';
import { Namespace } from './namespace';
import { pythonCode } from './codegen';
import { GraphVerificationError } from '../core/errors';

describe('Namespace (torch.fx naming)', () => {
  test('suffixes, builtins and keywords', () => {
    const ns = new Namespace();
    expect(['add', 'add', 'sum', 'slice', 'add_1', 'add', 'sym_size.int', 'if'].map((n) => ns.createName(n))).toEqual([
      'add',
      'add_1',
      'sum_1',
      'slice_1',
      'add_2',
      'add_3',
      'sym_size_int',
      'if_1',
    ]);
  });
});

describe('Graph', () => {
  test('use-def tracking, dead code elimination and lint', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const a = g.createNode('call_function', 'aten.sin.default', [x], {}, 'sin');
    const b = g.createNode('call_function', 'aten.cos.default', [x], {}, 'cos');
    g.output([a]);
    expect([...x.users].map((n) => n.name)).toEqual(['sin', 'cos']);
    g.lint();
    expect(g.eliminateDeadCode(() => true)).toBe(true);
    expect(g.nodes.map((n) => n.name)).toEqual(['x', 'sin', 'output']);
    expect(b.args).toEqual([]);
    expect(() => g.eraseNode(a)).toThrow(GraphVerificationError);
    expect(pythonCode(g)).toBe('\n\n\ndef forward(self, x):\n    sin = torch.ops.aten.sin.default(x);  x = None\n    return (sin,)\n    ');
  });

  test('lint rejects use before definition', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const a = g.createNode('call_function', 'aten.sin.default', [x], {}, 'sin');
    g.output([a]);
    const b = g.createNode('call_function', 'aten.cos.default', [x], {}, 'cos');
    g.nodes.splice(g.nodes.indexOf(b), 1);
    g.nodes.splice(1, 0, b);
    a.setArgs([b]);
    g.nodes.splice(g.nodes.indexOf(b), 1);
    g.nodes.push(b);
    expect(() => g.lint()).toThrow(GraphVerificationError);
  });
});
