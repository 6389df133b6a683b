/**
 * GICv3 interrupt controller model (Arm GIC architecture specification IHI 0069), as the virt
 * board needs it: one Distributor, one Redistributor per CPU, and the CPU interface as ICC_*
 * system registers. Behaviour follows QEMU 7.2's TCG model (qemu/qemu hw/intc/arm_gicv3*.c)
 * configured as on `-M virt,gic-version=3` without EL3: a single Security state
 * (GICD_CTLR.DS = 1), affinity routing always on (ARE RAO/WI), no LPIs, no ITS, no 1-of-N SPI
 * routing (GICD_TYPER.No1N = 1), 5 bits of priority and preemption (ICC_CTLR_EL1.PRIbits = 4,
 * as QEMU's cortex-a57), Group 0 signalled as FIQ and Group 1 as IRQ.
 *
 * Interrupt state machine (per INTID, per CPU for SGIs/PPIs; IHI 0069 4.1):
 *
 *   inactive ──pending──► pending ──ICC_IAR*──► active (or active+pending if the line is
 *      ▲                                            │     still high / another edge came)
 *      └────────── ICC_EOIR* (EOImode 0) or ICC_DIR ─┘
 *
 *   pending(i) = latch(i) | (level(i) & !edge(i)): an edge-triggered interrupt latches on a
 *   rising input, ISPENDR sets the latch, ICPENDR and acknowledge clear it; a level-sensitive
 *   interrupt is also pending while its input is high.
 *
 * Each CPU's highest priority pending interrupt (HPPI) is recomputed whenever any state that
 * can change it changes, and the CPU's IRQ/FIQ lines are driven at once (so an SGI or SPI
 * reaches another CPU before that CPU runs again). An interrupt is signalled if its group is
 * enabled in GICD_CTLR and ICC_IGRPEN<n>_EL1, its priority is below ICC_PMR_EL1, and its group
 * priority (per ICC_BPR<n>_EL1) is below the running priority (QEMU icc_hppi_can_preempt).
 *
 * The register front-ends live in distributor.ts, redistributor.ts and cpu-interface.ts; they
 * read and write the state held here.
 */
import { type Cpu, HvlabError, type InterruptPlatform } from '@hvlab/core';
import type { IrqLine } from '../devices/irq.js';
import { GIC_PPI_BASE, GIC_SPI_BASE, TIMER_PHYS_INTID, TIMER_VIRT_INTID, VIRT_NUM_SPIS, virtMpidr } from '../layout.js';
import {
  GICD_CTLR_EnableGrp0,
  GICD_CTLR_EnableGrp1,
  GICR_WAKER_ChildrenAsleep,
  GICR_WAKER_ProcessorSleep,
  ICC_CTLR_EL1_CBPR,
  ICC_CTLR_EL1_EOImode,
  ICC_SGIR_IRM,
  INTID_SPECIAL_FIRST,
  INTID_SPURIOUS,
} from './regs.js';
import { GIC_MIN_BPR0, GIC_MIN_BPR1, GIC_PRIORITY_BITS, type GicV3State, validateGicState } from './state.js';

export { GIC_MIN_BPR0, GIC_MIN_BPR1, GIC_PRIORITY_BITS, GIC_PRIORITY_MASK, type GicV3State } from './state.js';

/** "No pending interrupt" in priority comparisons (one more than the lowest priority 0xff). */
const NO_PRIORITY = 0x100;
const IDLE_PRIORITY = 0xff;

/** Per-CPU state: the Redistributor's SGIs/PPIs and the CPU interface. */
export class GicCpuInterface {
  // Redistributor SGI_base state, one bit per INTID 0..31.
  group = 0;
  enable = 0;
  pend = 0;
  active = 0;
  /** ICFGR: 1 = edge-triggered. SGIs are always edge (GICR_ICFGR0 is RO 0xAAAAAAAA). */
  edge = 0x0000_ffff;
  /** Input levels of the PPIs (the timer outputs). */
  level = 0;
  readonly prio = new Uint8Array(32);
  waker = GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep;
  // CPU interface (ICC_*_EL1).
  pmr = 0;
  bpr0 = GIC_MIN_BPR0;
  bpr1 = GIC_MIN_BPR1;
  /** ICC_CTLR_EL1 writable bits: CBPR and EOImode. */
  ctlr = 0;
  igrpen0 = 0;
  igrpen1 = 0;
  ap0 = 0;
  ap1 = 0;
  // Derived (recomputed, never snapshotted).
  hppi = INTID_SPURIOUS;
  hppiPrio = NO_PRIORITY;
  hppiGroup = 0;
  irq = false;
  fiq = false;

