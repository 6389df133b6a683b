/**
 * Seeded random test programs for the differential test against QEMU.
 *
 * A program is a raw image (no ELF/Image header) that QEMU and hvlab load at 0x40080000:
 *
 *   +0x0000  code: prologue, random body, epilogue, exception handler (must end before +0x800)
 *   +0x0800  an EL1 vector table: every entry branches to the exception handler, which prints
 *            "!", ESR_EL1, ELR_EL1 (and FAR_EL1 for aborts) and powers off
 *   +0x1000  register table: seeded x0..x27, NZCV (slot 28), x29, x30
 *   +0x1100  MMU configuration: MAIR_EL1, TCR_EL1, TTBR0_EL1 and the SCTLR_EL1 bits to set
 *   +0x1200  save area (33 slots) the epilogue fills
 *   +0x1400  scratch buffer, 4 KiB of seeded bytes: the only data the body writes; it crosses
 *            the page boundary at +0x2000
 *   +0x2400  patch pool: 16 bytes per self-modifying group (the bytes it stores over code)
 *   +0x3000  translation tables (MMU mode): level 1, level 2 (+0x4000), level 3 (+0x5000)
 *
 * Each seed runs with the MMU off (every data access Device-nGnRnE) or on (MMU mode: an
 * identity map of RAM as Normal write-back memory with 4 KiB pages around the image, the low
 * 1 GiB as Device; Arm ARM D8 VMSAv8-64, 4 KiB granule, T0SZ = 25, walks from level 1). In MMU
 * mode the page at +0x2000 (the top of the scratch buffer) is sometimes read-only or unmapped,
 * so accesses there end the program with a Data Abort whose ESR/ELR/FAR both sides print; a
 * window page is remapped by the body with TLB maintenance, the ASID changes, and addresses may
 * carry a tag (TCR_EL1.TBI0). With the MMU off a program may instead use big-endian data
 * (SCTLR_EL1.EE, for the body only) or run its body at EL0 (entered by ERET; the epilogue
 * powers off through SVC #0xffff, which the exception handler recognises).
 *
 * Prologue: VBAR_EL1 = the vector table, the MMU (MMU mode), x0..x30 and NZCV from the table,
 * x28 = scratch (the base register the body never writes), SP = scratch, then EE or EL0.
 * Body: groups of instructions.
 * - data processing: every integer data-processing form (C4.1.86/C4.1.89), CRC32/CRC32C,
 *   ADRP, MRS/MSR NZCV;
 * - load/store: x27 (and x26 for register offsets) or SP is pointed into the scratch buffer,
 *   then any single-register form (immediate, unscaled, pre/post-index, register offset with
 *   every extend, unprivileged LDTR/STTR), pair (LDP/STP/LDNP/STNP/LDPSW, every index mode),
 *   literal, LDAR/STLR, or PRFM/PRFUM (which never fault, so they also get wild addresses);
 *   writeback lands in x27 or SP; in MMU mode some accesses are misaligned or cross the page;
 * - exclusives: LDXR/LDAXR/LDXP/LDAXP, optionally a data-processing instruction or CLREX, then
 *   STXR/STLXR/STXP/STLXP to the same address (the status register shows the monitor);
 * - system: barriers, CLREX, hints (not WFI; WFE only after SEVL), MSR DAIFSet/DAIFClr,
 *   SPSel, TPIDR*_EL*, MRS of identification and control registers, DC/IC by VA and IC IALLU,
 *   DC ZVA and AT S1E{0,1}{R,W} with PAR_EL1 (MMU mode);
 * - a counted loop (a backward branch over a few data-processing instructions);
 * - self-modifying code: a store (every store form: STR/STUR/pre/post/register/STTR of each
 *   size, STP/STNP, STLR, STXR/STXP after LDXR/LDXP) writes new instructions over a later
 *   "patch site" group, followed by ISB or by DC CVAU/DSB/IC IVAU/DSB/ISB (B2.4.4): both
 *   emulators must execute the new instructions, also when the site is in the running block;
 * - TLB maintenance (MMU mode): a window page remapped (new descriptor, DSB, TLBI VMALLE1/VAE1/
 *   VALE1/VAAE1/VAALE1, local or Inner Shareable, DSB, ISB), accesses through the window, and
 *   TTBR0_EL1 ASID switches;
 * - branches: forward to the start of a later group (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ,
 *   BR/BLR/RET), so every group runs at most once (loops only inside their group);
 * - rarely, an instruction that ends the program with an exception: SVC, BRK, HLT, UDF, a
 *   misaligned branch target, a misaligned exclusive or load-acquire (MMU mode).
 * Epilogue: stores x0..x30, NZCV and a rotate-xor checksum of the scratch buffer to the save
 * area and prints the 33 values as 16 hex digits per line on the PL011, then PSCI SYSTEM_OFF.
 *
 * What the generator avoids, and why (each checked on QEMU 7.2):
 * - CONSTRAINED UNPREDICTABLE forms (Arm ARM K1.2): writeback with Rt == Rn, LDP/LDXP with
 *   Rt == Rt2, STXR with Rs == Rt/Rt2/Rn, exclusives of mismatched size, stores between
 *   LDXR and STXR, partial overwrites that would not decode as the intended instruction;
 * - QEMU 7.2 divergences, where hvlab follows the Arm ARM:
 *   . misaligned accesses with the MMU off: Device memory, an Alignment fault (B2.5.2; D8.2
 *     "stage 1 disabled: data accesses are Device-nGnRnE"), which QEMU checks only from 9.0;
 *   . SP alignment checking (SCTLR_EL1.SA, D1.8.2): QEMU omits it, so SP stays 16-aligned;
 *   . DC ZVA to Device memory (MMU off): an Alignment fault (C5.3.x DC ZVA: "If the memory
 *     region being zeroed is any type of Device memory, DC ZVA generates an Alignment fault");
 *     QEMU 7.2 zeroes the block (target/arm/op_helper.c HELPER(dc_zva) ignores the type);
 *   . AT with the MMU off: PAR_EL1.SH reads 0b10 for Device memory (D17.2 PAR_EL1.SH: "returns
 *     the value 0b10 for Device memory"); QEMU 7.2 reports 0b00;
 *   . DC/IC by VA translate their address (D7.5: Translation and Access flag faults, and for DC
 *     IVAC at EL1 a Permission fault without write permission; ESR CM = 1); QEMU 7.2 performs
 *     no translation for them, so they only get addresses that translate and are writable;
 *   . misaligned accesses to Device memory with the MMU on: QEMU 7.2 performs them too;
 *   . stores over instructions without a context synchronization event: QEMU keeps executing
 *     the old ones to the end of its translation block (permitted, B2.2.5), so every
 *     self-modifying group ends with an ISB;
 *   . the ID registers (team decisions: no FP/AdvSIMD, FEAT_PAN/UAO/SSBS) and the PSTATE
 *     fields of features the Cortex-A57 lacks; WFI/WFE (QEMU never waits in WFE).
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
const CONFIG = 0x1100;
const SAVE = 0x1200;
const SCRATCH = 0x1400;
const SCRATCH_SIZE = 4096;
/** Offset in the scratch buffer of the page boundary (LOAD_ADDRESS + 0x2000). */
const PAGE_EDGE = 0x2000 - SCRATCH;
const POOL = 0x2400;
const POOL_SLOTS = 64;
const TABLES = 0x3000;
const IMAGE_SIZE = TABLES + 3 * 4096;
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
  /** Patches PC-relative offsets once the group's address (`at`, image offset) is known. */
  readonly fix?: (at: number) => void;
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
  /** Whether the program runs with stage 1 translation on (MMU mode). */
  readonly mmu: boolean;
  /**
   * What the program exercises beyond its instructions: 'mmu' / 'mmu-off', 'edge.<page>',
   * 'be' (big-endian data), 'el0' (the body at EL0), 'el0.trap', 'tbi', 'asids', 'smc.<form>' (and 'smc.<form>.same-block'), 'remap.<tlbi>', 'asid-switch', 'window', 'tbi.access',
   * 'tbi.branch', 'sp-base', 'misaligned', 'page-cross', 'loop', 'exclusive'.
   */
  readonly tags: readonly string[];
}

// Registers the body may write: never x28 (the scratch base) or SP.
const DEST = [...Array.from({ length: 28 }, (_, i) => i), 29, 30];
const DEST_OR_ZR = [...DEST, 31];
const SRC = Array.from({ length: 32 }, (_, i) => i); // 31 = XZR (or SP where the field says so)

// ---- raw encodings of forms encode.ts has no kind for (Arm ARM C4.1) -----------------------

