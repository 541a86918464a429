# torch.fx.experimental.symbolic_shapes: the data-dependent guard error.
from ..._bridge import register_error


class GuardOnDataDependentSymNode(RuntimeError):
    pass


class ConstraintViolationError(RuntimeError):
    pass


def guard_size_oblivious(b):
    return bool(b)


register_error("torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode", GuardOnDataDependentSymNode)
