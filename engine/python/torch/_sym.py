# SymInt / SymFloat / SymBool: Python's view of the engine's symbolic scalars.
# Arithmetic and comparisons record operator nodes while exporting; bool()/int()
# guard as torch does.

from ._bridge import E, dec, enc, engine_call, unsupported


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class _SymHandle:
    """What SymInt, SymFloat and SymBool share: the engine's handle, printed as the engine prints it."""

    __slots__ = ("_h",)

    def __init__(self, h):
        self._h = h

    def __str__(self):
        return E.symStr(self._h)

    __repr__ = __str__


class _SymNumber(_SymHandle):
    """+ - *, comparisons, truth, unary + and format() shared by SymInt and SymFloat (via their `_bin`)."""

    def __add__(self, o):
        return self._bin(o, "add")

    def __radd__(self, o):
        return self._bin(o, "add", True)

    def __sub__(self, o):
        return self._bin(o, "sub")

    def __rsub__(self, o):
        return self._bin(o, "sub", True)

    def __mul__(self, o):
        return self._bin(o, "mul")

    def __rmul__(self, o):
        return self._bin(o, "mul", True)

    def __pos__(self):
        return self

    def __eq__(self, o):
        return self._bin(o, "eq")

    def __ne__(self, o):
        return self._bin(o, "ne")

    def __lt__(self, o):
        return self._bin(o, "lt")

    def __le__(self, o):
        return self._bin(o, "le")

    def __gt__(self, o):
        return self._bin(o, "gt")

    def __ge__(self, o):
        return self._bin(o, "ge")

    __hash__ = None

    def __bool__(self):
        return bool(self != 0)

    def __format__(self, spec):
        return format(str(self), spec)


class SymInt(_SymNumber):
    """An int whose value is symbolic while exporting (`s0 + 1`)."""

    def _bin(self, o, name, rev=False):
        if not (_is_int(o) or isinstance(o, SymInt) or isinstance(o, bool)):
            if isinstance(o, (float, SymFloat)) and name in _FLOAT_OPS:
                return _float_bin(self, o, name, rev)
            return NotImplemented
        a, b = (o, self) if rev else (self, o)
        return dec(engine_call(E.sym, name, enc(a), enc(b)))

    def __floordiv__(self, o):
        return self._bin(o, "floordiv")

    def __rfloordiv__(self, o):
        return self._bin(o, "floordiv", True)

    def __mod__(self, o):
        return self._bin(o, "mod")

    def __rmod__(self, o):
        return self._bin(o, "mod", True)

    def __truediv__(self, o):
        if not (_is_int(o) or isinstance(o, (bool, float, SymInt, SymFloat))):
            return NotImplemented
        return _float_bin(self, o, "truediv")

    def __rtruediv__(self, o):
        if not (_is_int(o) or isinstance(o, (bool, float))):
            return NotImplemented
        return _float_bin(self, o, "truediv", True)

    def __neg__(self):
        return self._bin(0, "sub", True)


    def __int__(self):
        return int(engine_call(E.symInt, self._h))

    __index__ = __int__

    def __float__(self):
        return float(int(self))

    def __round__(self, n=None):
        return self

    def __floor__(self):
        return self

    def __ceil__(self):
        return self

    def __trunc__(self):
        return self


_FLOAT_OPS = ("add", "sub", "mul", "truediv", "eq", "ne", "lt", "le", "gt", "ge")


def _float_bin(self, o, name, rev=False):
    """`self <op> o` with a float result or operand (a SymFloat, or SymInt / x)."""
    a, b = (o, self) if rev else (self, o)
    fa = isinstance(a, float)
    fb = isinstance(b, float)
    return dec(engine_call(E.symFloat, name, enc(a), enc(b), fa, fb))


class SymFloat(_SymNumber):
    """A float whose value is symbolic while exporting (`s0/2`)."""

    def _bin(self, o, name, rev=False):
        if not (isinstance(o, (int, float, SymInt, SymFloat))):
            return NotImplemented
        return _float_bin(self, o, name, rev)

    def __truediv__(self, o):
        return self._bin(o, "truediv")

    def __rtruediv__(self, o):
        return self._bin(o, "truediv", True)

    def __neg__(self):
        return self._bin(-1.0, "mul")


    def __round__(self, n=None):
        if n is not None:
            raise unsupported("round() of a SymFloat with ndigits")
        return dec(engine_call(E.symToInt, "round", self._h))

    def __floor__(self):
        return dec(engine_call(E.symToInt, "floor", self._h))

    def __ceil__(self):
        return dec(engine_call(E.symToInt, "ceil", self._h))

    def __trunc__(self):
        return dec(engine_call(E.symToInt, "trunc", self._h))

    def __int__(self):
        # torch: int() of a SymFloat specialises it (guard_int of its trunc).
        return int(dec(engine_call(E.symToInt, "trunc", self._h)))

    def __float__(self):
        return float(engine_call(E.symFloatValue, self._h))

    def is_integer(self):
        raise unsupported("SymFloat.is_integer()")


class SymBool(_SymHandle):
    __slots__ = ()

    def __bool__(self):
        return bool(engine_call(E.symBool, self._h))

    def __invert__(self):
        return dec(E.symNot(self._h))

    def __and__(self, o):
        return dec(engine_call(E.symAnd, enc(self), enc(o)))

    __rand__ = __and__

    def __or__(self, o):
        return dec(engine_call(E.symOr, enc(self), enc(o)))

    __ror__ = __or__

    __hash__ = None


# ---------------------------------------------------------------- printing
