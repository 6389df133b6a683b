/**
 * A small A64 assembler for test images: a typed description of the base integer instructions
 * the random differential test uses, their 32-bit encodings, and their GNU `as` syntax.
 *
 * Encodings follow Arm ARM DDI 0487 C4 ("A64 Instruction Set Encoding"); section names are given
 * per class. `format()` prints the form `aarch64-linux-gnu-as` accepts and assembles to exactly
 * `encode()`'s word; encode.test.ts checks that against a fixture captured from `as`.
 * Invalid operands (out-of-range immediates, reserved encodings) throw: they are generator bugs.
 */

export type Reg = number;

export const COND_NAMES = [
  'eq',
  'ne',
  'hs',
  'lo',
  'mi',
  'pl',
  'vs',
  'vc',
  'hi',
  'ls',
  'ge',
  'lt',
  'gt',
  'le',
  'al',
  'nv',
] as const;
export const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'] as const;
export const EXTEND_NAMES = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'] as const;

export type LogicImmOp = 'and' | 'orr' | 'eor' | 'ands';
export type LogicRegOp = 'and' | 'bic' | 'orr' | 'orn' | 'eor' | 'eon' | 'ands' | 'bics';
export type Dp1Op = 'rbit' | 'rev16' | 'rev32' | 'rev' | 'clz' | 'cls';
export type Dp2Op = 'udiv' | 'sdiv' | 'lslv' | 'lsrv' | 'asrv' | 'rorv';
export type Dp3Op = 'madd' | 'msub' | 'smaddl' | 'smsubl' | 'umaddl' | 'umsubl' | 'smulh' | 'umulh';
export type CselOp = 'csel' | 'csinc' | 'csinv' | 'csneg';
/** Load/store register variants by (size, opc) (C4.1.66 "Load/store register"). */
export type LdstOp =
  | 'strb'
  | 'ldrb'
  | 'ldrsbx'
  | 'ldrsbw'
  | 'strh'
  | 'ldrh'
  | 'ldrshx'
  | 'ldrshw'
  | 'strw'
  | 'ldrw'
  | 'ldrsw'
  | 'strx'
  | 'ldrx';
export type LdstMode = 'uimm' | 'unscaled' | 'pre' | 'post';
export type PairOp = 'stpw' | 'ldpw' | 'ldpsw' | 'stpx' | 'ldpx';
export type PairMode = 'offset' | 'pre' | 'post' | 'nontemporal';

