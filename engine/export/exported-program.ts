// ExportedProgram: the graph, its signature, state, range constraints and pytree
// specs that export() produces; `module()` runs it on CPU after validating inputs
// against the signature and range constraints; `toString()` prints as torch does.

import { InputValidationError } from '../core/errors';
import { shortName } from '../core/dtype';
import { type TreeSpec, treeFlattenWithPath, treeUnflatten, pathString } from '../core/pytree';
import { type Graph } from '../ir/graph';
import { pythonCode, readableCode } from '../ir/codegen';
import { type TensorMeta, isTensorMeta } from '../ops/types';
import { type ShapeEnv, SymInt, evaluate, freeSymbols, intLikeToString, printExpr } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { type GraphSignature, formatSignature } from './signature';
import { type RangeConstraint, formatRangeConstraints } from './constraints';
import { EagerInterpreter } from './eager-interpreter';
import { runDecompositions } from './decompose';

export interface ExportedProgramParts {
  readonly graph: Graph;
  readonly signature: GraphSignature;
  /** Parameters and persistent buffers by state-dict key. */
  readonly stateDict: Map<string, Tensor>;
  /** Constant tensors and non-persistent buffers by name. */
  readonly constants: Map<string, Tensor>;
  readonly rangeConstraints: readonly RangeConstraint[];
  readonly env: ShapeEnv;
  /** Spec of (args, kwargs) and of the output. */
  readonly inSpec: TreeSpec;
  readonly outSpec: TreeSpec;
  /** User input names, in call order, for messages (`x`, `inputs['bc'][0]`). */
  readonly inputPaths: readonly string[];
  readonly exampleInputs?: { args: unknown[]; kwargs: Record<string, unknown> };
  /** Whether this is the training IR straight from export() (affects printing only). */
  readonly isTrainingIR: boolean;
}

export class ExportedProgram {
  constructor(readonly parts: ExportedProgramParts) {}

  get graph(): Graph {
    return this.parts.graph;
  }
  get graphSignature(): GraphSignature {
    return this.parts.signature;
  }
  get stateDict(): Map<string, Tensor> {
    return this.parts.stateDict;
  }
  get constants(): Map<string, Tensor> {
    return this.parts.constants;
  }
  get rangeConstraints(): readonly RangeConstraint[] {
    return this.parts.rangeConstraints;
  }

  /** Functional core ATen: decompositions applied, mutations as outputs. */
  runDecompositions(): ExportedProgram {
    return runDecompositions(this);
  }

  /** `graph_module.code` */
  get code(): string {
    return pythonCode(this.graph);
  }

  /** print(ep) */
  toString(): string {
    const gm = readableCode(this.graph).replace(/\n/g, '\n    ');
    const sig = formatSignature(this.graphSignature).replace(/\n/g, '\n    ');
    return `ExportedProgram:\n    ${gm}\nGraph signature: ${sig}\nRange constraints: ${formatRangeConstraints(this.rangeConstraints)}\n`;
  }

  /** Call targets of call_function nodes in order, as torch lists them (`aten.add.Tensor`, `<built-in function getitem>`). */
  opSequence(): string[] {
    return this.graph.nodes.filter((n) => n.op === 'call_function').map((n) => displayTarget(n.target));
  }

  /** ep.module(): a callable that validates inputs and runs the program on CPU. */
  module(): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => this.call(args);
  }

  /** Run with positional args (the last may be a kwargs object when the program takes kwargs). */
  call(args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
    const hasKwargs = this.parts.inSpec.children[1] && this.parts.inSpec.children[1].children.length > 0;
    const kw = hasKwargs && args.length > 0 && Object.keys(kwargs).length === 0 ? (args[args.length - 1] as Record<string, unknown>) : kwargs;
    const pos = hasKwargs && Object.keys(kwargs).length === 0 ? args.slice(0, -1) : args;
    const flat = treeFlattenWithPath([pos, kw], (x) => x instanceof Tensor);
    const { signature, stateDict, constants } = this.parts;
    const userSpecs = signature.inputSpecs.filter((s) => s.kind === 'USER_INPUT');
    if (flat.leaves.length !== userSpecs.length)
      throw new InputValidationError('', `The exported program takes ${userSpecs.length} inputs (${this.parts.inputPaths.join(', ')}) but was called with ${flat.leaves.length}`);
    const phByName = new Map(this.graph.placeholders.map((p) => [p.name, p]));
    const symValues = new Map<string, number>();
    const userValues = flat.leaves.map((l, i) => {
      const spec = userSpecs[i]!;
      const ph = phByName.get(spec.name)!;
      const label = this.parts.inputPaths[i] ?? pathString(l.path);
      validateInput(label, ph.meta.val, l.value, symValues);
      return l.value;
    });
    this.checkRanges(symValues);
    let u = 0;
    const inputs = signature.inputSpecs.map((s) => {
      switch (s.kind) {
        case 'USER_INPUT':
          return userValues[u++];
        case 'PARAMETER':
        case 'BUFFER':
          return stateDict.get(s.target!) ?? constants.get(s.target!);
        case 'CONSTANT_TENSOR':
          return constants.get(s.target!);
        default:
          throw new Error(`unsupported input kind ${s.kind}`);
      }
    });
    const out = new EagerInterpreter(this.graph).run(inputs) as unknown[];
    const userOut: unknown[] = [];
    signature.outputSpecs.forEach((s, i) => {
      const v = out[i];
      if (s.kind === 'USER_OUTPUT') userOut.push(v);
      else if (s.kind === 'BUFFER_MUTATION') (stateDict.get(s.target!) ?? constants.get(s.target!))!.nd.copyFrom((v as Tensor).nd);
      else if (s.kind === 'USER_INPUT_MUTATION') {
        const idx = userSpecs.findIndex((x) => x.name === s.target);
        (userValues[idx] as Tensor).nd.copyFrom((v as Tensor).nd);
      }
    });
    return treeUnflatten(userOut, this.parts.outSpec);
  }

  private checkRanges(symValues: Map<string, number>): void {
    for (const rc of this.rangeConstraints) {
      const syms = [...freeSymbols(rc.expr)];
      if (!syms.every((s) => symValues.has(s))) continue;
      const v = evaluate(rc.expr, (n) => symValues.get(n)!);
      if (!rc.range.contains(v)) {
        const where = printExpr(rc.expr);
        throw new InputValidationError(
          where,
          `Input size ${where} = ${v} is outside the exported range ${rc.range.toString()}. Re-export with a wider Dim range (e.g. Dim(..., min=${Math.min(v, rc.range.lo)}, max=${Math.max(v, rc.range.hi === Infinity ? v : rc.range.hi)})) or pass an input within range.`,
        );
      }
    }
  }
}

