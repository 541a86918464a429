/// <reference types="@webgpu/types" />
// WebGpuRuntime: the Interpreter on a WebGPU device. The graph is compiled once
// into steps (as on CPU) with pointwise chains fused into single dispatches
// (fuse.ts). A run records every dispatch, then encodes them into one command
// encoder and submits once; the outputs come back in one readback (gpu-exec.ts).
// float32 tensors live on the GPU; integer and boolean bookkeeping (positions,
// masks, sizes) runs on the host with the CPU kernels and is uploaded where a
// GPU op reads it. An op with no GPU kernel for its arguments runs on the host
// too; if that needs GPU data it costs an extra readback, which is counted in
// `exec.stats` and reported through `onHostFallback`. Steps that depend only on
// frozen inputs and input shapes (masks, position ids) run once per input-shape
// signature (gpu-fold.ts).

import { type DType, type StorageArray, makeStorage } from '../../core/dtype';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../core/scalar';
import { type Graph, type Node, mapNodes } from '../../ir/graph';
import { Interpreter, decodeArg } from '../../ir/interpreter';
import { type OpRegistry } from '../../ops/registry';
import { type TensorMeta, isTensorMeta } from '../../ops/types';
import { defaultRegistry } from '../../ops/register-all';
import { bindArgs } from '../../ops/schema';
import { Tensor } from '../../trace/tensor';
import { Slot, wrapError } from '../cpu/cpu-runtime';
import { fastKernels } from '../cpu/fast-kernels';
import { GemmWorkspace } from '../cpu/gemm';
import { type KernelContext } from '../cpu/kernel-context';
import { BufferPool } from '../cpu/memory-plan';
import { PY_FUNCTIONS } from '../cpu/python-ops';
import { broadcastShapes, pointwiseOutputStrides } from '../cpu/elementwise';
import { type GpuDevice } from './device';
import { GpuExecutor, GpuStorage, gpuStorage, isGpu } from './gpu-exec';
import { type GpuCtx, METADATA_OPS, VIEW_OPS, broadcastStrides } from './gpu-kernels';
import { GPU_KERNELS } from './kernel-table';
import { SerialQueue, Slicer } from './gpu-wait';
import { GpuFold } from './gpu-fold';
import { POINTWISE, pointwiseEligible, pointwiseGroups } from './fuse';
import { type ConvBnChain, ConvBnFolder, findConvBnChains } from './conv-bn-fold';
import { type Expr, elemOf, fusedElementwiseProgram, fusedElementwiseRun, pointwisePlan } from './ops/elementwise';
import { contiguousTyped, copyTyped } from './ops/tensor-ops';
import { type ElemType } from './program';

export interface WebGpuRuntimeOptions {
  readonly registry?: OpRegistry;
  /** Placeholder indices that never change between runs: uploaded once. */
  readonly frozenInputs?: ReadonlySet<number>;
  /** Fuse pointwise chains (default true). */
  readonly fuse?: boolean;
  /** Told about every op that ran on the host although it had GPU inputs (an extra readback). */
  readonly onHostFallback?: (op: string, node: string) => void;
}

interface GpuStep {
  readonly node: Node;
  readonly slot: number;
  /** Bound arguments with Slots. */
  readonly args: unknown[];
  readonly kind: 'attr' | 'getitem' | 'py' | 'cond' | 'op' | 'pointwise' | 'convbn';
  /** Pointwise roots: the fused members (root included), topologically ordered. */
  readonly members?: Node[];
  /** 'convbn': the conv → batch norm (→ activation) chain the step computes (its node is the conv, its slot the chain's tail). */
  readonly chain?: ConvBnChain;
  /** Slots released after this step. */
  releases: number[];
}

const fill = (a: unknown, values: unknown[]): unknown => (a instanceof Slot ? values[a.index] : Array.isArray(a) ? a.map((x) => fill(x, values)) : a);
const FAST = fastKernels();
const EMPTY = () => new NDArray(new Storage('float32', new Float32Array(0)), [0], [1]);

export class WebGpuRuntime extends Interpreter {
  readonly exec: GpuExecutor;
  private readonly steps: GpuStep[] = [];
  private readonly slotOf = new Map<Node, number>();
  private readonly boundOf = new Map<Node, unknown[]>();
  private readonly outputTemplate: unknown;
  private readonly hostCtx: KernelContext & { op: string };
  private readonly queue = new SerialQueue();
  private readonly nested = new Map<Graph, WebGpuRuntime>();
  private frozen = new WeakSet<object>();
  private uploads = new Map<NDArray, Map<ElemType, NDArray>>();
  /** Folded conv → batch norm weights (conv-bn-fold.ts). */
  readonly convBn = new ConvBnFolder();
  private readonly fold: GpuFold<GpuStep> | undefined;

