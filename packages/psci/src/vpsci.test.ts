/**
 * vPSCI (KVM's PSCI, linux arch/arm64/kvm/psci.c): every call and rule on FakeCpus, calls made
 * directly through the dispatcher from a chosen vCPU (the scheduler is exercised in smp.test.ts
 * and psci_test.test.ts).
 */
import { CoreReg, HvlabError, Machine, SysReg } from '@hvlab/core';
import { type FakeCpu, fakeCpuFactory } from '@hvlab/core/testing';
import { SMCCC_VERSION, SmcccDispatcher } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import * as ids from './ids.js';
import {
  KVM_PSCI_FN_CPU_OFF,
  KVM_PSCI_FN_CPU_ON,
  KVM_PSCI_FN_CPU_SUSPEND,
  KVM_PSCI_FN_MIGRATE,
  PSCI_0_2_FN_AFFINITY_INFO,
  PSCI_0_2_FN_CPU_OFF,
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_CPU_SUSPEND,
  PSCI_0_2_FN_MIGRATE_INFO_TYPE,
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_0_2_FN64_AFFINITY_INFO,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_0_2_FN64_CPU_SUSPEND,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_1_0_FN_SYSTEM_SUSPEND,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
  PSCI_1_1_FN_SYSTEM_RESET2,
  PSCI_1_1_FN64_SYSTEM_RESET2,
  PSCI_1_3_FN_SYSTEM_OFF2,
  PSCI_1_3_FN64_SYSTEM_OFF2,
  PSCI_FUNCTIONS,
  PSCI_VERSION_0_1,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  PSCI_VERSION_1_2,
  PSCI_VERSION_1_3,
} from './ids.js';
import { SCTLR_EL1_EE } from './power.js';
import { KVM_PSCI_VERSIONS, KVM_REG_ARM_PSCI_VERSION, VPsci, type VPsciOptions } from './vpsci.js';

const u64 = (n: number | bigint) => BigInt.asUintN(64, BigInt(n));
const NOT_SUPPORTED = u64(-1);
const INVALID = u64(-2);
const ALREADY_ON = u64(-4);
const INTERNAL_FAILURE = u64(-6);

function vm(cpuCount: number, opts: VPsciOptions = {}, mpidr?: (i: number) => bigint) {
  const { factory, cpus } = fakeCpuFactory();
  const machine = new Machine({ cpuCount, cpuFactory: factory, ...(mpidr ? { mpidr } : {}) });
  const psci = new VPsci(machine, opts);
  const smccc = new SmcccDispatcher();
  smccc.register(psci.service());
  smccc.attach(machine, 'hvc');
  /** vCPU `i` makes an HVC with X0.. = `x`; returns X0..X3 afterwards. */
  const call = (i: number, ...x: (number | bigint)[]): bigint[] => {
    const cpu = cpus[i]!;
    x.forEach((v, n) => {
      cpu.regs.set(n, u64(v));
    });
    smccc.dispatch(cpu, 'hvc', 0);
    return [0, 1, 2, 3].map((n) => cpu.getReg(n));
  };
  const x0 = (i: number, ...x: (number | bigint)[]) => call(i, ...x)[0]!;
  return { machine, cpus, psci, smccc, call, x0 };
}

const resets = (c: FakeCpu) => c.calls.filter((k) => k.op === 'reset').length;

