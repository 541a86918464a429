from .module import Module
from .linear import Identity, Linear
from .conv import Conv1d, Conv2d
from .batchnorm import BatchNorm1d, BatchNorm2d
from .normalization import LayerNorm
from .sparse import Embedding
from .activation import ReLU, ReLU6, GELU, SiLU, Hardswish, Hardsigmoid, Sigmoid, Tanh, LeakyReLU, Softmax, LogSoftmax
from .dropout import Dropout
from .pooling import MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
from .flatten import Flatten
from .container import Sequential, ModuleList, ModuleDict
from .transformer import MultiheadAttention, TransformerEncoderLayer, TransformerEncoder
