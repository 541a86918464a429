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

/** Python's repr of a float: 1.0, 1e-05, 0.1, 1e+16, inf, nan (shortest round-trip digits). */
export function formatPyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e16) {
    // Python switches to exponent notation here, with at least two exponent digits.
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}
