// CpuRuntime: the Interpreter compiled for speed. The graph is turned once into
// a list of steps (arguments pre-bound to schema positions, node references as
// slot numbers, each op's kernel chosen: a fast kernel from fast-kernels.ts with
// the registry's reference kernel behind it), and each run walks that list over
// an array of slots. Values die at their last use and their buffers go back to
// the pool (memory-plan.ts); conv + batch-norm (+ activation) chains are fused
// (fusion.ts), as are pointwise chains such as GPT-2's GELU and GEMM + ReLU
// (pointwise-fusion.ts); steps that depend only on frozen inputs and input
// shapes run once per input-shape signature (const-fold.ts). Inputs and outputs
// are NDArrays (Tensors are unwrapped).

import { type StorageArray } from '../../core/dtype';
import { NDArray } from '../../core/ndarray';
import { type Graph, type Node, mapNodes } from '../../ir/graph';
import { Interpreter, decodeArg } from '../../ir/interpreter';
import { frameSummary } from '../../ir/codegen';
import { type OpRegistry } from '../../ops/registry';
import { defaultRegistry } from '../../ops/register-all';
import { bindArgs } from '../../ops/schema';
import { Tensor } from '../../trace/tensor';
import { GemmWorkspace } from './gemm';
import { type CpuThreads } from './kernel-threads';
import { type KernelContext } from './kernel-context';
import { fastKernels } from './fast-kernels';
import { BufferPool, Liveness } from './memory-plan';
import { PY_FUNCTIONS } from './python-ops';
import { fuseSteps } from './fusion';
import { fusePointwise } from './pointwise-fusion';
import { FoldCache, planFolding, slotsIn } from './const-fold';

export interface CpuRuntimeOptions {
  readonly registry?: OpRegistry;
  /** Use the WebAssembly SIMD GEMM when the host has it (default true). */
  readonly wasm?: boolean;
  /** Use fast kernels (default true); false runs every op on its reference kernel. */
  readonly fast?: boolean;
  /** Fuse conv + batch norm + activation chains (default true). */
  readonly fuse?: boolean;
  /** Placeholder indices whose values are the same on every run (parameters, constants): derived data is cached. */
  readonly frozenInputs?: ReadonlySet<number>;
  /** Fold steps that depend only on frozen inputs and input shapes: they rerun only when those change (default true). */
  readonly fold?: boolean;
  /** Worker threads for big kernel calls, from the host (Note [Kernel threads]); one thread without. */
  readonly threads?: CpuThreads;
  /** Share a workspace and pool (nested cond branches). */
  readonly shared?: { gemm: GemmWorkspace; pool: BufferPool };
}

/** A reference to another node's value inside a step's argument template. */
export class Slot {
  constructor(readonly index: number) {}
}

export type StepExec = (args: unknown[], ctx: KernelContext) => unknown;

export interface Step {
  readonly node: Node;
  readonly slot: number;
  /** Bound arguments with Slot placeholders. */
  args: unknown[];
  /** Indices of `args` that contain Slots (the rest are constants, shared across runs). */
  dyn: number[];
  exec: StepExec;
  /** Slots whose last use is this step (this step's own slot when nothing uses it). */
  releases: number[];
  /** Slots this step writes into (mutable schema arguments, in-place fusions). */
  writes?: number[];
  /** Run-time argument array (args with Slots filled), made on the first run. */
  bound?: unknown[];
}

const hasSlot = (a: unknown): boolean => a instanceof Slot || (Array.isArray(a) && a.some(hasSlot));

export function dynamicArgs(args: readonly unknown[]): number[] {
  const out: number[] = [];
  args.forEach((a, i) => {
    if (hasSlot(a)) out.push(i);
  });
  return out;
}

function fill(a: unknown, values: unknown[]): unknown {
  if (a instanceof Slot) return values[a.index];
  if (Array.isArray(a)) return a.map((x) => fill(x, values));
  return a;
}

export class CpuRuntime extends Interpreter {
  readonly gemm: GemmWorkspace;
  readonly pool: BufferPool;
  private readonly steps: Step[];
  /** The steps that run while the folded values are valid (all steps when nothing folds). */
  private readonly liveSteps: Step[];
  private readonly fold: FoldCache | undefined;
  private readonly slotOf = new Map<Node, number>();
  private readonly placeholderSlots: number[];
  private readonly outputTemplate: unknown;
  private readonly frozenInputs: ReadonlySet<number>;
  private readonly nested = new Map<Graph, CpuRuntime>();
  private readonly ctx: KernelContext & { op: string };
  private frozen = new WeakSet<StorageArray>();

