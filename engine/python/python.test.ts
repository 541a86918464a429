// The Python front end end to end: real PyTorch sources run on the embedded CPython
// (Pyodide, loaded once for this file) against engine/python/torch, checked against
// what PyTorch 2.11 recorded (../shared/corpus/torch-2.11).

import {
  beforeAll,
  describe,
  expect,
  test,
} from 'vitest';
import {
  existsSync,
  readFileSync,
} from 'node:fs';
import {
  join,
} from 'node:path';

import {
  type PythonRuntime,
  type RunResult,
} from './bridge';
import {
  loadTestPython,
} from '../../testing/python';
import {
  CORPUS_DIR,
  corpusAvailable,
  loadCases,
  loadExportDb,
  normalizeSymbols,
  type CaseRecord,
} from '../../testing/corpus';



let rt: PythonRuntime;
let coldMs = 0;

beforeAll(async () => {
  ({ rt, coldMs } = await loadTestPython());
  console.log(`[python] cold start (Pyodide + torch import): ${coldMs.toFixed(0)} ms`);
}, 60_000);

function run(code: string, filename = '/work/user/script.py', argv: string[] = []): RunResult {
  return rt.runPython(code, { filename, argv });
}

function ok(code: string, filename?: string): string {
  const r = run(code, filename);
  if (r.error) throw new Error(`Python raised ${r.error.type}: ${r.error.message}\n${r.error.traceback}`);
  return r.stdout;
}

const ISSUE_EXAMPLE = `import torch
from torch.export import Dim, export

class Branches(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.branch1 = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU())
        self.branch2 = torch.nn.Sequential(torch.nn.Linear(128, 64), torch.nn.ReLU())
        self.buffer = torch.ones(32)

    def forward(self, x1, x2):
        out1 = self.branch1(x1)
        out2 = self.branch2(x2)
        return (out1 + self.buffer, out2)

example_args = (torch.randn(32, 64), torch.randn(32, 128))
batch = Dim("batch")
dynamic_shapes = {"x1": {0: batch}, "x2": {0: batch}}
ep = export(Branches(), example_args, dynamic_shapes=dynamic_shapes)
print(ep)
print(ep.module()(torch.randn(7, 64), torch.randn(7, 128))[0].shape)
`;

const LAYERS = `import torch
from torch import nn
import torch.nn.functional as F
from torch.export import export, Dim

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.mp = nn.MaxPool2d(2)
        self.flat = nn.Flatten()
        self.ln = nn.LayerNorm(8)
        self.emb = nn.Embedding(10, 8)
        self.drop = nn.Dropout(0.1)
        self.act = nn.GELU()
        self.blocks = nn.ModuleList([nn.Linear(8, 8), nn.SiLU(), nn.Hardswish(), nn.Hardsigmoid(), nn.Tanh(), nn.Sigmoid()])
        self.heads = nn.ModuleDict({"a": nn.Linear(8, 4), "b": nn.Identity()})
        self.c1 = nn.Conv1d(8, 8, 1)

    def forward(self, x, idx):
        h = self.mp(self.bn(self.conv(x)))
        h = self.flat(self.pool(h))
        h = self.ln(h) + self.emb(idx).sum(1)
        h = self.drop(self.act(h))
        for b in self.blocks:
            h = b(h)
        q = h.view(h.shape[0], 2, 4)
        a = F.scaled_dot_product_attention(q, q, q)
        h = h + a.reshape(h.shape[0], 8)
        h = self.c1(h.unsqueeze(-1)).squeeze(-1)
        return self.heads["a"](h).log_softmax(-1), self.heads["b"](h).softmax(dim=-1), h * 2

torch.manual_seed(0)
m = Net().eval()
x = torch.randn(2, 3, 8, 8)
idx = torch.randint(0, 10, (2, 3))
eager = m(x, idx)
ep = export(m, (x, idx), dynamic_shapes={"x": {0: Dim("b", min=2)}, "idx": {0: Dim("b", min=2)}})
print(ep._op_sequence())
out = ep.module()(x, idx)
print([tuple(o.shape) for o in out])
print(max((a - b).abs().max().item() for a, b in zip(eager, out)))
mt = Net().train()
ep2 = export(mt, (x, idx))
print(ep2._op_sequence()[:4])
`;

