// The read-only view of an opened .pt2 archive (in the editor column): what the file
// is, its inputs, and a Run button against its example inputs (or random inputs
// within its range constraints).

import type { ReactElement } from 'react';
import type { TensorSummary } from '../../main/common/ipc-contract';
import { el } from './h';
import { useStore } from '../state/store';
import { closeProgram, runProgram } from '../state/actions';

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(3) : v.toFixed(4).replace(/\.?0+$/, '');
}

export function tensorCell(t: TensorSummary): string {
  if (t.value !== undefined) return t.value;
  return `${t.dtype}[${t.shape.join(', ')}]  ${t.preview.map(fmt).join(', ')}${t.preview.length < t.shape.reduce((a, b) => a * b, 1) ? ', …' : ''}`;
}

export function ProgramView(): ReactElement | null {
  const opened = useStore((s) => s.openedProgram);
  const runState = useStore((s) => s.runState);
  const run = useStore((s) => s.runResult);
  const runError = useStore((s) => s.runError);
  if (!opened) return null;
  const p = opened.program;
  const calls = p.program.graph.nodes.filter((n) => n.op === 'call_function').length;
  const userInputs = p.program.signature.inputs.filter((i) => i.kind === 'USER_INPUT');
  return el(
    'section',
    { className: 'program-info', 'data-testid': 'program-view' },
    el('div', { className: 'panel-header' }, el('span', { className: 'grow' }, 'Program (read-only)'), el('button', { className: 'btn small', 'data-testid': 'close-program', onClick: closeProgram }, 'Close')),
    el(
      'div',
      { className: 'scroll body' },
      el(
        'dl',
        null,
        el('dt', null, 'File'),
        el('dd', { 'data-testid': 'program-file' }, opened.path ?? opened.fileName),
        el('dt', null, 'Saved by'),
        el('dd', null, `torch ${p.torchVersion} (schema ${p.schemaVersion})`),
        el('dt', null, 'Graph'),
        el('dd', null, `${calls} ops, ${p.program.graph.nodes.length} nodes`),
        el('dt', null, 'Weights'),
        el('dd', null, `${p.program.weights.length} tensors, ${p.program.weights.reduce((a, w) => a + w.bytes, 0).toLocaleString()} bytes`),
        el('dt', null, 'Inputs'),
        el('dd', { className: 'mono' }, userInputs.map((i) => `${i.name}: ${i.type}`).join(', ') || '—'),
        el('dt', null, 'Example inputs'),
        el('dd', null, p.exampleInputs ? p.exampleInputs.map(tensorCell).join('; ') : 'not readable from this archive yet (pickled sample inputs)'),
      ),
      el(
        'div',
        { className: 'row' },
        el('button', { className: 'btn primary', 'data-testid': 'run-example', disabled: runState === 'running' || !p.exampleInputs, onClick: () => void runProgram('example'), title: p.exampleInputs ? '' : 'This archive has no readable example inputs' }, 'Run with example inputs'),
        el('button', { className: 'btn', 'data-testid': 'run-random', disabled: runState === 'running', onClick: () => void runProgram('random') }, 'Run with random inputs'),
      ),
      runError ? el('div', { className: 'banner err', 'data-testid': 'run-error' }, `${runError.name}: ${runError.message}`) : null,
      run
        ? el(
            'div',
            { 'data-testid': 'run-result', 'data-ms': run.ms },
            el('p', null, `Ran on ${run.backend.toUpperCase()} in ${fmt(run.ms)} ms.`),
            el(
              'table',
              { className: 'grid' },
              el('thead', null, el('tr', null, el('th', null, 'input'), el('th', null, 'value'))),
              el('tbody', null, run.inputs.map((t) => el('tr', { key: t.path }, el('td', { className: 'mono' }, t.path), el('td', { className: 'mono' }, tensorCell(t))))),
            ),
            el(
              'table',
              { className: 'grid', style: { marginTop: 8 } },
              el('thead', null, el('tr', null, el('th', null, 'output'), el('th', null, 'value'))),
              el('tbody', null, run.outputs.map((t) => el('tr', { key: t.path }, el('td', { className: 'mono' }, t.path), el('td', { className: 'mono' }, tensorCell(t))))),
            ),
          )
        : null,
    ),
  );
}
