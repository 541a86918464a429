// The JSON schema of `models/<name>.json` in a .pt2 archive, as TypeScript types
// mirroring torch/_export/serde/schema.py (SCHEMA_VERSION 8.17, what torch 2.11
// writes). Field order here is the JSON key order the writer emits. Unions are
// single-key objects; IntEnums are numbers. Types only, plus the enum codes.

export const SCHEMA_VERSION = { major: 8, minor: 17 } as const;
/** torch_version the writer records (the corpus archives say 2.11.0+cu130). */
export const TORCH_VERSION = '2.11.0';
/** opset_version.aten: torch._C._get_max_operator_version(). */
export const ATEN_OPSET_VERSION = 10;

/** ScalarType codes (schema.ScalarType). */
export const SCALAR_TYPE = {
  UNKNOWN: 0,
  BYTE: 1,
  CHAR: 2,
  SHORT: 3,
  INT: 4,
  LONG: 5,
  HALF: 6,
  FLOAT: 7,
  DOUBLE: 8,
  COMPLEXHALF: 9,
  COMPLEXFLOAT: 10,
  COMPLEXDOUBLE: 11,
  BOOL: 12,
  BFLOAT16: 13,
  UINT16: 28,
  FLOAT8E4M3FN: 29,
  FLOAT8E5M2: 30,
  FLOAT8E4M3FNUZ: 31,
  FLOAT8E5M2FNUZ: 32,
  FLOAT8E8M0FNU: 33,
  UINT32: 34,
  UINT64: 35,
} as const;
export type ScalarType = number;

export const LAYOUT = { Unknown: 0, SparseCoo: 1, SparseCsr: 2, SparseCsc: 3, SparseBsr: 4, SparseBsc: 5, _mkldnn: 6, Strided: 7 } as const;
export type Layout = number;

export const MEMORY_FORMAT = { Unknown: 0, ContiguousFormat: 1, ChannelsLast: 2, ChannelsLast3d: 3, PreserveFormat: 4 } as const;
export type MemoryFormat = number;

export const ARGUMENT_KIND = { UNKNOWN: 0, POSITIONAL: 1, KEYWORD: 2 } as const;
export type ArgumentKind = number;

export interface Device {
  type: string;
  index: number | null;
}

export interface SymExprHint {
  as_int?: number;
  as_bool?: boolean;
  as_float?: number | string;
}

export interface SymExpr {
  expr_str: string;
  hint: SymExprHint | null;
}

export type SymInt = { as_expr: SymExpr } | { as_int: number };
export type SymFloat = { as_expr: SymExpr } | { as_float: number | string };
export type SymBool = { as_expr: SymExpr } | { as_bool: boolean };

export interface TensorMeta {
  dtype: ScalarType;
  sizes: SymInt[];
  requires_grad: boolean;
  device: Device;
  strides: SymInt[];
  storage_offset: SymInt;
  layout: Layout;
}

export type SymIntArgument = { as_name: string } | { as_int: number };
export type SymFloatArgument = { as_name: string } | { as_float: number | string };
export type SymBoolArgument = { as_name: string } | { as_bool: boolean };

export interface TensorArgument {
  name: string;
}
export interface TokenArgument {
  name: string;
}
export type OptionalTensorArgument = { as_tensor: TensorArgument } | { as_none: boolean };

export interface GraphArgument {
  name: string;
  graph: Graph;
}

export interface CustomObjArgument {
  name: string;
  class_fqn: string;
}

export interface ComplexValue {
  real: number | string;
  imag: number | string;
}

/** schema.Argument: exactly one key is present. */
export interface Argument {
  as_none?: boolean;
  as_tensor?: TensorArgument;
  as_tensors?: TensorArgument[];
  as_int?: number;
  as_ints?: number[];
  as_float?: number | string;
  as_floats?: Array<number | string>;
  as_string?: string;
  as_strings?: string[];
  as_sym_int?: SymIntArgument;
  as_sym_ints?: SymIntArgument[];
  as_scalar_type?: ScalarType;
  as_memory_format?: MemoryFormat;
  as_layout?: Layout;
  as_device?: Device;
  as_bool?: boolean;
  as_bools?: boolean[];
  as_sym_bool?: SymBoolArgument;
  as_sym_bools?: SymBoolArgument[];
  as_graph?: GraphArgument;
  as_optional_tensors?: OptionalTensorArgument[];
  as_custom_obj?: CustomObjArgument;
  as_operator?: string;
  as_sym_float?: SymFloatArgument;
  as_sym_floats?: SymFloatArgument[];
  as_optional_tensor?: OptionalTensorArgument;
  as_complex?: ComplexValue;
  as_nested_tensors?: TensorArgument[][];
  as_int_lists?: number[][];
  as_string_to_argument?: Record<string, Argument>;
  as_float_lists?: Array<Array<number | string>>;
}

