"""Check the example models in assets/examples/ against the PyTorch reference corpus.

Run with the reference PyTorch:  /tmp/ref/bin/python scripts/examples/check_histograms.py [NAME ...]

For each assets/examples/NAME.py (the pt2 CLI's MODEL.py contract: module-level
`model`, `example_args`, optional `example_kwargs`, `dynamic_shapes`) it exports
    torch.export.export(model, example_args, example_kwargs, dynamic_shapes=..., strict=False)
and compares with /work/shared/corpus/torch-2.11/models.json models[NAME]:
  ops     the op histogram of the training-IR graph (call_function targets, before
          run_decompositions), e.g. 'aten.conv2d.default', '<built-in function getitem>'
  params  the number of (distinct) parameters
  names   the placeholder names, in order (p_..., b_..., user inputs)
  ranges  range_constraints, up to renaming of the symbols
It also runs ep.module() and the eager model on a fresh random input whose dynamic
dimensions are drawn inside their ranges, and reports the max abs difference.
Exit status 0 when every model passes.

Where the corpus keeps the whole program (models/NAME.pt2, models/NAME.*model.json),
the exported program is also saved with torch.export.save and compared node by node
(target, arguments, node names) with the corpus program: column "program"
(informational; -v prints the first differing lines).
"""

import argparse
import collections
import difflib
import glob
import io
import json
import os
import random
import re
import sys
import traceback
import zipfile
import zlib

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(REPO, "assets", "examples")
CORPUS = os.environ.get("PT2_CORPUS", "/work/shared/corpus/torch-2.11/models.json")
NAMES = ["resnet18", "mobilenet_v3_small", "gpt2_tiny", "bert_tiny", "transformer_encoder_layer"]
# Largest size tried for a dynamic dimension in the numeric check (keeps it fast).
NUMERIC_CAP = {"default": 24}


def load_example(name):
    path = os.path.join(EXAMPLES, name + ".py")
    with open(path) as f:
        src = f.read()
    ns = {"__name__": f"example_{name}", "__file__": path}
    exec(compile(src, path, "exec"), ns)
    for key in ("model", "example_args"):
        if key not in ns:
            raise RuntimeError(f"{path} does not define `{key}`")
    if not isinstance(ns["example_args"], tuple):
        raise RuntimeError(f"{path}: example_args must be a tuple")
    return ns["model"], ns["example_args"], ns.get("example_kwargs") or {}, ns.get("dynamic_shapes")


def op_histogram(ep):
    hist = collections.Counter()
    for node in ep.graph.nodes:
        if node.op == "call_function":
            hist[str(node.target)] += 1
    return dict(hist)


def parse_ranges(text):
    """'{s77: VR[1, 64], s70: VR[2, 512]}' -> {'s77': (1, 64), ...}"""
    out = {}
    for sym, lo, hi in re.findall(r"(\w+): VR\[(-?\w+), (-?\w+)\]", text):
        out[sym] = (lo, hi)
    return out


def sym_bindings(ep):
    """Which user-input dimension each range-constraint symbol first appears in."""
    where = {}
    user_inputs = set(ep.graph_signature.user_inputs)
    for node in ep.graph.nodes:
        if node.op != "placeholder" or node.name not in user_inputs:
            continue
        val = node.meta.get("val")
        if not isinstance(val, torch.Tensor):
            continue
        for i, s in enumerate(val.shape):
            if isinstance(s, torch.SymInt):
                where.setdefault(str(s.node.expr), f"{node.name}.shape[{i}]")
    return where


def _program_json(source):
    """The graph JSON (models/model.json) of a .pt2 archive (path or bytes), or a bare model.json path."""
    if isinstance(source, str) and source.endswith(".json"):
        with open(source) as f:
            return json.load(f)
    z = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    member = next(n for n in z.namelist() if n.endswith("models/model.json"))
    return json.loads(z.read(member))


def _fmt_arg(arg):
    kind, v = next(iter(arg.items()))
    if kind == "as_tensor":
        return v["name"]
    if kind == "as_tensors":
        return "[" + ",".join(t["name"] for t in v) + "]"
    if kind == "as_sym_int":
        return str(v.get("as_name", v))
    if kind == "as_sym_ints":
        return "[" + ",".join(str(x.get("as_name", x.get("as_int"))) for x in v) + "]"
    return json.dumps(v, sort_keys=True)


