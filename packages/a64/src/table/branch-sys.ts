/**
 * Branches, Exception Generating and System instructions (Arm ARM DDI 0487 C4.1.87;
 * op0 = 101x at bits 28:25).
 *
 * Not decoded (unallocated here): BC.cond (FEAT_HBC), WFET/WFIT (FEAT_WFxT), DSB nXS (FEAT_XS),
 * TSTART/TCOMMIT/TCANCEL/TTEST (FEAT_TME), the SME PSTATE forms (SMSTART/SMSTOP) and ALLINT
 * (FEAT_NMI). The op0 = 00 system space outside hints, barriers and PSTATE is unallocated
 * (binutils prints it as `msr s0_...`, which is not an architected instruction).
 */
import type { InsnEntry } from '../types.js';
import { entry, RN, RT, SF, s, u, x } from './util.js';

const G_BCOND = 'branch/cond-imm';
const G_EXC = 'branch/exception';
const G_HINT = 'system/hint';
const G_BAR = 'system/barrier';
const G_PSTATE = 'system/pstate';
const G_SYS = 'system/sys';
const G_SYSREG = 'system/sysreg-move';
const G_BREG = 'branch/uncond-reg';
const G_BIMM = 'branch/uncond-imm';
const G_CB = 'branch/compare';
const G_TB = 'branch/test';

const IMM16 = { imm16: u(5, 16) };
const SYSF = {
  op0: u(19, 2),
  op1: u(16, 3),
  crn: u(12, 4),
  crm: u(8, 4),
  op2: u(5, 3),
  rt: RT,
  sysreg: u(5, 16),
};

/**
 * MSR (immediate) PSTATE fields (Arm ARM C6.2 MSR (immediate)): op1:op2 =
 * 000:011 UAO, 000:100 PAN, 000:101 SPSel, 011:001 SSBS, 011:010 DIT, 011:100 TCO,
 * 011:110 DAIFSet, 011:111 DAIFClr. Any other op1:op2 is UNDEFINED at decode. The backend
 * decides for each field whether its feature (PAN, UAO, DIT, SSBS, MTE) is implemented.
 */
export const PSTATE_FIELDS: Readonly<Record<number, string>> = {
  3: 'UAO',
  4: 'PAN',
  5: 'SPSel',
  25: 'SSBS',
  26: 'DIT',
  28: 'TCO',
  30: 'DAIFSet',
  31: 'DAIFClr',
};
const msrImmValid = (w: number) => PSTATE_FIELDS[(x(w, 16, 3) << 3) | x(w, 5, 3)] !== undefined;

