// The dock under the graph: Problems (export errors with their line and one-click
// suggested fixes, file errors, "not available yet" notices) and Compare (eager vs
// exported on example or random inputs, side by side, with differences and timings).

import type { ReactElement } from 'react';
import type { IpcError, WebGpuAvailability } from '../../main/common/ipc-contract';
import { el, h } from './h';
import { useStore, type CompareBackend, type DockTab } from '../state/store';
import { useShownProgram } from '../state/hooks';
import { applyFixes, dismissFileError, selectNode, setCompareOption } from '../state/actions';
import { canRun, runCommand } from '../commands/registry';
import { fmt, fmtMs, tensorCell, threadsText } from './program-view';

function shortMessage(message: string): string {
  return message.replace(/\n\nThe error above occurred when calling torch\.export\.export[\s\S]*$/, '').trim();
}

function Problem({ error, title, onDismiss }: { error: IpcError; title: string; onDismiss?: () => void }): ReactElement {
  const pending = error.name === 'NotAvailableError';
  const loc = error.location;
  const fixes = error.violations?.map((v) => v.suggestedFix) ?? [];
  return el(
    'div',
    { className: `problem${pending ? ' pending' : ''}`, 'data-testid': 'problem', 'data-error-name': error.name, 'data-python-type': error.pythonType ?? '', 'data-pending': error.pending ?? '' },
    el(
      'div',
      { className: 'head' },
      el('span', { className: 'name' }, pending ? 'Not available yet' : error.name),
      el('span', { className: 'where' }, title),
      error.pythonType ? el('span', { className: 'where mono' }, error.pythonType) : null,
      loc
        ? el(
            'span',
            { className: 'where' },
            el('button', { 'data-testid': 'problem-line', onClick: () => selectNode(null, loc.line) }, `line ${loc.line}`),
            loc.code ? el('code', { style: { marginLeft: 6 } }, loc.code) : null,
          )
        : null,
      onDismiss ? el('button', { className: 'btn small', onClick: onDismiss }, 'Dismiss') : null,
    ),
    fixes.length
      ? el(
          'div',
          { className: 'fixes', 'data-testid': 'suggested-fixes' },
          el('b', null, 'Suggested fixes'),
          ...fixes.map((f) =>
            el('div', { className: 'fix', key: f }, el('code', null, f), el('button', { className: 'btn small primary', 'data-testid': 'apply-fix', 'data-fix': f, onClick: () => void applyFixes([f]) }, 'Apply & export')),
          ),
          fixes.length > 1 ? el('div', null, el('button', { className: 'btn small', 'data-testid': 'apply-all-fixes', onClick: () => void applyFixes(fixes) }, 'Apply all & export')) : null,
        )
      : null,
    el('pre', { 'data-testid': 'problem-message' }, shortMessage(error.message)),
    error.pythonType && error.stack
      ? el('details', { className: 'traceback' }, el('summary', null, 'Python traceback'), el('pre', { 'data-testid': 'problem-traceback' }, error.stack))
      : null,
  );
}

function Problems(): ReactElement {
  const exportError = useStore((s) => (s.exportError && s.exportError.docId === s.activeDocId && !s.openedProgram ? s.exportError : null));
  const fileError = useStore((s) => s.fileError);
  const compareError = useStore((s) => s.compareError);
  const runError = useStore((s) => s.runError);
  const any = exportError || fileError || compareError || runError;
  return el(
    'div',
    { className: 'dock-body', 'data-testid': 'error-panel', 'data-state': any ? 'error' : 'clear' },
    !any ? el('div', { className: 'empty' }, 'No problems.') : null,
    exportError ? h(Problem, { error: exportError, title: 'export' }) : null,
    fileError ? h(Problem, { error: fileError, title: 'file', onDismiss: dismissFileError }) : null,
    compareError ? h(Problem, { error: compareError, title: 'compare' }) : null,
    runError ? h(Problem, { error: runError, title: 'run' }) : null,
  );
}

/** How a WebGPU backend option reads: on a GPU, on a software adapter (never called a GPU), or unavailable. */
function webGpuKind(a: WebGpuAvailability | null | undefined): string {
  if (!a) return '(checking…)';
  if (!a.available) return '(unavailable)';
  return a.adapter?.software ? '(software adapter)' : '(GPU)';
}

