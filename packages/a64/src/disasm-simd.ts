/**
 * Disassembly of the SIMD&FP and cryptographic classes and of the AdvSIMD structure
 * loads/stores, in GNU binutils syntax. The operation and format come from the same lookups
 * the decoder's constraints use (table/simd-ops.ts, table/fp-ops.ts).
 */
import { extractField } from './decoder.js';
import { COND, dotInst, greg, hex, xreg } from './format.js';
import * as F from './table/fp-ops.js';
import * as S from './table/simd-ops.js';
import { x } from './table/util.js';
import type { Decoded } from './types.js';

const ARR = ['8b', '16b', '4h', '8h', '2s', '4s', '1d', '2d'];
/** Arrangement of element size `size` (0..3) and Q. */
const arr = (size: number, q: number): string => ARR[size * 2 + q]!;
const fpArr = (sz: number, q: number): string => (sz ? '2d' : q ? '4s' : '2s');
const v = (n: number, t: string): string => `v${n}.${t}`;
const sc = (size: number, n: number): string => `${'bhsdq'[size]}${n}`;
const el = (n: number, c: string, i: number): string => `v${n}.${c}[${i}]`;
const ins = (mn: string, ...ops: string[]): string => `${mn} ${ops.join(', ')}`;
const two = (mn: string, q: number): string => (q ? `${mn}2` : mn);

/** binutils prints FP immediates with printf("%.18e"). */
export function fpImmText(value: number): string {
  return `#${value.toExponential(18).replace(/e([+-])(\d)$/, 'e$10$2')}`;
}
/** VFPExpandImm (Arm ARM J1 shared/functions/float/vfpexpandimm): the value of an FP imm8. */
export function vfpExpandImm(imm8: number): number {
  const sign = imm8 & 0x80 ? -1 : 1;
  const b = (imm8 >> 6) & 1;
  const cd = (imm8 >> 4) & 3;
  const exp = b ? cd - 3 : cd + 1;
  return sign * (1 + (imm8 & 0xf) / 16) * 2 ** exp;
}
/** AdvSIMDExpandImm for op = 1, cmode = 1110: each bit of imm8 becomes a byte. */
function bytesMask(imm8: number): bigint {
  let r = 0n;
  for (let i = 0; i < 8; i++) if ((imm8 >> i) & 1) r |= 0xffn << BigInt(8 * i);
  return r;
}

/** Register list `{v1.16b, v2.16b}` or, for three or more without wrap-around, `{v1.16b-v3.16b}`. */
function vlist(first: number, count: number, t: string): string {
  if (count >= 3 && first + count - 1 <= 31) return `{${v(first, t)}-${v(first + count - 1, t)}}`;
  const regs: string[] = [];
  for (let i = 0; i < count; i++) regs.push(v((first + i) % 32, t));
  return `{${regs.join(', ')}}`;
}

export function disassembleSimdFp(d: Decoded): string {
  return simdText(d) ?? dotInst(d.word);
}

