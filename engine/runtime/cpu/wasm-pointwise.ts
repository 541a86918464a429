// WebAssembly SIMD kernels (f32x4) for the CPU runtime's small, scalar-bound
// ops, emitted as bytes here (no toolchain) and instantiated once per process
// over their own memory: GELU-tanh, layer norm, + − × ÷, and one attention head (scores,
// softmax, P·V) for heads too small for the GEMM's packing to pay. Data is
// copied in and out; the copies cost far less than the scalar loops replaced.
//
// exp(z) in f32x4: k = nearest(z·log₂e), r = z − k·ln2 (Cody–Waite, two
// parts), e^r by a degree-7 Taylor polynomial (|r| ≤ ln2/2: truncation < 6e-9;
// Estrin's scheme), 2^k built in the exponent bits; z is clamped to [−87, 87]
// and e^z is exactly 0 for z < −80 (no subnormals downstream). GELU-tanh is
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

/** Body computing e^z of the v128 in local `z` onto the stack (uses locals k, r, r2). */
function expOf(z: number, k: number, r: number, r2: number): number[] {
  // Degree-7 polynomial by Estrin's scheme (four independent pairs, then r², r⁴): a shorter dependency chain than Horner.
  const pair = (c0: number, c1: number) => [...f32x4(c0), ...get(r), ...f32x4(c1), ...MUL, ...ADD];
  return [
    ...get(z), ...f32x4(87), ...MIN, ...f32x4(-87), ...MAX, ...set(z),
    ...get(z), ...f32x4(Math.LOG2E), ...MUL, ...NEAREST, ...set(k),
    ...get(z), ...get(k), ...f32x4(LN2_HI), ...MUL, ...SUB, ...get(k), ...f32x4(LN2_LO), ...MUL, ...SUB, ...set(r),
    ...get(r), ...get(r), ...MUL, ...set(r2),
    ...pair(1, 1), ...pair(1 / 2, 1 / 6), ...get(r2), ...MUL, ...ADD,
    ...pair(1 / 24, 1 / 120), ...pair(1 / 720, 1 / 5040), ...get(r2), ...MUL, ...ADD, ...get(r2), ...get(r2), ...MUL, ...MUL,
    ...ADD,
    ...get(k), ...TRUNC_I32, ...i32x4(127), ...I32_ADD, 0x41, 23, ...I32_SHL,
    ...MUL,
    // Exactly 0 below e^-80: tiny results would turn later products subnormal, which x86 computes very slowly.
    ...get(z), ...f32x4(-80), ...simd(0x43), ...simd(0x4f),
  ];
}

/** (src, dst, n8): dst[i] = gelu_tanh(src[i]) for n8 groups of 8 floats (byte addresses). */
function geluBody(): number[] {
  const [src, dst, n] = [0, 1, 2];
  const c1 = -2 * Math.sqrt(2 / Math.PI);
  // One group of 4 floats at byte offset `at` (locals x, z, k, r, r2 from `l`).
  const group = (at: number, l: number) => {
    const [x, z, k, r, r2] = [l, l + 1, l + 2, l + 3, l + 4];
    return [
      ...get(src), ...simd(0x00, 2, at), ...set(x),
      // z = x·(c1 + c1·0.044715·x²)
      ...get(x), ...get(x), ...MUL, ...f32x4(c1 * 0.044715), ...MUL, ...f32x4(c1), ...ADD, ...get(x), ...MUL, ...set(z),
      ...get(dst), ...get(x), ...expOf(z, k, r, r2), ...f32x4(1), ...ADD, ...DIV, ...simd(0x0b, 2, at),
    ];
  };
  // Two independent groups per iteration (n counts pairs): more work in flight, half the loop overhead.
  const loop = [
    ...get(n), 0x45, 0x0d, 1, // br_if n == 0 → out of the block
    ...group(0, 3), ...group(16, 8),
    ...get(src), 0x41, 32, 0x6a, ...set(src),
    ...get(dst), 0x41, 32, 0x6a, ...set(dst),
    ...get(n), 0x41, 1, 0x6b, ...set(n),
    0x0c, 0, // br loop
  ];
  const locals = [1, 10, 0x7b]; // one group: 10 locals of v128
  const code = [...locals, 0x02, 0x40, 0x03, 0x40, ...loop, 0x0b, 0x0b, 0x0b];
  return [...uleb(code.length), ...code];
}

