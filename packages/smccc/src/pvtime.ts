/**
 * Paravirtualised time: stolen time (Arm DEN0057A; linux Documentation/virt/kvm/arm/pvtime.rst,
 * arch/arm64/kvm/pvtime.c).
 *
 *   FID         name              args       result
 *   0xC5000020  PV_TIME_FEATURES  W1 = FID   SUCCESS if W1 is PV_TIME_FEATURES or PV_TIME_ST and the
 *                                            VMM gave this vCPU a record, else NOT_SUPPORTED
 *   0xC5000021  PV_TIME_ST        -          the IPA of this vCPU's record (zeroing it: the count
 *                                            restarts from 0), or NOT_SUPPORTED without a record
 *
 * Record (little-endian, 64 bytes, 64-byte aligned; linux asm/pvclock-abi.h):
 *   struct pvclock_vcpu_stolen_time { le32 revision; le32 attributes; le64 stolen_time; u8 pad[48] }
 * revision and attributes are 0 (v1.0); stolen_time counts nanoseconds.
 *
 * Per-vCPU state machine (KVM: vcpu->arch.steal.base; kvm_arm_is_pvtime_enabled):
 *
 *   NO_RECORD ──setIpa(ipa) (VMM; KVM_ARM_VCPU_PVTIME_CTRL/IPA)──► ACCOUNTING ──PV_TIME_ST──┐
 *                                                                      ▲                   │
 *                                                                      └── record zeroed ──┘
 *   setIpa rules (kvm_arm_pvtime_set_attr): not 64-byte aligned -> EINVAL; a record already set
 *   -> EEXIST; the 64 bytes not in guest RAM (KVM: not in a memslot) -> EINVAL. There is no way
 *   back to NO_RECORD.
 *
 * Accounting starts when the VMM sets the IPA, not when the guest calls PV_TIME_ST: KVM requests
 * KVM_REQ_RECORD_STEAL at every kvm_arch_vcpu_load of a vCPU whose steal.base is set
 * (kvm_arm_is_pvtime_enabled), and kvm_update_stolen_time adds the run delay to whatever the
 * record holds. PV_TIME_ST (kvm_init_stolen_time) zeroes the 64 bytes and restarts the count
 * from there (last_steal = the current run delay), so what a guest reads after PV_TIME_ST is the
 * time stolen since its call, as DEN0057A intends; before it, the record already counts.
 *
 * Stolen-time model. KVM adds the host scheduler's run_delay (time the vCPU thread was runnable
 * but not running) to the record when the vCPU is next loaded. hvlab runs every vCPU on one
 * host thread with a deterministic scheduler, so "runnable but not running" becomes: this vCPU
 * is powered on and not waiting for an interrupt (Machine power state 'running') while another
 * vCPU runs a slice. Every Machine 'slice' event (cpu, start, end) therefore adds (end - start)
 * instruction-times — 1 ns each, the notional 1 GHz rate of core/src/cpu.ts — to every other
 * vCPU with a record that is 'running'. A vCPU waiting in WFI (or off) is not runnable, as a
 * blocked KVM vCPU thread is not on a run queue. The slice event is emitted before the exit that
 * ended the slice is routed, so the power states it sees are those that held during the slice.
 *
 * The record is read-modify-written (stolen_time += delta, as kvm_update_stolen_time does) at
 * the end of every slice another vCPU runs, so whenever a vCPU is scheduled again its record
 * already holds all the time it was kept waiting — the value KVM writes at vcpu_load. The
 * guest-visible difference to KVM (deliberate: hvlab has no vcpu_load): another vCPU reading
 * this vCPU's record may see it updated earlier. If the record's memory cannot be read or
 * written, the update is skipped, as KVM skips it when kvm_get_guest fails.
 *
 * Gated by bit 0 of KVM_REG_ARM_STD_HYP_BMAP (KvmSmccc's gate), which also decides
 * SMCCC_ARCH_FEATURES(PV_TIME_FEATURES).
 */
