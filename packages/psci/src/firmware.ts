/**
 * EL3 firmware PSCI, TF-A-like (ARM-software/arm-trusted-firmware lib/psci/psci_main.c,
 * psci_common.c, psci_on.c; platform hooks as plat/qemu/common/qemu_pm.c provides them): the
 * firmware a host kernel (the pKVM host configuration) calls over SMC on physical CPUs. A
 * policy over the power-state machine of power.ts. PSCI 1.1 (TF-A PSCI_MAJOR_VER/MINOR_VER).
 *
 * Capabilities (psci_setup.c: psci_caps from the platform hooks; no Secure Payload Dispatcher):
 * PSCI_VERSION, PSCI_FEATURES, AFFINITY_INFO(32/64) always; CPU_ON(32/64), CPU_OFF,
 * CPU_SUSPEND(32/64), SYSTEM_OFF, SYSTEM_RESET; SYSTEM_SUSPEND(32/64) when the platform has a
 * system-suspend state (option `systemSuspend`; off by default, as on TF-A's QEMU port, whose
 * plat_qemu_psci_pm_ops has no get_sys_suspend_power_state hook — FVP/Juno have one).
 * Everything else, MIGRATE_INFO_TYPE included (no SPD to ask), is SMC_UNK (-1) with X1..X3
 * preserved (install on an SmcccDispatcher with the 'tf-a' profile). SMC32 forms use the low 32
 * bits of X1..X3.
 *
 * Where TF-A differs from KVM (reference/psci-smccc.md 3.8), this policy is TF-A:
 *   CPU_ON         (1) MPIDR, masked to its affinity fields (plat_core_pos_by_mpidr ignores
 *                  bit 31, U, MT), must name a CPU, else INVALID_PARAMETERS; (2) the entry
 *                  point must pass the platform's validate_ns_entrypoint (option
 *                  `validEntryPoint`) and have bit 0 clear (AArch64), else INVALID_ADDRESS;
 *                  (3) target ON → ALREADY_ON, ON_PENDING → ON_PENDING; (4) the target is
 *                  marked ON_PENDING and started; it stays ON_PENDING until it retires its
 *                  first instruction (the warm-boot path marking it ON, psci_cpu_on_finish).
 *   AFFINITY_INFO  lowest_affinity_level must be 0 (PSCI_CPU_PWR_LVL), else INVALID_PARAMETERS;
 *                  answers ON, OFF or ON_PENDING from the per-core record.
 *   CPU_SUSPEND    power_state: the must-be-zero bits of the configured format (original:
 *                  0xFCFE0000; extended: 0xB0000000) → INVALID_PARAMETERS; then it must be one
 *                  of the platform's composite states (QEMU's: core standby, core power-down,
 *                  cluster power-down) → else INVALID_PARAMETERS. Standby at level 0: a WFI,
 *                  SUCCESS. Power-down: entry point checked as for CPU_ON, then the core loses
 *                  its context and resumes at entry_point with X0 = context_id when an
 *                  interrupt wakes it; a pending interrupt abandons it (SUCCESS). Cluster-level
 *                  coordination (psci_do_state_coordination) has no effect a caller can see
 *                  here and is not modelled beyond the validation.
 *   SYSTEM_SUSPEND the caller must be the last CPU not OFF (psci_is_last_on_cpu), else DENIED;
 *                  entry point checked; then a power-down at the system level (as above).
 *   PSCI_FEATURES  0 for SMCCC_VERSION; an ID that is not a fast OEN-4 PSCI ID, or not a
 *                  capability (SMC64 IDs against the 64-bit capability mask) → NOT_SUPPORTED;
 *                  CPU_SUSPEND → bit 1 = extended power_state format, bit 0 = OS-initiated
 *                  mode (never: PSCI_OS_INIT_MODE off); other capabilities 0.
 *   SYSTEM_OFF/RESET  never return: every CPU OFF and the run ends with the SystemEvent
 *                  (no KVM data flags).
 *   CPU_OFF        the caller goes OFF and never returns (no SPD can refuse: never DENIED).
 */
