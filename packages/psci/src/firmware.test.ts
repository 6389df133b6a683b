/**
 * The EL3 firmware policy (TF-A lib/psci): every call and check on FakeCpus, over SMC with the
 * 'tf-a' SMCCC profile (X1..X3 preserved unless written).
 */
import { CoreReg, type Cpu, HvlabError, Machine } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { SMCCC_VERSION } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import { encodePowerState, FirmwarePsci, type FirmwarePsciOptions, QEMU_PLATFORM_POWER_STATES } from './firmware.js';
import {
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
  PSCI_FUNCTIONS,
} from './ids.js';
import {
  ALREADY_ON,
  DENIED,
  firmwareVm,
  INVALID_ADDRESS,
  INVALID_PARAMS,
  NOT_SUPPORTED,
  ON_PENDING,
  resets,
} from './testing/vm.js';

const UNK = NOT_SUPPORTED; // SMC_UNK
const ENTRY = 0x4008_0000n;

describe('PSCI_VERSION and unknown calls', () => {
  it('reports 1.1 and leaves X1..X3 (TF-A SMC_RET1)', () => {
    expect(firmwareVm(1).call(0, PSCI_0_2_FN_PSCI_VERSION, 5, 6, 7)).toEqual([0x1_0001n, 5n, 6n, 7n]);
  });

  it('answers SMC_UNK for every call that is not a capability, X1..X3 untouched', () => {
    const { call, psci } = firmwareVm(2);
    const served = ['PSCI_VERSION', 'PSCI_FEATURES', 'AFFINITY_INFO', 'CPU_ON', 'CPU_OFF', 'CPU_SUSPEND'];
    for (const f of PSCI_FUNCTIONS)
      for (const fid of [f.fid32, f.fid64]) {
        if (fid === undefined || served.includes(f.name) || f.name === 'SYSTEM_OFF' || f.name === 'SYSTEM_RESET')
          continue;
        expect(call(0, fid, 1, 2, 3), f.name).toEqual([UNK, 1n, 2n, 3n]);
      }
    expect(psci.systemSuspendSupported).toBe(false);
  });
});

describe('CPU_ON', () => {
  it('starts the target ON_PENDING; it is ON once it has retired an instruction', () => {
    const { x0, cpus, machine, psci, tick } = firmwareVm(3);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 0xabcd_0000_1234n)).toBe(0n);
    expect(resets(cpus[1]!)).toBe(1);
    expect(cpus[1]!.getReg(CoreReg.PC)).toBe(ENTRY);
    expect(cpus[1]!.getReg(CoreReg.X0)).toBe(0xabcd_0000_1234n);
    expect(machine.powerState(1)).toBe('running');
    expect(psci.cpuState(1)).toBe('on-pending');
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 1, 0)).toBe(2n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 0)).toBe(ON_PENDING);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, 1, ENTRY, 0)).toBe(ON_PENDING); // SMC32 form alike
    tick();
    expect(psci.cpuState(1)).toBe('on');
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 1, 0)).toBe(0n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 0)).toBe(ALREADY_ON);
  });

  it('checks the MPIDR first (affinity fields only), then the entry point, then the state', () => {
    const { x0, machine } = firmwareVm(2, { validEntryPoint: (e) => e >= 0x4000_0000n && e < 0x4800_0000n });
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 7, 1n, 0)).toBe(INVALID_PARAMS); // no such core, bad entry too
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 0, 0x1000n, 0)).toBe(INVALID_ADDRESS); // self, but the entry is checked first
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 0, ENTRY | 1n, 0)).toBe(INVALID_ADDRESS); // Thumb bit
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 0, ENTRY, 0)).toBe(ALREADY_ON);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, 0x5000_0000n, 0)).toBe(INVALID_ADDRESS);
    expect(machine.powerState(1)).toBe('off');
    // plat_core_pos_by_mpidr ignores bit 31, U and MT (KVM would say INVALID_PARAMETERS).
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, (1n << 31n) | (1n << 30n) | 1n, ENTRY, 0)).toBe(0n);
  });

  it('the SMC32 form uses W1..W3', () => {
    const { x0, cpus } = firmwareVm(2);
    expect(x0(0, PSCI_0_2_FN_CPU_ON, (5n << 32n) | 1n, 0xffff_0000_4008_0000n, 0xffff_0000_0000_0042n)).toBe(0n);
    expect([cpus[1]!.getReg(CoreReg.PC), cpus[1]!.getReg(CoreReg.X0)]).toEqual([ENTRY, 0x42n]);
  });

  it('enters through the `enter` hook when one is given (an EL2 model)', () => {
    const seen: [number, bigint, bigint][] = [];
    const enter = (cpu: Cpu, entry: bigint, ctx: bigint) => {
      seen.push([cpu.index, entry, ctx]);
    };
    const { x0, machine, cpus } = firmwareVm(2, { enter });
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 3)).toBe(0n);
    expect(seen).toEqual([[1, ENTRY, 3n]]);
    expect(resets(cpus[1]!)).toBe(0);
    expect(machine.powerState(1)).toBe('running');
  });
});

