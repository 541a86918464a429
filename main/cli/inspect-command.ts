// `pt2 inspect FILE.pt2 [--json]`: prints the archive's program as print(ep) does, or a
// JSON summary (format in INSPECT_USAGE). Reads the archive with the engine's reader
// only; no Python is started.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { itemSize } from '../../engine/core/dtype';
import { EngineError } from '../../engine/core/errors';
import { SymBool, SymInt, intLikeToString, printExpr } from '../../engine/symbolic';
import { isTensorMeta } from '../../engine/ops/types';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { loadPt2, type LoadedArchive } from '../../engine/serialize/read';
import { Tensor } from '../../engine/trace/tensor';
import { EXIT_OK, EXIT_USER_ERROR, UsageError } from './pt2';

export const INSPECT_USAGE = `Usage: pt2 inspect FILE.pt2 [--json]

Prints the archive's program (model 'model', the one torch.export.save writes) as
print(ep) does in PyTorch.

--json prints one JSON object instead:
  schema_version     "MAJOR.MINOR" of the archive's serialization schema, e.g. "8.17"
  torch_version      the torch version the archive records, e.g. "2.11.0"
  inputs             the user inputs, in order: [{name, kind, dtype, shape}]
                       name   the placeholder's name (e.g. "x")
                       kind   "tensor", "sym_int", "sym_bool" or "constant"
                       dtype  torch dtype name without "torch." (e.g. "float32"); null if not a tensor
                       shape  list of sizes: an int, or a string for a symbolic size ("s0",
                              "s0 + 1"); null if not a tensor
                       value  (constants only) the value the program was specialised to
  outputs            the user outputs, in order, in the same form (name: the output node)
  ops                op histogram of the graph's call_function nodes (top-level graph,
                     not subgraphs): {target: count}, targets as str(node.target) prints
                     them ("aten.conv2d.default", "<built-in function getitem>")
  range_constraints  {symbol: {min, max}} as ep.range_constraints; max null for int_oo
  weights            {count, total_bytes, tensors: [{name, kind, dtype, shape, bytes}]}
                       every state_dict entry and constant, in the archive's order;
                       name   the state_dict key / constant name ("conv1.weight")
                       kind   "parameter", "buffer" or "constant"
                       bytes  numel x element size; total_bytes sums them

Exit codes: 0 ok, 1 user error (missing or bad file), 2 internal error.
`;

export async function inspectCommand(args: string[]): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    throw new UsageError(`inspect: ${(err as Error).message}; see pt2 inspect --help`);
  }
  if (values.help) {
    process.stdout.write(INSPECT_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`inspect: expected one FILE.pt2, got ${positionals.length}; see pt2 inspect --help`);
  const file = positionals[0]!;
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`inspect: cannot open '${file}': no such file`);

  let archive: LoadedArchive;
  let ep: ExportedProgram;
  try {
    archive = loadPt2(new Uint8Array(readFileSync(file)));
    const found = archive.programs.get('model') ?? (archive.programs.size === 1 ? [...archive.programs.values()][0] : undefined);
    if (!found) throw new UsageError(`inspect: '${file}' holds no program named 'model' (it has ${[...archive.programs.keys()].join(', ') || 'none'})`);
    ep = found;
  } catch (err) {
    // Typed engine errors (ArchiveError, …) are problems with the file: a user error.
    if (err instanceof EngineError) {
      process.stderr.write(`pt2 inspect: ${file}: ${err.message}\n`);
      return EXIT_USER_ERROR;
    }
    throw err;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(inspectSummary(archive, ep), null, 2)}\n`);
  else process.stdout.write(`${ep.toString()}\n`);
  return EXIT_OK;
}

export interface ValueSummary {
  name: string;
  kind: 'tensor' | 'sym_int' | 'sym_bool' | 'constant';
  dtype: string | null;
  shape: (number | string)[] | null;
  value?: unknown;
}

export interface WeightSummary {
  name: string;
  kind: 'parameter' | 'buffer' | 'constant';
  dtype: string;
  shape: number[];
  bytes: number;
}

export interface InspectSummary {
  schema_version: string;
  torch_version: string;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  ops: Record<string, number>;
  range_constraints: Record<string, { min: number | null; max: number | null }>;
  weights: { count: number; total_bytes: number; tensors: WeightSummary[] };
}

function size(v: unknown): number | string {
  return typeof v === 'number' ? v : intLikeToString(v as SymInt);
}

function describe(name: string, v: unknown): ValueSummary {
  if (isTensorMeta(v)) return { name, kind: 'tensor', dtype: v.dtype, shape: v.shape.map(size) };
  if (v instanceof SymInt) return { name, kind: 'sym_int', dtype: null, shape: null };
  if (v instanceof SymBool) return { name, kind: 'sym_bool', dtype: null, shape: null };
  return { name, kind: 'constant', dtype: null, shape: null, value: v ?? null };
}

function bound(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The `pt2 inspect --json` object (see INSPECT_USAGE). */
export function inspectSummary(archive: Pick<LoadedArchive, 'schemaVersion' | 'torchVersion'>, ep: ExportedProgram): InspectSummary {
  const nodes = new Map(ep.graph.nodes.map((n) => [n.name, n]));
  const sig = ep.graphSignature;
  const inputs = sig.inputSpecs
    .filter((s) => s.kind === 'USER_INPUT')
    .map((s) => {
      const node = nodes.get(s.name);
      if (!node && 'constantValue' in s) return describe(s.name, s.constantValue);
      return describe(s.name, node?.meta.val);
    });
  const outputs = sig.outputSpecs.filter((s) => s.kind === 'USER_OUTPUT').map((s) => (nodes.has(s.name) ? describe(s.name, nodes.get(s.name)!.meta.val) : describe(s.name, s.name)));
  const ops: Record<string, number> = {};
  for (const op of ep.opSequence()) ops[op] = (ops[op] ?? 0) + 1;
  const range_constraints: InspectSummary['range_constraints'] = {};
  for (const r of ep.rangeConstraints) range_constraints[printExpr(r.expr)] = { min: bound(r.range.lo), max: bound(r.range.hi) };

  const kindOf = new Map<string, WeightSummary['kind']>();
  for (const s of sig.inputSpecs) {
    if (s.target === undefined) continue;
    if (s.kind === 'PARAMETER') kindOf.set(s.target, 'parameter');
    else if (s.kind === 'BUFFER') kindOf.set(s.target, 'buffer');
    else if (s.kind === 'CONSTANT_TENSOR') kindOf.set(s.target, 'constant');
  }
  const tensors: WeightSummary[] = [];
  const add = (name: string, t: Tensor, fallback: WeightSummary['kind']) => {
    const shape = t.shape.map((d) => Number(d));
    const numel = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, kind: kindOf.get(name) ?? fallback, dtype: t.dtype, shape, bytes: numel * itemSize(t.dtype) });
  };
  for (const [name, t] of ep.stateDict) add(name, t, t.requiresGrad ? 'parameter' : 'buffer');
  for (const [name, t] of ep.constants) if (t instanceof Tensor) add(name, t, 'constant');
  const v = archive.schemaVersion;
  return {
    schema_version: `${v.major}.${v.minor}`,
    torch_version: archive.torchVersion,
    inputs,
    outputs,
    ops,
    range_constraints,
    weights: { count: tensors.length, total_bytes: tensors.reduce((a, w) => a + w.bytes, 0), tensors },
  };
}
