// Typed errors of the engine. Each failure mode is its own class carrying what it
// is about (the op, the expression, the input), and each maps to the PyTorch
// exception a Python user would see (`pythonType`), so the Python front end can
// raise the same class with the same message.

export abstract class EngineError extends Error {
  /** Fully qualified name of the PyTorch exception this corresponds to. */
  abstract readonly pythonType: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Appended by torch.export to every error raised from export(). */
export const EXPORT_ERROR_SUFFIX =
  'The error above occurred when calling torch.export.export. If you would like to view some more information about this error, and get a list of all other errors that may occur in your export call, you can replace your `export()` call with `draft_export()`.';

export type UserErrorType =
  | 'DYNAMIC_CONTROL_FLOW'
  | 'ANTI_PATTERN'
  | 'STANDARD_LIBRARY'
  | 'CONSTRAINT_VIOLATION'
  | 'DYNAMIC_DIM'
  | 'INVALID_INPUT'
  | 'INVALID_OUTPUT'
  | 'UNSUPPORTED_ALIASED_MUTATED_DYNAMIC_INPUTS';

/** torch._dynamo.exc.UserError: the user's program or call is at fault. */
export class UserError extends EngineError {
  readonly pythonType = 'torch._dynamo.exc.UserError';
  constructor(
    readonly errorType: UserErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** One violated constraint, with the fix PyTorch would suggest. */
export interface ConstraintViolation {
  /** The Dim's name (`b`). */
  dimName: string;
  /** The bullet text after "  - ". */
  reason: string;
  /** `b = 4` or `n = Dim('n', min=6)`. */
  suggestedFix: string;
}

/** The dynamic-shape spec cannot hold: code specialised or narrowed a Dim. */
export class ConstraintViolationError extends UserError {
  constructor(readonly violations: ConstraintViolation[]) {
    super('CONSTRAINT_VIOLATION', ConstraintViolationError.format(violations));
  }
  static format(violations: ConstraintViolation[]): string {
    const names = [...new Set(violations.map((v) => v.dimName))].join(', ');
    const lines = [`Constraints violated (${names})! For more information, run with TORCH_LOGS="+dynamic".`];
    for (const v of violations) lines.push(`  - ${v.reason}`);
    lines.push('Suggested fixes:');
    for (const v of violations) lines.push(`  ${v.suggestedFix}`);
    return `${lines.join('\n')}\n\n${EXPORT_ERROR_SUFFIX}`;
  }
}

/** Control flow or a size decision depended on tensor data (an unbacked symbol). */
export class GuardOnDataDependentError extends EngineError {
  readonly pythonType = 'torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode';
  constructor(
    readonly expr: string,
    message: string,
  ) {
    super(message);
  }
}

/** An op the engine does not know, or knows but cannot run on this backend. */
export class UnsupportedOperatorError extends EngineError {
  readonly pythonType = 'NotImplementedError';
  constructor(
    readonly op: string,
    detail?: string,
  ) {
    super(detail ?? `${op} is not supported yet`);
  }
}

/** Bad arguments to an op: wrong shapes, dtypes, out-of-range dims (RuntimeError in torch). */
export class OpArgumentError extends EngineError {
  readonly pythonType = 'RuntimeError';
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(message);
  }
}

/** An index out of range (IndexError in torch). */
export class IndexOutOfRangeError extends EngineError {
  readonly pythonType = 'IndexError';
}

/** A runtime assertion (torch._check, _assert_scalar) failed while running a program. */
export class RuntimeAssertionError extends EngineError {
  readonly pythonType = 'RuntimeError';
}

/** Inputs given to an ExportedProgram do not match its signature or range constraints. */
export class InputValidationError extends EngineError {
  readonly pythonType = 'ValueError';
  constructor(
    /** The input's path in the pytree, like `x` or `inputs['bc'][0]`. */
    readonly inputPath: string,
    message: string,
  ) {
    super(message);
  }
}

/** Graph invariants broken (lint, meta re-check). Always an engine bug or a corrupt file. */
export class GraphVerificationError extends EngineError {
  readonly pythonType = 'RuntimeError';
}

/** torch._check-style assertion helper with a lazily built message. */
export function check(cond: unknown, op: string, message: () => string): asserts cond {
  if (!cond) throw new OpArgumentError(op, message());
}

export function internalAssert(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new Error(`internal error: ${message()}`);
}
