import { Machine, PhysMem, SysReg } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import { describe, expect, it } from 'vitest';
import { gicHarness } from '../testing/gic-harness.js';
import { iccHandlers, registerIccHandlers } from './cpu-interface.js';
import { GicV3 } from './gicv3.js';
import { GICD_IPRIORITYR, GICD_ISENABLER, GICR_IPRIORITYR, GICR_ISENABLER0, GICR_ISPENDR0 } from './regs.js';

const R = SysReg;

/** A harness with everything enabled and SGIs 0-15 enabled on every CPU. */
function ready(n = 2) {
  const h = gicHarness(n);
  h.enableAll();
  for (let c = 0; c < n; c++) h.ws(c, GICR_ISENABLER0, 0xffff);
  return h;
}
const pend = (h: ReturnType<typeof ready>, cpu: number, intid: number) => h.ws(cpu, GICR_ISPENDR0, 1 << intid);
const prio = (h: ReturnType<typeof ready>, cpu: number, intid: number, p: number) =>
  h.ws(cpu, GICR_IPRIORITYR + intid, p, 1);

describe('ICC_SRE_EL1', () => {
  it('reads SRE | DFB | DIB and ignores writes', () => {
    const h = gicHarness();
    h.msr(0, R.ICC_SRE_EL1, 0);
    expect(h.mrs(0, R.ICC_SRE_EL1)).toBe(7n);
  });
});

describe('ICC_CTLR_EL1', () => {
  it('resets to A3V, IDbits = 1, PRIbits = 4 (0x8C00, as QEMU 7.2 reads it)', () => {
    expect(gicHarness().mrs(0, R.ICC_CTLR_EL1)).toBe(0x8c00n);
  });

  it('keeps CBPR and EOImode, ignores the read-only fields', () => {
    const h = gicHarness();
    h.msr(0, R.ICC_CTLR_EL1, 0xffff_ffff);
    expect(h.mrs(0, R.ICC_CTLR_EL1)).toBe(0x8c03n);
  });
});

describe('ICC_PMR_EL1', () => {
  it('resets to 0 (everything masked) and implements the top 5 bits', () => {
    const h = gicHarness();
    expect(h.mrs(0, R.ICC_PMR_EL1)).toBe(0n);
    h.msr(0, R.ICC_PMR_EL1, 0xff);
    expect(h.mrs(0, R.ICC_PMR_EL1)).toBe(0xf8n);
  });

  it('masks interrupts whose priority is not below it', () => {
    const h = ready();
    prio(h, 0, 3, 0x80);
    pend(h, 0, 3);
    h.msr(0, R.ICC_PMR_EL1, 0x80);
    expect(h.cpus[0]!.irqLine).toBe(false);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
    h.msr(0, R.ICC_PMR_EL1, 0x88);
    expect(h.cpus[0]!.irqLine).toBe(true);
  });
});

describe('ICC_BPR0_EL1 / ICC_BPR1_EL1', () => {
  it('reset to their minimum values 2 and 3', () => {
    const h = gicHarness();
    expect([h.mrs(0, R.ICC_BPR0_EL1), h.mrs(0, R.ICC_BPR1_EL1)]).toEqual([2n, 3n]);
  });

  it('clamp writes below the minimum', () => {
    const h = gicHarness();
    h.msr(0, R.ICC_BPR0_EL1, 0);
    h.msr(0, R.ICC_BPR1_EL1, 1);
    expect([h.mrs(0, R.ICC_BPR0_EL1), h.mrs(0, R.ICC_BPR1_EL1)]).toEqual([2n, 3n]);
    h.msr(0, R.ICC_BPR1_EL1, 0xf);
    expect(h.mrs(0, R.ICC_BPR1_EL1)).toBe(7n);
  });

  it('with CBPR, BPR1 reads BPR0 + 1 and ignores writes', () => {
    const h = gicHarness();
    h.msr(0, R.ICC_BPR0_EL1, 4);
    h.msr(0, R.ICC_CTLR_EL1, 1);
    h.msr(0, R.ICC_BPR1_EL1, 7);
    expect(h.mrs(0, R.ICC_BPR1_EL1)).toBe(5n);
    h.msr(0, R.ICC_CTLR_EL1, 0);
    expect(h.mrs(0, R.ICC_BPR1_EL1)).toBe(3n);
  });
});

