/**
 * vPSCI: the PSCI KVM gives its guests (linux arch/arm64/kvm/psci.c, Linux 6.13+ with PSCI 1.2
 * and 1.3; the per-call table is reference/psci-smccc.md 3.2). A policy over the power-state
 * machine of power.ts.
 *
 * Version (KVM_REG_ARM_PSCI_VERSION, one value per VM; linux hypercalls.c kvm_arm_set_fw_reg):
 * a VM whose vCPUs have the KVM_ARM_VCPU_PSCI_0_2 feature speaks 0.2, 1.0, 1.1, 1.2 or 1.3
 * (default 1.3, KVM_ARM_PSCI_LATEST since Linux 6.13); without the feature it speaks 0.1 and only
 * 0.1. Any other value is EINVAL; there is no EBUSY rule for this register.
 *
 * What each version serves (kvm_psci_call → kvm_psci_0_1_call / _0_2_call / _1_x_call):
 *
 *   call                          0.1   0.2   1.0   1.1   1.2   1.3
 *   KVM 0.1 CPU_OFF, CPU_ON        x
 *   PSCI_VERSION .. SYSTEM_RESET         x     x     x     x     x    (the 0.2 set below)
 *   PSCI_FEATURES                              x     x     x     x
 *   SYSTEM_SUSPEND (with the cap)              x     x     x     x
 *   SYSTEM_RESET2                                    x     x     x
 *   SYSTEM_OFF2                                                  x
 *
 * Everything else — including MIGRATE, MIGRATE_INFO_UP_CPU, CPU_FREEZE, NODE_HW_STATE, STAT_*,
 * SET_SUSPEND_MODE, MEM_PROTECT* and KVM's 0.1 CPU_SUSPEND/MIGRATE IDs — answers NOT_SUPPORTED
 * (the dispatcher's default: no row). Results are X0 with X1..X3 zeroed (smccc_set_retval(val,
 * 0, 0, 0)) except where noted. An SMC64 ID from an AArch32 vCPU is NOT_SUPPORTED
 * (kvm_psci_check_allowed_function; PSTATE.nRW = 1).
 *
 *   PSCI_VERSION       0.2 → 2; 1.x → 0x1000x
 *   CPU_SUSPEND        a WFI: waits for an interrupt, SUCCESS (power-down demoted to standby,
 *                      DEN0022 5.4.2; never resumes at entry_point)
 *   CPU_OFF            the caller goes OFF; X0 = SUCCESS for whoever resumes it
 *   CPU_ON             MPIDR with bits outside MPIDR_HWID_BITMASK or naming no vCPU →
 *                      INVALID_PARAMETERS; target not OFF → ALREADY_ON (0.1: INVALID_PARAMETERS);
 *                      else target reset, PC = entry, X0 = context_id, caller's endianness,
 *                      powered on: SUCCESS. Never INVALID_ADDRESS, never ON_PENDING.
 *   AFFINITY_INFO      level 0..3 masks MPIDR fields below it; ON if any matching vCPU is not
 *                      OFF, OFF if all are, INVALID_PARAMETERS if none matches or level > 3
 *   MIGRATE_INFO_TYPE  2 (PSCI_0_2_TOS_MP: no Trusted OS needing migration)
 *   SYSTEM_OFF/RESET   every vCPU OFF, run ends with SystemEvent shutdown/reset, data [0];
 *                      X0 = INTERNAL_FAILURE preloaded for a VMM that resumes the caller
 *   SYSTEM_RESET2      reset_type (W1) 0 or ≥ 0x80000000 → SystemEvent reset, data [1]
 *                      (KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2), X0 = INTERNAL_FAILURE and
 *                      X1..X3 left as they are; other types → INVALID_PARAMETERS
 *   SYSTEM_OFF2        type (W1) 0 or HIBERNATE_OFF and cookie (X2) 0 → SystemEvent shutdown,
 *                      data [1] (KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2), X0 =
 *                      INTERNAL_FAILURE; else INVALID_PARAMETERS
 *   SYSTEM_SUSPEND     with KVM_CAP_ARM_SYSTEM_SUSPEND: SystemEvent suspend with no data, every
 *                      register left as the guest set it (the VMM reads entry_point and
 *                      context_id from X1/X2), vCPUs not stopped; without it NOT_SUPPORTED
 *   PSCI_FEATURES      0 for VERSION, CPU_SUSPEND(32/64), CPU_OFF, CPU_ON(32/64),
 *                      AFFINITY_INFO(32/64), MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET,
 *                      PSCI_FEATURES, SMCCC_VERSION; SYSTEM_SUSPEND(32/64) 0 with the cap;
 *                      SYSTEM_RESET2(32/64) 0 from 1.1; SYSTEM_OFF2(32/64) HIBERNATE_OFF (1)
 *                      from 1.3; anything else NOT_SUPPORTED. CPU_SUSPEND flags 0: original
 *                      power_state format, no OS-initiated mode.
 *
 * SMC32 forms use only the low 32 bits of X1..X3 (kvm_psci_narrow_to_32bit; the dispatcher
 * narrows them); the 0.1 IDs, which are not SMCCC IDs, read the full registers.
 */