const i32c = (v: number): number[] => [0x41, ...sleb(v)];
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}
const I32_ADD_ = 0x6a, I32_MUL_ = 0x6c, I32_GE_U = 0x4f;
const SPLAT_LOAD = simd(0x09, 2, 0), EXTRACT = (lane: number) => simd(0x1f, lane), F32_MAX = 0x97, F32_ADD = 0x92;
/** local += c (i32). */
const bump = (l: number, c: number[]): number[] => [...get(l), ...c, I32_ADD_, ...set(l)];
/** for (l = 0; l < limit; l += step) body — limit/step as instruction sequences. */
const forLoop = (l: number, limit: number[], step: number[], body: number[]): number[] => [
  ...i32c(0), ...set(l),
  0x02, 0x40, 0x03, 0x40,
  ...get(l), ...limit, I32_GE_U, 0x0d, 1,
  ...body,
  ...bump(l, step),
  0x0c, 0, 0x0b, 0x0b,
];
/** Horizontal reduction of v128 local `v` with a scalar f32 op onto the stack. */
const hReduce = (v: number, op: number): number[] => [...get(v), ...EXTRACT(0), ...get(v), ...EXTRACT(1), op, ...get(v), ...EXTRACT(2), op, ...get(v), ...EXTRACT(3), op];

/**
 * attn(q, qrs, k, krs, v, vrs, m, mrs, out, ors, L, S, E, Ev, srow, Sp, scale): one head,
 * addresses and row strides in bytes, rows of q/k/v/out contiguous, E and Ev multiples
 * of 4; mask rows hold Sp floats (−inf past S). Per query row i: s_j = scale·(q_i·k_j) + m_ij,
 * p = e^{s − max s}, out_i = (Σ_j<S p_j v_j) / Σ_j p_j.
 */
function attnBody(): number[] {
  const [q, qrs, k, krs, v, vrs, m, mrs, out, ors, L, S, E, Ev, srow, Sp, scale] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [i, j, e, qrow, kp, vp, pp, sp4, eb, evb, mrow] = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
  const [acc, sumv, x, kk, r, scl, r2] = [28, 29, 30, 31, 32, 33, 34];
  const [mx] = [35];
  const inv = 36;
  const [kp1, kp2, kp3, last] = [38, 39, 40, 41];
  const [a1, a2, a3, qv, mxv] = [42, 43, 44, 45, 46];
  const I32_LT_S = 0x48, SELECT = 0x1b;
  // Row address of key min(j + t, S − 1): the padding keys re-read the last row (their scores are masked).
  const keyRow = (t: number, dst: number) => [
    ...get(j), ...i32c(t), I32_ADD_, ...get(last), ...get(j), ...i32c(t), I32_ADD_, ...get(last), I32_LT_S, SELECT,
    ...get(krs), I32_MUL_, ...get(k), I32_ADD_, ...set(dst),
  ];
  const lanes = (idx: number[]) => simd(0x0d, ...idx.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]));
  const LO = lanes([0, 4, 1, 5]), HI = lanes([2, 6, 3, 7]), LO2 = lanes([0, 1, 4, 5]), HI2 = lanes([2, 3, 6, 7]);
  const fold = (a: number, b: number) => [...get(a), ...get(b), ...LO, ...get(a), ...get(b), ...HI, ...ADD];
  const mac = (a: number, kr: number) => [...get(a), ...get(qv), ...get(kr), ...get(e), I32_ADD_, ...LOAD, ...MUL, ...ADD, ...set(a)];
  // Four keys per step: four dot-product accumulators, then one 4×4 transpose-and-add gives their four scores.
  const scores = forLoop(j, get(Sp), i32c(4), [
    ...keyRow(0, kp), ...keyRow(1, kp1), ...keyRow(2, kp2), ...keyRow(3, kp3),
    ...v128zero(acc), ...v128zero(a1), ...v128zero(a2), ...v128zero(a3),
    ...forLoop(e, get(eb), i32c(16), [
      ...get(qrow), ...get(e), I32_ADD_, ...LOAD, ...set(qv),
      ...mac(acc, kp), ...mac(a1, kp1), ...mac(a2, kp2), ...mac(a3, kp3),
    ]),
    ...fold(acc, a1), ...set(acc), ...fold(a2, a3), ...set(a1),
    ...get(srow), ...get(j), ...i32c(4), I32_MUL_, I32_ADD_,
    ...get(acc), ...get(a1), ...LO2, ...get(acc), ...get(a1), ...HI2, ...ADD,
    ...get(scl), ...MUL, ...get(mrow), ...get(j), ...i32c(4), I32_MUL_, I32_ADD_, ...LOAD, ...ADD,
    ...[0x22, acc], ...STORE,
    ...get(mxv), ...get(acc), ...MAX, ...set(mxv),
  ]);
  const softmax = [
    ...v128zero(sumv),
    ...forLoop(e, get(sp4), i32c(16), [
      ...get(srow), ...get(e), I32_ADD_,
      ...get(srow), ...get(e), I32_ADD_, ...LOAD, ...get(mx), ...simd(0x13), ...SUB, ...set(x),
      ...expOf(x, kk, r, r2), ...[0x22, x], ...STORE,
      ...get(sumv), ...get(x), ...ADD, ...set(sumv),
    ]),
    0x43, ...new Uint8Array(new Float32Array([1]).buffer), ...hReduce(sumv, F32_ADD), 0x95, ...set(inv),
  ];
  const pv = forLoop(e, get(evb), i32c(16), [
    ...v128zero(acc),
    ...get(srow), ...set(pp),
    ...get(v), ...get(e), I32_ADD_, ...set(vp),
    ...forLoop(j, get(S), i32c(1), [
      ...get(acc), ...get(pp), ...SPLAT_LOAD, ...get(vp), ...LOAD, ...MUL, ...ADD, ...set(acc),
      ...bump(pp, i32c(4)), ...bump(vp, get(vrs)),
    ]),
    ...get(out), ...get(i), ...get(ors), I32_MUL_, I32_ADD_, ...get(e), I32_ADD_,
    ...get(acc), ...get(inv), ...simd(0x13), ...MUL, ...STORE,
  ]);
  const body = [
    ...get(Sp), ...i32c(4), I32_MUL_, ...set(sp4),
    ...get(E), ...i32c(4), I32_MUL_, ...set(eb),
    ...get(Ev), ...i32c(4), I32_MUL_, ...set(evb),
    ...get(scale), ...simd(0x13), ...set(scl),
    ...get(S), ...i32c(1), 0x6b, ...set(last),
    ...forLoop(i, get(L), i32c(1), [
      ...get(q), ...get(i), ...get(qrs), I32_MUL_, I32_ADD_, ...set(qrow),
      ...get(m), ...get(i), ...get(mrs), I32_MUL_, I32_ADD_, ...set(mrow),
      ...f32x4(-Infinity), ...set(mxv),
      ...scores,
      ...hReduce(mxv, F32_MAX), ...set(mx),
      ...softmax, ...pv,
    ]),
  ];
  const locals = [5, 11, 0x7f, 7, 0x7b, 3, 0x7d, 4, 0x7f, 5, 0x7b];
  const code = [...locals, ...body, 0x0b];
  return [...uleb(code.length), ...code];
}