  constructor(
    readonly index: number,
    /** MPIDR affinity Aff3.Aff2.Aff1.Aff0 packed as in GICR_TYPER[63:32]. */
    readonly affinity: number,
  ) {}
}

export interface GicV3Options {
  /** The CPUs whose IRQ/FIQ lines this GIC drives (index i ↔ redistributor i). */
  readonly cpus: readonly Cpu[];
  /** Number of SPIs, a multiple of 32 up to 988 (default 224: what QEMU virt's GICD_TYPER shows). */
  readonly numSpis?: number;
  /** MPIDR of CPU i (default: the virt rule, layout.ts virtMpidr). */
  readonly mpidr?: (index: number) => bigint;
  /**
   * Reset every interrupt to Group 1, as QEMU does for a direct Linux kernel boot (the GIC's
   * ARMLinuxBootIf hook, hw/intc/arm_gicv3_common.c); otherwise they reset to Group 0.
   */
  readonly resetToGroup1?: boolean;
}

const bit = (i: number): number => (1 << (i & 31)) >>> 0;
const ctz = (x: number): number => 31 - Math.clz32(x & -x);
const packAffinity = (mpidr: bigint): number => Number((mpidr & 0xff_ffffn) | (((mpidr >> 32n) & 0xffn) << 24n)) >>> 0;

export class GicV3 implements InterruptPlatform {
  readonly numSpis: number;
  /** One past the last implemented INTID. */
  readonly numIntids: number;
  /** GICD_CTLR EnableGrp0/EnableGrp1 bits. */
  ctlr = 0;
  // SPI state: word w covers INTIDs 32w..32w+31 (word 0 is the redistributors' business).
  readonly group: Uint32Array;
  readonly enable: Uint32Array;
  readonly pend: Uint32Array;
  readonly active: Uint32Array;
  readonly edge: Uint32Array;
  readonly level: Uint32Array;
  readonly prio: Uint8Array;
  /** GICD_IROUTER<n> Aff3.Aff2.Aff1.Aff0 as 40-bit numbers (IRM is RAZ/WI: No1N = 1). */
  readonly router: Float64Array;
  /** The CPU index each SPI routes to, or -1. */
  private readonly routeCpu: Int32Array;
  readonly cpuIfs: readonly GicCpuInterface[];
  private readonly cpus: readonly Cpu[];
  private readonly byAffinity = new Map<number, number>();

  constructor(opts: GicV3Options) {
    const numSpis = opts.numSpis ?? VIRT_NUM_SPIS;
    if (!Number.isInteger(numSpis) || numSpis < 32 || numSpis > 988 || numSpis % 32 !== 0)
      throw new HvlabError('EINVAL', `GICv3: numSpis ${numSpis} must be a multiple of 32 in 32..988`);
    if (!Array.isArray(opts.cpus) || opts.cpus.length < 1)
      throw new HvlabError('EINVAL', 'GICv3: at least one CPU is required');
    const mpidr = opts.mpidr ?? virtMpidr;
    const cpuIfs = opts.cpus.map((_, i) => new GicCpuInterface(i, packAffinity(mpidr(i))));
    for (const c of cpuIfs) {
      if (this.byAffinity.has(c.affinity))
        throw new HvlabError('EINVAL', `GICv3: CPUs ${this.byAffinity.get(c.affinity)} and ${c.index} share an MPIDR`);
      this.byAffinity.set(c.affinity, c.index);
    }
    this.numSpis = numSpis;
    this.numIntids = GIC_SPI_BASE + numSpis;
    const words = this.numIntids / 32;
    this.group = new Uint32Array(words);
    this.enable = new Uint32Array(words);
    this.pend = new Uint32Array(words);
    this.active = new Uint32Array(words);
    this.edge = new Uint32Array(words);
    this.level = new Uint32Array(words);
    this.prio = new Uint8Array(this.numIntids);
    this.router = new Float64Array(this.numIntids);
    this.routeCpu = new Int32Array(this.numIntids);
    this.cpus = opts.cpus;
    this.cpuIfs = cpuIfs;
    for (let i = GIC_SPI_BASE; i < this.numIntids; i++) this.routeCpu[i] = this.cpuForAffinity(0);
    if (opts.resetToGroup1) {
      this.group.fill(0xffff_ffff, 1);
      for (const c of cpuIfs) c.group = 0xffff_ffff;
    }
  }

