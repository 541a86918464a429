// Module: the TypeScript counterpart of torch.nn.Module that export() consumes.
// It registers parameters, buffers (persistent or not) and submodules by name,
// enumerates them in PyTorch's order, and, when called, pushes itself on the
// tracer's module stack so nodes carry nn_module_stack.

import { Tensor } from './tensor';
import { currentTracer } from './tracer';

export abstract class Module {
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module>();
  /** Plain tensor attributes (not registered): lifted as constants by export. */
  private readonly _constants = new Map<string, Tensor>();
  training = true;

  abstract forward(...args: unknown[]): unknown;

  /** Names of forward's parameters, for naming graph inputs. Override when not derivable. */
  forwardArgNames(): string[] {
    return parseParamNames(this.forward);
  }

  /** The class name torch would show in nn_module_stack. */
  get className(): string {
    return this.constructor.name;
  }

  registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t) t.requiresGrad = true;
    this._parameters.set(name, t);
    return t;
  }

  registerBuffer(name: string, t: Tensor | null, persistent = true): Tensor | null {
    this._buffers.set(name, t);
    if (!persistent) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    return t;
  }

  registerModule<M extends Module>(name: string, m: M): M {
    m.moduleName = name;
    this._modules.set(name, m);
    return m;
  }

  /** A tensor attribute that is neither parameter nor buffer (torch lifts these as constants). */
  setConstant(name: string, t: Tensor): Tensor {
    this._constants.set(name, t);
    return t;
  }

  getParameter(name: string): Tensor {
    const t = this._parameters.get(name);
    if (!t) throw new Error(`${this.className} has no parameter ${name}`);
    return t;
  }
  getBuffer(name: string): Tensor {
    const t = this._buffers.get(name);
    if (!t) throw new Error(`${this.className} has no buffer ${name}`);
    return t;
  }
  getConstant(name: string): Tensor {
    const t = this._constants.get(name);
    if (!t) throw new Error(`${this.className} has no tensor attribute ${name}`);
    return t;
  }
  getModule(name: string): Module {
    const m = this._modules.get(name);
    if (!m) throw new Error(`${this.className} has no submodule ${name}`);
    return m;
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [n, m] of this._modules) yield* m.namedModules(prefix ? `${prefix}.${n}` : n);
  }

  children(): Array<[string, Module]> {
    return [...this._modules];
  }

  namedParameters(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [p, m] of this.namedModules())
      for (const [n, t] of m._parameters)
        if (t && !seen.has(t)) {
          seen.add(t);
          out.push([p ? `${p}.${n}` : n, t]);
        }
    return out;
  }

  /** [name, tensor, persistent] in torch's order (own buffers before submodules'). */
  namedBuffers(): Array<[string, Tensor, boolean]> {
    const out: Array<[string, Tensor, boolean]> = [];
    const seen = new Set<Tensor>();
    for (const [p, m] of this.namedModules())
      for (const [n, t] of m._buffers)
        if (t && !seen.has(t)) {
          seen.add(t);
          out.push([p ? `${p}.${n}` : n, t, !m._nonPersistent.has(n)]);
        }
    return out;
  }

  namedConstants(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [p, m] of this.namedModules()) for (const [n, t] of m._constants) out.push([p ? `${p}.${n}` : n, t]);
    return out;
  }

  /** Parameters and persistent buffers, as torch's state_dict. */
  stateDict(): Map<string, Tensor> {
    const sd = new Map<string, Tensor>();
    for (const [n, t] of this.namedParameters()) sd.set(n, t);
    for (const [n, t, persistent] of this.namedBuffers()) if (persistent) sd.set(n, t);
    return sd;
  }

  /** Copy values into this module's parameters, buffers and tensor attributes (torch's load_state_dict). */
  loadStateDict(sd: ReadonlyMap<string, Tensor>, strict = true): { missing: string[]; unexpected: string[] } {
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers().map(([n, t]) => [n, t] as [string, Tensor]), ...this.namedConstants()]);
    const missing = [...this.stateDict().keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length || unexpected.length))
      throw new Error(`Error(s) in loading state_dict for ${this.className}: missing keys ${JSON.stringify(missing)}, unexpected keys ${JSON.stringify(unexpected)}`);
    for (const [k, v] of sd) {
      const t = own.get(k);
      if (!t) continue;
      if (t.shape.join(',') !== v.shape.join(','))
        throw new Error(`size mismatch for ${k}: copying a param with shape [${v.shape.join(', ')}], the shape in current model is [${t.shape.join(', ')}]`);
      t.nd.copyFrom(v.nd);
    }
    return { missing, unexpected };
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Call the module (torch's __call__): forward with the module stack maintained. */
  call(...args: unknown[]): unknown {
    const tracer = currentTracer();
    if (!tracer) return this.forward(...args);
    const parent = tracer.moduleStack[tracer.moduleStack.length - 1];
    const name = this.moduleName ?? '';
    const fqn = parent ? (parent.fqn ? `${parent.fqn}.${name}` : name) : '';
    const key = parent ? `${parent.key}.${/^\d+$/.test(name) ? `[${name}]` : name}`.replace('.[', '[') : "L['self']";
    tracer.moduleStack.push({ key, fqn, className: this.className });
    try {
      return this.forward(...args);
    } finally {
      tracer.moduleStack.pop();
    }
  }

  /** Set by the parent on registration: this module's attribute name. */
  moduleName?: string;
}

/** Names of a JS function's parameters (rest parameters as their name). */
export function parseParamNames(fn: (...a: never[]) => unknown): string[] {
  const src = fn.toString();
  const m = /^[^(]*\(([^)]*)\)/.exec(src);
  if (!m) return [];
  return m[1]!
    .split(',')
    .map((p) => p.replace(/\/\*.*?\*\//g, '').replace(/=.*$/, '').replace(/:.*$/, '').trim())
    .filter(Boolean);
}
