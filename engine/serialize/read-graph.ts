// Decoding one serialized graph (and its subgraphs) into our IR: nodes, argument
// values, tensor and symbolic metadata, stack traces and module stacks.


import {
  ArgTuple,
  Graph,
  type Node,
  type NodeMeta,
} from '../ir/graph';
import {
  TorchDType,
  TorchDevice,
  TorchEnum,
} from '../ir/format';

import {
  type TensorMeta,
} from '../ops/types';
import {
  defaultRegistry,
} from '../ops/register-all';

import {
  dtypeNameFromCode,
} from './tensor-data';

import {
  type ProgramReader,
} from './read';
import {
  isObj,
  IDENT,
  targetFromSerialized,
  parseStackTrace,
  splitTopLevelCommas,
  DECODED_META_KEYS,
  MEMORY_FORMATS,
  LAYOUTS,
  floatValue,
  pyFloatArg,
  unionTag,
  int,
  str,
  arr,
  obj,
  UnknownTargetError,
} from './read-values';

// ---------------------------------------------------------------- graphs

export class GraphReader {
  readonly graph = new Graph();
  private readonly scope = new Map<string, Node>();
  private readonly tensorValues: Record<string, unknown>;
  private readonly symIntValues: Record<string, unknown>;
  private readonly symBoolValues: Record<string, unknown>;
  private readonly symFloatValues: Record<string, unknown>;

  constructor(
    readonly prog: ProgramReader,
    readonly doc: Record<string, unknown>,
    readonly where: string,
    readonly depth = 0,
  ) {
    if (depth > 32) prog.fail('subgraphs nested too deeply');
    this.tensorValues = obj(doc.tensor_values ?? {}, `${where}.tensor_values`);
    this.symIntValues = obj(doc.sym_int_values ?? {}, `${where}.sym_int_values`);
    this.symBoolValues = obj(doc.sym_bool_values ?? {}, `${where}.sym_bool_values`);
    this.symFloatValues = obj(doc.sym_float_values ?? {}, `${where}.sym_float_values`);
  }

  private fail(problem: string): never {
    return this.prog.fail(`${this.where}: ${problem}`);
  }

  private claim(name: string, what: string): void {
    if (!IDENT.test(name)) this.fail(`${what} has an invalid name '${name.slice(0, 80)}'`);
    if (this.scope.has(name)) this.fail(`${what} redefines '${name}'`);
  }

  private define(n: Node, name: string): void {
    if (n.name !== name) {
      this.graph.namespace.release(n.name);
      n.name = name;
    }
    this.scope.set(name, n);
  }

  private tensorMetaOf(name: string): TensorMeta {
    const tm = this.tensorValues[name];
    if (tm === undefined) this.fail(`tensor '${name}' has no entry in tensor_values`);
    const { requiresGrad: _r, ...meta } = this.prog.tensorMeta(tm, `${this.where}.tensor_values['${name}']`);
    return meta;
  }

  private symValueOf(kind: 'int' | 'bool' | 'float', name: string): unknown {
    if (kind === 'int') {
      const v = this.symIntValues[name];
      if (v === undefined) this.fail(`sym int '${name}' has no entry in sym_int_values`);
      return this.prog.symInt(v, `${this.where}.sym_int_values['${name}']`);
    }
    if (kind === 'bool') {
      const v = this.symBoolValues[name];
      if (v === undefined) this.fail(`sym bool '${name}' has no entry in sym_bool_values`);
      return this.prog.symBool(v, `${this.where}.sym_bool_values['${name}']`);
    }
    const v = this.symFloatValues[name];
    if (v === undefined) return undefined;
    const [tag, x] = unionTag(v, `sym_float_values['${name}']`);
    return tag === 'as_float' ? floatValue(x) : undefined;
  }

  private ref(name: unknown, what: string): Node {
    const n = this.scope.get(str(name, what));
    if (!n) this.fail(`${what} refers to '${String(name).slice(0, 80)}', which is not defined before it`);
    return n;
  }

