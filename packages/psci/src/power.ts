/**
 * The PSCI power-state machine: one per machine, driven by a policy (vpsci.ts: KVM's vPSCI;
 * firmware.ts: TF-A-like EL3 firmware). The policies decide WHICH transition a call asks for
 * and what it answers; this module performs the transitions and answers what state a CPU is in.
 *
 * Per CPU (Arm DEN0022 5.1.5 AFFINITY_INFO states, 6.5 "CPU power states"):
 *
 *                CPU_ON accepted (firmware policy:         target retires its
 *                TF-A psci_on.c marks it ON_PENDING)       first instruction
 *     ┌─────┐ ─────────────────────────────► ┌────────────┐ ──────────────► ┌────┐
 *     │ OFF │                                │ ON_PENDING │                 │ ON │
 *     └─────┘ ──────────────────────────────────────────────────────────────► └────┘
 *       ▲        CPU_ON accepted (vPSCI: KVM kvm_psci_vcpu_on makes the        │
 *       │        target RUNNABLE at once; AFFINITY_INFO never says ON_PENDING)  │
 *       └──── CPU_OFF (the caller), SYSTEM_OFF/OFF2/RESET/RESET2 (every CPU) ◄──┘
 *
 *   ON ── CPU_SUSPEND standby (vPSCI: every CPU_SUSPEND) ──► ON, waiting for an interrupt
 *         (Machine 'waiting'; the call returns SUCCESS when the CPU wakes)
 *   ON ── CPU_SUSPEND power-down / SYSTEM_SUSPEND (firmware) ──► ON, waiting, context lost:
 *         wakes at entry_point with X0 = context_id (as after CPU_ON); an interrupt already
 *         pending abandons the power-down and the call returns SUCCESS (DEN0022 5.4.2)
 *
 * The system: RUNNING ── SYSTEM_OFF/OFF2/RESET/RESET2 ──► every CPU OFF, the run ends with a
 * SystemEvent (KVM_EXIT_SYSTEM_EVENT); RUNNING ── SYSTEM_SUSPEND (vPSCI, when the VMM enabled
 * it) ──► the run ends with SystemEvent 'suspend', CPUs untouched (the VMM decides).
 *
 * Where the state lives: OFF versus not-OFF is the Machine's power state (core/src/machine.ts:
 * 'off' | 'running' | 'waiting'), so a VMM that powers CPUs on or off directly stays
 * consistent with PSCI. ON_PENDING is the one thing kept here: the target's `retired` count
 * when CPU_ON accepted it; the target is ON once that count has moved (checked when asked, so
 * nothing runs per slice).
 *
 * CPU entry state after CPU_ON (DEN0022 6.4 "CPU_ON"; linux kvm_psci_vcpu_on + reset.c;
 * TF-A psci_common.c psci_get_ns_ep_info): a full reset of the target (Cpu.reset(): EL1h,
 * D/A/I/F masked, SCTLR_EL1 at reset so MMU and data cache off), PC = entry_point,
 * X0 = context_id, SCTLR_EL1.EE copied from the caller (KVM "propagate caller endianness").
 */
import type { Cpu, Machine } from '@hvlab/core';
import { CoreReg, HvlabError, SysReg } from '@hvlab/core';
import {
  MPIDR_HWID_BITMASK,
  PSCI_0_2_AFFINITY_LEVEL_OFF,
  PSCI_0_2_AFFINITY_LEVEL_ON,
  PSCI_0_2_AFFINITY_LEVEL_ON_PENDING,
} from './ids.js';

export type PsciCpuState = 'on' | 'off' | 'on-pending';

/** SCTLR_EL1.EE, bit 25: data accesses at EL1 are big-endian (Arm ARM D23.2 SCTLR_EL1). */
export const SCTLR_EL1_EE = 1n << 25n;

/** The AFFINITY_INFO value of a state (DEN0022 5.1.5). */
export const affinityInfoValue = (s: PsciCpuState): number =>
  s === 'on'
    ? PSCI_0_2_AFFINITY_LEVEL_ON
    : s === 'off'
      ? PSCI_0_2_AFFINITY_LEVEL_OFF
      : PSCI_0_2_AFFINITY_LEVEL_ON_PENDING;

/** How a CPU enters the non-secure world at `entry` (the warm-boot ERET of firmware). */
export type CpuEntry = (cpu: Cpu, entry: bigint, contextId: bigint) => void;

/** EL1h entry with the architectural reset state: what KVM and TF-A give a CPU with no EL2. */
export const resetEntry: CpuEntry = (cpu, entry, contextId) => {
  cpu.reset();
  cpu.setReg(CoreReg.PC, entry);
  cpu.setReg(CoreReg.X0, contextId);
};

export type SystemEventType = 'shutdown' | 'reset' | 'suspend';

export class PowerStateMachine {
  readonly cpuCount: number;
  /** For each CPU in ON_PENDING: its `retired` count when CPU_ON was accepted. */
  private readonly pendingSince: (number | undefined)[];

  constructor(readonly machine: Machine) {
    this.cpuCount = machine.cpus.length;
    this.pendingSince = new Array<number | undefined>(this.cpuCount).fill(undefined);
  }

