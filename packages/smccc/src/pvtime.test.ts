import { describe, expect, it } from 'vitest';
import { SMCCC_ARCH_FEATURES } from './arch.js';
import { KVM_REG_ARM_STD_HYP_BMAP } from './fwregs.js';
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST, INVALID_GPA } from './pvtime.js';
import { errnoOf, ONES, RAM_BASE, RAM_SIZE, testVm } from './testing/vm.js';

const IPA = BigInt(RAM_BASE + 0x1000);
const ST = [BigInt(ARM_SMCCC_HV_PV_TIME_ST)];

describe('PV time (DEN0057A) as KVM serves it', () => {
  it('has the DEN0057A IDs', () => {
    expect(ARM_SMCCC_HV_PV_TIME_FEATURES).toBe(0xc500_0020);
    expect(ARM_SMCCC_HV_PV_TIME_ST).toBe(0xc500_0021);
  });

  it('takes the record IPA with KVM_ARM_VCPU_PVTIME_IPA rules', () => {
    const vm = testVm({ cpus: 2 });
    expect(vm.kvm.getPvTimeIpa(0)).toBe(INVALID_GPA);
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, IPA + 8n))).toBe('EINVAL'); // not 64-byte aligned
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, 0x1000n))).toBe('EINVAL'); // not guest RAM
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, BigInt(RAM_BASE + RAM_SIZE - 32)))).toBe('EINVAL'); // alignment first
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, BigInt(RAM_BASE + RAM_SIZE)))).toBe('EINVAL');
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, -64n))).toBe('EINVAL');
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(2, IPA))).toBe('EINVAL'); // no such vCPU
    expect(vm.kvm.getPvTimeIpa(0)).toBe(INVALID_GPA);
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.kvm.setPvTimeIpa(1, IPA + 64n);
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, IPA + 128n))).toBe('EEXIST');
    expect(errnoOf(() => vm.kvm.setPvTimeIpa(0, IPA + 1n))).toBe('EINVAL'); // alignment is checked before EEXIST
    expect(vm.kvm.getPvTimeIpa(0)).toBe(IPA);
    expect(vm.kvm.getPvTimeIpa(1)).toBe(IPA + 64n);
  });

  it('answers FEATURES and ST with NOT_SUPPORTED until the VMM sets a record', () => {
    const vm = testVm();
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST])[0]).toBe(ONES);
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES])[0]).toBe(ONES);
    expect(vm.call(ST).slice(0, 4)).toEqual([ONES, 0n, 0n, 0n]);
    expect(vm.kvm.pvTime.isAccounting(0)).toBe(false);
    vm.kvm.setPvTimeIpa(0, IPA);
    expect(vm.kvm.pvTime.isAccounting(0)).toBe(true); // kvm_arm_is_pvtime_enabled
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST])[0]).toBe(0n);
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES])[0]).toBe(0n);
    // KVM reads the queried ID as u32; anything else is NOT_SUPPORTED.
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, 0xffff_ffff_c500_0021n])[0]).toBe(0n);
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, 0xc500_0022])[0]).toBe(ONES);
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, 0x8400_0053])[0]).toBe(ONES);
  });

  it('ST (kvm_init_stolen_time) zeroes the 64-byte record and returns the IPA', () => {
    const vm = testVm();
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.machine.mem.write(Number(IPA) - 8, new Uint8Array(80).fill(0xee));
    expect(vm.call(ST).slice(0, 4)).toEqual([IPA, 0n, 0n, 0n]);
    expect([...vm.machine.mem.read(Number(IPA), 64)]).toEqual(new Array(64).fill(0));
    expect(vm.machine.mem.readU64(Number(IPA) - 8)).toBe(0xeeee_eeee_eeee_eeeen); // neighbours untouched
    expect(vm.machine.mem.readU64(Number(IPA) + 64)).toBe(0xeeee_eeee_eeee_eeeen);
    expect(vm.kvm.pvTime.isInitialised(0)).toBe(true);
  });

  it('is gated by STD_HYP_BMAP bit 0, which alone decides SMCCC_ARCH_FEATURES(PV_TIME_FEATURES)', () => {
    const vm = testVm();
    expect(vm.call([SMCCC_ARCH_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES])[0]).toBe(0n); // even without a record
    expect(vm.call([SMCCC_ARCH_FEATURES, ARM_SMCCC_HV_PV_TIME_ST])[0]).toBe(ONES);
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.kvm.fwRegs.set(KVM_REG_ARM_STD_HYP_BMAP, 0n);
    expect(vm.call([SMCCC_ARCH_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES])[0]).toBe(ONES);
    expect(vm.call([ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST])[0]).toBe(ONES);
    expect(vm.call(ST)[0]).toBe(ONES);
    expect(vm.kvm.pvTime.isInitialised(0)).toBe(false);
  });
});

