/**
 * Operation tables of the Advanced SIMD and cryptographic encoding classes (Arm ARM DDI 0487
 * C4.1.96 "Data Processing -- Scalar Floating-Point and Advanced SIMD").
 *
 * Each class has one lookup function from the word to a SimdOp (mnemonic + operand format) or
 * undefined when the Arm ARM's class table leaves that combination unallocated or reserved. The
 * same functions serve as the decode constraints (table/simd.ts) and drive the disassembler
 * (disasm-simd.ts), so allocation and text cannot disagree.
 *
 * Element sizes follow the class tables: `size` 00/01/10/11 = B/H/S/D; size:Q = 11:0 (1D) is
 * reserved unless noted; floating-point forms use size<1> as an opcode bit and size<0> (sz) as
 * S/D, with sz:Q = 1:0 reserved. FP16 forms (FEAT_FP16), dot products, FHM, BF16, I8MM, RDM,
 * FCMA and the SHA3/SM3/SM4/SHA512 crypto are decoded as the Arm ARM allocates them; the backend
 * UNDEFs all of them while FEAT_AdvSIMD is absent.
 */
import { x } from './util.js';

export interface SimdOp {
  readonly mn: string;
  /** Operand format, interpreted per class by disasm-simd.ts. */
  readonly fmt: string;
}

const op = (mn: string, fmt: string): SimdOp => ({ mn, fmt });

/** Size sets: bit n set = size n allowed. */
const S_ALL = 0b1111;
const S_BHS = 0b0111;
const S_HS = 0b0110;
const S_B = 0b0001;
const S_D = 0b1000;
const S_BH = 0b0011;

type Row = readonly [mn: string, sizes: number];

function table(rows: Record<number, Row>): ReadonlyMap<number, Row> {
  return new Map(Object.entries(rows).map(([k, v]) => [Number(k), v]));
}

// ── AdvSIMD three same (0 Q U 01110 size 1 Rm opcode 1 Rn Rd) ────────────────────────────
// Key: U:opcode (6 bits).
const THREE_SAME_INT = table({
  0: ['shadd', S_BHS],
  1: ['sqadd', S_ALL],
  2: ['srhadd', S_BHS],
  4: ['shsub', S_BHS],
  5: ['sqsub', S_ALL],
  6: ['cmgt', S_ALL],
  7: ['cmge', S_ALL],
  8: ['sshl', S_ALL],
  9: ['sqshl', S_ALL],
  10: ['srshl', S_ALL],
  11: ['sqrshl', S_ALL],
  12: ['smax', S_BHS],
  13: ['smin', S_BHS],
  14: ['sabd', S_BHS],
  15: ['saba', S_BHS],
  16: ['add', S_ALL],
  17: ['cmtst', S_ALL],
  18: ['mla', S_BHS],
  19: ['mul', S_BHS],
  20: ['smaxp', S_BHS],
  21: ['sminp', S_BHS],
  22: ['sqdmulh', S_HS],
  23: ['addp', S_ALL],
  32: ['uhadd', S_BHS],
  33: ['uqadd', S_ALL],
  34: ['urhadd', S_BHS],
  36: ['uhsub', S_BHS],
  37: ['uqsub', S_ALL],
  38: ['cmhi', S_ALL],
  39: ['cmhs', S_ALL],
  40: ['ushl', S_ALL],
  41: ['uqshl', S_ALL],
  42: ['urshl', S_ALL],
  43: ['uqrshl', S_ALL],
  44: ['umax', S_BHS],
  45: ['umin', S_BHS],
  46: ['uabd', S_BHS],
  47: ['uaba', S_BHS],
  48: ['sub', S_ALL],
  49: ['cmeq', S_ALL],
  50: ['mls', S_BHS],
  51: ['pmul', S_B],
  52: ['umaxp', S_BHS],
  53: ['uminp', S_BHS],
  54: ['sqrdmulh', S_HS],
});
const THREE_SAME_LOGIC = [
  ['and', 'bic', 'orr', 'orn'],
  ['eor', 'bsl', 'bit', 'bif'],
] as const;
/** FP three same, opcode 11xxx: [U][a][opcode<2:0>]; '' = unallocated. */
const THREE_SAME_FP = [
  [
    ['fmaxnm', 'fmla', 'fadd', 'fmulx', 'fcmeq', '', 'fmax', 'frecps'],
    ['fminnm', 'fmls', 'fsub', '', '', '', 'fmin', 'frsqrts'],
  ],
  [
    ['fmaxnmp', '', 'faddp', 'fmul', 'fcmge', 'facge', 'fmaxp', 'fdiv'],
    ['fminnmp', '', 'fabd', '', 'fcmgt', 'facgt', 'fminp', ''],
  ],
] as const;

