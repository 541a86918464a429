// The one Interpreter: walks a graph node by node, binding placeholders to the
// given inputs and handing each call to `callFunction`. CPU execution, re-tracing
// for decompositions and (later) GPU dispatch are subclasses. Values are dropped
// after their last use; errors are wrapped with the node and its source line.

import { EngineError } from '../core/errors';
import { type Graph, type Node, ArgTuple, mapNodes, isPlainRecord } from './graph';
import { TorchDType, TorchEnum, TorchDevice } from './format';
import { frameSummary } from './codegen';

export class Interpreter {
  protected env = new Map<Node, unknown>();

  constructor(readonly graph: Graph) {}

  run(inputs: readonly unknown[]): unknown {
    const phs = this.graph.placeholders;
    if (inputs.length !== phs.length) throw new Error(`graph expects ${phs.length} inputs, got ${inputs.length}`);
    this.env = new Map();
    phs.forEach((p, i) => this.env.set(p, inputs[i]));
    const lastUse = new Map<Node, Node>();
    for (const n of this.graph.nodes) for (const inp of n.inputNodes()) lastUse.set(inp, n);
    let result: unknown;
    for (const n of this.graph.nodes) {
      if (n.op === 'placeholder') continue;
      if (n.op === 'output') {
        result = this.materialize(n.args[0]);
        break;
      }
      let value: unknown;
      try {
        value = this.runNode(n);
      } catch (e) {
        throw this.wrapError(e, n);
      }
      this.env.set(n, value);
      for (const inp of n.inputNodes()) if (lastUse.get(inp) === n) this.env.delete(inp);
    }
    return result;
  }

  protected runNode(n: Node): unknown {
    if (n.op === 'get_attr') return this.getAttr(n);
    const args = this.materialize(n.args) as unknown[];
    const kwargs = this.materialize(n.kwargs) as Record<string, unknown>;
    return this.callFunction(n, args, kwargs);
  }

  /** Replace nodes by their values and node-only spellings (torch.float32) by engine values. */
  protected materialize(a: unknown): unknown {
    return decodeArg(mapNodes(a, (n) => {
      if (!this.env.has(n)) throw new Error(`internal error: value of ${n.name} is not available`);
      return this.env.get(n);
    }));
  }

  protected getAttr(n: Node): unknown {
    return this.graph.subgraphs.get(n.target);
  }

  protected callFunction(n: Node, _args: unknown[], _kwargs: Record<string, unknown>): unknown {
    throw new Error(`Interpreter cannot run ${n.target}`);
  }

  private wrapError(e: unknown, n: Node): unknown {
    if (!(e instanceof Error)) return e;
    const top = n.meta.stackTrace?.at(-1);
    const where = `While executing %${n.name} : ${n.target}${top ? `\nOriginal traceback:\n  ${frameSummary(top)}` : ''}`;
    if (e instanceof EngineError) {
      if (!e.message.includes('While executing')) (e as { message: string }).message = `${e.message}\n\n${where}`;
      return e;
    }
    return e;
  }
}

/** Node argument spellings back to engine values: torch.float32 → 'float32', tuples → arrays. */
export function decodeArg(a: unknown): unknown {
  if (a instanceof TorchDType) return a.dtype;
  if (a instanceof TorchEnum) return { enum: `torch.${a.name}` };
  if (a instanceof TorchDevice) return { enum: `device(type='${a.type}')` };
  if (a instanceof ArgTuple) return a.items.map(decodeArg);
  if (Array.isArray(a)) return a.map(decodeArg);
  if (isPlainRecord(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) out[k] = decodeArg(v);
    return out;
  }
  return a;
}
