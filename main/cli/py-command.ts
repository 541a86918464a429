// `pt2 py SCRIPT.py [ARGS...]`: run a Python script on the embedded torch (Pyodide
// from node_modules/pyodide, offline). stdout/stderr pass through; an uncaught
// exception prints its traceback and exits 1. Also the Node loader for the Python
// runtime: finds Pyodide and reads the package sources from engine/python/.

import { readFileSync, readdirSync, realpathSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createPythonRuntime, type HostMount, type PythonRuntime, type PyodideLike } from '../../engine/python/bridge';

const HERE = dirname(fileURLToPath(import.meta.url));
/** engine/python: the torch package and the runner live here as .py files. */
export const PYTHON_PACKAGE_DIR = resolve(HERE, '../../engine/python');

/** Every .py file under engine/python, keyed by its path relative to that folder. */
export function readPythonSources(root = PYTHON_PACKAGE_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== '__pycache__' && name !== 'node_modules') walk(p);
      } else if (name.endsWith('.py')) out[relative(root, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

/** The folder of the installed `pyodide` package (its indexURL). */
export function pyodideDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('pyodide/package.json'));
}

/** Host folders never mounted into Python: devices and kernel views. */
const UNMOUNTED = new Set(['dev', 'proc', 'sys']);
/** Pyodide folders whose host namesakes are not looked into (Python's own library lives in /lib). */
const NOT_DESCENDED = new Set(['lib']);

/**
 * Note [The host file system in Python]
 * Scripts run by `pt2 py` and `pt2 export` read and write real files, at the same
 * paths as on the host: every top-level host folder is mounted (NODEFS) at its own
 * path; where Pyodide already has a non-empty folder of that name (/home, /lib) the
 * host folder's children are mounted instead, except those Pyodide has itself
 * (/home/pyodide) and except under /lib. Then Python chdirs to the user's cwd, so
 * relative paths resolve as they would for CPython. On Windows only the cwd is
 * mounted (at /cwd).
 */
export function hostMounts(fs: { analyzePath(p: string): { exists: boolean }; readdir(p: string): string[] }, cwd = process.cwd()): { mounts: HostMount[]; cwd: string } {
  if (process.platform === 'win32') return { mounts: [{ path: '/cwd', hostPath: cwd }], cwd: '/cwd' };
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const entries = (p: string) => {
    try {
      return readdirSync(p).sort();
    } catch {
      return [];
    }
  };
  const pyEntries = (p: string) => (fs.analyzePath(p).exists ? fs.readdir(p).filter((n) => n !== '.' && n !== '..') : []);
  const mounts: HostMount[] = [];
  for (const name of entries('/')) {
    const top = `/${name}`;
    if (UNMOUNTED.has(name) || !isDir(top)) continue;
    const inPy = pyEntries(top);
    if (inPy.length === 0) {
      mounts.push({ path: top, hostPath: realpathSync(top) });
      continue;
    }
    if (NOT_DESCENDED.has(name)) continue;
    for (const child of entries(top)) {
      const p = `${top}/${child}`;
      if (!inPy.includes(child) && isDir(p)) mounts.push({ path: p, hostPath: realpathSync(p) });
    }
  }
  const covered = mounts.some((m) => cwd === m.path || cwd.startsWith(`${m.path}/`));
  if (!covered) throw new Error(`cannot give Python the working directory '${cwd}': Pyodide has its own folder there; run pt2 from another directory`);
  return { mounts, cwd };
}

export interface RuntimeIo {
  onStdout?: (s: string) => void;
  onStderr?: (s: string) => void;
  /** Mount the host file system and chdir to process.cwd() (Note [The host file system in Python]). */
  hostFiles?: boolean;
}

/** Load Pyodide offline and install the engine's torch into it. */
export async function loadPythonRuntime(io: RuntimeIo = {}): Promise<PythonRuntime> {
  const { loadPyodide } = (await import('pyodide')) as { loadPyodide: (o: { indexURL: string; stdout?: (s: string) => void }) => Promise<unknown> };
  const indexURL = pyodideDir() + sep;
  const py = (await loadPyodide({ indexURL })) as PyodideLike;
  const { hostFiles, ...streams } = io;
  const host = hostFiles ? hostMounts(py.FS as Parameters<typeof hostMounts>[0]) : undefined;
  return createPythonRuntime(py, { sources: readPythonSources(), ...streams, ...(host ?? {}) });
}

export async function pyCommand(args: string[]): Promise<number> {
  const [script, ...rest] = args;
  if (!script || script === '-h' || script === '--help') {
    process.stdout.write('Usage: pt2 py SCRIPT.py [ARGS...]\n');
    return script ? 0 : 1;
  }
  const path = resolve(script);
  if (!existsSync(path)) {
    process.stderr.write(`pt2 py: cannot open '${script}': no such file\n`);
    return 1;
  }
  const code = readFileSync(path, 'utf8');
  const rt = await loadPythonRuntime({ onStdout: (s) => process.stdout.write(s), onStderr: (s) => process.stderr.write(s), hostFiles: true });
  const res = rt.runPython(code, { filename: path, argv: rest });
  if (res.error) {
    process.stderr.write(res.error.traceback.endsWith('\n') ? res.error.traceback : `${res.error.traceback}\n`);
    return 1;
  }
  return res.exitCode ?? 0;
}
