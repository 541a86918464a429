// The Dim panel's DynamicShapesSpec → the `dynamic_shapes` value engine export()
// takes: one engine Dim per declared name (shared by every use, which is how "same
// as another input's dim" is expressed), derived dims, AUTO/DYNAMIC/STATIC hints,
// nested to mirror each argument's structure, keyed by argument name.

import type { ArgInfo, ArgStructure, DimChoice, DynamicShapesSpec, InputInfo, KeyStep } from '../common/ipc-contract';
import { DerivedDim, Dim } from '../../engine/symbolic/dim';
import { HostRequestError } from './host-errors';

function stepsKey(steps: readonly KeyStep[]): string {
  return steps.map((s) => (s.kind === 'key' ? `k:${s.key}` : `i:${s.index}`)).join('/');
}

export function toEngineDynamicShapes(spec: DynamicShapesSpec, args: readonly ArgInfo[], inputs: readonly InputInfo[]): Record<string, unknown> | null {
  const anyChoice = Object.values(spec.inputs).some((cs) => cs.some((c) => c.kind !== 'none'));
  if (!anyChoice) return null;
  const dims = new Map<string, Dim>();
  const dimFor = (name: string): Dim => {
    let d = dims.get(name);
    if (!d) {
      const decl = spec.dims.find((x) => x.name === name) ?? { name };
      try {
        d = new Dim(name, { min: decl.min, max: decl.max });
      } catch (e) {
        throw new HostRequestError(`Dim ${name}: ${(e as Error).message}`);
      }
      dims.set(name, d);
    }
    return d;
  };
  const choice = (c: DimChoice): unknown => {
    switch (c.kind) {
      case 'none':
        return null;
      case 'dim':
        return dimFor(c.name);
      case 'derived':
        return new DerivedDim(dimFor(c.root), c.coeff, c.offset);
      case 'auto':
        return Dim.AUTO;
      case 'dynamic':
        return Dim.DYNAMIC;
      case 'static':
        return Dim.STATIC;
    }
  };
  const byKey = new Map(inputs.map((i) => [`${i.argName}#${stepsKey(i.steps)}`, i]));
  const build = (arg: ArgInfo, s: ArgStructure, steps: KeyStep[]): unknown => {
    if (s.kind === 'leaf') {
      const inp = byKey.get(`${arg.name}#${stepsKey(steps)}`);
      if (!inp || inp.kind !== 'tensor') return null;
      const choices = spec.inputs[inp.path] ?? [];
      if (!choices.some((c) => c.kind !== 'none')) return null;
      const out: Record<number, unknown> = {};
      choices.forEach((c, i) => {
        if (c.kind !== 'none') out[i] = choice(c);
      });
      return out;
    }
    if (s.kind === 'dict') return Object.fromEntries(s.entries.map(([k, sub]) => [k, build(arg, sub, [...steps, { kind: 'key', key: k }])]));
    return s.items.map((sub, i) => build(arg, sub, [...steps, { kind: 'index', index: i }]));
  };
  return Object.fromEntries(args.map((a) => [a.name, build(a, a.structure, [])]));
}
