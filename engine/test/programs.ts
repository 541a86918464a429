// The corpus programs (../shared/corpus/torch-2.11 cases.json and exportdb.json)
// rebuilt through the TypeScript API: the same computations, calling ops the way
// PyTorch's Python layer calls them, so their exports can be checked against
// what PyTorch 2.11 recorded.

import { INT64_MAX } from '../ir/format';
import { callOp } from '../trace/dispatch';
import { Module } from '../trace/module';
import { type Tensor } from '../trace/tensor';
import { sizeAt, item, tensorToBool } from '../trace/python-semantics';
import { symBinary, symBool, torchCheck } from '../trace/sym-ops';
import { cond } from '../export/cond';
import { Dim } from '../symbolic/dim';
import { type BoolLike, type IntLike } from '../symbolic';
import { Conv2d, Linear, MaxPool2d, ReLU, BatchNorm1d, Sequential, filledTensor } from '../nn/layers';
import { pyList } from '../core/pytree';
import { CPU_DEVICE } from '../ops/movement';

const op = (name: string, ...args: unknown[]): Tensor => callOp(name, args) as Tensor;
const opKw = (name: string, args: unknown[], kwargs: Record<string, unknown>): Tensor => callOp(name, args, kwargs) as Tensor;
const add = (a: unknown, b: unknown) => op('aten.add.Tensor', a, b);
const sub = (a: unknown, b: unknown) => op('aten.sub.Tensor', a, b);
const mul = (a: unknown, b: unknown) => op('aten.mul.Tensor', a, b);
const sin = (a: unknown) => op('aten.sin.default', a);
const cos = (a: unknown) => op('aten.cos.default', a);
const gt = (a: unknown, b: IntLike) => symBinary('gt', a as IntLike, b) as BoolLike;
const cpuFactoryKw = { device: CPU_DEVICE, pin_memory: false };

export interface Program {
  /** Build a fresh module (weights as PyTorch would create them; overwritten from archives in tests). */
  make(): Module;
  /** dynamic_shapes as the corpus case declares it. */
  dynamicShapes?: () => Record<string, unknown> | unknown[];
  /** Export in eval mode (the corpus harness called .eval() where batch norm is involved). */
  eval?: boolean;
  /** The harness passed the single input itself instead of a tuple (an error case). */
  untupled?: boolean;
}

class SinCos extends Module {
  forward(x: Tensor, y: Tensor) {
    return add(sin(x), cos(y));
  }
}

class ConvKw extends Module {
  constructor() {
    super();
    this.registerModule('conv', new Conv2d(3, 16, 3, { padding: 1 }));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', new MaxPool2d(3));
  }
  forward(x: Tensor, kw: { constant: Tensor }) {
    const a = this.getModule('conv').call(x) as Tensor;
    op('aten.add_.Tensor', a, kw.constant);
    return this.getModule('maxpool').call(this.getModule('relu').call(a));
  }
}

class Branches extends Module {
  constructor() {
    super();
    this.registerModule('branch1', new Sequential(new Linear(64, 32), new ReLU()));
    this.registerModule('branch2', new Sequential(new Linear(128, 64), new ReLU()));
    this.setConstant('buffer', filledTensor([32], 1));
  }
  forward(x1: Tensor, x2: Tensor) {
    const out1 = this.getModule('branch1').call(x1);
    const out2 = this.getModule('branch2').call(x2);
    return [add(out1, this.getConstant('buffer')), out2];
  }
}

class Derived extends Module {
  forward(x: Tensor, y: Tensor) {
    return add(x, op('aten.slice.Tensor', y, 0, 1, INT64_MAX));
  }
}

class AddTen extends Module {
  forward(x: Tensor) {
    return add(x, 10);
  }
}

class ShapeBranch extends Module {
  forward(x: Tensor) {
    if (symBool(gt(sizeAt(x, 0), 5))) return add(x, 1);
    return sub(x, 1);
  }
}

class Prims extends Module {
  forward(x: Tensor, c: number, times: number) {
    for (let i = 0; i < times; i++) x = add(x, c);
    return x;
  }
  override forwardArgNames() {
    return ['x', 'const', 'times'];
  }
}

class DataDependent extends Module {
  forward(x: Tensor) {
    if (tensorToBool(op('aten.gt.Scalar', op('aten.sum.default', x), 0))) return sin(x);
    return cos(x);
  }
}

class CondOk extends Module {
  forward(x: Tensor) {
    return cond(op('aten.gt.Scalar', op('aten.sum.default', x), 0), (v) => sin(v), (v) => cos(v), [x]);
  }
}

class Specializes extends Module {
  forward(x: Tensor) {
    if (symBool(symBinary('eq', sizeAt(x, 0), 4) as BoolLike)) return add(x, 1);
    return sub(x, 1);
  }
}

