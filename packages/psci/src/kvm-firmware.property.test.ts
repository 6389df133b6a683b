/**
 * Property: KVM's whole firmware (installKvmFirmware) under random sequences of VMM operations —
 * firmware-register sets (PSCI version, bitmaps, a workaround level) from any vCPU's view, SMCCC
 * filter ranges, KVM_CAP_ARM_SYSTEM_SUSPEND, KVM_SET_MP_STATE-style power changes, letting the VM
 * run — and guest calls (PSCI and other SMCCC services) from random running vCPUs over both
 * conduits, made through the Machine's scheduler. After every step the implementation must
 * match the two executable models of KVM composed as KVM composes them: @hvlab/smccc/testing's
 * kvm-model (hyp-entry.S fast path, then kvm_smccc_get_action: filter, bitmaps, default-allowed)
 * in front of testing/psci-model (kvm_psci_call at the version KVM_REG_ARM_PSCI_VERSION holds).
 *
 * Checked after every step: the VMM operation's errno; the caller's X0..X3, its X4..X17
 * untouched (SMCCC 1.1), the run's outcome (system event with KVM's data, or the hypercall exit
 * of FWD_TO_USER with no register touched); every vCPU's power state; every firmware register
 * (GET_ONE_REG, the PSCI version included, live); the filter; hasRun. So a refused operation
 * provably leaves the state exactly as it was, and the interactions are KVM's.
 */
import { fc, test } from '@fast-check/vitest';
import { Machine, type RunResult } from '@hvlab/core';
import { type FakeCpu, fakeCpuFactory } from '@hvlab/core/testing';
import {
  type Conduit,
  DEFAULT_HOST_MITIGATIONS,
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_VERSION,
} from '@hvlab/smccc';
import {
  errnoOf,
  type KvmModel,
  MODEL_BITMAPS,
  modelGate,
  modelSetFilter,
  modelSetFwReg,
  newKvmModel,
} from '@hvlab/smccc/testing';
import { expect } from 'vitest';
import { installKvmFirmware } from './kvm.js';
import { type Power, PSCI_MODEL_FIDS, type PsciOutcome, psciModel, psciModelArg } from './testing/psci-model.js';

const M32 = 0xffff_ffffn;
const ONES = (1n << 64n) - 1n;
const junk = (i: number): bigint => 0xdead_0000_0000_0000n + BigInt(i);

/** Non-PSCI calls: each gated differently (always allowed, a bitmap bit, the fast path, nothing). */
const SERVICE_FIDS = [
  SMCCC_VERSION,
  SMCCC_ARCH_FEATURES,
  0x8400_0050,
  0x8600_0000,
  SMCCC_ARCH_WORKAROUND_1,
  0xc600_0040,
];
const FIDS = [...PSCI_MODEL_FIDS, ...SERVICE_FIDS, 0x8200_0000];
const PSCI_VERSIONS = [0x2, 0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003];

/** What the services other than PSCI answer once KVM handles the call (kvm_smccc_call_handler). */
function serviceModel(m: KvmModel, fid: number, a1: bigint): bigint[] {
  const ret = (...v: bigint[]): bigint[] => [...v, 0n, 0n, 0n].slice(0, 4);
  switch (fid) {
    case SMCCC_VERSION:
      return ret(0x1_0001n);
    case SMCCC_ARCH_FEATURES: {
      const q = Number(a1 & M32);
      if (q === SMCCC_ARCH_WORKAROUND_1) return ret(1n); // unaffected host: SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED
      if (q === 0xc500_0020) return ret((m.regs.get(KVM_REG_ARM_STD_HYP_BMAP)! & 1n) === 1n ? 0n : ONES);
      return ret(ONES);
    }
    case 0x8400_0050:
      return ret(0x1_0000n); // TRNG_VERSION
    case 0x8600_0000: // VENDOR_HYP_KVM_FEATURES
      return [m.regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)!, 0n, m.regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)!, 0n];
    default:
      return ret(ONES);
  }
}

