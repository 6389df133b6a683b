/**
 * Exception entry and return at EL1 (Arm ARM DDI 0487 D1.10 "Exception entry", D1.10.2 vector
 * offsets, D1.11 "Exception return", pseudocode AArch64.TakeException / AArch64.ExceptionReturn
 * in J1; syndromes from D17.2.37 ESR_EL1).
 *
 * Every vector entry of the default table is HVC #(0x1000 + offset), so `took(offset)` says which
 * vector was taken. On entry: ELR_EL1 = preferred return address (the next instruction for SVC,
 * the instruction itself for BRK, UNDEF, aborts, traps and alignment faults; the next instruction
 * to execute for interrupts), SPSR_EL1 = PSTATE before entry, PSTATE = EL1h with D, A, I, F set,
 * IL and SS cleared, NZCV kept (AArch64.TakeException does not assign them; QEMU 7.2 clears
 * them). ESR_EL1 is not written for IRQ/FIQ (AArch64.TakeException reports only other types).
 *
 * WFE at EL0 with SCTLR_EL1.nTWE = 0 traps only "if it would cause entry to a low-power state",
 * which depends on the Event Register, so it is not a case here; WFI with nothing pending is.
 */
import { SysReg } from '../../sysregs.js';
import {
  ALT_VECTORS,
  CODE,
  DATA,
  EC,
  esr,
  PS,
  SCTLR,
  SCTLR_DEFAULT,
  SP_EL0_TOP,
  SP_EL1_TOP,
  took,
  VEC,
  VECTORS,
} from '../env.js';
import type { CaseGroup } from '../types.js';
import { sysregEsr } from './exits.js';

const PC = BigInt(CODE);
const UNDEF = esr(EC.UNKNOWN);
const EL0 = { pstate: PS.EL0t };
/** SCTLR_EL1.UMA (bit 9): EL0 may access DAIF. */
const UMA = 1n << 9n;
/** SCTLR_EL1.nTWE (bit 18). */
const nTWE = 1n << 18n;
const ESR_SENTINEL = 0x5a5a_5a5an;

