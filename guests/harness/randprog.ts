/**
 * Seeded random test programs for the differential test against QEMU.
 *
 * A program is a raw image (no ELF/Image header) that QEMU and hvlab load at 0x40080000:
 *
 *   +0x0000  code: prologue, random body, epilogue (must end before +0x800)
 *   +0x0800  an EL1 vector table: every entry branches to a handler after the epilogue that
 *            prints "!", ESR_EL1 and ELR_EL1 and powers off
 *   +0x1000  register table: seeded x0..x27, NZCV (slot 28), x29, x30
 *   +0x1200  save area (33 slots) the epilogue fills
 *   +0x1400  scratch buffer, 512 seeded bytes: the only memory the body touches
 *
 * Prologue: VBAR_EL1 = the vector table, x0..x30 and NZCV from the table, x28 = scratch (the
 * base register the body never writes), SP = scratch.
 * Body: groups of instructions. Data processing, conditional, bitfield, multiply, divide and
 * shift instructions are single-instruction groups; a load/store group first points x27 (and
 * x26 for register offsets) at the scratch buffer so every access is in bounds and aligned for
 * its size, then uses any addressing form (writeback lands in x27); branches only go forward
 * to the start of a later group, so every group runs at most once and the program terminates.
 * Epilogue: stores x0..x30, NZCV and a rotate-xor checksum of the scratch buffer to the save
 * area and prints the 33 values as 16 hex digits per line on the PL011, then PSCI SYSTEM_OFF.
 */
import {
  bitMaskElementSize,
  decodeBitMasks,
  encode,
  format,
  type Insn,
  isLoad,
  type LdstOp,
  ldstSize,
  type PairOp,
  pairScale,
  wordsToBytes,
} from './encode.js';

export const LOAD_ADDRESS = 0x4008_0000;
const VECTORS = 0x800;
const REGTABLE = 0x1000;
const SAVE = 0x1200;
const SCRATCH = 0x1400;
const SCRATCH_SIZE = 512;
const IMAGE_SIZE = SCRATCH + SCRATCH_SIZE;
const UART = 0x0900_0000;
/** Lines the epilogue prints: x0..x30, NZCV, checksum. */
export const OUTPUT_SLOTS = 33;
export const SLOT_NAMES: readonly string[] = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'nzcv', 'checksum'];

/** mulberry32: a small, well-mixed 32-bit generator (public domain, Tommy Ettinger). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.u32() / 2 ** 32) * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

const MASK64 = (1n << 64n) - 1n;
const SPECIAL: readonly bigint[] = [
  0n,
  1n,
  2n,
  MASK64,
  MASK64 - 1n,
  0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0xffff_ffffn,
  0x8000_0000n,
  0x7fff_ffffn,
  0x1_0000_0000n,
  0xffff_ffff_8000_0000n,
  63n,
  64n,
  31n,
  32n,
];

/** A register value biased towards the edge cases of flags, shifts and division. */
function interesting(r: Rng): bigint {
  const k = r.int(0, 99);
  if (k < 25) return r.u64();
  if (k < 40) return BigInt(r.int(0, 255));
  if (k < 50) return (MASK64 + 1n - BigInt(r.int(1, 256))) & MASK64;
  if (k < 65) return r.pick(SPECIAL);
  if (k < 80) return BigInt(r.u32());
  if (k < 90) return BigInt.asUintN(64, BigInt(r.u32() | 0));
  return 1n << BigInt(r.int(0, 63));
}

interface Group {
  /** Instructions; a branch's offset is filled in once groups have addresses. */
  readonly insns: Insn[];
  /** For a branch group: index of the target group (groups.length = the epilogue). */
  readonly target?: number;
}

export interface RandomProgram {
  readonly seed: number;
  /** The raw image, loaded at LOAD_ADDRESS. */
  readonly image: Uint8Array;
  /** The body's instructions, their words and their address. */
  readonly body: readonly { readonly insn: Insn; readonly word: number; readonly addr: number }[];
  /** Byte offset of the body in the image. */
  readonly bodyOffset: number;
  /** Initial register values x0..x30 and NZCV (as loaded by the prologue). */
  readonly initial: readonly bigint[];
}

// Registers the body may write: never x28 (the scratch base) or SP.
const DEST = [...Array.from({ length: 28 }, (_, i) => i), 29, 30];
const DEST_OR_ZR = [...DEST, 31];
const SRC = Array.from({ length: 32 }, (_, i) => i); // 31 = XZR (or SP where the field says so)

