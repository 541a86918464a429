# torch.dtype, torch.device, torch.Size, layouts and memory formats.


class dtype:
    __slots__ = ("_name", "is_floating_point", "is_signed", "itemsize", "is_complex")

    def __init__(self, name, is_floating_point, is_signed, itemsize):
        self._name = name
        self.is_floating_point = is_floating_point
        self.is_signed = is_signed
        self.itemsize = itemsize
        self.is_complex = False

    def __repr__(self):
        return f"torch.{self._name}"

    __str__ = __repr__

    def __reduce__(self):
        return (_dtype_by_name, (self._name,))

    def to_real(self):
        return self

    def to_complex(self):
        raise NotImplementedError("complex dtypes are not supported yet")


float32 = dtype("float32", True, True, 4)
float64 = dtype("float64", True, True, 8)
float16 = dtype("float16", True, True, 2)
bfloat16 = dtype("bfloat16", True, True, 2)
int64 = dtype("int64", False, True, 8)
int32 = dtype("int32", False, True, 4)
int16 = dtype("int16", False, True, 2)
int8 = dtype("int8", False, True, 1)
uint8 = dtype("uint8", False, False, 1)
bool_ = dtype("bool", False, False, 1)

DTYPES = {d._name: d for d in (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_)}


def _dtype_by_name(name):
    return DTYPES[name]


class device:
    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, str) and ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type != "cpu" and type != "meta":
            raise NotImplementedError(f"torch.device('{type}') is not supported yet: this torch runs on the CPU only")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and other.type == self.type and other.index == self.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


class _layout_or_format:
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"


strided = _layout_or_format("strided")
contiguous_format = _layout_or_format("contiguous_format")
channels_last = _layout_or_format("channels_last")
preserve_format = _layout_or_format("preserve_format")


class Size(tuple):
    """torch.Size: a tuple of ints (or SymInts while tracing)."""

    def __new__(cls, seq=()):
        return super().__new__(cls, seq)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(x) for x in self)}])"

    __str__ = __repr__

    def __getitem__(self, i):
        r = super().__getitem__(i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def numel(self):
        n = 1
        for x in self:
            n = n * x
        return n