/** The name of each raw word's form (forms() reports them; encode.ts has no kind for these). */
const FORMS = new WeakMap<Insn, string>();
function word(value: number, form: string): Insn {
  const insn: Insn = { k: 'word', value: value >>> 0 };
  FORMS.set(insn, form);
  return insn;
}
const SYS_NAMES: Readonly<Record<string, string>> = {
  '3 7 4 1': 'dc zva',
  '3 7 11 1': 'dc cvau',
  '3 7 10 1': 'dc cvac',
  '3 7 14 1': 'dc civac',
  '0 7 6 1': 'dc ivac',
  '3 7 5 1': 'ic ivau',
  '0 7 5 0': 'ic iallu',
  '0 7 1 0': 'ic ialluis',
};

/** SYS #op1, Cn, Cm, #op2, Xt (C5.3: DC, IC, AT, TLBI). */
const sysInsn = (op1: number, crm: number, op2: number, rt: number, crn = 7): Insn =>
  word(
    0xd508_0000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt,
    crn === 8 ? `tlbi op2=${op2}` : crm === 8 ? `at op2=${op2}` : (SYS_NAMES[`${op1} ${crn} ${crm} ${op2}`] ?? 'sys'),
  );
const DC_ZVA = (rt: number) => sysInsn(3, 4, 1, rt);
const DC_CVAU = (rt: number) => sysInsn(3, 11, 1, rt);
const IC_IVAU = (rt: number) => sysInsn(3, 5, 1, rt);
const TLBI_VMALLE1 = sysInsn(0, 7, 0, 31, 8);
/** DSB/DMB/ISB/CLREX with option CRm (C6.2 barriers, C4.1.87 "Barriers"). */
const barrier = (op2: number, crm: number): Insn =>
  word(
    0xd503_301f | (crm << 8) | (op2 << 5),
    op2 === 4 ? (crm === 0 ? 'ssbb' : crm === 4 ? 'pssbb' : 'dsb') : ['', '', 'clrex', '', '', 'dmb', 'isb'][op2]!,
  );
const DSB_ISH = barrier(4, 11);
const ISB: Insn = { k: 'isb' };
/** HINT #imm (C6.2 HINT). */
const hint = (imm: number): Insn => word(0xd503_201f | (imm << 5), imm === 2 ? 'wfe' : imm === 5 ? 'sevl' : 'hint');
/** MSR <pstatefield>, #imm (C6.2 MSR (immediate)). */
const msrImm = (op1: number, op2: number, crm: number): Insn =>
  word(0xd500_401f | (op1 << 16) | (crm << 8) | (op2 << 5), `msr imm op1=${op1} op2=${op2}`);
/** Load/store exclusive register or pair (C4.1.66, v8.0 layout; Rs = 31 for loads). */
function exclusive(o: {
  size: number;
  load: boolean;
  pair: boolean;
  ordered: boolean;
  rs: number;
  rt: number;
  rt2: number;
  rn: number;
}): Insn {
  return word(
    (o.size << 30) |
      0x0800_0000 |
      (+o.load << 22) |
      (+o.pair << 21) |
      (o.rs << 16) |
      (+o.ordered << 15) |
      (o.rt2 << 10) |
      (o.rn << 5) |
      o.rt,
    `${o.load ? 'ld' : 'st'}${o.ordered ? (o.load ? 'a' : 'l') : ''}x${o.pair ? 'p' : 'r'}`,
  );
}
/** LDTR/STTR/LDTRS* (C4.1.66 "Load/store register (unprivileged)"): the unscaled form with bits 11:10 = 10. */
const unprivileged = (op: LdstOp, rt: number, rn: number, imm: number): Insn =>
  word(encode({ k: 'ldst', op, mode: 'unscaled', rt, rn, imm }) | (0b10 << 10), isLoad(op) ? 'ldtr' : 'sttr');
/** CRC32{B,H,W,X} / CRC32C{...} (C6.2 CRC32*): sz = log2(bytes), X form needs sf = 1. */
const crc32 = (c: boolean, sz: number, rd: number, rn: number, rm: number): Insn =>
  word(
    ((sz === 3 ? 1 : 0) << 31) | 0x1ac0_4000 | (rm << 16) | (+c << 12) | (sz << 10) | (rn << 5) | rd,
    c ? 'crc32c' : 'crc32',
  );
/** PRFUM (unscaled), PRFM (register), PRFM (literal) with prfop `t` (C6.2 PRFM/PRFUM). */
const prfum = (t: number, rn: number, imm9: number) =>
  word(0xf880_0000 | ((imm9 & 0x1ff) << 12) | (rn << 5) | t, 'prfum');
const prfmReg = (t: number, rn: number, rm: number, option: number, s: boolean) =>
  word(0xf8a0_0800 | (rm << 16) | (option << 13) | (+s << 12) | (rn << 5) | t, 'prfm reg');
const prfmLit = (t: number, offset: number) => word(0xd800_0000 | (((offset >> 2) & 0x7ffff) << 5) | t, 'prfm lit');
/** Sysreg encodings (op0, op1, CRn, CRm, op2). */
type Enc = readonly [number, number, number, number, number];
const mrs = (name: string, enc: Enc, rt: number): Insn => ({ k: 'sysreg', read: true, name, enc, rt });
const msr = (name: string, enc: Enc, rt: number): Insn => ({ k: 'sysreg', read: false, name, enc, rt });
const VBAR_EL1: Enc = [3, 0, 12, 0, 0];
const ESR_EL1: Enc = [3, 0, 5, 2, 0];
const ELR_EL1: Enc = [3, 0, 4, 0, 1];
const FAR_EL1: Enc = [3, 0, 6, 0, 0];
const PAR_EL1: Enc = [3, 0, 7, 4, 0];
const SCTLR_EL1: Enc = [3, 0, 1, 0, 0];
/** Registers whose reset or fixed value QEMU's cortex-a57 and hvlab share (read by MRS in the body). */
const READABLE: readonly [string, Enc][] = [
  ['midr_el1', [3, 0, 0, 0, 0]],
  ['mpidr_el1', [3, 0, 0, 0, 5]],
  ['revidr_el1', [3, 0, 0, 0, 6]],
  ['ctr_el0', [3, 3, 0, 0, 1]],
  ['dczid_el0', [3, 3, 0, 0, 7]],
  ['clidr_el1', [3, 1, 0, 0, 1]],
  ['sctlr_el1', SCTLR_EL1],
  ['actlr_el1', [3, 0, 1, 0, 1]],
  ['cpacr_el1', [3, 0, 1, 0, 2]],
  ['ttbr0_el1', [3, 0, 2, 0, 0]],
  ['tcr_el1', [3, 0, 2, 0, 2]],
  ['mair_el1', [3, 0, 10, 2, 0]],
  ['vbar_el1', VBAR_EL1],
  ['esr_el1', ESR_EL1],
  ['far_el1', FAR_EL1],
  ['elr_el1', ELR_EL1],
  ['spsr_el1', [3, 0, 4, 0, 0]],
  ['isr_el1', [3, 0, 12, 1, 0]],
  ['cntfrq_el0', [3, 3, 14, 0, 0]],
  ['contextidr_el1', [3, 0, 13, 0, 1]],
  ['currentel', [3, 0, 4, 2, 2]],
  ['daif', [3, 3, 4, 2, 1]],
  ['spsel', [3, 0, 4, 2, 0]],
  ['tpidr_el0', [3, 3, 13, 0, 2]],
  ['tpidrro_el0', [3, 3, 13, 0, 3]],
  ['tpidr_el1', [3, 0, 13, 0, 4]],
];
/** Registers EL0 reads without a trap (QEMU's reset SCTLR_EL1). */
const EL0_READABLE: readonly [string, Enc][] = [
  ['dczid_el0', [3, 3, 0, 0, 7]],
  ['tpidr_el0', [3, 3, 13, 0, 2]],
  ['tpidrro_el0', [3, 3, 13, 0, 3]],
  ['nzcv', [3, 3, 4, 2, 0]],
];
/** 64-bit registers with no RES0 bits: MSR then MRS must give the value back. */
const WRITABLE: readonly [string, Enc][] = [
  ['tpidr_el0', [3, 3, 13, 0, 2]],
  ['tpidrro_el0', [3, 3, 13, 0, 3]],
  ['tpidr_el1', [3, 0, 13, 0, 4]],
  ['elr_el1', ELR_EL1],
  ['far_el1', FAR_EL1],
];

