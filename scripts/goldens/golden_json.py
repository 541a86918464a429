"""Encoding of torch values for the op golden files (engine/test/data/ops/*.json),
and the deterministic inputs (`ar`, `strided`) the generators build cases from.

Shared by the generators: a tensor is its whole storage (so views keep their
offset and strides), non-finite floats are the strings 'NaN', 'Infinity' and
'-Infinity' (JSON has no such numbers; the tests map them back), bools are 0/1.
"""

import math

import torch


def ar(*shape, dtype=torch.float32, scale=0.5, offset=3):
    """A tensor of the given shape with deterministic values: floats `i * scale - offset`
    (computed in float64), integers centred on zero, bools true at every third element."""
    n = math.prod(shape)
    if dtype == torch.bool:
        return (torch.arange(n) % 3 == 0).reshape(shape)
    if dtype.is_floating_point:
        return (torch.arange(n, dtype=torch.float64) * scale - offset).to(dtype).reshape(shape)
    return (torch.arange(n) - n // 2).to(dtype).reshape(shape)


def strided(*shape, dtype=torch.float32):
    """A non-contiguous view: every other column of a wider tensor, offset by one row."""
    big = ar(shape[0] + 1, *shape[1:-1], shape[-1] * 2, dtype=dtype)
    return big[1:][..., ::2]


def enc_num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return 'NaN' if math.isnan(v) else ('Infinity' if v > 0 else '-Infinity')
    return v


def enc_tensor(t):
    t = t.detach()
    n = t.untyped_storage().nbytes() // t.element_size()
    base = torch.empty(0, dtype=t.dtype).set_(t.untyped_storage(), 0, (n,), (1,))
    return {
        'dtype': str(t.dtype).replace('torch.', ''),
        'storage': [enc_num(v) for v in base.tolist()] if t.dtype != torch.bool else [int(v) for v in base.tolist()],
        'shape': list(t.shape),
        'strides': list(t.stride()),
        'offset': t.storage_offset(),
    }


def enc(v):
    """An op argument: tensors, lists/tuples of arguments, scalars, dtypes, memory formats."""
    if isinstance(v, torch.Tensor):
        return {'tensor': enc_tensor(v)}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, (bool, str)) or v is None:
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return {'float': enc_num(v)}
    if isinstance(v, torch.dtype):
        return {'dtype': str(v).replace('torch.', '')}
    if isinstance(v, torch.memory_format):
        return {'enum': str(v)}
    raise TypeError(type(v))
