// `pt2 export MODEL.py -o OUT.pt2 [--strict] [--decompose] [--print]`: runs MODEL.py on
// the embedded Python, exports its module-level `model` with `example_args` (and
// `example_kwargs`, `dynamic_shapes`) non-strict, and saves the .pt2 archive (written to
// a temporary file beside OUT, then renamed, so OUT is never half-written).

import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportModelResult, PythonRuntime } from '../../engine/python/bridge';
import { savePt2 } from '../../engine/serialize/write';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from './pt2';
import { loadPythonRuntime } from './py-command';

export const EXPORT_USAGE = `Usage: pt2 export MODEL.py -o OUT.pt2 [--strict] [--decompose] [--print] [--verbose]

Runs MODEL.py on the embedded Python and saves torch.export.export(model, example_args,
example_kwargs, dynamic_shapes=dynamic_shapes) as a .pt2 archive that torch.export.load reads.

MODEL.py defines, at module level:
  model            a torch.nn.Module instance
  example_args     a tuple of example inputs
  example_kwargs   (optional) a dict of example keyword inputs
  dynamic_shapes   (optional) as torch.export.export takes it
Relative paths in MODEL.py resolve against the current directory.

Options:
  -o, --output OUT.pt2   where to write the archive (required)
  --decompose            save ep.run_decompositions() (core ATen) instead of the training IR
  --print                print the saved program as print(ep) does
  --strict               strict capture (not supported yet)
  --verbose              Python tracebacks for export errors

Exit codes: 0 ok, 1 user error (bad MODEL.py, export error), 2 internal error.
`;

/** Python exception types that mean "a bug in the engine", not in the user's model. */
const INTERNAL_MESSAGE = /^internal error in the export engine: /;

export async function exportCommand(args: string[], opts: { verbose?: boolean } = {}): Promise<number> {
  let values: { output?: string; strict?: boolean; decompose?: boolean; print?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        output: { type: 'string', short: 'o' },
        strict: { type: 'boolean' },
        decompose: { type: 'boolean' },
        print: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    throw new UsageError(`export: ${(err as Error).message}; see pt2 export --help`);
  }
  if (values.help) {
    process.stdout.write(EXPORT_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`export: expected one MODEL.py, got ${positionals.length}; see pt2 export --help`);
  if (!values.output) throw new UsageError('export: missing -o OUT.pt2; see pt2 export --help');
  if (values.strict) {
    throw new UsageError('export: --strict (strict capture, like torch.export.export(strict=True)) is not supported yet; leave it out to export non-strict, torch 2.11\'s default');
  }
  const modelPath = resolve(positionals[0]!);
  if (!existsSync(modelPath) || !statSync(modelPath).isFile()) throw new UsageError(`export: cannot open '${positionals[0]}': no such file`);
  const outPath = resolve(values.output);
  if (!existsSync(dirname(outPath))) throw new UsageError(`export: cannot write '${values.output}': folder '${dirname(outPath)}' does not exist`);

  const code = readFileSync(modelPath, 'utf8');
  const rt: PythonRuntime = await loadPythonRuntime({ onStdout: (s) => process.stdout.write(s), onStderr: (s) => process.stderr.write(s), hostFiles: true });
  const res = rt.exportModel(code, { filename: modelPath, decompose: values.decompose, print: values.print });
  if (res.error || !res.program) return reportFailure(res, positionals[0]!, opts.verbose ?? false);

  const stem = basename(outPath, extname(outPath));
  const bytes = savePt2(res.program, /^[^/\\]+$/.test(stem) && stem !== '.' && stem !== '..' ? { rootName: stem } : {});
  const tmp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, outPath);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(`export: cannot write '${values.output}': ${(err as Error).message}`);
  }
  process.stderr.write(`pt2 export: wrote ${values.output} (${bytes.length} bytes)\n`);
  return EXIT_OK;
}

function reportFailure(res: ExportModelResult, modelArg: string, verbose: boolean): number {
  const e = res.error;
  if (!e) throw new Error('export produced no program');
  if (INTERNAL_MESSAGE.test(e.message)) throw new Error(verbose ? e.traceback : e.message);
  const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  if (res.phase === 'contract') {
    process.stderr.write(`pt2 export: ${e.message}\n`);
  } else if (res.phase === 'run') {
    // The user's own code failed while MODEL.py ran: its traceback is the message.
    process.stderr.write(`pt2 export: running ${modelArg} failed:\n${withNewline(e.traceback)}`);
  } else {
    const what = res.phase === 'decompose' ? 'run_decompositions()' : 'export';
    process.stderr.write(verbose ? withNewline(e.traceback) : `pt2 export: ${what} failed: ${e.type}: ${withNewline(e.message)}`);
  }
  return EXIT_USER_ERROR;
}