  // ---- inputs --------------------------------------------------------------------------------

  /** Drives the input line of SPI `intid` (32 ≤ intid < numIntids). */
  setSpi(intid: number, level: boolean): void {
    if (!Number.isInteger(intid) || intid < GIC_SPI_BASE || intid >= this.numIntids)
      throw new HvlabError('EINVAL', `GICv3: INTID ${intid} is not an SPI of this GIC`);
    const w = intid >> 5;
    const b = bit(intid);
    const was = (this.level[w]! & b) !== 0;
    if (was === level) return;
    if (level) {
      this.level[w]! |= b;
      if (this.edge[w]! & b) this.pend[w]! |= b;
    } else {
      this.level[w]! &= ~b;
    }
    this.updateSpi(intid);
  }

  /** Drives the input line of PPI `intid` (16 ≤ intid < 32) of one CPU. */
  setPpi(cpu: number, intid: number, level: boolean): void {
    const c = this.cpuIf(cpu);
    if (!Number.isInteger(intid) || intid < GIC_PPI_BASE || intid >= GIC_SPI_BASE)
      throw new HvlabError('EINVAL', `GICv3: INTID ${intid} is not a PPI`);
    if (this.setPrivateLevel(c, intid, level)) this.update(c);
  }

  /** An IrqLine for a device wired to SPI `intid`. */
  spiLine(intid: number): IrqLine {
    if (!Number.isInteger(intid) || intid < GIC_SPI_BASE || intid >= this.numIntids)
      throw new HvlabError('EINVAL', `GICv3: INTID ${intid} is not an SPI of this GIC`);
    return { set: (level) => this.setSpi(intid, level) };
  }

  /**
   * InterruptPlatform: feeds the CPU's generic-timer outputs into its PPIs (EL1 physical timer
   * INTID 30, virtual timer INTID 27; level-sensitive) and drives its IRQ/FIQ lines.
   */
  syncCpu(cpu: Cpu): void {
    const c = this.cpuIfs[cpu.index];
    if (!c || this.cpus[cpu.index] !== cpu) throw new HvlabError('EINVAL', `GICv3: CPU ${cpu.index} is not wired`);
    const t = cpu.timerOutputs();
    const a = this.setPrivateLevel(c, TIMER_PHYS_INTID, t.phys);
    const b = this.setPrivateLevel(c, TIMER_VIRT_INTID, t.virt);
    if (a || b) this.recompute(c);
    cpu.setInterruptLine('irq', c.irq);
    cpu.setInterruptLine('fiq', c.fiq);
  }

  // ---- queries used by the front-ends and tests ----------------------------------------------

  cpuIf(index: number): GicCpuInterface {
    const c = this.cpuIfs[index];
    if (!c) throw new HvlabError('EINVAL', `GICv3: no CPU ${index}`);
    return c;
  }

  /** Is INTID `intid` pending for CPU `cpu` (latch or level)? */
  isPending(cpu: number, intid: number): boolean {
    if (intid < GIC_SPI_BASE) {
      const c = this.cpuIf(cpu);
      return ((c.pend | (c.level & ~c.edge)) & bit(intid)) !== 0;
    }
    const w = intid >> 5;
    return ((this.pend[w]! | (this.level[w]! & ~this.edge[w]!)) & bit(intid)) !== 0;
  }

  /** The CPU an SPI is routed to, or -1. */
  routeOf(intid: number): number {
    return this.routeCpu[intid] ?? -1;
  }

  // ---- state changes from the front-ends -----------------------------------------------------

