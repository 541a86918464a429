# torch.export: export(), Dim/dims, and ExportedProgram over the engine's.
# Exporting builds an engine Module mirror of the Python module tree (parameters,
# buffers, tensor attributes as constants, submodules), whose forward calls back
# into Python; each Python submodule call runs through its mirror so nodes carry
# nn_module_stack, and a stack provider supplies the user's source frames.
import inspect
import os
from enum import Enum, auto
import json
import operator
from collections import OrderedDict

from pyodide.ffi import create_proxy, to_js

from .. import _bridge
from .._bridge import E, enc, dec, to_engine, engine_call, unsupported
from .._tensor import Tensor
from ..nn.modules.module import Module
from .._dynamo.exc import UserError, UserErrorType
from ..fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode
from ..fx import Graph, Node, GraphModuleView, _decode_arg

__all__ = ["export", "Dim", "dims", "ExportedProgram", "ExportGraphSignature", "ShapesCollection", "save", "load", "draft_export"]

_SUFFIX = E.EXPORT_ERROR_SUFFIX


# ---------------------------------------------------------------- Dim


class _DimHint:
    def __init__(self, name):
        self._name = name
        self._pt2_handle = E.dimHint(name)

    def __repr__(self):
        return f"DimHint({self._name})"

    def __call__(self, min=None, max=None):
        if min is not None or max is not None:
            raise unsupported(f"Dim.{self._name}(min=..., max=...)")
        return self


class _DimBase:
    def __add__(self, k):
        if not isinstance(k, int):
            raise NotImplementedError(f"Attempted to add {k} to {self.__name__}, where an integer was expected. (Only increasing linear operations with integer coefficients are supported.)")
        return _DerivedDim(E.dimPlus(self._pt2_handle, k))

    __radd__ = __add__

    def __sub__(self, k):
        if not isinstance(k, int):
            raise NotImplementedError(f"Attempted to subtract {k} from {self.__name__}, where an integer was expected.")
        return _DerivedDim(E.dimPlus(self._pt2_handle, -k))

    def __mul__(self, k):
        if not isinstance(k, int) or k <= 0:
            raise NotImplementedError(f"Attempted to multiply {self.__name__} with {k}, where a positive integer was expected. (Only increasing linear operations with integer coefficients are supported.)")
        return _DerivedDim(E.dimTimes(self._pt2_handle, k))

    __rmul__ = __mul__

    def __repr__(self):
        return E.dimStr(self._pt2_handle)


class Dim(_DimBase):
    """torch.export.Dim(name, *, min=None, max=None)."""

    AUTO = _DimHint("AUTO")
    DYNAMIC = _DimHint("DYNAMIC")
    STATIC = _DimHint("STATIC")

    def __init__(self, name, *, min=None, max=None):
        self._pt2_handle = engine_call(E.newDim, name, min, max)
        self.__name__ = name
        info = E.dimInfo(self._pt2_handle).to_py()
        self.min = info[1]
        self.max = info[2] if info[2] is not None else int(2**63 - 1)


class _DerivedDim(_DimBase):
    def __init__(self, h):
        self._pt2_handle = h
        self.__name__ = E.dimStr(h)


def dims(*names, min=None, max=None):
    return tuple(Dim(n, min=min, max=max) for n in names)


class ShapesCollection:
    def __init__(self):
        raise unsupported("torch.export.ShapesCollection")


# ---------------------------------------------------------------- export


def _forward_arg_names(mod):
    sig = inspect.signature(mod.forward)
    names = []
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        elif p.kind == p.VAR_POSITIONAL:
            names.append("..." + p.name)
    return names


def _build_mirrors(mod, memo, root_forward=None):
    if id(mod) in memo:
        return memo[id(mod)]
    names = _forward_arg_names(mod) if root_forward is not None else []
    m = E.newModule(type(mod).__name__, to_engine(names), root_forward)
    memo[id(mod)] = m
    for n, p in mod._parameters.items():
        E.registerParameter(m, n, p._h if p is not None else None)
    for n, b in mod._buffers.items():
        E.registerBuffer(m, n, b._h if b is not None else None, n not in mod._non_persistent_buffers_set)
    for n, v in mod.__dict__.items():
        if isinstance(v, Tensor) and not n.startswith("__"):
            E.setConstant(m, n, v._h)
    for n, c in mod._modules.items():
        if c is not None:
            E.registerModule(m, n, _build_mirrors(c, memo))
    E.setTraining(m, mod.training)
    return m


