import { fc, test } from '@fast-check/vitest';
import { HvlabError, Machine, PhysMem } from '@hvlab/core';
import type { FakeCpuStep } from '@hvlab/core/testing';
import { FakeCpu, fakeCpuFactory } from '@hvlab/core/testing';
import { describe, expect, it } from 'vitest';
import { SMCCC_ARCH_FEATURES, SMCCC_VERSION, SMCCC_VERSION_1_1 } from './arch.js';
import type { SmcccFunction, SmcccService } from './dispatch.js';
import { attachSmccc, SMCCC_UNTOUCHED, SmcccDispatcher } from './dispatch.js';
import { fastCall32, fastCall64 } from './fid.js';

const ONES = 0xffff_ffff_ffff_ffffn;
const newCpu = () => new FakeCpu({ index: 0, mem: new PhysMem() });
const x0to17 = (cpu: FakeCpu): bigint[] => Array.from({ length: 18 }, (_, i) => cpu.getReg(i));
/** X0..X17 all distinct and recognisable. */
const filled = (x0: bigint): bigint[] => [
  x0,
  ...Array.from({ length: 17 }, (_, i) => 0xdead_0000_0000_0000n + BigInt(i + 1)),
];

/** A SiP service (OEN 2) with calls that echo their arguments. */
const ECHO32 = fastCall32(2, 1);
const ECHO64 = fastCall64(2, 1);
const echoService: SmcccService = {
  name: 'echo',
  functions: [
    { fid: ECHO32, name: 'ECHO32', argCount: 3, resultCount: 4, handler: (c) => [0, ...c.args] },
    { fid: ECHO64, name: 'ECHO64', argCount: 3, resultCount: 4, handler: (c) => [0, ...c.args] },
  ],
};

function call(d: SmcccDispatcher, x: bigint[], conduit: 'hvc' | 'smc' = 'hvc', imm = 0): bigint[] {
  const cpu = newCpu();
  x.forEach((v, i) => {
    cpu.setReg(i, v);
  });
  d.dispatch(cpu, conduit, imm);
  return x0to17(cpu);
}

