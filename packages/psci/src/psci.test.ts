import { fc, test } from '@fast-check/vitest';
import { HvlabError, Machine } from '@hvlab/core';
import { SMCCC_ARCH_FEATURES, SMCCC_VERSION, SmcccDispatcher } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import {
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_0_2_FN64_CPU_ON,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_FUNCTIONS,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_VERSION_1_1,
} from './ids.js';
import { installPsci } from './psci.js';
import type { ScriptedCall } from './test-cpu.js';
import { TestCpu } from './test-cpu.js';

const ONES = 0xffff_ffff_ffff_ffffn;
const u64 = (n: number) => BigInt.asUintN(64, BigInt(n));

function machineWith(scripts: ScriptedCall[][]) {
  const cpus: TestCpu[] = [];
  const machine = new Machine({
    cpuCount: scripts.length,
    cpuFactory: (cfg) => {
      const c = new TestCpu(cfg, scripts[cfg.index] ?? []);
      cpus.push(c);
      return c;
    },
  });
  return { machine, cpus };
}

/** Runs one CPU's script of HVC calls and returns X0..X3 after each call. */
function hvcCalls(calls: bigint[][]): bigint[][] {
  const { machine, cpus } = machineWith([calls.map((x) => ({ conduit: 'hvc' as const, x }))]);
  installPsci(machine, { conduit: 'hvc' });
  const r = machine.run({ maxInstructions: 1000 });
  expect(r.reason).toBe('maxInstructions');
  return cpus[0]!.after.map((regs) => regs.slice(0, 4));
}

const IMPLEMENTED = [
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
];

describe('PSCI_VERSION', () => {
  it('reports 1.1 in X0 and zeroes X1..X3', () => {
    expect(hvcCalls([[BigInt(PSCI_0_2_FN_PSCI_VERSION), 5n, 6n, 7n]])).toEqual([[0x1_0001n, 0n, 0n, 0n]]);
    expect(PSCI_VERSION_1_1).toBe(0x1_0001);
  });
});

describe('PSCI_FEATURES', () => {
  const features = (q: bigint) => hvcCalls([[BigInt(PSCI_1_0_FN_PSCI_FEATURES), q]])[0]![0];

  it('answers 0 for every implemented call and for SMCCC_VERSION', () => {
    for (const fid of IMPLEMENTED) expect(features(BigInt(fid))).toBe(0n);
    expect(features(BigInt(SMCCC_VERSION))).toBe(0n);
  });

  it('answers NOT_SUPPORTED for every other PSCI call, SMC32 and SMC64', () => {
    for (const f of PSCI_FUNCTIONS) {
      for (const fid of [f.fid32, f.fid64]) {
        if (fid === undefined || IMPLEMENTED.includes(fid)) continue;
        expect(features(BigInt(fid)), f.name).toBe(ONES);
      }
    }
    expect(features(BigInt(SMCCC_ARCH_FEATURES))).toBe(ONES);
  });

  it('reads the queried ID from W1', () => {
    expect(features(0xffff_ffff_0000_0000n | BigInt(PSCI_0_2_FN_SYSTEM_OFF))).toBe(0n);
  });

  test.prop([fc.integer({ min: 0, max: 0xffff_ffff })], { numRuns: 50 })('unknown IDs are NOT_SUPPORTED', (fid) => {
    fc.pre(!IMPLEMENTED.includes(fid) && fid !== SMCCC_VERSION);
    expect(features(BigInt(fid))).toBe(ONES);
  });
});

describe('SYSTEM_OFF and SYSTEM_RESET', () => {
  for (const [fid, type, reason] of [
    [PSCI_0_2_FN_SYSTEM_OFF, 'shutdown', 'PSCI SYSTEM_OFF'],
    [PSCI_0_2_FN_SYSTEM_RESET, 'reset', 'PSCI SYSTEM_RESET'],
  ] as const) {
    it(`${reason} ends the run with a '${type}' system event and powers every CPU off`, () => {
      const { machine, cpus } = machineWith([[], [{ conduit: 'hvc', x: [BigInt(fid), 9n, 9n, 9n, 0x4444n] }]]);
      installPsci(machine, { conduit: 'hvc' });
      machine.powerOn(1);
      const seen: unknown[] = [];
      machine.events.on('systemEvent', (e) => seen.push(e));
      const r = machine.run({ maxInstructions: 1_000_000 });
      expect(r).toEqual({ reason: 'systemEvent', event: { type, reason, cpu: 1 } });
      expect(seen).toEqual([{ type, reason, cpu: 1 }]);
      expect([machine.powerState(0), machine.powerState(1)]).toEqual(['off', 'off']);
      // What the caller would see if a VMM resumed it (KVM preloads INTERNAL_FAILURE).
      expect(cpus[1]!.regs.slice(0, 5)).toEqual([u64(PSCI_RET_INTERNAL_FAILURE), 0n, 0n, 0n, 0x4444n]);
      // The run ended right after the call: nothing ran on any CPU afterwards.
      expect(machine.run({ maxInstructions: 10 }).reason).toBe('halted');
    });
  }
});

describe('PSCI calls this skeleton does not serve', () => {
  it('answer NOT_SUPPORTED and the CPU runs on', () => {
    const results = hvcCalls([
      [BigInt(PSCI_0_2_FN_CPU_ON), 1n, 0x4008_0000n, 0n],
      [BigInt(PSCI_0_2_FN64_CPU_ON), 1n, 0x4008_0000n, 0n],
      [0x8400_001fn],
      [BigInt(PSCI_0_2_FN_PSCI_VERSION)],
    ]);
    expect(results).toEqual([
      [ONES, 0n, 0n, 0n],
      [ONES, 0n, 0n, 0n],
      [ONES, 0n, 0n, 0n],
      [0x1_0001n, 0n, 0n, 0n],
    ]);
    expect(u64(PSCI_RET_NOT_SUPPORTED)).toBe(ONES);
  });
});

describe('conduits and sharing', () => {
  it("serves SMC #0 with conduit 'smc'; HVC then reaches no firmware (UNDEF)", () => {
    const { machine, cpus } = machineWith([
      [
        { conduit: 'smc', x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] },
        { conduit: 'smc', imm: 3, x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] },
        { conduit: 'hvc', x: [BigInt(PSCI_0_2_FN_PSCI_VERSION)] },
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
    expect(psci.implemented()).toEqual(IMPLEMENTED);
    expect(() => installPsci(machine, { conduit: 'hvc', smccc })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('rejects a bad conduit before touching the machine', () => {
    const { machine } = machineWith([[]]);
    expect(() => installPsci(machine, { conduit: 'svc' as 'hvc' })).toThrow(HvlabError);
    expect(() => installPsci(machine, { conduit: [] })).toThrow(/conduit/);
  });

  it('reads CPU power states from the machine', () => {
    const { machine } = machineWith([[], []]);
    const psci = installPsci(machine, { conduit: ['hvc', 'smc'] });
    expect([psci.cpuState(0), psci.cpuState(1)]).toEqual(['on', 'off']);
    machine.powerOn(1);
    expect(psci.cpuState(1)).toBe('on');
    expect(() => psci.cpuState(2)).toThrow(HvlabError);
  });
});