def _rebuild(js, orig):
    """A Python value shaped like `orig` with its tensors replaced by the engine's fake ones."""
    if isinstance(orig, Tensor):
        return Tensor._wrap(js)
    if isinstance(orig, tuple):
        items = [_rebuild(js[i], o) for i, o in enumerate(orig)]
        return type(orig)(*items) if hasattr(orig, "_fields") else type(orig)(items)
    if isinstance(orig, list):
        return type(orig)(_rebuild(js[i], o) for i, o in enumerate(orig))
    if isinstance(orig, dict):
        out = type(orig)() if type(orig) in (dict, OrderedDict) else {}
        for k, v in orig.items():
            out[k] = _rebuild(getattr(js, str(k)), v)
        return out
    return orig


def _with_suffix(e):
    msg = str(e)
    if _SUFFIX not in msg:
        e.args = (f"{msg}\n\n{_SUFFIX}",)
        if isinstance(e, UserError):
            e.message = e.args[0]
    return e


def export(mod, args, kwargs=None, *, dynamic_shapes=None, strict=False, preserve_module_call_signature=(), prefer_deferred_runtime_asserts_over_guards=False):
    """torch.export.export (non-strict): trace mod.forward on fake inputs into an ExportedProgram."""
    if not isinstance(mod, Module):
        raise ValueError(f"Expected `mod` to be an instance of `torch.nn.Module`, got {type(mod)}.")
    if not isinstance(args, tuple):
        raise UserError(UserErrorType.INVALID_INPUT, f"Expecting `args` to be a tuple of example positional inputs, got {type(args)}\n\n{_SUFFIX}")
    if preserve_module_call_signature:
        raise unsupported("export(preserve_module_call_signature=...)")
    kwargs = dict(kwargs or {})

    def root_forward(js_args):
        pos = list(js_args)
        kw_js = pos.pop() if kwargs else None
        py_args = [_rebuild(pos[i], a) for i, a in enumerate(args)]
        py_kwargs = {k: _rebuild(getattr(kw_js, str(k)), v) for k, v in kwargs.items()}
        out = mod.forward(*py_args, **py_kwargs)
        return to_engine(out)

    fwd = create_proxy(root_forward)
    memo = {}
    saved = _bridge.ACTIVE_MIRRORS
    try:
        root = _build_mirrors(mod, memo, fwd)
        _bridge.ACTIVE_MIRRORS = {k: v for k, v in memo.items() if v is not root}
        ep = engine_call(E.export, root, to_engine(args), to_engine(kwargs), to_engine(dynamic_shapes), bool(strict), _bridge.stack_json, _bridge.innermost_user_frame_text)
    except (UserError, GuardOnDataDependentSymNode) as e:
        raise _with_suffix(e).with_traceback(e.__traceback__) from None
    finally:
        _bridge.ACTIVE_MIRRORS = saved
        fwd.destroy()
    return ExportedProgram(ep, mod, (args, kwargs))


def draft_export(*a, **k):
    raise unsupported("torch.export.draft_export")


def _archive_root_name(f):
    """torch names the archive's root folder after the file (its name without extension)."""
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        if stem and stem not in (".", "..") and "/" not in stem and "\\" not in stem:
            return stem
    return None


def save(ep, f, *, extra_files=None, opset_version=None, pickle_protocol=2):
    """torch.export.save: write `ep` as a .pt2 archive to a path or a binary file object."""
    if not isinstance(ep, ExportedProgram):
        raise TypeError(f"The 'ep' parameter must be an instance of 'ExportedProgram', got '{type(ep).__name__}' instead.")
    if extra_files:
        raise unsupported("torch.export.save(extra_files=...)")
    if opset_version:
        raise unsupported("torch.export.save(opset_version=...)")
    data = engine_call(E.epSave, ep._h, _archive_root_name(f)).to_bytes()
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "wb") as fh:
            fh.write(data)
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"torch.export.save expects a path or a binary file object, got {type(f).__name__}")


