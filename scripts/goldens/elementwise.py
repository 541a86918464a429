"""Goldens for the elementwise, activation and comparison op families.

Run with the reference PyTorch:  /tmp/ref/bin/python scripts/goldens/elementwise.py
Writes engine/test/data/ops/elementwise.json: per case the op (`aten.add.Tensor`),
its arguments (tensors as dtype/shape/flat data, optionally read through a
transposed or expanded view), and what real PyTorch returned (dtype, shape, data)
or raised (type, message). In-place ops run on a clone of `self`; the expected
output is the mutated tensor.
"""

import json
import math
import os

import torch

torch.manual_seed(0)
aten = torch.ops.aten

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "test", "data", "ops", "elementwise.json")

DTYPES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8",
    torch.uint8: "uint8", torch.bool: "bool",
}


def enc_value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def enc_data(t):
    return [enc_value(v) for v in t.reshape(-1).tolist()]


class View:
    """A tensor argument read through a view of a contiguous base."""

    def __init__(self, base, kind):
        self.base = base
        self.kind = kind  # 'transpose' (swap the last two dims) or ('expand', shape)

    def tensor(self):
        if self.kind == "transpose":
            return self.base.transpose(-1, -2)
        return self.base.expand(*self.kind[1])


def enc_arg(a):
    if isinstance(a, View):
        e = {"tensor": {"dtype": DTYPES[a.base.dtype], "shape": list(a.base.shape), "data": enc_data(a.base)}}
        if a.kind == "transpose":
            e["tensor"]["view"] = "transpose"
        else:
            e["tensor"]["view"] = "expand"
            e["tensor"]["expand"] = list(a.kind[1])
        return e
    if isinstance(a, torch.Tensor):
        return {"tensor": {"dtype": DTYPES[a.dtype], "shape": list(a.shape), "data": enc_data(a)}}
    if isinstance(a, torch.dtype):
        return {"dtype": DTYPES[a]}
    if isinstance(a, torch.memory_format):
        return {"enum": str(a)}  # torch.contiguous_format, as the engine spells MemoryFormat values
    if isinstance(a, bool):
        return {"bool": a}
    if isinstance(a, int):
        return {"int": a}
    if isinstance(a, float):
        return {"float": enc_value(a)}
    if a is None or isinstance(a, str):
        return a
    raise TypeError(type(a))


def materialize(a, clone=False):
    if isinstance(a, View):
        return a.tensor()
    if isinstance(a, torch.Tensor) and clone:
        return a.clone()
    return a


def enc_out(r):
    return {"dtype": DTYPES[r.dtype], "shape": list(r.shape), "data": enc_data(r)}


cases = []


def case(op, args, kwargs=None, inplace=False, tol=None):
    kwargs = kwargs or {}
    _, name, overload = op.split(".")
    fn = getattr(getattr(aten, name), overload)
    real = [materialize(a, clone=(inplace and i == 0)) for i, a in enumerate(args)]
    rkw = {k: materialize(v) for k, v in kwargs.items()}
    c = {"op": op, "args": [enc_arg(a) for a in args], "kwargs": {k: enc_arg(v) for k, v in kwargs.items()}}
    if tol is not None:
        c["tol"] = tol
    try:
        r = fn(*real, **rkw)
        if isinstance(r, (tuple, list)):
            c["out"] = [enc_out(x) for x in r]
        else:
            c["out"] = enc_out(real[0] if inplace else r)
    except Exception as e:  # noqa: BLE001 - the error is the golden
        c["error"] = {"type": type(e).__name__, "message": str(e).split("\n")[0]}
    cases.append(c)




def randn(*shape, dtype=torch.float32):
    """Normal samples on a 1/256 grid: exact in every float dtype, short in JSON."""
    return (torch.randn(*shape, dtype=dtype) * 256).round() / 256