import type { Cpu, Machine } from '@hvlab/core';
import { CoreReg, HvlabError } from '@hvlab/core';
import type { LiveFirmwareRegisterDef, SmcccCall, SmcccFunction, SmcccService } from '@hvlab/smccc';
import { KVM_REG_ARM_PSCI_VERSION, SMCCC_VERSION } from '@hvlab/smccc';
import {
  formatPsciVersion,
  KVM_PSCI_FN_CPU_OFF,
  KVM_PSCI_FN_CPU_ON,
  MPIDR_HWID_BITMASK,
  PSCI_0_2_AFFINITY_LEVEL_OFF,
  PSCI_0_2_AFFINITY_LEVEL_ON,
  PSCI_0_2_FN_AFFINITY_INFO,
  PSCI_0_2_FN_CPU_OFF,
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_CPU_SUSPEND,
  PSCI_0_2_FN_MIGRATE_INFO_TYPE,
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_0_2_FN64_AFFINITY_INFO,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_0_2_FN64_CPU_SUSPEND,
  PSCI_0_2_TOS_MP,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_1_0_FN_SYSTEM_SUSPEND,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
  PSCI_1_1_FN_SYSTEM_RESET2,
  PSCI_1_1_FN64_SYSTEM_RESET2,
  PSCI_1_1_RESET_TYPE_VENDOR_START,
  PSCI_1_3_FN_SYSTEM_OFF2,
  PSCI_1_3_FN64_SYSTEM_OFF2,
  PSCI_1_3_OFF_TYPE_HIBERNATE_OFF,
  PSCI_RET_ALREADY_ON,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_INVALID_PARAMS,
  PSCI_RET_NAMES,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_RET_SUCCESS,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  PSCI_VERSION_1_2,
  PSCI_VERSION_1_3,
} from './ids.js';
import { PowerStateMachine, type PsciCpuState } from './power.js';

/** KVM_REG_ARM_FW_REG(0): the PSCI version pseudo-register (uapi asm/kvm.h), 0x6030000000140000. */
export { KVM_REG_ARM_PSCI_VERSION };
/** KVM_ARM_PSCI_LATEST since Linux 6.13 (include/kvm/arm_psci.h). */
export const KVM_ARM_PSCI_LATEST = PSCI_VERSION_1_3;
/** The versions KVM accepts in KVM_REG_ARM_PSCI_VERSION. */
export const KVM_PSCI_VERSIONS: readonly number[] = [
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  PSCI_VERSION_1_2,
  PSCI_VERSION_1_3,
];
/** KVM_CAP_ARM_SYSTEM_SUSPEND (uapi linux/kvm.h). */
export const KVM_CAP_ARM_SYSTEM_SUSPEND = 216;
/** kvm_run.system_event.data[0] flags (uapi asm/kvm.h). */
export const KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 = 1n << 0n;
export const KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 = 1n << 0n;

/** PSTATE.nRW (bit 4): the PE is in AArch32 state (Arm ARM D1.4 SPSR.M[4]). */
const PSTATE_NRW = 0x10n;
const LOW32 = 0xffff_ffffn;

