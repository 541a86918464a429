// JSON as Python's json.dumps writes it (what torch puts in .pt2 archives): one
// line, `", "` and `": "` separators, ensure_ascii escapes, floats in Python's
// repr (`1.0`, `1e-05`, `1e+16`), int64 extremes written exactly. Floats are
// marked with JsonFloat so they print as floats even when integral.

import { INT64_MAX, INT64_MIN } from '../ir/format';

/** A number the writer must print as a Python float. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** Python's repr() of a finite float. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const e = v.toExponential(); // shortest round-trip digits: "1.5e-7"
  const [mant, expStr] = e.split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

function pyInt(v: number): string {
  if (v >= INT64_MAX) return '9223372036854775807';
  if (v <= INT64_MIN) return '-9223372036854775808';
  return String(v);
}

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** json.dumps(value) with Python's default formatting. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value instanceof JsonFloat) {
    const v = value.value;
    if (!Number.isFinite(v)) throw new Error(`json: ${v} is not JSON compliant (allow_nan=False)`);
    return pyFloatRepr(v);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: ${value} is not JSON compliant (allow_nan=False)`);
    return Number.isInteger(value) ? pyInt(value) : pyFloatRepr(value);
  }
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`)
      .join(', ')}}`;
  }
  throw new Error(`json: cannot serialize ${typeof value}`);
}
