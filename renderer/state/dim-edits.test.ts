import { describe, expect, it } from 'vitest';
import type { DynamicShapesSpec, InputInfo } from '../../main/common/ipc-contract';
import { applySuggestedFix, choiceLabel, freshDimName, renameDim, setChoice, updateDim } from './dim-edits';

const spec = (): DynamicShapesSpec => ({
  dims: [{ name: 'b' }, { name: 'n', min: 2 }],
  inputs: {
    x: [{ kind: 'dim', name: 'b' }, { kind: 'none' }],
    y: [{ kind: 'derived', root: 'b', coeff: 1, offset: 1 }, { kind: 'dim', name: 'n' }],
  },
});

describe('Dim panel edits', () => {
  it('declares a Dim on first use and drops unused ones', () => {
    let s = setChoice(spec(), 'x', 1, { kind: 'dim', name: 'd' });
    expect(s.dims.map((d) => d.name)).toEqual(['b', 'n', 'd']);
    s = setChoice(s, 'y', 1, { kind: 'auto' });
    expect(s.dims.map((d) => d.name)).toEqual(['b', 'd']);
  });

  it('renames and re-ranges a Dim everywhere', () => {
    const s = renameDim(updateDim(spec(), 'b', { max: 64 }), 'b', 'batch');
    expect(s.dims[0]).toEqual({ name: 'batch', max: 64 });
    expect(s.inputs.y![0]).toEqual({ kind: 'derived', root: 'batch', coeff: 1, offset: 1 });
  });

  it('applies the fixes torch suggests', () => {
    const staticFix = applySuggestedFix(spec(), 'b = 4');
    expect(staticFix.inputs.x![0]).toEqual({ kind: 'none' });
    expect(staticFix.inputs.y![0]).toEqual({ kind: 'none' });
    expect(staticFix.dims.map((d) => d.name)).toEqual(['n']);

    const range = applySuggestedFix(spec(), "n = Dim('n', min=6, max=100)");
    expect(range.dims.find((d) => d.name === 'n')).toEqual({ name: 'n', min: 6, max: 100 });

    const same = applySuggestedFix(spec(), 'n = b');
    expect(same.inputs.y![1]).toEqual({ kind: 'dim', name: 'b' });
    expect(same.dims.map((d) => d.name)).toEqual(['b']);

    const derived = applySuggestedFix(spec(), 'n = 2*b + 1');
    expect(derived.inputs.y![1]).toEqual({ kind: 'derived', root: 'b', coeff: 2, offset: 1 });

    expect(() => applySuggestedFix(spec(), 'n = foo(1)')).toThrow(/cannot apply/);
  });

  it('names new Dims after their input', () => {
    const input: InputInfo = { path: "inputs['bc'][0]", argName: 'inputs', keyword: false, steps: [], kind: 'tensor', shape: [3] };
    expect(freshDimName(spec(), input, 0)).toBe('inputs_bc_0_dim0');
    expect(choiceLabel({ kind: 'derived', root: 'b', coeff: 2, offset: -1 })).toBe('2·b − 1');
  });
});