/** 'int' | 'logic' | 'mov' (ORR Vd, Vn, Vn) | 'fp' | 'fhm' (FMLAL: .2s/.4s from .2h/.4h). */
export function simd3Same(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 11, 5);
  if (opcode === 0b00011) {
    const mn = THREE_SAME_LOGIC[u]![size]!;
    return op(mn, mn === 'orr' && x(w, 16, 5) === x(w, 5, 5) ? 'mov' : 'logic');
  }
  if (opcode >= 0b11000) {
    const a = size >> 1;
    const sz = size & 1;
    const low = opcode & 7;
    // FMLAL/FMLSL (U=0, opcode 11101) and FMLAL2/FMLSL2 (U=1, opcode 11001): FEAT_FHM, sz = 0.
    if ((u === 0 && low === 0b101) || (u === 1 && low === 0b001)) {
      if (sz !== 0) return undefined;
      return op(`${a ? 'fmlsl' : 'fmlal'}${u ? '2' : ''}`, 'fhm');
    }
    const mn = THREE_SAME_FP[u]![a]![low]!;
    if (mn === '' || (sz === 1 && q === 0)) return undefined;
    return op(mn, 'fp');
  }
  const row = THREE_SAME_INT.get((u << 5) | opcode);
  if (!row || !((row[1] >> size) & 1) || (size === 3 && q === 0)) return undefined;
  return op(row[0], 'int');
}

// ── AdvSIMD three same (FP16) (0 Q U 01110 a 10 Rm 00 opcode 1 Rn Rd) ─────────────────────
const THREE_SAME_FP16 = [
  [
    ['fmaxnm', 'fmla', 'fadd', 'fmulx', 'fcmeq', '', 'fmax', 'frecps'],
    ['fminnm', 'fmls', 'fsub', '', '', '', 'fmin', 'frsqrts'],
  ],
  [
    ['fmaxnmp', '', 'faddp', 'fmul', 'fcmge', 'facge', 'fmaxp', 'fdiv'],
    ['fminnmp', '', 'fabd', '', 'fcmgt', 'facgt', 'fminp', ''],
  ],
] as const;
export function simd3SameFp16(w: number): SimdOp | undefined {
  const mn = THREE_SAME_FP16[x(w, 29, 1)]![x(w, 23, 1)]![x(w, 11, 3)]!;
  return mn ? op(mn, 'h') : undefined;
}
/** Scalar three same FP16: only the scalar forms (FMULX, FCMxx, FACxx, FRECPS, FRSQRTS, FABD). */
export function simdS3SameFp16(w: number): SimdOp | undefined {
  const u = x(w, 29, 1);
  const a = x(w, 23, 1);
  const o = x(w, 11, 3);
  const mn = THREE_SAME_FP16[u]![a]![o]!;
  const scalar = ['fmulx', 'fcmeq', 'frecps', 'frsqrts', 'fcmge', 'facge', 'fabd', 'fcmgt', 'facgt'];
  return mn && scalar.includes(mn) ? op(mn, 'h') : undefined;
}

// ── AdvSIMD scalar three same (01 U 11110 size 1 Rm opcode 1 Rn Rd) ──────────────────────
const S_THREE_SAME_INT = table({
  1: ['sqadd', S_ALL],
  5: ['sqsub', S_ALL],
  6: ['cmgt', S_D],
  7: ['cmge', S_D],
  8: ['sshl', S_D],
  9: ['sqshl', S_ALL],
  10: ['srshl', S_D],
  11: ['sqrshl', S_ALL],
  16: ['add', S_D],
  17: ['cmtst', S_D],
  22: ['sqdmulh', S_HS],
  33: ['uqadd', S_ALL],
  37: ['uqsub', S_ALL],
  38: ['cmhi', S_D],
  39: ['cmhs', S_D],
  40: ['ushl', S_D],
  41: ['uqshl', S_ALL],
  42: ['urshl', S_D],
  43: ['uqrshl', S_ALL],
  48: ['sub', S_D],
  49: ['cmeq', S_D],
  54: ['sqrdmulh', S_HS],
});
/** Scalar FP three same: [U][a][opcode<2:0>] for opcode 11xxx. */
const S_THREE_SAME_FP = [
  [
    ['', '', '', 'fmulx', 'fcmeq', '', '', 'frecps'],
    ['', '', '', '', '', '', '', 'frsqrts'],
  ],
  [
    ['', '', '', '', 'fcmge', 'facge', '', ''],
    ['', '', 'fabd', '', 'fcmgt', 'facgt', '', ''],
  ],
] as const;
/** 'int' (scalar by size) | 'fp' (scalar s/d by sz). */
export function simdS3Same(w: number): SimdOp | undefined {
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 11, 5);
  if (opcode >= 0b11000) {
    const mn = S_THREE_SAME_FP[u]![size >> 1]![opcode & 7]!;
    return mn ? op(mn, 'fp') : undefined;
  }
  const row = S_THREE_SAME_INT.get((u << 5) | opcode);
  if (!row || !((row[1] >> size) & 1)) return undefined;
  return op(row[0], 'int');
}

// ── AdvSIMD three-register extension (0 Q U 01110 size 0 Rm 1 opcode 1 Rn Rd) ────────────
/** 'int' | 'dot' (.2s/.4s from .8b/.16b) | 'bfdot' (.2s/.4s from .4h/.8h) | 'mmla' | 'bfmmla' |
 *  'bfmlal' | 'fcmla' (with #rot) | 'fcadd' (with #rot). */