def _program_lines(prog):
    lines = []
    for n in prog["graph_module"]["graph"]["nodes"]:
        ins = ", ".join(f"{a['name']}={_fmt_arg(a['arg'])}" for a in n["inputs"])
        outs = ",".join(_fmt_arg(o) for o in n["outputs"])
        lines.append(f"{outs} = {n['target']}({ins})")
    return lines


def compare_program(name, ep):
    """Node-by-node comparison with the corpus program, if it has one: (summary, diff lines)."""
    models_dir = os.path.join(os.path.dirname(CORPUS), "models")
    found = sorted(glob.glob(os.path.join(models_dir, f"{name}.pt2"))) + sorted(glob.glob(os.path.join(models_dir, f"{name}.*model.json")))
    if not found:
        return "n/a", []
    buf = io.BytesIO()
    torch.export.save(ep, buf)
    want = _program_lines(_program_json(found[0]))
    got = _program_lines(_program_json(buf.getvalue()))
    diff = list(difflib.unified_diff(want, got, "corpus", "ours", lineterm="", n=0))
    if not diff:
        return f"identical ({len(want)} nodes)", []
    changed = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    return f"{changed} of {len(want)} nodes differ", diff


def count_params(model):
    return sum(p.numel() for p in model.parameters())  # parameters() skips tied duplicates


def dict_diff(want, got):
    lines = []
    for k in sorted(set(want) | set(got)):
        a, b = want.get(k, 0), got.get(k, 0)
        if a != b:
            lines.append(f"    {k}: want {a}, got {b} ({b - a:+d})")
    return lines


def list_diff(want, got):
    lines = []
    if len(want) != len(got):
        lines.append(f"    count: want {len(want)}, got {len(got)}")
    missing = [x for x in want if x not in got]
    extra = [x for x in got if x not in want]
    for x in missing[:10]:
        lines.append(f"    missing {x}")
    for x in extra[:10]:
        lines.append(f"    unexpected {x}")
    if not missing and not extra and want != got:
        for i, (a, b) in enumerate(zip(want, got)):
            if a != b:
                lines.append(f"    order differs at {i}: want {a}, got {b}")
                break
    return lines


def random_inputs(ep, example_args, rng):
    """New inputs shaped like example_args, each dynamic dim drawn inside its range."""
    ranges = {str(k): (int(v.lower), int(v.upper)) for k, v in ep.range_constraints.items()}
    chosen = {}
    user_nodes = [n for n in ep.graph.nodes if n.op == "placeholder" and n.name in set(ep.graph_signature.user_inputs)]
    out = []
    for arg, node in zip(example_args, user_nodes):
        if not isinstance(arg, torch.Tensor):
            out.append(arg)
            continue
        shape = []
        for s in node.meta["val"].shape:
            if isinstance(s, torch.SymInt):
                key = str(s.node.expr)
                if key not in chosen:
                    lo, hi = ranges.get(key, (1, 8))
                    chosen[key] = rng.randint(lo, max(lo, min(hi, NUMERIC_CAP["default"])))
                shape.append(chosen[key])
            else:
                shape.append(int(s))
        if arg.dtype.is_floating_point:
            out.append(torch.randn(shape, dtype=arg.dtype))
        else:
            out.append(torch.randint(0, int(arg.max()) + 1, shape, dtype=arg.dtype))
    return tuple(out), chosen


def flat_tensors(x):
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for y in x for t in flat_tensors(y)]
    if isinstance(x, dict):
        return [t for y in x.values() for t in flat_tensors(y)]
    return []


