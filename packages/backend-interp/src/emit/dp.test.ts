/**
 * Data-processing instructions against a BigInt reference model (written from the Arm ARM C6.2
 * pseudocode: AddWithCarry, ShiftReg, ExtendReg, DecodeBitMasks, ...), over random operands and
 * random incoming NZCV. One CPU per instruction; each sample sets X1..X3 and NZCV, runs one
 * instruction and compares X0 and NZCV.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CODE, nzcv, PC, PSTATE, u64, world } from '../testing/harness.js';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;
const mask = (sf: boolean): bigint => (sf ? M64 : M32);
const sx = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

/** AddWithCarry(x, y, carry) of the Arm ARM: result and NZCV. */
function awc(x: bigint, y: bigint, c: number, sf: boolean): [bigint, number] {
  const n = sf ? 64 : 32;
  const m = mask(sf);
  const usum = (x & m) + (y & m) + BigInt(c);
  const ssum = sx(x & m, n) + sx(y & m, n) + BigInt(c);
  const r = usum & m;
  const N = (r >> BigInt(n - 1)) & 1n;
  const Z = r === 0n ? 1 : 0;
  const C = r === usum ? 0 : 1;
  const V = sx(r, n) === ssum ? 0 : 1;
  return [r, (Number(N) << 3) | (Z << 2) | (C << 1) | V];
}

function shiftReg(v: bigint, type: number, amt: number, sf: boolean): bigint {
  const n = sf ? 64 : 32;
  const m = mask(sf);
  v &= m;
  const a = BigInt(amt);
  switch (type) {
    case 0:
      return (v << a) & m;
    case 1:
      return v >> a;
    case 2:
      return BigInt.asUintN(n, sx(v, n) >> a);
    default:
      return ((v >> a) | (v << BigInt(n - amt))) & m;
  }
}

function extendReg(v: bigint, option: number, shift: number, sf: boolean): bigint {
  const len = [8, 16, 32, 64][option & 3]!;
  const signed = option >= 4;
  const e = signed ? BigInt.asUintN(64, sx(v, len)) : BigInt.asUintN(len, v);
  return (e << BigInt(shift)) & mask(sf);
}

function condHolds(cond: number, f: number): boolean {
  const N = (f >> 3) & 1;
  const Z = (f >> 2) & 1;
  const C = (f >> 1) & 1;
  const V = f & 1;
  let r: boolean;
  switch (cond >> 1) {
    case 0:
      r = Z === 1;
      break;
    case 1:
      r = C === 1;
      break;
    case 2:
      r = N === 1;
      break;
    case 3:
      r = V === 1;
      break;
    case 4:
      r = C === 1 && Z === 0;
      break;
    case 5:
      r = N === V;
      break;
    case 6:
      r = N === V && Z === 0;
      break;
    default:
      r = true;
  }
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}

const logicFlags = (r: bigint, sf: boolean): number => {
  const n = sf ? 63n : 31n;
  return (Number((r >> n) & 1n) << 3) | ((r === 0n ? 1 : 0) << 2);
};

