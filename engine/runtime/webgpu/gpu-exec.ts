/// <reference types="@webgpu/types" />
// The WebGPU executor: tensors that live in GPU buffers (NDArrays over a
// GpuStorage, so views are plain stride arithmetic), a buffer pool, uploads
// (weights once, per-run inputs each run), pipelines cached by program key, and
// the run protocol: dispatches are recorded, then encoded into ONE command
// encoder and ONE compute pass, outputs are copied into ONE staging buffer,
// submitted once and mapped once (see gpu-wait.ts).

import { type DType } from '../../core/dtype';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { Slicer, pollUntilSettled } from './gpu-wait';
import { type ElemType, type ProgramInfo, type RunData, ShaderHelper, keyOf } from './program';

// GPUBufferUsage / GPUMapMode values (the globals are not defined in every host).
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80, QUERY_RESOLVE: 0x200 } as const;
const MAP_READ = 0x1;
const COMPUTE = 0x4; // GPUShaderStage.COMPUTE
/** Bind groups kept at most (a run of a large model uses a few hundred). */
const BIND_GROUP_CACHE = 8192;

/** Dispatches a profiled run may hold (two time stamps each; WebGPU allows 4096 queries a set). */
const MAX_PROFILED = 2048;
/** Per-dispatch times kept for each program (the first ones; for medians). */
const MAX_SAMPLES = 4096;

// Note [GPU profile]
// With enableProfiling(), each dispatch runs in a compute pass of its own whose
// beginning and end are time-stamped; the stamps are resolved into a buffer
// read back after the outputs. Separate passes add a little time between
// dispatches, so profiled runs are for finding slow programs, not for the
// latency figure. Dawn quantizes time stamps unless its timestamp_quantization
// toggle is disabled (PT2_DAWN_FLAGS="disable-dawn-features=timestamp_quantization").

/** A bind group layout and the pipeline layout over it. */
interface BindLayout {
  readonly id: number;
  readonly group: GPUBindGroupLayout;
  readonly pipelineLayout: GPUPipelineLayout;
}

// Note [Per-run uploads]
// Inputs that change every run are written with queue.writeBuffer into
// buffers from a pool of their own (never shared with intermediates), taken
// back once the run's readback proves the GPU has finished with them; a
// contiguous float32 input is written straight from its storage. For
// mobilenet_v3_small's 600 KB input, upload + submit + map took 0.04–0.08 ms
// this way against 0.11–0.21 ms with a new mapped buffer each run (SwiftShader;
// Dawn zero-fills and tracks each new buffer). The writes are ordered before the
// run's submit on the one queue. (queue.writeBuffer was
// once avoided here while the Dawn aborts were unexplained; their cause was the
// collected GPU object, Note [Dawn in Node: aborts while waiting].)

// Note [Bind groups across runs]
// In Node every WebGPU call crosses into Dawn through N-API, and a bind group
// per dispatch per run (plus getBindGroupLayout) was most of the encode time
// on a real GPU (mobilenet_v3_small: ~57 µs a dispatch on an H100 host). So
// programs share explicit layouts by binding count, the uniform window is
// bound with a dynamic offset, and bind groups are cached by layout + buffer
// identities: the buffer pool hands a run the same buffers as the run before,
// so from the second run on nearly every bind group is a cache hit. Per-run
// upload buffers are new each run; their stale entries are never looked up
// again and go when the cache is cleared.
/** Readback buffer sizes kept at once (a model reads back its outputs; mid-run host fallbacks add a few more). */
const MAX_READBACK_BUFFERS = 8;
const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Storage of a GPU tensor: the buffer (swapped by in-place ops that rewrite the whole tensor) and its element type. */
export class GpuStorage extends Storage {
  constructor(
    dtype: DType,
    public buffer: GPUBuffer,
    readonly elems: number,
    readonly elemType: ElemType,
    /** Pooled buffers are recycled when the last value viewing them dies. */
    readonly pooled: boolean,
  ) {
    super(dtype, new Float32Array(0));
  }
}

export const isGpu = (a: unknown): a is NDArray => a instanceof NDArray && a.storage instanceof GpuStorage;
export const gpuStorage = (a: NDArray): GpuStorage => a.storage as GpuStorage;

