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
import { installKvmFirmware } from './kvm.js';
import { kvmVm, u64 } from './testing/vm.js';
import { KVM_REG_ARM_PSCI_VERSION } from './vpsci.js';

describe('installKvmFirmware', () => {
  it("serves KVM's defaults: PSCI 1.3 over both conduits, in KvmSmccc's dispatcher", () => {
    const { fw, x0 } = kvmVm();
    expect(fw.conduits).toEqual(['hvc', 'smc']);
    expect(fw.psci.version).toBe(0x1_0003);
    expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0003n);
    expect(fw.smccc.dispatcher.nameOf(PSCI_0_2_FN64_CPU_ON)).toBe('CPU_ON_64');
  });

  it('exposes KVM_REG_ARM_PSCI_VERSION through ONE_REG with KVM set rules, before and after the VM ran', () => {
    const { fw, x0, machine } = kvmVm();
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

  it('handle_smc: a guest SMC #0 reaches the same firmware as an HVC; a non-zero immediate gets -1 only', () => {
    const { factory, cpus } = fakeCpuFactory([
      [
        { exit: { kind: 'smc', imm: 0 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION), 5n, 6n, 7n] },
        { exit: { kind: 'smc', imm: 1 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION), 5n, 6n, 7n] },
        { exit: { kind: 'hvc', imm: 0 }, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION), 5n, 6n, 7n] },
      ],
    ]);
    const machine = new Machine({ cpuCount: 1, cpuFactory: factory });
    installKvmFirmware(machine);
    expect(machine.run({ maxInstructions: 100 }).reason).toBe('maxInstructions');
    expect(cpus[0]!.after.map((r) => r.slice(0, 4))).toEqual([
      [0x1_0003n, 0n, 0n, 0n],
      [u64(-1), 5n, 6n, 7n],
      [0x1_0003n, 0n, 0n, 0n],
    ]);
    expect(cpus[0]!.injected).toEqual([]); // never an UNDEF, as on KVM
  });

  it('kvm_arm_get_fw_reg reads the version live (kvm_psci_version): a change made through the policy shows', () => {
    const { fw, x0 } = kvmVm();
    fw.psci.setVersion(0x1_0001);
    expect(fw.vcpuRegs(0).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0001n);
    expect(x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0001n);
    // A refused SET changes neither the register nor what the guest is served.
    expect(() => fw.vcpuRegs(1).setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x1_0005n)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(fw.psci.version).toBe(0x1_0001);
    expect(fw.vcpuRegs(1).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0001n);
  });

  it('takes the PSCI options: version, PSCI 0.1 vCPUs, SYSTEM_SUSPEND', () => {
    expect(kvmVm({ psciVersion: 0x1_0001 }).x0(0, PSCI_0_2_FN_PSCI_VERSION)).toBe(0x1_0001n);
    const old = kvmVm({ psci02: false });
    expect(old.fw.vcpuRegs(0).getOneReg(KVM_REG_ARM_PSCI_VERSION)).toBe(1n);
    expect(() => old.fw.vcpuRegs(0).setOneReg(KVM_REG_ARM_PSCI_VERSION, 2n)).toThrow(/needs vCPUs with/);
    expect(kvmVm({ systemSuspend: true }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_1_0_FN64_SYSTEM_SUSPEND)).toBe(0n);
  });

  it('the SMCCC filter sees PSCI calls first: DENY answers NOT_SUPPORTED, FWD_TO_USER exits to the VMM', () => {
    const { fw, x0, machine, cpus } = kvmVm();
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
    const { fw } = kvmVm();
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