export function simd3SameExtra(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 11, 4);
  if (u === 1 && opcode <= 1) return size === 1 || size === 2 ? op(opcode ? 'sqrdmlsh' : 'sqrdmlah', 'int') : undefined;
  if (opcode === 0b0010) return size === 2 ? op(u ? 'udot' : 'sdot', 'dot') : undefined;
  if (opcode === 0b0011 && u === 0) return size === 2 ? op('usdot', 'dot') : undefined;
  if (opcode === 0b0100) return size === 2 && q === 1 ? op(u ? 'ummla' : 'smmla', 'mmla') : undefined;
  if (opcode === 0b0101 && u === 0) return size === 2 && q === 1 ? op('usmmla', 'mmla') : undefined;
  if (u === 1 && (opcode & 0b1100) === 0b1000) return fcSize(size, q) ? op('fcmla', 'fcmla') : undefined;
  if (u === 1 && (opcode === 0b1100 || opcode === 0b1110)) return fcSize(size, q) ? op('fcadd', 'fcadd') : undefined;
  if (u === 1 && opcode === 0b1101) return size === 1 && q === 1 ? op('bfmmla', 'bfmmla') : undefined;
  if (u === 1 && opcode === 0b1111) {
    if (size === 1) return op('bfdot', 'bfdot');
    if (size === 3) return op(q ? 'bfmlalt' : 'bfmlalb', 'bfmlal');
  }
  return undefined;
}
/** FCMLA/FCADD: size 00 reserved (H needs FEAT_FP16), size 11 needs Q = 1. */
const fcSize = (size: number, q: number) => size !== 0 && !(size === 3 && q === 0);
export function simdS3SameExtra(w: number): SimdOp | undefined {
  const size = x(w, 22, 2);
  const opcode = x(w, 11, 4);
  if (x(w, 29, 1) === 1 && opcode <= 1 && (size === 1 || size === 2))
    return op(opcode ? 'sqrdmlsh' : 'sqrdmlah', 'int');
  return undefined;
}

// ── AdvSIMD two-register miscellaneous (0 Q U 01110 size 10000 opcode 10 Rn Rd) ──────────
// Integer rows. Formats: 'int' same arrangement; 'z' compare with #0; 'pairl' (saddlp: .4h
// from .8b); 'narrow' (xtn: .8b from .8h, Q selects the "2" form); 'shll' (.8h from .8b, #8).
const TWO_MISC_INT = new Map<number, readonly [string, number, string]>([
  [0b0_00000, ['rev64', S_BHS, 'int']],
  [0b0_00001, ['rev16', S_B, 'int']],
  [0b0_00010, ['saddlp', S_BHS, 'pairl']],
  [0b0_00011, ['suqadd', S_ALL, 'int']],
  [0b0_00100, ['cls', S_BHS, 'int']],
  [0b0_00101, ['cnt', S_B, 'int']],
  [0b0_00110, ['sadalp', S_BHS, 'pairl']],
  [0b0_00111, ['sqabs', S_ALL, 'int']],
  [0b0_01000, ['cmgt', S_ALL, 'z']],
  [0b0_01001, ['cmeq', S_ALL, 'z']],
  [0b0_01010, ['cmlt', S_ALL, 'z']],
  [0b0_01011, ['abs', S_ALL, 'int']],
  [0b0_10010, ['xtn', S_BHS, 'narrow']],
  [0b0_10100, ['sqxtn', S_BHS, 'narrow']],
  [0b1_00000, ['rev32', S_BH, 'int']],
  [0b1_00010, ['uaddlp', S_BHS, 'pairl']],
  [0b1_00011, ['usqadd', S_ALL, 'int']],
  [0b1_00100, ['clz', S_BHS, 'int']],
  [0b1_00110, ['uadalp', S_BHS, 'pairl']],
  [0b1_00111, ['sqneg', S_ALL, 'int']],
  [0b1_01000, ['cmge', S_ALL, 'z']],
  [0b1_01001, ['cmle', S_ALL, 'z']],
  [0b1_01011, ['neg', S_ALL, 'int']],
  [0b1_10010, ['sqxtun', S_BHS, 'narrow']],
  [0b1_10011, ['shll', S_BHS, 'shll']],
  [0b1_10100, ['uqxtn', S_BHS, 'narrow']],
]);
// FP rows, key U:a:opcode. Formats: 'fp'; 'fz' compare with #0.0; 'fcvtn' (.4h/.2s from
// .4s/.2d); 'fcvtl' (.4s/.2d from .4h/.2s); 'fcvtxn' (.2s from .2d); 'fps' (single only:
// URECPE/URSQRTE); 'bfcvtn' (.4h from .4s).
const TWO_MISC_FP = new Map<number, readonly [string, string]>([
  [0b0_0_10110, ['fcvtn', 'fcvtn']],
  [0b0_0_10111, ['fcvtl', 'fcvtl']],
  [0b0_0_11000, ['frintn', 'fp']],
  [0b0_0_11001, ['frintm', 'fp']],
  [0b0_0_11010, ['fcvtns', 'fp']],
  [0b0_0_11011, ['fcvtms', 'fp']],
  [0b0_0_11100, ['fcvtas', 'fp']],
  [0b0_0_11101, ['scvtf', 'fp']],
  [0b0_0_11110, ['frint32z', 'fp']],
  [0b0_0_11111, ['frint64z', 'fp']],
  [0b0_1_01100, ['fcmgt', 'fz']],
  [0b0_1_01101, ['fcmeq', 'fz']],
  [0b0_1_01110, ['fcmlt', 'fz']],
  [0b0_1_01111, ['fabs', 'fp']],
  [0b0_1_10110, ['bfcvtn', 'bfcvtn']],
  [0b0_1_11000, ['frintp', 'fp']],
  [0b0_1_11001, ['frintz', 'fp']],
  [0b0_1_11010, ['fcvtps', 'fp']],
  [0b0_1_11011, ['fcvtzs', 'fp']],
  [0b0_1_11100, ['urecpe', 'fps']],
  [0b0_1_11101, ['frecpe', 'fp']],
  [0b1_0_10110, ['fcvtxn', 'fcvtxn']],
  [0b1_0_11000, ['frinta', 'fp']],
  [0b1_0_11001, ['frintx', 'fp']],
  [0b1_0_11010, ['fcvtnu', 'fp']],
  [0b1_0_11011, ['fcvtmu', 'fp']],
  [0b1_0_11100, ['fcvtau', 'fp']],
  [0b1_0_11101, ['ucvtf', 'fp']],
  [0b1_0_11110, ['frint32x', 'fp']],
  [0b1_0_11111, ['frint64x', 'fp']],
  [0b1_1_01100, ['fcmge', 'fz']],
  [0b1_1_01101, ['fcmle', 'fz']],
  [0b1_1_01111, ['fneg', 'fp']],
  [0b1_1_11001, ['frinti', 'fp']],
  [0b1_1_11010, ['fcvtpu', 'fp']],
  [0b1_1_11011, ['fcvtzu', 'fp']],
  [0b1_1_11100, ['ursqrte', 'fps']],
  [0b1_1_11101, ['frsqrte', 'fp']],
  [0b1_1_11111, ['fsqrt', 'fp']],
]);
export function simd2Misc(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 12, 5);
  if (u === 1 && opcode === 0b00101) {
    // NOT (size 00, preferred alias MVN) and RBIT (size 01), .8b/.16b.
    if (size === 0) return op('mvn', 'b');
    if (size === 1) return op('rbit', 'b');
    return undefined;
  }
  const row = TWO_MISC_INT.get((u << 5) | opcode);
  if (row) {
    if (!((row[1] >> size) & 1)) return undefined;
    if (row[2] !== 'narrow' && row[2] !== 'shll' && size === 3 && q === 0) return undefined;
    return op(row[0], row[2]);
  }
  const fp = TWO_MISC_FP.get((u << 6) | ((size >> 1) << 5) | opcode);
  if (!fp) return undefined;
  const sz = size & 1;
  switch (fp[1]) {
    case 'fcvtn':
    case 'fcvtl':
      return op(fp[0], fp[1]);
    case 'fcvtxn':
      return sz === 1 ? op(fp[0], fp[1]) : undefined;
    case 'bfcvtn':
      return sz === 0 ? op(fp[0], fp[1]) : undefined;
    case 'fps':
      return sz === 0 ? op(fp[0], 'fp') : undefined;
    default:
      return sz === 1 && q === 0 ? undefined : op(fp[0], fp[1]);
  }
}

