"""Goldens for engine/ops/{movement,indexing,factory}.ts, produced by real PyTorch.

Run with the reference interpreter:  /tmp/ref/bin/python scripts/goldens/movement.py
Writes engine/test/data/ops/movement.json. Each case names an aten overload,
its positional args and kwargs (tensors as a flat storage plus size/stride/offset
so non-contiguous inputs are exact), and the expected output: tensors with
dtype/shape/strides/storage offset/data (strides and offset matter for views),
lists of tensors, Python scalars, or the error type and message.
"""
import json
import os
import sys

import torch
from golden_json import ar, enc, enc_num, enc_tensor, strided  # noqa: F401  (shared encoders and inputs)

A = torch.ops.aten
cases = []


def enc_out(r):
    if isinstance(r, torch.Tensor):
        t = r.detach()
        return {
            'dtype': str(t.dtype).replace('torch.', ''),
            'shape': list(t.shape),
            'strides': list(t.stride()),
            'offset': t.storage_offset(),
            'data': [int(v) if t.dtype == torch.bool else v for v in t.flatten().tolist()],
        }
    if isinstance(r, (list, tuple)):
        return {'list': [enc_out(x) for x in r]}
    if r is None:
        return None
    if isinstance(r, bool):
        return {'scalar': r, 'kind': 'bool'}
    if isinstance(r, int):
        return {'scalar': r, 'kind': 'int'}
    if isinstance(r, float):
        return {'scalar': r, 'kind': 'float'}
    raise TypeError(type(r))


def case(name, op, *args, view=False, random=False, note=None, **kwargs):
    entry = {'name': name, 'op': str(op), 'args': enc(list(args)), 'kwargs': {k: enc(v) for k, v in kwargs.items()}}
    try:
        r = op(*args, **kwargs)
        entry['out'] = enc_out(r)
        if random:
            entry['random'] = True
            del entry['out']['data']
    except Exception as e:  # noqa: BLE001
        entry['error'] = {'type': type(e).__name__, 'message': str(e).split('\n')[0]}
    if view:
        entry['view'] = True
    cases.append(entry)


torch.manual_seed(0)
x = ar(2, 3, 4)
xt = ar(4, 3, 2).transpose(0, 2)  # shape [2, 3, 4], strides (1, 2, 6)
xs = strided(2, 3, 4)
xi = ar(2, 3, 4, dtype=torch.int64)
xb = ar(2, 3, 4, dtype=torch.bool)
x16 = ar(2, 3, 4, dtype=torch.float16)

# ---- views
for nm, t in [('c', x), ('t', xt), ('s', xs), ('i', xi)]:
    case(f'view_{nm}', A.view.default, t, [6, 4], view=True)
    case(f'view_neg_{nm}', A.view.default, t, [-1], view=True)
    case(f'view_split_{nm}', A.view.default, t, [2, 3, 2, 2], view=True)
case('view_merge_t', A.view.default, xt.permute(1, 0, 2), [3, 8], view=True)
case('view_1', A.view.default, x, [1, 2, 1, 12, 1], view=True)
case('view_0d', A.view.default, torch.tensor(3.5), [1, 1], view=True)
case('view_to_0d', A.view.default, ar(1, 1), [], view=True)
case('view_empty', A.view.default, torch.zeros(0, 3), [3, 0], view=True)
case('view_err_stride', A.view.default, xt, [24])
case('view_err_size', A.view.default, x, [5, 5])
case('view_err_two_neg', A.view.default, x, [-1, -1])
case('view_err_neg', A.view.default, x, [-1, 5])
case('unsafe_view', A._unsafe_view.default, xt, [4, 6])
case('reshape_view', A.reshape.default, x, [4, -1], view=True)
case('reshape_copy', A.reshape.default, xt, [4, -1], view=True)
case('view_as', A.view_as.default, x, torch.zeros(24), view=True)
for nm, t in [('c', x), ('t', xt), ('s', xs)]:
    case(f'permute_{nm}', A.permute.default, t, [2, 0, 1], view=True)
    case(f'transpose_{nm}', A.transpose.int, t, 0, -1, view=True)
    case(f'expand_{nm}', A.expand.default, t[:, :1], [5, 2, 3, 4], view=True)
    case(f'slice_{nm}', A.slice.Tensor, t, 2, 1, 9223372036854775807, 2, view=True)
    case(f'select_{nm}', A.select.int, t, 1, -1, view=True)
    case(f'unsqueeze_{nm}', A.unsqueeze.default, t, -1, view=True)
