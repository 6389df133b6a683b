/**
 * Hypercalls completed inside run() (Cpu.onHypercall) behave exactly like hvc exits: same
 * registers, same instruction counts, same order of events; only run() does not return.
 */
import { CoreReg, Machine, PSTATE } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { createInterpCpu } from './index.js';

const RAM = 0x4000_0000;
// loop: hvc #0 ; add x1, x1, #1 ; cmp x1, #5 ; b.ne loop ; hvc #1 ; b .
const CODE = [0xd4000002, 0x91000421, 0xf100143f, 0x54ffffa1, 0xd4000022, 0x14000000];

function machine(observeExits: boolean) {
  const m = new Machine({ cpuFactory: createInterpCpu });
  m.mem.addRam(RAM, 0x10000);
  for (const [i, w] of CODE.entries()) m.mem.writeU32(RAM + 4 * i, w);
  const cpu = m.cpus[0]!;
  cpu.setReg(CoreReg.PC, BigInt(RAM));
  cpu.setReg(CoreReg.PSTATE, BigInt(PSTATE.M_EL1h | PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F));
  const calls: [number, bigint, number][] = [];
  m.onExit('hvc', (c, exit, mm) => {
    calls.push([exit.imm, c.getReg(CoreReg.PC), c.retired]);
    c.setReg(CoreReg.X0, c.getReg(CoreReg.X0) + 10n);
    if (exit.imm === 1) mm.requestStop({ type: 'shutdown', reason: 'test', cpu: c.index });
  });
  const exits: string[] = [];
  if (observeExits) m.events.on('exit', (_c, e) => exits.push(e.kind));
  return { m, cpu, calls, exits };
}

describe('hypercalls completed inside run()', () => {
  it('give the handler the same state, counts and results as hvc exits', () => {
    const inline = machine(false);
    const viaExit = machine(true);
    const r1 = inline.m.run({ maxInstructions: 1000 });
    const r2 = viaExit.m.run({ maxInstructions: 1000 });
    expect(r1).toEqual(r2);
    expect(inline.calls).toEqual(viaExit.calls);
    expect(inline.calls.map((c) => c[0])).toEqual([0, 0, 0, 0, 0, 1]);
    expect(inline.cpu.getReg(CoreReg.X0)).toBe(60n);
    expect(inline.cpu.retired).toBe(viaExit.cpu.retired);
    expect(inline.m.stats.exits).toEqual(viaExit.m.stats.exits);
    expect(inline.m.stats.exits.hvc).toBe(6);
    expect(viaExit.exits.filter((k) => k === 'hvc')).toHaveLength(6);
  });

  it('are not inlined while someone observes every exit', () => {
    const observed = machine(true);
    observed.m.run({ maxInstructions: 1000 });
    expect(observed.cpu.onHypercall).toBeUndefined();
    const inline = machine(false);
    inline.m.run({ maxInstructions: 1000 });
    expect(inline.cpu.onHypercall).toBeTypeOf('function');
  });
});

describe('maxInstructions', () => {
  it('ends a run whose CPU loops taking exceptions without retiring anything', () => {
    // UDF at the entry, VBAR_EL1 = 0 (nothing there): every vector fetch aborts again.
    const m = new Machine({ cpuFactory: createInterpCpu });
    m.mem.addRam(RAM, 0x10000);
    m.mem.writeU32(RAM, 0);
    const cpu = m.cpus[0]!;
    cpu.setReg(CoreReg.PC, BigInt(RAM));
    cpu.setReg(CoreReg.PSTATE, BigInt(PSTATE.M_EL1h | PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F));
    expect(m.run({ maxInstructions: 250_000 })).toEqual({ reason: 'maxInstructions' });
    expect(cpu.retired).toBe(0);
  });
});
