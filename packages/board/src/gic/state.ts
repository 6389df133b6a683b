/**
 * The GICv3 model's snapshot: plain data (safe to structuredClone or JSON-encode), and the
 * checks restore() makes before it changes anything, so a malformed or foreign snapshot is
 * refused with EINVAL and leaves the GIC as it was. Derived state (each CPU's highest priority
 * pending interrupt and its IRQ/FIQ lines) is not stored: restore() recomputes it.
 */
import { HvlabError } from '@hvlab/core';
import {
  GICD_CTLR_EnableGrp0,
  GICD_CTLR_EnableGrp1,
  GICR_WAKER_ChildrenAsleep,
  GICR_WAKER_ProcessorSleep,
  ICC_CTLR_EL1_CBPR,
  ICC_CTLR_EL1_EOImode,
} from './regs.js';

/** Implemented priority bits (QEMU cortex-a57: gic_pribits = 5). */
export const GIC_PRIORITY_BITS = 5;
/** Mask of implemented bits in ICC_PMR_EL1 and group priorities. */
export const GIC_PRIORITY_MASK = (0xff << (8 - GIC_PRIORITY_BITS)) & 0xff;
/** Smallest ICC_BPR0_EL1 value: 7 - preemption bits (IHI 0069 12.2.2). */
export const GIC_MIN_BPR0 = 7 - GIC_PRIORITY_BITS;
/** Smallest ICC_BPR1_EL1 value: minimum BPR0 + 1 (IHI 0069 12.2.3). */
export const GIC_MIN_BPR1 = GIC_MIN_BPR0 + 1;

/** Plain-data snapshot of the whole GIC. */
export interface GicV3State {
  readonly ctlr: number;
  readonly spi: {
    readonly group: readonly number[];
    readonly enable: readonly number[];
    readonly pend: readonly number[];
    readonly active: readonly number[];
    readonly edge: readonly number[];
    readonly level: readonly number[];
    readonly prio: readonly number[];
    readonly router: readonly number[];
  };
  readonly cpus: readonly {
    readonly group: number;
    readonly enable: number;
    readonly pend: number;
    readonly active: number;
    readonly edge: number;
    readonly level: number;
    readonly prio: readonly number[];
    readonly waker: number;
    readonly pmr: number;
    readonly bpr0: number;
    readonly bpr1: number;
    readonly ctlr: number;
    readonly igrpen0: number;
    readonly igrpen1: number;
    readonly ap0: number;
    readonly ap1: number;
  }[];
}

export function validateGicState(s: GicV3State, numIntids: number, numCpus: number): void {
  const fail = (what: string): never => {
    throw new HvlabError('EINVAL', `GICv3 state: ${what}`);
  };
  const u32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
  const u8s = (a: unknown, n: number) =>
    Array.isArray(a) && a.length === n && a.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xff);
  const words = numIntids / 32;
  if (!s || typeof s !== 'object' || !s.spi || !Array.isArray(s.cpus)) fail('not a GICv3 snapshot');
  if (!u32(s.ctlr) || (s.ctlr & ~(GICD_CTLR_EnableGrp0 | GICD_CTLR_EnableGrp1)) !== 0) fail('ctlr');
  for (const k of ['group', 'enable', 'pend', 'active', 'edge', 'level'] as const) {
    const a = s.spi[k];
    if (!Array.isArray(a) || a.length !== words || !a.every(u32)) fail(`spi.${k}`);
  }
  if (!u8s(s.spi.prio, numIntids)) fail('spi.prio');
  // GICD_IROUTER holds affinity only (Aff3 39:32, Aff2..Aff0 23:0): IRM is RAZ/WI (No1N = 1).
  const affinity = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 40 && Math.floor(v / 2 ** 24) % 256 === 0;
  const r = s.spi.router;
  if (!Array.isArray(r) || r.length !== numIntids || !r.every(affinity)) fail('spi.router');
  if (s.cpus.length !== numCpus) fail(`${s.cpus.length} CPUs, this GIC has ${numCpus}`);
  s.cpus.forEach((c, i) => {
    for (const k of ['group', 'enable', 'pend', 'active', 'edge', 'level', 'ap0', 'ap1'] as const)
      if (!u32(c[k])) fail(`cpus[${i}].${k}`);
    if (!u8s(c.prio, 32)) fail(`cpus[${i}].prio`);
    if ((c.edge & 0xffff) !== 0xffff) fail(`cpus[${i}].edge: SGIs are edge-triggered`);
    if (!u32(c.pmr) || (c.pmr & ~GIC_PRIORITY_MASK) !== 0) fail(`cpus[${i}].pmr`);
    if (!Number.isInteger(c.bpr0) || c.bpr0 < GIC_MIN_BPR0 || c.bpr0 > 7) fail(`cpus[${i}].bpr0`);
    if (!Number.isInteger(c.bpr1) || c.bpr1 < GIC_MIN_BPR1 || c.bpr1 > 7) fail(`cpus[${i}].bpr1`);
    if (!u32(c.ctlr) || (c.ctlr & ~(ICC_CTLR_EL1_CBPR | ICC_CTLR_EL1_EOImode)) !== 0) fail(`cpus[${i}].ctlr`);
    if ((c.igrpen0 !== 0 && c.igrpen0 !== 1) || (c.igrpen1 !== 0 && c.igrpen1 !== 1)) fail(`cpus[${i}].igrpen`);
    if (c.waker !== 0 && c.waker !== (GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep)) fail(`cpus[${i}].waker`);
  });
}