case('permute_err_len', A.permute.default, x, [0, 1])
case('permute_err_dup', A.permute.default, x, [0, 1, 1])
case('transpose_same', A.transpose.int, x, 1, 1, view=True)
case('transpose_err', A.transpose.int, x, 0, 3)
case('t_2d', A.t.default, xt[0], view=True)
case('t_1d', A.t.default, ar(4), view=True)
case('t_err', A.t.default, x)
case('swapaxes', A.swapaxes.default, xs, 0, 1, view=True)
case('movedim_int', A.movedim.int, x, -1, 0, view=True)
case('movedim_list', A.movedim.intlist, x, [0, 1], [2, 0], view=True)
case('movedim_err', A.movedim.intlist, x, [0, 0], [1, 2])
case('expand_neg', A.expand.default, ar(3, 1), [2, -1, 4], view=True)
case('expand_same', A.expand.default, x, [2, 3, 4], view=True)
case('expand_err', A.expand.default, x, [2, 5, 4])
case('expand_err_fewer', A.expand.default, x, [3, 4])
case('expand_err_lead', A.expand.default, x, [-1, 2, 3, 4])
case('expand_as', A.expand_as.default, ar(3, 1), torch.zeros(2, 3, 4), view=True)
case('unsqueeze_0', A.unsqueeze.default, x, 0, view=True)
case('unsqueeze_mid', A.unsqueeze.default, xt, 2, view=True)
case('unsqueeze_0d', A.unsqueeze.default, torch.tensor(2.0), 0, view=True)
case('unsqueeze_err', A.unsqueeze.default, x, 5)
y1 = ar(2, 1, 4, 1)
case('squeeze_all', A.squeeze.default, y1, view=True)
case('squeeze_dim', A.squeeze.dim, y1, -1, view=True)
case('squeeze_dim_noop', A.squeeze.dim, y1, 0, view=True)
case('squeeze_dims', A.squeeze.dims, y1, [1, -1, 0], view=True)
case('squeeze_err', A.squeeze.dims, y1, [5])
case('alias', A.alias.default, xs, view=True)
case('flatten', A.flatten.using_ints, x, 1, view=True)
case('flatten_all_t', A.flatten.using_ints, xt, view=True)
case('flatten_same', A.flatten.using_ints, x, 1, 1, view=True)
case('flatten_0d', A.flatten.using_ints, torch.tensor(1.5), view=True)
case('unflatten', A.unflatten.int, x, 2, [2, 2], view=True)
case('unflatten_neg', A.unflatten.int, xt, -1, [-1, 2], view=True)
case('unflatten_err', A.unflatten.int, x, 2, [3, 2])
case('slice_default', A.slice.Tensor, x, view=True)
case('slice_neg', A.slice.Tensor, x, 1, -2, view=True)
case('slice_neg_end', A.slice.Tensor, x, 2, 0, -1, view=True)
case('slice_clamp', A.slice.Tensor, x, 2, -100, 100, view=True)
case('slice_empty', A.slice.Tensor, x, 2, 3, 1, view=True)
case('slice_step3', A.slice.Tensor, ar(10), 0, 1, 9, 3, view=True)
case('slice_start_none', A.slice.Tensor, x, 0, None, 1, view=True)
case('slice_err_step', A.slice.Tensor, x, 1, 0, 3, 0)
case('slice_err_0d', A.slice.Tensor, torch.tensor(1.0), 0, 0, 1)
case('select_0', A.select.int, x, 0, 1, view=True)
case('select_err', A.select.int, x, 1, 5)
case('select_err_neg', A.select.int, x, 1, -4)
case('narrow', A.narrow.default, xt, 2, 1, 2, view=True)
case('narrow_neg', A.narrow.default, x, -1, -2, 2, view=True)
case('narrow_err', A.narrow.default, x, 2, 3, 2)
case('split', A.split.Tensor, x, 3, 2, view=True)
case('split_even', A.split.Tensor, xt, 1, 0, view=True)
case('split_big', A.split.Tensor, x, 10, 1, view=True)
case('split_err_zero', A.split.Tensor, x, 0, 0)
case('split_err_neg', A.split.Tensor, x, -1, 0)
case('split_with_sizes', A.split_with_sizes.default, xs, [1, 3], 2, view=True)
case('split_with_sizes_err', A.split_with_sizes.default, x, [1, 2], 2)
case('split_with_sizes_err_neg', A.split_with_sizes.default, x, [-1, 5], 2)
case('chunk', A.chunk.default, x, 3, 2, view=True)
case('chunk_uneven', A.chunk.default, ar(7, 2), 3, view=True)
case('chunk_more', A.chunk.default, x, 5, 1, view=True)
case('chunk_err', A.chunk.default, x, 0)
case('unbind', A.unbind.int, xt, 1, view=True)
case('unbind_neg', A.unbind.int, x, -1, view=True)
case('as_strided', A.as_strided.default, x, [3, 3], [1, 4], 2, view=True)
case('as_strided_default_off', A.as_strided.default, x[1], [2, 2], [4, 1], view=True)
case('as_strided_err', A.as_strided.default, x, [30], [1])
case('contiguous_t', A.contiguous.default, xt)
case('contiguous_c', A.contiguous.default, x, view=True)
case('cat', A.cat.default, [x, xt, xs], 1)
case('cat0', A.cat.default, [x, xi])
case('cat_neg', A.cat.default, [x[:, :, :1], xt], -1)
case('cat_legacy_empty', A.cat.default, [x, torch.zeros(0)], 0)
case('cat_bool_int', A.cat.default, [xb, xi], 2)
case('cat_f16', A.cat.default, [x16, x16], 0)
case('cat_err_size', A.cat.default, [x, ar(2, 4, 4)], 2)
case('cat_err_ndim', A.cat.default, [x, ar(2, 3)], 0)
case('stack', A.stack.default, [x, xt], 1)
case('stack0', A.stack.default, [x, xs])
case('stack_last', A.stack.default, [x, xt], -1)
case('stack_err', A.stack.default, [x, ar(2, 3, 5)])
case('repeat', A.repeat.default, xt, [2, 1, 2])
case('repeat_more', A.repeat.default, ar(2, 3), [2, 1, 2])
case('repeat_err', A.repeat.default, x, [2, 2])
case('tile', A.tile.default, xs, [2, 1])
case('tile_more', A.tile.default, ar(2, 3), [2, 1, 2])
case('flip', A.flip.default, xt, [0, 2])
case('flip_int', A.flip.default, xi, [-1])
case('flip_err', A.flip.default, x, [0, 0])
case('roll', A.roll.default, xt, [1], [2])
case('roll_neg', A.roll.default, x, [-5], [-1])
case('roll_flat', A.roll.default, xs, [3])
case('roll_two', A.roll.default, x, [1, 2], [0, 2])
case('roll_err', A.roll.default, x, [1, 2], [0])
case('sym_size', A.sym_size.int, x, -1)
case('sym_numel', A.sym_numel.default, x)
case('sym_stride', A.sym_stride.int, xt, 2)
case('sym_size_err', A.sym_size.int, x, 3)