export type Insn =
  | { k: 'addsubImm'; sf: boolean; sub: boolean; s: boolean; rd: Reg; rn: Reg; imm12: number; lsl12: boolean }
  | { k: 'logicImm'; sf: boolean; op: LogicImmOp; rd: Reg; rn: Reg; n: number; immr: number; imms: number }
  | { k: 'movWide'; sf: boolean; op: 'movn' | 'movz' | 'movk'; rd: Reg; imm16: number; hw: number }
  | { k: 'bitfield'; sf: boolean; op: 'sbfm' | 'bfm' | 'ubfm'; rd: Reg; rn: Reg; immr: number; imms: number }
  | { k: 'extr'; sf: boolean; rd: Reg; rn: Reg; rm: Reg; lsb: number }
  | { k: 'adr'; page: boolean; rd: Reg; offset: number }
  | {
      k: 'addsubShift';
      sf: boolean;
      sub: boolean;
      s: boolean;
      rd: Reg;
      rn: Reg;
      rm: Reg;
      shift: number;
      amount: number;
    }
  | { k: 'addsubExt'; sf: boolean; sub: boolean; s: boolean; rd: Reg; rn: Reg; rm: Reg; option: number; amount: number }
  | { k: 'logicShift'; sf: boolean; op: LogicRegOp; rd: Reg; rn: Reg; rm: Reg; shift: number; amount: number }
  | { k: 'adcSbc'; sf: boolean; sub: boolean; s: boolean; rd: Reg; rn: Reg; rm: Reg }
  | { k: 'condCmp'; sf: boolean; neg: boolean; imm: boolean; rn: Reg; rmOrImm: number; nzcv: number; cond: number }
  | { k: 'condSel'; sf: boolean; op: CselOp; rd: Reg; rn: Reg; rm: Reg; cond: number }
  | { k: 'dp1'; sf: boolean; op: Dp1Op; rd: Reg; rn: Reg }
  | { k: 'dp2'; sf: boolean; op: Dp2Op; rd: Reg; rn: Reg; rm: Reg }
  | { k: 'dp3'; sf: boolean; op: Dp3Op; rd: Reg; rn: Reg; rm: Reg; ra: Reg }
  | { k: 'ldst'; op: LdstOp; mode: LdstMode; rt: Reg; rn: Reg; imm: number }
  | { k: 'ldstReg'; op: LdstOp; rt: Reg; rn: Reg; rm: Reg; option: number; s: boolean }
  | { k: 'ldstPair'; op: PairOp; mode: PairMode; rt: Reg; rt2: Reg; rn: Reg; imm: number }
  | { k: 'ldrLit'; op: 'ldrw' | 'ldrx' | 'ldrsw'; rt: Reg; offset: number }
  | { k: 'ldar'; size: number; load: boolean; rt: Reg; rn: Reg }
  | { k: 'prfm'; prfop: number; rn: Reg; imm: number }
  | { k: 'b'; link: boolean; offset: number }
  | { k: 'bcond'; cond: number; offset: number }
  | { k: 'cbz'; sf: boolean; nz: boolean; rt: Reg; offset: number }
  | { k: 'tbz'; nz: boolean; rt: Reg; bit: number; offset: number }
  | { k: 'br'; op: 'br' | 'blr' | 'ret'; rn: Reg }
  | { k: 'mrsNzcv'; rt: Reg }
  | { k: 'msrNzcv'; rt: Reg }
  | { k: 'sysreg'; read: boolean; name: string; enc: readonly [number, number, number, number, number]; rt: Reg }
  | { k: 'nop' }
  | { k: 'isb' }
  | { k: 'hvc'; imm16: number }
  | { k: 'word'; value: number };

// ---- operand checks ------------------------------------------------------------------------

function fail(msg: string): never {
  throw new Error(`encode: ${msg}`);
}
function reg(r: Reg): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) fail(`bad register ${r}`);
  return r;
}
function uimm(v: number, bits: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) fail(`${what} ${v} not in [0, 2^${bits})`);
  return v;
}
function simm(v: number, bits: number, what: string): number {
  const lim = 2 ** (bits - 1);
  if (!Number.isInteger(v) || v < -lim || v >= lim) fail(`${what} ${v} not in [-2^${bits - 1}, 2^${bits - 1})`);
  return v < 0 ? v + 2 ** bits : v;
}
function scaled(v: number, scale: number, what: string): number {
  if (v % scale !== 0) fail(`${what} ${v} is not a multiple of ${scale}`);
  return v / scale;
}
const u32 = (x: number): number => x >>> 0;

// ---- bitmask immediates (DDI 0487 J1.3 shared/functions/bitmasks DecodeBitMasks) -----------

/** The value of a logical immediate (N, immr, imms) for a 32- or 64-bit operation, or undefined if reserved. */
export function decodeBitMasks(sf: boolean, n: number, immr: number, imms: number): bigint | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  if (!sf && n === 1) return undefined;
  const esize = 1 << len;
  const levels = esize - 1;
  const s = imms & levels;
  const r = immr & levels;
  if (s === levels) return undefined; // all ones: reserved
  const ones = (1n << BigInt(s + 1)) - 1n;
  const emask = (1n << BigInt(esize)) - 1n;
  const elem = r === 0 ? ones : ((ones >> BigInt(r)) | (ones << BigInt(esize - r))) & emask;
  const width = sf ? 64 : 32;
  let v = 0n;
  for (let i = 0; i < width; i += esize) v |= elem << BigInt(i);
  return v;
}