  constructor(graph: Graph, readonly gpu: GpuDevice, readonly options: WebGpuRuntimeOptions = {}, exec?: GpuExecutor) {
    super(graph);
    this.exec = exec ?? new GpuExecutor(gpu.device);
    graph.nodes.forEach((n, i) => this.slotOf.set(n, i));
    const pool = new BufferPool();
    // The host's GEMM workspace (WebAssembly) is made on first use only.
    let gemm: GemmWorkspace | undefined;
    this.hostCtx = {
      op: '',
      get gemm() {
        return (gemm ??= new GemmWorkspace());
      },
      allocF32: (n) => pool.alloc(n),
      frozenKey: () => undefined,
    };
    const out = graph.nodes.find((n) => n.op === 'output');
    this.outputTemplate = out ? this.template(out.args[0]) : undefined;
    const registry = options.registry ?? defaultRegistry;
    for (const n of graph.nodes) {
      if (n.op !== 'call_function') continue;
      const parsed = registry.has(n.target) ? registry.get(n.target).parsed : undefined;
      if (parsed) this.boundOf.set(n, bindArgs(parsed, this.template(n.args) as unknown[], this.template(n.kwargs) as Record<string, unknown>));
      else if (!PY_FUNCTIONS[n.target] && n.target !== 'getitem' && n.target !== 'higher_order.cond') registry.get(n.target); // names the unknown op
    }
    const nodeBound = (n: Node) => this.boundOf.get(n)?.map((a) => (a instanceof Slot ? graph.nodes[a.index] : a));
    const frozenPh = new Set([...(options.frozenInputs ?? [])].map((i) => graph.placeholders[i]));
    const chains = options.fuse === false ? [] : findConvBnChains(graph.nodes, (n) => nodeBound(n), (n) => frozenPh.has(n));
    const chainOf = new Map<Node, ConvBnChain>();
    for (const c of chains) for (const m of c.nodes) chainOf.set(m, c);
    const groups = options.fuse === false ? new Map<Node, Node>() : pointwiseGroups(graph.nodes, nodeBound, undefined, new Set(chainOf.keys()));
    const members = new Map<Node, Node[]>();
    for (const n of graph.nodes) {
      const root = groups.get(n);
      if (root) members.set(root, [...(members.get(root) ?? []), n]);
    }
    for (const n of graph.nodes) {
      if (n.op !== 'call_function' && n.op !== 'get_attr') continue;
      const root = groups.get(n);
      if (root && root !== n) continue; // computed inside its root's dispatch
      const chain = chainOf.get(n);
      if (chain) {
        // One step for the chain, at the conv: its arguments, then the batch norm's γ, β, μ, σ².
        if (chain.conv === n) this.steps.push({ node: n, slot: this.slotOf.get(chain.tail)!, args: [...this.boundOf.get(n)!, ...this.boundOf.get(chain.bn)!.slice(1, 5)], kind: 'convbn', chain, releases: [] });
        continue;
      }
      const slot = this.slotOf.get(n)!;
      const kind = n.op === 'get_attr' ? 'attr' : n.target === 'getitem' ? 'getitem' : PY_FUNCTIONS[n.target] ? 'py' : n.target === 'higher_order.cond' ? 'cond' : root ? 'pointwise' : 'op';
      const args = this.boundOf.get(n) ?? (this.template(n.args) as unknown[]);
      this.steps.push({ node: n, slot, args, kind, members: root ? members.get(root) : undefined, releases: [] });
    }
    this.planReleases();
    const outSlots = new Set<number>();
    const visitOut = (a: unknown): void => (a instanceof Slot ? void outSlots.add(a.index) : Array.isArray(a) ? a.forEach(visitOut) : undefined);
    visitOut(this.outputTemplate);
    this.fold = GpuFold.plan(this.steps, (n) => this.boundOf.get(n), registry, graph.placeholders.map((p) => this.slotOf.get(p)!), options.frozenInputs ?? new Set(), outSlots, graph.nodes.length);
  }

  /** Steps that run once per input-shape signature (gpu-fold.ts); 0 when nothing folds. */
  get foldedSteps(): number {
    return this.fold?.foldedSteps ?? 0;
  }

