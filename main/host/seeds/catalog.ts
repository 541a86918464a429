// The built-in examples ("seeds"): each is a complete Python model file shown in the
// editor, paired with the same computation written against the engine's TypeScript
// API. Until the Python front end (engine/python) is available, the host exports an
// unmodified seed through its TypeScript twin: the document must match the seed
// except for the dynamic-shapes block, the example inputs and the declared integer
// parameters (N_BLOCKS = 300), which the twin reads from the document.
// See Note [Seed twins] in seed-export.ts.

import { INT64_MAX } from '../../../engine/ir/format';
import { callOp } from '../../../engine/trace/dispatch';
import { Module } from '../../../engine/trace/module';
import { type Tensor } from '../../../engine/trace/tensor';
import { sizeAt, tensorToBool } from '../../../engine/trace/python-semantics';
import { symBinary, symBool } from '../../../engine/trace/sym-ops';
import { cond } from '../../../engine/export/cond';
import { type BoolLike } from '../../../engine/symbolic';
import { BatchNorm1d, Conv2d, Linear, MaxPool2d, ReLU, Sequential, filledTensor } from '../../../engine/nn/layers';
import { pyList } from '../../../engine/core/pytree';
import type { SourceCursor } from './source-cursor';

const op = (name: string, ...args: unknown[]): Tensor => callOp(name, args) as Tensor;

export interface SeedParam {
  min: number;
  max: number;
}

export interface SeedProgram {
  id: string;
  title: string;
  summary: string;
  tags: string[];
  source: string;
  /** Integer module-level constants the document may change, with their allowed range. */
  params?: Record<string, SeedParam>;
  /** Build the module; `params` holds the document's values of the declared params. */
  build(py: SourceCursor, params: Record<string, number>): Module;
}

const HEADER = `import torch
from torch.export import Dim, export
`;

const FOOTER = `
# pt2 export model.py -o model.pt2   (or: ep = export(model, example_args, dynamic_shapes=dynamic_shapes))
`;

function block(lines: string[]): string {
  return ['# -- dynamic shapes (kept in sync with the Dim panel) --', ...lines, '# -- end dynamic shapes --'].join('\n');
}

//#region sin_cos
class SinCos extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor, y: Tensor) {
    this.py.at('a = torch.sin(x)');
    const a = op('aten.sin.default', x);
    this.py.at('b = torch.cos(y)');
    const b = op('aten.cos.default', y);
    this.py.at('return a + b');
    return op('aten.add.Tensor', a, b);
  }
  override get className() {
    return 'SinCos';
  }
}
const SIN_COS = `${HEADER}

class SinCos(torch.nn.Module):
    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        a = torch.sin(x)
        b = torch.cos(y)
        return a + b


model = SinCos()
example_args = (torch.randn(10, 10), torch.randn(10, 10))
${FOOTER}`;
//#endregion

//#region dynamic_batch
class Branches extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
    this.registerModule('branch1', new Sequential(new Linear(64, 32), new ReLU()));
    this.registerModule('branch2', new Sequential(new Linear(128, 64), new ReLU()));
    this.setConstant('buffer', filledTensor([32], 1));
  }
  forward(x1: Tensor, x2: Tensor) {
    this.py.at('out1 = self.branch1(x1)');
    const out1 = this.getModule('branch1').call(x1);
    this.py.at('out2 = self.branch2(x2)');
    const out2 = this.getModule('branch2').call(x2);
    this.py.at('return (out1 + self.buffer, out2)');
    return [op('aten.add.Tensor', out1, this.getConstant('buffer')), out2];
  }
  override get className() {
    return 'Branches';
  }
}
const DYNAMIC_BATCH = `${HEADER}

class Branches(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.branch1 = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU())
        self.branch2 = torch.nn.Sequential(torch.nn.Linear(128, 64), torch.nn.ReLU())
        self.buffer = torch.ones(32)

    def forward(self, x1, x2):
        out1 = self.branch1(x1)
        out2 = self.branch2(x2)
        return (out1 + self.buffer, out2)


model = Branches()
example_args = (torch.randn(32, 64), torch.randn(32, 128))

${block(['batch = Dim("batch")', 'dynamic_shapes = {"x1": {0: batch}, "x2": {0: batch}}'])}
${FOOTER}`;
//#endregion