const movz = (rd: number, imm16: number, hw = 0, sf = true): Insn => ({ k: 'movWide', sf, op: 'movz', rd, imm16, hw });
const movk = (rd: number, imm16: number, hw: number): Insn => ({ k: 'movWide', sf: true, op: 'movk', rd, imm16, hw });
const addImm = (rd: number, rn: number, imm: number): Insn => ({
  k: 'addsubImm',
  sf: true,
  sub: imm < 0,
  s: false,
  rd,
  rn,
  imm12: Math.abs(imm),
  lsl12: false,
});

/** The register a data-processing instruction writes (undefined: none, only flags). */
function written(i: Insn): number | undefined {
  if (i.k === 'mrsNzcv') return i.rt;
  if (i.k === 'word') return i.value & 31; // CRC32: Rd
  if ('rd' in i) return i.rd;
  return undefined;
}

function genDataProcessing(r: Rng): Insn {
  const sf = r.bool(0.7);
  const rd = () => r.pick(DEST);
  const rdz = () => r.pick(DEST_OR_ZR);
  const rs = () => r.pick(SRC);
  switch (r.int(0, 16)) {
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
    case 15:
      if (r.bool(0.6)) return crc32(r.bool(), r.int(0, 3), rd(), rs(), rs());
      {
        const page = r.bool(0.7);
        return { k: 'adr', page, rd: rd(), offset: r.int(-(2 ** 20), 2 ** 20 - 1) * (page ? 4096 : 1) };
      }
    default:
      return r.bool() ? { k: 'mrsNzcv', rt: rd() } : { k: 'msrNzcv', rt: rs() };
  }
}

