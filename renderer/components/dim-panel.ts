// The Dim panel: once the document's example inputs are known, one row per tensor
// dimension — static, a named Dim(min, max) (the same name on two inputs means "the
// same size"), a derived dim (k·dim + c), or Dim.AUTO / DYNAMIC / STATIC. Every change
// rewrites the marked dynamic_shapes block in the code, and hand edits of that block
// show up here.

import type { ReactElement } from 'react';
import type { DimChoice, DynamicShapesSpec, InputInfo } from '../../main/common/ipc-contract';
import { usedDimNames } from '../../main/common/dynamic-shapes-code';
import { el, h } from './h';
import { useStore } from '../state/store';
import { editSpec } from '../state/actions';
import { IDENTIFIER, choiceLabel, freshDimName, renameDim, setChoice, updateDim } from '../state/dim-edits';
import { emptySpec } from '../../main/common/dynamic-shapes-code';

type Kind = DimChoice['kind'];
const KINDS: Array<[Kind, string]> = [
  ['none', 'static'],
  ['dim', 'Dim (named)'],
  ['derived', 'derived (k·dim + c)'],
  ['auto', 'Dim.AUTO'],
  ['dynamic', 'Dim.DYNAMIC'],
  ['static', 'Dim.STATIC'],
];

function usesOf(spec: DynamicShapesSpec, name: string): string[] {
  const out: string[] = [];
  for (const [path, cs] of Object.entries(spec.inputs))
    cs.forEach((c, i) => {
      if ((c.kind === 'dim' && c.name === name) || (c.kind === 'derived' && c.root === name)) out.push(`${path}[${i}]${c.kind === 'derived' ? ` = ${choiceLabel(c)}` : ''}`);
    });
  return out;
}

