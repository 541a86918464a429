# torch._dynamo: the pieces user code and exportdb examples touch. Non-strict
# export runs Python directly, so assume_constant_result is an identity decorator.
from . import exc


def assume_constant_result(fn):
    return fn


def reset():
    return None


def mark_dynamic(*a, **k):
    raise NotImplementedError("torch._dynamo.mark_dynamic is not supported yet; use dynamic_shapes=")
