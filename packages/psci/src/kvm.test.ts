/** installKvmFirmware: vPSCI inside KvmSmccc — the version register, the filter, the options. */
import { HvlabError, Machine } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { KVM_REG_ARM_STD_BMAP } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import {
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_1_0_FN64_SYSTEM_SUSPEND,
} from './ids.js';
import { installKvmFirmware, type KvmFirmwareOptions } from './kvm.js';
import { KVM_REG_ARM_PSCI_VERSION } from './vpsci.js';

const u64 = (n: number | bigint) => BigInt.asUintN(64, BigInt(n));

function vm(opts: KvmFirmwareOptions = {}, cpuCount = 2) {
  const { factory, cpus } = fakeCpuFactory();
  const machine = new Machine({ cpuCount, cpuFactory: factory });
  const fw = installKvmFirmware(machine, opts);
  const x0 = (i: number, ...x: (number | bigint)[]) => {
    x.forEach((v, n) => {
      cpus[i]!.regs.set(n, u64(v));
    });
    fw.smccc.dispatcher.dispatch(cpus[i]!, 'hvc', 0);
    return cpus[i]!.getReg(0);
  };
  return { machine, cpus, fw, x0 };
}

describe('installKvmFirmware', () => {
  it("serves KVM's defaults: PSCI 1.3 over HVC, in KvmSmccc's dispatcher", () => {
    const { fw, x0 } = vm();
    expect(fw.conduits).toEqual(['hvc']);
    expect(fw.psci.version).toBe(0x1_0003);
    expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0003n);
    expect(fw.smccc.dispatcher.nameOf(PSCI_0_2_FN64_CPU_ON)).toBe('CPU_ON_64');
  });

  it('exposes KVM_REG_ARM_PSCI_VERSION through ONE_REG with KVM set rules, before and after the VM ran', () => {
    const { fw, x0, machine } = vm();
    const regs = fw.vcpuRegs(1);
    expect(regs.regList()).toContain(KVM_REG_ARM_PSCI_VERSION);
    expect(regs.getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0003n);
    regs.setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x1_0000n);
    expect(fw.vcpuRegs(0).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0000n); // one value per VM
    expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0000n);
    expect(() => regs.setOneReg(KVM_REG_ARM_PSCI_VERSION, 1n)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => regs.setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x1_0004n)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(regs.getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0000n);
    machine.run({ maxInstructions: 1 });
    regs.setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x2n); // no EBUSY rule for this register
    expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(2n);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN_PSCI_VERSION)).toBe(u64(-1));
  });

  it('takes the PSCI options: version, PSCI 0.1 vCPUs, SYSTEM_SUSPEND', () => {
    expect(vm({ psciVersion: 0x1_0001 }).x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0001n);
    const old = vm({ psci02: false });
    expect(old.fw.vcpuRegs(0).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(1n);
    expect(() => old.fw.vcpuRegs(0).setOneReg(KVM_REG_ARM_PSCI_VERSION, 2n)).toThrow(/needs vCPUs with/);
    expect(vm({ systemSuspend: true }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_1_0_FN64_SYSTEM_SUSPEND)).toBe(0n);
  });

  it('the SMCCC filter sees PSCI calls first: DENY answers NOT_SUPPORTED, FWD_TO_USER exits to the VMM', () => {
    const { fw, x0, machine, cpus } = vm();
    fw.smccc.setFilter(PSCI_0_2_FN_CPU_ON, 1, 'DENY');
    fw.smccc.setFilter(PSCI_0_2_FN64_CPU_ON, 1, 'FWD_TO_USER');
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, 0, 0)).toBe(u64(-1));
    expect(machine.powerState(1)).toBe('off');
    x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x4000_0000, 0);
    expect(cpus[0]!.getReg(1)).toBe(1n); // untouched for the VMM
    expect(machine.run({ maxInstructions: 10 })).toEqual({
      reason: 'hypercall',
      call: { cpu: 0, conduit: 'hvc', imm: 0, nr: PSCI_0_2_FN64_CPU_ON },
    });
    expect(machine.powerState(1)).toBe('off');
  });

  it('leaves the other services in place (TRNG bitmap register next to the PSCI version)', () => {
    const { fw } = vm();
    expect(fw.smccc.fwRegs.ids()).toEqual(expect.arrayContaining([KVM_REG_ARM_PSCI_VERSION, KVM_REG_ARM_STD_BMAP]));
  });

  it('checks every option before attaching anything', () => {
    const { factory, cpus } = fakeCpuFactory([
      [{ exit: { kind: 'hvc', imm: 0 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] }],
    ]);
    const machine = new Machine({ cpuCount: 1, cpuFactory: factory });
    for (const bad of [
      { conduit: 'svc' as 'hvc' },
      { conduit: [] },
      { psciVersion: 0x1_0009 },
      { psci02: false, psciVersion: 0x1_0000 },
      { systemSuspend: 'yes' as unknown as boolean },
    ])
      expect(() => installKvmFirmware(machine, bad), JSON.stringify(bad)).toThrow(HvlabError);
    // Nothing was attached: the guest's HVC still reaches no firmware and UNDEFs.
    machine.run({ maxInstructions: 100 });
    expect(cpus[0]!.injected).toEqual([{ kind: 'undef' }]);
    expect(installKvmFirmware(machine, { conduit: 'smc' }).conduits).toEqual(['smc']);
  });
});
