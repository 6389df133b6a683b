/**
 * The GICv3 Distributor's MMIO frame (IHI 0069 12.9), 64 KiB at GICD_base.
 *
 * With affinity routing always enabled, the registers for INTIDs 0-31 (bit/byte/field 0 of
 * GICD_IGROUPR0, ISENABLER0, ..., IPRIORITYR0-7, ICFGR0-1) are RAZ/WI here: the
 * Redistributors own them (IHI 0069 12.9: "When affinity routing is enabled... RAZ/WI").
 * GICD_ITARGETSR, GICD_SGIR and the SGI pending registers are legacy-only and RAZ/WI; with
 * DS = 1 GICD_IGRPMODR and GICD_NSACR are RAZ/WI too.
 *
 * Access sizes, as QEMU's gicv3_dist_read/write: 32-bit accesses to every register, byte
 * accesses to GICD_IPRIORITYR, 64-bit (or 32-bit halves) to GICD_IROUTER<n>. Anything else,
 * and reserved offsets, read as zero and ignore writes (the spec's RAZ/WI for reserved space).
 */
import type { AccessSize, MmioDevice } from '@hvlab/core';
import type { InvalidAccessHandler } from '../devices/irq.js';
import { GIC_SPI_BASE } from '../layout.js';
import type { GicV3 } from './gicv3.js';
import {
  GIC_IIDR,
  GICD_CTLR,
  GICD_CTLR_ARE,
  GICD_CTLR_DS,
  GICD_CTLR_EnableGrp0,
  GICD_CTLR_EnableGrp1,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_ID_REGS,
  GICD_IGROUPR,
  GICD_IIDR,
  GICD_IPRIORITYR,
  GICD_IROUTER,
  GICD_IROUTER_AFF_MASK,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_PIDR4,
  GICD_TYPER,
  GICD_TYPER_A3V,
  GICD_TYPER_IDbits_SHIFT,
  GICD_TYPER_No1N,
} from './regs.js';

/** Known offsets that are RAZ/WI in this configuration (so they are not reported as invalid). */
const RAZ_WI_RANGES: readonly [number, number][] = [
  [0x000c, 0x0014], // GICD_TYPER2, GICD_STATUSR
  [0x0040, 0x005c], // GICD_SETSPI_*/CLRSPI_* (no message-based SPIs)
  [0x0800, 0x0bfc], // GICD_ITARGETSR (legacy)
  [0x0d00, 0x0efc], // GICD_IGRPMODR, GICD_NSACR (DS = 1)
  [0x0f00, 0x0f2c], // GICD_SGIR, GICD_CPENDSGIR, GICD_SPENDSGIR (legacy)
];

type BitmapKey = 'group' | 'enable' | 'pend' | 'active';

/** The one-bit-per-INTID registers: base offset, state array, and how a write applies. */
const BITMAP_REGS: readonly [number, BitmapKey, 'set' | 'clear' | 'write'][] = [
  [GICD_IGROUPR, 'group', 'write'],
  [GICD_ISENABLER, 'enable', 'set'],
  [GICD_ICENABLER, 'enable', 'clear'],
  [GICD_ISPENDR, 'pend', 'set'],
  [GICD_ICPENDR, 'pend', 'clear'],
  [GICD_ISACTIVER, 'active', 'set'],
  [GICD_ICACTIVER, 'active', 'clear'],
];

export class GicDistributor implements MmioDevice {
  readonly name = 'gicv3-distributor';

  constructor(
    private readonly gic: GicV3,
    private readonly onInvalid?: InvalidAccessHandler,
  ) {}

  read(offset: number, size: AccessSize): bigint {
    const v = this.readReg(offset, size);
    if (v === undefined) {
      if (!isRazWi(offset)) this.onInvalid?.({ kind: 'read', offset, size });
      return 0n;
    }
    return v;
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (!this.writeReg(offset, size, value) && !isRazWi(offset)) this.onInvalid?.({ kind: 'write', offset, size });
  }