# ---- indexing
idx = torch.tensor([2, 0, -1, 0])
case('index_select', A.index_select.default, xt, 1, torch.tensor([2, 0, 2]))
case('index_select_neg', A.index_select.default, x, 2, idx)
case('index_select_i32', A.index_select.default, xi, 0, torch.tensor([1, 1], dtype=torch.int32))
case('index_select_err_oob', A.index_select.default, x, 0, torch.tensor([5]))
case('index_select_err_dtype', A.index_select.default, x, 0, torch.tensor([0.0]))
gi = torch.tensor([[[0, 1, 2, 0]], [[2, 2, 1, 0]]])
case('gather', A.gather.default, xt, 1, gi)
case('gather_last', A.gather.default, x, -1, torch.tensor([[[3, 0], [1, 1], [0, 2]], [[0, 0], [1, 2], [3, 3]]]))
case('gather_err_oob', A.gather.default, x, 0, torch.tensor([[[5]]]))
case('gather_err_dims', A.gather.default, x, 0, torch.tensor([[0]]))
case('scatter_src', A.scatter.src, x, 1, gi, xt)
case('scatter_value', A.scatter.value, xi, 2, torch.tensor([[[0], [3], [1]], [[2], [2], [0]]]), 7)
case('scatter_value_f', A.scatter.value, x, 1, gi, 2.5)
case('scatter_err_oob', A.scatter.value, x, 0, torch.tensor([[[5]]]), 1.0)
i2 = torch.tensor([1, 0, 1])
case('index_1', A.index.Tensor, xt, [i2])
case('index_mid', A.index.Tensor, x, [None, torch.tensor([2, 0])])
case('index_two_adj', A.index.Tensor, x, [None, torch.tensor([[0], [2]]), torch.tensor([1, 3, 0])])
case('index_two_sep', A.index.Tensor, xs, [torch.tensor([1, 0]), None, torch.tensor([3, 0])])
case('index_neg', A.index.Tensor, x, [torch.tensor([-1]), torch.tensor([-3, 2])])
case('index_bool', A.index.Tensor, x, [torch.tensor([[True, False, True], [False, False, True]])])
case('index_bool_mid', A.index.Tensor, xt, [None, torch.tensor([True, False, True])])
case('index_i32', A.index.Tensor, xi, [torch.tensor([1, 0], dtype=torch.int32)])
case('index_err_oob', A.index.Tensor, x, [torch.tensor([5])])
case('index_err_many', A.index.Tensor, x, [None, None, None, torch.tensor([0])])
case('index_err_mask', A.index.Tensor, x, [torch.ones(3, dtype=torch.bool)])
case('index_err_bcast', A.index.Tensor, x, [torch.tensor([0, 1]), torch.tensor([0, 1, 2])])
case('index_err_dtype', A.index.Tensor, x, [torch.tensor([0.0])])
case('index_put', A.index_put.default, xt, [torch.tensor([1, 0])], torch.tensor(9.0))
case('index_put_vals', A.index_put.default, x, [None, torch.tensor([2, 0])], ar(2, 2, 4) * 10)
case('index_put_acc', A.index_put.default, x, [torch.tensor([1, 1, 0])], torch.ones(4), True)
case('index_put_bool', A.index_put.default, xi, [xb], torch.tensor(100))
case('index_put_err_shape', A.index_put.default, x, [torch.tensor([1, 0])], torch.ones(3))
case('index_put_err_dtype', A.index_put.default, x, [torch.tensor([1, 0])], torch.tensor(1))
case('index_put_', A.index_put_.default, x.clone(), [torch.tensor([1])], torch.tensor(-1.0))
w = ar(5, 3)
case('embedding', A.embedding.default, w, torch.tensor([[1, 2], [0, 4]]))
case('embedding_t', A.embedding.default, ar(3, 5).t(), torch.tensor([4, 4, 0]))
case('embedding_pad', A.embedding.default, w, torch.tensor([1, 2]), 1)
case('embedding_err_oob', A.embedding.default, w, torch.tensor([9]))
case('embedding_err_dtype', A.embedding.default, w, torch.tensor([1.0]))
case('nonzero', A.nonzero.default, xi)
case('nonzero_bool_t', A.nonzero.default, xb.transpose(0, 2))
case('nonzero_1d', A.nonzero.default, torch.tensor([0.0, 1.5, 0.0, -2.0]))
case('item_int', A.item.default, torch.tensor(7))
case('item_float', A.item.default, torch.tensor([2.5]))
case('item_float_integral', A.item.default, torch.tensor(2.0))
case('item_bool', A.item.default, torch.tensor(True))
case('item_err', A.item.default, x)
case('local_scalar_dense', A._local_scalar_dense.default, torch.tensor([[3]]))
case('assert_scalar_ok', A._assert_scalar.default, True, 'fine')
case('assert_scalar_fail', A._assert_scalar.default, False, "Runtime assertion failed for expression u0 >= 0 on node 'ge_1'")
case('assert_md_ok', A._assert_tensor_metadata.default, x, [2, 3, 4], [12, 4, 1], torch.float32)
case('assert_md_size', A._assert_tensor_metadata.default, x, [2, 3, 5], None, torch.float32)
case('assert_md_stride', A._assert_tensor_metadata.default, x, None, [1, 1, 1])
case('assert_md_dtype', A._assert_tensor_metadata.default, x, None, None, torch.int32)
case('tril', A.tril.default, xt)
case('tril_diag', A.tril.default, ar(4, 3), 1)
case('triu', A.triu.default, xs, -1)
case('triu_int', A.triu.default, ar(3, 5, dtype=torch.int64), 2)
case('tril_err', A.tril.default, ar(3))