def load(f, *, extra_files=None, expected_opset_version=None):
    """torch.export.load: read a .pt2 archive (a path or a binary file object) into an ExportedProgram."""
    if extra_files:
        raise unsupported("torch.export.load(extra_files=...)")
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as fh:
            data = fh.read()
    elif hasattr(f, "read"):
        data = f.read()
    else:
        raise TypeError(f"torch.export.load expects a path or a binary file object, got {type(f).__name__}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"torch.export.load: the file object must be opened in binary mode (read() gave {type(data).__name__})")
    return ExportedProgram(engine_call(E.epLoad, to_js(bytes(data))))


# ---------------------------------------------------------------- signature


class InputKind(Enum):
    USER_INPUT = auto()
    PARAMETER = auto()
    BUFFER = auto()
    CONSTANT_TENSOR = auto()
    CUSTOM_OBJ = auto()
    TOKEN = auto()


class OutputKind(Enum):
    USER_OUTPUT = auto()
    LOSS_OUTPUT = auto()
    BUFFER_MUTATION = auto()
    PARAMETER_MUTATION = auto()
    GRADIENT_TO_PARAMETER = auto()
    GRADIENT_TO_USER_INPUT = auto()
    USER_INPUT_MUTATION = auto()
    TOKEN = auto()


class TensorArgument:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"TensorArgument(name='{self.name}')"

    def __eq__(self, o):
        return type(o) is type(self) and o.name == self.name


class ConstantArgument:
    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __repr__(self):
        return f"ConstantArgument(name='{self.name}', value={self.value!r})"


class SymIntArgument(TensorArgument):
    def __repr__(self):
        return f"SymIntArgument(name='{self.name}')"


class InputSpec:
    def __init__(self, kind, arg, target, persistent=None):
        self.kind, self.arg, self.target, self.persistent = kind, arg, target, persistent

    def __repr__(self):
        return f"InputSpec(kind={self.kind!r}, arg={self.arg!r}, target={self.target!r}, persistent={self.persistent!r})"


class OutputSpec:
    def __init__(self, kind, arg, target):
        self.kind, self.arg, self.target = kind, arg, target

    def __repr__(self):
        return f"OutputSpec(kind={self.kind!r}, arg={self.arg!r}, target={self.target!r})"


def _kind(cls, v):
    return (InputKind if cls == "InputKind" else OutputKind)[v]


class ExportGraphSignature:
    def __init__(self, ep_handle, vals):
        self._h = ep_handle
        data = json.loads(E.epSignatureJson(ep_handle))
        self.input_specs = []
        for s in data["inputs"]:
            if s["kind"] == "USER_INPUT" and "constant" in s and s.get("constant") is not None and not isinstance(vals.get(s["name"]), Tensor):
                arg = ConstantArgument(s["name"], _decode_arg(s["constant"], {}))
            elif s["kind"] == "USER_INPUT" and not isinstance(vals.get(s["name"]), Tensor) and s["name"] in vals:
                arg = ConstantArgument(s["name"], vals.get(s["name"]))
            else:
                arg = TensorArgument(s["name"])
            self.input_specs.append(InputSpec(_kind("InputKind", s["kind"]), arg, s["target"], s["persistent"] if s["kind"] == "BUFFER" else None))
        self.output_specs = [OutputSpec(_kind("OutputKind", s["kind"]), TensorArgument(s["name"]), s["target"]) for s in data["outputs"]]

    def __str__(self):
        return E.epSignatureString(self._h)

    @property
    def user_inputs(self):
        return tuple(s.arg.name for s in self.input_specs if s.kind.name == "USER_INPUT")

    @property
    def user_outputs(self):
        return tuple(s.arg.name for s in self.output_specs if s.kind.name == "USER_OUTPUT")

    @property
    def parameters(self):
        return tuple(s.target for s in self.input_specs if s.kind.name == "PARAMETER")

    @property
    def buffers(self):
        return tuple(s.target for s in self.input_specs if s.kind.name == "BUFFER")

    @property
    def non_persistent_buffers(self):
        return tuple(s.target for s in self.input_specs if s.kind.name == "BUFFER" and not s.persistent)

    @property
    def lifted_tensor_constants(self):
        return tuple(s.target for s in self.input_specs if s.kind.name == "CONSTANT_TENSOR")

    @property
    def inputs_to_parameters(self):
        return {s.arg.name: s.target for s in self.input_specs if s.kind.name == "PARAMETER"}

    @property
    def inputs_to_buffers(self):
        return {s.arg.name: s.target for s in self.input_specs if s.kind.name == "BUFFER"}

    @property
    def inputs_to_lifted_tensor_constants(self):
        return {s.arg.name: s.target for s in self.input_specs if s.kind.name == "CONSTANT_TENSOR"}

    @property
    def buffers_to_mutate(self):
        return {s.arg.name: s.target for s in self.output_specs if s.kind.name == "BUFFER_MUTATION"}

    @property
    def user_inputs_to_mutate(self):
        return {s.arg.name: s.target for s in self.output_specs if s.kind.name == "USER_INPUT_MUTATION"}


# ---------------------------------------------------------------- range constraints


class _Symbol:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, o):
        return (isinstance(o, _Symbol) and o.name == self.name) or o == self.name

    def __hash__(self):
        return hash(self.name)


