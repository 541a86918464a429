// JSON for the web transport that keeps what Electron's structured clone keeps:
// non-finite numbers (a failed comparison's Infinity, NaN) survive the round trip
// as {"$num": "Infinity"} instead of silently becoming null.

export function wireStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v));
}

export function wireParse(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$num') return Number((v as { $num: string }).$num);
    }
    return v;
  });
}