  constructor(graph: Graph, readonly options: CpuRuntimeOptions = {}) {
    super(graph);
    this.gemm = options.shared?.gemm ?? new GemmWorkspace({ wasm: options.wasm, threads: options.threads });
    this.pool = options.shared?.pool ?? new BufferPool();
    this.frozenInputs = options.frozenInputs ?? new Set();
    graph.nodes.forEach((n, i) => this.slotOf.set(n, i));
    this.placeholderSlots = graph.placeholders.map((p) => this.slotOf.get(p)!);
    const pool = this.pool;
    const frozen = () => this.frozen;
    this.ctx = {
      op: '',
      gemm: this.gemm,
      allocF32: (n) => pool.alloc(n),
      recycleF32: (a) => pool.recycle(a),
      frozenKey: (a) => (frozen().has(a.storage.data) ? a.storage.data : undefined),
    };
    const out = graph.nodes.find((n) => n.op === 'output');
    this.outputTemplate = out ? this.template(out.args[0]) : undefined;
    this.steps = graph.nodes.filter((n) => n.op === 'call_function' || n.op === 'get_attr').map((n) => this.compile(n));
    if (options.fuse !== false && options.fast !== false) {
      fuseSteps(this.steps, graph, this.slotOf, (n) => this.isFrozenNode(n));
      const outs = new Set<Node>();
      visitSlots(this.outputTemplate, (i) => outs.add(graph.nodes[i]!));
      fusePointwise(this.steps, outs);
    }
    this.planReleases();
    const outSlots = new Set<number>();
    visitSlots(this.outputTemplate, (i) => outSlots.add(i));
    const plan = options.fold === false ? undefined : planFolding(this.steps, this.placeholderSlots, this.frozenInputs, outSlots);
    this.fold = plan && new FoldCache(plan, graph.nodes.length);
    this.liveSteps = plan ? this.steps.filter((s) => !plan.folded.has(s)) : this.steps;
  }

  /** Full runs that recomputed the folded values (tests, stats). */
  get foldRefreshes(): number {
    return this.fold?.refreshes ?? 0;
  }

  /** How many steps fold (0 when folding is off or nothing folds). */
  get foldedSteps(): number {
    return this.steps.length - this.liveSteps.length;
  }

  /** Op names that have a fast kernel (for coverage reports). */
  static fastOps(): string[] {
    return [...fastKernels().keys()];
  }

  private isFrozenNode(n: Node): boolean {
    return n.op === 'placeholder' && this.frozenInputs.has(this.graph.placeholders.indexOf(n));
  }

  private template(a: unknown): unknown {
    return decodeArg(mapNodes(a, (n) => new Slot(this.slotOf.get(n)!)));
  }

  private compile(n: Node): Step {
    const slot = this.slotOf.get(n)!;
    const step = (args: unknown[], exec: StepExec): Step => ({ node: n, slot, args, dyn: dynamicArgs(args), exec, releases: [] });
    if (n.op === 'get_attr') {
      const g = this.graph.subgraphs.get(n.target);
      return step([], () => g);
    }
    const rawArgs = this.template(n.args) as unknown[];
    const rawKwargs = this.template(n.kwargs) as Record<string, unknown>;
    const t = n.target;
    if (t === 'getitem') return step(rawArgs, (a) => (a[0] as unknown[])[a[1] as number]);
    const py = PY_FUNCTIONS[t];
    if (py) return step(rawArgs, (a) => py(a));
    if (t === 'higher_order.cond') return step(rawArgs, (a) => this.runCond(a));
    const registry = this.options.registry ?? defaultRegistry;
    const fast = this.options.fast === false ? undefined : FAST.get(t);
    const opDef = registry.get(t); // throws UnsupportedOperatorError naming an unknown op
    const bound = bindArgs(opDef.parsed, rawArgs, rawKwargs);
    const ref = opDef.cpu;
    const def = { name: t };
    const refCtx = { op: def.name };
    const writes = opDef.parsed.args.flatMap((a, i) => (a.mutable ? slotsIn(bound[i]) : []));
    const s = !fast
      ? step(bound, (a) => ref(a, refCtx))
      : step(bound, (a, ctx) => {
          const r = fast(a, ctx);
          return r === undefined ? ref(a, refCtx) : r;
        });
    if (writes.length) s.writes = writes;
    return s;
  }