describe('python runtime', () => {
  test('runs the issue example: print(ep) and ep.module()', () => {
    const out = ok(ISSUE_EXAMPLE, '/work/user/example.py');
    expect(out).toContain('ExportedProgram:');
    expect(out).toContain('torch.ops.aten.linear.default(x1, p_branch1_0_weight, p_branch1_0_bias)');
    expect(out).toContain("c_buffer: CONSTANT_TENSOR target='buffer'");
    expect(out).toContain('# File: /work/user/example.py:14 in forward, code: return (out1 + self.buffer, out2)');
    expect(out).toContain('# File: /lib/pt2/torch/nn/modules/linear.py');
    expect(out).toMatch(/Range constraints: \{s\d+: VR\[0, int_oo\]\}/);
    expect(out.trim().split('\n').pop()).toBe('torch.Size([7, 32])');
    // warm per-export time
    const t0 = performance.now();
    const reps = 5;
    for (let i = 0; i < reps; i++) ok(ISSUE_EXAMPLE.replace('print(ep)\n', ''));
    console.log(`[python] warm run of the example (construct + export + module call): ${((performance.now() - t0) / reps).toFixed(1)} ms`);
    const timed = ok(`${ISSUE_EXAMPLE.replace('print(ep)\n', '')}
import time
m = Branches()
t0 = time.perf_counter()
for _ in range(10):
    export(m, example_args, dynamic_shapes=dynamic_shapes)
print((time.perf_counter() - t0) / 10 * 1000)
`);
    console.log(`[python] warm export() of the example: ${Number(timed.trim().split('\n').pop()).toFixed(1)} ms`);
  });

  test('stdout, stderr, sys.argv and exit codes', () => {
    const r = run('import sys\nprint("hello", sys.argv[1:])\nprint("warn", file=sys.stderr)\nsys.exit(3)\n', '/work/user/a.py', ['--x', '1']);
    expect(r.stdout).toBe("hello ['--x', '1']\n");
    expect(r.stderr).toBe('warn\n');
    expect(r.exitCode).toBe(3);
    expect(r.error).toBeUndefined();
  });

  test('uncaught exceptions report type, message and a traceback into the user file', () => {
    const r = run('def f():\n    raise ValueError("bad value")\n\nf()\n', '/work/user/boom.py');
    expect(r.error?.type).toBe('ValueError');
    expect(r.error?.message).toBe('bad value');
    expect(r.error?.traceback).toContain('File "/work/user/boom.py", line 4, in <module>');
    expect(r.error?.traceback).toContain('File "/work/user/boom.py", line 2, in f');
    expect(r.error?.traceback).not.toContain('_pt2_runner');
  });

  test('tensors: creation, printing, arithmetic, indexing, conversions', () => {
    const out = ok(`import torch
a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(a)
print(a.shape, a.dtype, a.dim(), a.numel(), len(a))
print((a + 1).tolist(), (a * 2.5).tolist(), (1 - a).tolist(), (a / 2).tolist())
print((a @ a).tolist())
print(a[1].tolist(), a[:, 0].tolist(), a[-1, -1].item(), a[None].shape, a[..., None].shape, a[:, ::2].shape)
print((a > 2).tolist(), a.sum().item(), a.mean(dim=0).tolist())
print(a.to(torch.int64), a.long().dtype, a.bool().dtype, torch.tensor([1, 2]).dtype, torch.tensor(True))
b = torch.zeros(2, 3)
b[0] = 5.0
b[:, 2] = torch.tensor([7.0, 8.0])
print(b.tolist())
c = torch.arange(6).view(2, 3)
print(c, c.T.shape, c.transpose(0, 1).contiguous().view(-1).tolist())
print(torch.cat([a, a], dim=1).shape, torch.stack([a, a]).shape)
x = torch.ones(3)
x.add_(2).mul_(3)
print(x.tolist(), float(torch.tensor(2.5)), int(torch.tensor(3)))
print(torch.tensor([0.1, 12.5]), torch.tensor([1.5], dtype=torch.float64))
v, i = a.max(dim=1)
print(v.tolist(), i.tolist())
print(torch.Size([2, 3]), torch.Size([2, 3])[1:])
`);
    expect(out).toBe(`tensor([[1., 2.],
        [3., 4.]])
torch.Size([2, 2]) torch.float32 2 4 2
[[2.0, 3.0], [4.0, 5.0]] [[2.5, 5.0], [7.5, 10.0]] [[0.0, -1.0], [-2.0, -3.0]] [[0.5, 1.0], [1.5, 2.0]]
[[7.0, 10.0], [15.0, 22.0]]
[3.0, 4.0] [1.0, 3.0] 4.0 torch.Size([1, 2, 2]) torch.Size([2, 2, 1]) torch.Size([2, 1])
[[False, False], [True, True]] 10.0 [2.0, 3.0]
tensor([[1, 2],
        [3, 4]]) torch.int64 torch.bool torch.int64 tensor(True)
[[5.0, 5.0, 7.0], [0.0, 0.0, 8.0]]
tensor([[0, 1, 2],
        [3, 4, 5]]) torch.Size([3, 2]) [0, 3, 1, 4, 2, 5]
torch.Size([2, 4]) torch.Size([2, 2, 2])
[9.0, 9.0, 9.0] 2.5 3
tensor([ 0.1000, 12.5000]) tensor([1.5000], dtype=torch.float64)
[2.0, 4.0] [1, 1]
torch.Size([2, 3]) torch.Size([3])
`);
  });

  test('nn.Module: registration, state_dict, repr, train/eval, load_state_dict', () => {
    const out = ok(`import torch
from torch import nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.bn = nn.BatchNorm1d(2)
        self.register_buffer("steps", torch.zeros(1), persistent=False)
        self.scale = nn.Parameter(torch.ones(1))
    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale
m = M()
print(list(m.state_dict().keys()))
print([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])
print(m)
print(m.eval().training, m.bn.training)
sd = {k: torch.zeros_like(v) for k, v in m.state_dict().items()}
print(m.load_state_dict(sd))
print(m.fc.weight.abs().sum().item())
try:
    m.load_state_dict({"fc.weight": torch.zeros(2, 4)})
except RuntimeError as e:
    print(str(e).splitlines()[0])
print(m(torch.ones(3, 4)).shape)
`);
    expect(out).toBe(`['scale', 'fc.weight', 'fc.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']
['scale', 'fc.weight', 'fc.bias', 'bn.weight', 'bn.bias'] ['steps', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']
M(
  (fc): Linear(in_features=4, out_features=2, bias=True)
  (bn): BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
)
False False
IncompatibleKeys(missing_keys=[], unexpected_keys=[])
0.0
Error(s) in loading state_dict for M:
torch.Size([3, 2])
`);
  });

  test('export API: graph nodes, signature, range constraints, state_dict, decompositions', () => {
    const out = ok(`import torch
from torch.export import export, Dim
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)
    def forward(self, x):
        return self.lin(x).relu() + x.shape[0]
ep = export(M(), (torch.randn(4, 3),), dynamic_shapes={"x": {0: Dim("b", min=2, max=64)}})
for n in ep.graph.nodes:
    print(n.op, n.name, n.target, n.args, tuple(n.meta["val"].shape) if hasattr(n.meta.get("val"), "shape") else n.meta.get("val"))
print([(s.kind.name, s.arg.name, s.target) for s in ep.graph_signature.input_specs])
print(ep.graph_signature.user_inputs, ep.graph_signature.parameters)
print(ep.range_constraints)
print(list(ep.state_dict.keys()))
print(ep.graph_module.code.strip().splitlines()[0])
print(ep.graph.nodes[-2].meta["nn_module_stack"] if "nn_module_stack" in ep.graph.nodes[-2].meta else None)
print(ep.module()(torch.ones(5, 3)).shape)
try:
    ep.module()(torch.ones(1, 3))
except ValueError as e:
    print("ValueError", "outside the exported range" in str(e))
print(type(ep.run_decompositions()).__name__)
`);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('placeholder p_lin_weight p_lin_weight () (2, 3)');
    expect(lines).toContain('call_function linear aten.linear.default (x, p_lin_weight, p_lin_bias) (s0, 2)');
    expect(out).toContain("[('PARAMETER', 'p_lin_weight', 'lin.weight'), ('PARAMETER', 'p_lin_bias', 'lin.bias'), ('USER_INPUT', 'x', None)]");
    expect(out).toContain("('x',) ('lin.weight', 'lin.bias')");
    expect(out).toContain('{s0: VR[2, 64]}');
    expect(out).toContain("['lin.weight', 'lin.bias']");
    expect(out).toContain('def forward(self, p_lin_weight, p_lin_bias, x):');
    expect(out).toContain('torch.Size([5, 2])');
    expect(out).toContain('ValueError True');
    expect(out).toContain('ExportedProgram');
  });

  test('torch.nn layers export to their ATen ops and run the same eagerly and exported', () => {
    const out = ok(LAYERS, '/work/user/layers.py').trim().split('\n');
    expect(JSON.parse(out[0]!.replace(/'/g, '"'))).toEqual([
      'aten.sym_size.int', 'aten.conv2d.default', 'aten.batch_norm.default', 'aten.max_pool2d.default', 'aten.adaptive_avg_pool2d.default',
      'aten.flatten.using_ints', 'aten.layer_norm.default', 'aten.embedding.default', 'aten.sum.dim_IntList', 'aten.add.Tensor', 'aten.gelu.default',
      'aten.dropout.default', 'aten.linear.default', 'aten.silu.default', 'aten.hardswish.default', 'aten.hardsigmoid.default', 'aten.tanh.default',
      'aten.sigmoid.default', 'aten.view.default', 'aten.scaled_dot_product_attention.default', 'aten.reshape.default', 'aten.add.Tensor',
      'aten.unsqueeze.default', 'aten.conv1d.default', 'aten.squeeze.dim', 'aten.linear.default', 'aten.log_softmax.int', 'aten.softmax.int', 'aten.mul.Tensor',
    ]);
    expect(out[1]).toBe('[(2, 4), (2, 8), (2, 8)]');
    expect(Number(out[2])).toBeLessThanOrEqual(1e-6);
    // Training-mode batch norm bumps num_batches_tracked in place, as torch records it.
    expect(out[3]).toBe("['aten.conv2d.default', 'aten.add_.Tensor', 'aten.batch_norm.default', 'aten.max_pool2d.default']");
  });

  test('SymFloat: true division of sizes, round/floor/ceil back to SymInt, float arithmetic', () => {
    const out = ok(`import math, torch
from torch.export import Dim, export
seen = []
class M(torch.nn.Module):
    def forward(self, x):
        n = x.shape[0]
        h = n / 2
        seen.append([type(h).__name__, str(h), str(round(h)), str(math.floor(h)), str(math.ceil(h)), type(round(h)).__name__, str(n / n)])
        return x[: math.floor(n / 2)] + 1
ep = export(M(), (torch.randn(5, 2),), dynamic_shapes={"x": {0: Dim.AUTO}})
print(seen[0])
print([n.target.__name__ if callable(n.target) else str(n.target) for n in ep.graph.nodes if n.op == "call_function"])
try:
    export(M(), (torch.randn(5, 2),), dynamic_shapes={"x": {0: Dim("n")}})
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[1])
print(round(torch.ones(7).shape[0] / 2), 7 / 2)
`);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe("['SymFloat', 's0/2', 'round(s0/2)', 'FloorToInt(s0/2)', 'CeilToInt(s0/2)', 'SymInt', 's0/s0']");
    expect(lines[2]).toBe("UserError   - Not all values of n = L['x'].size()[0] in the specified range satisfy the generated guard math.floor(L['x'].size()[0] / 2) <= L['x'].size()[0].");
    expect(lines[3]).toBe('4 3.5');
  });

  test('unsupported API raises NotImplementedError naming it', () => {
    const r = run('import torch\ntorch.fft_magic(1)\n');
    expect(r.error?.type).toBe('NotImplementedError');
    expect(r.error?.message).toBe('torch.fft_magic is not supported yet');
    const r2 = run('import torch.nn.functional as F\nF.interpolate(None)\n');
    expect(r2.error?.message).toBe('torch.nn.functional.interpolate is not supported yet');
    expect(run('import torch\nprint(hasattr(torch.ones(1), "no_such_method"))\n').stdout).toBe('False\n');
  });
});

// ---------------------------------------------------------------- corpus parity

const HARNESS = `
import json, contextlib, torch
from torch.export import Dim, export

class ContextManager:
    def __enter__(self):
        return self
    def __exit__(self, *a):
        return False

def value_from(r):
    if "dtype" in r:
        dt = getattr(torch, r["dtype"]) if r["dtype"] != "bool" else torch.bool
        data = r.get("data")
        if data is None:
            return torch.zeros(r["shape"], dtype=dt)
        return torch._from_flat(data, r["shape"], dt)
    if "py" in r:
        return r["py"]
    if "seq" in r:
        return tuple(value_from(x) for x in r["seq"])
    if "list" in r:
        return [value_from(x) for x in r["list"]]
    if "dict" in r:
        return {(int(k) if k.isdigit() else k): value_from(v) for k, v in r["dict"].items()}
    raise ValueError(r)

class DimScope(dict):
    def __init__(self):
        super().__init__()
        self.made = {}
        def make(name, **kw):
            d = Dim(name, **kw)
            self.made[name] = d
            return d
        self["Dim"] = make
    def __missing__(self, name):
        return self.made[name]

def qualname(t):
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"

def run_case(name, rec, kind):
    scope = {"__name__": "corpus_case", "torch": torch, "ContextManager": ContextManager, "contextlib": contextlib}
    code = compile(rec["source"], f"/corpus/{kind}/{name}.py", "exec")
    import linecache
    linecache.cache[f"/corpus/{kind}/{name}.py"] = (len(rec["source"]), None, rec["source"].splitlines(True), f"/corpus/{kind}/{name}.py")
    exec(code, scope)
    if kind == "exportdb":
        model = scope["model"]
        args = scope["example_args"]
        kwargs = scope.get("example_kwargs", {})
        ds = scope.get("dynamic_shapes")
    else:
        classes = [v for v in scope.values() if isinstance(v, type) and issubclass(v, torch.nn.Module) and v.__module__ == "corpus_case"]
        model = classes[-1]()
        if "BatchNorm" in rec["source"]:
            model.eval()
        args = value_from(rec["inputs"])
        kwargs = value_from(rec["kwargs"])
        ds = eval(rec["dynamic_shapes"], {}, DimScope()) if rec["dynamic_shapes"] else None
        if name.endswith("_untupled"):
            args = args[0]
    import os
    weights = f"/corpus/{kind}/{name}.nonstrict.pt2"
    if os.path.exists(weights):
        # torch initialised the parameters randomly: take them (and tensor constants) from its archive.
        ref = torch.export.load(weights)
        model.load_state_dict(ref.state_dict, strict=False)
        for k, v in ref.constants.items():
            owner, _, attr = k.rpartition(".")
            mod = model.get_submodule(owner) if owner else model
            cur = getattr(mod, attr, None)
            if isinstance(cur, torch.Tensor) and isinstance(v, torch.Tensor) and cur.shape == v.shape:
                cur.copy_(v)
    try:
        ep = export(model, args, kwargs, dynamic_shapes=ds)
    except Exception as e:
        return {"error": {"type": qualname(type(e)), "message": str(e)}}
    out = None
    try:
        if kind == "exportdb" and rec.get("inputs") is not None:
            # The source draws its example inputs at random: run on the ones torch recorded.
            args = value_from(rec["inputs"])
            kwargs = value_from(rec["kwargs"]) if rec.get("kwargs") is not None else kwargs
        if summarized(rec["inputs"]) or summarized(rec["kwargs"]):
            out = {"skipped": "the corpus keeps only a summary of an input"}
        else:
            out = record(ep.module()(*args, **kwargs))
    except Exception as e:
        out = {"error": f"{qualname(type(e))}: {e}"}
    return {"ops": ep._op_sequence(), "placeholders": [n.name for n in ep.graph.nodes if n.op == "placeholder"], "printed": str(ep),
            "range_constraints": str(ep.range_constraints), "out": out}

def summarized(r):
    if isinstance(r, dict):
        return "summary" in r or any(summarized(v) for v in r.values())
    if isinstance(r, list):
        return any(summarized(v) for v in r)
    return False

def record(v):
    if isinstance(v, torch.Tensor):
        return {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "data": [float(x) if not isinstance(x, bool) else x for x in v.reshape(-1).tolist()]}
    if isinstance(v, (tuple, list)):
        return {"seq": [record(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": {str(k): record(x) for k, x in v.items()}}
    return {"py": v}

rec = json.load(open("/tmp/case.json"))
print("@@RESULT@@" + json.dumps(run_case(rec["name"], rec["rec"], rec["kind"])))
`;

interface CaseOutcome {
  range_constraints?: string;
  out?: unknown;
  ops?: string[];
  placeholders?: string[];
  printed?: string;
  error?: { type: string; message: string };
}

function runCase(name: string, rec: CaseRecord, kind: 'cases' | 'exportdb'): CaseOutcome {
  const archive = join(CORPUS_DIR, kind, `${name}.nonstrict.pt2`);
  const FS = rt.pyodide.FS as unknown as { mkdirTree(p: string): void; writeFile(p: string, d: Uint8Array): void };
  if (existsSync(archive)) {
    FS.mkdirTree(`/corpus/${kind}`);
    FS.writeFile(`/corpus/${kind}/${name}.nonstrict.pt2`, new Uint8Array(readFileSync(archive)));
  }
  (rt.pyodide.FS as unknown as { writeFile(p: string, d: string): void }).writeFile('/tmp/case.json', JSON.stringify({ name, rec: { source: rec.source, inputs: rec.inputs, kwargs: rec.kwargs, dynamic_shapes: rec.dynamic_shapes }, kind }));
  const r = run(HARNESS, '/work/harness.py');
  if (r.error) throw new Error(`${name}: harness failed: ${r.error.traceback}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'))!;
  return JSON.parse(line.slice('@@RESULT@@'.length)) as CaseOutcome;
}

/** Cases whose PyTorch behaviour the engine cannot express yet (with the reason). */
const KNOWN_GAPS: Record<string, string> = {};

function hasOps(ops: string[] | undefined): boolean {
  const r = run(`import _pt2_engine as E\nprint(all(E.hasOp(o) for o in ${JSON.stringify((ops ?? []).filter((o) => o.startsWith('aten.')))}))\n`);
  return r.stdout.trim() === 'True';
}

function checkCase(name: string, rec: CaseRecord, kind: 'cases' | 'exportdb'): void {
  const m = rec.modes.nonstrict;
  if (!m.error && !hasOps(m.ops)) {
    console.log(`[python] ${kind}/${name}: skipped, an op it needs is not registered yet: ${(m.ops ?? []).filter((o) => o.startsWith('aten.')).join(', ')}`);
    return;
  }
  const got = runCase(name, rec, kind);
  if (m.error) {
    expect(got.error, `${name} should fail with ${m.error.type}`).toBeDefined();
    expect(got.error!.type).toBe(m.error.type);
    expect(got.error!.message).toContain(m.error.message.split('\n')[0]);
    // Data-dependent errors point at the user's line, as torch's do.
    const where = /The following call raised this error:\n {2}File "[^"]+", line \d+, in (\w+)\n(.*)/.exec(m.error.message);
    if (where) expect(got.error!.message).toMatch(new RegExp(`The following call raised this error:\\n  File "/corpus/${kind}/${name}.py", line \\d+, in ${where[1]}\\n${where[2]!.replace(/[()[\]]/g, '\\$&')}`));
    return;
  }
  if (got.error) throw new Error(`${name}: export raised ${got.error.type}: ${got.error.message}`);
  expect(got.ops).toEqual(m.ops);
  expect(got.placeholders).toEqual(m.placeholders);
  expect(normalizeSymbols(got.range_constraints!)).toBe(normalizeSymbols(m.range_constraints!));
  if (m.exported_out !== undefined && m.exported_out !== null) {
    if (NUMERIC_GAPS[name]) console.log(`[python] ${kind}/${name}: outputs not compared (${NUMERIC_GAPS[name]})`);
    else expectClose(got.out, m.exported_out, name);
  }
  if (PRINT_GAPS[name]) console.log(`[python] ${kind}/${name}: printout not compared (${PRINT_GAPS[name]})`);
  else expect(structural(got.printed!)).toBe(structural(m.printed!));
}

/** Cases whose outputs cannot be compared with torch's (with the reason). */
const NUMERIC_GAPS: Record<string, string> = {
  buffer_mutation:
    "the program bumps a buffer in place, and torch's harness had already run the model (eagerly and in strict mode) before taking exported_out, so its buffer started at 2; the corpus does not record that state",
};

/** Recorded values ({dtype, shape, data} / {seq} / {dict} / {py}) equal, tensors within 1e-5. */
function expectClose(got: unknown, want: unknown, where: string): void {
  const g = got as Record<string, unknown>;
  const w = want as Record<string, unknown>;
  if ('error' in g) throw new Error(`${where}: ep.module() raised ${String(g.error)}`);
  if ('skipped' in g) {
    console.log(`[python] ${where}: outputs not compared (${String(g.skipped)})`);
    return;
  }
  if ('dtype' in w) {
    expect(g.dtype, where).toBe(w.dtype);
    expect(g.shape, where).toEqual(w.shape);
    if ('summary' in w) {
      // Large outputs are recorded as {sum, abs_sum, min, max}.
      const s = w.summary as { sum: number; abs_sum: number; min: number; max: number };
      const a = (g.data as number[]).map(Number);
      const tol = 1e-5 * Math.max(1, s.abs_sum);
      expect(Math.abs(a.reduce((x, y) => x + y, 0) - s.sum), `${where}: sum`).toBeLessThanOrEqual(tol);
      expect(Math.abs(a.reduce((x, y) => x + Math.abs(y), 0) - s.abs_sum), `${where}: abs_sum`).toBeLessThanOrEqual(tol);
      expect(Math.abs(Math.min(...a) - s.min), `${where}: min`).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(Math.max(...a) - s.max), `${where}: max`).toBeLessThanOrEqual(1e-5);
      return;
    }
    const a = g.data as number[];
    const b = w.data as (number | boolean | string)[];
    expect(a.length, where).toBe(b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      const x = Number(a[i]);
      const y = typeof b[i] === 'string' ? Number(b[i]) : Number(b[i]);
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      worst = Math.max(worst, x === y ? 0 : Math.abs(x - y));
    }
    expect(worst, `${where}: max |ours - torch|`).toBeLessThanOrEqual(1e-5);
    return;
  }
  for (const k of ['seq', 'list'] as const) {
    if (k in w) {
      const ws = w[k] as unknown[];
      const gs = (g.seq ?? g.list) as unknown[];
      expect(gs?.length, where).toBe(ws.length);
      ws.forEach((x, i) => expectClose(gs[i], x, `${where}[${i}]`));
      return;
    }
  }
  if ('dict' in w) {
    const wd = w.dict as Record<string, unknown>;
    const gd = g.dict as Record<string, unknown>;
    expect(Object.keys(gd ?? {}).sort(), where).toEqual(Object.keys(wd).sort());
    for (const k of Object.keys(wd)) expectClose(gd[k], wd[k], `${where}.${k}`);
    return;
  }
  expect(g.py, where).toEqual(w.py);
}

/** Printouts that differ from torch for engine-side reasons (the op sequence still matches). */
const PRINT_GAPS: Record<string, string> = {
  views: "engine: torch names the tensor mul `mul_1` (its own first `mul` is created and discarded); the engine's TS rebuild prints `mul` too",
};

/** The printout without source comments and blank lines, symbols renamed by first appearance. */
function structural(printed: string): string {
  return normalizeSymbols(
    printed
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^\s*# (File: |No stacktrace found)/.test(l))
      .join('\n'),
  );
}

describe.skipIf(!corpusAvailable)('python corpus parity: cases.json', () => {
  const cases = corpusAvailable ? loadCases() : {};
  for (const [name, rec] of Object.entries(cases)) test(name, () => checkCase(name, rec, 'cases'));
});

describe.skipIf(!corpusAvailable)('python corpus parity: exportdb.json', () => {
  const db = corpusAvailable ? loadExportDb() : {};
  for (const [name, rec] of Object.entries(db)) {
    if (KNOWN_GAPS[name]) test.skip(`${name} (${KNOWN_GAPS[name]})`, () => {});
    else test(name, () => checkCase(name, rec, 'exportdb'));
  }
});


describe.skipIf(!corpusAvailable)('torch.nn transformer layers', () => {
  test('nn.TransformerEncoderLayer exports with the op histogram torch 2.11 recorded for it (models.json)', () => {
    const r = run(`
import collections, json, torch
from torch.export import Dim
torch.manual_seed(0)
m = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True).eval()
x = torch.randn(2, 10, 64)
ep = torch.export.export(m, (x,), dynamic_shapes={"src": {0: Dim("batch", min=1, max=64), 1: Dim("seq", min=2, max=512)}})
hist = collections.Counter(str(n.target) for n in ep.graph.nodes if n.op == "call_function")
print(json.dumps({"ops": dict(hist), "ranges": str(ep.range_constraints), "diff": float((m(x) - ep.module()(x)).abs().max())}))
`);
    expect(r.error, r.error?.traceback).toBeUndefined();
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ops: Record<string, number>; ranges: string; diff: number };
    const rec = JSON.parse(readFileSync(join(CORPUS_DIR, 'models.json'), 'utf8')).models.transformer_encoder_layer as { ops_hist: Record<string, number>; range_constraints: string };
    expect(got.ops).toEqual(rec.ops_hist);
    expect(normalizeSymbols(got.ranges)).toBe(normalizeSymbols(rec.range_constraints));
    expect(got.diff).toBe(0);
  });

  test('nn.MultiheadAttention returns outputs and head-averaged weights with torch shapes', () => {
    const r = run(`
import torch
mha = torch.nn.MultiheadAttention(16, 2)
q = torch.randn(5, 3, 16)
o, w = mha(q, q, q)
o2, none = mha(q, q, q, need_weights=False)
print(tuple(o.shape), tuple(w.shape), none is None, float((o - o2).abs().max()) < 1e-5, float((w.sum(-1) - 1).abs().max()) < 1e-5)
`);
    expect(r.error, r.error?.traceback).toBeUndefined();
    expect(r.stdout.trim()).toBe('(5, 3, 16) (3, 5, 5) True True True');
  });
});
