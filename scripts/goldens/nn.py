"""Goldens for engine/ops/{reduction,matmul,conv,norm}.ts, computed by real PyTorch.

Run with the reference PyTorch:  /tmp/ref/bin/python scripts/goldens/nn.py
Writes engine/test/data/ops/nn.json: per case the op, its arguments (tensors
as dtype/shape/flat data, optionally transposed to make them non-contiguous),
keyword arguments, and the expected output(s).
"""
import json
import math
import os

import torch

torch.manual_seed(0)
aten = torch.ops.aten
cases = []


def num(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, float):
        return float(f"{v:.9g}") if abs(v) > 1e-30 else v
    return v


def enc_tensor(t, transpose=None):
    """Encode `t`; with transpose=(a, b) the TS side rebuilds t as base.transpose(a, b)."""
    base = t.transpose(*transpose).contiguous() if transpose else t.contiguous()
    d = {"tensor": True, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(base.shape),
         "data": [num(x) for x in base.flatten().tolist()]}
    if transpose:
        d["transpose"] = list(transpose)
    return d


def enc(v):
    if isinstance(v, T):
        return enc_tensor(v.t, v.transpose)
    if isinstance(v, torch.Tensor):
        return enc_tensor(v)
    if isinstance(v, torch.dtype):
        return {"dtype": str(v).replace("torch.", "")}
    if isinstance(v, float):
        return {"float": num(v)}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    return v


class T:
    """A tensor argument passed non-contiguously: t == base.transpose(*transpose)."""

    def __init__(self, t, transpose):
        self.t = t
        self.transpose = transpose


def dec(v):
    if isinstance(v, T):
        base = v.t.transpose(*v.transpose).contiguous()
        return base.transpose(*v.transpose)
    if isinstance(v, (list, tuple)) and any(isinstance(x, T) for x in v):
        return [dec(x) for x in v]
    return v


def case(op, args, kwargs=None, name=None, tol=None):
    kwargs = kwargs or {}
    overload = op.split(".")
    fn = getattr(getattr(aten, overload[1]), overload[2])
    out = fn(*[dec(a) for a in args], **{k: dec(v) for k, v in kwargs.items()})
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    c = {"name": name or op, "op": op, "args": [enc(a) for a in args], "kwargs": {k: enc(v) for k, v in kwargs.items()},
         "multi": isinstance(out, (tuple, list)), "outs": [enc_tensor(o) for o in outs]}
    if tol:
        c["tol"] = tol
    cases.append(c)


def err(op, args, kwargs, name):
    overload = op.split(".")
    fn = getattr(getattr(aten, overload[1]), overload[2])
    try:
        fn(*[dec(a) for a in args], **{k: dec(v) for k, v in kwargs.items()})
    except Exception as e:  # noqa: BLE001
        cases.append({"name": name, "op": op, "args": [enc(a) for a in args], "kwargs": {k: enc(v) for k, v in kwargs.items()},
                      "error": {"type": type(e).__name__, "message": str(e).split("\n")[0]}})
        return
    raise AssertionError(f"{name}: expected an error")


r = torch.randn
x = r(3, 4, 5)
xi = torch.randint(-5, 6, (3, 4), dtype=torch.int32)
xb = torch.rand(3, 4) > 0.5

