// Dialogs: the example picker (seed examples one click away) and the confirmation
// before closing a modified document.

import type { ReactElement } from 'react';
import { el, h } from './h';
import { useStore } from '../state/store';
import { closeDialog, closeDoc, newDocFromSeed } from '../state/actions';

export function ExampleList(): ReactElement {
  const seeds = useStore((s) => s.seeds);
  return el(
    'div',
    { className: 'examples', 'data-testid': 'example-list' },
    seeds.map((seed) =>
      el(
        'button',
        { key: seed.id, className: 'example', 'data-testid': `example-${seed.id}`, onClick: () => newDocFromSeed(seed.id) },
        el('b', null, seed.title),
        el('span', null, seed.summary),
        el('div', { className: 'tags' }, seed.tags.map((t) => el('i', { key: t }, t))),
      ),
    ),
  );
}

function Modal({ title, testid, children, actions }: { title: string; testid: string; children: ReactElement | ReactElement[]; actions?: ReactElement[] }): ReactElement {
  return el(
    'div',
    { className: 'modal-backdrop', onMouseDown: (e: { target: unknown; currentTarget: unknown }) => e.target === e.currentTarget && closeDialog() },
    el(
      'div',
      { className: 'modal', role: 'dialog', 'aria-modal': true, 'aria-label': title, 'data-testid': testid },
      el('h2', null, title),
      el('div', { className: 'body' }, children),
      actions ? el('div', { className: 'actions' }, ...actions) : null,
    ),
  );
}

export function Dialogs(): ReactElement | null {
  const dialog = useStore((s) => s.dialog);
  const docs = useStore((s) => s.documents);
  if (!dialog) return null;
  if (dialog.kind === 'examples')
    return h(Modal, {
      title: 'New document from an example',
      testid: 'examples-dialog',
      children: [el('p', { key: 'p', style: { marginTop: 0, color: 'var(--muted)' } }, 'Each example opens in a new tab; your other documents stay as they are.'), h(ExampleList, { key: 'l' })],
      actions: [el('button', { key: 'c', className: 'btn', onClick: closeDialog }, 'Close')],
    });
  const doc = docs.find((d) => d.id === dialog.docId);
  return h(Modal, {
    title: 'Discard changes?',
    testid: 'confirm-dialog',
    children: el('p', null, `${doc?.title ?? 'This document'} has changes. Closing the tab discards them; keep it open to go on editing (it stays autosaved).`),
    actions: [
      el('button', { key: 'k', className: 'btn', 'data-testid': 'confirm-keep', onClick: closeDialog, autoFocus: true }, 'Keep editing'),
      el('button', { key: 'd', className: 'btn danger', 'data-testid': 'confirm-discard', onClick: () => closeDoc(dialog.docId, true) }, 'Discard and close'),
    ],
  });
}
