# torch.fx-style read-only views of an exported graph: Graph.nodes with op, name,
# target (aten.add.Tensor, operator.getitem, ...), args, kwargs and meta
# ('val', 'stack_trace', 'nn_module_stack').
import json
import operator

from .._bridge import E, dec
from . import experimental  # noqa: F401

_OPERATORS = {"getitem": operator.getitem}


class _Target:
    """A call target that prints as torch prints it (`cond` for the higher-order op)."""

    def __init__(self, name, display):
        self._name = name
        self.__name__ = display

    def __repr__(self):
        return self.__name__

    __str__ = __repr__

    def __eq__(self, o):
        return isinstance(o, _Target) and o._name == self._name

    def __hash__(self):
        return hash(self._name)


def _target(op, raw):
    if op != "call_function":
        return raw
    if raw == "getitem":
        return operator.getitem
    if raw.startswith("operator."):
        return getattr(operator, raw.split(".", 1)[1])
    if raw.startswith("aten."):
        from .. import _overload

        return _overload(raw)
    if raw == "higher_order.cond":
        from .. import ops

        return ops.higher_order.cond
    return _Target(raw, raw)


def _decode_arg(v, nodes):
    if isinstance(v, list):
        return [_decode_arg(x, nodes) for x in v]
    if isinstance(v, dict):
        if "$node" in v:
            return nodes[v["$node"]]
        if "$tuple" in v:
            return tuple(_decode_arg(x, nodes) for x in v["$tuple"])
        if "$float" in v:
            return float(v["$float"])
        if "$int" in v:
            return int(v["$int"])
        if "$dtype" in v:
            from .._types import DTYPES

            return DTYPES[v["$dtype"]]
        if "$device" in v:
            from .._types import device

            return device(v["$device"])
        if "$enum" in v:
            from .. import _types

            return getattr(_types, v["$enum"], v["$enum"])
        if "$dict" in v:
            return {k: _decode_arg(x, nodes) for k, x in v["$dict"].items()}
        if "$repr" in v:
            return v["$repr"]
    return v


class Node:
    def __init__(self, graph, rec):
        self.graph = graph
        self.name = rec["name"]
        self.op = rec["op"]
        self.target = _target(self.op, rec["rawTarget"])
        self._rec = rec
        self.args = ()
        self.kwargs = {}
        self.meta = {}
        self.users = {}

    def __repr__(self):
        return self.name

    @property
    def all_input_nodes(self):
        out = []

        def walk(v):
            if isinstance(v, Node):
                if v not in out:
                    out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)

        walk(self.args)
        walk(self.kwargs)
        return out

    def format_node(self):
        return _format_node(self)


def _fmt(v):
    if isinstance(v, Node):
        return f"%{v.name}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _format_node(n):
    if n.op == "placeholder":
        return f"%{n.name} : [num_users={len(n.users)}] = placeholder[target={n.target}]"
    if n.op == "output":
        return f"return {_fmt(n.args[0]) if n.args else None}"
    tgt = f"torch.ops.{n.target}" if n.op == "call_function" and str(n.target).startswith("aten.") else str(n.target)
    return f"%{n.name} : [num_users={len(n.users)}] = {n.op}[target={tgt}](args = {_fmt(n.args)}, kwargs = {_fmt(n.kwargs)})"


class Graph:
    def __init__(self, ep_handle, subgraph=None):
        recs = json.loads(E.epGraphJson(ep_handle, subgraph))
        self.nodes = []
        by_name = {}
        for rec in recs:
            n = Node(self, rec)
            by_name[n.name] = n
            self.nodes.append(n)
        for i, n in enumerate(self.nodes):
            rec = n._rec
            n.args = tuple(_decode_arg(rec["args"], by_name))
            n.kwargs = _decode_arg(rec["kwargs"], by_name)
            if n.op != "output":
                val = E.epNodeVal(ep_handle, i, subgraph)
                if val is not None:
                    n.meta["val"] = dec(val)
            if rec.get("stack"):
                n.meta["stack_trace"] = rec["stack"]
            if rec.get("nnModuleStack"):
                n.meta["nn_module_stack"] = {k: (fqn, cls) for k, fqn, cls in rec["nnModuleStack"]}
            for u in n.all_input_nodes:
                u.users[n] = None
        self._subgraphs = {}
        self._ep = ep_handle

    def find_nodes(self, *, op, target=None):
        return [n for n in self.nodes if n.op == op and (target is None or n.target == target)]

    def __str__(self):
        lines = ["graph():"] + ["    " + _format_node(n) for n in self.nodes]
        return "\n".join(lines)

    def print_tabular(self):
        for n in self.nodes:
            print(n.op, n.name, n.target, n.args, n.kwargs)


class GraphModuleView:
    """ep.graph_module: its .code and .graph (and branch subgraphs as attributes)."""

    def __init__(self, ep):
        self._ep = ep

    @property
    def code(self):
        return E.epCode(self._ep._h)

    @property
    def graph(self):
        return self._ep.graph

    def __getattr__(self, name):
        if name in list(E.epSubgraphs(self._ep._h)):
            g = Graph(self._ep._h, name)
            return _SubgraphView(g)
        raise AttributeError(name)

    def print_readable(self, print_output=True):
        s = str(self._ep).split("Graph signature:")[0]
        if print_output:
            print(s)
        return s


class _SubgraphView:
    def __init__(self, graph):
        self.graph = graph


GraphModule = GraphModuleView
