/**
 * ARM PrimeCell Real Time Clock (PL031), after the Technical Reference Manual ARM DDI 0224,
 * rust-vmm/vm-superio src/rtc_pl031.rs and QEMU 7.2 (qemu/qemu hw/rtc/pl031.c).
 *
 * The counter is a 32-bit seconds count: RTCDR = (offset + floor(clock())) mod 2^32, where
 * the clock is injected (the board's default is derived from instruction time, so runs are
 * deterministic). Writing RTCLR loads the counter (offset = RTCLR - clock).
 *
 * Match interrupt: RTCRIS is set when the counter reaches RTCMR. The device has no timer of
 * its own; the counter is sampled on every register access and whenever the board calls
 * poll(), and RTCRIS is set if RTCMR lies in (previous sample, current sample] — or equals
 * the counter right after RTCMR/RTCLR is written (QEMU pl031_set_alarm with 0 ticks left).
 * RTCINTR (the IRQ line) = RTCRIS & RTCIMSC. RTCICR clears RTCRIS.
 *
 * RTCCR: the RTC starts enabled and stays so (TRM: once RTCStart is 1, writes have no effect
 * until reset; QEMU likewise reads it as 1). Writes are accepted and ignored.
 */
import { type AccessSize, HvlabError, type MmioDevice } from '@hvlab/core';
import { type InvalidAccessHandler, type IrqLine, NO_IRQ, primeCellId, read32Regs, write32Regs } from './irq.js';

/** Register offsets (DDI 0224 Table 3-1). */
export const RTCDR = 0x000; // RO data
export const RTCMR = 0x004; // RW match
export const RTCLR = 0x008; // RW load
export const RTCCR = 0x00c; // RW control
export const RTCIMSC = 0x010; // RW interrupt mask set/clear
export const RTCRIS = 0x014; // RO raw interrupt status
export const RTCMIS = 0x018; // RO masked interrupt status
export const RTCICR = 0x01c; // WO interrupt clear
export const RTCPeriphID0 = 0xfe0;
export const RTCPCellID0 = 0xff0;

/** RTCPeriphID0-3 and RTCPCellID0-3 (DDI 0224 3.3.10; QEMU pl031_id; vm-superio PL031_ID). */
export const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** RTCCR.RTCStart (DDI 0224 3.3.4). */
export const RTCCR_START = 1;
/** The single interrupt bit of RTCIMSC/RIS/MIS/ICR. */
export const RTCINTR = 1;

export interface Pl031State {
  /** Counter = (offset + floor(clock())) mod 2^32. */
  readonly offset: number;
  readonly mr: number;
  readonly lr: number;
  readonly imsc: number;
  readonly ris: number;
  /** The counter value at the last sample (for match detection). */
  readonly lastCount: number;
}

export interface Pl031Options {
  /** Seconds since the epoch (may be fractional). Must be non-decreasing. */
  readonly clock: () => number;
  readonly irq?: IrqLine;
  readonly onInvalidAccess?: InvalidAccessHandler;
}

const U32 = 2 ** 32;
const mod32 = (v: number): number => ((v % U32) + U32) % U32;

export class Pl031 implements MmioDevice {
  readonly name = 'pl031';
  private readonly clock: () => number;
  private readonly irq: IrqLine;
  private readonly onInvalid: InvalidAccessHandler | undefined;
  private offset = 0;
  private mr = 0;
  private lr = 0;
  private imsc = 0;
  private ris = 0;
  private lastCount: number;
  private irqLevel = false;

  constructor(opts: Pl031Options) {
    if (typeof opts?.clock !== 'function') throw new HvlabError('EINVAL', 'PL031: a clock function is required');
    this.clock = opts.clock;
    this.irq = opts.irq ?? NO_IRQ;
    this.onInvalid = opts.onInvalidAccess;
    this.lastCount = this.count();
  }

  read(offset: number, size: AccessSize): bigint {
    this.poll();
    return read32Regs(offset, size, (o) => this.readReg(o), this.onInvalid);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    this.poll();
    write32Regs(offset, size, value, (o, v) => this.writeReg(o, v), this.onInvalid);
  }

  /** Samples the counter and raises the match interrupt if RTCMR was reached since the last sample. */
  poll(): void {
    const now = this.count();
    const since = mod32(now - this.lastCount);
    const toMatch = mod32(this.mr - this.lastCount);
    if (since > 0 && toMatch > 0 && toMatch <= since) this.ris |= RTCINTR;
    this.lastCount = now;
    this.update();
  }

  /** RTCIMSC: the match interrupt is unmasked. */
  get interruptUnmasked(): boolean {
    return this.imsc !== 0;
  }

  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  snapshot(): Pl031State {
    return { offset: this.offset, mr: this.mr, lr: this.lr, imsc: this.imsc, ris: this.ris, lastCount: this.lastCount };
  }

  restore(s: Pl031State): void {
    const u32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < U32;
    const bit = (v: unknown) => v === 0 || v === 1;
    if (!u32(s.offset) || !u32(s.mr) || !u32(s.lr) || !u32(s.lastCount) || !bit(s.imsc) || !bit(s.ris))
      throw new HvlabError('EINVAL', 'PL031 state: a field is out of range');
    this.offset = s.offset;
    this.mr = s.mr;
    this.lr = s.lr;
    this.imsc = s.imsc;
    this.ris = s.ris;
    this.lastCount = s.lastCount;
    this.update();
  }

  private count(): number {
    return mod32(this.offset + Math.floor(this.clock()));
  }

  private readReg(offset: number): number | undefined {
    switch (offset) {
      case RTCDR:
        return this.count();
      case RTCMR:
        return this.mr;
      case RTCLR:
        return this.lr;
      case RTCCR:
        return RTCCR_START;
      case RTCIMSC:
        return this.imsc;
      case RTCRIS:
        return this.ris;
      case RTCMIS:
        return this.ris & this.imsc;
      default:
        return primeCellId(offset, PL031_ID);
    }
  }

  private writeReg(offset: number, v: number): boolean {
    switch (offset) {
      case RTCMR:
        this.mr = v;
        this.checkMatchNow();
        break;
      case RTCLR:
        this.lr = v;
        this.offset = mod32(v - Math.floor(this.clock()));
        this.lastCount = v;
        this.checkMatchNow();
        break;
      case RTCCR:
        return true;
      case RTCIMSC:
        this.imsc = v & RTCINTR;
        break;
      case RTCICR:
        this.ris &= ~(v & RTCINTR);
        break;
      default:
        return false;
    }
    this.update();
    return true;
  }

  private checkMatchNow(): void {
    if (this.count() === this.mr) this.ris |= RTCINTR;
  }

  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }
}
