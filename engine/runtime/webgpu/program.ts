/// <reference types="@webgpu/types" />
// What a WebGPU op hands the runtime: a ProgramInfo (after ONNX Runtime's
// WebGPU EP) whose cache key holds compile-time facts only (op, attributes that
// shape the code, input ranks and element types) and whose sizes travel as
// uniforms, plus a shared WGSL prelude (ShaderHelper): uniform access, strided
// index helpers, the flat invocation index, erf.
//
// Note [Uniform layout]
// Every program gets one uniform block of 32-bit words, declared as
// `array<vec4<u32>, N>` and read through `U(i)`; the helper emits typed reads
// (`Ui(i)`, `Uf(i)` by bitcast). A program lays out its words itself (shape,
// strides, offsets, scalars) and reports them from getRunData; N depends only on
// ranks, so it belongs to the cache key.

/** Elements a binding holds. */
export type ElemType = 'f32' | 'i32';

export interface ProgramInfo {
  readonly name: string;
  /** Compile-time facts only; shapes never appear here (see STYLE 18). */
  readonly cacheKey: { readonly hint: string; readonly inputDependencies: readonly string[] };
  /** Element types of the storage bindings, inputs first then outputs. */
  readonly bindings: { readonly inputs: readonly ElemType[]; readonly outputs: readonly ElemType[] };
  /** Uniform words the shader reads (fixed per cache key). */
  readonly uniformWords: number;
  getShaderSource(h: ShaderHelper): string;
}

/** Per-dispatch data: the uniform words and the workgroup count. */
export interface RunData {
  readonly uniforms: Uint32Array;
  readonly workgroups: readonly [number, number, number];
}

export const WORKGROUP = 64;

export class ShaderHelper {
  constructor(private readonly info: ProgramInfo) {}

  /** Bindings, the uniform block and the helpers; `main` follows. */
  prelude(): string {
    const { inputs, outputs } = this.info.bindings;
    const lines: string[] = [];
    inputs.forEach((t, i) => lines.push(`@group(0) @binding(${i}) var<storage, read> in${i}: array<${t}>;`));
    outputs.forEach((t, i) => lines.push(`@group(0) @binding(${inputs.length + i}) var<storage, read_write> out${i}: array<${t}>;`));
    const n = Math.max(1, Math.ceil(this.info.uniformWords / 4));
    lines.push(`struct Uniforms { w: array<vec4<u32>, ${n}> };`);
    lines.push(`@group(0) @binding(${inputs.length + outputs.length}) var<uniform> uni: Uniforms;`);
    lines.push('fn U(i: u32) -> u32 { return uni.w[i / 4u][i % 4u]; }');
    lines.push('fn Ui(i: u32) -> i32 { return bitcast<i32>(U(i)); }');
    lines.push('fn Uf(i: u32) -> f32 { return bitcast<f32>(U(i)); }');
    // Non-finite constants built at run time (WGSL rejects them in constant expressions).
    lines.push('fn NEG_INF() -> f32 { return bitcast<f32>(0xff800000u | (U(0u) & 0u)); }');
    lines.push('fn NAN() -> f32 { return bitcast<f32>(0x7fc00000u | (U(0u) & 0u)); }');
    lines.push(ERF);
    return lines.join('\n');
  }

  /** Entry point header: `idx` is the flat invocation index over a 2-D grid of workgroups. */
  main(body: string, workgroup = WORKGROUP): string {
    return `@compute @workgroup_size(${workgroup})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * ${workgroup}u;
${body}
}`;
  }

  /**
   * `fn name(i: u32) -> u32`: storage offset of output element `i` (row-major
   * over the `rank` sizes at uniform word `shapeAt`) for a tensor with strides at
   * `stridesAt` and offset at `offsetAt`.
   */
  offsetFn(name: string, rank: number, shapeAt: number, stridesAt: number, offsetAt: number): string {
    const lines = [`fn ${name}(i: u32) -> u32 {`, `  var rem = i;`, `  var off = U(${offsetAt}u);`];
    for (let d = rank - 1; d >= 0; d--) {
      lines.push(`  { let s = U(${shapeAt + d}u); let c = rem % s; rem = rem / s; off = off + c * U(${stridesAt + d}u); }`);
    }
    lines.push('  return off;', '}');
    return lines.join('\n');
  }
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), WGSL has no erf.
const ERF = `fn erf_(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}`;

/** Uniform words, written in order. */
export class Uniforms {
  private readonly words: number[] = [];
  private readonly f32 = new Float32Array(1);
  private readonly u32 = new Uint32Array(this.f32.buffer);

  get length(): number {
    return this.words.length;
  }
  u(...vs: number[]): this {
    for (const v of vs) this.words.push(v >>> 0);
    return this;
  }
  i(...vs: number[]): this {
    for (const v of vs) this.words.push(v | 0);
    return this;
  }
  f(...vs: number[]): this {
    for (const v of vs) {
      this.f32[0] = v;
      this.words.push(this.u32[0]!);
    }
    return this;
  }
  build(): Uint32Array {
    return Uint32Array.from(this.words, (w) => w >>> 0);
  }
}

/** Workgroups for `n` invocations of WORKGROUP threads, split over x/y to stay under 65535 per dimension. */
export function gridFor(n: number, workgroup = WORKGROUP): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroup));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

const PROGRAMS = new Map<string, ProgramInfo>();

/**
 * One ProgramInfo per distinct `key` (the factory's arguments): factories run
 * for every dispatch of every run, and building the object, its cache-key
 * strings and closures each time was a measurable part of recording a run.
 */
export function memoProgram(key: string, make: () => ProgramInfo): ProgramInfo {
  let p = PROGRAMS.get(key);
  if (!p) PROGRAMS.set(key, (p = make()));
  return p;
}

/** The pipeline cache key of a program. */
export const keyOf = (p: ProgramInfo): string => `${p.name}|${p.cacheKey.hint}|${p.cacheKey.inputDependencies.join(',')}`;
