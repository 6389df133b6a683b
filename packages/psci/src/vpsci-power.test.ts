/**
 * vPSCI power calls (linux arch/arm64/kvm/psci.c kvm_psci_vcpu_on, kvm_psci_vcpu_suspend,
 * kvm_arm_vcpu_power_off, kvm_psci_vcpu_affinity_info): CPU_ON, CPU_OFF, CPU_SUSPEND,
 * AFFINITY_INFO, and racing CPU_ONs through the scheduler.
 */
import { CoreReg, Machine, SysReg } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { SmcccDispatcher } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import {
  KVM_PSCI_FN_CPU_OFF,
  KVM_PSCI_FN_CPU_ON,
  KVM_PSCI_FN_CPU_SUSPEND,
  KVM_PSCI_FN_MIGRATE,
  PSCI_0_2_FN_AFFINITY_INFO,
  PSCI_0_2_FN_CPU_OFF,
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_CPU_SUSPEND,
  PSCI_0_2_FN64_AFFINITY_INFO,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_0_2_FN64_CPU_SUSPEND,
} from './ids.js';
import { SCTLR_EL1_EE } from './power.js';
import { ALREADY_ON, INVALID_PARAMS, NOT_SUPPORTED, resets, vpsciVm } from './testing/vm.js';
import { VPsci } from './vpsci.js';

describe('CPU_ON', () => {
  it('resets the target, sets PC = entry and X0 = context_id, powers it on: SUCCESS', () => {
    const { cpus, machine, call, psci } = vpsciVm(3);
    expect(machine.powerState(2)).toBe('off');
    cpus[2]!.regs.set(CoreReg.X5, 0x55n);
    expect(call(0, PSCI_0_2_FN64_CPU_ON, 2, 0x4008_1000n, 0xfeed_beef_dead_c0den)).toEqual([0n, 0n, 0n, 0n]);
    const t = cpus[2]!;
    expect(resets(t)).toBe(1);
    expect(t.getReg(CoreReg.PC)).toBe(0x4008_1000n);
    expect(t.getReg(CoreReg.X0)).toBe(0xfeed_beef_dead_c0den);
    expect(t.getReg(CoreReg.X5)).toBe(0n); // reset cleared it
    expect(machine.powerState(2)).toBe('running');
    expect(psci.cpuState(2)).toBe('on');
    // The reset came first: PC and X0 were written after it.
    const ops = t.calls.map((c) => (c.op === 'setReg' ? `x${c.id}` : c.op));
    expect(ops.indexOf('reset')).toBeLessThan(ops.indexOf(`x${CoreReg.PC}`));
  });

  it('ALREADY_ON for a running or waiting target and for the caller itself', () => {
    const { x0, machine } = vpsciVm(3);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(ALREADY_ON);
    expect(x0(1, PSCI_0_2_FN_CPU_ON, 0, 0x4000_0000, 0)).toBe(ALREADY_ON);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 0, 0x4000_0000, 0)).toBe(ALREADY_ON);
    machine.waitForInterrupt(1);
    expect(machine.powerState(1)).toBe('waiting');
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x4000_0000, 0)).toBe(ALREADY_ON);
  });

  it('INVALID_PARAMETERS for bits outside MPIDR_HWID_BITMASK or an MPIDR naming no vCPU; nothing changes', () => {
    const { x0, cpus, machine } = vpsciVm(2);
    for (const mpidr of [1n | (1n << 31n), 1n | (1n << 24n), 1n | (1n << 40n), 1n << 63n, 2n, 0x100n, 1n << 32n])
      expect(x0(0, PSCI_0_2_FN64_CPU_ON, mpidr, 0x4000_0000, 0), mpidr.toString(16)).toBe(INVALID_PARAMS);
    expect(resets(cpus[1]!)).toBe(0);
    expect(machine.powerState(1)).toBe('off');
  });

  it('SMC32 CPU_ON uses only W1..W3; CPU_ON64 the full registers', () => {
    const { cpus, x0 } = vpsciVm(3);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, (7n << 32n) | 1n, 0xffff_ffff_4008_0000n, 0xaaaa_aaaa_1234_5678n)).toBe(0n);
    expect(cpus[1]!.getReg(CoreReg.PC)).toBe(0x4008_0000n);
    expect(cpus[1]!.getReg(CoreReg.X0)).toBe(0x1234_5678n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, (7n << 32n) | 2n, 0x4008_0000n, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0xffff_0000_4008_0000n, 0xaaaa_aaaa_1234_5678n)).toBe(0n);
    expect(cpus[2]!.getReg(CoreReg.PC)).toBe(0xffff_0000_4008_0000n);
    expect(cpus[2]!.getReg(CoreReg.X0)).toBe(0xaaaa_aaaa_1234_5678n);
  });

  it("propagates the caller's endianness (SCTLR_EL1.EE), as KVM's reset_state.be", () => {
    const { cpus, x0 } = vpsciVm(3);
    cpus[0]!.sysregs.set(SysReg.SCTLR_EL1, SCTLR_EL1_EE | 0x30d0_0980n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(cpus[1]!.getSysReg(SysReg.SCTLR_EL1) & SCTLR_EL1_EE).toBe(SCTLR_EL1_EE);
    cpus[0]!.sysregs.set(SysReg.SCTLR_EL1, 0x30d0_0980n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0x4000_0000, 0)).toBe(0n);
    expect(cpus[2]!.calls.some((c) => c.op === 'setSysReg')).toBe(false);
  });

  it('finds targets by the MPIDR the VMM gave them, not by index', () => {
    const mpidr = (i: number) => (1n << 31n) | (BigInt(i >> 1) << 8n) | BigInt(i & 1);
    const { x0, machine } = vpsciVm(4, {}, mpidr);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 0x101, 0x4000_0000, 0)).toBe(0n);
    expect(machine.powerState(3)).toBe('running');
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0x4000_0000, 0)).toBe(INVALID_PARAMS);
  });
});

