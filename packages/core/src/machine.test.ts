import { describe, expect, it } from 'vitest';
import { pa, va } from './addr.js';
import type { Exit } from './exit.js';
import { Machine } from './machine.js';
import { CoreReg } from './regs.js';
import { type FakeCpu, fakeCpuFactory } from './testing/fake-cpu.js';

function machineWith(scripts: Exit[][], step = 10) {
  const { factory, cpus } = fakeCpuFactory(scripts);
  const m = new Machine({
    cpuCount: scripts.length,
    cpuFactory: (cfg) => {
      const c = factory(cfg) as FakeCpu;
      c.step = step;
      return c;
    },
  });
  m.mem.addRam(0x4000_0000, 0x10000);
  return { m, cpus };
}

describe('Machine run loop', () => {
  it('stops exactly at maxInstructions and counts exits', () => {
    const { m, cpus } = machineWith([[]]);
    expect(m.run({ maxInstructions: 250_000, quantum: 100_000 })).toEqual({ reason: 'maxInstructions' });
    expect(cpus[0]!.budgets).toEqual([100_000, 100_000, 50_000]);
    expect(m.stats.retired).toBe(250_000);
    expect(m.stats.exits.budget).toBe(3);
  });

  it('routes hvc to the registered handler, which can end the run with a system event', () => {
    const { m } = machineWith([[{ kind: 'hvc', imm: 0 }]]);
    const events: string[] = [];
    m.events.on('systemEvent', (e) => events.push(e.type));
    m.onExit('hvc', (cpu, exit, machine) => {
      expect(exit.imm).toBe(0);
      machine.requestStop({ type: 'shutdown', reason: 'test', cpu: cpu.index });
    });
    const r = m.run({ maxInstructions: 1e6 });
    expect(r).toEqual({ reason: 'systemEvent', event: { type: 'shutdown', reason: 'test', cpu: 0 } });
    expect(events).toEqual(['shutdown']);
  });

  it('injects UNDEF for an HVC nobody handles, as KVM does with no firmware', () => {
    const { m, cpus } = machineWith([[{ kind: 'hvc', imm: 7 }]]);
    const unhandled: string[] = [];
    m.events.on('unhandled', (_c, what) => unhandled.push(what));
    cpus[0]!.regs.set(CoreReg.PC, 0x4008_0004n); // PC after the HVC
    m.run({ maxInstructions: 100 });
    expect(cpus[0]!.injected).toEqual([{ kind: 'undef' }]);
    expect(cpus[0]!.regs.get(CoreReg.PC)).toBe(0x4008_0000n); // ELR will be the HVC itself
    expect(unhandled).toEqual(['HVC #7 with no firmware']);
  });

  it('dispatches MMIO exits to the bus and completes reads into the CPU', () => {
    const writes: [number, number, bigint][] = [];
    const { m, cpus } = machineWith([
      [
        {
          kind: 'mmio',
          pa: pa(0x0900_0000),
          va: va(0x0900_0000),
          size: 4,
          isWrite: true,
          data: 0x41n,
          rt: 1,
          signExtend: false,
          sf: false,
        },
        {
          kind: 'mmio',
          pa: pa(0x0900_0018),
          va: va(0x0900_0018),
          size: 4,
          isWrite: false,
          data: 0n,
          rt: 2,
          signExtend: false,
          sf: false,
        },
        {
          kind: 'mmio',
          pa: pa(0x0a00_0000),
          va: va(0xffff_0000n),
          size: 1,
          isWrite: false,
          data: 0n,
          rt: 2,
          signExtend: false,
          sf: false,
        },
      ],
    ]);
    m.mem.mmio.map(0x0900_0000, 0x1000, {
      name: 'uart',
      read: (off) => (off === 0x18 ? 0x90n : 0n),
      write: (off, size, v) => writes.push([off, size, v]),
    });
    m.run({ maxInstructions: 100 });
    expect(writes).toEqual([[0, 4, 0x41n]]);
    expect(cpus[0]!.calls).toEqual([
      { op: 'skipInstruction' },
      { op: 'completeMmioRead', value: 0x90n },
      { op: 'injectException', e: { kind: 'dataAbort', va: 0xffff_0000n, write: false } },
    ]);
  });

  it('emulates registered system registers and UNDEFs unknown ones', () => {
    const { m, cpus } = machineWith([
      [
        { kind: 'sysreg', reg: 0xc630, isRead: true, rt: 3, value: 0n, esr: 0n },
        { kind: 'sysreg', reg: 0xc630, isRead: false, rt: 3, value: 5n, esr: 0n },
        { kind: 'sysreg', reg: 0x1234, isRead: true, rt: 3, value: 0n, esr: 0n },
        { kind: 'sysreg', reg: 0xc640, isRead: true, rt: 3, value: 0n, esr: 0n },
        { kind: 'sysreg', reg: 0xc648, isRead: false, rt: 3, value: 1n, esr: 0n },
      ],
    ]);
    let stored = 0n;
    m.handleSysReg(0xc630, { read: () => 42n, write: (_c, v) => void (stored = v) });
    m.handleSysReg(0xc640, { read: () => undefined, write: () => true }); // write-only
    m.handleSysReg(0xc648, { read: () => 0n, write: () => false }); // read-only
    m.run({ maxInstructions: 100 });
    expect(stored).toBe(5n);
    expect(cpus[0]!.calls).toEqual([
      { op: 'completeSysRegRead', value: 42n },
      { op: 'skipInstruction' },
      { op: 'injectException', e: { kind: 'undef' } },
      { op: 'injectException', e: { kind: 'undef' } },
      { op: 'injectException', e: { kind: 'undef' } },
    ]);
  });

  it('cuts slices at timer deadlines, and warps idle CPUs to the next deadline', () => {
    const { m, cpus } = machineWith([[{ kind: 'wfi' }]]);
    const cpu = cpus[0]!;
    cpu.deadline = 1000;
    m.setInterruptPlatform({ syncCpu: (c) => c.setInterruptLine('irq', c.timerOutputs().virt) });
    m.run({ maxInstructions: 2000 });
    // 10 instructions, WFI with nothing pending -> waiting; warp 990 to the deadline; wake; run on.
    expect(cpu.warped).toBe(990);
    expect(cpu.retired).toBe(2000);
    expect(cpu.budgets[0]).toBe(1000);
  });

  it('waitForInterrupt parks a running CPU until an interrupt is pending', () => {
    const { m, cpus } = machineWith([[], []]);
    m.powerOn(1);
    m.waitForInterrupt(1);
    expect(m.powerState(1)).toBe('waiting');
    m.run({ maxInstructions: 100 });
    expect(cpus[1]!.retired).toBe(0);
    cpus[1]!.irqLine = true;
    m.run({ maxInstructions: 200_000 });
    expect(m.powerState(1)).toBe('running');
    expect(cpus[1]!.retired).toBeGreaterThan(0);
  });

  it('halts when every CPU waits for an interrupt that cannot come', () => {
    const { m } = machineWith([[{ kind: 'wfi' }]]);
    expect(m.run()).toEqual({ reason: 'halted', detail: 'every CPU waits for an interrupt that can never arrive' });
  });

  it('runs secondaries only once powered on, catching their clocks up to now', () => {
    const { m, cpus } = machineWith([[], []]);
    const slices: [number, number, number][] = [];
    m.events.on('slice', (c, s, e) => slices.push([c, s, e]));
    expect(m.hasRun).toBe(false);
    m.run({ maxInstructions: 300, quantum: 100 });
    expect(m.hasRun).toBe(true);
    expect(slices).toEqual([
      [0, 0, 100],
      [0, 100, 200],
      [0, 200, 300],
    ]);
    expect(cpus[1]!.retired).toBe(0);
    m.powerOn(1);
    expect(cpus[1]!.time).toBe(300);
    m.run({ maxInstructions: 200, quantum: 100 });
    expect(cpus[0]!.retired + cpus[1]!.retired).toBe(500);
    expect(m.powerState(1)).toBe('running');
  });

  it('returns breakpoint and unhandledExit results without throwing', () => {
    const { m } = machineWith([[{ kind: 'breakpoint', pc: va(0x4008_0000) }]]);
    expect(m.run()).toEqual({ reason: 'breakpoint', cpu: 0, pc: 0x4008_0000n });
    const fault: Exit = { kind: 'gpf', pa: pa(0x1000), access: 'read', level: 0 };
    const { m: m2 } = machineWith([[fault]]);
    expect(m2.run()).toEqual({ reason: 'unhandledExit', cpu: 0, exit: fault });
  });

  it('a handler can forward a call to the VMM, which resumes with another run()', () => {
    const { m, cpus } = machineWith([[{ kind: 'hvc', imm: 0 }]]);
    m.onExit('hvc', (cpu, exit, machine) =>
      machine.requestHypercallExit({ cpu: cpu.index, conduit: 'hvc', imm: exit.imm, nr: 0x8600_0000 }),
    );
    expect(m.run({ maxInstructions: 1000 })).toEqual({
      reason: 'hypercall',
      call: { cpu: 0, conduit: 'hvc', imm: 0, nr: 0x8600_0000 },
    });
    expect(cpus[0]!.retired).toBe(10);
    expect(m.run({ maxInstructions: 100 })).toEqual({ reason: 'maxInstructions' });
  });

  it('per-slice events reach listeners added or removed between runs', () => {
    const { m } = machineWith([[{ kind: 'wfe' }, { kind: 'wfe' }, { kind: 'wfe' }]]);
    m.run({ maxInstructions: 10 });
    const seen: string[] = [];
    const onExit = (_c: number, e: Exit) => seen.push(e.kind);
    m.events.on('exit', onExit);
    m.run({ maxInstructions: 10 });
    m.events.off('exit', onExit);
    m.run({ maxInstructions: 10 });
    expect(seen).toEqual(['wfe']);
  });

  it('stop() ends runAsync at the next step', async () => {
    const { m } = machineWith([[]]);
    setTimeout(() => m.stop(), 5);
    expect(await m.runAsync({ sliceMs: 1 })).toEqual({ reason: 'stopped' });
  });
});