# ---- reductions
case("aten.sum.default", [x])
case("aten.sum.default", [xi], name="sum int32 -> int64")
case("aten.sum.default", [xb], name="sum bool -> int64")
case("aten.sum.default", [x], {"dtype": torch.float64}, name="sum dtype")
case("aten.sum.dim_IntList", [x, [1]], name="sum dim")
case("aten.sum.dim_IntList", [x, [0, -1], True], name="sum dims keepdim")
case("aten.sum.dim_IntList", [x, []], name="sum dim []")
case("aten.sum.dim_IntList", [T(r(4, 3), (0, 1)), [1]], name="sum transposed")
case("aten.sum.dim_IntList", [xi, [0]], {"dtype": torch.float32}, name="sum int dtype f32")
case("aten.mean.default", [x])
case("aten.mean.dim", [x, [0, 2], True], name="mean dims keepdim")
case("aten.mean.dim", [T(r(5, 3), (0, 1)), [0]], name="mean transposed")
case("aten.mean.default", [xi], {"dtype": torch.float64}, name="mean int dtype")
case("aten.prod.default", [r(2, 3)])
case("aten.prod.dim_int", [xi, 1, True], name="prod int keepdim")
case("aten.amax.default", [x, [1]])
case("aten.amin.default", [x, [0, 2], True], name="amin keepdim")
case("aten.amax.default", [xi], name="amax all int")
case("aten.max.default", [x])
case("aten.min.default", [xi])
case("aten.max.dim", [x, 1])
case("aten.min.dim", [T(r(5, 3), (0, 1)), 0, True], name="min.dim transposed keepdim")
case("aten.argmax.default", [x])
case("aten.argmax.default", [x, 2, True], name="argmax dim keepdim")
case("aten.argmin.default", [x, -2])
case("aten.var.correction", [x])
case("aten.var.correction", [x, [1]], {"correction": 0, "keepdim": True}, name="var correction 0 keepdim")
case("aten.var.dim", [x, [0, 2], False], name="var.dim unbiased False")
case("aten.std.correction", [x, [2]])
case("aten.std.dim", [x, [1], True, True], name="std.dim keepdim")
case("aten.any.default", [xb])
case("aten.any.dim", [xb, 1])
case("aten.any.dims", [x > 1, [0, 1]], name="any.dims")
case("aten.all.default", [xb])
case("aten.all.dim", [xb, 0, True], name="all.dim keepdim")
case("aten.all.dims", [x > -1, [1]], name="all.dims")
case("aten.cumsum.default", [x, 1])
case("aten.cumsum.default", [xi, 0], name="cumsum int -> int64")
case("aten.cumsum.default", [T(r(4, 3), (0, 1)), 1], {"dtype": torch.float64}, name="cumsum transposed dtype")
case("aten.logsumexp.default", [x, [1]])
case("aten.logsumexp.default", [x, [0, 2], True], name="logsumexp keepdim")
err("aten.sum.dim_IntList", [x, [3]], {}, "sum dim out of range")
err("aten.sum.dim_IntList", [x, [1, 1]], {}, "sum dim repeated")
err("aten.mean.default", [xi], {}, "mean of int")
err("aten.max.default", [r(0, 3)], {}, "max of empty")
err("aten.amax.default", [r(0, 3), [0]], {}, "amax empty dim")
err("aten.var.correction", [xi.long()], {}, "var of int")

# ---- matmul
case("aten.mm.default", [r(4, 6), r(6, 5)])
case("aten.mm.default", [T(r(4, 6), (0, 1)), r(6, 5)], name="mm transposed")
case("aten.mm.default", [torch.randint(-3, 4, (3, 4)), torch.randint(-3, 4, (4, 2))], name="mm int64")
case("aten.addmm.default", [r(5), r(4, 6), r(6, 5)])
case("aten.addmm.default", [r(4, 1), r(4, 6), T(r(6, 5), (0, 1))], {"beta": 0.5, "alpha": 2}, name="addmm beta alpha")
case("aten.bmm.default", [r(2, 3, 4), r(2, 4, 5)])
case("aten.baddbmm.default", [r(3, 5), r(2, 3, 4), r(2, 4, 5)], {"beta": 0.5, "alpha": 2}, name="baddbmm")
case("aten.dot.default", [r(7), r(7)])
case("aten.mv.default", [r(3, 7), r(7)])
for sa, sb in [((7,), (7,)), ((3, 7), (7,)), ((7,), (7, 3)), ((3, 7), (7, 2)), ((2, 3, 7), (7, 2)), ((3, 7), (2, 7, 2)),
               ((2, 3, 4, 7), (2, 3, 7, 2)), ((2, 1, 4, 7), (3, 7, 2)), ((2, 3, 7), (7,)), ((7,), (2, 7, 3))]:
    case("aten.matmul.default", [r(*sa), r(*sb)], name=f"matmul {sa} @ {sb}")
