/**
 * The Cpu contract: one processing element (or vCPU) executing AArch64 at EL0/EL1.
 *
 * EL2 and EL3 are TypeScript. They configure the CPU through the registers hardware would
 * read (HCR_EL2 trap and routing bits, VTTBR_EL2/VTCR_EL2 for stage 2, CNTVOFF_EL2, VPIDR/VMPIDR),
 * set with setSysReg, and get control back as an Exit from run().
 *
 * Time is instruction-counted: the generic counter reads
 *   floor((retired + warped) / INSNS_PER_COUNTER_TICK)
 * so two runs of the same program see the same counter values.
 */
import type { Exit, HvcExit, SmcExit } from './exit.js';
import type { PhysMem } from './memory.js';
import type { CoreRegId } from './regs.js';
import type { SysRegId } from './sysregs.js';

/** CNTFRQ_EL0 as QEMU's virt machine reports it (62.5 MHz; reference/virt-platform.md 0.2). */
export const COUNTER_FREQUENCY_HZ = 62_500_000;
/** Retired instructions per counter tick: 16 gives a notional 1 GHz instruction rate. */
export const INSNS_PER_COUNTER_TICK = 16;

/** An exception the EL2 side asks the CPU to take at EL1 before its next instruction. */
export type InjectedException =
  /** UNDEFINED instruction at the current PC (ESR EC 0x00). */
  | { kind: 'undef' }
  /** A synchronous external abort on a data access (EC 0x24/0x25, DFSC 0x10), FAR = va. */
  | { kind: 'dataAbort'; va: bigint; write: boolean }
  /** A synchronous external abort on instruction fetch (EC 0x20/0x21, IFSC 0x10), FAR = va. */
  | { kind: 'prefetchAbort'; va: bigint }
  /** An SError interrupt with the given ISS (pending until PSTATE.A allows it). */
  | { kind: 'serror'; iss?: number };

/** A record of an exception taken inside the backend (for tracing; never an exit). */
export interface ExceptionEvent {
  readonly cpu: number;
  /** 'sync' | 'irq' | 'fiq' | 'serror' as the vector offset selects. */
  readonly type: 'sync' | 'irq' | 'fiq' | 'serror';
  readonly fromEl: number;
  readonly toEl: number;
  /** ESR_EL1 value written (0 for interrupts). */
  readonly esr: bigint;
  /** ELR_EL1 value written (the preferred return address). */
  readonly elr: bigint;
  /** FAR_EL1 if written. */
  readonly far: bigint | undefined;
  /** The vector address branched to. */
  readonly vector: bigint;
}

/** What Cpu.onHypercall did with a call (see there). */
export type HypercallAction = 'done' | 'yield' | 'exit';

export interface CpuConfig {
  /** Index of this CPU in its machine (0-based). */
  readonly index: number;
  /** The physical memory every CPU of the machine shares. */
  readonly mem: PhysMem;
  /** MPIDR_EL1 value (Aff fields); default: Aff0 = index, with bit 31 (RES1) set. */
  readonly mpidr?: bigint;
  /** MIDR_EL1 value; default: a Cortex-A57 r1p0 (0x411fd070), as QEMU -cpu cortex-a57. */
  readonly midr?: bigint;
}

export type CpuFactory = (config: CpuConfig) => Cpu;

export interface Cpu {
  readonly index: number;
  readonly mem: PhysMem;

  /**
   * Executes until an exit or until `budget` instructions retire (then a `budget` exit).
   * Never throws on guest input. `budget` must be a positive integer.
   */
  run(budget: number): Exit;

  /** Instructions retired since reset (a safe integer). */
  readonly retired: number;
  /** Local time in instruction-times: retired + warped. The generic counter derives from it. */
  readonly time: number;

  /** Reads a core register (X0..X30, SP_EL0, SP_EL1, PC, PSTATE) as an unsigned 64-bit value. */
  getReg(id: CoreRegId): bigint;
  /** Writes a core register. Throws HvlabError EINVAL for an unknown ID. */
  setReg(id: CoreRegId, value: bigint): void;

  /** Reads a system register. Throws HvlabError ENOENT if the backend does not implement it. */
  getSysReg(id: SysRegId): bigint;
  /** Writes a system register as the EL2/EL3 side (no trap checks). Throws ENOENT as above. */
  setSysReg(id: SysRegId, value: bigint): void;
  /** The system registers this backend implements (for ONE_REG-style listing and snapshots). */
  sysRegList(): readonly SysRegId[];

  /** Completes a pending `sysreg` read exit: writes `value` into Rt and steps past the MRS. */
  completeSysRegRead(value: bigint): void;
  /** Completes a pending `mmio` read exit: writes the (sign-/zero-extended) value to Rt and steps. */
  completeMmioRead(value: bigint): void;
  /** Steps the PC past the current instruction (completing an emulated MSR or MMIO store). */
  skipInstruction(): void;

  /**
   * Puts the PE's EL0/EL1 state in its reset state, as KVM's vCPU reset does before PSCI CPU_ON
   * (linux arch/arm64/kvm/reset.c): X0..X30, SP_EL0, SP_EL1 and PC zero; PSTATE = EL1h with
   * D, A, I, F masked; EL1 system registers at their reset values (SCTLR_EL1 with the MMU and
   * caches off); pending injected exceptions, the exclusive monitor and cached translations
   * discarded. The hypervisor's controls (HCR_EL2, VTTBR_EL2, VTCR_EL2, CNTVOFF_EL2,
   * VPIDR_EL2, VMPIDR_EL2, ...) and `retired`/`time` are kept.
   */
  reset(): void;

  /** Queues an exception to be taken at EL1 before the next instruction. */
  injectException(e: InjectedException): void;

  /** Drives the physical IRQ/FIQ input from the interrupt controller. */
  setInterruptLine(line: 'irq' | 'fiq', level: boolean): void;
  /** True if an unmasked-or-masked interrupt is pending (for WFI wake-up: WFI wakes even if masked). */
  hasPendingInterrupt(): boolean;

  /**
   * Generic-timer outputs (ENABLE && ISTATUS && !IMASK) for the EL1 physical and virtual timers.
   * The platform feeds them to the interrupt controller after each slice.
   */
  timerOutputs(): { phys: boolean; virt: boolean };
  /** Instructions until a timer output next changes with no register writes (Infinity if never). */
  timerDeadline(): number;
  /** Advances this CPU's view of time by `insns` instruction-times without executing (idle WFI). */
  warp(insns: number): void;

  /** Invalidates all cached translations (TLB). */
  invalidateTlb(): void;
  /** Invalidates cached decoded/translated code overlapping [pa, pa+len), or all if omitted. */
  invalidateCode(pa?: number, len?: number): void;

  /** Software breakpoints: run() returns a `breakpoint` exit before executing these PCs. */
  setBreakpoints(pcs: readonly bigint[]): void;

  /** Optional observer for exceptions taken inside the backend (tracing only). */
  onException: ((e: ExceptionEvent) => void) | undefined;

  /**
   * Set by the Machine: completes hypercalls without ending run(), as KVM completes a guest's HVC
   * in the kernel without a return to userspace. When an `hvc` or `smc` exit is due, the backend
   * first retires the instruction (PC past it, `retired` counted) and calls this hook:
   *   'done'   the call is complete: go on executing, exactly as if run() had been re-entered
   *   'yield'  the call is complete: end run() now with a `budget` exit
   *   'exit'   not handled (nothing was changed): return the exit as usual
   * Undefined means every hypercall is an exit.
   */
  onHypercall: ((exit: HvcExit | SmcExit) => HypercallAction) | undefined;
}
