# Exports a MODEL.py for the host (`pt2 export`, the Studio): runs the file as a
# module, checks the MODEL.py contract (module-level `model`, `example_args`,
# optional `example_kwargs`, `dynamic_shapes`), exports non-strict, optionally
# decomposes and prints, and keeps the program for the host to save.
import json
import os
import sys
import traceback
import types

from _pt2_runner import _qualname

CONTRACT = (
    "MODEL.py must define, at module level, `model` (a torch.nn.Module instance) and "
    "`example_args` (a tuple of example inputs), and may define `example_kwargs` (a dict) "
    "and `dynamic_shapes` (as torch.export.export takes it)."
)

_last = None


def take():
    """The engine program of the last successful export (then forgotten)."""
    global _last
    h, _last = _last, None
    return h


def _error(phase, e, tb):
    text = "".join(traceback.format_exception(type(e), e, tb))
    return json.dumps({"phase": phase, "error": {"type": _qualname(type(e)), "message": str(e), "traceback": text}})


def _contract_error(message):
    return json.dumps({"phase": "contract", "error": {"type": "ValueError", "message": message, "traceback": ""}})


def _user_tb(tb, filename):
    """The traceback from the first frame in the user's file on (drops this driver's frames)."""
    t = tb
    while t is not None and t.tb_frame.f_code.co_filename != filename:
        t = t.tb_next
    if t is not None:
        return t
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def export_model(code, filename, decompose, print_ep):
    global _last
    _last = None
    import torch

    stem = os.path.splitext(os.path.basename(filename))[0] or "model"
    mod = types.ModuleType(stem if stem.isidentifier() else "model")
    mod.__file__ = filename
    mod.__builtins__ = __builtins__
    sys.argv = [filename]
    folder = os.path.dirname(filename)
    added = bool(folder) and folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        try:
            exec(compile(code, filename, "exec"), mod.__dict__)
        except SystemExit as e:
            return _contract_error(f"{filename} called sys.exit({e.code!r}) while being loaded. {CONTRACT}")
        except BaseException as e:  # noqa: BLE001 - the user's code failed
            return _error("run", e, _user_tb(e.__traceback__, filename))
        ns = mod.__dict__
        missing = [k for k in ("model", "example_args") if k not in ns]
        if missing:
            names = " and ".join(f"`{k}`" for k in missing)
            return _contract_error(f"{filename} does not define {names}. {CONTRACT}")
        model, args = ns["model"], ns["example_args"]
        if isinstance(model, type) and issubclass(model, torch.nn.Module):
            return _contract_error(f"`model` is the class {model.__name__}, not an instance; write e.g. `model = {model.__name__}()`. {CONTRACT}")
        if not isinstance(model, torch.nn.Module):
            return _contract_error(f"`model` is a {type(model).__name__}, not a torch.nn.Module. {CONTRACT}")
        if isinstance(args, list):
            args = tuple(args)
        if not isinstance(args, tuple):
            return _contract_error(f"`example_args` is a {type(args).__name__}, not a tuple (write `example_args = (x,)` for one input). {CONTRACT}")
        kwargs = ns.get("example_kwargs") or {}
        if not isinstance(kwargs, dict):
            return _contract_error(f"`example_kwargs` is a {type(kwargs).__name__}, not a dict. {CONTRACT}")
        phase = "export"
        try:
            ep = torch.export.export(model, args, kwargs, dynamic_shapes=ns.get("dynamic_shapes"), strict=False)
            if decompose:
                phase = "decompose"
                ep = ep.run_decompositions()
        except BaseException as e:  # noqa: BLE001 - reported to the host
            return _error(phase, e, _user_tb(e.__traceback__, filename))
        if print_ep:
            print(ep)
        _last = ep._h
        return json.dumps({})
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
        sys.stdout.flush()
        sys.stderr.flush()
