// Errors of the engine host, and the one conversion of any thrown value into the
// IpcError the contract carries ({name, message, stack} plus what the UI needs:
// the PyTorch exception class, the source line, constraint violations).

import type { IpcError, SourceLocation, ViolationInfo } from '../common/ipc-contract';
import { ConstraintViolationError, EngineError } from '../../engine/core/errors';

/** A feature that waits on another part of the engine (the UI shows "not available yet"). */
export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
  constructor(
    message: string,
    /** What it waits on: 'engine/python', 'engine/serialize', 'engine/runtime/webgpu'. */
    readonly pending: string,
  ) {
    super(message);
  }
}

/** The task was cancelled by the user. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

/** A request the host refuses (bad arguments, unknown session, unreadable file). */
export class HostRequestError extends Error {
  override name = 'HostRequestError';
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
  }
}

export interface ErrorContext {
  /** Where the error points in the user's source, when the host knows. */
  location?: SourceLocation;
  /** Per-violation locations (the Dim's declaration line). */
  violationLocation?: (dimName: string) => SourceLocation | undefined;
}

export function toIpcError(err: unknown, ctx: ErrorContext = {}): IpcError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const out: IpcError = { name: err.name, message: err.message };
  const fromPython = typeof (err as { pythonType?: unknown }).pythonType === 'string' && !(err instanceof EngineError);
  if (err.stack && !fromPython && !(err instanceof EngineError) && !(err instanceof NotAvailableError) && !(err instanceof CancelledError) && !(err instanceof HostRequestError)) out.stack = err.stack;
  if (err instanceof EngineError) out.pythonType = err.pythonType;
  // Errors raised in Python (python-frontend.ts) carry torch's type and the traceback.
  const py = err as { pythonType?: unknown; traceback?: unknown; violations?: ViolationInfo[] };
  if (typeof py.pythonType === 'string') out.pythonType = py.pythonType;
  if (typeof py.traceback === 'string' && py.traceback) out.stack = py.traceback;
  if (err instanceof NotAvailableError) out.pending = err.pending;
  const own = (err as { location?: SourceLocation }).location;
  const loc = own ?? ctx.location;
  if (loc) out.location = loc;
  const violations = err instanceof ConstraintViolationError ? err.violations : Array.isArray(py.violations) ? py.violations : undefined;
  if (violations) {
    out.violations = violations.map((v): ViolationInfo => {
      const info: ViolationInfo = { dimName: v.dimName, reason: v.reason, suggestedFix: v.suggestedFix };
      const l = ctx.violationLocation?.(v.dimName);
      if (l) info.location = l;
      return info;
    });
  }
  return out;
}