case("aten.linear.default", [r(4, 6), r(5, 6), r(5)])
case("aten.linear.default", [r(2, 3, 6), r(5, 6), r(5)], name="linear 3-D")
case("aten.linear.default", [r(2, 3, 6), r(5, 6)], name="linear no bias")
case("aten.linear.default", [r(6), r(5, 6), r(5)], name="linear 1-D")
err("aten.mm.default", [r(2048, 2), r(64, 32)], {}, "mm shape mismatch")
err("aten.mm.default", [r(3), r(3, 2)], {}, "mm not a matrix")
err("aten.bmm.default", [r(2, 4, 8), r(2, 7, 5)], {}, "bmm mismatch")
err("aten.addmm.default", [r(3), r(4, 8), r(8, 5)], {}, "addmm self not expandable")
err("aten.dot.default", [r(8), r(7)], {}, "dot size mismatch")
err("aten.matmul.default", [r(2, 4, 8), r(7, 5)], {}, "matmul mismatch")

# ---- convolution and pooling
xc = r(2, 4, 7, 6)
case("aten.convolution.default", [xc, r(3, 4, 3, 3), r(3), [1, 1], [0, 0], [1, 1], False, [0, 0], 1], name="conv2d basic")
case("aten.convolution.default", [xc, r(6, 2, 3, 2), r(6), [2, 1], [1, 2], [1, 2], False, [0, 0], 2], name="conv2d groups stride pad dil")
case("aten.convolution.default", [xc, r(4, 1, 3, 3), None, [1, 1], [1, 1], [1, 1], False, [0, 0], 4], name="conv2d depthwise")
case("aten.convolution.default", [T(r(2, 4, 6), (1, 2)), r(5, 4, 3), r(5), [2], [1], [1], False, [0], 1], name="conv1d transposed input")
case("aten.convolution.default", [r(1, 4, 3, 3), r(4, 2, 3, 3), r(4), [2, 2], [1, 1], [1, 1], True, [1, 1], 2], name="conv_transpose2d")
case("aten.conv2d.default", [xc, r(3, 4, 3, 3), r(3)], name="conv2d defaults")
case("aten.conv2d.default", [r(4, 7, 6), r(3, 4, 3, 3), None, [1, 1], [1, 1]], name="conv2d unbatched")
case("aten.conv1d.default", [r(2, 4, 9), r(3, 4, 3), r(3), [2]], name="conv1d")
case("aten.conv2d.padding", [xc, r(3, 4, 3, 3), r(3), [1, 1], "same"], name="conv2d same")
case("aten.conv2d.padding", [xc, r(3, 4, 4, 2), r(3), [1, 1], "same"], name="conv2d same even kernel")
case("aten.conv2d.padding", [xc, r(3, 4, 3, 3), r(3), [1, 1], "valid"], name="conv2d valid")
xp = r(2, 3, 7, 8)
case("aten.max_pool2d_with_indices.default", [xp, [2, 2]])
case("aten.max_pool2d_with_indices.default", [xp, [3, 3], [2, 2], [1, 1], [1, 1], True], name="maxpool ceil pad")
case("aten.max_pool2d_with_indices.default", [T(r(3, 7, 8), (1, 2)), [3, 2], [1, 2], [0, 1], [2, 1]], name="maxpool 3-D dilation transposed")
case("aten.max_pool2d.default", [xp, [3, 3], [2, 2]])
case("aten.max_pool1d.default", [r(2, 3, 9), [3], [2], [1], [1], True], name="max_pool1d")
case("aten.avg_pool2d.default", [xp, [2, 2]])
case("aten.avg_pool2d.default", [xp, [3, 3], [2, 2], [1, 1], True, False], name="avgpool ceil no pad count")
case("aten.avg_pool2d.default", [xp, [3, 2], [2, 2], [1, 1], False, True, 5], name="avgpool divisor")
case("aten.avg_pool1d.default", [r(2, 3, 9), [3], [2], [1], True, False], name="avg_pool1d")
case("aten.adaptive_avg_pool2d.default", [xp, [1, 1]])
case("aten.adaptive_avg_pool2d.default", [xp, [3, 5]], name="adaptive 3x5")
case("aten._adaptive_avg_pool2d.default", [r(3, 5, 7), [2, 3]], name="_adaptive 3-D")
err("aten.convolution.default", [r(1, 4, 16, 16), r(16, 3, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1], {}, "conv channel mismatch")
err("aten.convolution.default", [r(1, 3, 2, 2), r(16, 3, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1], {}, "conv kernel too big")
err("aten.convolution.default", [r(1, 3, 8, 8), r(16, 3, 3, 3), r(5), [1, 1], [0, 0], [1, 1], False, [0, 0], 1], {}, "conv bias size")
err("aten.max_pool2d_with_indices.default", [r(1, 3, 8, 8), [3, 3], [], [2, 2]], {}, "maxpool pad too big")
err("aten.max_pool2d_with_indices.default", [r(1, 3, 2, 2), [3, 3]], {}, "maxpool output too small")

# ---- norms, softmax, attention
xn = r(3, 4, 5)
rm, rv = r(4), torch.rand(4) + 0.5
case("aten.batch_norm.default", [xn, r(4), r(4), rm, rv, False, 0.1, 1e-5, False], name="batch_norm eval")
case("aten._native_batch_norm_legit_no_training.default", [r(2, 4, 3, 3), r(4), r(4), rm, rv, 0.1, 1e-5])
case("aten._native_batch_norm_legit_no_training.default", [xn, None, None, rm, rv, 0.1, 1e-3], name="bn no affine")
case("aten._native_batch_norm_legit_functional.default", [r(2, 4, 3, 3), r(4), r(4), rm, rv, True, 0.1, 1e-5], name="bn functional train")
case("aten._native_batch_norm_legit.no_stats", [xn, r(4), None, True, 0.1, 1e-5], name="bn no_stats")
case("aten.native_layer_norm.default", [xn, [5], r(5), r(5), 1e-5])
case("aten.native_layer_norm.default", [T(r(3, 4, 5), (1, 2)), [4, 5], None, None, 1e-5], name="layer_norm 2 dims transposed")
case("aten.layer_norm.default", [xn, [5], r(5), r(5)], name="layer_norm defaults")
case("aten._softmax.default", [xn, -1, False])
case("aten._softmax.default", [T(r(3, 5), (0, 1)), 0, False], name="_softmax transposed dim 0")
case("aten.softmax.int", [xn, 1])
case("aten.softmax.int", [xn, 1, torch.float64], name="softmax dtype")
case("aten._log_softmax.default", [xn, 2, False])
case("aten.log_softmax.int", [xn, 0])
q, k, v = r(2, 3, 5, 4), r(2, 3, 6, 4), r(2, 3, 6, 3)
case("aten.scaled_dot_product_attention.default", [q, k, v], name="sdpa")
case("aten.scaled_dot_product_attention.default", [q, k, v, None, 0.0, True], name="sdpa causal")
bm = torch.rand(5, 6) > 0.3
bm[1] = False
case("aten.scaled_dot_product_attention.default", [q, k, v, bm], name="sdpa bool mask with masked row", tol=1e-4)
case("aten.scaled_dot_product_attention.default", [q, k, v, r(2, 1, 5, 6)], {"scale": 0.3}, name="sdpa float mask scale")
case("aten.scaled_dot_product_attention.default", [r(3, 5, 4), r(3, 6, 4), r(3, 6, 4)], name="sdpa 3-D")
case("aten.scaled_dot_product_attention.default", [r(2, 4, 5, 4), r(2, 2, 6, 4), r(2, 2, 6, 4)], {"enable_gqa": True}, name="sdpa gqa")
err("aten.native_layer_norm.default", [r(2, 5, 7), [8], None, None, 1e-5], {}, "layer_norm shape mismatch")
err("aten.batch_norm.default", [r(2, 3, 4), None, None, r(4), r(4), False, 0.1, 1e-5, False], {}, "batch_norm stats size")

out = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "test", "data", "ops", "nn.json")
with open(out, "w") as fh:
    json.dump({"torch": torch.__version__, "cases": cases}, fh, separators=(",", ":"))
print(f"{len(cases)} cases, {os.path.getsize(out)} bytes -> {os.path.normpath(out)}")