// ── AdvSIMD two-register miscellaneous (FP16) (0 Q U 01110 a 1111 00 opcode 10 Rn Rd) ────
const TWO_MISC_FP16 = new Map<number, readonly [string, string]>(
  [...TWO_MISC_FP].filter(
    ([k, [mn, f]]) =>
      (f === 'fp' || f === 'fz') && !mn.startsWith('frint3') && !mn.startsWith('frint6') && (k & 0x1f) !== 0,
  ),
);
export function simd2MiscFp16(w: number): SimdOp | undefined {
  const r = TWO_MISC_FP16.get((x(w, 29, 1) << 6) | (x(w, 23, 1) << 5) | x(w, 12, 5));
  return r ? op(r[0], r[1] === 'fz' ? 'hz' : 'h') : undefined;
}

// ── AdvSIMD scalar two-register miscellaneous (01 U 11110 size 10000 opcode 10 Rn Rd) ─────
const S_TWO_MISC_INT = new Map<number, readonly [string, number, string]>([
  [0b0_00011, ['suqadd', S_ALL, 'int']],
  [0b0_00111, ['sqabs', S_ALL, 'int']],
  [0b0_01000, ['cmgt', S_D, 'z']],
  [0b0_01001, ['cmeq', S_D, 'z']],
  [0b0_01010, ['cmlt', S_D, 'z']],
  [0b0_01011, ['abs', S_D, 'int']],
  [0b0_10100, ['sqxtn', S_BHS, 'narrow']],
  [0b1_00011, ['usqadd', S_ALL, 'int']],
  [0b1_00111, ['sqneg', S_ALL, 'int']],
  [0b1_01000, ['cmge', S_D, 'z']],
  [0b1_01001, ['cmle', S_D, 'z']],
  [0b1_01011, ['neg', S_D, 'int']],
  [0b1_10010, ['sqxtun', S_BHS, 'narrow']],
  [0b1_10100, ['uqxtn', S_BHS, 'narrow']],
]);
const S_TWO_MISC_FP = new Map<number, readonly [string, string]>([
  [0b0_0_11010, ['fcvtns', 'fp']],
  [0b0_0_11011, ['fcvtms', 'fp']],
  [0b0_0_11100, ['fcvtas', 'fp']],
  [0b0_0_11101, ['scvtf', 'fp']],
  [0b0_1_01100, ['fcmgt', 'fz']],
  [0b0_1_01101, ['fcmeq', 'fz']],
  [0b0_1_01110, ['fcmlt', 'fz']],
  [0b0_1_11010, ['fcvtps', 'fp']],
  [0b0_1_11011, ['fcvtzs', 'fp']],
  [0b0_1_11101, ['frecpe', 'fp']],
  [0b0_1_11111, ['frecpx', 'fp']],
  [0b1_0_10110, ['fcvtxn', 'fcvtxn']],
  [0b1_0_11010, ['fcvtnu', 'fp']],
  [0b1_0_11011, ['fcvtmu', 'fp']],
  [0b1_0_11100, ['fcvtau', 'fp']],
  [0b1_0_11101, ['ucvtf', 'fp']],
  [0b1_1_01100, ['fcmge', 'fz']],
  [0b1_1_01101, ['fcmle', 'fz']],
  [0b1_1_11010, ['fcvtpu', 'fp']],
  [0b1_1_11011, ['fcvtzu', 'fp']],
  [0b1_1_11101, ['frsqrte', 'fp']],
]);
export function simdS2Misc(w: number): SimdOp | undefined {
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 12, 5);
  const row = S_TWO_MISC_INT.get((u << 5) | opcode);
  if (row) return (row[1] >> size) & 1 ? op(row[0], row[2]) : undefined;
  const fp = S_TWO_MISC_FP.get((u << 6) | ((size >> 1) << 5) | opcode);
  if (!fp) return undefined;
  if (fp[1] === 'fcvtxn' && (size & 1) === 0) return undefined;
  return op(fp[0], fp[1]);
}
export function simdS2MiscFp16(w: number): SimdOp | undefined {
  const r = S_TWO_MISC_FP.get((x(w, 29, 1) << 6) | (x(w, 23, 1) << 5) | x(w, 12, 5));
  if (!r || r[1] === 'fcvtxn') return undefined;
  return op(r[0], r[1] === 'fz' ? 'hz' : 'h');
}