/** kvm_psci_call's range: PSCI 0.2+ (owner 4, function 0..0x1F) and KVM's 0.1 IDs. */
const isPsci = (fid: number): boolean =>
  (((fid >>> 24) & 0x3f) === 4 && (fid & 0xffff) <= 0x1f) || (fid >= 0x95c1_ba5e && fid <= 0x95c1_ba61);

const regId = fc.constantFrom(
  KVM_REG_ARM_PSCI_VERSION,
  ...MODEL_BITMAPS.keys(),
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  0x6030_0000_0016_0004n,
);
const command = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      vcpu: fc.nat(),
      id: regId,
      value: fc.oneof(fc.constantFrom(0n, 1n, 2n, 3n, ...PSCI_VERSIONS.map(BigInt)), fc.bigInt({ min: 0n, max: ONES })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('filter' as const),
      base: fc.oneof(fc.constantFrom(...FIDS), fc.integer({ min: 0, max: 0xffff_ffff })),
      count: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff_ffff })),
      action: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'suspend-cap' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('power' as const), vcpu: fc.nat(), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'run' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('call' as const),
      pick: fc.nat(),
      conduit: fc.constantFrom<Conduit>('hvc', 'smc'),
      fid: fc.constantFrom(...FIDS),
      hi: fc.boolean(),
      a1: fc.oneof(psciModelArg, fc.constantFrom(BigInt(SMCCC_ARCH_WORKAROUND_1), 0xc500_0020n)),
      a2: psciModelArg,
      a3: psciModelArg,
    }),
  },
);

/**
 * The guest's call: `cpu` makes it (X0..X3 = x, X4..X17 junk) as a scripted exit, and the VM runs
 * until the call has been taken; returns how that run ended.
 */
function guestCall(machine: Machine, cpu: FakeCpu, x: readonly bigint[], conduit: Conduit): RunResult {
  cpu.script.push({ exit: { kind: conduit, imm: 0 }, x: [...x, ...Array.from({ length: 14 }, (_, i) => junk(i + 4))] });
  for (let guard = 0; guard < 200; guard++) {
    const r = machine.run({ maxInstructions: 4, quantum: 4 });
    if (cpu.script.length === 0) return r;
    if (r.reason !== 'maxInstructions') throw new Error(`the run ended before the call: ${r.reason}`);
  }
  throw new Error('the call was never taken');
}

