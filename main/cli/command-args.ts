// Argument parsing with the pt2 conventions, shared by the commands: an unknown
// or malformed flag prints the message and the command's usage (exit 1),
// -h/--help prints the usage (exit 0), and commands that take one FILE say so
// when they get another count.

import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** The parsed flags and positionals, or the exit code when the command should stop here. */
export function parseCommand<O extends Options>(cmd: string, usage: string, args: string[], options: O, oneFile?: string): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } } as O, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`pt2 ${cmd}: ${(e as Error).message}\n${usage}`);
    return 1;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return 0;
  }
  if (oneFile && parsed.positionals.length !== 1) {
    process.stderr.write(`pt2 ${cmd}: expected one ${oneFile}\n${usage}`);
    return 1;
  }
  return parsed;
}

/** The flags of the commands that run a program (`pt2 run`, `pt2 bench`): backend, threads, inputs. */
export const SESSION_OPTIONS = {
  backend: { type: 'string', default: 'cpu' },
  threads: { type: 'string' },
  input: { type: 'string', multiple: true, default: [] as string[] },
} as const;

/** `--backend` checked: cpu or webgpu, else the error is printed and undefined returned. */
export function parseBackend(cmd: string, v: unknown): 'cpu' | 'webgpu' | undefined {
  if (v === 'cpu' || v === 'webgpu') return v;
  process.stderr.write(`pt2 ${cmd}: --backend must be cpu or webgpu, got '${String(v)}'\n`);
  return undefined;
}

/**
 * `--threads` checked: a whole number ≥ 1, or 'auto' (the cores, at most 8);
 * else the error is printed and undefined returned.
 */
export function parseThreads(cmd: string, v: unknown, auto: number): number | undefined {
  if (v === undefined || v === 'auto') return auto;
  const n = Number(v);
  if (typeof v === 'string' && /^\d+$/.test(v) && n >= 1 && n <= 64) return n;
  process.stderr.write(`pt2 ${cmd}: --threads must be a whole number from 1 to 64 or 'auto', got '${String(v)}'\n`);
  return undefined;
}
