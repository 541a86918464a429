// Python code for a graph, in torch.fx's two spellings: `graph_module.code`
// (plain) and `print_readable()` (type annotations, `# File:` source comments,
// nested subgraph classes), which print(ep) embeds.

import { type Graph, type Node, type StackFrame } from './graph';
import { formatArg } from './format';
import { shortName } from '../core/dtype';
import { isTensorMeta } from '../ops/types';
import { SymBool, SymInt, intLikeToString } from '../symbolic';

const INFIX: Record<string, string> = {
  'operator.add': '+',
  'operator.sub': '-',
  'operator.mul': '*',
  'operator.floordiv': '//',
  'operator.mod': '%',
  'operator.truediv': '/',
  'operator.eq': '==',
  'operator.ne': '!=',
  'operator.lt': '<',
  'operator.le': '<=',
  'operator.gt': '>',
  'operator.ge': '>=',
  'operator.and_': '&',
  'operator.or_': '|',
};

/** How a call target is spelled in code: `torch.ops.aten.add.Tensor`. */
export function targetString(target: string): string {
  if (target.startsWith('aten.') || target.startsWith('prims.')) return `torch.ops.${target}`;
  if (target === 'higher_order.cond') return 'torch.ops.higher_order.cond';
  if (target.startsWith('higher_order.')) return `torch.ops.${target}`;
  return target;
}

/** The type annotation torch writes for a node's value, or '' when it writes none. */
export function annotationOf(val: unknown): string {
  if (isTensorMeta(val)) return `${shortName(val.dtype)}[${val.shape.map(intLikeToString).join(', ')}]`;
  if (val instanceof SymInt || val instanceof SymBool) return `Sym(${val.toString()})`;
  return '';
}

export function frameSummary(f: StackFrame): string {
  return f.code ? `File: ${f.file}:${f.line} in ${f.name}, code: ${f.code}` : `File: ${f.file}:${f.line} in ${f.name}`;
}

function callExpr(n: Node): string {
  const infix = INFIX[n.target];
  if (infix) return `${formatArg(n.args[0])} ${infix} ${formatArg(n.args[1])}`;
  if (n.target === 'getitem') return `${formatArg(n.args[0])}[${formatArg(n.args[1])}]`;
  const args = n.args.map(formatArg);
  for (const [k, v] of Object.entries(n.kwargs)) args.push(`${k} = ${formatArg(v)}`);
  return `${targetString(n.target)}(${args.join(', ')})`;
}

/** For each node, the values whose last use it is (fx's user_to_last_uses). */
function lastUses(graph: Graph): Map<Node, Node[]> {
  const seen = new Set<Node>();
  const out = new Map<Node, Node[]>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    for (const inp of n.inputNodes()) {
      if (seen.has(inp)) continue;
      seen.add(inp);
      if (!out.has(n)) out.set(n, []);
      out.get(n)!.push(inp);
    }
  }
  return out;
}

interface BodyOptions {
  readonly verbose: boolean;
}

function bodyLines(graph: Graph, opts: BodyOptions): string[] {
  const uses = lastUses(graph);
  const lines: string[] = [];
  let prevStack: string | null = null;
  for (const n of graph.nodes) {
    if (n.op === 'placeholder') continue;
    if (n.op === 'output') {
      const v = n.args[0];
      const items = Array.isArray(v) ? v : [v];
      lines.push(`return ${items.length === 1 ? `(${formatArg(items[0])},)` : `(${items.map(formatArg).join(', ')})`}`);
      continue;
    }
    if (opts.verbose) {
      const st = n.meta.stackTrace;
      const top = st && st.length ? st[st.length - 1]! : undefined;
      const key = top ? JSON.stringify(st) : '';
      if (top) {
        if (key !== prevStack) {
          prevStack = key;
          if (lines.length) lines.push('');
          lines.push(`# ${frameSummary(top)}`);
        }
      } else if (prevStack !== '') {
        prevStack = '';
        if (lines.length) lines.push('');
        lines.push('# No stacktrace found for following nodes');
      }
    }
    const ann = opts.verbose ? annotationOf(n.meta.val) : '';
    const lhs = ann ? `${n.name}: "${ann}"` : n.name;
    const rhs = n.op === 'get_attr' ? `self.${n.target}` : callExpr(n);
    const dels = [...(uses.get(n) ?? [])];
    if (n.users.size === 0) dels.push(n);
    lines.push(dels.length ? `${lhs} = ${rhs};  ${dels.map((d) => d.name).join(' = ')} = None` : `${lhs} = ${rhs}`);
  }
  return lines;
}

function signatureParams(graph: Graph, verbose: boolean): string {
  return ['self', ...graph.placeholders.map((p) => {
    const ann = verbose ? annotationOf(p.meta.val) : '';
    return ann ? `${p.name}: "${ann}"` : p.name;
  })].join(', ');
}

/** `graph_module.code`. */
export function pythonCode(graph: Graph): string {
  const body = bodyLines(graph, { verbose: false }).map((l) => `    ${l}`);
  return `\n\n\ndef forward(${signatureParams(graph, false)}):\n${body.join('\n')}\n    `;
}

/** `graph_module.print_readable(print_output=False)`. */
export function readableCode(graph: Graph, className = 'GraphModule', indent = ''): string {
  const body = bodyLines(graph, { verbose: true }).map((l) => (l ? `${indent}        ${l}` : ''));
  let s = `${indent}class ${className}(torch.nn.Module):\n${indent}    def forward(${signatureParams(graph, true)}):\n${body.join('\n')}\n`;
  for (const [name, sub] of graph.subgraphs) s += `\n${readableCode(sub, name, `${indent}    `)}`;
  return s;
}