/** x27 (or SP when `base` = 31) = x28 + delta (ADD or SUB immediate). */
function pointBase(delta: number, base = 27): Insn {
  if (Math.abs(delta) > 4095) throw new Error(`scratch delta ${delta} out of range`);
  return addImm(base, 28, delta);
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

/** What the generator knows about the program being built. */
interface Ctx {
  readonly r: Rng;
  readonly mmu: boolean;
  /** MMU mode with TCR_EL1.TBI0: x27 sometimes carries a tag in bits 63:56. */
  readonly tbi: boolean;
  /** MMU mode with ASID switches and non-global window mappings. */
  readonly asids: boolean;
  /** The body runs at EL0 (MMU off). */
  readonly el0: boolean;
  /** Image offset of the group being generated (before fixups). */
  readonly pc: number;
  /** What the program exercises (RandomProgram.tags). */
  readonly tags: Set<string>;
}

/**
 * The window (MMU mode): VA WINDOW is one level-3 page that groups remap between the scratch
 * page PAGE_A (image +0x1000, scratch offsets 0..0xbff at page offsets 0x400..) and PAGE_B
 * (image +0x2000: the scratch top and the patch pool), global or not, followed by TLB
 * maintenance that covers the change (Arm ARM D8.13): then accesses through the window must
 * reach the new page. Window accesses use page offsets 0x400..0xfff.
 */
const WINDOW = 0x4010_0000;
const WINDOW_L3 = TABLES + 0x2000 + ((WINDOW - 0x4000_0000) / 4096) * 8;
const PAGE_A = LOAD_ADDRESS + 0x1000;
const PAGE_B = LOAD_ADDRESS + 0x2000;
/** Level-3 page descriptor of the window: AttrIndx 1 (Normal WB), inner shareable, AF, EL1 RW. */
const windowDesc = (pa: number, ng: boolean): number => pa | 0x707 | (ng ? 0x800 : 0);

/**
 * TLB maintenance after a window remap: TLBI VMALLE1/VAE1/VALE1/VAAE1/VAALE1, local (CRm 7)
 * or Inner Shareable (CRm 3), with x24 = VA[55:12] | ASID << 48. ASID-specific forms only when
 * the program never uses non-global mappings (they then match the global window entry).
 */
function genRemap(c: Ctx): Group {
  const r = c.r;
  const pa = r.bool() ? PAGE_A : PAGE_B;
  const ng = c.asids && r.bool();
  const d = windowDesc(pa, ng);
  const ops = c.asids ? [0, 3, 7] : [0, 1, 3, 5, 7];
  const op2 = r.pick(ops);
  c.tags.add(`remap.${['vmalle1', 'vae1', '', 'vaae1', '', 'vale1', '', 'vaale1'][op2]}`);
  const insns: Insn[] = [
    { k: 'adr', page: false, rd: 27, offset: 0 }, // -> WINDOW_L3 (fixed up)
    movz(25, d & 0xffff),
    movk(25, d >>> 16, 1),
    { k: 'ldst', op: 'strx', mode: 'uimm', rt: 25, rn: 27, imm: 0 },
    DSB_ISH,
    movz(24, (WINDOW >>> 12) & 0xffff),
    movk(24, WINDOW >>> 28, 1),
    movk(24, r.int(0, 255), 3),
    sysInsn(0, r.bool() ? 7 : 3, op2, op2 === 0 ? 31 : 24, 8),
    DSB_ISH,
    ISB,
  ];
  const adr = insns[0] as { offset: number };
  return { insns, fix: (at) => (adr.offset = WINDOW_L3 - at) };
}

/** MSR TTBR0_EL1 with a new ASID (TTBR0_EL1.ASID, bits 63:48; 8-bit ASIDs), ISB. */
function genAsidSwitch(c: Ctx): Group {
  c.tags.add('asid-switch');
  const insns: Insn[] = [
    { k: 'adr', page: false, rd: 24, offset: 0 }, // -> the level-1 table (fixed up)
    movk(24, c.r.int(0, 255), 3),
    msr('ttbr0_el1', [3, 0, 2, 0, 0], 24),
    ISB,
  ];
  const adr = insns[0] as { offset: number };
  return { insns, fix: (at) => (adr.offset = TABLES - at) };
}

/** An access through the window: x27 = WINDOW + offset (MOVZ/MOVK), then a single-register form. */
function genWindowAccess(c: Ctx): Insn[] {
  const r = c.r;
  c.tags.add('window');
  const op = r.pick(LDST_OPS);
  const size = ldstSize(op);
  const rt = r.pick(isLoad(op) ? LOAD_RT : STORE_RT);
  let a = r.int(0x400, 0x1000 - size);
  if (r.bool(0.75)) a -= a % size;
  const mode = r.pick(['uimm', 'unscaled', 'pre', 'post'] as const);
  const imm = mode === 'uimm' ? 0 : mode === 'post' ? r.int(-256, 255) : Math.max(0x400 - a, r.int(-64, 63));
  const base = WINDOW + a - (mode === 'post' ? 0 : imm);
  return [movz(27, base & 0xffff), movk(27, base >>> 16, 1), { k: 'ldst', op, mode, rt, rn: 27, imm }];
}

/**
 * A scratch offset for an access of `size` bytes (`room` bytes must stay inside the buffer):
 * mostly in the first 512 bytes (so accesses meet), sometimes at the page boundary or anywhere;
 * misaligned only in MMU mode (Normal memory) and only when `misalign` allows.
 */
function scratchOffset(c: Ctx, size: number, room = size, misalign = true): number {
  const r = c.r;
  const k = r.int(0, 9);
  let a = k < 6 ? r.int(0, 511) : k < 8 ? PAGE_EDGE + r.int(-64, 63) : r.int(0, SCRATCH_SIZE - 1);
  if (!(c.mmu && misalign && r.bool(0.25))) a -= a % size;
  return Math.max(0, Math.min(a, SCRATCH_SIZE - room));
}

function genMemory(c: Ctx): Insn[] {
  const r = c.r;
  const kind = r.int(0, 11);
  if (kind <= 4) {
    const op = r.pick(LDST_OPS);
    const size = ldstSize(op);
    const rt = r.pick(isLoad(op) ? LOAD_RT : STORE_RT);
    const mode = r.int(0, 5);
    // SP as the base: kept 16-byte aligned (QEMU does not check SP alignment).
    const sp = mode <= 3 && r.bool(0.2);
    if (sp) {
      c.tags.add('sp-base');
      const base = 16 * r.int(0, SCRATCH_SIZE / 16 - 1);
      const lim = SCRATCH_SIZE - size;
      if (mode === 0) {
        const k = r.int(0, Math.floor((lim - base) / size));
        return [pointBase(base, 31), { k: 'ldst', op, mode: 'uimm', rt, rn: 31, imm: k * size }];
      }
      const imm = Math.max(-base, Math.min(lim - base, r.int(-256, 255)));
      const aligned = c.mmu ? imm : imm - (((imm % size) + size) % size);
      const m = (['unscaled', 'pre', 'post'] as const)[mode - 1]!;
      // post-index accesses the base itself; the new SP stays aligned only for multiples of 16
      if (m === 'post') return [pointBase(base, 31), { k: 'ldst', op, mode: m, rt, rn: 31, imm: aligned & ~15 }];
      if (m === 'pre') return [pointBase(base, 31), { k: 'ldst', op, mode: m, rt, rn: 31, imm: aligned & ~15 }];
      return [pointBase(base, 31), { k: 'ldst', op, mode: m, rt, rn: 31, imm: aligned }];
    }
    const a = scratchOffset(c, size);
    if (a % size !== 0) c.tags.add('misaligned');
    if ((SCRATCH + a) % 4096 > 4096 - size) c.tags.add('page-cross');
    if (c.tbi && mode <= 1 && a < PAGE_EDGE - 0x200 && r.bool(0.4)) {
      // TCR_EL1.TBI0: the top byte is not part of the address (Arm ARM D8.8 "Address tagging")
      const imm = mode === 0 ? 0 : r.int(-256, 255);
      const tag = movk(27, r.int(1, 255) << 8, 3);
      c.tags.add('tbi.access');
      return [pointBase(a - imm), tag, { k: 'ldst', op, mode: mode === 0 ? 'uimm' : 'unscaled', rt, rn: 27, imm }];
    }
    if (mode === 0) {
      const k = r.int(0, Math.min(4095, Math.floor((a + 4095) / size), 300));
      return [pointBase(a - k * size), { k: 'ldst', op, mode: 'uimm', rt, rn: 27, imm: k * size }];
    }
    if (mode === 1 || mode === 2) {
      const imm = Math.max(a - 4095, r.int(-256, 255));
      return [pointBase(a - imm), { k: 'ldst', op, mode: mode === 1 ? 'unscaled' : 'pre', rt, rn: 27, imm }];
    }
    if (mode === 3) return [pointBase(a), { k: 'ldst', op, mode: 'post', rt, rn: 27, imm: r.int(-256, 255) }];
    if (mode === 4) {
      // LDTR/STTR: at EL1, checked with EL0 permissions (all EL0-accessible here)... the
      // identity map grants EL0 nothing, so they are generated with the MMU off only.
      if (c.mmu) return [pointBase(a), { k: 'ldst', op, mode: 'uimm', rt, rn: 27, imm: 0 }];
      const imm = Math.max(a - 4095, r.int(-256, 255));
      return [pointBase(a - imm), unprivileged(op, rt, 27, imm)];
    }
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
    const off = idx * 2 ** shift;
    // keep x27 = address - offset within ADD/SUB immediate range (a stays aligned: steps of 16)
    const at = a - off > 4095 ? a - Math.ceil((a - off - 4095) / 16) * 16 : a;
    return [...set, pointBase(at - off), { k: 'ldstReg', op, rt, rn: 27, rm: 26, option, s }];
  }
  if (kind <= 6) {
    const op = r.pick(['stpw', 'ldpw', 'ldpsw', 'stpx', 'ldpx'] as const satisfies readonly PairOp[]);
    const scale = pairScale(op);
    const load = op.startsWith('ld');
    const rt = r.pick(load ? LOAD_RT : STORE_RT);
    let rt2 = r.pick(load ? LOAD_RT : STORE_RT);
    while (load && rt2 === rt) rt2 = r.pick(LOAD_RT);
    const a = scratchOffset(c, scale, 2 * scale);
    const imm = scale * r.int(-64, 63);
    const mode =
      op === 'ldpsw'
        ? r.pick(['offset', 'pre', 'post'] as const)
        : r.pick(['offset', 'pre', 'post', 'nontemporal'] as const);
    const delta = mode === 'post' ? a : a - imm;
    if (Math.abs(delta) > 4095) return [pointBase(a), { k: 'ldstPair', op, mode: 'post', rt, rt2, rn: 27, imm }];
    return [pointBase(delta), { k: 'ldstPair', op, mode, rt, rt2, rn: 27, imm }];
  }
  if (kind === 7) {
    const op = r.pick(['ldrw', 'ldrx', 'ldrsw'] as const);
    const size = op === 'ldrx' ? 8 : 4;
    // Literal loads read the scratch buffer or, sometimes, the code itself.
    const target = r.bool(0.8) ? SCRATCH + scratchOffset(c, size, size, false) : r.int(0, 0x1ff) * 4;
    return [{ k: 'ldrLit', op, rt: r.pick(LOAD_RT), offset: target - (target % size) - c.pc }];
  }
  if (kind === 8) {
    const size = r.int(0, 3);
    const load = r.bool();
    // A misaligned load-acquire/store-release is an Alignment fault on any memory type.
    const a = c.mmu && r.bool(0.02) ? scratchOffset(c, 1 << size) | 1 : scratchOffset(c, 1 << size, 1 << size, false);
    return [pointBase(a), { k: 'ldar', size, load, rt: r.pick(load ? LOAD_RT : STORE_RT), rn: 27 }];
  }
  // Prefetches never fault: sometimes at an arbitrary address held in any register.
  const prfop = r.int(0, 31);
  switch (r.int(0, 3)) {
    case 0:
      return [pointBase(r.int(0, SCRATCH_SIZE - 8) & ~7), { k: 'prfm', prfop, rn: 27, imm: r.int(0, 63) * 8 }];
    case 1:
      return [prfum(prfop, r.pick(SRC), r.int(-256, 255))];
    case 2:
      return [prfmReg(prfop, r.pick(SRC), r.pick(SRC), r.pick([2, 3, 6, 7]), r.bool())];
    default:
      return [prfmLit(prfop, r.int(-4096, 4096) * 4)];
  }
}

/** LDXR/LDAXR/LDXP/LDAXP, maybe one instruction, then the matching store-exclusive. */
function genExclusive(c: Ctx): Insn[] {
  const r = c.r;
  c.tags.add('exclusive');
  const pair = r.bool(0.3);
  const size = pair ? r.int(2, 3) : r.int(0, 3);
  const total = (1 << size) * (pair ? 2 : 1);
  const misaligned = c.mmu && r.bool(0.02);
  const a = scratchOffset(c, total, total, false) + (misaligned ? 1 << r.int(0, size) : 0);
  const regs = DEST.filter((x) => x !== 27);
  const rt = r.pick(regs);
  let rt2 = r.pick(regs);
  while (rt2 === rt) rt2 = r.pick(regs);
  const ld = exclusive({ size, load: true, pair, ordered: r.bool(), rs: 31, rt, rt2: pair ? rt2 : 31, rn: 27 });
  const out: Insn[] = [pointBase(Math.min(a, SCRATCH_SIZE - 1)), ld];
  const mid = r.int(0, 9);
  if (mid < 4) {
    let i = genDataProcessing(r);
    while (written(i) === 27) i = genDataProcessing(r);
    out.push(i);
  } else if (mid === 4) {
    out.push(barrier(2, r.int(0, 15))); // CLREX: the store-exclusive fails
  }
  const st = STORE_RT.filter((x) => x !== 28 || r.bool());
  const dt = r.pick(st);
  let dt2 = r.pick(st);
  let rs = r.pick(regs);
  while (rs === dt || rs === dt2 || rs === rt) rs = r.pick(regs);
  if (!pair) dt2 = 31;
  out.push(exclusive({ size, load: false, pair, ordered: r.bool(), rs, rt: dt, rt2: dt2, rn: 27 }));
  return out;
}

/** Barriers, hints, PSTATE and system-register accesses, cache maintenance. */
/**
 * The system group of an EL0 body (SCTLR_EL1 as QEMU resets it: UMA = UCT = UCI = DZE = 0, so
 * DAIF, CTR_EL0, DC/IC by VA and DC ZVA trap to EL1): barriers, hints, CLREX, the EL0 thread
 * registers, DCZID_EL0, and rarely an access that traps (EC 0x18) or is UNDEFINED (EC 0x00).
 */
function genSystemEl0(c: Ctx): Insn[] {
  const r = c.r;
  switch (r.int(0, 7)) {
    case 0:
      return [barrier(r.pick([4, 5]), r.int(0, 15))];
    case 1:
      return [r.bool() ? ISB : barrier(2, r.int(0, 15))];
    case 2: {
      let h = r.int(0, 127);
      while (h === 2 || h === 3) h = r.int(0, 127);
      return [hint(h)];
    }
    case 3:
      return [msr('tpidr_el0', [3, 3, 13, 0, 2], r.pick(SRC)), mrs('tpidr_el0', [3, 3, 13, 0, 2], r.pick(DEST))];
    case 4:
      return [mrs(...r.pick(EL0_READABLE), r.pick(DEST_OR_ZR))];
    case 5:
      return [barrier(6, r.int(0, 15))];
    default: {
      if (!r.bool(0.1)) return [hint(0)];
      c.tags.add('el0.trap');
      return [
        r.pick([
          mrs('ctr_el0', [3, 3, 0, 0, 1], 0), // SCTLR_EL1.UCT = 0: EC 0x18
          mrs('sctlr_el1', SCTLR_EL1, 0), // EL1 register: UNDEFINED
          DC_ZVA(28), // SCTLR_EL1.DZE = 0: EC 0x18
          IC_IVAU(28), // SCTLR_EL1.UCI = 0: EC 0x18
          msrImm(0, 5, 0), // MSR SPSel at EL0: UNDEFINED
          { k: 'hvc', imm16: 0 }, // HVC at EL0: UNDEFINED
        ] as Insn[]),
      ];
    }
  }
}

function genSystem(c: Ctx): Insn[] {
  const r = c.r;
  if (c.el0) return genSystemEl0(c);
  switch (r.int(0, 11)) {
    case 0:
      return [barrier(r.pick([4, 5]), r.int(0, 15))]; // DSB (incl. SSBB, PSSBB) / DMB
    case 1:
      return [r.bool() ? ISB : barrier(6, r.int(0, 15))];
    case 2: {
      // Every hint but WFE (2) and WFI (3): NOP, YIELD, SEV, SEVL, the PAuth/BTI/ESB/CSDB space
      let h = r.int(0, 127);
      while (h === 2 || h === 3) h = r.int(0, 127);
      return [hint(h)];
    }
    case 3:
      return [hint(5), hint(2)]; // SEVL; WFE: the event register is set, WFE completes
    case 4: {
      const imm = r.int(0, 15);
      return [msrImm(3, r.bool() ? 6 : 7, imm), mrs('daif', [3, 3, 4, 2, 1], r.pick(DEST))];
    }
    case 5:
      // SP_EL0 through SPSel, then back to SP_EL1
      return [msrImm(0, 5, 0), addImm(r.pick(DEST), 31, 0), msrImm(0, 5, 1)];
    case 6: {
      const [name, enc] = r.pick(WRITABLE);
      return [msr(name, enc, r.pick(SRC)), mrs(name, enc, r.pick(DEST))];
    }
    case 7:
    case 8: {
      const [name, enc] = r.pick(READABLE);
      return [mrs(name, enc, r.pick(DEST_OR_ZR))];
    }
    case 9: {
      // DC CVAC/CVAU/CIVAC/IVAC, IC IVAU on the scratch buffer; IC IALLU(IS)
      const ops: [number, number, number][] = [
        [3, 10, 1],
        [3, 11, 1],
        [3, 14, 1],
        [0, 6, 1],
        [3, 5, 1],
      ];
      if (r.bool(0.2)) return [sysInsn(0, r.bool() ? 5 : 1, 0, 31)];
      const [op1, crm, op2] = r.pick(ops);
      // Below the page boundary: QEMU 7.2 performs no translation for DC/IC by VA (no faults).
      return [pointBase(r.int(0, PAGE_EDGE - 1)), sysInsn(op1, crm, op2, 27)];
    }
    case 10:
      if (!c.mmu) return [barrier(5, r.int(0, 15))];
      // DC ZVA: zeroes the 64-byte block (DCZID_EL0.BS = 4) of Normal memory.
      return [pointBase(r.int(0, SCRATCH_SIZE - 1)), DC_ZVA(27)];
    default: {
      if (!c.mmu) return [barrier(4, r.int(0, 15))];
      // AT S1E1R/S1E1W/S1E0R/S1E0W; ISB; MRS PAR_EL1 (MMU mode: Normal memory, see the file comment)
      const op2 = r.int(0, 3);
      const k = r.int(0, 9);
      const set: Insn[] =
        k < 5
          ? [pointBase(r.int(0, SCRATCH_SIZE - 1))]
          : k < 7
            ? [{ k: 'adr', page: false, rd: 27, offset: r.int(-200, 200) * 4 }]
            : k < 8
              ? [movz(27, r.int(0, 0xffff), 0), movk(27, r.int(0x8000, 0xffff), 1)] // unmapped (L1[2..3])
              : k < 9
                ? [movz(27, r.int(0, 0xffff), 0), movk(27, r.int(0, 0xffff), r.int(2, 3))] // beyond T0SZ
                : [pointBase(PAGE_EDGE + r.int(0, 0x3ff))];
      return [...set, sysInsn(0, 8, op2, 27), ISB, mrs('par_el1', PAR_EL1, r.pick(DEST))];
    }
  }
}

/** A counted loop: MOVZ x26, #n; body (not writing x26); SUBS/SUB+CBNZ; B.NE/CBNZ back. */
function genLoop(r: Rng): Insn[] {
  const body: Insn[] = [];
  const len = r.int(1, 4);
  while (body.length < len) {
    const i = genDataProcessing(r);
    if (written(i) !== 26) body.push(i);
  }
  const out: Insn[] = [movz(26, r.int(1, 24))];
  out.push(...body);
  if (r.bool()) {
    out.push({ k: 'addsubImm', sf: r.bool(), sub: true, s: true, rd: 26, rn: 26, imm12: 1, lsl12: false });
    out.push({ k: 'bcond', cond: 1, offset: -(body.length + 1) * 4 });
  } else {
    out.push(addImm(26, 26, -1));
    out.push({ k: 'cbz', sf: true, nz: true, rt: 26, offset: -(body.length + 1) * 4 });
  }
  return out;
}

/** A patch site: 8 MOVZ instructions (hw 0/1, so byte patches keep them decodable). */
function genPatchSite(r: Rng): Insn[] {
  return Array.from({ length: 8 }, () => movz(r.pick(DEST.filter((x) => x !== 27)), r.int(0, 0xffff), r.int(0, 1)));
}

/**
 * New bytes for [o, o + size) of a 16-byte window of MOVZ instructions: whole words become
 * random data-processing instructions; a byte or halfword keeps the word a MOV wide immediate
 * (byte 0: Rd from DEST and imm16[2:0]; byte 1: imm16[10:3]; byte 2: bit 23 = 1, hw 0/1,
 * imm16[15:11]; byte 3: sf and opc of MOVN/MOVZ/MOVK).
 */
function patchBytes(r: Rng, o: number, size: number): number[] {
  const out: number[] = [];
  if (size >= 4) {
    for (let w = 0; w < size / 4; w++) {
      let i = genDataProcessing(r);
      while (written(i) === 27) i = genDataProcessing(r);
      const v = encode(i);
      out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    }
    return out;
  }
  for (let b = o; b < o + size; b++) {
    switch (b & 3) {
      case 0:
        out.push(r.pick(DEST.filter((x) => x !== 27)) | (r.int(0, 7) << 5));
        break;
      case 1:
        out.push(r.int(0, 255));
        break;
      case 2:
        out.push(0x80 | r.int(0, 0x1f) | (r.int(0, 1) << 5));
        break;
      default:
        out.push(r.pick([0x12, 0x52, 0x72, 0x92, 0xd2, 0xf2]));
    }
  }
  return out;
}

/**
 * Self-modifying code: x27 = the 16-byte aligned window in patch site `site`, x25/x26 = the new
 * bytes from the pool, one store form, and optionally the cache maintenance of B2.2.5.
 */
function genSmc(r: Rng, tags: Set<string>, slot: number, image: Uint8Array, adjacent: boolean): Insn[] {
  // (DC ZVA is not among them: its 64-byte block would reach the code before the ISB.)
  const forms = ['b', 'h', 'w', 'x', 'pw', 'px', 'stlr', 'stxr', 'stxp'] as const;
  const form = r.pick(forms);
  tags.add(`smc.${form}`);
  const size = { b: 1, h: 2, w: 4, x: 8, pw: 8, px: 16, stlr: 4, stxr: 8, stxp: 16 }[form];
  const o = size === 16 ? 0 : size * r.int(0, 16 / size - 1);
  const bytes = patchBytes(r, o, size);
  // Pool slot: x25 <- bytes[0..7] (or the first element), x26 <- the second pair element.
  // Big-endian data (SCTLR_EL1.EE): LDP loads each doubleword most significant byte first and
  // a store of the low `elem` bytes writes them most significant first, so the element's bytes
  // sit at the end of each doubleword, in memory order.
  const pool = POOL + slot * 16;
  const elem = form === 'pw' ? 4 : form === 'px' || form === 'stxp' ? 8 : size;
  const at = tags.has('be') ? 8 - elem : 0;
  bytes.slice(0, elem).forEach((v, i) => {
    image[pool + at + i] = v;
  });
  bytes.slice(elem).forEach((v, i) => {
    image[pool + 8 + at + i] = v;
  });
  const out: Insn[] = [
    { k: 'adr', page: false, rd: 27, offset: 0 }, // -> the patch site (resolved as a branch target)
    addImm(27, 27, 15),
    { k: 'logicImm', sf: true, op: 'and', rd: 27, rn: 27, n: 1, immr: 60, imms: 59 }, // & ~15
    { k: 'adr', page: false, rd: 26, offset: 0 }, // -> the pool slot (fixed up)
    { k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: 25, rt2: 26, rn: 26, imm: 0 },
  ];
  const op = (['strb', 'strh', 'strw', 'strx'] as const)[Math.log2(Math.max(1, Math.min(size, 8)))]!;
  switch (form) {
    case 'b':
    case 'h':
    case 'w':
    case 'x':
      switch (r.int(0, 5)) {
        case 0:
          out.push({ k: 'ldst', op, mode: 'uimm', rt: 25, rn: 27, imm: o });
          break;
        case 1:
          out.push(addImm(27, 27, 16), { k: 'ldst', op, mode: 'unscaled', rt: 25, rn: 27, imm: o - 16 });
          break;
        case 2:
          out.push({ k: 'ldst', op, mode: 'pre', rt: 25, rn: 27, imm: o });
          break;
        case 3:
          if (o > 0) out.push(addImm(27, 27, o));
          out.push({ k: 'ldst', op, mode: 'post', rt: 25, rn: 27, imm: r.int(-256, 255) });
          break;
        case 4:
          out.push(movz(24, o), { k: 'ldstReg', op, rt: 25, rn: 27, rm: 24, option: 3, s: false });
          break;
        default:
          if (tags.has('mmu')) out.push({ k: 'ldst', op, mode: 'uimm', rt: 25, rn: 27, imm: o });
          else out.push(unprivileged(op, 25, 27, o));
      }
      break;
    case 'pw':
    case 'px': {
      const pop = form === 'pw' ? 'stpw' : 'stpx';
      const mode = r.pick(['offset', 'pre', 'post', 'nontemporal'] as const);
      if (mode === 'post' && o > 0) out.push(addImm(27, 27, o));
      out.push({ k: 'ldstPair', op: pop, mode, rt: 25, rt2: 26, rn: 27, imm: mode === 'post' ? 16 : o });
      break;
    }
    case 'stlr':
      if (o > 0) out.push(addImm(27, 27, o));
      out.push({ k: 'ldar', size: 2, load: false, rt: 25, rn: 27 });
      break;
    case 'stxr':
      if (o > 0) out.push(addImm(27, 27, o));
      out.push(
        exclusive({ size: 3, load: true, pair: false, ordered: r.bool(), rs: 31, rt: 24, rt2: 31, rn: 27 }),
        exclusive({ size: 3, load: false, pair: false, ordered: r.bool(), rs: 24, rt: 25, rt2: 31, rn: 27 }),
      );
      break;
    default:
      out.push(
        exclusive({ size: 3, load: true, pair: true, ordered: r.bool(), rs: 31, rt: 23, rt2: 24, rn: 27 }),
        exclusive({ size: 3, load: false, pair: true, ordered: r.bool(), rs: 24, rt: 25, rt2: 26, rn: 27 }),
      );
  }
  // Without a context synchronization event the PE may execute the old instructions (Arm ARM
  // B2.2.5); QEMU does (it ends the translation block only at the ISB). With ISB alone the
  // stale instruction cache is still allowed, but both emulators keep caches coherent.
  if (!tags.has('el0') && r.bool(0.4)) out.push(DC_CVAU(27), DSB_ISH, IC_IVAU(27), DSB_ISH, ISB);
  else {
    out.push(ISB);
    // The patch site right after: the store rewrites code of the block that is running it
    // (ISB is no block boundary), which the emulator must notice at once.
    if (adjacent) tags.add(`smc.${form}.same-block`);
  }
  return out;
}

/** Instructions that end the program with an exception (reported by the handler). */
function genTerminal(c: Ctx): Group {
  const r = c.r;
  switch (r.int(0, 4)) {
    case 0:
      return { insns: [word(0xd400_0001 | (r.int(0, 0xfffe) << 5), 'svc')] }; // not SVC_EXIT's imm
    case 1:
      return { insns: [word(0xd420_0000 | (r.int(0, 0xffff) << 5), 'brk')] };
    case 2:
      return { insns: [word(0xd440_0000 | (r.int(0, 0xffff) << 5), 'hlt')] }; // halting debug off: UNDEFINED
    case 3:
      return { insns: [word(r.int(0, 0xffff), 'udf')] };
    default:
      // BR to a misaligned address: PC alignment fault on the next fetch
      return {
        insns: [
          { k: 'adr', page: false, rd: 27, offset: 0 },
          addImm(27, 27, r.int(1, 3)),
          { k: 'br', op: r.pick(['br', 'blr', 'ret'] as const), rn: 27 },
        ],
        target: -1,
      };
  }
}

function genBranch(r: Rng, index: number, count: number, tags: Set<string>): Group {
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
    default: {
      // x27 = the target's address (ADR; with TBI0 sometimes tagged: branches drop the tag,
      // AArch64.BranchAddr), then BR / BLR / RET x27
      const tag: Insn[] = tags.has('tbi') && r.bool(0.5) ? [movk(27, r.int(1, 255) << 8, 3)] : [];
      if (tag.length > 0) tags.add('tbi.branch');
      return {
        insns: [
          { k: 'adr', page: false, rd: 27, offset: 0 },
          ...tag,
          { k: 'br', op: r.pick(['br', 'blr', 'ret'] as const), rn: 27 },
        ],
        target,
      };
    }
  }
}

