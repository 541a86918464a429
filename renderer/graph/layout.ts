// Graph layout with ELK's layered algorithm (top-down data flow, orthogonal-ish
// routing, expanded groups as compound nodes), computed in a worker so a 1,000-node
// layout never blocks the UI. Returns flat, root-relative boxes, frames and edge
// polylines ready to draw and to cull against the viewport.

import type { VisibleGraph } from './model';
import LayoutWorker from './elk-layout.worker.ts?worker';
import { toElkGraph, type ElkEdge, type ElkNode } from './elk-graph';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface LaidOutBox extends Rect {
  id: string;
}
export interface LaidOutEdge {
  id: string;
  source: string;
  target: string;
  count: number;
  branch: boolean;
  points: Array<[number, number]>;
  bbox: Rect;
}
export interface Layout {
  boxes: Map<string, LaidOutBox>;
  frames: Map<string, LaidOutBox>;
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { ok: (r: ElkNode & { edges?: ElkEdge[] }) => void; fail: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (!worker) {
    worker = new LayoutWorker();
    worker.onmessage = (e: MessageEvent<{ id: number; result?: ElkNode & { edges?: ElkEdge[] }; error?: string }>) => {
      const w = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!w) return;
      if (e.data.error !== undefined) w.fail(new Error(e.data.error));
      else w.ok(e.data.result!);
    };
  }
  return worker;
}

export async function layoutGraph(vg: VisibleGraph, roleOf?: (name: string) => string | undefined): Promise<Layout> {
  const root = toElkGraph(vg, roleOf);
  const id = nextId++;
  const result = await new Promise<ElkNode & { edges?: ElkEdge[] }>((ok, fail) => {
    waiting.set(id, { ok, fail });
    layoutWorker().postMessage({ id, graph: root });
  });

  const boxes = new Map<string, LaidOutBox>();
  const frames = new Map<string, LaidOutBox>();
  const frameIds = new Set(vg.frames.map((f) => f.id));
  const visit = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      const r = { id: c.id, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
      (frameIds.has(c.id) ? frames : boxes).set(c.id, r);
      visit(c);
    }
  };
  visit(result);
  const byId = new Map(vg.edges.map((e) => [e.id, e]));
  const edges: LaidOutEdge[] = [];
  const collect = (n: ElkNode & { edges?: ElkEdge[] }): void => {
    for (const e of n.edges ?? []) {
      const meta = byId.get(e.id);
      if (!meta) continue;
      const points: Array<[number, number]> = [];
      for (const s of e.sections ?? []) {
        points.push([s.startPoint.x, s.startPoint.y]);
        for (const b of s.bendPoints ?? []) points.push([b.x, b.y]);
        points.push([s.endPoint.x, s.endPoint.y]);
      }
      if (points.length < 2) continue;
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      const bbox = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
      edges.push({ id: e.id, source: meta.source, target: meta.target, count: meta.count, branch: Boolean(meta.branch), points, bbox });
    }
    for (const c of n.children ?? []) collect(c as ElkNode & { edges?: ElkEdge[] });
  };
  collect(result);
  return { boxes, frames, edges, width: result.width ?? 0, height: result.height ?? 0 };
}
