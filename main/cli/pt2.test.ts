import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('./pt2.mjs', import.meta.url));

function pt2(...args: string[]) {
  const res = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('pt2 CLI', () => {
  it('prints help and exits 0', () => {
    const res = pt2('--help');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: pt2 <command>');
    expect(res.stdout).toContain('studio [--web] [--port N] [--no-open]');
  });

  it('prints the package version', () => {
    const res = pt2('--version');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^pt2 \d+\.\d+\.\d+/);
  });

  it('treats an unknown command as a user error (exit 1)', () => {
    const res = pt2('frobnicate');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("unknown command 'frobnicate'");
  });

  it('rejects a bad studio port as a user error', () => {
    const res = pt2('studio', '--port', 'abc', '--no-open');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--port expects an integer');
  });
});
