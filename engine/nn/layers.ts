// A small torch.nn for the TypeScript API: the layers the seed examples and
// tests use, with torch's parameter names, shapes, default initialisation
// scheme (kaiming-uniform bounds) and forward ops.

import { NDArray } from '../core/ndarray';
import { Module } from '../trace/module';
import { Tensor } from '../trace/tensor';
import { callOp } from '../trace/dispatch';

/** Deterministic uniform initialiser (torch's own RNG stream is not reproduced). */
let seed = 0x2545f491;
export function manualSeed(s: number): void {
  seed = s >>> 0 || 1;
}
function nextUniform(): number {
  // xorshift32
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 0x100000000;
}

export function uniformTensor(shape: number[], bound: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = (nextUniform() * 2 - 1) * bound;
  return Tensor.fromNDArray(NDArray.fromValues('float32', shape, vals));
}

export function filledTensor(shape: number[], v: number, dtype: 'float32' | 'int64' = 'float32'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNDArray(NDArray.fromValues(dtype, shape, new Array<number>(n).fill(v)));
}

export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter('weight', uniformTensor([outFeatures, inFeatures], bound));
    this.registerParameter('bias', bias ? uniformTensor([outFeatures], bound) : null);
  }
  forward(input: unknown): unknown {
    return callOp('aten.linear.default', [input, this.getParameter('weight'), this.hasBias ? this.getParameter('bias') : null]);
  }
  get hasBias(): boolean {
    return this.namedParameters().some(([n]) => n === 'bias');
  }
}

export class Conv2d extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly opts: { stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean } = {},
  ) {
    super();
    const groups = opts.groups ?? 1;
    const fanIn = (inChannels / groups) * kernelSize * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.registerParameter('weight', uniformTensor([outChannels, inChannels / groups, kernelSize, kernelSize], bound));
    this.registerParameter('bias', opts.bias === false ? null : uniformTensor([outChannels], bound));
  }
  forward(input: unknown): unknown {
    const s = this.opts.stride ?? 1;
    const p = this.opts.padding ?? 0;
    const d = this.opts.dilation ?? 1;
    const bias = this.namedParameters().find(([n]) => n === 'bias')?.[1] ?? null;
    return callOp('aten.conv2d.default', [input, this.getParameter('weight'), bias, [s, s], [p, p], [d, d], this.opts.groups ?? 1]);
  }
}

export class ReLU extends Module {
  forward(input: unknown): unknown {
    return callOp('aten.relu.default', [input]);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly stride?: number,
    readonly padding = 0,
  ) {
    super();
  }
  forward(input: unknown): unknown {
    const k = this.kernelSize;
    const s = this.stride ?? k;
    return callOp('aten.max_pool2d.default', [input, [k, k], [s, s], [this.padding, this.padding]]);
  }
}

export class BatchNorm1d extends Module {
  constructor(
    readonly numFeatures: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.registerParameter('weight', filledTensor([numFeatures], 1));
    this.registerParameter('bias', filledTensor([numFeatures], 0));
    this.registerBuffer('running_mean', filledTensor([numFeatures], 0));
    this.registerBuffer('running_var', filledTensor([numFeatures], 1));
    this.registerBuffer('num_batches_tracked', Tensor.fromNDArray(NDArray.scalar('int64', 0)));
  }
  forward(input: unknown): unknown {
    return callOp('aten.batch_norm.default', [
      input,
      this.getParameter('weight'),
      this.getParameter('bias'),
      this.getBuffer('running_mean'),
      this.getBuffer('running_var'),
      this.training,
      this.momentum,
      this.eps,
      false,
    ]);
  }
}

export class Sequential extends Module {
  constructor(...mods: Module[]) {
    super();
    mods.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(input: unknown): unknown {
    let x = input;
    for (const [, m] of this.children()) x = m.call(x);
    return x;
  }
}