describe('CPU_OFF and CPU_SUSPEND', () => {
  it('CPU_OFF powers the caller off; X0 = SUCCESS for whoever resumes it; CPU_ON brings it back', () => {
    const { x0, call, machine, psci } = vpsciVm(2);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(call(1, PSCI_0_2_FN_CPU_OFF, 9, 9, 9)).toEqual([0n, 0n, 0n, 0n]);
    expect(machine.powerState(1)).toBe('off');
    expect(psci.cpuState(1)).toBe('off');
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(psci.cpuState(1)).toBe('on');
  });

  it('CPU_SUSPEND (32 and 64) is a WFI: the caller waits, SUCCESS; with an interrupt pending it runs on', () => {
    for (const fid of [PSCI_0_2_FN_CPU_SUSPEND, PSCI_0_2_FN64_CPU_SUSPEND]) {
      const { call, machine, cpus, psci } = vpsciVm(1);
      expect(call(0, fid, 0x0101_0022, 0x4000_0000, 5)).toEqual([0n, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('waiting');
      expect(psci.cpuState(0)).toBe('on');
      expect(resets(cpus[0]!)).toBe(0); // register state kept: never resumes at entry_point
      machine.powerOff(0);
      machine.powerOn(0);
      cpus[0]!.irqLine = true;
      expect(call(0, fid, 0, 0, 0)[0]).toBe(0n);
      expect(machine.powerState(0)).toBe('running');
    }
  });

  it("KVM's 0.1 IDs serve CPU_ON/CPU_OFF at 0.1 only, with full registers; CPU_ON of a running vCPU is INVALID_PARAMETERS", () => {
    const { call, x0, cpus, machine } = vpsciVm(3, { psci02: false });
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 1, 0xffff_0000_4008_0000n, 0x1_0000_0002n)).toBe(0n);
    expect(cpus[1]!.getReg(CoreReg.PC)).toBe(0xffff_0000_4008_0000n);
    expect(cpus[1]!.getReg(CoreReg.X0)).toBe(0x1_0000_0002n);
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 1, 0, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 5, 0, 0)).toBe(INVALID_PARAMS);
    expect(call(1, KVM_PSCI_FN_CPU_OFF)).toEqual([0n, 0n, 0n, 0n]);
    expect(machine.powerState(1)).toBe('off');
    for (const fid of [KVM_PSCI_FN_CPU_SUSPEND, KVM_PSCI_FN_MIGRATE, PSCI_0_2_FN_CPU_ON, PSCI_0_2_FN_CPU_OFF])
      expect(x0(0, fid, 2, 0, 0)).toBe(NOT_SUPPORTED);
    expect(machine.powerState(2)).toBe('off');
    const modern = vpsciVm(2);
    for (const fid of [KVM_PSCI_FN_CPU_ON, KVM_PSCI_FN_CPU_OFF]) expect(modern.x0(0, fid, 1, 0, 0)).toBe(NOT_SUPPORTED);
    expect(modern.machine.powerState(1)).toBe('off');
    expect(modern.machine.powerState(0)).toBe('running');
  });
});

