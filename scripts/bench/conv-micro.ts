import { type NDArray } from '../../engine/core/ndarray';
import { convNd } from '../../engine/runtime/cpu/conv';
import { fastKernels } from '../../engine/runtime/cpu/fast-kernels';
import { kernelContext, randArray, rng } from '../../engine/runtime/cpu/test-helpers';
const r = rng(1);
const ctx = kernelContext();
const cases: Array<[number[], number[], number, number]> = [
  [[1, 72, 56, 56], [72, 1, 3, 3], 2, 1],
  [[1, 16, 112, 112], [16, 1, 3, 3], 2, 1],
  [[1, 240, 14, 14], [240, 1, 5, 5], 1, 2],
  [[1, 576, 7, 7], [576, 1, 5, 5], 1, 2],
  [[1, 88, 28, 28], [88, 1, 3, 3], 1, 1],
  [[1, 96, 28, 28], [96, 1, 5, 5], 2, 2],
  [[1, 288, 14, 14], [288, 1, 5, 5], 2, 2],
  [[1, 3, 224, 224], [16, 3, 3, 3], 2, 1],
  [[1, 96, 7, 7], [576, 96, 1, 1], 1, 0],
  [[1, 16, 56, 56], [72, 16, 1, 1], 1, 0],
  [[1, 64, 56, 56], [64, 64, 3, 3], 1, 1],
  [[1, 256, 7, 7], [256, 256, 3, 3], 1, 1],
];
// ONLY=substring picks cases by their printed label.
const only = process.env.ONLY;
const ROUNDS = Number(process.env.ROUNDS ?? 60);
for (const [xs, ws, s, p] of cases) {
  if (only && !`${JSON.stringify(xs)} ${JSON.stringify(ws)}`.includes(only)) continue;
  const x = randArray(xs, r), w = randArray(ws, r), b = randArray([ws[0]!], r);
  const g = ws[1] === 1 && xs[1] !== 1 ? xs[1]! : 1;
  // Outputs go back to the pool, as the runtime's memory plan does.
  const run = () => ctx.pool.recycle(convNd(x, w, b, [s, s], [p, p], [1, 1], g, ctx, { act: 'hardswish' })!.storage.data);
  for (let i = 0; i < 300; i++) run();
  let best = Infinity;
  for (let k = 0; k < ROUNDS; k++) {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) run();
    best = Math.min(best, (performance.now() - t0) / 5);
  }
  const OH = Math.floor((xs[2]! + 2 * p - ws[2]!) / s) + 1, OW = Math.floor((xs[3]! + 2 * p - ws[3]!) / s) + 1;
  const macs = ws[0]! * ws[1]! * ws[2]! * ws[3]! * OH * OW;
  console.log(`${JSON.stringify(xs)} ${JSON.stringify(ws)} s${s}: ${(best * 1000).toFixed(1)} µs, ${(macs / best / 1e6).toFixed(1)} GMAC/s`);
}
{
  // Matrix-vector shapes: the classifier's linears and a squeeze-excitation 1×1 conv.
  const w1 = randArray([1000, 1024], r), x1 = randArray([1, 1024], r), b1 = randArray([1000], r);
  const w2 = randArray([144, 576, 1, 1], r), x2 = randArray([1, 576, 1, 1], r), b2 = randArray([144], r);
  const wk = new WeakSet<object>([w1.storage.data, w2.storage.data]);
  const c2 = { ...ctx, frozenKey: (a: { storage: { data: object } }) => (wk.has(a.storage.data) ? a.storage.data : undefined) };
  const lin = fastKernels().get('aten.linear.default')!;
  for (const [name, run] of (only ? [] : [
    ['linear [1,1024]·[1000,1024]ᵀ', () => ctx.pool.recycle((lin([x1, w1, b1], c2) as NDArray).storage.data)],
    ['SE conv [1,576,1,1]→144', () => ctx.pool.recycle(convNd(x2, w2, b2, [1, 1], [0, 0], [1, 1], 1, c2, { act: 'relu' })!.storage.data)],
  ] as const)) {
    for (let i = 0; i < 300; i++) run();
    let best = Infinity;
    for (let k = 0; k < ROUNDS; k++) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) run();
      best = Math.min(best, (performance.now() - t0) / 5);
    }
    console.log(`${name}: ${(best * 1000).toFixed(1)} µs`);
  }
}
