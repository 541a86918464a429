// Python scalars as op arguments. JS has one number type; Python has int and
// float, and the difference matters (type promotion, printing `1` vs `1.0`).
// A non-integral JS number is a float; an integral float is wrapped as PyFloat.

export class PyFloat {
  constructor(readonly value: number) {}
  toString(): string {
    return formatPyFloat(this.value);
  }
}

export const pyFloat = (v: number): PyFloat => new PyFloat(v);

export type PyScalar = number | boolean | PyFloat;

export function isPyScalar(v: unknown): v is PyScalar {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

export function scalarToNumber(v: PyScalar): number {
  return v instanceof PyFloat ? v.value : Number(v);
}

export function scalarIsFloat(v: PyScalar): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Python's repr of a float: 1.0, 1e-05, 0.1, inf, nan. */
export function formatPyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  let s = String(v);
  // JS writes 1e-5 where Python writes 1e-05.
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  if (s.includes('e+')) s = s.replace('e+', 'e+');
  return s;
}