function Compare(): ReactElement {
  const state = useStore((s) => s);
  const prog = useShownProgram();
  const o = state.compareOptions;
  const r = state.compareResult && prog && state.compareResult.sessionId === prog.sessionId ? state.compareResult : null;
  const webgpu = state.hello?.capabilities.webgpu;
  const windowGpu = state.windowWebGpu;
  const num = (v: string, fallback: number) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : fallback);
  return el(
    'div',
    { className: 'dock-body', 'data-testid': 'compare-panel' },
    el(
      'div',
      { className: 'compare-controls' },
      el(
        'label',
        null,
        'inputs',
        el(
          'select',
          { 'data-testid': 'compare-inputs', value: o.inputs, onChange: (e: { currentTarget: HTMLSelectElement }) => setCompareOption('inputs', e.currentTarget.value as 'example' | 'random') },
          el('option', { value: 'example' }, 'example inputs'),
          el('option', { value: 'random' }, 'random (within range constraints)'),
        ),
      ),
      el('label', null, 'seed', el('input', { type: 'number', 'data-testid': 'compare-seed', value: o.seed, onChange: (e: { currentTarget: HTMLInputElement }) => setCompareOption('seed', num(e.currentTarget.value, 1)) })),
      el('label', null, 'atol', el('input', { type: 'number', step: 'any', 'data-testid': 'compare-atol', value: o.atol, onChange: (e: { currentTarget: HTMLInputElement }) => setCompareOption('atol', num(e.currentTarget.value, 1e-5)) })),
      el('label', null, 'rtol', el('input', { type: 'number', step: 'any', 'data-testid': 'compare-rtol', value: o.rtol, onChange: (e: { currentTarget: HTMLInputElement }) => setCompareOption('rtol', num(e.currentTarget.value, 1e-5)) })),
      el(
        'label',
        { title: [webgpu && !webgpu.available ? `host: ${webgpu.reason}` : '', windowGpu && !windowGpu.available ? `this window: ${windowGpu.reason}` : ''].filter(Boolean).join('\n') },
        'backend',
        el(
          'select',
          { 'data-testid': 'compare-backend', value: o.backend, onChange: (e: { currentTarget: HTMLSelectElement }) => setCompareOption('backend', e.currentTarget.value as CompareBackend) },
          el('option', { value: 'cpu' }, 'CPU'),
          el('option', { value: 'webgpu', disabled: !webgpu?.available }, `WebGPU, host ${webGpuKind(webgpu)}`),
          el('option', { value: 'webgpu-window', disabled: !windowGpu?.available }, `WebGPU, this window ${webGpuKind(windowGpu)}`),
        ),
      ),
      webgpu
        ? el(
            'span',
            { className: 'mono', style: { color: 'var(--muted)' }, 'data-testid': 'compare-webgpu-note', 'data-available': webgpu.available, 'data-software': webgpu.adapter?.software ?? false },
            webgpu.available ? `host (Dawn) WebGPU adapter: ${webgpu.adapter?.label ?? 'unknown'}` : `host (Dawn) WebGPU unavailable: ${webgpu.reason ?? 'no adapter'}`,
          )
        : null,
      windowGpu
        ? el(
            'span',
            { className: 'mono', style: { color: 'var(--muted)' }, 'data-testid': 'compare-window-webgpu-note', 'data-available': windowGpu.available, 'data-software': windowGpu.adapter?.software ?? false, title: windowGpu.reason },
            windowGpu.available ? `this window's WebGPU adapter: ${windowGpu.adapter?.label ?? 'unknown adapter'}` : "this window's WebGPU: none (hover for why)",
          )
        : null,
      el(
        'button',
        { className: 'btn primary small', 'data-testid': 'compare-button', disabled: !canRun('compare', state), onClick: () => runCommand('compare'), title: prog?.kind === 'file' ? 'A loaded archive has no eager model: use Run in the program view' : 'Ctrl+Shift+Enter' },
        state.compareState === 'running' ? 'Comparing…' : 'Compare',
      ),
    ),
    !prog ? el('div', { className: 'empty' }, 'Export a program, then compare the eager model with the exported program on the same inputs.') : null,
    prog?.kind === 'file'
      ? el(
          'div',
          { className: 'empty', 'data-testid': 'compare-unavailable' },
          'A loaded archive has no eager model to compare with: run it in the program view (on the CPU runtime), on the inputs saved in the archive or on random ones.',
        )
      : null,
    r
      ? el(
          'div',
          { 'data-testid': 'compare-result', 'data-max-abs-diff': r.maxAbsDiff, 'data-max-rel-diff': r.maxRelDiff, 'data-pass': r.pass, 'data-state': state.compareState },
          el(
            'div',
            { className: 'compare-summary' },
            el('span', { className: `verdict ${r.pass ? 'pass' : 'fail'}` }, r.pass ? '✔ PASS' : '✘ FAIL'),
            el('span', null, `max |Δ| ${fmt(r.maxAbsDiff)}`),
            el('span', null, `max rel ${fmt(r.maxRelDiff)}`),
            el('span', null, `atol ${o.atol} · rtol ${o.rtol}`),
            el(
              'span',
              { 'data-testid': 'compare-timings', 'data-load-ms': r.timings.loadMs ?? '' },
              `eager ${fmtMs(r.timings.eagerMs)} ms · exported ${fmtMs(r.timings.exportedMs)} ms${r.timings.loadMs ? ` (+ ${fmtMs(r.timings.loadMs)} ms loading it in this window)` : ''}`,
            ),
          ),
          el(
            'div',
            { style: { color: 'var(--muted)', marginBottom: 6 }, 'data-testid': 'compare-runtime', 'data-runtime': r.runtime, 'data-threads': r.threads ?? '', 'data-backend': r.backend, 'data-webgpu-in': r.webgpuIn ?? '', 'data-software': r.adapter?.software ?? '' },
            `eager: ${r.eagerRuntime} · exported: ${r.runtime}${threadsText(r.threads)}${r.webgpuIn === 'window' ? " in this window (Chromium's WebGPU)" : r.webgpuIn === 'host' ? ' in the host (Dawn)' : ''}${r.adapter ? ` on ${r.adapter.label}` : ''}`,
          ),
          el('div', { style: { color: 'var(--muted)', marginBottom: 6 }, className: 'mono' }, `inputs: ${r.inputs.map((i) => `${i.path} ${i.value ?? `${i.dtype}[${i.shape.join(', ')}]`}`).join(', ')}`),
          el(
            'table',
            { className: 'grid' },
            el('thead', null, el('tr', null, el('th', null, 'output'), el('th', null, 'eager'), el('th', null, 'exported'), el('th', null, 'max |Δ|'), el('th', null, 'max rel'), el('th', null, ''))),
            el(
              'tbody',
              null,
              r.outputs.map((out) =>
                el(
                  'tr',
                  { key: out.path, 'data-testid': 'compare-row' },
                  el('td', { className: 'mono' }, out.path),
                  el('td', { className: 'mono' }, tensorCell(out.eager)),
                  el('td', { className: 'mono' }, tensorCell(out.exported)),
                  el('td', { className: 'mono' }, fmt(out.maxAbsDiff)),
                  el('td', { className: 'mono' }, fmt(out.maxRelDiff)),
                  el('td', { className: out.pass ? 'pass' : 'fail' }, out.pass ? 'pass' : 'fail'),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

const TABS: Array<[DockTab, string]> = [
  ['problems', 'Problems'],
  ['compare', 'Compare'],
];

export function Dock(): ReactElement {
  const tab = useStore((s) => s.dockTab);
  const problemCount = useStore((s) => [s.exportError && s.exportError.docId === s.activeDocId && !s.openedProgram, s.fileError, s.compareError, s.runError].filter(Boolean).length);
  return el(
    'section',
    { className: 'dock', 'aria-label': 'Problems and compare' },
    el(
      'div',
      { className: 'tabs', role: 'tablist' },
      TABS.map(([id, label]) =>
        el(
          'button',
          { key: id, className: 'tab', role: 'tab', 'aria-selected': tab === id, 'data-testid': `dock-tab-${id}`, onClick: () => useStore.setState({ dockTab: id }) },
          label,
          id === 'problems' && problemCount ? el('span', { className: 'count err' }, String(problemCount)) : null,
        ),
      ),
    ),
    tab === 'problems' ? h(Problems) : h(Compare),
  );
}