class ItemSlice extends Module {
  forward(x: Tensor, k: Tensor) {
    const n = item(k) as IntLike;
    torchCheck(symBinary('ge', n, 0) as BoolLike);
    torchCheck(symBinary('le', n, sizeAt(x, 0)) as BoolLike);
    return mul(op('aten.slice.Tensor', x, 0, null, n), 2);
  }
}

class BufferMutation extends Module {
  constructor() {
    super();
    this.registerBuffer('count', filledTensor([1], 0));
    this.registerModule('bn', new BatchNorm1d(8));
  }
  forward(x: Tensor) {
    op('aten.add_.Tensor', this.getBuffer('count'), 1);
    return add(this.getModule('bn').call(x), this.getBuffer('count'));
  }
}

class InputMutation extends Module {
  forward(x: Tensor, y: Tensor) {
    op('aten.mul_.Tensor', x, 2);
    return add(x, y);
  }
}

class Views extends Module {
  forward(x: Tensor) {
    const y = op('aten.view.default', x, [sizeAt(x, 0), -1]);
    const z = op('aten.contiguous.default', op('aten.transpose.int', y, 0, 1));
    const w = op('aten.cat.default', [z, mul(z, 2)], 0);
    return [op('aten.softmax.int', w, -1), op('aten.mean.dim', w, [1], true), op('aten.slice.Tensor', op('aten.flatten.using_ints', x, 1), 1, 0, INT64_MAX, 2)];
  }
}

class NestedIO extends Module {
  forward(inputs: { a: Tensor; bc: [Tensor, Tensor] }) {
    const a = inputs.a;
    const [b, c] = inputs.bc;
    return { sum: add(a, b), prod: pyList([mul(b, c), op('aten.relu.default', c)]) };
  }
}

class ClassMethod extends Module {
  constructor() {
    super();
    this.registerModule('linear', new Linear(4, 2));
  }
  forward(x: Tensor) {
    x = this.getModule('linear').call(x) as Tensor;
    const method = (v: Tensor) => add(v, 1);
    return mul(mul(method(x), method(x)), method(x));
  }
}

class CondBranchClassMethod extends Module {
  forward(x: Tensor) {
    return cond(symBinary('le', sizeAt(x, 0), 2), (v) => cos(v), (v) => sin(v), [x]);
  }
}

class CondBranchNestedFunction extends Module {
  forward(x: Tensor) {
    return cond(symBinary('lt', sizeAt(x, 0), 10), (v) => add(x, v), (v) => sub(x, v), [x]);
  }
}

class CondClosedOverVariable extends Module {
  forward(pred: Tensor, x: Tensor) {
    return cond(pred, () => mul(x, 2), () => sub(x, 2), [add(x, 1)]);
  }
}

class CondOperands extends Module {
  forward(x: Tensor, y: Tensor) {
    return cond(gt(sizeAt(x, 0), 2), (a, b) => add(a, b), (a, b) => sub(a, b), [x, y]);
  }
}

class DynamicShapeAssert extends Module {
  forward(x: Tensor) {
    if (!symBool(gt(sizeAt(x, 0), 2))) throw new Error(`${String(sizeAt(x, 0))} is greater than 2`);
    if (!symBool(gt(sizeAt(x, 0), 1))) throw new Error('assert');
    return x;
  }
}

class DynamicShapeConstructor extends Module {
  forward(x: Tensor) {
    return opKw('aten.zeros.default', [[symBinary('mul', sizeAt(x, 0), 2)]], cpuFactoryKw);
  }
}

class DynamicShapeIfGuard extends Module {
  forward(x: Tensor) {
    if (symBool(symBinary('eq', sizeAt(x, 0), 3) as BoolLike)) return cos(x);
    return sin(x);
  }
}

class DynamicShapeSlicing extends Module {
  forward(x: Tensor) {
    const a = op('aten.slice.Tensor', x, 0, 0, symBinary('sub', sizeAt(x, 0), 2));
    return op('aten.slice.Tensor', a, 1, symBinary('sub', sizeAt(x, 1), 1), INT64_MAX, 2);
  }
}

class DynamicShapeView extends Module {
  forward(x: Tensor) {
    const shape = [...x.shape.slice(0, -1), 2, 5];
    return op('aten.permute.default', op('aten.view.default', x, shape), [0, 2, 1]);
  }
}

class FnWithKwargs extends Module {
  forward(pos0: Tensor, tuple0: Tensor[], ...rest: unknown[]) {
    const kw = rest.pop() as Record<string, Tensor>;
    let out = pos0;
    for (const a of tuple0) out = mul(out, a);
    for (const a of rest) out = mul(out, a);
    out = mul(out, kw.mykw0);
    return mul(mul(out, kw.input0), kw.input1);
  }
  override forwardArgNames() {
    return ['pos0', 'tuple0', '...myargs'];
  }
}

