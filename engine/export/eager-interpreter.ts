// Runs a graph on real tensors through the dispatcher's eager mode: aten ops run
// their CPU kernels, operator.* nodes compute on ints, getitem indexes, and
// higher-order cond runs the chosen branch's subgraph.

import { type Graph, type Node } from '../ir/graph';
import { Interpreter } from '../ir/interpreter';
import { defaultRegistry } from '../ops/register-all';
import { bindArgs } from '../ops/schema';
import { runEager } from '../trace/dispatch';
import { Tensor } from '../trace/tensor';
import { withTracer } from '../trace/tracer';

const PY_OPS: Record<string, (a: number, b: number) => number | boolean> = {
  'operator.add': (a, b) => a + b,
  'operator.sub': (a, b) => a - b,
  'operator.mul': (a, b) => a * b,
  'operator.floordiv': (a, b) => Math.floor(a / b),
  'operator.mod': (a, b) => a - Math.floor(a / b) * b,
  'operator.truediv': (a, b) => a / b,
  'operator.eq': (a, b) => a === b,
  'operator.ne': (a, b) => a !== b,
  'operator.lt': (a, b) => a < b,
  'operator.le': (a, b) => a <= b,
  'operator.gt': (a, b) => a > b,
  'operator.ge': (a, b) => a >= b,
};

/** Python's round(): half to even. */
function pyRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const PY_UNARY: Record<string, (a: number) => number> = {
  round: pyRound,
  'math.floor': Math.floor,
  'math.ceil': Math.ceil,
  'math.trunc': Math.trunc,
};

function truthy(v: unknown): boolean {
  if (v instanceof Tensor) return v.nd.item() !== 0;
  return Boolean(v);
}

export class EagerInterpreter extends Interpreter {
  constructor(graph: Graph) {
    super(graph);
  }

  override run(inputs: readonly unknown[]): unknown {
    return withTracer(undefined, () => super.run(inputs));
  }

  protected override callFunction(n: Node, args: unknown[], kwargs: Record<string, unknown>): unknown {
    const t = n.target;
    if (t === 'getitem') return (args[0] as unknown[])[args[1] as number];
    const py = PY_OPS[t];
    if (py) return py(Number(args[0]), Number(args[1]));
    const unary = PY_UNARY[t];
    if (unary) return unary(Number(args[0]));
    if (t === 'higher_order.cond') {
      const [pred, tg, fg, operands] = args as [unknown, Graph, Graph, unknown[]];
      const g = truthy(pred) ? tg : fg;
      const out = new EagerInterpreter(g).run(operands);
      return Array.isArray(out) ? out : [out];
    }
    const def = defaultRegistry.get(t);
    return runEager(def, bindArgs(def.parsed, args, kwargs));
  }
}
