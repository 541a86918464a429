import { describe, expect, it } from 'vitest';
import type { ArgInfo, DynamicShapesSpec, InputInfo } from './ipc-contract';
import { BLOCK_END, BLOCK_START, applySpecToSource, emptySpec, generateBlock, parseSpecFromSource, stripBlock } from './dynamic-shapes-code';
import { parsePyExpr, topLevelAssignments } from './py-expr';

const args: ArgInfo[] = [
  { name: 'x', keyword: false, structure: { kind: 'leaf' } },
  { name: 'inputs', keyword: false, structure: { kind: 'dict', entries: [['a', { kind: 'leaf' }], ['bc', { kind: 'tuple', items: [{ kind: 'leaf' }, { kind: 'leaf' }] }]] } },
];
const t = (path: string, argName: string, steps: InputInfo['steps'], shape: number[]): InputInfo => ({ path, argName, keyword: false, steps, kind: 'tensor', dtype: 'float32', shape });
const inputs: InputInfo[] = [
  t('x', 'x', [], [8, 3]),
  t("inputs['a']", 'inputs', [{ kind: 'key', key: 'a' }], [8]),
  t("inputs['bc'][0]", 'inputs', [{ kind: 'key', key: 'bc' }, { kind: 'index', index: 0 }], [9]),
  t("inputs['bc'][1]", 'inputs', [{ kind: 'key', key: 'bc' }, { kind: 'index', index: 1 }], [2]),
];

describe('dynamic_shapes code ↔ spec', () => {
  const spec: DynamicShapesSpec = {
    dims: [{ name: 'batch', min: 2, max: 64 }],
    inputs: {
      x: [{ kind: 'dim', name: 'batch' }, { kind: 'auto' }],
      "inputs['a']": [{ kind: 'dim', name: 'batch' }],
      "inputs['bc'][0]": [{ kind: 'derived', root: 'batch', coeff: 1, offset: 1 }],
      "inputs['bc'][1]": [{ kind: 'none' }],
    },
  };

  it('generates a block mirroring nested inputs', () => {
    expect(generateBlock(spec, args, inputs, { importDim: true })).toBe(
      [
        BLOCK_START,
        'from torch.export import Dim',
        'batch = Dim("batch", min=2, max=64)',
        'dynamic_shapes = {"x": {0: batch, 1: Dim.AUTO}, "inputs": {"a": {0: batch}, "bc": ({0: batch + 1}, None)}}',
        BLOCK_END,
      ].join('\n'),
    );
  });

  it('round-trips through the source', () => {
    const source = 'import torch\nfrom torch.export import Dim\n\nexample_args = (torch.randn(8, 3),)\n';
    const written = applySpecToSource(source, spec, args, inputs);
    expect(written).not.toContain('\nfrom torch.export import Dim\nbatch');
    expect(parseSpecFromSource(written, args, inputs)).toEqual({ spec, line: written.split('\n').findIndex((l) => l.startsWith('dynamic_shapes')) + 1 });
    // Regenerating replaces the block instead of appending another.
    const again = applySpecToSource(written, emptySpec(inputs), args, inputs);
    expect(again.match(/dynamic shapes \(kept in sync/g)?.length).toBe(1);
    expect(again).toContain('dynamic_shapes = None');
    expect(stripBlock(again).trim()).toBe(source.trim());
  });

  it('reads hand-written forms: tuples, inline Dims, dims(), hints', () => {
    const src = [
      'a, b = dims("a", "b")',
      'dynamic_shapes = ({0: a, 1: 2 * b}, {"a": (Dim("n", max=9),), "bc": [None, {0: Dim.STATIC}]})',
    ].join('\n');
    const r = parseSpecFromSource(src, args, inputs);
    expect(r.error).toBeUndefined();
    expect(r.spec!.inputs.x).toEqual([{ kind: 'dim', name: 'a' }, { kind: 'derived', root: 'b', coeff: 2, offset: 0 }]);
    expect(r.spec!.inputs["inputs['a']"]).toEqual([{ kind: 'dim', name: 'n' }]);
    expect(r.spec!.inputs["inputs['bc'][1]"]).toEqual([{ kind: 'static' }]);
    expect(r.spec!.dims).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'n', max: 9 }]);
  });

  it('reports what it cannot read, with the line', () => {
    const r = parseSpecFromSource('\n\ndynamic_shapes = {"x": {0: undefined_dim}}', args, inputs);
    expect(r).toEqual({ spec: null, line: 3, error: 'undefined_dim is not a Dim declared above dynamic_shapes' });
    expect(parseSpecFromSource('dynamic_shapes = {"y": None}', args, inputs).error).toContain("'y', which is not an argument");
  });
});

describe('py-expr', () => {
  it('parses calls, containers and arithmetic', () => {
    expect(parsePyExpr('torch.randn(2, 3, dtype=torch.float64)')).toMatchObject({ t: 'call', args: [{ value: 2 }, { value: 3 }], kwargs: [['dtype', { t: 'attr', attr: 'float64' }]] });
    expect(parsePyExpr('x, y')).toMatchObject({ t: 'tuple', items: [{ id: 'x' }, { id: 'y' }] });
    expect(parsePyExpr('(1,)')).toMatchObject({ t: 'tuple', items: [{ value: 1 }] });
    expect(parsePyExpr('2 * d + 1')).toMatchObject({ t: 'bin', op: '+', left: { t: 'bin', op: '*' } });
    expect(() => parsePyExpr('[x for x in y]')).toThrow();
  });

  it('finds multi-line top-level assignments', () => {
    const src = 'class M:\n    a = 1\nexample_args = (\n    torch.randn(2),  # x\n)\nN = 3\n';
    expect(topLevelAssignments(src).map((a) => [a.name, a.line, a.endLine])).toEqual([
      ['example_args', 3, 5],
      ['N', 6, 6],
    ]);
  });
});
