# torch.Tensor over the engine's tensors (the symbolic scalars live in _sym.py). Every operation goes through the engine's dispatcher (eager on real
# data, recorded while exporting), spelled the way PyTorch's Python layer calls ATen.
import math

from . import _types
from ._bridge import E, op, dec, enc, engine_call, unsupported, INT64_MAX, is_tracing
from ._types import Size, DTYPES
from ._sym import SymInt, SymFloat, SymBool  # noqa: F401 (re-exported)


def _dtype_of(name):
    return DTYPES[name]


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _shape_args(size):
    """Accept f(2, 3), f((2, 3)), f([2, 3]), f(torch.Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return list(size[0])
    return list(size)


def _dims(dim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return list(dim)
    return [dim]


def _fmt_floats(vals):
    finite = [v for v in vals if math.isfinite(v)]
    def special(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if finite and all(float(v).is_integer() for v in finite):
        mx = max(abs(v) for v in finite)
        if mx < 1e8:
            return [f"{v:.0f}." if math.isfinite(v) else special(v) for v in vals]
        return [f"{v:.4e}" if math.isfinite(v) else special(v) for v in vals]
    nz = [abs(v) for v in finite if v != 0]
    sci = bool(nz) and (max(nz) / min(nz) > 1000.0 or max(nz) > 1e8 or min(nz) < 1e-4)
    return [(f"{v:.4e}" if sci else f"{v:.4f}") if math.isfinite(v) else special(v) for v in vals]


def _format_values(flat, dtype):
    if dtype.is_floating_point:
        return _fmt_floats(flat)
    if dtype is _types.bool_:
        return ["True" if v else "False" for v in flat]
    return [str(int(v)) for v in flat]


def _format_tensor(flat, shape, dtype, indent):
    summarize = len(flat) > 1000
    strs = _format_values(flat, dtype)
    width = max((len(s) for s in strs), default=1)
    strs = [s.rjust(width) for s in strs]
    if not shape:
        return strs[0].strip()

    def rec(offset, dims, depth):
        n = dims[0]
        stride = 1
        for d in dims[1:]:
            stride *= d
        idxs = list(range(n))
        if summarize and n > 6:
            idxs = [0, 1, 2, None, n - 3, n - 2, n - 1]
        if len(dims) == 1:
            items = ["..." if i is None else strs[offset + i] for i in idxs]
            per_line = max(1, (80 - indent - depth) // (width + 2))
            lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
            return "[" + (",\n" + " " * (indent + depth + 1)).join(lines) + "]"
        sep = "," + "\n" * (len(dims) - 1) + " " * (indent + depth + 1)
        parts = ["..." if i is None else rec(offset + i * stride, dims[1:], depth + 1) for i in idxs]
        return "[" + sep.join(parts) + "]"

    return rec(0, list(shape), 0)


# ---------------------------------------------------------------- Tensor


def _scalar_or_tensor(v):
    return v


class Tensor:
    """torch.Tensor: a handle on an engine tensor (real data, or fake while exporting)."""

    __slots__ = ("_h", "__dict__")

    def __init__(self, *args, **kwargs):
        raise TypeError("use torch.tensor(data) or a factory function (torch.zeros, torch.randn, ...) to make tensors")

    @classmethod
    def _wrap(cls, h):
        t = object.__new__(cls)
        t._h = h
        return t

    # ---- metadata
    @property
    def shape(self):
        return Size(dec(x) for x in E.shape(self._h))

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return dec(engine_call(E.sizeAt, self._h, dim))

    def dim(self):
        return len(E.shape(self._h))

    ndimension = dim

    @property
    def ndim(self):
        return self.dim()

    @property
    def dtype(self):
        return _dtype_of(E.dtype(self._h))

    @property
    def device(self):
        return _types.CPU

    @property
    def is_cuda(self):
        return False

    @property
    def layout(self):
        return _types.strided

    def numel(self):
        n = 1
        for d in self.shape:
            n = n * d
        return n

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_contiguous(self, memory_format=None):
        # Decided without guards where possible, as torch's is_contiguous_or_false.
        return bool(E.isContiguous(self._h))

    def __len__(self):
        s = self.shape
        if not s:
            raise TypeError("len() of a 0-d tensor")
        return int(s[0])

    @property
    def requires_grad(self):
        return bool(E.requiresGrad(self._h))

    @requires_grad.setter
    def requires_grad(self, v):
        E.requiresGrad(self._h, bool(v))

    def requires_grad_(self, v=True):
        self.requires_grad = v
        return self

    @property
    def grad(self):
        return None

    @property
    def grad_fn(self):
        return None

    @property
    def is_leaf(self):
        return True

    @property
    def data(self):
        return self

    def backward(self, *a, **k):
        raise unsupported("autograd (Tensor.backward)")

    def detach(self):
        if is_tracing():
            return op("aten.detach.default", self)
        return self

    def detach_(self):
        return self

    def cpu(self):
        return self

    def cuda(self, *a, **k):
        raise unsupported("CUDA (Tensor.cuda)")

    def numpy(self):
        raise unsupported("Tensor.numpy (numpy is not available)")

    # ---- values
    def _flat(self):
        if E.isFake(self._h):
            raise RuntimeError("this tensor is a FakeTensor (being exported) and has no data; data-dependent Python code cannot run while exporting")
        vals = E.flat(self._h).to_py()
        d = self.dtype
        if d.is_floating_point:
            return [float(v) for v in vals]
        if d is _types.bool_:
            return [bool(v) for v in vals]
        return [int(v) for v in vals]

    def tolist(self):
        flat = self._flat()
        shape = [int(s) for s in self.shape]
        if not shape:
            return flat[0]

        def rec(off, dims):
            if len(dims) == 1:
                return flat[off : off + dims[0]]
            stride = 1
            for d in dims[1:]:
                stride *= d
            return [rec(off + i * stride, dims[1:]) for i in range(dims[0])]

        return rec(0, shape)

    def item(self):
        r = dec(engine_call(E.item, self._h))
        if isinstance(r, (SymInt, SymBool)):
            return r
        d = self.dtype
        if d.is_floating_point:
            return float(r)
        if d is _types.bool_:
            return bool(r)
        return int(r)

    def __bool__(self):
        return bool(engine_call(E.tensorToBool, self._h))

    def __int__(self):
        return int(self.item())

    def __float__(self):
        return float(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype is _types.bool_:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self):
        if E.isFake(self._h):
            return f"FakeTensor(..., size=({', '.join(str(s) for s in self.shape)}{',' if len(self.shape) == 1 else ''}), dtype={self.dtype})"
        body = _format_tensor(self._flat(), [int(s) for s in self.shape], self.dtype, 7)
        extra = []
        if self.numel() == 0 and len(self.shape) != 1:
            extra.append(f"size={tuple(self.shape)}")
        if self.dtype not in (_types.float32, _types.int64, _types.bool_):
            extra.append(f"dtype={self.dtype}")
        if self.requires_grad:
            extra.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extra) + ")"

    __str__ = __repr__

    def __format__(self, spec):
        if self.dim() == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __hash__(self):
        return id(self)

    def __iter__(self):
        n = len(self)
        return (self[i] for i in range(n))

    def __contains__(self, v):
        return bool((self == v).any())

    def __reduce_ex__(self, proto):
        raise unsupported("pickling tensors")

    def __deepcopy__(self, memo):
        return self.clone()

    # ---- arithmetic
    def __add__(self, o):
        return op("aten.add.Tensor", self, o)

    def __radd__(self, o):
        return op("aten.add.Tensor", self, o)

    def __sub__(self, o):
        return op("aten.sub.Tensor", self, o)

    def __rsub__(self, o):
        return op("aten.rsub.Scalar", self, o)

    def __mul__(self, o):
        return op("aten.mul.Tensor", self, o)

    def __rmul__(self, o):
        return op("aten.mul.Tensor", self, o)

    def __truediv__(self, o):
        return op("aten.div.Tensor", self, o)

    def __rtruediv__(self, o):
        return op("aten.mul.Tensor", op("aten.reciprocal.default", self), o)

    def __floordiv__(self, o):
        return op("aten.floor_divide.default", self, o)

    def __mod__(self, o):
        return op("aten.remainder.Tensor" if isinstance(o, Tensor) else "aten.remainder.Scalar", self, o)

    def __pow__(self, o):
        return op("aten.pow.Tensor_Tensor" if isinstance(o, Tensor) else "aten.pow.Tensor_Scalar", self, o)

    def __rpow__(self, o):
        return op("aten.pow.Scalar", o, self)

    def __matmul__(self, o):
        return op("aten.matmul.default", self, o)

    def __rmatmul__(self, o):
        return op("aten.matmul.default", o, self)

    def __neg__(self):
        return op("aten.neg.default", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return op("aten.abs.default", self)

    def __invert__(self):
        return op("aten.bitwise_not.default", self)

    # `a & b` / `a | b` on tensors record torch's operator overloads (aten.__and__.Tensor),
    # not bitwise_and; with a Python scalar the engine has only bitwise_*.Scalar so far.
    def __and__(self, o):
        return op("aten.__and__.Tensor" if isinstance(o, Tensor) else "aten.bitwise_and.Tensor", self, o)

    def __rand__(self, o):
        return op("aten.__and__.Tensor", o, self) if isinstance(o, Tensor) else op("aten.bitwise_and.Tensor", self, o)

    def __or__(self, o):
        return op("aten.__or__.Tensor" if isinstance(o, Tensor) else "aten.bitwise_or.Tensor", self, o)

    def __ror__(self, o):
        return op("aten.__or__.Tensor", o, self) if isinstance(o, Tensor) else op("aten.bitwise_or.Tensor", self, o)

    def __xor__(self, o):
        return op("aten.bitwise_xor.Tensor", self, o)

    __rxor__ = __xor__

    def _cmp(self, name, o):
        return op(f"aten.{name}.Tensor" if isinstance(o, Tensor) else f"aten.{name}.Scalar", self, o)

    def __eq__(self, o):
        if o is None:
            return False
        return self._cmp("eq", o)

    def __ne__(self, o):
        if o is None:
            return True
        return self._cmp("ne", o)

    def __lt__(self, o):
        return self._cmp("lt", o)

    def __le__(self, o):
        return self._cmp("le", o)

    def __gt__(self, o):
        return self._cmp("gt", o)

    def __ge__(self, o):
        return self._cmp("ge", o)

    eq = lambda self, o: self._cmp("eq", o)  # noqa: E731
    ne = lambda self, o: self._cmp("ne", o)  # noqa: E731
    lt = lambda self, o: self._cmp("lt", o)  # noqa: E731
    le = lambda self, o: self._cmp("le", o)  # noqa: E731
    gt = lambda self, o: self._cmp("gt", o)  # noqa: E731
    ge = lambda self, o: self._cmp("ge", o)  # noqa: E731

    def __iadd__(self, o):
        return self.add_(o)

    def __isub__(self, o):
        return self.sub_(o)

    def __imul__(self, o):
        return self.mul_(o)

    def __itruediv__(self, o):
        return self.div_(o)

    def add(self, o, *, alpha=1):
        return op("aten.add.Tensor", self, o, **({"alpha": alpha} if alpha != 1 else {}))

    def sub(self, o, *, alpha=1):
        return op("aten.sub.Tensor", self, o, **({"alpha": alpha} if alpha != 1 else {}))

    subtract = sub

    def mul(self, o):
        return op("aten.mul.Tensor", self, o)

    multiply = mul

    def div(self, o, *, rounding_mode=None):
        if rounding_mode is not None:
            return op("aten.div.Tensor_mode", self, o, rounding_mode=rounding_mode)
        return op("aten.div.Tensor", self, o)

    divide = div
    true_divide = div

    def floor_divide(self, o):
        return op("aten.floor_divide.default", self, o)

    def remainder(self, o):
        return self.__mod__(o)

    def pow(self, o):
        return self.__pow__(o)

    def matmul(self, o):
        return op("aten.matmul.default", self, o)

    def mm(self, o):
        return op("aten.mm.default", self, o)

    def bmm(self, o):
        return op("aten.bmm.default", self, o)

    def dot(self, o):
        return op("aten.dot.default", self, o)

    def mv(self, o):
        return op("aten.mv.default", self, o)

    def maximum(self, o):
        return op("aten.maximum.default", self, o)

    def minimum(self, o):
        return op("aten.minimum.default", self, o)

    def atan2(self, o):
        return op("aten.atan2.default", self, o)

    def logical_and(self, o):
        return op("aten.logical_and.default", self, o)

    def logical_or(self, o):
        return op("aten.logical_or.default", self, o)

    def logical_xor(self, o):
        return op("aten.logical_xor.default", self, o)

    def logical_not(self):
        return op("aten.logical_not.default", self)

    def bitwise_not(self):
        return op("aten.bitwise_not.default", self)

    def isnan(self):
        return op("aten.isnan.default", self)

    def isinf(self):
        return op("aten.isinf.default", self)

    def lerp(self, end, weight):
        return op("aten.lerp.Tensor" if isinstance(weight, Tensor) else "aten.lerp.Scalar", self, end, weight)

    def where(self, condition, other):
        return op("aten.where.self", condition, self, other)

    def masked_fill(self, mask, value):
        return op("aten.masked_fill.Tensor" if isinstance(value, Tensor) else "aten.masked_fill.Scalar", self, mask, value)

    def masked_fill_(self, mask, value):
        op("aten.masked_fill_.Scalar", self, mask, value)
        return self

    def clamp(self, min=None, max=None):
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return op("aten.clamp.Tensor", self, min, max)
        return op("aten.clamp.default", self, min, max)

    clip = clamp

    def clamp_(self, min=None, max=None):
        op("aten.clamp_.default", self, min, max)
        return self

    def clamp_min(self, v):
        return op("aten.clamp_min.Tensor" if isinstance(v, Tensor) else "aten.clamp_min.default", self, v)

    def clamp_max(self, v):
        return op("aten.clamp_max.Tensor" if isinstance(v, Tensor) else "aten.clamp_max.default", self, v)

    # ---- in place
    def _inplace(self, name, *args, **kwargs):
        op(name, self, *args, **kwargs)
        return self

    def add_(self, o, *, alpha=1):
        return self._inplace("aten.add_.Tensor", o, **({"alpha": alpha} if alpha != 1 else {}))

    def sub_(self, o, *, alpha=1):
        return self._inplace("aten.sub_.Tensor", o, **({"alpha": alpha} if alpha != 1 else {}))

    def mul_(self, o):
        return self._inplace("aten.mul_.Tensor", o)

    def div_(self, o):
        return self._inplace("aten.div_.Tensor", o)

    def copy_(self, src, non_blocking=False):
        return self._inplace("aten.copy_.default", src)

    def fill_(self, v):
        return self._inplace("aten.fill_.Scalar", v)

    def zero_(self):
        if is_tracing():
            return self._inplace("aten.zero_.default")
        return self._inplace("aten.fill_.Scalar", 0)

    def relu_(self):
        return self._inplace("aten.relu_.default")

    def sigmoid_(self):
        return self._inplace("aten.sigmoid_.default")

    def tanh_(self):
        return self._inplace("aten.tanh_.default")

    def uniform_(self, a=0.0, b=1.0):
        from . import _random_fill

        return _random_fill(self, "uniform", a, b)

    def normal_(self, mean=0.0, std=1.0):
        from . import _random_fill

        return _random_fill(self, "normal", mean, std)

    # ---- conversions
    def to(self, *args, **kwargs):
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        dev = kwargs.pop("device", None)
        kwargs.pop("memory_format", None)
        for a in args:
            if isinstance(a, _types.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, _types.device)):
                dev = a
        other = next((a for a in args if isinstance(a, Tensor)), None)
        if dev is not None:
            _types.device(dev)  # validates: only cpu
        if not is_tracing():
            return self if dtype is None or dtype is self.dtype else op("aten.to.dtype", self, dtype)
        if dtype is None and dev is None:
            return self
        # What torch 2.11 records (Tensor.to's Python binding picks the overload): a
        # metadata assert, then to.dtype (dtype only), to.dtype_layout (device only) or
        # to.device (device and dtype, or another tensor).
        if (dev is not None and dtype is not None) or other is not None:
            raise unsupported("Tensor.to(device, dtype) and Tensor.to(other) while exporting (aten.to.device)")
        op("aten._assert_tensor_metadata.default", self, dtype=self.dtype, device=_types.CPU, layout=_types.strided)
        if dtype is not None:
            return op("aten.to.dtype", self, dtype)
        return op("aten.to.dtype_layout", self, dtype=self.dtype, layout=_types.strided, device=_types.CPU)

    def type(self, dtype=None):
        if dtype is None:
            return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "int64": "torch.LongTensor", "int32": "torch.IntTensor", "bool": "torch.BoolTensor"}.get(self.dtype._name, "torch.Tensor")
        return self.to(dtype)

    def type_as(self, other):
        return op("aten.type_as.default", self, other)

    def float(self):
        return self.to(_types.float32)

    def double(self):
        return self.to(_types.float64)

    def half(self):
        return self.to(_types.float16)

    def bfloat16(self):
        return self.to(_types.bfloat16)

    def long(self):
        return self.to(_types.int64)

    def int(self):
        return self.to(_types.int32)

    def short(self):
        return self.to(_types.int16)

    def char(self):
        return self.to(_types.int8)

    def byte(self):
        return self.to(_types.uint8)

    def bool(self):
        return self.to(_types.bool_)

    def clone(self, *, memory_format=None):
        return op("aten.clone.default", self)

    def contiguous(self, memory_format=None):
        # Like torch's TensorBase::contiguous(): an already contiguous tensor is returned
        # as is, so no aten.contiguous node is recorded for it.
        if E.isContiguous(self._h):
            return self
        return op("aten.contiguous.default", self)

    # ---- shape and views
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _types.dtype):
            raise unsupported("Tensor.view(dtype)")
        return op("aten.view.default", self, _shape_args(shape))

    def view_as(self, other):
        return op("aten.view_as.default", self, other)

    def reshape(self, *shape):
        return op("aten.reshape.default", self, _shape_args(shape))

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def permute(self, *dims):
        return op("aten.permute.default", self, _shape_args(dims))

    def transpose(self, d0, d1):
        return op("aten.transpose.int", self, d0, d1)

    def swapaxes(self, d0, d1):
        return op("aten.swapaxes.default", self, d0, d1)

    def movedim(self, src, dst):
        if isinstance(src, (list, tuple)):
            return op("aten.movedim.intlist", self, list(src), list(dst))
        return op("aten.movedim.int", self, src, dst)

    def t(self):
        return op("aten.t.default", self)

    @property
    def T(self):
        return op("aten.permute.default", self, list(range(self.dim() - 1, -1, -1)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def flatten(self, start_dim=0, end_dim=-1):
        return op("aten.flatten.using_ints", self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return op("aten.unflatten.int", self, dim, list(sizes))

    def unsqueeze(self, dim):
        return op("aten.unsqueeze.default", self, dim)

    def squeeze(self, dim=None):
        if dim is None:
            return op("aten.squeeze.default", self)
        if isinstance(dim, (tuple, list)):
            return op("aten.squeeze.dims", self, list(dim))
        return op("aten.squeeze.dim", self, dim)

    def expand(self, *sizes):
        return op("aten.expand.default", self, _shape_args(sizes))

    def expand_as(self, other):
        return op("aten.expand_as.default", self, other)

    def repeat(self, *sizes):
        return op("aten.repeat.default", self, _shape_args(sizes))

    def tile(self, *dims):
        return op("aten.tile.default", self, _shape_args(dims))

    def flip(self, *dims):
        return op("aten.flip.default", self, _shape_args(dims))

    def roll(self, shifts, dims=None):
        return op("aten.roll.default", self, _dims(shifts), _dims(dims) or [])

    def narrow(self, dim, start, length):
        return op("aten.narrow.default", self, dim, start, length)

    def select(self, dim, index):
        return op("aten.select.int", self, dim, index)

    def split(self, split_size, dim=0):
        if isinstance(split_size, (list, tuple)):
            return op("aten.split_with_sizes.default", self, list(split_size), dim)
        return op("aten.split.Tensor", self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return op("aten.chunk.default", self, chunks, dim)

    def unbind(self, dim=0):
        return op("aten.unbind.int", self, dim)

    def index_select(self, dim, index):
        return op("aten.index_select.default", self, dim, index)

    def gather(self, dim, index):
        return op("aten.gather.default", self, dim, index)

    def scatter(self, dim, index, src):
        return op("aten.scatter.src" if isinstance(src, Tensor) else "aten.scatter.value", self, dim, index, src)

    def nonzero(self):
        return op("aten.nonzero.default", self)

    def tril(self, diagonal=0):
        return op("aten.tril.default", self, diagonal)

    def triu(self, diagonal=0):
        return op("aten.triu.default", self, diagonal)

    def as_strided(self, size, stride, storage_offset=None):
        return op("aten.as_strided.default", self, list(size), list(stride), storage_offset)

    def stride(self, dim=None):
        strides = tuple(dec(x) for x in E.strides(self._h))
        return strides if dim is None else strides[dim]

    # ---- reductions
    def _reduce(self, name, dim, keepdim, dtype=None):
        kw = {"dtype": dtype} if dtype is not None else {}
        if dim is None:
            return op(f"aten.{name}.default", self, **kw)
        return op(f"aten.{name}.dim_IntList" if name == "sum" else f"aten.{name}.dim", self, _dims(dim), keepdim, **kw)

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return self._reduce("sum", dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return self._reduce("mean", dim, keepdim, dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        if dim is None:
            return op("aten.prod.default", self)
        return op("aten.prod.dim_int", self, dim, keepdim)

    def _minmax(self, name, dim, keepdim):
        if isinstance(dim, Tensor):
            return op("aten.maximum.default" if name == "max" else "aten.minimum.default", self, dim)
        if dim is None:
            return op(f"aten.{name}.default", self)
        from .return_types import MinMax

        v, i = op(f"aten.{name}.dim", self, dim, keepdim)
        return MinMax(v, i)

    def max(self, dim=None, keepdim=False):
        return self._minmax("max", dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return self._minmax("min", dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return op("aten.amax.default", self, _dims(dim), keepdim)

    def amin(self, dim=(), keepdim=False):
        return op("aten.amin.default", self, _dims(dim), keepdim)

    def argmax(self, dim=None, keepdim=False):
        return op("aten.argmax.default", self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return op("aten.argmin.default", self, dim, keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        c = correction if correction is not None else (1 if unbiased else 0)
        return op("aten.var.correction", self, _dims(dim), correction=c, keepdim=keepdim)

    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        c = correction if correction is not None else (1 if unbiased else 0)
        return op("aten.std.correction", self, _dims(dim), correction=c, keepdim=keepdim)

    def any(self, dim=None, keepdim=False):
        if dim is None:
            return op("aten.any.default", self)
        if isinstance(dim, (tuple, list)):
            return op("aten.any.dims", self, list(dim), keepdim)
        return op("aten.any.dim", self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        if dim is None:
            return op("aten.all.default", self)
        if isinstance(dim, (tuple, list)):
            return op("aten.all.dims", self, list(dim), keepdim)
        return op("aten.all.dim", self, dim, keepdim)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return op("aten.diff.default", self, n, dim, prepend, append)

    def cumsum(self, dim, *, dtype=None):
        return op("aten.cumsum.default", self, dim, **({"dtype": dtype} if dtype else {}))

    def logsumexp(self, dim, keepdim=False):
        return op("aten.logsumexp.default", self, _dims(dim), keepdim)

    def norm(self, *a, **k):
        raise unsupported("Tensor.norm")

    # ---- activations / math (one op each)
    def softmax(self, dim, dtype=None):
        return op("aten.softmax.int", self, dim, dtype)

    def log_softmax(self, dim, dtype=None):
        return op("aten.log_softmax.int", self, dim, dtype)

    # ---- indexing
    def __getitem__(self, idx):
        return _index(self, idx)

    def __setitem__(self, idx, value):
        _index_put(self, idx, value)

    # new_*: torch records aten.new_*(self, size, [fill,] dtype=? , pin_memory=False) when tracing.
    def _new(self, name, size, extra, dtype):
        kw = {"dtype": dtype} if dtype is not None else {}
        return op(f"aten.{name}.default", self, _shape_args(size), *extra, **kw, pin_memory=False)

    def new_zeros(self, *size, dtype=None, **kw):
        if is_tracing():
            return self._new("new_zeros", size, (), dtype)
        from . import zeros

        return zeros(*size, dtype=dtype or self.dtype)

    def new_ones(self, *size, dtype=None, **kw):
        if is_tracing():
            return self._new("new_ones", size, (), dtype)
        from . import ones

        return ones(*size, dtype=dtype or self.dtype)

    def new_full(self, size, fill_value, *, dtype=None, **kw):
        if is_tracing():
            return self._new("new_full", (size,), (fill_value,), dtype)
        from . import full

        return full(size, fill_value, dtype=dtype or self.dtype)

    def new_empty(self, *size, dtype=None, **kw):
        if is_tracing():
            return self._new("new_empty", size, (), dtype)
        from . import empty

        return empty(*size, dtype=dtype or self.dtype)

    def new_tensor(self, data, dtype=None, **kw):
        from . import tensor

        return tensor(data, dtype=dtype or self.dtype)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise _UnsupportedAttribute(f"Tensor.{name} is not supported yet")


class _UnsupportedAttribute(NotImplementedError, AttributeError):
    """An API this torch does not have yet; hasattr() sees it as missing."""


_UnsupportedAttribute.__module__ = "builtins"
_UnsupportedAttribute.__qualname__ = _UnsupportedAttribute.__name__ = "NotImplementedError"


def _unary(name, aten=None):
    target = aten or f"aten.{name}.default"

    def f(self):
        return op(target, self)

    f.__name__ = name
    return f


for _n in ("sin", "cos", "tan", "exp", "log", "sqrt", "rsqrt", "reciprocal", "erf", "log1p", "expm1", "neg", "abs", "sign", "floor", "ceil", "round", "trunc", "sigmoid", "tanh", "relu"):
    setattr(Tensor, _n, _unary(_n))
Tensor.negative = Tensor.neg
Tensor.absolute = Tensor.abs


# ---------------------------------------------------------------- indexing


def _index(x, idx):
    bare_slice = isinstance(idx, slice)
    if not isinstance(idx, tuple):
        idx = (idx,)
    nd = x.dim()
    consumed = 0
    for i in idx:
        if i is None or i is Ellipsis:
            continue
        if isinstance(i, Tensor) and i.dtype is _types.bool_:
            consumed += i.dim()
        else:
            consumed += 1
    if consumed > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    dim = 0
    out = x
    advanced = []  # (dim, tensor)
    seen_ellipsis = False
    for i in idx:
        if i is Ellipsis:
            if seen_ellipsis:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen_ellipsis = True
            dim += nd - consumed
        elif i is None:
            out = op("aten.unsqueeze.default", out, dim)
            dim += 1
        elif isinstance(i, bool):
            raise unsupported("indexing with a Python bool")
        elif _is_int(i) or isinstance(i, SymInt):
            out = op("aten.select.int", out, dim, i)
        elif isinstance(i, slice):
            start, stop, step = i.start, i.stop, i.step
            if step is None:
                step = 1
            if isinstance(step, int) and step <= 0:
                raise ValueError("step must be greater than zero")
            # torch skips a slice that provably keeps the whole dimension (a static
            # size, or a symbolic one whose upper bound is below stop), except for a
            # lone slice index (x[:]), which it always records.
            if bare_slice is False and start in (None, 0) and step == 1 and (stop is None or _is_int(stop)) and (
                E.staticallyKnownGe(enc(INT64_MAX if stop is None else stop), enc(out.shape[dim]))
            ):
                dim += 1
                continue
            if start is None and not isinstance(stop, SymInt):
                start = 0
            if stop is None:
                stop = INT64_MAX
            args = [out, dim, start, stop] + ([step] if step != 1 else [])
            out = op("aten.slice.Tensor", *args)
            dim += 1
        elif isinstance(i, Tensor):
            advanced.append((dim, i))
            dim += i.dim() if i.dtype is _types.bool_ else 1
        elif isinstance(i, (list, tuple)):
            from . import tensor

            advanced.append((dim, tensor(i)))
            dim += 1
        else:
            raise TypeError(f"invalid index of type {type(i).__name__}")
    if advanced:
        last = max(d for d, _ in advanced)
        indices = [None] * (last + 1)
        for d, t in advanced:
            indices[d] = t
        out = op("aten.index.Tensor", out, indices)
    if out is x:
        # x[...], x[:, 0:None] and the like: torch returns an alias, never x itself.
        out = op("aten.alias.default", x)
    return out


def _index_put(x, idx, value):
    parts = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(p, (Tensor, list)) for p in parts):
        if len(parts) == 1 and isinstance(parts[0], Tensor):
            from . import tensor

            v = value if isinstance(value, Tensor) else tensor(value, dtype=x.dtype)
            op("aten.index_put_.default", x, [parts[0]], v)
            return
        raise unsupported("assignment with mixed advanced indexing")
    target = _index(x, idx)
    if isinstance(value, Tensor):
        op("aten.copy_.default", target, value)
    else:
        op("aten.fill_.Scalar", target, value)