# ---- factory
case('zeros', A.zeros.default, [2, 3])
case('zeros_i32', A.zeros.default, [2], dtype=torch.int32)
case('zeros_err', A.zeros.default, [-1])
case('ones', A.ones.default, [3, 1])
case('ones_bool', A.ones.default, [2], dtype=torch.bool)
case('full_int', A.full.default, [2, 2], 7)
case('full_float', A.full.default, [2], 7.5)
case('full_float_integral', A.full.default, [2], 2.0)
case('full_bool', A.full.default, [2], True)
case('full_dtype', A.full.default, [2], 3, dtype=torch.float16)
case('empty', A.empty.memory_format, [2, 3], random=True)
case('empty_permuted', A.empty_permuted.default, [2, 3, 4], [2, 0, 1], random=True)
case('scalar_tensor', A.scalar_tensor.default, 3)
case('scalar_tensor_f', A.scalar_tensor.default, 2.5, dtype=torch.float64)
case('scalar_tensor_b', A.scalar_tensor.default, True)
case('arange', A.arange.default, 5)
case('arange_f', A.arange.default, 5.0)
case('arange_dtype', A.arange.default, 4, dtype=torch.float32)
case('arange_start', A.arange.start, 2, 7)
case('arange_start_f', A.arange.start, 0.5, 3)
case('arange_ss', A.arange.start_step, 1, 5, 0.5)
case('arange_ss_tenth', A.arange.start_step, 0.0, 1.0, 0.1)
case('arange_ss_neg', A.arange.start_step, 10, 1, -3)
case('arange_ss_f64', A.arange.start_step, 0, 1, 0.1, dtype=torch.float64)
case('arange_err_sign', A.arange.start, 5, 1)
case('arange_err_zero', A.arange.start_step, 0, 5, 0)
case('zeros_like_t', A.zeros_like.default, xt)
case('ones_like_dtype', A.ones_like.default, x, dtype=torch.int64)
case('ones_like_contig', A.ones_like.default, xt, memory_format=torch.contiguous_format)
case('full_like', A.full_like.default, xs, 3)
case('full_like_expand', A.full_like.default, x[:, :1].expand(2, 3, 4), 1.5)
case('full_like_perm', A.full_like.default, x.permute(2, 0, 1), 2)
case('empty_like_t', A.empty_like.default, xt, random=True)
case('rand_like', A.rand_like.default, xt, random=True)
case('randn_like', A.randn_like.default, x, random=True)
case('new_zeros', A.new_zeros.default, xi, [2, 3])
case('new_ones', A.new_ones.default, x16, [2])
case('new_ones_dtype', A.new_ones.default, x, [2], dtype=torch.int32)
case('new_full', A.new_full.default, x, [3], 4)
case('new_empty', A.new_empty.default, xi, [2, 2], random=True)
case('linspace', A.linspace.default, 0, 1, 5)
case('linspace_7', A.linspace.default, 0, 10, 7)
case('linspace_neg', A.linspace.default, -1.5, 2.25, 10)
case('linspace_int', A.linspace.default, -3, 7, 6, dtype=torch.int64)
case('linspace_f64', A.linspace.default, 0, 1, 5, dtype=torch.float64)
case('linspace_1', A.linspace.default, 2, 5, 1)
case('linspace_0', A.linspace.default, 2, 5, 0)
case('linspace_err', A.linspace.default, 0, 1, -1)
case('rand', A.rand.default, [2, 3], random=True)
case('randn', A.randn.default, [4], dtype=torch.float64, random=True)
case('randint', A.randint.default, 10, [2, 3], random=True)
case('randint_low', A.randint.low, 3, 10, [5], random=True)
case('randint_err', A.randint.low, 5, 3, [2])

out = os.path.join(os.path.dirname(__file__), '..', '..', 'engine', 'test', 'data', 'ops', 'movement.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(f'{len(cases)} cases -> {os.path.normpath(out)} ({os.path.getsize(out)} bytes)', file=sys.stderr)
