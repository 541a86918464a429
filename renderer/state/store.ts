// The renderer's state: one zustand store bound from per-domain slices (editor
// documents, the Dim panel, the export session, the graph view, compare runs, opened
// files, UI). Components select single fields; actions that do I/O live in
// actions.ts as module-level functions over useStore.getState/setState.

import { create } from 'zustand';
import type {
  AnalyzeResponse,
  CompareResponse,
  DynamicShapesSpec,
  ExportResponse,
  HelloResponse,
  IpcError,
  OpenResponse,
  RecentFile,
  RunResponse,
  SeedInfo,
  WebGpuAvailability,
} from '../../main/common/ipc-contract';

//#region editor
export interface Doc {
  id: string;
  title: string;
  text: string;
  /** The text as created (from an example or a file): "modified" compares against it. */
  baseText: string;
  seedId?: string;
  createdAt: number;
}

export interface EditorSlice {
  documents: Doc[];
  activeDocId: string | null;
  /** 1-based line of the editor's cursor (graph ↔ source linking). */
  cursorLine: number | null;
  /** Bumped to ask the editor to reveal a line: [line, nonce]. */
  revealLine: [number, number] | null;
}
//#endregion

//#region dims
export interface DimsSlice {
  analysis: { status: 'idle' | 'pending' | 'ok' | 'error'; docId: string | null; text: string | null; result: AnalyzeResponse | null; error: IpcError | null };
  /** The panel's model, read from (and written back to) the active document. */
  spec: DynamicShapesSpec | null;
  /** Why the document's dynamic_shapes could not be read into the panel. */
  specError: string | null;
}
//#endregion

//#region export session
export type ExportState = 'idle' | 'running' | 'done' | 'error';
export interface SessionSlice {
  exportOptions: { strict: boolean; decompose: boolean };
  exportState: ExportState;
  exportTaskId: string | null;
  exportProgress: { label: string; fraction: number | null } | null;
  /** The last export's result and the document it came from. */
  exportResult: (ExportResponse & { docId: string; text: string }) | null;
  exportError: (IpcError & { docId: string }) | null;
  /** Message after a cancel (data-state goes back to idle). */
  exportNote: string | null;
}
//#endregion

//#region graph
export interface GraphSlice {
  /** Group ids the user expanded / collapsed (overrides the defaults). */
  graphExpanded: Record<string, boolean>;
  /** Identity of the program the overrides belong to. */
  graphKey: string | null;
  selectedNode: string | null;
  graphSearch: string;
  graphSearchIndex: number;
}
//#endregion

//#region runs
/** Where Compare runs the exported program: the host's CPU runtime, the host's WebGPU (Dawn, in a child process), or this window's WebGPU (Chromium's). */
export type CompareBackend = 'cpu' | 'webgpu' | 'webgpu-window';

export interface RunsSlice {
  compareOptions: { inputs: 'example' | 'random'; seed: number; atol: number; rtol: number; backend: CompareBackend };
  /** This window's own WebGPU (navigator.gpu), probed at start-up; null until then. */
  windowWebGpu: WebGpuAvailability | null;
  compareState: ExportState;
  compareTaskId: string | null;
  compareResult: (CompareResponse & { sessionId: string }) | null;
  compareError: IpcError | null;
  runState: ExportState;
  runResult: RunResponse | null;
  runError: IpcError | null;
}
//#endregion

//#region files
export interface FilesSlice {
  /** A .pt2 opened read-only; while set, the program view replaces the editor column. */
  openedProgram: (OpenResponse & { program: NonNullable<OpenResponse['program']> }) | null;
  recent: RecentFile[];
  fileState: 'idle' | 'busy';
  fileError: IpcError | null;
  fileNote: string | null;
}
//#endregion

//#region ui
export type Theme = 'light' | 'dark';
export type SideTab = 'signature' | 'constraints' | 'program' | 'weights';
export type DockTab = 'problems' | 'compare';
export type Dialog = null | { kind: 'examples' } | { kind: 'confirm-close'; docId: string };
export interface UiSlice {
  theme: Theme;
  sideTab: SideTab;
  dockTab: DockTab;
  dialog: Dialog;
  hello: HelloResponse | null;
  seeds: SeedInfo[];
  ready: boolean;
  dragging: boolean;
}
//#endregion

export type StudioState = EditorSlice & DimsSlice & SessionSlice & GraphSlice & RunsSlice & FilesSlice & UiSlice;

const editorSlice = (): EditorSlice => ({ documents: [], activeDocId: null, cursorLine: null, revealLine: null });
const dimsSlice = (): DimsSlice => ({ analysis: { status: 'idle', docId: null, text: null, result: null, error: null }, spec: null, specError: null });
const sessionSlice = (): SessionSlice => ({
  exportOptions: { strict: false, decompose: false },
  exportState: 'idle',
  exportTaskId: null,
  exportProgress: null,
  exportResult: null,
  exportError: null,
  exportNote: null,
});
const graphSlice = (): GraphSlice => ({ graphExpanded: {}, graphKey: null, selectedNode: null, graphSearch: '', graphSearchIndex: 0 });
const runsSlice = (): RunsSlice => ({
  compareOptions: { inputs: 'example', seed: 1, atol: 1e-5, rtol: 1e-5, backend: 'cpu' },
  windowWebGpu: null,
  compareState: 'idle',
  compareTaskId: null,
  compareResult: null,
  compareError: null,
  runState: 'idle',
  runResult: null,
  runError: null,
});
const filesSlice = (): FilesSlice => ({ openedProgram: null, recent: [], fileState: 'idle', fileError: null, fileNote: null });
const uiSlice = (): UiSlice => ({ theme: 'dark', sideTab: 'signature', dockTab: 'problems', dialog: null, hello: null, seeds: [], ready: false, dragging: false });

export const useStore = create<StudioState>()(() => ({
  ...editorSlice(),
  ...dimsSlice(),
  ...sessionSlice(),
  ...graphSlice(),
  ...runsSlice(),
  ...filesSlice(),
  ...uiSlice(),
}));

/** The active document, if any. */
export function activeDoc(s: StudioState): Doc | undefined {
  return s.documents.find((d) => d.id === s.activeDocId);
}

/** What the graph and side panels show: the opened archive, else the active document's last export. */
export interface ShownProgram {
  kind: 'export' | 'file';
  key: string;
  sessionId: string;
  printed: string;
  payload: ExportResponse['program'];
  title: string;
}

export function shownProgram(s: StudioState): ShownProgram | null {
  if (s.openedProgram) {
    const p = s.openedProgram.program;
    return { kind: 'file', key: `file:${p.sessionId}`, sessionId: p.sessionId, printed: p.printed, payload: p.program, title: s.openedProgram.fileName };
  }
  const r = s.exportResult;
  if (!r || r.docId !== s.activeDocId) return null;
  return { kind: 'export', key: `export:${r.sessionId}`, sessionId: r.sessionId, printed: r.printed, payload: r.program, title: activeDoc(s)?.title ?? 'program' };
}
