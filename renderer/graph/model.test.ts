import { describe, expect, it } from 'vitest';
import type { GraphNodeInfo, GraphPayload } from '../../main/common/ipc-contract';
import { CHUNK_SIZE, ancestorsOf, buildGraphModel, defaultExpansion, searchLeaves, visibleGraph, type Group } from './model';

const node = (name: string, op: GraphNodeInfo['op'], inputs: string[] = [], moduleStack: Array<[string, string]> = [], target = op === 'call_function' ? 'aten.relu.default' : name): GraphNodeInfo => ({
  name,
  op,
  target,
  inputs,
  type: 'f32[s0, 4]',
  argsText: '',
  moduleStack,
});

/** x → N blocks of (linear with weight w_i, relu) → output */
function chain(n: number): { payload: GraphPayload; weights: Set<string> } {
  const nodes: GraphNodeInfo[] = [];
  const weights = new Set<string>();
  for (let i = 0; i < n; i++) {
    nodes.push(node(`p_blocks_${i}_fc_weight`, 'placeholder'));
    weights.add(`p_blocks_${i}_fc_weight`);
  }
  nodes.push(node('x', 'placeholder'));
  let prev = 'x';
  for (let i = 0; i < n; i++) {
    const stack: Array<[string, string]> = [['blocks', 'torch.nn.modules.container.Sequential'], [`blocks.${i}`, 'Block']];
    nodes.push(node(`linear_${i}`, 'call_function', [prev, `p_blocks_${i}_fc_weight`], [...stack, [`blocks.${i}.fc`, 'Linear']], 'aten.linear.default'));
    nodes.push(node(`relu_${i}`, 'call_function', [`linear_${i}`], [...stack, [`blocks.${i}.act`, 'ReLU']]));
    prev = `relu_${i}`;
  }
  nodes.push(node('output', 'output', [prev]));
  return { payload: { nodes, subgraphs: {} }, weights };
}

describe('graph model', () => {
  it('groups by nn_module_stack, folds weights and single-op modules', () => {
    const { payload, weights } = chain(2);
    const m = buildGraphModel(payload, weights);
    expect(m.callCount).toBe(4);
    const blocks = m.groups.find((g) => g.label === 'blocks')!;
    expect(blocks.detail).toBe('Sequential');
    const block0 = m.groups.find((g) => g.label === '0')!;
    // fc (Linear) and act (ReLU) are single ops: no frames of their own.
    expect(block0.children.map((c) => m.items.get(c)!.kind)).toEqual(['leaf', 'leaf']);
    const linear = m.items.get('n:linear_0')!;
    expect(linear.kind === 'leaf' && linear.weights).toEqual(['p_blocks_0_fc_weight']);
    expect(linear.kind === 'leaf' && linear.module).toBe('fc · Linear');
    expect(m.items.has('n:p_blocks_0_fc_weight')).toBe(false);
  });

  it('chunks long child lists and expands within a budget by default', () => {
    const { payload, weights } = chain(100);
    const m = buildGraphModel(payload, weights);
    const blocks = m.groups.find((g) => g.label === 'blocks')!;
    expect(blocks.children.length).toBe(Math.ceil(100 / CHUNK_SIZE));
    const chunk = m.items.get(blocks.children[0]!) as Group;
    expect(chunk.role).toBe('chunk');
    expect(chunk.label).toBe('0 … 31');
    const defaults = defaultExpansion(m, 60);
    const vg = visibleGraph(m, {}, defaults);
    expect(vg.boxes.length).toBeLessThanOrEqual(60);
    expect(vg.visibleCallCount).toBeLessThan(m.callCount);
    // Expanding everything shows every op; edges follow the data.
    const all = Object.fromEntries(m.groups.map((g) => [g.id, true]));
    const full = visibleGraph(m, all, defaults);
    expect(full.visibleCallCount).toBe(200);
    expect(full.edges.length).toBe(201); // x → linear_0, 99 relu → linear, 100 linear → relu, relu_99 → output
  });

  it('edges into a collapsed group land on the group, once', () => {
    const { payload, weights } = chain(3);
    const m = buildGraphModel(payload, weights);
    const blocks = m.groups.find((g) => g.label === 'blocks')!;
    const vg = visibleGraph(m, { [blocks.id]: false }, new Set());
    expect(vg.boxes.map((b) => b.id)).toEqual(['n:x', blocks.id, 'n:output']);
    expect(vg.edges.map((e) => [e.source, e.target])).toEqual([
      ['n:x', blocks.id],
      [blocks.id, 'n:output'],
    ]);
  });

  it('search finds nodes by name, op, module and weight, and knows their groups', () => {
    const { payload, weights } = chain(3);
    const m = buildGraphModel(payload, weights);
    expect(searchLeaves(m, 'relu_2')).toEqual(['n:relu_2']);
    expect(searchLeaves(m, 'LINEAR.default').length).toBe(3);
    expect(searchLeaves(m, 'p_blocks_1_fc')).toEqual(['n:linear_1']);
    expect(ancestorsOf(m, 'n:relu_2').map((g) => (m.items.get(g) as Group).label)).toEqual(['blocks', '2']);
  });

  it('cond branches become nested groups linked from the cond node', () => {
    const payload: GraphPayload = {
      nodes: [
        node('x', 'placeholder'),
        node('true_graph_0', 'get_attr'),
        node('false_graph_0', 'get_attr'),
        { ...node('cond', 'call_function', ['x', 'true_graph_0', 'false_graph_0'], [], 'cond'), subgraphs: ['true_graph_0', 'false_graph_0'] },
        node('getitem', 'call_function', ['cond'], [], '<built-in function getitem>'),
        node('output', 'output', ['getitem']),
      ],
      subgraphs: {
        true_graph_0: { nodes: [node('x', 'placeholder'), node('sin', 'call_function', ['x'], [], 'aten.sin.default'), node('output', 'output', ['sin'])], subgraphs: {} },
        false_graph_0: { nodes: [node('x', 'placeholder'), node('cos', 'call_function', ['x'], [], 'aten.cos.default'), node('output', 'output', ['cos'])], subgraphs: {} },
      },
    };
    const m = buildGraphModel(payload);
    const vg = visibleGraph(m, {}, defaultExpansion(m));
    expect(vg.frames.map((f) => (f.item as Group).role)).toEqual(['cond', 'branch', 'branch']);
    expect(vg.visibleCallCount).toBe(4);
    expect(vg.edges.filter((e) => e.branch).map((e) => e.target)).toEqual(['n:true_graph_0/x', 'n:false_graph_0/x']);
  });
});
