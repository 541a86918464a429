// The toolbar: examples, open/recent/save, export options and the Export/Cancel button
// with its status pill (data-testid="export-status", data-state idle|running|done|error),
// and the theme switch.

import { useEffect, useRef, useState, type ReactElement } from 'react';
import { el, h } from './h';
import { useStore, shownProgram } from '../state/store';
import { openFile, setExportOption } from '../state/actions';
import { canRun, runCommand } from '../commands/registry';

function ExportStatus(): ReactElement {
  const state = useStore((s) => s.exportState);
  const progress = useStore((s) => s.exportProgress);
  const result = useStore((s) => s.exportResult);
  const error = useStore((s) => s.exportError);
  const note = useStore((s) => s.exportNote);
  let label = 'Not exported yet';
  if (state === 'running') label = progress?.label ?? 'Exporting…';
  else if (state === 'done' && result) label = `Exported in ${Math.round(result.timings.exportMs + (result.timings.decomposeMs ?? 0))} ms (${result.via === 'seed' ? 'TS twin' : 'Python'})`;
  else if (state === 'error' && error) label = `${error.name}`;
  else if (note) label = note;
  const frac = progress?.fraction;
  return el(
    'div',
    { className: 'status-pill', 'data-testid': 'export-status', 'data-state': state, title: state === 'error' && error ? error.message : label, role: 'status' },
    state === 'running'
      ? el('div', { className: `progress${frac === null || frac === undefined ? ' indeterminate' : ''}` }, el('div', { style: frac !== null && frac !== undefined ? { width: `${Math.round(frac * 100)}%` } : undefined }))
      : null,
    el('span', { className: 'label' }, label),
  );
}

function RecentMenu({ onClose }: { onClose: () => void }): ReactElement {
  const recent = useStore((s) => s.recent);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);
  return el(
    'div',
    { className: 'menu', ref, 'data-testid': 'recent-menu', style: { left: 280 } },
    recent.length === 0
      ? el('div', { className: 'empty' }, 'No recent files yet')
      : recent.map((f) =>
          el(
            'button',
            {
              key: f.id,
              'data-testid': 'recent-item',
              title: f.path ?? f.fileName,
              onClick: () => {
                onClose();
                runCommand('open-file', f.id);
              },
            },
            f.path ?? f.fileName,
          ),
        ),
  );
}

export function Toolbar(): ReactElement {
  const state = useStore((s) => s);
  const [recentOpen, setRecentOpen] = useState(false);
  const running = state.exportState === 'running';
  const program = shownProgram(state);
  const fileMode = state.openedProgram !== null;
  return el(
    'header',
    { className: 'toolbar' },
    el('div', { className: 'brand' }, 'PT2 ', el('span', null, 'Studio')),
    el('button', { className: 'btn', 'data-testid': 'examples-button', onClick: () => runCommand('open-examples'), title: 'Open an example in a new tab' }, 'Examples'),
    el(
      'label',
      { className: 'btn', title: 'Open a .pt2 archive (or drop one anywhere)' },
      'Open',
      el('input', {
        type: 'file',
        accept: '.pt2',
        className: 'visually-hidden',
        'data-testid': 'open-file',
        onChange: (e: { currentTarget: HTMLInputElement }) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) void openFile(f);
        },
      }),
    ),
    el('button', { className: 'btn icon', 'data-testid': 'recent-button', title: 'Recent files', onClick: () => setRecentOpen((v) => !v) }, 'Recent ▾'),
    recentOpen ? h(RecentMenu, { onClose: () => setRecentOpen(false) }) : null,
    el(
      'button',
      { className: 'btn', 'data-testid': 'save-button', disabled: !canRun('save-pt2', state), onClick: () => runCommand('save-pt2'), title: program ? `Save ${program.title} as a .pt2 archive` : 'Export first' },
      'Save .pt2',
    ),
    el('div', { className: 'sep' }),
    el(
      'label',
      { className: 'toggle', title: 'strict=True: capture with the strict (TorchDynamo-style) tracer' },
      el('input', { type: 'checkbox', 'data-testid': 'strict-toggle', checked: state.exportOptions.strict, disabled: fileMode, onChange: (e: { currentTarget: HTMLInputElement }) => setExportOption('strict', e.currentTarget.checked) }),
      'strict',
    ),
    el(
      'label',
      { className: 'toggle', title: 'Run run_decompositions() and show the core ATen program' },
      el('input', { type: 'checkbox', 'data-testid': 'decompose-toggle', checked: state.exportOptions.decompose, disabled: fileMode, onChange: (e: { currentTarget: HTMLInputElement }) => setExportOption('decompose', e.currentTarget.checked) }),
      'decompose',
    ),
    running
      ? el('button', { className: 'btn danger', 'data-testid': 'cancel-button', onClick: () => runCommand('cancel-export') }, 'Cancel')
      : el('button', { className: 'btn primary', 'data-testid': 'export-button', disabled: !canRun('export', state), onClick: () => runCommand('export'), title: 'Export (Ctrl+Enter)' }, '▶ Export'),
    h(ExportStatus),
    el('div', { className: 'spacer' }),
    el('button', { className: 'btn icon', 'data-testid': 'theme-toggle', onClick: () => runCommand('toggle-theme'), title: 'Toggle light/dark theme' }, state.theme === 'dark' ? '☀ Light' : '☾ Dark'),
  );
}
