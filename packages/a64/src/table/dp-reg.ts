/**
 * Data Processing -- Register (Arm ARM DDI 0487 C4.1.89; op0 = x101 at bits 28:25).
 *
 * Decode rules applied here:
 *   - shifted register: shift = 11 is reserved for add/sub (ROR is allowed for logical); with
 *     sf = 0, imm6<5> = 1 is UNDEFINED.
 *   - extended register: opt != 00 is unallocated, imm3 > 4 is UNDEFINED.
 *   - CRC32: sz = 11 requires sf = 1, other sizes require sf = 0.
 *   - PAC/AUT "Z" forms and XPAC require Rn = 11111.
 * Not decoded (unallocated here): FEAT_MTE (IRG, GMI, SUBP, SUBPS), FEAT_CSSC (ABS, CNT, CTZ,
 * SMAX, ...), FEAT_PAuth_LR.
 */
import type { InsnEntry } from '../types.js';
import { entry, RA, RD, RM, RN, SF, u, x } from './util.js';

const G_DP2 = 'dp-reg/2-source';
const G_DP1 = 'dp-reg/1-source';
const G_LOG = 'dp-reg/logical-shifted';
const G_ADDS = 'dp-reg/add-sub-shifted';
const G_ADDE = 'dp-reg/add-sub-extended';
const G_ADC = 'dp-reg/add-sub-carry';
const G_FLAGS = 'dp-reg/flags';
const G_CCMP = 'dp-reg/cond-compare';
const G_CSEL = 'dp-reg/cond-select';
const G_DP3 = 'dp-reg/3-source';

const R3 = { sf: SF, rm: RM, rn: RN, rd: RD };
const R2 = { sf: SF, rn: RN, rd: RD };
const SHIFTED = { sf: SF, shift: u(22, 2), rm: RM, imm6: u(10, 6), rn: RN, rd: RD };
const EXTENDED = { sf: SF, rm: RM, option: u(13, 3), imm3: u(10, 3), rn: RN, rd: RD };
const CCMP_REG = { sf: SF, rm: RM, cond: u(12, 4), rn: RN, nzcv: u(0, 4) };
const CCMP_IMM = { sf: SF, imm5: u(16, 5), cond: u(12, 4), rn: RN, nzcv: u(0, 4) };
const CSEL = { sf: SF, rm: RM, cond: u(12, 4), rn: RN, rd: RD };

/** sf = 0 with imm6<5> = 1 is UNDEFINED (shifted register forms). */
const logValid = (w: number) => x(w, 31, 1) === 1 || x(w, 15, 1) === 0;
/** Add/sub shifted: also shift = 11 is reserved. */
const addShiftValid = (w: number) => logValid(w) && x(w, 22, 2) !== 3;
/** Add/sub extended: imm3 > 4 is reserved. */
const addExtValid = (w: number) => x(w, 10, 3) <= 4;
/** CRC32: sf must be 1 exactly when sz = 11. */
const crcValid = (w: number) => (x(w, 31, 1) === 1) === (x(w, 10, 2) === 3);

function dp2(id: 'UDIV' | 'SDIV' | 'LSLV' | 'LSRV' | 'ASRV' | 'RORV', opcode: string): InsnEntry {
  return entry(id, G_DP2, `x 0 0 11010110 xxxxx ${opcode} xxxxx xxxxx`, R3);
}
function dp1(id: 'RBIT' | 'REV16' | 'CLZ' | 'CLS', opcode: string): InsnEntry {
  return entry(id, G_DP1, `x 1 0 11010110 00000 ${opcode} xxxxx xxxxx`, R2);
}
type PacId =
  | 'PACIA'
  | 'PACIB'
  | 'PACDA'
  | 'PACDB'
  | 'AUTIA'
  | 'AUTIB'
  | 'AUTDA'
  | 'AUTDB'
  | 'PACIZA'
  | 'PACIZB'
  | 'PACDZA'
  | 'PACDZB'
  | 'AUTIZA'
  | 'AUTIZB'
  | 'AUTDZA'
  | 'AUTDZB'
  | 'XPACI'
  | 'XPACD';
const PAC1: readonly (readonly [PacId, string, boolean])[] = [
  ['PACIA', '000000', false],
  ['PACIB', '000001', false],
  ['PACDA', '000010', false],
  ['PACDB', '000011', false],
  ['AUTIA', '000100', false],
  ['AUTIB', '000101', false],
  ['AUTDA', '000110', false],
  ['AUTDB', '000111', false],
  ['PACIZA', '001000', true],
  ['PACIZB', '001001', true],
  ['PACDZA', '001010', true],
  ['PACDZB', '001011', true],
  ['AUTIZA', '001100', true],
  ['AUTIZB', '001101', true],
  ['AUTDZA', '001110', true],
  ['AUTDZB', '001111', true],
  ['XPACI', '010000', true],
  ['XPACD', '010001', true],
];

