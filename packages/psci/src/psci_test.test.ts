/**
 * The assertions of Linux's KVM selftest tools/testing/selftests/kvm/arm64/psci_test.c, against
 * installKvmFirmware. Each `describe` is named after the selftest function it ports; the guest
 * side (guest_test_*) runs as a scripted FakeCpu whose HVCs go through Machine.run exactly as a
 * guest's would, and the host side (host_test_*) uses the VMM API (vcpuRegs = KVM_GET_ONE_REG,
 * Machine.powerOff/powerOn = KVM_SET_MP_STATE STOPPED/RUNNABLE, RunResult = kvm_run exit).
 */
import { KvmCoreReg, kvmSysRegId, type Machine, type RunResult, SysReg } from '@hvlab/core';
import type { FakeCpu } from '@hvlab/core/testing';
import { describe, expect, it } from 'vitest';
import {
  MPIDR_HWID_BITMASK,
  PSCI_0_2_AFFINITY_LEVEL_OFF,
  PSCI_0_2_AFFINITY_LEVEL_ON,
  PSCI_0_2_FN64_AFFINITY_INFO,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_1_0_FN_SYSTEM_SUSPEND,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
  PSCI_1_3_FN_SYSTEM_OFF2,
  PSCI_1_3_FN64_SYSTEM_OFF2,
  PSCI_1_3_OFF_TYPE_HIBERNATE_OFF,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_INVALID_PARAMS,
  psciVersion,
} from './ids.js';
import { kvmVm } from './testing/vm.js';
import {
  KVM_CAP_ARM_SYSTEM_SUSPEND,
  KVM_REG_ARM_PSCI_VERSION,
  KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2,
} from './vpsci.js';

const CPU_ON_ENTRY_ADDR = 0xfeed_f00dn;
const CPU_ON_CONTEXT_ID = 0xdead_c0den;
const s64 = (x: bigint) => BigInt.asIntN(64, x);

/** setup_vm: two vCPUs with KVM_ARM_VCPU_PSCI_0_2, the VMM's firmware installed. */
function setupVm() {
  const { machine, fw, cpus } = kvmVm({ psci02: true }, 2);
  return { machine, fw, source: cpus[0]!, target: cpus[1]! };
}

/**
 * The guest's smccc_hvc(): queues an HVC with X0.. = `x` on `cpu` and runs the VM until the
 * call has returned (its X0..X3 captured) or the run ends (a system event: the kvm_run exit).
 */
function smcccHvc(machine: Machine, cpu: FakeCpu, ...x: bigint[]): { res: bigint[] } | { exit: RunResult } {
  cpu.script.push({ exit: { kind: 'hvc', imm: 0 }, x });
  return enterGuest(machine, cpu);
}

/** Runs until `cpu` has come back from its last queued call (enter_guest + get_ucall). */
function enterGuest(machine: Machine, cpu: FakeCpu): { res: bigint[] } | { exit: RunResult } {
  const seen = cpu.after.length;
  for (let slice = 0; slice < 1000; slice++) {
    const r = machine.run({ maxInstructions: machine.stats.retired + 64, quantum: 16 });
    if (r.reason !== 'maxInstructions') return { exit: r };
    if (cpu.after.length > seen && cpu.script.length === 0) return { res: cpu.after.at(-1)!.slice(0, 4) };
  }
  throw new Error(`vCPU ${cpu.index} never came back from its call`);
}

