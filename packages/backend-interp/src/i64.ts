/**
 * 64-bit integer arithmetic on (lo, hi) Int32 pairs, for translated code and helpers.
 *
 * JavaScript has no cheap 64-bit integers (BigInt allocates; reference/emulators.md §3), so every
 * 64-bit value is two int32 words. Functions that produce a 64-bit result return the low word and
 * leave the high word in OUT[1] (and the low word in OUT[0]); V8 inlines these small functions
 * into the translated blocks that call them. Nothing here allocates.
 */

/** Result registers: OUT[0] = low word, OUT[1] = high word. */
export const OUT = new Int32Array(4);

/** High 32 bits of the unsigned product of two 32-bit words (16-bit limbs keep it exact). */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed product of two 32-bit words. */
export function mulhs32(a: number, b: number): number {
  let h = mulhu32(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

/** Low 64 bits of a 64 x 64 product (MUL/MADD/MSUB). */
export function mul64(al: number, ah: number, bl: number, bh: number): number {
  const lo = Math.imul(al, bl);
  OUT[0] = lo;
  OUT[1] = (mulhu32(al, bl) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
  return lo;
}

/** Bits 127:64 of the unsigned 128-bit product (UMULH). */
export function umulh(al: number, ah: number, bl: number, bh: number): number {
  const llH = mulhu32(al, bl) >>> 0;
  const lhL = Math.imul(al, bh) >>> 0;
  const lhH = mulhu32(al, bh) >>> 0;
  const hlL = Math.imul(ah, bl) >>> 0;
  const hlH = mulhu32(ah, bl) >>> 0;
  const hhL = Math.imul(ah, bh) >>> 0;
  const hhH = mulhu32(ah, bh) >>> 0;
  const w1 = llH + lhL + hlL;
  const w2 = hhL + lhH + hlH + Math.floor(w1 / 4294967296);
  const w3 = hhH + Math.floor(w2 / 4294967296);
  const lo = w2 | 0;
  OUT[0] = lo;
  OUT[1] = w3 | 0;
  return lo;
}

/** Bits 127:64 of the signed 128-bit product (SMULH). */
export function smulh(al: number, ah: number, bl: number, bh: number): number {
  umulh(al, ah, bl, bh);
  let lo = OUT[0]!;
  let hi = OUT[1]!;
  if (ah < 0) {
    // hi:lo -= b
    const l = (lo - bl) | 0;
    hi = (hi - bh - (lo >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    lo = l;
  }
  if (bh < 0) {
    const l = (lo - al) | 0;
    hi = (hi - ah - (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
    lo = l;
  }
  OUT[0] = lo;
  OUT[1] = hi;
  return lo;
}

/** Unsigned 64-bit division, truncating; division by zero gives 0 (Arm ARM C6.2 UDIV). */
export function udiv64(al: number, ah: number, bl: number, bh: number): number {
  if ((bl | bh) === 0) {
    OUT[0] = 0;
    OUT[1] = 0;
    return 0;
  }
  const au = ah >>> 0;
  const bu = bh >>> 0;
  if (au < 0x200000 && bu < 0x200000) {
    // Both below 2^53: exact in doubles after a one-step correction.
    const a = au * 4294967296 + (al >>> 0);
    const b = bu * 4294967296 + (bl >>> 0);
    let q = Math.floor(a / b);
    const r = a - q * b;
    if (r < 0) q -= 1;
    else if (r >= b) q += 1;
    const lo = (q % 4294967296) | 0;
    OUT[0] = lo;
    OUT[1] = Math.floor(q / 4294967296) | 0;
    return lo;
  }
  // Restoring division, one quotient bit per step.
  let rl = 0;
  let rh = 0;
  let ql = 0;
  let qh = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (ah >>> (i - 32)) & 1 : (al >>> i) & 1;
    rh = (rh << 1) | (rl >>> 31);
    rl = (rl << 1) | bit;
    const ge = rh >>> 0 > bu || (rh >>> 0 === bu && rl >>> 0 >= bl >>> 0);
    if (ge) {
      const l = (rl - bl) | 0;
      rh = (rh - bh - (rl >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
      rl = l;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  OUT[0] = ql;
  OUT[1] = qh;
  return ql;
}

/** Signed 64-bit division, truncating toward zero; x/0 = 0 and INT64_MIN/-1 = INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number): number {
  const na = ah < 0;
  const nb = bh < 0;
  if (na) {
    ah = (~ah + (al === 0 ? 1 : 0)) | 0;
    al = -al | 0;
  }
  if (nb) {
    bh = (~bh + (bl === 0 ? 1 : 0)) | 0;
    bl = -bl | 0;
  }
  udiv64(al, ah, bl, bh);
  if (na !== nb) {
    const lo = OUT[0]!;
    OUT[1] = (~OUT[1]! + (lo === 0 ? 1 : 0)) | 0;
    OUT[0] = -lo | 0;
  }
  return OUT[0]!;
}

/** Unsigned 32-bit division with the Arm divide-by-zero rule. */
export const udiv32 = (a: number, b: number): number => (b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0)) | 0);

/** Signed 32-bit division, truncating; x/0 = 0, INT32_MIN/-1 = INT32_MIN. */
export const sdiv32 = (a: number, b: number): number => (b === 0 ? 0 : b === -1 ? -a | 0 : (a / b) | 0);

/** Logical shift left by s (0..63). */
export function lsl64(l: number, h: number, s: number): number {
  if (s === 0) {
    OUT[1] = h;
  } else if (s < 32) {
    OUT[1] = (h << s) | (l >>> (32 - s));
    l <<= s;
  } else {
    OUT[1] = l << (s - 32);
    l = 0;
  }
  OUT[0] = l;
  return l;
}

/** Logical shift right by s (0..63). */
export function lsr64(l: number, h: number, s: number): number {
  if (s === 0) {
    OUT[1] = h;
  } else if (s < 32) {
    l = (l >>> s) | (h << (32 - s));
    OUT[1] = h >>> s;
  } else {
    l = h >>> (s - 32);
    OUT[1] = 0;
  }
  OUT[0] = l;
  return l;
}

/** Arithmetic shift right by s (0..63). */
export function asr64(l: number, h: number, s: number): number {
  if (s === 0) {
    OUT[1] = h;
  } else if (s < 32) {
    l = (l >>> s) | (h << (32 - s));
    OUT[1] = h >> s;
  } else {
    l = h >> (s - 32);
    OUT[1] = h >> 31;
  }
  OUT[0] = l;
  return l;
}

/** Rotate right by s (0..63). */
export function ror64(l: number, h: number, s: number): number {
  if (s >= 32) {
    const t = l;
    l = h;
    h = t;
    s -= 32;
  }
  if (s !== 0) {
    const nl = (l >>> s) | (h << (32 - s));
    h = (h >>> s) | (l << (32 - s));
    l = nl;
  }
  OUT[0] = l;
  OUT[1] = h;
  return l;
}

/** Reverses the bits of a 32-bit word. */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  return bswap32(x);
}

/** Reverses the bytes of a 32-bit word. */
export const bswap32 = (x: number): number => (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/** Swaps the bytes within each halfword of a 32-bit word (REV16). */
export const rev16w = (x: number): number => ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);

/** Count leading sign bits of a 32-bit word (CLS W). */
export const cls32 = (x: number): number => Math.clz32(x ^ (x >> 1)) - 1;

/** Count leading zeros of a pair (CLZ X). */
export const clz64 = (l: number, h: number): number => (h !== 0 ? Math.clz32(h) : 32 + Math.clz32(l));

/** Count leading sign bits of a pair (CLS X): CLZ(x EOR (x ASR 1)) - 1. */
export function cls64(l: number, h: number): number {
  const xl = l ^ ((l >>> 1) | (h << 31));
  const xh = h ^ (h >> 1);
  return clz64(xl, xh) - 1;
}

function crcTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}

/** Reflected tables for CRC-32 (0x04C11DB7) and CRC-32C (0x1EDC6F41), Arm ARM C6.2 CRC32/CRC32C. */
const CRC32_TABLE = crcTable(0xedb88320);
const CRC32C_TABLE = crcTable(0x82f63b78);

/**
 * One CRC32{B,H,W,X} or CRC32C{...} step: accumulates `bytes` bytes of the value (dl, dh),
 * least significant byte first, into acc. No pre- or post-inversion, as the instructions define.
 */
export function crc32(acc: number, dl: number, dh: number, bytes: number, castagnoli: boolean): number {
  const t = castagnoli ? CRC32C_TABLE : CRC32_TABLE;
  let c = acc;
  for (let i = 0; i < bytes; i++) {
    const b = i < 4 ? (dl >>> (8 * i)) & 0xff : (dh >>> (8 * (i - 4))) & 0xff;
    c = t[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return c | 0;
}

/**
 * Adds a safe integer offset (possibly negative) to a pair, modulo 2^64 (translation-time PC
 * arithmetic: branch targets, ADR/ADRP, literal addresses).
 */
export function pairAddNum(lo: number, hi: number, n: number): [number, number] {
  const oh = Math.floor(n / 4294967296);
  const ol = n - oh * 4294967296;
  const s = (lo >>> 0) + ol;
  return [s | 0, (hi + oh + (s >= 4294967296 ? 1 : 0)) | 0];
}

/** The helpers translated code calls (passed as `X`; a plain object keeps the calls monomorphic). */
export const I64 = Object.freeze({
  mulhu32,
  mulhs32,
  mul64,
  umulh,
  smulh,
  udiv64,
  sdiv64,
  udiv32,
  sdiv32,
  lsl64,
  lsr64,
  asr64,
  ror64,
  rbit32,
  bswap32,
  rev16w,
  cls32,
  clz64,
  cls64,
  crc32,
});
