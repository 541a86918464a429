// ExportGraphSignature: what each placeholder and each output of the graph means,
// as torch.export.graph_signature records it.

export type InputKind = 'USER_INPUT' | 'PARAMETER' | 'BUFFER' | 'CONSTANT_TENSOR' | 'CUSTOM_OBJ' | 'TOKEN';
export type OutputKind =
  | 'USER_OUTPUT'
  | 'LOSS_OUTPUT'
  | 'BUFFER_MUTATION'
  | 'PARAMETER_MUTATION'
  | 'GRADIENT_TO_PARAMETER'
  | 'GRADIENT_TO_USER_INPUT'
  | 'USER_INPUT_MUTATION'
  | 'TOKEN';

export interface InputSpec {
  readonly kind: InputKind;
  /** The placeholder's name. */
  readonly name: string;
  /** State-dict key / constant name / mutated input for non-user inputs. */
  readonly target?: string;
  /** Buffers and constant tensors: whether they are in the state dict. */
  readonly persistent?: boolean;
  /** For non-tensor user inputs: the constant value the program was specialised to. */
  readonly constantValue?: unknown;
}

export interface OutputSpec {
  readonly kind: OutputKind;
  /** Name of the node returned (or the constant's repr). */
  readonly name: string;
  readonly target?: string;
}

export interface GraphSignature {
  readonly inputSpecs: readonly InputSpec[];
  readonly outputSpecs: readonly OutputSpec[];
}

export function userInputs(sig: GraphSignature): string[] {
  return sig.inputSpecs.filter((s) => s.kind === 'USER_INPUT').map((s) => s.name);
}

/** `# inputs` / `# outputs` block as torch prints a graph signature. */
export function formatSignature(sig: GraphSignature): string {
  const lines = ['', '# inputs'];
  for (const s of sig.inputSpecs) {
    let line = `${s.name}: ${s.kind}`;
    if (s.target !== undefined) line += ` target='${s.target}'`;
    if (s.kind === 'BUFFER') line += ` persistent=${s.persistent ? 'True' : 'False'}`;
    lines.push(line);
  }
  lines.push('', '# outputs');
  for (const s of sig.outputSpecs) {
    let line = `${s.name}: ${s.kind}`;
    if (s.target !== undefined) line += ` target='${s.target}'`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