const LOOKUPS: Record<string, (w: number) => S.SimdOp | undefined> = {
  CRYPTO_AES: S.cryptoAes,
  CRYPTO_SHA3REG: S.cryptoSha3,
  CRYPTO_SHA2REG: S.cryptoSha2,
  CRYPTO_3REG_IMM2: S.cryptoImm2,
  CRYPTO_SHA512_3: S.cryptoSha512x3,
  CRYPTO_4REG: S.crypto4Reg,
  CRYPTO_XAR: S.cryptoXar,
  CRYPTO_SHA512_2: S.cryptoSha512x2,
  SIMD_S_COPY: S.simdSCopy,
  SIMD_S_3SAME_FP16: S.simdS3SameFp16,
  SIMD_S_2MISC_FP16: S.simdS2MiscFp16,
  SIMD_S_3SAME_EXTRA: S.simdS3SameExtra,
  SIMD_S_2MISC: S.simdS2Misc,
  SIMD_S_PAIRWISE: S.simdSPairwise,
  SIMD_S_3DIFF: S.simdS3Diff,
  SIMD_S_3SAME: S.simdS3Same,
  SIMD_S_SHIFT_IMM: S.simdSShiftImm,
  SIMD_S_ELEM: S.simdSElem,
  SIMD_TBL: S.simdTbl,
  SIMD_PERM: S.simdPerm,
  SIMD_EXT: S.simdExt,
  SIMD_COPY: S.simdCopy,
  SIMD_3SAME_FP16: S.simd3SameFp16,
  SIMD_2MISC_FP16: S.simd2MiscFp16,
  SIMD_3SAME_EXTRA: S.simd3SameExtra,
  SIMD_2MISC: S.simd2Misc,
  SIMD_ACROSS: S.simdAcross,
  SIMD_3DIFF: S.simd3Diff,
  SIMD_3SAME: S.simd3Same,
  SIMD_MODIMM: S.simdModImm,
  SIMD_SHIFT_IMM: S.simdShiftImm,
  SIMD_ELEM: S.simdElem,
  FP_CVT_FIXED: F.fpCvtFixed,
  FP_CVT_INT: F.fpCvtInt,
  FP_DP1: F.fpDp1,
  FP_CMP: F.fpCmp,
  FP_IMM: F.fpImm,
  FP_CCMP: F.fpCcmp,
  FP_DP2: F.fpDp2,
  FP_CSEL: F.fpCsel,
  FP_DP3: F.fpDp3,
};

function simdText(d: Decoded): string | undefined {
  const w = d.word;
  const id = d.entry.id;
  if (id.startsWith('SIMD_LDST')) return ldstStruct(d);
  const o = LOOKUPS[id]?.(w);
  if (!o) return undefined;
  const { mn, fmt } = o;
  const q = x(w, 30, 1);
  const size = x(w, 22, 2);
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm = x(w, 16, 5);
  if (id.startsWith('FP_')) return fpText(d, mn, fmt);
  if (id.startsWith('CRYPTO_')) return cryptoText(id, mn, fmt, w);
  switch (id) {
    case 'SIMD_3SAME': {
      if (fmt === 'mov') return ins('mov', v(rd, q ? '16b' : '8b'), v(rn, q ? '16b' : '8b'));
      if (fmt === 'fhm') return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '4h' : '2h'), v(rm, q ? '4h' : '2h'));
      const t = fmt === 'logic' ? (q ? '16b' : '8b') : fmt === 'fp' ? fpArr(size & 1, q) : arr(size, q);
      return ins(mn, v(rd, t), v(rn, t), v(rm, t));
    }
    case 'SIMD_3SAME_FP16': {
      const t = q ? '8h' : '4h';
      return ins(mn, v(rd, t), v(rn, t), v(rm, t));
    }
    case 'SIMD_S_3SAME_FP16':
      return ins(mn, `h${rd}`, `h${rn}`, `h${rm}`);
    case 'SIMD_S_3SAME':
    case 'SIMD_S_3SAME_EXTRA': {
      const s = fmt === 'fp' ? 2 + (size & 1) : size;
      return ins(mn, sc(s, rd), sc(s, rn), sc(s, rm));
    }
    case 'SIMD_3SAME_EXTRA':
      return threeSameExtra(mn, fmt, w);
    case 'SIMD_2MISC':
      return twoMisc(mn, fmt, w);
    case 'SIMD_2MISC_FP16': {
      const t = q ? '8h' : '4h';
      return fmt === 'hz' ? ins(mn, v(rd, t), v(rn, t), '#0.0') : ins(mn, v(rd, t), v(rn, t));
    }
    case 'SIMD_S_2MISC': {
      if (fmt === 'narrow') return ins(mn, sc(size, rd), sc(size + 1, rn));
      if (fmt === 'fcvtxn') return ins(mn, `s${rd}`, `d${rn}`);
      const s = fmt === 'fp' || fmt === 'fz' ? 2 + (size & 1) : size;
      const tail = fmt === 'z' ? ['#0'] : fmt === 'fz' ? ['#0.0'] : [];
      return ins(mn, sc(s, rd), sc(s, rn), ...tail);
    }
    case 'SIMD_S_2MISC_FP16':
      return fmt === 'hz' ? ins(mn, `h${rd}`, `h${rn}`, '#0.0') : ins(mn, `h${rd}`, `h${rn}`);
    case 'SIMD_ACROSS':
      if (fmt === 'fp') return ins(mn, `s${rd}`, v(rn, '4s'));
      if (fmt === 'h') return ins(mn, `h${rd}`, v(rn, q ? '8h' : '4h'));
      return ins(mn, sc(fmt === 'long' ? size + 1 : size, rd), v(rn, arr(size, q)));
    case 'SIMD_S_PAIRWISE':
      if (fmt === 'addp') return ins(mn, `d${rd}`, v(rn, '2d'));
      if (fmt === 'h') return ins(mn, `h${rd}`, v(rn, '2h'));
      return ins(mn, sc(2 + (size & 1), rd), v(rn, size & 1 ? '2d' : '2s'));
    case 'SIMD_3DIFF': {
      const ta = size === 3 ? '1q' : arr(size + 1, 1);
      const tb = arr(size, q);
      const m = two(mn, q);
      if (fmt === 'w') return ins(m, v(rd, ta), v(rn, ta), v(rm, tb));
      if (fmt === 'hn') return ins(m, v(rd, tb), v(rn, ta), v(rm, ta));
      return ins(m, v(rd, ta), v(rn, tb), v(rm, tb));
    }
    case 'SIMD_S_3DIFF':
      return ins(mn, sc(size + 1, rd), sc(size, rn), sc(size, rm));
    case 'SIMD_COPY':
    case 'SIMD_S_COPY':
      return copy(id, mn, fmt, w);
    case 'SIMD_MODIMM':
      return modImm(mn, fmt, w);
    case 'SIMD_SHIFT_IMM':
    case 'SIMD_S_SHIFT_IMM':
      return shiftImm(id === 'SIMD_S_SHIFT_IMM', mn, fmt, w);
    case 'SIMD_ELEM':
    case 'SIMD_S_ELEM':
      return elem(id === 'SIMD_S_ELEM', mn, fmt, w);
    case 'SIMD_TBL': {
      const t = q ? '16b' : '8b';
      return ins(mn, v(rd, t), vlist(rn, x(w, 13, 2) + 1, '16b'), v(rm, t));
    }
    case 'SIMD_PERM': {
      const t = arr(size, q);
      return ins(mn, v(rd, t), v(rn, t), v(rm, t));
    }
    case 'SIMD_EXT': {
      const t = q ? '16b' : '8b';
      return ins(mn, v(rd, t), v(rn, t), v(rm, t), `#${x(w, 11, 4)}`);
    }
    default:
      return undefined;
  }
}

