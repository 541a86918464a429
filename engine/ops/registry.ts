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

import { type DType, isFloating } from '../core/dtype';
import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { type NDArray } from '../core/ndarray';
import { parseSchema } from './schema';
import { type OpDeclaration, type OpDef, OpGroup, type TensorMeta } from './types';

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

/**
 * Declare the in-place twin of a functional op (`add_.Tensor` of `add.Tensor`):
 * same arguments, writes the functional result into `self` and returns it.
 * Functionalization (run_decompositions) rewrites it back via `functional`.
 */
export function defineInplace(schema: string, functional: OpDef, extraGroups: readonly OpGroup[] = []): OpDef {
  return defineOp({
    schema,
    groups: [...[...functional.groupSet].filter((g) => g !== OpGroup.Core), OpGroup.Inplace, ...extraGroups],
    functional: functional.name,
    meta: (args, ctx) => {
      const self = args[0] as TensorMeta;
      const out = functional.meta(args, ctx) as TensorMeta;
      if (out.dtype !== self.dtype && !canCastInplace(out.dtype, self.dtype))
        throw new OpArgumentError(ctx.op, `result type ${dtypeTitle(out.dtype)} can't be cast to the desired output type ${dtypeTitle(self.dtype)}`);
      return self;
    },
    cpu: (args, ctx) => {
      const self = args[0] as NDArray;
      const out = functional.cpu(args, ctx) as NDArray;
      self.copyFrom(out);
      return self;
    },
  });
}

function canCastInplace(from: DType, to: DType): boolean {
  // torch.can_cast: no float → int, no int/float → bool.
  if (isFloating(from) && !isFloating(to)) return false;
  if (to === 'bool' && from !== 'bool') return false;
  return true;
}

const dtypeTitle = (d: DType): string => ({ float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' })[d];
