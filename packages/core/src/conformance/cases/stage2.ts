/**
 * Stage-2 translation of EL1&0 accesses, programmed by the EL2 side through setSysReg
 * (HCR_EL2.VM, VTCR_EL2, VTTBR_EL2) with tables in emulated RAM. A stage-2 fault is a
 * `stage2Fault` exit with the PC at the faulting instruction, and ESR as ESR_EL2 would hold it:
 * EC 0x24 (data abort from a lower EL) or 0x20 (instruction abort from a lower EL), IL = 1, and
 * for a single-register load/store without writeback ISV = 1 with SAS/SSE/SRT/SF/AR
 * (Arm ARM DDI 0487 D17.2.37 ESR_EL2, "ISS encoding for an exception from a Data Abort"; ISV is 0
 * for pairs, writeback forms and stage-1 walk faults). DFSC/IFSC: translation 0b0001LL, access
 * flag 0b0010LL, permission 0b0011LL, LL = level.
 *
 * Stage-2 map (VTCR_EL2: T0SZ = 25, 39-bit IPA, SL0 = 1 so the walk starts at level 1):
 *   L1[1]  IPA 0x4000_0000 → L2 table
 *   L2[0]  IPA 0x4000_0000..0x401f_ffff  2 MiB block, identity, RW (vectors, code, data, stacks, tables)
 *   L2[1]  IPA 0x4020_0000               → L3 table
 *   L2[2]  IPA 0x4040_0000               invalid (translation fault, level 2)
 *   L2[3]  IPA 0x4060_0000               block with AF = 0 (access flag fault, level 2)
 *   L3[0]  IPA 0x4020_0000 → PA DATA, RW     L3[1] → DATA, read-only     L3[2] → DATA, AF = 0
 *   L3[3]  invalid                          L3[4] → CODE, XN            L3[5] → MMIO_PA (no RAM)
 *   other L1 entries invalid (translation fault, level 1)
 */
import { S2_MEMATTR, S2AP, S2XN, s1BlockDesc, s2BlockDesc, s2PageDesc, tableDesc } from '../../mmu/descriptor.js';
import { MAIR_MMU, tableEntries } from '../descriptors.js';
import { CODE, DATA, MMIO_PA, PT, S2PT, SCTLR, SCTLR_DEFAULT } from '../env.js';
import type { CaseGroup, CaseSetup, MemSpec } from '../types.js';
import { mmu } from './mmu.js';

const PC = BigInt(CODE);
const D8 = 0x8899_aabb_ccdd_eeffn;
const mem0: MemSpec = { at: DATA, u64: [0x0011_2233_4455_6677n, D8] };

const L1 = S2PT;
const L2 = S2PT + 0x1000;
const L3 = S2PT + 0x2000;

const s2Tables: MemSpec[] = [
  ...tableEntries(L1, { 1: tableDesc(L2) }),
  ...tableEntries(L2, {
    0: s2BlockDesc(0x4000_0000, 2),
    1: tableDesc(L3),
    3: s2BlockDesc(0x4000_0000, 2, { af: false }),
  }),
  ...tableEntries(L3, {
    0: s2PageDesc(DATA),
    1: s2PageDesc(DATA, { s2ap: S2AP.RO }),
    2: s2PageDesc(DATA, { af: false }),
    4: s2PageDesc(CODE, { s2ap: S2AP.RO, xn: S2XN.ALL }),
    5: s2PageDesc(MMIO_PA, { memAttr: S2_MEMATTR.DEVICE_nGnRnE }),
  }),
];

/** HCR_EL2: VM (bit 0) enables stage 2; RW (bit 31): EL1 is AArch64 (Arm ARM D17.2 HCR_EL2). */
const HCR_VM_RW = (1n << 31n) | 1n;
/**
 * VTCR_EL2: T0SZ = 25 [5:0], SL0 = 1 [7:6] (start at level 1), IRGN0 = ORGN0 = 1 (WB) [11:8],
 * SH0 = 3 [13:12], TG0 = 0 (4 KiB) [15:14], PS = 2 (40 bits) [18:16], bit 31 RES1.
 */
const VTCR = (1n << 31n) | (2n << 16n) | (3n << 12n) | (1n << 10n) | (1n << 8n) | (1n << 6n) | 25n;

