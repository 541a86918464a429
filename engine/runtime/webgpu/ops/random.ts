// WebGPU kernels: random factories (rand, randn, randint, rand_like,
// randn_like) and native_dropout in training, from a counter-based Philox
// generator on the GPU.
//
// Note [GPU random numbers]
// The CPU kernels draw from the host's sequential generator (Note [Random
// numbers] in ops/factory.ts); a GPU cannot follow a sequential stream, and
// PyTorch's CUDA generator does not reproduce its CPU stream either: CUDA
// kernels use Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC'11), a counter-based generator whose every output block is a
// pure function of (counter, key). This is the same arrangement:
//   - the generator state is a 64-bit seed (the key) and a 64-bit offset, in
//     32-bit draws, always a multiple of 4 (torch's philox_cuda_state);
//   - thread t of a dispatch computes one block of four u32 at counter
//     (offset/4 as 64 bits, t as 64 bits) under key (seed lo, seed hi), the
//     layout curand_init(seed, subsequence = t, offset) gives, and writes output
//     elements 4t … 4t+3 (memory order of the fresh output);
//   - each call that writes elements advances the offset by 4 (one block per
//     thread); an empty output draws nothing.
// Conversions follow torch's CUDA kernels (DistributionTemplates.h):
//   - uniform: u = x·2⁻³² + 2⁻³³ in (0, 1] (curand_uniform), and 1 maps to 0,
//     giving [0, 1) (torch's reverse_bound_value);
//   - normal: Box–Muller on pairs (x0, x1), (x2, x3) as curand_normal4:
//     u = x·2⁻³² + 2⁻³³, v = (y·2⁻³² + 2⁻³³)·2π, s = √(−2 ln u),
//     results (s·sin v, s·cos v);
//   - randint: (x mod range) + low over u32 (uniform_int_from_to), for ranges
//     below 2³² and results in int32 range (the GPU holds int64 as i32);
//   - dropout: keep where u < 1 − p (u in (0, 1] as fused_dropout reads
//     curand_uniform4), y = x·keep·scale with scale 1/(1 − p), 0 when p = 1
//     (a dropped NaN or inf stays NaN, as in torch and the CPU kernel).
// So a seed gives the same numbers on every run and every device; they are not
// the host generator's numbers (nor CUDA's: its grid-stride loop assigns
// elements to threads by launch geometry).
//
// Seeding: the runtimes pass no generator; the CPU kernels read module state
// seeded by ops/factory.ts's manualSeed. The GPU generator is its own state
// (as torch keeps one per device), seeded by manualSeedGpu.
//
// Placement: float results are made on the GPU. randint with an integer dtype
// follows the int placement of the other factories (ops/elementwise.ts
// `placement`): on the GPU with `placement.intOnGpu`, else the host kernel
// (and the host generator) makes it.

import { type DType } from '../../../core/dtype';
import { NDArray, contiguousStrides } from '../../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../../core/scalar';
import { dtypeArg, onManualSeed } from '../../../ops/factory';
import { type GpuCtx, type GpuKernel } from '../gpu-kernels';
import { type ElemType, type ProgramInfo, type RunData, Uniforms, gridFor, memoProgram } from '../program';
import { dtypeKind, placement } from './elementwise';
import { likeStrides } from './operands';

/** torch's default CUDA seed (c10::detail::default_rng_seed_val). */
export const DEFAULT_GPU_SEED = 67280421310721n;
const U64 = (1n << 64n) - 1n;

/** The GPU generator: a Philox key (seed) and a counter offset in 32-bit draws (Note [GPU random numbers]). */
export class PhiloxGenerator {
  seed = DEFAULT_GPU_SEED;
  offset = 0n;
  /** torch.cuda.manual_seed's role: a new key, the counter from 0. */
  manualSeed(seed: number | bigint): void {
    this.seed = BigInt.asUintN(64, BigInt(seed));
    this.offset = 0n;
  }
  /** The key and counter for one call that draws `draws` u32 per thread; the offset moves past them. */
  take(draws: number): { seed: bigint; offset: bigint } {
    const at = { seed: this.seed, offset: this.offset };
    this.offset = (this.offset + BigInt(Math.ceil(draws / 4) * 4)) & U64;
    return at;
  }
}