# ---- inputs ----
f = randn(2, 3)
f34 = randn(3, 4)
f_t = View(randn(3, 2), "transpose")
f_row = randn(3)
f_col = randn(2, 1)
f_exp = View(randn(1, 3), ("expand", (2, 3)))
f0 = torch.tensor(1.75)
f64 = torch.randn(2, 3, dtype=torch.float64)  # full precision: checks double math
h = randn(2, 3).half()
bf = randn(2, 3).bfloat16()
i = torch.randint(-5, 6, (2, 3))
i_t = View(torch.randint(-5, 6, (3, 2)), "transpose")
i_pos = torch.randint(1, 6, (2, 3))
i32 = torch.randint(-50, 50, (2, 3), dtype=torch.int32)
u8 = torch.randint(0, 256, (2, 3), dtype=torch.uint8)
i8 = torch.randint(-128, 128, (2, 3), dtype=torch.int8)
b = torch.rand(2, 3) > 0.5
b_t = View(torch.rand(3, 2) > 0.5, "transpose")
b_row = torch.rand(3) > 0.5
special = torch.tensor([[float("nan"), float("inf"), float("-inf"), -0.0], [0.5, 1.5, 2.5, -0.5], [-1.5, -2.5, 3.7, -3.7]])
pos = randn(2, 3).abs() * 4 + 0.125
unit = (torch.rand(2, 3) * 460).round() / 256 - 0.9

# ---- unary ----
FLOAT_UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "rsqrt", "reciprocal", "erf", "sigmoid", "tanh", "log1p", "expm1"]
for op in FLOAT_UNARY:
    for x in [f, f_t, i, b, h, f64]:
        case(f"aten.{op}.default", [x])
    case(f"aten.{op}.default", [special])
for op in ["log", "sqrt", "rsqrt", "log1p"]:
    case(f"aten.{op}.default", [pos])
case("aten.erf.default", [torch.linspace(-7, 7, 29, dtype=torch.float64)])

SAME_UNARY = ["neg", "abs", "sign", "floor", "ceil", "round", "trunc"]
for op in SAME_UNARY:
    for x in [f, f_t, i, i32, u8, h, special, b]:
        case(f"aten.{op}.default", [x])

for op in ["logical_not", "isnan", "isinf"]:
    for x in [f, special, i, b, b_t]:
        case(f"aten.{op}.default", [x])
for x in [i, i_t, i32, u8, i8, b, f]:
    case("aten.bitwise_not.default", [x])

# ---- activations ----
for op in ["relu", "silu", "hardswish", "hardsigmoid", "gelu", "softplus", "leaky_relu", "elu", "hardtanh"]:
    for x in [f * 4, f_t, h * 2, special, f64]:
        case(f"aten.{op}.default", [x])
    case(f"aten.{op}.default", [i])
case("aten.relu.default", [b])
case("aten.relu.default", [i32])
case("aten.gelu.default", [f * 3], {"approximate": "tanh"})
case("aten.gelu.default", [f64 * 3], {"approximate": "tanh"})
case("aten.gelu.default", [f], {"approximate": "bogus"})
case("aten.softplus.default", [f * 4, 2, 3])
case("aten.softplus.default", [f * 4, 0.5, 1.5])
case("aten.leaky_relu.default", [f, 0.2])
case("aten.elu.default", [f * 3, 0.5, 2.0, 1.5])
case("aten.hardtanh.default", [f * 3, -2, 2.5])
case("aten.hardtanh.default", [i, -2, 3])
case("aten.hardtanh.default", [b])
case("aten.hardtanh.default", [u8, -1, 200])
for op in ["relu_", "sigmoid_", "tanh_", "hardswish_", "silu_", "gelu_", "hardtanh_", "leaky_relu_"]:
    case(f"aten.{op}.default", [f * 4], inplace=True)
case("aten.relu_.default", [f_t], inplace=True)
case("aten.sigmoid_.default", [i], inplace=True)

