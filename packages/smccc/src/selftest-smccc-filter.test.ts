import { describe, expect, it } from 'vitest';
import { SMCCC_ARCH_WORKAROUND_1 } from './arch.js';
import type { Conduit } from './dispatch.js';
import { encodeFid } from './fid.js';
import { KVM_SMCCC_FILTER_DENY, KVM_SMCCC_FILTER_FWD_TO_USER } from './filter.js';
import { errnoOf, ONES, type TestVm, testVm } from './testing/vm.js';

const PSCI_0_2_FN_PSCI_VERSION = 0x8400_0000;
const PSCI_0_2_FN64_CPU_ON = 0xc400_0003;
const SMCCC_RET_NOT_SUPPORTED = ONES;
const CONDUITS: readonly Conduit[] = ['hvc', 'smc'];

function setup_vm(): TestVm {
  const vm = testVm();
  vm.kvm.dispatcher.register({
    name: 'PSCI',
    functions: [
      { fid: PSCI_0_2_FN_PSCI_VERSION, name: 'PSCI_VERSION', argCount: 0, resultCount: 1, handler: () => 0x1_0003 },
    ],
  });
  return vm;
}

/** guest_main(func_id, conduit): one call with zero arguments, then GUEST_SYNC(res.a0). */
function guest_main(vm: TestVm, funcId: number, conduit: Conduit) {
  vm.cpus[0]!.script.push({ exit: { kind: conduit, imm: 0 }, x: [BigInt(funcId), 0n, 0n, 0n, 0n, 0n, 0n, 0n] });
  return vm.machine.run({ maxInstructions: 4 });
}

describe('KVM selftest arm64/smccc_filter.c', () => {
  it('test_pad_must_be_zero', () => {
    const vm = setup_vm();
    const pad = new Array(15).fill(0);
    pad[0] = 0xff; // { -1 }
    expect(errnoOf(() => vm.kvm.setFilter(PSCI_0_2_FN_PSCI_VERSION, 1, KVM_SMCCC_FILTER_DENY, pad))).toBe('EINVAL');
  });

  it('test_invalid_nr_functions', () => {
    const vm = setup_vm();
    expect(errnoOf(() => vm.kvm.setFilter(PSCI_0_2_FN64_CPU_ON, 0, KVM_SMCCC_FILTER_DENY))).toBe('EINVAL');
    expect(vm.kvm.filter.configured).toBe(false);
  });

  it('test_overflow_nr_functions', () => {
    const vm = setup_vm();
    expect(errnoOf(() => vm.kvm.setFilter(0xffff_ffff, 0xffff_ffff, KVM_SMCCC_FILTER_DENY))).toBe('EINVAL');
  });

  it('test_reserved_action', () => {
    const vm = setup_vm();
    expect(errnoOf(() => vm.kvm.setFilter(PSCI_0_2_FN64_CPU_ON, 1, -1))).toBe('EINVAL');
  });

  it('test_filter_reserved_range', () => {
    const vm = setup_vm();
    expect(errnoOf(() => vm.kvm.setFilter(SMCCC_ARCH_WORKAROUND_1, 1, KVM_SMCCC_FILTER_DENY))).toBe('EEXIST');
    const smc64Fn = encodeFid({ fast: true, smc64: true, owner: 0, number: 0 });
    expect(errnoOf(() => vm.kvm.setFilter(smc64Fn, 1, KVM_SMCCC_FILTER_DENY))).toBe('EEXIST');
  });

  it('test_filter_overlap', () => {
    const vm = setup_vm();
    vm.kvm.setFilter(PSCI_0_2_FN64_CPU_ON, 1, KVM_SMCCC_FILTER_DENY);
    expect(errnoOf(() => vm.kvm.setFilter(PSCI_0_2_FN64_CPU_ON, 1, KVM_SMCCC_FILTER_DENY))).toBe('EEXIST');
  });

  it.each(CONDUITS)('test_filter_denied (%s)', (conduit) => {
    const open = setup_vm();
    guest_main(open, PSCI_0_2_FN_PSCI_VERSION, conduit);
    expect(open.cpus[0]!.getReg(0)).toBe(0x1_0003n); // answered when nothing filters it

    const vm = setup_vm();
    vm.kvm.setFilter(PSCI_0_2_FN_PSCI_VERSION, 1, KVM_SMCCC_FILTER_DENY);
    expect(guest_main(vm, PSCI_0_2_FN_PSCI_VERSION, conduit).reason).toBe('maxInstructions');
    // expect_call_denied
    expect(vm.cpus[0]!.getReg(0)).toBe(SMCCC_RET_NOT_SUPPORTED);
  });

  it.each(CONDUITS)('test_filter_fwd_to_user (%s)', (conduit) => {
    const vm = setup_vm();
    vm.kvm.setFilter(PSCI_0_2_FN_PSCI_VERSION, 1, KVM_SMCCC_FILTER_FWD_TO_USER);
    const r = guest_main(vm, PSCI_0_2_FN_PSCI_VERSION, conduit);
    // expect_call_fwd_to_user: KVM_EXIT_HYPERCALL, nr = func_id, KVM_HYPERCALL_EXIT_SMC iff SMC.
    expect(r.reason).toBe('hypercall');
    if (r.reason !== 'hypercall') return;
    expect(r.call.nr).toBe(PSCI_0_2_FN_PSCI_VERSION);
    expect(r.call.conduit === 'smc').toBe(conduit === 'smc');
  });
});