/** Element size of a logical immediate (2..64), or undefined if reserved. */
export function bitMaskElementSize(n: number, imms: number): number | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  return combined === 0 ? undefined : 1 << (31 - Math.clz32(combined));
}

/**
 * True if immr has no bits above the element size. DecodeBitMasks ignores those bits, so other
 * encodings are valid instructions too, but they have no distinct assembler syntax (as emits
 * the canonical one).
 */
export function isCanonicalBitMask(n: number, immr: number, imms: number): boolean {
  const esize = bitMaskElementSize(n, imms);
  return esize !== undefined && immr < esize;
}

// ---- encoding --------------------------------------------------------------------------------

const LDST: Record<LdstOp, { size: number; opc: number }> = {
  strb: { size: 0, opc: 0 },
  ldrb: { size: 0, opc: 1 },
  ldrsbx: { size: 0, opc: 2 },
  ldrsbw: { size: 0, opc: 3 },
  strh: { size: 1, opc: 0 },
  ldrh: { size: 1, opc: 1 },
  ldrshx: { size: 1, opc: 2 },
  ldrshw: { size: 1, opc: 3 },
  strw: { size: 2, opc: 0 },
  ldrw: { size: 2, opc: 1 },
  ldrsw: { size: 2, opc: 2 },
  strx: { size: 3, opc: 0 },
  ldrx: { size: 3, opc: 1 },
};
/** Bytes accessed by a load/store op. */
export const ldstSize = (op: LdstOp): number => 1 << LDST[op].size;
export const isLoad = (op: LdstOp): boolean => LDST[op].opc !== 0;

const PAIR: Record<PairOp, { opc: number; l: number; scale: number }> = {
  stpw: { opc: 0, l: 0, scale: 4 },
  ldpw: { opc: 0, l: 1, scale: 4 },
  ldpsw: { opc: 1, l: 1, scale: 4 },
  stpx: { opc: 2, l: 0, scale: 8 },
  ldpx: { opc: 2, l: 1, scale: 8 },
};
export const pairScale = (op: PairOp): number => PAIR[op].scale;

const LOGIC_REG: Record<LogicRegOp, [number, number]> = {
  and: [0, 0],
  bic: [0, 1],
  orr: [1, 0],
  orn: [1, 1],
  eor: [2, 0],
  eon: [2, 1],
  ands: [3, 0],
  bics: [3, 1],
};
const DP1: Record<Dp1Op, number> = { rbit: 0, rev16: 1, rev32: 2, rev: 3, clz: 4, cls: 5 };
const DP2: Record<Dp2Op, number> = { udiv: 2, sdiv: 3, lslv: 8, lsrv: 9, asrv: 10, rorv: 11 };
const DP3: Record<Dp3Op, { op31: number; o0: number; long: boolean }> = {
  madd: { op31: 0, o0: 0, long: false },
  msub: { op31: 0, o0: 1, long: false },
  smaddl: { op31: 1, o0: 0, long: true },
  smsubl: { op31: 1, o0: 1, long: true },
  smulh: { op31: 2, o0: 0, long: true },
  umaddl: { op31: 5, o0: 0, long: true },
  umsubl: { op31: 5, o0: 1, long: true },
  umulh: { op31: 6, o0: 0, long: true },
};