// ── AdvSIMD across lanes (0 Q U 01110 size 11000 opcode 10 Rn Rd) ─────────────────────────
/** 'int' (result scalar of the element size) | 'long' (SADDLV: twice the size) | 'fp' (S from
 *  .4s) | 'h' (H from .4h/.8h). */
export function simdAcross(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 12, 5);
  const intOk = size < 2 || (size === 2 && q === 1);
  switch (opcode) {
    case 0b00011:
      return intOk ? op(u ? 'uaddlv' : 'saddlv', 'long') : undefined;
    case 0b01010:
      return intOk ? op(u ? 'umaxv' : 'smaxv', 'int') : undefined;
    case 0b11010:
      return intOk ? op(u ? 'uminv' : 'sminv', 'int') : undefined;
    case 0b11011:
      return intOk && u === 0 ? op('addv', 'int') : undefined;
    case 0b01100:
    case 0b01111: {
      const base = opcode === 0b01100 ? 'nmv' : 'v';
      const mn = `${size >> 1 ? 'fmin' : 'fmax'}${base}`;
      if (u === 0) return (size & 1) === 0 ? op(mn, 'h') : undefined;
      return size === 0 || size === 2 ? (q ? op(mn, 'fp') : undefined) : undefined;
    }
    default:
      return undefined;
  }
}

// ── AdvSIMD scalar pairwise (01 U 11110 size 11000 opcode 10 Rn Rd) ───────────────────────
/** 'addp' (D from .2d) | 'fp' (S/D from .2s/.2d) | 'h' (H from .2h). */
export function simdSPairwise(w: number): SimdOp | undefined {
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 12, 5);
  if (u === 0 && opcode === 0b11011) return size === 3 ? op('addp', 'addp') : undefined;
  const a = size >> 1;
  let mn: string | undefined;
  if (opcode === 0b01100) mn = a ? 'fminnmp' : 'fmaxnmp';
  else if (opcode === 0b01101) mn = a ? undefined : 'faddp';
  else if (opcode === 0b01111) mn = a ? 'fminp' : 'fmaxp';
  if (!mn) return undefined;
  if (u === 0) return (size & 1) === 0 ? op(mn, 'h') : undefined;
  return op(mn, 'fp');
}

// ── AdvSIMD three different (0 Q U 01110 size 1 Rm opcode 00 Rn Rd) ───────────────────────
// Formats: 'l' long (Ta, Tb, Tb), 'w' wide (Ta, Ta, Tb), 'hn' narrow (Tb, Ta, Ta).
const THREE_DIFF = new Map<number, readonly [string, number, string]>([
  [0b0_0000, ['saddl', S_BHS, 'l']],
  [0b0_0001, ['saddw', S_BHS, 'w']],
  [0b0_0010, ['ssubl', S_BHS, 'l']],
  [0b0_0011, ['ssubw', S_BHS, 'w']],
  [0b0_0100, ['addhn', S_BHS, 'hn']],
  [0b0_0101, ['sabal', S_BHS, 'l']],
  [0b0_0110, ['subhn', S_BHS, 'hn']],
  [0b0_0111, ['sabdl', S_BHS, 'l']],
  [0b0_1000, ['smlal', S_BHS, 'l']],
  [0b0_1001, ['sqdmlal', S_HS, 'l']],
  [0b0_1010, ['smlsl', S_BHS, 'l']],
  [0b0_1011, ['sqdmlsl', S_HS, 'l']],
  [0b0_1100, ['smull', S_BHS, 'l']],
  [0b0_1101, ['sqdmull', S_HS, 'l']],
  [0b0_1110, ['pmull', S_B | S_D, 'l']],
  [0b1_0000, ['uaddl', S_BHS, 'l']],
  [0b1_0001, ['uaddw', S_BHS, 'w']],
  [0b1_0010, ['usubl', S_BHS, 'l']],
  [0b1_0011, ['usubw', S_BHS, 'w']],
  [0b1_0100, ['raddhn', S_BHS, 'hn']],
  [0b1_0101, ['uabal', S_BHS, 'l']],
  [0b1_0110, ['rsubhn', S_BHS, 'hn']],
  [0b1_0111, ['uabdl', S_BHS, 'l']],
  [0b1_1000, ['umlal', S_BHS, 'l']],
  [0b1_1010, ['umlsl', S_BHS, 'l']],
  [0b1_1100, ['umull', S_BHS, 'l']],
]);
export function simd3Diff(w: number): SimdOp | undefined {
  const row = THREE_DIFF.get((x(w, 29, 1) << 4) | x(w, 12, 4));
  if (!row || !((row[1] >> x(w, 22, 2)) & 1)) return undefined;
  return op(row[0], row[2]);
}
export function simdS3Diff(w: number): SimdOp | undefined {
  if (x(w, 29, 1) !== 0 || !((S_HS >> x(w, 22, 2)) & 1)) return undefined;
  const mn = { 9: 'sqdmlal', 11: 'sqdmlsl', 13: 'sqdmull' }[x(w, 12, 4)];
  return mn ? op(mn, 'l') : undefined;
}

