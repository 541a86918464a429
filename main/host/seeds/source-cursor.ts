// Source positions for the built-in seed programs. A seed's TypeScript forward marks
// the Python line it is executing (`py.at('a = torch.sin(x)')`); the cursor finds
// that line in the user's document, so graph nodes carry `model.py:5` stack traces
// and an error thrown mid-trace points at the line that raised it, exactly as the
// Python front end will report them.

import type { StackFrame } from '../../../engine/ir/graph';

export const MODEL_FILE_NAME = 'model.py';

export class SourceCursor {
  private readonly lines: string[];
  /** 1-based line currently executing, with its text. */
  current: { line: number; code: string; fn: string } | undefined;

  constructor(source: string) {
    this.lines = source.split('\n');
  }

  /**
   * Move to the line whose trimmed text is `code`, searching inside `class scope:` when
   * given. A seed that names a line its source lacks is a bug: fail loudly.
   */
  at(code: string, scope?: string, fn = 'forward'): void {
    let from = 0;
    let to = this.lines.length;
    if (scope) {
      from = this.lines.findIndex((l) => new RegExp(`^class\\s+${scope}\\b`).test(l));
      if (from < 0) throw new Error(`seed cursor: class ${scope} not found`);
      const next = this.lines.findIndex((l, i) => i > from && /^\S/.test(l) && !/^#/.test(l));
      to = next < 0 ? this.lines.length : next;
    }
    for (let i = from; i < to; i++)
      if (this.lines[i]!.trim() === code) {
        this.current = { line: i + 1, code, fn };
        return;
      }
    throw new Error(`seed cursor: line '${code}' not found${scope ? ` in class ${scope}` : ''}`);
  }

  frames(): StackFrame[] | undefined {
    const c = this.current;
    return c ? [{ file: MODEL_FILE_NAME, line: c.line, name: c.fn, code: c.code }] : undefined;
  }

  /** torch's "The following call raised this error:" frame text. */
  userFrame(): string | undefined {
    const c = this.current;
    return c ? `  File "${MODEL_FILE_NAME}", line ${c.line}, in ${c.fn}\n    ${c.code}` : undefined;
  }
}