export const exceptions: CaseGroup = {
  name: 'exception entry and return',
  ref: 'Arm ARM D1.10, D1.10.2, D1.11, D17.2.37 ESR_EL1, J1 AArch64.TakeException/ExceptionReturn',
  cases: [
    // ---- Synchronous exceptions and vector selection
    {
      name: 'SVC from EL1h → current EL with SPx (0x200)',
      asm: 'svc #0x42',
      words: [0xd4000841],
      setup: { nzcv: 0b1010 },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.SVC64, 0x42), ELR_EL1: PC + 4n, SPSR_EL1: 0xa000_03c5n },
        exceptions: [
          {
            cpu: 0,
            type: 'sync',
            fromEl: 1,
            toEl: 1,
            esr: esr(EC.SVC64, 0x42),
            elr: PC + 4n,
            vector: BigInt(VECTORS + VEC.CUR_SPX_SYNC),
          },
        ],
      },
    },
    {
      name: 'SVC from EL1t → current EL with SP0 (0x000)',
      asm: 'svc #1',
      words: [0xd4000021],
      setup: { pstate: PS.DAIF | PS.EL1t },
      expect: {
        ...took(VEC.CUR_SP0_SYNC),
        sysregs: { ESR_EL1: esr(EC.SVC64, 1), ELR_EL1: PC + 4n, SPSR_EL1: 0x3c4n },
      },
    },
    {
      name: 'SVC from EL0 → lower EL AArch64 (0x400)',
      asm: 'svc #3',
      words: [0xd4000061],
      setup: { pstate: 0x6000_0000n | PS.EL0t },
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.SVC64, 3), ELR_EL1: PC + 4n, SPSR_EL1: 0x6000_0000n },
      },
    },
    {
      name: 'BRK at EL1: ELR is the BRK itself',
      asm: 'nop; brk #7',
      words: [0xd503201f, 0xd42000e0],
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.BRK64, 7), ELR_EL1: PC + 4n, SPSR_EL1: 0x3c5n },
      },
    },
    {
      name: 'BRK from EL0',
      asm: 'brk #0xffff',
      words: [0xd43fffe0],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: esr(EC.BRK64, 0xffff), ELR_EL1: PC, SPSR_EL1: 0n } },
    },
    {
      name: 'UDF at EL1 → EC 0x00, ELR at the UDF',
      asm: 'udf #0x1234',
      words: [0x00001234],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC, SPSR_EL1: 0x3c5n } },
    },
    {
      name: 'UDF from EL0',
      asm: 'udf #0',
      words: [0x00000000],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC, SPSR_EL1: 0n } },
    },
    {
      name: 'unallocated exception-generation encoding (LL = 00) is UNDEFINED',
      asm: '.inst 0xd4000000',
      words: [0xd4000000],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'FADD is UNDEFINED (FP absent, team decision)',
      asm: 'fadd d0, d1, d2',
      words: [0x1e622820],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'LDADD is UNDEFINED (LSE absent)',
      asm: 'ldadd x0, x1, [x2]',
      words: [0xf8200041],
      setup: { regs: { x2: BigInt(DATA) } },
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'PACIA is UNDEFINED (PAuth absent)',
      asm: 'pacia x0, x1',
      words: [0xdac10020],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'ERET at EL0 is UNDEFINED',
      asm: 'eret',
      words: [0xd69f03e0],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'HVC at EL0 is UNDEFINED',
      asm: 'hvc #0',
      words: [0xd4000002],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'SMC at EL0 is UNDEFINED',
      asm: 'smc #0',
      words: [0xd4000003],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MRS SCTLR_EL1 at EL0 is UNDEFINED',
      asm: 'mrs x0, sctlr_el1',
      words: [0xd5381000],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MRS CurrentEL at EL0 is UNDEFINED',
      asm: 'mrs x0, currentel',
      words: [0xd5384240],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MSR TPIDRRO_EL0 at EL0 is UNDEFINED',
      asm: 'msr tpidrro_el0, x1',
      words: [0xd51bd061],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MRS ICC_PMR_EL1 at EL0 is UNDEFINED (not a sysreg exit)',
      asm: 'mrs x0, icc_pmr_el1',
      words: [0xd5384600],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MRS HCR_EL2 at EL1 is UNDEFINED (EL2 registers are not accessible from EL1)',
      asm: 'mrs x0, hcr_el2',
      words: [0xd53c1100],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MSR VTTBR_EL2 at EL1 is UNDEFINED',
      asm: 'msr vttbr_el2, x1',
      words: [0xd51c2101],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MSR SP_EL1 at EL1 is UNDEFINED (only EL2 and EL3 can write it)',
      asm: 'msr sp_el1, x1',
      words: [0xd51c4101],
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC } },
    },
    {
      name: 'MRS CNTVCT_EL0 at EL0 with CNTKCTL_EL1.EL0VCTEN = 0 traps with EC 0x18',
      asm: 'mrs x2, cntvct_el0',
      words: [0xd53be042],
      setup: { ...EL0, sysregs: { CNTKCTL_EL1: 0n } },
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: sysregEsr(SysReg.CNTVCT_EL0, 2, true), ELR_EL1: PC },
      },
    },
    {
      name: 'MRS CNTVCT_EL0 at EL0 with CNTKCTL_EL1.EL0VCTEN = 1 works',
      asm: 'mrs x2, cntvct_el0',
      words: [0xd53be042],
      setup: { ...EL0, sysregs: { CNTKCTL_EL1: 0b10n }, host: [{ op: 'warp', insns: 32 }] },
      expect: { regs: { x2: 2n } },
    },
    {
      name: 'MRS TPIDR_EL0 and TPIDRRO_EL0 at EL0 are allowed',
      asm: 'mrs x0, tpidr_el0; mrs x1, tpidrro_el0',
      words: [0xd53bd040, 0xd53bd061],
      setup: { ...EL0, sysregs: { TPIDR_EL0: 0x10n, TPIDRRO_EL0: 0x20n } },
      expect: { regs: { x0: 0x10n, x1: 0x20n } },
    },

    // ---- EL0 traps controlled by SCTLR_EL1 (D17.2 SCTLR_EL1 nTWI/nTWE/UMA/UCT)
    {
      name: 'WFI at EL0 with SCTLR_EL1.nTWI = 0 traps: EC 0x01, CV = 1, COND = 0xE, TI = 0',
      asm: 'wfi',
      words: [0xd503207f],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: esr(EC.WFX, 0x1e0_0000), ELR_EL1: PC } },
    },
    {
      name: 'WFI at EL0 with SCTLR_EL1.nTWI = 1 is a wfi exit',
      asm: 'wfi',
      words: [0xd503207f],
      setup: { ...EL0, sysregs: { SCTLR_EL1: SCTLR_DEFAULT | SCTLR.nTWI | nTWE } },
      expect: { exit: { kind: 'wfi' }, pc: PC + 4n },
    },
    {
      name: 'MRS DAIF at EL0 with SCTLR_EL1.UMA = 0 traps with EC 0x18',
      asm: 'mrs x0, daif',
      words: [0xd53b4220],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: sysregEsr(SysReg.DAIF, 0, true), ELR_EL1: PC } },
    },
    // MSR DAIFSet is op0 0, op1 3, CRn 4, CRm imm, op2 6 (C5.2 "DAIFSet"); QEMU 7.2 swaps Op1 and
    // Op2 in this syndrome (target/arm/op_helper.c daif_check), the Arm ARM does not.
    {
      name: 'MSR DAIFSet at EL0 with SCTLR_EL1.UMA = 0 traps with EC 0x18 (Op0 0, Op1 3, CRn 4, CRm imm, Op2 6, Rt 31)',
      asm: 'msr daifset, #2',
      words: [0xd50342df],
      setup: EL0,
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: {
          ESR_EL1: esr(EC.SYS64, (6 << 17) | (3 << 14) | (4 << 10) | (31 << 5) | (2 << 1) | 0),
          ELR_EL1: PC,
        },
      },
    },
    {
      name: 'MRS DAIF at EL0 with SCTLR_EL1.UMA = 1 works',
      asm: 'mrs x0, daif; msr daifset, #2',
      words: [0xd53b4220, 0xd50342df],
      setup: { ...EL0, sysregs: { SCTLR_EL1: SCTLR_DEFAULT | UMA } },
      expect: { regs: { x0: 0n }, pstate: PS.I },
    },
    {
      name: 'MRS CTR_EL0 at EL0 with SCTLR_EL1.UCT = 0 traps with EC 0x18',
      asm: 'mrs x3, ctr_el0',
      words: [0xd53b0023],
      setup: EL0,
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: sysregEsr(SysReg.CTR_EL0, 3, true), ELR_EL1: PC } },
    },

    // ---- Exception return
    {
      name: 'ERET to EL0t',
      asm: 'eret',
      words: [0xd69f03e0],
      setup: { sysregs: { ELR_EL1: PC + 0x100n, SPSR_EL1: 0n } },
      steps: 1,
      expect: { pc: PC + 0x100n, pstate: 0n },
    },
    {
      name: 'ERET restores NZCV and DAIF from SPSR_EL1',
      asm: 'eret',
      words: [0xd69f03e0],
      setup: { sysregs: { ELR_EL1: PC + 0x40n, SPSR_EL1: 0xa000_0005n } },
      steps: 1,
      expect: { pc: PC + 0x40n, pstate: 0xa000_0005n },
    },
    {
      name: 'ERET to EL1t then SP is SP_EL0',
      asm: 'eret; mov x0, sp',
      words: [0xd69f03e0, 0x910003e0],
      setup: { sysregs: { ELR_EL1: PC + 4n, SPSR_EL1: 0x3c4n } },
      steps: 2,
      expect: { pc: PC + 8n, regs: { x0: BigInt(SP_EL0_TOP) }, pstate: 0x3c4n },
    },
    {
      name: 'illegal ERET to EL2 sets PSTATE.IL; the next instruction takes an Illegal State exception',
      asm: 'eret; nop; nop',
      words: [0xd69f03e0, 0xd503201f, 0xd503201f],
      setup: { sysregs: { ELR_EL1: PC + 8n, SPSR_EL1: 0x3c9n } },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.ILLEGAL_STATE), ELR_EL1: PC + 8n, SPSR_EL1: PS.IL | 0x3c5n },
      },
    },
    {
      name: 'SVC handler reads ESR_EL1 and ERETs back (round trip at EL1)',
      asm: 'svc #7; movz x0, #1; hvc #0',
      words: [0xd40000e1, 0xd2800020, 0xd4000002],
      setup: {
        nzcv: 0b1010,
        sysregs: { VBAR_EL1: BigInt(ALT_VECTORS) },
        code: [{ at: ALT_VECTORS + VEC.CUR_SPX_SYNC, asm: 'mrs x5, esr_el1; eret', words: [0xd5385205, 0xd69f03e0] }],
      },
      expect: {
        exit: { kind: 'hvc', imm: 0 },
        pc: PC + 12n,
        regs: { x0: 1n, x5: esr(EC.SVC64, 7) },
        pstate: 0xa000_03c5n,
        sysregs: { ELR_EL1: PC + 4n, SPSR_EL1: 0xa000_03c5n },
      },
    },
    {
      name: 'EL0 SVC returns to EL0; the following UDF is taken to EL1',
      asm: 'svc #3; udf #0',
      words: [0xd4000061, 0x00000000],
      setup: {
        ...EL0,
        sysregs: { VBAR_EL1: BigInt(ALT_VECTORS) },
        code: [
          {
            at: ALT_VECTORS + VEC.LOWER64_SYNC,
            asm: 'mrs x5, esr_el1; lsr x6, x5, #26; cmp x6, #0x15; b.ne .+8; eret; hvc #0x77',
            words: [0xd5385205, 0xd35afca6, 0xf10054df, 0x54000041, 0xd69f03e0, 0xd4000ee2],
          },
        ],
      },
      expect: {
        exit: { kind: 'hvc', imm: 0x77 },
        pc: BigInt(ALT_VECTORS + VEC.LOWER64_SYNC + 24),
        regs: { x5: UNDEF, x6: 0n },
        pstate: 0x8000_03c5n,
        sysregs: { ELR_EL1: PC + 4n, SPSR_EL1: 0n },
      },
    },

    // ---- Exceptions injected by the EL2 side (core/src/cpu.ts InjectedException)
    {
      name: 'injected UNDEF is taken before the next instruction',
      asm: 'nop',
      words: [0xd503201f],
      setup: { host: [{ op: 'inject', exception: { kind: 'undef' } }] },
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: UNDEF, ELR_EL1: PC, SPSR_EL1: 0x3c5n } },
    },
    {
      name: 'injected data abort (write) at EL1: EC 0x25, DFSC 0x10, WnR, FAR',
      asm: 'nop',
      words: [0xd503201f],
      setup: { host: [{ op: 'inject', exception: { kind: 'dataAbort', va: 0x1234n, write: true } }] },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.DABT_CUR, 0x50), FAR_EL1: 0x1234n, ELR_EL1: PC, SPSR_EL1: 0x3c5n },
        exceptions: [{ type: 'sync', esr: esr(EC.DABT_CUR, 0x50), far: 0x1234n, elr: PC }],
      },
    },
    {
      name: 'injected data abort (read) from EL0: EC 0x24',
      asm: 'nop',
      words: [0xd503201f],
      setup: { ...EL0, host: [{ op: 'inject', exception: { kind: 'dataAbort', va: 0x4242_0000n, write: false } }] },
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.DABT_LOWER, 0x10), FAR_EL1: 0x4242_0000n, ELR_EL1: PC, SPSR_EL1: 0n },
      },
    },
    {
      name: 'injected prefetch abort at EL1: EC 0x21, IFSC 0x10, FAR',
      asm: 'nop',
      words: [0xd503201f],
      setup: { host: [{ op: 'inject', exception: { kind: 'prefetchAbort', va: PC } }] },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.IABT_CUR, 0x10), FAR_EL1: PC, ELR_EL1: PC },
      },
    },
    {
      name: 'injected SError waits while PSTATE.A is set, then is taken to 0x380',
      asm: 'nop; nop; msr daifclr, #4; nop',
      words: [0xd503201f, 0xd503201f, 0xd50344ff, 0xd503201f],
      setup: { host: [{ op: 'inject', exception: { kind: 'serror', iss: 0x123 } }] },
      steps: 2,
      expect: { pc: PC + 8n },
      next: [
        {
          run: 100,
          expect: {
            ...took(VEC.CUR_SPX_SERROR),
            sysregs: { ESR_EL1: esr(EC.SERROR, 0x123), ELR_EL1: PC + 12n, SPSR_EL1: 0x2c5n },
          },
        },
      ],
    },
    {
      name: 'injected SError from EL0 (A clear) is taken at once to 0x580',
      asm: 'nop',
      words: [0xd503201f],
      setup: { ...EL0, host: [{ op: 'inject', exception: { kind: 'serror', iss: 0x42 } }] },
      expect: {
        ...took(VEC.LOWER64_SERROR),
        sysregs: { ESR_EL1: esr(EC.SERROR, 0x42), ELR_EL1: PC, SPSR_EL1: 0n },
      },
    },

    // ---- Interrupts
    {
      name: 'IRQ line high while masked: not taken until DAIFClr; ESR_EL1 not written',
      asm: 'nop; nop; msr daifclr, #2; nop',
      words: [0xd503201f, 0xd503201f, 0xd50342ff, 0xd503201f],
      setup: { sysregs: { ESR_EL1: ESR_SENTINEL }, host: [{ op: 'irq', level: true }] },
      steps: 2,
      expect: { pc: PC + 8n, pendingInterrupt: true },
      next: [
        {
          run: 100,
          expect: {
            ...took(VEC.CUR_SPX_IRQ),
            sysregs: { ESR_EL1: ESR_SENTINEL, ELR_EL1: PC + 12n, SPSR_EL1: 0x345n },
          },
        },
      ],
    },
    {
      name: 'IRQ from EL0 → lower EL IRQ (0x480) before the first instruction',
      asm: 'nop',
      words: [0xd503201f],
      setup: { ...EL0, host: [{ op: 'irq', level: true }] },
      expect: {
        ...took(VEC.LOWER64_IRQ),
        sysregs: { ELR_EL1: PC, SPSR_EL1: 0n },
        exceptions: [{ type: 'irq', fromEl: 0, toEl: 1, esr: 0n, elr: PC, vector: BigInt(VECTORS + VEC.LOWER64_IRQ) }],
      },
    },
    {
      name: 'IRQ at EL1t → current EL SP0 IRQ (0x080)',
      asm: 'nop',
      words: [0xd503201f],
      setup: { pstate: 0x344n, host: [{ op: 'irq', level: true }] },
      expect: { ...took(VEC.CUR_SP0_IRQ), sysregs: { ELR_EL1: PC, SPSR_EL1: 0x344n } },
    },
    {
      name: 'FIQ at EL1h with F clear → 0x300',
      asm: 'nop',
      words: [0xd503201f],
      setup: { pstate: 0x385n, host: [{ op: 'fiq', level: true }] },
      expect: { ...took(VEC.CUR_SPX_FIQ), sysregs: { ELR_EL1: PC, SPSR_EL1: 0x385n } },
    },
    {
      name: 'WFI with a masked IRQ pending does not wait and does not take the IRQ',
      asm: 'wfi; hvc #5',
      words: [0xd503207f, 0xd40000a2],
      setup: { host: [{ op: 'irq', level: true }] },
      resumeOn: ['wfi'],
      expect: { exit: { kind: 'hvc', imm: 5 }, pc: PC + 8n, pendingInterrupt: true },
    },
    {
      name: 'a deasserted IRQ line is not taken',
      asm: 'msr daifclr, #2; nop',
      words: [0xd50342ff, 0xd503201f],
      setup: {
        host: [
          { op: 'irq', level: true },
          { op: 'irq', level: false },
        ],
      },
      expect: { pstate: 0x345n, pendingInterrupt: false },
    },

    // ---- Alignment faults. SP alignment checking (D1.8.2) and the Device-memory alignment rule
    // with the MMU off (B2.5.2, D8.2) are architectural; QEMU 7.2 implements neither.
    {
      name: 'PC alignment fault at EL1: EC 0x22, FAR = ELR = the misaligned PC',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: { regs: { x1: PC + 2n } },
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: esr(EC.PC_ALIGN), FAR_EL1: PC + 2n, ELR_EL1: PC + 2n } },
    },
    {
      name: 'PC alignment fault from EL0',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: { ...EL0, regs: { x1: PC + 0x101n } },
      expect: {
        ...took(VEC.LOWER64_SYNC),
        sysregs: { ESR_EL1: esr(EC.PC_ALIGN), FAR_EL1: PC + 0x101n, ELR_EL1: PC + 0x101n },
      },
    },
    {
      name: 'SP alignment fault at EL1 with SCTLR_EL1.SA = 1: EC 0x26',
      asm: 'ldr x0, [sp]',
      words: [0xf94003e0],
      setup: { regs: { sp_el1: BigInt(SP_EL1_TOP - 8) }, sysregs: { SCTLR_EL1: SCTLR_DEFAULT | SCTLR.SA } },
      expect: { ...took(VEC.CUR_SPX_SYNC), sysregs: { ESR_EL1: esr(EC.SP_ALIGN), ELR_EL1: PC } },
    },
    {
      name: 'SP alignment is checked on the access, not on the arithmetic',
      asm: 'add sp, sp, #8; ldr x0, [sp]',
      words: [0x910023ff, 0xf94003e0],
      setup: { sysregs: { SCTLR_EL1: SCTLR_DEFAULT | SCTLR.SA } },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        regs: { sp_el1: BigInt(SP_EL1_TOP + 8) },
        sysregs: { ESR_EL1: esr(EC.SP_ALIGN), ELR_EL1: PC + 4n },
      },
    },
    {
      name: 'no SP alignment fault with SCTLR_EL1.SA = 0',
      asm: 'ldr x0, [sp]',
      words: [0xf94003e0],
      setup: { regs: { sp_el1: BigInt(SP_EL1_TOP - 8) }, mem: [{ at: SP_EL1_TOP - 8, u64: [0x5150n] }] },
      expect: { regs: { x0: 0x5150n } },
    },
    {
      name: 'SP alignment checks the base SP, not base + offset (aligned SP, offset 8: no fault)',
      asm: 'ldr x0, [sp, #8]',
      words: [0xf94007e0],
      setup: { sysregs: { SCTLR_EL1: SCTLR_DEFAULT | SCTLR.SA }, mem: [{ at: SP_EL1_TOP + 8, u64: [0x5151n] }] },
      expect: { regs: { x0: 0x5151n } },
    },
    {
      name: 'SP alignment fault from EL0 with SCTLR_EL1.SA0 = 1 (misaligned base, aligned address)',
      asm: 'ldr x0, [sp, #8]',
      words: [0xf94007e0],
      setup: { ...EL0, regs: { sp_el0: BigInt(SP_EL0_TOP - 8) }, sysregs: { SCTLR_EL1: SCTLR_DEFAULT | SCTLR.SA0 } },
      expect: { ...took(VEC.LOWER64_SYNC), sysregs: { ESR_EL1: esr(EC.SP_ALIGN), ELR_EL1: PC } },
    },
    {
      name: 'unaligned load with the MMU off (Device memory) → alignment fault, DFSC 0x21',
      asm: 'ldr x0, [x1]',
      words: [0xf9400020],
      setup: { regs: { x1: BigInt(DATA + 4) } },
      expect: {
        ...took(VEC.CUR_SPX_SYNC),
        sysregs: { ESR_EL1: esr(EC.DABT_CUR, 0x21), FAR_EL1: BigInt(DATA + 4), ELR_EL1: PC },
      },
    },
  ],
};
