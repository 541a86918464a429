import { describe, expect, it } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../engine/core/ndarray';
import { PyFloat } from '../../engine/core/scalar';
import { Tensor } from '../../engine/trace/tensor';
import { wireParse, wireStringify } from './json-wire';
import { WireError, adapterInfo, decodeValue, decodeValues, encodeValue, encodeValues, portableBase64 } from './compare-wire';
import type { WireValue } from './ipc-contract';

const nd = (dtype: 'float32' | 'int64' | 'bool' | 'int32', values: number[], shape: number[]): NDArray => {
  const a = NDArray.zeros(dtype, shape);
  a.storage.data.set(values);
  return a;
};

/** Through JSON as the web transport sends it, and back. */
const viaJson = (w: WireValue): WireValue => wireParse(wireStringify(w)) as WireValue;

describe('compare wire: tensors', () => {
  it('round-trips float32, int64, bool and int32 tensors with their shapes', () => {
    const cases = [nd('float32', [1.5, -2, NaN, Infinity, -0, 3e-38], [2, 3]), nd('int64', [1, -2, 2 ** 40, 0], [4]), nd('bool', [1, 0, 1], [3, 1]), nd('int32', [7], [])];
    for (const a of cases) {
      const w = viaJson(encodeValue(a, 'x'));
      expect(w).toMatchObject({ kind: 'tensor', dtype: a.dtype, shape: a.shape });
      const b = decodeValue(w, 'x') as NDArray;
      expect(b.dtype).toBe(a.dtype);
      expect(b.shape).toEqual(a.shape);
      expect([...b.toArray()].map(String)).toEqual([...a.toArray()].map(String));
    }
  });

  it('sends a strided view as its own contiguous data (row-major)', () => {
    const a = nd('float32', [0, 1, 2, 3, 4, 5], [2, 3]);
    const t = new NDArray(a.storage, [3, 2], [1, 3]); // the transpose, a view
    const b = decodeValue(encodeValue(Tensor.fromNDArray(t), 'x'), 'x') as NDArray;
    expect([...b.toArray()]).toEqual([0, 3, 1, 4, 2, 5]);
    expect(b.strides).toEqual(contiguousStrides([3, 2]));
  });

  it('decodes into a buffer of its own (not a view into the message)', () => {
    const w = encodeValue(nd('float32', [1, 2], [2]), 'x');
    const a = decodeValue(w, 'x') as NDArray;
    const b = decodeValue(w, 'x') as NDArray;
    a.storage.data[0] = 9;
    expect(b.storage.data[0]).toBe(1);
    expect(a.storage).toBeInstanceOf(Storage);
  });

  it('refuses a tensor whose byte count, dtype or shape is wrong, naming it', () => {
    const good = encodeValue(nd('float32', [1, 2, 3], [3]), 'x') as Extract<WireValue, { kind: 'tensor' }>;
    expect(() => decodeValue({ ...good, shape: [4] }, 'output 1')).toThrow(/output 1: 12 bytes, but float32\[4\] needs 16/);
    expect(() => decodeValue({ ...good, dtype: 'complex64' }, 'output 1')).toThrow(/unknown dtype complex64/);
    expect(() => decodeValue({ ...good, shape: [-3] }, 'output 1')).toThrow(WireError);
    expect(() => decodeValue({ kind: 'blob' } as unknown as WireValue, 'output 2')).toThrow(/output 2: not a wire value/);
    expect(() => decodeValues('nope', 'outputs')).toThrow(/expected a list/);
  });
});

describe('compare wire: scalars', () => {
  it('keeps Python int vs float (an integral float stays a float)', () => {
    const ws = encodeValues([3, 2.5, new PyFloat(2), true, null, 'mean'], 'input');
    expect(ws.map((w) => w.kind)).toEqual(['int', 'float', 'float', 'bool', 'none', 'str']);
    const back = decodeValues(ws.map(viaJson), 'input');
    expect(back[0]).toBe(3);
    expect(back[1]).toBe(2.5);
    expect(back[2]).toBeInstanceOf(PyFloat);
    expect((back[2] as PyFloat).value).toBe(2);
    expect(back.slice(3)).toEqual([true, null, 'mean']);
  });

  it('non-finite floats survive the web transport', () => {
    const w = viaJson(encodeValue(-Infinity, 'x'));
    expect(decodeValue(w, 'x')).toBe(-Infinity);
  });

  it('refuses what cannot cross, saying what to use instead', () => {
    expect(() => encodeValue({ a: 1 }, 'input 3')).toThrow(/input 3 is an Object.*only tensors and Python scalars.*CPU backend/);
    expect(() => encodeValue([1, 2], 'input 0')).toThrow(/input 0 is a list/);
    expect(() => encodeValue(10n, 'input 1')).toThrow(/input 1 is a bigint/);
  });
});

describe('compare wire: base64 and adapters', () => {
  it('portable base64 matches Node and handles data larger than one chunk', () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 31) & 255);
    const text = portableBase64.encode(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(portableBase64.decode(text)).toEqual(bytes);
  });

  it('labels a software adapter as not a GPU', () => {
    expect(adapterInfo({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', software: true })).toEqual({
      name: 'google swiftshader',
      software: true,
      label: 'google swiftshader (software adapter, not a GPU)',
    });
    expect(adapterInfo({ vendor: 'nvidia', architecture: 'hopper', device: '', description: '', software: false }).label).toBe('nvidia hopper (GPU)');
    expect(adapterInfo({ vendor: '', architecture: '', device: '', description: '', software: false }).name).toBe('unknown adapter');
  });
});