// ---- fixed code ----------------------------------------------------------------------------

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

/** SCTLR_EL1.EE (bit 25): big-endian data accesses at EL1 (Arm ARM D17.2 SCTLR_EL1, B2.6). */
const EE_SET: Insn = { k: 'logicImm', sf: true, op: 'orr', rd: 0, rn: 0, n: 1, immr: 39, imms: 0 };
const EE_CLEAR: Insn = { k: 'logicImm', sf: true, op: 'and', rd: 0, rn: 0, n: 1, immr: 38, imms: 62 };
/** Sets or clears SCTLR_EL1.EE through `rd`. */
function setEe(set: boolean, rd: number): Insn[] {
  const op = { ...(set ? EE_SET : EE_CLEAR), rd, rn: rd } as Insn;
  return [mrs('sctlr_el1', SCTLR_EL1, rd), op, msr('sctlr_el1', SCTLR_EL1, rd), ISB];
}

/** The SVC immediate an EL0 epilogue powers off with (the handler recognises ESR 0x5600ffff). */
const SVC_EXIT = 0xffff;
const SPSR_EL1: Enc = [3, 0, 4, 0, 0];
const SP_EL0: Enc = [3, 0, 4, 1, 0];

function prologue(mmu: boolean, be = false, el0 = false): Insn[] {
  const out: Insn[] = [];
  const at = () => out.length * 4;
  out.push({ k: 'adr', page: false, rd: 28, offset: VECTORS - at() });
  out.push(msr('vbar_el1', VBAR_EL1, 28), ISB);
  if (mmu) {
    // MAIR_EL1, TCR_EL1, TTBR0_EL1 from the configuration table; TLBI; SCTLR_EL1.M/C/I = 1.
    out.push({ k: 'adr', page: false, rd: 28, offset: CONFIG - at() });
    out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: 0, rt2: 1, rn: 28, imm: 0 });
    out.push(msr('mair_el1', [3, 0, 10, 2, 0], 0), msr('tcr_el1', [3, 0, 2, 0, 2], 1));
    out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: 0, rt2: 1, rn: 28, imm: 16 });
    out.push(msr('ttbr0_el1', [3, 0, 2, 0, 0], 0), ISB, TLBI_VMALLE1, DSB_ISH, ISB);
    out.push(mrs('sctlr_el1', SCTLR_EL1, 0));
    out.push({ k: 'logicShift', sf: true, op: 'orr', rd: 0, rn: 0, rm: 1, shift: 0, amount: 0 });
    out.push(msr('sctlr_el1', SCTLR_EL1, 0), ISB);
  }
  out.push({ k: 'adr', page: false, rd: 28, offset: REGTABLE - at() });
  for (let i = 0; i < 28; i += 2)
    out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: i, rt2: i + 1, rn: 28, imm: i * 8 });
  out.push({ k: 'ldstPair', op: 'ldpx', mode: 'offset', rt: 29, rt2: 30, rn: 28, imm: 29 * 8 });
  out.push({ k: 'ldst', op: 'ldrx', mode: 'uimm', rt: 28, rn: 28, imm: 28 * 8 });
  out.push({ k: 'msrNzcv', rt: 28 });
  if (be) out.push(...setEe(true, 28));
  if (el0) {
    // ERET to the body at EL0t: SPSR_EL1 = NZCV | DAIF masked | EL0t, SP_EL0 = scratch.
    out.push({ k: 'logicImm', sf: true, op: 'orr', rd: 28, rn: 28, n: 1, immr: 58, imms: 3 }); // | 0x3c0
    out.push(msr('spsr_el1', SPSR_EL1, 28));
    out.push({ k: 'adr', page: false, rd: 28, offset: SCRATCH - at() }, msr('sp_el0', SP_EL0, 28));
    const toBody = { k: 'adr', page: false, rd: 28, offset: 0 } as const;
    const adrAt = out.length;
    out.push({ ...toBody }, msr('elr_el1', ELR_EL1, 28));
    out.push({ k: 'adr', page: false, rd: 28, offset: SCRATCH - at() });
    out.push({ k: 'word', value: 0xd69f03e0 }); // ERET
    out[adrAt] = { ...toBody, offset: (out.length - adrAt) * 4 };
    return out;
  }
  out.push({ k: 'adr', page: false, rd: 28, offset: SCRATCH - at() });
  out.push(addImm(31, 28, 0)); // mov sp, x28
  return out;
}