def check(name, ref, verbose):
    row = {"name": name, "ok": False}
    notes = []
    model, args, kwargs, dynamic_shapes = load_example(name)
    ep = torch.export.export(model, args, kwargs, dynamic_shapes=dynamic_shapes, strict=False)

    hist = op_histogram(ep)
    ops_ok = hist == ref["ops_hist"]
    if not ops_ok:
        notes.append("  ops histogram differs:")
        notes += dict_diff(ref["ops_hist"], hist)

    n_params = count_params(model)
    params_ok = n_params == ref["params"]
    if not params_ok:
        notes.append(f"  params: want {ref['params']}, got {n_params}")

    placeholders = [n.name for n in ep.graph.nodes if n.op == "placeholder"]
    names_ok = placeholders == ref["placeholders"]
    if not names_ok:
        notes.append("  placeholders differ:")
        notes += list_diff(ref["placeholders"], placeholders)

    want_rc = parse_ranges(ref["range_constraints"])
    got_rc = {str(k): (str(v.lower), str(v.upper)) for k, v in ep.range_constraints.items()}
    ranges_ok = sorted(want_rc.values()) == sorted(got_rc.values())
    binding = sym_bindings(ep)
    rc_text = ", ".join(f"{binding.get(k, k)}: VR[{lo}, {hi}]" for k, (lo, hi) in got_rc.items()) or "{}"
    if not ranges_ok:
        notes.append(f"  range_constraints: want {ref['range_constraints']}, got {got_rc}")

    program, program_diff = compare_program(name, ep)
    if program_diff and verbose:
        notes.append("  program vs corpus (first differences):")
        notes += ["    " + d for d in program_diff[:40]]

    n_nodes = len(ep.graph.nodes)
    if verbose or n_nodes != ref.get("nonstrict_nodes"):
        notes.append(f"  (info) graph nodes: {n_nodes}, corpus non-strict: {ref.get('nonstrict_nodes')}")

    # Numeric check on a fresh input inside the dynamic ranges.
    seed = zlib.crc32(name.encode())  # stable across runs (str hash is salted)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    new_args, chosen = random_inputs(ep, args, rng)
    with torch.no_grad():
        want = flat_tensors(model(*new_args, **kwargs))
        got = flat_tensors(ep.module()(*new_args, **kwargs))
    diff = max((float((a - b).abs().max()) for a, b in zip(want, got)), default=0.0)
    shapes = ",".join("x".join(str(d) for d in t.shape) for t in new_args if isinstance(t, torch.Tensor))
    num_ok = len(want) == len(got) and all(a.shape == b.shape for a, b in zip(want, got)) and diff < 1e-4
    if not num_ok:
        notes.append(f"  numeric check failed: max abs diff {diff}")

    row.update(
        ok=ops_ok and params_ok and names_ok and ranges_ok and num_ok,
        ops="ok" if ops_ok else "FAIL",
        params=f"{n_params}" + ("" if params_ok else " FAIL"),
        names=f"{len(placeholders)}" + ("" if names_ok else " FAIL"),
        ranges=rc_text + ("" if ranges_ok else " FAIL"),
        diff=f"{diff:.2e} @ {shapes}",
        program=program,
        notes=notes,
        n_ops=sum(hist.values()),
    )
    if verbose:
        row["notes"].append("  histogram: " + json.dumps(dict(sorted(hist.items()))))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", default=NAMES)
    ap.add_argument("-v", "--verbose", action="store_true", help="print the full histogram and node counts")
    opts = ap.parse_args()
    with open(CORPUS) as f:
        corpus = json.load(f)["models"]
    print(f"torch {torch.__version__}; reference corpus: {CORPUS}")

    rows = []
    for name in opts.names:
        try:
            rows.append(check(name, corpus[name], opts.verbose))
        except Exception as e:  # report and go on with the others
            rows.append({"name": name, "ok": False, "ops": "ERROR", "params": "", "names": "", "ranges": "", "diff": "",
                         "notes": ["  " + line for line in traceback.format_exception_only(type(e), e)] +
                                  (["  " + l for l in traceback.format_exc().splitlines()[-12:]] if opts.verbose else [])})

    cols = [("model", "name"), ("result", None), ("ops hist", "ops"), ("params", "params"), ("placeholders", "names"),
            ("range_constraints", "ranges"), ("ep vs eager max|diff|", "diff"), ("program vs corpus", "program")]
    table = [[("PASS" if r["ok"] else "FAIL") if key is None else str(r.get(key, "")) for _, key in cols] for r in rows]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, (h, _) in enumerate(cols)]
    line = " | ".join(h.ljust(w) for (h, _), w in zip(cols, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for t in table:
        print(" | ".join(c.ljust(w) for c, w in zip(t, widths)))
    for r in rows:
        if r.get("notes"):
            print(f"\n{r['name']}:")
            print("\n".join(r["notes"]))
    ok = all(r["ok"] for r in rows)
    print(f"\n{sum(r['ok'] for r in rows)}/{len(rows)} PASS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
