// `pt2 py`: a script runs on the embedded torch; output passes through; an uncaught
// exception prints a traceback into the user's file and exits 1.

import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const LAUNCHER = resolve(__dirname, '../../main/cli/pt2.mjs');

function pt2py(source: string, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'pt2-py-'));
  const script = join(dir, 'script.py');
  writeFileSync(script, source);
  const res = spawnSync(process.execPath, [LAUNCHER, 'py', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr, script };
}

describe('pt2 py', () => {
  test('runs a script with arguments; an export error exits 1 with a traceback into the script', () => {
    const res = pt2py(
      `import sys, torch
from torch.export import export, Dim
print("args", sys.argv[1:])
class M(torch.nn.Module):
    def forward(self, x):
        if x.shape[0] == 4:
            return x + 1
        return x - 1
print(export(M(), (torch.randn(5, 3),)).module()(torch.randn(5, 3)).shape)
export(M(), (torch.randn(4, 3),), dynamic_shapes=({0: Dim("b")},))
`,
      'a',
      '--b',
    );
    expect(res.stdout).toBe("args ['a', '--b']\ntorch.Size([5, 3])\n");
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Traceback (most recent call last):');
    expect(res.stderr).toContain(`File "${res.script}", line 10, in <module>`);
    expect(res.stderr).toContain('torch._dynamo.exc.UserError: Constraints violated (b)!');
    expect(res.stderr).toContain('Suggested fixes:\n  b = 4');
  });

  test('a missing script is a user error', () => {
    const res = spawnSync(process.execPath, [LAUNCHER, 'py', '/no/such/script.py'], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("cannot open '/no/such/script.py'");
  });
});