describe('CPU_OFF and AFFINITY_INFO', () => {
  it('CPU_OFF takes the caller OFF; AFFINITY_INFO reads ON, OFF, ON_PENDING at level 0 only', () => {
    const { x0, machine, tick } = firmwareVm(2);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 1, 0)).toBe(1n);
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 0)).toBe(0n);
    tick();
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, 1, 0)).toBe(0n);
    x0(1, PSCI_0_2_FN_CPU_OFF);
    expect(machine.powerState(1)).toBe('off');
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, 1, 0)).toBe(1n);
    for (const level of [1, 2, 3, 4]) expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 0, level)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN64_AFFINITY_INFO, 9, 0)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN_AFFINITY_INFO, 0, 1n << 32n)).toBe(0n); // W2 = 0
  });
});

describe('CPU_SUSPEND', () => {
  const [standby, coreOff, clusterOff] = QEMU_PLATFORM_POWER_STATES.map((s) => encodePowerState(s, 'original')) as [
    number,
    number,
    number,
  ];

  it("encodes the QEMU platform's states in both formats", () => {
    expect([standby, coreOff, clusterOff]).toEqual([0x0000_0001, 0x0001_0002, 0x0101_0022]);
    expect(QEMU_PLATFORM_POWER_STATES.map((s) => encodePowerState(s, 'extended'))).toEqual([
      0x0000_0001, 0x4000_0002, 0x4000_0022,
    ]);
  });

  it('standby: a WFI, SUCCESS, context kept', () => {
    const { call, machine, cpus } = firmwareVm(1);
    expect(call(0, PSCI_0_2_FN_CPU_SUSPEND, standby, 0, 0)[0]).toBe(0n);
    expect(machine.powerState(0)).toBe('waiting');
    expect(resets(cpus[0]!)).toBe(0);
  });

  it('power-down: the core resumes at entry_point with X0 = context_id when woken', () => {
    for (const ps of [coreOff, clusterOff]) {
      const { call, machine, cpus } = firmwareVm(2);
      cpus[0]!.regs.set(CoreReg.X7, 0x77n);
      const regs = call(0, PSCI_0_2_FN64_CPU_SUSPEND, ps, ENTRY + 0x40n, 0x5eed_0000_0001n);
      expect(regs).toEqual([0x5eed_0000_0001n, 0n, 0n, 0n]);
      expect(cpus[0]!.getReg(CoreReg.PC)).toBe(ENTRY + 0x40n);
      expect(cpus[0]!.getReg(CoreReg.X7)).toBe(0n); // context lost
      expect(machine.powerState(0)).toBe('waiting');
    }
  });

  it('a pending interrupt abandons the power-down: SUCCESS at the next instruction', () => {
    const { call, machine, cpus } = firmwareVm(1);
    cpus[0]!.irqLine = true;
    cpus[0]!.regs.set(CoreReg.PC, 0x4000_1000n);
    expect(call(0, PSCI_0_2_FN64_CPU_SUSPEND, coreOff, ENTRY, 9)).toEqual([0n, BigInt(coreOff), ENTRY, 9n]);
    expect(cpus[0]!.getReg(CoreReg.PC)).toBe(0x4000_1000n);
    expect(machine.powerState(0)).toBe('running');
  });

  it('INVALID_PARAMETERS for must-be-zero bits or a state the platform lacks; INVALID_ADDRESS for a bad entry', () => {
    const { x0, machine } = firmwareVm(1);
    for (const bad of [0x8000_0000, 0x0002_0001, 0x0400_0001, 0x4000_0002, 0x3, 0x0101_0002, 0x0001_0001])
      expect(x0(0, PSCI_0_2_FN_CPU_SUSPEND, bad, ENTRY, 0), bad.toString(16)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN_CPU_SUSPEND, coreOff, ENTRY | 1n, 0)).toBe(INVALID_ADDRESS);
    expect(machine.powerState(0)).toBe('running');
  });

  it('in the extended format (PSCI_EXTENDED_STATE_ID) the same states have other encodings', () => {
    const { x0, machine } = firmwareVm(1, { powerStateFormat: 'extended' });
    for (const bad of [0x0001_0002, 0x2000_0001, 0x8000_0001, 0x1000_0002])
      expect(x0(0, PSCI_0_2_FN_CPU_SUSPEND, bad, ENTRY, 0), bad.toString(16)).toBe(INVALID_PARAMS);
    expect(x0(0, PSCI_0_2_FN_CPU_SUSPEND, 0x4000_0002, ENTRY, 0x11)).toBe(0x11n);
    expect(machine.powerState(0)).toBe('waiting');
  });
});

