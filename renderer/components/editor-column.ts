// The left column: document tabs, the Monaco editor and the Dim panel; or, while a
// .pt2 archive is open, the read-only program view in their place.

import { useEffect, useRef, type ReactElement } from 'react';
import { el, h, cx } from './h';
import { useStore } from '../state/store';
import { closeDoc, isModified, setActiveDoc } from '../state/actions';
import { runCommand } from '../commands/registry';
import { mountEditor } from '../editor/editor-controller';
import { DimPanel } from './dim-panel';
import { ProgramView } from './program-view';
import { ExampleList } from './dialogs';

function DocTabs(): ReactElement {
  const docs = useStore((s) => s.documents);
  const active = useStore((s) => s.activeDocId);
  const fileMode = useStore((s) => s.openedProgram !== null);
  return el(
    'div',
    { className: 'tabs', role: 'tablist', 'data-testid': 'doc-tabs' },
    docs.map((d) =>
      el(
        'div',
        {
          key: d.id,
          className: 'tab',
          role: 'tab',
          'aria-selected': !fileMode && d.id === active,
          'data-testid': 'doc-tab',
          'data-modified': isModified(d),
          title: isModified(d) ? `${d.title} (modified; autosaved in this browser)` : d.title,
          onClick: () => setActiveDoc(d.id),
        },
        el('span', null, d.title),
        isModified(d) ? el('span', { className: 'dot', 'aria-label': 'modified' }) : null,
        el(
          'button',
          {
            className: 'close',
            'data-testid': 'doc-close',
            'aria-label': `Close ${d.title}`,
            onClick: (e: { stopPropagation(): void }) => {
              e.stopPropagation();
              closeDoc(d.id);
            },
          },
          '×',
        ),
      ),
    ),
    el('button', { className: 'tab', 'data-testid': 'new-doc', title: 'New document from an example', onClick: () => runCommand('new-document') }, '+'),
  );
}

function EditorPane(): ReactElement {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const handle = mountEditor(ref.current!);
    return () => handle.dispose();
  }, []);
  return el('div', { className: 'editor-area' }, el('div', { className: 'editor-host', 'data-testid': 'editor', ref }));
}

export function EditorColumn(): ReactElement {
  const fileMode = useStore((s) => s.openedProgram !== null);
  const hasDocs = useStore((s) => s.documents.length > 0);
  return el(
    'section',
    { className: 'column', 'aria-label': 'Model code' },
    h(DocTabs),
    // The editor stays mounted (hidden) while a program is open, so nothing is lost.
    el('div', { className: cx({ 'editor-wrap': true }), style: { display: fileMode || !hasDocs ? 'none' : 'flex', flexDirection: 'column', flex: 1, minHeight: 0 } }, h(EditorPane), h(DimPanel)),
    fileMode ? h(ProgramView) : null,
    !fileMode && !hasDocs
      ? el('div', { className: 'scroll', style: { padding: 16 } }, el('p', { className: 'empty' }, 'No document open. Start from an example:'), h(ExampleList))
      : null,
  );
}