/**
 * ln(x, out, w, b, M, N, eps): layer norm over M rows of N floats (N a multiple of 4),
 * byte addresses; moments in f32x4 lanes, shifted by each row's first element;
 * out = ((x − k) − E[x − k])·rstd·w + b.
 */
function lnBody(): number[] {
  const [x, out, w, b, M, N, eps] = [0, 1, 2, 3, 4, 5, 6];
  const [m, e, row, orow, nb] = [7, 8, 9, 10, 11];
  const [sv, s2v, d, rv, hv, kv] = [12, 13, 14, 15, 16, 17];
  const [kf, md, rstd] = [18, 19, 20];
  const F32_LOAD = [0x2a, 2, 0];
  const moments = forLoop(e, get(nb), i32c(16), [
    ...get(row), ...get(e), I32_ADD_, ...LOAD, ...get(kv), ...SUB, ...set(d),
    ...get(sv), ...get(d), ...ADD, ...set(sv),
    ...get(s2v), ...get(d), ...get(d), ...MUL, ...ADD, ...set(s2v),
  ]);
  const norm = forLoop(e, get(nb), i32c(16), [
    ...get(orow), ...get(e), I32_ADD_,
    ...get(row), ...get(e), I32_ADD_, ...LOAD, ...get(kv), ...SUB, ...get(hv), ...SUB, ...get(rv), ...MUL,
    ...get(w), ...get(e), I32_ADD_, ...LOAD, ...MUL,
    ...get(b), ...get(e), I32_ADD_, ...LOAD, ...ADD, ...STORE,
  ]);
  const nf = [...get(N), 0xb2]; // f32.convert_i32_s
  const body = [
    ...get(N), ...i32c(4), I32_MUL_, ...set(nb),
    ...forLoop(m, get(M), i32c(1), [
      ...get(x), ...get(m), ...get(nb), I32_MUL_, I32_ADD_, ...set(row),
      ...get(out), ...get(m), ...get(nb), I32_MUL_, I32_ADD_, ...set(orow),
      ...get(row), ...F32_LOAD, ...[0x22, kf], ...simd(0x13), ...set(kv),
      ...v128zero(sv), ...v128zero(s2v),
      ...moments,
      ...hReduce(sv, F32_ADD), ...nf, 0x95, ...set(md),
      // rstd = 1 / sqrt(max(E[d²] − E[d]², 0) + eps)
      0x43, ...new Uint8Array(new Float32Array([1]).buffer),
      ...hReduce(s2v, F32_ADD), ...nf, 0x95, ...get(md), ...get(md), 0x94, 0x93,
      0x43, 0, 0, 0, 0, 0x97, ...get(eps), F32_ADD, 0x91, 0x95, ...set(rstd),
      ...get(rstd), ...simd(0x13), ...set(rv),
      // out = ((x − k) − md)·rstd·w + b: x − k is exact, so a mean far above the spread costs nothing
      ...get(md), ...simd(0x13), ...set(hv),
      ...norm,
    ]),
  ];
  const locals = [3, 5, 0x7f, 6, 0x7b, 3, 0x7d];
  const code = [...locals, ...body, 0x0b];
  return [...uleb(code.length), ...code];
}

