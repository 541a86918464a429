// Transcendentals for f32 kernels, computed in f64 to well below f32 rounding
// (relative error < 1e-9) but several times faster than V8's Math.exp /
// Math.tanh (which are out-of-line calls, ~9 ns each). exp(z) = 2^(k/16) · e^r
// with k = round(16z / ln 2) and |r| ≤ ln2/32, e^r by its degree-4 Taylor
// polynomial (truncation r⁵/5! < 5e-11), 2^(k/16) from a table. Everything is
// plain arithmetic that TurboFan inlines into the callers' loops.

import { pointwiseWasm } from './wasm-pointwise';

/** Adding then subtracting 1.5·2^52 rounds a double to the nearest integer. */
const ROUND = 6755399441055744;
const STEPS = 16;
const TO_K = STEPS / Math.LN2;
const K_LN2 = Math.LN2 / STEPS;
/** |z| beyond this under/overflows f32 anyway: clamp so k stays inside the table. */
const ZMAX = 100;
const KMAX = Math.ceil(ZMAX * TO_K) + 1;
const POW2 = new Float64Array(2 * KMAX + 1);
for (let k = -KMAX; k <= KMAX; k++) POW2[k + KMAX] = 2 ** (k / STEPS);

/** e^z for |z| ≤ 100 (clamped beyond), relative error < 1e-9; NaN gives NaN. */
export function fexp(z: number): number {
  const c = z > ZMAX ? ZMAX : z < -ZMAX ? -ZMAX : z;
  const kf = c * TO_K + ROUND - ROUND;
  const r = c - kf * K_LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24))));
  // NaN: c is NaN, kf NaN, index NaN|0 = 0 → p (NaN) · table = NaN.
  return p * POW2[(kf + KMAX) | 0]!;
}

/** tanh(x) to f32 accuracy: an odd Taylor polynomial near 0, else (1 − e^{−2|x|}) / (1 + e^{−2|x|}). */
export function ftanh(x: number): number {
  const a = x < 0 ? -x : x;
  if (a < 0.02) {
    const s = x * x;
    return x * (1 + s * (-1 / 3 + s * (2 / 15 + s * (-17 / 315 + s * (62 / 2835)))));
  }
  if (a > 10) return x > 0 ? 1 : -1;
  const e = fexp(-2 * a);
  const t = (1 - e) / (1 + e);
  return x < 0 ? -t : x > 0 ? t : x; // NaN falls through to x
}

/** 1 / (1 + e^{−x}). */
export function fsigmoid(x: number): number {
  return 1 / (1 + fexp(-x));
}

const GELU_K = Math.sqrt(2 / Math.PI);
const SIMD_MIN = 64;

/** out[o..o+n) = gelu_tanh(x[i..i+n)) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) = x·σ(2√(2/π)(x + 0.044715x³)). */
export function geluTanhLoop(x: Float32Array, xi: number, out: Float32Array, oi: number, n: number): void {
  const w = n >= SIMD_MIN ? pointwiseWasm() : null;
  if (w) {
    w.geluTanh(x, xi, out, oi, n);
    return;
  }
  geluTanhScalar(x, xi, out, oi, n);
}

/** geluTanhLoop without WebAssembly: f64 per element. */
export function geluTanhScalar(x: Float32Array, xi: number, out: Float32Array, oi: number, n: number): void {
  const k2 = -2 * GELU_K;
  for (let i = 0; i < n; i++) {
    const v = x[xi + i]!;
    out[oi + i] = v / (1 + fexp(k2 * (v + 0.044715 * v * v * v)));
  }
}
