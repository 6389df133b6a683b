/**
 * System instructions at EL1 (Arm ARM DDI 0487 C5.2 "Special-purpose registers", C5.3 "A64
 * System instructions", C6.2 MRS/MSR/hints/barriers) and the instruction-counted generic timer
 * (D11 "The Generic Timer in AArch64 state"; team decision: CNTFRQ_EL0 = 62.5 MHz and the count
 * is floor(time / 16), time = retired + warped instructions, core/src/cpu.ts).
 *
 * Timer convention checked here: an MRS of CNTVCT_EL0/CNTPCT_EL0 that is the k-th instruction
 * (0-based) of a fresh CPU warped by W reads floor((W + k) / 16): the instruction itself has not
 * retired when it samples the counter.
 */
import { COUNTER_FREQUENCY_HZ } from '../../cpu.js';
import { CODE, DATA, masked, PS, PSTATE_DEFAULT, SP_EL0_TOP, U64_MAX } from '../env.js';
import type { CaseGroup } from '../types.js';

const PC = BigInt(CODE);

export const system: CaseGroup = {
  name: 'system instructions',
  ref: 'Arm ARM C5.2, C5.3, C6.2 (MRS, MSR, hints, barriers), D11 generic timer',
  cases: [
    // ---- NZCV, DAIF, SPSel, CurrentEL, PAN
    {
      name: 'MRS NZCV',
      asm: 'mrs x0, nzcv',
      words: [0xd53b4200],
      setup: { nzcv: 0b1010 },
      expect: { regs: { x0: 0xa000_0000n } },
    },
    {
      name: 'MSR NZCV',
      asm: 'msr nzcv, x1',
      words: [0xd51b4201],
      setup: { regs: { x1: 0x6000_0000n } },
      expect: { nzcv: 0b0110 },
    },
    {
      name: 'MSR NZCV ignores the other bits of Xt',
      asm: 'msr nzcv, x1',
      words: [0xd51b4201],
      setup: { regs: { x1: U64_MAX } },
      expect: { pstate: 0xf000_0000n | PSTATE_DEFAULT },
    },
    {
      name: 'MRS DAIF',
      asm: 'mrs x0, daif',
      words: [0xd53b4220],
      expect: { regs: { x0: 0x3c0n } },
    },
    {
      name: 'MSR DAIF writes bits 9:6 only',
      asm: 'msr daif, x1',
      words: [0xd51b4221],
      setup: { regs: { x1: 0xffff_ffff_ffff_fd7fn } },
      expect: { pstate: PS.A | PS.F | PS.EL1h },
    },
    {
      name: 'MSR DAIFClr #0xf',
      asm: 'msr daifclr, #0xf',
      words: [0xd5034fff],
      expect: { pstate: PS.EL1h },
    },
    {
      name: 'MSR DAIFClr #2 clears I only',
      asm: 'msr daifclr, #2',
      words: [0xd50342ff],
      expect: { pstate: PS.D | PS.A | PS.F | PS.EL1h },
    },
    {
      name: 'MSR DAIFSet #5 sets A and F',
      asm: 'msr daifset, #5',
      words: [0xd50345df],
      setup: { pstate: PS.EL1h },
      expect: { pstate: PS.A | PS.F | PS.EL1h },
    },
    {
      name: 'MRS SPSel',
      asm: 'mrs x0, spsel',
      words: [0xd5384200],
      expect: { regs: { x0: 1n } },
    },
    {
      name: 'MSR SPSel #0 switches SP to SP_EL0',
      asm: 'msr spsel, #0; mov x0, sp',
      words: [0xd50040bf, 0x910003e0],
      expect: { regs: { x0: BigInt(SP_EL0_TOP) }, pstate: PS.DAIF | PS.EL1t },
    },
    {
      name: 'MSR SPSel, Xt',
      asm: 'msr spsel, x1',
      words: [0xd5184201],
      setup: { regs: { x1: 0n } },
      expect: { pstate: PS.DAIF | PS.EL1t },
    },
    {
      name: 'MRS CurrentEL',
      asm: 'mrs x0, currentel',
      words: [0xd5384240],
      expect: { regs: { x0: 4n } },
    },
    {
      name: 'MSR PAN #1 / MRS PAN',
      asm: 'msr pan, #1; mrs x0, pan',
      words: [0xd500419f, 0xd5384260],
      expect: { regs: { x0: PS.PAN }, pstate: PS.PAN | PSTATE_DEFAULT },
    },

    // ---- Thread ID and other plain EL1 registers
    {
      name: 'MSR/MRS TPIDR_EL0',
      asm: 'msr tpidr_el0, x1; mrs x0, tpidr_el0',
      words: [0xd51bd041, 0xd53bd040],
      setup: { regs: { x1: 0x1234_5678_9abc_def0n } },
      expect: { regs: { x0: 0x1234_5678_9abc_def0n }, sysregs: { TPIDR_EL0: 0x1234_5678_9abc_def0n } },
    },
    {
      name: 'MSR/MRS TPIDR_EL1',
      asm: 'msr tpidr_el1, x1; mrs x0, tpidr_el1',
      words: [0xd518d081, 0xd538d080],
      setup: { regs: { x1: 0xfedc_ba98_7654_3210n } },
      expect: { regs: { x0: 0xfedc_ba98_7654_3210n }, sysregs: { TPIDR_EL1: 0xfedc_ba98_7654_3210n } },
    },
    {
      name: 'MSR/MRS TPIDRRO_EL0 at EL1',
      asm: 'msr tpidrro_el0, x1; mrs x0, tpidrro_el0',
      words: [0xd51bd061, 0xd53bd060],
      setup: { regs: { x1: 0x77n } },
      expect: { regs: { x0: 0x77n }, sysregs: { TPIDRRO_EL0: 0x77n } },
    },
    {
      name: 'MSR TPIDR_EL0, XZR writes 0',
      asm: 'msr tpidr_el0, xzr',
      words: [0xd51bd05f],
      setup: { sysregs: { TPIDR_EL0: 5n } },
      expect: { sysregs: { TPIDR_EL0: 0n } },
    },
    {
      name: 'MRS of a register the host set',
      asm: 'mrs x0, tpidr_el1',
      words: [0xd538d080],
      setup: { sysregs: { TPIDR_EL1: 0xabcn } },
      expect: { regs: { x0: 0xabcn } },
    },
    {
      name: 'MSR/MRS SP_EL0 at EL1h',
      asm: 'msr sp_el0, x1; mrs x0, sp_el0',
      words: [0xd5184101, 0xd5384100],
      setup: { regs: { x1: 0x4002_8000n } },
      expect: { regs: { x0: 0x4002_8000n, sp_el0: 0x4002_8000n } },
    },
    {
      name: 'MSR/MRS ELR_EL1, SPSR_EL1',
      asm: 'msr elr_el1, x1; msr spsr_el1, x2; mrs x3, elr_el1; mrs x4, spsr_el1',
      words: [0xd5184021, 0xd5184002, 0xd5384023, 0xd5384004],
      setup: { regs: { x1: PC + 0x40n, x2: 0x6000_03c5n } },
      expect: {
        regs: { x3: PC + 0x40n, x4: 0x6000_03c5n },
        sysregs: { ELR_EL1: PC + 0x40n, SPSR_EL1: 0x6000_03c5n },
      },
    },
    {
      name: 'MSR/MRS VBAR_EL1',
      asm: 'msr vbar_el1, x1; mrs x0, vbar_el1',
      words: [0xd518c001, 0xd538c000],
      setup: { regs: { x1: 0x4000_0800n } },
      expect: { regs: { x0: 0x4000_0800n }, sysregs: { VBAR_EL1: 0x4000_0800n } },
    },

    // ---- Identification (team decisions: Cortex-A57 r1p0 MIDR, MPIDR Aff0 = index with bit 31
    // RES1, FP/AdvSIMD absent, no LSE atomics, no pointer authentication)
    {
      name: 'MRS MIDR_EL1 (Cortex-A57 r1p0 by default)',
      asm: 'mrs x0, midr_el1',
      words: [0xd5380000],
      expect: { regs: { x0: 0x411f_d070n } },
    },
    {
      name: 'MRS MPIDR_EL1 (CPU 0)',
      asm: 'mrs x0, mpidr_el1',
      words: [0xd53800a0],
      expect: { regs: { x0: masked(0x8000_0000n, 0xff_ffff_ffffn) } },
    },
    {
      name: 'MRS ID_AA64PFR0_EL1: FP and AdvSIMD not implemented (0xF)',
      asm: 'mrs x0, id_aa64pfr0_el1',
      words: [0xd5380400],
      expect: { regs: { x0: masked(0xff_0000n, 0xff_0000n) } },
    },
    {
      name: 'MRS ID_AA64ISAR0_EL1: no LSE atomics',
      asm: 'mrs x0, id_aa64isar0_el1',
      words: [0xd5380600],
      expect: { regs: { x0: masked(0n, 0xf0_0000n) } },
    },
    {
      name: 'MRS ID_AA64ISAR1_EL1: no pointer authentication',
      asm: 'mrs x0, id_aa64isar1_el1',
      words: [0xd5380620],
      expect: { regs: { x0: masked(0n, 0xff00_0ff0n) } },
    },

    // ---- Generic timer
    {
      name: 'MRS CNTFRQ_EL0 is 62.5 MHz',
      asm: 'mrs x0, cntfrq_el0',
      words: [0xd53be000],
      expect: { regs: { x0: BigInt(COUNTER_FREQUENCY_HZ) } },
    },
    {
      name: 'CNTVCT_EL0 counts retired instructions / 16',
      asm: 'mrs x0, cntvct_el0; .rept 14; nop; .endr; mrs x1, cntvct_el0; mrs x2, cntvct_el0',
      words: [
        0xd53be040, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f,
        0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd53be041, 0xd53be042,
      ],
      setup: { host: [{ op: 'warp', insns: 160 }] },
      expect: { regs: { x0: 10n, x1: 10n, x2: 11n } },
    },
    {
      name: 'CNTPCT_EL0 equals CNTVCT_EL0 with CNTVOFF_EL2 = 0',
      asm: 'mrs x0, cntpct_el0; mrs x1, cntvct_el0',
      words: [0xd53be020, 0xd53be041],
      setup: { sysregs: { CNTVOFF_EL2: 0n }, host: [{ op: 'warp', insns: 16 * 1000 - 1 }] },
      expect: { regs: { x0: 999n, x1: 1000n } },
    },
    {
      name: 'CNTVCT_EL0 = CNTPCT_EL0 - CNTVOFF_EL2',
      asm: 'mrs x0, cntpct_el0; mrs x1, cntvct_el0',
      words: [0xd53be020, 0xd53be041],
      setup: { sysregs: { CNTVOFF_EL2: 3n }, host: [{ op: 'warp', insns: 160 }] },
      expect: { regs: { x0: 10n, x1: 7n } },
    },

    {
      name: 'virtual timer: the output rises when CNTVCT_EL0 reaches CNTV_CVAL_EL0; timerDeadline counts down',
      asm: 'nop; nop; nop; nop',
      words: [0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f],
      setup: { sysregs: { CNTV_CVAL_EL0: 100n, CNTV_CTL_EL0: 1n } },
      expect: { timers: { phys: false, virt: false, deadline: 100 * 16 - 4 } },
      next: [
        { host: [{ op: 'warp', insns: 100 * 16 - 5 }], expect: { timers: { virt: false, deadline: 1 } } },
        {
          host: [{ op: 'warp', insns: 1 }],
          expect: { timers: { virt: true, deadline: Number.POSITIVE_INFINITY }, sysregs: { CNTV_CTL_EL0: 0b101n } },
        },
      ],
    },
    {
      name: 'virtual timer: IMASK hides the output, ISTATUS is still set',
      asm: 'nop',
      words: [0xd503201f],
      setup: { sysregs: { CNTV_CVAL_EL0: 0n, CNTV_CTL_EL0: 0b011n } },
      expect: { timers: { virt: false }, sysregs: { CNTV_CTL_EL0: 0b111n } },
    },
    {
      name: 'physical timer: writing CNTP_TVAL_EL0 sets CNTP_CVAL_EL0 = CNTPCT_EL0 + TVAL',
      asm: 'msr cntp_tval_el0, x1; msr cntp_ctl_el0, x2',
      words: [0xd51be201, 0xd51be222],
      setup: { regs: { x1: 5n, x2: 1n }, host: [{ op: 'warp', insns: 160 }] },
      expect: {
        sysregs: { CNTP_CVAL_EL0: 15n, CNTP_CTL_EL0: 1n },
        timers: { phys: false, virt: false, deadline: 15 * 16 - 162 },
      },
    },
    {
      name: 'physical timer: a negative TVAL (32-bit signed) is already expired',
      asm: 'msr cntp_tval_el0, x1; msr cntp_ctl_el0, x2',
      words: [0xd51be201, 0xd51be222],
      setup: { regs: { x1: 0xffff_ffff_ffff_ffffn, x2: 1n }, host: [{ op: 'warp', insns: 160 }] },
      expect: { sysregs: { CNTP_CVAL_EL0: 9n, CNTP_CTL_EL0: 0b101n }, timers: { phys: true } },
    },
    {
      name: 'CNTV_TVAL_EL0 reads (CVAL - CNTVCT)[31:0]',
      asm: 'mrs x0, cntv_tval_el0',
      words: [0xd53be300],
      setup: { sysregs: { CNTV_CVAL_EL0: 8n }, host: [{ op: 'warp', insns: 160 }] },
      expect: { regs: { x0: 0xffff_fffen } },
    },

    // ---- Hints, barriers, cache maintenance and prefetch: no architectural effect here
    {
      name: 'hints and barriers retire as NOPs',
      asm: 'nop; yield; sev; sevl; isb; dsb sy; dmb ish; dsb ishst; csdb; hint #0x7f',
      words: [
        0xd503201f, 0xd503203f, 0xd503209f, 0xd50320bf, 0xd5033fdf, 0xd5033f9f, 0xd5033bbf, 0xd5033a9f, 0xd503229f,
        0xd5032fff,
      ],
      expect: {},
    },
    {
      name: 'PAuth hint-space instructions are NOPs without FEAT_PAuth (PACIASP, AUTIASP)',
      asm: 'hint #25; hint #29',
      words: [0xd503233f, 0xd50323bf],
      setup: { regs: { x30: PC } },
      expect: {},
    },
    {
      name: 'PRFM never faults, even on unmapped addresses',
      asm: 'prfm pldl1keep, [x1]; prfm pstl2strm, [x1, x2]; prfm plil3keep, [x2, #8]',
      words: [0xf9800020, 0xf8a26833, 0xf980044c],
      setup: { regs: { x1: 0x9_0000_0000n, x2: 0xffff_0000_0000_0000n } },
      expect: {},
    },
    {
      name: 'cache maintenance on RAM (DC CIVAC, DC CVAU, IC IVAU, IC IALLU) retires',
      asm: 'dc civac, x1; dc cvau, x1; ic ivau, x1; ic iallu; dsb ish; isb',
      words: [0xd50b7e21, 0xd50b7b21, 0xd50b7521, 0xd508751f, 0xd5033b9f, 0xd5033fdf],
      setup: { regs: { x1: BigInt(DATA) } },
      expect: {},
    },
    {
      name: 'CLREX without a reservation',
      asm: 'clrex',
      words: [0xd5033f5f],
      expect: {},
    },
  ],
};
