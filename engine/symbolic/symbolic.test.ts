import { describe, expect, test } from 'vitest';
import * as E from './expr';
import { ShapeEnv } from './shape-env';
import { ValueRange, polyRange } from './value-ranges';
import { SymInt, SymFloat, guardBool, symAdd, symEq, symGt, symMul, staticallyKnownTrue, symFloorDiv, symTrueDiv, symRound, guardFloat, hintInt } from './sym';
import { Dim } from './dim';
import { GuardOnDataDependentError } from '../core/errors';

describe('expressions print like sympy', () => {
  const s0 = E.symbol('s0');
  const s1 = E.symbol('s1');
  test.each([
    [E.add(s0, E.int(1)), 's0 + 1'],
    [E.scale(s0, 2), '2*s0'],
    [E.mul(s0, s1), 's0*s1'],
    [E.sub(E.int(5), s0), '-s0 + 5'],
    [E.add(E.mul(s0, s0), s1), 's0**2 + s1'],
    [E.floorDiv(E.add(s0, E.int(1)), E.int(2)), '((s0 + 1)//2)'],
    [E.floorDiv(s0, E.int(2)), '(s0//2)'],
    [E.mod(s0, E.int(3)), 'Mod(s0, 3)'],
  ])('%s', (e, text) => expect(E.printExpr(e)).toBe(text));

  test('relations', () => {
    const u0 = E.symbol('u0');
    expect(E.printExpr(E.rel('==', u0, E.int(1)))).toBe('Eq(u0, 1)');
    expect(E.printExpr(E.rel('>=', u0, E.int(0)))).toBe('u0 >= 0');
    expect(E.printExpr(E.not(E.rel('==', u0, E.int(1))))).toBe('Ne(u0, 1)');
  });

  test('canonical form makes equal expressions equal', () => {
    const a = E.add(E.scale(s0, 2), E.int(2));
    const b = E.scale(E.add(s0, E.int(1)), 2);
    expect(a.key).toBe(b.key);
    expect(E.floorDiv(a, E.int(2)).key).toBe(E.add(s0, E.int(1)).key);
    expect(E.sub(a, b).constantValue).toBe(0);
  });

  test('value ranges print with int_oo', () => {
    expect(new ValueRange(0, Infinity).toString()).toBe('VR[0, int_oo]');
    expect(new ValueRange(-Infinity, Infinity).toString()).toBe('VR[-int_oo, int_oo]');
  });
});

describe('ShapeEnv', () => {
  test('guards on hints refine ranges and specialise', () => {
    const env = new ShapeEnv();
    const s = new SymInt(env.createBackedSymbol(10, { range: new ValueRange(0, Infinity) }), env);
    expect(guardBool(symGt(s, 5))).toBe(true);
    expect(env.info('s0').range.toString()).toBe('VR[6, int_oo]');
    expect(env.guards.map((g) => E.printExpr(g.expr))).toEqual(['s0 > 5']);
    // Now statically known: no new guard.
    expect(guardBool(symGt(s, 3))).toBe(true);
    expect(env.guards).toHaveLength(1);
    expect(guardBool(symEq(s, 10))).toBe(true);
    expect(env.replacement('s0')?.constantValue).toBe(10);
  });

  test('equalities between symbols become replacements', () => {
    const env = new ShapeEnv();
    const a = new SymInt(env.createBackedSymbol(4), env);
    const b = new SymInt(env.createBackedSymbol(4), env);
    expect(guardBool(symEq(a, b))).toBe(true);
    expect(String(symAdd(b, 1))).toBe('s0 + 1');
    expect(staticallyKnownTrue(symEq(symMul(a, 2), symAdd(b, b)))).toBe(true);
  });

  test('unbacked symbols cannot be guarded on', () => {
    const env = new ShapeEnv();
    const u = new SymInt(env.createUnbackedSymbol(new ValueRange(0, 1)), env);
    expect(() => guardBool(symEq(u, 1))).toThrow(GuardOnDataDependentError);
    try {
      guardBool(symEq(u, 1));
    } catch (e) {
      expect((e as Error).message).toMatch(/^Could not guard on data-dependent expression Eq\(u0, 1\) \(unhinted: Eq\(u0, 1\)\)\. {2}\(Size-like symbols: none\)/);
    }
  });

  test('torch._check on unbacked values refines ranges and records asserts', () => {
    const env = new ShapeEnv();
    const u = new SymInt(env.createUnbackedSymbol(), env);
    env.check(E.rel('>=', u.expr, E.int(0)));
    env.check(E.rel('<=', u.expr, E.int(8)));
    expect(env.info('u0').range.toString()).toBe('VR[0, 8]');
    expect(env.runtimeAsserts.map(E.printExpr)).toEqual(['u0 >= 0', 'u0 <= 8']);
    expect(guardBool(symGt(u, -1))).toBe(true);
    expect(String(symFloorDiv(symMul(u, 4), 2))).toBe('2*u0');
  });
});

