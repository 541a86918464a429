// The studio's shell: toolbar, the three columns (code | graph + dock | details), the
// status bar, dialogs, drag-and-drop of .pt2 files anywhere on the window, and the
// global shortcuts and menu commands routed through the command registry.

import { useEffect, type ReactElement } from 'react';
import { el, h } from './h';
import { useStore } from '../state/store';
import { useShownProgram } from '../state/hooks';
import { openFile } from '../state/actions';
import { commandForKey, runCommand } from '../commands/registry';
import { api } from '../ipc/api';
import { Toolbar } from './toolbar';
import { EditorColumn } from './editor-column';
import { SidePanel } from './side-panel';
import { Dock } from './dock';
import { Dialogs } from './dialogs';
import { GraphPanel } from '../graph/graph-view';

function StatusBar(): ReactElement {
  const hello = useStore((s) => s.hello);
  const prog = useShownProgram();
  const fileNote = useStore((s) => s.fileNote);
  const fileState = useStore((s) => s.fileState);
  const caps = hello?.capabilities;
  const windowGpu = useStore((s) => s.windowWebGpu);
  const cap = (name: string, a: { available: boolean; reason?: string } | undefined) =>
    el('span', { className: a?.available ? 'cap-ok' : 'cap-no', title: a?.reason ?? `${name} available`, 'data-testid': `cap-${name.toLowerCase()}`, 'data-available': a?.available ?? false }, `${a?.available ? '●' : '○'} ${name}`);
  const calls = prog ? prog.payload.graph.nodes.filter((n) => n.op === 'call_function').length : 0;
  return el(
    'footer',
    { className: 'statusbar' },
    el('span', { 'data-testid': 'host-kind' }, hello?.host ?? 'connecting…'),
    caps ? cap('Python', caps.python) : null,
    caps ? cap('Serializer', caps.serializer) : null,
    caps ? cap('WebGPU', caps.webgpu) : null,
    windowGpu
      ? el(
          'span',
          { className: windowGpu.available ? 'cap-ok' : 'cap-no', title: windowGpu.available ? `This window's WebGPU: ${windowGpu.adapter?.label ?? 'unknown adapter'}` : windowGpu.reason, 'data-testid': 'cap-window-webgpu', 'data-available': windowGpu.available },
          `${windowGpu.available ? '●' : '○'} WebGPU here`,
        )
      : null,
    prog ? el('span', null, `${prog.title}: ${calls} ops`) : null,
    fileState === 'busy' ? el('span', null, 'Working on a file…') : fileNote ? el('span', { 'data-testid': 'file-note' }, fileNote) : null,
  );
}

function useGlobalShortcutsAndDrops(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const name = commandForKey(e);
      if (!name) return;
      // Inside Monaco the editor's own keybindings run the same commands.
      if ((e.target as Element | null)?.closest?.('.monaco-editor') && name !== 'escape') return;
      e.preventDefault();
      runCommand(name);
    };
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      useStore.setState({ dragging: true });
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) useStore.setState({ dragging: false });
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      useStore.setState({ dragging: false });
      const f = e.dataTransfer?.files?.[0];
      if (f) void openFile(f);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    const offMenu = api.onMenu((m) => runCommand(m.command, m.arg));
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
      offMenu();
    };
  }, []);
}

export function App(): ReactElement {
  const dragging = useStore((s) => s.dragging);
  useGlobalShortcutsAndDrops();
  return el(
    'div',
    { className: 'studio' },
    h(Toolbar),
    el(
      'main',
      { className: 'workspace' },
      h(EditorColumn),
      el('section', { className: 'column', 'aria-label': 'Graph and results' }, h(GraphPanel), h(Dock)),
      h(SidePanel),
    ),
    h(StatusBar),
    h(Dialogs),
    dragging ? el('div', { className: 'drop-overlay', 'data-testid': 'drop-overlay' }, 'Drop a .pt2 file to open it (read-only)') : null,
  );
}