export interface VPsciOptions {
  /** The vCPUs have KVM_ARM_VCPU_PSCI_0_2 (default true; false = PSCI 0.1 only). */
  readonly psci02?: boolean;
  /** The PSCI version (default: 1.3, KVM_ARM_PSCI_LATEST, or 0.1 without psci02). */
  readonly version?: number;
  /** KVM_CAP_ARM_SYSTEM_SUSPEND enabled (default false). */
  readonly systemSuspend?: boolean;
}

export class VPsci {
  readonly power: PowerStateMachine;
  /** The KVM_ARM_VCPU_PSCI_0_2 vCPU feature. */
  readonly psci02: boolean;
  private current = PSCI_VERSION_1_3;
  /** What PSCI_VERSION answers at the current version (precomputed: the HVC benchmark's call). */
  private versionAnswer = PSCI_VERSION_1_3;
  private suspendCap = false;

  constructor(machine: Machine, opts: VPsciOptions = {}) {
    const psci02 = opts.psci02 ?? true;
    if (typeof psci02 !== 'boolean') throw new HvlabError('EINVAL', 'psci02 must be a boolean');
    const suspend = opts.systemSuspend ?? false;
    if (typeof suspend !== 'boolean') throw new HvlabError('EINVAL', 'systemSuspend must be a boolean');
    const version = opts.version ?? (psci02 ? KVM_ARM_PSCI_LATEST : PSCI_VERSION_0_1);
    this.psci02 = psci02;
    this.checkVersion(version);
    this.power = new PowerStateMachine(machine);
    this.apply(version);
    this.suspendCap = suspend;
  }

  /** The PSCI version guests see (KVM_REG_ARM_PSCI_VERSION). */
  get version(): number {
    return this.current;
  }

  /** True once the VMM enabled KVM_CAP_ARM_SYSTEM_SUSPEND. */
  get systemSuspendEnabled(): boolean {
    return this.suspendCap;
  }

  /** KVM_ENABLE_CAP(KVM_CAP_ARM_SYSTEM_SUSPEND): allowed at any time (linux arm.c kvm_vm_ioctl_enable_cap). */
  enableSystemSuspend(): void {
    this.suspendCap = true;
  }

  /** KVM_SET_ONE_REG(KVM_REG_ARM_PSCI_VERSION) with KVM's rules; throws HvlabError EINVAL. */
  setVersion(version: number | bigint): void {
    const v = typeof version === 'bigint' ? this.toNumber(version) : version;
    this.checkVersion(v);
    this.apply(v);
  }

  private toNumber(v: bigint): number {
    if (v < 0n || v > 0xffff_ffffn)
      throw new HvlabError(
        'EINVAL',
        `KVM_REG_ARM_PSCI_VERSION: 0x${BigInt.asUintN(64, v).toString(16)} is no PSCI version`,
      );
    return Number(v);
  }

  private checkVersion(v: number): void {
    if (!KVM_PSCI_VERSIONS.includes(v))
      throw new HvlabError(
        'EINVAL',
        `KVM_REG_ARM_PSCI_VERSION: ${Number.isInteger(v) && v >= 0 ? formatPsciVersion(v) : String(v)} is not a version KVM serves (0.1, 0.2, 1.0, 1.1, 1.2, 1.3)`,
      );
    if ((v === PSCI_VERSION_0_1) === this.psci02)
      throw new HvlabError(
        'EINVAL',
        this.psci02
          ? 'KVM_REG_ARM_PSCI_VERSION: 0.1 needs vCPUs without KVM_ARM_VCPU_PSCI_0_2'
          : `KVM_REG_ARM_PSCI_VERSION: ${formatPsciVersion(v)} needs vCPUs with KVM_ARM_VCPU_PSCI_0_2`,
      );
  }

  private apply(v: number): void {
    this.current = v;
    this.versionAnswer = v === PSCI_VERSION_0_1 ? PSCI_RET_NOT_SUPPORTED : v;
  }