function numberOrUndefined(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

function DimDecls({ spec }: { spec: DynamicShapesSpec }): ReactElement | null {
  if (spec.dims.length === 0) return null;
  return el(
    'div',
    { className: 'dim-decls', 'data-testid': 'dim-decls' },
    spec.dims.map((d) =>
      el(
        'div',
        { className: 'dim-decl', key: d.name, 'data-testid': 'dim-decl', 'data-dim-name': d.name },
        el('input', {
          className: 'name mono',
          defaultValue: d.name,
          key: `name-${d.name}`,
          'aria-label': `Name of Dim ${d.name}`,
          style: { width: 96 },
          onBlur: (e: { currentTarget: HTMLInputElement }) => {
            const v = e.currentTarget.value.trim();
            if (v === d.name) return;
            if (!IDENTIFIER.test(v) || spec.dims.some((x) => x.name === v)) {
              e.currentTarget.value = d.name;
              return;
            }
            editSpec((s) => renameDim(s, d.name, v));
          },
        }),
        el('span', null, 'min'),
        el('input', {
          type: 'number',
          'data-testid': 'dim-min',
          defaultValue: d.min ?? '',
          key: `min-${d.name}-${d.min ?? ''}`,
          placeholder: '0',
          onBlur: (e: { currentTarget: HTMLInputElement }) => editSpec((s) => updateDim(s, d.name, { min: numberOrUndefined(e.currentTarget.value) })),
          onKeyDown: (e: { key: string; currentTarget: HTMLInputElement }) => e.key === 'Enter' && e.currentTarget.blur(),
        }),
        el('span', null, 'max'),
        el('input', {
          type: 'number',
          'data-testid': 'dim-max',
          defaultValue: d.max ?? '',
          key: `max-${d.name}-${d.max ?? ''}`,
          placeholder: '∞',
          onBlur: (e: { currentTarget: HTMLInputElement }) => editSpec((s) => updateDim(s, d.name, { max: numberOrUndefined(e.currentTarget.value) })),
          onKeyDown: (e: { key: string; currentTarget: HTMLInputElement }) => e.key === 'Enter' && e.currentTarget.blur(),
        }),
        el('span', { className: 'uses', title: usesOf(spec, d.name).join(', ') }, usesOf(spec, d.name).join(', ')),
      ),
    ),
  );
}

function DimRow({ spec, input, dim }: { spec: DynamicShapesSpec; input: InputInfo; dim: number }): ReactElement {
  const choice = spec.inputs[input.path]?.[dim] ?? { kind: 'none' };
  const names = usedDimNames(spec);
  const set = (c: DimChoice) => editSpec((s) => setChoice(s, input.path, dim, c));
  const onKind = (kind: Kind) => {
    if (kind === 'dim') set({ kind: 'dim', name: freshDimName(spec, input, dim) });
    else if (kind === 'derived') set({ kind: 'derived', root: names[0] ?? freshDimName(spec, input, dim), coeff: 1, offset: 1 });
    else set({ kind } as DimChoice);
  };
  const sameAs = (name: string): string => {
    const u = usesOf(spec, name).filter((x) => !x.startsWith(`${input.path}[${dim}]`));
    return u.length ? ` (= ${u[0]!.split(' ')[0]})` : '';
  };
  const controls: ReactElement[] = [
    el(
      'select',
      { key: 'kind', 'data-testid': 'dim-kind', value: choice.kind, 'aria-label': `${input.path} dimension ${dim}`, onChange: (e: { currentTarget: HTMLSelectElement }) => onKind(e.currentTarget.value as Kind) },
      KINDS.map(([k, label]) => el('option', { key: k, value: k }, label)),
    ),
  ];
  if (choice.kind === 'dim') {
    const options = [...new Set([choice.name, ...names])];
    controls.push(
      el(
        'select',
        {
          key: 'name',
          'data-testid': 'dim-name',
          value: choice.name,
          onChange: (e: { currentTarget: HTMLSelectElement }) => {
            const v = e.currentTarget.value;
            set({ kind: 'dim', name: v === '__new__' ? freshDimName(spec, input, dim) : v });
          },
        },
        options.map((n) => el('option', { key: n, value: n }, `${n}${n === choice.name ? '' : sameAs(n)}`)),
        el('option', { value: '__new__' }, 'new Dim…'),
      ),
    );
  }
  if (choice.kind === 'derived') {
    const roots = [...new Set([choice.root, ...names])];
    controls.push(
      el('input', { key: 'coeff', type: 'number', 'data-testid': 'dim-coeff', title: 'k', value: choice.coeff, min: 1, onChange: (e: { currentTarget: HTMLInputElement }) => set({ ...choice, coeff: Math.max(1, numberOrUndefined(e.currentTarget.value) ?? 1) }) }),
      el('span', { key: 'x' }, '×'),
      el(
        'select',
        { key: 'root', 'data-testid': 'dim-root', value: choice.root, onChange: (e: { currentTarget: HTMLSelectElement }) => set({ ...choice, root: e.currentTarget.value }) },
        roots.map((n) => el('option', { key: n, value: n }, n)),
      ),
      el('span', { key: 'plus' }, '+'),
      el('input', { key: 'offset', type: 'number', 'data-testid': 'dim-offset', title: 'c', value: choice.offset, onChange: (e: { currentTarget: HTMLInputElement }) => set({ ...choice, offset: numberOrUndefined(e.currentTarget.value) ?? 0 }) }),
    );
  }
  return el(
    'div',
    { className: 'dim-row', 'data-testid': 'dim-row', 'data-input': input.path, 'data-dim': dim, 'data-kind': choice.kind },
    el('span', { className: 'idx' }, `dim ${dim}`),
    el('span', { className: 'size', title: 'example size' }, String(input.shape?.[dim] ?? '?')),
    el('div', { className: 'dim-controls' }, ...controls),
  );
}

export function DimPanel(): ReactElement {
  const analysis = useStore((s) => s.analysis);
  const spec = useStore((s) => s.spec);
  const specError = useStore((s) => s.specError);
  const result = analysis.result;
  const inputs = result?.inputs ?? [];
  const tensors = inputs.filter((i) => i.kind === 'tensor');
  const values = inputs.filter((i) => i.kind === 'value');
  let note = '';
  if (analysis.status === 'pending' && !result) note = 'reading example inputs…';
  else if (result) note = `${tensors.length} tensor input${tensors.length === 1 ? '' : 's'} · written to dynamic_shapes in the code`;
  return el(
    'section',
    { className: 'dim-panel', 'data-testid': 'dim-editor', 'data-state': analysis.status, 'aria-label': 'Dynamic shapes' },
    el('div', { className: 'panel-header' }, el('span', null, 'Dynamic shapes'), el('span', { className: 'grow note' }, note)),
    el(
      'div',
      { className: 'scroll dim-body' },
      analysis.status === 'error' && analysis.error
        ? el('p', { className: 'msg err', 'data-testid': 'dim-error' }, analysis.error.message, analysis.error.location ? ` (line ${analysis.error.location.line})` : '')
        : null,
      specError
        ? el(
            'div',
            { className: 'banner err', 'data-testid': 'dim-spec-error' },
            `The code's dynamic_shapes cannot be shown here: ${specError}. `,
            el('button', { className: 'btn small', onClick: () => editSpec(() => emptySpec(inputs)) }, 'Reset to static'),
          )
        : null,
      spec && !specError ? h(DimDecls, { spec }) : null,
      spec && !specError
        ? tensors.map((inp) =>
            el(
              'div',
              { className: 'dim-input', key: inp.path, 'data-testid': 'dim-input', 'data-input': inp.path },
              el('div', { className: 'title' }, el('b', null, inp.path), el('span', { className: 'kind' }, inp.dtype ?? ''), el('span', { className: 'mono' }, `[${(inp.shape ?? []).join(', ')}]`)),
              (inp.shape ?? []).map((_, i) => h(DimRow, { key: i, spec, input: inp, dim: i })),
              (inp.shape ?? []).length === 0 ? el('div', { className: 'msg' }, 'a 0-d tensor: nothing to make dynamic') : null,
            ),
          )
        : null,
      values.length ? el('p', { className: 'msg' }, `Non-tensor inputs are specialized to their example values: ${values.map((v) => `${v.path} = ${v.value}`).join(', ')}.`) : null,
      result && tensors.length === 0 && !specError ? el('p', { className: 'msg' }, 'This program has no tensor inputs.') : null,
    ),
  );
}
