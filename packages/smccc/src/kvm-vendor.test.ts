import { HvlabError, SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { KVM_REG_ARM_VENDOR_HYP_BMAP, KVM_REG_ARM_VENDOR_HYP_BMAP_2 } from './fwregs.js';
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_CPUS_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
  KVM_PTP_PHYS_COUNTER,
  KVM_PTP_VIRT_COUNTER,
  kvmVendorService,
  realTimeClock,
} from './kvm-vendor.js';
import { junk, ONES, testVm } from './testing/vm.js';
import { regsToUuid } from './uuid.js';

const NOT_SUPPORTED = [ONES, 0n, 0n, 0n];

describe('KVM vendor hypervisor services', () => {
  it('has the IDs of linux include/linux/arm-smccc.h', () => {
    expect(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID).toBe(0x8600_ff01);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID).toBe(0x8600_0000);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID).toBe(0x8600_0001);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID).toBe(0xc600_0040);
    expect(ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_CPUS_FUNC_ID).toBe(0xc600_0041);
  });

  it("returns KVM's UID (the kvm-uuid selftest's words)", () => {
    const after = testVm().call([ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID]);
    expect(after.slice(0, 4)).toEqual([0xb66f_b428n, 0xe911_c52en, 0x564b_caa9n, 0x743a_004dn]);
    expect(regsToUuid(after.slice(0, 4))).toBe('28b46fb6-2ec5-11e9-a9ca-4b564d003a74');
    expect(after[4]).toBe(junk(4));
  });

  it('implements no other per-service query: Call Count and Revision are unknown', () => {
    const vm = testVm();
    for (const fid of [0x8600_ff00, 0x8600_ff03, 0x8400_ff00, 0x8400_ff01, 0x8400_ff03, 0x8500_ff01])
      expect(vm.call([fid]).slice(0, 4)).toEqual(NOT_SUPPORTED);
  });

  it('returns VENDOR_HYP_BMAP in R0 and VENDOR_HYP_BMAP_2 in R2 from KVM_FEATURES', () => {
    const vm = testVm();
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID]).slice(0, 4)).toEqual([3n, 0n, 0n, 0n]);
    vm.kvm.fwRegs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 1n);
    vm.kvm.fwRegs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 3n);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID]).slice(0, 4)).toEqual([1n, 0n, 3n, 0n]);
  });

  it('answers PTP with the wall clock and the chosen counter, split into 32-bit halves', () => {
    const vm = testVm({
      sysregs: new Map([
        [SysReg.CNTVCT_EL0, 0x0000_0012_8765_4321n],
        [SysReg.CNTPCT_EL0, 0x0000_0034_0000_0001n],
      ]),
      kvm: { wallClock: () => 0x17f0_0000_dead_beefn },
    });
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER]).slice(0, 4)).toEqual([
      0x17f0_0000n,
      0xdead_beefn,
      0x12n,
      0x8765_4321n,
    ]);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, KVM_PTP_PHYS_COUNTER]).slice(0, 4)).toEqual([
      0x17f0_0000n,
      0xdead_beefn,
      0x34n,
      1n,
    ]);
    // HVC32: the selector is W1.
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0xffff_ffff_0000_0001n])[3]).toBe(1n);
  });

  it('reads the counter the vCPU sees at the call (CNTVCT_EL0 of that vCPU)', () => {
    const vm = testVm({ cpus: 2 });
    vm.cpus[1]!.sysregs.set(SysReg.CNTVCT_EL0, 77n);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0], { vcpu: 1 })[3]).toBe(77n);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0], { vcpu: 0 })[3]).toBe(0n);
  });

  it('answers NOT_SUPPORTED for an unknown counter, or when the backend has no counter (ENOENT)', () => {
    const vm = testVm();
    for (const sel of [2, 0xffff_ffff])
      expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, sel]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    vm.cpus[0]!.getSysReg = () => {
      throw new HvlabError('ENOENT', 'not implemented');
    };
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    // Anything else a backend throws is a bug and propagates.
    vm.cpus[0]!.getSysReg = () => {
      throw new RangeError('broken backend');
    };
    expect(() => vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0])).toThrow(/broken backend/);
  });

  it('gates UID and FEATURES by VENDOR_HYP_BMAP bit 0 and PTP by bit 1', () => {
    const vm = testVm();
    vm.kvm.fwRegs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 2n);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0]).slice(0, 4)).toEqual([
      0x1234_5678n,
      0x9abc_def0n,
      0n,
      0n,
    ]);
    const vm2 = testVm();
    vm2.kvm.fwRegs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 1n);
    expect(vm2.call([ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, 0]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    expect(vm2.call([ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID])[0]).toBe(0xb66f_b428n);
  });

  it('leaves DISCOVER_IMPL_* to the VMM even when VENDOR_HYP_BMAP_2 advertises them', () => {
    const vm = testVm();
    vm.kvm.fwRegs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 3n);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID]).slice(0, 4)).toEqual(NOT_SUPPORTED);
    expect(vm.call([ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_CPUS_FUNC_ID, 0]).slice(0, 4)).toEqual(NOT_SUPPORTED);
  });

  it('defaults to the real-time clock', () => {
    const ns = realTimeClock();
    const ms = BigInt(Date.now());
    expect(ns / 1_000_000n).toBeGreaterThan(ms - 5_000n);
    expect(ns / 1_000_000n).toBeLessThan(ms + 5_000n);
    expect(() => kvmVendorService({ bitmaps: 1 as unknown as () => { bmap: bigint; bmap2: bigint } })).toThrow(
      /functions/,
    );
  });
});