function epilogue(be = false, el0 = false): Insn[] {
  const out: Insn[] = [];
  const base = SAVE - SCRATCH; // -512
  // Back to little-endian data for the dump and the UART, x0 kept in TPIDR_EL1 meanwhile.
  const tpidr: Enc = [3, 0, 13, 0, 4];
  if (be) out.push(msr('tpidr_el1', tpidr, 0), ...setEe(false, 0), mrs('tpidr_el1', tpidr, 0));
  for (let i = 0; i < 30; i += 2)
    out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: i, rt2: i + 1, rn: 28, imm: base + i * 8 });
  out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: 30, rt2: 31, rn: 28, imm: base + 30 * 8 });
  out.push({ k: 'mrsNzcv', rt: 0 });
  // checksum: x3 = rol(x3, 1) ^ word, over the words of the scratch buffer
  out.push(movz(2, SCRATCH_SIZE / 8), movz(3, 0));
  out.push(addImm(1, 28, 0));
  out.push({ k: 'ldst', op: 'ldrx', mode: 'post', rt: 4, rn: 1, imm: 8 });
  out.push({ k: 'extr', sf: true, rd: 3, rn: 3, rm: 3, lsb: 63 });
  out.push({ k: 'logicShift', sf: true, op: 'eor', rd: 3, rn: 3, rm: 4, shift: 0, amount: 0 });
  out.push({ k: 'addsubImm', sf: true, sub: true, s: true, rd: 2, rn: 2, imm12: 1, lsl12: false });
  out.push({ k: 'bcond', cond: 1 /* ne */, offset: -4 * 4 });
  out.push({ k: 'ldstPair', op: 'stpx', mode: 'offset', rt: 0, rt2: 3, rn: 28, imm: base + 31 * 8 });
  // print the 33 slots
  out.push(addImm(1, 28, base));
  out.push(movz(2, OUTPUT_SLOTS), movz(9, UART >>> 16, 1));
  const loop = out.length;
  out.push({ k: 'ldst', op: 'ldrx', mode: 'post', rt: 3, rn: 1, imm: 8 });
  out.push(...hexLine());
  out.push({ k: 'addsubImm', sf: true, sub: true, s: true, rd: 2, rn: 2, imm12: 1, lsl12: false });
  out.push({ k: 'bcond', cond: 1, offset: (loop - out.length) * 4 });
  // HVC is UNDEFINED at EL0: an EL0 program asks the exception handler to power off.
  out.push(...(el0 ? [{ k: 'word', value: 0xd400_0001 | (SVC_EXIT << 5) } as const] : systemOff()));
  return out;
}

