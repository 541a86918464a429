// Expression text in .pt2 files: sympy srepr and str forms parse to the same
// canonical expressions, and srepr output parses back.

import { describe, expect, test } from 'vitest';
import { printExpr, symbol } from '../symbolic/expr';
import { ExprParseError, parseSymExpr, sreprBool, sreprPoly, symbolNamesIn } from './sym-expr';
import { pyFloatRepr, pyJsonDumps, JsonFloat } from './json';

const parse = (t: string) => parseSymExpr(t, symbol);

describe('expressions', () => {
  test.each([
    ["Symbol('s27', positive=True, integer=True)", 's27'],
    ["Add(Symbol('s6', positive=True, integer=True), Integer(1))", 's6 + 1'],
    ["Mul(Integer(4), Symbol('s77', integer=True, positive=True))", '4*s77'],
    ["Min(Integer(64), Mul(Integer(64), Symbol('s28', positive=True, integer=True)))", 'Min(64, 64*s28)'],
    ["Pow(Symbol('s70', positive=True, integer=True), Integer(2))", 's70**2'],
    ["GreaterThan(Symbol('u0', integer=True), Integer(0))", 'u0 >= 0'],
    ["StrictGreaterThan(Symbol('s6', positive=True, integer=True), Integer(2))", 's6 > 2'],
    ["LessThan(Symbol('u1', integer=True), Integer(3))", 'u1 <= 3'],
    ['s0 + 1', 's0 + 1'],
    ['2*s0 - s1', '2*s0 - s1'],
    ['Eq(u0, 1)', 'Eq(u0, 1)'],
    ['FloorDiv(s0, 2)', '(s0//2)'],
    ['s0 // 2', '(s0//2)'],
  ])('%s', (text, printed) => {
    expect(printExpr(parse(text))).toBe(printed);
  });

  test('srepr round trips', () => {
    for (const t of ['s0 + 1', '4*s1*s2 - 3', 'Max(s0, 2*s1)', 's0**2 + s0', '(s0//4) + 1']) {
      const e = parse(t);
      if (e.kind !== 'poly') throw new Error('poly expected');
      expect(parse(sreprPoly(e)).key).toBe(e.key);
    }
    const b = parse('u0 >= 0');
    if (b.kind === 'poly') throw new Error('bool expected');
    expect(sreprBool(b)).toBe("GreaterThan(Symbol('u0', integer=True), Integer(0))");
    expect(sreprPoly(parse('s3 + 1') as never)).toBe("Add(Symbol('s3', positive=True, integer=True), Integer(1))");
  });

  test('symbol names and errors', () => {
    expect(symbolNamesIn("Add(Symbol('s6', positive=True, integer=True), Symbol('u2', integer=True))")).toEqual(['s6', 'u2']);
    for (const bad of ['Symbol(', 'os.system("x")', '1.5 + s0', 's0 / 2', "__import__('os')", 'Add(' .repeat(500)]) expect(() => parse(bad)).toThrow(ExprParseError);
  });
});

describe('python json', () => {
  test('float reprs', () => {
    expect([1, 1e-5, 0.1767766952966369, 1e16, 1.5e-7, 123456789012345680, -0, 0.0001].map(pyFloatRepr)).toEqual([
      '1.0', '1e-05', '0.1767766952966369', '1e+16', '1.5e-07', '1.2345678901234568e+17', '-0.0', '0.0001',
    ]);
  });
  test('dumps like json.dumps', () => {
    expect(pyJsonDumps({ a: [1, new JsonFloat(2), 'é\n"'], b: null, c: { as_int: 2 ** 63 } })).toBe(
      '{"a": [1, 2.0, "\\u00e9\\n\\""], "b": null, "c": {"as_int": 9223372036854775807}}',
    );
  });
});
