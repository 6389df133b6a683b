/**
 * Loads and Stores (Arm ARM DDI 0487 C4.1.88; op0 = x1x0 at bits 28:25).
 *
 * Size/opc conventions are described in ids.ts. Decode rules applied here (each from the
 * encoding tables of C4.1.88):
 *   - GPR single register: opc 00 store, 01 load, 1x sign-extending load (size 11 with opc 10 is
 *     PRFM where the class has one, size 10 with opc 11 and size 11 with opc 11 are unallocated).
 *   - SIMD&FP single register: opc<1> = 1 (128-bit) only with size 00.
 *   - Register offset: option<1> = 0 is unallocated.
 *   - Pairs: GPR opc 11 and the STGP slot (opc 01, L 0: FEAT_MTE) are unallocated, LDPSW has no
 *     non-temporal form; SIMD&FP opc 11 is unallocated.
 *   - Exclusive/ordered forms: the (1)-marked Rs/Rt2 bits are "should be one"; other values are
 *     CONSTRAINED UNPREDICTABLE (Arm ARM K1 "Architectural Constraints on UNPREDICTABLE
 *     behaviors"). Like binutils, LDXR/STXR/LDXP/LDLAR/STLLR/STLR ignore them (behave as if
 *     ones) and LDAR requires them (UNDEFINED otherwise; QEMU does the same). CAS/CASP fix Rt2 = 11111
 *     and CASP needs even Rs and Rt.
 *   - Rt == Rt2 for a load pair, writeback with Rn == Rt, etc. are CONSTRAINED UNPREDICTABLE, not
 *     unallocated: they decode, and the backend picks an allowed behaviour.
 * Not decoded (unallocated here): FEAT_MTE tag loads/stores and STGP, FEAT_MOPS, FEAT_LS64,
 * FEAT_LRCPC3, FEAT_LSE128, FEAT_THE.
 */
import type { InsnEntry } from '../types.js';
import { cat, entry, OPC, RM, RN, RS, RT, RT2, SIZE, s, u, x } from './util.js';

const G_SIMD_MULT = 'ldst/simd-multiple';
const G_SIMD_SINGLE = 'ldst/simd-single';
const G_EXCL = 'ldst/exclusive';
const G_ORD = 'ldst/ordered';
const G_CAS = 'ldst/compare-and-swap';
const G_RCPC2 = 'ldst/rcpc-unscaled';
const G_LIT = 'ldst/literal';
const G_PAIR = 'ldst/pair';
const G_UNSC = 'ldst/unscaled';
const G_POST = 'ldst/post-index';
const G_PRE = 'ldst/pre-index';
const G_UNPRIV = 'ldst/unprivileged';
const G_ATOMIC = 'ldst/atomic';
const G_REG = 'ldst/register-offset';
const G_PAC = 'ldst/pac';
const G_UIMM = 'ldst/unsigned-offset';

/** Sign-extending load (opc = 1x): size 00/01 with either opc, size 10 only with opc 10. */
export const ldrsValid = (w: number): boolean => {
  const size = x(w, 30, 2);
  return size < 2 || (size === 2 && x(w, 22, 2) === 2);
};
/** SIMD&FP store/load: opc<1> = 1 (the Q form) only with size = 00. */
const fpSizeValid = (w: number): boolean => x(w, 23, 1) === 0 || x(w, 30, 2) === 0;
/** Register offset: option<1> must be 1 (UXTW, LSL/UXTX, SXTW, SXTX). */
const optValid = (w: number): boolean => x(w, 14, 1) === 1;

/**
 * AdvSIMD load/store multiple structures: opcode must name a form; LD2/LD3/LD4 (selem > 1)
 * reserve size:Q = 110 (Arm ARM C4.1.88 "Advanced SIMD load/store multiple structures").
 */
