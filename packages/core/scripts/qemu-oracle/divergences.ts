/**
 * Where the conformance cases knowingly disagree with QEMU 7.2, and the cases that need another
 * `-cpu` model to be comparable at all.
 *
 * Each allow-list entry names one case, the compareState() keys that differ (sorted; the test
 * fails if QEMU differs in other fields, or agrees), why, and the references: the Arm ARM
 * (DDI 0487) behaviour the case follows or the team decision it encodes, and the QEMU source
 * that behaves otherwise (QEMU 7.2 file paths; later releases moved target/arm TCG files into
 * target/arm/tcg/). Keep entries only for behaviour QEMU does not share; a case that is wrong
 * is fixed in src/conformance/cases, not listed here.
 */
import type { QemuCpu } from './plan.js';

export interface KnownDivergence {
  readonly group: string;
  readonly name: string;
  /** compareState() keys that differ in the first differing phase, sorted. */
  readonly differs: readonly string[];
  readonly reason: string;
  /** What the case follows: Arm ARM section or team decision. */
  readonly arm: string;
  /** Where QEMU does otherwise. */
  readonly qemu: string;
}

const EXC = 'exception entry and return';

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [
  {
    group: 'system instructions',
    name: 'MRS ID_AA64PFR0_EL1: FP and AdvSIMD not implemented (0xF)',
    differs: ['x0'],
    reason:
      'hvlab implements neither FP nor AdvSIMD (team decision), so both ID fields read 0xF; QEMU’s Cortex-A57 has both (0x0).',
    arm: 'team decision (team.md: FP/SIMD absent, ID fields 0xF); DDI 0487 D17.2 ID_AA64PFR0_EL1.FP [19:16], AdvSIMD [23:20]',
    qemu: 'target/arm/cpu64.c aarch64_a57_initfn: isar.id_aa64pfr0 = 0x00002222',
  },
  {
    group: EXC,
    name: 'FADD is UNDEFINED (FP absent, team decision)',
    differs: ['ESR_EL1'],
    reason:
      'hvlab has no FP, so FADD is UNDEFINED (EC 0x00). QEMU implements FP; with CPACR_EL1.FPEN = 0 (its reset value) FADD traps as an FP access (EC 0x07, ESR 0x1fe00000).',
    arm: 'team decision (team.md: FP/SIMD absent, UNDEF); DDI 0487 C7.2 FADD (scalar), D17.2 CPACR_EL1.FPEN, D17.2.37 ESR_EL1 EC 0x00/0x07',
    qemu: 'target/arm/translate-a64.c fp_access_check(): syn_fp_access_trap() when FPEN traps',
  },
  {
    group: 'system instructions',
    name: 'hints and barriers retire as NOPs',
    differs: ['pc'],
    reason:
      'A QEMU stepping artefact, not an architectural difference: a gdbstub single step over YIELD executes two instructions (checked: stepping `yield; nop` once ends 8 bytes on), so the 10-step budget runs past the code into a zero word (UDF, vector 0x200).',
    arm: 'DDI 0487 C6.2 YIELD: a hint, executes as a NOP here',
    qemu: 'target/arm/translate-a64.c handle_hint(): YIELD ends the TB with DISAS_YIELD (EXCP_YIELD), which the single-step exit path does not stop after',
  },
  {
    group: EXC,
    name: 'SVC from EL1h → current EL with SPx (0x200)',
    differs: ['nzcv'],
    reason: 'Exception entry leaves PSTATE.{N,Z,C,V} unchanged in the Arm pseudocode; QEMU clears them.',
    arm: 'DDI 0487 J1 AArch64.TakeException(): writes PSTATE.{EL,SP,D,A,I,F,IL,SS,...}, not NZCV',
    qemu: 'target/arm/helper.c arm_cpu_do_interrupt_aarch64(): pstate_write(env, PSTATE_DAIF | new_mode)',
  },
  {
    group: EXC,
    name: 'SVC from EL0 → lower EL AArch64 (0x400)',
    differs: ['nzcv'],
    reason: 'As above: QEMU clears NZCV on exception entry; the pseudocode keeps them.',
    arm: 'DDI 0487 J1 AArch64.TakeException()',
    qemu: 'target/arm/helper.c arm_cpu_do_interrupt_aarch64(): pstate_write(env, PSTATE_DAIF | new_mode)',
  },
  {
    group: EXC,
    name: 'MSR DAIFSet at EL0 with SCTLR_EL1.UMA = 0 traps with EC 0x18 (Op0 0, Op1 3, CRn 4, CRm imm, Op2 6, Rt 31)',
    differs: ['ESR_EL1'],
    reason:
      'QEMU 7.2 builds the EC 0x18 syndrome with Op1 and Op2 swapped (ISS Op2 = 3, Op1 = 6: ESR 0x620793e4 instead of 0x620cd3e4).',
    arm: 'DDI 0487 C5.2 DAIFSet (op1 = 3, op2 = 6); D17.2.37 ESR_EL1 ISS for EC 0x18 (Op2 [19:17], Op1 [16:14])',
    qemu: 'target/arm/helper-a64.c daif_check(): syn_aa64_sysregtrap(0, extract32(op, 0, 3), extract32(op, 3, 3), ...) passes op2 as op1',
  },
  ...[
    'SP alignment fault at EL1 with SCTLR_EL1.SA = 1: EC 0x26',
    'SP alignment is checked on the access, not on the arithmetic',
    'SP alignment fault from EL0 with SCTLR_EL1.SA0 = 1 (misaligned base, aligned address)',
  ].map(
    (name): KnownDivergence => ({
      group: EXC,
      name,
      differs: ['ELR_EL1', 'ESR_EL1', 'x0'],
      reason: 'QEMU does not implement SP alignment checking: the load completes (then the code runs off its end).',
      arm: 'DDI 0487 D1.8.2 SP alignment checking (SCTLR_EL1.SA/SA0); D17.2.37 ESR_EL1 EC 0x26',
      qemu: 'target/arm/translate-a64.c gen_check_sp_alignment(): an empty hook ("we omit these checks for the sake of guest program performance")',
    }),
  ),
  {
    group: EXC,
    name: 'unaligned load with the MMU off (Device memory) → alignment fault, DFSC 0x21',
    differs: ['ELR_EL1', 'ESR_EL1', 'FAR_EL1', 'x0'],
    reason:
      'With stage 1 disabled data accesses are Device-nGnRnE, and an unaligned Device access is an Alignment fault; QEMU 7.2 only checks alignment by memory type from QEMU 9.0 on.',
    arm: 'DDI 0487 D8.2 (stage 1 disabled: data accesses are Device-nGnRnE), B2.5.2 (unaligned Device accesses fault); DFSC 0b100001',
    qemu: 'missing in 7.2; added by commit 59754f85ed3 "target/arm: Do memory type alignment check when translation disabled" (QEMU 9.0)',
  },
  {
    group: 'stage 2',
    name: 'stage-1 table walk faulting at stage 2 → s1ptw (ISV = 0, S1PTW = 1)',
    differs: ['exit'],
    reason:
      'For a stage-2 fault on a stage-1 descriptor fetch QEMU 7.2 reports the stage-1 lookup level in the DFSC (level 1, ESR_EL2 0x92000085); the architecture reports the level of the stage-2 lookup that faulted (level 2, 0x92000086).',
    arm: 'DDI 0487 J1 AArch64.S1Walk(): descriptors are fetched through stage 2 and a stage-2 fault is returned as is (its level, with S1PTW set)',
    qemu: 'target/arm/ptw.c get_phys_addr_lpae(): the do_fault path sets fi->level = level (the stage-1 level) after S1_ptw_translate() failed',
  },
];

export interface CpuOverride {
  readonly group: string;
  readonly name: string;
  readonly cpu: QemuCpu;
  readonly reason: string;
}

/** Cases run on another `-cpu` model, because Cortex-A57 lacks a feature hvlab implements. */
export const CPU_OVERRIDES: readonly CpuOverride[] = [
  ...[
    ['system instructions', 'MSR PAN #1 / MRS PAN'],
    [
      'stage-1 MMU (4 KiB granule)',
      'EL1 load from an EL0-accessible page with PSTATE.PAN = 1: permission fault (SPAN = 1 keeps PAN)',
    ],
    ['stage-1 MMU (4 KiB granule)', 'LDTR at EL1 is checked as EL0 and ignores PAN'],
  ].map(
    ([group, name]): CpuOverride => ({
      group: group!,
      name: name!,
      cpu: 'max',
      reason:
        'needs FEAT_PAN (Armv8.1, DDI 0487 D8.4), which QEMU’s cortex-a57 lacks (ID_AA64MMFR1_EL1.PAN = 0; PSTATE.PAN is RES0 there)',
    }),
  ),
];