function genDataProcessing(r: Rng): Insn {
  const sf = r.bool(0.7);
  const rd = () => r.pick(DEST);
  const rdz = () => r.pick(DEST_OR_ZR);
  const rs = () => r.pick(SRC);
  switch (r.int(0, 15)) {
    case 0: {
      const s = r.bool();
      return {
        k: 'addsubImm',
        sf,
        sub: r.bool(),
        s,
        rd: s ? rdz() : rd(),
        rn: rs(),
        imm12: r.int(0, 4095),
        lsl12: r.bool(0.2),
      };
    }
    case 1: {
      for (;;) {
        const n = sf ? r.int(0, 1) : 0;
        const imms = r.int(0, 63);
        const esize = bitMaskElementSize(n, imms) ?? 64;
        // Mostly canonical immr; sometimes with the bits DecodeBitMasks ignores set.
        const immr = r.bool(0.8) ? r.int(0, esize - 1) : r.int(0, sf ? 63 : 31);
        if (decodeBitMasks(sf, n, immr, imms) === undefined) continue;
        const op = r.pick(['and', 'orr', 'eor', 'ands'] as const);
        return { k: 'logicImm', sf, op, rd: op === 'ands' ? rdz() : rd(), rn: rs(), n, immr, imms };
      }
    }
    case 2:
      return {
        k: 'movWide',
        sf,
        op: r.pick(['movn', 'movz', 'movk'] as const),
        rd: rd(),
        imm16: r.int(0, 0xffff),
        hw: r.int(0, sf ? 3 : 1),
      };
    case 3: {
      const lim = sf ? 63 : 31;
      return {
        k: 'bitfield',
        sf,
        op: r.pick(['sbfm', 'bfm', 'ubfm'] as const),
        rd: rd(),
        rn: rs(),
        immr: r.int(0, lim),
        imms: r.int(0, lim),
      };
    }
    case 4:
      return { k: 'extr', sf, rd: rd(), rn: rs(), rm: rs(), lsb: r.int(0, sf ? 63 : 31) };
    case 5:
      return {
        k: 'addsubShift',
        sf,
        sub: r.bool(),
        s: r.bool(),
        rd: rdz(),
        rn: rs(),
        rm: rs(),
        shift: r.int(0, 2),
        amount: r.int(0, sf ? 63 : 31),
      };
    case 6: {
      const s = r.bool();
      return {
        k: 'addsubExt',
        sf,
        sub: r.bool(),
        s,
        rd: s ? rdz() : rd(),
        rn: rs(),
        rm: rs(),
        option: r.int(0, 7),
        amount: r.int(0, 4),
      };
    }
    case 7:
      return {
        k: 'logicShift',
        sf,
        op: r.pick(['and', 'bic', 'orr', 'orn', 'eor', 'eon', 'ands', 'bics'] as const),
        rd: rdz(),
        rn: rs(),
        rm: rs(),
        shift: r.int(0, 3),
        amount: r.int(0, sf ? 63 : 31),
      };
    case 8:
      return { k: 'adcSbc', sf, sub: r.bool(), s: r.bool(), rd: rdz(), rn: rs(), rm: rs() };
    case 9: {
      const imm = r.bool();
      return {
        k: 'condCmp',
        sf,
        neg: r.bool(),
        imm,
        rn: rs(),
        rmOrImm: imm ? r.int(0, 31) : rs(),
        nzcv: r.int(0, 15),
        cond: r.int(0, 15),
      };
    }
    case 10:
      return {
        k: 'condSel',
        sf,
        op: r.pick(['csel', 'csinc', 'csinv', 'csneg'] as const),
        rd: rdz(),
        rn: rs(),
        rm: rs(),
        cond: r.int(0, 15),
      };
    case 11: {
      const ops = sf
        ? (['rbit', 'rev16', 'rev32', 'rev', 'clz', 'cls'] as const)
        : (['rbit', 'rev16', 'rev', 'clz', 'cls'] as const);
      return { k: 'dp1', sf, op: r.pick(ops), rd: rdz(), rn: rs() };
    }
    case 12:
    case 13:
      return {
        k: 'dp2',
        sf,
        op: r.pick(['udiv', 'sdiv', 'lslv', 'lsrv', 'asrv', 'rorv'] as const),
        rd: rdz(),
        rn: rs(),
        rm: rs(),
      };
    case 14: {
      const op = sf
        ? r.pick(['madd', 'msub', 'smaddl', 'smsubl', 'umaddl', 'umsubl', 'smulh', 'umulh'] as const)
        : r.pick(['madd', 'msub'] as const);
      return { k: 'dp3', sf, op, rd: rdz(), rn: rs(), rm: rs(), ra: rs() };
    }
    default:
      return r.bool() ? { k: 'mrsNzcv', rt: rd() } : { k: 'msrNzcv', rt: rs() };
  }
}