  /** Sets GICD_IROUTER<intid> (affinity bits only; IRM is RAZ/WI). */
  setRouter(intid: number, value: number): void {
    const old = this.routeCpu[intid]!;
    this.router[intid] = value;
    this.routeCpu[intid] = this.cpuForAffinity(value);
    if (old >= 0) this.update(this.cpuIfs[old]!);
    this.updateSpi(intid);
  }

  /** Recomputes one CPU after its private state or CPU interface changed. */
  update(c: GicCpuInterface): void {
    this.recompute(c);
  }

  /** Recomputes every CPU (after a distributor-wide change). */
  updateAll(): void {
    for (const c of this.cpuIfs) this.recompute(c);
  }

  /** Recomputes the CPU an SPI is routed to. */
  updateSpi(intid: number): void {
    const t = this.routeCpu[intid]!;
    if (t >= 0) this.recompute(this.cpuIfs[t]!);
  }

  // ---- CPU interface operations (IHI 0069 4.1, 4.8) ------------------------------------------

  /** ICC_IAR0_EL1 / ICC_IAR1_EL1: acknowledges the HPPI if it is of `group` and may preempt. */
  acknowledge(c: GicCpuInterface, group: 0 | 1): number {
    if (!this.canSignal(c) || c.hppiGroup !== group) return INTID_SPURIOUS;
    const intid = c.hppi;
    const aprBit = (c.hppiPrio & this.groupPriorityMask(c, group)) >> (8 - GIC_PRIORITY_BITS);
    if (group === 0) c.ap0 = (c.ap0 | bit(aprBit)) >>> 0;
    else c.ap1 = (c.ap1 | bit(aprBit)) >>> 0;
    if (intid < GIC_SPI_BASE) {
      c.active = (c.active | bit(intid)) >>> 0;
      c.pend = (c.pend & ~bit(intid)) >>> 0;
      this.recompute(c);
    } else {
      const w = intid >> 5;
      this.active[w]! |= bit(intid);
      this.pend[w]! &= ~bit(intid);
      this.recompute(c);
      this.updateSpi(intid);
    }
    return intid;
  }

  /** ICC_EOIR0_EL1 / ICC_EOIR1_EL1: priority drop, plus deactivation when EOImode = 0. */
  endOfInterrupt(c: GicCpuInterface, group: 0 | 1, value: bigint): void {
    const intid = Number(value & 0xff_ffffn);
    if (intid >= INTID_SPECIAL_FIRST) return;
    if (this.highestActiveGroup(c) !== group) return;
    // The interrupt being ended is the highest priority active one: its AP bit is the lowest set.
    if (group === 0) c.ap0 = (c.ap0 & (c.ap0 - 1)) >>> 0;
    else c.ap1 = (c.ap1 & (c.ap1 - 1)) >>> 0;
    if ((c.ctlr & ICC_CTLR_EL1_EOImode) === 0) this.deactivate(c, intid);
    this.recompute(c);
  }

  /** ICC_DIR_EL1: deactivates an interrupt (only meaningful with EOImode = 1). */
  deactivateInterrupt(c: GicCpuInterface, value: bigint): void {
    const intid = Number(value & 0xff_ffffn);
    if (intid >= this.numIntids || (c.ctlr & ICC_CTLR_EL1_EOImode) === 0) return;
    this.deactivate(c, intid);
    this.recompute(c);
  }

  /** ICC_HPPIR0_EL1 / ICC_HPPIR1_EL1. */
  highestPending(c: GicCpuInterface, group: 0 | 1): number {
    return c.hppiPrio === NO_PRIORITY || c.hppiGroup !== group ? INTID_SPURIOUS : c.hppi;
  }

  /** ICC_RPR_EL1: the group priority of the highest priority active interrupt, 0xFF if idle. */
  runningPriority(c: GicCpuInterface): number {
    const ap = (c.ap0 | c.ap1) >>> 0;
    return ap === 0 ? IDLE_PRIORITY : ctz(ap) << (8 - GIC_PRIORITY_BITS);
  }