const clz = (v: bigint, n: number): bigint => {
  for (let i = n - 1; i >= 0; i--) if ((v >> BigInt(i)) & 1n) return BigInt(n - 1 - i);
  return BigInt(n);
};
const rbit = (v: bigint, n: number): bigint => {
  let r = 0n;
  for (let i = 0; i < n; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(n - 1 - i);
  return r;
};
const revBytes = (v: bigint, bytes: number, container: number): bigint => {
  let r = 0n;
  for (let c = 0; c < bytes / container; c++) {
    for (let b = 0; b < container; b++) {
      const byte = (v >> BigInt(8 * (c * container + b))) & 0xffn;
      r |= byte << BigInt(8 * (c * container + (container - 1 - b)));
    }
  }
  return r;
};

function crc32Ref(acc: bigint, data: bigint, bytes: number, poly: bigint): bigint {
  let c = acc & M32;
  for (let i = 0; i < bytes; i++) {
    c ^= (data >> BigInt(8 * i)) & 0xffn;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
  }
  return c;
}

interface Op {
  readonly asm: string;
  readonly word: number;
  /** Expected [X0, NZCV] from X1, X2, X3 and the incoming NZCV. */
  readonly ref: (x1: bigint, x2: bigint, x3: bigint, f: number) => [bigint, number];
}

const keep = (f: number, r: bigint): [bigint, number] => [r, f];
const w = (v: bigint): bigint => v & M32;
const sub = (x: bigint, y: bigint, sf: boolean): [bigint, number] => awc(x, ~y, 1, sf);

function udiv(a: bigint, b: bigint): bigint {
  return b === 0n ? 0n : a / b;
}
function sdiv(a: bigint, b: bigint, n: number): bigint {
  if (b === 0n) return 0n;
  return BigInt.asUintN(n, sx(a, n) / sx(b, n));
}

const OPS: Op[] = [
  { asm: 'adds x0, x1, x2', word: 0xab020020, ref: (a, b, _c, _f) => awc(a, b, 0, true) },
  { asm: 'adds w0, w1, w2', word: 0x2b020020, ref: (a, b) => awc(a, b, 0, false) },
  { asm: 'subs x0, x1, x2', word: 0xeb020020, ref: (a, b) => sub(a, b, true) },
  { asm: 'subs w0, w1, w2', word: 0x6b020020, ref: (a, b) => sub(a, b, false) },
  { asm: 'adcs x0, x1, x2', word: 0xba020020, ref: (a, b, _c, f) => awc(a, b, (f >> 1) & 1, true) },
  { asm: 'adcs w0, w1, w2', word: 0x3a020020, ref: (a, b, _c, f) => awc(a, b, (f >> 1) & 1, false) },
  { asm: 'sbcs x0, x1, x2', word: 0xfa020020, ref: (a, b, _c, f) => awc(a, ~b, (f >> 1) & 1, true) },
  { asm: 'sbcs w0, w1, w2', word: 0x7a020020, ref: (a, b, _c, f) => awc(a, ~b, (f >> 1) & 1, false) },
  { asm: 'adc x0, x1, x2', word: 0x9a020020, ref: (a, b, _c, f) => keep(f, awc(a, b, (f >> 1) & 1, true)[0]) },
  { asm: 'sbc w0, w1, w2', word: 0x5a020020, ref: (a, b, _c, f) => keep(f, awc(a, ~b, (f >> 1) & 1, false)[0]) },
  {
    asm: 'add x0, x1, x2, lsl #17',
    word: 0x8b024420,
    ref: (a, b, _c, f) => keep(f, u64(a + shiftReg(b, 0, 17, true))),
  },
  {
    asm: 'sub w0, w1, w2, asr #5',
    word: 0x4b821420,
    ref: (a, b, _c, f) => keep(f, w(a - shiftReg(b, 2, 5, false))),
  },
  { asm: 'adds x0, x1, x2, lsr #40', word: 0xab42a020, ref: (a, b) => awc(a, shiftReg(b, 1, 40, true), 0, true) },
  {
    asm: 'add x0, x1, w2, sxtw #2',
    word: 0x8b22c820,
    ref: (a, b, _c, f) => keep(f, u64(a + extendReg(b, 6, 2, true))),
  },
  {
    asm: 'sub x0, x1, w2, uxtb #1',
    word: 0xcb220420,
    ref: (a, b, _c, f) => keep(f, u64(a - extendReg(b, 0, 1, true))),
  },
  { asm: 'adds w0, w1, w2, sxth', word: 0x2b22a020, ref: (a, b) => awc(a, extendReg(b, 5, 0, false), 0, false) },
  { asm: 'subs x0, x1, x2, asr #63', word: 0xeb82fc20, ref: (a, b) => sub(a, shiftReg(b, 2, 63, true), true) },
  { asm: 'and x0, x1, x2, ror #13', word: 0x8ac23420, ref: (a, b, _c, f) => keep(f, a & shiftReg(b, 3, 13, true)) },
  {
    asm: 'bics w0, w1, w2, lsl #3',
    word: 0x6a220c20,
    ref: (a, b) => {
      const r = w(a & ~shiftReg(b, 0, 3, false));
      return [r, logicFlags(r, false)];
    },
  },
  {
    asm: 'eon x0, x1, x2, asr #63',
    word: 0xcaa2fc20,
    ref: (a, b, _c, f) => keep(f, u64(a ^ ~shiftReg(b, 2, 63, true))),
  },
  {
    asm: 'orn w0, w1, w2, ror #31',
    word: 0x2ae27c20,
    ref: (a, b, _c, f) => keep(f, w(a | ~shiftReg(b, 3, 31, false))),
  },
  { asm: 'orr x0, x1, x2, lsr #32', word: 0xaa428020, ref: (a, b, _c, f) => keep(f, a | shiftReg(b, 1, 32, true)) },
  {
    asm: 'ands x0, x1, x2, lsl #1',
    word: 0xea020420,
    ref: (a, b) => {
      const r = a & shiftReg(b, 0, 1, true);
      return [r, logicFlags(r, true)];
    },
  },
  { asm: 'adds x0, x1, #0xfff', word: 0xb13ffc20, ref: (a) => awc(a, 0xfffn, 0, true) },
  { asm: 'subs w0, w1, #1, lsl #12', word: 0x71400420, ref: (a) => sub(a, 0x1000n, false) },
  { asm: 'and x0, x1, #0x5555555555555555', word: 0x9200f020, ref: (a, _b, _c, f) => keep(f, a & 0x5555555555555555n) },
  {
    asm: 'ands w0, w1, #0xff00ff00',
    word: 0x72089c20,
    ref: (a) => {
      const r = a & 0xff00ff00n;
      return [r, logicFlags(r, false)];
    },
  },
  { asm: 'eor x0, x1, #0x8000000000000001', word: 0xd2410420, ref: (a, _b, _c, f) => keep(f, a ^ 0x8000000000000001n) },
  { asm: 'orr w0, w1, #0x7fff', word: 0x32003820, ref: (a, _b, _c, f) => keep(f, w(a | 0x7fffn)) },
  {
    asm: 'ands x0, x1, #0xfffffffffffffffe',
    word: 0xf27ff820,
    ref: (a) => {
      const r = a & 0xfffffffffffffffen;
      return [r, logicFlags(r, true)];
    },
  },
  { asm: 'lsl x0, x1, #13', word: 0xd373c820, ref: (a, _b, _c, f) => keep(f, u64(a << 13n)) },
  { asm: 'lsr w0, w1, #7', word: 0x53077c20, ref: (a, _b, _c, f) => keep(f, w(a) >> 7n) },
  { asm: 'asr x0, x1, #63', word: 0x937ffc20, ref: (a, _b, _c, f) => keep(f, u64(sx(a, 64) >> 63n)) },
  { asm: 'ubfx x0, x1, #5, #20', word: 0xd3456020, ref: (a, _b, _c, f) => keep(f, (a >> 5n) & 0xfffffn) },
  {
    asm: 'sbfx w0, w1, #3, #9',
    word: 0x13032c20,
    ref: (a, _b, _c, f) => keep(f, w(BigInt.asUintN(32, sx((a >> 3n) & 0x1ffn, 9)))),
  },
  { asm: 'sxtb x0, w1', word: 0x93401c20, ref: (a, _b, _c, f) => keep(f, u64(sx(a, 8))) },
  { asm: 'uxth w0, w1', word: 0x53003c20, ref: (a, _b, _c, f) => keep(f, a & 0xffffn) },
  {
    asm: 'sbfiz x0, x1, #7, #33',
    word: 0x93798020,
    ref: (a, _b, _c, f) => keep(f, u64(sx(a & ((1n << 33n) - 1n), 33) << 7n)),
  },
  { asm: 'lsl w0, w1, #30', word: 0x53020420, ref: (a, _b, _c, f) => keep(f, w(a << 30n)) },
  { asm: 'sxtw x0, w1', word: 0x93407c20, ref: (a, _b, _c, f) => keep(f, u64(sx(a, 32))) },
  { asm: 'asr w0, w1, #31', word: 0x131f7c20, ref: (a, _b, _c, f) => keep(f, w(BigInt.asUintN(32, sx(a, 32) >> 31n))) },
  { asm: 'extr x0, x1, x2, #17', word: 0x93c24420, ref: (a, b, _c, f) => keep(f, ((b >> 17n) | (a << 47n)) & M64) },
  { asm: 'extr w0, w1, w2, #31', word: 0x13827c20, ref: (a, b, _c, f) => keep(f, w((w(b) >> 31n) | (a << 1n))) },
  { asm: 'ror x0, x1, #40', word: 0x93c1a020, ref: (a, _b, _c, f) => keep(f, shiftReg(a, 3, 40, true)) },
  { asm: 'extr x0, x1, x2, #32', word: 0x93c28020, ref: (a, b, _c, f) => keep(f, ((b >> 32n) | (a << 32n)) & M64) },
  { asm: 'madd x0, x1, x2, x3', word: 0x9b020c20, ref: (a, b, c, f) => keep(f, u64(c + a * b)) },
  { asm: 'msub w0, w1, w2, w3', word: 0x1b028c20, ref: (a, b, c, f) => keep(f, w(c - w(a) * w(b))) },
  { asm: 'smaddl x0, w1, w2, x3', word: 0x9b220c20, ref: (a, b, c, f) => keep(f, u64(c + sx(a, 32) * sx(b, 32))) },
  { asm: 'umsubl x0, w1, w2, x3', word: 0x9ba28c20, ref: (a, b, c, f) => keep(f, u64(c - w(a) * w(b))) },
  { asm: 'smulh x0, x1, x2', word: 0x9b427c20, ref: (a, b, _c, f) => keep(f, u64((sx(a, 64) * sx(b, 64)) >> 64n)) },
  { asm: 'umulh x0, x1, x2', word: 0x9bc27c20, ref: (a, b, _c, f) => keep(f, (a * b) >> 64n) },
  { asm: 'mul w0, w1, w2', word: 0x1b027c20, ref: (a, b, _c, f) => keep(f, w(a * b)) },
  { asm: 'msub x0, x1, x2, x3', word: 0x9b028c20, ref: (a, b, c, f) => keep(f, u64(c - a * b)) },
  { asm: 'udiv x0, x1, x2', word: 0x9ac20820, ref: (a, b, _c, f) => keep(f, udiv(a, b)) },
  { asm: 'sdiv x0, x1, x2', word: 0x9ac20c20, ref: (a, b, _c, f) => keep(f, sdiv(a, b, 64)) },
  { asm: 'udiv w0, w1, w2', word: 0x1ac20820, ref: (a, b, _c, f) => keep(f, udiv(w(a), w(b))) },
  { asm: 'sdiv w0, w1, w2', word: 0x1ac20c20, ref: (a, b, _c, f) => keep(f, sdiv(w(a), w(b), 32)) },
  { asm: 'lsl x0, x1, x2', word: 0x9ac22020, ref: (a, b, _c, f) => keep(f, shiftReg(a, 0, Number(b & 63n), true)) },
  { asm: 'lsr w0, w1, w2', word: 0x1ac22420, ref: (a, b, _c, f) => keep(f, shiftReg(a, 1, Number(b & 31n), false)) },
  { asm: 'asr x0, x1, x2', word: 0x9ac22820, ref: (a, b, _c, f) => keep(f, shiftReg(a, 2, Number(b & 63n), true)) },
  { asm: 'ror w0, w1, w2', word: 0x1ac22c20, ref: (a, b, _c, f) => keep(f, shiftReg(a, 3, Number(b & 31n), false)) },
  { asm: 'ror x0, x1, x2', word: 0x9ac22c20, ref: (a, b, _c, f) => keep(f, shiftReg(a, 3, Number(b & 63n), true)) },
  { asm: 'asr w0, w1, w2', word: 0x1ac22820, ref: (a, b, _c, f) => keep(f, shiftReg(a, 2, Number(b & 31n), false)) },
  { asm: 'lsr x0, x1, x2', word: 0x9ac22420, ref: (a, b, _c, f) => keep(f, shiftReg(a, 1, Number(b & 63n), true)) },
  { asm: 'lsl w0, w1, w2', word: 0x1ac22020, ref: (a, b, _c, f) => keep(f, shiftReg(a, 0, Number(b & 31n), false)) },
  { asm: 'clz x0, x1', word: 0xdac01020, ref: (a, _b, _c, f) => keep(f, clz(a, 64)) },
  { asm: 'clz w0, w1', word: 0x5ac01020, ref: (a, _b, _c, f) => keep(f, clz(w(a), 32)) },
  {
    asm: 'cls x0, x1',
    word: 0xdac01420,
    ref: (a, _b, _c, f) => keep(f, clz((a ^ (a >> 1n)) & ((1n << 63n) - 1n), 63)),
  },
  {
    asm: 'cls w0, w1',
    word: 0x5ac01420,
    ref: (a, _b, _c, f) => keep(f, clz((w(a) ^ (w(a) >> 1n)) & 0x7fffffffn, 31)),
  },
  { asm: 'rbit x0, x1', word: 0xdac00020, ref: (a, _b, _c, f) => keep(f, rbit(a, 64)) },
  { asm: 'rbit w0, w1', word: 0x5ac00020, ref: (a, _b, _c, f) => keep(f, rbit(w(a), 32)) },
  { asm: 'rev x0, x1', word: 0xdac00c20, ref: (a, _b, _c, f) => keep(f, revBytes(a, 8, 8)) },
  { asm: 'rev w0, w1', word: 0x5ac00820, ref: (a, _b, _c, f) => keep(f, revBytes(w(a), 4, 4)) },
  { asm: 'rev16 x0, x1', word: 0xdac00420, ref: (a, _b, _c, f) => keep(f, revBytes(a, 8, 2)) },
  { asm: 'rev16 w0, w1', word: 0x5ac00420, ref: (a, _b, _c, f) => keep(f, revBytes(w(a), 4, 2)) },
  { asm: 'rev32 x0, x1', word: 0xdac00820, ref: (a, _b, _c, f) => keep(f, revBytes(a, 8, 4)) },
  { asm: 'csel x0, x1, x2, lt', word: 0x9a82b020, ref: (a, b, _c, f) => keep(f, condHolds(11, f) ? a : b) },
  {
    asm: 'csinc w0, w1, w2, hi',
    word: 0x1a828420,
    ref: (a, b, _c, f) => keep(f, w(condHolds(8, f) ? a : b + 1n)),
  },
  { asm: 'csinv x0, x1, x2, ge', word: 0xda82a020, ref: (a, b, _c, f) => keep(f, condHolds(10, f) ? a : u64(~b)) },
  { asm: 'csneg w0, w1, w2, vs', word: 0x5a826420, ref: (a, b, _c, f) => keep(f, w(condHolds(6, f) ? a : -b)) },
  { asm: 'csinc x0, x1, x2, eq', word: 0x9a820420, ref: (a, b, _c, f) => keep(f, condHolds(0, f) ? a : u64(b + 1n)) },
  { asm: 'csneg x0, x1, x2, le', word: 0xda82d420, ref: (a, b, _c, f) => keep(f, condHolds(13, f) ? a : u64(-b)) },
  {
    asm: 'ccmp x1, x2, #5, ne',
    word: 0xfa421025,
    ref: (a, b, _c, f) => [0n, condHolds(1, f) ? sub(a, b, true)[1] : 5],
  },
  {
    asm: 'ccmn w1, #7, #10, cs',
    word: 0x3a47282a,
    ref: (a, _b, _c, f) => [0n, condHolds(2, f) ? awc(a, 7n, 0, false)[1] : 10],
  },
  {
    asm: 'ccmp w1, w2, #0, mi',
    word: 0x7a424020,
    ref: (a, b, _c, f) => [0n, condHolds(4, f) ? sub(a, b, false)[1] : 0],
  },
  {
    asm: 'ccmn x1, x2, #15, gt',
    word: 0xba42c02f,
    ref: (a, b, _c, f) => [0n, condHolds(12, f) ? awc(a, b, 0, true)[1] : 15],
  },
  {
    asm: 'crc32b w0, w1, w2',
    word: 0x1ac24020,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 1, 0xedb88320n)),
  },
  {
    asm: 'crc32h w0, w1, w2',
    word: 0x1ac24420,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 2, 0xedb88320n)),
  },
  {
    asm: 'crc32w w0, w1, w2',
    word: 0x1ac24820,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 4, 0xedb88320n)),
  },
  {
    asm: 'crc32x w0, w1, x2',
    word: 0x9ac24c20,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 8, 0xedb88320n)),
  },
  {
    asm: 'crc32cb w0, w1, w2',
    word: 0x1ac25020,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 1, 0x82f63b78n)),
  },
  {
    asm: 'crc32cx w0, w1, x2',
    word: 0x9ac25c20,
    ref: (a, b, _c, f) => keep(f, crc32Ref(a, b, 8, 0x82f63b78n)),
  },
];