class ValueRanges:
    def __init__(self, lower, upper):
        self.lower, self.upper = lower, upper

    def __repr__(self):
        return f"VR[{self.lower}, {self.upper}]"

    def __eq__(self, o):
        return isinstance(o, ValueRanges) and (o.lower, o.upper) == (self.lower, self.upper)


class _IntInfinity:
    def __init__(self, neg=False):
        self.neg = neg

    def __repr__(self):
        return "-int_oo" if self.neg else "int_oo"

    def __eq__(self, o):
        return isinstance(o, _IntInfinity) and o.neg == self.neg

    def __hash__(self):
        return hash(("int_oo", self.neg))


def _bound(v):
    if v == "int_oo":
        return _IntInfinity()
    if v == "-int_oo":
        return _IntInfinity(True)
    return v


class _RangeConstraints(dict):
    def __init__(self, items, text):
        super().__init__(items)
        self._text = text

    def __repr__(self):
        return self._text

    __str__ = __repr__


# ---------------------------------------------------------------- ExportedProgram


class ExportedProgram:
    """The result of torch.export.export: graph, signature, state and constraints."""

    def __init__(self, handle, mod=None, example_inputs=None):
        self._h = handle
        self._example_inputs = example_inputs
        self._graph = None

    def __str__(self):
        return E.epString(self._h)

    def __repr__(self):
        return self.__str__()

    @property
    def graph(self):
        if self._graph is None:
            self._graph = Graph(self._h)
        return self._graph

    @property
    def graph_module(self):
        return GraphModuleView(self)

    @property
    def graph_signature(self):
        vals = {n.name: n.meta.get("val") for n in self.graph.nodes if n.op == "placeholder"}
        return ExportGraphSignature(self._h, vals)

    @property
    def range_constraints(self):
        items = json.loads(E.epRangeConstraints(self._h))
        return _RangeConstraints({_Symbol(n): ValueRanges(_bound(lo), _bound(hi)) for n, lo, hi in items}, E.epRangeConstraintsString(self._h))

    @property
    def state_dict(self):
        return OrderedDict((k, _as_param(dec(v))) for k, v in E.epStateDict(self._h))

    @property
    def constants(self):
        return OrderedDict((k, dec(v)) for k, v in E.epConstants(self._h))

    @property
    def example_inputs(self):
        return self._example_inputs

    @property
    def module_call_graph(self):
        raise unsupported("ExportedProgram.module_call_graph")

    @property
    def verifiers(self):
        return ()

    def run_decompositions(self, decomp_table=None, decompose_custom_triton_ops=False):
        if decomp_table:
            raise unsupported("run_decompositions(decomp_table=...) with a custom table")
        return ExportedProgram(engine_call(E.epDecompose, self._h), None, self._example_inputs)

    def module(self, check_guards=True):
        return _ExportedModule(self)

    def validate(self):
        return None

    def _op_sequence(self):
        return [str(x) for x in E.epOps(self._h)]


def _as_param(t):
    from ..nn.parameter import Parameter

    if isinstance(t, Tensor) and t.requires_grad:
        return Parameter(t)
    return t


class _ExportedModule:
    """ep.module(): calls the exported program (inputs checked against the signature and ranges)."""

    def __init__(self, ep):
        self._ep = ep

    def __call__(self, *args, **kwargs):
        return dec(engine_call(E.epCall, self._ep._h, to_engine(args), to_engine(kwargs)))

    forward = __call__

    @property
    def graph(self):
        return self._ep.graph

    @property
    def code(self):
        return E.epCode(self._ep._h)

    def print_readable(self, print_output=True):
        s = str(self._ep).split("Graph signature:")[0]
        if print_output:
            print(s)
        return s

    def state_dict(self):
        return self._ep.state_dict

    def named_parameters(self):
        return [(k, v) for k, v in self._ep.state_dict.items() if v.requires_grad]

    def parameters(self):
        return [v for _, v in self.named_parameters()]

    def named_buffers(self):
        return [(k, v) for k, v in self._ep.state_dict.items() if not v.requires_grad]

    def buffers(self):
        return [v for _, v in self.named_buffers()]

    def eval(self):
        raise NotImplementedError("Calling eval() is not supported yet.")

    def train(self, mode=True):
        raise NotImplementedError("Calling train() is not supported yet.")


_ = (enc, operator, Node)