//#region derived_dim
class Derived extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor, y: Tensor) {
    this.py.at('return x + y[1:]');
    return op('aten.add.Tensor', x, op('aten.slice.Tensor', y, 0, 1, INT64_MAX));
  }
  override get className() {
    return 'Derived';
  }
}
const DERIVED_DIM = `${HEADER}

class Derived(torch.nn.Module):
    def forward(self, x, y):
        return x + y[1:]


model = Derived()
example_args = (torch.randn(5), torch.randn(6))

${block(['dimx = Dim("dimx", min=3, max=6)', 'dynamic_shapes = {"x": {0: dimx}, "y": {0: dimx + 1}}'])}
${FOOTER}`;
//#endregion

//#region conv_kwargs
class ConvKw extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
    this.registerModule('conv', new Conv2d(3, 16, 3, { padding: 1 }));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', new MaxPool2d(3));
  }
  forward(x: Tensor, kw: { constant: Tensor }) {
    this.py.at('a = self.conv(x)');
    const a = this.getModule('conv').call(x) as Tensor;
    this.py.at('a.add_(constant)');
    op('aten.add_.Tensor', a, kw.constant);
    this.py.at('return self.maxpool(self.relu(a))');
    return this.getModule('maxpool').call(this.getModule('relu').call(a));
  }
  override forwardArgNames() {
    return ['x'];
  }
  override get className() {
    return 'ConvKw';
  }
}
const CONV_KWARGS = `${HEADER}

class ConvKw(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels=3, out_channels=16, kernel_size=3, padding=1)
        self.relu = torch.nn.ReLU()
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3)

    def forward(self, x: torch.Tensor, *, constant=None) -> torch.Tensor:
        a = self.conv(x)
        a.add_(constant)
        return self.maxpool(self.relu(a))


model = ConvKw()
example_args = (torch.randn(1, 3, 64, 64),)
example_kwargs = {"constant": torch.ones(1, 16, 64, 64)}
${FOOTER}`;
//#endregion

//#region shape guard (constraint violation with a range fix)
class ShapeBranch extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor) {
    this.py.at('if x.shape[0] > 5:');
    if (symBool(symBinary('gt', sizeAt(x, 0), 5) as BoolLike)) {
      this.py.at('return x + 1');
      return op('aten.add.Tensor', x, 1);
    }
    this.py.at('return x - 1');
    return op('aten.sub.Tensor', x, 1);
  }
  override get className() {
    return 'ShapeBranch';
  }
}
const SHAPE_GUARD = `${HEADER}

class ShapeBranch(torch.nn.Module):
    def forward(self, x):
        if x.shape[0] > 5:
            return x + 1
        else:
            return x - 1


model = ShapeBranch()
example_args = (torch.randn(10, 2),)

${block(['n = Dim("n")', 'dynamic_shapes = {"x": {0: n}}'])}
${FOOTER}`;
//#endregion

//#region specialization (constraint violation: dim becomes a constant)
class Specializes extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor) {
    this.py.at('if x.shape[0] == 4:');
    if (symBool(symBinary('eq', sizeAt(x, 0), 4) as BoolLike)) {
      this.py.at('return x + 1');
      return op('aten.add.Tensor', x, 1);
    }
    this.py.at('return x - 1');
    return op('aten.sub.Tensor', x, 1);
  }
  override get className() {
    return 'Specializes';
  }
}
const SPECIALIZES = `${HEADER}

class Specializes(torch.nn.Module):
    def forward(self, x):
        if x.shape[0] == 4:
            return x + 1
        return x - 1


model = Specializes()
example_args = (torch.randn(4, 3),)

${block(['b = Dim("b")', 'dynamic_shapes = {"x": {0: b}}'])}
${FOOTER}`;
//#endregion

