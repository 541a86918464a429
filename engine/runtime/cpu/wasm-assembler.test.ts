// The assembler's encodings, checked by running what it emits.

import { describe, expect, it } from 'vitest';
import { FunctionBuilder, ValType, assembleModule, sleb, uleb } from './wasm-assembler';
import { gemmModule } from './wasm-kernels';

describe('LEB128', () => {
  it('encodes unsigned and signed values', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe('assembled modules', () => {
  it('runs scalar arithmetic, loops and memory', () => {
    const { i32 } = ValType;
    // sum(p, n): Σ f32 at p[0..n) into p[n]
    const f = new FunctionBuilder('sum', [i32, i32]);
    const i = f.local(i32);
    const acc = f.local(ValType.f32);
    f.f32(0).set(acc).i32(0).set(i);
    f.block().loop();
    f.get(i).get(1).i32GeS().brIf(1);
    f.get(acc).get(0).get(i).i32(4).i32Mul().i32Add().f32Load().f32Add().set(acc);
    f.get(i).i32(1).i32Add().set(i).br(0);
    f.end().end();
    f.get(0).get(1).i32(4).i32Mul().i32Add().get(acc).f32Store();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([f])), { env: { memory } });
    const view = new Float32Array(memory.buffer);
    view.set([1.5, 2, 3.25, 4]);
    (inst.exports.sum as (p: number, n: number) => void)(0, 4);
    expect(view[4]).toBe(10.75);
  });

  it('SIMD opcodes do what their names say', () => {
    if (!gemmModule()) return; // host without WebAssembly SIMD: the runtime uses the TypeScript kernels
    const { i32 } = ValType;
    const ops: Array<[string, (f: FunctionBuilder) => void, (a: number, b: number) => number]> = [
      ['add', (f) => f.f32x4Add(), (a, b) => a + b],
      ['sub', (f) => f.f32x4Sub(), (a, b) => a - b],
      ['mul', (f) => f.f32x4Mul(), (a, b) => a * b],
      ['min', (f) => f.f32x4Min(), (a, b) => Math.min(a, b)],
      ['max', (f) => f.f32x4Max(), (a, b) => Math.max(a, b)],
    ];
    const fns = ops.map(([name, emit]) => {
      const f = new FunctionBuilder(name, [i32]);
      f.get(0).get(0).v128Load(0).get(0).v128Load(16);
      emit(f);
      f.v128Store(32);
      return f;
    });
    const splat = new FunctionBuilder('splat', [i32]);
    splat.get(0).get(0).f32Load(4).f32x4Splat().v128Store(32);
    const shuffle = new FunctionBuilder('even', [i32]);
    shuffle.get(0).get(0).v128Load(0).get(0).v128Load(16).shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]).v128Store(32);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([...fns, splat, shuffle])), { env: { memory } });
    const v = new Float32Array(memory.buffer);
    const a = [1, -2, 3.5, 8], b = [0.5, 4, -1, 2];
    for (const [name, , ref] of ops) {
      v.set([...a, ...b]);
      (inst.exports[name] as (p: number) => void)(0);
      expect([...v.subarray(8, 12)], name).toEqual(a.map((x, i) => Math.fround(ref(x, b[i]!))));
    }
    v.set([...a, ...b]);
    (inst.exports.splat as (p: number) => void)(0);
    expect([...v.subarray(8, 12)]).toEqual([-2, -2, -2, -2]);
    (inst.exports.even as (p: number) => void)(0);
    expect([...v.subarray(8, 12)]).toEqual([1, 3.5, 0.5, -1]);
  });
});