describe('SmcccDispatcher', () => {
  it('answers SMCCC_VERSION with 1.1 and zeroes X1..X3 (KVM), preserving X4..X17', () => {
    const before = filled(BigInt(SMCCC_VERSION));
    const after = call(new SmcccDispatcher(), before);
    expect(after[0]).toBe(BigInt(SMCCC_VERSION_1_1));
    expect(after.slice(1, 4)).toEqual([0n, 0n, 0n]);
    expect(after.slice(4)).toEqual(before.slice(4));
  });

  it('answers an unknown function ID with NOT_SUPPORTED (-1 in X0)', () => {
    const before = filled(0x8200_0000n);
    const kvm = call(new SmcccDispatcher(), before);
    expect(kvm[0]).toBe(ONES);
    expect(kvm.slice(1, 4)).toEqual([0n, 0n, 0n]);
    expect(kvm.slice(4)).toEqual(before.slice(4));
    // TF-A writes X0 only (TFTF generic_smc.c requires X1..X7 unchanged).
    const tfa = call(new SmcccDispatcher({ profile: 'tf-a' }), before);
    expect(tfa[0]).toBe(ONES);
    expect(tfa.slice(1)).toEqual(before.slice(1));
  });

  test.prop([fc.array(fc.bigInt({ min: 0n, max: ONES }), { minLength: 18, maxLength: 18 })])(
    'any call to an unregistered ID changes only X0..X3',
    (x) => {
      const d = new SmcccDispatcher();
      const fid = Number(x[0]! & 0xffff_ffffn);
      fc.pre(!d.has(fid));
      const after = call(d, x);
      expect(after[0]).toBe(ONES);
      expect(after.slice(1, 4)).toEqual([0n, 0n, 0n]);
      expect(after.slice(4)).toEqual(x.slice(4));
    },
  );

  it('takes the function ID from W0 only', () => {
    const after = call(new SmcccDispatcher(), [0x1234_5678_0000_0000n | BigInt(SMCCC_VERSION)]);
    expect(after[0]).toBe(0x1_0001n);
  });

  it('treats SMC with a non-zero imm16 as reserved: X0 = -1, nothing else', () => {
    const before = filled(BigInt(SMCCC_VERSION));
    const after = call(new SmcccDispatcher(), before, 'smc', 1);
    expect(after[0]).toBe(ONES);
    expect(after.slice(1)).toEqual(before.slice(1));
    // SMC #0 and HVC with any immediate are calls (KVM does not check the HVC immediate).
    expect(call(new SmcccDispatcher(), before, 'smc', 0)[0]).toBe(0x1_0001n);
    expect(call(new SmcccDispatcher(), before, 'hvc', 0x42)[0]).toBe(0x1_0001n);
  });

  it('passes only the low 32 bits of the arguments to an SMC32 call', () => {
    const d = new SmcccDispatcher();
    d.register(echoService);
    const x = [BigInt(ECHO32), 0xaaaa_bbbb_cccc_ddddn, 0xffff_ffff_0000_0001n, 7n, 0x4444n];
    expect(call(d, x).slice(0, 5)).toEqual([0n, 0xcccc_ddddn, 1n, 7n, 0x4444n]);
    x[0] = BigInt(ECHO64);
    expect(call(d, x).slice(0, 5)).toEqual([0n, 0xaaaa_bbbb_cccc_ddddn, 0xffff_ffff_0000_0001n, 7n, 0x4444n]);
  });

  it('writes negative results sign-extended and bigint results as 64-bit patterns', () => {
    const d = new SmcccDispatcher();
    d.register({
      name: 'values',
      functions: [{ fid: fastCall64(3, 9), name: 'V', argCount: 0, resultCount: 3, handler: () => [-3, -1n, 5n] }],
    });
    expect(call(d, [BigInt(fastCall64(3, 9))]).slice(0, 4)).toEqual([ONES - 2n, ONES, 5n, 0n]);
  });

  it('answers SMCCC_ARCH_FEATURES as KVM does by default', () => {
    const d = new SmcccDispatcher();
    const wa: SmcccFunction = {
      fid: 0x8000_8000,
      name: 'SMCCC_ARCH_WORKAROUND_1',
      argCount: 0,
      resultCount: 1,
      handler: () => 0,
      archFeatures: () => 1,
    };
    d.register({ name: 'workarounds', functions: [wa] });
    d.register(echoService);
    const features = (q: number | bigint) => call(d, [BigInt(SMCCC_ARCH_FEATURES), BigInt(q)])[0];
    expect(features(SMCCC_VERSION)).toBe(ONES);
    expect(features(SMCCC_ARCH_FEATURES)).toBe(ONES);
    expect(features(ECHO32)).toBe(ONES);
    expect(features(0x8000_0002)).toBe(ONES);
    expect(features(0x8000_8000)).toBe(1n);
    // W1 only: the queried ID is a 32-bit argument.
    expect(features(0xffff_ffff_8000_8000n)).toBe(1n);
  });

  it('answers SMCCC_ARCH_FEATURES as TF-A does with the tf-a profile', () => {
    const d = new SmcccDispatcher({ profile: 'tf-a' });
    d.register(echoService);
    const features = (q: number) => call(d, [BigInt(SMCCC_ARCH_FEATURES), BigInt(q)])[0];
    expect(features(SMCCC_VERSION)).toBe(0n);
    expect(features(SMCCC_ARCH_FEATURES)).toBe(0n);
    expect(features(ECHO32)).toBe(ONES);
    expect(features(0x8000_0002)).toBe(ONES);
  });

  it('refuses malformed rows and taken IDs, registering nothing from a bad service', () => {
    const d = new SmcccDispatcher();
    const ok: SmcccFunction = { fid: fastCall32(2, 5), name: 'OK', argCount: 0, resultCount: 1, handler: () => 0 };
    const bad = (row: Partial<SmcccFunction>) => () => d.register({ name: 's', functions: [ok, { ...ok, ...row }] });
    expect(bad({ fid: SMCCC_VERSION, name: 'MINE' })).toThrow(/already registered as SMCCC_VERSION/);
    expect(bad({})).toThrow(HvlabError);
    expect(bad({ fid: fastCall32(2, 6), argCount: 18 })).toThrow(/argCount/);
    expect(bad({ fid: fastCall32(2, 6), resultCount: 0 })).toThrow(/resultCount/);
    expect(bad({ fid: fastCall32(2, 6), resultCount: 5 })).toThrow(/resultCount/);
    expect(bad({ fid: -1 })).toThrow(/unsigned 32-bit/);
    expect(bad({ fid: fastCall32(2, 6), name: '' })).toThrow(/no name/);
    expect(d.has(ok.fid)).toBe(false);
    d.register({ name: 's', functions: [ok] });
    expect(d.nameOf(ok.fid)).toBe('OK');
    expect(d.functions().map((f) => f.name)).toEqual(['SMCCC_VERSION', 'SMCCC_ARCH_FEATURES', 'OK']);
    expect(d.serviceNames()).toEqual(['Arm Architecture Calls', 's']);
    expect(() => d.register({ name: 't', functions: [ok] })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => new SmcccDispatcher({ profile: 'xen' as 'kvm' })).toThrow(/profile/);
  });

  it('throws (host bug) when a handler returns more values than it declares', () => {
    const d = new SmcccDispatcher();
    const fid = fastCall32(2, 7);
    d.register({ name: 's', functions: [{ fid, name: 'TWO', argCount: 0, resultCount: 1, handler: () => [1, 2] }] });
    expect(() => call(d, [BigInt(fid)])).toThrow(/returned 2 values, declared 1/);
    const fid2 = fastCall32(2, 8);
    d.register({
      name: 'u',
      functions: [{ fid: fid2, name: 'HALF', argCount: 0, resultCount: 1, handler: () => 0.5 }],
    });
    expect(() => call(d, [BigInt(fid2)])).toThrow(/not an integer/);
  });
});

