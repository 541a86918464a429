"""Goldens for engine/ops/{padding,misc}.ts, produced by real PyTorch.

Run with the reference interpreter:  /tmp/ref/bin/python scripts/goldens/ops2.py
Writes engine/test/data/ops/ops2.json in the format of movement.json (see
scripts/goldens/movement.py and engine/test/movement-goldens.ts): tensors as a
flat storage plus size/stride/offset, so non-contiguous inputs are exact.
Non-finite storage values are written as the strings "NaN"/"Infinity"/"-Infinity"
(JavaScript's Number() reads them back); outputs never contain them.
"""
import json
import math
import os

import torch
from golden_json import ar, enc, enc_num, enc_tensor, strided  # noqa: F401  (shared encoders and inputs)

A = torch.ops.aten
cases = []


def enc_out(r):
    if isinstance(r, torch.Tensor):
        t = r.detach()
        data = [int(v) if t.dtype == torch.bool else v for v in t.flatten().tolist()]
        assert all(not isinstance(v, float) or math.isfinite(v) for v in data), 'non-finite output'
        return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'strides': list(t.stride()),
                'offset': t.storage_offset(), 'data': data}
    if isinstance(r, (list, tuple)):
        return {'list': [enc_out(x) for x in r]}
    raise TypeError(type(r))


def case(name, op, *args, inplace=False, **kwargs):
    entry = {'name': name, 'op': str(op), 'args': enc(list(args)), 'kwargs': {k: enc(v) for k, v in kwargs.items()}}
    try:
        real = [a.clone() if inplace and i == 0 else a for i, a in enumerate(args)]
        r = op(*real, **kwargs)
        entry['out'] = enc_out(r)
    except Exception as e:  # noqa: BLE001 - the error is the golden
        entry['error'] = {'type': type(e).__name__, 'message': str(e).split('\n')[0]}
    cases.append(entry)


torch.manual_seed(0)
x = ar(2, 3, 4)
xt = ar(4, 3, 2).transpose(0, 2)  # [2, 3, 4], strides (1, 2, 6)
xs = strided(2, 3, 4)
xi = ar(2, 3, 4, dtype=torch.int64)
xr = torch.randn(2, 3, 5)
xrt = torch.randn(5, 3, 2).transpose(0, 2)  # [2, 3, 5], non-contiguous
dup = torch.tensor([[3., 1., 3., 2., 1., 3.], [0., 0., -1., 0., 5., -1.]])

# ---- padding
for nm, t in [('c', x), ('t', xt), ('s', xs), ('i', xi)]:
    case(f'constant_pad_nd_{nm}', A.constant_pad_nd.default, t, [1, 2])
    case(f'constant_pad_nd_2d_{nm}', A.constant_pad_nd.default, t, [1, 0, 2, 1], 1.5 if nm != 'i' else 7)
    case(f'constant_pad_nd_neg_{nm}', A.constant_pad_nd.default, t, [-1, 2, 1, -2])
    case(f'pad_constant_{nm}', A.pad.default, t, [0, 1, 1, 1, 1, 0], 'constant', 2.5 if nm != 'i' else None)
    case(f'pad_reflect_{nm}', A.pad.default, t, [2, 1], 'reflect')
    case(f'pad_reflect2d_{nm}', A.pad.default, t, [1, 2, 2, 1], 'reflect')
    case(f'pad_replicate_{nm}', A.pad.default, t, [2, 3], 'replicate')
    case(f'pad_replicate2d_{nm}', A.pad.default, t, [3, 1, 0, 2], 'replicate')
    case(f'pad_circular_{nm}', A.pad.default, t, [2, 1], 'circular')
    case(f'pad_circular2d_{nm}', A.pad.default, t, [1, 2, 2, 0], 'circular')
