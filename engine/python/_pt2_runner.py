# Runs a user's script as __main__ for the host (PythonRuntime.runPython): sets
# sys.argv, executes, and reports the uncaught exception as JSON (qualified type
# name, message, traceback without this runner's own frame).
import json
import os
import sys
import traceback
import types


def _qualname(t):
    mod = t.__module__
    return t.__qualname__ if mod in ("builtins", "__main__") else f"{mod}.{t.__qualname__}"


def run(code, filename, argv_json):
    sys.argv = json.loads(argv_json)
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__builtins__ = __builtins__
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    # As CPython does for a script: its folder first on sys.path (sibling imports).
    folder = os.path.dirname(filename) if filename.startswith("/") else ""
    added = bool(folder) and os.path.isdir(folder) and folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        exec(compile(code, filename, "exec"), main.__dict__)
        return json.dumps({})
    except SystemExit as e:
        code_ = e.code
        if code_ is None:
            return json.dumps({"exitCode": 0})
        if isinstance(code_, int):
            return json.dumps({"exitCode": code_})
        print(code_, file=sys.stderr)
        return json.dumps({"exitCode": 1})
    except BaseException as e:  # noqa: BLE001 - report everything the script raised
        tb = e.__traceback__
        # Drop this runner's frame so the traceback starts at the user's script.
        if tb is not None and tb.tb_frame.f_code is run.__code__:
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(e), e, tb))
        return json.dumps({"error": {"type": _qualname(type(e)), "message": str(e), "traceback": text}})
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
        sys.stdout.flush()
        sys.stderr.flush()
        if saved is not None:
            sys.modules["__main__"] = saved
