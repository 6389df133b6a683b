/**
 * The GICv3 Redistributors' MMIO region (IHI 0069 12.10/12.11): one 128 KiB block per CPU,
 * in CPU order, each an RD_base frame (control, LPIs) followed by an SGI_base frame (the
 * CPU's SGIs and PPIs). Linux walks the blocks until it finds GICR_TYPER.Last.
 *
 * No LPIs are implemented (GICR_TYPER.PLPIS = 0), so GICR_CTLR, GICR_PROPBASER and
 * GICR_PENDBASER are RAZ/WI, as are GICR_STATUSR, GICR_IGRPMODR0 and GICR_NSACR (DS = 1).
 * GICR_WAKER completes ProcessorSleep transitions at once: ChildrenAsleep follows it (QEMU
 * gicr_writel). Access sizes as QEMU: 32-bit everywhere, bytes for GICR_IPRIORITYR, 64-bit
 * for GICR_TYPER; reserved offsets and other sizes are RAZ/WI.
 */
import type { AccessSize, MmioDevice } from '@hvlab/core';
import type { InvalidAccessHandler } from '../devices/irq.js';
import { GICR_FRAME_SIZE, GICR_SGI_BASE_OFFSET } from '../layout.js';
import type { GicCpuInterface, GicV3 } from './gicv3.js';
import {
  GIC_IIDR,
  GICR_CTLR,
  GICR_ICACTIVER0,
  GICR_ICENABLER0,
  GICR_ICFGR0,
  GICR_ICFGR1,
  GICR_ICPENDR0,
  GICR_ID_REGS,
  GICR_IGROUPR0,
  GICR_IGRPMODR0,
  GICR_IIDR,
  GICR_IPRIORITYR,
  GICR_ISACTIVER0,
  GICR_ISENABLER0,
  GICR_ISPENDR0,
  GICR_NSACR,
  GICR_PENDBASER,
  GICR_PIDR4,
  GICR_PROPBASER,
  GICR_STATUSR,
  GICR_TYPER,
  GICR_TYPER_Last,
  GICR_TYPER_Processor_Number_SHIFT,
  GICR_WAKER,
  GICR_WAKER_ChildrenAsleep,
  GICR_WAKER_ProcessorSleep,
} from './regs.js';

const RD_RAZ_WI = new Set([
  GICR_CTLR,
  GICR_STATUSR,
  GICR_PROPBASER,
  GICR_PROPBASER + 4,
  GICR_PENDBASER,
  GICR_PENDBASER + 4,
]);
const SGI_RAZ_WI = new Set([GICR_IGRPMODR0, GICR_NSACR]);

export class GicRedistributors implements MmioDevice {
  readonly name = 'gicv3-redistributors';

  constructor(
    private readonly gic: GicV3,
    private readonly onInvalid?: InvalidAccessHandler,
  ) {}

  /** Size of the MMIO window: one 128 KiB block per CPU. */
  get size(): number {
    return this.gic.cpuIfs.length * GICR_FRAME_SIZE;
  }

  /** GICR_TYPER of CPU `index` (IHI 0069 12.11.37). */
  typer(index: number): bigint {
    const c = this.gic.cpuIf(index);
    const last = index === this.gic.cpuIfs.length - 1 ? GICR_TYPER_Last : 0;
    const aff = BigInt(c.affinity >>> 0);
    return (aff << 32n) | BigInt((index << GICR_TYPER_Processor_Number_SHIFT) | last);
  }

  read(offset: number, size: AccessSize): bigint {
    const located = this.locate(offset);
    const v = located && offset % size === 0 ? this.readReg(located.c, located.off, size) : undefined;
    if (v === undefined) {
      if (!(located && this.isRazWi(located.off, size))) this.onInvalid?.({ kind: 'read', offset, size });
      return 0n;
    }
    return v;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    const located = this.locate(offset);
    const ok = located && offset % size === 0 && this.writeReg(located.c, located.off, size, value);
    if (!ok && !(located && this.isRazWi(located.off, size))) this.onInvalid?.({ kind: 'write', offset, size });
  }

  private locate(offset: number): { c: GicCpuInterface; off: number } | undefined {
    const c = this.gic.cpuIfs[Math.floor(offset / GICR_FRAME_SIZE)];
    return c ? { c, off: offset % GICR_FRAME_SIZE } : undefined;
  }

  private isRazWi(off: number, size: AccessSize): boolean {
    if (size !== 4 && !(size === 8 && (off === GICR_PROPBASER || off === GICR_PENDBASER))) return false;
    return off < GICR_SGI_BASE_OFFSET ? RD_RAZ_WI.has(off) : SGI_RAZ_WI.has(off - GICR_SGI_BASE_OFFSET);
  }

