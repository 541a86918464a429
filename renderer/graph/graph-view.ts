// The graph view: the program's graph grouped by nn_module_stack and laid out by ELK,
// drawn as SVG with only the boxes and edges inside the viewport rendered (so a
// 1,000-node program pans smoothly), with pan/zoom, search, expand/collapse, and
// two-way linking with the editor (click a node → its source line; move the cursor to
// a line → its nodes light up). data-node-count is the number of call_function nodes
// shown as their own box.

import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as RMouseEvent, type PointerEvent as RPointerEvent, type ReactElement, type RefObject } from 'react';
import { el, h, cx } from '../components/h';
import { useStore, type ShownProgram } from '../state/store';
import { useShownProgram } from '../state/hooks';
import { selectNode, setGraphSearch, setGraphSearchIndex, setGroupExpanded, setGroupsExpanded } from '../state/actions';
import { ancestorsOf, boxLines, buildGraphModel, defaultExpansion, searchLeaves, visibleGraph, type Item } from './model';
import { layoutGraph, type LaidOutBox, type Layout, type Rect } from './layout';

interface Viewport {
  x: number;
  y: number;
  k: number;
}

const MIN_K = 0.01;
/** Below this zoom the first view of a program starts readable at its top instead of fitting everything. */
const READABLE_K = 0.7;
const MAX_K = 2.5;
const CULL_MARGIN = 160;

function intersects(r: Rect, x0: number, y0: number, x1: number, y1: number): boolean {
  return r.x <= x1 && r.x + r.width >= x0 && r.y <= y1 && r.y + r.height >= y0;
}

function leafTooltip(leaf: Extract<Item, { kind: 'leaf' }>): string {
  const n = leaf.node;
  const lines = [`${n.name} = ${n.target}${n.argsText}`, n.type];
  if (leaf.module) lines.push(`module: ${leaf.module}`);
  if (leaf.weights.length) lines.push(`weights: ${leaf.weights.join(', ')}`);
  if (n.source) lines.push(`${n.source.file}:${n.source.line}  ${n.source.code ?? ''}`);
  return lines.join('\n');
}

function weightNamesOf(prog: ShownProgram): Set<string> {
  return new Set(prog.payload.signature.inputs.filter((s) => s.kind !== 'USER_INPUT').map((s) => s.name));
}