export type ArgumentTag = keyof Argument;

export interface NamedArgument {
  name: string;
  arg: Argument;
  kind: ArgumentKind | null;
}

export interface Node {
  target: string;
  inputs: NamedArgument[];
  outputs: Argument[];
  metadata: Record<string, string>;
  is_hop_single_tensor_return: boolean | null;
  name: string | null;
}

export interface Graph {
  inputs: Argument[];
  outputs: Argument[];
  nodes: Node[];
  tensor_values: Record<string, TensorMeta>;
  sym_int_values: Record<string, SymInt>;
  sym_bool_values: Record<string, SymBool>;
  is_single_tensor_return: boolean;
  custom_obj_values: Record<string, CustomObjArgument>;
  sym_float_values: Record<string, SymFloat>;
}

export interface UserInputSpec {
  arg: Argument;
}
export interface InputToParameterSpec {
  arg: TensorArgument;
  parameter_name: string;
}
export interface InputToBufferSpec {
  arg: TensorArgument;
  buffer_name: string;
  persistent: boolean;
}
export interface InputToTensorConstantSpec {
  arg: TensorArgument;
  tensor_constant_name: string;
}
export interface InputToCustomObjSpec {
  arg: CustomObjArgument;
  custom_obj_name: string;
}
export interface InputTokenSpec {
  arg: TokenArgument;
}
export type ConstantValue = { as_none: boolean } | { as_int: number } | { as_float: number | string } | { as_string: string } | { as_bool: boolean };
export interface InputToConstantInputSpec {
  name: string;
  value: ConstantValue;
}

export interface InputSpec {
  user_input?: UserInputSpec;
  parameter?: InputToParameterSpec;
  buffer?: InputToBufferSpec;
  tensor_constant?: InputToTensorConstantSpec;
  custom_obj?: InputToCustomObjSpec;
  token?: InputTokenSpec;
  constant_input?: InputToConstantInputSpec;
}

export interface OutputSpec {
  user_output?: { arg: Argument };
  loss_output?: { arg: TensorArgument };
  buffer_mutation?: { arg: TensorArgument; buffer_name: string };
  gradient_to_parameter?: { arg: TensorArgument; parameter_name: string };
  gradient_to_user_input?: { arg: TensorArgument; user_input_name: string };
  user_input_mutation?: { arg: TensorArgument; user_input_name: string };
  token?: { arg: TokenArgument };
  parameter_mutation?: { arg: TensorArgument; parameter_name: string };
}

export interface GraphSignature {
  input_specs: InputSpec[];
  output_specs: OutputSpec[];
}

export interface RangeConstraint {
  min_val: number | null;
  max_val: number | null;
}

export interface ModuleCallSignature {
  inputs: Argument[];
  outputs: Argument[];
  /** pytree.treespec_dumps(spec): a JSON string. */
  in_spec: string;
  out_spec: string;
  forward_arg_names: string[] | null;
}

export interface ModuleCallEntry {
  fqn: string;
  signature: ModuleCallSignature | null;
}

export interface NamedTupleDef {
  field_names: string[];
}

export interface GraphModule {
  graph: Graph;
  signature: GraphSignature;
  module_call_graph: ModuleCallEntry[];
  metadata: Record<string, string>;
  treespec_namedtuple_fields: Record<string, NamedTupleDef>;
}

export interface SchemaVersion {
  major: number;
  minor: number;
}

export interface ExportedProgram {
  graph_module: GraphModule;
  opset_version: Record<string, number>;
  range_constraints: Record<string, RangeConstraint>;
  schema_version: SchemaVersion;
  verifiers: string[];
  torch_version: string;
  guards_code: string[];
}

/** Weights / constants config (`data/weights/<model>_weights_config.json`). */
export interface PayloadMeta {
  path_name: string;
  is_param: boolean;
  use_pickle: boolean;
  tensor_meta: TensorMeta | null;
}
export interface PayloadConfig {
  config: Record<string, PayloadMeta>;
}

/** pytree's _TreeSpecSchema (inside the in_spec / out_spec strings). */
export interface TreeSpecSchema {
  type: string | null;
  context: unknown;
  children_spec: TreeSpecSchema[];
}