export const simdMultValid = (w: number): boolean => {
  const opcode = x(w, 12, 4);
  if (opcode === 0b0111 || opcode === 0b1010 || opcode === 0b0110 || opcode === 0b0010) return true;
  if (opcode === 0b0000 || opcode === 0b0100 || opcode === 0b1000) return !(x(w, 10, 2) === 3 && x(w, 30, 1) === 0);
  return false;
};
/** AdvSIMD load/store single structure: the scale/size/S rules of the class table. */
export const simdSingleValid = (w: number): boolean => {
  const opcode = x(w, 13, 3);
  const size = x(w, 10, 2);
  const S = x(w, 12, 1);
  switch (opcode >> 1) {
    case 0:
      return true;
    case 1:
      return (size & 1) === 0;
    case 2:
      return (size & 2) === 0 && !(size === 1 && S === 1);
    default:
      // LD1R..LD4R: load only, S = 0.
      return x(w, 22, 1) === 1 && S === 0;
  }
};

const IMM9 = { size: SIZE, opc: OPC, imm9: s(12, 9), rn: RN, rt: RT };
const REGOFF = { size: SIZE, opc: OPC, rm: RM, option: u(13, 3), S: u(12, 1), rn: RN, rt: RT };
const UIMM = { size: SIZE, opc: OPC, imm12: u(10, 12), rn: RN, rt: RT };
const PAIR = { opc: u(30, 2), imm7: s(15, 7), rt2: RT2, rn: RN, rt: RT };
const LIT = { imm19: s(5, 19), offset: s(5, 19, 4), rt: RT };
const EXCL = { size: SIZE, rs: RS, rn: RN, rt: RT };
const ORD = { size: SIZE, rn: RN, rt: RT };
const EXCLP = { sz: u(30, 1), rs: RS, rt2: RT2, rn: RN, rt: RT };
const ATOMIC = { size: SIZE, a: u(23, 1), r: u(22, 1), rs: RS, rn: RN, rt: RT };
const PAC = { imm10: cat([22, 1], [12, 9], true), offset: cat([22, 1], [12, 9], true, 8), w: u(11, 1), rn: RN, rt: RT };

/** Single-register classes that share the imm9 layout; `tag` is bits 11:10. */
function imm9Class(group: string, tag: string, ids: { st: string; ld: string; lds: string }) {
  return [
    entry(ids.st as 'STR_post', group, `xx 111 0 00 00 0 xxxxxxxxx ${tag} xxxxx xxxxx`, IMM9),
    entry(ids.ld as 'LDR_post', group, `xx 111 0 00 01 0 xxxxxxxxx ${tag} xxxxx xxxxx`, IMM9),
    entry(ids.lds as 'LDRS_post', group, `xx 111 0 00 1x 0 xxxxxxxxx ${tag} xxxxx xxxxx`, IMM9, {
      constraint: ldrsValid,
    }),
  ];
}