  /**
   * The KVM_REG_ARM_PSCI_VERSION definition for @hvlab/smccc's FirmwareRegisters.define: a live
   * register, read from this policy whenever it is read (kvm_arm_get_fw_reg calls
   * kvm_psci_version()), so GET_ONE_REG and PSCI_VERSION always agree, also after setVersion();
   * validate = KVM's set rules, applying the version (kvm_arm_set_fw_reg).
   */
  versionRegister(): LiveFirmwareRegisterDef {
    return {
      id: KVM_REG_ARM_PSCI_VERSION,
      name: 'KVM_REG_ARM_PSCI_VERSION',
      get: () => BigInt(this.current),
      validate: (value) => {
        this.setVersion(value);
        return value;
      },
    };
  }

  /** The PSCI state of vCPU `index` (KVM never reports ON_PENDING). */
  cpuState(index: number): PsciCpuState {
    return this.power.isOff(index) ? 'off' : 'on';
  }

  /** PSCI_FEATURES(fid) at the current version (NOT_SUPPORTED below 1.0: the call does not exist). */
  features(fid: number, cpu?: Cpu): number {
    if (this.current < PSCI_VERSION_1_0) return PSCI_RET_NOT_SUPPORTED;
    if (cpu !== undefined && is64BitFromAArch32(fid, cpu)) return PSCI_RET_NOT_SUPPORTED;
    switch (fid) {
      case PSCI_0_2_FN_PSCI_VERSION:
      case PSCI_0_2_FN_CPU_SUSPEND:
      case PSCI_0_2_FN64_CPU_SUSPEND:
      case PSCI_0_2_FN_CPU_OFF:
      case PSCI_0_2_FN_CPU_ON:
      case PSCI_0_2_FN64_CPU_ON:
      case PSCI_0_2_FN_AFFINITY_INFO:
      case PSCI_0_2_FN64_AFFINITY_INFO:
      case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
      case PSCI_0_2_FN_SYSTEM_OFF:
      case PSCI_0_2_FN_SYSTEM_RESET:
      case PSCI_1_0_FN_PSCI_FEATURES:
      case SMCCC_VERSION:
        return PSCI_RET_SUCCESS;
      case PSCI_1_0_FN_SYSTEM_SUSPEND:
      case PSCI_1_0_FN64_SYSTEM_SUSPEND:
        return this.suspendCap ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
      case PSCI_1_1_FN_SYSTEM_RESET2:
      case PSCI_1_1_FN64_SYSTEM_RESET2:
        return this.current >= PSCI_VERSION_1_1 ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
      case PSCI_1_3_FN_SYSTEM_OFF2:
      case PSCI_1_3_FN64_SYSTEM_OFF2:
        return this.current >= PSCI_VERSION_1_3 ? PSCI_1_3_OFF_TYPE_HIBERNATE_OFF : PSCI_RET_NOT_SUPPORTED;
      default:
        return PSCI_RET_NOT_SUPPORTED;
    }
  }

