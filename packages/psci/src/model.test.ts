/**
 * Property: random sequences of PSCI calls from random running vCPUs, at a random PSCI version
 * with or without SYSTEM_SUSPEND, checked after every call against a small executable model of
 * KVM's rules (testing/psci-model.ts, written from reference/psci-smccc.md 3.2 independently of
 * vpsci.ts):
 * the caller's X0..X3, every vCPU's power state (off / running / waiting) and the system events.
 */
import { fc, test } from '@fast-check/vitest';
import { Machine, type SystemEvent } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { SmcccDispatcher } from '@hvlab/smccc';
import { expect } from 'vitest';
import {
  PSCI_MODEL_FIDS,
  PSCI_MODEL_VERSIONS,
  type PsciModelState,
  psciModel,
  psciModelArg,
} from './testing/psci-model.js';
import { VPsci } from './vpsci.js';

const step = fc.record({
  pick: fc.nat(),
  fid: fc.constantFrom(...PSCI_MODEL_FIDS),
  hi: fc.boolean(),
  a1: psciModelArg,
  a2: psciModelArg,
  a3: psciModelArg,
});

test.prop(
  [
    fc.integer({ min: 1, max: 4 }),
    fc.constantFrom(...PSCI_MODEL_VERSIONS),
    fc.boolean(),
    fc.array(step, { minLength: 1, maxLength: 40 }),
  ],
  { numRuns: 300 },
)('random PSCI call sequences follow the model after every call', (cpuCount, version, suspendCap, steps) => {
  const { factory, cpus } = fakeCpuFactory();
  const machine = new Machine({ cpuCount, cpuFactory: factory });
  const psci = new VPsci(machine, { psci02: version !== 0x1, version, systemSuspend: suspendCap });
  const smccc = new SmcccDispatcher();
  smccc.register(psci.service());
  const events: SystemEvent[] = [];
  machine.events.on('systemEvent', (e) => events.push(e));
  const state: PsciModelState = { version, suspendCap, power: cpus.map((_, i) => (i === 0 ? 'running' : 'off')) };

  for (const s of steps) {
    const running = state.power.flatMap((p, i) => (p === 'running' ? [i] : []));
    if (running.length === 0) break; // nobody left to make a call
    const caller = running[s.pick % running.length]!;
    const x0 = (s.hi ? 0xabcd_0000_0000_0000n : 0n) | BigInt(s.fid);
    const x = [x0, s.a1, s.a2, s.a3];
    x.forEach((v, i) => {
      cpus[caller]!.regs.set(i, v);
    });
    const want = psciModel(state, caller, x);
    const before = events.length;
    smccc.dispatch(cpus[caller]!, 'hvc', 0);
    const label = `CPU ${caller} 0x${s.fid.toString(16)}(${s.a1}, ${s.a2}, ${s.a3}) at 0x${version.toString(16)}`;
    expect(
      [0, 1, 2, 3].map((i) => cpus[caller]!.getReg(i)),
      label,
    ).toEqual(want.regs);
    expect(
      cpus.map((_, i) => machine.powerState(i)),
      label,
    ).toEqual(state.power);
    expect(
      events.slice(before).map((e) => ({ type: e.type, data: e.data })),
      label,
    ).toEqual(want.event ? [want.event] : []);
    if (want.event) machine.run({ maxInstructions: 1 }); // the VMM sees the exit; the run is over
  }
});
