// The right column, beside the graph: the range constraints, then tabs for the graph
// signature (what each placeholder and output is), the printed program (print(ep))
// and the weights (parameters, buffers, constants).

import type { ReactElement } from 'react';
import { el } from './h';
import { useStore, type SideTab } from '../state/store';
import { useShownProgram } from '../state/hooks';
import { setSideTab } from '../state/actions';
import { fmt } from './program-view';

const TABS: Array<[SideTab, string]> = [
  ['signature', 'Signature'],
  ['program', 'Program'],
  ['weights', 'Weights'],
];

function kindLabel(kind: string): string {
  return kind.replace(/_/g, ' ').toLowerCase();
}

export function SidePanel(): ReactElement {
  const prog = useShownProgram();
  const tab = useStore((s) => (s.sideTab === 'constraints' ? 'signature' : s.sideTab));
  const p = prog?.payload;
  const empty = (what: string) => el('div', { className: 'empty' }, `Export a program (or open a .pt2) to see its ${what}.`);
  return el(
    'aside',
    { className: 'column', 'aria-label': 'Program details' },
    el(
      'section',
      { className: 'side-ranges', 'data-testid': 'range-constraints', 'data-count': p?.rangeConstraints.length ?? 0 },
      el('div', { className: 'panel-header' }, el('span', { className: 'grow' }, 'Range constraints'), p ? el('span', { className: 'note' }, String(p.rangeConstraints.length)) : null),
      el(
        'div',
        { className: 'scroll' },
        !p
          ? empty('range constraints')
          : p.rangeConstraints.length === 0
            ? el('div', { className: 'empty' }, 'None: every input size is static.')
            : el(
                'table',
                { className: 'grid' },
                el('thead', null, el('tr', null, el('th', null, 'symbol'), el('th', null, 'range'), el('th', null, 'sizes'))),
                el(
                  'tbody',
                  null,
                  p.rangeConstraints.map((rc) =>
                    el(
                      'tr',
                      { key: rc.symbol, 'data-testid': 'range-row', 'data-symbol': rc.symbol },
                      el('td', { className: 'mono' }, rc.symbol),
                      el('td', { className: 'mono nowrap' }, rc.text),
                      el('td', { className: 'mono wrap-words' }, rc.sources.join(', ')),
                    ),
                  ),
                ),
              ),
      ),
    ),
    el(
      'section',
      { className: 'side-tabs' },
      el(
        'div',
        { className: 'tabs', role: 'tablist' },
        TABS.map(([id, label]) => el('button', { key: id, className: 'tab', role: 'tab', 'aria-selected': tab === id, 'data-testid': `tab-${id}`, onClick: () => setSideTab(id) }, label)),
      ),
      el(
        'div',
        { className: 'side-body', hidden: tab !== 'signature', 'data-testid': 'signature-panel', 'data-inputs': p?.signature.inputs.length ?? 0, 'data-outputs': p?.signature.outputs.length ?? 0 },
        !p
          ? empty('graph signature')
          : el(
              'table',
              { className: 'grid' },
              el('thead', null, el('tr', null, el('th', null, 'placeholder / target'), el('th', null, 'kind / type'))),
              el(
                'tbody',
                null,
                p.signature.inputs.map((s) =>
                  el(
                    'tr',
                    { key: `i-${s.name}`, 'data-testid': 'signature-input' },
                    el('td', { className: 'mono' }, s.name, s.target ? el('div', { className: 'muted' }, s.target, s.persistent === false ? ' (non-persistent)' : '') : null),
                    el('td', null, el('span', { className: 'kind' }, kindLabel(s.kind)), el('div', { className: 'mono' }, s.type)),
                  ),
                ),
                el('tr', { key: 'sep' }, el('th', { colSpan: 2 }, 'outputs')),
                p.signature.outputs.map((s, i) =>
                  el(
                    'tr',
                    { key: `o-${i}`, 'data-testid': 'signature-output' },
                    el('td', { className: 'mono' }, s.name, s.target ? el('div', { className: 'muted' }, s.target) : null),
                    el('td', null, el('span', { className: 'kind' }, kindLabel(s.kind)), el('div', { className: 'mono' }, s.type)),
                  ),
                ),
              ),
            ),
      ),
      el('div', { className: 'side-body', hidden: tab !== 'program', 'data-testid': 'printed-program' }, prog ? el('pre', { className: 'printed' }, prog.printed) : empty('printed program')),
      el(
        'div',
        { className: 'side-body', hidden: tab !== 'weights', 'data-testid': 'weights-table', 'data-count': p?.weights.length ?? 0 },
        !p
          ? empty('weights')
          : p.weights.length === 0
            ? el('div', { className: 'empty' }, 'This program has no parameters, buffers or constants.')
            : el(
                'table',
                { className: 'grid' },
                el('thead', null, el('tr', null, el('th', null, 'name'), el('th', null, 'shape'), el('th', null, 'stats'))),
                el(
                  'tbody',
                  null,
                  p.weights.slice(0, 2000).map((w) =>
                    el(
                      'tr',
                      { key: w.name },
                      el('td', { className: 'mono' }, w.name, el('div', null, el('span', { className: 'kind' }, w.kind))),
                      el('td', { className: 'mono wrap-words', title: w.dtype }, `${shortDtype(w.dtype)}[${w.shape.join(', ')}]`, el('div', { className: 'muted' }, `${w.bytes.toLocaleString()} B`)),
                      el('td', { className: 'mono wrap-words', style: { whiteSpace: 'pre-line' } }, w.stats ? `min ${fmt(w.stats.min)}\nmax ${fmt(w.stats.max)}\nmean ${fmt(w.stats.mean)}` : w.onDisk ? el('span', { className: 'muted nowrap', title: 'The archive was opened lazily: this weight is read from the file when the program first uses it.' }, 'on disk') : '—'),
                    ),
                  ),
                ),
              ),
      ),
    ),
  );
}

const SHORT_DTYPES: Record<string, string> = { float32: 'f32', float16: 'f16', bfloat16: 'bf16', float64: 'f64', int64: 'i64', int32: 'i32', int16: 'i16', int8: 'i8', uint8: 'u8', bool: 'b8' };

/** `float32` → `f32`, as the graph and signature write tensor types. */
function shortDtype(dtype: string): string {
  return SHORT_DTYPES[dtype] ?? dtype;
}