// ── AdvSIMD copy (0 Q op 01110000 imm5 0 imm4 1 Rn Rd) ────────────────────────────────────
/** 'dupe' DUP (element) | 'dupg' DUP (general) | 'insg' INS (general) | 'smov' | 'umov' |
 *  'inse' INS (element). The element size is the lowest set bit of imm5. */
export function simdCopy(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const imm5 = x(w, 16, 5);
  const imm4 = x(w, 11, 4);
  const size = imm5 & 0xf ? 31 - Math.clz32(imm5 & -imm5) : 4;
  if (size > 3) return undefined;
  if (x(w, 29, 1) === 1) return q ? op('mov', 'inse') : undefined;
  switch (imm4) {
    case 0b0000:
      return size === 3 && q === 0 ? undefined : op('dup', 'dupe');
    case 0b0001:
      return size === 3 && q === 0 ? undefined : op('dup', 'dupg');
    case 0b0011:
      return q ? op('mov', 'insg') : undefined;
    case 0b0101:
      return size < 2 || (size === 2 && q === 1) ? op('smov', 'smov') : undefined;
    case 0b0111:
      if (q === 0) return size < 2 ? op('umov', 'umov') : size === 2 ? op('mov', 'umov') : undefined;
      return size === 3 ? op('mov', 'umov') : undefined;
    default:
      return undefined;
  }
}
/** Scalar copy: DUP (element) only, printed as its preferred alias MOV. */
export function simdSCopy(w: number): SimdOp | undefined {
  if (x(w, 29, 1) !== 0 || x(w, 11, 4) !== 0 || (x(w, 16, 5) & 0xf) === 0) return undefined;
  return op('mov', 'sdup');
}

// ── AdvSIMD modified immediate (0 Q op 0111100000 abc cmode o2 1 defgh Rd) ───────────────
/** 'movi32' | 'orr32' | 'movi16' | 'orr16' | 'msl' | 'movi8' | 'movid' (D scalar) |
 *  'movi2d' | 'fmov' (.2s/.4s) | 'fmov2d' | 'fmovh'. */
export function simdModImm(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const opb = x(w, 29, 1);
  const cmode = x(w, 12, 4);
  if (x(w, 11, 1) === 1) return cmode === 0b1111 && opb === 0 ? op('fmov', 'fmovh') : undefined;
  if ((cmode & 0b1001) === 0b0000) return op(opb ? 'mvni' : 'movi', 'movi32');
  if ((cmode & 0b1001) === 0b0001) return op(opb ? 'bic' : 'orr', 'orr32');
  if ((cmode & 0b1101) === 0b1000) return op(opb ? 'mvni' : 'movi', 'movi16');
  if ((cmode & 0b1101) === 0b1001) return op(opb ? 'bic' : 'orr', 'orr16');
  if ((cmode & 0b1110) === 0b1100) return op(opb ? 'mvni' : 'movi', 'msl');
  if (cmode === 0b1110) return opb === 0 ? op('movi', 'movi8') : op('movi', q ? 'movi2d' : 'movid');
  // cmode 1111
  if (opb === 0) return op('fmov', 'fmov');
  return q ? op('fmov', 'fmov2d') : undefined;
}