  private readReg(offset: number, size: AccessSize): bigint | undefined {
    if (offset % size !== 0) return undefined;
    const g = this.gic;
    if (offset >= GICD_IROUTER && offset < GICD_IROUTER + 8 * 1024) return this.readRouter(offset, size);
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + 1024 && (size === 1 || size === 4)) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.priority(offset - GICD_IPRIORITYR + i);
      return BigInt(v >>> 0);
    }
    if (size !== 4) return undefined;
    switch (offset) {
      case GICD_CTLR:
        return BigInt((g.ctlr | GICD_CTLR_ARE | GICD_CTLR_DS) >>> 0);
      case GICD_TYPER:
        // No1N, A3V, IDbits = 16 - 1, ITLinesNumber; SecurityExtn = 0 (DS = 1), no LPIs/MBIS.
        return BigInt(
          (GICD_TYPER_No1N | GICD_TYPER_A3V | (0xf << GICD_TYPER_IDbits_SHIFT) | (g.numIntids / 32 - 1)) >>> 0,
        );
      case GICD_IIDR:
        return BigInt(GIC_IIDR);
    }
    const bitmap = this.bitmapReg(offset);
    if (bitmap) {
      const { key, word } = bitmap;
      if (word === 0 || word >= g.group.length) return 0n;
      if (key === 'pend') return BigInt((g.pend[word]! | (g.level[word]! & ~g.edge[word]!)) >>> 0);
      return BigInt(g[key][word]!);
    }
    if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) return BigInt(this.readIcfgr((offset - GICD_ICFGR) >> 2));
    if (offset >= GICD_PIDR4) return BigInt(GICD_ID_REGS[(offset - GICD_PIDR4) >> 2]!);
    return undefined;
  }

  private writeReg(offset: number, size: AccessSize, value: bigint): boolean {
    if (offset % size !== 0) return false;
    const g = this.gic;
    if (offset >= GICD_IROUTER && offset < GICD_IROUTER + 8 * 1024) return this.writeRouter(offset, size, value);
    if (offset >= GICD_IPRIORITYR && offset < GICD_IPRIORITYR + 1024 && (size === 1 || size === 4)) {
      const base = offset - GICD_IPRIORITYR;
      for (let i = 0; i < size; i++) {
        const intid = base + i;
        if (intid >= GIC_SPI_BASE && intid < g.numIntids) g.prio[intid] = Number((value >> BigInt(8 * i)) & 0xffn);
      }
      g.updateAll();
      return true;
    }
    if (size !== 4) return false;
    const v = Number(value & 0xffff_ffffn);
    if (offset === GICD_CTLR) {
      g.ctlr = v & (GICD_CTLR_EnableGrp0 | GICD_CTLR_EnableGrp1);
      g.updateAll();
      return true;
    }
    const bitmap = this.bitmapReg(offset);
    if (bitmap) {
      const { key, word, op } = bitmap;
      if (word === 0 || word >= g.group.length) return true;
      const arr = g[key];
      if (op === 'set') arr[word]! |= v;
      else if (op === 'clear') arr[word]! &= ~v;
      else arr[word] = v;
      g.updateAll();
      return true;
    }
    if (offset >= GICD_ICFGR && offset < GICD_ICFGR + 0x100) {
      this.writeIcfgr((offset - GICD_ICFGR) >> 2, v);
      return true;
    }
    return false; // GICD_TYPER, GICD_IIDR and the ID registers are read-only
  }

  /** Decodes the one-bit-per-INTID registers. */
  private bitmapReg(offset: number): { key: BitmapKey; word: number; op: 'set' | 'clear' | 'write' } | undefined {
    for (const [base, key, op] of BITMAP_REGS)
      if (offset >= base && offset < base + 0x80) return { key, word: (offset - base) >> 2, op };
    return undefined;
  }

  private priority(intid: number): number {
    return intid >= GIC_SPI_BASE && intid < this.gic.numIntids ? this.gic.prio[intid]! : 0;
  }

  /** GICD_ICFGR<n>: 16 INTIDs, bit 2k+1 = edge-triggered (IHI 0069 12.9.9). */
  private readIcfgr(n: number): number {
    if (n < 2 || 16 * n >= this.gic.numIntids) return 0;
    let v = 0;
    for (let k = 0; k < 16; k++) {
      const intid = 16 * n + k;
      if (this.gic.edge[intid >> 5]! & (1 << (intid & 31))) v |= 2 << (2 * k);
    }
    return v >>> 0;
  }

  private writeIcfgr(n: number, v: number): void {
    if (n < 2 || 16 * n >= this.gic.numIntids) return;
    for (let k = 0; k < 16; k++) {
      const intid = 16 * n + k;
      const b = 1 << (intid & 31);
      if ((v >>> (2 * k + 1)) & 1) this.gic.edge[intid >> 5]! |= b;
      else this.gic.edge[intid >> 5]! &= ~b;
    }
    this.gic.updateAll();
  }

  private readRouter(offset: number, size: AccessSize): bigint | undefined {
    if (size !== 4 && size !== 8) return undefined;
    const intid = (offset - GICD_IROUTER) >> 3;
    const value = intid >= GIC_SPI_BASE && intid < this.gic.numIntids ? BigInt(this.gic.router[intid]!) : 0n;
    if (size === 8) return value;
    return offset % 8 === 0 ? value & 0xffff_ffffn : value >> 32n;
  }

  private writeRouter(offset: number, size: AccessSize, value: bigint): boolean {
    if (size !== 4 && size !== 8) return false;
    const intid = (offset - GICD_IROUTER) >> 3;
    if (intid < GIC_SPI_BASE || intid >= this.gic.numIntids) return true;
    const old = BigInt(this.gic.router[intid]!);
    let next: bigint;
    if (size === 8) next = value;
    else if (offset % 8 === 0) next = (old & ~0xffff_ffffn) | (value & 0xffff_ffffn);
    else next = (old & 0xffff_ffffn) | ((value & 0xffff_ffffn) << 32n);
    this.gic.setRouter(intid, Number(next & GICD_IROUTER_AFF_MASK));
    return true;
  }
}

const isRazWi = (offset: number): boolean => RAZ_WI_RANGES.some(([a, b]) => offset >= a && offset <= b);