import type { Cpu, Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import type { SmcccCall, SmcccFunction, SmcccResult, SmcccService } from '@hvlab/smccc';
import { isValidFastCall, SMCCC_UNTOUCHED, SMCCC_VERSION } from '@hvlab/smccc';
import {
  isPsciFid,
  MPIDR_HWID_BITMASK,
  PSCI_0_2_FN_AFFINITY_INFO,
  PSCI_0_2_FN_CPU_OFF,
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_CPU_SUSPEND,
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_0_2_FN64_AFFINITY_INFO,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_0_2_FN64_CPU_SUSPEND,
  PSCI_1_0_FEATURES_CPU_SUSPEND_PF_SHIFT,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_1_0_FN_SYSTEM_SUSPEND,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
  PSCI_RET_ALREADY_ON,
  PSCI_RET_DENIED,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_INVALID_ADDRESS,
  PSCI_RET_INVALID_PARAMS,
  PSCI_RET_NAMES,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_RET_ON_PENDING,
  PSCI_RET_SUCCESS,
  PSCI_VERSION_1_1,
  PSTATE_PWR_LVL_SHIFT,
  PSTATE_TYPE_SHIFT_EXTENDED,
  PSTATE_TYPE_SHIFT_ORIGINAL,
  PSTATE_VALID_MASK_EXTENDED,
  PSTATE_VALID_MASK_ORIGINAL,
} from './ids.js';
import { affinityInfoValue, type CpuEntry, PowerStateMachine, type PsciCpuState, resetEntry } from './power.js';

export type PowerStateFormat = 'original' | 'extended';

/**
 * One composite power state a platform accepts for CPU_SUSPEND (TF-A plat validate_power_state).
 * `level` is the highest power level it affects (0 = core, 1 = cluster).
 */
export interface PlatformPowerState {
  readonly stateId: number;
  readonly type: 'standby' | 'powerdown';
  readonly level: number;
}

/**
 * TF-A's QEMU platform states (plat/qemu/common/qemu_pm.c qemu_pm_idle_states; local states
 * RUN 0, RET 1, OFF 2 packed 4 bits per level): 0x01 core retention (standby), 0x02 core off,
 * 0x22 cluster and core off.
 */
export const QEMU_PLATFORM_POWER_STATES: readonly PlatformPowerState[] = [
  { stateId: 0x01, type: 'standby', level: 0 },
  { stateId: 0x02, type: 'powerdown', level: 0 },
  { stateId: 0x22, type: 'powerdown', level: 1 },
];

/** The power_state parameter encoding a platform state in a format (DEN0022 5.4.2). */
export function encodePowerState(s: PlatformPowerState, format: PowerStateFormat): number {
  const type = s.type === 'powerdown' ? 1 : 0;
  return format === 'original'
    ? (s.stateId | (type << PSTATE_TYPE_SHIFT_ORIGINAL) | (s.level << PSTATE_PWR_LVL_SHIFT)) >>> 0
    : (s.stateId | (type << PSTATE_TYPE_SHIFT_EXTENDED)) >>> 0;
}

export interface FirmwarePsciOptions {
  /** The platform's validate_ns_entrypoint hook (default: none, any address passes, as on TF-A's QEMU port). */
  readonly validEntryPoint?: (entry: bigint) => boolean;
  /** CPU_SUSPEND power_state format (TF-A build option PSCI_EXTENDED_STATE_ID; default 'original'). */
  readonly powerStateFormat?: PowerStateFormat;
  /** The platform's composite power states (default QEMU_PLATFORM_POWER_STATES). */
  readonly powerStates?: readonly PlatformPowerState[];
  /**
   * The platform has a system-suspend state (a get_sys_suspend_power_state hook): SYSTEM_SUSPEND
   * is a capability. Default false, as TF-A's QEMU port (plat/qemu/common/qemu_pm.c).
   */
  readonly systemSuspend?: boolean;
  /**
   * How a CPU enters the non-secure world on warm boot (after CPU_ON, or waking from a
   * power-down). Default: EL1h, reset state, PC = entry, X0 = context_id (no EL2 in the model);
   * an EL2 model (pKVM's hypervisor) passes its own to start its TypeScript entry code.
   */
  readonly enter?: CpuEntry;
}

/** What CPU_SUSPEND / SYSTEM_SUSPEND did: returned a status, or powered the core down. */
export type SuspendOutcome = { readonly kind: 'returned'; readonly status: number } | { readonly kind: 'powered-down' };

const LOW32 = 0xffff_ffffn;
/**
 * TF-A PSCI_CAP_64BIT_MASK (lib/psci/psci_private.h): the function numbers whose SMC64 form TF-A
 * implements — CPU_SUSPEND, CPU_ON, AFFINITY_INFO, MIGRATE, MIGRATE_INFO_UP_CPU, NODE_HW_STATE,
 * SYSTEM_SUSPEND, STAT_RESIDENCY, STAT_COUNT, SYSTEM_RESET2, MEM_PROTECT_CHECK_RANGE. Not
 * CPU_DEFAULT_SUSPEND (0x0C) or SYSTEM_OFF2 (0x15), which DEN0022 gives SMC64 forms but TF-A
 * does not implement.
 */
const CAP_64BIT_NUMBERS = new Set([0x01, 0x03, 0x04, 0x05, 0x07, 0x0d, 0x0e, 0x10, 0x11, 0x12, 0x14]);

export class FirmwarePsci {
  readonly version = PSCI_VERSION_1_1;
  readonly power: PowerStateMachine;
  readonly powerStateFormat: PowerStateFormat;
  readonly systemSuspendSupported: boolean;
  private readonly validEntry: ((entry: bigint) => boolean) | undefined;
  private readonly states: readonly PlatformPowerState[];
  private readonly enter: CpuEntry;
  /** Capability bits by function number (TF-A psci_caps, define_psci_cap). */
  private readonly caps: number;

  constructor(machine: Machine, opts: FirmwarePsciOptions = {}) {
    const format = opts.powerStateFormat ?? 'original';
    if (format !== 'original' && format !== 'extended')
      throw new HvlabError('EINVAL', `powerStateFormat must be 'original' or 'extended', not ${String(format)}`);
    if (opts.validEntryPoint !== undefined && typeof opts.validEntryPoint !== 'function')
      throw new HvlabError('EINVAL', 'validEntryPoint must be a function');
    if (opts.enter !== undefined && typeof opts.enter !== 'function')
      throw new HvlabError('EINVAL', 'enter must be a function');
    const suspend = opts.systemSuspend ?? false;
    if (typeof suspend !== 'boolean') throw new HvlabError('EINVAL', 'systemSuspend must be a boolean');
    const states = opts.powerStates ?? QEMU_PLATFORM_POWER_STATES;
    for (const s of states) {
      const idMax = format === 'original' ? 0xffff : 0x0fff_ffff;
      if (!Number.isInteger(s.stateId) || s.stateId < 0 || s.stateId > idMax)
        throw new HvlabError('EINVAL', `power state ID ${s.stateId} does not fit the ${format} format`);
      if (!Number.isInteger(s.level) || s.level < 0 || s.level > 3)
        throw new HvlabError('EINVAL', `power level ${s.level} is outside 0..3 (PSCI_MAX_PWR_LVL)`);
      if (s.type !== 'standby' && s.type !== 'powerdown')
        throw new HvlabError('EINVAL', `bad power state type ${s.type}`);
    }
    this.powerStateFormat = format;
    this.validEntry = opts.validEntryPoint;
    this.states = states;
    this.enter = opts.enter ?? resetEntry;
    this.systemSuspendSupported = suspend;
    this.power = new PowerStateMachine(machine);
    let caps = 0;
    for (const n of [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x09, 0x0a]) caps |= 1 << n;
    if (suspend) caps |= 1 << 0x0e;
    this.caps = caps;
  }

  /** The PSCI state of CPU `index`, ON_PENDING included. */
  cpuState(index: number): PsciCpuState {
    return this.power.state(index);
  }

  /** True if `fid` is a PSCI call this firmware serves (psci_caps & define_psci_cap(fid)). */
  private isCap(fid: number): boolean {
    return (this.caps & (1 << (fid & 0x1f))) !== 0;
  }

  /** psci_features. */
  features(fid: number): number {
    if (fid === SMCCC_VERSION) return PSCI_RET_SUCCESS;
    if (!isValidFastCall(fid) || !isPsciFid(fid)) return PSCI_RET_NOT_SUPPORTED;
    if ((fid & 0x4000_0000) !== 0 && !CAP_64BIT_NUMBERS.has(fid & 0x1f)) return PSCI_RET_NOT_SUPPORTED;
    if (!this.isCap(fid)) return PSCI_RET_NOT_SUPPORTED;
    if (fid === PSCI_0_2_FN_CPU_SUSPEND || fid === PSCI_0_2_FN64_CPU_SUSPEND)
      return (this.powerStateFormat === 'extended' ? 1 : 0) << PSCI_1_0_FEATURES_CPU_SUSPEND_PF_SHIFT;
    return PSCI_RET_SUCCESS;
  }

  /** plat_core_pos_by_mpidr: the CPU with these affinity fields (other bits ignored), or -1. */
  private coreIndex(mpidr: bigint): number {
    return this.power.indexOf(mpidr & MPIDR_HWID_BITMASK);
  }

  /** psci_validate_entry_point + psci_get_ns_ep_info's AArch64 Thumb-bit check. */
  private entryStatus(entry: bigint): number {
    if (this.validEntry !== undefined && !this.validEntry(entry)) return PSCI_RET_INVALID_ADDRESS;
    if ((entry & 1n) !== 0n) return PSCI_RET_INVALID_ADDRESS;
    return PSCI_RET_SUCCESS;
  }

  /** psci_cpu_on → psci_cpu_on_start. */
  cpuOn(caller: Cpu, targetMpidr: bigint, entry: bigint, contextId: bigint): number {
    const target = this.coreIndex(targetMpidr);
    if (target < 0) return PSCI_RET_INVALID_PARAMS;
    const ep = this.entryStatus(entry);
    if (ep !== PSCI_RET_SUCCESS) return ep;
    const state = this.power.state(target);
    if (state === 'on') return PSCI_RET_ALREADY_ON;
    if (state === 'on-pending') return PSCI_RET_ON_PENDING;
    this.power.cpuOn(caller, target, entry, contextId, { pending: true, enter: this.enter });
    return PSCI_RET_SUCCESS;
  }

  /** psci_cpu_off: the caller powers down (never returns; no SPD to deny it). */
  cpuOff(caller: Cpu): number {
    this.power.cpuOff(caller.index);
    return PSCI_RET_SUCCESS;
  }

  /** psci_affinity_info. */
  affinityInfo(targetAffinity: bigint, lowestAffinityLevel: bigint): number {
    if (lowestAffinityLevel !== 0n) return PSCI_RET_INVALID_PARAMS;
    const target = this.coreIndex(targetAffinity);
    if (target < 0) return PSCI_RET_INVALID_PARAMS;
    return affinityInfoValue(this.power.state(target));
  }

  /** psci_validate_power_state: the platform state `powerState` names, or undefined. */
  parsePowerState(powerState: number): PlatformPowerState | undefined {
    const sbz = this.powerStateFormat === 'original' ? PSTATE_VALID_MASK_ORIGINAL : PSTATE_VALID_MASK_EXTENDED;
    if ((powerState & sbz) !== 0) return undefined;
    return this.states.find((s) => encodePowerState(s, this.powerStateFormat) === powerState >>> 0);
  }

  /** psci_cpu_suspend. */
  cpuSuspend(caller: Cpu, powerState: number, entry: bigint, contextId: bigint): SuspendOutcome {
    const state = this.parsePowerState(powerState);
    if (!state) return { kind: 'returned', status: PSCI_RET_INVALID_PARAMS };
    if (state.type === 'standby' && state.level === 0) {
      // is_cpu_standby_req: the fast path, a WFI in the platform's cpu_standby.
      this.power.standby(caller.index);
      return { kind: 'returned', status: PSCI_RET_SUCCESS };
    }
    if (state.type === 'powerdown') {
      const ep = this.entryStatus(entry);
      if (ep !== PSCI_RET_SUCCESS) return { kind: 'returned', status: ep };
      return this.power.powerDownSuspend(caller.index, entry, contextId, this.enter)
        ? { kind: 'powered-down' }
        : { kind: 'returned', status: PSCI_RET_SUCCESS };
    }
    // Retention above the core level: every CPU in it keeps its context; a WFI for the caller.
    this.power.standby(caller.index);
    return { kind: 'returned', status: PSCI_RET_SUCCESS };
  }

  /** psci_system_suspend. */
  systemSuspend(caller: Cpu, entry: bigint, contextId: bigint): SuspendOutcome {
    if (!this.power.isLastOn(caller.index)) return { kind: 'returned', status: PSCI_RET_DENIED };
    const ep = this.entryStatus(entry);
    if (ep !== PSCI_RET_SUCCESS) return { kind: 'returned', status: ep };
    return this.power.powerDownSuspend(caller.index, entry, contextId, this.enter)
      ? { kind: 'powered-down' }
      : { kind: 'returned', status: PSCI_RET_SUCCESS };
  }

  /** psci_system_off / psci_system_reset: never return. */
  systemOff(caller: Cpu): void {
    this.power.systemEvent(caller.index, 'shutdown', 'PSCI SYSTEM_OFF');
  }

  systemReset(caller: Cpu): void {
    this.power.systemEvent(caller.index, 'reset', 'PSCI SYSTEM_RESET');
  }

  /** The rows of psci_smc_handler, to register into an SMCCC dispatcher (profile 'tf-a'). */
  service(): SmcccService {
    const suspended = (o: SuspendOutcome): SmcccResult => (o.kind === 'returned' ? o.status : SMCCC_UNTOUCHED);
    const row = (fid: number, name: string, argCount: number, handler: (c: SmcccCall) => SmcccResult) =>
      ({ fid, name, argCount, resultCount: 1, handler }) satisfies SmcccFunction;
    const cpuOn = (c: SmcccCall) => this.cpuOn(c.cpu, c.args[0]!, c.args[1]!, c.args[2]!);
    const affinity = (c: SmcccCall) => this.affinityInfo(c.args[0]!, c.args[1]! & LOW32);
    const suspend = (c: SmcccCall) =>
      suspended(this.cpuSuspend(c.cpu, Number(c.args[0]! & LOW32), c.args[1]!, c.args[2]!));
    const functions: SmcccFunction[] = [
      row(PSCI_0_2_FN_PSCI_VERSION, 'PSCI_VERSION', 0, () => this.version),
      row(PSCI_1_0_FN_PSCI_FEATURES, 'PSCI_FEATURES', 1, (c) => this.features(Number(c.args[0]!))),
      row(PSCI_0_2_FN_AFFINITY_INFO, 'AFFINITY_INFO', 2, affinity),
      row(PSCI_0_2_FN64_AFFINITY_INFO, 'AFFINITY_INFO_64', 2, affinity),
      row(PSCI_0_2_FN_CPU_ON, 'CPU_ON', 3, cpuOn),
      row(PSCI_0_2_FN64_CPU_ON, 'CPU_ON_64', 3, cpuOn),
      row(PSCI_0_2_FN_CPU_OFF, 'CPU_OFF', 0, (c) => this.cpuOff(c.cpu)),
      row(PSCI_0_2_FN_CPU_SUSPEND, 'CPU_SUSPEND', 3, suspend),
      row(PSCI_0_2_FN64_CPU_SUSPEND, 'CPU_SUSPEND_64', 3, suspend),
      row(PSCI_0_2_FN_SYSTEM_OFF, 'SYSTEM_OFF', 0, (c) => {
        this.systemOff(c.cpu);
        return PSCI_RET_INTERNAL_FAILURE; // never seen: every CPU is off
      }),
      row(PSCI_0_2_FN_SYSTEM_RESET, 'SYSTEM_RESET', 0, (c) => {
        this.systemReset(c.cpu);
        return PSCI_RET_INTERNAL_FAILURE; // never seen: every CPU is off
      }),
    ];
    if (this.systemSuspendSupported) {
      const sys = (c: SmcccCall) => suspended(this.systemSuspend(c.cpu, c.args[0]!, c.args[1]!));
      functions.push(row(PSCI_1_0_FN_SYSTEM_SUSPEND, 'SYSTEM_SUSPEND', 2, sys));
      functions.push(row(PSCI_1_0_FN64_SYSTEM_SUSPEND, 'SYSTEM_SUSPEND_64', 2, sys));
    }
    return { name: 'PSCI (EL3 firmware)', functions, status: PSCI_RET_NAMES };
  }
}
