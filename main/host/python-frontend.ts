// The studio's use of the Python front end (engine/python): Pyodide loaded once in the
// host worker, the `torch` package installed from engine/python's .py sources, and a
// small driver around engine/python's own MODEL.py exporter (_pt2_model.export_model)
// that also keeps the eager `model` and its example inputs, so Compare can run the
// user's nn.Module eagerly on exactly the inputs the exported program gets.

import type { ExportedProgram } from '../../engine/export/exported-program';
import { fromPy, type PythonException, type PythonRuntime } from '../../engine/python/bridge';
import { loadPythonRuntime } from '../cli/py-command';
import type { ExampleValue } from './model-file';

export const STUDIO_MODEL_PATH = '/studio/model.py';

/** The driver: exported program and eager model from one execution of the document. */
const DRIVER = `
import json
import torch
import torch.export
import _pt2_model
from torch._bridge import dec, to_engine

_studio_models = {}
_studio_orig_export = torch.export.export

def _studio_export(code, filename, decompose, sid, strict):
    import linecache
    linecache.clearcache()  # the document changed under the same file name
    captured = {}
    def capture(model, args, kwargs=None, **kw):
        captured.update(model=model, args=args, kwargs=kwargs or {})
        kw["strict"] = bool(strict)
        return _studio_orig_export(model, args, kwargs, **kw)
    torch.export.export = capture
    try:
        res = _pt2_model.export_model(code, filename, decompose, False)
    finally:
        torch.export.export = _studio_orig_export
    if "model" in captured and not json.loads(res).get("error"):
        _studio_models[sid] = captured
    return res

def _studio_eager(sid, inputs):
    c = _studio_models[sid]
    if inputs is None:
        args, kwargs = c["args"], c["kwargs"]
    else:
        args, kwargs = dec(inputs)
        args = tuple(args)
        kwargs = dict(kwargs or {})
    with torch.no_grad():
        out = c["model"](*args, **kwargs)
    return to_engine(out)

def _studio_forget(sid):
    _studio_models.pop(sid, None)

def _studio_describe(code, filename):
    """forward's parameters and the example inputs' structure, shapes and dtypes."""
    import inspect, linecache, sys, traceback, types
    linecache.clearcache()
    mod = types.ModuleType("model")
    mod.__file__ = filename
    mod.__builtins__ = __builtins__
    try:
        exec(compile(code, filename, "exec"), mod.__dict__)
    except BaseException as e:  # noqa: BLE001 - reported to the host
        return _pt2_model._error("run", e, _pt2_model._user_tb(e.__traceback__, filename))
    ns = mod.__dict__
    if "example_args" not in ns:
        return _pt2_model._contract_error(f"{filename} does not define \`example_args\`. {_pt2_model.CONTRACT}")
    params = []
    try:
        sig = inspect.signature(ns["model"].forward)
        for p in sig.parameters.values():
            if p.kind == p.VAR_KEYWORD:
                continue
            params.append("..." + p.name if p.kind == p.VAR_POSITIONAL else p.name)
    except Exception:  # noqa: BLE001 - no model or no signature: positional names
        pass
    def desc(v):
        if isinstance(v, torch.Tensor):
            return {"kind": "tensor", "dtype": str(v.dtype).replace("torch.", ""), "shape": [int(d) for d in v.shape], "init": {"kind": "zeros"}}
        if isinstance(v, tuple):
            return {"kind": "tuple", "items": [desc(x) for x in v]}
        if isinstance(v, list):
            return {"kind": "list", "items": [desc(x) for x in v]}
        if isinstance(v, dict):
            return {"kind": "dict", "entries": [[str(k), desc(x)] for k, x in v.items()]}
        if v is None or isinstance(v, (bool, int, float, str)):
            return {"kind": "value", "value": v, "float": isinstance(v, float)}
        return {"kind": "value", "value": repr(v)}
    args = ns["example_args"]
    kwargs = ns.get("example_kwargs") or {}
    return json.dumps({"params": params, "args": [desc(a) for a in (args if isinstance(args, (tuple, list)) else (args,))], "kwargs": [[k, desc(v)] for k, v in kwargs.items()]})
`;