  /** Each value is released after the last step that reads it; outputs and inputs never are. */
  private planReleases(): void {
    const last = new Map<number, Step>();
    const byNode = new Map<Node, Step>();
    for (const s of this.steps) byNode.set(s.node, s);
    for (const s of this.steps) {
      for (const inp of s.node.inputNodes()) last.set(this.slotOf.get(inp)!, s);
      // Fused steps read extra slots.
      visitSlots(s.args, (i) => last.set(i, s));
    }
    const outputs = new Set<number>();
    visitSlots(this.outputTemplate, (i) => outputs.add(i));
    const placeholders = new Set(this.placeholderSlots);
    for (const s of this.steps) {
      if (outputs.has(s.slot) || placeholders.has(s.slot)) continue;
      const user = last.get(s.slot) ?? s;
      user.releases.push(s.slot);
    }
  }

  private runCond(a: unknown[]): unknown {
    const [pred, tg, fg, operands] = a as [unknown, Graph, Graph, unknown[]];
    const p = pred instanceof NDArray ? pred.item() !== 0 : Boolean(pred);
    const g = p ? tg : fg;
    let rt = this.nested.get(g);
    if (!rt) {
      rt = new CpuRuntime(g, { ...this.options, frozenInputs: new Set(), shared: { gemm: this.gemm, pool: this.pool } });
      this.nested.set(g, rt);
    }
    const out = rt.run(operands);
    return Array.isArray(out) ? out : [out];
  }

  override run(inputs: readonly unknown[]): unknown {
    const phs = this.placeholderSlots;
    if (inputs.length !== phs.length) throw new Error(`graph expects ${phs.length} inputs, got ${inputs.length}`);
    const values = new Array<unknown>(this.graph.nodes.length);
    const pinned = new Set<StorageArray>();
    this.frozen = new WeakSet();
    const ins = new Array<unknown>(phs.length);
    for (let i = 0; i < phs.length; i++) {
      const v = inputs[i] instanceof Tensor ? (inputs[i] as Tensor).nd : inputs[i];
      values[phs[i]!] = ins[i] = v;
      if (v instanceof NDArray) {
        pinned.add(v.storage.data);
        if (this.frozenInputs.has(i)) this.frozen.add(v.storage.data);
      }
    }
    const fold = this.fold;
    let steps = this.steps;
    // During a full run with folding: where each boundary value lands in the cache.
    let capture: Int32Array | undefined;
    if (fold) {
      if (fold.valid(ins)) {
        steps = this.liveSteps;
        fold.prefill(values);
        for (const st of fold.storages) pinned.add(st);
      } else {
        fold.begin();
        capture = fold.boundaryIndex;
      }
    }
    const live = new Liveness(this.pool, pinned);
    const ctx = this.ctx;
    for (const s of steps) {
      let v: unknown;
      ctx.op = s.node.target;
      try {
        let args = s.args;
        const dyn = s.dyn;
        if (dyn.length) {
          // The step's own argument array, reused run after run (kernels do not keep it).
          const tmpl = args;
          args = s.bound ??= tmpl.slice();
          for (let k = 0; k < dyn.length; k++) {
            const i = dyn[k]!;
            const a = tmpl[i];
            args[i] = a instanceof Slot ? values[a.index] : fill(a, values);
          }
        }
        v = s.exec(args, ctx);
      } catch (e) {
        throw wrapError(e, s.node);
      }
      values[s.slot] = v;
      if (capture && capture[s.slot]! >= 0) for (const st of fold!.capture(capture[s.slot]!, v)) pinned.add(st);
      live.retain(v);
      const rel = s.releases;
      for (let k = 0; k < rel.length; k++) {
        const r = rel[k]!;
        live.release(values[r]);
        values[r] = undefined;
      }
    }
    if (capture) fold!.commit(ins);
    return fill(this.outputTemplate, values);
  }
}

function visitSlots(a: unknown, f: (i: number) => void): void {
  if (a instanceof Slot) f(a.index);
  else if (Array.isArray(a)) for (const x of a) visitSlots(x, f);
}

/** As the base Interpreter does: name the node and its source line in the error. */
export function wrapError(e: unknown, n: Node): unknown {
  if (!(e instanceof Error) || e.message.includes('While executing')) return e;
  const top = n.meta.stackTrace?.at(-1);
  const where = `While executing %${n.name} : ${n.target}${top ? `\nOriginal traceback:\n  ${frameSummary(top)}` : ''}`;
  try {
    (e as { message: string }).message = `${e.message}\n\n${where}`;
  } catch {
    // frozen error objects keep their message
  }
  return e;
}

const FAST = fastKernels();