export const LDST: readonly InsnEntry[] = [
  // AdvSIMD load/store multiple structures (and post-indexed; Rm = 11111 is the immediate form).
  entry(
    'SIMD_LDST_mult',
    G_SIMD_MULT,
    '0 x 0011000 x 000000 xxxx xx xxxxx xxxxx',
    { q: u(30, 1), l: u(22, 1), opcode: u(12, 4), size: u(10, 2), rn: RN, rt: RT },
    { feature: 'simd', constraint: simdMultValid },
  ),
  entry(
    'SIMD_LDST_mult_post',
    G_SIMD_MULT,
    '0 x 0011001 x 0 xxxxx xxxx xx xxxxx xxxxx',
    { q: u(30, 1), l: u(22, 1), rm: RM, opcode: u(12, 4), size: u(10, 2), rn: RN, rt: RT },
    { feature: 'simd', constraint: simdMultValid },
  ),
  entry(
    'SIMD_LDST_single',
    G_SIMD_SINGLE,
    '0 x 0011010 x x 00000 xxx x xx xxxxx xxxxx',
    { q: u(30, 1), l: u(22, 1), r: u(21, 1), opcode: u(13, 3), S: u(12, 1), size: u(10, 2), rn: RN, rt: RT },
    { feature: 'simd', constraint: simdSingleValid },
  ),
  entry(
    'SIMD_LDST_single_post',
    G_SIMD_SINGLE,
    '0 x 0011011 x x xxxxx xxx x xx xxxxx xxxxx',
    {
      q: u(30, 1),
      l: u(22, 1),
      r: u(21, 1),
      rm: RM,
      opcode: u(13, 3),
      S: u(12, 1),
      size: u(10, 2),
      rn: RN,
      rt: RT,
    },
    { feature: 'simd', constraint: simdSingleValid },
  ),

  // Load/store exclusive register: size 001000 0 L 0 Rs o0 Rt2 Rn Rt.
  entry('STXR', G_EXCL, 'xx 001000 0 0 0 xxxxx 0 xxxxx xxxxx xxxxx', EXCL),
  entry('STLXR', G_EXCL, 'xx 001000 0 0 0 xxxxx 1 xxxxx xxxxx xxxxx', EXCL),
  entry('LDXR', G_EXCL, 'xx 001000 0 1 0 xxxxx 0 xxxxx xxxxx xxxxx', ORD),
  entry('LDAXR', G_EXCL, 'xx 001000 0 1 0 xxxxx 1 xxxxx xxxxx xxxxx', ORD),
  // Load/store exclusive pair (size<1> = 1): 1 sz 001000 0 L 1 Rs o0 Rt2 Rn Rt.
  entry('STXP', G_EXCL, '1x 001000 0 0 1 xxxxx 0 xxxxx xxxxx xxxxx', EXCLP),
  entry('STLXP', G_EXCL, '1x 001000 0 0 1 xxxxx 1 xxxxx xxxxx xxxxx', EXCLP),
  entry('LDXP', G_EXCL, '1x 001000 0 1 1 xxxxx 0 xxxxx xxxxx xxxxx', { sz: u(30, 1), rt2: RT2, rn: RN, rt: RT }),
  entry('LDAXP', G_EXCL, '1x 001000 0 1 1 xxxxx 1 xxxxx xxxxx xxxxx', { sz: u(30, 1), rt2: RT2, rn: RN, rt: RT }),
  // Compare and swap pair (size<1> = 0): 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt.
  entry(
    'CASP',
    G_CAS,
    '0x 001000 0 x 1 xxxxx x 11111 xxxxx xxxxx',
    { sz: u(30, 1), l: u(22, 1), rs: RS, o0: u(15, 1), rn: RN, rt: RT },
    // Rs<0> = 1 or Rt<0> = 1 is UNDEFINED (Arm ARM C6.2 CASP).
    { feature: 'lse', constraint: (w) => (w & (1 << 16)) === 0 && (w & 1) === 0 },
  ),
  // Load/store ordered: size 001000 1 L 0 Rs o0 Rt2 Rn Rt.
  entry('STLLR', G_ORD, 'xx 001000 1 0 0 xxxxx 0 xxxxx xxxxx xxxxx', ORD, { feature: 'lor' }),
  entry('STLR', G_ORD, 'xx 001000 1 0 0 xxxxx 1 xxxxx xxxxx xxxxx', ORD),
  entry('LDLAR', G_ORD, 'xx 001000 1 1 0 xxxxx 0 xxxxx xxxxx xxxxx', ORD, { feature: 'lor' }),
  // LDAR fixes Rs = Rt2 = 11111 (its (1) bits), as binutils and QEMU's a64.decode do: the
  // CONSTRAINED UNPREDICTABLE choice of UNDEFINED for other values.
  entry('LDAR', G_ORD, 'xx 001000 1 1 0 11111 1 11111 xxxxx xxxxx', ORD),
  // Compare and swap: size 001000 1 L 1 Rs o0 11111 Rn Rt.
  entry(
    'CAS',
    G_CAS,
    'xx 001000 1 x 1 xxxxx x 11111 xxxxx xxxxx',
    { size: SIZE, l: u(22, 1), rs: RS, o0: u(15, 1), rn: RN, rt: RT },
    { feature: 'lse' },
  ),

  // LDAPR/STLR (unscaled immediate), FEAT_LRCPC2: size 011001 opc 0 imm9 00 Rn Rt.
  entry('STLUR', G_RCPC2, 'xx 011001 00 0 xxxxxxxxx 00 xxxxx xxxxx', IMM9, { feature: 'rcpc2' }),
  entry('LDAPUR', G_RCPC2, 'xx 011001 01 0 xxxxxxxxx 00 xxxxx xxxxx', IMM9, { feature: 'rcpc2' }),
  entry('LDAPURS', G_RCPC2, 'xx 011001 1x 0 xxxxxxxxx 00 xxxxx xxxxx', IMM9, {
    feature: 'rcpc2',
    constraint: ldrsValid,
  }),

  // Load register (literal): opc 011 V 00 imm19 Rt.
  entry('LDR_lit', G_LIT, '0x 011 0 00 xxxxxxxxxxxxxxxxxxx xxxxx', { opc: u(30, 2), ...LIT }),
  entry('LDRSW_lit', G_LIT, '10 011 0 00 xxxxxxxxxxxxxxxxxxx xxxxx', LIT),
  entry('PRFM_lit', G_LIT, '11 011 0 00 xxxxxxxxxxxxxxxxxxx xxxxx', LIT),
  entry(
    'LDR_fp_lit',
    G_LIT,
    'xx 011 1 00 xxxxxxxxxxxxxxxxxxx xxxxx',
    { opc: u(30, 2), ...LIT },
    {
      feature: 'fp',
      constraint: (w) => x(w, 30, 2) !== 3,
    },
  ),

  // Load/store pair: opc 101 V 0 idx L imm7 Rt2 Rn Rt; idx 00 no-allocate, 01 post, 10 offset, 11 pre.
  entry('STNP', G_PAIR, 'x0 101 0 0 00 0 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDNP', G_PAIR, 'x0 101 0 0 00 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('STP_post', G_PAIR, 'x0 101 0 0 01 0 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDP_post', G_PAIR, 'x0 101 0 0 01 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDPSW_post', G_PAIR, '01 101 0 0 01 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('STP_off', G_PAIR, 'x0 101 0 0 10 0 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDP_off', G_PAIR, 'x0 101 0 0 10 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDPSW_off', G_PAIR, '01 101 0 0 10 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('STP_pre', G_PAIR, 'x0 101 0 0 11 0 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDP_pre', G_PAIR, 'x0 101 0 0 11 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  entry('LDPSW_pre', G_PAIR, '01 101 0 0 11 1 xxxxxxx xxxxx xxxxx xxxxx', PAIR),
  ...(
    [
      ['STNP_fp', '00', '0'],
      ['LDNP_fp', '00', '1'],
      ['STP_fp_post', '01', '0'],
      ['LDP_fp_post', '01', '1'],
      ['STP_fp_off', '10', '0'],
      ['LDP_fp_off', '10', '1'],
      ['STP_fp_pre', '11', '0'],
      ['LDP_fp_pre', '11', '1'],
    ] as const
  ).map(([id, idx, l]) =>
    entry(id, G_PAIR, `xx 101 1 0 ${idx} ${l} xxxxxxx xxxxx xxxxx xxxxx`, PAIR, {
      feature: 'fp',
      constraint: (w) => x(w, 30, 2) !== 3,
    }),
  ),

  // Load/store register (unscaled immediate): bits 11:10 = 00.
  ...imm9Class(G_UNSC, '00', { st: 'STUR', ld: 'LDUR', lds: 'LDURS' }),
  entry('PRFUM', G_UNSC, '11 111 0 00 10 0 xxxxxxxxx 00 xxxxx xxxxx', { imm9: s(12, 9), rn: RN, rt: RT }),
  entry('STUR_fp', G_UNSC, 'xx 111 1 00 x0 0 xxxxxxxxx 00 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  entry('LDUR_fp', G_UNSC, 'xx 111 1 00 x1 0 xxxxxxxxx 00 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  // Load/store register (immediate post-indexed): bits 11:10 = 01.
  ...imm9Class(G_POST, '01', { st: 'STR_post', ld: 'LDR_post', lds: 'LDRS_post' }),
  entry('STR_fp_post', G_POST, 'xx 111 1 00 x0 0 xxxxxxxxx 01 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  entry('LDR_fp_post', G_POST, 'xx 111 1 00 x1 0 xxxxxxxxx 01 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  // Load/store register (unprivileged): bits 11:10 = 10 (no SIMD&FP form).
  ...imm9Class(G_UNPRIV, '10', { st: 'STTR', ld: 'LDTR', lds: 'LDTRS' }),
  // Load/store register (immediate pre-indexed): bits 11:10 = 11.
  ...imm9Class(G_PRE, '11', { st: 'STR_pre', ld: 'LDR_pre', lds: 'LDRS_pre' }),
  entry('STR_fp_pre', G_PRE, 'xx 111 1 00 x0 0 xxxxxxxxx 11 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  entry('LDR_fp_pre', G_PRE, 'xx 111 1 00 x1 0 xxxxxxxxx 11 xxxxx xxxxx', IMM9, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),

  // Atomic memory operations: size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt.
  ...(
    [
      ['LDADD', '0000'],
      ['LDCLR', '0001'],
      ['LDEOR', '0010'],
      ['LDSET', '0011'],
      ['LDSMAX', '0100'],
      ['LDSMIN', '0101'],
      ['LDUMAX', '0110'],
      ['LDUMIN', '0111'],
      ['SWP', '1000'],
    ] as const
  ).map(([id, op]) =>
    entry(id, G_ATOMIC, `xx 111 0 00 x x 1 xxxxx ${op.slice(0, 1)} ${op.slice(1)} 00 xxxxx xxxxx`, ATOMIC, {
      feature: 'lse',
    }),
  ),
  entry('LDAPR', G_ATOMIC, 'xx 111 0 00 1 0 1 11111 1 100 00 xxxxx xxxxx', ORD, { feature: 'rcpc' }),

  // Load/store register (register offset): bit 21 = 1, bits 11:10 = 10.
  entry('STR_reg', G_REG, 'xx 111 0 00 00 1 xxxxx xxx x 10 xxxxx xxxxx', REGOFF, { constraint: optValid }),
  entry('LDR_reg', G_REG, 'xx 111 0 00 01 1 xxxxx xxx x 10 xxxxx xxxxx', REGOFF, { constraint: optValid }),
  entry('LDRS_reg', G_REG, 'xx 111 0 00 1x 1 xxxxx xxx x 10 xxxxx xxxxx', REGOFF, {
    constraint: (w) => optValid(w) && ldrsValid(w),
  }),
  entry(
    'PRFM_reg',
    G_REG,
    '11 111 0 00 10 1 xxxxx xxx x 10 xxxxx xxxxx',
    { rm: RM, option: u(13, 3), S: u(12, 1), rn: RN, rt: RT },
    { constraint: optValid },
  ),
  entry('STR_fp_reg', G_REG, 'xx 111 1 00 x0 1 xxxxx xxx x 10 xxxxx xxxxx', REGOFF, {
    feature: 'fp',
    constraint: (w) => optValid(w) && fpSizeValid(w),
  }),
  entry('LDR_fp_reg', G_REG, 'xx 111 1 00 x1 1 xxxxx xxx x 10 xxxxx xxxxx', REGOFF, {
    feature: 'fp',
    constraint: (w) => optValid(w) && fpSizeValid(w),
  }),

  // Load/store register (pac), FEAT_PAuth: 11 111 0 00 M S 1 imm9 W 1 Rn Rt.
  entry('LDRAA', G_PAC, '11 111 0 00 0 x 1 xxxxxxxxx x 1 xxxxx xxxxx', PAC, { feature: 'pauth' }),
  entry('LDRAB', G_PAC, '11 111 0 00 1 x 1 xxxxxxxxx x 1 xxxxx xxxxx', PAC, { feature: 'pauth' }),

  // Load/store register (unsigned immediate): size 111 V 01 opc imm12 Rn Rt.
  entry('STR_uimm', G_UIMM, 'xx 111 0 01 00 xxxxxxxxxxxx xxxxx xxxxx', UIMM),
  entry('LDR_uimm', G_UIMM, 'xx 111 0 01 01 xxxxxxxxxxxx xxxxx xxxxx', UIMM),
  entry('LDRS_uimm', G_UIMM, 'xx 111 0 01 1x xxxxxxxxxxxx xxxxx xxxxx', UIMM, { constraint: ldrsValid }),
  entry('PRFM_uimm', G_UIMM, '11 111 0 01 10 xxxxxxxxxxxx xxxxx xxxxx', { imm12: u(10, 12), rn: RN, rt: RT }),
  entry('STR_fp_uimm', G_UIMM, 'xx 111 1 01 x0 xxxxxxxxxxxx xxxxx xxxxx', UIMM, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
  entry('LDR_fp_uimm', G_UIMM, 'xx 111 1 01 x1 xxxxxxxxxxxx xxxxx xxxxx', UIMM, {
    feature: 'fp',
    constraint: fpSizeValid,
  }),
];