/** x27 = x28 + delta (ADD or SUB immediate). */
function pointX27(delta: number): Insn {
  if (Math.abs(delta) > 4095) throw new Error(`scratch delta ${delta} out of range`);
  return { k: 'addsubImm', sf: true, sub: delta < 0, s: false, rd: 27, rn: 28, imm12: Math.abs(delta), lsl12: false };
}

const LOAD_RT = [...Array.from({ length: 27 }, (_, i) => i), 29, 30, 31]; // not x27 (base), x28
const STORE_RT = [...Array.from({ length: 27 }, (_, i) => i), 28, 29, 30, 31]; // not x27 (base)
const LDST_OPS: readonly LdstOp[] = [
  'strb',
  'ldrb',
  'ldrsbx',
  'ldrsbw',
  'strh',
  'ldrh',
  'ldrshx',
  'ldrshw',
  'strw',
  'ldrw',
  'ldrsw',
  'strx',
  'ldrx',
];

function genMemory(r: Rng, pc: () => number): Insn[] {
  const kind = r.int(0, 9);
  if (kind <= 4) {
    const op = r.pick(LDST_OPS);
    const size = ldstSize(op);
    const rt = r.pick(isLoad(op) ? LOAD_RT : STORE_RT);
    const a = size * r.int(0, SCRATCH_SIZE / size - 1);
    const mode = r.int(0, 4);
    if (mode === 0) {
      const k = r.int(0, Math.min(4095, Math.floor((a + 4095) / size), 300));
      return [pointX27(a - k * size), { k: 'ldst', op, mode: 'uimm', rt, rn: 27, imm: k * size }];
    }
    if (mode === 1 || mode === 2) {
      const imm = r.int(-256, 255);
      return [pointX27(a - imm), { k: 'ldst', op, mode: mode === 1 ? 'unscaled' : 'pre', rt, rn: 27, imm }];
    }
    if (mode === 3) return [pointX27(a), { k: 'ldst', op, mode: 'post', rt, rn: 27, imm: r.int(-256, 255) }];
    // register offset: address = x27 + (extend(x26) << s)
    const option = r.pick([2, 3, 6, 7]);
    const s = r.bool();
    const shift = s ? Math.log2(size) : 0;
    const idx = option === 2 ? r.int(0, 64) : r.int(-64, 64);
    const set: Insn[] = [];
    const wide = option === 3 || option === 7;
    if (idx >= 0) set.push({ k: 'movWide', sf: wide, op: 'movz', rd: 26, imm16: idx, hw: 0 });
    else set.push({ k: 'movWide', sf: wide, op: 'movn', rd: 26, imm16: -idx - 1, hw: 0 });
    // For W-extended forms, junk in x26[63:32] must be ignored.
    if (!wide && r.bool())
      set.push({ k: 'movWide', sf: true, op: 'movk', rd: 26, imm16: r.int(0, 0xffff), hw: r.int(2, 3) });
    return [...set, pointX27(a - idx * 2 ** shift), { k: 'ldstReg', op, rt, rn: 27, rm: 26, option, s }];
  }
  if (kind <= 6) {
    const op = r.pick(['stpw', 'ldpw', 'ldpsw', 'stpx', 'ldpx'] as const satisfies readonly PairOp[]);
    const scale = pairScale(op);
    const load = op.startsWith('ld');
    const rt = r.pick(load ? LOAD_RT : STORE_RT);
    let rt2 = r.pick(load ? LOAD_RT : STORE_RT);
    while (load && rt2 === rt) rt2 = r.pick(LOAD_RT);
    const a = scale * r.int(0, SCRATCH_SIZE / scale - 2);
    const imm = scale * r.int(-64, 63);
    const mode =
      op === 'ldpsw'
        ? r.pick(['offset', 'pre', 'post'] as const)
        : r.pick(['offset', 'pre', 'post', 'nontemporal'] as const);
    return [pointX27(mode === 'post' ? a : a - imm), { k: 'ldstPair', op, mode, rt, rt2, rn: 27, imm }];
  }
  if (kind === 7) {
    const op = r.pick(['ldrw', 'ldrx', 'ldrsw'] as const);
    const size = op === 'ldrx' ? 8 : 4;
    const a = size * r.int(0, SCRATCH_SIZE / size - 1);
    return [{ k: 'ldrLit', op, rt: r.pick(LOAD_RT), offset: SCRATCH + a - pc() }];
  }
  if (kind === 8) {
    const size = r.int(0, 3);
    const load = r.bool();
    const a = (1 << size) * r.int(0, SCRATCH_SIZE / (1 << size) - 1);
    return [pointX27(a), { k: 'ldar', size, load, rt: r.pick(load ? LOAD_RT : STORE_RT), rn: 27 }];
  }
  const k = r.int(0, 63);
  return [
    pointX27(r.int(0, SCRATCH_SIZE - 8) & ~7),
    { k: 'prfm', prfop: r.pick([0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21]), rn: 27, imm: k * 8 },
  ];
}