/** 64-bit values biased towards edge cases (0, all-ones, sign boundaries, small). */
const value = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.constantFrom(0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, 0x7fffffffn, 0x80000000n, M32, 0x100000000n),
  fc.bigInt({ min: 0n, max: 0xffffn }),
);

describe('data processing against the reference model', () => {
  for (const op of OPS) {
    const cmpOnly = op.asm.startsWith('cc');
    const { cpu } = world([op.word]);
    test.prop([value, value, value, fc.integer({ min: 0, max: 15 })], { numRuns: 150, seed: 0x41 })(
      op.asm,
      (x1, x2, x3, f) => {
        cpu.setReg(0, 0n);
        cpu.setReg(1, x1);
        cpu.setReg(2, x2);
        cpu.setReg(3, x3);
        cpu.setReg(PC, BigInt(CODE));
        cpu.setReg(PSTATE, 0x3c5n | (BigInt(f) << 28n));
        expect(cpu.run(1).kind).toBe('budget');
        const [r, flags] = op.ref(x1, x2, x3, f);
        if (!cmpOnly) expect(cpu.getReg(0)).toBe(r);
        expect(nzcv(cpu)).toBe(flags);
      },
    );
  }

  it('BFI and BFXIL insert into the old destination', () => {
    const { cpu } = world([0xb3582c20, 0x33042c20], { 0: 0x1111_2222_3333_4444n, 1: 0xabcd_ef98_7654_3210n });
    cpu.run(1); // bfi x0, x1, #40, #12
    expect(cpu.getReg(0)).toBe(0x1112_1022_3333_4444n);
    cpu.run(1); // bfxil w0, w1, #4, #8
    expect(cpu.getReg(0)).toBe(0x3333_4421n);
  });

  it('BFXIL x0, x1, #60, #4 keeps the upper destination bits', () => {
    const { cpu } = world([0xb37cfc20], { 0: 0xffff_ffff_ffff_ffffn, 1: 0xa000_0000_0000_0000n });
    cpu.run(1);
    expect(cpu.getReg(0)).toBe(0xffff_ffff_ffff_fffan);
  });

  it('move wide, ADR/ADRP and SP-relative arithmetic', () => {
    const words = [
      0xd2f7dde0, // mov x0, #0xbeef000000000000
      0x12a24681, // movn w1, #0x1234, lsl #16
      0xf2d95fc0, // movk x0, #0xcafe, lsl #32
      0x92800002, // mov x2, #-1
      0x72bfffe3, // movk w3, #0xffff, lsl #16
      0x910003e4, // mov x4, sp
      0x910043ff, // add sp, sp, #0x10
      0xd14083ff, // sub sp, sp, #0x20, lsl #12
      0x100091a5, // adr x5, .+0x1234
      0x90ffff86, // adrp x6, .-0x10000
      0xab02003f, // cmn x1, x2 (result to XZR)
      0x2a1f03e7, // mov w7, wzr
    ];
    const { cpu } = world(words, { 3: 0xffff_ffff_0000_1234n, 7: 5n });
    expect(cpu.run(words.length).kind).toBe('budget');
    expect(cpu.getReg(0)).toBe(0xbeef_cafe_0000_0000n);
    expect(cpu.getReg(1)).toBe(0xedcb_ffffn);
    expect(cpu.getReg(2)).toBe(M64);
    expect(cpu.getReg(3)).toBe(0xffff_1234n);
    expect(cpu.getReg(4)).toBe(0x4004_0000n);
    expect(cpu.getReg(32)).toBe(0x4004_0010n - 0x2_0000n);
    expect(cpu.getReg(5)).toBe(BigInt(CODE + 8 * 4 + 0x1234));
    expect(cpu.getReg(6)).toBe(BigInt(CODE - 0x1_0000));
    expect(cpu.getReg(7)).toBe(0n);
    // cmn 0xedcbffff, -1: carry out, no overflow, result non-zero positive.
    expect(nzcv(cpu)).toBe(0b0010);
  });
});