/**
 * The exception handler every vector branches to: "!", ESR_EL1 and ELR_EL1 as hex lines, and
 * FAR_EL1 when ESR_EL1.EC is an Instruction Abort, PC alignment fault or Data Abort
 * (0x20..0x25), then SYSTEM_OFF.
 */
function exceptionHandler(): Insn[] {
  const far = [mrs('far_el1', FAR_EL1, 3), ...hexLine()];
  const report: Insn[] = [
    movz(9, UART >>> 16, 1),
    movz(4, 0x21),
    { k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 },
    mrs('esr_el1', ESR_EL1, 3),
    ...hexLine(),
    mrs('elr_el1', ELR_EL1, 3),
    ...hexLine(),
    mrs('esr_el1', ESR_EL1, 3),
    { k: 'bitfield', sf: true, op: 'ubfm', rd: 3, rn: 3, immr: 26, imms: 63 }, // EC
    { k: 'addsubImm', sf: true, sub: true, s: false, rd: 3, rn: 3, imm12: 0x20, lsl12: false },
    { k: 'addsubImm', sf: true, sub: true, s: true, rd: 31, rn: 3, imm12: 5, lsl12: false },
    { k: 'bcond', cond: 8 /* hi */, offset: (far.length + 1) * 4 },
    ...far,
  ];
  // SVC #SVC_EXIT from EL0 (ESR_EL1 = EC 0x15, IL, imm16): the EL0 epilogue's power-off request.
  const svcExit: Insn[] = [
    mrs('esr_el1', ESR_EL1, 3),
    movz(4, SVC_EXIT),
    movk(4, 0x5600, 1),
    { k: 'addsubShift', sf: true, sub: true, s: false, rd: 3, rn: 3, rm: 4, shift: 0, amount: 0 },
    { k: 'cbz', sf: true, nz: false, rt: 3, offset: (report.length + 1) * 4 },
  ];
  return [...setEe(false, 3), ...svcExit, ...report, ...systemOff()];
}

/** The fixed instructions of every program (prologues, epilogue, exception handler). */
export function fixedCode(): Insn[] {
  return [
    ...prologue(true),
    ...prologue(false, true),
    ...prologue(false, false, true),
    ...epilogue(true),
    ...epilogue(false, true),
    ...exceptionHandler(),
  ];
}

/**
 * The seeds of the differential test (fixed, so a failure reproduces by seed): a greedy cover,
 * over the seeds 0x5eed0000 + 7919 i (i < 4000) whose programs end with a register dump, of
 * every form the generator emits (forms(): each instruction kind and variant, each raw form)
 * and every RandomProgram tag (both MMU modes, each self-modifying store form, each TLBI form);
 * random-diff.test.ts checks the coverage.
 */
export const DIFF_SEEDS: readonly number[] = [
  0x6019081d, 0x60ae053c, 0x60c9354b, 0x60cdccc5, 0x5f6a1045, 0x600d309f, 0x5fef76f5, 0x5f0ad899, 0x5f4daae0,
  0x5f35dcf5, 0x5f4157a6, 0x5efd311a, 0x5f53969f, 0x5f117df2, 0x5f5906a2, 0x5eef6aac, 0x5f569bf6, 0x5f1c201a,
  0x5f9498e5, 0x600744e0,
];
/** Body length of the differential test, in groups (about 80 instructions). */
export const DIFF_GROUPS = 40;

// Stage-1 descriptors (Arm ARM D8.3 VMSAv8-64 descriptor formats, 4 KiB granule).
const D_BLOCK = 1n;
const D_TABLE = 3n; // also "page" at level 3
const D_AF = 1n << 10n;
const D_SH_INNER = 3n << 8n;
const D_AP_RO = 2n << 6n; // AP[2:1] = 10: read-only at EL1, no EL0 access
const D_PXN = 1n << 53n;
const D_UXN = 1n << 54n;
const attrIndx = (n: number): bigint => BigInt(n) << 2n;
/** MAIR_EL1: Attr0 Device-nGnRnE, Attr1 Normal write-back, Attr2 Normal non-cacheable. */
const MAIR = 0x44ff00n;
/** TCR_EL1: T0SZ = 25, IRGN0 = ORGN0 = WBWA, SH0 inner, TG0 4 KiB, T1SZ = 25, EPD1, IPS 40 bits. */
const TCR = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (25n << 16n) | (1n << 23n) | (2n << 32n);
/** SCTLR_EL1.M, C, I. */
const SCTLR_SET = 0x1005n;

/** What the page at LOAD_ADDRESS + 0x2000 (the top of the scratch buffer) is, in MMU mode. */
type EdgePage = 'rw' | 'ro' | 'invalid' | 'nc';