function threeSameExtra(mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const size = x(w, 22, 2);
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm = x(w, 16, 5);
  switch (fmt) {
    case 'dot':
      return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '16b' : '8b'), v(rm, q ? '16b' : '8b'));
    case 'mmla':
      return ins(mn, v(rd, '4s'), v(rn, '16b'), v(rm, '16b'));
    case 'bfmmla':
    case 'bfmlal':
      return ins(mn, v(rd, '4s'), v(rn, '8h'), v(rm, '8h'));
    case 'bfdot':
      return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '8h' : '4h'), v(rm, q ? '8h' : '4h'));
    case 'fcmla':
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), v(rm, arr(size, q)), `#${x(w, 11, 2) * 90}`);
    case 'fcadd':
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), v(rm, arr(size, q)), `#${x(w, 12, 1) ? 270 : 90}`);
    default:
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), v(rm, arr(size, q)));
  }
}

function twoMisc(mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const size = x(w, 22, 2);
  const sz = size & 1;
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  switch (fmt) {
    case 'b':
      return ins(mn, v(rd, q ? '16b' : '8b'), v(rn, q ? '16b' : '8b'));
    case 'z':
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), '#0');
    case 'pairl':
      return ins(mn, v(rd, arr(size + 1, q)), v(rn, arr(size, q)));
    case 'narrow':
      return ins(two(mn, q), v(rd, arr(size, q)), v(rn, arr(size + 1, 1)));
    case 'shll':
      return ins(two(mn, q), v(rd, arr(size + 1, 1)), v(rn, arr(size, q)), `#${8 << size}`);
    case 'fp':
      return ins(mn, v(rd, fpArr(sz, q)), v(rn, fpArr(sz, q)));
    case 'fz':
      return ins(mn, v(rd, fpArr(sz, q)), v(rn, fpArr(sz, q)), '#0.0');
    case 'fcvtn':
      return ins(two(mn, q), v(rd, sz ? (q ? '4s' : '2s') : q ? '8h' : '4h'), v(rn, sz ? '2d' : '4s'));
    case 'fcvtl':
      return ins(two(mn, q), v(rd, sz ? '2d' : '4s'), v(rn, sz ? (q ? '4s' : '2s') : q ? '8h' : '4h'));
    case 'fcvtxn':
      return ins(two(mn, q), v(rd, q ? '4s' : '2s'), v(rn, '2d'));
    case 'bfcvtn':
      return ins(two(mn, q), v(rd, q ? '8h' : '4h'), v(rn, '4s'));
    default:
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)));
  }
}

