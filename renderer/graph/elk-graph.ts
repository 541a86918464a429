// The ELK input for a visible graph: expanded groups as compound nodes holding their
// children, boxes sized from their text, all edges at the root with hierarchy handling
// INCLUDE_CHILDREN so ELK routes edges across group borders. Pure (unit-testable and
// usable from Node for layout experiments).

import type { VisibleGraph } from './model';
import { boxLines, boxSize } from './model';

export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
  layoutOptions?: Record<string, string>;
}
export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }>;
}

export const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.spacing.nodeNodeBetweenLayers': '28',
  'elk.spacing.nodeNode': '18',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};
export const GROUP_OPTIONS: Record<string, string> = { 'elk.padding': '[top=30,left=12,bottom=12,right=12]' };

export function toElkGraph(vg: VisibleGraph, roleOf?: (name: string) => string | undefined): ElkNode & { edges: ElkEdge[] } {
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode & { edges: ElkEdge[] } = { id: '__root', layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const containerOf = (parent: string | null): ElkNode => (parent === null ? root : nodes.get(parent)!);
  for (const f of vg.frames) {
    const n: ElkNode = { id: f.id, children: [], layoutOptions: GROUP_OPTIONS };
    nodes.set(f.id, n);
    containerOf(f.parent).children!.push(n);
  }
  for (const b of vg.boxes) {
    const size = boxSize(boxLines(b.item, roleOf));
    const n: ElkNode = { id: b.id, ...size };
    nodes.set(b.id, n);
    containerOf(b.parent).children!.push(n);
  }
  root.edges = vg.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return root;
}
