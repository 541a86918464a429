"""The peer of scripts/bench/gpu-bench.ts: PyTorch on the same CUDA GPU.

  python3 scripts/bench/torch_cuda_bench.py --models DIR --examples assets/examples [--size 4096] [--out FILE.json]

- fp32 SIZE^3 matrix product through cuBLAS (TF32 off, as torch's default for
  matmul; TF32 on reported separately), timed with CUDA events.
- mobilenet_v3_small and gpt2_tiny in eager mode (the models from
  assets/examples, torchvision's mobilenet_v3_small when it is installed), on the
  corpus inputs, per-call latency with a synchronize after each call:
    eager_ms      input already on the GPU, output left there (models.json's "cuda_eager_ms");
    eager_io_ms   input copied host->GPU and output GPU->host in each call (what one run of ours does);
  and the archive's ep.module() moved to the GPU where that works.
"""

import argparse
import json
import runpy
import statistics
import time
from pathlib import Path

import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("--models", required=True)
p.add_argument("--examples", required=True)
p.add_argument("--size", type=int, default=4096)
p.add_argument("--reps", type=int, default=200)
p.add_argument("--out")
p.add_argument("--device", default="cuda", help="cpu only to check this script where there is no GPU")
args = p.parse_args()

dev = torch.device(args.device)
cuda = dev.type == "cuda"
report = {"torch": torch.__version__, "device": torch.cuda.get_device_name() if cuda else "cpu", "models": []}


def sync():
    if cuda:
        torch.cuda.synchronize()



def save():
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))


def matmul(tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    n = args.size
    g = torch.Generator(device=dev).manual_seed(0)
    a = torch.rand(n, n, device=dev, generator=g) * 2 - 1
    b = torch.rand(n, n, device=dev, generator=g) * 2 - 1
    for _ in range(3):
        a @ b
    sync()
    reps = 20 if cuda else 2
    if cuda:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            a @ b
        end.record()
        sync()
        ms = start.elapsed_time(end) / reps
    else:
        t = time.perf_counter()
        for _ in range(reps):
            a @ b
        ms = (time.perf_counter() - t) * 1e3 / reps
    torch.backends.cuda.matmul.allow_tf32 = False
    return {"ms": ms, "tflops": 2 * n**3 / (ms * 1e-3) / 1e12}


def latency(fn, reps):
    for _ in range(30):
        fn()
    sync()
    ms = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync()
        ms.append((time.perf_counter() - t) * 1e3)
    ms.sort()
    return {"median": statistics.median(ms), "min": ms[0]}


report["matmul_f32"] = matmul(False)
report["matmul_tf32"] = matmul(True)
print(f"cuBLAS fp32 {args.size}^3: {report['matmul_f32']['ms']:.3f} ms, {report['matmul_f32']['tflops']:.2f} TFLOP/s (tf32: {report['matmul_tf32']['tflops']:.1f})", flush=True)
save()

models = Path(args.models)
for name, shape, dtype in [("gpt2_tiny", (1, 16), np.int64), ("mobilenet_v3_small", (1, 3, 224, 224), np.float32)]:
    row = {"model": name}
    report["models"].append(row)
    x_host = torch.from_numpy(np.fromfile(models / f"{name}.in0.{np.dtype(dtype).name}.bin", dtype=dtype).reshape(shape))
    x = x_host.to(dev)
    candidates = []
    if name == "mobilenet_v3_small":
        try:
            import torchvision

            candidates.append(("torchvision", torchvision.models.mobilenet_v3_small().eval()))
        except Exception as e:  # noqa: BLE001
            row["torchvision_error"] = repr(e)
    candidates.append(("example", runpy.run_path(str(Path(args.examples) / f"{name}.py"))["model"].eval()))
    with torch.inference_mode():
        for label, model in candidates:
            model = model.to(dev)
            row[f"{label}_eager_ms"] = latency(lambda: model(x), args.reps)
            row[f"{label}_eager_io_ms"] = latency(lambda: model(x_host.to(dev)).cpu(), args.reps)
        try:
            ep = torch.export.load(str(models / f"{name}.pt2"))
            m = ep.module().to(dev)
            out = m(x)
            ref = torch.from_numpy(np.fromfile(models / f"{name}.out.float32.bin", dtype=np.float32))
            row["ep_module_rel_diff"] = float((out.float().cpu().flatten() - ref).abs().max() / ref.abs().max())
            row["ep_module_ms"] = latency(lambda: m(x), args.reps)
        except Exception as e:  # noqa: BLE001
            row["ep_module_error"] = repr(e)[:500]
    print(json.dumps(row), flush=True)
    save()
save()