describe('version selection (KVM_REG_ARM_PSCI_VERSION)', () => {
  it('defaults to 1.3 (KVM_ARM_PSCI_LATEST) with PSCI_0_2, to 0.1 without', () => {
    expect(vm(1).psci.version).toBe(PSCI_VERSION_1_3);
    expect(vm(1, { psci02: false }).psci.version).toBe(PSCI_VERSION_0_1);
    expect(KVM_PSCI_VERSIONS).toEqual([0x1, 0x2, 0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003]);
    expect(KVM_REG_ARM_PSCI_VERSION).toBe(0x6030_0000_0014_0000n);
  });

  it('PSCI_VERSION answers the selected version; 0.1 has no PSCI_VERSION', () => {
    const want: [number, bigint][] = [
      [PSCI_VERSION_0_2, 2n],
      [PSCI_VERSION_1_0, 0x1_0000n],
      [PSCI_VERSION_1_1, 0x1_0001n],
      [PSCI_VERSION_1_2, 0x1_0002n],
      [PSCI_VERSION_1_3, 0x1_0003n],
    ];
    for (const [version, answer] of want)
      expect(vm(1, { version }).call(0, PSCI_0_2_FN_PSCI_VERSION, 7, 7, 7)).toEqual([answer, 0n, 0n, 0n]);
    expect(vm(1, { psci02: false }).call(0, PSCI_0_2_FN_PSCI_VERSION)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
  });

  it('accepts 0.2..1.3 with PSCI_0_2 and only 0.1 without; anything else is EINVAL', () => {
    const { psci, x0 } = vm(1);
    for (const v of [PSCI_VERSION_0_2, PSCI_VERSION_1_0, PSCI_VERSION_1_1, PSCI_VERSION_1_2, PSCI_VERSION_1_3]) {
      psci.setVersion(BigInt(v));
      expect(psci.version).toBe(v);
      expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(BigInt(v));
    }
    for (const bad of [PSCI_VERSION_0_1, 0, 3, 0x1_0004, 0x2_0000, -1])
      expect(() => psci.setVersion(bad), String(bad)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => psci.setVersion(1n << 40n)).toThrow(HvlabError);
    expect(psci.version).toBe(PSCI_VERSION_1_3);
    const old = vm(1, { psci02: false }).psci;
    for (const v of [PSCI_VERSION_0_2, PSCI_VERSION_1_3])
      expect(() => old.setVersion(v)).toThrow(/needs vCPUs with KVM_ARM_VCPU_PSCI_0_2/);
    old.setVersion(PSCI_VERSION_0_1);
    expect(old.version).toBe(PSCI_VERSION_0_1);
  });

  it('checks options before touching the machine', () => {
    const { factory } = fakeCpuFactory();
    const machine = new Machine({ cpuCount: 1, cpuFactory: factory });
    expect(() => new VPsci(machine, { version: PSCI_VERSION_0_1 })).toThrow(/0\.1 needs vCPUs without/);
    expect(() => new VPsci(machine, { version: 0x1_0009 })).toThrow(/1\.9 is not a version KVM serves/);
    expect(() => new VPsci(machine, { psci02: 'yes' as unknown as boolean })).toThrow(HvlabError);
    expect(() => new VPsci(machine, { systemSuspend: 1 as unknown as boolean })).toThrow(HvlabError);
  });

  it('has no EBUSY rule: the version may change after the VM ran (kvm_arm_set_fw_reg)', () => {
    const { psci, machine } = vm(1);
    machine.run({ maxInstructions: 1 });
    expect(machine.hasRun).toBe(true);
    const def = psci.versionRegister();
    expect(def).toMatchObject({ id: KVM_REG_ARM_PSCI_VERSION, name: 'KVM_REG_ARM_PSCI_VERSION', reset: 0x1_0003n });
    expect(def.validate(0x1_0000n, { hasRun: true, current: 0x1_0003n })).toBe(0x1_0000n);
    expect(psci.version).toBe(PSCI_VERSION_1_0);
    expect(() => def.validate(0x1_0004n, { hasRun: true, current: 0x1_0000n })).toThrow(/EINVAL|not a version/);
    expect(psci.version).toBe(PSCI_VERSION_1_0);
  });
});

describe('CPU_ON', () => {
  it('resets the target, sets PC = entry and X0 = context_id, powers it on: SUCCESS', () => {
    const { cpus, machine, call, psci } = vm(3);
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
    const { x0, machine } = vm(3);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(ALREADY_ON);
    expect(x0(1, PSCI_0_2_FN_CPU_ON, 0, 0x4000_0000, 0)).toBe(ALREADY_ON);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 0, 0x4000_0000, 0)).toBe(ALREADY_ON);
    machine.waitForInterrupt(1);
    expect(machine.powerState(1)).toBe('waiting');
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x4000_0000, 0)).toBe(ALREADY_ON);
  });

  it('INVALID_PARAMETERS for bits outside MPIDR_HWID_BITMASK or an MPIDR naming no vCPU; nothing changes', () => {
    const { x0, cpus, machine } = vm(2);
    for (const mpidr of [1n | (1n << 31n), 1n | (1n << 24n), 1n | (1n << 40n), 1n << 63n, 2n, 0x100n, 1n << 32n])
      expect(x0(0, PSCI_0_2_FN64_CPU_ON, mpidr, 0x4000_0000, 0), mpidr.toString(16)).toBe(INVALID);
    expect(resets(cpus[1]!)).toBe(0);
    expect(machine.powerState(1)).toBe('off');
  });

  it('SMC32 CPU_ON uses only W1..W3; CPU_ON64 the full registers', () => {
    const { cpus, x0 } = vm(3);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, (7n << 32n) | 1n, 0xffff_ffff_4008_0000n, 0xaaaa_aaaa_1234_5678n)).toBe(0n);
    expect(cpus[1]!.getReg(CoreReg.PC)).toBe(0x4008_0000n);
    expect(cpus[1]!.getReg(CoreReg.X0)).toBe(0x1234_5678n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, (7n << 32n) | 2n, 0x4008_0000n, 0)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0xffff_0000_4008_0000n, 0xaaaa_aaaa_1234_5678n)).toBe(0n);
    expect(cpus[2]!.getReg(CoreReg.PC)).toBe(0xffff_0000_4008_0000n);
    expect(cpus[2]!.getReg(CoreReg.X0)).toBe(0xaaaa_aaaa_1234_5678n);
  });

  it("propagates the caller's endianness (SCTLR_EL1.EE), as KVM's reset_state.be", () => {
    const { cpus, x0 } = vm(3);
    cpus[0]!.sysregs.set(SysReg.SCTLR_EL1, SCTLR_EL1_EE | 0x30d0_0980n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(cpus[1]!.getSysReg(SysReg.SCTLR_EL1) & SCTLR_EL1_EE).toBe(SCTLR_EL1_EE);
    cpus[0]!.sysregs.set(SysReg.SCTLR_EL1, 0x30d0_0980n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0x4000_0000, 0)).toBe(0n);
    expect(cpus[2]!.calls.some((c) => c.op === 'setSysReg')).toBe(false);
  });

  it('finds targets by the MPIDR the VMM gave them, not by index', () => {
    const mpidr = (i: number) => (1n << 31n) | (BigInt(i >> 1) << 8n) | BigInt(i & 1);
    const { x0, machine } = vm(4, {}, mpidr);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 0x101, 0x4000_0000, 0)).toBe(0n);
    expect(machine.powerState(3)).toBe('running');
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 2, 0x4000_0000, 0)).toBe(INVALID);
  });
});

