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

/** A duration: `0.42 ms`, `44.6 ms`, `1,234 ms`. */
/** ' on 2 threads' for a CPU run cut across threads; nothing for one thread or other runtimes. */
export function threadsText(threads: number | undefined): string {
  return threads && threads > 1 ? ` on ${threads} threads` : '';
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : Math.round(ms).toLocaleString();
}

export function tensorCell(t: TensorSummary): string {
  if (t.value !== undefined) return t.value;
  return `${t.dtype}[${t.shape.join(', ')}]  ${t.preview.map(fmt).join(', ')}${t.preview.length < t.shape.reduce((a, b) => a * b, 1) ? ', …' : ''}`;
}

/** Shape and dtype only (`int64[1, 16]`), or a non-tensor value's repr. */
export function shapeText(t: TensorSummary): string {
  return t.value ?? `${t.dtype}[${t.shape.join(', ')}]`;
}

function resultRows(label: string, rows: TensorSummary[]): ReactElement {
  return el(
    'table',
    { className: 'grid', style: { marginTop: 8 } },
    el('thead', null, el('tr', null, el('th', null, label), el('th', null, 'value'))),
    el(
      'tbody',
      null,
      rows.map((t) =>
        el(
          'tr',
          { key: t.path, 'data-testid': `run-${label}`, 'data-preview': t.preview.join(','), 'data-non-finite': t.nonFinite ?? 0 },
          el('td', { className: 'mono nowrap' }, t.path),
          el('td', { className: 'mono' }, tensorCell(t), t.nonFinite ? el('div', { className: 'fail' }, `${t.nonFinite.toLocaleString()} non-finite values (NaN/Inf)`) : null),
        ),
      ),
    ),
  );
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
  const weightBytes = p.program.weights.reduce((a, w) => a + w.bytes, 0);
  const examples = p.exampleInputs;
  const noExamples = `This archive has no usable example inputs: ${p.exampleInputsNote ?? 'none were saved with it'}.`;
  const nonFinite = run ? run.outputs.reduce((a, t) => a + (t.nonFinite ?? 0), 0) : 0;
  return el(
    'section',
    { className: 'program-info', 'data-testid': 'program-view', 'data-lazy': p.lazy },
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
        el('dd', null, `${calls} ops, ${p.program.graph.nodes.length} nodes (read in ${fmtMs(p.openMs)} ms)`),
        el('dt', null, 'Weights'),
        el(
          'dd',
          { 'data-testid': 'program-weights' },
          `${p.program.weights.length} tensors, ${weightBytes.toLocaleString()} bytes`,
          p.lazy ? el('div', { className: 'muted note' }, 'on disk: each weight is read when the program first uses it') : null,
        ),
        el('dt', null, 'Inputs'),
        el('dd', { className: 'mono' }, userInputs.map((i) => `${i.name}: ${i.type}`).join(', ') || '—'),
        el('dt', null, 'Example inputs'),
        el(
          'dd',
          { 'data-testid': 'example-inputs', 'data-count': examples?.length ?? 0 },
          examples
            ? examples.map((t) => el('div', { key: t.path, className: 'mono', 'data-testid': 'example-input', title: tensorCell(t) }, `${t.path}: ${shapeText(t)}`))
            : el('span', { className: 'muted note' }, p.exampleInputsNote ?? 'none'),
        ),
      ),
      el(
        'div',
        { className: 'row' },
        el(
          'button',
          { className: 'btn primary', 'data-testid': 'run-example', disabled: runState === 'running' || !examples, onClick: () => void runProgram('example'), title: examples ? 'Run the program on the CPU runtime with the inputs saved in the archive' : noExamples },
          runState === 'running' ? 'Running…' : 'Run with example inputs',
        ),
        el('button', { className: 'btn', 'data-testid': 'run-random', disabled: runState === 'running', onClick: () => void runProgram('random'), title: 'Sizes and values drawn within the range constraints (seed from the Compare tab)' }, 'Run with random inputs'),
      ),
      runError ? el('div', { className: 'banner err', 'data-testid': 'run-error' }, `${runError.name}: ${runError.message}`) : null,
      run
        ? el(
            'div',
            { 'data-testid': 'run-result', 'data-ms': run.ms, 'data-state': runState, 'data-finite': nonFinite === 0, 'data-outputs': run.outputs.length },
            el('p', null, `Ran on the ${run.runtime}${threadsText(run.threads)}${run.adapter ? ` (${run.adapter.label})` : ''} in ${fmtMs(run.ms)} ms.`, nonFinite ? el('span', { className: 'fail' }, ` ${nonFinite.toLocaleString()} non-finite output values.`) : null),
            resultRows('input', run.inputs),
            resultRows('output', run.outputs),
          )
        : null,
    ),
  );
}
