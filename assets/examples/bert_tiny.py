"""A tiny BERT encoder (bidirectional transformer), written in plain torch.

Mirrors the module layout and the forward computation of Hugging Face's
BertModel as it is exported by torch.export (transformers 5.x, SDPA attention),
at a toy size: vocabulary 1000, 512 positions, 2 token types, width 64,
2 layers of 4 heads, intermediate width 256, with the pooler.

Architecture notes (what makes the exported graph look the way it does):
  * Embeddings: word + token-type + position embeddings, LayerNorm, dropout.
    Position ids and token-type ids come from non-persistent buffers; the
    token-type ids are expanded and gathered along the position ids.
  * The attention mask is built the way transformers' bidirectional-mask
    helper does it for SDPA when no attention_mask is given: index grids
    (batch, head, query, key) and an "always true" predicate (q >= 0),
    expanded to (batch, 1, seq, seq).
  * Post-LayerNorm residual blocks (attention.output, output), exact GELU.
  * The pooler (tanh of a dense layer on the first token) is computed even
    though only last_hidden_state is returned, as in the original.
  * The model is wrapped in a module with a single attribute `m`, so the
    parameter names read m.encoder.layer.0.attention.self.query.weight, ...

The export is dynamic in batch (1..64) and sequence length (2..512).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.export import Dim

VOCAB = 1000
MAX_POSITIONS = 512
TYPE_VOCAB = 2
HIDDEN = 64
N_LAYER = 2
N_HEAD = 4
INTERMEDIATE = 256
P_DROP = 0.1
LN_EPS = 1e-12


class BertEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN, padding_idx=0)
        self.position_embeddings = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(TYPE_VOCAB, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.dropout = nn.Dropout(P_DROP)
        self.register_buffer("position_ids", torch.arange(MAX_POSITIONS).expand((1, -1)), persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long), persistent=False)

    def forward(self, input_ids):
        batch_size, seq_len = input_ids.shape
        position_ids = self.position_ids[:, 0:seq_len]
        # Default token types (all zero), taken from the buffer along the positions.
        token_type_ids = self.token_type_ids.expand(position_ids.shape[0], -1)
        token_type_ids = torch.gather(token_type_ids, dim=1, index=position_ids)
        token_type_ids = token_type_ids.expand(batch_size, seq_len)

        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.head_dim = HIDDEN // N_HEAD
        self.scaling = self.head_dim**-0.5
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.dropout = nn.Dropout(P_DROP)  # attention-probability dropout (0 in eval)

    def forward(self, hidden_states, attn_mask):
        input_shape = hidden_states.shape[:-1]
        heads_shape = (*input_shape, -1, self.head_dim)
        q = self.query(hidden_states).view(heads_shape).transpose(1, 2)
        k = self.key(hidden_states).view(heads_shape).transpose(1, 2)
        v = self.value(hidden_states).view(heads_shape).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=0.0, scale=self.scaling)
        out = out.transpose(1, 2).contiguous()
        return out.reshape(*input_shape, -1).contiguous()


class BertSelfOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.dropout = nn.Dropout(P_DROP)

    def forward(self, hidden_states, residual):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + residual)


class BertAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = BertSelfAttention()
        self.output = BertSelfOutput()

    def forward(self, hidden_states, attn_mask):
        return self.output(self.self(hidden_states, attn_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, INTERMEDIATE)

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(INTERMEDIATE, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.dropout = nn.Dropout(P_DROP)

    def forward(self, hidden_states, residual):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + residual)


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = BertAttention()
        self.intermediate = BertIntermediate()
        self.output = BertOutput()

    def forward(self, hidden_states, attn_mask):
        attn_out = self.attention(hidden_states, attn_mask)
        return self.output(self.intermediate(attn_out), attn_out)


class BertEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer() for _ in range(N_LAYER)])

    def forward(self, hidden_states, attn_mask):
        for layer in self.layer:
            hidden_states = layer(hidden_states, attn_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


def bidirectional_mask_for_sdpa(batch_size, q_len, kv_len, device):
    """Boolean (batch, 1, q_len, kv_len) mask that lets every query see every key."""
    b_idx = torch.arange(batch_size, device=device)
    h_idx = torch.arange(1, device=device)
    q_idx = torch.arange(q_len, device=device) + 0
    kv_idx = torch.arange(kv_len, device=device) + 0
    b_idx = b_idx[:, None, None, None]
    h_idx = h_idx[None, :, None, None]
    q_idx = q_idx[None, None, :, None]
    kv_idx = kv_idx[None, None, None, :]
    allowed = q_idx >= 0  # no padding information: everything is visible
    return allowed.expand(batch_size, -1, q_len, kv_len)


class BertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = BertEmbeddings()
        self.encoder = BertEncoder()
        self.pooler = BertPooler()

    def forward(self, input_ids):
        batch_size, seq_len = input_ids.shape
        hidden = self.embeddings(input_ids)
        mask = bidirectional_mask_for_sdpa(batch_size, seq_len, seq_len, hidden.device)
        hidden = self.encoder(hidden, mask)
        pooled = self.pooler(hidden)
        return hidden, pooled


class TinyBert(nn.Module):
    """Wrapper (attribute `m`) returning last_hidden_state."""

    def __init__(self):
        super().__init__()
        self.m = BertModel()

    def forward(self, input_ids):
        last_hidden_state, pooled = self.m(input_ids)
        return last_hidden_state


torch.manual_seed(0)
model = TinyBert().eval()
example_args = (torch.randint(0, 1000, (2, 16)),)

# -- dynamic shapes (kept in sync with the Dim panel) --
batch = Dim("batch", min=1, max=64)
seq = Dim("seq", min=2, max=512)
dynamic_shapes = {"input_ids": {0: batch, 1: seq}}
# -- end dynamic shapes --