describe('Dim', () => {
  test('repr and derived dims', () => {
    expect(new Dim('batch').toString()).toBe("Dim('batch', min=0)");
    expect(new Dim('b', { max: 100 }).toString()).toBe("Dim('b', max=100)");
    expect(new Dim('dimx', { min: 3, max: 6 }).toString()).toBe("Dim('dimx', min=3, max=6)");
    const d = new Dim('dimx', { min: 3, max: 6 });
    expect(d.plus(1).name).toBe('dimx + 1');
    expect(d.times(2).name).toBe('2*dimx');
    expect(() => new Dim('bad name')).toThrow(TypeError);
    expect(() => new Dim('x', { min: 5, max: 2 })).toThrow(RangeError);
  });
});

describe('float-valued expressions (SymFloat)', () => {
  const s0 = E.symbol('s0');
  const half = E.intTrueDiv(s0, E.int(2));

  test('true division stays an atom and prints like torch', () => {
    expect(E.printExpr(half)).toBe('s0/2');
    expect(E.printExpr(E.roundToInt(half))).toBe('round(s0/2)');
    expect(E.printExpr(E.intTrueDiv(E.add(s0, E.int(1)), E.int(2)))).toBe('(s0 + 1)/2');
    expect(E.isFloatValued(half)).toBe(true);
    expect(E.isFloatValued(E.roundToInt(half))).toBe(false);
    // round/floor of an integer expression is the expression itself.
    expect(E.roundToInt(s0).key).toBe(s0.key);
  });

  test('constants fold with Python semantics (round ties to even)', () => {
    expect(E.intTrueDiv(E.int(7), E.int(2)).constantValue).toBe(3.5);
    expect([0.5, 1.5, 2.5, -1.5, 2.6].map(E.pyRound)).toEqual([0, 2, 2, -2, 3]);
    expect(E.evaluate(E.roundToInt(half), () => 3)).toBe(2);
    expect(E.evaluate(E.roundToInt(half), () => 5)).toBe(2);
    expect(E.evaluate(E.floorToInt(half), () => 5)).toBe(2);
    expect(E.evaluate(E.ceilToInt(half), () => 5)).toBe(3);
  });

  test('value ranges', () => {
    const r = (lo: number, hi: number) => () => new ValueRange(lo, hi);
    expect(polyRange(half, r(2, 9)).toString()).toBe('VR[1, 4.5]');
    expect(polyRange(E.roundToInt(half), r(2, 9)).toString()).toBe('VR[1, 4]');
    expect(polyRange(E.ceilToInt(half), r(3, Infinity)).toString()).toBe('VR[2, int_oo]');
    expect(polyRange(E.intTrueDiv(E.int(1), s0), r(-1, 1)).toString()).toBe('VR[-int_oo, int_oo]');
  });

  test('Python printing with sources, as guards appear in constraint violations', () => {
    const src = () => "L['x'].size()[0]";
    const g = E.and(E.rel('>=', E.roundToInt(half), E.int(0)), E.rel('<=', E.roundToInt(half), s0));
    expect(E.printPython(g, src)).toBe("round(L['x'].size()[0] / 2) >= 0 and round(L['x'].size()[0] / 2) <= L['x'].size()[0]");
    expect(E.printPython(E.rel('!=', E.roundToInt(half), E.int(1)), src)).toBe("round(L['x'].size()[0] / 2) != 1");
    expect(E.printPython(E.rel('==', E.mod(s0, E.int(2)), E.int(0)), src)).toBe("L['x'].size()[0] % 2 == 0");
    expect(E.printPython(E.add(E.scale(s0, 2), E.int(1)), src)).toBe("2*L['x'].size()[0] + 1");
  });

  test('SymFloat arithmetic in a ShapeEnv', () => {
    const env = new ShapeEnv();
    const n = new SymInt(env.createBackedSymbol(5), env);
    const h = symTrueDiv(n, 2);
    expect(h).toBeInstanceOf(SymFloat);
    expect((h as SymFloat).hint).toBe(2.5);
    expect(symTrueDiv(6, 4)).toBe(1.5);
    const r = symRound(h);
    expect(r.toString()).toBe('round(s0/2)');
    expect(hintInt(r)).toBe(2);
    expect(guardFloat(h)).toBe(2.5);
    expect(env.guards.map((g) => E.printExpr(g.expr))).toEqual(['Eq(s0/2, 2.5)']);
  });
});
