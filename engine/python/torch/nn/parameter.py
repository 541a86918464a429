# torch.nn.Parameter: a tensor that a Module registers as a parameter.
from .._tensor import Tensor
from .. import _bridge


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty

            data = empty(0)
        p = Tensor._wrap.__func__(cls, data._h)
        p.requires_grad = requires_grad
        return p

    def __init__(self, *a, **k):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)


class Buffer(Tensor):
    def __new__(cls, data=None, *, persistent=True):
        b = Tensor._wrap.__func__(cls, data._h)
        b.persistent = persistent
        return b

    def __init__(self, *a, **k):
        pass


Parameter.__module__ = "torch.nn.parameter"
_ = _bridge
