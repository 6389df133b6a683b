/** installPsci: QEMU-virt PSCI alone (vPSCI at 1.1) on a conduit, through the Machine's run loop. */
import { HvlabError, Machine } from '@hvlab/core';
import { type FakeCpuStep, fakeCpuFactory } from '@hvlab/core/testing';
import { SmcccDispatcher } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import { PSCI_0_2_FN_PSCI_VERSION, PSCI_0_2_FN_SYSTEM_OFF, PSCI_0_2_FN64_CPU_ON, PSCI_VERSION_1_1 } from './ids.js';
import { installPsci } from './psci.js';

const ONES = 0xffff_ffff_ffff_ffffn;
const hvc = (...x: bigint[]): FakeCpuStep => ({ exit: { kind: 'hvc', imm: 0 }, x });

function machineWith(scripts: FakeCpuStep[][]) {
  const { factory, cpus } = fakeCpuFactory(scripts);
  return { machine: new Machine({ cpuCount: scripts.length, cpuFactory: factory }), cpus };
}

describe('installPsci', () => {
  it('serves PSCI 1.1 (QEMU 7.2) over HVC and CPU_ON starts a secondary', () => {
    const { machine, cpus } = machineWith([
      [hvc(BigInt(PSCI_0_2_FN_PSCI_VERSION), 5n, 6n, 7n), hvc(BigInt(PSCI_0_2_FN64_CPU_ON), 1n, 0x4008_0000n, 9n)],
      [],
    ]);
    const psci = installPsci(machine, { conduit: 'hvc' });
    expect(psci.version).toBe(PSCI_VERSION_1_1);
    expect(machine.run({ maxInstructions: 1000 }).reason).toBe('maxInstructions');
    expect(cpus[0]!.after.map((r) => r.slice(0, 4))).toEqual([
      [0x1_0001n, 0n, 0n, 0n],
      [0n, 0n, 0n, 0n],
    ]);
    expect(machine.powerState(1)).toBe('running');
    expect(cpus[1]!.getReg(0)).toBe(9n);
  });

  it('takes another version and SYSTEM_SUSPEND as KVM allows them', () => {
    const { machine } = machineWith([[]]);
    const psci = installPsci(machine, { conduit: 'hvc', version: 0x1_0003, systemSuspend: true });
    expect([psci.version, psci.systemSuspendEnabled]).toEqual([0x1_0003, true]);
    const other = machineWith([[]]).machine;
    expect(() => installPsci(other, { conduit: 'hvc', version: 0x1_0004 })).toThrow(/not a version KVM serves/);
  });

  it("serves SMC #0 with conduit 'smc'; HVC then reaches no firmware (UNDEF)", () => {
    const { machine, cpus } = machineWith([
      [
        { exit: { kind: 'smc', imm: 0 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] },
        { exit: { kind: 'smc', imm: 3 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] },
        hvc(BigInt(PSCI_0_2_FN_PSCI_VERSION)),
      ],
    ]);
    const psci = installPsci(machine, { conduit: 'smc' });
    expect(psci.conduits).toEqual(['smc']);
    machine.run({ maxInstructions: 1000 });
    expect(cpus[0]!.after.map((r) => r[0])).toEqual([0x1_0001n, ONES, BigInt(PSCI_0_2_FN_PSCI_VERSION)]);
    expect(cpus[0]!.injected).toEqual([{ kind: 'undef' }]);
  });

  it('registers into a shared dispatcher and refuses a second PSCI there', () => {
    const { machine } = machineWith([[]]);
    const smccc = new SmcccDispatcher();
    const psci = installPsci(machine, { conduit: 'hvc', smccc });
    expect(psci.smccc).toBe(smccc);
    expect(smccc.nameOf(PSCI_0_2_FN_SYSTEM_OFF)).toBe('SYSTEM_OFF');
    expect(psci.implemented()).toContain(PSCI_0_2_FN64_CPU_ON);
    expect(() => installPsci(machine, { conduit: 'hvc', smccc })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('rejects a bad conduit or dispatcher before touching the machine', () => {
    const { machine, cpus } = machineWith([[hvc(BigInt(PSCI_0_2_FN_PSCI_VERSION))]]);
    expect(() => installPsci(machine, { conduit: 'svc' as 'hvc' })).toThrow(HvlabError);
    expect(() => installPsci(machine, { conduit: [] })).toThrow(/conduit/);
    expect(() => installPsci(machine, { conduit: 'hvc', smccc: {} as SmcccDispatcher })).toThrow(/SmcccDispatcher/);
    // Nothing was attached: the guest's HVC still reaches no firmware and UNDEFs.
    expect(machine.run({ maxInstructions: 10 }).reason).toBe('maxInstructions');
    expect(cpus[0]!.injected).toEqual([{ kind: 'undef' }]);
  });

  it('reads vCPU power states from the machine', () => {
    const { machine } = machineWith([[], []]);
    const psci = installPsci(machine, { conduit: ['hvc', 'smc'] });
    expect([psci.cpuState(0), psci.cpuState(1)]).toEqual(['on', 'off']);
    machine.powerOn(1);
    expect(psci.cpuState(1)).toBe('on');
    expect(() => psci.cpuState(2)).toThrow(HvlabError);
  });
});