//#region data-dependent branch (error) and torch.cond (the fix)
class DataDependent extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor) {
    this.py.at('if x.sum() > 0:');
    if (tensorToBool(op('aten.gt.Scalar', op('aten.sum.default', x), 0))) {
      this.py.at('return x.sin()');
      return op('aten.sin.default', x);
    }
    this.py.at('return x.cos()');
    return op('aten.cos.default', x);
  }
  override get className() {
    return 'DataDependent';
  }
}
const DATA_DEPENDENT = `${HEADER}

class DataDependent(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x.sin()
        return x.cos()


model = DataDependent()
example_args = (torch.randn(4),)
${FOOTER}`;

class CondOk extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor) {
    this.py.at('return torch.cond(x.sum() > 0, true_fn, false_fn, (x,))');
    const pred = op('aten.gt.Scalar', op('aten.sum.default', x), 0);
    const back = this.py.current;
    const out = cond(
      pred,
      (v) => {
        this.py.at('return x.sin()', 'CondBranches', 'true_fn');
        return op('aten.sin.default', v);
      },
      (v) => {
        this.py.at('return x.cos() * 2', 'CondBranches', 'false_fn');
        return op('aten.mul.Tensor', op('aten.cos.default', v), 2);
      },
      [x],
    );
    this.py.current = back;
    return out;
  }
  override get className() {
    return 'CondBranches';
  }
}
const COND = `${HEADER}

class CondBranches(torch.nn.Module):
    def forward(self, x):
        def true_fn(x):
            return x.sin()

        def false_fn(x):
            return x.cos() * 2

        return torch.cond(x.sum() > 0, true_fn, false_fn, (x,))


model = CondBranches()
example_args = (torch.randn(4, 8),)

${block(['batch = Dim("batch", min=2, max=64)', 'dynamic_shapes = {"x": {0: batch}}'])}
${FOOTER}`;
//#endregion

//#region views
class Views extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(x: Tensor) {
    this.py.at('y = x.view(x.shape[0], -1)');
    const y = op('aten.view.default', x, [sizeAt(x, 0), -1]);
    this.py.at('z = y.transpose(0, 1).contiguous()');
    const z = op('aten.contiguous.default', op('aten.transpose.int', y, 0, 1));
    this.py.at('w = torch.cat([z, z * 2], dim=0)');
    const w = op('aten.cat.default', [z, op('aten.mul.Tensor', z, 2)], 0);
    this.py.at('return w.softmax(-1), w.mean(dim=1, keepdim=True), torch.flatten(x, 1)[:, ::2]');
    return [
      op('aten.softmax.int', w, -1),
      op('aten.mean.dim', w, [1], true),
      op('aten.slice.Tensor', op('aten.flatten.using_ints', x, 1), 1, 0, INT64_MAX, 2),
    ];
  }
  override get className() {
    return 'Views';
  }
}
const VIEWS = `${HEADER}

class Views(torch.nn.Module):
    def forward(self, x):
        y = x.view(x.shape[0], -1)
        z = y.transpose(0, 1).contiguous()
        w = torch.cat([z, z * 2], dim=0)
        return w.softmax(-1), w.mean(dim=1, keepdim=True), torch.flatten(x, 1)[:, ::2]


model = Views()
example_args = (torch.randn(4, 3, 2),)

${block(['b = Dim("b", max=100)', 'dynamic_shapes = {"x": {0: b}}'])}
${FOOTER}`;
//#endregion

//#region buffer mutation
class BufferMutation extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
    this.registerBuffer('count', filledTensor([1], 0));
    this.registerModule('bn', new BatchNorm1d(8));
  }
  forward(x: Tensor) {
    this.py.at('self.count.add_(1)');
    op('aten.add_.Tensor', this.getBuffer('count'), 1);
    this.py.at('return self.bn(x) + self.count');
    return op('aten.add.Tensor', this.getModule('bn').call(x), this.getBuffer('count'));
  }
  override get className() {
    return 'BufferMutation';
  }
}
const BUFFER_MUTATION = `${HEADER}

class BufferMutation(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", torch.zeros(1))
        self.bn = torch.nn.BatchNorm1d(8)

    def forward(self, x):
        self.count.add_(1)
        return self.bn(x) + self.count


model = BufferMutation().eval()
example_args = (torch.randn(4, 8),)
${FOOTER}`;
//#endregion

