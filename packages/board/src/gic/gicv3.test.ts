import { HvlabError, PhysMem, SysReg } from '@hvlab/core';
import { FakeCpu } from '@hvlab/core/testing';
import { describe, expect, it } from 'vitest';
import { gicHarness } from '../testing/gic-harness.js';
import { GicV3 } from './gicv3.js';
import { GICD_ISENABLER, GICR_ICFGR1, GICR_ISENABLER0 } from './regs.js';

const R = SysReg;
const UART = 33;

function ready(n = 1) {
  const h = gicHarness(n);
  h.enableAll();
  for (let c = 0; c < n; c++) h.ws(c, GICR_ISENABLER0, 0xffff_ffff);
  h.wd(GICD_ISENABLER + 4, 0xffff_ffff);
  return h;
}

describe('timer PPIs through syncCpu', () => {
  it('the virtual timer output makes INTID 27 pending and raises IRQ', () => {
    const h = ready();
    h.cpus[0]!.timer.virt = true;
    h.gic.syncCpu(h.cpus[0]!);
    expect(h.gic.isPending(0, 27)).toBe(true);
    expect(h.cpus[0]!.irqLine).toBe(true);
  });

  it('the physical timer output drives INTID 30', () => {
    const h = ready();
    h.cpus[0]!.timer.phys = true;
    h.gic.syncCpu(h.cpus[0]!);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(30n);
  });

  it('is level-sensitive: still pending after EOI while the output stays high', () => {
    const h = ready();
    h.cpus[0]!.timer.virt = true;
    h.gic.syncCpu(h.cpus[0]!);
    h.mrs(0, R.ICC_IAR1_EL1);
    expect(h.gic.isPending(0, 27)).toBe(true); // active and pending
    h.msr(0, R.ICC_EOIR1_EL1, 27);
    expect(h.cpus[0]!.irqLine).toBe(true);
    h.cpus[0]!.timer.virt = false;
    h.gic.syncCpu(h.cpus[0]!);
    expect(h.gic.isPending(0, 27)).toBe(false);
    expect(h.cpus[0]!.irqLine).toBe(false);
  });

  it('latches once per rising edge when the guest configures the PPI edge-triggered', () => {
    const h = ready();
    h.ws(0, GICR_ICFGR1, 2 << (2 * (27 - 16)));
    h.cpus[0]!.timer.virt = true;
    h.gic.syncCpu(h.cpus[0]!);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(27n);
    h.msr(0, R.ICC_EOIR1_EL1, 27);
    expect(h.gic.isPending(0, 27)).toBe(false);
  });

  it('feeds each CPU its own timer', () => {
    const h = ready(2);
    h.cpus[1]!.timer.virt = true;
    h.gic.syncCpu(h.cpus[0]!);
    h.gic.syncCpu(h.cpus[1]!);
    expect([h.cpus[0]!.irqLine, h.cpus[1]!.irqLine]).toEqual([false, true]);
  });

  it('re-drives both lines on every sync', () => {
    const h = ready();
    const before = h.cpus[0]!.calls.length;
    h.gic.syncCpu(h.cpus[0]!);
    expect(h.cpus[0]!.calls.slice(before)).toEqual([
      { op: 'setInterruptLine', line: 'irq', level: false },
      { op: 'setInterruptLine', line: 'fiq', level: false },
    ]);
  });

  it('rejects a CPU it is not wired to', () => {
    const h = ready();
    expect(() => h.gic.syncCpu(new FakeCpu({ index: 0, mem: new PhysMem() }))).toThrow(HvlabError);
  });
});