case('constant_pad_nd_0d', A.constant_pad_nd.default, torch.tensor(2.0), [])
case('constant_pad_nd_full', A.constant_pad_nd.default, x, [1, 1, 0, 0, 1, 0], -1.0)
case('constant_pad_nd_bool', A.constant_pad_nd.default, ar(2, 3, dtype=torch.bool), [1, 1], True)
case('constant_pad_nd_err_odd', A.constant_pad_nd.default, x, [1, 2, 3])
case('constant_pad_nd_err_long', A.constant_pad_nd.default, ar(2, 3), [1, 1, 1, 1, 1, 1])
case('constant_pad_nd_err_neg', A.constant_pad_nd.default, x, [-3, -2])
case('pad_reflect_err_big', A.pad.default, x, [4, 1], 'reflect')
case('pad_reflect_err_value', A.pad.default, x, [1, 1], 'reflect', 1.0)
case('pad_reflect_err_dims', A.pad.default, ar(4), [1, 1], 'reflect')
case('pad_replicate_err_dims', A.pad.default, x, [1, 1, 1, 1, 1, 1], 'replicate')
case('pad_err_mode', A.pad.default, x, [1, 1], 'wrap')
case('pad_circular_err_big', A.pad.default, x, [5, 1], 'circular')

# ---- misc
case('detach', A.detach.default, xt)
case('zero', A.zero.default, xt)
case('zero_', A.zero_.default, xt, inplace=True)
case('relu6', A.relu6.default, xrt * 5)
case('relu6_i', A.relu6.default, xi)
case('relu6_', A.relu6_.default, xr * 5, inplace=True)
case('eye', A.eye.default, 3)
case('eye_m', A.eye.m, 2, 4)
case('eye_m_int', A.eye.m, 3, 2, dtype=torch.int64)
case('eye_err', A.eye.default, -1)
case('eye_m_err', A.eye.m, 2, -3)
for nm, t in [('c', xr), ('t', xrt)]:
    case(f'topk_{nm}', A.topk.default, t, 2)
    case(f'topk_small_{nm}', A.topk.default, t, 2, 1, False)
    case(f'sort_{nm}', A.sort.default, t)
    case(f'sort_desc_{nm}', A.sort.default, t, 0, True)
    case(f'argsort_{nm}', A.argsort.default, t, 1)
    case(f'lvn_{nm}', A.linalg_vector_norm.default, t)
    case(f'lvn_dim_{nm}', A.linalg_vector_norm.default, t, 3, [0, 2], True)
    case(f'lvn_1_{nm}', A.linalg_vector_norm.default, t, 1, [1])
    case(f'lvn_inf_{nm}', A.linalg_vector_norm.default, t, float('inf'), [2])
    case(f'lvn_ninf_{nm}', A.linalg_vector_norm.default, t, float('-inf'), [2])
    case(f'lvn_0_{nm}', A.linalg_vector_norm.default, t, 0, [-1])
    case(f'cumprod_{nm}', A.cumprod.default, t, 1)
    case(f'nan_to_num_{nm}', A.nan_to_num.default, t)