  /** The rows to register into the VM's SMCCC dispatcher. */
  service(): SmcccService {
    const at = (min: number, f: (c: SmcccCall) => ReturnType<SmcccFunction['handler']>) => (c: SmcccCall) =>
      this.current >= min && !is64BitFromAArch32(c.fid, c.cpu) ? f(c) : PSCI_RET_NOT_SUPPORTED;
    const row = (
      fid: number,
      name: string,
      argCount: number,
      resultCount: number,
      handler: SmcccFunction['handler'],
    ): SmcccFunction => ({ fid, name, argCount, resultCount, handler });
    const v02 = PSCI_VERSION_0_2;
    const functions: SmcccFunction[] = [
      // The HVC round trip of `pnpm bench`: no checks beyond the precomputed answer.
      row(PSCI_0_2_FN_PSCI_VERSION, 'PSCI_VERSION', 0, 1, () => this.versionAnswer),
      row(PSCI_0_2_FN_CPU_SUSPEND, 'CPU_SUSPEND', 0, 1, at(v02, this.cpuSuspend)),
      row(PSCI_0_2_FN64_CPU_SUSPEND, 'CPU_SUSPEND_64', 0, 1, at(v02, this.cpuSuspend)),
      row(PSCI_0_2_FN_CPU_OFF, 'CPU_OFF', 0, 1, at(v02, this.cpuOff)),
      row(PSCI_0_2_FN_CPU_ON, 'CPU_ON', 3, 1, at(v02, this.cpuOn)),
      row(PSCI_0_2_FN64_CPU_ON, 'CPU_ON_64', 3, 1, at(v02, this.cpuOn)),
      row(PSCI_0_2_FN_AFFINITY_INFO, 'AFFINITY_INFO', 2, 1, at(v02, this.affinityInfo)),
      row(PSCI_0_2_FN64_AFFINITY_INFO, 'AFFINITY_INFO_64', 2, 1, at(v02, this.affinityInfo)),
      row(
        PSCI_0_2_FN_MIGRATE_INFO_TYPE,
        'MIGRATE_INFO_TYPE',
        0,
        1,
        at(v02, () => PSCI_0_2_TOS_MP),
      ),
      row(PSCI_0_2_FN_SYSTEM_OFF, 'SYSTEM_OFF', 0, 1, at(v02, this.systemOff)),
      row(PSCI_0_2_FN_SYSTEM_RESET, 'SYSTEM_RESET', 0, 1, at(v02, this.systemReset)),
      row(PSCI_1_0_FN_PSCI_FEATURES, 'PSCI_FEATURES', 1, 1, (c) => this.features(Number(c.args[0]!), c.cpu)),
      row(PSCI_1_0_FN_SYSTEM_SUSPEND, 'SYSTEM_SUSPEND', 3, 4, at(PSCI_VERSION_1_0, this.systemSuspend)),
      row(PSCI_1_0_FN64_SYSTEM_SUSPEND, 'SYSTEM_SUSPEND_64', 3, 4, at(PSCI_VERSION_1_0, this.systemSuspend)),
      row(PSCI_1_1_FN_SYSTEM_RESET2, 'SYSTEM_RESET2', 3, 4, at(PSCI_VERSION_1_1, this.systemReset2)),
      row(PSCI_1_1_FN64_SYSTEM_RESET2, 'SYSTEM_RESET2_64', 3, 4, at(PSCI_VERSION_1_1, this.systemReset2)),
      row(PSCI_1_3_FN_SYSTEM_OFF2, 'SYSTEM_OFF2', 2, 1, at(PSCI_VERSION_1_3, this.systemOff2)),
      row(PSCI_1_3_FN64_SYSTEM_OFF2, 'SYSTEM_OFF2_64', 2, 1, at(PSCI_VERSION_1_3, this.systemOff2)),
      // KVM's PSCI 0.1 IDs: served only at version 0.1, with the full X1..X3 (not SMCCC IDs).
      row(KVM_PSCI_FN_CPU_OFF, 'KVM_PSCI_FN_CPU_OFF', 0, 1, (c) =>
        this.current === PSCI_VERSION_0_1 ? this.cpuOff(c) : PSCI_RET_NOT_SUPPORTED,
      ),
      row(KVM_PSCI_FN_CPU_ON, 'KVM_PSCI_FN_CPU_ON', 0, 1, (c) =>
        this.current === PSCI_VERSION_0_1
          ? this.vcpuOn(c.cpu, c.cpu.getReg(CoreReg.X1), c.cpu.getReg(CoreReg.X2), c.cpu.getReg(CoreReg.X3))
          : PSCI_RET_NOT_SUPPORTED,
      ),
    ];
    return { name: 'PSCI (KVM vPSCI)', functions, status: PSCI_RET_NAMES };
  }

  private readonly cpuSuspend = (c: SmcccCall): number => {
    this.power.standby(c.cpu.index);
    return PSCI_RET_SUCCESS;
  };

  private readonly cpuOff = (c: SmcccCall): number => {
    this.power.cpuOff(c.cpu.index);
    return PSCI_RET_SUCCESS;
  };

  private readonly cpuOn = (c: SmcccCall): number => this.vcpuOn(c.cpu, c.args[0]!, c.args[1]!, c.args[2]!);

