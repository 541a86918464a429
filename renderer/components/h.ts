// Element helpers: the renderer builds its views with React.createElement (no JSX
// build step in the type checker). `el` is for DOM elements, whose props include
// data-* test hooks that createElement's typings would reject.

import { createElement, type ReactElement, type ReactNode } from 'react';

export const h = createElement;

export function el(tag: string, props?: Record<string, unknown> | null, ...children: ReactNode[]): ReactElement {
  return createElement(tag, props ?? null, ...children);
}

/** `a b` from a map of class names to conditions. */
export function cx(...parts: Array<string | false | null | undefined | Record<string, unknown>>): string {
  const out: string[] = [];
  for (const p of parts) {
    if (!p) continue;
    if (typeof p === 'string') out.push(p);
    else for (const [k, v] of Object.entries(p)) if (v) out.push(k);
  }
  return out.join(' ');
}
