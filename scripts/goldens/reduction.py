"""Goldens for engine/ops/reduction.ts (and cumprod / linalg_vector_norm / norm in
misc.ts): empty and absent dim lists, dtype= arguments, integer wrap-around.

Run with the reference interpreter:  /tmp/ref/bin/python scripts/goldens/reduction.py
Writes engine/test/data/ops/reduction.json, read by engine/ops/reduction-goldens.test.ts.
Inputs are flat storage plus size/stride/offset (as in ops2.json), so non-contiguous
inputs are exact. Each case records the eager CPU result (`out`) or exception
(`error`), and separately what the op gives under FakeTensorMode (`meta`: dtype and
shape, or `error`), since the two can differ: logsumexp(x, dim=[]) without keepdim
raises in eager but fake-tensor propagation (and so torch.export) gives shape
[1, ..., 1]. Non-finite numbers are written as the strings "NaN"/"Infinity"/"-Infinity".
"""
import json
import os

import torch
import golden_json
from golden_json import enc, enc_num, enc_tensor  # noqa: F401  (shared encoders)
from torch._subclasses.fake_tensor import FakeTensorMode

A = torch.ops.aten
cases = []
fake_mode = FakeTensorMode()


def enc_out(r):
    t = r.detach()
    data = [int(v) if t.dtype == torch.bool else enc_num(v) for v in t.flatten().tolist()]
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': data}


def enc_err(e):
    return {'type': type(e).__name__, 'message': str(e).split('\n')[0]}


def to_fake(v):
    if isinstance(v, torch.Tensor):
        return fake_mode.from_tensor(v)
    if isinstance(v, (list, tuple)):
        return type(v)(to_fake(x) for x in v)
    return v


