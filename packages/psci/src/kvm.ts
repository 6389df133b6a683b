/**
 * installKvmFirmware: everything KVM gives a guest in firmware, on one hvlab Machine (one VM) —
 * what a VMM (the CLI, the guests harness, a library user) calls to run guests written for KVM.
 *
 *   KvmSmccc (@hvlab/smccc)   the dispatcher with KVM's gate (filter, bitmaps, always-allowed
 *                             set), Arm architecture calls and workarounds, TRNG, KVM vendor
 *                             calls, PV time, the firmware pseudo-registers, the SMCCC filter
 *   VPsci (vpsci.ts)          KVM's PSCI, its rows in the same dispatcher and its
 *                             KVM_REG_ARM_PSCI_VERSION in the same register table
 *
 * Conduits: KVM serves both. An HVC reaches kvm_smccc_call_handler through handle_hvc; every guest
 * SMC traps to KVM too (HCR_EL2.TSC is part of HCR_GUEST_FLAGS) and handle_smc serves it — SMC
 * #0 like an HVC, a non-zero immediate with -1 (linux arch/arm64/kvm/handle_exit.c). No KVM
 * answers a guest SMC with UNDEF, so both conduits are attached unless `conduit` narrows them
 * (for a configuration that is not KVM's); the DTB's /psci `method` only tells the guest which
 * one PSCI expects.
 *
 * The VMM-side knobs KVM has, and their names here:
 *   KVM_ARM_VCPU_PSCI_0_2 feature      psci02 (default true)
 *   KVM_SET_ONE_REG(PSCI_VERSION)       psciVersion, or vcpuRegs(i).setOneReg later
 *   KVM_ENABLE_CAP(ARM_SYSTEM_SUSPEND)  systemSuspend, or psci.enableSystemSuspend()
 *   KVM_ARM_VM_SMCCC_FILTER             smccc.setFilter(base, count, action)
 *   KVM_GET/SET_ONE_REG, GET_REG_LIST   vcpuRegs(i)
 * Every option is checked before anything is attached to the machine.
 */
import type { Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import type { Conduit, KvmSmcccOptions, VcpuOneRegs } from '@hvlab/smccc';
import { KvmSmccc } from '@hvlab/smccc';
import { VPsci } from './vpsci.js';

export interface KvmFirmwareOptions extends Omit<KvmSmcccOptions, 'conduits'> {
  /** The conduit(s) that reach the firmware (default both, as on KVM: see the top of this file). */
  readonly conduit?: Conduit | readonly Conduit[];
  /** The vCPUs have KVM_ARM_VCPU_PSCI_0_2 (default true; false = PSCI 0.1). */
  readonly psci02?: boolean;
  /** KVM_REG_ARM_PSCI_VERSION (default 1.3, KVM_ARM_PSCI_LATEST; 0.1 without psci02). */
  readonly psciVersion?: number;
  /** KVM_CAP_ARM_SYSTEM_SUSPEND enabled (default false). */
  readonly systemSuspend?: boolean;
}

export interface KvmFirmware {
  readonly smccc: KvmSmccc;
  readonly psci: VPsci;
  readonly conduits: readonly Conduit[];
  /** KVM_GET_ONE_REG / KVM_SET_ONE_REG / KVM_GET_REG_LIST of vCPU `index`. */
  vcpuRegs(index: number): VcpuOneRegs;
}

export function installKvmFirmware(machine: Machine, opts: KvmFirmwareOptions = {}): KvmFirmware {
  const conduit = opts.conduit ?? (['hvc', 'smc'] as const);
  const conduits: readonly Conduit[] = typeof conduit === 'string' ? [conduit] : [...conduit];
  if (conduits.length === 0 || conduits.some((c) => c !== 'hvc' && c !== 'smc'))
    throw new HvlabError('EINVAL', `firmware conduit must be 'hvc' or 'smc', got ${JSON.stringify(opts.conduit)}`);
  const psci = new VPsci(machine, {
    ...(opts.psci02 === undefined ? {} : { psci02: opts.psci02 }),
    ...(opts.psciVersion === undefined ? {} : { version: opts.psciVersion }),
    ...(opts.systemSuspend === undefined ? {} : { systemSuspend: opts.systemSuspend }),
  });
  const { conduit: _c, psci02: _p, psciVersion: _v, systemSuspend: _s, ...smcccOpts } = opts;
  const smccc = new KvmSmccc(machine, smcccOpts);
  smccc.fwRegs.define(psci.versionRegister());
  smccc.dispatcher.register(psci.service());
  smccc.attach(conduits);
  return { smccc, psci, conduits, vcpuRegs: (index) => smccc.vcpuRegs(index) };
}
