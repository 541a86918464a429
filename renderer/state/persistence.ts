// Autosave: documents (with their unmodified base text), the active tab, the theme and
// the export/compare options go to localStorage shortly after every change and when
// the page hides or unloads, and are restored at start. Nothing typed is lost on a
// reload, a crash of the page, or closing the window.

import { useStore, type Doc, type StudioState, type Theme } from './store';

export const STORAGE_KEY = 'pt2studio.workspace.v1';
const SAVE_DELAY_MS = 300;

interface Saved {
  documents: Doc[];
  activeDocId: string | null;
  theme: Theme;
  exportOptions: StudioState['exportOptions'];
  compareOptions: StudioState['compareOptions'];
}

export function loadWorkspace(): Partial<Saved> | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Saved>;
    if (!Array.isArray(parsed.documents)) return null;
    parsed.documents = parsed.documents.filter((d) => typeof d?.id === 'string' && typeof d.text === 'string');
    return parsed;
  } catch {
    return null;
  }
}

function snapshot(s: StudioState): Saved {
  return { documents: s.documents, activeDocId: s.activeDocId, theme: s.theme, exportOptions: s.exportOptions, compareOptions: s.compareOptions };
}

let timer: ReturnType<typeof setTimeout> | undefined;
let lastWritten = '';

export function saveNow(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const text = JSON.stringify(snapshot(useStore.getState()));
  if (text === lastWritten) return;
  try {
    localStorage.setItem(STORAGE_KEY, text);
    lastWritten = text;
    document.documentElement.dataset.saved = String(Date.now());
  } catch (e) {
    console.error('autosave failed:', e);
  }
}

/** Start autosaving (call once, after the workspace was restored). */
export function startAutosave(): void {
  let prev = snapshot(useStore.getState());
  useStore.subscribe((s) => {
    const next = snapshot(s);
    if (next.documents === prev.documents && next.activeDocId === prev.activeDocId && next.theme === prev.theme && next.exportOptions === prev.exportOptions && next.compareOptions === prev.compareOptions) return;
    prev = next;
    if (timer) clearTimeout(timer);
    timer = setTimeout(saveNow, SAVE_DELAY_MS);
  });
  saveNow();
  window.addEventListener('beforeunload', saveNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') saveNow();
  });
}