/** The 32-bit encoding of `i`. */
export function encode(i: Insn): number {
  switch (i.k) {
    case 'addsubImm': // C4.1.65 Add/subtract (immediate)
      return u32(
        (+i.sf << 31) |
          (+i.sub << 30) |
          (+i.s << 29) |
          (0b100010 << 23) |
          (+i.lsl12 << 22) |
          (uimm(i.imm12, 12, 'imm12') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    case 'logicImm': {
      // C4.1.65 Logical (immediate)
      if (decodeBitMasks(i.sf, i.n, i.immr, i.imms) === undefined) fail('reserved bitmask immediate');
      const opc = { and: 0, orr: 1, eor: 2, ands: 3 }[i.op];
      return u32(
        (+i.sf << 31) |
          (opc << 29) |
          (0b100100 << 23) |
          (i.n << 22) |
          (uimm(i.immr, 6, 'immr') << 16) |
          (uimm(i.imms, 6, 'imms') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    }
    case 'movWide': {
      // C4.1.65 Move wide (immediate)
      const opc = { movn: 0, movz: 2, movk: 3 }[i.op];
      if (i.hw > (i.sf ? 3 : 1)) fail(`hw ${i.hw}`);
      return u32(
        (+i.sf << 31) | (opc << 29) | (0b100101 << 23) | (i.hw << 21) | (uimm(i.imm16, 16, 'imm16') << 5) | reg(i.rd),
      );
    }
    case 'bitfield': {
      // C4.1.65 Bitfield
      const opc = { sbfm: 0, bfm: 1, ubfm: 2 }[i.op];
      const lim = i.sf ? 6 : 5;
      return u32(
        (+i.sf << 31) |
          (opc << 29) |
          (0b100110 << 23) |
          (+i.sf << 22) |
          (uimm(i.immr, lim, 'immr') << 16) |
          (uimm(i.imms, lim, 'imms') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    }
    case 'extr': // C4.1.65 Extract
      return u32(
        (+i.sf << 31) |
          (0b100111 << 23) |
          (+i.sf << 22) |
          (reg(i.rm) << 16) |
          (uimm(i.lsb, i.sf ? 6 : 5, 'lsb') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    case 'adr': {
      // C4.1.65 PC-rel. addressing
      const imm = simm(i.page ? scaled(i.offset, 4096, 'adrp offset') : i.offset, 21, 'adr offset');
      return u32((+i.page << 31) | ((imm & 3) << 29) | (0b10000 << 24) | ((imm >>> 2) << 5) | reg(i.rd));
    }
    case 'addsubShift': // C4.1.67 Add/subtract (shifted register)
      if (i.shift === 3) fail('ROR is reserved for add/sub');
      return u32(
        (+i.sf << 31) |
          (+i.sub << 30) |
          (+i.s << 29) |
          (0b01011 << 24) |
          (uimm(i.shift, 2, 'shift') << 22) |
          (reg(i.rm) << 16) |
          (uimm(i.amount, i.sf ? 6 : 5, 'amount') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    case 'addsubExt': // C4.1.67 Add/subtract (extended register)
      if (i.amount > 4) fail(`extend amount ${i.amount}`);
      return u32(
        (+i.sf << 31) |
          (+i.sub << 30) |
          (+i.s << 29) |
          (0b01011 << 24) |
          (1 << 21) |
          (reg(i.rm) << 16) |
          (uimm(i.option, 3, 'option') << 13) |
          (i.amount << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    case 'logicShift': {
      // C4.1.67 Logical (shifted register)
      const [opc, n] = LOGIC_REG[i.op];
      return u32(
        (+i.sf << 31) |
          (opc << 29) |
          (0b01010 << 24) |
          (uimm(i.shift, 2, 'shift') << 22) |
          (n << 21) |
          (reg(i.rm) << 16) |
          (uimm(i.amount, i.sf ? 6 : 5, 'amount') << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    }
    case 'adcSbc': // C4.1.67 Add/subtract (with carry)
      return u32(
        (+i.sf << 31) |
          (+i.sub << 30) |
          (+i.s << 29) |
          (0b11010000 << 21) |
          (reg(i.rm) << 16) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    case 'condCmp': // C4.1.67 Conditional compare (register / immediate)
      return u32(
        (+i.sf << 31) |
          (+!i.neg << 30) |
          (1 << 29) |
          (0b11010010 << 21) |
          (uimm(i.rmOrImm, 5, 'rm/imm5') << 16) |
          (uimm(i.cond, 4, 'cond') << 12) |
          (+i.imm << 11) |
          (reg(i.rn) << 5) |
          uimm(i.nzcv, 4, 'nzcv'),
      );
    case 'condSel': {
      // C4.1.67 Conditional select
      const [op, op2] = { csel: [0, 0], csinc: [0, 1], csinv: [1, 0], csneg: [1, 1] }[i.op] as [number, number];
      return u32(
        (+i.sf << 31) |
          (op << 30) |
          (0b11010100 << 21) |
          (reg(i.rm) << 16) |
          (uimm(i.cond, 4, 'cond') << 12) |
          (op2 << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    }
    case 'dp1': {
      // C4.1.67 Data-processing (1 source)
      let opcode = DP1[i.op];
      if (!i.sf) {
        if (i.op === 'rev32') fail('rev32 needs a 64-bit register');
        if (i.op === 'rev') opcode = 2;
      }
      return u32((+i.sf << 31) | (1 << 30) | (0b11010110 << 21) | (opcode << 10) | (reg(i.rn) << 5) | reg(i.rd));
    }
    case 'dp2': // C4.1.67 Data-processing (2 source)
      return u32(
        (+i.sf << 31) | (0b11010110 << 21) | (reg(i.rm) << 16) | (DP2[i.op] << 10) | (reg(i.rn) << 5) | reg(i.rd),
      );
    case 'dp3': {
      // C4.1.67 Data-processing (3 source)
      const d = DP3[i.op];
      if (d.long && !i.sf) fail(`${i.op} is 64-bit only`);
      const ra = i.op === 'smulh' || i.op === 'umulh' ? 31 : reg(i.ra);
      return u32(
        (+i.sf << 31) |
          (0b11011 << 24) |
          (d.op31 << 21) |
          (reg(i.rm) << 16) |
          (d.o0 << 15) |
          (ra << 10) |
          (reg(i.rn) << 5) |
          reg(i.rd),
      );
    }
    case 'ldst': {
      // C4.1.66 Load/store register (unsigned immediate, unscaled immediate, pre/post-indexed)
      const { size, opc } = LDST[i.op];
      const base = (size << 30) | (0b111 << 27) | (opc << 22) | (reg(i.rn) << 5) | reg(i.rt);
      if (i.mode === 'uimm')
        return u32(base | (1 << 24) | (uimm(scaled(i.imm, 1 << size, 'offset'), 12, 'imm12') << 10));
      const idx = { unscaled: 0, post: 1, pre: 3 }[i.mode];
      return u32(base | (simm(i.imm, 9, 'imm9') << 12) | (idx << 10));
    }
    case 'ldstReg': {
      // C4.1.66 Load/store register (register offset)
      const { size, opc } = LDST[i.op];
      if ((i.option & 2) === 0) fail(`option ${i.option} is reserved`);
      return u32(
        (size << 30) |
          (0b111 << 27) |
          (opc << 22) |
          (1 << 21) |
          (reg(i.rm) << 16) |
          (uimm(i.option, 3, 'option') << 13) |
          (+i.s << 12) |
          (0b10 << 10) |
          (reg(i.rn) << 5) |
          reg(i.rt),
      );
    }
    case 'ldstPair': {
      // C4.1.66 Load/store register pair (offset, pre-, post-indexed) and no-allocate pair
      const p = PAIR[i.op];
      if (i.mode === 'nontemporal' && i.op === 'ldpsw') fail('ldpsw has no non-temporal form');
      const mode = { nontemporal: 0, post: 1, offset: 2, pre: 3 }[i.mode];
      return u32(
        (p.opc << 30) |
          (0b101 << 27) |
          (mode << 23) |
          (p.l << 22) |
          (simm(scaled(i.imm, p.scale, 'pair offset'), 7, 'imm7') << 15) |
          (reg(i.rt2) << 10) |
          (reg(i.rn) << 5) |
          reg(i.rt),
      );
    }
    case 'ldrLit': {
      // C4.1.66 Load register (literal)
      const opc = { ldrw: 0, ldrx: 1, ldrsw: 2 }[i.op];
      return u32(
        (opc << 30) | (0b011 << 27) | (simm(scaled(i.offset, 4, 'literal offset'), 19, 'imm19') << 5) | reg(i.rt),
      );
    }
    case 'ldar': // C4.1.66 Load/store ordered (LDAR/STLR)
      return u32((uimm(i.size, 2, 'size') << 30) | 0x089ffc00 | (+i.load << 22) | (reg(i.rn) << 5) | reg(i.rt));
    case 'prfm':
      return u32(
        0xf9800000 |
          (uimm(scaled(i.imm, 8, 'prfm offset'), 12, 'imm12') << 10) |
          (reg(i.rn) << 5) |
          uimm(i.prfop, 5, 'prfop'),
      );
    case 'b': // C4.1.65 Unconditional branch (immediate)
      return u32(
        (+i.link << 31) | (0b00101 << 26) | (simm(scaled(i.offset, 4, 'branch offset'), 26, 'imm26') & 0x3ffffff),
      );
    case 'bcond': // Conditional branch (immediate)
      return u32(0x54000000 | (simm(scaled(i.offset, 4, 'branch offset'), 19, 'imm19') << 5) | uimm(i.cond, 4, 'cond'));
    case 'cbz': // Compare and branch (immediate)
      return u32(
        (+i.sf << 31) |
          (0b011010 << 25) |
          (+i.nz << 24) |
          (simm(scaled(i.offset, 4, 'branch offset'), 19, 'imm19') << 5) |
          reg(i.rt),
      );
    case 'tbz': // Test and branch (immediate)
      uimm(i.bit, 6, 'bit');
      return u32(
        ((i.bit >> 5) << 31) |
          (0b011011 << 25) |
          (+i.nz << 24) |
          ((i.bit & 31) << 19) |
          (simm(scaled(i.offset, 4, 'branch offset'), 14, 'imm14') << 5) |
          reg(i.rt),
      );
    case 'br': // Unconditional branch (register)
      return u32({ br: 0xd61f0000, blr: 0xd63f0000, ret: 0xd65f0000 }[i.op] | (reg(i.rn) << 5));
    case 'mrsNzcv':
      return u32(0xd53b4200 | reg(i.rt));
    case 'msrNzcv':
      return u32(0xd51b4200 | reg(i.rt));
    case 'sysreg': {
      // C5.2 System instructions: MRS/MSR (register) with o0 = op0 - 2
      const [op0, op1, crn, crm, op2] = i.enc;
      return u32(
        0xd5000000 |
          (+i.read << 21) |
          (1 << 20) |
          ((op0 - 2) << 19) |
          (op1 << 16) |
          (crn << 12) |
          (crm << 8) |
          (op2 << 5) |
          reg(i.rt),
      );
    }
    case 'nop':
      return 0xd503201f;
    case 'isb': // C6.2.113 ISB (option SY)
      return 0xd5033fdf;
    case 'hvc':
      return u32(0xd4000002 | (uimm(i.imm16, 16, 'imm16') << 5));
    case 'word':
      return u32(i.value);
  }
}

// ---- GNU as syntax -------------------------------------------------------------------------

/** Register name: 31 is the zero register, or SP where `sp31` says the field means SP. */
export function regName(r: Reg, sf: boolean, sp31 = false): string {
  if (r === 31) return sp31 ? (sf ? 'sp' : 'wsp') : sf ? 'xzr' : 'wzr';
  return `${sf ? 'x' : 'w'}${r}`;
}
const hex = (v: number | bigint): string => `0x${v.toString(16)}`;
const rel = (off: number): string => (off >= 0 ? `.+${off}` : `.-${-off}`);
const x = (r: Reg): string => regName(r, true, true); // base registers: 31 is SP

/** The instruction in the syntax `aarch64-linux-gnu-as` assembles back to encode(i). */
export function format(i: Insn): string {
  switch (i.k) {
    case 'addsubImm': {
      const m = `${i.sub ? 'sub' : 'add'}${i.s ? 's' : ''}`;
      return `${m} ${regName(i.rd, i.sf, !i.s)}, ${regName(i.rn, i.sf, true)}, #${i.imm12}${i.lsl12 ? ', lsl #12' : ''}`;
    }
    case 'logicImm': {
      const v = decodeBitMasks(i.sf, i.n, i.immr, i.imms);
      if (v === undefined) fail('reserved bitmask immediate');
      return `${i.op} ${regName(i.rd, i.sf, i.op !== 'ands')}, ${regName(i.rn, i.sf)}, #${hex(v)}`;
    }
    case 'movWide':
      return `${i.op} ${regName(i.rd, i.sf)}, #${hex(i.imm16)}, lsl #${i.hw * 16}`;
    case 'bitfield':
      return `${i.op} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, #${i.immr}, #${i.imms}`;
    case 'extr':
      return `extr ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}, #${i.lsb}`;
    case 'adr':
      return `${i.page ? 'adrp' : 'adr'} ${regName(i.rd, true)}, ${rel(i.offset)}`;
    case 'addsubShift': {
      const m = `${i.sub ? 'sub' : 'add'}${i.s ? 's' : ''}`;
      return `${m} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}, ${SHIFT_NAMES[i.shift]} #${i.amount}`;
    }
    case 'addsubExt': {
      const m = `${i.sub ? 'sub' : 'add'}${i.s ? 's' : ''}`;
      const rmX = i.sf && (i.option & 3) === 3;
      return `${m} ${regName(i.rd, i.sf, !i.s)}, ${regName(i.rn, i.sf, true)}, ${regName(i.rm, rmX)}, ${EXTEND_NAMES[i.option]} #${i.amount}`;
    }
    case 'logicShift':
      return `${i.op} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}, ${SHIFT_NAMES[i.shift]} #${i.amount}`;
    case 'adcSbc':
      return `${i.sub ? 'sbc' : 'adc'}${i.s ? 's' : ''} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}`;
    case 'condCmp': {
      const second = i.imm ? `#${i.rmOrImm}` : regName(i.rmOrImm, i.sf);
      return `${i.neg ? 'ccmn' : 'ccmp'} ${regName(i.rn, i.sf)}, ${second}, #${i.nzcv}, ${COND_NAMES[i.cond]}`;
    }
    case 'condSel':
      return `${i.op} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}, ${COND_NAMES[i.cond]}`;
    case 'dp1':
      return `${i.op} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}`;
    case 'dp2':
      return `${i.op} ${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}`;
    case 'dp3': {
      const long = DP3[i.op].long && i.op !== 'smulh' && i.op !== 'umulh';
      const src = (r: Reg) => regName(r, i.sf && !long);
      const base = `${i.op} ${regName(i.rd, i.sf)}, ${src(i.rn)}, ${src(i.rm)}`;
      return i.op === 'smulh' || i.op === 'umulh' ? base : `${base}, ${regName(i.ra, i.sf)}`;
    }
    case 'ldst': {
      const { m, rt } = ldstName(i.op, i.rt, i.mode === 'unscaled');
      if (i.mode === 'uimm') return `${m} ${rt}, [${x(i.rn)}, #${i.imm}]`;
      if (i.mode === 'unscaled') return `${m} ${rt}, [${x(i.rn)}, #${i.imm}]`;
      if (i.mode === 'pre') return `${m} ${rt}, [${x(i.rn)}, #${i.imm}]!`;
      return `${m} ${rt}, [${x(i.rn)}], #${i.imm}`;
    }
    case 'ldstReg': {
      const { m, rt } = ldstName(i.op, i.rt, false);
      const size = LDST[i.op].size;
      const rm = regName(i.rm, (i.option & 1) === 1);
      const ext = i.option === 3 ? 'lsl' : EXTEND_NAMES[i.option];
      const amount = i.s ? ` #${size}` : '';
      if (i.option === 3 && !i.s) return `${m} ${rt}, [${x(i.rn)}, ${rm}]`;
      return `${m} ${rt}, [${x(i.rn)}, ${rm}, ${ext}${amount}]`;
    }
    case 'ldstPair': {
      const sfx = i.op.endsWith('x') || i.op === 'ldpsw';
      const load = PAIR[i.op].l === 1;
      const m = i.op === 'ldpsw' ? 'ldpsw' : i.mode === 'nontemporal' ? (load ? 'ldnp' : 'stnp') : load ? 'ldp' : 'stp';
      const regs = `${regName(i.rt, sfx)}, ${regName(i.rt2, sfx)}`;
      if (i.mode === 'pre') return `${m} ${regs}, [${x(i.rn)}, #${i.imm}]!`;
      if (i.mode === 'post') return `${m} ${regs}, [${x(i.rn)}], #${i.imm}`;
      return `${m} ${regs}, [${x(i.rn)}, #${i.imm}]`;
    }
    case 'ldrLit':
      return `${i.op === 'ldrsw' ? 'ldrsw' : 'ldr'} ${regName(i.rt, i.op !== 'ldrw')}, ${rel(i.offset)}`;
    case 'ldar': {
      const sfx = ['b', 'h', '', ''][i.size];
      return `${i.load ? 'ldar' : 'stlr'}${sfx} ${regName(i.rt, i.size === 3)}, [${x(i.rn)}]`;
    }
    case 'prfm':
      return `prfm #${i.prfop}, [${x(i.rn)}, #${i.imm}]`;
    case 'b':
      return `${i.link ? 'bl' : 'b'} ${rel(i.offset)}`;
    case 'bcond':
      return `b.${COND_NAMES[i.cond]} ${rel(i.offset)}`;
    case 'cbz':
      return `${i.nz ? 'cbnz' : 'cbz'} ${regName(i.rt, i.sf)}, ${rel(i.offset)}`;
    case 'tbz':
      return `${i.nz ? 'tbnz' : 'tbz'} ${regName(i.rt, i.bit >= 32)}, #${i.bit}, ${rel(i.offset)}`;
    case 'br':
      return i.op === 'ret' ? `ret ${regName(i.rn, true)}` : `${i.op} ${regName(i.rn, true)}`;
    case 'mrsNzcv':
      return `mrs ${regName(i.rt, true)}, nzcv`;
    case 'msrNzcv':
      return `msr nzcv, ${regName(i.rt, true)}`;
    case 'sysreg':
      return i.read ? `mrs ${regName(i.rt, true)}, ${i.name}` : `msr ${i.name}, ${regName(i.rt, true)}`;
    case 'nop':
      return 'nop';
    case 'isb':
      return 'isb';
    case 'hvc':
      return `hvc #${hex(i.imm16)}`;
    case 'word':
      return `.inst ${hex(i.value >>> 0)}`;
  }
}

function ldstName(op: LdstOp, rt: Reg, unscaled: boolean): { m: string; rt: string } {
  const table: Record<LdstOp, [string, boolean]> = {
    strb: ['strb', false],
    ldrb: ['ldrb', false],
    ldrsbx: ['ldrsb', true],
    ldrsbw: ['ldrsb', false],
    strh: ['strh', false],
    ldrh: ['ldrh', false],
    ldrshx: ['ldrsh', true],
    ldrshw: ['ldrsh', false],
    strw: ['str', false],
    ldrw: ['ldr', false],
    ldrsw: ['ldrsw', true],
    strx: ['str', true],
    ldrx: ['ldr', true],
  };
  const [m, sf] = table[op];
  const mu = unscaled ? m.replace(/^(ld|st)r/, '$1ur') : m;
  return { m: mu, rt: regName(rt, sf) };
}

/** Little-endian bytes of a list of words. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  for (const [k, w] of words.entries()) dv.setUint32(k * 4, w >>> 0, true);
  return out;
}
