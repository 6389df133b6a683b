/**
 * Data Processing -- Scalar Floating-Point and Advanced SIMD (Arm ARM DDI 0487 C4.1.96;
 * op0 = x111 at bits 28:25): one entry per encoding class. The class's opcode fields select the
 * operation; which combinations are allocated is decided by the lookup functions of
 * simd-ops.ts / fp-ops.ts, which the disassembler also uses.
 *
 * Not decoded (unallocated here): SVE, SME, FEAT_FP8*, FEAT_LUT, FEAT_FAMINMAX and the other
 * post-Armv9.2 additions.
 */
import type { Feature, FieldSpec, InsnEntry } from '../types.js';
import * as F from './fp-ops.js';
import * as S from './simd-ops.js';
import { entry, RD, RM, RN, u } from './util.js';

const Q = u(30, 1);
const U = u(29, 1);
const SZ = u(22, 2);

type Lookup = (w: number) => S.SimdOp | undefined;
const allocated = (f: Lookup) => (w: number) => f(w) !== undefined;

function cls(
  id: Parameters<typeof entry>[0],
  group: string,
  pattern: string,
  fields: Record<string, FieldSpec>,
  lookup: Lookup,
  feature: Feature = 'simd',
): InsnEntry {
  return entry(id, group, pattern, fields, { feature, constraint: allocated(lookup) });
}

const V3 = { q: Q, u: U, size: SZ, rm: RM, rn: RN, rd: RD };
const V2 = { q: Q, u: U, size: SZ, rn: RN, rd: RD };
const S3 = { u: U, size: SZ, rm: RM, rn: RN, rd: RD };
const S2 = { u: U, size: SZ, rn: RN, rd: RD };
const ELEM = { u: U, size: SZ, l: u(21, 1), m: u(20, 1), rm: u(16, 4), opcode: u(12, 4), h: u(11, 1), rn: RN, rd: RD };
const SHIFT = { u: U, immh: u(19, 4), immb: u(16, 3), opcode: u(11, 5), rn: RN, rd: RD };
const FPR = { ftype: u(22, 2) };