interface Recorded {
  readonly program: ProgramInfo;
  readonly key: string;
  readonly buffers: GPUBuffer[];
  readonly run: RunData;
}

/** Buffers by rounded byte size. */
class GpuBufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  created = 0;
  constructor(private readonly device: GPUDevice) {}
  static round(bytes: number): number {
    const b = Math.max(256, bytes);
    if (b <= 65536) return Math.ceil(b / 256) * 256;
    return 2 ** Math.ceil(Math.log2(b));
  }
  take(bytes: number): GPUBuffer {
    const size = GpuBufferPool.round(bytes);
    const hit = this.free.get(size)?.pop();
    if (hit) return hit;
    this.created++;
    return this.device.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }
  give(b: GPUBuffer): void {
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    list.push(b);
  }
  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

export interface ExecStats {
  dispatches: number;
  submits: number;
  readbacks: number;
  pipelines: number;
  uploads: number;
  /** Milliseconds in finish(): compiling, encoding and submitting / waiting for the GPU and mapping. */
  encodeMs: number;
  waitMs: number;
}

export class GpuExecutor {
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: BindLayout }>();
  /** Bind group layouts by binding signature (Note [Bind groups across runs]). */
  private readonly layouts = new Map<string, BindLayout>();
  /** Bind groups by layout, buffers and uniform window; cleared when it grows past BIND_GROUP_CACHE. */
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private profiling = false;
  /** GPU milliseconds by program, summed over profiled runs (enableProfiling). */
  readonly profile = new Map<string, { dispatches: number; ms: number; samples: number[] }>();
  private nextBufferId = 1;
  /** Pipelines being compiled (createComputePipelineAsync: compiling never blocks the JS thread). */
  private readonly toCompile = new Map<string, ProgramInfo>();
  private readonly pool: GpuBufferPool;
  /** Per-run uploads: their own buffers, never shared with intermediates (see upload()). */
  private readonly uploadPool: GpuBufferPool;
  private readonly weights = new WeakMap<object, GpuStorage>();
  private recorded: Recorded[] = [];
  private runUploads: GPUBuffer[] = [];
  /** Per-run uploads of submitted runs, back to their pool after the next readback. */
  private uploadsInFlight: GPUBuffer[] = [];
  /** Buffers of submitted runs (time stamp resolves), destroyed once a readback proves the GPU is done with them. */
  private retired: GPUBuffer[] = [];
  private uniformBuffer: GPUBuffer | undefined;
  /** Readback (MAP_READ) buffers by size, reused across runs: creating, first-touching and destroying one per run cost up to milliseconds (SwiftShader: 5 ms for 64 KB). */
  private readonly readbacks = new Map<number, GPUBuffer>();
  readonly stats: ExecStats = { dispatches: 0, submits: 0, readbacks: 0, pipelines: 0, uploads: 0, encodeMs: 0, waitMs: 0 };

  constructor(readonly device: GPUDevice) {
    this.pool = new GpuBufferPool(device);
    this.uploadPool = new GpuBufferPool(device);
  }

  /**
   * A fresh contiguous GPU tensor from the pool. `dtype` is the tensor's torch
   * dtype (what the host sees after readback): i32 buffers hold int64/int32/bool
   * values (bool as 0/1), f32 buffers float32.
   */
  alloc(shape: readonly number[], elemType: ElemType = 'f32', dtype: DType = elemType === 'f32' ? 'float32' : 'int32'): NDArray {
    const n = shape.reduce((a, b) => a * b, 1);
    const st = new GpuStorage(dtype, this.pool.take(Math.max(1, n) * 4), n, elemType, true);
    return new NDArray(st, [...shape], contiguousStrides(shape));
  }

  /** Return a pooled buffer (its last value died). */
  recycle(s: GpuStorage): void {
    if (s.pooled) this.pool.give(s.buffer);
  }

  /** Return a buffer taken from the pool (after an in-place op replaced it in its storage). */
  giveBuffer(b: GPUBuffer): void {
    this.pool.give(b);
  }

  /**
   * A host array on the GPU as f32 (or i32 for indices). `frozen` arrays
   * (weights) upload their whole storage once and keep it; others are written
   * each run into buffers of their own for this run (a strided view uploads its
   * elements row-major, so the result is contiguous).
   */
  upload(a: NDArray, elemType: ElemType, frozen: boolean): NDArray {
    if (frozen) {
      // The whole storage once; every view of it (any strides/offset) reads that buffer.
      const key = a.storage.data;
      let st = this.weights.get(key);
      if (!st || st.elemType !== elemType) {
        st = this.writeNew(new NDArray(a.storage, [key.length], [1], 0), elemType, false);
        this.weights.set(key, st);
      }
      return new NDArray(st, [...a.shape], [...a.strides], a.offset);
    }
    const st = this.writeNew(a, elemType, true);
    return new NDArray(st, [...a.shape], contiguousStrides(a.shape), 0);
  }

  private writeNew(a: NDArray, elemType: ElemType, perRun: boolean): GpuStorage {
    const n = a.numel;
    const size = GpuBufferPool.round(Math.max(1, n) * 4);
    let buffer: GPUBuffer;
    if (perRun) {
      // Per-run inputs reuse buffers of their own pool (Note [Per-run uploads]).
      buffer = this.uploadPool.take(size);
      const src = a.storage.data;
      const direct = elemType === 'f32' && src instanceof Float32Array && a.isContiguous();
      const data = direct ? src.subarray(a.offset, a.offset + n) : elemType === 'f32' ? Float32Array.from(a.toFlat() as ArrayLike<number>) : Int32Array.from(a.toFlat() as ArrayLike<number>);
      if (n > 0) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, n * 4);
      this.runUploads.push(buffer);
    } else {
      const flat = a.toFlat();
      buffer = this.device.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, mappedAtCreation: true });
      const range = buffer.getMappedRange();
      if (elemType === 'f32') new Float32Array(range, 0, n).set(flat as ArrayLike<number>);
      else new Int32Array(range, 0, n).set(flat as ArrayLike<number>);
      buffer.unmap();
    }
    this.stats.uploads++;
    return new GpuStorage(elemType === 'f32' ? 'float32' : 'int32', buffer, n, elemType, false);
  }

  /** Record one dispatch; encoded at the end of the run. */
  dispatch(program: ProgramInfo, inputs: readonly NDArray[], outputs: readonly NDArray[], run: RunData): void {
    if (run.uniforms.length !== program.uniformWords) throw new Error(`internal error: ${program.name} expects ${program.uniformWords} uniform words, got ${run.uniforms.length}`);
    const [x, y, z] = run.workgroups;
    if (x > 65535 || y > 65535 || z > 65535) throw new Error(`${program.name}: dispatch of ${run.workgroups.join('×')} workgroups exceeds the WebGPU limit`);
    const key = keyOf(program);
    this.recorded.push({ program, key, buffers: [...inputs, ...outputs].map((t) => gpuStorage(t).buffer), run });
    if (!this.pipelines.has(key) && !this.toCompile.has(key)) this.toCompile.set(key, program);
  }

  /** Compile the pipelines this run needs that are not cached yet (in parallel, awaited by polling). */
  private async compilePending(): Promise<void> {
    const started = [...this.toCompile].map(([key, program]) => {
      const module = this.device.createShaderModule({ code: program.getShaderSource(new ShaderHelper(program)), label: program.name });
      const layout = this.layoutFor(program);
      return [key, layout, this.device.createComputePipelineAsync({ layout: layout.pipelineLayout, compute: { module, entryPoint: 'main' }, label: key })] as const;
    });
    this.toCompile.clear();
    for (const [key, layout, p] of started) {
      try {
        this.pipelines.set(key, { pipeline: await pollUntilSettled(p, `compiling ${key}`), layout });
      } catch (e) {
        throw new Error(`WebGPU could not compile ${key}: ${(e as Error).message}`);
      }
      this.stats.pipelines++;
    }
  }

  /** The explicit layout of a program's bindings: read-only inputs, writable outputs, a uniform window with a dynamic offset. */
  private layoutFor(p: ProgramInfo): BindLayout {
    const { inputs, outputs } = p.bindings;
    const sig = `${inputs.length}/${outputs.length}`;
    let l = this.layouts.get(sig);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < inputs.length; i++) entries.push({ binding: i, visibility: COMPUTE, buffer: { type: 'read-only-storage' } });
      for (let i = 0; i < outputs.length; i++) entries.push({ binding: inputs.length + i, visibility: COMPUTE, buffer: { type: 'storage' } });
      entries.push({ binding: inputs.length + outputs.length, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } });
      const group = this.device.createBindGroupLayout({ entries, label: `bindings ${sig}` });
      l = { id: this.layouts.size + 1, group, pipelineLayout: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(sig, l);
    }
    return l;
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
    return id;
  }

  /** A bind group for these buffers and a uniform window of `uniformSize` bytes, reused across dispatches and runs. */
  private bindGroup(layout: BindLayout, buffers: readonly GPUBuffer[], uniform: GPUBuffer, uniformSize: number): GPUBindGroup {
    let key = `${layout.id}|${this.bufferId(uniform)}:${uniformSize}`;
    for (const b of buffers) key += `|${this.bufferId(b)}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size >= BIND_GROUP_CACHE) this.bindGroups.clear();
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, b) => ({ binding: b, resource: { buffer } }));
      entries.push({ binding: buffers.length, resource: { buffer: uniform, offset: 0, size: uniformSize } });
      bg = this.device.createBindGroup({ layout: layout.group, entries });
      this.bindGroups.set(key, bg);
    }
    return bg;
  }

  /**
   * Time every dispatch on the GPU from now on (timestamp queries; the device
   * needs the 'timestamp-query' feature). False when it cannot.
   */
  enableProfiling(): boolean {
    if (!this.device.features.has('timestamp-query')) return false;
    this.profiling = true;
    return true;
  }

  disableProfiling(): void {
    this.profiling = false;
  }

  /** Add a profiled run's pass times to `profile`, by program (name and cache hint). */
  private async collectProfile(stamps: GPUBuffer, recorded: readonly Recorded[]): Promise<void> {
    await pollUntilSettled(stamps.mapAsync(MAP_READ), 'reading GPU time stamps');
    const t = new BigUint64Array(stamps.getMappedRange().slice(0));
    stamps.unmap();
    stamps.destroy();
    recorded.forEach((r, i) => {
      const ns = Number(t[2 * i + 1]! - t[2 * i]!);
      const key = `${r.program.name} ${r.program.cacheKey.hint}`;
      const e = this.profile.get(key) ?? { dispatches: 0, ms: 0, samples: [] };
      const ms = ns > 0 ? ns / 1e6 : 0;
      e.dispatches++;
      e.ms += ms;
      if (e.samples.length < MAX_SAMPLES) e.samples.push(ms);
      this.profile.set(key, e);
    });
  }

  /** Number of distinct compiled pipelines (cache entries). */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /**
   * Encode every recorded dispatch into one compute pass, copy `outputs`
   * (contiguous GPU tensors) into one staging buffer, submit once, map once.
   */
  async finish(outputs: readonly NDArray[]): Promise<Array<Float32Array | Int32Array>> {
    const device = this.device;
    const t0 = now();
    await this.compilePending();
    const slicer = new Slicer();
    const align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    let uniformBytes = 0;
    const offsets = this.recorded.map((r) => {
      const at = uniformBytes;
      uniformBytes += Math.ceil(Math.max(16, r.run.uniforms.byteLength) / align) * align;
      return at;
    });
    if (uniformBytes > 0 && (!this.uniformBuffer || this.uniformBuffer.size < uniformBytes)) {
      this.uniformBuffer?.destroy();
      this.uniformBuffer = device.createBuffer({ size: GpuBufferPool.round(uniformBytes), usage: USAGE.UNIFORM | USAGE.COPY_DST });
    }
    if (uniformBytes > 0) {
      const staging = new Uint8Array(uniformBytes);
      this.recorded.forEach((r, i) => staging.set(new Uint8Array(r.run.uniforms.buffer, r.run.uniforms.byteOffset, r.run.uniforms.byteLength), offsets[i]!));
      device.queue.writeBuffer(this.uniformBuffer!, 0, staging);
    }
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    const recorded = this.recorded;
    // Profiling: one pass per dispatch, its start and end time stamped (Note [GPU profile]).
    const timed = this.profiling && recorded.length > 0 && recorded.length <= MAX_PROFILED ? device.createQuerySet({ type: 'timestamp', count: 2 * recorded.length }) : undefined;
    if (recorded.length) {
      let pass = timed ? undefined : encoder.beginComputePass();
      let current: GPUComputePipeline | undefined;
      for (let i = 0; i < recorded.length; i++) {
        const r = recorded[i]!;
        await slicer.tick();
        if (timed) {
          pass = encoder.beginComputePass({ timestampWrites: { querySet: timed, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
          current = undefined;
        }
        const { pipeline, layout } = this.pipelines.get(r.key)!;
        if (pipeline !== current) pass!.setPipeline((current = pipeline));
        const size = Math.max(16, Math.ceil(r.run.uniforms.byteLength / 16) * 16);
        pass!.setBindGroup(0, this.bindGroup(layout, r.buffers, this.uniformBuffer!, size), [offsets[i]!]);
        pass!.dispatchWorkgroups(...r.run.workgroups);
        if (timed) pass!.end();
      }
      if (!timed) pass!.end();
    }
    let stamps: GPUBuffer | undefined;
    if (timed) {
      const bytes = 16 * recorded.length;
      const resolved = device.createBuffer({ size: bytes, usage: USAGE.QUERY_RESOLVE | USAGE.COPY_SRC });
      stamps = device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
      encoder.resolveQuerySet(timed, 0, 2 * recorded.length, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, stamps, 0, bytes);
      this.retired.push(resolved);
    }
    this.stats.dispatches += this.recorded.length;
    let total = 0;
    const at = outputs.map((o) => {
      const p = total;
      total += o.numel * 4;
      return p;
    });
    // One readback buffer per size, kept across runs (runs are serialized, and it is unmapped before finish returns).
    const stagingSize = Math.ceil(total / 4) * 4;
    let staging: GPUBuffer | undefined;
    if (total > 0) {
      staging = this.readbacks.get(stagingSize);
      if (staging) this.readbacks.delete(stagingSize);
      else staging = device.createBuffer({ size: stagingSize, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    }
    outputs.forEach((o, i) => {
      if (o.numel > 0) encoder.copyBufferToBuffer(gpuStorage(o).buffer, o.offset * 4, staging!, at[i]!, o.numel * 4);
    });
    device.queue.submit([encoder.finish()]);
    const failed = device.popErrorScope();
    const t1 = now();
    this.stats.encodeMs += t1 - t0;
    this.stats.submits++;
    this.recorded = [];
    this.uploadsInFlight.push(...this.runUploads);
    this.runUploads = [];
    // Ask for the mapping right away: the error scope and the mapping then settle
    // in the same turn of Dawn's event processing (each turn is a timer hop in Node).
    const mapped = staging?.mapAsync(MAP_READ);
    mapped?.catch(() => undefined);
    const error = await pollUntilSettled(failed, 'checking the run for validation errors');
    if (error) {
      staging?.destroy();
      throw new Error(`WebGPU rejected the run: ${error.message}`);
    }
    if (!staging) return outputs.map(() => new Float32Array(0));
    await pollUntilSettled(mapped!, 'reading results back');
    this.stats.waitMs += now() - t1;
    if (stamps) await this.collectProfile(stamps, recorded);
    timed?.destroy();
    for (const b of this.retired) b.destroy();
    this.retired = [];
    // The GPU is done with every submitted upload: this readback proves it.
    for (const b of this.uploadsInFlight) this.uploadPool.give(b);
    this.uploadsInFlight = [];
    this.stats.readbacks++;
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.keepReadback(stagingSize, staging);
    const all = new Float32Array(bytes);
    const ints = new Int32Array(bytes);
    return outputs.map((o, i) => (gpuStorage(o).elemType === 'i32' ? ints : all).subarray(at[i]! / 4, at[i]! / 4 + o.numel));
  }

  /** Keep a readback buffer for the next run's readback of the same size (a few sizes at most). */
  private keepReadback(size: number, b: GPUBuffer): void {
    const had = this.readbacks.get(size);
    if (had) return void b.destroy();
    if (this.readbacks.size >= MAX_READBACK_BUFFERS) {
      for (const old of this.readbacks.values()) old.destroy();
      this.readbacks.clear();
    }
    this.readbacks.set(size, b);
  }

  destroy(): void {
    for (const b of this.readbacks.values()) b.destroy();
    this.readbacks.clear();
    this.pool.destroy();
    this.uploadPool.destroy();
    this.uniformBuffer?.destroy();
  }
}