describe('ICC_IGRPEN0_EL1 / ICC_IGRPEN1_EL1', () => {
  it('hold one enable bit each', () => {
    const h = gicHarness();
    h.msr(0, R.ICC_IGRPEN1_EL1, 0xff);
    expect([h.mrs(0, R.ICC_IGRPEN0_EL1), h.mrs(0, R.ICC_IGRPEN1_EL1)]).toEqual([0n, 1n]);
  });

  it('gate signalling of their group', () => {
    const h = ready();
    pend(h, 0, 1);
    expect(h.cpus[0]!.irqLine).toBe(true);
    h.msr(0, R.ICC_IGRPEN1_EL1, 0);
    expect(h.cpus[0]!.irqLine).toBe(false);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
  });
});

describe('ICC_IAR1_EL1', () => {
  it('returns 1023 when nothing is pending', () => {
    expect(ready().mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
  });

  it('acknowledges the highest priority pending interrupt and makes it active', () => {
    const h = ready();
    prio(h, 0, 5, 0x40);
    prio(h, 0, 6, 0x20);
    pend(h, 0, 5);
    pend(h, 0, 6);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(6n);
    expect(h.rs(0, 0x300)).toBe(1n << 6n); // GICR_ISACTIVER0
    expect(h.rs(0, 0x200)).toBe(1n << 5n); // only 5 still pending
  });

  it('breaks priority ties by the lowest INTID', () => {
    const h = ready();
    pend(h, 0, 9);
    pend(h, 0, 4);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(4n);
  });

  it('returns 1023 for a Group 0 interrupt', () => {
    const h = ready();
    h.ws(0, 0x80, 0); // all Group 0
    pend(h, 0, 2);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
    expect(h.mrs(0, R.ICC_IAR0_EL1)).toBe(2n);
  });

  it('does not acknowledge a disabled interrupt', () => {
    const h = ready();
    h.ws(0, 0x180, 1 << 3); // GICR_ICENABLER0
    pend(h, 0, 3);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
  });

  it('does not acknowledge when the group is disabled in GICD_CTLR', () => {
    const h = ready();
    h.wd(0, 1); // only EnableGrp0
    pend(h, 0, 3);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
  });
});

describe('ICC_EOIR1_EL1 and ICC_DIR_EL1', () => {
  it('EOImode 0: drops priority and deactivates', () => {
    const h = ready();
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_EOIR1_EL1, 1);
    expect(h.rs(0, 0x300)).toBe(0n);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0xffn);
  });

  it('EOImode 1: drops priority only; ICC_DIR_EL1 deactivates', () => {
    const h = ready();
    h.msr(0, R.ICC_CTLR_EL1, 2);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_EOIR1_EL1, 1);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0xffn);
    expect(h.rs(0, 0x300)).toBe(2n);
    h.msr(0, R.ICC_DIR_EL1, 1);
    expect(h.rs(0, 0x300)).toBe(0n);
  });

  it('ignores ICC_DIR_EL1 with EOImode 0', () => {
    const h = ready();
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_DIR_EL1, 1);
    expect(h.rs(0, 0x300)).toBe(2n);
  });

  it('ignores an EOI for the other group and for special INTIDs', () => {
    const h = ready();
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_EOIR0_EL1, 1);
    h.msr(0, R.ICC_EOIR1_EL1, 1023);
    expect(h.rs(0, 0x300)).toBe(2n);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0n);
  });

  it('ICC_EOIR0_EL1 ends a Group 0 interrupt', () => {
    const h = ready();
    h.ws(0, 0x80, 0);
    pend(h, 0, 2);
    expect(h.mrs(0, R.ICC_IAR0_EL1)).toBe(2n);
    h.msr(0, R.ICC_EOIR0_EL1, 2);
    expect(h.rs(0, 0x300)).toBe(0n);
  });
});

describe('ICC_HPPIR0_EL1 / ICC_HPPIR1_EL1', () => {
  it('report the highest priority pending interrupt of their group without acknowledging it', () => {
    const h = ready();
    pend(h, 0, 7);
    expect(h.mrs(0, R.ICC_HPPIR1_EL1)).toBe(7n);
    expect(h.mrs(0, R.ICC_HPPIR0_EL1)).toBe(1023n);
    expect(h.rs(0, 0x300)).toBe(0n);
  });

  it('report 1023 when nothing is pending', () => {
    expect(ready().mrs(0, R.ICC_HPPIR1_EL1)).toBe(1023n);
  });
});