import type { Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import type { SmcccService } from './dispatch.js';
import { fastCall64, OEN_STD_HYP_START } from './fid.js';
import { SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_SUCCESS, SMCCC_STATUS_NAMES } from './status.js';

export const ARM_SMCCC_HV_PV_TIME_FEATURES = fastCall64(OEN_STD_HYP_START, 0x20);
export const ARM_SMCCC_HV_PV_TIME_ST = fastCall64(OEN_STD_HYP_START, 0x21);

/** KVM_ARM_VCPU_PVTIME_CTRL (vCPU device-attribute group) and its KVM_ARM_VCPU_PVTIME_IPA attribute. */
export const KVM_ARM_VCPU_PVTIME_CTRL = 2;
export const KVM_ARM_VCPU_PVTIME_IPA = 0;
/** What KVM_GET_DEVICE_ATTR reports for a vCPU without a record (INVALID_GPA). */
export const INVALID_GPA = (1n << 64n) - 1n;

/** sizeof(struct pvclock_vcpu_stolen_time), also its required alignment. */
export const PVCLOCK_STOLEN_TIME_SIZE = 64;
export const PVCLOCK_STOLEN_TIME_OFFSET = 8;

interface VcpuSteal {
  /** vcpu->arch.steal.base (undefined = INVALID_GPA). */
  base: bigint | undefined;
  /** The guest has called PV_TIME_ST on this vCPU (kvm_init_stolen_time ran). */
  initialised: boolean;
}

export class PvTime {
  private readonly vcpus: VcpuSteal[];
  private listening = false;

  constructor(private readonly machine: Machine) {
    this.vcpus = machine.cpus.map(() => ({ base: undefined, initialised: false }));
  }

  private vcpu(index: number): VcpuSteal {
    const v = Number.isInteger(index) ? this.vcpus[index] : undefined;
    if (!v) throw new HvlabError('EINVAL', `no vCPU ${index}`);
    return v;
  }

  /** KVM_SET_DEVICE_ATTR(KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA) on vCPU `index`. */
  setIpa(index: number, ipa: bigint): void {
    const v = this.vcpu(index);
    if (typeof ipa !== 'bigint' || ipa < 0n || ipa > INVALID_GPA)
      throw new HvlabError('EINVAL', `PV time IPA ${String(ipa)} is not a u64`);
    if (ipa % BigInt(PVCLOCK_STOLEN_TIME_SIZE) !== 0n)
      throw new HvlabError('EINVAL', `PV time IPA 0x${ipa.toString(16)} is not 64-byte aligned`);
    if (v.base !== undefined)
      throw new HvlabError('EEXIST', `vCPU ${index} already has its stolen-time record at 0x${v.base.toString(16)}`);
    if (ipa > BigInt(Number.MAX_SAFE_INTEGER) || !this.machine.mem.isRam(Number(ipa), PVCLOCK_STOLEN_TIME_SIZE))
      throw new HvlabError('EINVAL', `PV time IPA 0x${ipa.toString(16)} is not in guest RAM`);
    v.base = ipa;
    this.listen(); // kvm_arm_is_pvtime_enabled: the record counts from now on
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.machine.events.on('slice', this.onSlice);
  }

  /** KVM_GET_DEVICE_ATTR(KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA): INVALID_GPA when unset. */
  getIpa(index: number): bigint {
    return this.vcpu(index).base ?? INVALID_GPA;
  }

  /** True once the VMM set a record for vCPU `index`: KVM's kvm_arm_is_pvtime_enabled. */
  isAccounting(index: number): boolean {
    return this.vcpu(index).base !== undefined;
  }

  /** True once the guest called PV_TIME_ST on vCPU `index` (kvm_init_stolen_time). */
  isInitialised(index: number): boolean {
    return this.vcpu(index).initialised;
  }

  /** kvm_hypercall_pv_features. */
  features(index: number, x1: bigint): number {
    const feature = Number(x1 & 0xffff_ffffn); // u32 feature = smccc_get_arg1(vcpu)
    if (feature !== ARM_SMCCC_HV_PV_TIME_FEATURES && feature !== ARM_SMCCC_HV_PV_TIME_ST)
      return SMCCC_RET_NOT_SUPPORTED;
    return this.vcpu(index).base === undefined ? SMCCC_RET_NOT_SUPPORTED : SMCCC_RET_SUCCESS;
  }

  /** kvm_init_stolen_time: zero the record (the count restarts from 0), return its IPA. */
  st(index: number): bigint | number {
    const v = this.vcpu(index);
    if (v.base === undefined) return SMCCC_RET_NOT_SUPPORTED;
    try {
      this.machine.mem.write(Number(v.base), new Uint8Array(PVCLOCK_STOLEN_TIME_SIZE));
    } catch {
      // kvm_write_guest_lock's failure is ignored by KVM too; the IPA is still returned.
    }
    v.initialised = true;
    return v.base;
  }

  private readonly onSlice = (cpu: number, start: number, end: number): void => {
    const delta = end - start;
    if (!(delta > 0)) return;
    for (let i = 0; i < this.vcpus.length; i++) {
      const v = this.vcpus[i]!;
      if (i === cpu || v.base === undefined) continue;
      if (this.machine.powerState(i) !== 'running') continue;
      const pa = Number(v.base) + PVCLOCK_STOLEN_TIME_OFFSET;
      try {
        const steal = this.machine.mem.readU64(pa);
        this.machine.mem.writeU64(pa, steal + BigInt(delta));
      } catch {
        // kvm_update_stolen_time skips the update when the guest page cannot be read.
      }
    }
  };

  /**
   * The PV time service table (the rows read the calling vCPU's state). `archFeatures` is the
   * SMCCC_ARCH_FEATURES(PV_TIME_FEATURES) answer, which KVM takes from STD_HYP_BMAP alone.
   */
  service(archFeatures: () => number): SmcccService {
    return {
      name: 'PV Time',
      status: SMCCC_STATUS_NAMES,
      functions: [
        {
          fid: ARM_SMCCC_HV_PV_TIME_FEATURES,
          name: 'PV_TIME_FEATURES',
          argCount: 1,
          resultCount: 1,
          handler: (call) => this.features(call.cpu.index, call.args[0]!),
          archFeatures,
        },
        {
          fid: ARM_SMCCC_HV_PV_TIME_ST,
          name: 'PV_TIME_ST',
          argCount: 0,
          resultCount: 1,
          handler: (call) => this.st(call.cpu.index),
        },
      ],
    };
  }
}