  /** kvm_psci_vcpu_on. */
  private vcpuOn(caller: Cpu, mpidr: bigint, entry: bigint, contextId: bigint): number {
    if ((mpidr & ~MPIDR_HWID_BITMASK) !== 0n) return PSCI_RET_INVALID_PARAMS;
    const target = this.power.indexOf(mpidr);
    if (target < 0) return PSCI_RET_INVALID_PARAMS;
    if (!this.power.isOff(target))
      return this.current === PSCI_VERSION_0_1 ? PSCI_RET_INVALID_PARAMS : PSCI_RET_ALREADY_ON;
    this.power.cpuOn(caller, target, entry, contextId, { pending: false });
    return PSCI_RET_SUCCESS;
  }

  /** kvm_psci_vcpu_affinity_info. */
  private readonly affinityInfo = (c: SmcccCall): number => {
    const affinity = c.args[0]!;
    const level = c.args[1]!;
    if ((affinity & ~MPIDR_HWID_BITMASK) !== 0n || level > 3n) return PSCI_RET_INVALID_PARAMS;
    const mask = MPIDR_HWID_BITMASK & ~((1n << (level * 8n)) - 1n);
    const matching = this.power.matching(affinity & mask, mask);
    if (matching.length === 0) return PSCI_RET_INVALID_PARAMS;
    return matching.some((i) => !this.power.isOff(i)) ? PSCI_0_2_AFFINITY_LEVEL_ON : PSCI_0_2_AFFINITY_LEVEL_OFF;
  };

  private readonly systemOff = (c: SmcccCall): number => {
    this.power.systemEvent(c.cpu.index, 'shutdown', 'PSCI SYSTEM_OFF', [0n]);
    return PSCI_RET_INTERNAL_FAILURE;
  };

  private readonly systemReset = (c: SmcccCall): number => {
    this.power.systemEvent(c.cpu.index, 'reset', 'PSCI SYSTEM_RESET', [0n]);
    return PSCI_RET_INTERNAL_FAILURE;
  };

  /** X1..X3 as KVM leaves them: narrowed in place for an SMC32 ID, else untouched. */
  private readonly systemReset2 = (c: SmcccCall): number | readonly bigint[] => {
    const type = c.args[0]! & LOW32; // KVM reads reset_type into a u32 for both forms
    if (type === 0n || type >= BigInt(PSCI_1_1_RESET_TYPE_VENDOR_START)) {
      this.power.systemEvent(c.cpu.index, 'reset', 'PSCI SYSTEM_RESET2', [KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2]);
      return [BigInt.asUintN(64, BigInt(PSCI_RET_INTERNAL_FAILURE)), c.args[0]!, c.args[1]!, c.args[2]!];
    }
    return PSCI_RET_INVALID_PARAMS;
  };

  private readonly systemOff2 = (c: SmcccCall): number => {
    const type = c.args[0]! & LOW32;
    if ((type !== 0n && type !== BigInt(PSCI_1_3_OFF_TYPE_HIBERNATE_OFF)) || c.args[1] !== 0n)
      return PSCI_RET_INVALID_PARAMS;
    this.power.systemEvent(c.cpu.index, 'shutdown', 'PSCI SYSTEM_OFF2', [KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2]);
    return PSCI_RET_INTERNAL_FAILURE;
  };

  /** Registers as the guest left them (X0 = the function ID, X1..X3 narrowed for SMC32). */
  private readonly systemSuspend = (c: SmcccCall): number | readonly bigint[] => {
    if (!this.suspendCap) return PSCI_RET_NOT_SUPPORTED;
    this.power.systemEvent(c.cpu.index, 'suspend', 'PSCI SYSTEM_SUSPEND', []);
    return [c.cpu.getReg(CoreReg.X0), c.args[0]!, c.args[1]!, c.args[2]!];
  };
}

/** kvm_psci_check_allowed_function: an SMC64/HVC64 ID from a vCPU in AArch32 state. */
function is64BitFromAArch32(fid: number, cpu: Cpu): boolean {
  return (fid & 0x4000_0000) !== 0 && (cpu.getReg(CoreReg.PSTATE) & PSTATE_NRW) !== 0n;
}