class ModelAttrMutation extends Module {
  forward(x: Tensor) {
    const list = [opKw('aten.zeros.default', [[3, 2]], cpuFactoryKw), opKw('aten.zeros.default', [[3, 2]], cpuFactoryKw)];
    return add(op('aten.sum.default', x), op('aten.sum.default', list[0]));
  }
}

class PytreeFlatten extends Module {
  forward(x: [Record<string, Tensor>]) {
    const leaves = Object.values(x[0]);
    return add(leaves[0], 1);
  }
}

class ScalarOutput extends Module {
  forward(x: Tensor) {
    return symBinary('add', sizeAt(x, 1), 1);
  }
}

class SpecializedAttribute extends Module {
  readonly a = 'moo';
  readonly b = 4;
  forward(x: Tensor) {
    if (this.a === 'moo') return add(mul(x, x), this.b);
    throw new Error('bad');
  }
}

class StaticForLoop extends Module {
  forward(x: Tensor) {
    return pyList(Array.from({ length: 10 }, (_, i) => add(x, i)));
  }
}

class TensorSetattr extends Module {
  forward(x: Tensor, attr: string) {
    void attr;
    opKw('aten.randn.default', [[3, 2]], cpuFactoryKw);
    return add(x, 4);
  }
}

class TypeReflectionMethod extends Module {
  forward(x: Tensor) {
    return add(x, 1);
  }
}

class UserInputMutation extends Module {
  forward(x: Tensor) {
    op('aten.mul_.Tensor', x, 2);
    return cos(x);
  }
}

const mk = (C: new () => Module, extra: Omit<Program, 'make'> = {}): Program => ({ make: () => new C(), ...extra });

/** cases.json programs by name. */
export const CASE_PROGRAMS: Record<string, Program> = {
  seed_sin_cos: mk(SinCos),
  seed_conv_kwargs: mk(ConvKw),
  seed_context_manager: mk(
    class WithCtx extends Module {
      forward(x: Tensor) {
        return add(sin(x), cos(x));
      }
    },
  ),
  seed_dynamic_batch: mk(Branches, {
    dynamicShapes: () => {
      const batch = new Dim('batch');
      return { x1: { 0: batch }, x2: { 0: batch } };
    },
  }),
  seed_derived_dim: mk(Derived, {
    dynamicShapes: () => {
      const dimx = new Dim('dimx', { min: 3, max: 6 });
      return [{ 0: dimx }, { 0: dimx.plus(1) }];
    },
  }),
  seed_save_add_ten_untupled: mk(AddTen, { untupled: true }),
  seed_save_add_ten: mk(AddTen),
  seed_shape_branch: mk(ShapeBranch),
  seed_primitives: mk(Prims),
  err_data_dependent: mk(DataDependent),
  cond_data: mk(CondOk),
  err_constraint_violation: mk(Specializes, { dynamicShapes: () => [{ 0: new Dim('b') }] }),
  err_shape_branch_dynamic: mk(ShapeBranch, { dynamicShapes: () => [{ 0: new Dim('n') }] }),
  item_slice: mk(ItemSlice),
  buffer_mutation: mk(BufferMutation, { eval: true }),
  input_mutation: mk(InputMutation),
  views: mk(Views, { dynamicShapes: () => [{ 0: new Dim('b', { max: 100 }) }] }),
  nested_io: mk(NestedIO),
};

/** exportdb.json programs by name (those expressible without Python-only features). */
export const EXPORTDB_PROGRAMS: Record<string, Program> = {
  class_method: mk(ClassMethod),
  cond_branch_class_method: mk(CondBranchClassMethod),
  cond_branch_nested_function: mk(CondBranchNestedFunction),
  cond_closed_over_variable: mk(CondClosedOverVariable),
  cond_operands: mk(CondOperands, { dynamicShapes: () => ({ x: { 0: new Dim('dim0_x') }, y: null }) }),
  dynamic_shape_assert: mk(DynamicShapeAssert),
  dynamic_shape_constructor: mk(DynamicShapeConstructor),
  dynamic_shape_if_guard: mk(DynamicShapeIfGuard),
  dynamic_shape_slicing: mk(DynamicShapeSlicing),
  dynamic_shape_view: mk(DynamicShapeView),
  fn_with_kwargs: mk(FnWithKwargs),
  model_attr_mutation: mk(ModelAttrMutation),
  null_context_manager: mk(
    class NullContextManager extends Module {
      forward(x: Tensor) {
        return add(sin(x), cos(x));
      }
    },
  ),
  pytree_flatten: mk(PytreeFlatten),
  scalar_output: mk(ScalarOutput, { dynamicShapes: () => ({ x: { 1: new Dim('dim1_x') } }) }),
  specialized_attribute: mk(SpecializedAttribute),
  static_for_loop: mk(StaticForLoop),
  tensor_setattr: mk(TensorSetattr),
  type_reflection_method: mk(TypeReflectionMethod),
  user_input_mutation: mk(UserInputMutation),
};