function genBranch(r: Rng, index: number, count: number): Group {
  const target = Math.min(count, index + r.int(1, 4));
  const rs = () => r.pick(SRC);
  switch (r.int(0, 5)) {
    case 0:
      return { insns: [{ k: 'b', link: r.bool(0.3), offset: 0 }], target };
    case 1:
    case 2:
      return { insns: [{ k: 'bcond', cond: r.int(0, 15), offset: 0 }], target };
    case 3:
      return { insns: [{ k: 'cbz', sf: r.bool(), nz: r.bool(), rt: rs(), offset: 0 }], target };
    case 4:
      return { insns: [{ k: 'tbz', nz: r.bool(), rt: rs(), bit: r.int(0, 63), offset: 0 }], target };
    default:
      // x27 = the target's address (ADR), then BR / BLR / RET x27
      return {
        insns: [
          { k: 'adr', page: false, rd: 27, offset: 0 },
          { k: 'br', op: r.pick(['br', 'blr', 'ret'] as const), rn: 27 },
        ],
        target,
      };
  }
}

// ---- fixed code ----------------------------------------------------------------------------

const movz = (rd: number, imm16: number, hw = 0, sf = true): Insn => ({ k: 'movWide', sf, op: 'movz', rd, imm16, hw });
const movk = (rd: number, imm16: number, hw: number): Insn => ({ k: 'movWide', sf: true, op: 'movk', rd, imm16, hw });
const VBAR_EL1 = [3, 0, 12, 0, 0] as const;
const ESR_EL1 = [3, 0, 5, 2, 0] as const;
const ELR_EL1 = [3, 0, 4, 0, 1] as const;
const ISB: Insn = { k: 'isb' };

/** Prints x3 as 16 hex digits and a newline on the UART at x9 (clobbers x4..x7). Relative loop. */
function hexLine(): Insn[] {
  return [
    movz(5, 60),
    { k: 'dp2', sf: true, op: 'lsrv', rd: 4, rn: 3, rm: 5 },
    { k: 'logicImm', sf: true, op: 'and', rd: 4, rn: 4, n: 1, immr: 0, imms: 3 },
    { k: 'addsubImm', sf: true, sub: false, s: false, rd: 6, rn: 4, imm12: 0x30, lsl12: false },
    { k: 'addsubImm', sf: true, sub: false, s: false, rd: 7, rn: 4, imm12: 0x57, lsl12: false },
    { k: 'addsubImm', sf: true, sub: true, s: true, rd: 31, rn: 4, imm12: 10, lsl12: false },
    { k: 'condSel', sf: true, op: 'csel', rd: 4, rn: 7, rm: 6, cond: 2 /* hs */ },
    { k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 },
    { k: 'addsubImm', sf: true, sub: true, s: true, rd: 5, rn: 5, imm12: 4, lsl12: false },
    { k: 'bcond', cond: 10 /* ge */, offset: -8 * 4 },
    movz(4, 10),
    { k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 },
  ];
}

function systemOff(): Insn[] {
  return [movz(0, 0x0008), movk(0, 0x8400, 1), { k: 'hvc', imm16: 0 }, { k: 'b', link: false, offset: 0 }];
}

