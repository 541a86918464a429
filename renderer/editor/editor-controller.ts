// Binds one Monaco editor to the store: a model per document (edits flow into the
// store; panel-generated edits flow back as undoable minimal edits), export errors as
// markers on the user's line with "Suggested fixes" as quick fixes, the graph-selected
// node's line revealed and highlighted, the cursor line reported for graph linking,
// and the studio's shortcuts inside the editor.

import { monaco } from './monaco';
import { useStore, activeDoc, type StudioState } from '../state/store';
import { applyFixes, setCursorLine, setDocText } from '../state/actions';
import { runCommand } from '../commands/registry';

export const MARKER_OWNER = 'pt2-export';
const APPLY_FIX_COMMAND = 'pt2.applySuggestedFix';

const models = new Map<string, monaco.editor.ITextModel>();
let applyingExternal = false;

function modelFor(docId: string, text: string): monaco.editor.ITextModel {
  let m = models.get(docId);
  if (!m || m.isDisposed()) {
    m = monaco.editor.createModel(text, 'python', monaco.Uri.parse(`inmemory://pt2-studio/${docId}/model.py`));
    models.set(docId, m);
    const model = m;
    model.onDidChangeContent(() => {
      if (!applyingExternal) setDocText(docId, model.getValue());
    });
  }
  return m;
}

/** Replace only the changed middle of the text, as one undoable edit. */
function applyExternalText(model: monaco.editor.ITextModel, text: string): void {
  const old = model.getValue();
  if (old === text) return;
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  let endOld = old.length;
  let endNew = text.length;
  while (endOld > start && endNew > start && old[endOld - 1] === text[endNew - 1]) {
    endOld--;
    endNew--;
  }
  const from = model.getPositionAt(start);
  const to = model.getPositionAt(endOld);
  applyingExternal = true;
  try {
    model.pushEditOperations([], [{ range: new monaco.Range(from.lineNumber, from.column, to.lineNumber, to.column), text: text.slice(start, endNew) }], () => null);
    model.pushStackElement();
  } finally {
    applyingExternal = false;
  }
}

function markerMessage(message: string): string {
  const trimmed = message.replace(/\n\nThe error above occurred when calling torch\.export\.export[\s\S]*$/, '');
  return trimmed.length > 2000 ? `${trimmed.slice(0, 2000)}…` : trimmed;
}

function updateMarkers(s: StudioState): void {
  const doc = activeDoc(s);
  for (const [id, model] of models) {
    const err = s.exportError && s.exportError.docId === id ? s.exportError : null;
    const markers: monaco.editor.IMarkerData[] = [];
    if (err && doc && id === doc.id) {
      const lineCount = model.getLineCount();
      const at = (line: number, message: string): void => {
        const l = Math.min(Math.max(line, 1), lineCount);
        const text = model.getLineContent(l);
        const first = text.length - text.trimStart().length + 1;
        markers.push({ severity: monaco.MarkerSeverity.Error, message, startLineNumber: l, startColumn: first, endLineNumber: l, endColumn: text.length + 1, source: err.pythonType ?? err.name });
      };
      if (err.violations?.length) {
        for (const v of err.violations) at(v.location?.line ?? err.location?.line ?? 1, `${v.reason}\nSuggested fix: ${v.suggestedFix}`);
      } else if (err.location) at(err.location.line, markerMessage(err.message));
    }
    monaco.editor.setModelMarkers(model, MARKER_OWNER, markers);
  }
}

let codeActionsRegistered = false;
function registerQuickFixes(): void {
  if (codeActionsRegistered) return;
  codeActionsRegistered = true;
  monaco.editor.registerCommand(APPLY_FIX_COMMAND, (_accessor, ...fixes: unknown[]) => {
    void applyFixes(fixes.filter((f): f is string => typeof f === 'string'));
  });
  monaco.languages.registerCodeActionProvider('python', {
    provideCodeActions(model, range, context) {
      const s = useStore.getState();
      const err = s.exportError;
      const actions: monaco.languages.CodeAction[] = [];
      if (err?.violations?.length) {
        const ours = context.markers.filter((m) => m.message.includes('Suggested fix: ') && m.startLineNumber <= range.endLineNumber && m.endLineNumber >= range.startLineNumber);
        for (const v of err.violations) {
          const marker = ours.find((m) => m.message.endsWith(`Suggested fix: ${v.suggestedFix}`));
          if (!marker) continue;
          actions.push({
            title: `Apply suggested fix: ${v.suggestedFix} (and export again)`,
            kind: 'quickfix',
            diagnostics: [marker],
            isPreferred: true,
            command: { id: APPLY_FIX_COMMAND, title: 'Apply suggested fix', arguments: [v.suggestedFix] },
          });
        }
      }
      void model;
      return { actions, dispose: () => {} };
    },
  });
}

export interface EditorHandle {
  dispose(): void;
}

export function mountEditor(host: HTMLElement): EditorHandle {
  registerQuickFixes();
  const s0 = useStore.getState();
  const editor = monaco.editor.create(host, {
    model: null,
    theme: s0.theme === 'dark' ? 'vs-dark' : 'vs',
    automaticLayout: true,
    fontSize: 13,
    lineHeight: 20,
    fontFamily: "ui-monospace, 'SF Mono', 'Cascadia Code', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    tabSize: 4,
    insertSpaces: true,
    renderWhitespace: 'none',
    glyphMargin: true,
    lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.OnCode },
    fixedOverflowWidgets: true,
    padding: { top: 6 },
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => runCommand('export'));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => runCommand('compare'));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => runCommand('save-pt2'));
  editor.onDidChangeCursorPosition((e) => setCursorLine(e.position.lineNumber));

  const linked = editor.createDecorationsCollection();
  const showDoc = (s: StudioState): void => {
    const doc = activeDoc(s);
    if (!doc) {
      editor.setModel(null);
      return;
    }
    const model = modelFor(doc.id, doc.text);
    if (model.getValue() !== doc.text) applyExternalText(model, doc.text);
    if (editor.getModel() !== model) editor.setModel(model);
  };
  const highlight = (s: StudioState): void => {
    const line = s.revealLine?.[0];
    const model = editor.getModel();
    if (!line || !model || line > model.getLineCount()) {
      linked.clear();
      return;
    }
    linked.set([{ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'linked-line', linesDecorationsClassName: 'linked-line-gutter' } }]);
    editor.revealLineInCenterIfOutsideViewport(line);
  };

  showDoc(s0);
  updateMarkers(s0);
  const unsubscribe = useStore.subscribe((s, prev) => {
    if (s.activeDocId !== prev.activeDocId || s.documents !== prev.documents) showDoc(s);
    if (s.exportError !== prev.exportError || s.activeDocId !== prev.activeDocId || s.documents !== prev.documents) updateMarkers(s);
    if (s.theme !== prev.theme) monaco.editor.setTheme(s.theme === 'dark' ? 'vs-dark' : 'vs');
    if (s.revealLine !== prev.revealLine) highlight(s);
    if (s.selectedNode === null && prev.selectedNode !== null) linked.clear();
    // Forget models of closed documents.
    if (s.documents !== prev.documents)
      for (const [id, m] of models)
        if (!s.documents.some((d) => d.id === id)) {
          m.dispose();
          models.delete(id);
        }
  });
  return {
    dispose() {
      unsubscribe();
      editor.dispose();
    },
  };
}