function writeTables(dv: DataView, edge: EdgePage, tbi: boolean): void {
  const l1 = TABLES;
  const l2 = TABLES + 0x1000;
  const l3 = TABLES + 0x2000;
  const pa = (off: number): bigint => BigInt(LOAD_ADDRESS + off);
  const normal = D_AF | D_SH_INNER | attrIndx(1);
  dv.setBigUint64(l1, D_BLOCK | D_AF | attrIndx(0) | D_PXN | D_UXN, true); // 0..1 GiB: Device
  dv.setBigUint64(l1 + 8, pa(l2) | D_TABLE, true);
  dv.setBigUint64(l2, pa(l3) | D_TABLE, true);
  for (let i = 1; i < 64; i++)
    dv.setBigUint64(l2 + i * 8, (0x4000_0000n + BigInt(i) * 0x20_0000n) | D_BLOCK | normal, true);
  const edgeIndex = (LOAD_ADDRESS + 0x2000 - 0x4000_0000) / 4096;
  for (let i = 0; i < 512; i++) {
    let d = (0x4000_0000n + BigInt(i) * 4096n) | D_TABLE | normal;
    if (i === edgeIndex) {
      if (edge === 'ro') d |= D_AP_RO;
      else if (edge === 'invalid') d = 0n;
      else if (edge === 'nc') d = (d & ~attrIndx(7)) | attrIndx(2);
    }
    dv.setBigUint64(l3 + i * 8, d, true);
  }
  dv.setBigUint64(WINDOW_L3, BigInt(windowDesc(PAGE_A, false)), true);
  dv.setBigUint64(CONFIG, MAIR, true);
  dv.setBigUint64(CONFIG + 8, TCR | (tbi ? 1n << 37n : 0n), true);
  dv.setBigUint64(CONFIG + 16, pa(l1), true);
  dv.setBigUint64(CONFIG + 24, SCTLR_SET, true);
}

/**
 * Builds the program for `seed` with `bodyGroups` random groups; `append` adds fixed
 * instructions at the end of the body (for tests of the harness itself).
 */
export function generateProgram(seed: number, bodyGroups = DIFF_GROUPS, append: readonly Insn[] = []): RandomProgram {
  const r = new Rng(seed);
  const mmu = r.bool(0.5);
  const edge: EdgePage = mmu ? r.pick(['rw', 'rw', 'rw', 'rw', 'rw', 'rw', 'ro', 'invalid', 'nc']) : 'rw';
  const tbi = mmu && r.bool(0.5);
  const asids = mmu && r.bool(0.5);
  // Big-endian data or an EL0 body, with the MMU off only: the translation tables in the image
  // are little-endian, and they give EL0 no access.
  const be = !mmu && r.bool(0.3);
  const el0 = !mmu && !be && r.bool(0.4);
  const tags = new Set<string>([mmu ? 'mmu' : 'mmu-off', `edge.${edge}`]);
  if (be) tags.add('be');
  if (el0) tags.add('el0');
  if (tbi) tags.add('tbi');
  if (asids) tags.add('asids');
  const image = new Uint8Array(IMAGE_SIZE);
  const pro = prologue(mmu, be, el0);
  const groups: Group[] = [];
  /** Group index -> a patch site is due there (target of a self-modifying group). */
  const sites = new Set<number>();
  let slots = 0;
  let pc = pro.length * 4;
  for (let i = 0; i < bodyGroups; i++) {
    const c: Ctx = { r, mmu, tbi, asids, el0, pc, tags };
    let g: Group;
    if (sites.has(i)) {
      g = { insns: genPatchSite(r) };
    } else {
      const k = r.int(0, 999);
      if (k < 470) g = { insns: [genDataProcessing(r)] };
      else if (k < 740) g = { insns: mmu && r.bool(0.15) ? genWindowAccess(c) : genMemory(c) };
      else if (k < 780) g = { insns: genExclusive(c) };
      else if (k < 850) g = { insns: genSystem(c) };
      else if (k < 880) {
        tags.add('loop');
        g = { insns: genLoop(r) };
      } else if (k < 900 && i + 1 < bodyGroups && slots < POOL_SLOTS) {
        let site = Math.min(bodyGroups - 1, i + r.int(1, 3));
        while (sites.has(site) && site > i + 1) site--;
        if (sites.has(site)) g = { insns: [genDataProcessing(r)] };
        else {
          sites.add(site);
          const slot = slots++;
          const insns = genSmc(r, tags, slot, image, site === i + 1);
          const poolRef = insns[3] as { offset: number };
          g = { insns, target: site, fix: (at) => (poolRef.offset = POOL + slot * 16 - (at + 12)) };
        }
      } else if (k < 920 && mmu) g = asids && r.bool(0.3) ? genAsidSwitch(c) : genRemap(c);
      else if (k < 999) g = genBranch(r, i, bodyGroups, tags);
      else g = genTerminal(c);
    }
    groups.push(g);
    pc += g.insns.length * 4;
  }
  if (append.length > 0) groups.push({ insns: [...append] });
  // Resolve branch targets and PC-relative references.
  const starts: number[] = [];
  let at = pro.length * 4;
  for (const g of groups) {
    starts.push(at);
    at += g.insns.length * 4;
  }
  starts.push(at); // the epilogue
  groups.forEach((g, gi) => {
    g.fix?.(starts[gi]!);
    if (g.target === undefined) return;
    const dest = g.target < 0 ? starts[gi]! : starts[g.target]!;
    g.insns.forEach((insn, ii) => {
      const here = starts[gi]! + ii * 4;
      if (
        insn.k === 'b' ||
        insn.k === 'bcond' ||
        insn.k === 'cbz' ||
        insn.k === 'tbz' ||
        (insn.k === 'adr' && ii === 0)
      ) {
        // Loop back-edges (negative offsets inside the group) are already final.
        if (insn.k !== 'adr' && insn.offset < 0) return;
        (insn as { offset: number }).offset = dest - here;
      }
    });
  });
  const code: Insn[] = [...pro, ...groups.flatMap((g) => g.insns), ...epilogue(be, el0)];
  const handler = code.length * 4;
  code.push(...exceptionHandler());
  if (code.length * 4 > VECTORS) throw new Error(`seed ${seed}: code of ${code.length * 4} bytes overlaps the vectors`);

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
  if (mmu) writeTables(dv, edge, tbi);
  initial[28] = BigInt(LOAD_ADDRESS + SCRATCH);
  initial.push(nzcv);

  const bodyInsns = groups.flatMap((g) => g.insns);
  const bodyOffset = pro.length * 4;
  return {
    seed,
    image,
    bodyOffset,
    initial,
    mmu,
    tags: [...tags].sort(),
    body: bodyInsns.map((insn, i) => ({ insn, word: encode(insn), addr: LOAD_ADDRESS + bodyOffset + i * 4 })),
  };
}

/** Parses the epilogue's output: 33 values, or an exception report. */
export type ProgramOutput =
  | { readonly kind: 'state'; readonly values: readonly bigint[] }
  | { readonly kind: 'exception'; readonly esr: bigint; readonly elr: bigint; readonly far?: bigint }
  | { readonly kind: 'garbled'; readonly text: string };

export function parseOutput(text: string): ProgramOutput {
  if (text.startsWith('!')) {
    const m = /^!([0-9a-f]{16})\n([0-9a-f]{16})\n(?:([0-9a-f]{16})\n)?$/.exec(text);
    if (!m) return { kind: 'garbled', text };
    const esr = BigInt(`0x${m[1]}`);
    const elr = BigInt(`0x${m[2]}`);
    return m[3] === undefined
      ? { kind: 'exception', esr, elr }
      : { kind: 'exception', esr, elr, far: BigInt(`0x${m[3]}`) };
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

/**
 * The forms of the body's instructions: each encode.ts kind with its variant (load/store and
 * pair addressing mode, register-offset extend, operation, ADR/ADRP), and the name of every
 * raw form (exclusives, LDTR/STTR, CRC32, barriers, hints, MSR immediate, DC/IC/AT/TLBI, PRFM).
 */
export function forms(p: RandomProgram): Set<string> {
  const out = new Set<string>();
  for (const { insn } of p.body) {
    if (insn.k === 'word') {
      out.add(FORMS.get(insn) ?? 'word');
      continue;
    }
    out.add(insn.k);
    if (insn.k === 'ldst') out.add(`ldst.${insn.mode}`);
    if (insn.k === 'ldstPair') out.add(`pair.${insn.mode}`);
    if (insn.k === 'ldstReg') out.add(`reg.${insn.option}`);
    if (insn.k === 'adr') out.add(insn.page ? 'adrp' : 'adr');
    if ('op' in insn) out.add(`${insn.k}.${insn.op}`);
  }
  return out;
}

/** The body as text: address, word and GNU syntax per line. */
export function listing(p: RandomProgram): string {
  return p.body
    .map((b) => `${b.addr.toString(16)}: ${b.word.toString(16).padStart(8, '0')}  ${format(b.insn)}`)
    .join('\n');
}
