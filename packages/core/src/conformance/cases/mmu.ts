/**
 * Stage-1 translation for the EL1&0 regime with the 4 KiB granule (Arm ARM DDI 0487 D8
 * "The AArch64 Virtual Memory System Architecture": D8.2 translation table walks, D8.3
 * descriptor formats, D8.4 memory access control (AP, UXN/PXN, PAN), D8.5 access flag,
 * D8.16 TLB maintenance; faults as data/instruction aborts with DFSC/IFSC per D17.2.37 ESR_EL1:
 * translation 0b0001LL, access flag 0b0010LL, permission 0b0011LL, alignment 0b100001; ISV = 0
 * in ESR_EL1; FAR_EL1 = the faulting VA). AT results per D17.2 PAR_EL1.
 *
 * Translation regime (TCR_EL1): TTBR0 with T0SZ = 16 (48-bit VA, walk starts at level 0),
 * TTBR1 with T1SZ = 25 (39-bit VA, walk starts at level 1), MAIR Attr0 Normal WB, Attr1 Device.
 *
 *   TTBR0  L0[0] → L1          L1[0] → L2, L1[1] VA 0x4000_0000 1 GiB block identity (EL1 RW, UXN),
 *                              L1[2] invalid, L1[3] block AF = 0, L1[4] block EL1 read-only
 *          L2[0] → L3, L2[1] VA 0x20_0000 2 MiB block → PA 0x4000_0000, L2[2] invalid,
 *          L2[3] block AF = 0, L2[4] block EL1 read-only, L2[5] → an empty L3 table
 *          L3 pages at VA 0x1000 * n:
 *            1 DATA EL1 RW          2 DATA EL1 RO       3 DATA AF = 0     4 DATA EL0+EL1 RW (XN)
 *            5 CODE EL0+EL1 RO, PXN (EL0 code)           6 CODE EL0+EL1 RO, UXN
 *            7 CODE EL1 RW, PXN    8 MMIO_PA Device     9 DATA EL1 RO    10 DATA+0x1000 EL1 RW
 *           11 DATA EL0+EL1 RW without XN bits (EL0-writable, so privileged execute-never)
 *           12 DATA EL1 RW      13 DATA+0x1000 EL1 RW, not global (nG = 1)
 *           14 0x4020_1000 (outside RAM at stage 1; the stage2 group maps it at stage 2)
 *   TTBR1  L1[256] VA 0xffff_ffc0_0000_0000 1 GiB block → PA 0x4000_0000; L1[257] → L2,
 *          L2[0] VA 0xffff_ffc0_4000_0000 2 MiB block → PA 0x4000_0000
 */
import { AP, s1BlockDesc, s1PageDesc, tableDesc } from '../../mmu/descriptor.js';
import { ATTR_DEVICE, MAIR_MMU, tableEntries } from '../descriptors.js';
import {
  CODE,
  DATA,
  EC,
  esr,
  MMIO_PA,
  masked,
  PS,
  PSTATE_DEFAULT,
  PT,
  SCTLR,
  SCTLR_DEFAULT,
  took,
  VEC,
} from '../env.js';
import type { CaseGroup, CaseSetup, MemSpec } from '../types.js';

const D0 = 0x0011_2233_4455_6677n;
const D8 = 0x8899_aabb_ccdd_eeffn;
const A8 = 0xa1a1_a1a1_a1a1_a1a1n;

const L0 = PT;
const L1 = PT + 0x1000;
const L2 = PT + 0x2000;
const L3 = PT + 0x3000;
const L3_EMPTY = PT + 0x4000;
const T1_L1 = PT + 0x5000;
const T1_L2 = PT + 0x6000;

/** Not executable at EL0 or EL1. */
const XN = { uxn: true, pxn: true } as const;
const GB = 0x4000_0000;