  /** Full runs that computed the folded values. */
  get foldRefreshes(): number {
    return this.fold?.refreshes ?? 0;
  }

  private template(a: unknown): unknown {
    return decodeArg(mapNodes(a, (n) => new Slot(this.slotOf.get(n)!)));
  }

  private planReleases(): void {
    const last = new Map<number, GpuStep>();
    const visit = (a: unknown, s: GpuStep) => {
      if (a instanceof Slot) last.set(a.index, s);
      else if (Array.isArray(a)) for (const x of a) visit(x, s);
    };
    for (const s of this.steps) {
      visit(s.args, s);
      for (const m of s.members ?? []) visit(this.boundOf.get(m), s);
    }
    const keep = new Set<number>();
    const visitOut = (a: unknown) => (a instanceof Slot ? keep.add(a.index) : Array.isArray(a) ? a.forEach(visitOut) : undefined);
    visitOut(this.outputTemplate);
    for (const p of this.graph.placeholders) keep.add(this.slotOf.get(p)!);
    for (const s of this.steps) if (!keep.has(s.slot)) (last.get(s.slot) ?? s).releases.push(s.slot);
  }

  /** Run on the GPU; resolves to the outputs as host NDArrays. Runs on one runtime are serialized. */
  override run(inputs: readonly unknown[]): Promise<unknown> {
    return this.queue.run(() => this.runOnce(inputs));
  }

  private async runOnce(inputs: readonly unknown[]): Promise<unknown> {
    const phs = this.graph.placeholders;
    if (inputs.length !== phs.length) throw new Error(`graph expects ${phs.length} inputs, got ${inputs.length}`);
    const values = new Array<unknown>(this.graph.nodes.length);
    this.frozen = new WeakSet();
    this.uploads = new Map();
    const ins = phs.map((p, i) => {
      const v = inputs[i] instanceof Tensor ? (inputs[i] as Tensor).nd : inputs[i];
      values[this.slotOf.get(p)!] = v;
      if (v instanceof NDArray && this.options.frozenInputs?.has(i)) this.frozen.add(v.storage.data);
      return v;
    });
    const fold = this.fold;
    const kept = fold?.begin(ins, values, (st) => this.exec.recycle(st)) ?? false;
    // Folded host values are the same arrays run after run: upload them once, as weights are.
    if (kept) for (const st of fold!.hostStorages) this.frozen.add(st);
    const steps = kept ? fold!.liveSteps : this.steps;
    const refs = new Map<GpuStorage, number>();
    const retain = (v: unknown): void => {
      if (isGpu(v)) refs.set(gpuStorage(v), (refs.get(gpuStorage(v)) ?? 0) + 1);
      else if (Array.isArray(v)) v.forEach(retain);
    };
    const release = (v: unknown): void => {
      if (isGpu(v)) {
        const s = gpuStorage(v);
        const n = (refs.get(s) ?? 1) - 1;
        if (n > 0) refs.set(s, n);
        else {
          refs.delete(s);
          if (!fold?.isPinned(s)) this.exec.recycle(s);
        }
      } else if (Array.isArray(v)) v.forEach(release);
    };
    // Recording is synchronous JS: slice it (Note [Dawn in Node: aborts while waiting]).
    const slicer = new Slicer();
    for (const s of steps) {
      await slicer.tick();
      let v: unknown;
      try {
        v = await this.runStep(s, values);
      } catch (e) {
        throw wrapError(e, s.node);
      }
      values[s.slot] = v;
      if (fold && !kept) fold.capture(s.slot, v);
      retain(v);
      for (const r of s.releases) {
        release(values[r]);
        values[r] = undefined;
      }
    }
    if (fold && !kept) fold.commit(ins);
    const out = fill(this.outputTemplate, values);
    const gpuOuts: NDArray[] = [];
    const collect = (a: unknown): void => {
      if (isGpu(a)) gpuOuts.push(a);
      else if (Array.isArray(a)) a.forEach(collect);
    };
    collect(out);
    const dense = gpuOuts.map((o) => (o.isContiguous() ? o : contiguousTyped(this.ctx(), o)));
    const data = await this.exec.finish(dense);
    const host = new Map(gpuOuts.map((o, i) => [o, hostArray(o, data[i]!)]));
    for (const [o] of host) release(o);
    const swap = (a: unknown): unknown => (isGpu(a) ? host.get(a) : Array.isArray(a) ? a.map(swap) : a);
    return swap(out);
  }