/** The generator the random kernels draw from (one per process, as torch's default CUDA generator). */
export const gpuGenerator = new PhiloxGenerator();
// torch.manual_seed seeds every device's generator: so does the engine's manualSeed.
onManualSeed((seed) => gpuGenerator.manualSeed(seed));

/** Seed the GPU generator. */
export function manualSeedGpu(seed: number | bigint): void {
  gpuGenerator.manualSeed(seed);
}

// Philox4x32-10 in WGSL, u32 only: mulhi from 16-bit halves.
const PHILOX_WGSL = `fn mulhi_(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let p0 = al * bl; let p1 = al * bh; let p2 = ah * bl; let p3 = ah * bh;
  let mid = (p0 >> 16u) + (p1 & 0xffffu) + (p2 & 0xffffu);
  return p3 + (p1 >> 16u) + (p2 >> 16u) + (mid >> 16u);
}
fn philox_(c0: vec4<u32>, k0: vec2<u32>) -> vec4<u32> {
  var c = c0; var k = k0;
  for (var r = 0u; r < 10u; r = r + 1u) {
    if (r > 0u) { k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u); }
    let h0 = mulhi_(0xD2511F53u, c.x); let l0 = 0xD2511F53u * c.x;
    let h1 = mulhi_(0xCD9E8D57u, c.z); let l1 = 0xCD9E8D57u * c.z;
    c = vec4<u32>(h1 ^ c.y ^ k.x, l1, h0 ^ c.w ^ k.y, l0);
  }
  return c;
}
// curand_uniform: (0, 1].
fn unit_(x: u32) -> f32 { return f32(x) * 2.3283064365386963e-10 + 1.1641532182693481e-10; }`;

export type RandomMode = 'uniform' | 'normal' | 'randint' | 'dropout' | 'raw';

// Uniform words: elements, key lo, key hi, counter words 0–3 (thread t adds t to
// word 2), then per mode: randint: range, low (i32); dropout: keep probability
// (f32), scale (f32), x offset, x sizes and strides.
const WORDS = 11;

/**
 * One Philox block per invocation, four outputs (Note [GPU random numbers]).
 * `outFloat`: randint writes f32; `rank`: dropout reads x through strides.
 */
export function philoxProgram(mode: RandomMode, outFloat = true, rank = 0): ProgramInfo {
  return memoProgram(`philox|${mode}|${outFloat}|${mode === 'dropout' ? rank : 0}`, () => makePhilox(mode, outFloat, rank));
}