function prologue(): Insn[] {
  const out: Insn[] = [];
  const at = () => out.length * 4;
  out.push({ k: 'adr', page: false, rd: 28, offset: VECTORS - at() });
  out.push({ k: 'sysreg', read: false, name: 'vbar_el1', enc: VBAR_EL1, rt: 28 }, ISB);
  out.push({ k: 'adr', page: false, rd: 28, offset: REGTABLE - at() });
  for (let i = 0; i < 28; i += 2)
    out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: i, rt2: i + 1, rn: 28, imm: i * 8 });
  out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: 29, rt2: 30, rn: 28, imm: 29 * 8 });
  out.push({ k: 'ldst', op: 'ldrx', mode: 'uimm', rt: 28, rn: 28, imm: 28 * 8 });
  out.push({ k: 'msrNzcv', rt: 28 });
  out.push({ k: 'adr', page: false, rd: 28, offset: SCRATCH - at() });
  out.push({ k: 'addsubImm', sf: true, sub: false, s: false, rd: 31, rn: 28, imm12: 0, lsl12: false }); // mov sp, x28
  return out;
}

function epilogue(): Insn[] {
  const out: Insn[] = [];
  const base = SAVE - SCRATCH; // -512
  for (let i = 0; i < 30; i += 2)
    out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: i, rt2: i + 1, rn: 28, imm: base + i * 8 });
  out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: 30, rt2: 31, rn: 28, imm: base + 30 * 8 });
  out.push({ k: 'mrsNzcv', rt: 0 });
  // checksum: x3 = rol(x3, 1) ^ word, over the 64 words of the scratch buffer
  out.push(movz(2, SCRATCH_SIZE / 8), movz(3, 0));
  out.push({ k: 'addsubImm', sf: true, sub: false, s: false, rd: 1, rn: 28, imm12: 0, lsl12: false });
  out.push({ k: 'ldst', op: 'ldrx', mode: 'post', rt: 4, rn: 1, imm: 8 });
  out.push({ k: 'extr', sf: true, rd: 3, rn: 3, rm: 3, lsb: 63 });
  out.push({ k: 'logicShift', sf: true, op: 'eor', rd: 3, rn: 3, rm: 4, shift: 0, amount: 0 });
  out.push({ k: 'addsubImm', sf: true, sub: true, s: true, rd: 2, rn: 2, imm12: 1, lsl12: false });
  out.push({ k: 'bcond', cond: 1 /* ne */, offset: -4 * 4 });
  out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: 0, rt2: 3, rn: 28, imm: base + 31 * 8 });
  // print the 33 slots
  out.push({ k: 'addsubImm', sf: true, sub: true, s: false, rd: 1, rn: 28, imm12: -base, lsl12: false });
  out.push(movz(2, OUTPUT_SLOTS), movz(9, UART >>> 16, 1));
  const loop = out.length;
  out.push({ k: 'ldst', op: 'ldrx', mode: 'post', rt: 3, rn: 1, imm: 8 });
  out.push(...hexLine());
  out.push({ k: 'addsubImm', sf: true, sub: true, s: true, rd: 2, rn: 2, imm12: 1, lsl12: false });
  out.push({ k: 'bcond', cond: 1, offset: (loop - out.length) * 4 });
  out.push(...systemOff());
  return out;
}

/** The exception handler every vector branches to: "!", ESR_EL1 and ELR_EL1 as hex lines, then SYSTEM_OFF. */
function exceptionHandler(): Insn[] {
  return [
    movz(9, UART >>> 16, 1),
    movz(4, 0x21),
    { k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 },
    { k: 'sysreg', read: true, name: 'esr_el1', enc: ESR_EL1, rt: 3 },
    ...hexLine(),
    { k: 'sysreg', read: true, name: 'elr_el1', enc: ELR_EL1, rt: 3 },
    ...hexLine(),
    ...systemOff(),
  ];
}

/** The fixed instructions of every program (prologue, epilogue, exception handler). */
export function fixedCode(): Insn[] {
  return [...prologue(), ...epilogue(), ...exceptionHandler()];
}

/** The seeds of the differential test (fixed, so a failure reproduces by seed). */
export const DIFF_SEEDS: readonly number[] = Array.from({ length: 20 }, (_, i) => 0x5eed_0000 + i * 7919);
/** Body length of the differential test, in groups (about 60 instructions). */
export const DIFF_GROUPS = 40;

/**
 * Builds the program for `seed` with `bodyGroups` random groups; `append` adds fixed
 * instructions at the end of the body (for tests of the harness itself).
 */