  /** The context GPU kernels get (one object for the runtime's life: kernels run for every step of every run). */
  private ctx(): GpuCtx {
    return (this.kernelCtx ??= { exec: this.exec, gpu: (a, type) => this.onGpu(a, type ?? 'f32') });
  }
  private kernelCtx: GpuCtx | undefined;

  /** A tensor on the GPU: GPU arrays as they are, host arrays uploaded (once per run, weights once ever). */
  private onGpu(a: NDArray, type: ElemType): NDArray {
    if (a.storage instanceof GpuStorage) return a;
    let byType = this.uploads.get(a);
    const hit = byType?.get(type);
    if (hit) return hit;
    const up = this.exec.upload(a, type, this.frozen.has(a.storage.data));
    if (!byType) this.uploads.set(a, (byType = new Map()));
    byType.set(type, up);
    return up;
  }

  private async runStep(s: GpuStep, values: unknown[]): Promise<unknown> {
    const args = fill(s.args, values) as unknown[];
    switch (s.kind) {
      case 'attr':
        return this.graph.subgraphs.get(s.node.target);
      case 'getitem':
        return (args[0] as unknown[])[args[1] as number];
      case 'py':
        return PY_FUNCTIONS[s.node.target]!(await this.hostValues(args, s.node));
      case 'cond':
        return this.runCond(args);
      case 'pointwise': {
        const r = this.pointwise(s, values);
        return r === undefined ? this.hostChain(s, values) : r;
      }
      case 'op':
        return this.runOp(s.node, args, values);
      case 'convbn':
        return this.convBn.run(s.chain!, args, this.ctx()) ?? this.unfusedChain(s.chain!, values);
    }
  }

  /** A conv → batch norm chain node by node (the fused conv declined); its intermediates go back to the pool. */
  private async unfusedChain(chain: ConvBnChain, values: unknown[]): Promise<unknown> {
    const local = [...values];
    const temps = new Set<GpuStorage>();
    let last: unknown;
    for (const n of chain.nodes) {
      if (isGpu(last)) temps.add(gpuStorage(last));
      const args = fill(this.boundOf.get(n) ?? (this.template(n.args) as unknown[]), local) as unknown[];
      last = n.target === 'getitem' ? (args[0] as unknown[])[args[1] as number] : await this.runOp(n, args, local);
      local[this.slotOf.get(n)!] = last;
    }
    if (isGpu(last)) temps.delete(gpuStorage(last));
    for (const t of temps) this.exec.recycle(t);
    return last;
  }

  private async runOp(n: Node, args: unknown[], values: unknown[]): Promise<unknown> {
    const t = n.target;
    const g = this.ctx();
    const anyGpu = args.some((a) => isGpu(a) || (Array.isArray(a) && a.some(isGpu)));
    if (t === 'aten._native_batch_norm_legit_no_training.default') {
      const y = this.pointwiseNodes([n], n, values);
      if (y) return [y, EMPTY(), EMPTY()];
    }
    const k = GPU_KERNELS.get(t);
    if (k) {
      const reads = this.exec.stats.readbacks;
      const r = await k(args, g);
      // A kernel that read back mid-run (nonzero's count) retired this run's uploads: later steps upload again.
      if (this.exec.stats.readbacks !== reads) this.uploads = new Map();
      if (r !== undefined) return r;
    }
    if (pointwiseEligible(n)) {
      const r = this.pointwiseNodes([n], n, values);
      if (r !== undefined) return r;
    }
    if (anyGpu && (VIEW_OPS.has(t) || METADATA_OPS.has(t))) return this.host(t, args);
    return this.host(t, await this.hostValues(args, n));
  }

  /** Run an op on the host kernels (fast, else reference). */
  private host(t: string, args: unknown[]): unknown {
    this.hostCtx.op = t;
    const def = (this.options.registry ?? defaultRegistry).get(t);
    // A host array written in place makes its GPU copies of this run stale.
    def.parsed.args.forEach((a, i) => {
      if (a.mutable) this.dropUploads(args[i]);
    });
    const fast = FAST.get(t);
    const r = fast?.(args, this.hostCtx);
    if (r !== undefined) return r;
    return def.cpu(args, { op: t });
  }