// ── AdvSIMD shift by immediate (0 Q U 011110 immh immb opcode 1 Rn Rd) ────────────────────
// Formats: 'r' right shift, 'l' left shift, 'rn' narrowing right shift, 'll' long left shift,
// 'cvt' fixed-point conversion (FP16 for immh = 001x).
const SHIFT_IMM = new Map<number, readonly [string, string]>([
  [0b0_00000, ['sshr', 'r']],
  [0b0_00010, ['ssra', 'r']],
  [0b0_00100, ['srshr', 'r']],
  [0b0_00110, ['srsra', 'r']],
  [0b0_01010, ['shl', 'l']],
  [0b0_01110, ['sqshl', 'l']],
  [0b0_10000, ['shrn', 'rn']],
  [0b0_10001, ['rshrn', 'rn']],
  [0b0_10010, ['sqshrn', 'rn']],
  [0b0_10011, ['sqrshrn', 'rn']],
  [0b0_10100, ['sshll', 'll']],
  [0b0_11100, ['scvtf', 'cvt']],
  [0b0_11111, ['fcvtzs', 'cvt']],
  [0b1_00000, ['ushr', 'r']],
  [0b1_00010, ['usra', 'r']],
  [0b1_00100, ['urshr', 'r']],
  [0b1_00110, ['ursra', 'r']],
  [0b1_01000, ['sri', 'r']],
  [0b1_01010, ['sli', 'l']],
  [0b1_01100, ['sqshlu', 'l']],
  [0b1_01110, ['uqshl', 'l']],
  [0b1_10000, ['sqshrun', 'rn']],
  [0b1_10001, ['sqrshrun', 'rn']],
  [0b1_10010, ['uqshrn', 'rn']],
  [0b1_10011, ['uqrshrn', 'rn']],
  [0b1_10100, ['ushll', 'll']],
  [0b1_11100, ['ucvtf', 'cvt']],
  [0b1_11111, ['fcvtzu', 'cvt']],
]);
/** log2 of the element size in bytes from immh (0001 → 0 ... 1xxx → 3); -1 for 0000. */
export const immhSize = (immh: number): number => (immh ? 31 - Math.clz32(immh) : -1);

export function simdShiftImm(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const immh = x(w, 19, 4);
  if (immh === 0) return undefined;
  const row = SHIFT_IMM.get((x(w, 29, 1) << 5) | x(w, 11, 5));
  if (!row) return undefined;
  const size = immhSize(immh);
  if (row[1] === 'rn' || row[1] === 'll') {
    if (size === 3) return undefined;
    // SSHLL/USHLL #0 disassemble as SXTL/UXTL (immh:immb == esize means a shift of 0).
    if (row[1] === 'll' && x(w, 16, 7) === 8 << size) return op(row[0] === 'sshll' ? 'sxtl' : 'uxtl', 'xtl');
    return op(row[0], row[1]);
  }
  if (row[1] === 'cvt' && size === 0) return undefined;
  if (size === 3 && q === 0) return undefined;
  return op(row[0], row[1]);
}
/** Scalar shift by immediate: the D-only shifts need immh = 1xxx; others take B/H/S/D. */
export function simdSShiftImm(w: number): SimdOp | undefined {
  const immh = x(w, 19, 4);
  if (immh === 0) return undefined;
  const row = SHIFT_IMM.get((x(w, 29, 1) << 5) | x(w, 11, 5));
  if (!row) return undefined;
  const size = immhSize(immh);
  const [mn, f] = row;
  if (f === 'll' || mn === 'shrn' || mn === 'rshrn') return undefined;
  if (f === 'rn') return size < 3 ? op(mn, f) : undefined;
  if (f === 'cvt') return size > 0 ? op(mn, f) : undefined;
  if (mn === 'sqshl' || mn === 'uqshl' || mn === 'sqshlu') return op(mn, f);
  return size === 3 ? op(mn, f) : undefined;
}

// ── AdvSIMD vector x indexed element (0 Q U 01111 size L M Rm opcode H 0 Rn Rd) ───────────
// Formats: 'int' (H/S elements), 'l' long, 'fp' (H/S/D FP elements), 'fhm' (FMLAL: .2s from .2h
// with an H element), 'dot' (.2s from .8b with a .4b element), 'bfdot' (.4h with .2h),
// 'bfmlal', 'fcmla' (with #rot).
const ELEM = new Map<number, readonly [string, string]>([
  [0b0_0000, ['fmlal', 'fhm']],
  [0b0_0001, ['fmla', 'fp']],
  [0b0_0010, ['smlal', 'l']],
  [0b0_0011, ['sqdmlal', 'l']],
  [0b0_0100, ['fmlsl', 'fhm']],
  [0b0_0101, ['fmls', 'fp']],
  [0b0_0110, ['smlsl', 'l']],
  [0b0_0111, ['sqdmlsl', 'l']],
  [0b0_1000, ['mul', 'int']],
  [0b0_1001, ['fmul', 'fp']],
  [0b0_1010, ['smull', 'l']],
  [0b0_1011, ['sqdmull', 'l']],
  [0b0_1100, ['sqdmulh', 'int']],
  [0b0_1101, ['sqrdmulh', 'int']],
  [0b0_1110, ['sdot', 'dot']],
  [0b1_0000, ['mla', 'int']],
  [0b1_0010, ['umlal', 'l']],
  [0b1_0100, ['mls', 'int']],
  [0b1_0110, ['umlsl', 'l']],
  [0b1_1000, ['fmlal2', 'fhm']],
  [0b1_1001, ['fmulx', 'fp']],
  [0b1_1010, ['umull', 'l']],
  [0b1_1100, ['fmlsl2', 'fhm']],
  [0b1_1101, ['sqrdmlah', 'int']],
  [0b1_1110, ['udot', 'dot']],
  [0b1_1111, ['sqrdmlsh', 'int']],
]);
export function simdElem(w: number): SimdOp | undefined {
  const q = x(w, 30, 1);
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const opcode = x(w, 12, 4);
  if (u === 1 && (opcode & 0b1001) === 0b0001) {
    // FCMLA (by element): H elements (size 01; Q = 0 needs H = 0) or S elements (size 10, Q = 1,
    // L = 0).
    if (size === 1) return q === 1 || x(w, 11, 1) === 0 ? op('fcmla', 'fcmla') : undefined;
    if (size === 2) return q === 1 && x(w, 21, 1) === 0 ? op('fcmla', 'fcmla') : undefined;
    return undefined;
  }
  if (u === 0 && opcode === 0b1111) {
    if (size === 0) return op('sudot', 'dot');
    if (size === 1) return op('bfdot', 'bfdot');
    if (size === 2) return op('usdot', 'dot');
    return op(q ? 'bfmlalt' : 'bfmlalb', 'bfmlal');
  }
  const row = ELEM.get((u << 4) | opcode);
  if (!row) return undefined;
  const [mn, f] = row;
  if (f === 'fp') {
    if (size === 1) return undefined;
    if (size === 3 && (q === 0 || x(w, 21, 1) === 1)) return undefined;
    return op(mn, f);
  }
  if (f === 'fhm' || f === 'dot') return size === 2 ? op(mn, f) : undefined;
  return size === 1 || size === 2 ? op(mn, f) : undefined;
}
/** Scalar x indexed element. */
export function simdSElem(w: number): SimdOp | undefined {
  const u = x(w, 29, 1);
  const size = x(w, 22, 2);
  const row = ELEM.get((u << 4) | x(w, 12, 4));
  if (!row) return undefined;
  const [mn, f] = row;
  if (f === 'fp') {
    if (size === 1 || (size === 3 && x(w, 21, 1) === 1)) return undefined;
    return op(mn, f);
  }
  const scalarInt = ['sqdmlal', 'sqdmlsl', 'sqdmull', 'sqdmulh', 'sqrdmulh', 'sqrdmlah', 'sqrdmlsh'];
  return scalarInt.includes(mn) && (size === 1 || size === 2) ? op(mn, f) : undefined;
}