function logical(
  id: 'AND_shift' | 'BIC_shift' | 'ORR_shift' | 'ORN_shift' | 'EOR_shift' | 'EON_shift' | 'ANDS_shift' | 'BICS_shift',
  opc: string,
  n: string,
): InsnEntry {
  return entry(id, G_LOG, `x ${opc} 01010 xx ${n} xxxxx xxxxxx xxxxx xxxxx`, SHIFTED, { constraint: logValid });
}

export const DP_REG: readonly InsnEntry[] = [
  // Data-processing (2 source): sf 0 S 11010110 Rm opcode Rn Rd (S = 0).
  dp2('UDIV', '000010'),
  dp2('SDIV', '000011'),
  dp2('LSLV', '001000'),
  dp2('LSRV', '001001'),
  dp2('ASRV', '001010'),
  dp2('RORV', '001011'),
  entry('PACGA', G_DP2, '1 0 0 11010110 xxxxx 001100 xxxxx xxxxx', { rm: RM, rn: RN, rd: RD }, { feature: 'pauth' }),
  entry(
    'CRC32',
    G_DP2,
    'x 0 0 11010110 xxxxx 010 0 xx xxxxx xxxxx',
    { sf: SF, sz: u(10, 2), rm: RM, rn: RN, rd: RD },
    { feature: 'crc32', constraint: crcValid },
  ),
  entry(
    'CRC32C',
    G_DP2,
    'x 0 0 11010110 xxxxx 010 1 xx xxxxx xxxxx',
    { sf: SF, sz: u(10, 2), rm: RM, rn: RN, rd: RD },
    { feature: 'crc32', constraint: crcValid },
  ),
  // Data-processing (1 source): sf 1 S 11010110 opcode2 opcode Rn Rd (S = 0).
  dp1('RBIT', '000000'),
  dp1('REV16', '000001'),
  entry('REV32', G_DP1, '1 1 0 11010110 00000 000010 xxxxx xxxxx', { rn: RN, rd: RD }),
  entry('REV', G_DP1, '0 1 0 11010110 00000 000010 xxxxx xxxxx', R2),
  entry('REV', G_DP1, '1 1 0 11010110 00000 000011 xxxxx xxxxx', R2),
  dp1('CLZ', '000100'),
  dp1('CLS', '000101'),
  ...PAC1.map(([id, opcode, z]) =>
    entry(
      id,
      G_DP1,
      `1 1 0 11010110 00001 ${opcode} ${z ? '11111' : 'xxxxx'} xxxxx`,
      z ? { rd: RD } : { rn: RN, rd: RD },
      { feature: 'pauth' },
    ),
  ),
  // Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd.
  logical('AND_shift', '00', '0'),
  logical('BIC_shift', '00', '1'),
  logical('ORR_shift', '01', '0'),
  logical('ORN_shift', '01', '1'),
  logical('EOR_shift', '10', '0'),
  logical('EON_shift', '10', '1'),
  logical('ANDS_shift', '11', '0'),
  logical('BICS_shift', '11', '1'),
  // Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd.
  entry('ADD_shift', G_ADDS, 'x 0 0 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx', SHIFTED, { constraint: addShiftValid }),
  entry('ADDS_shift', G_ADDS, 'x 0 1 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx', SHIFTED, { constraint: addShiftValid }),
  entry('SUB_shift', G_ADDS, 'x 1 0 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx', SHIFTED, { constraint: addShiftValid }),
  entry('SUBS_shift', G_ADDS, 'x 1 1 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx', SHIFTED, { constraint: addShiftValid }),
  // Add/subtract (extended register): sf op S 01011 opt(00) 1 Rm option imm3 Rn Rd.
  entry('ADD_ext', G_ADDE, 'x 0 0 01011 00 1 xxxxx xxx xxx xxxxx xxxxx', EXTENDED, { constraint: addExtValid }),
  entry('ADDS_ext', G_ADDE, 'x 0 1 01011 00 1 xxxxx xxx xxx xxxxx xxxxx', EXTENDED, { constraint: addExtValid }),
  entry('SUB_ext', G_ADDE, 'x 1 0 01011 00 1 xxxxx xxx xxx xxxxx xxxxx', EXTENDED, { constraint: addExtValid }),
  entry('SUBS_ext', G_ADDE, 'x 1 1 01011 00 1 xxxxx xxx xxx xxxxx xxxxx', EXTENDED, { constraint: addExtValid }),
  // Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd.
  entry('ADC', G_ADC, 'x 0 0 11010000 xxxxx 000000 xxxxx xxxxx', R3),
  entry('ADCS', G_ADC, 'x 0 1 11010000 xxxxx 000000 xxxxx xxxxx', R3),
  entry('SBC', G_ADC, 'x 1 0 11010000 xxxxx 000000 xxxxx xxxxx', R3),
  entry('SBCS', G_ADC, 'x 1 1 11010000 xxxxx 000000 xxxxx xxxxx', R3),
  // Rotate right into flags / evaluate into flags (FEAT_FlagM).
  entry(
    'RMIF',
    G_FLAGS,
    '1 0 1 11010000 xxxxxx 00001 xxxxx 0 xxxx',
    { imm6: u(15, 6), rn: RN, mask: u(0, 4) },
    { feature: 'flagm' },
  ),
  entry('SETF8', G_FLAGS, '0 0 1 11010000 000000 0 0010 xxxxx 0 1101', { rn: RN }, { feature: 'flagm' }),
  entry('SETF16', G_FLAGS, '0 0 1 11010000 000000 1 0010 xxxxx 0 1101', { rn: RN }, { feature: 'flagm' }),
  // Conditional compare: sf op 1 11010010 Rm|imm5 cond o? o2 Rn o3 nzcv (o2 = o3 = 0).
  entry('CCMN_reg', G_CCMP, 'x 0 1 11010010 xxxxx xxxx 0 0 xxxxx 0 xxxx', CCMP_REG),
  entry('CCMP_reg', G_CCMP, 'x 1 1 11010010 xxxxx xxxx 0 0 xxxxx 0 xxxx', CCMP_REG),
  entry('CCMN_imm', G_CCMP, 'x 0 1 11010010 xxxxx xxxx 1 0 xxxxx 0 xxxx', CCMP_IMM),
  entry('CCMP_imm', G_CCMP, 'x 1 1 11010010 xxxxx xxxx 1 0 xxxxx 0 xxxx', CCMP_IMM),
  // Conditional select: sf op S 11010100 Rm cond op2 Rn Rd (S = 0, op2<1> = 0).
  entry('CSEL', G_CSEL, 'x 0 0 11010100 xxxxx xxxx 00 xxxxx xxxxx', CSEL),
  entry('CSINC', G_CSEL, 'x 0 0 11010100 xxxxx xxxx 01 xxxxx xxxxx', CSEL),
  entry('CSINV', G_CSEL, 'x 1 0 11010100 xxxxx xxxx 00 xxxxx xxxxx', CSEL),
  entry('CSNEG', G_CSEL, 'x 1 0 11010100 xxxxx xxxx 01 xxxxx xxxxx', CSEL),
  // Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd.
  entry('MADD', G_DP3, 'x 00 11011 000 xxxxx 0 xxxxx xxxxx xxxxx', { sf: SF, rm: RM, ra: RA, rn: RN, rd: RD }),
  entry('MSUB', G_DP3, 'x 00 11011 000 xxxxx 1 xxxxx xxxxx xxxxx', { sf: SF, rm: RM, ra: RA, rn: RN, rd: RD }),
  entry('SMADDL', G_DP3, '1 00 11011 001 xxxxx 0 xxxxx xxxxx xxxxx', { rm: RM, ra: RA, rn: RN, rd: RD }),
  entry('SMSUBL', G_DP3, '1 00 11011 001 xxxxx 1 xxxxx xxxxx xxxxx', { rm: RM, ra: RA, rn: RN, rd: RD }),
  // SMULH/UMULH: Ra is (1)(1)(1)(1)(1) (should be one), not decoded, as binutils.
  entry('SMULH', G_DP3, '1 00 11011 010 xxxxx 0 xxxxx xxxxx xxxxx', { rm: RM, rn: RN, rd: RD }),
  entry('UMADDL', G_DP3, '1 00 11011 101 xxxxx 0 xxxxx xxxxx xxxxx', { rm: RM, ra: RA, rn: RN, rd: RD }),
  entry('UMSUBL', G_DP3, '1 00 11011 101 xxxxx 1 xxxxx xxxxx xxxxx', { rm: RM, ra: RA, rn: RN, rd: RD }),
  entry('UMULH', G_DP3, '1 00 11011 110 xxxxx 0 xxxxx xxxxx xxxxx', { rm: RM, rn: RN, rd: RD }),
];
