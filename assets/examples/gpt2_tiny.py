"""A tiny GPT-2 language model (decoder-only transformer), written in plain torch.

Mirrors the module layout and the forward computation of Hugging Face's
GPT2LMHeadModel as it is exported by torch.export (transformers 5.x, SDPA
attention), at a toy size: vocabulary 1000, 128 positions, width 64, 2 blocks
of 4 heads, MLP width 256, tied input/output embeddings.

Architecture notes (what makes the exported graph look the way it does):
  * GPT-2 "Conv1D" projections: a linear layer whose weight is stored as
    (in_features, out_features) and applied with torch.addmm on a 2-D view.
  * "gelu_new": the tanh approximation of GELU written out with pow/tanh.
  * The attention mask is built the way transformers' create_causal_mask does
    it for SDPA when no attention_mask is given: packed-sequence ids from the
    position ids (diff / != 1 / cumsum), then a boolean mask from index grids
    (batch, head, query, key) combining "key <= query" and "same sequence".
  * The model is wrapped in a module with a single attribute `m`, so the
    parameter names read m.transformer.h.0.attn.c_attn.weight and so on.

The export is dynamic in the sequence length (2..128); the batch is 1.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.export import Dim

VOCAB = 1000
N_POSITIONS = 128
N_EMBD = 64
N_LAYER = 2
N_HEAD = 4
N_INNER = 4 * N_EMBD
P_DROP = 0.1
LN_EPS = 1e-5


class Conv1D(nn.Module):
    """y = x @ W + b with W stored as (nx, nf): GPT-2's transposed linear layer."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        out_shape = x.size()[:-1] + (self.nf,)
        flat = x.view(-1, x.size(-1))
        y = torch.addmm(self.bias, flat, self.weight)
        return y.view(out_shape)


class NewGELU(nn.Module):
    """GELU, tanh approximation (GPT-2's "gelu_new")."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_dim = N_EMBD
        self.num_heads = N_HEAD
        self.head_dim = N_EMBD // N_HEAD
        self.split_size = N_EMBD
        self.scaling = self.head_dim**-0.5
        self.c_attn = Conv1D(3 * N_EMBD, N_EMBD)
        self.c_proj = Conv1D(N_EMBD, N_EMBD)
        self.attn_dropout = nn.Dropout(P_DROP)  # unused with SDPA in eval (dropout_p=0)
        self.resid_dropout = nn.Dropout(P_DROP)

    def forward(self, hidden_states, attn_mask):
        q, k, v = self.c_attn(hidden_states).split(self.split_size, dim=2)
        heads_shape = (*hidden_states.shape[:-1], -1, self.head_dim)
        k = k.view(heads_shape).transpose(1, 2)
        v = v.view(heads_shape).transpose(1, 2)
        q = q.view(heads_shape).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=0.0, scale=self.scaling)
        out = out.transpose(1, 2).contiguous()
        out = out.reshape(*out.shape[:-2], -1).contiguous()
        out = self.c_proj(out)
        return self.resid_dropout(out)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = Conv1D(N_INNER, N_EMBD)
        self.c_proj = Conv1D(N_EMBD, N_INNER)
        self.act = NewGELU()
        self.dropout = nn.Dropout(P_DROP)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD, eps=LN_EPS)
        self.attn = Attention()
        self.ln_2 = nn.LayerNorm(N_EMBD, eps=LN_EPS)
        self.mlp = MLP()

    def forward(self, x, attn_mask):
        x = self.attn(self.ln_1(x), attn_mask) + x
        x = x + self.mlp(self.ln_2(x))
        return x


def causal_mask_for_sdpa(position_ids, batch_size, q_len, kv_len, past_len, device):
    """Boolean (batch, 1, q_len, kv_len) mask: True where a query may attend a key."""
    # Packed sequences: a new sequence starts wherever the position does not go up by one.
    before_first = position_ids[:, :1] - 1
    seq_id = (torch.diff(position_ids, prepend=before_first, dim=-1) != 1).cumsum(-1)

    # Index grids, broadcast to (batch, head, query, key).
    b_idx = torch.arange(batch_size, device=device)
    h_idx = torch.arange(1, device=device)
    q_idx = torch.arange(q_len, device=device) + past_len
    kv_idx = torch.arange(kv_len, device=device) + 0
    b_idx = b_idx[:, None, None, None]
    h_idx = h_idx[None, :, None, None]
    q_idx = q_idx[None, None, :, None]
    kv_idx = kv_idx[None, None, None, :]

    allowed = q_idx.new_ones((), dtype=torch.bool)
    allowed = allowed & (kv_idx <= q_idx).to(allowed.device)  # causal
    same_seq = seq_id[b_idx, q_idx] == seq_id[b_idx, kv_idx]
    allowed = allowed & same_seq.to(allowed.device)
    return allowed.expand(batch_size, -1, q_len, kv_len)


class GPT2Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, N_EMBD)
        self.wpe = nn.Embedding(N_POSITIONS, N_EMBD)
        self.drop = nn.Dropout(P_DROP)
        self.h = nn.ModuleList([Block() for _ in range(N_LAYER)])
        self.ln_f = nn.LayerNorm(N_EMBD, eps=LN_EPS)

    def forward(self, input_ids):
        input_shape = input_ids.size()
        input_ids = input_ids.view(-1, input_shape[-1])
        inputs_embeds = self.wte(input_ids)

        past_len = 0
        position_ids = torch.arange(inputs_embeds.shape[1], device=inputs_embeds.device) + past_len
        position_ids = position_ids.unsqueeze(0)
        hidden = inputs_embeds + self.wpe(position_ids).to(inputs_embeds.device)

        seq_len = inputs_embeds.shape[1]
        kv_len = seq_len  # no cache: keys are the current tokens only
        mask = causal_mask_for_sdpa(position_ids, inputs_embeds.shape[0], seq_len, kv_len, past_len, inputs_embeds.device)

        hidden = self.drop(hidden)
        output_shape = (-1,) + tuple(input_shape[1:]) + (hidden.size(-1),)
        for block in self.h:
            hidden = block(hidden, mask)
        hidden = self.ln_f(hidden)
        return hidden.view(output_shape)


class GPT2LMHeadModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = GPT2Model()
        self.lm_head = nn.Linear(N_EMBD, VOCAB, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied embeddings

    def forward(self, input_ids):
        hidden = self.transformer(input_ids)
        keep = slice(0, None)  # keep the logits of every position
        return self.lm_head(hidden[:, keep, :])


class TinyGPT2(nn.Module):
    """Wrapper (attribute `m`) returning the logits."""

    def __init__(self):
        super().__init__()
        self.m = GPT2LMHeadModel()

    def forward(self, input_ids):
        return self.m(input_ids)


torch.manual_seed(0)
model = TinyGPT2().eval()
example_args = (torch.randint(0, 1000, (1, 16)),)

# -- dynamic shapes (kept in sync with the Dim panel) --
seq = Dim("seq", min=2, max=128)
dynamic_shapes = {"input_ids": {1: seq}}
# -- end dynamic shapes --
