import { describe, expect, it } from 'vitest';
import { SMCCC_VERSION } from './arch.js';
import {
  filterActionValue,
  KVM_SMCCC_FILTER_DENY,
  KVM_SMCCC_FILTER_FWD_TO_USER,
  KVM_SMCCC_FILTER_HANDLE,
  SMCCC_FILTER_RESERVED_RANGES,
  SmcccFilter,
} from './filter.js';
import { KVM_REG_ARM_STD_BMAP } from './fwregs.js';
import { ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID } from './kvm-vendor.js';
import { errnoOf, junk, ONES, testVm } from './testing/vm.js';
import { ARM_SMCCC_TRNG_RND64, ARM_SMCCC_TRNG_VERSION } from './trng.js';

describe('SmcccFilter rules (KVM_ARM_VM_SMCCC_FILTER)', () => {
  it('has the uapi action values', () => {
    expect([KVM_SMCCC_FILTER_HANDLE, KVM_SMCCC_FILTER_DENY, KVM_SMCCC_FILTER_FWD_TO_USER]).toEqual([0, 1, 2]);
    expect(filterActionValue('FWD_TO_USER')).toBe(2);
  });

  it('checks pad, then range and action (EINVAL), then hasRun (EBUSY), then overlap (EEXIST)', () => {
    const vm = { hasRun: false };
    const f = new SmcccFilter(vm);
    expect(errnoOf(() => f.set(0x8400_0000, 1, 'DENY', [0, 0, 1]))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1, 'DENY', new Array(16).fill(0)))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 0, 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0xffff_ffff, 2, 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1, 3))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1, -1))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1, 'ALLOW' as 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(-1, 1, 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1.5, 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8000_0000, 1, 'DENY'))).toBe('EEXIST'); // reserved, even before configuration
    expect(f.configured).toBe(false);
    f.set(0x8400_0000, 0x20, KVM_SMCCC_FILTER_DENY, new Array(15).fill(0));
    expect(errnoOf(() => f.set(0x8400_001f, 2, 'HANDLE'))).toBe('EEXIST');
    expect(errnoOf(() => f.set(0x83ff_ffff, 2, 'HANDLE'))).toBe('EEXIST');
    f.set(0x8400_0020, 1, 'FWD_TO_USER');
    f.set(0xffff_ffff, 1, 'HANDLE');
    vm.hasRun = true;
    // EINVAL is checked before EBUSY, EBUSY before EEXIST.
    expect(errnoOf(() => f.set(0x8600_0000, 0, 'DENY'))).toBe('EINVAL');
    expect(errnoOf(() => f.set(0x8400_0000, 1, 'DENY'))).toBe('EBUSY');
    expect(errnoOf(() => f.set(0x8600_0000, 1, 'DENY'))).toBe('EBUSY');
    expect(f.ranges()).toEqual([
      ...SMCCC_FILTER_RESERVED_RANGES.slice(0, 1),
      { base: 0x8400_0000, end: 0x8400_001f, action: 'DENY', reserved: false },
      { base: 0x8400_0020, end: 0x8400_0020, action: 'FWD_TO_USER', reserved: false },
      ...SMCCC_FILTER_RESERVED_RANGES.slice(1),
      { base: 0xffff_ffff, end: 0xffff_ffff, action: 'HANDLE', reserved: false },
    ]);
  });

  it('kvm_smccc_set_filter: the range end is u32 arithmetic, so 0 functions at base 0 is the whole space (EEXIST)', () => {
    // end = start + nr_functions - 1 wraps to 0xFFFFFFFF: not below start, so not EINVAL; the
    // insertion of [0, 0xFFFFFFFF] then overlaps the reserved Arm ranges.
    const vm = { hasRun: false };
    const f = new SmcccFilter(vm);
    expect(errnoOf(() => f.set(0, 0, 'DENY'))).toBe('EEXIST');
    expect(errnoOf(() => f.set(1, 0, 'DENY'))).toBe('EINVAL'); // end = 0 < start
    expect(errnoOf(() => f.set(0, 0, 3))).toBe('EINVAL'); // the action is checked with the range
    vm.hasRun = true;
    expect(errnoOf(() => f.set(0, 0, 'DENY'))).toBe('EBUSY');
    expect(f.configured).toBe(false);
    expect(f.ranges()).toEqual([]);
  });

  it('looks up the action of the range holding an ID, HANDLE elsewhere', () => {
    const f = new SmcccFilter({ hasRun: false });
    expect(f.action(0x8400_0000)).toBe('HANDLE');
    f.set(0x8400_0010, 0x10, 'DENY');
    f.set(0xc400_0000, 1, 'FWD_TO_USER');
    expect(f.action(0x8400_000f)).toBe('HANDLE');
    expect(f.action(0x8400_0010)).toBe('DENY');
    expect(f.action(0x8400_001f)).toBe('DENY');
    expect(f.action(0x8400_0020)).toBe('HANDLE');
    expect(f.action(0xc400_0000)).toBe('FWD_TO_USER');
    expect(f.action(0x8000_0000)).toBe('HANDLE');
    expect(f.action(0xffff_ffff)).toBe('HANDLE');
  });
});

