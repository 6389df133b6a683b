import { CoreReg, KVM_REG_ARM_COPROC_MASK, KVM_REG_ARM_CORE, KvmCoreReg, kvmSysRegId, SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_SOC_ID,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION,
} from './arch.js';
import {
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from './fwregs.js';
import { KVM_PSCI_FN, type KvmSmccc, kvmSmcccBitmapFor, kvmSmcccDefaultAllowed } from './kvm.js';
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
} from './kvm-vendor.js';
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST } from './pvtime.js';
import { errnoOf, junk, ONES, testVm } from './testing/vm.js';
import { TRNG_FIDS } from './trng.js';

const NOT_SUPPORTED = [ONES, 0n, 0n, 0n];

/** A stand-in for @hvlab/psci: PSCI_VERSION as a row in the same dispatcher. */
function withPsciVersion(kvm: KvmSmccc): void {
  kvm.dispatcher.register({
    name: 'PSCI',
    functions: [{ fid: 0x8400_0000, name: 'PSCI_VERSION', argCount: 0, resultCount: 1, handler: () => 0x1_0003 }],
  });
}

describe('KvmSmccc dispatch', () => {
  it('answers SMCCC_VERSION 1.1 on both conduits, X1..X3 zeroed, X4..X17 preserved', () => {
    const vm = testVm();
    for (const conduit of ['hvc', 'smc'] as const) {
      const after = vm.call([SMCCC_VERSION], { conduit });
      expect(after.slice(0, 4)).toEqual([0x1_0001n, 0n, 0n, 0n]);
      expect(after.slice(4)).toEqual(Array.from({ length: 14 }, (_, i) => junk(i + 4)));
    }
  });

  it('treats an SMC with a non-zero immediate as reserved (X0 = -1 only), and ignores the HVC immediate', () => {
    const vm = testVm();
    const after = vm.call([SMCCC_VERSION], { conduit: 'smc', imm: 1 });
    expect(after[0]).toBe(ONES);
    expect(after.slice(1)).toEqual(Array.from({ length: 17 }, (_, i) => junk(i + 1)));
    expect(vm.call([SMCCC_VERSION], { conduit: 'hvc', imm: 0xffff })[0]).toBe(0x1_0001n);
  });

  it("answers SMCCC_ARCH_FEATURES with KVM's answers", () => {
    const vm = testVm({
      kvm: { mitigations: { spectreV2: 'mitigated', spectreV4: 'unaffected', spectreBhb: 'vulnerable' } },
    });
    const features = (q: number | bigint) => BigInt.asIntN(64, vm.call([SMCCC_ARCH_FEATURES, q])[0]!);
    expect(features(SMCCC_VERSION)).toBe(-1n);
    expect(features(SMCCC_ARCH_FEATURES)).toBe(-1n);
    expect(features(SMCCC_ARCH_SOC_ID)).toBe(-1n);
    expect(features(SMCCC_ARCH_WORKAROUND_1)).toBe(0n);
    expect(features(SMCCC_ARCH_WORKAROUND_2)).toBe(-2n);
    expect(features(SMCCC_ARCH_WORKAROUND_3)).toBe(-1n);
    expect(features(ARM_SMCCC_HV_PV_TIME_FEATURES)).toBe(0n);
    expect(features(ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID)).toBe(-1n);
    for (const t of TRNG_FIDS) expect(features(t)).toBe(-1n);
    // The queried ID is W1.
    expect(features(0xffff_ffff_0000_0000n | BigInt(SMCCC_ARCH_WORKAROUND_1))).toBe(0n);
  });

  it('lets the always-allowed IDs through even with every bitmap cleared', () => {
    const vm = testVm();
    withPsciVersion(vm.kvm);
    for (const id of [KVM_REG_ARM_STD_BMAP, KVM_REG_ARM_STD_HYP_BMAP, KVM_REG_ARM_VENDOR_HYP_BMAP])
      vm.kvm.fwRegs.set(id, 0n);
    expect(vm.call([SMCCC_VERSION])[0]).toBe(0x1_0001n);
    expect(vm.call([SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1])[0]).toBe(1n);
    expect(vm.call([0x8400_0000])[0]).toBe(0x1_0003n);
    for (const fid of [
      ...TRNG_FIDS,
      ARM_SMCCC_HV_PV_TIME_FEATURES,
      ARM_SMCCC_HV_PV_TIME_ST,
      ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
      ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
      ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
    ])
      expect(vm.call([fid, 0]).slice(0, 4)).toEqual(NOT_SUPPORTED);
  });

  it('classifies IDs as kvm_smccc_default_allowed and kvm_smccc_test_fw_bmap do', () => {
    for (const fid of [SMCCC_VERSION, SMCCC_ARCH_FEATURES, 0x8400_0000, 0xc400_001f, 0x0400_0003, 0x8401_0010])
      expect(kvmSmcccDefaultAllowed(fid)).toBe(true);
    for (let n = 0; n < 4; n++) expect(kvmSmcccDefaultAllowed(KVM_PSCI_FN(n))).toBe(true);
    expect(KVM_PSCI_FN(0)).toBe(0x95c1_ba5e);
    for (const fid of [0x8400_0020, 0x8400_0050, SMCCC_ARCH_WORKAROUND_1, 0x8000_0002, KVM_PSCI_FN(4), 0x95c1_ba5d])
      expect(kvmSmcccDefaultAllowed(fid)).toBe(false);
    expect(kvmSmcccBitmapFor(0xc400_0053)).toEqual({ reg: KVM_REG_ARM_STD_BMAP, bit: 0 });
    expect(kvmSmcccBitmapFor(ARM_SMCCC_HV_PV_TIME_ST)).toEqual({ reg: KVM_REG_ARM_STD_HYP_BMAP, bit: 0 });
    expect(kvmSmcccBitmapFor(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID)).toEqual({
      reg: KVM_REG_ARM_VENDOR_HYP_BMAP,
      bit: 0,
    });
    expect(kvmSmcccBitmapFor(ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID)).toEqual({
      reg: KVM_REG_ARM_VENDOR_HYP_BMAP,
      bit: 1,
    });
    expect(kvmSmcccBitmapFor(0xc600_0040)).toBeUndefined();
    expect(kvmSmcccBitmapFor(0x8400_0000)).toBeUndefined();
  });

  it('answers unknown and ungated IDs with NOT_SUPPORTED, X1..X3 zeroed', () => {
    const vm = testVm();
    for (const fid of [0x8200_0000, 0xc400_0020, 0x8400_0000, 0x0000_0000, 0xffff_ffff, KVM_PSCI_FN(0)]) {
      const after = vm.call([fid, 1, 2, 3]);
      expect(after.slice(0, 4)).toEqual(NOT_SUPPORTED);
      expect(after[4]).toBe(junk(4));
    }
  });

  it('shares one dispatcher with PSCI and attaches to the Machine', () => {
    const vm = testVm();
    withPsciVersion(vm.kvm);
    expect(vm.guestCalls([[0x8400_0000], [SMCCC_VERSION]], { conduit: 'smc' }).map((r) => r[0])).toEqual([
      0x1_0003n,
      0x1_0001n,
    ]);
    expect(vm.machine.hasRun).toBe(true);
    expect(vm.kvm.dispatcher.serviceNames()).toEqual([
      'Arm Architecture Calls',
      'Arm Architecture Calls: Spectre workarounds',
      'TRNG',
      'KVM Vendor Hypervisor Services',
      'PV Time',
      'PSCI',
    ]);
  });
});