  private readReg(c: GicCpuInterface, off: number, size: AccessSize): bigint | undefined {
    if (off < GICR_SGI_BASE_OFFSET) {
      if (off === GICR_TYPER && size === 8) return this.typer(c.index);
      if (size !== 4) return undefined;
      switch (off) {
        case GICR_IIDR:
          return BigInt(GIC_IIDR);
        case GICR_TYPER:
          return this.typer(c.index) & 0xffff_ffffn;
        case GICR_TYPER + 4:
          return this.typer(c.index) >> 32n;
        case GICR_WAKER:
          return BigInt(c.waker);
      }
      if (off >= GICR_PIDR4) return BigInt(GICR_ID_REGS[(off - GICR_PIDR4) >> 2]!);
      return undefined;
    }
    const o = off - GICR_SGI_BASE_OFFSET;
    if (o >= GICR_IPRIORITYR && o < GICR_IPRIORITYR + 32 && (size === 1 || size === 4)) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | c.prio[o - GICR_IPRIORITYR + i]!;
      return BigInt(v >>> 0);
    }
    if (size !== 4) return undefined;
    switch (o) {
      case GICR_IGROUPR0:
        return BigInt(c.group >>> 0);
      case GICR_ISENABLER0:
      case GICR_ICENABLER0:
        return BigInt(c.enable >>> 0);
      case GICR_ISPENDR0:
      case GICR_ICPENDR0:
        return BigInt((c.pend | (c.level & ~c.edge)) >>> 0);
      case GICR_ISACTIVER0:
      case GICR_ICACTIVER0:
        return BigInt(c.active >>> 0);
      case GICR_ICFGR0:
        return BigInt(spreadEdge(c.edge & 0xffff));
      case GICR_ICFGR1:
        return BigInt(spreadEdge(c.edge >>> 16));
    }
    return undefined;
  }

  private writeReg(c: GicCpuInterface, off: number, size: AccessSize, value: bigint): boolean {
    if (off < GICR_SGI_BASE_OFFSET) {
      if (size !== 4 || off !== GICR_WAKER) return false;
      // Only ProcessorSleep is writable; the interface quiesces instantly.
      c.waker = Number(value) & GICR_WAKER_ProcessorSleep ? GICR_WAKER_ProcessorSleep | GICR_WAKER_ChildrenAsleep : 0;
      return true;
    }
    const o = off - GICR_SGI_BASE_OFFSET;
    if (o >= GICR_IPRIORITYR && o < GICR_IPRIORITYR + 32 && (size === 1 || size === 4)) {
      for (let i = 0; i < size; i++) c.prio[o - GICR_IPRIORITYR + i] = Number((value >> BigInt(8 * i)) & 0xffn);
      this.gic.update(c);
      return true;
    }
    if (size !== 4) return false;
    const v = Number(value & 0xffff_ffffn);
    switch (o) {
      case GICR_IGROUPR0:
        c.group = v >>> 0;
        break;
      case GICR_ISENABLER0:
        c.enable = (c.enable | v) >>> 0;
        break;
      case GICR_ICENABLER0:
        c.enable = (c.enable & ~v) >>> 0;
        break;
      case GICR_ISPENDR0:
        c.pend = (c.pend | v) >>> 0;
        break;
      case GICR_ICPENDR0:
        c.pend = (c.pend & ~v) >>> 0;
        break;
      case GICR_ISACTIVER0:
        c.active = (c.active | v) >>> 0;
        break;
      case GICR_ICACTIVER0:
        c.active = (c.active & ~v) >>> 0;
        break;
      case GICR_ICFGR0:
        return true; // SGIs are always edge-triggered: RO
      case GICR_ICFGR1:
        c.edge = ((c.edge & 0xffff) | (gatherEdge(v) << 16)) >>> 0;
        break;
      default:
        return false;
    }
    this.gic.update(c);
    return true;
  }
}

/** 16 edge bits → an ICFGR value with Int_config[1] of field k at bit 2k+1. */
function spreadEdge(bits: number): number {
  let v = 0;
  for (let k = 0; k < 16; k++) if ((bits >> k) & 1) v |= 2 << (2 * k);
  return v >>> 0;
}

/** The inverse of spreadEdge. */
function gatherEdge(v: number): number {
  let bits = 0;
  for (let k = 0; k < 16; k++) if ((v >>> (2 * k + 1)) & 1) bits |= 1 << k;
  return bits;
}
