/**
 * vPSCI (KVM's PSCI, linux arch/arm64/kvm/psci.c): version selection (KVM_REG_ARM_PSCI_VERSION),
 * PSCI_FEATURES and the calls KVM does not serve. The power calls are in vpsci-power.test.ts,
 * the system calls in vpsci-system.test.ts; calls are made directly through the dispatcher from
 * a chosen vCPU (testing/vm.ts).
 */
import { CoreReg, HvlabError, Machine } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { SMCCC_VERSION } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import * as ids from './ids.js';
import {
  KVM_PSCI_FN_CPU_ON,
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
import { NOT_SUPPORTED, u64, vpsciVm } from './testing/vm.js';
import { KVM_PSCI_VERSIONS, KVM_REG_ARM_PSCI_VERSION, VPsci } from './vpsci.js';

describe('version selection (KVM_REG_ARM_PSCI_VERSION)', () => {
  it('defaults to 1.3 (KVM_ARM_PSCI_LATEST) with PSCI_0_2, to 0.1 without', () => {
    expect(vpsciVm(1).psci.version).toBe(PSCI_VERSION_1_3);
    expect(vpsciVm(1, { psci02: false }).psci.version).toBe(PSCI_VERSION_0_1);
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
      expect(vpsciVm(1, { version }).call(0, PSCI_0_2_FN_PSCI_VERSION, 7, 7, 7)).toEqual([answer, 0n, 0n, 0n]);
    expect(vpsciVm(1, { psci02: false }).call(0, PSCI_0_2_FN_PSCI_VERSION)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
  });

  it('accepts 0.2..1.3 with PSCI_0_2 and only 0.1 without; anything else is EINVAL', () => {
    const { psci, x0 } = vpsciVm(1);
    for (const v of [PSCI_VERSION_0_2, PSCI_VERSION_1_0, PSCI_VERSION_1_1, PSCI_VERSION_1_2, PSCI_VERSION_1_3]) {
      psci.setVersion(BigInt(v));
      expect(psci.version).toBe(v);
      expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(BigInt(v));
    }
    for (const bad of [PSCI_VERSION_0_1, 0, 3, 0x1_0004, 0x2_0000, -1])
      expect(() => psci.setVersion(bad), String(bad)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => psci.setVersion(1n << 40n)).toThrow(HvlabError);
    expect(psci.version).toBe(PSCI_VERSION_1_3);
    const old = vpsciVm(1, { psci02: false }).psci;
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
    const { psci, machine } = vpsciVm(1);
    machine.run({ maxInstructions: 1 });
    expect(machine.hasRun).toBe(true);
    const def = psci.versionRegister();
    expect(def).toMatchObject({ id: KVM_REG_ARM_PSCI_VERSION, name: 'KVM_REG_ARM_PSCI_VERSION' });
    expect(def.get()).toBe(0x1_0003n);
    expect(def.validate(0x1_0000n, { hasRun: true, current: 0x1_0003n })).toBe(0x1_0000n);
    expect(psci.version).toBe(PSCI_VERSION_1_0);
    expect(def.get()).toBe(0x1_0000n);
    expect(() => def.validate(0x1_0004n, { hasRun: true, current: 0x1_0000n })).toThrow(/EINVAL|not a version/);
    expect(psci.version).toBe(PSCI_VERSION_1_0);
  });
});

describe('MIGRATE_INFO_TYPE and the calls KVM does not serve', () => {
  it('MIGRATE_INFO_TYPE is 2 (PSCI_0_2_TOS_MP)', () => {
    expect(vpsciVm(1).call(0, PSCI_0_2_FN_MIGRATE_INFO_TYPE, 1, 2, 3)).toEqual([2n, 0n, 0n, 0n]);
  });

  it('MIGRATE, MIGRATE_INFO_UP_CPU, CPU_FREEZE, NODE_HW_STATE, STAT_*, SET_SUSPEND_MODE, MEM_PROTECT* are NOT_SUPPORTED', () => {
    const { call } = vpsciVm(2);
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
    const { x0, cpus, machine } = vpsciVm(2);
    cpus[0]!.regs.set(CoreReg.PSTATE, 0x1d3n); // nRW = 1: AArch32 SVC mode
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0, 0)).toBe(NOT_SUPPORTED);
    expect(machine.powerState(1)).toBe('off');
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, 0)).toBe(NOT_SUPPORTED);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN64_CPU_ON)).toBe(NOT_SUPPORTED);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_CPU_ON)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(0n);
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
        const { call } = vpsciVm(1, { version, systemSuspend: cap });
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
    expect(vpsciVm(1).x0(0, PSCI_1_0_FN_PSCI_FEATURES, 0xffff_ffff_0000_0000n | BigInt(PSCI_0_2_FN_SYSTEM_OFF))).toBe(
      0n,
    );
    expect(vpsciVm(1, { version: PSCI_VERSION_0_2 }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_PSCI_VERSION)).toBe(
      NOT_SUPPORTED,
    );
    expect(vpsciVm(1, { psci02: false }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_PSCI_VERSION)).toBe(
      NOT_SUPPORTED,
    );
  });

  it('the 0.2 calls are served at 0.2 and not at 0.1', () => {
    const v02 = vpsciVm(2, { version: PSCI_VERSION_0_2 });
    expect(v02.x0(0, PSCI_0_2_FN_MIGRATE_INFO_TYPE)).toBe(2n);
    expect(v02.x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(0n);
    const v01 = vpsciVm(2, { psci02: false });
    for (const fid of [PSCI_0_2_FN_MIGRATE_INFO_TYPE, PSCI_0_2_FN_AFFINITY_INFO, PSCI_0_2_FN_SYSTEM_OFF])
      expect(v01.x0(0, fid, 0, 0)).toBe(NOT_SUPPORTED);
    expect(v01.machine.powerState(0)).toBe('running');
  });

  it('names its status codes as DEN0022 does', () => {
    const { smccc } = vpsciVm(1);
    expect(smccc.statusName(PSCI_0_2_FN_CPU_ON, -4n)).toBe('ALREADY_ON');
    expect(smccc.statusName(PSCI_0_2_FN_CPU_ON, u64(-2))).toBe('INVALID_PARAMETERS');
    expect(ids.PSCI_RET_NAMES.get(-9)).toBe('INVALID_ADDRESS');
  });
});