const res = (r: { res: bigint[] } | { exit: RunResult }): bigint[] => {
  if (!('res' in r))
    throw new Error(`the run ended: ${JSON.stringify(r.exit, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return r.res;
};

describe('host_test_cpu_on / guest_test_cpu_on', () => {
  it('CPU_ON succeeds, AFFINITY_INFO is ON or OFF until ON, and the target is reset (assert_vcpu_reset)', () => {
    const { machine, fw, source, target } = setupVm();
    // vcpu_power_off(target): make sure the target is already off when executing the test.
    machine.powerOff(1);
    const targetMpidr = fw.vcpuRegs(1).getOneReg(kvmSysRegId(SysReg.MPIDR_EL1)) & MPIDR_HWID_BITMASK;

    // GUEST_ASSERT(!psci_cpu_on(target_cpu, CPU_ON_ENTRY_ADDR, CPU_ON_CONTEXT_ID))
    const on = res(
      smcccHvc(machine, source, BigInt(PSCI_0_2_FN64_CPU_ON), targetMpidr, CPU_ON_ENTRY_ADDR, CPU_ON_CONTEXT_ID),
    );
    expect(on[0]).toBe(0n);
    // do { target_state = psci_affinity_info(target_cpu, 0); GUEST_ASSERT(ON || OFF) } while (!ON)
    let state: bigint;
    let polls = 0;
    do {
      state = res(smcccHvc(machine, source, BigInt(PSCI_0_2_FN64_AFFINITY_INFO), targetMpidr, 0n))[0]!;
      expect([BigInt(PSCI_0_2_AFFINITY_LEVEL_ON), BigInt(PSCI_0_2_AFFINITY_LEVEL_OFF)]).toContain(state);
      expect(++polls).toBeLessThan(100);
    } while (state !== BigInt(PSCI_0_2_AFFINITY_LEVEL_ON));

    // assert_vcpu_reset(target): PC and X0 read through KVM_GET_ONE_REG.
    const regs = fw.vcpuRegs(1);
    expect(regs.getOneReg(KvmCoreReg.PC)).toBe(CPU_ON_ENTRY_ADDR);
    expect(regs.getOneReg(KvmCoreReg.x(0))).toBe(CPU_ON_CONTEXT_ID);
    expect(target.calls.some((c) => c.op === 'reset')).toBe(true);
  });
});

describe('host_test_system_suspend / guest_test_system_suspend', () => {
  it('with KVM_CAP_ARM_SYSTEM_SUSPEND, SYSTEM_SUSPEND is discoverable and exits with a SUSPEND system event', () => {
    expect(KVM_CAP_ARM_SYSTEM_SUSPEND).toBe(216); // TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SYSTEM_SUSPEND))
    const { machine, fw, source } = setupVm();
    fw.psci.enableSystemSuspend(); // vm_enable_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0)
    machine.powerOff(1); // vcpu_power_off(target)

    // GUEST_ASSERT(!psci_features(PSCI_1_0_FN_SYSTEM_SUSPEND)) and the FN64 form.
    expect(
      res(smcccHvc(machine, source, BigInt(PSCI_1_0_FN_PSCI_FEATURES), BigInt(PSCI_1_0_FN_SYSTEM_SUSPEND)))[0],
    ).toBe(0n);
    expect(
      res(smcccHvc(machine, source, BigInt(PSCI_1_0_FN_PSCI_FEATURES), BigInt(PSCI_1_0_FN64_SYSTEM_SUSPEND)))[0],
    ).toBe(0n);

    // ret = psci_system_suspend(CPU_ON_ENTRY_ADDR, CPU_ON_CONTEXT_ID): the run exits first.
    const r = smcccHvc(machine, source, BigInt(PSCI_1_0_FN64_SYSTEM_SUSPEND), CPU_ON_ENTRY_ADDR, CPU_ON_CONTEXT_ID);
    // TEST_ASSERT_KVM_EXIT_REASON(source, KVM_EXIT_SYSTEM_EVENT); system_event.type == SUSPEND
    expect('exit' in r && r.exit).toMatchObject({ reason: 'systemEvent', event: { type: 'suspend', cpu: 0 } });
    // The VMM reads the call's parameters from the untouched registers.
    expect([source.getReg(1), source.getReg(2)]).toEqual([CPU_ON_ENTRY_ADDR, CPU_ON_CONTEXT_ID]);
  });
});

describe('host_test_system_off2 / guest_test_system_off2', () => {
  it('SYSTEM_OFF2 is discoverable, checks its cookie, and exits twice with SHUTDOWN + PSCI_OFF2', () => {
    const { machine, fw, source } = setupVm();
    // psci_version = vcpu_get_reg(target, KVM_REG_ARM_PSCI_VERSION) >= PSCI_VERSION(1, 3)
    expect(fw.vcpuRegs(1).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBeGreaterThanOrEqual(BigInt(psciVersion(1, 3)));
    machine.powerOff(1); // vcpu_power_off(target)

    const hib = BigInt(PSCI_1_3_OFF_TYPE_HIBERNATE_OFF);
    const features = (fid: number) =>
      res(smcccHvc(machine, source, BigInt(PSCI_1_0_FN_PSCI_FEATURES), BigInt(fid)))[0]!;
    expect(features(PSCI_1_3_FN_SYSTEM_OFF2) & hib).toBe(hib);
    expect(features(PSCI_1_3_FN64_SYSTEM_OFF2) & hib).toBe(hib);

    let nrShutdowns = 0;
    /** psci_system_off2(type, cookie) as the guest sees it, with the host loop around it. */
    const off2 = (type: bigint, cookie: bigint): bigint => {
      let r = smcccHvc(machine, source, BigInt(PSCI_1_3_FN64_SYSTEM_OFF2), type, cookie);
      while ('exit' in r) {
        // while (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
        const exit = r.exit;
        expect(exit.reason).toBe('systemEvent');
        if (exit.reason !== 'systemEvent') throw new Error('unreachable');
        expect(exit.event.type).toBe('shutdown'); // KVM_SYSTEM_EVENT_SHUTDOWN
        expect(exit.event.data?.length ?? 0).toBeGreaterThanOrEqual(1); // ndata >= 1
        expect(exit.event.data![0]! & KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2).toBe(
          KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2,
        );
        nrShutdowns++;
        machine.powerOn(0); // mps.mp_state = KVM_MP_STATE_RUNNABLE; vcpu_mp_state_set(source)
        r = enterGuest(machine, source);
      }
      return s64(r.res[0]!);
    };
    // With non-zero 'cookie' field, it should fail.
    expect(off2(hib, 1n)).toBe(BigInt(PSCI_RET_INVALID_PARAMS));
    // KVM preloads INTERNAL_FAILURE for a VMM that resumes the vCPU.
    expect(off2(hib, 0n)).toBe(BigInt(PSCI_RET_INTERNAL_FAILURE));
    // Revision F.b: zero is an alias for HIBERNATE_OFF.
    expect(off2(0n, 1n)).toBe(BigInt(PSCI_RET_INVALID_PARAMS));
    expect(off2(0n, 0n)).toBe(BigInt(PSCI_RET_INTERNAL_FAILURE));
    // GUEST_DONE: the guest exits cleanly; two shutdown events were seen.
    expect(machine.run({ maxInstructions: machine.stats.retired + 64 }).reason).toBe('maxInstructions');
    expect(nrShutdowns).toBe(2);
  });
});
