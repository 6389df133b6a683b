import { kvmSysRegId, SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
} from './arch.js';
import {
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
} from './fwregs.js';
import { errnoOf, junk, ONES, testVm } from './testing/vm.js';
import type { HostMitigations, SpectreState } from './workarounds.js';
import { hostMitigations } from './workarounds.js';

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

function vmWith(m: Partial<HostMitigations>) {
  return testVm({ kvm: { mitigations: m } });
}

describe('Spectre workaround discovery and registers', () => {
  // [state, ARCH_FEATURES(WA_1/3), register level WA_1/3] (linux arch/arm64/kvm/hypercalls.c)
  const wa13: [SpectreState, bigint, bigint][] = [
    ['vulnerable', -1n, 0n],
    ['mitigated', 0n, 1n],
    ['unaffected', 1n, 2n],
  ];
  it.each(wa13)('WORKAROUND_1 and _3 for a %s host: ARCH_FEATURES %d, level %d', (state, features, level) => {
    const vm = vmWith({ spectreV2: state, spectreBhb: state });
    expect(s64(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1])[0]!)).toBe(features);
    expect(s64(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3])[0]!)).toBe(features);
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1)).toBe(level);
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3)).toBe(level);
    // The two are independent.
    const other = vmWith({ spectreV2: state, spectreBhb: 'vulnerable' });
    expect(other.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3)).toBe(0n);
  });

  // [state, ssbs, ARCH_FEATURES(WA_2), register level]
  const wa2: [SpectreState, boolean, bigint, bigint][] = [
    ['vulnerable', false, -1n, 0n],
    ['vulnerable', true, -1n, 0n],
    ['mitigated', true, -1n, 0n],
    ['mitigated', false, -2n, 3n],
    ['unaffected', false, -2n, 3n],
    ['unaffected', true, -2n, 3n],
  ];
  it.each(wa2)('WORKAROUND_2 for a %s host (SSBS %s): ARCH_FEATURES %d, level %d', (state, ssbs, features, level) => {
    const vm = vmWith({ spectreV4: state, ssbs });
    expect(s64(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2])[0]!)).toBe(features);
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(level);
  });

  it("defaults to an unaffected host, with SSBS from vCPU 0's ID_AA64PFR1_EL1", () => {
    const vm = testVm();
    expect(vm.kvm.mitigations).toEqual({
      spectreV2: 'unaffected',
      spectreV4: 'unaffected',
      spectreBhb: 'unaffected',
      ssbs: false,
    });
    const withSsbs = testVm({ sysregs: new Map([[SysReg.ID_AA64PFR1_EL1, 0x10n]]), kvm: { mitigations: {} } });
    expect(withSsbs.kvm.mitigations.ssbs).toBe(true);
    expect(() => hostMitigations({ spectreV2: 'maybe' as SpectreState })).toThrow(/unknown mitigation state/);
    expect(() => hostMitigations({ ssbs: 1 as unknown as boolean })).toThrow(/boolean/);
  });

  it("get_kernel_wa_level reads the VM's SSBS when asked: a VMM that hides SSBS before the run changes WORKAROUND_2", () => {
    // KVM: kvm_has_feat(vcpu->kvm, ID_AA64PFR1_EL1, SSBS, IMP), the VM's (writable) ID register.
    const vm = testVm({
      sysregs: new Map([[SysReg.ID_AA64PFR1_EL1, 0x10n]]),
      kvm: { mitigations: { spectreV4: 'mitigated' } },
    });
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(0n); // SSBS: the guest uses PSTATE.SSBS
    expect(s64(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2])[0]!)).toBe(-1n);
    expect(errnoOf(() => vm.kvm.vcpuRegs(0).setOneReg(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 3n))).toBe('EINVAL');
    vm.kvm.vcpuRegs(0).setOneReg(kvmSysRegId(SysReg.ID_AA64PFR1_EL1), 0n); // the VMM hides SSBS
    expect(vm.kvm.mitigations.ssbs).toBe(false);
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(3n); // a permanent mitigation instead
    expect(s64(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2])[0]!)).toBe(-2n);
    vm.kvm.vcpuRegs(0).setOneReg(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 3n); // a migration source's level now fits
    // A host description that fixes SSBS is not affected by the ID register.
    const fixed = testVm({ kvm: { mitigations: { spectreV4: 'mitigated', ssbs: true } } });
    expect(fixed.kvm.fwRegs.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(0n);
  });

  it('accepts an equal or lower WORKAROUND_1/_3 level and discards it; a higher one or stray bits are EINVAL', () => {
    const vm = vmWith({ spectreV2: 'mitigated', spectreBhb: 'vulnerable' });
    const r = vm.kvm.fwRegs;
    r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 1n);
    r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 0n);
    expect(r.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1)).toBe(1n);
    expect(errnoOf(() => r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 2n))).toBe('EINVAL');
    expect(errnoOf(() => r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 0x10n))).toBe('EINVAL');
    r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, 0n);
    expect(errnoOf(() => r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, 1n))).toBe('EINVAL');
    // No EBUSY for these: they are checks, not state.
    vm.runOnce();
    r.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 0n);
  });

  it('folds WORKAROUND_2 levels and allows ENABLED only with AVAIL', () => {
    const notReq = vmWith({ spectreV4: 'unaffected' }).kvm.fwRegs;
    for (const v of [0n, 1n, 2n, 3n, 0x12n]) notReq.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, v);
    expect(notReq.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(3n);
    for (const v of [0x10n, 0x11n, 0x13n, 4n, 0xfn, 0x20n, 1n << 40n])
      expect(errnoOf(() => notReq.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, v))).toBe('EINVAL');
    const notAvail = vmWith({ spectreV4: 'vulnerable' }).kvm.fwRegs;
    notAvail.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 0n);
    notAvail.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, 1n); // UNKNOWN folds to NOT_AVAIL
    for (const v of [2n, 3n, 0x12n])
      expect(errnoOf(() => notAvail.set(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, v))).toBe('EINVAL');
    expect(notAvail.get(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(0n);
  });
});

describe('Spectre workaround calls', () => {
  const WAS = [SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2, SMCCC_ARCH_WORKAROUND_3];

  it.each(WAS)('answers HVC 0x%s on the EL2 fast path: X0 = X1 = 0, X2.. untouched, whatever the host state', (fid) => {
    for (const state of ['vulnerable', 'mitigated', 'unaffected'] as const) {
      const vm = vmWith({ spectreV2: state, spectreV4: state, spectreBhb: state });
      const after = vm.call([0xabcd_0000_0000_0000n | BigInt(fid), 1n]);
      expect(after.slice(0, 2)).toEqual([0n, 0n]);
      expect(after.slice(2)).toEqual(Array.from({ length: 16 }, (_, i) => junk(i + 2)));
    }
  });

  it('answers the fast path even when every bitmap is cleared', () => {
    const vm = testVm();
    for (const id of [KVM_REG_ARM_STD_BMAP, KVM_REG_ARM_STD_HYP_BMAP, KVM_REG_ARM_VENDOR_HYP_BMAP])
      vm.kvm.fwRegs.set(id, 0n);
    expect(vm.call([SMCCC_ARCH_WORKAROUND_1])[0]).toBe(0n);
  });

  it.each(WAS)('refuses 0x%s through the SMC conduit (neither default-allowed nor in a bitmap)', (fid) => {
    const after = testVm({ kvm: { mitigations: { spectreV2: 'mitigated' } } }).call([fid], { conduit: 'smc' });
    expect(after.slice(0, 4)).toEqual([ONES, 0n, 0n, 0n]);
    expect(after[4]).toBe(junk(4));
  });
});