const v128zero = (l: number): number[] => [...f32x4(0), ...set(l)];

/** (a, b, n4) for one f32x4 op: a[i] = a[i] ∘ b[i] over n4 groups of 4 floats (byte addresses). */
function binaryBody(op: number[]): number[] {
  const [a, b, n] = [0, 1, 2];
  const loop = [
    ...get(n), 0x45, 0x0d, 1,
    ...get(a), ...get(a), ...LOAD, ...get(b), ...LOAD, ...op, ...STORE,
    ...bump(a, i32c(16)), ...bump(b, i32c(16)),
    ...get(n), 0x41, 1, 0x6b, ...set(n),
    0x0c, 0,
  ];
  const code = [0, 0x02, 0x40, 0x03, 0x40, ...loop, 0x0b, 0x0b, 0x0b];
  return [...uleb(code.length), ...code];
}

/**
 * rows(src, table, out, R, n): out row r (n floats) = the n floats at src + table[r]·4,
 * table an i32 array of float offsets; byte addresses.
 */
function rowsBody(): number[] {
  const [src, table, out, R, n] = [0, 1, 2, 3, 4];
  const [r, e, s, d, nb, vb] = [5, 6, 7, 8, 9, 10];
  const F32_LOAD = [0x2a, 2, 0], F32_STORE = [0x38, 2, 0], I32_LOAD = [0x28, 2, 0];
  const body = [
    ...get(n), ...i32c(4), I32_MUL_, ...set(nb),
    ...get(n), ...i32c(-4), 0x71, ...i32c(4), I32_MUL_, ...set(vb), // bytes in whole groups of 4
    ...forLoop(r, get(R), i32c(1), [
      ...get(src), ...get(table), ...get(r), ...i32c(4), I32_MUL_, I32_ADD_, ...I32_LOAD, ...i32c(4), I32_MUL_, I32_ADD_, ...set(s),
      ...get(out), ...get(r), ...get(nb), I32_MUL_, I32_ADD_, ...set(d),
      ...forLoop(e, get(vb), i32c(16), [...get(d), ...get(e), I32_ADD_, ...get(s), ...get(e), I32_ADD_, ...LOAD, ...STORE]),
      // The last n mod 4 floats one by one (e continues from vb).
      0x02, 0x40, 0x03, 0x40,
      ...get(e), ...get(nb), I32_GE_U, 0x0d, 1,
      ...get(d), ...get(e), I32_ADD_, ...get(s), ...get(e), I32_ADD_, ...F32_LOAD, ...F32_STORE,
      ...bump(e, i32c(4)),
      0x0c, 0, 0x0b, 0x0b,
    ]),
  ];
  return finish([6, 0x7f], body);
}

const ceil4 = (n: number): number => (n + 3) & ~3;

function finish(locals: number[], body: number[]): number[] {
  const code = [locals.length / 2, ...locals, ...body, 0x0b];
  return [...uleb(code.length), ...code];
}

export type SimdBinary = 'add' | 'sub' | 'mul' | 'div';
const BINARY: ReadonlyArray<[SimdBinary, number[]]> = [['add', ADD], ['sub', SUB], ['mul', MUL], ['div', DIV]];

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [4, 0x60, 3, 0x7f, 0x7f, 0x7f, 0, 0x60, 17, ...new Array<number>(16).fill(0x7f), 0x7d, 0, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1]),
    ...section(3, [8, 0, 1, 2, 0, 0, 0, 0, 3]),
    ...section(7, [8, ...name('gelu'), 0x00, 0, ...name('attn'), 0x00, 1, ...name('ln'), 0x00, 2, ...BINARY.flatMap(([n], i) => [...name(n), 0x00, 3 + i]), ...name('rows'), 0x00, 7]),
    ...section(10, [8, ...geluBody(), ...attnBody(), ...lnBody(), ...BINARY.flatMap(([, op]) => binaryBody(op)), ...rowsBody()]),
  ]);
}