test.prop(
  [
    fc.integer({ min: 1, max: 4 }),
    fc.boolean(),
    fc.constantFrom(...PSCI_VERSIONS),
    fc.boolean(),
    fc.array(command, { minLength: 1, maxLength: 40 }),
  ],
  { numRuns: 200 },
)(
  'KVM firmware: filter, bitmaps, PSCI version and power states follow the models after every step',
  (cpuCount, psci02, v, suspendCap, commands) => {
    const version = psci02 ? v : 0x1;
    const { factory, cpus } = fakeCpuFactory();
    const machine = new Machine({ cpuCount, cpuFactory: factory });
    const fw = installKvmFirmware(machine, {
      conduit: ['hvc', 'smc'],
      psci02,
      psciVersion: version,
      systemSuspend: suspendCap,
      wallClock: () => 0n,
      entropy: (b) => b.fill(7),
    });
    const kvm = newKvmModel({ ...DEFAULT_HOST_MITIGATIONS }, { version, psci02 });
    let cap = suspendCap;
    const power: Power[] = cpus.map((_, i) => (i === 0 ? 'running' : 'off'));

    for (const c of commands) {
      let label: string = c.kind;
      if (c.kind === 'set') {
        label = `set 0x${c.id.toString(16)} = 0x${c.value.toString(16)}`;
        expect(
          errnoOf(() => fw.vcpuRegs(c.vcpu % cpuCount).setOneReg(c.id, c.value)),
          label,
        ).toBe(modelSetFwReg(kvm, c.id, c.value));
      } else if (c.kind === 'filter') {
        label = `filter 0x${c.base.toString(16)} + ${c.count}: ${c.action}`;
        expect(
          errnoOf(() => fw.smccc.setFilter(c.base, c.count, c.action)),
          label,
        ).toBe(modelSetFilter(kvm, c.base, c.count, c.action));
      } else if (c.kind === 'suspend-cap') {
        fw.psci.enableSystemSuspend();
        cap = true;
      } else if (c.kind === 'power') {
        const i = c.vcpu % cpuCount;
        if (c.on) {
          machine.powerOn(i);
          if (power[i] === 'off') power[i] = 'running';
        } else {
          machine.powerOff(i);
          power[i] = 'off';
        }
      } else if (c.kind === 'run') {
        const r = machine.run({ maxInstructions: 8 });
        if (power.includes('running')) {
          expect(r.reason).toBe('maxInstructions');
          kvm.hasRun = true;
        } else expect(r.reason).toBe('halted');
      } else {
        const running = power.flatMap((p, i) => (p === 'running' ? [i] : []));
        if (running.length === 0) continue;
        const caller = running[c.pick % running.length]!;
        const cpu = cpus[caller]!;
        const x = [(c.hi ? 0xabcd_0000_0000_0000n : 0n) | BigInt(c.fid), c.a1, c.a2, c.a3];
        label = `vCPU ${caller} 0x${c.fid.toString(16)}(${c.a1}, ${c.a2}, ${c.a3}) over ${c.conduit}`;
        // The models' prediction.
        kvm.hasRun = true;
        const gate = modelGate(kvm, c.fid, c.conduit);
        let want: PsciOutcome | { readonly forwarded: true };
        if (gate === 'fast-path') want = { regs: [0n, 0n, x[2]!, x[3]!] };
        else if (gate === 'deny') want = { regs: [ONES, 0n, 0n, 0n] };
        else if (gate === 'forward') want = { forwarded: true };
        else if (isPsci(c.fid))
          want = psciModel(
            { version: Number(kvm.regs.get(KVM_REG_ARM_PSCI_VERSION)), suspendCap: cap, power },
            caller,
            x,
          );
        else want = { regs: serviceModel(kvm, c.fid, c.a1) };
        // The implementation.
        const r = guestCall(machine, cpu, x, c.conduit);
        const regs = Array.from({ length: 18 }, (_, i) => cpu.getReg(i));
        expect(regs.slice(4), `${label}: X4..X17`).toEqual(Array.from({ length: 14 }, (_, i) => junk(i + 4)));
        if ('forwarded' in want) {
          expect(r, label).toEqual({
            reason: 'hypercall',
            call: { cpu: caller, conduit: c.conduit, imm: 0, nr: c.fid },
          });
          expect(regs.slice(0, 4), label).toEqual(x);
        } else {
          expect(regs.slice(0, 4), label).toEqual(want.regs);
          if (want.event) expect(r, label).toMatchObject({ reason: 'systemEvent', event: want.event });
          else expect(r.reason, label).toBe('maxInstructions');
        }
      }
      // The whole state, after every step.
      expect(
        cpus.map((_, i) => machine.powerState(i)),
        label,
      ).toEqual(power);
      expect(machine.hasRun, label).toBe(kvm.hasRun);
      for (const [id, value] of kvm.regs) expect(fw.smccc.fwRegs.get(id), `${label}: 0x${id.toString(16)}`).toBe(value);
      expect(BigInt(fw.psci.version)).toBe(kvm.regs.get(KVM_REG_ARM_PSCI_VERSION));
      expect(fw.psci.systemSuspendEnabled).toBe(cap);
      expect(fw.smccc.filter.ranges().filter((f) => !f.reserved)).toEqual(
        [...kvm.ranges]
          .sort((a, b) => a.base - b.base)
          .map((f) => ({ ...f, action: ['HANDLE', 'DENY', 'FWD_TO_USER'][f.action], reserved: false })),
      );
    }
  },
);
