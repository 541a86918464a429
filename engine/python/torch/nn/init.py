# torch.nn.init: in-place initialisers (values from this torch's own random stream).
import math

from .. import no_grad


def _fans(t):
    s = list(t.shape)
    if len(s) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    rf = 1
    for d in s[2:]:
        rf *= d
    return s[1] * rf, s[0] * rf


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def uniform_(t, a=0.0, b=1.0, generator=None):
    return t.uniform_(a, b)


def normal_(t, mean=0.0, std=1.0, generator=None):
    return t.normal_(mean, std)


def constant_(t, val):
    return t.fill_(val)


def zeros_(t):
    return t.fill_(0)


def ones_(t):
    return t.fill_(1)


def kaiming_uniform_(t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return t.uniform_(-bound, bound)


def kaiming_normal_(t, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return t.normal_(0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def xavier_uniform_(t, gain=1.0, generator=None):
    fan_in, fan_out = _fans(t)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return t.uniform_(-a, a)


def xavier_normal_(t, gain=1.0, generator=None):
    fan_in, fan_out = _fans(t)
    return t.normal_(0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    t.normal_(mean, std)
    return t.clamp_(a, b)


_calculate_fan_in_and_fan_out = _fans
_ = no_grad