function copy(id: string, mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const imm5 = x(w, 16, 5);
  const size = 31 - Math.clz32(imm5 & -imm5);
  const c = 'bhsd'[size]!;
  const idx = imm5 >> (size + 1);
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  if (id === 'SIMD_S_COPY') return ins(mn, sc(size, rd), el(rn, c, idx));
  switch (fmt) {
    case 'dupe':
      return ins(mn, v(rd, arr(size, q)), el(rn, c, idx));
    case 'dupg':
      return ins(mn, v(rd, arr(size, q)), greg(size === 3 ? 1 : 0, rn));
    case 'insg':
      return ins(mn, el(rd, c, idx), greg(size === 3 ? 1 : 0, rn));
    case 'smov':
    case 'umov':
      return ins(mn, greg(q, rd), el(rn, c, idx));
    default:
      return ins(mn, el(rd, c, idx), el(rn, c, x(w, 11, 4) >> size));
  }
}

function modImm(mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const cmode = x(w, 12, 4);
  const imm8 = (x(w, 16, 3) << 5) | x(w, 5, 5);
  const rd = x(w, 0, 5);
  switch (fmt) {
    case 'movi32':
    case 'orr32': {
      const sh = ((cmode >> 1) & 3) * 8;
      return ins(mn, v(rd, q ? '4s' : '2s'), hex(imm8), ...(sh ? [`lsl #${sh}`] : []));
    }
    case 'movi16':
    case 'orr16': {
      const sh = ((cmode >> 1) & 1) * 8;
      return ins(mn, v(rd, q ? '8h' : '4h'), hex(imm8), ...(sh ? [`lsl #${sh}`] : []));
    }
    case 'msl':
      return ins(mn, v(rd, q ? '4s' : '2s'), hex(imm8), `msl #${cmode & 1 ? 16 : 8}`);
    case 'movi8':
      return ins(mn, v(rd, q ? '16b' : '8b'), hex(imm8));
    case 'movid':
      return ins(mn, `d${rd}`, hex(bytesMask(imm8)));
    case 'movi2d':
      return ins(mn, v(rd, '2d'), hex(bytesMask(imm8)));
    case 'fmov2d':
      return ins(mn, v(rd, '2d'), fpImmText(vfpExpandImm(imm8)));
    case 'fmovh':
      return ins(mn, v(rd, q ? '8h' : '4h'), fpImmText(vfpExpandImm(imm8)));
    default:
      return ins(mn, v(rd, q ? '4s' : '2s'), fpImmText(vfpExpandImm(imm8)));
  }
}

function shiftImm(scalar: boolean, mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const size = S.immhSize(x(w, 19, 4));
  const esize = 8 << size;
  const imm7 = x(w, 16, 7);
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const right = `#${2 * esize - imm7}`;
  const left = `#${imm7 - esize}`;
  if (scalar) {
    if (fmt === 'rn') return ins(mn, sc(size, rd), sc(size + 1, rn), right);
    return ins(mn, sc(size, rd), sc(size, rn), fmt === 'l' ? left : right);
  }
  switch (fmt) {
    case 'rn':
      return ins(two(mn, q), v(rd, arr(size, q)), v(rn, arr(size + 1, 1)), right);
    case 'll':
      return ins(two(mn, q), v(rd, arr(size + 1, 1)), v(rn, arr(size, q)), left);
    case 'xtl':
      return ins(two(mn, q), v(rd, arr(size + 1, 1)), v(rn, arr(size, q)));
    case 'l':
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), left);
    default:
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), right);
  }
}