type PyCallable = ((...a: unknown[]) => unknown) & { destroy?: () => void };

export interface PythonExport {
  program?: ExportedProgram;
  error?: PythonException;
  phase?: 'run' | 'contract' | 'export' | 'decompose';
  stdout: string;
  stderr: string;
}

export class StudioPython {
  private readonly exportFn: PyCallable;
  private readonly eagerFn: PyCallable;
  private readonly forgetFn: PyCallable;
  private readonly describeFn: PyCallable;

  constructor(
    readonly runtime: PythonRuntime,
    private readonly sink: { out: string[]; err: string[] },
  ) {
    runtime.pyodide.runPython(DRIVER);
    const get = (name: string) => runtime.pyodide.runPython(name) as PyCallable;
    this.exportFn = get('_studio_export');
    this.eagerFn = get('_studio_eager');
    this.forgetFn = get('_studio_forget');
    this.describeFn = get('_studio_describe');
  }

  /** Run the document and export its `model` (non-strict), keeping the eager model under `sessionId`. */
  exportModel(source: string, sessionId: string, decompose: boolean, strict = false): PythonExport {
    const out: string[] = (this.sink.out = []);
    const err: string[] = (this.sink.err = []);
    this.runtime.pyodide.FS.mkdirTree('/studio');
    this.runtime.pyodide.FS.writeFile(STUDIO_MODEL_PATH, source);
    const res = JSON.parse(this.exportFn(source, STUDIO_MODEL_PATH, decompose, sessionId, strict) as string) as { error?: PythonException; phase?: PythonExport['phase'] };
    let program: ExportedProgram | undefined;
    if (!res.error) {
      const take = this.runtime.pyodide.runPython('import _pt2_model\n_pt2_model.take') as PyCallable;
      program = take() as ExportedProgram;
    }
    return { ...res, program, stdout: out.join(''), stderr: err.join('') };
  }

  /** Run the eager model: on its own example inputs (null), or on engine values [args, kwargs]. */
  eager(sessionId: string, inputs: [unknown[], Record<string, unknown>] | null): unknown {
    // JS undefined arrives in Python as None (null would be jsnull).
    return fromPy(this.eagerFn(sessionId, inputs ?? undefined));
  }

  /** Run the document and describe forward's parameters and its example inputs (for the Dim panel). */
  describe(source: string): { params: string[]; args: ExampleValue[]; kwargs: Array<[string, ExampleValue]> } | { error: PythonException } {
    this.sink.out = [];
    this.sink.err = [];
    this.runtime.pyodide.FS.mkdirTree('/studio');
    this.runtime.pyodide.FS.writeFile(STUDIO_MODEL_PATH, source);
    return JSON.parse(this.describeFn(source, STUDIO_MODEL_PATH) as string) as ReturnType<StudioPython['describe']>;
  }

  /** Stop the running Python code at its next bytecode (Pyodide's interrupt buffer: 2 = SIGINT). */
  setInterruptBuffer(buffer: Int32Array): void {
    (this.runtime.pyodide as unknown as { setInterruptBuffer(b: Int32Array): void }).setInterruptBuffer(buffer);
  }

  forget(sessionId: string): void {
    this.forgetFn(sessionId);
  }
}

/** Load Pyodide (from node_modules/pyodide, offline) and install engine/python's torch. */
export async function startStudioPython(): Promise<StudioPython> {
  const sink = { out: [] as string[], err: [] as string[] };
  const runtime = await loadPythonRuntime({ onStdout: (t) => sink.out.push(t), onStderr: (t) => sink.err.push(t) });
  const warm = runtime.runPython('import torch, torch.nn, torch.export');
  if (warm.error) throw new Error(`the Python front end failed to start: ${warm.error.type}: ${warm.error.message}`);
  return new StudioPython(runtime, sink);
}