describe('CPU_OFF and CPU_SUSPEND', () => {
  it('CPU_OFF powers the caller off; X0 = SUCCESS for whoever resumes it; CPU_ON brings it back', () => {
    const { x0, call, machine, psci } = vm(2);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(call(1, PSCI_0_2_FN_CPU_OFF, 9, 9, 9)).toEqual([0n, 0n, 0n, 0n]);
    expect(machine.powerState(1)).toBe('off');
    expect(psci.cpuState(1)).toBe('off');
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0x4000_0000, 0)).toBe(0n);
    expect(psci.cpuState(1)).toBe('on');
  });

  it('CPU_SUSPEND (32 and 64) is a WFI: the caller waits, SUCCESS; with an interrupt pending it runs on', () => {
    for (const fid of [PSCI_0_2_FN_CPU_SUSPEND, PSCI_0_2_FN64_CPU_SUSPEND]) {
      const { call, machine, cpus, psci } = vm(1);
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
    const { call, x0, cpus, machine } = vm(3, { psci02: false });
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 1, 0xffff_0000_4008_0000n, 0x1_0000_0002n)).toBe(0n);
    expect(cpus[1]!.getReg(CoreReg.PC)).toBe(0xffff_0000_4008_0000n);
    expect(cpus[1]!.getReg(CoreReg.X0)).toBe(0x1_0000_0002n);
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 1, 0, 0)).toBe(INVALID);
    expect(x0(0, KVM_PSCI_FN_CPU_ON, 5, 0, 0)).toBe(INVALID);
    expect(call(1, KVM_PSCI_FN_CPU_OFF)).toEqual([0n, 0n, 0n, 0n]);
    expect(machine.powerState(1)).toBe('off');
    for (const fid of [KVM_PSCI_FN_CPU_SUSPEND, KVM_PSCI_FN_MIGRATE, PSCI_0_2_FN_CPU_ON, PSCI_0_2_FN_CPU_OFF])
      expect(x0(0, fid, 2, 0, 0)).toBe(NOT_SUPPORTED);
    expect(machine.powerState(2)).toBe('off');
    const modern = vm(2);
    for (const fid of [KVM_PSCI_FN_CPU_ON, KVM_PSCI_FN_CPU_OFF]) expect(modern.x0(0, fid, 1, 0, 0)).toBe(NOT_SUPPORTED);
    expect(modern.machine.powerState(1)).toBe('off');
    expect(modern.machine.powerState(0)).toBe('running');
  });
});

