# The one door from Python into the TypeScript engine (JS module `_pt2_engine`):
# encoding arguments, decoding results and turning engine errors into the Python
# exceptions torch raises. See Note [Values crossing the Python/JS boundary] in
# engine/python/bridge.ts.
import functools
import json
import math
import sys

import _pt2_engine as E
from pyodide.ffi import JsException, to_js
import js

_fromEntries = js.Object.fromEntries
INT64_MAX = 9223372036854775807


class UnsupportedError(NotImplementedError):
    pass


UnsupportedError.__module__ = "builtins"
UnsupportedError.__qualname__ = UnsupportedError.__name__ = "NotImplementedError"


def unsupported(what):
    return UnsupportedError(f"{what} is not supported yet")


# ---- errors ----

_ERROR_CLASSES = {}


def register_error(qualname, cls):
    _ERROR_CLASSES[qualname] = cls


def _builtin_error(name):
    import builtins

    cls = getattr(builtins, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def translate(e):
    """A Python exception for an error the engine threw (same class name, same message)."""
    js_err = getattr(e, "js_error", None)
    try:
        ptype, msg = E.errorInfo(js_err)
    except Exception:  # noqa: BLE001
        ptype, msg = "", str(e)
    cls = _ERROR_CLASSES.get(ptype) or (_builtin_error(ptype) if ptype else None)
    if cls is None:
        return RuntimeError(f"internal error in the export engine: {msg}")
    return cls(msg)


def engine_call(fn, *args):
    try:
        return fn(*args)
    except JsException as e:
        raise translate(e) from None


# ---- encoding (Python → engine) ----

def enc(v):
    """Encode a Python value for the engine: a value to_js can carry (lists via {__pylist__})."""
    from ._tensor import Tensor, SymInt, SymBool, SymFloat

    t = type(v)
    if t is bool or t is int or t is str or v is None:
        return v
    if t is float:
        return E.pyFloat(v) if v.is_integer() else v
    if isinstance(v, Tensor):
        return v._h
    if isinstance(v, (SymInt, SymBool, SymFloat)):
        return v._h
    if t is tuple or isinstance(v, tuple):
        return [enc(x) for x in v]
    if isinstance(v, list):
        return {"__pylist__": [enc(x) for x in v]}
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    h = getattr(v, "_pt2_handle", None)
    if h is not None:
        return h
    from ._types import dtype as _dtype, device as _device, _layout_or_format

    if isinstance(v, _dtype):
        return v._name
    if isinstance(v, _device):
        return {"enum": repr(v)}
    if isinstance(v, _layout_or_format):
        return {"enum": repr(v)}
    if t is complex:
        raise unsupported("complex numbers")
    if isinstance(v, int):  # IntEnum and friends
        return int(v)
    if isinstance(v, float):
        return enc(float(v))
    raise TypeError(f"cannot pass a value of type {t.__name__} to a torch operation")


def to_engine(v):
    """enc() then one to_js conversion (dicts become plain JS objects)."""
    return to_js(enc(v), dict_converter=_fromEntries)


def dec(v):
    """Decode an engine result into Python values."""
    if v is None:
        return None
    t = type(v)
    if t is int or t is float or t is bool or t is str:
        return v
    from ._tensor import Tensor, SymInt, SymBool, SymFloat

    k = E.kind(v)
    if k == "T":
        return Tensor._wrap(v)
    if k == "I":
        return SymInt(v)
    if k == "B":
        return SymBool(v)
    if k == "S":
        return SymFloat(v)
    if k == "F":
        return float(v.value)
    if k == "A":
        return tuple(dec(x) for x in v)
    if k == "L":
        return [dec(x) for x in v]
    if k == "O":
        return {key: dec(x) for key, x in v.object_entries()}
    if k == "N":
        return None
    return v


def op(name, *args, **kwargs):
    """Call an ATen op by name (`aten.add.Tensor`) through the engine's dispatcher."""
    try:
        r = E.op(name, to_engine(args), to_engine(kwargs))
    except JsException as e:
        raise translate(e) from None
    return dec(r)


def is_tracing():
    return E.isTracing()


# ---- source frames for stack traces ----

_PKG = "/lib/pt2/"
_NN_MODULES = "/lib/pt2/torch/nn/modules/"


def _is_user_file(fn):
    if fn.startswith(_PKG):
        return fn.startswith(_NN_MODULES)
    return not (fn.startswith("/lib/python") or fn.startswith("<frozen") or fn.startswith("/lib/pyodide"))


def user_frames():
    """The user's frames (and torch.nn module frames), innermost last."""
    import linecache

    out = []
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if _is_user_file(fn):
            out.append((fn, f.f_lineno, f.f_code.co_name))
        f = f.f_back
    out.reverse()
    return [{"file": fn, "line": ln, "name": name, "code": linecache.getline(fn, ln).strip()} for fn, ln, name in out]


def stack_json():
    fr = user_frames()
    return json.dumps(fr) if fr else None


def innermost_user_frame_text():
    import linecache

    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if _is_user_file(fn) and not fn.startswith(_PKG):
            line = linecache.getline(fn, f.f_lineno).strip()
            return f'  File "{fn}", line {f.f_lineno}, in {f.f_code.co_name}\n    {line}'
        f = f.f_back
    return None


def is_finite_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def prod(xs):
    return functools.reduce(lambda a, b: a * b, xs, 1)


__all__ = ["E", "enc", "dec", "op", "to_engine", "engine_call", "translate", "unsupported", "is_tracing", "INT64_MAX", "math"]

# Python module id → engine mirror, while an export runs (see torch/export).
ACTIVE_MIRRORS = None