const TABLES: MemSpec[] = [
  ...tableEntries(L0, { 0: tableDesc(L1) }),
  ...tableEntries(L1, {
    0: tableDesc(L2),
    1: s1BlockDesc(GB, 1, { ap: AP.RW_EL1, uxn: true }),
    3: s1BlockDesc(GB, 1, { af: false, ...XN }),
    4: s1BlockDesc(GB, 1, { ap: AP.RO_EL1, ...XN }),
  }),
  ...tableEntries(L2, {
    0: tableDesc(L3),
    1: s1BlockDesc(GB, 2, XN),
    3: s1BlockDesc(GB, 2, { af: false, ...XN }),
    4: s1BlockDesc(GB, 2, { ap: AP.RO_EL1, ...XN }),
    5: tableDesc(L3_EMPTY),
  }),
  ...tableEntries(L3, {
    1: s1PageDesc(DATA, XN),
    2: s1PageDesc(DATA, { ap: AP.RO_EL1, ...XN }),
    3: s1PageDesc(DATA, { af: false, ...XN }),
    4: s1PageDesc(DATA, { ap: AP.RW_ALL, ...XN }),
    5: s1PageDesc(CODE, { ap: AP.RO_ALL, pxn: true }),
    6: s1PageDesc(CODE, { ap: AP.RO_ALL, uxn: true }),
    7: s1PageDesc(CODE, { pxn: true }),
    8: s1PageDesc(MMIO_PA, { attrIndx: ATTR_DEVICE, ...XN }),
    9: s1PageDesc(DATA, { ap: AP.RO_EL1, ...XN }),
    10: s1PageDesc(DATA + 0x1000, XN),
    11: s1PageDesc(DATA, { ap: AP.RW_ALL }),
    12: s1PageDesc(DATA, XN),
    13: s1PageDesc(DATA + 0x1000, { ng: true, ...XN }),
    14: s1PageDesc(0x4020_1000, XN),
  }),
  ...tableEntries(T1_L1, { 256: s1BlockDesc(GB, 1, { uxn: true }), 257: tableDesc(T1_L2) }),
  ...tableEntries(T1_L2, { 0: s1BlockDesc(GB, 2, XN) }),
];

/** The L3 descriptor address of VA 0x1000 * n. */
const l3Entry = (n: number): number => L3 + n * 8;

/**
 * TCR_EL1: T0SZ = 16 [5:0], IRGN0 = ORGN0 = 1 [11:8], SH0 = 3 [13:12], TG0 = 0 (4 KiB) [15:14],
 * T1SZ = 25 [21:16], IRGN1 = ORGN1 = 1 [27:24], SH1 = 3 [29:28], TG1 = 2 (4 KiB) [31:30],
 * IPS = 2 (40 bits) [34:32]; A1 = 0, TBI0 = TBI1 = 0.
 */
const TCR = (2n << 32n) | (2n << 30n) | (3n << 28n) | (1n << 26n) | (1n << 24n) | (25n << 16n) | 0x3510n;
const SCTLR_MMU = SCTLR_DEFAULT | SCTLR.M | SCTLR.C | SCTLR.I;

/** The stage-1 world above: tables, MAIR, TCR, TTBRs, SCTLR_EL1.M = 1 (also used by the stage2 group). */
export function mmu(extra: CaseSetup = {}): CaseSetup {
  return {
    ...extra,
    mem: [
      ...TABLES,
      { at: DATA, u64: [D0, D8, 0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n] },
      { at: DATA + 0x1000, u64: [0xa0a0_a0a0_a0a0_a0a0n, A8] },
      ...(extra.mem ?? []),
    ],
    sysregs: {
      MAIR_EL1: MAIR_MMU,
      TCR_EL1: TCR,
      TTBR0_EL1: BigInt(L0),
      TTBR1_EL1: BigInt(T1_L1),
      SCTLR_EL1: SCTLR_MMU,
      ...extra.sysregs,
    },
  };
}

/** EL0 code: the case's words at CODE are executed through VA 0x5000 (L3[5]). */
const EL0_PC = 0x5000n;
const el0 = (extra: CaseSetup = {}): CaseSetup => mmu({ ...extra, pstate: PS.EL0t, pc: EL0_PC });

const dabt = (dfsc: number, write = false) => esr(EC.DABT_CUR, dfsc | (write ? 0x40 : 0));
const dabtFault = (va: bigint, dfsc: number, write = false) => ({
  ...took(VEC.CUR_SPX_SYNC),
  sysregs: { ESR_EL1: dabt(dfsc, write), FAR_EL1: va, ELR_EL1: BigInt(CODE) },
});