// ── Table lookup, permute, extract ───────────────────────────────────────────────────────
export function simdTbl(w: number): SimdOp | undefined {
  if (x(w, 22, 2) !== 0) return undefined;
  return op(x(w, 12, 1) ? 'tbx' : 'tbl', 'tbl');
}
const PERM = ['', 'uzp1', 'trn1', 'zip1', '', 'uzp2', 'trn2', 'zip2'];
export function simdPerm(w: number): SimdOp | undefined {
  const mn = PERM[x(w, 12, 3)]!;
  if (!mn || (x(w, 22, 2) === 3 && x(w, 30, 1) === 0)) return undefined;
  return op(mn, 'int');
}
export function simdExt(w: number): SimdOp | undefined {
  if (x(w, 22, 2) !== 0 || (x(w, 30, 1) === 0 && x(w, 14, 1) === 1)) return undefined;
  return op('ext', 'ext');
}

// ── Cryptographic classes ─────────────────────────────────────────────────────────────────
export function cryptoAes(w: number): SimdOp | undefined {
  if (x(w, 22, 2) !== 0) return undefined;
  const mn = ['', '', '', '', 'aese', 'aesd', 'aesmc', 'aesimc'][x(w, 12, 5)];
  return mn ? op(mn, '16b') : undefined;
}
/** 'qsv' (Qd, Sn, Vm.4S) | 'qqv' (Qd, Qn, Vm.4S) | '4s' (three .4s). */
export function cryptoSha3(w: number): SimdOp | undefined {
  if (x(w, 22, 2) !== 0) return undefined;
  const r = (
    [
      ['sha1c', 'qsv'],
      ['sha1p', 'qsv'],
      ['sha1m', 'qsv'],
      ['sha1su0', '4s'],
      ['sha256h', 'qqv'],
      ['sha256h2', 'qqv'],
      ['sha256su1', '4s'],
    ] as const
  )[x(w, 12, 3)];
  return r ? op(r[0], r[1]) : undefined;
}
export function cryptoSha2(w: number): SimdOp | undefined {
  if (x(w, 22, 2) !== 0) return undefined;
  const r = (
    [
      ['sha1h', 'ss'],
      ['sha1su1', '4s'],
      ['sha256su0', '4s'],
    ] as const
  )[x(w, 12, 5)];
  return r ? op(r[0], r[1]) : undefined;
}
export function cryptoSha512x3(w: number): SimdOp | undefined {
  const r = (
    x(w, 14, 1)
      ? [
          ['sm3partw1', '4s'],
          ['sm3partw2', '4s'],
          ['sm4ekey', '4s'],
        ]
      : [
          ['sha512h', 'qqv2d'],
          ['sha512h2', 'qqv2d'],
          ['sha512su1', '2d'],
          ['rax1', '2d'],
        ]
  )[x(w, 10, 2)];
  return r ? op(r[0]!, r[1]!) : undefined;
}
export function cryptoSha512x2(w: number): SimdOp | undefined {
  return x(w, 10, 2) === 0 ? op('sha512su0', '2d') : x(w, 10, 2) === 1 ? op('sm4e', '4s') : undefined;
}
export function crypto4Reg(w: number): SimdOp | undefined {
  const r = (
    [
      ['eor3', '16b'],
      ['bcax', '16b'],
      ['sm3ss1', '4s'],
    ] as const
  )[x(w, 21, 2)];
  return r ? op(r[0], r[1]) : undefined;
}
export const cryptoImm2 = (w: number): SimdOp =>
  op(['sm3tt1a', 'sm3tt1b', 'sm3tt2a', 'sm3tt2b'][x(w, 10, 2)]!, 'sm3tt');
export const cryptoXar = (_w: number): SimdOp => op('xar', 'xar');