function elem(scalar: boolean, mn: string, fmt: string, w: number): string {
  const q = x(w, 30, 1);
  const size = x(w, 22, 2);
  const H = x(w, 11, 1);
  const L = x(w, 21, 1);
  const M = x(w, 20, 1);
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm4 = x(w, 16, 4);
  const rm5 = x(w, 16, 5);
  const hElem = (): string => el(rm4, 'h', (H << 2) | (L << 1) | M);
  const sElem = (): string => el(rm5, 's', (H << 1) | L);
  switch (fmt) {
    case 'fp': {
      const c = size === 0 ? 'h' : size === 2 ? 's' : 'd';
      const m = size === 0 ? hElem() : size === 2 ? sElem() : el(rm5, 'd', H);
      if (scalar) return ins(mn, `${c}${rd}`, `${c}${rn}`, m);
      const t = size === 0 ? (q ? '8h' : '4h') : fpArr(size & 1, q);
      return ins(mn, v(rd, t), v(rn, t), m);
    }
    case 'fhm':
      return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '4h' : '2h'), hElem());
    case 'dot':
      return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '16b' : '8b'), `v${rm5}.4b[${(H << 1) | L}]`);
    case 'bfdot':
      return ins(mn, v(rd, q ? '4s' : '2s'), v(rn, q ? '8h' : '4h'), `v${rm5}.2h[${(H << 1) | L}]`);
    case 'bfmlal':
      return ins(mn, v(rd, '4s'), v(rn, '8h'), hElem());
    case 'fcmla': {
      const rot = `#${x(w, 13, 2) * 90}`;
      if (size === 1) return ins(mn, v(rd, q ? '8h' : '4h'), v(rn, q ? '8h' : '4h'), el(rm5, 'h', (H << 1) | L), rot);
      return ins(mn, v(rd, '4s'), v(rn, '4s'), el(rm5, 's', H), rot);
    }
    default: {
      const m = size === 1 ? hElem() : sElem();
      if (fmt === 'l') {
        if (scalar) return ins(mn, sc(size + 1, rd), sc(size, rn), m);
        return ins(two(mn, q), v(rd, arr(size + 1, 1)), v(rn, arr(size, q)), m);
      }
      if (scalar) return ins(mn, sc(size, rd), sc(size, rn), m);
      return ins(mn, v(rd, arr(size, q)), v(rn, arr(size, q)), m);
    }
  }
}

function cryptoText(id: string, mn: string, fmt: string, w: number): string {
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm = x(w, 16, 5);
  const ra = x(w, 10, 5);
  const count = id === 'CRYPTO_4REG' ? 4 : id === 'CRYPTO_SHA2REG' || id === 'CRYPTO_SHA512_2' ? 2 : 3;
  switch (fmt) {
    case 'qsv':
      return ins(mn, `q${rd}`, `s${rn}`, v(rm, '4s'));
    case 'qqv':
      return ins(mn, `q${rd}`, `q${rn}`, v(rm, '4s'));
    case 'qqv2d':
      return ins(mn, `q${rd}`, `q${rn}`, v(rm, '2d'));
    case 'ss':
      return ins(mn, `s${rd}`, `s${rn}`);
    case 'sm3tt':
      return ins(mn, v(rd, '4s'), v(rn, '4s'), el(rm, 's', x(w, 12, 2)));
    case 'xar':
      return ins(mn, v(rd, '2d'), v(rn, '2d'), v(rm, '2d'), `#${x(w, 10, 6)}`);
    default: {
      if (id === 'CRYPTO_AES') return ins(mn, v(rd, fmt), v(rn, fmt));
      return ins(mn, ...[rd, rn, rm, ra].slice(0, count).map((r) => v(r, fmt)));
    }
  }
}