function makePhilox(mode: RandomMode, outFloat: boolean, rank: number): ProgramInfo {
  let body: string;
  switch (mode) {
    case 'uniform':
      body = 'let u = unit_(r[j]); out0[e] = select(u, 0.0, u >= 1.0);';
      break;
    case 'normal':
      body = 'out0[e] = nrm[j];';
      break;
    case 'randint':
      body = outFloat ? 'out0[e] = f32(bitcast<i32>(r[j] % U(8u) + U(9u)));' : 'out0[e] = bitcast<i32>(r[j] % U(8u) + U(9u));';
      break;
    case 'raw':
      body = 'out0[e] = bitcast<i32>(r[j]);';
      break;
    case 'dropout':
      body = 'let keep = unit_(r[j]) < Uf(8u); out1[e] = select(0, 1, keep); out0[e] = in0[xat(e)] * select(0.0, 1.0, keep) * Uf(9u);';
  }
  // Box–Muller on (r0, r1) and (r2, r3), as curand_normal4.
  const normal =
    mode === 'normal'
      ? `
  var nrm: array<f32, 4>;
  for (var q = 0u; q < 2u; q = q + 1u) {
    let s = sqrt(-2.0 * log(unit_(r[2u * q])));
    // sin/cos of v − π in [−π, π) (where WGSL bounds their error), negated.
    let w = unit_(r[2u * q + 1u]) * 6.2831853071795864 - 3.1415926535897932;
    nrm[2u * q] = -s * sin(w); nrm[2u * q + 1u] = -s * cos(w);
  }`
      : '';
  const inputs: ElemType[] = mode === 'dropout' ? ['f32'] : [];
  const outputs: ElemType[] = mode === 'dropout' ? ['f32', 'i32'] : (mode === 'randint' && !outFloat) || mode === 'raw' ? ['i32'] : ['f32'];
  const r = mode === 'dropout' ? rank : 0;
  return {
    name: 'philox',
    cacheKey: { hint: `${mode}|${outFloat ? 'f' : 'i'}|r${r}`, inputDependencies: inputs },
    bindings: { inputs, outputs },
    uniformWords: WORDS + 2 * r,
    getShaderSource: (h) => `${h.prelude()}
${PHILOX_WGSL}
${mode === 'dropout' ? h.offsetFn('xat', r, WORDS, WORDS + r, 10) : ''}
${h.main(`  let n = U(0u);
  if (idx >= (n + 3u) / 4u) { return; }
  let r4 = philox_(vec4<u32>(U(3u), U(4u), U(5u) + idx, U(6u)), vec2<u32>(U(1u), U(2u)));
  var r = array<u32, 4>(r4.x, r4.y, r4.z, r4.w);${normal}
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = idx * 4u + j;
    if (e >= n) { break; }
    ${body}
  }`)}`,
  };
}

/** Uniforms of one call over `n` elements at generator state `at` (counter = offset/4, thread index in word 2); `extra`: the mode's words. */
export function philoxRun(n: number, at: { seed: bigint; offset: bigint }, extra: (u: Uniforms) => void = () => undefined, counterHi: readonly [number, number] = [0, 0]): RunData {
  const ctr = at.offset / 4n;
  const lo = (v: bigint) => Number(v & 0xffffffffn);
  const u = new Uniforms().u(n, lo(at.seed), lo(at.seed >> 32n), lo(ctr), lo(ctr >> 32n), counterHi[0], counterHi[1], 0);
  extra(u);
  while (u.length < WORDS) u.u(0);
  return { uniforms: u.build(), workgroups: gridFor(Math.ceil(n / 4)) };
}

// ---- kernels ----

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;
const ints = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0);
const intOf = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : isPyScalar(v) && Number.isInteger(scalarToNumber(v)) ? scalarToNumber(v) : undefined);
const numOf = (v: unknown): number | undefined => (typeof v === 'boolean' ? undefined : isPyScalar(v) ? scalarToNumber(v) : undefined);

/** A fresh contiguous float32 tensor of `shape` filled by `mode` (rand / randn). */
function floatFill(g: GpuCtx, shape: readonly number[], mode: 'uniform' | 'normal'): NDArray {
  const out = g.exec.alloc(shape, 'f32', 'float32');
  if (out.numel > 0) g.exec.dispatch(philoxProgram(mode, true), [], [out], philoxRun(out.numel, gpuGenerator.take(4)));
  return out;
}

/** rand / randn: float32 only (other float dtypes are not held on the GPU; integer dtypes raise on the host). */
function randomFloat(g: GpuCtx, size: unknown, dtype: unknown, mode: 'uniform' | 'normal'): NDArray | undefined {
  if (!ints(size) || (dtypeArg(dtype) ?? 'float32') !== 'float32') return undefined;
  return floatFill(g, size, mode);
}

/** Strides of a fresh tensor like `x`: preserve_format (the default) keeps x's dense layout, others are contiguous. */
function stridesLike(x: NDArray, fmt: unknown): number[] {
  const preserve = fmt == null || (typeof fmt === 'object' && 'enum' in fmt && /preserve_format$/.test(String((fmt as { enum: string }).enum)));
  return preserve ? likeStrides(x) : contiguousStrides(x.shape);
}

