# functorch.experimental.control_flow: the old home of torch.cond.
from torch import cond

__all__ = ["cond"]
