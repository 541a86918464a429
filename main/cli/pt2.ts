// The `pt2` command: a stable contract (see DESIGN.md "The pt2 CLI"). Parses argv and
// dispatches to a subcommand; returns the exit code (0 ok, 1 user error, 2 internal error).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, startStudio } from '../start';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;

const USAGE = `Usage: pt2 <command> [options]

Commands:
  py SCRIPT.py [ARGS...]          run a Python script on the embedded torch
  export MODEL.py -o OUT.pt2 [--strict] [--decompose] [--print]
                                  export a model to a .pt2 archive
  inspect FILE.pt2 [--json]       print the program as print(ep) does
  run FILE.pt2 [--backend cpu|webgpu] [--input PATH.bin[:SHAPE]]... [--out DIR]
               [--compare REF.bin]... [--json]
                                  run an archive and report outputs
  bench FILE.pt2 [--backend cpu|webgpu] [--warmup N] [--reps N] --json
                                  time an archive
  studio [--web] [--port N] [--no-open]
                                  the app (same as npm start); --web skips Electron

Options:
  -h, --help       show this help
  -v, --version    print the version
  --verbose        print stack traces for errors

Exit codes: 0 ok, 1 user error, 2 internal error.
`;

/** Thrown for bad command lines; printed without a stack trace, exit 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    return await dispatch(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`pt2: ${err.message}\n`);
      return EXIT_USER_ERROR;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(verbose ? `pt2: internal error: ${e.stack ?? e.message}\n` : `pt2: internal error: ${e.message}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

async function dispatch(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`pt2 ${version()}\n`);
    return EXIT_OK;
  }
  if (command === 'studio') return studio(rest);
  if (command === 'run') return (await import('./run-command')).runCommand(rest);
  if (command === 'bench') return (await import('./bench-command')).benchCommand(rest);
  if (command === 'py') return (await import('./py-command')).pyCommand(rest);
  if (command === 'export') return (await import('./export-command')).exportCommand(rest, { verbose: process.argv.includes('--verbose') });
  if (command === 'inspect') return (await import('./inspect-command')).inspectCommand(rest);
  throw new UsageError(`unknown command '${command}'; see pt2 --help`);
}

async function studio(args: string[]): Promise<number> {
  let values: { web?: boolean; port?: string; 'no-open'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        web: { type: 'boolean' },
        port: { type: 'string' },
        'no-open': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`studio: ${(err as Error).message}`);
  }
  if (values.help) {
    process.stdout.write('Usage: pt2 studio [--web] [--port N] [--no-open]\n');
    return EXIT_OK;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`studio: --port expects an integer in 0..65535, got '${values.port}'`);
  }
  return startStudio({ web: values.web ?? false, port, open: !values['no-open'] });
}
