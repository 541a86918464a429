// Module-level actions: everything that changes state because of the user or the host
// (documents, analysis, Dim panel edits, export, compare, files). Components and the
// command registry call these; IPC listeners call them too. Each reads and writes the
// store through useStore.getState / setState.

import type { CompareResponse, CompareRequest, DynamicShapesSpec, IpcError, IpcResult, OpenResponse, SeedInfo } from '../../main/common/ipc-contract';
import { applySpecToSource, emptySpec, parseSpecFromSource } from '../../main/common/dynamic-shapes-code';
import { api, base64ToBytes, bytesToBase64 } from '../ipc/api';
import { activeDoc, shownProgram, useStore, type Doc, type SideTab, type StudioState, type Theme } from './store';
import { loadWorkspace, saveNow, startAutosave } from './persistence';
import { applySuggestedFix } from './dim-edits';
import { WindowWebGpuError, heldProgram, probeWindowWebGpu, runInWindow } from '../webgpu/window-webgpu';

const get = useStore.getState;
const set = useStore.setState;

export function uid(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

//#region start-up
export async function initStudio(): Promise<void> {
  const saved = loadWorkspace();
  if (saved) {
    set({
      documents: saved.documents ?? [],
      activeDocId: saved.activeDocId && saved.documents?.some((d) => d.id === saved.activeDocId) ? saved.activeDocId : (saved.documents?.[0]?.id ?? null),
      ...(saved.theme ? { theme: saved.theme } : {}),
      ...(saved.exportOptions ? { exportOptions: saved.exportOptions } : {}),
      ...(saved.compareOptions ? { compareOptions: saved.compareOptions } : {}),
    });
  } else if (matchMedia?.('(prefers-color-scheme: light)').matches) set({ theme: 'light' });
  applyTheme(get().theme);

  api.onProgress((e) => {
    const s = get();
    if (e.taskId === s.exportTaskId && s.exportState === 'running') set({ exportProgress: { label: e.label, fraction: e.fraction } });
  });

  const [hello, seeds, recent] = await Promise.all([api.hello({}), api.seeds({}), api.recent({})]);
  if (hello.ok) set({ hello: hello.value });
  if (seeds.ok) set({ seeds: seeds.value });
  if (recent.ok) set({ recent: recent.value });
  if (!hello.ok) set({ fileError: hello.error });
  if (get().documents.length === 0 && seeds.ok && seeds.value[0]) newDocFromSeed(seeds.value[0].id);
  startAutosave();
  set({ ready: true });
  void analyzeActive();
  void probeWindowWebGpu().then((windowWebGpu) => set({ windowWebGpu }));
}
//#endregion

//#region theme and panels
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

export function toggleTheme(): void {
  const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
  set({ theme });
  applyTheme(theme);
}

export function setSideTab(sideTab: SideTab): void {
  set({ sideTab });
}
//#endregion

//#region documents
function uniqueTitle(base: string): string {
  const titles = new Set(get().documents.map((d) => d.title));
  if (!titles.has(base)) return base;
  const stem = base.replace(/\.py$/, '');
  for (let i = 2; ; i++) if (!titles.has(`${stem} (${i}).py`)) return `${stem} (${i}).py`;
}

function addDocument(doc: Omit<Doc, 'id' | 'createdAt'>): Doc {
  const d: Doc = { ...doc, id: uid('doc'), createdAt: Date.now(), title: uniqueTitle(doc.title) };
  set((s) => ({ documents: [...s.documents, d], activeDocId: d.id, dialog: null, openedProgram: null }));
  void analyzeActive();
  return d;
}

/** A new document from an example; the current one stays open in its tab (nothing is replaced). */
export function newDocFromSeed(seedId: string): Doc | undefined {
  const seed = get().seeds.find((x: SeedInfo) => x.id === seedId);
  if (!seed) return undefined;
  return addDocument({ title: `${seed.id}.py`, text: seed.source, baseText: seed.source, seedId: seed.id });
}

export function isModified(d: Doc): boolean {
  return d.text !== d.baseText;
}

export function setActiveDoc(id: string): void {
  if (get().activeDocId === id && !get().openedProgram) return;
  set({ activeDocId: id, openedProgram: null, selectedNode: null });
  void analyzeActive();
}

export function setDocText(id: string, text: string): void {
  set((s) => ({ documents: s.documents.map((d) => (d.id === id ? { ...d, text } : d)) }));
  if (id === get().activeDocId) scheduleAnalyze();
}

/** Close a tab; a modified document asks first (unless `force`). */
export function closeDoc(id: string, force = false): void {
  const d = get().documents.find((x) => x.id === id);
  if (!d) return;
  if (!force && isModified(d)) {
    set({ dialog: { kind: 'confirm-close', docId: id } });
    return;
  }
  set((s) => {
    const idx = s.documents.findIndex((x) => x.id === id);
    const documents = s.documents.filter((x) => x.id !== id);
    const activeDocId = s.activeDocId === id ? (documents[Math.min(idx, documents.length - 1)]?.id ?? null) : s.activeDocId;
    return { documents, activeDocId, dialog: null };
  });
  saveNow();
  void analyzeActive();
}

export function openExamples(): void {
  set({ dialog: { kind: 'examples' } });
}

export function closeDialog(): void {
  set({ dialog: null });
}
//#endregion

//#region analysis and the Dim panel
let analyzeTimer: ReturnType<typeof setTimeout> | undefined;
export function scheduleAnalyze(delay = 350): void {
  if (analyzeTimer) clearTimeout(analyzeTimer);
  analyzeTimer = setTimeout(() => void analyzeActive(), delay);
}

/** Read the active document's inputs (host) and its dynamic_shapes (here) into the panel. */
export async function analyzeActive(): Promise<void> {
  const doc = activeDoc(get());
  if (!doc) {
    set({ analysis: { status: 'idle', docId: null, text: null, result: null, error: null }, spec: null, specError: null });
    return;
  }
  const text = doc.text;
  set((s) => ({ analysis: { ...s.analysis, status: 'pending', docId: doc.id } }));
  const r = await api.analyze({ source: text });
  const now = activeDoc(get());
  if (!now || now.id !== doc.id || now.text !== text) return; // stale: a newer analysis is scheduled
  if (!r.ok) {
    set({ analysis: { status: 'error', docId: doc.id, text, result: null, error: r.error }, spec: null, specError: null });
    return;
  }
  const parsed = parseSpecFromSource(text, r.value.args, r.value.inputs);
  set({
    analysis: { status: 'ok', docId: doc.id, text, result: r.value, error: null },
    spec: parsed.spec ?? emptySpec(r.value.inputs),
    specError: parsed.error ?? null,
  });
}

/** Edit the panel's spec and write the regenerated block into the document. */
export function editSpec(f: (spec: DynamicShapesSpec) => DynamicShapesSpec): void {
  const s = get();
  const doc = activeDoc(s);
  const a = s.analysis.result;
  if (!doc || !a || !s.spec || s.analysis.docId !== doc.id) return;
  const spec = f(s.spec);
  const text = applySpecToSource(doc.text, spec, a.args, a.inputs);
  set({ spec, specError: null, analysis: { ...s.analysis, text } });
  set((st) => ({ documents: st.documents.map((d) => (d.id === doc.id ? { ...d, text } : d)) }));
}

/** Apply export's suggested fixes through the panel, then export again. */
export async function applyFixes(fixes: string[]): Promise<void> {
  if (get().analysis.status !== 'ok' || get().analysis.text !== activeDoc(get())?.text) await analyzeActive();
  try {
    editSpec((spec) => fixes.reduce(applySuggestedFix, spec));
  } catch (e) {
    set({ exportError: { name: 'FixError', message: (e as Error).message, docId: get().activeDocId ?? '' } });
    return;
  }
  await exportActive();
}
//#endregion

//#region export
export async function exportActive(): Promise<void> {
  const s = get();
  const doc = activeDoc(s);
  if (!doc || s.exportState === 'running' || s.openedProgram) return;
  const taskId = uid('export');
  set({ exportState: 'running', exportTaskId: taskId, exportProgress: { label: 'Starting the export', fraction: 0 }, exportError: null, exportNote: null });
  const text = doc.text;
  const specUsable = s.spec !== null && s.specError === null && s.analysis.text === text;
  const r = await api.exportProgram({ taskId, source: text, strict: s.exportOptions.strict, decompose: s.exportOptions.decompose, dynamicShapes: specUsable ? s.spec : null });
  if (get().exportTaskId !== taskId) return;
  if (r.ok) {
    const previous = get().exportResult;
    if (previous && previous.sessionId !== r.value.sessionId) void api.closeSession({ sessionId: previous.sessionId });
    set({
      exportState: 'done',
      exportProgress: null,
      exportResult: { ...r.value, docId: doc.id, text },
      compareResult: null,
      compareError: null,
      selectedNode: null,
      graphExpanded: {},
      graphSearchIndex: 0,
    });
  } else if (r.error.name === 'CancelledError') {
    set({ exportState: 'idle', exportProgress: null, exportNote: 'Export cancelled.' });
  } else {
    set({ exportState: 'error', exportProgress: null, exportError: { ...r.error, docId: doc.id }, dockTab: 'problems' });
  }
}

export async function cancelExport(): Promise<void> {
  const id = get().exportTaskId;
  if (!id || get().exportState !== 'running') return;
  set({ exportProgress: { label: 'Cancelling…', fraction: null } });
  await api.cancel({ taskId: id });
}

export function setExportOption(key: 'strict' | 'decompose', value: boolean): void {
  set((s) => ({ exportOptions: { ...s.exportOptions, [key]: value } }));
}
//#endregion

//#region compare and run
export async function compare(): Promise<void> {
  const s = get();
  const prog = shownProgram(s);
  if (!prog || prog.kind !== 'export' || s.compareState === 'running') return;
  const taskId = uid('compare');
  set({ compareState: 'running', compareTaskId: taskId, compareError: null, dockTab: 'compare' });
  const { backend, ...options } = s.compareOptions;
  const req: CompareRequest = { taskId, sessionId: prog.sessionId, ...options, backend: backend === 'cpu' ? 'cpu' : 'webgpu' };
  const r = backend === 'webgpu-window' ? await compareInWindow(req) : await api.compare(req);
  if (get().compareTaskId !== taskId) return;
  if (r.ok) set({ compareState: 'done', compareResult: { ...r.value, sessionId: prog.sessionId } });
  else set({ compareState: 'error', compareError: r.error });
}

/**
 * A compare whose exported side runs on this window's WebGPU: the host runs the eager
 * model and hands over the program (the archive, unless the worker still holds it) and
 * the inputs; the worker runs them; the host compares its eager outputs with the
 * worker's, so the pass rule and the summaries are the same as for host runs.
 */
async function compareInWindow(req: CompareRequest): Promise<IpcResult<CompareResponse>> {
  const avail = get().windowWebGpu;
  if (avail && !avail.available) {
    // The host's WebGPU (Dawn, in a child process) is the fallback; the result says where it ran.
    if (get().hello?.capabilities.webgpu.available) return api.compare(req);
    const host = get().hello?.capabilities.webgpu.reason;
    return { ok: false, error: { name: 'NotAvailableError', message: `${avail.reason ?? 'WebGPU is not available in this window.'}${host ? ` The host has none either: ${host}` : ''}` } };
  }
  for (let attempt = 0; ; attempt++) {
    const prep = await api.comparePrepare({ ...req, heldProgram: attempt === 0 ? heldProgram() : undefined });
    if (!prep.ok) return prep;
    try {
      const run = await runInWindow(prep.value);
      return await api.compareFinish({ taskId: req.taskId, sessionId: req.sessionId, outputs: run.outputs, ms: run.ms, loadMs: run.loadMs, adapter: run.adapter });
    } catch (e) {
      if (e instanceof WindowWebGpuError && e.missingProgram && attempt === 0) continue;
      const err = e instanceof Error ? e : new Error(String(e));
      const message = err instanceof WindowWebGpuError && err.name === 'NotAvailableError' ? err.message : `Exported program failed (WebGPU runtime in this window): ${err.message}`;
      return { ok: false, error: { name: err.name, message } };
    }
  }
}

export function setCompareOption<K extends keyof StudioState['compareOptions']>(key: K, value: StudioState['compareOptions'][K]): void {
  set((s) => ({ compareOptions: { ...s.compareOptions, [key]: value } }));
}

export async function runProgram(inputs: 'example' | 'random'): Promise<void> {
  const s = get();
  const prog = shownProgram(s);
  if (!prog || s.runState === 'running') return;
  set({ runState: 'running', runError: null });
  const r = await api.run({ taskId: uid('run'), sessionId: prog.sessionId, backend: 'cpu', inputs, seed: s.compareOptions.seed });
  if (r.ok) set({ runState: 'done', runResult: r.value });
  else set({ runState: 'error', runError: r.error });
}
//#endregion

//#region files
async function refreshRecent(): Promise<void> {
  const r = await api.recent({});
  if (r.ok) set({ recent: r.value });
}

function handleOpen(r: IpcResult<OpenResponse>): void {
  set({ fileState: 'idle' });
  if (!r.ok) {
    if (r.error.name !== 'CancelledError') set({ fileError: r.error, dockTab: 'problems' });
    return;
  }
  const v = r.value;
  if (v.kind === 'python' && v.text !== undefined) {
    addDocument({ title: v.fileName, text: v.text, baseText: v.text });
  } else if (v.program) {
    const previous = get().openedProgram;
    if (previous) void api.closeSession({ sessionId: previous.program.sessionId });
    set({ openedProgram: { ...v, program: v.program }, runResult: null, runError: null, selectedNode: null, graphExpanded: {}, sideTab: 'signature', fileNote: `Opened ${v.fileName}` });
  }
  void refreshRecent();
}

/** A file picked in the page (input or drag and drop). */
export async function openFile(file: File): Promise<void> {
  set({ fileState: 'busy', fileError: null, fileNote: null });
  const bytes = new Uint8Array(await file.arrayBuffer());
  handleOpen(await api.open({ fileName: file.name, data: bytesToBase64(bytes) }));
}

/** Electron: the native open dialog; a recent entry by id in both hosts. */
export async function openViaHost(recentId?: string): Promise<void> {
  set({ fileState: 'busy', fileError: null, fileNote: null });
  handleOpen(await api.open(recentId ? { recentId } : {}));
}

export function closeProgram(): void {
  const p = get().openedProgram;
  if (!p) return;
  void api.closeSession({ sessionId: p.program.sessionId });
  set({ openedProgram: null, runResult: null, runError: null, selectedNode: null, graphExpanded: {} });
}

export async function savePt2(): Promise<void> {
  const s = get();
  const prog = shownProgram(s);
  if (!prog) return;
  const fileName = prog.title.replace(/\.(py|pt2)$/i, '').replace(/[^\w.-]+/g, '_') + '.pt2';
  set({ fileState: 'busy', fileError: null, fileNote: null });
  const r = await api.save({ sessionId: prog.sessionId, fileName });
  set({ fileState: 'idle' });
  if (!r.ok) {
    if (r.error.name !== 'CancelledError') set({ fileError: r.error, dockTab: 'problems' });
    return;
  }
  if (r.value.data) download(r.value.fileName, base64ToBytes(r.value.data));
  set({ fileNote: `Saved ${r.value.path ?? r.value.fileName} (${r.value.bytes.toLocaleString()} bytes)` });
}

function download(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function dismissFileError(): void {
  set({ fileError: null });
}
//#endregion

//#region graph ↔ source
export function selectNode(name: string | null, line?: number): void {
  set((s) => ({ selectedNode: name, revealLine: line ? [line, (s.revealLine?.[1] ?? 0) + 1] : s.revealLine }));
}

export function setCursorLine(line: number | null): void {
  if (get().cursorLine !== line) set({ cursorLine: line });
}

export function setGroupExpanded(id: string, expanded: boolean): void {
  set((s) => ({ graphExpanded: { ...s.graphExpanded, [id]: expanded } }));
}

export function setGroupsExpanded(ids: readonly string[], expanded: boolean): void {
  set((s) => {
    const next = { ...s.graphExpanded };
    for (const id of ids) next[id] = expanded;
    return { graphExpanded: next };
  });
}

export function setGraphSearch(q: string): void {
  set({ graphSearch: q, graphSearchIndex: 0 });
}

export function setGraphSearchIndex(i: number): void {
  set({ graphSearchIndex: i });
}

export function errorText(e: IpcError): string {
  return e.message;
}
//#endregion