describe('ICC_RPR_EL1 and ICC_AP1R0_EL1', () => {
  it('RPR is 0xFF when idle and the active group priority otherwise', () => {
    const h = ready();
    prio(h, 0, 1, 0x45);
    pend(h, 0, 1);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0xffn);
    h.mrs(0, R.ICC_IAR1_EL1);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0x40n);
  });

  it('AP1R0 has one bit per active group priority', () => {
    const h = ready();
    prio(h, 0, 1, 0x40);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    expect(h.mrs(0, R.ICC_AP1R0_EL1)).toBe(1n << 8n);
    expect(h.mrs(0, R.ICC_AP0R0_EL1)).toBe(0n);
  });

  it('writing AP1R0 changes the running priority', () => {
    const h = ready();
    h.msr(0, R.ICC_AP1R0_EL1, 1 << 4);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0x20n);
    h.msr(0, R.ICC_AP0R0_EL1, 1 << 2);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0x10n);
  });
});

describe('preemption', () => {
  it('a higher priority interrupt preempts an active one', () => {
    const h = ready();
    prio(h, 0, 1, 0x80);
    prio(h, 0, 2, 0x40);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    pend(h, 0, 2);
    expect(h.cpus[0]!.irqLine).toBe(true);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(2n);
    expect(h.mrs(0, R.ICC_AP1R0_EL1)).toBe((1n << 16n) | (1n << 8n));
  });

  it('an equal or lower priority interrupt waits for the EOI', () => {
    const h = ready();
    prio(h, 0, 1, 0x40);
    prio(h, 0, 2, 0x40);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    pend(h, 0, 2);
    expect(h.cpus[0]!.irqLine).toBe(false);
    expect(h.mrs(0, R.ICC_IAR1_EL1)).toBe(1023n);
    h.msr(0, R.ICC_EOIR1_EL1, 1);
    expect(h.cpus[0]!.irqLine).toBe(true);
  });

  it('compares group priorities only, per BPR1', () => {
    const h = ready();
    h.msr(0, R.ICC_BPR1_EL1, 6); // group priority = bits [7:6]
    prio(h, 0, 1, 0x50);
    prio(h, 0, 2, 0x48);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    pend(h, 0, 2);
    expect(h.cpus[0]!.irqLine).toBe(false);
  });

  it('nested EOIs drop the most recent priority first', () => {
    const h = ready();
    prio(h, 0, 1, 0x80);
    prio(h, 0, 2, 0x40);
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    pend(h, 0, 2);
    h.mrs(0, R.ICC_IAR1_EL1);
    h.msr(0, R.ICC_EOIR1_EL1, 2);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0x80n);
    h.msr(0, R.ICC_EOIR1_EL1, 1);
    expect(h.mrs(0, R.ICC_RPR_EL1)).toBe(0xffn);
  });
});

