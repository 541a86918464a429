# torch.return_types: named results of ops like max(dim) and min(dim).
from collections import namedtuple

MinMax = namedtuple("max", ["values", "indices"])
max = MinMax
min = namedtuple("min", ["values", "indices"])
