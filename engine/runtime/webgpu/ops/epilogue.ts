// Activations applied as a conv/GEMM program stores its outputs (an epilogue),
// so that a conv → batch norm → activation chain is one dispatch (see
// conv-bn-fold.ts). Each is the same formula as the pointwise program's (NaN in,
// NaN out), written as `fn act_(v: f32) -> f32`; the activation is a
// compile-time fact and belongs to the program's cache key.

export type EpilogueAct = 'relu' | 'relu6' | 'hardswish' | 'silu';

const NAN_TEST = '(bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u';

const BODY: Record<EpilogueAct, string> = {
  relu: `select(0.0, v, v > 0.0 || ${NAN_TEST})`,
  relu6: `select(clamp(v, 0.0, 6.0), v, ${NAN_TEST})`,
  hardswish: '(v * clamp(v + 3.0, 0.0, 6.0) / 6.0)',
  silu: '(v / (1.0 + exp(min(-v, 88.0))))',
};

/** The WGSL of `act_` (empty without an activation). */
export function epilogueFn(act: EpilogueAct | undefined): string {
  return act ? `fn act_(v: f32) -> f32 { return ${BODY[act]}; }` : '';
}

/** `e` with the activation applied. */
export const applyAct = (act: EpilogueAct | undefined, e: string): string => (act ? `act_(${e})` : e);