  private cpu(index: number): Cpu {
    const c = this.machine.cpus[index];
    if (!c) throw new HvlabError('EINVAL', `no CPU ${index}`);
    return c;
  }

  /** The PSCI state of CPU `index` (ON covers running and waiting). */
  state(index: number): PsciCpuState {
    if (this.machine.powerState(index) === 'off') {
      this.pendingSince[index] = undefined;
      return 'off';
    }
    const since = this.pendingSince[index];
    if (since === undefined) return 'on';
    if (this.cpu(index).retired !== since) {
      this.pendingSince[index] = undefined;
      return 'on';
    }
    return 'on-pending';
  }

  /** True if CPU `index` is off (the cheap test KVM's kvm_arm_vcpu_stopped makes). */
  isOff(index: number): boolean {
    return this.machine.powerState(index) === 'off';
  }

  /** MPIDR_EL1 affinity fields of CPU `index` (KVM kvm_vcpu_get_mpidr_aff; the VMM may have set VMPIDR). */
  mpidr(index: number): bigint {
    return this.cpu(index).getSysReg(SysReg.MPIDR_EL1) & MPIDR_HWID_BITMASK;
  }

  /** The CPU whose affinity equals `affinity` (already reduced to MPIDR_HWID_BITMASK), or -1. */
  indexOf(affinity: bigint): number {
    for (let i = 0; i < this.cpuCount; i++) if (this.mpidr(i) === affinity) return i;
    return -1;
  }

  /** Indices of the CPUs whose affinity masked by `mask` equals `affinity`. */
  matching(affinity: bigint, mask: bigint): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.cpuCount; i++) if ((this.mpidr(i) & mask) === affinity) out.push(i);
    return out;
  }

  /** True if every CPU other than `index` is OFF (TF-A psci_is_last_on_cpu). */
  isLastOn(index: number): boolean {
    for (let i = 0; i < this.cpuCount; i++) if (i !== index && this.state(i) !== 'off') return false;
    return true;
  }

  /**
   * OFF → ON (synchronous, KVM) or OFF → ON_PENDING (firmware): puts `target` in the CPU_ON
   * entry state and powers it on. The caller's SCTLR_EL1.EE is propagated. The policy has
   * checked that the target is OFF.
   */
  cpuOn(
    caller: Cpu,
    target: number,
    entry: bigint,
    contextId: bigint,
    opts: { readonly pending: boolean; readonly enter?: CpuEntry },
  ): void {
    const cpu = this.cpu(target);
    const bigEndian = (caller.getSysReg(SysReg.SCTLR_EL1) & SCTLR_EL1_EE) !== 0n;
    (opts.enter ?? resetEntry)(cpu, entry, contextId);
    if (bigEndian) cpu.setSysReg(SysReg.SCTLR_EL1, cpu.getSysReg(SysReg.SCTLR_EL1) | SCTLR_EL1_EE);
    this.machine.powerOn(target);
    this.pendingSince[target] = opts.pending ? cpu.retired : undefined;
  }

  /** ON → OFF (CPU_OFF). */
  cpuOff(index: number): void {
    this.machine.powerOff(index);
    this.pendingSince[index] = undefined;
  }

  /**
   * ON → ON waiting for an interrupt (CPU_SUSPEND standby, KVM's CPU_SUSPEND). Returns false if
   * an interrupt is already pending (the wait ends at once; DEN0022 5.4.2 lets a suspend return
   * early).
   */
  standby(index: number): boolean {
    this.machine.waitForInterrupt(index);
    return this.machine.powerState(index) === 'waiting';
  }

  /**
   * ON → ON waiting, context lost (CPU_SUSPEND power-down, SYSTEM_SUSPEND): on wake-up the CPU
   * starts at `entry` with X0 = `contextId`, like after CPU_ON. Returns false, changing nothing,
   * if an interrupt is pending (the power-down is abandoned: the call returns SUCCESS).
   */
  powerDownSuspend(index: number, entry: bigint, contextId: bigint, enter: CpuEntry = resetEntry): boolean {
    if (!this.standby(index)) return false;
    const cpu = this.cpu(index);
    const sctlr = cpu.getSysReg(SysReg.SCTLR_EL1);
    enter(cpu, entry, contextId);
    if ((sctlr & SCTLR_EL1_EE) !== 0n) cpu.setSysReg(SysReg.SCTLR_EL1, cpu.getSysReg(SysReg.SCTLR_EL1) | SCTLR_EL1_EE);
    return true;
  }

  /**
   * A system event raised by CPU `caller`: for shutdown and reset every CPU goes OFF first
   * (KVM kvm_prepare_system_event: "make sure that VCPUs are not run after this call"); a
   * suspend leaves them as they are. The run ends with the event.
   */
  systemEvent(caller: number, type: SystemEventType, reason: string, data?: readonly bigint[]): void {
    if (type !== 'suspend') for (let i = 0; i < this.cpuCount; i++) this.cpuOff(i);
    this.machine.requestStop(data === undefined ? { type, reason, cpu: caller } : { type, reason, cpu: caller, data });
  }
}
