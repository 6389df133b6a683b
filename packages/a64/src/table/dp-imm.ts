/**
 * Data Processing -- Immediate (Arm ARM DDI 0487 C4.1.86; op0 = 100x at bits 28:25).
 * Classes by bits 25:23: 00x PC-rel, 010 add/sub immediate, 011 add/sub with tags (FEAT_MTE,
 * not decoded: unallocated here), 100 logical immediate, 101 move wide, 110 bitfield, 111 extract.
 */
import type { InsnEntry } from '../types.js';
import { cat, entry, RD, RM, RN, SF, u, x } from './util.js';

/**
 * DecodeBitMasks(N, imms, immr, immediate = TRUE) is UNDEFINED when len < 1 or when
 * imms<len-1:0> is all ones (Arm ARM J1 shared/functions/bitmasks). Also sf = 0 with N = 1.
 */
export function logicalImmValid(w: number): boolean {
  const sf = x(w, 31, 1);
  const n = x(w, 22, 1);
  const imms = x(w, 10, 6);
  if (sf === 0 && n === 1) return false;
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return false;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return false;
  const levels = (1 << len) - 1;
  return (imms & levels) !== levels;
}

const PCREL = { immlo: u(29, 2), immhi: u(5, 19), rd: RD };
const ADDSUB = { sf: SF, sh: u(22, 1), imm12: u(10, 12), rn: RN, rd: RD };
const LOGIMM = { sf: SF, n: u(22, 1), immr: u(16, 6), imms: u(10, 6), rn: RN, rd: RD };
const MOVW = { sf: SF, hw: u(21, 2), imm16: u(5, 16), rd: RD };
/** sf = 0 with hw<1> = 1 is UNDEFINED (MOVZ/MOVN/MOVK decode). */
const movwValid = (w: number) => x(w, 31, 1) === 1 || x(w, 22, 1) === 0;
/** SBFM/BFM/UBFM: N must equal sf; with sf = 0, immr<5> and imms<5> must be 0. */
const bitfieldValid = (w: number) => {
  const sf = x(w, 31, 1);
  if (x(w, 22, 1) !== sf) return false;
  return sf === 1 || (x(w, 21, 1) === 0 && x(w, 15, 1) === 0);
};
/** EXTR: N must equal sf; with sf = 0, imms<5> must be 0. */
const extrValid = (w: number) => {
  const sf = x(w, 31, 1);
  if (x(w, 22, 1) !== sf) return false;
  return sf === 1 || x(w, 15, 1) === 0;
};

const G_PCREL = 'dp-imm/pc-rel';
const G_ADDSUB = 'dp-imm/add-sub-imm';
const G_LOG = 'dp-imm/logical-imm';
const G_MOVW = 'dp-imm/move-wide';
const G_BF = 'dp-imm/bitfield';
const G_EXTR = 'dp-imm/extract';

export const DP_IMM: readonly InsnEntry[] = [
  entry('ADR', G_PCREL, '0xx 10000 xxxxxxxxxxxxxxxxxxx xxxxx', {
    ...PCREL,
    offset: cat([5, 19], [29, 2], true),
  }),
  entry('ADRP', G_PCREL, '1xx 10000 xxxxxxxxxxxxxxxxxxx xxxxx', {
    ...PCREL,
    offset: cat([5, 19], [29, 2], true, 4096),
  }),
  entry('ADD_imm', G_ADDSUB, 'x00 100010 x xxxxxxxxxxxx xxxxx xxxxx', ADDSUB),
  entry('ADDS_imm', G_ADDSUB, 'x01 100010 x xxxxxxxxxxxx xxxxx xxxxx', ADDSUB),
  entry('SUB_imm', G_ADDSUB, 'x10 100010 x xxxxxxxxxxxx xxxxx xxxxx', ADDSUB),
  entry('SUBS_imm', G_ADDSUB, 'x11 100010 x xxxxxxxxxxxx xxxxx xxxxx', ADDSUB),
  entry('AND_imm', G_LOG, 'x00 100100 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: logicalImmValid }),
  entry('ORR_imm', G_LOG, 'x01 100100 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: logicalImmValid }),
  entry('EOR_imm', G_LOG, 'x10 100100 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: logicalImmValid }),
  entry('ANDS_imm', G_LOG, 'x11 100100 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: logicalImmValid }),
  entry('MOVN', G_MOVW, 'x00 100101 xx xxxxxxxxxxxxxxxx xxxxx', MOVW, { constraint: movwValid }),
  // opc = 01 is unallocated.
  entry('MOVZ', G_MOVW, 'x10 100101 xx xxxxxxxxxxxxxxxx xxxxx', MOVW, { constraint: movwValid }),
  entry('MOVK', G_MOVW, 'x11 100101 xx xxxxxxxxxxxxxxxx xxxxx', MOVW, { constraint: movwValid }),
  entry('SBFM', G_BF, 'x00 100110 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: bitfieldValid }),
  entry('BFM', G_BF, 'x01 100110 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: bitfieldValid }),
  entry('UBFM', G_BF, 'x10 100110 x xxxxxx xxxxxx xxxxx xxxxx', LOGIMM, { constraint: bitfieldValid }),
  // opc = 11 is unallocated.
  // op21 = 00, o0 = 0; every other op21/o0 combination is unallocated.
  entry(
    'EXTR',
    G_EXTR,
    'x00 100111 x 0 xxxxx xxxxxx xxxxx xxxxx',
    { sf: SF, n: u(22, 1), rm: RM, imms: u(10, 6), rn: RN, rd: RD },
    { constraint: extrValid },
  ),
];
