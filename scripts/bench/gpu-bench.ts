// `npm run bench:gpu -- [--models DIR] [--size 4096] [--reps N] [--out FILE.json] [--only matmul|models]`
//
// The prepared GPU benchmark of issue 6, for a machine with a real GPU: our
// WebGPU backend (Dawn through the `webgpu` package) on
//   - an fp32 SIZE³ matrix product, once per GEMM kernel (ops/matmul.ts: the
//     16×16 kernel and every register-blocked tile shape), checked against a
//     float64 product on sampled entries, reported in TFLOP/s;
//   - whole runs of mobilenet_v3_small and gpt2_tiny from the corpus archives
//     (inputs uploaded, every dispatch in one submit, outputs read back), checked
//     against torch's recorded outputs.
// Its peer is scripts/bench/torch_cuda_bench.py (PyTorch CUDA eager and cuBLAS)
// run on the same machine in the same session; scripts/bench/gpu-report.py puts
// the two side by side. Dawn options come from PT2_DAWN_FLAGS (see nodeGpu).
// A software adapter is reported as such and its numbers are not a GPU's.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NDArray, Storage } from '../../engine/core/ndarray';
import { type GpuDevice, acquireDevice } from '../../engine/runtime/webgpu/device';
import { GpuExecutor } from '../../engine/runtime/webgpu/gpu-exec';
import { GEMM_TILES, type GemmTile, type MatOperand, gemmDispatch } from '../../engine/runtime/webgpu/ops/matmul';
import { compareWith, loadProgram, nodeGpu, resolveInputs } from '../../main/cli/run-command';
import { frozenInputIndices, programInputs, userOutputs } from '../../engine/runtime/program';
import { WebGpuRuntime } from '../../engine/runtime/webgpu/webgpu-runtime';
import { placement } from '../../engine/runtime/webgpu/ops/elementwise';

const HERE = import.meta.dirname;
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: resolve(HERE, '../../../shared/corpus/torch-2.11/models') },
    size: { type: 'string', default: '4096' },
    reps: { type: 'string', default: '20' },
    'model-reps': { type: 'string', default: '200' },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});

const report: Record<string, unknown> = { dawnFlags: process.env.PT2_DAWN_FLAGS ?? '' };
const save = () => {
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 1));
};
const log = (s: string) => process.stdout.write(`${s}\n`);