export const SIMD_FP: readonly InsnEntry[] = [
  // ── Cryptographic (feature crypto) ──
  cls(
    'CRYPTO_AES',
    'crypto/aes',
    '01001110 xx 10100 xxxxx 10 xxxxx xxxxx',
    { size: SZ, opcode: u(12, 5), rn: RN, rd: RD },
    S.cryptoAes,
    'crypto',
  ),
  cls(
    'CRYPTO_SHA3REG',
    'crypto/sha-3reg',
    '01011110 xx 0 xxxxx 0 xxx 00 xxxxx xxxxx',
    { size: SZ, rm: RM, opcode: u(12, 3), rn: RN, rd: RD },
    S.cryptoSha3,
    'crypto',
  ),
  cls(
    'CRYPTO_SHA2REG',
    'crypto/sha-2reg',
    '01011110 xx 10100 xxxxx 10 xxxxx xxxxx',
    { size: SZ, opcode: u(12, 5), rn: RN, rd: RD },
    S.cryptoSha2,
    'crypto',
  ),
  cls(
    'CRYPTO_3REG_IMM2',
    'crypto/3reg-imm2',
    '11001110010 xxxxx 10 xx xx xxxxx xxxxx',
    { rm: RM, imm2: u(12, 2), opcode: u(10, 2), rn: RN, rd: RD },
    S.cryptoImm2,
    'crypto',
  ),
  cls(
    'CRYPTO_SHA512_3',
    'crypto/sha512-3reg',
    '11001110011 xxxxx 1 x 00 xx xxxxx xxxxx',
    { rm: RM, o: u(14, 1), opcode: u(10, 2), rn: RN, rd: RD },
    S.cryptoSha512x3,
    'crypto',
  ),
  cls(
    'CRYPTO_4REG',
    'crypto/4reg',
    '11001110 0 xx xxxxx 0 xxxxx xxxxx xxxxx',
    { op0: u(21, 2), rm: RM, ra: u(10, 5), rn: RN, rd: RD },
    S.crypto4Reg,
    'crypto',
  ),
  cls(
    'CRYPTO_XAR',
    'crypto/xar',
    '11001110100 xxxxx xxxxxx xxxxx xxxxx',
    { rm: RM, imm6: u(10, 6), rn: RN, rd: RD },
    S.cryptoXar,
    'crypto',
  ),
  cls(
    'CRYPTO_SHA512_2',
    'crypto/sha512-2reg',
    '11001110110 00000 1000 xx xxxxx xxxxx',
    { opcode: u(10, 2), rn: RN, rd: RD },
    S.cryptoSha512x2,
    'crypto',
  ),

  // ── AdvSIMD scalar ──
  cls(
    'SIMD_S_COPY',
    'simd/scalar-copy',
    '01 x 11110000 xxxxx 0 xxxx 1 xxxxx xxxxx',
    { op: U, imm5: u(16, 5), imm4: u(11, 4), rn: RN, rd: RD },
    S.simdSCopy,
  ),
  cls(
    'SIMD_S_3SAME_FP16',
    'simd/scalar-3same-fp16',
    '01 x 11110 x 10 xxxxx 00 xxx 1 xxxxx xxxxx',
    { u: U, a: u(23, 1), rm: RM, opcode: u(11, 3), rn: RN, rd: RD },
    S.simdS3SameFp16,
  ),
  cls(
    'SIMD_S_2MISC_FP16',
    'simd/scalar-2misc-fp16',
    '01 x 11110 x 1111 00 xxxxx 10 xxxxx xxxxx',
    { u: U, a: u(23, 1), opcode: u(12, 5), rn: RN, rd: RD },
    S.simdS2MiscFp16,
  ),
  cls(
    'SIMD_S_3SAME_EXTRA',
    'simd/scalar-3same-extra',
    '01 x 11110 xx 0 xxxxx 1 xxxx 1 xxxxx xxxxx',
    { ...S3, opcode: u(11, 4) },
    S.simdS3SameExtra,
  ),
  cls(
    'SIMD_S_2MISC',
    'simd/scalar-2misc',
    '01 x 11110 xx 10000 xxxxx 10 xxxxx xxxxx',
    { ...S2, opcode: u(12, 5) },
    S.simdS2Misc,
  ),
  cls(
    'SIMD_S_PAIRWISE',
    'simd/scalar-pairwise',
    '01 x 11110 xx 11000 xxxxx 10 xxxxx xxxxx',
    { ...S2, opcode: u(12, 5) },
    S.simdSPairwise,
  ),
  cls(
    'SIMD_S_3DIFF',
    'simd/scalar-3diff',
    '01 x 11110 xx 1 xxxxx xxxx 00 xxxxx xxxxx',
    { ...S3, opcode: u(12, 4) },
    S.simdS3Diff,
  ),
  cls(
    'SIMD_S_3SAME',
    'simd/scalar-3same',
    '01 x 11110 xx 1 xxxxx xxxxx 1 xxxxx xxxxx',
    { ...S3, opcode: u(11, 5) },
    S.simdS3Same,
  ),
  cls('SIMD_S_SHIFT_IMM', 'simd/scalar-shift-imm', '01 x 111110 xxxx xxx xxxxx 1 xxxxx xxxxx', SHIFT, S.simdSShiftImm),
  cls('SIMD_S_ELEM', 'simd/scalar-elem', '01 x 11111 xx x x xxxx xxxx x 0 xxxxx xxxxx', ELEM, S.simdSElem),

  // ── AdvSIMD vector ──
  cls(
    'SIMD_TBL',
    'simd/table-lookup',
    '0 x 001110 xx 0 xxxxx 0 xx x 00 xxxxx xxxxx',
    { q: Q, op2: SZ, rm: RM, len: u(13, 2), op: u(12, 1), rn: RN, rd: RD },
    S.simdTbl,
  ),
  cls(
    'SIMD_PERM',
    'simd/permute',
    '0 x 001110 xx 0 xxxxx 0 xxx 10 xxxxx xxxxx',
    { q: Q, size: SZ, rm: RM, opcode: u(12, 3), rn: RN, rd: RD },
    S.simdPerm,
  ),
  cls(
    'SIMD_EXT',
    'simd/extract',
    '0 x 101110 xx 0 xxxxx 0 xxxx 0 xxxxx xxxxx',
    { q: Q, op2: SZ, rm: RM, imm4: u(11, 4), rn: RN, rd: RD },
    S.simdExt,
  ),
  cls(
    'SIMD_COPY',
    'simd/copy',
    '0 x x 01110000 xxxxx 0 xxxx 1 xxxxx xxxxx',
    { q: Q, op: U, imm5: u(16, 5), imm4: u(11, 4), rn: RN, rd: RD },
    S.simdCopy,
  ),
  cls(
    'SIMD_3SAME_FP16',
    'simd/3same-fp16',
    '0 x x 01110 x 10 xxxxx 00 xxx 1 xxxxx xxxxx',
    { q: Q, u: U, a: u(23, 1), rm: RM, opcode: u(11, 3), rn: RN, rd: RD },
    S.simd3SameFp16,
  ),
  cls(
    'SIMD_2MISC_FP16',
    'simd/2misc-fp16',
    '0 x x 01110 x 1111 00 xxxxx 10 xxxxx xxxxx',
    { q: Q, u: U, a: u(23, 1), opcode: u(12, 5), rn: RN, rd: RD },
    S.simd2MiscFp16,
  ),
  cls(
    'SIMD_3SAME_EXTRA',
    'simd/3reg-extension',
    '0 x x 01110 xx 0 xxxxx 1 xxxx 1 xxxxx xxxxx',
    { ...V3, opcode: u(11, 4) },
    S.simd3SameExtra,
  ),
  cls(
    'SIMD_2MISC',
    'simd/2misc',
    '0 x x 01110 xx 10000 xxxxx 10 xxxxx xxxxx',
    { ...V2, opcode: u(12, 5) },
    S.simd2Misc,
  ),
  cls(
    'SIMD_ACROSS',
    'simd/across-lanes',
    '0 x x 01110 xx 11000 xxxxx 10 xxxxx xxxxx',
    { ...V2, opcode: u(12, 5) },
    S.simdAcross,
  ),
  cls(
    'SIMD_3DIFF',
    'simd/3diff',
    '0 x x 01110 xx 1 xxxxx xxxx 00 xxxxx xxxxx',
    { ...V3, opcode: u(12, 4) },
    S.simd3Diff,
  ),
  cls(
    'SIMD_3SAME',
    'simd/3same',
    '0 x x 01110 xx 1 xxxxx xxxxx 1 xxxxx xxxxx',
    { ...V3, opcode: u(11, 5) },
    S.simd3Same,
  ),
  cls(
    'SIMD_MODIMM',
    'simd/modified-imm',
    '0 x x 0111100000 xxx xxxx x 1 xxxxx xxxxx',
    {
      q: Q,
      op: U,
      abc: u(16, 3),
      cmode: u(12, 4),
      o2: u(11, 1),
      defgh: u(5, 5),
      imm8: { pos: 5, width: 5, signed: false, hi: { pos: 16, width: 3 } },
      rd: RD,
    },
    S.simdModImm,
  ),
  cls(
    'SIMD_SHIFT_IMM',
    'simd/shift-imm',
    '0 x x 011110 xxxx xxx xxxxx 1 xxxxx xxxxx',
    { q: Q, ...SHIFT },
    S.simdShiftImm,
  ),
  cls('SIMD_ELEM', 'simd/elem', '0 x x 01111 xx x x xxxx xxxx x 0 xxxxx xxxxx', { q: Q, ...ELEM }, S.simdElem),

  // ── Scalar floating point (feature fp) ──
  cls(
    'FP_CVT_FIXED',
    'fp/cvt-fixed',
    'x 0 0 11110 xx 0 xx xxx xxxxxx xxxxx xxxxx',
    { sf: u(31, 1), ...FPR, rmode: u(19, 2), opcode: u(16, 3), scale: u(10, 6), rn: RN, rd: RD },
    F.fpCvtFixed,
    'fp',
  ),
  cls(
    'FP_CVT_INT',
    'fp/cvt-int',
    'x 0 0 11110 xx 1 xx xxx 000000 xxxxx xxxxx',
    { sf: u(31, 1), ...FPR, rmode: u(19, 2), opcode: u(16, 3), rn: RN, rd: RD },
    F.fpCvtInt,
    'fp',
  ),
  cls(
    'FP_DP1',
    'fp/dp1',
    '0 0 0 11110 xx 1 xxxxxx 10000 xxxxx xxxxx',
    { ...FPR, opcode: u(15, 6), rn: RN, rd: RD },
    F.fpDp1,
    'fp',
  ),
  cls(
    'FP_CMP',
    'fp/compare',
    '0 0 0 11110 xx 1 xxxxx xx 1000 xxxxx xxxxx',
    { ...FPR, rm: RM, op: u(14, 2), rn: RN, opcode2: u(0, 5) },
    F.fpCmp,
    'fp',
  ),
  cls(
    'FP_IMM',
    'fp/imm',
    '0 0 0 11110 xx 1 xxxxxxxx 100 xxxxx xxxxx',
    { ...FPR, imm8: u(13, 8), imm5: u(5, 5), rd: RD },
    F.fpImm,
    'fp',
  ),
  cls(
    'FP_CCMP',
    'fp/cond-compare',
    '0 0 0 11110 xx 1 xxxxx xxxx 01 xxxxx x xxxx',
    { ...FPR, rm: RM, cond: u(12, 4), rn: RN, op: u(4, 1), nzcv: u(0, 4) },
    F.fpCcmp,
    'fp',
  ),
  cls(
    'FP_DP2',
    'fp/dp2',
    '0 0 0 11110 xx 1 xxxxx xxxx 10 xxxxx xxxxx',
    { ...FPR, rm: RM, opcode: u(12, 4), rn: RN, rd: RD },
    F.fpDp2,
    'fp',
  ),
  cls(
    'FP_CSEL',
    'fp/cond-select',
    '0 0 0 11110 xx 1 xxxxx xxxx 11 xxxxx xxxxx',
    { ...FPR, rm: RM, cond: u(12, 4), rn: RN, rd: RD },
    F.fpCsel,
    'fp',
  ),
  cls(
    'FP_DP3',
    'fp/dp3',
    '0 0 0 11111 xx x xxxxx x xxxxx xxxxx xxxxx',
    { ...FPR, o1: u(21, 1), rm: RM, o0: u(15, 1), ra: u(10, 5), rn: RN, rd: RD },
    F.fpDp3,
    'fp',
  ),
];