describe('stolen time', () => {
  const stolen = (vm: ReturnType<typeof testVm>, ipa: bigint) => vm.machine.mem.readU64(Number(ipa) + 8);

  it('adds the instruction-time other vCPUs ran while this one was runnable, 1 ns each', () => {
    const vm = testVm({ cpus: 2 });
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.machine.powerOn(1);
    vm.cpus[0]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST });
    // cpu0: ST (0..4); cpu1: 0..1000; cpu0: 4..1004; cpu1: 1000..2000; cpu0: 1004..2004.
    const slices: [number, number, number][] = [];
    vm.machine.events.on('slice', (c, s, e) => slices.push([c, s, e]));
    vm.machine.run({ maxInstructions: 4004, quantum: 1000 });
    expect(slices).toEqual([
      [0, 0, 4],
      [1, 0, 1000],
      [0, 4, 1004],
      [1, 1000, 2000],
      [0, 1004, 2004],
    ]);
    expect(stolen(vm, IPA)).toBe(2000n);
    // The record's revision and attributes stay 0 (DEN0057A v1.0).
    expect(vm.machine.mem.readU64(Number(IPA))).toBe(0n);
  });

  it('kvm_update_stolen_time: counts from the moment the VMM sets the IPA, before any ST', () => {
    // KVM requests KVM_REQ_RECORD_STEAL at every vcpu_load of a vCPU whose steal.base is set
    // (kvm_arm_is_pvtime_enabled), whether or not the guest called PV_TIME_ST.
    const vm = testVm({ cpus: 2 });
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.machine.mem.writeU64(Number(IPA) + 8, 5n); // whatever the memory held
    vm.machine.powerOn(1);
    vm.machine.run({ maxInstructions: 3000, quantum: 1000 }); // cpu0 0..1000, cpu1 0..1000, cpu0 1000..2000
    expect(stolen(vm, IPA)).toBe(1005n);
    expect(vm.kvm.pvTime.isInitialised(0)).toBe(false);
    // ST restarts the count from zero (kvm_init_stolen_time: last_steal = run_delay, record zeroed).
    expect(vm.call(ST)[0]).toBe(IPA);
    expect(stolen(vm, IPA)).toBe(0n);
    vm.machine.run({ maxInstructions: 500, quantum: 500 }); // cpu1 runs 1000..1500 while cpu0 waits its turn
    expect(stolen(vm, IPA)).toBe(500n);
  });

  it('counts nothing while the vCPU waits in WFI, and re-zeroes on a second ST', () => {
    const vm = testVm({ cpus: 2 });
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.kvm.setPvTimeIpa(1, IPA + 64n);
    vm.machine.powerOn(1);
    vm.cpus[0]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST });
    vm.cpus[1]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST }, { kind: 'wfi' });
    // cpu0 ST 0..4 (+4 for cpu1, zeroed by its own ST next); cpu1 ST 0..4 (+4 for cpu0); cpu0
    // 4..1004 (+1000 for cpu1); cpu1 WFI 4..8 (+4 for cpu0), then waits; cpu0 1004..2004 and on:
    // cpu1 waits, gets nothing.
    vm.machine.run({ maxInstructions: 3012, quantum: 1000 });
    expect(vm.machine.powerState(1)).toBe('waiting');
    expect(stolen(vm, IPA)).toBe(8n);
    expect(stolen(vm, IPA + 64n)).toBe(1000n);
    // A second ST starts again from zero.
    vm.cpus[0]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST });
    vm.machine.run({ maxInstructions: 4 });
    expect(stolen(vm, IPA)).toBe(0n);
  });

  it('adds to what the record holds (KVM reads, adds the delta, writes back)', () => {
    const vm = testVm({ cpus: 2 });
    vm.kvm.setPvTimeIpa(0, IPA);
    vm.machine.powerOn(1);
    vm.cpus[0]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST });
    vm.machine.run({ maxInstructions: 4, quantum: 1000 });
    vm.machine.mem.writeU64(Number(IPA) + 8, 1_000_000n);
    vm.machine.run({ maxInstructions: 500, quantum: 500 }); // cpu1 runs 0..500
    expect(stolen(vm, IPA)).toBe(1_000_500n);
  });

  it('is the same on every run (deterministic)', () => {
    const once = () => {
      const vm = testVm({ cpus: 3 });
      for (let i = 0; i < 3; i++) {
        vm.kvm.setPvTimeIpa(i, IPA + BigInt(64 * i));
        if (i > 0) vm.machine.powerOn(i);
        vm.cpus[i]!.script.push({ exit: { kind: 'hvc', imm: 0 }, x: ST }, { kind: 'wfe' }, { kind: 'hvc', imm: 0 });
      }
      vm.machine.run({ maxInstructions: 50_000, quantum: 777 });
      return [0, 1, 2].map((i) => stolen(vm, IPA + BigInt(64 * i)));
    };
    const a = once();
    expect(a.every((s) => s > 0n)).toBe(true);
    expect(once()).toEqual(a);
  });
});