def case(name, op, *args, **kwargs):
    entry = {'name': name, 'op': str(op), 'args': enc(list(args)), 'kwargs': {k: enc(v) for k, v in kwargs.items()}}
    try:
        entry['out'] = enc_out(op(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 - the error is the golden
        entry['error'] = enc_err(e)
    try:
        with fake_mode:
            r = op(*to_fake(list(args)), **kwargs)
        entry['meta'] = {'dtype': str(r.dtype).replace('torch.', ''), 'shape': list(r.shape)}
    except Exception as e:  # noqa: BLE001
        entry['meta'] = {'error': enc_err(e)}
    cases.append(entry)


def ar(*shape, dtype=torch.float32):
    return golden_json.ar(*shape, dtype=dtype, scale=0.7, offset=3.1)


x = ar(2, 3, 4)
xt = ar(4, 3, 2).transpose(0, 2)  # [2, 3, 4], strides (1, 2, 6)
xs = ar(3, 3, 8)[1:, :, ::2]  # [2, 3, 4], non-contiguous with an offset
x0 = torch.tensor(2.5)
xe = torch.zeros(0, 3)
xz = torch.tensor([[0.0, 1.5, float('nan')], [-2.0, 0.0, 0.0]])  # zeros and a NaN (truthy)
xi = torch.tensor([[0, 3, -1], [2, 0, 0]], dtype=torch.int32)
xu = torch.tensor([[0, 3, 255], [2, 0, 0]], dtype=torch.uint8)
xb = torch.tensor([[True, False, True], [False, False, True]])

# ---- dim=[] / dim=None: which overloads reduce everything, which nothing
for nm, t in [('c', x), ('t', xt), ('s', xs), ('0d', x0), ('empty', xe)]:
    for kd in (False, True):
        k = '_kd' if kd else ''
        for d, dn in (([], 'empty'), (None, 'none')):
            case(f'sum_{dn}_{nm}{k}', A.sum.dim_IntList, t, d, kd)
            case(f'mean_{dn}_{nm}{k}', A.mean.dim, t, d, kd)
            case(f'var_{dn}_{nm}{k}', A.var.correction, t, d, correction=1, keepdim=kd)
            case(f'var_dim_{dn}_{nm}{k}', A.var.dim, t, d, False, kd)
            case(f'std_{dn}_{nm}{k}', A.std.correction, t, d, correction=0, keepdim=kd)
            case(f'std_dim_{dn}_{nm}{k}', A.std.dim, t, d, True, kd)
            case(f'lvn_{dn}_{nm}{k}', A.linalg_vector_norm.default, t, 2, d, kd)
            case(f'any_dims_{dn}_{nm}{k}', A.any.dims, t, d, kd)
            case(f'all_dims_{dn}_{nm}{k}', A.all.dims, t, d, kd)
        case(f'amax_empty_{nm}{k}', A.amax.default, t, [], kd)
        case(f'amin_empty_{nm}{k}', A.amin.default, t, [], kd)
        case(f'logsumexp_empty_{nm}{k}', A.logsumexp.default, t, [], kd)
        case(f'norm_empty_{nm}{k}', A.norm.ScalarOpt_dim, t, 1, [], kd)
for nm, t in [('z', xz), ('i', xi), ('u8', xu), ('b', xb), ('zt', xz.t())]:
    for kd in (False, True):
        k = '_kd' if kd else ''
        case(f'any_dims_empty_{nm}{k}', A.any.dims, t, [], kd)
        case(f'all_dims_empty_{nm}{k}', A.all.dims, t, [], kd)
        case(f'any_dims_none_{nm}{k}', A.any.dims, t, None, kd)
        case(f'all_dims_none_{nm}{k}', A.all.dims, t, None, kd)
    case(f'any_dims_1_{nm}', A.any.dims, t, [1])
    case(f'all_dims_0_{nm}', A.all.dims, t, [0], True)
case('any_dims_empty_empty_bool', A.any.dims, torch.zeros(0, 2, dtype=torch.bool), [])
case('all_dims_empty_empty_bool', A.all.dims, torch.zeros(0, 2, dtype=torch.bool), [], True)
case('amax_empty_zero_numel_1', A.amax.default, xe, [1])
case('amax_empty_zero_numel_0', A.amax.default, xe, [0])
case('amin_empty_2x0', A.amin.default, torch.zeros(2, 0), [])
case('logsumexp_empty_1d', A.logsumexp.default, ar(5), [])
case('logsumexp_empty_1d_kd', A.logsumexp.default, ar(5), [], True)
case('logsumexp_empty_int_kd', A.logsumexp.default, xi, [], True)
case('logsumexp_empty_int', A.logsumexp.default, xi, [])
case('logsumexp_all_dims', A.logsumexp.default, x, [0, 1, 2])

# ---- dtype=: the input is converted to dtype element by element before reducing
xf = torch.tensor([[1.5, -2.7, 0.9, 7.99], [3.9, -0.5, -1.99, 200.5]])
for dt in (torch.int32, torch.int64, torch.int16, torch.int8, torch.uint8, torch.bool,
           torch.float16, torch.bfloat16, torch.float64):
    dn = str(dt).replace('torch.', '')
    case(f'sum_dtype_{dn}', A.sum.default, xf, dtype=dt)
    case(f'sum_dim_dtype_{dn}', A.sum.dim_IntList, xf, [1], dtype=dt)
    case(f'sum_dim_dtype_t_{dn}', A.sum.dim_IntList, xf.t(), [0], True, dtype=dt)
    case(f'prod_dtype_{dn}', A.prod.default, xf[:, :3], dtype=dt)
    case(f'prod_dim_dtype_{dn}', A.prod.dim_int, xf, 1, dtype=dt)
    case(f'cumsum_dtype_{dn}', A.cumsum.default, xf, 1, dtype=dt)
    case(f'cumsum_dtype_t_{dn}', A.cumsum.default, xf.t(), 0, dtype=dt)
    case(f'cumprod_dtype_{dn}', A.cumprod.default, xf, 1, dtype=dt)
    case(f'mean_dtype_{dn}', A.mean.default, xf, dtype=dt)
    case(f'mean_dim_dtype_{dn}', A.mean.dim, xf, [1], dtype=dt)
xh = torch.tensor([1000.3, 0.3, 0.3, 0.3])
case('sum_dtype_f16_rounds_elements', A.sum.default, xh, dtype=torch.float16)
case('mean_dtype_f16_sums_in_f32', A.mean.default, xh, dtype=torch.float16)
case('mean_dim_dtype_bf16_sums_in_f32', A.mean.dim, xh.reshape(2, 2), [1], dtype=torch.bfloat16)
case('mean_of_f16_input', A.mean.default, xh.half())
case('cumsum_dtype_f16_rounds_elements', A.cumsum.default, xh, 0, dtype=torch.float16)
case('cumprod_dtype_f16', A.cumprod.default, torch.tensor([1.3, 1.3, 1.3, 1.3, 1.3]), 0, dtype=torch.float16)
case('prod_dtype_f16', A.prod.default, torch.tensor([1.3, 1.3, 1.3, 1.3, 1.3]), dtype=torch.float16)
case('sum_int32_dtype_f16', A.sum.default, torch.tensor([2049, 1], dtype=torch.int32), dtype=torch.float16)
case('sum_int64_dtype_f32', A.sum.default, torch.tensor([16777217, 1], dtype=torch.int64), dtype=torch.float32)
case('sum_f64_dtype_f32', A.sum.default, torch.tensor([1 + 2 ** -30] * 4, dtype=torch.float64), dtype=torch.float32)
case('mean_f64_dtype_f32', A.mean.default, torch.tensor([1 + 2 ** -30] * 4, dtype=torch.float64), dtype=torch.float32)
case('sum_int32_dtype_int8', A.sum.default, torch.tensor([100, 100, 100], dtype=torch.int32), dtype=torch.int8)
case('sum_int32_dtype_uint8', A.sum.default, torch.tensor([200, 200, -1], dtype=torch.int32), dtype=torch.uint8)
case('sum_f32_dtype_uint8_wraps', A.sum.default, torch.tensor([-1.5, 300.7, 2.2]), dtype=torch.uint8)
case('sum_f32_dtype_int8_wraps', A.sum.default, torch.tensor([200.5, 100.2]), dtype=torch.int8)
case('sum_f32_dtype_bool', A.sum.default, torch.tensor([0.5, 0.0, -1.0]), dtype=torch.bool)
case('sum_int32_dtype_int32_wraps', A.sum.default, torch.tensor([2 ** 31 - 1, 2 ** 31 - 1], dtype=torch.int32), dtype=torch.int32)
case('sum_int32_widens', A.sum.default, torch.tensor([2 ** 31 - 1, 2 ** 31 - 1], dtype=torch.int32))
case('prod_int32_dtype_int8', A.prod.default, torch.tensor([100, 3], dtype=torch.int32), dtype=torch.int8)
case('prod_int32_wraps', A.prod.default, torch.tensor([65537, 65537, 65537, 65537, 3], dtype=torch.int32), dtype=torch.int32)
case('prod_dim_int32_wraps', A.prod.dim_int, torch.tensor([[65537, 65537, 65537, 65537, 3]] * 2, dtype=torch.int32), 1, True, dtype=torch.int32)
case('cumsum_int32_dtype_int8', A.cumsum.default, torch.tensor([100, 100, 100], dtype=torch.int32), 0, dtype=torch.int8)
case('cumprod_int32_dtype_int8', A.cumprod.default, torch.tensor([100, 3, 2], dtype=torch.int32), 0, dtype=torch.int8)
case('cumprod_int32_wraps', A.cumprod.default, torch.tensor([65537, 65537, 65537, 65537, 3], dtype=torch.int32), 0)
case('cumprod_int32_dtype_int32_wraps', A.cumprod.default, torch.tensor([65537, 65537, 65537, 65537, 3], dtype=torch.int32), 0, dtype=torch.int32)
case('cumsum_bool_in', A.cumsum.default, xb, 1)
case('cumprod_bool_in', A.cumprod.default, xb, 1)
case('mean_int_in', A.mean.default, xi)
case('mean_dim_int_in', A.mean.dim, xi, [1])
case('mean_int_in_dtype_f32', A.mean.default, xi, dtype=torch.float32)
case('mean_dim_int_in_dtype_f64', A.mean.dim, xi, [0], True, dtype=torch.float64)
case('mean_int_in_dtype_int64', A.mean.default, xi, dtype=torch.int64)

# ---- int64 wraps at 2^64 (the values stay exact in a float64 accumulator)
big = torch.tensor([2 ** 62, 2 ** 62, 2 ** 62], dtype=torch.int64)
case('sum_int64_wraps', A.sum.default, big)
case('sum_dim_int64_wraps', A.sum.dim_IntList, big.reshape(1, 3), [1])
case('cumsum_int64_wraps', A.cumsum.default, big, 0)
case('prod_int64_wraps', A.prod.default, torch.tensor([2 ** 40, 2 ** 40], dtype=torch.int64))
case('prod_int64_wraps_neg', A.prod.default, torch.tensor([2 ** 31, 2 ** 31, 3], dtype=torch.int64))
case('cumprod_int64_wraps', A.cumprod.default, torch.tensor([2 ** 31, 2 ** 31, 3, 2], dtype=torch.int64), 0)
case('sum_int32_big_widens', A.sum.default, torch.tensor([2 ** 31 - 1] * 5, dtype=torch.int32))

out = os.path.join(os.path.dirname(__file__), '..', '..', 'engine', 'test', 'data', 'ops', 'reduction.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'), allow_nan=False)
print(f'{len(cases)} cases -> {os.path.normpath(out)}')
