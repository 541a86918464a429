// Python source spelling of argument values, as torch.fx's codegen writes them:
// `[1, 1]`, `(x,)`, `None`, `1e-05`, `torch.float32`, `'none'`.

import { PyFloat, formatPyFloat } from '../core/scalar';
import { ArgTuple, Node, isPlainRecord } from './graph';

/** A torch.dtype value in node arguments (printed `torch.float32`). */
export class TorchDType {
  constructor(readonly dtype: string) {}
  toString(): string {
    return `torch.${this.dtype}`;
  }
}

/** Enum-like torch values: memory formats, layouts (`torch.contiguous_format`). */
export class TorchEnum {
  constructor(readonly name: string) {}
  toString(): string {
    return `torch.${this.name}`;
  }
}

export class TorchDevice {
  constructor(readonly type: string) {}
  toString(): string {
    return `device(type='${this.type}')`;
  }
}

/** sys.maxsize (2**63 - 1): not representable in a double, so held as 2**63 and printed exactly. */
export const INT64_MAX = 2 ** 63;
export const INT64_MIN = -(2 ** 63);

/** Python's repr() of a str. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return `${quote}${body}${quote}`;
}

export function formatInt(v: number): string {
  if (v >= INT64_MAX) return '9223372036854775807';
  if (v <= INT64_MIN) return '-9223372036854775808';
  return String(v);
}

export function formatArg(v: unknown): string {
  if (v instanceof Node) return v.name;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? (Number.isFinite(v) ? formatInt(v) : formatPyFloat(v)) : formatPyFloat(v);
  if (v instanceof PyFloat) return formatPyFloat(v.value);
  if (typeof v === 'string') return pyRepr(v);
  if (Array.isArray(v)) return `[${v.map(formatArg).join(', ')}]`;
  if (v instanceof ArgTuple) return v.items.length === 1 ? `(${formatArg(v.items[0])},)` : `(${v.items.map(formatArg).join(', ')})`;
  if (v instanceof TorchDType || v instanceof TorchEnum || v instanceof TorchDevice) return v.toString();
  if (isPlainRecord(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${formatArg(x)}`).join(', ')}}`;
  return String(v);
}
