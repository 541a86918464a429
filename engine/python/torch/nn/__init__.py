# torch.nn
from .parameter import Parameter, Buffer
from .modules import Identity, Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, Embedding, ReLU, ReLU6, GELU, SiLU, Hardswish, Hardsigmoid, Sigmoid, Tanh, LeakyReLU, Softmax, LogSoftmax, Dropout, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Sequential, ModuleList, ModuleDict, MultiheadAttention, TransformerEncoderLayer, TransformerEncoder  # noqa: F401
from .modules import Module
from . import functional, init
from . import modules


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    from .._tensor import _UnsupportedAttribute

    raise _UnsupportedAttribute(f"torch.nn.{name} is not supported yet")


_ = Module
