// User commands as registered objects: the toolbar, keyboard shortcuts and the
// Electron menu (app:menu events) all run commands from this one registry, so a
// command's predicate (can it run now?) and its effect are defined once.

import type { MenuCommand } from '../../main/common/ipc-contract';
import { useStore, shownProgram, activeDoc, type StudioState } from '../state/store';
import * as A from '../state/actions';

export type CommandName = MenuCommand | 'cancel-export' | 'focus-search' | 'open-examples' | 'escape';

export interface Command {
  name: CommandName;
  label: string;
  /** Keyboard shortcut test (the editor forwards its own keybindings to the same commands). */
  keyTest?: (e: KeyboardEvent) => boolean;
  /** Whether the command can run in this state (buttons disable themselves from it). */
  predicate?: (s: StudioState) => boolean;
  perform: (s: StudioState, arg?: string) => void | Promise<void>;
}

const mod = (e: KeyboardEvent): boolean => e.ctrlKey || e.metaKey;

export const COMMANDS: Record<CommandName, Command> = {
  export: {
    name: 'export',
    label: 'Export',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key === 'Enter',
    predicate: (s) => activeDoc(s) !== undefined && s.exportState !== 'running' && !s.openedProgram,
    perform: () => A.exportActive(),
  },
  'cancel-export': {
    name: 'cancel-export',
    label: 'Cancel export',
    predicate: (s) => s.exportState === 'running',
    perform: () => A.cancelExport(),
  },
  compare: {
    name: 'compare',
    label: 'Compare eager vs exported',
    keyTest: (e) => mod(e) && e.shiftKey && e.key === 'Enter',
    predicate: (s) => shownProgram(s)?.kind === 'export' && s.compareState !== 'running',
    perform: () => A.compare(),
  },
  'new-document': {
    name: 'new-document',
    label: 'New from example…',
    perform: () => A.openExamples(),
  },
  'open-examples': {
    name: 'open-examples',
    label: 'Examples',
    perform: () => A.openExamples(),
  },
  'open-file': {
    name: 'open-file',
    label: 'Open…',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'o',
    perform: (_s, arg) => {
      if (arg) return A.openViaHost(arg);
      if (useStore.getState().hello?.host === 'electron') return A.openViaHost();
      document.querySelector<HTMLInputElement>('[data-testid="open-file"]')?.click();
    },
  },
  'save-pt2': {
    name: 'save-pt2',
    label: 'Save .pt2',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 's',
    predicate: (s) => shownProgram(s) !== null && s.fileState !== 'busy',
    perform: () => A.savePt2(),
  },
  'toggle-theme': {
    name: 'toggle-theme',
    label: 'Toggle light/dark theme',
    perform: () => A.toggleTheme(),
  },
  'close-program': {
    name: 'close-program',
    label: 'Close program view',
    predicate: (s) => s.openedProgram !== null,
    perform: () => A.closeProgram(),
  },
  'focus-search': {
    name: 'focus-search',
    label: 'Search the graph',
    keyTest: (e) => mod(e) && e.shiftKey && e.key.toLowerCase() === 'f',
    perform: () => document.querySelector<HTMLInputElement>('[data-testid="graph-search"]')?.focus(),
  },
  escape: {
    name: 'escape',
    label: 'Close dialog / cancel',
    keyTest: (e) => e.key === 'Escape',
    perform: (s) => {
      if (s.dialog) A.closeDialog();
      else if (s.exportState === 'running') void A.cancelExport();
    },
  },
};

export function canRun(name: CommandName, s: StudioState = useStore.getState()): boolean {
  return COMMANDS[name].predicate?.(s) ?? true;
}

export function runCommand(name: CommandName, arg?: string): void {
  const s = useStore.getState();
  const c = COMMANDS[name];
  if (!c || !(c.predicate?.(s) ?? true)) return;
  void c.perform(s, arg);
}

/** The command a key event triggers, if any. */
export function commandForKey(e: KeyboardEvent): CommandName | undefined {
  return (Object.values(COMMANDS).find((c) => c.keyTest?.(e)) ?? undefined)?.name;
}