  /** Forget this run's uploads of `v`'s storage (every view of it). */
  private dropUploads(v: unknown): void {
    if (Array.isArray(v)) return v.forEach((x) => this.dropUploads(x));
    if (!(v instanceof NDArray) || v.storage instanceof GpuStorage) return;
    for (const k of this.uploads.keys()) if (k.storage === v.storage) this.uploads.delete(k);
  }

  /** Arguments with every GPU tensor read back (an extra submit + readback each; reported). */
  private async hostValues(args: unknown[], n: Node): Promise<unknown[]> {
    const gpuArgs: NDArray[] = [];
    const visit = (a: unknown) => (isGpu(a) ? gpuArgs.push(a) : Array.isArray(a) ? a.forEach(visit) : undefined);
    args.forEach(visit);
    if (!gpuArgs.length) return args;
    this.options.onHostFallback?.(n.target, n.name);
    const g = this.ctx();
    const data = await this.exec.finish(gpuArgs.map((a) => (a.isContiguous() ? a : contiguousTyped(g, a))));
    // finish() destroyed the per-run uploads made so far: later steps upload again.
    this.uploads = new Map();
    const host = new Map(gpuArgs.map((a, i) => [a, hostArray(a, data[i]!)]));
    const swap = (a: unknown): unknown => (isGpu(a) ? host.get(a) : Array.isArray(a) ? a.map(swap) : a);
    return args.map(swap);
  }

  private pointwise(s: GpuStep, values: unknown[]): unknown {
    return this.pointwiseNodes(s.members ?? [s.node], s.node, values);
  }

  /** One dispatch computing `root` from its fused members; undefined when it cannot run on the GPU. */
  private pointwiseNodes(members: readonly Node[], root: Node, values: unknown[]): NDArray | undefined {
    const inGroup = new Set(members);
    const leaves: NDArray[] = [];
    const leafIndex = new Map<NDArray, number>();
    const scalars: number[] = [];
    let ok = true;
    const valueOperand = (v: unknown): Expr | undefined => {
      if (v instanceof NDArray) {
        if (v.dtype === 'float64' || v.dtype === 'float16' || v.dtype === 'bfloat16') ok = false;
        let i = leafIndex.get(v);
        if (i === undefined) leafIndex.set(v, (i = leaves.push(v) - 1));
        return { t: 'in', i };
      }
      if (isPyScalar(v)) return { t: 'sc', i: scalars.push(scalarToNumber(v)) - 1 };
      if (v === null || v === undefined) return undefined;
      ok = false;
      return undefined;
    };
    const memo = new Map<Node, Expr | undefined>();
    const exprOf = (n: Node): Expr | undefined => {
      if (memo.has(n)) return memo.get(n);
      const e = buildExpr(n);
      memo.set(n, e);
      return e;
    };
    const buildExpr = (n: Node): Expr | undefined => {
      const spec = POINTWISE.get(n.target)!;
      const bound = this.boundOf.get(n)!;
      const concrete = fill(bound, values) as unknown[];
      const rank = metaRank(n);
      const operand = (i: number): Expr | undefined => {
        const a = bound[i];
        if (a instanceof Slot) {
          const p = this.graph.nodes[a.index]!;
          if (inGroup.has(p) && p !== n) return exprOf(p);
        }
        const v = concrete[i];
        // Batch-norm parameters are per channel (dim 1): view [C] as [C, 1, …] to broadcast.
        if (BN_OPS.has(n.target) && i >= 1 && i <= 4 && v instanceof NDArray && v.ndim === 1 && rank !== undefined && rank > 2)
          return valueOperand(v.withView([v.shape[0]!, ...new Array<number>(rank - 2).fill(1)], [v.strides[0]!, ...new Array<number>(rank - 2).fill(0)], v.offset));
        return valueOperand(v);
      };
      return spec.build(operand, concrete);
    };
    const expr = exprOf(root);
    if (!expr || !ok || leaves.length === 0) return undefined;
    const shape = broadcastShapes(leaves.map((l) => l.shape));
    if (!shape) return undefined;
    const g = this.ctx();
    // Leaf and output kinds (bool/int too); undefined keeps bool/int work over host inputs on the host.
    const outDtype = metaDType(root) ?? 'float32';
    const plan = pointwisePlan(leaves, outDtype);
    if (!plan) return undefined;
    const spec = POINTWISE.get(root.target)!;
    const selfArg = spec.inplace ? fill(this.boundOf.get(root)![0], values) : undefined;
    const selfOutside = selfArg instanceof NDArray && !inGroup.has(this.graph.nodes[(this.boundOf.get(root)![0] as Slot).index]!);
    // In place into a host array from outside the group: the host runs it (before any upload is made for it).
    if (selfOutside && !((selfArg as NDArray).storage instanceof GpuStorage)) return undefined;
    const gl = leaves.map((l, i) => this.onGpu(l, elemOf(plan.kinds[i]!)));
    const leafStrides = gl.map((l) => broadcastStrides(l, shape));
    const program = fusedElementwiseProgram(expr, plan.kinds, shape.length, scalars.length, plan.out);
    const runInto = (out: NDArray) => this.exec.dispatch(program, gl, [out], fusedElementwiseRun(shape, out.strides, out.offset, gl.map((l, i) => ({ strides: leafStrides[i]!, offset: l.offset })), scalars));
    if (selfOutside && selfArg instanceof NDArray) {
      // In place into a GPU value from outside the group: its storage must change.
      const fresh = this.exec.alloc(selfArg.shape, elemOf(plan.out), selfArg.dtype);
      runInto(fresh.withView(selfArg.shape, dense(selfArg) ? selfArg.strides : fresh.strides, 0));
      const st = gpuStorage(selfArg);
      if (dense(selfArg) && st.pooled) {
        const old = st.buffer;
        st.buffer = gpuStorage(fresh).buffer;
        this.exec.giveBuffer(old);
      } else {
        copyTyped(g, fresh, selfArg);
        this.exec.recycle(gpuStorage(fresh));
      }
      return selfArg;
    }
    const out = this.exec.alloc(shape, elemOf(plan.out), outDtype as DType);
    const strides = pointwiseOutputStrides(shape, leafStrides);
    const view = out.withView(shape, strides, 0);
    runInto(view);
    return view;
  }

