import { describe, expect, it } from 'vitest';
import { SMCCC_ARCH_FEATURES } from './arch.js';
import {
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from './fwregs.js';
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
  KVM_PTP_VIRT_COUNTER,
} from './kvm-vendor.js';
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST } from './pvtime.js';
import { errnoOf, ONES, type TestVm, testVm } from './testing/vm.js';
import {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
} from './trng.js';

const SMCCC_RET_NOT_SUPPORTED = ONES;
const FW_REG_ULIMIT_VAL = (maxFeatBit: number): bigint => (1n << BigInt(maxFeatBit + 1)) - 1n;

const fw_reg_info = [
  { reg: KVM_REG_ARM_STD_BMAP, maxFeatBit: 0, resetVal: FW_REG_ULIMIT_VAL(0) },
  { reg: KVM_REG_ARM_STD_HYP_BMAP, maxFeatBit: 0, resetVal: FW_REG_ULIMIT_VAL(0) },
  { reg: KVM_REG_ARM_VENDOR_HYP_BMAP, maxFeatBit: 1, resetVal: FW_REG_ULIMIT_VAL(1) },
  { reg: KVM_REG_ARM_VENDOR_HYP_BMAP_2, maxFeatBit: 1, resetVal: 0n },
];

type HvcInfo = readonly [funcId: number, arg1: number];
const hvc_info: readonly HvcInfo[] = [
  // KVM_REG_ARM_STD_BMAP
  [ARM_SMCCC_TRNG_VERSION, 0],
  [ARM_SMCCC_TRNG_FEATURES, ARM_SMCCC_TRNG_RND64],
  [ARM_SMCCC_TRNG_GET_UUID, 0],
  [ARM_SMCCC_TRNG_RND32, 0],
  [ARM_SMCCC_TRNG_RND64, 0],
  // KVM_REG_ARM_STD_HYP_BMAP
  [SMCCC_ARCH_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES],
  [ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST],
  [ARM_SMCCC_HV_PV_TIME_ST, 0],
  // KVM_REG_ARM_VENDOR_HYP_BMAP
  [ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID],
  [ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0],
  [ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER],
];

/** Feature checks against a different family of hypercalls. */
const false_hvc_info: readonly HvcInfo[] = [
  [ARM_SMCCC_TRNG_FEATURES, ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID],
  [SMCCC_ARCH_FEATURES, ARM_SMCCC_TRNG_RND64],
  [ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_TRNG_RND64],
];

type Stage = 'HVC_IFACE_FEAT_DISABLED' | 'HVC_IFACE_FEAT_ENABLED' | 'HVC_IFACE_FALSE_INFO';

/** ST_GPA_BASE = 1 << 30, inside the test VM's RAM. */
const ST_GPA_BASE = 1n << 30n;

function steal_time_init(vm: TestVm): void {
  vm.kvm.setPvTimeIpa(0, ST_GPA_BASE);
}

function test_vm_create(): TestVm {
  const vm = testVm();
  steal_time_init(vm);
  return vm;
}

/** The guest: smccc_hvc(func_id, arg1, 0, ...) for each entry, then the stage's assertion on a0. */
function guest_test_hvc(vm: TestVm, info: readonly HvcInfo[], stage: Stage): void {
  const results = vm.guestCalls(info.map(([f, a]) => [f, a, 0, 0, 0, 0, 0, 0]));
  info.forEach(([funcId, arg1], i) => {
    const a0 = results[i]![0]!;
    const where = `func_id = 0x${funcId.toString(16)}, arg1 = 0x${arg1.toString(16)}, stage = ${stage}`;
    if (stage === 'HVC_IFACE_FEAT_ENABLED') expect(a0, where).not.toBe(SMCCC_RET_NOT_SUPPORTED);
    else expect(a0, where).toBe(SMCCC_RET_NOT_SUPPORTED);
  });
}

function test_fw_regs_before_vm_start(vm: TestVm): void {
  const regs = vm.kvm.vcpuRegs(0);
  for (const info of fw_reg_info) {
    // First read: the reset value.
    expect(regs.getOneReg(info.reg)).toBe(info.resetVal);
    const setVal = info.resetVal ? 0n : FW_REG_ULIMIT_VAL(info.maxFeatBit);
    regs.setOneReg(info.reg, setVal);
    expect(regs.getOneReg(info.reg)).toBe(setVal);
    // test_fw_regs_after_vm_start() expects every register cleared.
    if (setVal) regs.setOneReg(info.reg, 0n);
    // Enabling a feature that is not supported.
    if (info.maxFeatBit < 63)
      expect(errnoOf(() => regs.setOneReg(info.reg, 1n << BigInt(info.maxFeatBit + 1)))).toBe('EINVAL');
  }
}

function test_fw_regs_after_vm_start(vm: TestVm): void {
  const regs = vm.kvm.vcpuRegs(0);
  for (const info of fw_reg_info) {
    expect(regs.getOneReg(info.reg)).toBe(0n);
    // The VM has run: no modification (EBUSY).
    expect(errnoOf(() => regs.setOneReg(info.reg, FW_REG_ULIMIT_VAL(info.maxFeatBit)))).toBe('EBUSY');
  }
}

describe('KVM selftest arm64/hypercalls.c', () => {
  it('test_fw_regs_before_vm_start', () => {
    const vm = test_vm_create();
    test_fw_regs_before_vm_start(vm);
    for (const info of fw_reg_info) expect(vm.kvm.fwRegs.get(info.reg)).toBe(0n);
  });

  it('test_fw_regs_after_vm_start', () => {
    const vm = test_vm_create();
    test_fw_regs_before_vm_start(vm);
    vm.runOnce(); // TEST_STAGE_REG_IFACE: the guest only syncs
    test_fw_regs_after_vm_start(vm);
  });

  it('guest_test_hvc: TEST_STAGE_HVC_IFACE_FEAT_DISABLED (every bitmap cleared)', () => {
    const vm = test_vm_create();
    test_fw_regs_before_vm_start(vm);
    guest_test_hvc(vm, hvc_info, 'HVC_IFACE_FEAT_DISABLED');
  });

  it('guest_test_hvc: TEST_STAGE_HVC_IFACE_FEAT_ENABLED (a new VM, defaults)', () => {
    guest_test_hvc(test_vm_create(), hvc_info, 'HVC_IFACE_FEAT_ENABLED');
  });

  it('guest_test_hvc: TEST_STAGE_HVC_IFACE_FALSE_INFO', () => {
    guest_test_hvc(test_vm_create(), false_hvc_info, 'HVC_IFACE_FALSE_INFO');
  });

  it('test_run: the stages in order', () => {
    let vm = test_vm_create();
    test_fw_regs_before_vm_start(vm);
    // TEST_STAGE_REG_IFACE: the guest runs and syncs; the host checks the registers are locked.
    vm.runOnce();
    test_fw_regs_after_vm_start(vm);
    // TEST_STAGE_HVC_IFACE_FEAT_DISABLED on the same VM.
    guest_test_hvc(vm, hvc_info, 'HVC_IFACE_FEAT_DISABLED');
    // Start a new VM so that all the features are enabled by default.
    vm = test_vm_create();
    guest_test_hvc(vm, hvc_info, 'HVC_IFACE_FEAT_ENABLED');
    guest_test_hvc(vm, false_hvc_info, 'HVC_IFACE_FALSE_INFO');
    // The guest's PV_TIME_ST reached the record the VMM set (steal_time_init).
    expect(vm.kvm.pvTime.isInitialised(0)).toBe(true);
  });
});