export function displayTarget(target: string): string {
  if (target.startsWith('operator.')) return `<built-in function ${target.slice('operator.'.length)}>`;
  if (target === 'getitem') return '<built-in function getitem>';
  if (target === 'round') return '<built-in function round>';
  if (target.startsWith('math.')) return `<built-in function ${target.slice('math.'.length)}>`;
  if (target === 'higher_order.cond') return 'cond';
  return target;
}

function describeValue(v: unknown): string {
  if (v instanceof Tensor) return `${shortName(v.dtype)}[${v.shape.map(intLikeToString).join(', ')}]`;
  if (v === null || v === undefined) return 'None';
  return `${typeof v} ${String(v)}`;
}

/** Check one user input against its placeholder's metadata, binding size symbols. */
function validateInput(label: string, expected: unknown, got: unknown, symValues: Map<string, number>): void {
  if (!isTensorMeta(expected)) {
    if (expected !== got && !(expected === null && got === undefined))
      throw new InputValidationError(label, `Input ${label}: the program was exported with the constant ${String(expected)} for this input and only accepts that value, but got ${String(got)}. Re-export with this value to use it.`);
    return;
  }
  const want = expectedString(expected);
  if (!(got instanceof Tensor)) throw new InputValidationError(label, `Input ${label}: expected a tensor ${want}, but got ${describeValue(got)}`);
  if (got.dtype !== expected.dtype)
    throw new InputValidationError(label, `Input ${label}: expected dtype ${expected.dtype} (${want}), but got ${got.dtype} (${describeValue(got)})`);
  if (got.ndim !== expected.shape.length)
    throw new InputValidationError(label, `Input ${label}: expected ${expected.shape.length} dimensions (${want}), but got ${got.ndim} (${describeValue(got)})`);
  expected.shape.forEach((d, i) => {
    const actual = got.shape[i] as number;
    if (typeof d === 'number') {
      if (d !== actual) throw new InputValidationError(label, `Input ${label}: expected ${want}, but got ${describeValue(got)} (dimension ${i} must be ${d}, got ${actual})`);
      return;
    }
    const sym = (d as SymInt).env.simplify((d as SymInt).expr);
    const s = sym.asSymbol;
    if (s) {
      const prev = symValues.get(s.name);
      if (prev !== undefined && prev !== actual)
        throw new InputValidationError(label, `Input ${label}: expected ${want}, but got ${describeValue(got)}: dimension ${i} is ${s.name}, which an earlier input fixed to ${prev}`);
      symValues.set(s.name, actual);
      return;
    }
    const names = [...freeSymbols(sym)];
    if (names.every((n) => symValues.has(n))) {
      const v = evaluate(sym, (n) => symValues.get(n)!);
      if (v !== actual) throw new InputValidationError(label, `Input ${label}: expected ${want}, but got ${describeValue(got)}: dimension ${i} must equal ${printExpr(sym)} = ${v}`);
    } else if (names.length === 1) {
      // Solve a*s + b = actual for a derived dim seen before its root.
      const [n] = names as [string];
      const at0 = evaluate(sym, () => 0);
      const at1 = evaluate(sym, () => 1);
      const a = at1 - at0;
      const root = (actual - at0) / a;
      if (!Number.isInteger(root)) throw new InputValidationError(label, `Input ${label}: dimension ${i} = ${actual} cannot be written as ${printExpr(sym)} for an integer ${n}`);
      symValues.set(n, root);
    }
  });
}

function expectedString(m: TensorMeta): string {
  return `${shortName(m.dtype)}[${m.shape.map(intLikeToString).join(', ')}]`;
}