  /** A fused group evaluated node by node on the host (its GPU form was not possible). */
  private async hostChain(s: GpuStep, values: unknown[]): Promise<unknown> {
    const local = [...values];
    let last: unknown;
    for (const m of s.members ?? [s.node]) {
      const args = fill(this.boundOf.get(m)!, local) as unknown[];
      last = this.host(m.target, await this.hostValues(args, m));
      local[this.slotOf.get(m)!] = last;
    }
    return last;
  }

  private async runCond(a: unknown[]): Promise<unknown> {
    const [pred, tg, fg, operands] = a as [unknown, Graph, Graph, unknown[]];
    const [p] = await this.hostValues([pred], this.graph.nodes[0]!);
    const flag = p instanceof NDArray ? p.item() !== 0 : Boolean(p);
    const g = flag ? tg : fg;
    let rt = this.nested.get(g);
    if (!rt) this.nested.set(g, (rt = new WebGpuRuntime(g, this.gpu, { ...this.options, frozenInputs: new Set() }, this.exec)));
    const out = await rt.runOnce(await this.hostValues(operands, this.graph.nodes[0]!));
    return Array.isArray(out) ? out : [out];
  }

  destroy(): void {
    this.exec.destroy();
  }
}

const BN_OPS = new Set(['aten.batch_norm.default', 'aten._native_batch_norm_legit_no_training.default']);

/** A read-back GPU tensor as a host array of its torch dtype (i32 buffers carry int64/int32/bool values). */
function hostArray(o: NDArray, data: Float32Array | Int32Array): NDArray {
  const dtype = o.storage.dtype;
  let values: StorageArray;
  if (dtype === 'float32' && data instanceof Float32Array) values = data.slice();
  else {
    values = makeStorage(dtype, data.length);
    for (let i = 0; i < data.length; i++) values[i] = dtype === 'bool' ? Number(data[i] !== 0) : data[i]!;
  }
  return new NDArray(new Storage(dtype, values), [...o.shape], contiguousStrides(o.shape));
}

/** dtype / rank of a node's (first) tensor output, from its meta. */
function metaOf(n: Node): TensorMeta | undefined {
  const v = Array.isArray(n.meta.val) ? n.meta.val[0] : n.meta.val;
  return isTensorMeta(v) ? v : undefined;
}
const metaDType = (n: Node): string | undefined => metaOf(n)?.dtype;
const metaRank = (n: Node): number | undefined => metaOf(n)?.shape.length;

/** Contiguous, starting at 0 and covering its whole storage: a write may replace the buffer. */
function dense(a: NDArray): boolean {
  return a.isContiguous() && a.offset === 0 && a.numel === gpuStorage(a).elems;
}

