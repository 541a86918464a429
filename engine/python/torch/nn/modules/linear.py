# nn.Linear and nn.Identity (torch's init: kaiming_uniform(a=sqrt(5)) weights, uniform bias).
import math

from ... import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _bias_parameter(module, bias, out_features, dtype):
    """torch's `bias=` of Linear and Conv: an uninitialised (out_features,) Parameter, or "bias" registered as None."""
    if bias:
        module.bias = Parameter(empty(out_features, dtype=dtype))
    else:
        module.register_parameter("bias", None)


class Identity(Module):
    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype))
        _bias_parameter(self, bias, out_features, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