describe('AFFINITY_INFO', () => {
  // Two clusters of two (Aff1 = cluster), one vCPU in Aff2 = 1, one in Aff3 = 1.
  const layout = [0x0n, 0x1n, 0x100n, 0x101n, 0x1_0000n, 0x1_0000_0000n];
  const mk = () => vm(layout.length, {}, (i) => (1n << 31n) | layout[i]!);

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
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 4)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 1n << 32n)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 1n << 31n, 0)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x2, 0)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x200, 1)).toBe(INVALID);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0x2_0000_0000n, 3)).toBe(INVALID);
  });

  it('SMC32 AFFINITY_INFO uses W1 and W2', () => {
    const { x0 } = mk();
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, (1n << 32n) | 0x101n, (1n << 32n) | 0n)).toBe(1n);
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, 0, 0xffff_ffff_0000_0000n)).toBe(0n);
  });
});

describe('MIGRATE_INFO_TYPE and the calls KVM does not serve', () => {
  it('MIGRATE_INFO_TYPE is 2 (PSCI_0_2_TOS_MP)', () => {
    expect(vm(1).call(0, PSCI_0_2_FN_MIGRATE_INFO_TYPE, 1, 2, 3)).toEqual([2n, 0n, 0n, 0n]);
  });

  it('MIGRATE, MIGRATE_INFO_UP_CPU, CPU_FREEZE, NODE_HW_STATE, STAT_*, SET_SUSPEND_MODE, MEM_PROTECT* are NOT_SUPPORTED', () => {
    const { call } = vm(2);
    const served = new Set(['PSCI_VERSION', 'CPU_SUSPEND', 'CPU_OFF', 'CPU_ON', 'AFFINITY_INFO', 'MIGRATE_INFO_TYPE']);
    const system = new Set([
      'SYSTEM_OFF',
      'SYSTEM_RESET',
      'PSCI_FEATURES',
      'SYSTEM_SUSPEND',
      'SYSTEM_RESET2',
      'SYSTEM_OFF2',
    ]);
    for (const f of PSCI_FUNCTIONS) {
      if (served.has(f.name) || system.has(f.name)) continue;
      for (const fid of [f.fid32, f.fid64])
        if (fid !== undefined) expect(call(0, fid, 1, 1, 1), f.name).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
    }
    for (const fid of [0x8400_0016, 0x8400_001f, 0xc400_0000, 0xc400_0002, 0xc400_0008])
      expect(call(0, fid, 1)[0]).toBe(NOT_SUPPORTED);
  });

  it('an SMC64 ID from a vCPU in AArch32 state is NOT_SUPPORTED (kvm_psci_check_allowed_function)', () => {
    const { x0, cpus, machine } = vm(2);
    cpus[0]!.regs.set(CoreReg.PSTATE, 0x1d3n); // nRW = 1: AArch32 SVC mode
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0, 0)).toBe(NOT_SUPPORTED);
    expect(machine.powerState(1)).toBe('off');
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 0)).toBe(NOT_SUPPORTED);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN64_CPU_ON)).toBe(NOT_SUPPORTED);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_CPU_ON)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(0n);
  });
});

