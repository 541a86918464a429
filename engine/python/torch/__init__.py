# PT2 Studio's torch: the PyTorch Python API over the TypeScript export engine.
# Tensors and ops are the engine's (eager on CPU, recorded while exporting).
# Random numbers are deterministic per torch.manual_seed but are not PyTorch's
# own stream, so randn/rand/randint and nn init give different values than torch.
import builtins as _builtins
import math as _math

from pyodide.ffi import to_js as _to_js

from . import _bridge
from ._bridge import E as _E, op as _op, enc as _enc, dec as _dec, to_engine as _to_engine, engine_call as _engine_call, is_tracing as _is_tracing, unsupported as _unsupported
from ._types import (
    dtype,
    device,
    Size,
    float32,
    float64,
    float16,
    bfloat16,
    int64,
    int32,
    int16,
    int8,
    uint8,
    strided,
    contiguous_format,
    channels_last,
    preserve_format,
    DTYPES as _DTYPES,
    CPU as _CPU,
)
from ._types import bool_ as bool  # noqa: A001 - torch.bool
from ._tensor import Tensor, SymInt, SymBool, SymFloat, _shape_args, _dims

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
uint8 = uint8
layout = type(strided)
memory_format = type(strided)
FloatTensor = LongTensor = BoolTensor = IntTensor = DoubleTensor = Tensor

__version__ = "2.11.0+pt2studio"

for _c in (Tensor, SymInt, SymFloat, SymBool, Size, dtype, device):
    _c.__module__ = "torch"
del _c

_default_dtype = float32


def get_default_dtype():
    return _default_dtype


def set_default_dtype(d):
    global _default_dtype
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype = d


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(t):
    return t.is_floating_point()


def numel(t):
    return t.numel()


# ---------------------------------------------------------------- creation


def _flatten_data(data):
    flat = []
    kinds = set()

    def rec(v, depth, shape):
        if isinstance(v, Tensor):
            v = v.tolist()
        if isinstance(v, (list, tuple)):
            if len(shape) <= depth:
                shape.append(len(v))
            elif shape[depth] != len(v):
                raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {len(v)})")
            for x in v:
                rec(x, depth + 1, shape)
            return
        if len(shape) != depth and not (len(shape) > depth and False):
            if len(shape) > depth:
                raise ValueError("ragged nested sequence")
        if isinstance(v, _builtins.bool):
            kinds.add("bool")
            flat.append(v)
        elif isinstance(v, _builtins.int):
            kinds.add("int")
            flat.append(v)
        elif isinstance(v, _builtins.float):
            kinds.add("float")
            flat.append(v)
        elif isinstance(v, (SymInt, SymBool, SymFloat)):
            raise _unsupported("torch.tensor() of a symbolic value while exporting")
        else:
            raise TypeError(f"Could not infer dtype of {type(v).__name__}")

    shape = []
    rec(data, 0, shape)
    kind = "float" if "float" in kinds else ("int" if "int" in kinds else ("bool" if "bool" in kinds else "float"))
    return flat, shape, kind


def _from_flat(flat, shape, dt):
    return Tensor._wrap(_engine_call(_E.fromValues, dt._name, _to_js(list(shape)), _to_js(list(flat))))


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if device is not None:
        _types_device(device)
    if isinstance(data, Tensor) and dtype is None:
        dtype = data.dtype
    flat, shape, kind = _flatten_data(data)
    dt = dtype or {"bool": bool, "int": int64, "float": _default_dtype}[kind]
    t = _from_flat(flat, shape, dt)
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return tensor(data, dtype=dtype)


def _types_device(d):
    return device(d)


def _factory_kwargs(dtype, layout=None):
    kw = {}
    if dtype is not None:
        kw["dtype"] = dtype
    kw["device"] = _CPU
    kw["pin_memory"] = False
    return kw


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad = True
    return t


