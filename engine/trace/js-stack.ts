// Source locations for nodes traced from TypeScript: the innermost JS stack frame
// outside the engine's own layers, as a StackFrame (`# File: model.ts:12 in
// forward, code: …`). The code text comes from an optional host-provided reader
// (the engine cannot read files); without one it is left empty.

import { type StackFrame } from '../ir/graph';

const ENGINE_INTERNAL = /[\\/]engine[\\/](core|symbolic|ir|ops|trace|export|nn|serialize|runtime)[\\/]/;
const V8_FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

export type SourceReader = (file: string, line: number) => string | undefined;

let defaultReader: SourceReader | undefined;

/** Hosts that can read files (the CLI, the studio's engine host, tests) install a reader once. */
export function setDefaultSourceReader(r: SourceReader | undefined): void {
  defaultReader = r;
}

export function jsStackProvider(readSource?: SourceReader): () => StackFrame[] | undefined {
  return () => {
    const stack = new Error().stack?.split('\n').slice(1) ?? [];
    for (const line of stack) {
      const m = V8_FRAME.exec(line);
      if (!m) continue;
      const file = m[2]!.replace(/^file:\/\//, '');
      if (ENGINE_INTERNAL.test(file) || file.includes('node_modules') || file.startsWith('node:')) continue;
      const name = (m[1] ?? '<anonymous>').replace(/^.*\./, '');
      const lineNo = Number(m[3]);
      return [{ file, line: lineNo, name, code: (readSource ?? defaultReader)?.(file, lineNo)?.trim() ?? '' }];
    }
    return undefined;
  };
}
