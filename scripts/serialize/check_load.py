"""Load .pt2 archives written by PT2 Studio with real PyTorch and run them.

Usage: python check_load.py MANIFEST.json  → prints one JSON object of results.

MANIFEST is a list of jobs:
  {"name", "archive",                      # our archive
   "inputs"?: recorded (args tuple), "kwargs"?: recorded dict,
   "expected"?: [[numbers...] per output leaf]   # our engine's outputs
   "reference"?: path of torch's own archive: run both on its sample inputs}
Recorded values use the corpus encoding: {"dtype","shape","data"}, {"py"},
{"seq"}, {"list"}, {"dict"}.
"""
import json
import sys

import torch


def decode(r):
    if isinstance(r, dict) and "dtype" in r and "shape" in r:
        return torch.tensor(r["data"], dtype=getattr(torch, r["dtype"])).reshape(r["shape"])
    if "py" in r:
        return r["py"]
    if "seq" in r:
        return tuple(decode(x) for x in r["seq"])
    if "list" in r:
        return [decode(x) for x in r["list"]]
    if "dict" in r:
        return {k: decode(v) for k, v in r["dict"].items()}
    raise ValueError(f"unrecognised recorded value {r!r:.80}")


def leaves(v):
    flat, _ = torch.utils._pytree.tree_flatten(v)
    return flat


def as_numbers(x):
    if isinstance(x, torch.Tensor):
        return [float(v) for v in x.detach().double().flatten().tolist()]
    return [float(x)]


def max_diff(a, b):
    if len(a) != len(b):
        return float("inf")
    return max([abs(x - y) for x, y in zip(a, b)] + [0.0])


def run_job(job):
    res = {"name": job["name"]}
    ep = torch.export.load(job["archive"])
    res["loaded"] = True
    if "inputs" in job:
        args = decode(job["inputs"])
        kwargs = decode(job["kwargs"]) if job.get("kwargs") else {}
        out = ep.module()(*args, **kwargs)
        got = [as_numbers(x) for x in leaves(out)]
        if "expected" in job:
            exp = job["expected"]
            res["max_diff"] = max([max_diff(g, e) for g, e in zip(got, exp)] + [0.0]) if len(got) == len(exp) else float("inf")
    if "reference" in job:
        ref = torch.export.load(job["reference"])
        if ref.example_inputs is not None:
            args, kwargs = ref.example_inputs
            torch.manual_seed(0)
            a = leaves(ref.module()(*args, **kwargs))
            args, kwargs = torch.export.load(job["reference"]).example_inputs
            torch.manual_seed(0)
            b = leaves(ep.module()(*args, **kwargs))
            res["ref_diff"] = max([max_diff(as_numbers(x), as_numbers(y)) for x, y in zip(a, b)] + [0.0]) if len(a) == len(b) else float("inf")
        res["same_print"] = str(ep) == str(ref)
    return res


def main():
    jobs = json.load(open(sys.argv[1]))
    results = []
    for job in jobs:
        try:
            results.append(run_job(job))
        except Exception as e:  # report, keep going
            results.append({"name": job["name"], "error": f"{type(e).__name__}: {str(e)[:500]}"})
    print(json.dumps({"torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
