// `pt2 py SCRIPT.py [ARGS...]`: run a Python script on the embedded torch (Pyodide
// from node_modules/pyodide, offline). stdout/stderr pass through; an uncaught
// exception prints its traceback and exits 1. Also the Node loader for the Python
// runtime: finds Pyodide and reads the package sources from engine/python/.

import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createPythonRuntime, type PythonRuntime, type PyodideLike } from '../../engine/python/bridge';

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

/** Load Pyodide offline and install the engine's torch into it. */
export async function loadPythonRuntime(io: { onStdout?: (s: string) => void; onStderr?: (s: string) => void } = {}): Promise<PythonRuntime> {
  const { loadPyodide } = (await import('pyodide')) as { loadPyodide: (o: { indexURL: string; stdout?: (s: string) => void }) => Promise<unknown> };
  const indexURL = pyodideDir() + sep;
  return createPythonRuntime(() => loadPyodide({ indexURL }) as Promise<PyodideLike>, { sources: readPythonSources(), ...io });
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
  const rt = await loadPythonRuntime({ onStdout: (s) => process.stdout.write(s), onStderr: (s) => process.stderr.write(s) });
  const res = rt.runPython(code, { filename: path, argv: rest });
  if (res.error) {
    process.stderr.write(res.error.traceback.endsWith('\n') ? res.error.traceback : `${res.error.traceback}\n`);
    return 1;
  }
  return res.exitCode ?? 0;
}