//#region nested inputs
class NestedIO extends Module {
  constructor(private readonly py: SourceCursor) {
    super();
  }
  forward(inputs: { a: Tensor; bc: [Tensor, Tensor] }) {
    this.py.at('a = inputs["a"]');
    const a = inputs.a;
    this.py.at('b, c = inputs["bc"]');
    const [b, c] = inputs.bc;
    this.py.at('return {"sum": a + b, "prod": [b * c, c.relu()]}');
    return { sum: op('aten.add.Tensor', a, b), prod: pyList([op('aten.mul.Tensor', b, c), op('aten.relu.default', c)]) };
  }
  override get className() {
    return 'NestedIO';
  }
}
const NESTED_IO = `${HEADER}

class NestedIO(torch.nn.Module):
    def forward(self, inputs):
        a = inputs["a"]
        b, c = inputs["bc"]
        return {"sum": a + b, "prod": [b * c, c.relu()]}


model = NestedIO()
example_args = ({"a": torch.randn(3, 4), "bc": (torch.randn(3, 4), torch.randn(3, 4))},)

${block(['rows = Dim("rows", min=2, max=512)', 'dynamic_shapes = {"inputs": {"a": {0: rows}, "bc": ({0: rows}, {0: rows})}}'])}
${FOOTER}`;
//#endregion

//#region deep MLP (a large graph)
class LayerNorm extends Module {
  constructor(readonly width: number) {
    super();
    this.registerParameter('weight', filledTensor([width], 1));
    this.registerParameter('bias', filledTensor([width], 0));
  }
  forward(x: unknown) {
    return callOp('aten.layer_norm.default', [x, [this.width], this.getParameter('weight'), this.getParameter('bias'), 1e-5]);
  }
}

class Block extends Module {
  constructor(
    private readonly py: SourceCursor,
    width: number,
  ) {
    super();
    this.registerModule('norm', new LayerNorm(width));
    this.registerModule('fc1', new Linear(width, width));
    this.registerModule('act', new ReLU());
    this.registerModule('fc2', new Linear(width, width));
  }
  forward(x: Tensor) {
    this.py.at('h = self.fc2(self.act(self.fc1(self.norm(x))))', 'Block');
    const h = this.getModule('fc2').call(this.getModule('act').call(this.getModule('fc1').call(this.getModule('norm').call(x))));
    this.py.at('return x + h', 'Block');
    return op('aten.add.Tensor', x, h);
  }
  override get className() {
    return 'Block';
  }
}

class DeepMLP extends Module {
  constructor(
    private readonly py: SourceCursor,
    nBlocks: number,
    width: number,
  ) {
    super();
    const blocks: Module[] = [];
    for (let i = 0; i < nBlocks; i++) blocks.push(new Block(py, width));
    this.registerModule('blocks', new Sequential(...blocks));
    this.registerModule('head', new Linear(width, 10));
  }
  forward(x: Tensor) {
    const out = this.getModule('blocks').call(x);
    this.py.at('return self.head(self.blocks(x)).softmax(-1)', 'DeepMLP');
    return op('aten.softmax.int', this.getModule('head').call(out), -1);
  }
  override get className() {
    return 'DeepMLP';
  }
}
const DEEP_MLP = `${HEADER}
N_BLOCKS = 240
WIDTH = 32


class Block(torch.nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width)
        self.fc1 = torch.nn.Linear(width, width)
        self.act = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(width, width)

    def forward(self, x):
        h = self.fc2(self.act(self.fc1(self.norm(x))))
        return x + h


class DeepMLP(torch.nn.Module):
    def __init__(self, n_blocks, width):
        super().__init__()
        self.blocks = torch.nn.Sequential(*[Block(width) for _ in range(n_blocks)])
        self.head = torch.nn.Linear(width, 10)

    def forward(self, x):
        return self.head(self.blocks(x)).softmax(-1)


model = DeepMLP(N_BLOCKS, WIDTH)
example_args = (torch.randn(16, WIDTH),)

${block(['batch = Dim("batch", min=1, max=1024)', 'dynamic_shapes = {"x": {0: batch}}'])}
${FOOTER}`;
//#endregion