  /**
   * ICC_SGI0R_EL1 (group 0), ICC_SGI1R_EL1 (group 1) and ICC_ASGI1R_EL1 (`alias`): sends SGI
   * INTID value[27:24] to the CPUs named by Aff3.Aff2.Aff1 + TargetList, or to every other CPU
   * when IRM = 1. A target takes it only if the SGI is configured in the requested group; with
   * DS = 1 an ASGI1R SGI is accepted as Group 0 (QEMU gicv3_redist_send_sgi).
   */
  sendSgi(src: GicCpuInterface, value: bigint, group: 0 | 1, alias = false): void {
    const intid = Number((value >> 24n) & 0xfn);
    const irm = (value & ICC_SGIR_IRM) !== 0n;
    const upper =
      (Number((value >> 48n) & 0xffn) << 24) |
      (Number((value >> 32n) & 0xffn) << 16) |
      (Number(value & 0xff_0000n) >> 8);
    const targets = Number(value & 0xffffn);
    const want = alias ? 0 : group;
    for (const t of this.cpuIfs) {
      if (irm) {
        if (t === src) continue;
      } else {
        const aff0 = t.affinity & 0xff;
        if ((t.affinity & ~0xff) >>> 0 !== upper >>> 0 || aff0 > 15 || ((targets >> aff0) & 1) === 0) continue;
      }
      if (((t.group >>> intid) & 1) !== want) continue;
      t.pend = (t.pend | bit(intid)) >>> 0;
      this.recompute(t);
    }
  }

  /** The group-priority mask for preemption (QEMU icc_gprio_mask; IHI 0069 4.8.3). */
  groupPriorityMask(c: GicCpuInterface, group: 0 | 1): number {
    const shift = group === 0 || c.ctlr & ICC_CTLR_EL1_CBPR ? c.bpr0 + 1 : c.bpr1;
    return (0xff << shift) & 0xff;
  }

  // ---- snapshot ------------------------------------------------------------------------------

  snapshot(): GicV3State {
    return {
      ctlr: this.ctlr,
      spi: {
        group: Array.from(this.group),
        enable: Array.from(this.enable),
        pend: Array.from(this.pend),
        active: Array.from(this.active),
        edge: Array.from(this.edge),
        level: Array.from(this.level),
        prio: Array.from(this.prio),
        router: Array.from(this.router),
      },
      cpus: this.cpuIfs.map((c) => ({
        group: c.group,
        enable: c.enable,
        pend: c.pend,
        active: c.active,
        edge: c.edge,
        level: c.level,
        prio: Array.from(c.prio),
        waker: c.waker,
        pmr: c.pmr,
        bpr0: c.bpr0,
        bpr1: c.bpr1,
        ctlr: c.ctlr,
        igrpen0: c.igrpen0,
        igrpen1: c.igrpen1,
        ap0: c.ap0,
        ap1: c.ap1,
      })),
    };
  }

  /** Restores a snapshot taken from a GIC of the same shape (validated first: EINVAL). */
  restore(s: GicV3State): void {
    validateGicState(s, this.numIntids, this.cpuIfs.length);
    this.ctlr = s.ctlr;
    this.group.set(s.spi.group);
    this.enable.set(s.spi.enable);
    this.pend.set(s.spi.pend);
    this.active.set(s.spi.active);
    this.edge.set(s.spi.edge);
    this.level.set(s.spi.level);
    this.prio.set(s.spi.prio);
    this.router.set(s.spi.router);
    for (let i = GIC_SPI_BASE; i < this.numIntids; i++) this.routeCpu[i] = this.cpuForAffinity(this.router[i]!);
    s.cpus.forEach((cs, i) => {
      const c = this.cpuIfs[i]!;
      c.group = cs.group;
      c.enable = cs.enable;
      c.pend = cs.pend;
      c.active = cs.active;
      c.edge = cs.edge;
      c.level = cs.level;
      c.prio.set(cs.prio);
      c.waker = cs.waker;
      c.pmr = cs.pmr;
      c.bpr0 = cs.bpr0;
      c.bpr1 = cs.bpr1;
      c.ctlr = cs.ctlr;
      c.igrpen0 = cs.igrpen0;
      c.igrpen1 = cs.igrpen1;
      c.ap0 = cs.ap0;
      c.ap1 = cs.ap1;
    });
    this.updateAll();
  }

  // ---- internals -----------------------------------------------------------------------------