describe('ICC_SGI1R_EL1 / ICC_SGI0R_EL1 / ICC_ASGI1R_EL1', () => {
  const sgi = (intid: number, targets: number, extra = 0n) => (BigInt(intid) << 24n) | BigInt(targets) | extra;

  it('sends an SGI to the CPUs in TargetList', () => {
    const h = ready(3);
    h.msr(0, R.ICC_SGI1R_EL1, sgi(5, 0b110));
    expect([0, 1, 2].map((c) => h.gic.isPending(c, 5))).toEqual([false, true, true]);
    expect(h.cpus[1]!.irqLine).toBe(true);
    expect(h.mrs(2, R.ICC_IAR1_EL1)).toBe(5n);
  });

  it('can target the sending CPU itself', () => {
    const h = ready(2);
    h.msr(1, R.ICC_SGI1R_EL1, sgi(0, 0b10));
    expect(h.gic.isPending(1, 0)).toBe(true);
  });

  it('with IRM = 1 sends to every CPU but the sender', () => {
    const h = ready(3);
    h.msr(1, R.ICC_SGI1R_EL1, sgi(15, 0, 1n << 40n));
    expect([0, 1, 2].map((c) => h.gic.isPending(c, 15))).toEqual([true, false, true]);
  });

  it('matches Aff1 (CPUs 16+ are in cluster 1)', () => {
    const h = ready(18);
    h.msr(0, R.ICC_SGI1R_EL1, sgi(3, 0b10, 1n << 16n));
    expect(h.gic.isPending(17, 3)).toBe(true);
    expect(h.gic.isPending(1, 3)).toBe(false);
  });

  it('is not accepted by a target whose SGI is in the other group', () => {
    const h = ready(2);
    h.ws(1, 0x80, 0); // CPU 1: everything Group 0
    h.msr(0, R.ICC_SGI1R_EL1, sgi(2, 0b10));
    expect(h.gic.isPending(1, 2)).toBe(false);
    h.msr(0, R.ICC_SGI0R_EL1, sgi(2, 0b10));
    expect(h.gic.isPending(1, 2)).toBe(true);
    expect(h.cpus[1]!.fiqLine).toBe(true);
  });

  it('ICC_ASGI1R_EL1 is accepted as Group 0 with DS = 1', () => {
    const h = ready(2);
    h.msr(0, R.ICC_ASGI1R_EL1, sgi(4, 0b10));
    expect(h.gic.isPending(1, 4)).toBe(false);
    h.ws(1, 0x80, 0);
    h.msr(0, R.ICC_ASGI1R_EL1, sgi(4, 0b10));
    expect(h.gic.isPending(1, 4)).toBe(true);
  });

  it('MRS of a write-only register and MSR to a read-only one are declined (UNDEFINED)', () => {
    const h = ready();
    for (const reg of [R.ICC_SGI1R_EL1, R.ICC_SGI0R_EL1, R.ICC_ASGI1R_EL1, R.ICC_EOIR1_EL1, R.ICC_DIR_EL1])
      expect(h.mrs(0, reg)).toBeUndefined();
    for (const reg of [R.ICC_IAR1_EL1, R.ICC_HPPIR1_EL1, R.ICC_RPR_EL1]) expect(h.msr(0, reg, 0)).toBe(false);
  });
});

describe('IRQ and FIQ lines', () => {
  it('Group 1 is signalled on IRQ, Group 0 on FIQ', () => {
    const h = ready();
    h.ws(0, 0x80, 0xffff_fffe); // SGI 0 in Group 0
    pend(h, 0, 0);
    expect([h.cpus[0]!.fiqLine, h.cpus[0]!.irqLine]).toEqual([true, false]);
    h.mrs(0, R.ICC_IAR0_EL1);
    pend(h, 0, 1);
    expect(h.cpus[0]!.irqLine).toBe(false); // same group priority as the active Group 0 SGI
    h.msr(0, R.ICC_EOIR0_EL1, 0);
    expect(h.cpus[0]!.irqLine).toBe(true);
  });

  it('drops the line when the interrupt is acknowledged', () => {
    const h = ready();
    pend(h, 0, 1);
    h.mrs(0, R.ICC_IAR1_EL1);
    expect(h.cpus[0]!.irqLine).toBe(false);
  });
});

describe('registration on a Machine', () => {
  it('registers every ICC handler, routed by CPU index', () => {
    const { factory, cpus } = fakeCpuFactory();
    const m = new Machine({ cpuFactory: factory, cpuCount: 2, mem: new PhysMem() });
    const gic = new GicV3({ cpus: m.cpus });
    registerIccHandlers(m, gic);
    expect(iccHandlers(gic).size).toBe(20);
    cpus[1]!.script.push({ kind: 'sysreg', reg: R.ICC_PMR_EL1, isRead: false, rt: 0, value: 0xf0n, esr: 0n });
    cpus[1]!.script.push({ kind: 'sysreg', reg: R.ICC_PMR_EL1, isRead: true, rt: 1, value: 0n, esr: 0n });
    m.powerOn(1);
    m.powerOff(0);
    m.run({ maxInstructions: 8 });
    expect(gic.cpuIf(1).pmr).toBe(0xf0);
    expect(cpus[1]!.calls).toContainEqual({ op: 'completeSysRegRead', value: 0xf0n });
  });
});

describe('distributor interplay', () => {
  it('an enabled SPI routed to CPU 1 raises only CPU 1 s line', () => {
    const h = ready(2);
    h.wd(GICD_ISENABLER + 4, 2);
    h.wd(GICD_IPRIORITYR + 33, 0x10, 1);
    h.wd(0x6000 + 8 * 33, 1n, 8);
    h.gic.setSpi(33, true);
    expect([h.cpus[0]!.irqLine, h.cpus[1]!.irqLine]).toEqual([false, true]);
    expect(h.mrs(1, R.ICC_IAR1_EL1)).toBe(33n);
  });
});