describe('SYSTEM_OFF, SYSTEM_RESET', () => {
  for (const [fid, type, reason] of [
    [PSCI_0_2_FN_SYSTEM_OFF, 'shutdown', 'PSCI SYSTEM_OFF'],
    [PSCI_0_2_FN_SYSTEM_RESET, 'reset', 'PSCI SYSTEM_RESET'],
  ] as const) {
    it(`${reason}: every vCPU off, the run ends with '${type}' data [0], X0 = INTERNAL_FAILURE preloaded`, () => {
      const { call, machine, x0 } = vm(3);
      expect(x0(0, PSCI_0_2_FN_CPU_ON, 2, 0, 0)).toBe(0n);
      const seen: unknown[] = [];
      machine.events.on('systemEvent', (e) => seen.push(e));
      expect(call(2, fid, 9, 9, 9)).toEqual([INTERNAL_FAILURE, 0n, 0n, 0n]);
      expect([0, 1, 2].map((i) => machine.powerState(i))).toEqual(['off', 'off', 'off']);
      const event = { type, reason, cpu: 2, data: [0n] };
      expect(seen).toEqual([event]);
      expect(machine.run()).toEqual({ reason: 'systemEvent', event });
    });
  }
});

describe('SYSTEM_RESET2 (1.1+)', () => {
  it('reset_type 0 or vendor (bit 31): reset event with the RESET2 flag, X0 = INTERNAL_FAILURE, X1..X3 left', () => {
    for (const type of [0n, 0x8000_0000n, 0xffff_ffffn, 1n << 32n]) {
      const { call, machine } = vm(2);
      expect(call(0, PSCI_1_1_FN64_SYSTEM_RESET2, type, 0xc00c1e, 0x33)).toEqual([
        INTERNAL_FAILURE,
        type,
        0xc00c1en,
        0x33n,
      ]);
      expect(machine.run()).toEqual({
        reason: 'systemEvent',
        event: { type: 'reset', reason: 'PSCI SYSTEM_RESET2', cpu: 0, data: [1n] },
      });
      expect(machine.powerState(0)).toBe('off');
    }
  });

  it('the SMC32 form narrows X1..X3 in place', () => {
    const { call } = vm(1);
    expect(call(0, PSCI_1_1_FN_SYSTEM_RESET2, 0xdead_0000_8000_0001n, 0xbeef_0000_0000_0007n, 0x1_0000_0000n)).toEqual([
      INTERNAL_FAILURE,
      0x8000_0001n,
      7n,
      0n,
    ]);
  });

  it('other architectural types are INVALID_PARAMETERS; below 1.1 the call is NOT_SUPPORTED', () => {
    for (const type of [1, 2, 0x7fff_ffff]) {
      const { call, machine } = vm(1);
      expect(call(0, PSCI_1_1_FN_SYSTEM_RESET2, type, 0, 0)).toEqual([INVALID, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
    for (const version of [PSCI_VERSION_0_2, PSCI_VERSION_1_0]) {
      const { call, machine } = vm(1, { version });
      expect(call(0, PSCI_1_1_FN64_SYSTEM_RESET2, 0, 0, 0)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
    expect(vm(1, { version: PSCI_VERSION_1_2 }).x0(0, PSCI_1_1_FN_SYSTEM_RESET2, 0)).toBe(INTERNAL_FAILURE);
  });
});

describe('SYSTEM_OFF2 (1.3)', () => {
  it('type 0 or HIBERNATE_OFF with cookie 0: shutdown event with the OFF2 flag, X0 = INTERNAL_FAILURE', () => {
    for (const fid of [PSCI_1_3_FN_SYSTEM_OFF2, PSCI_1_3_FN64_SYSTEM_OFF2])
      for (const type of [0, 1]) {
        const { call, machine } = vm(2);
        expect(call(0, fid, type, 0, 5)).toEqual([INTERNAL_FAILURE, 0n, 0n, 0n]);
        expect(machine.run()).toEqual({
          reason: 'systemEvent',
          event: { type: 'shutdown', reason: 'PSCI SYSTEM_OFF2', cpu: 0, data: [1n] },
        });
      }
  });

  it('other types or a non-zero cookie are INVALID_PARAMETERS (the SMC32 form reads W1, W2)', () => {
    const { x0, machine } = vm(1);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 2, 0)).toBe(INVALID);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 1)).toBe(INVALID);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 1n << 32n)).toBe(INVALID);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1n << 32n, 0)).toBe(INTERNAL_FAILURE); // type is a u32 in KVM
    machine.powerOn(0);
    expect(x0(0, PSCI_1_3_FN_SYSTEM_OFF2, 1, 1n << 32n)).toBe(INTERNAL_FAILURE);
  });

  it('is NOT_SUPPORTED below 1.3', () => {
    for (const version of [PSCI_VERSION_1_0, PSCI_VERSION_1_1, PSCI_VERSION_1_2]) {
      const { call, machine } = vm(1, { version });
      expect(call(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 0)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
  });
});

