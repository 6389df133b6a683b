/**
 * The Exit union: why Cpu.run() returned.
 *
 * Exits are what hardware would hand to EL2/EL3. Exceptions that target EL1 never appear here:
 * the backend delivers them through VBAR_EL1 itself.
 *
 * Where the PC points when run() returns (mirrors the preferred return address the Arm ARM gives
 * for each exception class, D1.10.2):
 *   hvc, smc          PC = the instruction after HVC/SMC (the call has completed; the handler
 *                     writes results into X0..X17 and resumes).
 *   sysreg, mmio      PC = the trapped instruction. Complete it with Cpu.completeSysRegRead /
 *                     Cpu.completeMmioRead (which write Rt and step), or Cpu.skipInstruction
 *                     for writes, or inject an exception instead.
 *   stage2Fault, gpf  PC = the faulting instruction (resuming retries it).
 *   wfi, wfe          PC = the instruction after WFI/WFE (the wait has been entered).
 *   budget            PC = the next instruction to execute.
 *   breakpoint        PC = the breakpoint address, not yet executed.
 */
import type { Ipa, Pa, Va } from './addr.js';
import type { SysRegId } from './sysregs.js';

export type AccessKind = 'read' | 'write' | 'exec';
export type AccessSize = 1 | 2 | 4 | 8;

export interface HvcExit {
  readonly kind: 'hvc';
  /** The 16-bit immediate of HVC #imm. */
  readonly imm: number;
}

export interface SmcExit {
  readonly kind: 'smc';
  /** The 16-bit immediate of SMC #imm (SMCCC callers use 0). */
  readonly imm: number;
}

/** A trapped MRS/MSR (ESR_ELx.EC = 0x18). */
export interface SysRegExit {
  readonly kind: 'sysreg';
  readonly reg: SysRegId;
  /** true for MRS (the guest reads the register into Rt). */
  readonly isRead: boolean;
  /** 0..30, or 31 for XZR. */
  readonly rt: number;
  /** For MSR: the value written (XZR reads as 0). */
  readonly value: bigint;
  /** ISS-encoded syndrome as ESR_EL2 would hold it (EC 0x18). */
  readonly esr: bigint;
}

export type FaultKind = 'translation' | 'accessFlag' | 'permission' | 'addressSize' | 'externalAbort';

export interface Stage2FaultExit {
  readonly kind: 'stage2Fault';
  readonly ipa: Ipa;
  /** The faulting VA (FAR_EL2), when the architecture says it is valid. */
  readonly va: Va | undefined;
  readonly access: AccessKind;
  readonly fault: FaultKind;
  /** Level of the stage-2 walk at which the fault was found (0..3, or -1). */
  readonly level: number;
  /** The fault happened on a stage-1 table walk access (ESR ISS.S1PTW). */
  readonly s1ptw: boolean;
  /** Syndrome as ESR_EL2 would hold it (EC 0x20/0x24, with ISV/SAS/SSE/SRT/SF/AR when valid). */
  readonly esr: bigint;
}

/**
 * A load or store that reached a physical address with no RAM behind it, from an instruction
 * with a single-register syndrome (ISV = 1). The run loop offers it to the MMIO bus.
 */
export interface MmioExit {
  readonly kind: 'mmio';
  readonly pa: Pa;
  /** The virtual address the instruction used (reported in FAR if the access is aborted). */
  readonly va: Va;
  readonly size: AccessSize;
  readonly isWrite: boolean;
  /**
   * For writes: the bus value, i.e. the `size` bytes as they would sit in memory, read
   * little-endian and zero-extended. For a big-endian store (SCTLR_EL1.EE/E0E) that is the
   * register's value byte-reversed (Arm ARM B2.6); completeMmioRead takes the bus value too.
   */
  readonly data: bigint;
  /** For reads: the target register (31 = XZR, result discarded). */
  readonly rt: number;
  /** For reads: sign-extend the loaded value (LDRSB/LDRSH/LDRSW). */
  readonly signExtend: boolean;
  /** For reads: the target is a 64-bit X register (else W, upper half zeroed). */
  readonly sf: boolean;
}

/** A granule protection fault (Arm CCA; RME): the PA's GPT entry forbids this world. */
export interface GpfExit {
  readonly kind: 'gpf';
  readonly pa: Pa;
  readonly access: AccessKind;
  /** Level of the GPT walk where the fault was found. */
  readonly level: number;
}

export interface WaitExit {
  readonly kind: 'wfi' | 'wfe';
}

export interface BudgetExit {
  readonly kind: 'budget';
}

export interface BreakpointExit {
  readonly kind: 'breakpoint';
  readonly pc: Va;
}

export type Exit =
  | HvcExit
  | SmcExit
  | SysRegExit
  | Stage2FaultExit
  | MmioExit
  | GpfExit
  | WaitExit
  | BudgetExit
  | BreakpointExit;

export type ExitKind = Exit['kind'];

export const EXIT_KINDS: readonly ExitKind[] = [
  'hvc',
  'smc',
  'sysreg',
  'stage2Fault',
  'mmio',
  'gpf',
  'wfi',
  'wfe',
  'budget',
  'breakpoint',
];

/** Saved-for-reuse budget exit: backends may return this singleton. */
export const BUDGET_EXIT: BudgetExit = Object.freeze({ kind: 'budget' });
