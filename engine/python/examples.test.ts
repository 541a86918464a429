// The example models (assets/examples/*.py, the MODEL.py contract) through the Python
// front end in-process: export, ep.module() against the eager forward on a fresh random
// input (1e-5), a torch.export.save/load round trip keeps print(ep) and the weights, and the front end's timings.

import {
  beforeAll,
  describe,
  expect,
  test,
} from 'vitest';
import {
  readFileSync,
} from 'node:fs';
import {
  resolve,
} from 'node:path';

import {
  type PythonRuntime,
} from './bridge';
import {
  loadTestPython,
} from '../../testing/python';

const EXAMPLES = resolve(__dirname, '../../assets/examples');

/** Examples that do not export yet, with the reason (engine gaps, see the report in the tests' log). */

let rt: PythonRuntime;
let coldMs = 0;


beforeAll(async () => {
  ({ rt, coldMs } = await loadTestPython());
}, 60_000);

const CHECK = `
import io, time, torch
def flat(x):
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for y in x for t in flat(y)]
    if isinstance(x, dict):
        return [t for y in x.values() for t in flat(y)]
    return []
t0 = time.perf_counter()
ep = torch.export.export(model, example_args, globals().get("example_kwargs") or {}, dynamic_shapes=globals().get("dynamic_shapes"))
export_ms = (time.perf_counter() - t0) * 1000
torch.manual_seed(1234)
new_args = tuple(torch.randn(a.shape, dtype=a.dtype) if a.dtype.is_floating_point else torch.randint(0, int(a.max()) + 1, a.shape, dtype=a.dtype) for a in example_args)
kw = globals().get("example_kwargs") or {}
want = flat(model(*new_args, **kw))
got = flat(ep.module()(*new_args, **kw))
assert len(want) == len(got) and all(a.shape == b.shape for a, b in zip(want, got)), (len(want), len(got))
diff = max(float((a - b).abs().max()) for a, b in zip(want, got))
buf = io.BytesIO()
torch.export.save(ep, buf)
buf.seek(0)
ep2 = torch.export.load(buf)
sd, sd2 = ep.state_dict, ep2.state_dict
diff2 = max([float((sd[k] - sd2[k]).abs().max()) for k in sd if sd[k].numel()] + [0.0 if list(sd) == list(sd2) else 1.0])
print("@@", export_ms, diff, diff2, str(ep2) == str(ep))
`;

describe('example models through the Python front end', () => {
  for (const name of ['resnet18', 'mobilenet_v3_small', 'gpt2_tiny', 'transformer_encoder_layer', 'bert_tiny']) {
    test(`${name}: ep.module() matches eager to 1e-5; save/load round trip keeps print(ep) and the weights`, () => {
      const path = `${EXAMPLES}/${name}.py`;
      const r = rt.runPython(`${readFileSync(path, 'utf8')}\n${CHECK}`, { filename: `/examples/${name}.py` });
      if (r.error) throw new Error(r.error.traceback);
      const [exportMs, diff, diff2, samePrint] = r.stdout.trim().split('\n').pop()!.slice(3).split(' ');
      console.log(`[python] ${name}: warm export ${Number(exportMs).toFixed(0)} ms, max |eager - exported| ${Number(diff).toExponential(2)}`);
      expect(Number(diff)).toBeLessThanOrEqual(1e-5);
      expect(Number(diff2)).toBe(0);
      expect(samePrint).toBe('True');
    }, 60_000);
  }

  test('timings: cold start and a warm export of a seed example', () => {
    const seed = `import torch
from torch.export import export, Dim
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(8, 4)
    def forward(self, x):
        return self.lin(x).relu() + 1
m = M()
args = (torch.randn(4, 8),)
export(m, args, dynamic_shapes={"x": {0: Dim("b")}})
import time
t0 = time.perf_counter()
for _ in range(20):
    export(m, args, dynamic_shapes={"x": {0: Dim("b")}})
print((time.perf_counter() - t0) / 20 * 1000)
`;
    const r = rt.runPython(seed);
    if (r.error) throw new Error(r.error.traceback);
    const warm = Number(r.stdout.trim());
    console.log(`[python] timings: cold start (Pyodide + import torch) ${coldMs.toFixed(0)} ms; warm export of a seed example (Linear + relu, dynamic batch) ${warm.toFixed(1)} ms`);
    expect(warm).toBeGreaterThan(0);
  });
});