case('topk_err', A.topk.default, xr, 6)
case('topk_dup', A.topk.default, dup, 3)
case('sort_stable', A.sort.stable, dup, stable=True, dim=1)
case('sort_stable_desc', A.sort.stable, dup, stable=True, descending=True)
case('sort_int', A.sort.default, xi, 1, True)
case('argsort_stable', A.argsort.stable, dup, stable=True, dim=-1)
case('argsort_stable_desc', A.argsort.stable, dup, stable=True, descending=True)
case('sort_err_dim', A.sort.default, xr, 3)
case('lvn_dtype', A.linalg_vector_norm.default, xr, dtype=torch.float64)
case('lvn_err_int', A.linalg_vector_norm.default, xi)
case('norm_scalaropt', A.norm.ScalarOpt_dim, xrt, 2, [1])
case('norm_scalaropt_none', A.norm.ScalarOpt_dim, xrt, None, [0, 1], True)
case('cumprod_int', A.cumprod.default, ar(2, 3, dtype=torch.int32), 0)
case('cumprod_dtype', A.cumprod.default, xr, -1, dtype=torch.float64)
nanx = torch.tensor([[float('nan'), 1.0, float('inf')], [float('-inf'), -2.5, 0.0]])
case('nan_to_num_vals', A.nan_to_num.default, nanx)
case('nan_to_num_args', A.nan_to_num.default, nanx, 0.5, 10.0, -10.0)
case('nan_to_num_t', A.nan_to_num.default, nanx.t(), 1.0)
case('nan_to_num_f16', A.nan_to_num.default, nanx.half())
case('nan_to_num_int', A.nan_to_num.default, xi)
case('clamp_min_', A.clamp_min_.default, xr, 0.25, inplace=True)
mask = ar(2, 3, 4, dtype=torch.bool)
case('masked_fill_tensor_', A.masked_fill_.Tensor, x, mask, torch.tensor(7.5), inplace=True)
case('masked_fill_tensor_err', A.masked_fill_.Tensor, x, mask, torch.tensor([7.5, 1.0]), inplace=True)
case('fill_tensor', A.fill.Tensor, xt, torch.tensor(2.5))
case('fill_tensor_', A.fill_.Tensor, xi, torch.tensor(3), inplace=True)
case('fill_tensor_err', A.fill.Tensor, x, torch.tensor([1.0, 2.0]))
case('elu_', A.elu_.default, xr, inplace=True)
case('elu_args_', A.elu_.default, xr, 0.5, 2.0, 1.5, inplace=True)
case('hardsigmoid_', A.hardsigmoid_.default, xr * 4, inplace=True)
case('round_decimals', A.round.decimals, xr * 10, decimals=2)
case('round_decimals_neg', A.round.decimals, xrt * 100, decimals=-1)
case('round_decimals_half', A.round.decimals, torch.tensor([0.125, 0.375, 2.5, -0.5, 1234.5678]), decimals=1)
case('round_decimals_int', A.round.decimals, xi, decimals=1)
for op in ['bitwise_and', 'bitwise_or', 'bitwise_xor']:
    f = getattr(A, op).Scalar
    case(f'{op}_scalar', f, xi, 5)
    case(f'{op}_scalar_bool', f, mask, True)
    case(f'{op}_scalar_i32', f, ar(2, 3, dtype=torch.int32).t(), -3)
    case(f'{op}_scalar_err', f, x, 1)
idx = torch.tensor([0, 2, 0])
case('index_add', A.index_add.default, x, 1, idx, ar(2, 3, 4) * 0 + 1)
case('index_add_alpha', A.index_add.default, xt, 2, torch.tensor([3, 1]), ar(2, 3, 2), alpha=2.0)
case('index_add_err', A.index_add.default, x, 1, idx, ar(2, 2, 4))
sidx = torch.tensor([[[0, 1, 2, 0], [2, 2, 1, 0]], [[1, 0, 0, 2], [0, 0, 0, 1]]])
case('scatter_add', A.scatter_add.default, x, 1, sidx, ar(2, 2, 4))
case('scatter_add_t', A.scatter_add.default, xt, 1, sidx, ar(2, 3, 4))
case('scatter_add_err_dtype', A.scatter_add.default, x, 1, sidx.int(), ar(2, 2, 4))
gx = torch.randn(2, 6, 5)
gw = torch.randn(6)
gb = torch.randn(6)
case('group_norm', A.group_norm.default, gx, 3)
case('group_norm_wb', A.group_norm.default, gx.transpose(1, 2).contiguous().transpose(1, 2), 2, gw, gb, 1e-3)
case('group_norm_4d', A.group_norm.default, torch.randn(2, 4, 2, 3), 4, torch.randn(4))
case('group_norm_err', A.group_norm.default, gx, 4)
case('native_group_norm', A.native_group_norm.default, gx, gw, gb, 2, 6, 5, 3, 1e-5)
case('native_group_norm_none', A.native_group_norm.default, gx, None, None, 2, 6, 5, 6, 1e-5)

os.makedirs(os.path.join(os.path.dirname(__file__), '..', '..', 'engine', 'test', 'data', 'ops'), exist_ok=True)
out = os.path.join(os.path.dirname(__file__), '..', '..', 'engine', 'test', 'data', 'ops', 'ops2.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=None, separators=(',', ':'), allow_nan=False)
print(f'{len(cases)} cases -> {os.path.normpath(out)}')
