import { describe, expect, it } from 'vitest';
import {
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_1_0_FN_SYSTEM_SUSPEND,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
  PSCI_1_1_FN_SYSTEM_RESET2,
  PSCI_1_1_FN64_SYSTEM_RESET2,
  PSCI_1_3_FN_SYSTEM_OFF2,
  PSCI_1_3_FN64_SYSTEM_OFF2,
  PSCI_VERSION_0_2,
  PSCI_VERSION_1_0,
  PSCI_VERSION_1_1,
  PSCI_VERSION_1_2,
} from './ids.js';
import { INTERNAL_FAILURE, INVALID_PARAMS, NOT_SUPPORTED, vpsciVm } from './testing/vm.js';

describe('SYSTEM_OFF, SYSTEM_RESET', () => {
  for (const [fid, type, reason] of [
    [PSCI_0_2_FN_SYSTEM_OFF, 'shutdown', 'PSCI SYSTEM_OFF'],
    [PSCI_0_2_FN_SYSTEM_RESET, 'reset', 'PSCI SYSTEM_RESET'],
  ] as const) {
    it(`${reason}: every vCPU off, the run ends with '${type}' data [0], X0 = INTERNAL_FAILURE preloaded`, () => {
      const { call, machine, x0 } = vpsciVm(3);
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
      const { call, machine } = vpsciVm(2);
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
    const { call } = vpsciVm(1);
    expect(call(0, PSCI_1_1_FN_SYSTEM_RESET2, 0xdead_0000_8000_0001n, 0xbeef_0000_0000_0007n, 0x1_0000_0000n)).toEqual([
      INTERNAL_FAILURE,
      0x8000_0001n,
      7n,
      0n,
    ]);
  });

  it('other architectural types are INVALID_PARAMETERS; below 1.1 the call is NOT_SUPPORTED', () => {
    for (const type of [1, 2, 0x7fff_ffff]) {
      const { call, machine } = vpsciVm(1);
      expect(call(0, PSCI_1_1_FN_SYSTEM_RESET2, type, 0, 0)).toEqual([INVALID_PARAMS, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
    for (const version of [PSCI_VERSION_0_2, PSCI_VERSION_1_0]) {
      const { call, machine } = vpsciVm(1, { version });
      expect(call(0, PSCI_1_1_FN64_SYSTEM_RESET2, 0, 0, 0)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
    expect(vpsciVm(1, { version: PSCI_VERSION_1_2 }).x0(0, PSCI_1_1_FN_SYSTEM_RESET2, 0)).toBe(INTERNAL_FAILURE);
  });
});

describe('SYSTEM_OFF2 (1.3)', () => {
  it('type 0 or HIBERNATE_OFF with cookie 0: shutdown event with the OFF2 flag, X0 = INTERNAL_FAILURE', () => {
    for (const fid of [PSCI_1_3_FN_SYSTEM_OFF2, PSCI_1_3_FN64_SYSTEM_OFF2])
      for (const type of [0, 1]) {
        const { call, machine } = vpsciVm(2);
        expect(call(0, fid, type, 0, 5)).toEqual([INTERNAL_FAILURE, 0n, 0n, 0n]);
        expect(machine.run()).toEqual({
          reason: 'systemEvent',
          event: { type: 'shutdown', reason: 'PSCI SYSTEM_OFF2', cpu: 0, data: [1n] },
        });
      }
  });

  it('other types or a non-zero cookie are INVALID_PARAMETERS (the SMC32 form reads W1, W2)', () => {
    const { x0, machine } = vpsciVm(1);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 2, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 1)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 1n << 32n)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1n << 32n, 0)).toBe(INTERNAL_FAILURE); // type is a u32 in KVM
    machine.powerOn(0);
    expect(x0(0, PSCI_1_3_FN_SYSTEM_OFF2, 1, 1n << 32n)).toBe(INTERNAL_FAILURE);
  });

  it('is NOT_SUPPORTED below 1.3', () => {
    for (const version of [PSCI_VERSION_1_0, PSCI_VERSION_1_1, PSCI_VERSION_1_2]) {
      const { call, machine } = vpsciVm(1, { version });
      expect(call(0, PSCI_1_3_FN64_SYSTEM_OFF2, 1, 0)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
      expect(machine.powerState(0)).toBe('running');
    }
  });
});

describe('SYSTEM_SUSPEND (KVM_CAP_ARM_SYSTEM_SUSPEND)', () => {
  it('without the capability: NOT_SUPPORTED', () => {
    const { call, machine } = vpsciVm(1);
    expect(call(0, PSCI_1_0_FN64_SYSTEM_SUSPEND, 0x4008_0000, 1)).toEqual([NOT_SUPPORTED, 0n, 0n, 0n]);
    expect(machine.powerState(0)).toBe('running');
  });

  it('with it: a suspend event without data, every register left for the VMM, vCPUs not stopped', () => {
    const { call, machine, psci, x0 } = vpsciVm(2);
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
    const { call } = vpsciVm(1, { systemSuspend: true });
    expect(call(0, PSCI_1_0_FN_SYSTEM_SUSPEND, 0x1_4008_0000n, 0x2_0000_0003n, 0x3_0000_0000n)).toEqual([
      BigInt(PSCI_1_0_FN_SYSTEM_SUSPEND),
      0x4008_0000n,
      3n,
      0n,
    ]);
    expect(vpsciVm(1, { version: PSCI_VERSION_0_2, systemSuspend: true }).x0(0, PSCI_1_0_FN_SYSTEM_SUSPEND, 0, 0)).toBe(
      NOT_SUPPORTED,
    );
  });
});