function fpText(d: Decoded, mn: string, fmt: string): string {
  const w = d.word;
  const t = x(w, 22, 2);
  const fr = (n: number) => `${'sd?h'[t]}${n}`;
  const rd = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm = x(w, 16, 5);
  const sf = x(w, 31, 1);
  switch (fmt) {
    case 'i2fx':
      return ins(mn, fr(rd), greg(sf, rn), `#${64 - x(w, 10, 6)}`);
    case 'f2ix':
      return ins(mn, greg(sf, rd), fr(rn), `#${64 - x(w, 10, 6)}`);
    case 'f2i':
      return ins(mn, greg(sf, rd), fr(rn));
    case 'i2f':
      return ins(mn, fr(rd), greg(sf, rn));
    case 'top2i':
      return ins(mn, xreg(rd), el(rn, 'd', 1));
    case 'i2top':
      return ins(mn, el(rd, 'd', 1), xreg(rn));
    case 'fcvt':
      return ins(mn, `${'sd?h'[x(w, 15, 2)]}${rd}`, fr(rn));
    case 'bfcvt':
      return ins(mn, `h${rd}`, `s${rn}`);
    case 'cmp':
      return ins(mn, fr(rn), fr(rm));
    case 'cmp0':
      return ins(mn, fr(rn), '#0.0');
    case 'imm':
      return ins(mn, fr(rd), fpImmText(vfpExpandImm(extractField(d.entry.fields.imm8!, w))));
    case 'ccmp':
      return ins(mn, fr(rn), fr(rm), hex(x(w, 0, 4)), COND[x(w, 12, 4)]!);
    case 'fff':
      return ins(mn, fr(rd), fr(rn), fr(rm));
    case 'csel':
      return ins(mn, fr(rd), fr(rn), fr(rm), COND[x(w, 12, 4)]!);
    case 'ffff':
      return ins(mn, fr(rd), fr(rn), fr(rm), fr(x(w, 10, 5)));
    default:
      return ins(mn, fr(rd), fr(rn));
  }
}

/** AdvSIMD load/store multiple and single structures (LD1..LD4, ST1..ST4, LD1R..LD4R). */
const MULT: Record<number, readonly [selem: number, regs: number]> = {
  0: [4, 4],
  2: [1, 4],
  4: [3, 3],
  6: [1, 3],
  7: [1, 1],
  8: [2, 2],
  10: [1, 2],
};

function ldstStruct(d: Decoded): string | undefined {
  const w = d.word;
  const q = x(w, 30, 1);
  const L = x(w, 22, 1);
  const size = x(w, 10, 2);
  const rt = x(w, 0, 5);
  const rn = x(w, 5, 5);
  const rm = x(w, 16, 5);
  const post = d.entry.id.endsWith('_post');
  const addr = (bytes: number) => `[${xreg(rn, true)}]${post ? `, ${rm === 31 ? `#${bytes}` : xreg(rm)}` : ''}`;
  if (d.entry.id.startsWith('SIMD_LDST_mult')) {
    const m = MULT[x(w, 12, 4)];
    if (!m) return undefined;
    const [selem, regs] = m;
    return ins(`${L ? 'ld' : 'st'}${selem}`, vlist(rt, regs, arr(size, q)), addr(regs * (q ? 16 : 8)));
  }
  const opcode = x(w, 13, 3);
  const selem = (((opcode & 1) << 1) | x(w, 21, 1)) + 1;
  const scale = opcode >> 1;
  const S = x(w, 12, 1);
  if (scale === 3) return ins(`ld${selem}r`, vlist(rt, selem, arr(size, q)), addr(selem << size));
  let c: string;
  let index: number;
  let bytes: number;
  if (scale === 0) [c, index, bytes] = ['b', (q << 3) | (S << 2) | size, 1];
  else if (scale === 1) [c, index, bytes] = ['h', (q << 2) | (S << 1) | (size >> 1), 2];
  else if (size === 0) [c, index, bytes] = ['s', (q << 1) | S, 4];
  else [c, index, bytes] = ['d', q, 8];
  const regs: string[] = [];
  for (let i = 0; i < selem; i++) regs.push(`v${(rt + i) % 32}.${c}`);
  const list = selem >= 3 && rt + selem - 1 <= 31 ? `{${regs[0]}-${regs[selem - 1]}}` : `{${regs.join(', ')}}`;
  return ins(`${L ? 'ld' : 'st'}${selem}`, `${list}[${index}]`, addr(selem * bytes));
}
