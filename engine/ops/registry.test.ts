// Walks the registry: every op is complete (schema, meta, CPU kernel), and its
// schema string is exactly the one real PyTorch reports for that overload.

import { describe, expect, test } from 'vitest';
import { defaultRegistry } from './register-all';
import { referenceTorchAvailable, runReference } from '../../testing/reference';

describe('op registry', () => {
  const ops = defaultRegistry.all();

  test('every op has a schema, a meta function and a CPU kernel', () => {
    const incomplete = ops.filter((d) => !d.schema || typeof d.meta !== 'function' || typeof d.cpu !== 'function').map((d) => d.name);
    expect(incomplete).toEqual([]);
    expect(ops.length).toBeGreaterThan(100);
  });

  test('in-place ops name a registered functional twin', () => {
    const broken = ops.filter((d) => d.functional && !defaultRegistry.has(d.functional)).map((d) => d.name);
    expect(broken).toEqual([]);
  });

  test.skipIf(!referenceTorchAvailable())('schemas equal the reference PyTorch schemas', () => {
    const aten = ops.filter((d) => d.name.startsWith('aten.'));
    const out = runReference(
      `
import json, sys, torch
names = json.load(sys.stdin)
res = {}
for n in names:
    _, op, ov = n.split('.')
    try:
        res[n] = str(getattr(getattr(torch.ops.aten, op), ov)._schema).removeprefix('aten::')
    except Exception as e:
        res[n] = 'MISSING: ' + repr(e)
print(json.dumps(res))
`,
      aten.map((d) => d.name),
    );
    const ref = JSON.parse(out) as Record<string, string>;
    const mismatches = aten.filter((d) => ref[d.name] !== d.schema).map((d) => `${d.name}\n  ours: ${d.schema}\n  torch: ${ref[d.name]}`);
    expect(mismatches).toEqual([]);
  });
});
