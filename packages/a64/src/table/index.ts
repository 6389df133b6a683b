/**
 * INSN_TABLE: every A64 encoding hvlab decodes, one entry per encoding, split by the Arm ARM
 * C4.1 top-level encoding groups. Entries are pairwise disjoint (see types.ts), so the order
 * here is documentation only.
 */
import type { InsnEntry } from '../types.js';
import { BRANCH_SYS } from './branch-sys.js';
import { DP_IMM } from './dp-imm.js';
import { DP_REG } from './dp-reg.js';
import { LDST } from './ldst.js';
import { SIMD_FP } from './simd-fp.js';

export const INSN_TABLE: readonly InsnEntry[] = Object.freeze([
  ...DP_IMM,
  ...BRANCH_SYS,
  ...LDST,
  ...DP_REG,
  ...SIMD_FP,
]);