describe('SYSTEM_SUSPEND (KVM_CAP_ARM_SYSTEM_SUSPEND)', () => {
  it('without the capability: NOT_SUPPORTED', () => {
    const { call, machine } = vm(1);
    expect(call(0, PSCI_1_0_FN64_SYSTEM_SUSPEND, 0x4008_0000, 1)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
    expect(machine.powerState(0)).toBe('running');
  });

  it('with it: a suspend event without data, every register left for the VMM, vCPUs not stopped', () => {
    const { call, machine, psci, x0 } = vm(2);
    psci.enableSystemSuspend();
    expect(psci.systemSuspendEnabled).toBe(true);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(0n);
    const fid = 0xffff_0000_0000_0000n | BigInt(PSCI_1_0_FN64_SYSTEM_SUSPEND);
    expect(call(0, fid, 0xffff_0000_4008_0000n, 0xc0ffee, 0x77)).toEqual([
      fid,
      0xffff_0000_4008_0000n,
      0xc0ffeen,
      0x77n,
    ]);
    expect(machine.run()).toEqual({
      reason: 'systemEvent',
      event: { type: 'suspend', reason: 'PSCI SYSTEM_SUSPEND', cpu: 0, data: [] },
    });
    expect([machine.powerState(0), machine.powerState(1)]).toEqual(['running', 'running']);
  });

  it('the SMC32 form narrows X1..X3 in place; below 1.0 it does not exist', () => {
    const { call } = vm(1, { systemSuspend: true });
    expect(call(0, PSCI_1_0_FN_SYSTEM_SUSPEND, 0x1_4008_0000n, 0x2_0000_0003n, 0x3_0000_0000n)).toEqual([
      BigInt(PSCI_1_0_FN_SYSTEM_SUSPEND),
      0x4008_0000n,
      3n,
      0n,
    ]);
    expect(vm(1, { version: PSCI_VERSION_0_2, systemSuspend: true }).x0(0, PSCI_1_0_FN_SYSTEM_SUSPEND, 0, 0)).toBe(
      NOT_SUPPORTED,
    );
  });
});

describe('PSCI_FEATURES', () => {
  const ZERO = [
    PSCI_0_2_FN_PSCI_VERSION,
    PSCI_0_2_FN_CPU_SUSPEND,
    PSCI_0_2_FN64_CPU_SUSPEND,
    PSCI_0_2_FN_CPU_OFF,
    PSCI_0_2_FN_CPU_ON,
    PSCI_0_2_FN64_CPU_ON,
    PSCI_0_2_FN_AFFINITY_INFO,
    PSCI_0_2_FN64_AFFINITY_INFO,
    PSCI_0_2_FN_MIGRATE_INFO_TYPE,
    PSCI_0_2_FN_SYSTEM_OFF,
    PSCI_0_2_FN_SYSTEM_RESET,
    PSCI_1_0_FN_PSCI_FEATURES,
    SMCCC_VERSION,
  ];

  /** KVM's answer for `fid` at `version` with the SYSTEM_SUSPEND capability `cap` (the table of reference 3.2). */
  const expected = (fid: number, version: number, cap: boolean): bigint => {
    if (ZERO.includes(fid)) return 0n;
    if (fid === PSCI_1_0_FN_SYSTEM_SUSPEND || fid === PSCI_1_0_FN64_SYSTEM_SUSPEND) return cap ? 0n : NOT_SUPPORTED;
    if (fid === PSCI_1_1_FN_SYSTEM_RESET2 || fid === PSCI_1_1_FN64_SYSTEM_RESET2)
      return version >= PSCI_VERSION_1_1 ? 0n : NOT_SUPPORTED;
    if (fid === PSCI_1_3_FN_SYSTEM_OFF2 || fid === PSCI_1_3_FN64_SYSTEM_OFF2)
      return version >= PSCI_VERSION_1_3 ? 1n : NOT_SUPPORTED;
    return NOT_SUPPORTED;
  };

  it('answers every PSCI ID as KVM does at each 1.x version, with and without SYSTEM_SUSPEND', () => {
    const all = PSCI_FUNCTIONS.flatMap((f) => (f.fid64 === undefined ? [f.fid32] : [f.fid32, f.fid64]));
    for (const version of [PSCI_VERSION_1_0, PSCI_VERSION_1_1, PSCI_VERSION_1_2, PSCI_VERSION_1_3])
      for (const cap of [false, true]) {
        const { call } = vm(1, { version, systemSuspend: cap });
        for (const fid of [...all, SMCCC_VERSION, 0x8000_0001, KVM_PSCI_FN_CPU_ON, 0x8400_0050, 0])
          expect(call(0, PSCI_1_0_FN_PSCI_FEATURES, fid), `${fid.toString(16)} at ${version.toString(16)}`).toEqual([
            expected(fid, version, cap),
            0n,
            0n,
            0n,
          ]);
      }
  });

  it('reads the queried ID from W1; does not exist below 1.0', () => {
    expect(vm(1).x0(0, PSCI_1_0_FN_PSCI_FEATURES, 0xffff_ffff_0000_0000n | BigInt(PSCI_0_2_FN_SYSTEM_OFF))).toBe(0n);
    expect(vm(1, { version: PSCI_VERSION_0_2 }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_PSCI_VERSION)).toBe(
      NOT_SUPPORTED,
    );
    expect(vm(1, { psci02: false }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_PSCI_VERSION)).toBe(NOT_SUPPORTED);
  });

  it('the 0.2 calls are served at 0.2 and not at 0.1', () => {
    const v02 = vm(2, { version: PSCI_VERSION_0_2 });
    expect(v02.x0(0, PSCI_0_2_FN_MIGRATE_INFO_TYPE)).toBe(2n);
    expect(v02.x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(0n);
    const v01 = vm(2, { psci02: false });
    for (const fid of [PSCI_0_2_FN_MIGRATE_INFO_TYPE, PSCI_0_2_FN_AFFINITY_INFO, PSCI_0_2_FN_SYSTEM_OFF])
      expect(v01.x0(0, fid, 0, 0)).toBe(NOT_SUPPORTED);
    expect(v01.machine.powerState(0)).toBe('running');
  });

  it('names its status codes as DEN0022 does', () => {
    const { smccc } = vm(1);
    expect(smccc.statusName(PSCI_0_2_FN_CPU_ON, -4n)).toBe('ALREADY_ON');
    expect(smccc.statusName(PSCI_0_2_FN_CPU_ON, u64(-2))).toBe('INVALID_PARAMETERS');
    expect(ids.PSCI_RET_NAMES.get(-9)).toBe('INVALID_ADDRESS');
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