describe('the filter in front of the services', () => {
  it('denies a call the bitmaps allow: NOT_SUPPORTED with X1..X3 zeroed', () => {
    const vm = testVm();
    vm.kvm.setFilter(ARM_SMCCC_TRNG_VERSION, 1, 'DENY');
    const after = vm.call([ARM_SMCCC_TRNG_VERSION]);
    expect(after.slice(0, 4)).toEqual([ONES, 0n, 0n, 0n]);
    expect(after[4]).toBe(junk(4));
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 8])[0]).toBe(0n); // outside the range
  });

  it('does not resurrect a call the bitmaps refuse with HANDLE', () => {
    const vm = testVm();
    vm.kvm.fwRegs.set(KVM_REG_ARM_STD_BMAP, 0n);
    vm.kvm.setFilter(ARM_SMCCC_TRNG_VERSION, 1, 'HANDLE');
    expect(vm.call([ARM_SMCCC_TRNG_VERSION])[0]).toBe(ONES);
  });

  it.each(['hvc', 'smc'] as const)(
    'forwards to the VMM over %s, which reads and writes X0..X17 and resumes the vCPU',
    (conduit) => {
      const vm = testVm();
      const fid = ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID;
      vm.kvm.setFilter(fid, 2, 'FWD_TO_USER');
      const cpu = vm.cpus[0]!;
      const args = Array.from({ length: 18 }, (_, i) => (i === 0 ? BigInt(fid) : junk(i)));
      cpu.script.push({ exit: { kind: conduit, imm: 0 }, x: args });
      const r = vm.machine.run({ maxInstructions: 1000 });
      expect(r).toEqual({ reason: 'hypercall', call: { cpu: 0, conduit, imm: 0, nr: fid } });
      // Nothing was written: the VMM sees the guest's X0..X17.
      expect(Array.from({ length: 18 }, (_, i) => cpu.getReg(i))).toEqual(args);
      // The VMM answers DISCOVER_IMPL_VER: SUCCESS, version 1.0, 1 implementation; it also
      // writes X4..X17 (SMCCC 1.2 allows results there), and resumes.
      const answer = [0n, 0x1_0000n, 1n, 0n, ...Array.from({ length: 14 }, (_, i) => BigInt(100 + i))];
      for (const [i, v] of answer.entries()) cpu.setReg(i, v);
      expect(vm.machine.run({ maxInstructions: 1000 }).reason).toBe('maxInstructions');
      expect(cpu.after[0]!.slice(0, 18)).toEqual(answer);
    },
  );

  it('cannot intercept the Arm Architecture calls', () => {
    const vm = testVm();
    expect(errnoOf(() => vm.kvm.setFilter(SMCCC_VERSION, 1, 'FWD_TO_USER'))).toBe('EEXIST');
    expect(errnoOf(() => vm.kvm.setFilter(0x7fff_ffff, 2, 'DENY'))).toBe('EEXIST');
    expect(errnoOf(() => vm.kvm.setFilter(0xc000_ffff, 1, 'DENY'))).toBe('EEXIST');
    vm.kvm.setFilter(0x7fff_ffff, 1, 'DENY');
    vm.kvm.setFilter(0x8001_0000, 1, 'DENY');
    expect(vm.call([SMCCC_VERSION])[0]).toBe(0x1_0001n);
  });

  it('is fixed once the VM ran (EBUSY)', () => {
    const vm = testVm();
    vm.runOnce();
    expect(errnoOf(() => vm.kvm.setFilter(ARM_SMCCC_TRNG_VERSION, 1, 'DENY'))).toBe('EBUSY');
    expect(vm.kvm.filter.configured).toBe(false);
  });
});