describe('KvmSmccc.vcpuRegs (ONE_REG)', () => {
  it('reads and writes core registers through core and firmware registers through the VM table', () => {
    const vm = testVm({ cpus: 2 });
    const r1 = vm.kvm.vcpuRegs(1);
    r1.setOneReg(KvmCoreReg.x(3), 0x1234n);
    r1.setOneReg(KvmCoreReg.PC, 0x4008_0000n);
    expect(vm.cpus[1]!.getReg(3)).toBe(0x1234n);
    expect(vm.cpus[1]!.getReg(CoreReg.PC)).toBe(0x4008_0000n);
    expect(r1.getOneReg(KvmCoreReg.x(3))).toBe(0x1234n);
    expect(vm.kvm.vcpuRegs(0).getOneReg(KvmCoreReg.x(3))).toBe(0n);
    // Firmware registers are per VM even though each vCPU has a view.
    r1.setOneReg(KVM_REG_ARM_VENDOR_HYP_BMAP, 1n);
    expect(vm.kvm.vcpuRegs(0).getOneReg(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(1n);
    expect(r1.getOneReg(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2)).toBe(3n);
  });

  it('answers ENOENT for unknown IDs, EINVAL/EBUSY per the firmware rules', () => {
    const vm = testVm();
    const r = vm.kvm.vcpuRegs(0);
    expect(errnoOf(() => r.getOneReg(KVM_REG_ARM_PSCI_VERSION))).toBe('ENOENT'); // psci not installed
    expect(errnoOf(() => r.getOneReg(0x6030_0000_0016_0004n))).toBe('ENOENT');
    expect(errnoOf(() => r.setOneReg(0x6030_0000_0014_0004n, 0n))).toBe('ENOENT');
    expect(errnoOf(() => r.getOneReg(0x6030_0000_0010_0100n))).toBe('ENOENT'); // fp_regs: no FP
    expect(errnoOf(() => r.setOneReg(KVM_REG_ARM_STD_BMAP, 2n))).toBe('EINVAL');
    vm.runOnce();
    expect(errnoOf(() => r.setOneReg(KVM_REG_ARM_STD_BMAP, 0n))).toBe('EBUSY');
    r.setOneReg(KVM_REG_ARM_STD_BMAP, 1n);
    expect(errnoOf(() => vm.kvm.vcpuRegs(1))).toBe('EINVAL');
  });

  it('refuses an ID or value that is not a u64 bigint (EINVAL) instead of truncating it', () => {
    const vm = testVm();
    const r = vm.kvm.vcpuRegs(0);
    const cpu = vm.cpus[0]!;
    const before = cpu.calls.length;
    for (const value of [-1n, 1n << 64n, 5 as unknown as bigint]) {
      expect(errnoOf(() => r.setOneReg(KvmCoreReg.x(1), value))).toBe('EINVAL');
      expect(errnoOf(() => r.setOneReg(KVM_REG_ARM_STD_BMAP, value))).toBe('EINVAL');
    }
    for (const id of [Number(KvmCoreReg.PC) as unknown as bigint, -1n, 1n << 64n]) {
      expect(errnoOf(() => r.getOneReg(id))).toBe('EINVAL');
      expect(errnoOf(() => r.setOneReg(id, 0n))).toBe('EINVAL');
    }
    expect(cpu.calls.length).toBe(before); // nothing was written
    expect(vm.kvm.fwRegs.get(KVM_REG_ARM_STD_BMAP)).toBe(1n);
  });

  it('lists core registers, then the firmware registers, then the system registers', () => {
    const vm = testVm({ sysregs: new Map([[SysReg.SCTLR_EL1, 0n]]) });
    const list = vm.kvm.vcpuRegs(0).regList();
    const fw = [
      KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
      KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
      KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
      KVM_REG_ARM_STD_BMAP,
      KVM_REG_ARM_STD_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    ];
    const firstFw = list.indexOf(fw[0]!);
    expect(list.slice(0, firstFw).every((id) => (id & KVM_REG_ARM_COPROC_MASK) === KVM_REG_ARM_CORE)).toBe(true);
    expect(list.slice(firstFw, firstFw + fw.length)).toEqual(fw);
    expect(list.slice(firstFw + fw.length)).toContain(kvmSysRegId(SysReg.SCTLR_EL1));
    expect(list).toContain(KvmCoreReg.PC);
    // Every listed register can be read.
    for (const id of list) expect(typeof vm.kvm.vcpuRegs(0).getOneReg(id)).toBe('bigint');
    // A register psci defines through the same table joins the list in ID order.
    vm.kvm.fwRegs.define({
      id: KVM_REG_ARM_PSCI_VERSION,
      name: 'KVM_REG_ARM_PSCI_VERSION',
      reset: 0x1_0003n,
      validate: (v) => v,
    });
    const list2 = vm.kvm.vcpuRegs(0).regList();
    expect(list2.slice(firstFw, firstFw + 2)).toEqual([KVM_REG_ARM_PSCI_VERSION, KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1]);
  });
});