export function generateProgram(seed: number, bodyGroups = DIFF_GROUPS, append: readonly Insn[] = []): RandomProgram {
  const r = new Rng(seed);
  const pro = prologue();
  const groups: Group[] = [];
  let pc = pro.length * 4;
  for (let i = 0; i < bodyGroups; i++) {
    const k = r.int(0, 99);
    let g: Group;
    if (k < 55) g = { insns: [genDataProcessing(r)] };
    else if (k < 85) {
      const here = pc; // a literal load is a one-instruction group: its address is the group's
      g = { insns: genMemory(r, () => here) };
    } else g = genBranch(r, i, bodyGroups);
    groups.push(g);
    pc += g.insns.length * 4;
  }
  if (append.length > 0) groups.push({ insns: [...append] });
  // Resolve branch targets.
  const starts: number[] = [];
  let at = pro.length * 4;
  for (const g of groups) {
    starts.push(at);
    at += g.insns.length * 4;
  }
  starts.push(at); // the epilogue
  groups.forEach((g, gi) => {
    if (g.target === undefined) return;
    const dest = starts[g.target]!;
    g.insns.forEach((insn, ii) => {
      const here = starts[gi]! + ii * 4;
      if (
        insn.k === 'b' ||
        insn.k === 'bcond' ||
        insn.k === 'cbz' ||
        insn.k === 'tbz' ||
        (insn.k === 'adr' && ii === 0)
      )
        (insn as { offset: number }).offset = dest - here;
    });
  });
  const code: Insn[] = [...pro, ...groups.flatMap((g) => g.insns), ...epilogue()];
  const handler = code.length * 4;
  code.push(...exceptionHandler());
  if (code.length * 4 > VECTORS) throw new Error(`seed ${seed}: code of ${code.length * 4} bytes overlaps the vectors`);

  const image = new Uint8Array(IMAGE_SIZE);
  image.set(wordsToBytes(code.map(encode)), 0);
  for (let v = 0; v < 16; v++) {
    const at = VECTORS + v * 0x80;
    image.set(wordsToBytes([encode({ k: 'b', link: false, offset: handler - at })]), at);
  }
  const dv = new DataView(image.buffer);
  const initial: bigint[] = [];
  for (let i = 0; i < 31; i++) initial.push(i === 28 ? 0n : interesting(r));
  const nzcv = BigInt(r.int(0, 15)) << 28n;
  for (let i = 0; i < 31; i++) if (i !== 28) dv.setBigUint64(REGTABLE + i * 8, initial[i]!, true);
  dv.setBigUint64(REGTABLE + 28 * 8, nzcv, true);
  for (let i = 0; i < SCRATCH_SIZE; i += 4) dv.setUint32(SCRATCH + i, r.u32(), true);
  initial[28] = BigInt(LOAD_ADDRESS + SCRATCH);
  initial.push(nzcv);

  const bodyInsns = groups.flatMap((g) => g.insns);
  const bodyOffset = pro.length * 4;
  return {
    seed,
    image,
    bodyOffset,
    initial,
    body: bodyInsns.map((insn, i) => ({ insn, word: encode(insn), addr: LOAD_ADDRESS + bodyOffset + i * 4 })),
  };
}

/** Parses the epilogue's output: 33 values, or an exception report. */
export type ProgramOutput =
  | { readonly kind: 'state'; readonly values: readonly bigint[] }
  | { readonly kind: 'exception'; readonly esr: bigint; readonly elr: bigint }
  | { readonly kind: 'garbled'; readonly text: string };

export function parseOutput(text: string): ProgramOutput {
  if (text.startsWith('!')) {
    const m = /^!([0-9a-f]{16})\n([0-9a-f]{16})\n$/.exec(text);
    if (m) return { kind: 'exception', esr: BigInt(`0x${m[1]}`), elr: BigInt(`0x${m[2]}`) };
    return { kind: 'garbled', text };
  }
  const lines = text.split('\n');
  if (lines.length !== OUTPUT_SLOTS + 1 || lines[OUTPUT_SLOTS] !== '') return { kind: 'garbled', text };
  const values: bigint[] = [];
  for (const l of lines.slice(0, OUTPUT_SLOTS)) {
    if (!/^[0-9a-f]{16}$/.test(l)) return { kind: 'garbled', text };
    values.push(BigInt(`0x${l}`));
  }
  return { kind: 'state', values };
}

/** The body as text: address, word and GNU syntax per line. */
export function listing(p: RandomProgram): string {
  return p.body
    .map((b) => `${b.addr.toString(16)}: ${b.word.toString(16).padStart(8, '0')}  ${format(b.insn)}`)
    .join('\n');
}