  build(constantInputNames: ReadonlyMap<number, string> = new Map()): Graph {
    const inputs = arr(this.doc.inputs, `${this.where}.inputs`);
    inputs.forEach((a, i) => {
      const [tag, v] = unionTag(a, `${this.where}.inputs[${i}]`);
      let name: string;
      let val: unknown;
      switch (tag) {
        case 'as_tensor':
          name = str(obj(v, 'input').name, 'input name');
          val = this.tensorMetaOf(name);
          break;
        case 'as_sym_int':
        case 'as_sym_bool':
        case 'as_sym_float': {
          name = str(obj(v, 'input').as_name, 'input name');
          val = this.symValueOf(tag === 'as_sym_int' ? 'int' : tag === 'as_sym_bool' ? 'bool' : 'float', name);
          break;
        }
        case 'as_custom_obj':
          name = str(obj(v, 'input').name, 'input name');
          val = null;
          break;
        case 'as_token':
          name = str(obj(v, 'input').name, 'input name');
          val = null;
          break;
        default:
          name = constantInputNames.get(i) ?? `arg${i}_1`;
          val = this.constantValue(tag, v, `${this.where}.inputs[${i}]`);
      }
      this.claim(name, `input ${i}`);
      const ph = this.graph.placeholder(name);
      ph.meta.val = val;
      this.define(ph, name);
    });
    const nodes = arr(this.doc.nodes, `${this.where}.nodes`);
    nodes.forEach((n, i) => this.node(n, i));
    const outs = arr(this.doc.outputs, `${this.where}.outputs`).map((o, i) => this.outputValue(o, `${this.where}.outputs[${i}]`));
    this.graph.output(outs);
    return this.graph;
  }

  private constantValue(tag: string, v: unknown, what: string): unknown {
    switch (tag) {
      case 'as_none':
        return null;
      case 'as_int':
        return int(v, what);
      case 'as_float':
        return pyFloatArg(v);
      case 'as_string':
        return str(v, what);
      case 'as_bool':
        if (typeof v !== 'boolean') this.fail(`${what} is not a bool`);
        return v;
    }
    return this.fail(`${what}: '${tag}' is not supported as a graph input or output`);
  }

  private outputValue(o: unknown, what: string): unknown {
    const [tag, v] = unionTag(o, what);
    switch (tag) {
      case 'as_tensor':
        return this.ref(obj(v, what).name, what);
      case 'as_sym_int':
      case 'as_sym_bool':
      case 'as_sym_float': {
        const x = obj(v, what);
        if ('as_name' in x) return this.ref(x.as_name, what);
        return this.constantValue(tag.replace('sym_', ''), Object.values(x)[0], what);
      }
      case 'as_tensors':
        return arr(v, what).map((t, i) => this.ref(obj(t, what).name, `${what}[${i}]`));
    }
    return this.constantValue(tag, v, what);
  }

