// A reader for the small subset of Python expressions a model file uses to declare
// its example inputs and dynamic shapes: literals, names, attribute access, calls
// with keyword arguments, tuples/lists/dicts, unary minus and + - * //. It never
// evaluates anything; callers walk the tree. Shared by the host (example_args when
// no Python runtime is available) and the renderer (dynamic_shapes ↔ Dim panel).

export type PyExpr =
  | { t: 'num'; value: number; float: boolean }
  | { t: 'str'; value: string }
  | { t: 'const'; value: null | boolean }
  | { t: 'name'; id: string }
  | { t: 'attr'; obj: PyExpr; attr: string }
  | { t: 'call'; func: PyExpr; args: PyExpr[]; kwargs: Array<[string, PyExpr]> }
  | { t: 'tuple' | 'list'; items: PyExpr[] }
  | { t: 'dict'; entries: Array<[PyExpr, PyExpr]> }
  | { t: 'neg'; operand: PyExpr }
  | { t: 'bin'; op: '+' | '-' | '*' | '//'; left: PyExpr; right: PyExpr };

export class PyExprError extends Error {
  override name = 'PyExprError';
  constructor(
    message: string,
    /** Offset into the parsed text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

interface Tok {
  k: 'num' | 'str' | 'name' | 'op' | 'end';
  v: string;
  at: number;
}

const OPS = ['//', '**', '(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '+', '-', '*'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c) || c === '\\') {
      i++;
      continue;
    }
    const num = /^(\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (name) {
      // String prefixes (r'', b'') are not needed for model files; a name followed by a quote is an error below.
      out.push({ k: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new PyExprError('unterminated string', i);
      out.push({ k: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new PyExprError(`unexpected character '${c}'`, i);
    out.push({ k: 'op', v: op, at: i });
    i += op.length;
  }
  out.push({ k: 'end', v: '', at: src.length });
  return out;
}

/** Parse one expression (the whole text must be consumed). */
export function parsePyExpr(src: string): PyExpr {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const isOp = (v: string): boolean => peek().k === 'op' && peek().v === v;
  const expect = (v: string): void => {
    const t = next();
    if (t.k !== 'op' || t.v !== v) throw new PyExprError(`expected '${v}' but found '${t.v || 'end of text'}'`, t.at);
  };

  function sequence(close: string): { items: PyExpr[]; trailingComma: boolean } {
    const items: PyExpr[] = [];
    let trailingComma = false;
    while (!isOp(close)) {
      items.push(expr());
      trailingComma = false;
      if (isOp(',')) {
        next();
        trailingComma = true;
      } else break;
    }
    expect(close);
    return { items, trailingComma };
  }

  function atom(): PyExpr {
    const t = next();
    if (t.k === 'num') {
      const clean = t.v.replace(/_/g, '');
      return { t: 'num', value: Number(clean), float: /[.eE]/.test(clean) };
    }
    if (t.k === 'str') {
      let s = t.v;
      while (peek().k === 'str') s += next().v; // implicit concatenation
      return { t: 'str', value: s };
    }
    if (t.k === 'name') {
      if (t.v === 'None') return { t: 'const', value: null };
      if (t.v === 'True') return { t: 'const', value: true };
      if (t.v === 'False') return { t: 'const', value: false };
      return { t: 'name', id: t.v };
    }
    if (t.k === 'op' && t.v === '(') {
      if (isOp(')')) {
        next();
        return { t: 'tuple', items: [] };
      }
      const first = expr();
      if (isOp(')')) {
        next();
        return first;
      }
      expect(',');
      const rest = sequence(')');
      return { t: 'tuple', items: [first, ...rest.items] };
    }
    if (t.k === 'op' && t.v === '[') return { t: 'list', items: sequence(']').items };
    if (t.k === 'op' && t.v === '{') {
      const entries: Array<[PyExpr, PyExpr]> = [];
      while (!isOp('}')) {
        const key = expr();
        expect(':');
        entries.push([key, expr()]);
        if (isOp(',')) next();
        else break;
      }
      expect('}');
      return { t: 'dict', entries };
    }
    throw new PyExprError(`unexpected '${t.v || 'end of text'}'`, t.at);
  }

  function postfix(): PyExpr {
    let e = atom();
    for (;;) {
      if (isOp('.')) {
        next();
        const n = next();
        if (n.k !== 'name') throw new PyExprError('expected an attribute name', n.at);
        e = { t: 'attr', obj: e, attr: n.v };
      } else if (isOp('(')) {
        next();
        const args: PyExpr[] = [];
        const kwargs: Array<[string, PyExpr]> = [];
        while (!isOp(')')) {
          if (peek().k === 'name' && toks[p + 1]?.k === 'op' && toks[p + 1]?.v === '=') {
            const k = next().v;
            next();
            kwargs.push([k, expr()]);
          } else {
            if (kwargs.length) throw new PyExprError('positional argument follows keyword argument', peek().at);
            args.push(expr());
          }
          if (isOp(',')) next();
          else break;
        }
        expect(')');
        e = { t: 'call', func: e, args, kwargs };
      } else return e;
    }
  }

  function unary(): PyExpr {
    if (isOp('-')) {
      next();
      return { t: 'neg', operand: unary() };
    }
    if (isOp('+')) {
      next();
      return unary();
    }
    return postfix();
  }

  function term(): PyExpr {
    let e = unary();
    while (isOp('*') || isOp('//')) {
      const op = next().v as '*' | '//';
      e = { t: 'bin', op, left: e, right: unary() };
    }
    return e;
  }

  function expr(): PyExpr {
    let e = term();
    while (isOp('+') || isOp('-')) {
      const op = next().v as '+' | '-';
      e = { t: 'bin', op, left: e, right: term() };
    }
    return e;
  }

  // A bare `a, b` at top level is a tuple, as in `example_args = x, y`.
  const first = expr();
  let result = first;
  if (isOp(',')) {
    const items = [first];
    while (isOp(',')) {
      next();
      if (peek().k === 'end') break;
      items.push(expr());
    }
    result = { t: 'tuple', items };
  }
  if (peek().k !== 'end') throw new PyExprError(`unexpected '${peek().v}'`, peek().at);
  return result;
}

/** `torch.randn` → 'torch.randn'; null for anything but a dotted name. */
export function dottedName(e: PyExpr): string | null {
  if (e.t === 'name') return e.id;
  if (e.t === 'attr') {
    const base = dottedName(e.obj);
    return base === null ? null : `${base}.${e.attr}`;
  }
  return null;
}

/** A module-level assignment `NAME = <expr>` and where it sits in the file (1-based lines). */
export interface TopLevelAssignment {
  name: string;
  text: string;
  line: number;
  endLine: number;
}

/**
 * Top-level `name = value` statements, with values that span lines while brackets are
 * open. Other statements (class, def, import, indented code) are skipped.
 */
export function topLevelAssignments(source: string): TopLevelAssignment[] {
  const lines = source.split('\n');
  const out: TopLevelAssignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z_]\w*)\s*(?::\s*[^=]+)?=(?!=)(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let text = m[2]!;
    let j = i;
    while (bracketDepth(text) > 0 && j + 1 < lines.length) {
      j++;
      text += '\n' + lines[j];
    }
    out.push({ name: m[1]!, text: text.trim(), line: i + 1, endLine: j + 1 });
    i = j;
  }
  return out;
}

function bracketDepth(text: string): number {
  let d = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) d++;
    else if (')]}'.includes(c)) d--;
  }
  return d;
}