function clip(text: string, width: number): string {
  const max = Math.max(4, Math.floor((width - 16) / 7.1));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function useSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    const ro = new ResizeObserver(() => setSize({ width: node.clientWidth, height: node.clientHeight }));
    ro.observe(node);
    setSize({ width: node.clientWidth, height: node.clientHeight });
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

function GraphCanvas({ prog }: { prog: ShownProgram }): ReactElement {
  const overrides = useStore((s) => s.graphExpanded);
  const selected = useStore((s) => s.selectedNode);
  const cursorLine = useStore((s) => s.cursorLine);
  const search = useStore((s) => s.graphSearch);
  const searchIndex = useStore((s) => s.graphSearchIndex);

  const model = useMemo(() => buildGraphModel(prog.payload.graph, weightNamesOf(prog)), [prog]);
  const defaults = useMemo(() => defaultExpansion(model), [model]);
  const vg = useMemo(() => visibleGraph(model, overrides, defaults), [model, overrides, defaults]);
  const roles = useMemo(() => new Map(prog.payload.signature.inputs.map((s) => [s.name, s.kind.toLowerCase().replace('_', ' ').replace('user input', 'input')])), [prog.payload.signature]);
  const roleOf = useCallback((name: string) => roles.get(name), [roles]);

  const [layout, setLayout] = useState<Layout | null>(null);
  const [status, setStatus] = useState<'layout' | 'ready' | 'error'>('layout');
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const seq = useRef(0);
  const fitPending = useRef(true);
  const focusPending = useRef<string | null>(null);

  const hostRef = useRef<HTMLDivElement>(null);
  const size = useSize(hostRef);
  const [vp, setVp] = useState<Viewport>({ x: 0, y: 0, k: 1 });

  useEffect(() => {
    fitPending.current = true;
  }, [prog.key]);

  useEffect(() => {
    const mine = ++seq.current;
    setStatus('layout');
    layoutGraph(vg, roleOf).then(
      (l) => {
        if (seq.current !== mine) return;
        setLayout(l);
        setStatus('ready');
        setLayoutError(null);
      },
      (e: Error) => {
        if (seq.current !== mine) return;
        setStatus('error');
        setLayoutError(e.message);
      },
    );
  }, [vg, roleOf]);

  /** The whole graph in view (Fit button, double-click). */
  const fit = useCallback(() => {
    if (!layout || size.width === 0) return;
    const k = Math.max(MIN_K, Math.min(1, size.width / (layout.width + 20), size.height / (layout.height + 20)));
    setVp({ k, x: (size.width - layout.width * k) / 2, y: Math.max(8, (size.height - layout.height * k) / 2) });
  }, [layout, size.width, size.height]);

  /** The first view of a program: everything when that is readable, else its top (inputs) at a readable zoom. */
  const firstView = useCallback(() => {
    if (!layout || size.width === 0) return;
    const k = Math.min(1, size.width / (layout.width + 20), size.height / (layout.height + 20));
    if (k >= READABLE_K) return fit();
    let top: LaidOutBox | undefined;
    for (const b of layout.boxes.values()) if (!top || b.y < top.y || (b.y === top.y && b.x < top.x)) top = b;
    const cx0 = top ? top.x + top.width / 2 : layout.width / 2;
    const x = Math.min(8, Math.max(size.width - layout.width * READABLE_K - 8, size.width / 2 - cx0 * READABLE_K));
    setVp({ k: READABLE_K, x: layout.width * READABLE_K <= size.width ? (size.width - layout.width * READABLE_K) / 2 : x, y: 8 });
  }, [layout, size.width, size.height, fit]);

  const centerOn = useCallback(
    (r: LaidOutBox) => {
      setVp((v) => {
        const k = Math.max(v.k, 0.6);
        return { k, x: size.width / 2 - (r.x + r.width / 2) * k, y: size.height / 2 - (r.y + r.height / 2) * k };
      });
    },
    [size.width, size.height],
  );

  // After a layout: fit a new program; bring a searched/selected node into view.
  useEffect(() => {
    if (!layout || size.width === 0) return;
    if (fitPending.current) {
      fitPending.current = false;
      firstView();
    }
    const f = focusPending.current;
    if (f) {
      const r = layout.boxes.get(vg.repOf.get(f) ?? f);
      if (r) {
        focusPending.current = null;
        centerOn(r);
      }
    }
  }, [layout, size.width, size.height, firstView, centerOn, vg]);

  // Search: matches, and the current one expanded, selected and centred.
  const matches = useMemo(() => searchLeaves(model, search), [model, search]);
  const matchReps = useMemo(() => new Set(matches.map((m) => vg.repOf.get(m) ?? m)), [matches, vg]);
  useEffect(() => {
    if (!matches.length) return;
    const target = matches[searchIndex % matches.length]!;
    const closed = ancestorsOf(model, target).filter((g) => !(overrides[g] ?? defaults.has(g)));
    if (closed.length) setGroupsExpanded(closed, true);
    focusPending.current = target;
    selectNode(target);
    if (layout && !closed.length) {
      const r = layout.boxes.get(target);
      if (r) {
        focusPending.current = null;
        centerOn(r);
      }
    }
  }, [matches, searchIndex]);

  // Editor cursor → linked nodes (and the collapsed groups holding them).
  const linked = useMemo(() => {
    const out = new Set<string>();
    if (prog.kind !== 'export' || !cursorLine) return out;
    for (const it of model.items.values()) if (it.kind === 'leaf' && it.node.source?.line === cursorLine) out.add(vg.repOf.get(it.id) ?? it.id);
    return out;
  }, [model, vg, cursorLine, prog.kind]);
  useEffect(() => {
    if (!layout || linked.size === 0) return;
    const boxes = [...linked].map((id) => layout.boxes.get(id)).filter((b): b is LaidOutBox => Boolean(b));
    const x0 = -vp.x / vp.k;
    const y0 = -vp.y / vp.k;
    const inView = boxes.some((b) => intersects(b, x0, y0, x0 + size.width / vp.k, y0 + size.height / vp.k));
    if (!inView && boxes[0]) centerOn(boxes[0]);
  }, [linked, layout]);

  const selectedRep = selected ? (vg.repOf.get(selected) ?? selected) : null;

  // Pan and zoom.
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);
  const [panning, setPanning] = useState(false);
  const onPointerDown = (e: RPointerEvent) => {
    if ((e.target as Element).closest('.gnode, .header')) return;
    drag.current = { x: e.clientX, y: e.clientY, vx: vp.x, vy: vp.y, moved: false };
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    setPanning(true);
  };
  const onPointerMove = (e: RPointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) d.moved = true;
    setVp((v) => ({ ...v, x: d.vx + dx, y: d.vy + dy }));
  };
  const onPointerUp = () => {
    drag.current = null;
    setPanning(false);
  };
  useEffect(() => {
    const node = hostRef.current;
    if (!node) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = node.getBoundingClientRect();
      const mx = e.clientX - rect.left;
      const my = e.clientY - rect.top;
      setVp((v) => {
        const k = Math.min(MAX_K, Math.max(MIN_K, v.k * Math.exp(-e.deltaY * 0.0015)));
        return { k, x: mx - ((mx - v.x) * k) / v.k, y: my - ((my - v.y) * k) / v.k };
      });
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    return () => node.removeEventListener('wheel', onWheel);
  }, []);

  const zoomBy = (f: number) =>
    setVp((v) => {
      const k = Math.min(MAX_K, Math.max(MIN_K, v.k * f));
      const cx0 = size.width / 2;
      const cy0 = size.height / 2;
      return { k, x: cx0 - ((cx0 - v.x) * k) / v.k, y: cy0 - ((cy0 - v.y) * k) / v.k };
    });

  // Cull to the viewport.
  const x0 = -vp.x / vp.k - CULL_MARGIN;
  const y0 = -vp.y / vp.k - CULL_MARGIN;
  const x1 = (size.width - vp.x) / vp.k + CULL_MARGIN;
  const y1 = (size.height - vp.y) / vp.k + CULL_MARGIN;
  const frames = layout ? vg.frames.filter((f) => layout.frames.has(f.id) && intersects(layout.frames.get(f.id)!, x0, y0, x1, y1)) : [];
  const boxes = layout ? vg.boxes.filter((b) => layout.boxes.has(b.id) && intersects(layout.boxes.get(b.id)!, x0, y0, x1, y1)) : [];
  const edges = layout ? layout.edges.filter((e) => intersects(e.bbox, x0, y0, x1, y1)) : [];
  const showText = vp.k > 0.28;

  const nodeClass = (it: Item): string => {
    if (it.kind === 'group') return 'group';
    const op = it.node.op;
    return op === 'call_function' ? 'call' : op === 'placeholder' ? 'placeholder' : op === 'output' ? 'output' : 'attr';
  };

  const onBoxClick = (it: Item, e: RMouseEvent) => {
    e.stopPropagation();
    if (it.kind === 'group') {
      setGroupExpanded(it.id, true);
      focusPending.current = it.id;
      return;
    }
    const line = prog.kind === 'export' ? it.node.source?.line : undefined;
    selectNode(it.id, line);
  };

  const svg = el(
    'svg',
    { 'aria-label': 'Program graph', role: 'img' },
    el(
      'defs',
      null,
      el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: 'var(--edge)' })),
    ),
    el(
      'g',
      { transform: `translate(${vp.x},${vp.y}) scale(${vp.k})` },
      frames.map((f) => {
        const r = layout!.frames.get(f.id)!;
        const g = f.item as Extract<Item, { kind: 'group' }>;
        return el(
          'g',
          { key: f.id, className: cx('gframe', g.role), 'data-testid': 'graph-frame', 'data-group': f.id },
          el('rect', { x: r.x, y: r.y, width: r.width, height: r.height, rx: 8 }),
          el(
            'g',
            {
              className: 'header',
              'data-testid': 'graph-frame-header',
              onClick: (e: RMouseEvent) => {
                e.stopPropagation();
                setGroupExpanded(f.id, false);
              },
            },
            el('rect', { x: r.x, y: r.y, width: r.width, height: 24, fill: 'transparent' }),
            showText ? el('text', { x: r.x + 10, y: r.y + 16 }, clip(`▾ ${g.label}  ·  ${g.detail}  ·  ${g.callCount} ops`, r.width)) : null,
          ),
        );
      }),
      edges.map((e) =>
        el('path', {
          key: e.id,
          className: cx('gedge', { branch: e.branch, many: e.count > 1 }),
          d: `M${e.points.map((p) => `${p[0]},${p[1]}`).join('L')}`,
          markerEnd: 'url(#arrow)',
        }),
      ),
      boxes.map((b) => {
        const r = layout!.boxes.get(b.id)!;
        const lines = boxLines(b.item, roleOf);
        const isLeaf = b.item.kind === 'leaf';
        const node = isLeaf ? (b.item as Extract<Item, { kind: 'leaf' }>).node : null;
        return el(
          'g',
          {
            key: b.id,
            className: cx('gnode', nodeClass(b.item), { selected: selectedRep === b.id, linked: linked.has(b.id), match: matchReps.has(b.id) }),
            'data-testid': isLeaf ? 'graph-node' : 'graph-group',
            'data-role': isLeaf ? undefined : (b.item as Extract<Item, { kind: 'group' }>).role,
            'data-ops': isLeaf ? undefined : (b.item as Extract<Item, { kind: 'group' }>).callCount,
            'data-node': node?.name,
            'data-op': node?.op,
            'data-id': b.id,
            'data-line': node?.source?.line,
            onClick: (e: RMouseEvent) => onBoxClick(b.item, e),
          },
          el('title', null, isLeaf ? leafTooltip(b.item as Extract<Item, { kind: 'leaf' }>) : `${lines[0]} (${lines[1]}) — click to expand`),
          el('rect', { x: r.x, y: r.y, width: r.width, height: r.height, rx: 6 }),
          showText ? el('text', { x: r.x + 10, y: r.y + 17 }, clip(b.item.kind === 'group' ? `▸ ${lines[0]}` : lines[0], r.width)) : null,
          showText ? el('text', { x: r.x + 10, y: r.y + 33, className: 'sub' }, clip(lines[1], r.width)) : null,
          showText && lines[2] ? el('text', { x: r.x + 10, y: r.y + 49, className: 'type' }, clip(lines[2], r.width)) : null,
        );
      }),
    ),
  );

  return el(
    'div',
    { className: 'graph-area' },
    el(
      'div',
      {
        ref: hostRef,
        className: cx('graph-view', { panning }),
        'data-testid': 'graph-view',
        'data-state': status,
        'data-node-count': vg.visibleCallCount,
        'data-total-count': model.callCount,
        'data-box-count': vg.boxes.length,
        'data-rendered-count': boxes.length,
        'data-zoom': vp.k.toFixed(3),
        'data-layout-size': layout ? `${Math.round(layout.width)}x${Math.round(layout.height)}` : '',
        onPointerDown,
        onPointerMove,
        onPointerUp,
        onPointerCancel: onPointerUp,
        onDoubleClick: (e: RMouseEvent) => {
          if (!(e.target as Element).closest('.gnode, .header')) fit();
        },
        onClick: (e: RMouseEvent) => {
          if (!(e.target as Element).closest('.gnode, .header') && !drag.current) selectNode(null);
        },
      },
      svg,
    ),
    status === 'layout' && !layout ? el('div', { className: 'graph-overlay' }, `Laying out ${vg.boxes.length} boxes…`) : null,
    status === 'error' ? el('div', { className: 'graph-overlay' }, `Layout failed: ${layoutError}`) : null,
    el(
      'div',
      { className: 'graph-badge', 'data-testid': 'graph-badge' },
      `${vg.visibleCallCount} of ${model.callCount} ops shown · ${vg.boxes.length} boxes${status === 'layout' && layout ? ' · laying out…' : ''}`,
    ),
    el(
      'div',
      { style: { position: 'absolute', left: 8, bottom: 8, display: 'flex', gap: 4 } },
      el('button', { className: 'btn small', onClick: () => zoomBy(1.25), title: 'Zoom in' }, '+'),
      el('button', { className: 'btn small', onClick: () => zoomBy(0.8), title: 'Zoom out' }, '−'),
      el('button', { className: 'btn small', 'data-testid': 'graph-fit', onClick: fit, title: 'Fit to view (double-click the background)' }, 'Fit'),
    ),
  );
}