function s2(extra: CaseSetup = {}): CaseSetup {
  return {
    ...extra,
    mem: [...s2Tables, mem0, ...(extra.mem ?? [])],
    sysregs: { VTCR_EL2: VTCR, VTTBR_EL2: BigInt(S2PT), HCR_EL2: HCR_VM_RW, ...extra.sysregs },
  };
}

/** ESR_EL2 for a data abort from EL1 with a valid instruction syndrome. */
function dabtIsv(o: { sas: number; sse?: boolean; srt: number; sf: boolean; wnr?: boolean; dfsc: number }): bigint {
  return (
    (0x24n << 26n) |
    (1n << 25n) |
    (1n << 24n) |
    (BigInt(o.sas) << 22n) |
    (o.sse ? 1n << 21n : 0n) |
    (BigInt(o.srt) << 16n) |
    (o.sf ? 1n << 15n : 0n) |
    (o.wnr ? 1n << 6n : 0n) |
    BigInt(o.dfsc)
  );
}

export const stage2: CaseGroup = {
  name: 'stage 2',
  ref: 'Arm ARM D8 (VMSAv8-64 stage 2), D17.2 HCR_EL2/VTCR_EL2/VTTBR_EL2, D17.2.37 ESR_EL2 data/instruction abort ISS',
  cases: [
    {
      name: 'a load through stage 2 reaches the mapped PA (IPA ≠ PA)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({ regs: { x1: 0x4020_0008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'translation fault at level 2 → stage2Fault, PC at the load',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({ regs: { x1: 0x4042_0008n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4042_0008n,
          va: 0x4042_0008n,
          access: 'read',
          fault: 'translation',
          level: 2,
          s1ptw: false,
          esr: dabtIsv({ sas: 3, srt: 0, sf: true, dfsc: 0b000110 }),
        },
        pc: PC,
      },
      next: [
        {
          // The EL2 side maps the 2 MiB at 0x4040_0000 onto RAM at 0x4000_0000 and retries.
          host: [
            { op: 'writeMem', mem: { at: L2 + 2 * 8, u64: [s2BlockDesc(0x4000_0000, 2)] } },
            { op: 'invalidateTlb' },
          ],
          run: 1,
          expect: { regs: { x0: D8 } },
        },
      ],
    },
    {
      name: 'translation fault at level 1',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({ regs: { x1: 0x8000_0000n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x8000_0000n,
          access: 'read',
          fault: 'translation',
          level: 1,
          s1ptw: false,
          esr: dabtIsv({ sas: 3, srt: 0, sf: true, dfsc: 0b000101 }),
        },
        pc: PC,
      },
    },
    {
      name: 'translation fault at level 3 (LDRB W4)',
      asm: 'ldrb w4, [x1]',
      words: [0x39400024],
      setup: s2({ regs: { x1: 0x4020_3fffn } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4020_3fffn,
          access: 'read',
          fault: 'translation',
          level: 3,
          esr: dabtIsv({ sas: 0, srt: 4, sf: false, dfsc: 0b000111 }),
        },
        pc: PC,
      },
    },
    {
      name: 'access flag fault at level 2',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({ regs: { x1: 0x4060_0000n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4060_0000n,
          access: 'read',
          fault: 'accessFlag',
          level: 2,
          esr: dabtIsv({ sas: 3, srt: 0, sf: true, dfsc: 0b001010 }),
        },
        pc: PC,
      },
    },
    {
      name: 'access flag fault at level 3 (LDRSH X3: SSE, SF)',
      asm: 'ldrsh x3, [x1]',
      words: [0x79800023],
      setup: s2({ regs: { x1: 0x4020_2002n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4020_2002n,
          access: 'read',
          fault: 'accessFlag',
          level: 3,
          esr: dabtIsv({ sas: 1, sse: true, srt: 3, sf: true, dfsc: 0b001011 }),
        },
        pc: PC,
      },
    },
    {
      name: 'permission fault at level 3 on a write; EL2 makes the page writable and the store retries',
      asm: 'str w2, [x1]',
      words: [0xb9000022],
      setup: s2({ regs: { x1: 0x4020_1004n, x2: 0xffff_ffff_aabb_ccddn } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4020_1004n,
          va: 0x4020_1004n,
          access: 'write',
          fault: 'permission',
          level: 3,
          s1ptw: false,
          esr: dabtIsv({ sas: 2, srt: 2, sf: false, wnr: true, dfsc: 0b001111 }),
        },
        pc: PC,
      },
      next: [
        {
          host: [{ op: 'writeMem', mem: { at: L3 + 1 * 8, u64: [s2PageDesc(DATA)] } }, { op: 'invalidateTlb' }],
          run: 1,
          expect: { mem: [{ at: DATA, u64: [0xaabb_ccdd_4455_6677n] }] },
        },
      ],
    },
    {
      name: 'a read of a read-only stage-2 page succeeds',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({ regs: { x1: 0x4020_1008n } }),
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDP fault has no instruction syndrome (ISV = 0)',
      asm: 'ldp x0, x2, [x1]',
      words: [0xa9400820],
      setup: s2({ regs: { x1: 0x4040_0000n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4040_0000n,
          access: 'read',
          fault: 'translation',
          level: 2,
          esr: 0x9200_0006n,
        },
        pc: PC,
      },
    },
    {
      name: 'post-index load fault: ISV = 0, base not written back',
      asm: 'ldr x0, [x1], #8',
      words: [0xf8408420],
      setup: s2({ regs: { x1: 0x4040_0000n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4040_0000n,
          access: 'read',
          fault: 'translation',
          level: 2,
          esr: 0x9200_0006n,
        },
        pc: PC,
      },
    },
    {
      name: 'instruction fetch from an XN stage-2 page → stage2Fault exec, PC at the target',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: s2({ regs: { x1: 0x4020_4000n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4020_4000n,
          va: 0x4020_4000n,
          access: 'exec',
          fault: 'permission',
          level: 3,
          s1ptw: false,
          esr: (0x20n << 26n) | (1n << 25n) | 0b001111n,
        },
        pc: 0x4020_4000n,
      },
    },
    {
      name: 'a stage-2 mapping to a PA without RAM → mmio exit with the PA',
      asm: 'ldr w0, [x1]',
      words: [0xb9400020],
      setup: s2({ regs: { x1: 0x4020_5010n } }),
      expect: {
        exit: { kind: 'mmio', pa: BigInt(MMIO_PA + 0x10), va: 0x4020_5010n, size: 4, isWrite: false, rt: 0 },
        pc: PC,
      },
    },
    {
      name: 'stage-1 table walk faulting at stage 2 → s1ptw (ISV = 0, S1PTW = 1)',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: s2({
        // Stage 1: TTBR0 identity 1 GiB block at VA 0x4000_0000 (tables in stage-2-mapped RAM);
        // TTBR1's level-1 table is at IPA 0x4040_0000, which stage 2 does not map.
        mem: tableEntries(PT + 0x7000, { 1: s1BlockDesc(0x4000_0000, 1) }),
        sysregs: {
          MAIR_EL1: MAIR_MMU,
          // T0SZ = T1SZ = 25, 4 KiB granules (TG0 = 0, TG1 = 2), WB, inner shareable, IPS = 40 bits.
          TCR_EL1: (2n << 32n) | (2n << 30n) | (3n << 28n) | (1n << 26n) | (1n << 24n) | (25n << 16n) | 0x3519n,
          TTBR0_EL1: BigInt(PT + 0x7000),
          TTBR1_EL1: 0x4040_0000n,
          SCTLR_EL1: SCTLR_DEFAULT | SCTLR.M | SCTLR.C | SCTLR.I,
        },
        regs: { x1: 0xffff_ffc0_0000_0008n },
      }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          // Level-1 index of VA 0xffff_ffc0_0000_0008 (bits 38:30) is 256: descriptor at +0x800.
          ipa: 0x4040_0800n,
          va: 0xffff_ffc0_0000_0008n,
          fault: 'translation',
          level: 2,
          s1ptw: true,
          esr: (0x24n << 26n) | (1n << 25n) | (1n << 7n) | 0b000110n,
        },
        pc: PC,
      },
    },
    {
      name: 'stage 1 then stage 2: the fault reports the IPA from stage 1 and the VA',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      // Stage-1 L3[14] maps VA 0xe000 to IPA 0x4020_1000, which stage 2 maps read-only.
      setup: s2({ ...mmu(), regs: { x1: 0xe008n } }),
      expect: {
        exit: {
          kind: 'stage2Fault',
          ipa: 0x4020_1008n,
          va: 0xe008n,
          access: 'write',
          fault: 'permission',
          level: 3,
          s1ptw: false,
          esr: dabtIsv({ sas: 3, srt: 2, sf: true, wnr: true, dfsc: 0b001111 }),
        },
        pc: PC,
      },
    },
  ],
};