/** The catalog, in the order the example picker lists it. */
export const SEEDS: readonly SeedProgram[] = [
  {
    id: 'sin_cos',
    title: 'Sin + cos',
    summary: 'The smallest program: two inputs, three ops.',
    tags: ['basics'],
    source: SIN_COS,
    build: (py) => new SinCos(py),
  },
  {
    id: 'dynamic_batch',
    title: 'Two branches, dynamic batch',
    summary: 'Linear + ReLU branches sharing one Dim("batch"), a lifted constant.',
    tags: ['dynamic shapes', 'nn.Module'],
    source: DYNAMIC_BATCH,
    build: (py) => new Branches(py),
  },
  {
    id: 'derived_dim',
    title: 'Derived dim (dimx + 1)',
    summary: 'y is one longer than x: a derived Dim with a bounded range.',
    tags: ['dynamic shapes'],
    source: DERIVED_DIM,
    build: (py) => new Derived(py),
  },
  {
    id: 'shape_guard',
    title: 'Shape guard → range fix',
    summary: 'A branch on x.shape[0] narrows Dim("n"); export suggests Dim("n", min=6).',
    tags: ['errors', 'suggested fixes'],
    source: SHAPE_GUARD,
    build: (py) => new ShapeBranch(py),
  },
  {
    id: 'specializes',
    title: 'Specialized dim → static fix',
    summary: 'x.shape[0] == 4 turns Dim("b") into a constant; export suggests b = 4.',
    tags: ['errors', 'suggested fixes'],
    source: SPECIALIZES,
    build: (py) => new Specializes(py),
  },
  {
    id: 'data_dependent',
    title: 'Data-dependent branch (error)',
    summary: 'if x.sum() > 0 cannot be traced: a GuardOnDataDependentSymNode on that line.',
    tags: ['errors'],
    source: DATA_DEPENDENT,
    build: (py) => new DataDependent(py),
  },
  {
    id: 'cond',
    title: 'torch.cond branches',
    summary: 'The data-dependent branch done right: both branches become subgraphs.',
    tags: ['control flow'],
    source: COND,
    build: (py) => new CondOk(py),
  },
  {
    id: 'conv_kwargs',
    title: 'Conv2d with a keyword input',
    summary: 'Conv2d → in-place add of a keyword input → ReLU → MaxPool2d.',
    tags: ['nn.Module', 'kwargs', 'mutation'],
    source: CONV_KWARGS,
    build: (py) => new ConvKw(py),
  },
  {
    id: 'views',
    title: 'Views, cat and softmax',
    summary: 'view / transpose / cat / softmax / mean / strided slicing on a dynamic batch.',
    tags: ['dynamic shapes', 'views'],
    source: VIEWS,
    build: (py) => new Views(py),
  },
  {
    id: 'buffer_mutation',
    title: 'Buffer mutation + BatchNorm',
    summary: 'An in-place buffer update becomes a BUFFER_MUTATION output.',
    tags: ['mutation', 'nn.Module'],
    source: BUFFER_MUTATION,
    build: (py) => {
      const m = new BufferMutation(py);
      m.eval();
      return m;
    },
  },
  {
    id: 'nested_io',
    title: 'Nested inputs and outputs',
    summary: 'A dict of tensors and a tuple in, a dict with a list out.',
    tags: ['pytrees', 'dynamic shapes'],
    source: NESTED_IO,
    build: (py) => new NestedIO(py),
  },
  {
    id: 'deep_mlp',
    title: 'Deep residual MLP (1,200+ ops)',
    summary: 'N_BLOCKS residual blocks: a large graph grouped by nn_module_stack.',
    tags: ['large graph', 'nn.Module'],
    source: DEEP_MLP,
    params: { N_BLOCKS: { min: 1, max: 20000 }, WIDTH: { min: 1, max: 256 } },
    build: (py, params) => new DeepMLP(py, params.N_BLOCKS!, params.WIDTH!),
  },
];