  private cpuForAffinity(aff40: number): number {
    // Router values hold Aff3 at bits 39:32; pack into the 32-bit affinity form.
    const packed = ((Math.floor(aff40 / 2 ** 32) & 0xff) << 24) | (aff40 & 0xff_ffff);
    return this.byAffinity.get(packed >>> 0) ?? -1;
  }

  /** Updates one SGI/PPI input level; returns true if anything changed. */
  private setPrivateLevel(c: GicCpuInterface, intid: number, level: boolean): boolean {
    const b = bit(intid);
    if (((c.level & b) !== 0) === level) return false;
    if (level) {
      c.level = (c.level | b) >>> 0;
      if (c.edge & b) c.pend = (c.pend | b) >>> 0;
    } else {
      c.level = (c.level & ~b) >>> 0;
    }
    return true;
  }

  private deactivate(c: GicCpuInterface, intid: number): void {
    if (intid < GIC_SPI_BASE) {
      c.active = (c.active & ~bit(intid)) >>> 0;
    } else if (intid < this.numIntids) {
      this.active[intid >> 5]! &= ~bit(intid);
      this.updateSpi(intid);
    }
  }

  /** The group of the highest priority active interrupt (lowest set AP bit), or -1. */
  private highestActiveGroup(c: GicCpuInterface): number {
    const ap = (c.ap0 | c.ap1) >>> 0;
    if (ap === 0) return -1;
    return c.ap0 & bit(ctz(ap)) ? 0 : 1;
  }

  /** QEMU icc_hppi_can_preempt. */
  private canSignal(c: GicCpuInterface): boolean {
    if (c.hppiPrio === NO_PRIORITY) return false;
    if ((c.hppiGroup === 0 ? c.igrpen0 : c.igrpen1) === 0) return false;
    if (c.hppiPrio >= c.pmr) return false;
    const rprio = this.runningPriority(c);
    if (rprio === IDLE_PRIORITY) return true;
    const mask = this.groupPriorityMask(c, c.hppiGroup as 0 | 1);
    return (c.hppiPrio & mask) < (rprio & mask);
  }

  /** Finds the CPU's HPPI and drives its IRQ/FIQ lines if they change. */
  private recompute(c: GicCpuInterface): void {
    let best = INTID_SPURIOUS;
    let bestPrio = NO_PRIORITY;
    const g0 = (this.ctlr & GICD_CTLR_EnableGrp0) !== 0;
    const g1 = (this.ctlr & GICD_CTLR_EnableGrp1) !== 0;
    const groupMask = (grp: number) => ((g0 ? ~grp : 0) | (g1 ? grp : 0)) >>> 0;
    let bits = ((c.pend | (c.level & ~c.edge)) & c.enable & ~c.active & groupMask(c.group)) >>> 0;
    while (bits !== 0) {
      const i = ctz(bits);
      bits = (bits & (bits - 1)) >>> 0;
      if (c.prio[i]! < bestPrio) {
        best = i;
        bestPrio = c.prio[i]!;
      }
    }
    for (let w = 1; w < this.group.length; w++) {
      bits =
        ((this.pend[w]! | (this.level[w]! & ~this.edge[w]!)) &
          this.enable[w]! &
          ~this.active[w]! &
          groupMask(this.group[w]!)) >>>
        0;
      while (bits !== 0) {
        const intid = (w << 5) | ctz(bits);
        bits = (bits & (bits - 1)) >>> 0;
        if (this.routeCpu[intid] === c.index && this.prio[intid]! < bestPrio) {
          best = intid;
          bestPrio = this.prio[intid]!;
        }
      }
    }
    c.hppi = best;
    c.hppiPrio = bestPrio;
    c.hppiGroup =
      best === INTID_SPURIOUS
        ? 0
        : best < GIC_SPI_BASE
          ? (c.group >>> best) & 1
          : (this.group[best >> 5]! >>> (best & 31)) & 1;
    const signal = this.canSignal(c);
    const irq = signal && c.hppiGroup === 1;
    const fiq = signal && c.hppiGroup === 0;
    const cpu = this.cpus[c.index]!;
    if (irq !== c.irq) {
      c.irq = irq;
      cpu.setInterruptLine('irq', irq);
    }
    if (fiq !== c.fiq) {
      c.fiq = fiq;
      cpu.setInterruptLine('fiq', fiq);
    }
  }
}