describe('SPIs from devices', () => {
  it('spiLine drives a level-sensitive SPI', () => {
    const h = ready();
    const line = h.gic.spiLine(UART);
    line.set(true);
    expect(h.cpus[0]!.irqLine).toBe(true);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(33n);
    line.set(false);
    h.msr(0, R.ICC_EOIR1_EL1, 33);
    expect(h.cpus[0]!.irqLine).toBe(false);
  });

  it('a level SPI acknowledged while high is pending again after EOI', () => {
    const h = ready();
    h.gic.setSpi(UART, true);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_EOIR1_EL1, 33);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(33n);
  });

  it('an SPI routed to no CPU is never signalled', () => {
    const h = ready(2);
    h.wd(0x6000 + 8 * UART, 5n, 8);
    h.gic.setSpi(UART, true);
    expect(h.cpus.map((c) => c.irqLine)).toEqual([false, false]);
  });

  it('rerouting a pending SPI moves the signal to the new CPU', () => {
    const h = ready(2);
    h.gic.setSpi(UART, true);
    expect(h.cpus[0]!.irqLine).toBe(true);
    h.wd(0x6000 + 8 * UART, 1n, 8);
    expect([h.cpus[0]!.irqLine, h.cpus[1]!.irqLine]).toEqual([false, true]);
  });

  it('rejects INTIDs that are not SPIs or PPIs', () => {
    const h = ready();
    expect(() => h.gic.setSpi(31, true)).toThrow(HvlabError);
    expect(() => h.gic.setSpi(256, true)).toThrow(HvlabError);
    expect(() => h.gic.spiLine(1000)).toThrow(HvlabError);
    expect(() => h.gic.setPpi(0, 15, true)).toThrow(HvlabError);
    expect(() => h.gic.setPpi(3, 20, true)).toThrow(HvlabError);
  });
});

describe('construction', () => {
  it('rejects bad SPI counts, no CPUs, and CPUs sharing an MPIDR', () => {
    const mem = new PhysMem();
    const cpus = [new FakeCpu({ index: 0, mem }), new FakeCpu({ index: 1, mem })];
    expect(() => new GicV3({ cpus, numSpis: 33 })).toThrow(HvlabError);
    expect(() => new GicV3({ cpus: [] })).toThrow(HvlabError);
    expect(() => new GicV3({ cpus, mpidr: () => 0n })).toThrow(/share an MPIDR/);
  });
});

describe('snapshot / restore', () => {
  it('round-trips the whole state and re-drives the lines', () => {
    const a = ready(2);
    a.msr(1, R.ICC_BPR1_EL1, 5);
    a.wd(0x6000 + 8 * UART, 1n, 8);
    a.gic.setSpi(UART, true);
    a.msr(0, R.ICC_SGI1R_EL1, (3n << 24n) | 1n);
    a.mrs(0, R.ICC_IAR1_EL1);
    const s = a.gic.snapshot();
    const b = gicHarness(2);
    b.gic.restore(structuredClone(s));
    expect(b.gic.snapshot()).toEqual(s);
    expect(b.cpus[1]!.irqLine).toBe(true);
    expect(b.mrs(0, R.ICC_RPR_EL1)).toBe(0n);
    expect(b.mrs(1, R.ICC_IAR1_EL1)).toBe(33n);
  });

  it('rejects a snapshot of another shape or with bad values, leaving the GIC unchanged', () => {
    const h = ready(2);
    const s = h.gic.snapshot();
    const other = gicHarness(1).gic.snapshot();
    expect(() => h.gic.restore(other)).toThrow(/CPUs/);
    expect(() => h.gic.restore({ ...s, ctlr: 0x10 })).toThrow(/ctlr/);
    const badCpu = { ...s.cpus[0]!, pmr: 0x01 };
    expect(() => h.gic.restore({ ...s, cpus: [badCpu, s.cpus[1]!] })).toThrow(/pmr/);
    expect(() => h.gic.restore({ ...s, spi: { ...s.spi, prio: [1] } })).toThrow(/prio/);
    // GICD_IROUTER keeps affinity bits only: IRM (bit 31) and bits 30:24 can never be read back.
    for (const bad of [2 ** 31, 0x0100_0000, 2 ** 40, -1, 0.5]) {
      const router = [...s.spi.router];
      router[40] = bad;
      expect(() => h.gic.restore({ ...s, spi: { ...s.spi, router } }), String(bad)).toThrow(/router/);
    }
    expect(h.gic.snapshot()).toEqual(s);
  });
});