export const mmu4k: CaseGroup = {
  name: 'stage-1 MMU (4 KiB granule)',
  ref: 'Arm ARM D8.2-D8.5, D8.16, D17.2.37 ESR_EL1 DFSC/IFSC, D17.2 PAR_EL1, C6.2 AT/TLBI/LDTR',
  cases: [
    // ---- Successful walks: blocks and pages at levels 1, 2, 3 through TTBR0 and TTBR1
    {
      name: 'TTBR0 level-1 block (identity)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: BigInt(DATA + 8) } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'TTBR0 level-2 block',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x22_0008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'TTBR0 level-3 page',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x1008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'TTBR1 level-1 block',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0xffff_ffc0_0002_0008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'TTBR1 level-2 block',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0xffff_ffc0_4002_0008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'store through a level-3 page',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: mmu({ regs: { x1: 0x1010n, x2: 0x1234n } }),
      expect: { mem: [{ at: DATA + 16, u64: [0x1234n] }] },
    },
    {
      name: 'instruction fetch through TTBR1',
      asm: 'br x1; nop; nop; movz x0, #7',
      words: [0xd61f0020, 0xd503201f, 0xd503201f, 0xd28000e0],
      setup: mmu({ regs: { x1: 0xffff_ffc0_0001_000cn } }),
      steps: 2,
      expect: { regs: { x0: 7n }, pc: 0xffff_ffc0_0001_0010n },
    },
    {
      name: 'unaligned load from Normal memory with SCTLR_EL1.A = 0',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x1003n } }),
      expect: { regs: { x0: 0xddee_ff00_1122_3344n } },
    },
    {
      name: 'a read of an EL1 read-only page succeeds',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x2008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'DC ZVA zeroes one 64-byte block (DCZID_EL0 = 4, as Cortex-A57)',
      asm: 'mrs x0, dczid_el0; dc zva, x1',
      words: [0xd53b00e0, 0xd50b7421],
      setup: mmu({
        mem: [{ at: DATA, u64: Array.from({ length: 10 }, (_, i) => 0x0101_0101_0101_0101n * BigInt(i + 1)) }],
        regs: { x1: 0xc008n },
      }),
      expect: {
        regs: { x0: 4n },
        mem: [{ at: DATA, u64: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0x0909_0909_0909_0909n, 0x0a0a_0a0a_0a0a_0a0an] }],
      },
    },
    {
      name: 'a Device page with no RAM behind it → mmio exit with VA and PA',
      asm: 'ldr w0, [x1]',
      words: [0xb9400020],
      setup: mmu({ regs: { x1: 0x8010n } }),
      expect: {
        exit: { kind: 'mmio', pa: BigInt(MMIO_PA + 0x10), va: 0x8010n, size: 4, isWrite: false, rt: 0 },
        pc: BigInt(CODE),
      },
    },

    // ---- Faults at each level
    {
      name: 'translation fault level 0',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x8000_0000_0000n } }),
      expect: dabtFault(0x8000_0000_0000n, 0b000100),
    },
    {
      name: 'translation fault level 0 for a VA above the 48-bit TTBR0 range',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x1_0000_0000_0000n } }),
      expect: dabtFault(0x1_0000_0000_0000n, 0b000100),
    },
    {
      name: 'TCR_EL1.TBI0 = 0: a tagged VA is out of range (translation fault level 0, FAR keeps the tag)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x5a00_0000_0000_1008n } }),
      expect: dabtFault(0x5a00_0000_0000_1008n, 0b000100),
    },
    {
      name: 'TCR_EL1.TBI0 = 1: the top byte of a TTBR0 VA is ignored',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x5a00_0000_0000_1008n }, sysregs: { TCR_EL1: TCR | (1n << 37n) } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'translation fault level 1',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x8000_0010n } }),
      expect: dabtFault(0x8000_0010n, 0b000101),
    },
    {
      name: 'translation fault level 2',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x40_0008n } }),
      expect: dabtFault(0x40_0008n, 0b000110),
    },
    {
      name: 'translation fault level 3 (empty table)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0xa0_0000n } }),
      expect: dabtFault(0xa0_0000n, 0b000111),
    },
    {
      name: 'translation fault level 3 (invalid page at VA 0), on a store',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: mmu({ regs: { x1: 0x10n } }),
      expect: dabtFault(0x10n, 0b000111, true),
    },
    {
      name: 'access flag fault level 1',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0xc000_0000n } }),
      expect: dabtFault(0xc000_0000n, 0b001001),
    },
    {
      name: 'access flag fault level 2',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x60_0000n } }),
      expect: dabtFault(0x60_0000n, 0b001010),
    },
    {
      name: 'access flag fault level 3',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x3008n } }),
      expect: dabtFault(0x3008n, 0b001011),
    },
    {
      name: 'permission fault level 1 (write to a read-only block)',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: mmu({ regs: { x1: 0x1_0000_0000n } }),
      expect: dabtFault(0x1_0000_0000n, 0b001101, true),
    },
    {
      name: 'permission fault level 2 (write to a read-only block)',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: mmu({ regs: { x1: 0x80_0000n } }),
      expect: dabtFault(0x80_0000n, 0b001110, true),
    },
    {
      name: 'permission fault level 3 (write to a read-only page)',
      asm: 'str w2, [x1]',
      words: [0xb9000022],
      setup: mmu({ regs: { x1: 0x2004n } }),
      expect: dabtFault(0x2004n, 0b001111, true),
    },
    {
      name: 'alignment fault with SCTLR_EL1.A = 1',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0xc004n }, sysregs: { SCTLR_EL1: SCTLR_MMU | SCTLR.A } }),
      expect: dabtFault(0xc004n, 0b100001),
    },
    {
      name: 'unaligned LDXR faults even with SCTLR_EL1.A = 0',
      asm: 'ldxr x0, [x1]',
      words: [0xc85f7c20],
      setup: mmu({ regs: { x1: 0xc004n } }),
      expect: dabtFault(0xc004n, 0b100001),
    },

    // ---- Instruction fetch permissions
    {
      name: 'EL1 fetch from a PXN page: instruction abort, IFSC permission level 3',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: mmu({ regs: { x1: 0x7000n } }),
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.IABT_CUR, 0b001111), FAR_EL1: 0x7000n, ELR_EL1: 0x7000n },
      },
    },
    {
      name: 'EL1 fetch from an EL0-writable page is privileged execute-never',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: mmu({ regs: { x1: 0xb000n } }),
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.IABT_CUR, 0b001111), FAR_EL1: 0xb000n, ELR_EL1: 0xb000n },
      },
    },

    {
      name: 'EL1 code running off the end of a page into a PXN page faults at the page boundary',
      asm: 'nop',
      words: [0xd503201f],
      at: CODE + 0xffc,
      setup: mmu({ pc: 0x6ffcn }),
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.IABT_CUR, 0b001111), FAR_EL1: 0x7000n, ELR_EL1: 0x7000n },
      },
    },

    // ---- EL0 (code at VA 0x5000)
    {
      name: 'EL0 load from an EL0-accessible page',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: el0({ regs: { x1: 0x4008n } }),
      expect: { regs: { x0: D8 }, pc: EL0_PC + 4n },
    },
    {
      name: 'EL0 load from an EL1-only page: permission fault to 0x400',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: el0({ regs: { x1: 0x9000n } }),
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.DABT_LOWER, 0b001111), FAR_EL1: 0x9000n, ELR_EL1: EL0_PC, SPSR_EL1: 0n },
      },
    },
    {
      name: 'EL0 store to a read-only page',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: el0({ regs: { x1: 0x5008n } }),
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.DABT_LOWER, 0x40 | 0b001111), FAR_EL1: 0x5008n, ELR_EL1: EL0_PC },
      },
    },
    {
      name: 'EL0 fetch from a UXN page',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: el0({ regs: { x1: 0x6000n } }),
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.IABT_LOWER, 0b001111), FAR_EL1: 0x6000n, ELR_EL1: 0x6000n },
      },
    },

    // ---- PAN and unprivileged loads
    {
      name: 'EL1 load from an EL0-accessible page with PSTATE.PAN = 0',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x4008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'EL1 load from an EL0-accessible page with PSTATE.PAN = 1: permission fault (SPAN = 1 keeps PAN)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: mmu({ regs: { x1: 0x4008n }, pstate: PS.PAN | PSTATE_DEFAULT }),
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        pstate: masked(PS.PAN | PSTATE_DEFAULT, 0x0fff_ffffn),
        sysregs: { ESR_EL1: dabt(0b001111), FAR_EL1: 0x4008n, SPSR_EL1: PS.PAN | PSTATE_DEFAULT },
      },
    },
    {
      name: 'LDTR at EL1 is checked as EL0 and ignores PAN',
      asm: 'ldtr x0, [x1]',
      words: [0xf8400820],
      setup: mmu({ regs: { x1: 0x4008n }, pstate: PS.PAN | PSTATE_DEFAULT }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDTR at EL1 of an EL1-only page: permission fault',
      asm: 'ldtr x0, [x1]',
      words: [0xf8400820],
      setup: mmu({ regs: { x1: 0x1008n } }),
      expect: dabtFault(0x1008n, 0b001111),
    },

    // ---- Address translation instructions
    {
      name: 'AT S1E1R success: PAR_EL1 = ATTR, PA, SH (NS masked out)',
      asm: 'at s1e1r, x1; isb; mrs x0, par_el1',
      words: [0xd5087801, 0xd5033fdf, 0xd5387400],
      setup: mmu({ regs: { x1: 0x1234n } }),
      expect: { regs: { x0: masked(0xff00_0000_4002_0980n, 0xff00_ffff_ffff_f981n) } },
    },
    {
      name: 'AT S1E1R translation fault: PAR_EL1.F = 1, FST level 1, no exception',
      asm: 'at s1e1r, x1; isb; mrs x0, par_el1',
      words: [0xd5087801, 0xd5033fdf, 0xd5387400],
      setup: mmu({ regs: { x1: 0x8000_0000n } }),
      expect: { regs: { x0: masked(0x80bn, 0xfffn) } },
    },
    {
      name: 'AT S1E0R of an EL1-only page: permission fault level 3',
      asm: 'at s1e0r, x1; isb; mrs x0, par_el1',
      words: [0xd5087841, 0xd5033fdf, 0xd5387400],
      setup: mmu({ regs: { x1: 0x1000n } }),
      expect: { regs: { x0: masked(0x81fn, 0xfffn) } },
    },
    {
      name: 'AT S1E1W of a read-only page: permission fault level 3',
      asm: 'at s1e1w, x1; isb; mrs x0, par_el1',
      words: [0xd5087821, 0xd5033fdf, 0xd5387400],
      setup: mmu({ regs: { x1: 0x2000n } }),
      expect: { regs: { x0: masked(0x81fn, 0xfffn) } },
    },

    // ---- TLB maintenance makes a changed descriptor visible
    {
      name: 'guest rewrites a PTE, TLBI VAE1IS: the new mapping is used',
      asm: 'ldr x0, [x1]; str x3, [x4]; dsb ishst; tlbi vae1is, x5; dsb ish; isb; ldr x2, [x1]',
      words: [0xf9400020, 0xf9000083, 0xd5033a9f, 0xd5088325, 0xd5033b9f, 0xd5033fdf, 0xf9400022],
      setup: mmu({
        regs: {
          x1: 0xa008n,
          x3: s1PageDesc(DATA, XN),
          x4: BigInt(l3Entry(10)),
          x5: 0xan,
        },
      }),
      expect: { regs: { x0: A8, x2: D8 } },
    },
    {
      name: 'guest rewrites a PTE, TLBI VMALLE1: the new mapping is used',
      asm: 'ldr x0, [x1]; str x3, [x4]; dsb ishst; tlbi vmalle1; dsb ish; isb; ldr x2, [x1]',
      words: [0xf9400020, 0xf9000083, 0xd5033a9f, 0xd508871f, 0xd5033b9f, 0xd5033fdf, 0xf9400022],
      setup: mmu({
        regs: { x1: 0xa008n, x3: s1PageDesc(DATA, XN), x4: BigInt(l3Entry(10)) },
      }),
      expect: { regs: { x0: A8, x2: D8 } },
    },
    {
      name: 'a non-global entry cached under ASID 1 is not used under a new ASID 2',
      asm: 'ldr x0, [x1]; str x3, [x4]; dsb ish; msr ttbr0_el1, x5; isb; ldr x2, [x1]',
      words: [0xf9400020, 0xf9000083, 0xd5033b9f, 0xd5182005, 0xd5033fdf, 0xf9400022],
      setup: mmu({
        sysregs: { TTBR0_EL1: (1n << 48n) | BigInt(L0) },
        regs: {
          x1: 0xd008n,
          x3: s1PageDesc(DATA, { ng: true, ...XN }),
          x4: BigInt(l3Entry(13)),
          x5: (2n << 48n) | BigInt(L0),
        },
      }),
      expect: { regs: { x0: A8, x2: D8 }, sysregs: { TTBR0_EL1: (2n << 48n) | BigInt(L0) } },
    },
    {
      name: 'host rewrites a PTE and calls invalidateTlb: the new mapping is used',
      asm: 'ldr x0, [x1]; ldr x2, [x1]',
      words: [0xf9400020, 0xf9400022],
      setup: mmu({ regs: { x1: 0xa008n } }),
      steps: 1,
      expect: { regs: { x0: A8 } },
      next: [
        {
          host: [{ op: 'writeMem', mem: { at: l3Entry(10), u64: [s1PageDesc(DATA, XN)] } }, { op: 'invalidateTlb' }],
          run: 1,
          expect: { regs: { x2: D8 } },
        },
      ],
    },
  ],
};