def _const(name, value, size, dtype, device, requires_grad):
    shape = _shape_args(size)
    if device is not None:
        _types_device(device)
    if _is_tracing():
        return _finish(_op(f"aten.{name}.default", shape, **_factory_kwargs(dtype)), requires_grad)
    dt = dtype or _default_dtype
    return _finish(Tensor._wrap(_engine_call(_E.full, dt._name, _to_engine(shape), value)), requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _const("zeros", 0, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _const("ones", 1, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None, pin_memory=False):
    shape = _shape_args(size)
    if _is_tracing():
        return _op("aten.empty.memory_format", shape, **_factory_kwargs(dtype))
    return _const("zeros", 0, size, dtype, device, requires_grad)


def _scalar_dtype(v):
    if isinstance(v, _builtins.bool):
        return bool
    if isinstance(v, _builtins.int):
        return int64
    return _default_dtype


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    shape = _shape_args((size,))
    if _is_tracing():
        return _finish(_op("aten.full.default", shape, fill_value, **_factory_kwargs(dtype)), requires_grad)
    dt = dtype or _scalar_dtype(fill_value)
    return _finish(Tensor._wrap(_engine_call(_E.full, dt._name, _to_engine(shape), _builtins.float(fill_value))), requires_grad)


def _random(kind, name, size, dtype, a, b, requires_grad, extra=()):
    shape = _shape_args(size)
    if _is_tracing():
        return _op(f"aten.{name}", *extra, shape, **_factory_kwargs(dtype))
    dt = dtype or (int64 if kind == "randint" else _default_dtype)
    return _finish(Tensor._wrap(_engine_call(_E.random, kind, dt._name, _to_engine(shape), a, b)), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _random("normal", "randn.default", size, dtype, 0.0, 1.0, requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _random("uniform", "rand.default", size, dtype, 0.0, 1.0, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if size is None:
        low, high, size = 0, low, high
        if _is_tracing():
            return _op("aten.randint.default", high, list(size), **_factory_kwargs(dtype))
        return _random("randint", "randint.default", (size,), dtype, low, high, requires_grad)
    if _is_tracing():
        return _op("aten.randint.low", low, high, list(size), **_factory_kwargs(dtype))
    return _random("randint", "randint.low", (size,), dtype, low, high, requires_grad)


def _random_fill(t, kind, a, b):
    r = _random(kind, "", (list(t.shape),), t.dtype, a, b, False)
    return t.copy_(r)


def _like(name, value, input, dtype, requires_grad):
    if _is_tracing():
        kw = {"dtype": dtype} if dtype is not None else {}
        kw["pin_memory"] = False
        return _op(f"aten.{name}.default", input, **kw)
    return _const("zeros", value, (list(input.shape),), dtype or input.dtype, None, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like("zeros_like", 0, input, dtype, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like("ones_like", 1, input, dtype, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like("empty_like", 0, input, dtype, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    if _is_tracing():
        kw = {"dtype": dtype} if dtype is not None else {}
        kw["pin_memory"] = False
        return _op("aten.full_like.default", input, fill_value, **kw)
    return full(list(input.shape), fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, **kw):
    if _is_tracing():
        return _op("aten.randn_like.default", input, **({"dtype": dtype} if dtype else {}), pin_memory=False)
    return randn(list(input.shape), dtype=dtype or input.dtype)


def rand_like(input, *, dtype=None, **kw):
    if _is_tracing():
        return _op("aten.rand_like.default", input, **({"dtype": dtype} if dtype else {}), pin_memory=False)
    return rand(list(input.shape), dtype=dtype or input.dtype)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if _is_tracing():
        kw = _factory_kwargs(dtype)
        if end is None:
            return _op("aten.arange.default", start, **kw)
        if step == 1:
            return _op("aten.arange.start", start, end, **kw)
        return _op("aten.arange.start_step", start, end, step, **kw)
    if end is None:
        start, end = 0, start
    is_float = _builtins.any(isinstance(v, _builtins.float) for v in (start, end, step))
    dt = dtype or (_default_dtype if is_float else int64)
    n = _builtins.max(0, _math.ceil((end - start) / step))
    return _from_flat([start + i * step for i in range(n)], [n], dt)


def linspace(start, end, steps, *, dtype=None, **kw):
    if _is_tracing():
        return _op("aten.linspace.default", start, end, steps, **_factory_kwargs(dtype))
    vals = [start + (end - start) * i / (steps - 1) for i in range(steps)] if steps > 1 else [start][:steps]
    return _from_flat(vals, [steps], dtype or _default_dtype)


def eye(n, m=None, *, dtype=None, **kw):
    if _is_tracing():
        raise _unsupported("torch.eye while exporting")
    m = n if m is None else m
    return _from_flat([1 if i == j else 0 for i in range(n) for j in range(m)], [n, m], dtype or _default_dtype)


def manual_seed(seed):
    _E.manualSeed(_builtins.int(seed) & 0xFFFFFFFF)

    class _Gen:
        def initial_seed(self):
            return seed

    return _Gen()


def seed():
    return 0


def initial_seed():
    return 0


# ---------------------------------------------------------------- functions


def cat(tensors, dim=0, *, out=None):
    return _op("aten.cat.default", list(tensors), dim)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    return _op("aten.stack.default", list(tensors), dim)


def where(condition, input=None, other=None):
    if input is None and other is None:
        raise _unsupported("torch.where(condition) with one argument")
    a, b = isinstance(input, Tensor), isinstance(other, Tensor)
    name = "self" if a and b else ("ScalarSelf" if b else ("ScalarOther" if a else "Scalar"))
    return _op(f"aten.where.{name}", condition, input, other)


def add(input, other, *, alpha=1, out=None):
    if not isinstance(input, Tensor):
        return other.add(input, alpha=alpha) if alpha == 1 else _unsupported("torch.add(scalar, tensor, alpha=...)")
    return input.add(other, alpha=alpha)


def sub(input, other, *, alpha=1, out=None):
    return input.sub(other, alpha=alpha)


subtract = sub


def mul(input, other, *, out=None):
    if not isinstance(input, Tensor):
        return other.mul(input)
    return input.mul(other)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    return input.div(other, rounding_mode=rounding_mode)


divide = true_divide = div


def pow(input, exponent, *, out=None):  # noqa: A001
    if not isinstance(input, Tensor):
        return _op("aten.pow.Scalar", input, exponent)
    return input.pow(exponent)


def max(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    return input.max(dim, keepdim)


def min(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    return input.min(dim, keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    return input.mean(dim, keepdim, dtype=dtype)


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    return input.clamp(min, max)


clip = clamp


def softmax(input, dim, dtype=None):
    return input.softmax(dim, dtype)


def log_softmax(input, dim, dtype=None):
    return input.log_softmax(dim, dtype)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def _method(name):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    f.__name__ = name
    return f


for _n in (
    "sin cos tan exp log sqrt rsqrt reciprocal erf log1p expm1 neg negative abs absolute sign floor ceil round trunc sigmoid tanh relu "
    "matmul mm bmm dot mv maximum minimum atan2 logical_and logical_or logical_xor logical_not bitwise_not isnan isinf lerp masked_fill "
    "clamp_min clamp_max clone reshape permute transpose swapaxes movedim t unflatten unsqueeze squeeze narrow select split chunk unbind "
    "index_select gather scatter nonzero tril triu prod amax amin argmax argmin var std any all cumsum diff logsumexp roll flip tile "
    "eq ne lt le gt ge remainder floor_divide"
).split():
    globals()[_n] = _method(_n)
del _n

fmod = remainder  # noqa: F821


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return _op("aten.addmm.default", input, mat1, mat2, **({"beta": beta} if beta != 1 else {}), **({"alpha": alpha} if alpha != 1 else {}))


def baddbmm(input, b1, b2, *, beta=1, alpha=1):
    return _op("aten.baddbmm.default", input, b1, b2, **({"beta": beta} if beta != 1 else {}), **({"alpha": alpha} if alpha != 1 else {}))


def embedding(input, weight, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _op("aten.embedding.default", weight, input, padding_idx)


def broadcast_shapes(*shapes):
    nd = _builtins.max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for i, d in enumerate(reversed(list(s))):
            j = nd - 1 - i
            if out[j] == 1:
                out[j] = d
            elif d != 1 and d != out[j]:
                raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape")
    return Size(out)


# ---------------------------------------------------------------- control flow and checks


def cond(pred, true_fn, false_fn, operands=(), *args):
    """torch.cond: both branches are traced into subgraphs while exporting."""
    if args:
        raise TypeError("cond() takes 4 positional arguments")

    def branch(fn):
        def run(js_ops):
            return _to_engine(fn(*[_dec(o) for o in js_ops]))

        return run

    if not isinstance(operands, (tuple, list)):
        raise _bridge._ERROR_CLASSES["torch._dynamo.exc.UserError"]("INVALID_INPUT", f"Expect operands to be a tuple of possibly nested dict/list/tuple that only consists of tensor leaves, but got {operands}.")
    return _dec(_engine_call(_E.cond, _to_engine(pred), branch(true_fn), branch(false_fn), _to_engine(tuple(operands))))


def _check(cond, message=None):
    if callable(message):
        message = message()
    _engine_call(_E.check, _to_engine(cond), message)


def _check_is_size(i, message=None):
    _check(i >= 0, message)


def sym_int(v):
    return _builtins.int(v)


def sym_not(v):
    return ~v if isinstance(v, SymBool) else (not v)


# ---------------------------------------------------------------- grad mode (no autograd here)


class _NoOpContext:
    def __init__(self, *a, **k):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        return fn


no_grad = enable_grad = inference_mode = set_grad_enabled = _NoOpContext


def is_grad_enabled():
    return False


def compile(*a, **k):  # noqa: A001
    raise _unsupported("torch.compile")


# ---------------------------------------------------------------- torch.ops


class _OpOverload:
    def __init__(self, qualname):
        self._qualname = qualname
        self.__name__ = qualname.split(".", 1)[1]

    def __call__(self, *args, **kwargs):
        return _op(self._qualname, *args, **kwargs)

    def name(self):
        ns, rest = self._qualname.split(".", 1)
        return f"{ns}::{rest}"

    def __str__(self):
        return self._qualname

    def __repr__(self):
        return self._qualname

    def __eq__(self, other):
        return isinstance(other, _OpOverload) and other._qualname == self._qualname

    def __hash__(self):
        return hash(self._qualname)


_OVERLOADS = {}


def _overload(qualname):
    o = _OVERLOADS.get(qualname)
    if o is None:
        o = _OVERLOADS[qualname] = _OpOverload(qualname)
    return o


class _OpPacket:
    def __init__(self, ns, name):
        self._ns, self._name = ns, name

    def __getattr__(self, overload):
        if overload.startswith("__"):
            raise AttributeError(overload)
        return _overload(f"{self._ns}.{self._name}.{overload}")

    def __call__(self, *args, **kwargs):
        return _overload(f"{self._ns}.{self._name}.default")(*args, **kwargs)


class _OpNamespace:
    def __init__(self, ns):
        self._ns = ns

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _OpPacket(self._ns, name)


class _HigherOrder:
    cond = staticmethod(cond)


class _Ops:
    aten = _OpNamespace("aten")
    higher_order = _HigherOrder()


ops = _Ops()


class _Cuda:
    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(s):
        return None

    manual_seed_all = manual_seed


cuda = _Cuda()

# Submodules (imported last: they use the names above).
from . import nn  # noqa: E402
from . import export  # noqa: E402
from . import fx  # noqa: E402
from . import utils  # noqa: E402
from . import _dynamo  # noqa: E402
from . import return_types  # noqa: E402
from .nn import functional as _F  # noqa: E402,F401


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'torch' has no attribute '{name}'")
    raise _tensor_mod._UnsupportedAttribute(f"torch.{name} is not supported yet")


from . import _tensor as _tensor_mod  # noqa: E402