describe('SYSTEM_SUSPEND', () => {
  it('DENIED unless every other CPU is OFF (ON_PENDING counts as not OFF)', () => {
    const { x0, machine, tick } = firmwareVm(2, { systemSuspend: true }); // an FVP-like platform
    expect(x0(0, PSCI_0_2_FN64_CPU_ON, 1, ENTRY, 0)).toBe(0n);
    expect(x0(0, PSCI_1_0_FN64_SYSTEM_SUSPEND, ENTRY, 0)).toBe(DENIED);
    tick();
    expect(x0(0, PSCI_1_0_FN64_SYSTEM_SUSPEND, ENTRY, 0)).toBe(DENIED);
    x0(1, PSCI_0_2_FN_CPU_OFF);
    expect(x0(0, PSCI_1_0_FN_SYSTEM_SUSPEND, ENTRY | 1n, 0)).toBe(INVALID_ADDRESS);
    expect(x0(0, PSCI_1_0_FN_SYSTEM_SUSPEND, ENTRY, 0xfeed)).toBe(0xfeedn);
    expect(machine.powerState(0)).toBe('waiting');
  });

  it("is no capability on a platform without a system-suspend state: TF-A's QEMU port, the default", () => {
    const { call, x0, psci } = firmwareVm(1);
    expect(psci.systemSuspendSupported).toBe(false);
    expect(call(0, PSCI_1_0_FN_SYSTEM_SUSPEND, ENTRY, 0)).toEqual([UNK, ENTRY, 0n, 0n]);
    expect(x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_1_0_FN64_SYSTEM_SUSPEND)).toBe(UNK);
  });
});

describe('SYSTEM_OFF and SYSTEM_RESET', () => {
  for (const [fid, type] of [
    [PSCI_0_2_FN_SYSTEM_OFF, 'shutdown'],
    [PSCI_0_2_FN_SYSTEM_RESET, 'reset'],
  ] as const)
    it(`never return: every CPU OFF, the run ends with '${type}' (no KVM data)`, () => {
      const { x0, machine } = firmwareVm(2);
      x0(0, PSCI_0_2_FN_CPU_ON, 1, ENTRY, 0);
      x0(1, fid);
      expect([machine.powerState(0), machine.powerState(1)]).toEqual(['off', 'off']);
      expect(machine.run()).toEqual({
        reason: 'systemEvent',
        event: { type, reason: expect.stringMatching(/^PSCI /), cpu: 1 },
      });
    });
});

describe('PSCI_FEATURES (psci_features)', () => {
  it('answers the capabilities, the CPU_SUSPEND format flag, and SMCCC_VERSION', () => {
    const { x0 } = firmwareVm(1, { systemSuspend: true });
    const q = (fid: number) => x0(0, PSCI_1_0_FN_PSCI_FEATURES, fid);
    expect(q(SMCCC_VERSION)).toBe(0n);
    for (const fid of [PSCI_0_2_FN_PSCI_VERSION, PSCI_0_2_FN_CPU_ON, PSCI_0_2_FN64_CPU_ON, PSCI_0_2_FN_CPU_OFF])
      expect(q(fid)).toBe(0n);
    for (const fid of [PSCI_0_2_FN_AFFINITY_INFO, PSCI_0_2_FN64_AFFINITY_INFO, PSCI_1_0_FN_PSCI_FEATURES])
      expect(q(fid)).toBe(0n);
    expect(q(PSCI_0_2_FN_CPU_SUSPEND)).toBe(0n);
    expect(q(PSCI_0_2_FN64_CPU_SUSPEND)).toBe(0n);
    expect(q(PSCI_1_0_FN_SYSTEM_SUSPEND)).toBe(0n);
    // Not capabilities, no SMC64 form, not a fast OEN-4 PSCI ID:
    for (const fid of [
      PSCI_0_2_FN_MIGRATE_INFO_TYPE,
      PSCI_1_1_FN_SYSTEM_RESET2,
      0xc400_0000,
      0xc400_0002,
      0x0400_0000,
      0x8400_0020,
      0x8401_0001,
      0x8000_0001,
    ])
      expect(q(fid), fid.toString(16)).toBe(UNK);
    expect(
      firmwareVm(1, { powerStateFormat: 'extended' }).x0(0, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN64_CPU_SUSPEND),
    ).toBe(2n);
  });
});

describe('options', () => {
  it('are checked before anything is built', () => {
    const { factory } = fakeCpuFactory();
    const machine = new Machine({ cpuCount: 1, cpuFactory: factory });
    const bad: FirmwarePsciOptions[] = [
      { powerStateFormat: 'compact' as 'original' },
      { validEntryPoint: 3 as unknown as () => boolean },
      { enter: 'x' as unknown as () => void },
      { systemSuspend: 'no' as unknown as boolean },
      { powerStates: [{ stateId: 0x1_0000, type: 'standby', level: 0 }] },
      { powerStates: [{ stateId: 1, type: 'standby', level: 4 }] },
      { powerStates: [{ stateId: 1, type: 'off' as 'standby', level: 0 }] },
    ];
    for (const o of bad) expect(() => new FirmwarePsci(machine, o), JSON.stringify(o)).toThrow(HvlabError);
  });
});
