"""Time the reference PyTorch on an exported program: torch.export.load(PT2).module()
on one CPU thread (THREADS, default 1), called on the raw little-endian input. Prints one JSON line:
{"torch": version, "warm": warm-up runs, "ms": [per-call milliseconds...]}.

usage: python torch-bench.py PT2 INPUT.bin DTYPE SHAPE(1x3x224x224) WARMUP REPS [THREADS]

Warm-up as bench.ts does for every engine (its class Settle): WARMUP runs, then
on until five 20-run windows in a row bring no median 2% below the best so far,
at most 10·WARMUP runs.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings('ignore')
import numpy as np  # noqa: E402
import torch  # noqa: E402

pt2, inp, dtype, shape, warmup, reps = sys.argv[1:7]
torch.set_num_threads(int(sys.argv[7]) if len(sys.argv) > 7 else 1)
np_dtype = {'float32': np.float32, 'int64': np.int64, 'float64': np.float64, 'int32': np.int32}[dtype]
x = torch.from_numpy(np.fromfile(inp, dtype=np_dtype).reshape([int(s) for s in shape.split('x')]).copy())
m = torch.export.load(pt2).module()
with torch.no_grad():
    n, best, stale, window = 0, float('inf'), 0, []
    while True:
        t0 = time.perf_counter()
        m(x)
        window.append((time.perf_counter() - t0) * 1000)
        n += 1
        if len(window) < 20:
            continue
        med = sorted(window)[len(window) // 2]
        window = []
        stale = 0 if med < best * 0.98 else stale + 1
        best = min(best, med)
        if n >= int(warmup) and (stale >= 5 or n >= 10 * int(warmup)):
            break
    times = []
    for _ in range(int(reps)):
        t0 = time.perf_counter()
        m(x)
        times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'warm': n, 'ms': times}))