/** A seeded uniform [-1, 1) generator (xorshift32). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  };
}

async function matmul(exec: GpuExecutor): Promise<void> {
  const n = Number(values.size), reps = Number(values.reps);
  const r = random(7);
  const A = Float32Array.from({ length: n * n }, r), B = Float32Array.from({ length: n * n }, r);
  const host = (d: Float32Array) => new NDArray(new Storage('float32', d), [n, n], [n, 1], 0);
  const ga = exec.upload(host(A), 'f32', true), gb = exec.upload(host(B), 'f32', true);
  const c = exec.alloc([n, n]);
  const op: MatOperand = { batchStrides: [], rs: n, cs: 1, offset: 0 };
  const probe = c.withView([1], [1], 0);
  const rows: Record<string, unknown>[] = [];
  report.matmul = { size: n, reps, rows };
  const kernels: [string, GemmTile | undefined][] = [['small16x16', undefined], ...Object.entries(GEMM_TILES)];
  for (const [name, tile] of kernels) {
    const { program, run } = gemmDispatch(n, n, n, [], op, op, op, undefined, 1, 0, tile);
    try {
      exec.dispatch(program, [ga, gb], [c], run);
      exec.dispatch(program, [ga, gb], [c], run);
      await exec.finish([probe]); // compile + warm up
      // GPU time per product: the wall time of 1 + reps dispatches in one submit
      // less that of 1 (the submit, the readback and the wait cancel out); best of 3.
      const wall = async (count: number) => {
        const t0 = performance.now();
        for (let i = 0; i < count; i++) exec.dispatch(program, [ga, gb], [c], run);
        await exec.finish([probe]);
        return performance.now() - t0;
      };
      let ms = Infinity, oneMs = Infinity;
      for (let t = 0; t < 3; t++) {
        const one = await wall(1);
        ms = Math.min(ms, ((await wall(1 + reps)) - one) / reps);
        oneMs = Math.min(oneMs, one);
      }
      const [out] = await exec.finish([c]);
      let worst = 0;
      const pick = random(99);
      for (let s = 0; s < 256; s++) {
        const i = Math.floor(((pick() + 1) / 2) * n), j = Math.floor(((pick() + 1) / 2) * n);
        let ref = 0;
        for (let k = 0; k < n; k++) ref += A[i * n + k]! * B[k * n + j]!;
        worst = Math.max(worst, Math.abs(out![i * n + j]! - ref) / Math.max(1, Math.abs(ref)));
      }
      const tflops = (2 * n * n * n) / (ms * 1e-3) / 1e12;
      // GPU time stamps around each product (when the adapter has them): median and best.
      let gpu: { medianMs: number; minMs: number; tflops: number } | undefined;
      if (exec.enableProfiling()) {
        exec.profile.clear();
        for (let i = 0; i < reps; i++) exec.dispatch(program, [ga, gb], [c], run);
        await exec.finish([probe]);
        const t = [...exec.profile.values()][0]!.samples.sort((x, y) => x - y);
        exec.disableProfiling();
        const med = t[t.length >> 1]!;
        gpu = { medianMs: med, minMs: t[0]!, tflops: (2 * n * n * n) / (med * 1e-3) / 1e12 };
      }
      rows.push({ kernel: name, ms, oneDispatchWallMs: oneMs, tflops, gpu, maxRelErr: worst });
      log(
        `matmul ${n}³ ${name.padEnd(14)} ${ms.toFixed(3)} ms  ${tflops.toFixed(2)} TFLOP/s` +
          (gpu ? `  [GPU time stamps: median ${gpu.medianMs.toFixed(3)} ms = ${gpu.tflops.toFixed(2)} TFLOP/s, min ${gpu.minMs.toFixed(3)} ms]` : '') +
          `  (one dispatch, submit to readback: ${oneMs.toFixed(2)} ms)  max rel err ${worst.toExponential(2)}`,
      );
    } catch (e) {
      rows.push({ kernel: name, error: (e as Error).message });
      log(`matmul ${name}: ${(e as Error).message}`);
    }
    save();
  }
}

async function models(dev: GpuDevice): Promise<void> {
  // A software adapter (SwiftShader) takes seconds per run: a few runs show it works, not how fast a GPU is.
  const soft = dev.adapter.software;
  const reps = soft ? Math.min(3, Number(values['model-reps'])) : Number(values['model-reps']);
  const warm = soft ? 1 : 30;
  const rows: Record<string, unknown>[] = [];
  report.models = rows;
  const dir = values.models!;
  for (const name of ['gpt2_tiny', 'mobilenet_v3_small']) {
    const input = name === 'gpt2_tiny' ? `${dir}/${name}.in0.int64.bin:1x16` : `${dir}/${name}.in0.float32.bin:1x3x224x224`;
    // Integer bookkeeping (position ids, masks) on the host (the default) and on the GPU.
    for (const intOnGpu of [false, true]) {
      placement.intOnGpu = intOnGpu;
      try {
        const ep = loadProgram(`${dir}/${name}.pt2`);
        const user = resolveInputs(ep, [input]);
        const fallbacks: string[] = [];
        const rt = new WebGpuRuntime(ep.graph, dev, { frozenInputs: frozenInputIndices(ep), onHostFallback: (op) => fallbacks.push(op) });
        const run = async () => userOutputs(ep, await rt.run(programInputs(ep, user)), user)[0] as NDArray;
        const t0 = performance.now();
        let out = await run();
        const firstMs = performance.now() - t0;
        for (let i = 0; i < warm; i++) out = await run();
        const st = rt.exec.stats;
        const before = { encode: st.encodeMs, wait: st.waitMs, dispatches: st.dispatches };
        const ms: number[] = [];
        for (let i = 0; i < reps; i++) {
          const t = performance.now();
          out = await run();
          ms.push(performance.now() - t);
        }
        const total = ms.reduce((a, b) => a + b, 0) / reps;
        ms.sort((a, b) => a - b);
        const cmp = compareWith(out, `${dir}/${name}.out.float32.bin`, 0);
        const encodeMs = (st.encodeMs - before.encode) / reps, waitMs = (st.waitMs - before.wait) / reps;
        const row = {
          model: name,
          intOnGpu,
          firstRunMs: firstMs,
          medianMs: ms[ms.length >> 1]!,
          minMs: ms[0]!,
          p90Ms: ms[Math.floor(ms.length * 0.9)]!,
          meanRecordMs: total - encodeMs - waitMs,
          meanEncodeSubmitMs: encodeMs,
          meanWaitMs: waitMs,
          dispatchesPerRun: (st.dispatches - before.dispatches) / reps,
          hostFallbacks: fallbacks.length,
          relDiff: cmp.maxAbsDiff / Math.max(cmp.maxAbsRef, 1e-30),
        };
        if (!intOnGpu && rt.exec.enableProfiling()) {
          const runs = soft ? 1 : 20;
          for (let i = 0; i < runs; i++) await run();
          const prof = [...rt.exec.profile].map(([program, e]) => ({ program, msPerRun: e.ms / runs, dispatchesPerRun: e.dispatches / runs })).sort((a, b) => b.msPerRun - a.msPerRun);
          Object.assign(row, { gpuMsPerRun: prof.reduce((a, e) => a + e.msPerRun, 0), gpuProfile: prof.slice(0, 15) });
        }
        rows.push(row);
        log(
          `${name.padEnd(20)} int on ${intOnGpu ? 'GPU ' : 'host'}: first ${firstMs.toFixed(1)} ms, median ${row.medianMs.toFixed(3)} ms, min ${row.minMs.toFixed(3)} ms ` +
            `(record ${row.meanRecordMs.toFixed(2)}, encode+submit ${encodeMs.toFixed(2)}, wait ${waitMs.toFixed(2)}; ${row.dispatchesPerRun} dispatches, ${fallbacks.length} host fallbacks) max|Δ|/scale ${row.relDiff.toExponential(2)}`,
        );
        const gp = (row as { gpuProfile?: { program: string; msPerRun: number; dispatchesPerRun: number }[]; gpuMsPerRun?: number }).gpuProfile;
        if (gp) {
          log(`  GPU time per run ${(row as { gpuMsPerRun?: number }).gpuMsPerRun!.toFixed(3)} ms (one pass per dispatch); top programs:`);
          for (const e of gp.slice(0, 8)) log(`    ${e.msPerRun.toFixed(3)} ms  ×${e.dispatchesPerRun}  ${e.program}`);
        }
        rt.destroy();
      } catch (e) {
        rows.push({ model: name, intOnGpu, error: (e as Error).message });
        log(`${name}: ${(e as Error).message}`);
      }
      save();
    }
  }
  placement.intOnGpu = false;
}

const dev = await acquireDevice(await nodeGpu());
if (!dev) {
  log('no WebGPU adapter');
  process.exit(2);
}
report.adapter = dev.adapter;
log(`adapter: ${JSON.stringify(dev.adapter)}${dev.adapter.software ? ' (software adapter, not a GPU)' : ''}`);
save();
if (values.only !== 'models') {
  const exec = new GpuExecutor(dev.device);
  await matmul(exec);
  exec.destroy();
}
if (values.only !== 'matmul') await models(dev);
dev.device.destroy();
save();
process.exit(0);
