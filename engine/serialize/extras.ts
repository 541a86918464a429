// What a loaded program carries from its file beyond ExportedProgramParts
// (module call graph, verifiers, versions, original symbol names), kept beside
// the program so that saving it again writes the same facts.

import { type ExportedProgram } from '../export/exported-program';
import type * as S from './schema';

export interface ProgramExtras {
  readonly moduleCallGraph: S.ModuleCallEntry[];
  readonly forwardArgNames: string[] | null;
  readonly verifiers: string[];
  readonly torchVersion: string;
  readonly schemaVersion: S.SchemaVersion;
  readonly opsetVersion: Record<string, number>;
  readonly graphModuleMetadata: Record<string, string>;
  readonly treespecNamedtupleFields: Record<string, S.NamedTupleDef>;
  readonly guardsCode: string[];
  /** The `data/sample_inputs/<m>.pt` record as it was (a torch.save pickle; empty for none). */
  sampleInputs?: Uint8Array;
  /** Why the sample inputs could not be decoded (the program then has no exampleInputs). */
  sampleInputsError?: string;
  /** Our symbol name → the name the file used (s0 → s27). */
  readonly symbolNames: ReadonlyMap<string, string>;
}

export const programExtras = new WeakMap<ExportedProgram, ProgramExtras>();