export interface PointwiseWasm {
  /** out[o..o+n) = gelu_tanh(x[i..i+n)); out may alias x. */
  geluTanh(x: Float32Array, xi: number, out: Float32Array, oi: number, n: number): void;
  /** The module's memory as floats, at least `floats` long (valid until the next call that grows it). */
  memory(floats: number): Float32Array;
  /** out[o..o+n) = a[ai..ai+n) ∘ b[bi..bi+n) elementwise (out may alias a or b). */
  binary(kind: SimdBinary, a: Float32Array, ai: number, b: Float32Array, bi: number, out: Float32Array, oi: number, n: number): void;
  /**
   * A contiguous copy of a strided f32 view whose last dim has stride 1: its rows (n floats each)
   * lie within src[lo..hi] and start at lo + rowStarts[r]; out[oi..) gets the rows in order.
   */
  gatherRows(src: Float32Array, lo: number, hi: number, rowStarts: Int32Array, rows: number, n: number, out: Float32Array, oi: number): void;
  /** Layer norm of M rows of N floats (N % 4 = 0) over the memory, float offsets (see lnBody). */
  layerNorm(x: number, out: number, w: number, b: number, M: number, N: number, eps: number): void;
  /** One attention head over the memory: offsets and row strides in floats (see attnBody). */
  attn(q: number, qrs: number, k: number, krs: number, v: number, vrs: number, m: number, mrs: number, out: number, ors: number, L: number, S: number, E: number, Ev: number, srow: number, Sp: number, scale: number): void;
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
    const attn = inst.exports.attn as (...a: number[]) => void;
    const ln = inst.exports.ln as (...a: number[]) => void;
    const rowsFn = inst.exports.rows as (...a: number[]) => void;
    const bin = Object.fromEntries(BINARY.map(([n]) => [n, inst.exports[n] as (a: number, b: number, n4: number) => void]));
    let view = new Float32Array(memory.buffer);
    const ensure = (floats: number): Float32Array => {
      if (view.length < floats) {
        memory.grow(Math.ceil((floats * 4 - memory.buffer.byteLength) / 65536));
        view = new Float32Array(memory.buffer);
      }
      return view;
    };
    instance = {
      geluTanh(x, xi, out, oi, n) {
        const n8 = (n + 7) >> 3;
        const buf = ensure(n8 * 8);
        buf.set(x.subarray(xi, xi + n), 0);
        buf.fill(0, n, n8 * 8); // padding lanes: keep them ordinary numbers
        gelu(0, 0, n8);
        out.set(buf.subarray(0, n), oi);
      },
      memory: ensure,
      gatherRows(src, lo, hi, rowStarts, rows, n, out, oi) {
        const span = ceil4(hi - lo + 1), tab = span, dst = tab + ceil4(rows), total = rows * n;
        const buf = ensure(dst + total);
        buf.set(src.subarray(lo, hi + 1), 0);
        new Int32Array(buf.buffer, tab * 4, rows).set(rowStarts.subarray(0, rows));
        rowsFn(0, tab * 4, dst * 4, rows, n);
        out.set(buf.subarray(dst, dst + total), oi);
      },
      binary(kind, a, ai, b, bi, out, oi, n) {
        const n4 = (n + 3) >> 2;
        const buf = ensure(n4 * 8);
        buf.set(a.subarray(ai, ai + n), 0);
        buf.set(b.subarray(bi, bi + n), n4 * 4);
        bin[kind]!(0, n4 * 16, n4);
        out.set(buf.subarray(0, n), oi);
      },
      layerNorm(x, out, w, b, M, N, eps) {
        ln(x * 4, out * 4, w * 4, b * 4, M, N, eps);
      },
      attn(q, qrs, k, krs, v, vrs, m, mrs, out, ors, L, S, E, Ev, srow, Sp, scale) {
        attn(q * 4, qrs * 4, k * 4, krs * 4, v * 4, vrs * 4, m * 4, mrs * 4, out * 4, ors * 4, L, S, E, Ev, srow * 4, Sp, scale);
      },
    };
  } catch {
    instance = null;
  }
  return instance;
}
