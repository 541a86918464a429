"""GPT-2-sized model (GPT-2 small shape: 12 layers, 768 wide, 50257 vocab, ~124M
float32 parameters, ~500 MB) in plain torch, exported with torch.export, for the
serialization bench (scripts/bench/serialize-bench.ts). Nothing here is committed
output: archives go to the path given (under /tmp).

  python make_big_gpt2.py make OUT.pt2 [--layers N]   write the archive (skips if it exists)
  python make_big_gpt2.py time IN.pt2 [OURS.pt2]       time torch.export.load / save; prints JSON
"""

import json
import math
import os
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads, ctx):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.register_buffer("bias", torch.tril(torch.ones(ctx, ctx, dtype=torch.bool)).view(1, 1, ctx, ctx), persistent=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        hd = d // self.heads
        q = q.view(b, t, self.heads, hd).transpose(1, 2)
        k = k.view(b, t, self.heads, hd).transpose(1, 2)
        v = v.view(b, t, self.heads, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(~self.bias[:, :, :t, :t], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, d)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj = nn.Linear(4 * d, d)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, d, heads, ctx):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads, ctx)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    def __init__(self, vocab=50257, ctx=1024, d=768, layers=12, heads=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d, heads, ctx) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, stored once

    def forward(self, idx):
        t = idx.shape[1]
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def make(out, layers):
    if os.path.exists(out):
        print(json.dumps({"path": out, "bytes": os.path.getsize(out), "reused": True}))
        return
    torch.manual_seed(0)
    m = GPT2(layers=layers).eval()
    idx = torch.randint(0, 50257, (1, 16))
    t0 = time.perf_counter()
    ep = torch.export.export(m, (idx,))
    t1 = time.perf_counter()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    torch.export.save(ep, out)
    t2 = time.perf_counter()
    n = sum(p.numel() for p in m.parameters())
    print(json.dumps({"path": out, "bytes": os.path.getsize(out), "params": n, "export_s": t1 - t0, "save_s": t2 - t1}))


def timed(fn, reps):
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        r = fn()
        best = min(best, time.perf_counter() - t0)
    return best, r


def time_torch(path, ours, reps):
    torch.set_num_threads(1)
    load_s, ep = timed(lambda: torch.export.load(path), reps)
    tmp = tempfile.mktemp(suffix=".pt2", dir=os.path.dirname(path))
    try:
        save_s, _ = timed(lambda: torch.export.save(ep, tmp), reps)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    res = {"load_s": load_s, "save_s": save_s, "bytes": os.path.getsize(path)}
    if ours:
        t0 = time.perf_counter()
        ep2 = torch.export.load(ours)
        res["load_ours_s"] = time.perf_counter() - t0
        sd1, sd2 = ep.state_dict, ep2.state_dict
        res["ours_state_dict_equal"] = sorted(sd1) == sorted(sd2) and all(torch.equal(sd1[k], sd2[k]) for k in sd1)
    print(json.dumps(res))


if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "make":
        layers = int(sys.argv[sys.argv.index("--layers") + 1]) if "--layers" in sys.argv else 12
        make(path, layers)
    elif cmd == "time":
        ours = sys.argv[3] if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else None
        reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 1
        time_torch(path, ours, reps)
    else:
        raise SystemExit(__doc__)