  private decodeMeta(md: unknown, what: string): NodeMeta {
    const meta: NodeMeta = {};
    if (md === undefined || md === null) return meta;
    const m = obj(md, what);
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
      const s = str(v, `${what}['${k}']`);
      if (!DECODED_META_KEYS.has(k)) extra[k] = s;
    }
    if (typeof m.stack_trace === 'string') {
      // The raw text stays beside the frames so that saving again writes it unchanged.
      const frames = parseStackTrace(m.stack_trace);
      if (frames.length) meta.stackTrace = frames;
      extra.stack_trace = m.stack_trace;
    }
    if (typeof m.nn_module_stack === 'string' && m.nn_module_stack) {
      meta.nnModuleStack = m.nn_module_stack.split(';').map((e) => {
        const parts = splitTopLevelCommas(e);
        if (parts.length !== 3) this.fail(`${what}: nn_module_stack entry '${e.slice(0, 80)}' does not have 3 parts`);
        return parts as [string, string, string];
      });
    }
    if (typeof m.source_fn_stack === 'string' && m.source_fn_stack) {
      meta.sourceFnStack = m.source_fn_stack.split(';').map((e) => {
        const c = e.indexOf(',');
        return (c < 0 ? [e, ''] : [e.slice(0, c), e.slice(c + 1)]) as [string, string];
      });
    }
    if (Object.keys(extra).length) meta.pt2Metadata = extra;
    return meta;
  }

  private node(nRaw: unknown, index: number): void {
    const what = `${this.where}.nodes[${index}]`;
    const sn = obj(nRaw, what);
    const serialTarget = str(sn.target, `${what}.target`);
    const declaredName = sn.name === null || sn.name === undefined ? undefined : str(sn.name, `${what}.name`);
    const outsDoc = arr(sn.outputs, `${what}.outputs`);
    const label = declaredName ?? `#${index}`;
    const target = targetFromSerialized(serialTarget);
    if (!target) throw new UnknownTargetError(this.prog.entry, serialTarget, label);
    const meta = this.decodeMeta(sn.metadata, `${what}.metadata`);
    const isHop = target.startsWith('higher_order.');

    // Inputs.
    const named: Array<{ name: string; kind: number | null; tag: string; value: unknown }> = [];
    const seen = new Set<string>();
    arr(sn.inputs, `${what}.inputs`).forEach((inp, i) => {
      const w = `${what}.inputs[${i}]`;
      const o = obj(inp, w);
      const name = str(o.name, `${w}.name`);
      if (name && seen.has(name)) this.fail(`node '${label}' passes argument '${name}' twice`);
      seen.add(name);
      const kind = o.kind === null || o.kind === undefined ? null : int(o.kind, `${w}.kind`);
      named.push({ name, kind, tag: isObj(o.arg) ? Object.keys(o.arg)[0]! : '', value: this.argument(o.arg, `${w}.arg`, isHop, meta) });
    });
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = {};
    const def = defaultRegistry.has(target) ? defaultRegistry.get(target) : undefined;
    if (def && !isHop) {
      const byName = new Map(named.map((x) => [x.name, x]));
      for (const x of named) if (!def.parsed.args.some((a) => a.name === x.name)) this.fail(`node '${label}': ${target} has no argument '${x.name}'`);
      let positional = true;
      for (const a of def.parsed.args) {
        const x = byName.get(a.name);
        if (!x) {
          if (!a.hasDefault) this.fail(`node '${label}': missing required argument '${a.name}' of ${target}`);
          positional = false;
          continue;
        }
        const kw = a.kwargOnly || x.kind === 2 || !positional;
        if (kw) {
          kwargs[a.name] = x.value;
          positional = false;
        } else args.push(x.value);
      }
    } else {
      for (const x of named) {
        if (x.kind === 2 && x.name) kwargs[x.name] = x.value;
        else args.push(x.value);
      }
      // Without a schema only the file knows the argument names; keep them for saving again.
      if (!isHop && target.split('.').length === 3 && !target.startsWith('operator.')) meta.pt2Args = named.map((x) => ({ name: x.name, kind: x.kind === 2 ? 2 : 1, tag: x.tag }));
    }

    // Outputs: single value → the node itself; several → getitem nodes.
    const tags = outsDoc.map((o, i) => unionTag(o, `${what}.outputs[${i}]`));
    const returnsList = def ? def.parsed.returns.length === 1 && def.parsed.returns[0]!.type.endsWith('[]') : tags.length === 1 && tags[0]![0] === 'as_tensors';
    const single = isHop ? sn.is_hop_single_tensor_return === true : tags.length === 1 && !returnsList && (!def || def.parsed.returns.length <= 1);
    const valueName = (tag: string, v: unknown, w: string): string => {
      const o = obj(v, w);
      return str(tag === 'as_tensor' ? o.name : o.as_name, `${w} name`);
    };
    const valueOf = (tag: string, name: string): unknown => {
      if (tag === 'as_tensor') return this.tensorMetaOf(name);
      if (tag === 'as_sym_int') return this.symValueOf('int', name);
      if (tag === 'as_sym_bool') return this.symValueOf('bool', name);
      if (tag === 'as_sym_float') return this.symValueOf('float', name);
      return this.fail(`node '${label}': output kind '${tag}' is not supported`);
    };
    let nodeName: string;
    let val: unknown;
    if (tags.length === 0) nodeName = declaredName ?? this.fail(`node #${index} has neither a name nor outputs`);
    else if (single) {
      const [tag, v] = tags[0]!;
      if (tag === 'as_none') {
        nodeName = declaredName ?? this.fail(`node #${index} has neither a name nor outputs`);
        val = null;
      } else {
        nodeName = valueName(tag, v, `${what}.outputs[0]`);
        val = valueOf(tag, nodeName);
      }
    } else nodeName = declaredName ?? this.fail(`node #${index} returns several values but has no name`);
    this.claim(nodeName, `node #${index}`);
    const node = this.graph.createNode('call_function', target, args, kwargs, nodeName);
    node.meta = { ...meta };
    this.define(node, nodeName);

    if (tags.length && !single) {
      const items: Array<{ tag: string; v: unknown; w: string }> = returnsList
        ? arr(tags[0]![1], `${what}.outputs[0]`).map((t, j) => ({ tag: 'as_tensor', v: t, w: `${what}.outputs[0][${j}]` }))
        : tags.map(([tag, v], j) => ({ tag, v, w: `${what}.outputs[${j}]` }));
      const vals: unknown[] = [];
      items.forEach(({ tag, v, w }, j) => {
        if (tag === 'as_none') {
          vals.push(null);
          return;
        }
        if (tag === 'as_tensors') {
          // A list inside a tuple return: getitem of getitem.
          const list = arr(v, w);
          const inner = this.graph.createNode('call_function', 'getitem', [node, j], {}, `${nodeName}_${j}`);
          inner.meta = { ...meta };
          this.define(inner, inner.name);
          const metas = list.map((t, k) => {
            const nm = str(obj(t, `${w}[${k}]`).name, `${w}[${k}].name`);
            const m = this.tensorMetaOf(nm);
            this.getitem(inner, k, nm, m, meta);
            return m;
          });
          inner.meta.val = metas;
          vals.push(metas);
          return;
        }
        const name = valueName(tag, v, w);
        const m = valueOf(tag, name);
        vals.push(m);
        if (!/_unused_\d+$/.test(name)) this.getitem(node, j, name, m, meta);
      });
      node.meta.val = vals;
    } else node.meta.val = val;
  }

  private getitem(src: Node, index: number, name: string, val: unknown, meta: NodeMeta): void {
    this.claim(name, `output of ${src.name}`);
    const g = this.graph.createNode('call_function', 'getitem', [src, index], {}, name);
    g.meta = { ...meta, val };
    this.define(g, name);
  }

  /** One serialized argument to its engine value. */
  private argument(a: unknown, what: string, isHop: boolean, meta: NodeMeta): unknown {
    const [tag, v] = unionTag(a, what);
    const tensor = (x: unknown, w: string) => this.ref(obj(x, w).name, w);
    const sym = (x: unknown, w: string, kind: 'int' | 'float' | 'bool') => {
      const o = obj(x, w);
      if ('as_name' in o) return this.ref(o.as_name, w);
      const [t, c] = unionTag(o, w);
      if (kind === 'int' && t === 'as_int') return int(c, w);
      if (kind === 'float' && t === 'as_float') return pyFloatArg(c);
      if (kind === 'bool' && t === 'as_bool' && typeof c === 'boolean') return c;
      return this.fail(`${w} is not a sym ${kind}`);
    };
    const optTensor = (x: unknown, w: string) => {
      const [t, c] = unionTag(x, w);
      if (t === 'as_none') return null;
      if (t === 'as_tensor') return tensor(c, w);
      return this.fail(`${w} is not an optional tensor`);
    };
    switch (tag) {
      case 'as_none':
        return null;
      case 'as_tensor':
        return tensor(v, what);
      case 'as_tensors': {
        const items = arr(v, what).map((x, i) => tensor(x, `${what}[${i}]`));
        return isHop ? new ArgTuple(items) : items;
      }
      case 'as_int':
        return int(v, what);
      case 'as_ints':
        return arr(v, what).map((x, i) => int(x, `${what}[${i}]`));
      case 'as_float':
        return pyFloatArg(v);
      case 'as_floats':
        return arr(v, what).map(pyFloatArg);
      case 'as_string':
        return str(v, what);
      case 'as_strings':
        return arr(v, what).map((x, i) => str(x, `${what}[${i}]`));
      case 'as_sym_int':
        return sym(v, what, 'int');
      case 'as_sym_ints':
        return arr(v, what).map((x, i) => sym(x, `${what}[${i}]`, 'int'));
      case 'as_sym_float':
        return sym(v, what, 'float');
      case 'as_sym_floats':
        return arr(v, what).map((x, i) => sym(x, `${what}[${i}]`, 'float'));
      case 'as_sym_bool':
        return sym(v, what, 'bool');
      case 'as_sym_bools':
        return arr(v, what).map((x, i) => sym(x, `${what}[${i}]`, 'bool'));
      case 'as_bool':
        if (typeof v !== 'boolean') this.fail(`${what} is not a bool`);
        return v;
      case 'as_bools':
        return arr(v, what).map((x) => {
          if (typeof x !== 'boolean') this.fail(`${what} is not a list of bools`);
          return x;
        });
      case 'as_scalar_type': {
        const name = dtypeNameFromCode(int(v, what));
        if (!name) this.fail(`${what}: unknown dtype code ${String(v)}`);
        return new TorchDType(name);
      }
      case 'as_memory_format': {
        const name = MEMORY_FORMATS[int(v, what)];
        if (!name) this.fail(`${what}: unknown memory format ${String(v)}`);
        return new TorchEnum(name);
      }
      case 'as_layout': {
        const name = LAYOUTS[int(v, what)];
        if (!name) this.fail(`${what}: unknown layout ${String(v)}`);
        return new TorchEnum(name);
      }
      case 'as_device': {
        const d = obj(v, what);
        const type = str(d.type, `${what}.type`);
        return new TorchDevice(d.index === null || d.index === undefined ? type : `${type}:${int(d.index, `${what}.index`)}`);
      }
      case 'as_optional_tensors':
        return arr(v, what).map((x, i) => optTensor(x, `${what}[${i}]`));
      case 'as_optional_tensor':
        return optTensor(v, what);
      case 'as_graph': {
        const ga = obj(v, what);
        const name = str(ga.name, `${what}.name`);
        this.claim(name, what);
        if (this.graph.subgraphs.has(name)) this.fail(`${what}: subgraph '${name}' is defined twice`);
        const sub = new GraphReader(this.prog, obj(ga.graph, `${what}.graph`), `${this.where}.${name}`, this.depth + 1).build();
        this.graph.subgraphs.set(name, sub);
        const n = this.graph.createNode('get_attr', name, [], {}, name);
        if (meta.stackTrace) n.meta.stackTrace = meta.stackTrace;
        this.define(n, name);
        return n;
      }
      case 'as_nested_tensors':
        return arr(v, what).map((l, i) => arr(l, `${what}[${i}]`).map((x, j) => tensor(x, `${what}[${i}][${j}]`)));
      case 'as_int_lists':
        return arr(v, what).map((l, i) => arr(l, `${what}[${i}]`).map((x, j) => int(x, `${what}[${i}][${j}]`)));
      case 'as_float_lists':
        return arr(v, what).map((l, i) => arr(l, `${what}[${i}]`).map(pyFloatArg));
      case 'as_string_to_argument': {
        const o = obj(v, what);
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o)) out[k] = this.argument(x, `${what}['${k}']`, isHop, meta);
        return out;
      }
      case 'as_operator': {
        const t = targetFromSerialized(str(v, what));
        if (!t) this.fail(`${what}: unknown operator '${String(v).slice(0, 80)}'`);
        return t;
      }
      case 'as_custom_obj':
      case 'as_complex':
        return this.fail(`${what}: '${tag}' arguments are not supported`);
    }
    return this.fail(`${what} has unknown kind '${tag}'`);
  }
}

