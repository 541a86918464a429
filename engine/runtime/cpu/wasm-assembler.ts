// A tiny WebAssembly binary assembler: just enough of the format (types, one
// imported memory, functions, exports, code) and of the instruction set (i32
// arithmetic, f32/v128 loads and stores, f32x4 arithmetic, structured control
// flow) to emit the SIMD kernels of the CPU runtime from TypeScript at run time.
// See Note [Why the kernels are assembled at run time] in wasm-kernels.ts.

export enum ValType {
  i32 = 0x7f,
  i64 = 0x7e,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

const BLOCK_VOID = 0x40;
const SIMD = 0xfd;

/** Unsigned LEB128. */
export function uleb(v: number, out: number[] = []): number[] {
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(v: number, out: number[] = []): number[] {
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function utf8(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/** The body of one function, written instruction by instruction. Locals are numbered after the params. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Declare a local; returns its index. */
  local(t: ValType): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(SIMD, ...uleb(opcode), ...imm);
  }
  private memarg(align: number, offset: number): number[] {
    return [...uleb(align), ...uleb(offset)];
  }

  // Control flow.
  block(): this {
    return this.op(0x02, BLOCK_VOID);
  }
  loop(): this {
    return this.op(0x03, BLOCK_VOID);
  }
  if(): this {
    return this.op(0x04, BLOCK_VOID);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  return(): this {
    return this.op(0x0f);
  }

  // Locals and constants.
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }

  // i32 arithmetic and comparisons.
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32DivS(): this {
    return this.op(0x6d);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Shl(): this {
    return this.op(0x74);
  }

  i32Load(offset = 0): this {
    return this.op(0x28, ...this.memarg(2, offset));
  }

  // Scalar f32 memory and arithmetic.
  f32Load(offset = 0): this {
    return this.op(0x2a, ...this.memarg(2, offset));
  }
  f32Store(offset = 0): this {
    return this.op(0x38, ...this.memarg(2, offset));
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Mul(): this {
    return this.op(0x94);
  }

  // SIMD (128-bit, f32x4 lanes). Alignment hints are 4 bytes: packed panels are only float-aligned.
  v128Load(offset = 0): this {
    return this.simd(0x00, ...this.memarg(2, offset));
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, ...this.memarg(2, offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, ...this.memarg(2, offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  /** i8x16.shuffle of the two v128 operands by 16 byte-lane indices (0–31). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error('shuffle takes 16 lane indices');
    return this.simd(0x0d, ...lanes);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Min(): this {
    return this.simd(0xe8);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  /** f32x4.pmin: b < a ? b : a per lane (one minps on x64; f32x4.min's NaN/±0 rules cost ~6 instructions). */
  f32x4Pmin(): this {
    return this.simd(0xea);
  }
  /** f32x4.pmax: a < b ? b : a per lane (one maxps on x64). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }

  /** Locals declaration + code + end, as the code section wants it. */
  encodeBody(): number[] {
    const groups: Array<[number, ValType]> = [];
    for (const t of this.localTypes) {
      const last = groups.at(-1);
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body: number[] = [...uleb(groups.length)];
    for (const [n, t] of groups) body.push(...uleb(n), t);
    body.push(...this.code, 0x0b);
    return [...uleb(body.length), ...body];
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const it of items) out.push(...it);
  return out;
}

/**
 * A module importing one memory as `env.memory` (at least `minPages` 64 KiB pages)
 * and exporting every function under its name. With `sharedMaxPages` the memory
 * is a shared one of at most that many pages (threads: one memory, many instances).
 */
export function assembleModule(functions: readonly FunctionBuilder[], minPages = 1, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results]);
  // Memory limits: flag 0x00 = min only, 0x03 = min, max and shared.
  const limits = sharedMaxPages === undefined ? [0x00, ...uleb(minPages)] : [0x03, ...uleb(minPages), ...uleb(sharedMaxPages)];
  const imports = [[...utf8('env'), ...utf8('memory'), 0x02, ...limits]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => f.encodeBody());
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ];
  return new Uint8Array(bytes);
}