describe('attaching to a Machine', () => {
  function machineWith(script: FakeCpuStep[]) {
    const { factory, cpus } = fakeCpuFactory([script]);
    const machine = new Machine({ cpuFactory: factory });
    return { machine, cpu: cpus[0]! };
  }
  const hvc = (x: bigint[]): FakeCpuStep => ({ exit: { kind: 'hvc', imm: 0 }, x });
  const smc = (x: bigint[]): FakeCpuStep => ({ exit: { kind: 'smc', imm: 0 }, x });

  it('serves the HVC conduit and leaves SMC to the machine default (UNDEF)', () => {
    const { machine, cpu } = machineWith([hvc([BigInt(SMCCC_VERSION)]), smc([BigInt(SMCCC_VERSION)])]);
    attachSmccc(machine, 'hvc');
    const unhandled: string[] = [];
    machine.events.on('unhandled', (_c, what) => unhandled.push(what));
    expect(machine.run({ maxInstructions: 100 }).reason).toBe('maxInstructions');
    expect(cpu.after[0]![0]).toBe(0x1_0001n);
    expect(cpu.injected).toEqual([{ kind: 'undef' }]);
    expect(unhandled).toEqual(['SMC #0 with no firmware']);
    expect(machine.stats.exits.hvc).toBe(1);
  });

  it('serves both conduits through one table', () => {
    const { machine, cpu } = machineWith([smc([BigInt(SMCCC_VERSION)]), hvc([0x8400_0000n])]);
    attachSmccc(machine, ['hvc', 'smc']);
    machine.run({ maxInstructions: 100 });
    expect(cpu.after.map((r) => r[0])).toEqual([0x1_0001n, ONES]);
    expect(cpu.injected).toEqual([]);
  });

  it('validates the conduits', () => {
    const { machine } = machineWith([]);
    expect(() => attachSmccc(machine, [])).toThrow(/no SMCCC conduit/);
    expect(() => attachSmccc(machine, ['svc' as 'hvc'])).toThrow(/unknown conduit svc/);
  });
});

describe('gate, untouched results and status names', () => {
  it('runs the gate before any row: handle, deny (X1..X3 zeroed), done (nothing written)', () => {
    const d = new SmcccDispatcher();
    d.register(echoService);
    const seen: [number, string, number][] = [];
    let decision: 'handle' | 'deny' | 'done' = 'handle';
    d.setGate((fid, _cpu, conduit, imm) => {
      seen.push([fid, conduit, imm]);
      return decision;
    });
    const x = filled(BigInt(ECHO64));
    expect(call(d, x).slice(0, 4)).toEqual([0n, x[1], x[2], x[3]]);
    decision = 'deny';
    const denied = call(d, x);
    expect(denied.slice(0, 4)).toEqual([ONES, 0n, 0n, 0n]);
    expect(denied.slice(4)).toEqual(x.slice(4));
    decision = 'done';
    expect(call(d, x)).toEqual(x);
    // The gate sees W0 only, and is not consulted for a reserved SMC immediate.
    call(d, [0xffff_0000_0000_0000n | BigInt(ECHO64)], 'smc', 0);
    call(d, x, 'smc', 5);
    expect(seen).toEqual([
      [ECHO64, 'hvc', 0],
      [ECHO64, 'hvc', 0],
      [ECHO64, 'hvc', 0],
      [ECHO64, 'smc', 0],
    ]);
    d.setGate(undefined);
    expect(call(d, x)[0]).toBe(0n);
    expect(() => d.setGate(42 as unknown as undefined)).toThrow(HvlabError);
  });

  it('writes nothing for a handler that returns SMCCC_UNTOUCHED', () => {
    const d = new SmcccDispatcher();
    const fid = fastCall32(3, 4);
    d.register({
      name: 'self-writing',
      functions: [
        {
          fid,
          name: 'SELF',
          argCount: 0,
          resultCount: 1,
          handler: (c) => {
            c.cpu.setReg(0, 7n);
            return SMCCC_UNTOUCHED;
          },
        },
      ],
    });
    const x = filled(BigInt(fid));
    expect(call(d, x)).toEqual([7n, ...x.slice(1)]);
  });

  it("names status codes with the ABI's own table", () => {
    const d = new SmcccDispatcher();
    const fid = fastCall64(4, 0x53);
    d.register({
      name: 'trng-like',
      status: new Map([
        [0, 'SUCCESS'],
        [-2, 'INVALID_PARAMETERS'],
      ]),
      functions: [{ fid, name: 'RND', argCount: 1, resultCount: 4, handler: () => -2 }],
    });
    expect(d.statusName(fid, ONES - 1n)).toBe('INVALID_PARAMETERS');
    expect(d.statusName(fid, -1)).toBe('NOT_SUPPORTED'); // not in the table: SMCCC's name
    expect(d.statusName(SMCCC_ARCH_FEATURES, ONES - 1n)).toBe('NOT_REQUIRED');
    expect(d.statusName(0x8200_0000, 7n)).toBe('7');
    expect(d.serviceOf(fid)?.name).toBe('trng-like');
    expect(d.serviceOf(SMCCC_VERSION)?.name).toBe('Arm Architecture Calls');
    expect(() => d.register({ name: 'bad', status: new Map([[0.5, 'HALF']]), functions: [] })).toThrow(
      /bad status entry/,
    );
  });
});