describe('AFFINITY_INFO', () => {
  // Two clusters of two (Aff1 = cluster), one vCPU in Aff2 = 1, one in Aff3 = 1.
  const layout = [0x0n, 0x1n, 0x100n, 0x101n, 0x1_0000n, 0x1_0000_0000n];
  const mk = () => vpsciVm(layout.length, {}, (i) => (1n << 31n) | layout[i]!);

  it('level 0: ON for a powered-on vCPU (running or waiting), OFF for an off one', () => {
    const { x0, machine } = mk();
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 0)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x101, 0)).toBe(1n);
    machine.powerOn(3);
    machine.waitForInterrupt(3);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x101, 0)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1_0000_0000n, 0)).toBe(1n);
  });

  it('levels 1..3 mask the fields below them: ON if any matching vCPU is on', () => {
    const { x0, machine } = mk();
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1, 1)).toBe(0n); // cluster 0 holds vCPU 0
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1ff, 1)).toBe(1n); // cluster 1: both off
    machine.powerOn(2);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1ff, 1)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1_ffffn, 2)).toBe(1n); // Aff2 = 1
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0xffffffn, 3)).toBe(0n); // Aff3 = 0: everyone else
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x1_00ff_ffffn, 3)).toBe(1n);
  });

  it('INVALID_PARAMETERS for level > 3, bits outside the affinity fields, or no match', () => {
    const { x0 } = mk();
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 4)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 1n << 32n)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 1n << 31n, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x2, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x200, 1)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x2_0000_0000n, 3)).toBe(INVALID_PARAMS);
  });

  it('SMC32 AFFINITY_INFO uses W1 and W2', () => {
    const { x0 } = mk();
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, (1n << 32n) | 0x101n, (1n << 32n) | 0n)).toBe(1n);
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, 0, 0xffff_ffff_0000_0000n)).toBe(0n);
  });
});

describe('racing CPU_ONs', () => {
  it('several vCPUs turning on one target through the scheduler: exactly one SUCCESS, the rest ALREADY_ON', () => {
    for (const quantum of [1, 3, 100]) {
      const { factory, cpus } = fakeCpuFactory(
        [0, 1, 2].map(
          () => [{ exit: { kind: 'hvc', imm: 0 }, x: [BigInt(PSCI_0_2_FN64_CPU_ON), 3n, 0x4008_0000n, 0n] }] as const,
        ),
      );
      const machine = new Machine({ cpuCount: 4, cpuFactory: factory });
      const smccc = new SmcccDispatcher();
      smccc.register(new VPsci(machine).service());
      smccc.attach(machine, 'hvc');
      machine.powerOn(1);
      machine.powerOn(2);
      machine.run({ maxInstructions: 5000, quantum });
      const answers = [0, 1, 2].map((i) => cpus[i]!.after[0]![0]);
      expect(answers.filter((a) => a === 0n)).toHaveLength(1);
      expect(answers.filter((a) => a === ALREADY_ON)).toHaveLength(2);
      expect(resets(cpus[3]!)).toBe(1);
      expect(machine.powerState(3)).toBe('running');
    }
  });
});