export const BRANCH_SYS: readonly InsnEntry[] = [
  // Conditional branch (immediate): o1 = 0, o0 = 0.
  entry('B_cond', G_BCOND, '0101010 0 xxxxxxxxxxxxxxxxxxx 0 xxxx', {
    imm19: s(5, 19),
    offset: s(5, 19, 4),
    cond: u(0, 4),
  }),
  // Exception generation: opc imm16 op2 LL.
  entry('SVC', G_EXC, '11010100 000 xxxxxxxxxxxxxxxx 000 01', IMM16),
  entry('HVC', G_EXC, '11010100 000 xxxxxxxxxxxxxxxx 000 10', IMM16),
  entry('SMC', G_EXC, '11010100 000 xxxxxxxxxxxxxxxx 000 11', IMM16),
  entry('BRK', G_EXC, '11010100 001 xxxxxxxxxxxxxxxx 000 00', IMM16),
  entry('HLT', G_EXC, '11010100 010 xxxxxxxxxxxxxxxx 000 00', IMM16),
  entry('DCPS1', G_EXC, '11010100 101 xxxxxxxxxxxxxxxx 000 01', IMM16),
  entry('DCPS2', G_EXC, '11010100 101 xxxxxxxxxxxxxxxx 000 10', IMM16),
  entry('DCPS3', G_EXC, '11010100 101 xxxxxxxxxxxxxxxx 000 11', IMM16),
  // Hints: CRn = 0010, op1 = 011, Rt = 11111. Every CRm:op2 is allocated; those without an
  // architected meaning (or whose feature is absent) execute as NOP (Arm ARM C6.2 HINT).
  entry('HINT', G_HINT, '1101010100 0 00 011 0010 xxxx xxx 11111', {
    crm: u(8, 4),
    op2: u(5, 3),
    hint: u(5, 7),
  }),
  // Barriers: CRn = 0011, op1 = 011, Rt = 11111.
  entry('CLREX', G_BAR, '1101010100 0 00 011 0011 xxxx 010 11111', { crm: u(8, 4) }),
  entry(
    'DSB',
    G_BAR,
    '1101010100 0 00 011 0011 xxxx 100 11111',
    { crm: u(8, 4) },
    {
      constraint: (w) => (x(w, 8, 4) & 0b1011) !== 0,
    },
  ),
  entry('SSBB', G_BAR, '1101010100 0 00 011 0011 0000 100 11111', {}),
  entry('PSSBB', G_BAR, '1101010100 0 00 011 0011 0100 100 11111', {}),
  entry('DMB', G_BAR, '1101010100 0 00 011 0011 xxxx 101 11111', { crm: u(8, 4) }),
  entry('ISB', G_BAR, '1101010100 0 00 011 0011 xxxx 110 11111', { crm: u(8, 4) }),
  entry('SB', G_BAR, '1101010100 0 00 011 0011 0000 111 11111', {}, { feature: 'sb' }),
  // PSTATE: CRn = 0100, Rt = 11111.
  entry('CFINV', G_PSTATE, '1101010100 0 00 000 0100 0000 000 11111', {}, { feature: 'flagm' }),
  entry('XAFLAG', G_PSTATE, '1101010100 0 00 000 0100 0000 001 11111', {}, { feature: 'flagm' }),
  entry('AXFLAG', G_PSTATE, '1101010100 0 00 000 0100 0000 010 11111', {}, { feature: 'flagm' }),
  entry(
    'MSR_imm',
    G_PSTATE,
    '1101010100 0 00 xxx 0100 xxxx xxx 11111',
    { op1: u(16, 3), crm: u(8, 4), op2: u(5, 3) },
    { constraint: msrImmValid },
  ),
  // System instructions (op0 = 01): DC, IC, TLBI, AT, ... are aliases of SYS.
  entry('SYS', G_SYS, '1101010100 0 01 xxx xxxx xxxx xxx xxxxx', SYSF),
  entry('SYSL', G_SYS, '1101010100 1 01 xxx xxxx xxxx xxx xxxxx', SYSF),
  // System register move (op0 = 1x).
  entry('MSR_reg', G_SYSREG, '1101010100 0 1x xxx xxxx xxxx xxx xxxxx', SYSF),
  entry('MRS', G_SYSREG, '1101010100 1 1x xxx xxxx xxxx xxx xxxxx', SYSF),
  // Unconditional branch (register): 1101011 opc op2=11111 op3 Rn op4.
  entry('BR', G_BREG, '1101011 0000 11111 000000 xxxxx 00000', { rn: RN }),
  entry('BRAAZ', G_BREG, '1101011 0000 11111 000010 xxxxx 11111', { rn: RN }, { feature: 'pauth' }),
  entry('BRABZ', G_BREG, '1101011 0000 11111 000011 xxxxx 11111', { rn: RN }, { feature: 'pauth' }),
  entry('BLR', G_BREG, '1101011 0001 11111 000000 xxxxx 00000', { rn: RN }),
  entry('BLRAAZ', G_BREG, '1101011 0001 11111 000010 xxxxx 11111', { rn: RN }, { feature: 'pauth' }),
  entry('BLRABZ', G_BREG, '1101011 0001 11111 000011 xxxxx 11111', { rn: RN }, { feature: 'pauth' }),
  entry('RET', G_BREG, '1101011 0010 11111 000000 xxxxx 00000', { rn: RN }),
  entry('RETAA', G_BREG, '1101011 0010 11111 000010 11111 11111', {}, { feature: 'pauth' }),
  entry('RETAB', G_BREG, '1101011 0010 11111 000011 11111 11111', {}, { feature: 'pauth' }),
  entry('ERET', G_BREG, '1101011 0100 11111 000000 11111 00000', {}),
  entry('ERETAA', G_BREG, '1101011 0100 11111 000010 11111 11111', {}, { feature: 'pauth' }),
  entry('ERETAB', G_BREG, '1101011 0100 11111 000011 11111 11111', {}, { feature: 'pauth' }),
  entry('DRPS', G_BREG, '1101011 0101 11111 000000 11111 00000', {}),
  entry('BRAA', G_BREG, '1101011 1000 11111 000010 xxxxx xxxxx', { rn: RN, rm: u(0, 5) }, { feature: 'pauth' }),
  entry('BRAB', G_BREG, '1101011 1000 11111 000011 xxxxx xxxxx', { rn: RN, rm: u(0, 5) }, { feature: 'pauth' }),
  entry('BLRAA', G_BREG, '1101011 1001 11111 000010 xxxxx xxxxx', { rn: RN, rm: u(0, 5) }, { feature: 'pauth' }),
  entry('BLRAB', G_BREG, '1101011 1001 11111 000011 xxxxx xxxxx', { rn: RN, rm: u(0, 5) }, { feature: 'pauth' }),
  // Unconditional branch (immediate).
  entry('B', G_BIMM, '0 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx', { imm26: s(0, 26), offset: s(0, 26, 4) }),
  entry('BL', G_BIMM, '1 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx', { imm26: s(0, 26), offset: s(0, 26, 4) }),
  // Compare and branch (immediate).
  entry('CBZ', G_CB, 'x 011010 0 xxxxxxxxxxxxxxxxxxx xxxxx', {
    sf: SF,
    imm19: s(5, 19),
    offset: s(5, 19, 4),
    rt: RT,
  }),
  entry('CBNZ', G_CB, 'x 011010 1 xxxxxxxxxxxxxxxxxxx xxxxx', {
    sf: SF,
    imm19: s(5, 19),
    offset: s(5, 19, 4),
    rt: RT,
  }),
  // Test and branch (immediate).
  entry('TBZ', G_TB, 'x 011011 0 xxxxx xxxxxxxxxxxxxx xxxxx', {
    b5b40: { pos: 19, width: 5, signed: false, hi: { pos: 31, width: 1 } },
    imm14: s(5, 14),
    offset: s(5, 14, 4),
    rt: RT,
  }),
  entry('TBNZ', G_TB, 'x 011011 1 xxxxx xxxxxxxxxxxxxx xxxxx', {
    b5b40: { pos: 19, width: 5, signed: false, hi: { pos: 31, width: 1 } },
    imm14: s(5, 14),
    offset: s(5, 14, 4),
    rt: RT,
  }),
];

/** Named hint numbers (CRm:op2) of the HINT space (Arm ARM C6.2, "HINT"). */
export const HINTS: Readonly<Record<number, string>> = {
  0: 'NOP',
  1: 'YIELD',
  2: 'WFE',
  3: 'WFI',
  4: 'SEV',
  5: 'SEVL',
  6: 'DGH',
  7: 'XPACLRI',
  8: 'PACIA1716',
  10: 'PACIB1716',
  12: 'AUTIA1716',
  14: 'AUTIB1716',
  16: 'ESB',
  17: 'PSB CSYNC',
  18: 'TSB CSYNC',
  20: 'CSDB',
  22: 'CLEARBHB',
  24: 'PACIAZ',
  25: 'PACIASP',
  26: 'PACIBZ',
  27: 'PACIBSP',
  28: 'AUTIAZ',
  29: 'AUTIASP',
  30: 'AUTIBZ',
  31: 'AUTIBSP',
  32: 'BTI',
  34: 'BTI c',
  36: 'BTI j',
  38: 'BTI jc',
};