# ---- binary arithmetic ----
PAIRS = [(f, f_t), (f, f_row), (f_col, f_row), (f_exp, f), (f, f0), (i, f), (i, i_t), (i32, i), (u8, i8), (b, b_row), (b, i), (h, f), (h, bf), (f64, f)]
for op in ["add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "maximum.default", "minimum.default", "atan2.default", "remainder.Tensor", "pow.Tensor_Tensor"]:
    for a, c in PAIRS:
        if op == "remainder.Tensor" and (c is i or c is i_t):
            c = i_pos
        case(f"aten.{op}", [a, c])
case("aten.add.Tensor", [f, f_t], {"alpha": 2.5})
case("aten.add.Tensor", [i, i_t], {"alpha": 3})
case("aten.add.Tensor", [i, i_t], {"alpha": 1.5})
case("aten.add.Tensor", [f, f], {"alpha": True})
case("aten.add.Tensor", [u8, torch.full((2, 3), 250, dtype=torch.uint8)])
case("aten.add.Tensor", [torch.full((3,), 2**30, dtype=torch.int32), torch.full((3,), 2**30, dtype=torch.int32)])
case("aten.sub.Tensor", [f, f_row], {"alpha": 0.5})
case("aten.mul.Tensor", [torch.full((3,), 2**20 + 3, dtype=torch.int32), torch.full((3,), 2**14 + 1, dtype=torch.int32)])
case("aten.add.Tensor", [f, torch.zeros(5)])
case("aten.mul.Tensor", [torch.zeros(2, 3), torch.zeros(4)])
# scalars in Tensor slots, as decompositions write them
case("aten.add.Tensor", [f, 3])
case("aten.add.Tensor", [i, 3])
case("aten.add.Tensor", [i, 1.5])
case("aten.sub.Tensor", [2, f])
case("aten.div.Tensor", [f, 6])
case("aten.div.Tensor", [i, 2])
SCALARS = [2, 2.5, -3, True, 0.1]
SCALAR_INPUTS = [f_t, i, b, h]
for op in ["add.Scalar", "sub.Scalar", "mul.Scalar", "div.Scalar", "remainder.Scalar", "rsub.Scalar", "pow.Tensor_Scalar"]:
    for x in SCALAR_INPUTS + ([u8] if op == "add.Scalar" else []):
        for s in SCALARS:
            if op == "remainder.Scalar" and s is True:
                continue
            case(f"aten.{op}", [x, s])
case("aten.add.Scalar", [f, 2, 3])
case("aten.rsub.Scalar", [f, 2, 3])
case("aten.rsub.Tensor", [f, f_row], {"alpha": 2})
case("aten.remainder.Scalar", [i, 0])
case("aten.pow.Tensor_Scalar", [i, -1])
case("aten.pow.Tensor_Scalar", [i, 0.5])
case("aten.pow.Tensor_Scalar", [f, 0])
case("aten.pow.Tensor_Scalar", [special, 2])
case("aten.pow.Tensor_Scalar", [i32, 3])
case("aten.pow.Tensor_Tensor", [i, torch.tensor([2, -1, 3])])
case("aten.pow.Tensor_Tensor", [torch.tensor([1, -1, -1, 2]), torch.tensor([-3, -3, -2, -1])])
for s in [2, 2.0, 0.5, -1]:
    for x in [f, i, b]:
        case("aten.pow.Scalar", [s, x])
for mode in ["trunc", "floor", None]:
    for a, c in [(f * 5, f_t), (i * 3, i_pos), (i * 3, -i_pos), (f, f0), (i, f), (h * 4, h)]:
        case("aten.div.Tensor_mode", [a, c], {"rounding_mode": mode})
    for x in [f * 5, i * 3]:
        for s in [2, -2, 1.5]:
            case("aten.div.Scalar_mode", [x, s], {"rounding_mode": mode})
case("aten.div.Tensor_mode", [f, torch.tensor([[0.0, -0.0, -2.0]])], {"rounding_mode": "floor"})
case("aten.div.Tensor_mode", [i, torch.zeros(3, dtype=torch.int64)], {"rounding_mode": "floor"})
case("aten.div.Tensor_mode", [f, f], {"rounding_mode": "bogus"})
case("aten.floor_divide.default", [i * 3, i_pos])
case("aten.floor_divide.default", [f * 5, f_t])
case("aten.floor_divide.default", [i, torch.tensor(0)])
case("aten.floor_divide.Scalar", [i * 3, -2])
case("aten.remainder.Tensor", [f * 5, -f_row])
case("aten.remainder.Tensor", [-i * 3, -i_pos])
case("aten.sub.Tensor", [b, b])
case("aten.sub.Tensor", [b, 1])
case("aten.neg.default", [b])
case("aten.maximum.default", [special, f34])
case("aten.minimum.default", [special, f34])

# ---- where, masked_fill, clamp, lerp ----
for cond, a, c in [(b, f, f_t), (b_row, f, f_col), (b, i, f), (b, f0, i), (b_t, i, i32), (b, f64, f)]:
    case("aten.where.self", [cond, a, c])
case("aten.where.self", [i, f, f])
case("aten.where.self", [b, f, torch.zeros(5)])
case("aten.where.ScalarOther", [b, f, 0.5])
case("aten.where.ScalarOther", [b, i32, 1])
case("aten.where.ScalarOther", [b, i32, 1.5])
case("aten.where.ScalarSelf", [b, 2, i])
case("aten.where.Scalar", [b, 1.0, 0.0])
case("aten.where.Scalar", [b, 1, 0])
for x, m, v in [(f, b, 2.5), (f_t, b_row, float("-inf")), (i, b, 2.5), (i, b, -3), (u8, b_t, 7), (b, b_row, True), (f[0], b, 1)]:
    case("aten.masked_fill.Scalar", [x, m, v])
case("aten.masked_fill.Scalar", [i, i, 2])
case("aten.masked_fill.Tensor", [f, b, torch.tensor(3.25, dtype=torch.float64)])
case("aten.masked_fill.Tensor", [i, b_row, torch.tensor(3.5)])
case("aten.masked_fill.Tensor", [f, b, f_row])
case("aten.masked_fill_.Scalar", [f, b, -1.0], inplace=True)
for lo, hi in [(-0.5, 0.5), (0, None), (None, 0.25), (1, -1), (0.5, None)]:
    for x in [f, f_t, i, special]:
        case("aten.clamp.default", [x, lo, hi])
case("aten.clamp.default", [b, 0])
case("aten.clamp.default", [f])
case("aten.clamp.Tensor", [f, f_row * 0.5, f_col.abs()])
case("aten.clamp.Tensor", [f, None, f_t])
case("aten.clamp.Tensor", [i, f_row, None])
case("aten.clamp.Tensor", [special, torch.tensor(-1.0), torch.tensor(1.0)])
case("aten.clamp_min.default", [f, 0.2])
case("aten.clamp_min.default", [i, 0.5])
case("aten.clamp_max.default", [f_t, -0.2])
case("aten.clamp_min.Tensor", [f, f_row])
case("aten.clamp_max.Tensor", [f, f_row])
case("aten.clamp_.default", [f, -0.3, 0.3], inplace=True)
case("aten.lerp.Scalar", [f, f_t, 0.3])
case("aten.lerp.Scalar", [f, f_row, 0.8])
case("aten.lerp.Tensor", [f, f_row, unit])
case("aten.lerp.Tensor", [f64, f64 * 2, torch.rand(2, 3, dtype=torch.float64) * 2 - 0.5])
case("aten.lerp.Scalar", [i, i, 0.5])

# ---- comparisons and logic ----
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    for a, c in [(f, f_t), (f, f_row), (i, f), (i, i_t), (b, b_row), (special, f34), (h, f64)]:
        case(f"aten.{op}.Tensor", [a, c])
    for x, s in [(f, 0.0), (f, 0.1), (i, 1.5), (i, 2), (b, True), (special, float("nan"))]:
        case(f"aten.{op}.Scalar", [x, s])
case("aten.eq.Tensor", [torch.zeros(2, 3), torch.zeros(4)])
for op in ["logical_and", "logical_or", "logical_xor"]:
    for a, c in [(b, b_t), (b, b_row), (i, f), (special, f34)]:
        case(f"aten.{op}.default", [a, c])
for op in ["bitwise_and.Tensor", "bitwise_or.Tensor", "bitwise_xor.Tensor", "__and__.Tensor", "__or__.Tensor"]:
    for a, c in [(b, b_t), (i, i_t), (b, i), (u8, i8), (i32, i32 * 3), (f, f)]:
        case(f"aten.{op}", [a, c])
case("aten.bitwise_and.Tensor", [torch.tensor([2**40 + 7, -(2**41) - 1]), torch.tensor([2**40 + 3, 2**42 - 1])])

# ---- in-place arithmetic ----
case("aten.add_.Tensor", [f, f_t], inplace=True)
case("aten.add_.Tensor", [f, f_row], {"alpha": 2}, inplace=True)
case("aten.add_.Tensor", [i, f], inplace=True)
case("aten.add_.Tensor", [f_row, f], inplace=True)
case("aten.add_.Scalar", [i, 3], inplace=True)
case("aten.sub_.Tensor", [f, f_col], inplace=True)
case("aten.mul_.Tensor", [f, f_row], inplace=True)
case("aten.mul_.Tensor", [f, i], inplace=True)
case("aten.mul_.Scalar", [i, 3], inplace=True)
case("aten.mul_.Scalar", [b, 2], inplace=True)
case("aten.div_.Tensor", [f, f_t], inplace=True)
case("aten.div_.Tensor", [i, i_pos], inplace=True)
case("aten.div_.Scalar", [f, 4], inplace=True)
case("aten.fill_.Scalar", [f, 2.5], inplace=True)
case("aten.fill_.Scalar", [i, 2.5], inplace=True)
case("aten.fill_.Scalar", [b, 2], inplace=True)
case("aten.copy_.default", [f, f_t], inplace=True)
case("aten.copy_.default", [i, torch.tensor([1.7, -1.7, -2.5])], inplace=True)
case("aten.copy_.default", [u8, torch.tensor([[300.2], [-1.7]])], inplace=True)
case("aten.copy_.default", [f, torch.zeros(2)], inplace=True)

# ---- dtype and copy ----
case("aten.fill.Scalar", [f, 3])
case("aten.fill.Scalar", [i, 2.5])
case("aten.copy.default", [i, f_row])
case("aten.copy.default", [f, f_t])
case("aten.clone.default", [f_t])
case("aten.clone.default", [i], {"memory_format": torch.contiguous_format})
case("aten.lift_fresh_copy.default", [f])
case("aten._to_copy.default", [f_t], {"dtype": torch.float64})
conv_src = torch.tensor([[1.7, -1.7, 300.2, -300.7], [float("nan"), 0.0, -0.0, 0.5], [2.5, 70000.0, 1e-8, -129.0]])
for d in [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool, torch.float16, torch.bfloat16, torch.float64]:
    src = conv_src if d not in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64) else conv_src.nan_to_num(0.0)
    case("aten._to_copy.default", [src], {"dtype": d})
case("aten._to_copy.default", [b], {"dtype": torch.float32})
case("aten._to_copy.default", [i], {"dtype": torch.uint8})
case("aten.to.dtype", [f, torch.float64])
case("aten.to.dtype", [f_t, torch.float32])
case("aten.to.dtype", [i, torch.float16])
case("aten.to.dtype", [f, torch.float32, False, True])
case("aten.to.dtype_layout", [f], {"dtype": torch.int32})
case("aten.type_as.default", [f, i])
case("aten.type_as.default", [i, h])
case("aten.dropout.default", [f, 0.3, False])
case("aten.native_dropout.default", [f, 0.3, False])

with open(OUT, "w") as fh:
    json.dump({"generator": "scripts/goldens/elementwise.py", "torch": torch.__version__, "cases": cases}, fh, separators=(",", ":"))
print(f"{len(cases)} cases, {os.path.getsize(OUT)} bytes -> {os.path.normpath(OUT)}")