function randomLike(g: GpuCtx, x: unknown, dtype: unknown, fmt: unknown, mode: 'uniform' | 'normal'): NDArray | undefined {
  if (!(x instanceof NDArray) || (dtypeArg(dtype) ?? x.dtype) !== 'float32') return undefined;
  const isChannelsLast = typeof fmt === 'object' && fmt !== null && 'enum' in fmt && !/(preserve|contiguous)_format$/.test(String((fmt as { enum: string }).enum));
  if (isChannelsLast) return undefined; // channels_last etc.: the host kernel lays them out
  const out = floatFill(g, x.shape, mode);
  return out.withView(out.shape, stridesLike(x, fmt), 0);
}

/** randint(low, high, size): int64/int32 (i32 buffers) or float32 results. */
function randint(g: GpuCtx, lowArg: unknown, highArg: unknown, size: unknown, dtype: unknown): NDArray | undefined {
  const low = intOf(lowArg), high = intOf(highArg);
  const d: DType | null = dtypeArg(dtype) ?? 'int64';
  if (low === undefined || high === undefined || low >= high || !ints(size)) return undefined; // the host raises torch's error
  if (d !== 'int64' && d !== 'int32' && d !== 'float32') return undefined;
  if (low < I32_MIN || high - 1 > I32_MAX || high - low > 2 ** 32 - 1) return undefined;
  const kind = dtypeKind(d)!;
  if (kind !== 'f32' && !placement.intOnGpu) return undefined;
  const out = g.exec.alloc(size, kind === 'f32' ? 'f32' : 'i32', d);
  if (out.numel > 0) g.exec.dispatch(philoxProgram('randint', kind === 'f32'), [], [out], philoxRun(out.numel, gpuGenerator.take(4), (u) => u.u(high - low).i(low)));
  return out;
}

/** native_dropout in training with 0 < p ≤ 1: one pass reads x (any strides) and writes y and the keep mask. */
function dropoutTrain(g: GpuCtx, xa: unknown, pArg: unknown, train: unknown): NDArray[] | undefined {
  const p = numOf(pArg);
  if (!(xa instanceof NDArray) || train === false || p === undefined || !(p > 0 && p <= 1) || xa.dtype !== 'float32') return undefined;
  const x = g.gpu(xa, 'f32');
  const y = g.exec.alloc(x.shape, 'f32', 'float32');
  const mask = g.exec.alloc(x.shape, 'i32', 'bool');
  const keep = 1 - p;
  const extra = (u: Uniforms) => u.f(keep, keep === 0 ? 0 : 1 / keep).u(x.offset, ...x.shape, ...x.strides);
  if (x.numel > 0) g.exec.dispatch(philoxProgram('dropout', true, x.ndim), [x], [y, mask], philoxRun(x.numel, gpuGenerator.take(4), extra));
  return [y, mask];
}

export const RANDOM_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.rand.default', ([size, dtype], g) => randomFloat(g, size, dtype, 'uniform')],
  ['aten.randn.default', ([size, dtype], g) => randomFloat(g, size, dtype, 'normal')],
  ['aten.rand_like.default', ([x, dtype, , , , mf], g) => randomLike(g, x, dtype, mf, 'uniform')],
  ['aten.randn_like.default', ([x, dtype, , , , mf], g) => randomLike(g, x, dtype, mf, 'normal')],
  ['aten.randint.default', ([high, size, dtype], g) => randint(g, 0, high, size, dtype)],
  ['aten.randint.low', ([low, high, size, dtype], g) => randint(g, low, high, size, dtype)],
];

/** native_dropout: training with 0 < p ≤ 1 here; p = 0 and eval stay with tensor-ops.ts's copy. */
export const dropoutKernel = (fallback: GpuKernel): GpuKernel => (args, g) => dropoutTrain(g, args[0], args[1], args[2]) ?? fallback(args, g);
