/**
 * @hvlab/a64: the A64 decode table as data, a decoder built on it and a disassembler.
 * See README.md for the table format.
 */

export { bfxPreferred, decodeBitMasks, logicalImmediate, moveWidePreferred } from './bitmasks.js';
export { decode, entryMatches, extractField, field, fieldsOf, hasField } from './decoder.js';
export { disassemble, disassembleDecoded } from './disasm.js';
export { vfpExpandImm } from './disasm-simd.js';
export { INSN_IDS, type InsnId, isInsnId } from './ids.js';
export { SYS_OPS, type SysOp, sysOp } from './sys-ops.js';
export { HINTS, PSTATE_FIELDS } from './table/branch-sys.js';
export { INSN_TABLE } from './table/index.js';
export type { Decoded, Feature, FieldSpec, InsnEntry } from './types.js';
