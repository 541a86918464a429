// The op registry: every op the engine knows, declared once with its ATen schema,
// meta function, CPU kernel and optional decomposition.
//
// Note [Declaring an op]
// An op family file (elementwise.ts, reduction.ts, …) exports an array of
// `defineOp({...})` results; register-all.ts lists every family. Registration is
// explicit and loud: a duplicate name throws. A test walks the registry and fails
// on an op missing its schema, meta or CPU kernel. Arguments reach meta, cpu and
// decomp as the full positional list in schema order, defaults filled in; tensors
// are TensorMeta (meta), NDArray (cpu) or opaque traced values (decomp).

import { UnsupportedOperatorError } from '../core/errors';
import { parseSchema } from './schema';
import { type OpDeclaration, type OpDef, OpGroup } from './types';

export function defineOp(decl: OpDeclaration): OpDef {
  const parsed = parseSchema(decl.schema);
  const ns = decl.namespace ?? 'aten';
  const name = `${ns}.${parsed.name}.${parsed.overload}`;
  const groupSet = new Set(decl.groups ?? []);
  if (parsed.args.some((a) => a.mutable) && parsed.name.endsWith('_')) groupSet.add(OpGroup.Inplace);
  return { ...decl, name, parsed, groupSet };
}

export class OpRegistry {
  private readonly ops = new Map<string, OpDef>();

  register(defs: readonly OpDef[]): void {
    for (const d of defs) {
      if (this.ops.has(d.name)) throw new Error(`op registered twice: ${d.name}`);
      this.ops.set(d.name, d);
    }
  }

  has(name: string): boolean {
    return this.ops.has(name);
  }

  get(name: string): OpDef {
    const d = this.ops.get(name);
    if (!d) throw new UnsupportedOperatorError(name, `torch.ops.${name} is not supported yet`);
    return d;
  }

  all(): OpDef[] {
    return [...this.ops.values()];
  }
}
