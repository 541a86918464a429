# torch.nn.functional: each function records the ATen op PyTorch's own
# implementation reaches in export's training IR (aten.linear, aten.conv2d, ...).
from .._bridge import op as _op, unsupported as _unsupported
from .._tensor import Tensor as _Tensor, _UnsupportedAttribute


def _pair(v, n=2):
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v] * n


def relu(input, inplace=False):
    return input.relu_() if inplace else _op("aten.relu.default", input)


def relu_(input):
    return input.relu_()


def gelu(input, approximate="none"):
    if approximate != "none":
        return _op("aten.gelu.default", input, approximate=approximate)
    return _op("aten.gelu.default", input)


def silu(input, inplace=False):
    return _op("aten.silu_.default" if inplace else "aten.silu.default", input)


def hardswish(input, inplace=False):
    return _op("aten.hardswish_.default" if inplace else "aten.hardswish.default", input)


def hardsigmoid(input, inplace=False):
    if inplace:
        raise _unsupported("F.hardsigmoid(inplace=True)")
    return _op("aten.hardsigmoid.default", input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _op("aten.hardtanh_.default" if inplace else "aten.hardtanh.default", input, min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _op("aten.leaky_relu_.default" if inplace else "aten.leaky_relu.default", input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        raise _unsupported("F.elu(inplace=True)")
    return _op("aten.elu.default", input, alpha)


def softplus(input, beta=1.0, threshold=20.0):
    return _op("aten.softplus.default", input, beta, threshold)


def sigmoid(input):
    return _op("aten.sigmoid.default", input)


def tanh(input):
    return _op("aten.tanh.default", input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        raise _unsupported("F.softmax without dim")
    return _op("aten.softmax.int", input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        raise _unsupported("F.log_softmax without dim")
    return _op("aten.log_softmax.int", input, dim, dtype)


def linear(input, weight, bias=None):
    return _op("aten.linear.default", input, weight, bias)


def _conv(n, input, weight, bias, stride, padding, dilation, groups):
    if isinstance(padding, str):
        return _op(f"aten.conv{n}d.padding", input, weight, bias, _pair(stride, n), padding, _pair(dilation, n), groups)
    return _op(f"aten.conv{n}d.default", input, weight, bias, _pair(stride, n), _pair(padding, n), _pair(dilation, n), groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        return _op("aten.max_pool2d_with_indices.default", input, _pair(kernel_size), _pair(stride) if stride is not None else [], _pair(padding), _pair(dilation), ceil_mode)
    return _op("aten.max_pool2d.default", input, _pair(kernel_size), _pair(stride) if stride is not None else [], _pair(padding), _pair(dilation), ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _op("aten.max_pool1d.default", input, _pair(kernel_size, 1), _pair(stride, 1) if stride is not None else [], _pair(padding, 1), _pair(dilation, 1), ceil_mode)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    return _op("aten.avg_pool2d.default", input, _pair(kernel_size), _pair(stride) if stride is not None else [], _pair(padding), ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool2d(input, output_size):
    size = _pair(output_size)
    if any(s is None for s in size):
        shape = input.shape
        size = [shape[-2 + i] if s is None else s for i, s in enumerate(size)]
    return _op("aten.adaptive_avg_pool2d.default", input, size)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _op("aten.layer_norm.default", input, list(normalized_shape), weight, bias, float(eps))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    return _op("aten.batch_norm.default", input, weight, bias, running_mean, running_var, training, float(momentum), float(eps), False)


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _op("aten.dropout_.default" if inplace else "aten.dropout.default", input, float(p), training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    if max_norm is not None:
        raise _unsupported("F.embedding(max_norm=...)")
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx < 0:
        padding_idx = weight.shape[0] + padding_idx
    return _op("aten.embedding.default", weight, input, padding_idx)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    kw = {}
    if scale is not None:
        kw["scale"] = float(scale)
    if enable_gqa:
        kw["enable_gqa"] = True
    return _op("aten.scaled_dot_product_attention.default", query, key, value, attn_mask, float(dropout_p), is_causal, **kw)


def pad(input, pad, mode="constant", value=None):
    return _op("aten.pad.default", input, list(pad), mode, value)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    raise _unsupported("torch.nn.functional.normalize")


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    raise _UnsupportedAttribute(f"torch.nn.functional.{name} is not supported yet")


_ = _Tensor
