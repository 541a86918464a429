// WebAssembly SIMD pointwise kernels (f32x4) for the CPU runtime, emitted as
// bytes here (no toolchain) and instantiated once per process over their own
// memory. Data is copied in and out: for transcendental-heavy ops (GELU-tanh)
// the copies cost far less than the scalar f64 loops they replace.
//
// exp(z) in f32x4: k = nearest(z·log₂e), r = z − k·ln2 (Cody–Waite, two
// parts), e^r by a degree-7 Taylor polynomial (|r| ≤ ln2/2: truncation < 6e-9),
// 2^k built in the exponent bits; z is clamped to [−87, 87]. GELU-tanh is
// x / (1 + e^{−2√(2/π)(x + 0.044715x³)}) — within a few f32 ulps of the formula.
// Returns null where the host has no WebAssembly SIMD; callers keep their
// scalar loops for that case.

const SIMD = 0xfd;
const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const simd = (op: number, ...imm: number[]): number[] => [SIMD, ...uleb(op), ...imm];
const f32x4 = (c: number): number[] => [...simd(0x0c), ...new Uint8Array(new Float32Array([c, c, c, c]).buffer)];
const i32x4 = (c: number): number[] => [...simd(0x0c), ...new Uint8Array(new Int32Array([c, c, c, c]).buffer)];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const ADD = simd(0xe4), SUB = simd(0xe5), MUL = simd(0xe6), DIV = simd(0xe7), MIN = simd(0xe8), MAX = simd(0xe9);
const NEAREST = simd(0x6a), TRUNC_I32 = simd(0xf8), I32_SHL = simd(0xab), I32_ADD = simd(0xae);
const LOAD = simd(0x00, 2, 0), STORE = simd(0x0b, 2, 0);

const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;

/** Body computing e^z of the v128 in local `z` onto the stack (uses locals k, r). */
function expOf(z: number, k: number, r: number): number[] {
  const horner: number[] = [...f32x4(1 / 5040)];
  for (const c of [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]) horner.push(...get(r), ...MUL, ...f32x4(c), ...ADD);
  return [
    ...get(z), ...f32x4(87), ...MIN, ...f32x4(-87), ...MAX, ...set(z),
    ...get(z), ...f32x4(Math.LOG2E), ...MUL, ...NEAREST, ...set(k),
    ...get(z), ...get(k), ...f32x4(LN2_HI), ...MUL, ...SUB, ...get(k), ...f32x4(LN2_LO), ...MUL, ...SUB, ...set(r),
    ...horner,
    ...get(k), ...TRUNC_I32, ...i32x4(127), ...I32_ADD, 0x41, 23, ...I32_SHL,
    ...MUL,
  ];
}

/** (src, dst, n4): dst[i] = gelu_tanh(src[i]) for n4 groups of 4 floats (byte addresses). */
function geluBody(): number[] {
  const [src, dst, n, x, z, k, r] = [0, 1, 2, 3, 4, 5, 6];
  const c1 = -2 * Math.sqrt(2 / Math.PI);
  const loop = [
    ...get(n), 0x45, 0x0d, 1, // br_if n == 0 → out of the block
    ...get(src), ...LOAD, ...set(x),
    // z = x·(c1 + c1·0.044715·x²)
    ...get(x), ...get(x), ...MUL, ...f32x4(c1 * 0.044715), ...MUL, ...f32x4(c1), ...ADD, ...get(x), ...MUL, ...set(z),
    ...get(dst), ...get(x), ...expOf(z, k, r), ...f32x4(1), ...ADD, ...DIV, ...STORE,
    ...get(src), 0x41, 16, 0x6a, ...set(src),
    ...get(dst), 0x41, 16, 0x6a, ...set(dst),
    ...get(n), 0x41, 1, 0x6b, ...set(n),
    0x0c, 0, // br loop
  ];
  const locals = [1, 4, 0x7b]; // one group: 4 locals of v128
  const code = [...locals, 0x02, 0x40, 0x03, 0x40, ...loop, 0x0b, 0x0b, 0x0b];
  return [...uleb(code.length), ...code];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('gelu'), 0x00, 0]),
    ...section(10, [1, ...geluBody()]),
  ]);
}

export interface PointwiseWasm {
  /** out[o..o+n) = gelu_tanh(x[i..i+n)); out may alias x. */
  geluTanh(x: Float32Array, xi: number, out: Float32Array, oi: number, n: number): void;
}

let instance: PointwiseWasm | null | undefined;

/** The SIMD kernels, or null where WebAssembly SIMD is unavailable. */
export function pointwiseWasm(): PointwiseWasm | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: memory } });
    const gelu = inst.exports.gelu as (src: number, dst: number, n4: number) => void;
    let view = new Float32Array(memory.buffer);
    instance = {
      geluTanh(x, xi, out, oi, n) {
        const n4 = (n + 3) >> 2;
        const need = n4 * 4;
        if (view.length < need) {
          memory.grow(Math.ceil((need * 4 - memory.buffer.byteLength) / 65536));
          view = new Float32Array(memory.buffer);
        }
        view.set(x.subarray(xi, xi + n), 0);
        gelu(0, 0, n4);
        out.set(view.subarray(0, n), oi);
      },
    };
  } catch {
    instance = null;
  }
  return instance;
}