export function GraphPanel(): ReactElement {
  const prog = useShownProgram();
  const search = useStore((s) => s.graphSearch);
  const searchIndex = useStore((s) => s.graphSearchIndex);
  const exportState = useStore((s) => s.exportState);
  const stale = useStore((s) => s.exportState === 'error' && s.exportResult?.docId === s.activeDocId && !s.openedProgram);
  const model = useMemo(() => (prog ? buildGraphModel(prog.payload.graph, weightNamesOf(prog)) : null), [prog]);
  const matches = useMemo(() => (model ? searchLeaves(model, search) : []), [model, search]);
  const allGroups = model?.groups.map((g) => g.id) ?? [];
  return el(
    'section',
    { className: 'graph-panel', 'aria-label': 'Graph' },
    el(
      'div',
      { className: 'graph-toolbar' },
      el(
        'div',
        { className: 'title', title: prog?.title },
        prog ? (prog.kind === 'file' ? prog.title : 'Graph') : 'Graph',
        prog ? el('small', null, stale ? 'last successful export' : prog.kind === 'file' ? 'read-only' : '') : null,
      ),
      el(
        'div',
        { className: 'search' },
        el('input', {
          type: 'search',
          placeholder: 'Search nodes…',
          'data-testid': 'graph-search',
          value: search,
          disabled: !prog,
          onChange: (e: { currentTarget: HTMLInputElement }) => setGraphSearch(e.currentTarget.value),
          onKeyDown: (e: { key: string; shiftKey: boolean; preventDefault(): void }) => {
            if (e.key === 'Enter' && matches.length) {
              e.preventDefault();
              setGraphSearchIndex((searchIndex + (e.shiftKey ? matches.length - 1 : 1)) % matches.length);
            }
          },
        }),
        el('span', { className: 'hits', 'data-testid': 'graph-search-hits', 'data-count': matches.length }, search ? (matches.length ? `${(searchIndex % matches.length) + 1}/${matches.length}` : '0') : ''),
      ),
      el('button', { className: 'btn small', 'data-testid': 'graph-expand-all', disabled: !allGroups.length, onClick: () => setGroupsExpanded(allGroups, true), title: 'Expand every group' }, 'Expand all'),
      el('button', { className: 'btn small', 'data-testid': 'graph-collapse-all', disabled: !allGroups.length, onClick: () => setGroupsExpanded(allGroups, false), title: 'Collapse every group' }, 'Collapse'),
    ),
    prog
      ? h(GraphCanvas, { prog, key: prog.key })
      : el(
          'div',
          { className: 'graph-area' },
          el('div', { className: 'graph-view', 'data-testid': 'graph-view', 'data-state': 'empty', 'data-node-count': 0 }),
          el('div', { className: 'graph-overlay' }, exportState === 'running' ? 'Exporting…' : 'Press ▶ Export (Ctrl+Enter) to trace the model, or drop a .pt2 file anywhere.'),
        ),
  );
}
