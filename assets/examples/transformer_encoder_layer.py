"""One post-norm transformer encoder layer (self-attention + ReLU feed-forward).

Mirrors torch.nn.TransformerEncoderLayer(d_model=64, nhead=4,
dim_feedforward=256, dropout=0.1, batch_first=True) in eval mode on its regular
(non fast-path) route, with the multi-head attention written out step by step
the way nn.MultiheadAttention / F.multi_head_attention_forward compute it:
packed in-projection (one linear, unflatten into q/k/v), heads folded into the
batch, SDPA, permute back, out-projection. Then
    x = norm1(x + dropout1(self_attn(x)))
    x = norm2(x + dropout2(linear2(dropout(relu(linear1(x))))))
The attribute and parameter names are those of nn.TransformerEncoderLayer
(self_attn.in_proj_weight, self_attn.out_proj.weight, linear1, norm1, ...).

Why written out: with PyTorch 2.11 (the reference corpus) exporting
nn.TransformerEncoderLayer gives exactly this graph; PyTorch 2.13 changed one
`.view` in F.multi_head_attention_forward (after the permute) into `.reshape`,
so the library layer no longer reproduces the 2.11 histogram there.

The export is dynamic in batch (1..64) and sequence length (2..512).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.export import Dim

D_MODEL = 64
N_HEAD = 4
D_FF = 256
P_DROP = 0.1


class SelfAttention(nn.Module):
    """Batch-first multi-head self-attention with a packed q/k/v projection."""

    def __init__(self, embed_dim, num_heads, dropout=0.0):
        super().__init__()
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.in_proj_weight = nn.Parameter(torch.randn(3 * embed_dim, embed_dim) * embed_dim**-0.5)
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x):
        # (batch, seq, embed) -> (seq, batch, embed): the attention works sequence-first.
        x = x.transpose(1, 0)
        tgt_len, bsz, embed_dim = x.shape

        # One projection for q, k and v, split along a new leading axis of size 3.
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
        qkv = qkv.unflatten(-1, (3, embed_dim)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        q, k, v = qkv[0], qkv[1], qkv[2]

        # (seq, batch, embed) -> (batch * heads, seq, head_dim) -> (batch, heads, seq, head_dim)
        q = q.view(tgt_len, bsz * self.num_heads, self.head_dim).transpose(0, 1)
        k = k.view(k.shape[0], bsz * self.num_heads, self.head_dim).transpose(0, 1)
        v = v.view(v.shape[0], bsz * self.num_heads, self.head_dim).transpose(0, 1)
        src_len = k.size(1)
        q = q.view(bsz, self.num_heads, tgt_len, self.head_dim)
        k = k.view(bsz, self.num_heads, src_len, self.head_dim)
        v = v.view(bsz, self.num_heads, src_len, self.head_dim)

        dropout_p = self.dropout if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, None, dropout_p, False)
        out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgt_len, embed_dim)
        out = self.out_proj(out)
        out = out.view(tgt_len, bsz, out.size(1))
        return out.transpose(1, 0)


class EncoderLayer(nn.Module):
    def __init__(self, d_model=D_MODEL, nhead=N_HEAD, dim_feedforward=D_FF, dropout=P_DROP):
        super().__init__()
        self.self_attn = SelfAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-5)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-5)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def _sa_block(self, x):
        return self.dropout1(self.self_attn(x))

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(x)))))

    def forward(self, src):
        x = src
        x = self.norm1(x + self._sa_block(x))
        x = self.norm2(x + self._ff_block(x))
        return x


torch.manual_seed(0)
model = EncoderLayer().eval()
example_args = (torch.randn(2, 10, 64),)

# -- dynamic shapes (kept in sync with the Dim panel) --
batch = Dim("batch", min=1, max=64)
seq = Dim("seq", min=2, max=512)
dynamic_shapes = {"src": {0: batch, 1: seq}}
# -- end dynamic shapes --
