/**
 * ARM PrimeCell UART (PL011), after the Technical Reference Manual ARM DDI 0183 (r1p5) and
 * QEMU 7.2's model (qemu/qemu hw/char/pl011.c), whose guest-visible behaviour it copies so
 * that console output matches QEMU byte for byte.
 *
 * Transmit is instantaneous: a write to UARTDR hands the byte to the sink and the TX FIFO is
 * always empty again (UARTFR.TXFE = 1, BUSY = TXFF = 0), and TXRIS is raised on every write.
 * Receive uses a FIFO of 16 entries (UARTLCR_H.FEN = 1) or a 1-entry holding register; each
 * entry is a character with its error bits 11:8 (OE BE PE FE) as UARTDR returns it. Host input
 * waits in a backlog and enters the FIFO as the guest drains it, so nothing is ever overrun.
 *
 *   RX entry state:  backlog ──(FIFO has room)──► FIFO ──(guest reads UARTDR)──► gone
 *
 *   RXRIS: set when the FIFO reaches the trigger level, cleared when it falls below it or by
 *          UARTICR. Like QEMU, the trigger level is 1 character whatever UARTIFLS says (QEMU:
 *          "Triggering the interrupt when the FIFO is non-empty seems to make things work"),
 *          and there is no receive-timeout interrupt.
 *   TXRIS: set on each UARTDR write, cleared by UARTICR.
 *   BERIS: set when a break (sendBreak) enters the FIFO, cleared by UARTICR.
 *   UARTINTR (the IRQ line) = (UARTRIS & UARTIMSC) != 0.
 *
 * Also as QEMU 7.2: UARTCR.UARTEN/TXE/RXE do not gate transmit or receive (bare-metal guests
 * print without enabling the UART), and loopback (LBE) is not modelled.
 */
import { type AccessSize, HvlabError, type MmioDevice } from '@hvlab/core';
import { type InvalidAccessHandler, type IrqLine, NO_IRQ, primeCellId, read32Regs, write32Regs } from './irq.js';

/** Register offsets (DDI 0183 Table 3-1). */
export const UARTDR = 0x000; // RW data
export const UARTRSR = 0x004; // RO receive status (read)
export const UARTECR = 0x004; // WO error clear (write)
export const UARTFR = 0x018; // RO flags
export const UARTILPR = 0x020; // RW IrDA low-power counter
export const UARTIBRD = 0x024; // RW integer baud rate divisor
export const UARTFBRD = 0x028; // RW fractional baud rate divisor
export const UARTLCR_H = 0x02c; // RW line control
export const UARTCR = 0x030; // RW control
export const UARTIFLS = 0x034; // RW interrupt FIFO level select
export const UARTIMSC = 0x038; // RW interrupt mask set/clear
export const UARTRIS = 0x03c; // RO raw interrupt status
export const UARTMIS = 0x040; // RO masked interrupt status
export const UARTICR = 0x044; // WO interrupt clear
export const UARTDMACR = 0x048; // RW DMA control
export const UARTPeriphID0 = 0xfe0;
export const UARTPCellID0 = 0xff0;

/** UARTPeriphID0-3 and UARTPCellID0-3 (QEMU pl011_id_arm; DDI 0183 3.3.14-15). */
export const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

/** UARTFR bits (DDI 0183 3.3.3). */
export const UARTFR_CTS = 1 << 0;
export const UARTFR_DSR = 1 << 1;
export const UARTFR_DCD = 1 << 2;
export const UARTFR_BUSY = 1 << 3;
export const UARTFR_RXFE = 1 << 4;
export const UARTFR_TXFF = 1 << 5;
export const UARTFR_RXFF = 1 << 6;
export const UARTFR_TXFE = 1 << 7;
export const UARTFR_RI = 1 << 8;

/** UARTLCR_H.FEN: enable FIFOs (DDI 0183 3.3.7). */
export const UARTLCR_H_FEN = 1 << 4;

/** Interrupt bits shared by UARTIMSC/RIS/MIS/ICR (DDI 0183 3.3.10-13). */
export const UART_RIMIM = 1 << 0;
export const UART_CTSMIM = 1 << 1;
export const UART_DCDMIM = 1 << 2;
export const UART_DSRMIM = 1 << 3;
export const UART_RXIM = 1 << 4;
export const UART_TXIM = 1 << 5;
export const UART_RTIM = 1 << 6;
export const UART_FEIM = 1 << 7;
export const UART_PEIM = 1 << 8;
export const UART_BEIM = 1 << 9;
export const UART_OEIM = 1 << 10;
const UART_INT_MASK = 0x7ff;

/** UARTDR error bits as read (DDI 0183 3.3.1): FE 8, PE 9, BE 10, OE 11. */
export const UARTDR_BE = 1 << 10;

const FIFO_DEPTH = 16;
/** Reset values (DDI 0183 Table 3-1; QEMU pl011_reset). */
const UARTCR_RESET = 0x0300;
const UARTIFLS_RESET = 0x12;

/** Everything a PL011 needs to resume: plain data, safe to structuredClone or JSON-encode. */
export interface Pl011State {
  readonly rsr: number;
  readonly ilpr: number;
  readonly ibrd: number;
  readonly fbrd: number;
  readonly lcrH: number;
  readonly cr: number;
  readonly ifls: number;
  readonly imsc: number;
  readonly ris: number;
  readonly dmacr: number;
  /** RX FIFO entries, oldest first (character | error bits << 8). */
  readonly rxFifo: readonly number[];
  /** Host input not yet in the FIFO. */
  readonly rxBacklog: readonly number[];
}

export interface Pl011Options {
  /** The UARTINTR output (the board wires it to SPI 1). */
  readonly irq?: IrqLine;
  /** Receives each transmitted byte. */
  readonly onTx?: (byte: number) => void;
  readonly onInvalidAccess?: InvalidAccessHandler;
}

export class Pl011 implements MmioDevice {
  readonly name = 'pl011';
  private readonly irq: IrqLine;
  private readonly onTx: (byte: number) => void;
  private readonly onInvalid: InvalidAccessHandler | undefined;
  private rsr = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrH = 0;
  private cr = UARTCR_RESET;
  private ifls = UARTIFLS_RESET;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private fifo: number[] = [];
  /** Host input queue: entries from backlogHead on are still waiting. */
  private backlog: number[] = [];
  private backlogHead = 0;
  private irqLevel = false;

  constructor(opts: Pl011Options = {}) {
    this.irq = opts.irq ?? NO_IRQ;
    this.onTx = opts.onTx ?? (() => {});
    this.onInvalid = opts.onInvalidAccess;
  }

  read(offset: number, size: AccessSize): bigint {
    return read32Regs(offset, size, (o) => this.readReg(o), this.onInvalid);
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    write32Regs(offset, size, value, (o, v) => this.writeReg(o, v), this.onInvalid);
  }

  /** Host input (stdin): queued, and moved into the RX FIFO as the guest makes room. */
  pushRx(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes)
      if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new HvlabError('EINVAL', `PL011: ${b} is not a byte`);
    for (const b of bytes) this.backlog.push(b);
    this.fillFifo();
  }

  /** Host-side break condition: a NUL character with BE set, as QEMU's CHR_EVENT_BREAK. */
  sendBreak(): void {
    this.backlog.push(UARTDR_BE);
    this.fillFifo();
  }

  /** Bytes of host input not yet in the RX FIFO. */
  get rxBacklog(): number {
    return this.backlog.length - this.backlogHead;
  }

  /** The UARTINTR level. */
  get irqAsserted(): boolean {
    return this.irqLevel;
  }

  snapshot(): Pl011State {
    return {
      rsr: this.rsr,
      ilpr: this.ilpr,
      ibrd: this.ibrd,
      fbrd: this.fbrd,
      lcrH: this.lcrH,
      cr: this.cr,
      ifls: this.ifls,
      imsc: this.imsc,
      ris: this.ris,
      dmacr: this.dmacr,
      rxFifo: [...this.fifo],
      rxBacklog: this.backlog.slice(this.backlogHead),
    };
  }

  /** Restores a snapshot (validated first: EINVAL leaves the device unchanged). */
  restore(s: Pl011State): void {
    const fields: [keyof Pl011State, number][] = [
      ['rsr', 0xf],
      ['ilpr', 0xff],
      ['ibrd', 0xffff],
      ['fbrd', 0x3f],
      ['lcrH', 0xff],
      ['cr', 0xffff],
      ['ifls', 0x3f],
      ['imsc', UART_INT_MASK],
      ['ris', UART_INT_MASK],
      ['dmacr', 0x7],
    ];
    for (const [k, max] of fields) {
      const v = s[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (v & ~max) !== 0)
        throw new HvlabError('EINVAL', `PL011 state: ${k} = ${String(v)} is out of range`);
    }
    const depth = (s.lcrH & UARTLCR_H_FEN) !== 0 ? FIFO_DEPTH : 1;
    if (!Array.isArray(s.rxFifo) || s.rxFifo.length > depth || !s.rxFifo.every((e) => isEntry(e)))
      throw new HvlabError('EINVAL', 'PL011 state: bad rxFifo');
    if (!Array.isArray(s.rxBacklog) || !s.rxBacklog.every((e) => isEntry(e)))
      throw new HvlabError('EINVAL', 'PL011 state: bad rxBacklog');
    this.rsr = s.rsr;
    this.ilpr = s.ilpr;
    this.ibrd = s.ibrd;
    this.fbrd = s.fbrd;
    this.lcrH = s.lcrH;
    this.cr = s.cr;
    this.ifls = s.ifls;
    this.imsc = s.imsc;
    this.ris = s.ris;
    this.dmacr = s.dmacr;
    this.fifo = [...s.rxFifo];
    this.backlog = [...s.rxBacklog];
    this.backlogHead = 0;
    this.fillFifo();
    this.update();
  }

  // ---- registers -----------------------------------------------------------------------------

  private readReg(offset: number): number | undefined {
    switch (offset) {
      case UARTDR:
        return this.readData();
      case UARTRSR:
        return this.rsr;
      case UARTFR:
        return this.flags();
      case UARTILPR:
        return this.ilpr;
      case UARTIBRD:
        return this.ibrd;
      case UARTFBRD:
        return this.fbrd;
      case UARTLCR_H:
        return this.lcrH;
      case UARTCR:
        return this.cr;
      case UARTIFLS:
        return this.ifls;
      case UARTIMSC:
        return this.imsc;
      case UARTRIS:
        return this.ris;
      case UARTMIS:
        return this.ris & this.imsc;
      case UARTDMACR:
        return this.dmacr;
      default:
        return primeCellId(offset, PL011_ID);
    }
  }

  private writeReg(offset: number, v: number): boolean {
    switch (offset) {
      case UARTDR:
        this.onTx(v & 0xff);
        this.ris |= UART_TXIM;
        break;
      case UARTECR:
        this.rsr = 0;
        return true;
      case UARTILPR:
        this.ilpr = v & 0xff;
        return true;
      case UARTIBRD:
        this.ibrd = v & 0xffff;
        return true;
      case UARTFBRD:
        this.fbrd = v & 0x3f;
        return true;
      case UARTLCR_H:
        // QEMU pl011_write: changing FEN resets the FIFO.
        if ((this.lcrH ^ v) & UARTLCR_H_FEN) this.fifo = [];
        this.lcrH = v & 0xff;
        this.fillFifo();
        break;
      case UARTCR:
        this.cr = v & 0xffff;
        return true;
      case UARTIFLS:
        this.ifls = v & 0x3f;
        return true;
      case UARTIMSC:
        this.imsc = v & UART_INT_MASK;
        break;
      case UARTICR:
        this.ris &= ~v;
        break;
      case UARTDMACR:
        this.dmacr = v & 0x7;
        return true;
      default:
        return false;
    }
    this.update();
    return true;
  }

  private readData(): number {
    const entry = this.fifo.shift();
    if (entry === undefined) return 0;
    this.rsr = (entry >> 8) & 0xf;
    if (this.fifo.length === 0) this.ris &= ~UART_RXIM;
    this.fillFifo();
    this.update();
    return entry;
  }

  private flags(): number {
    let f = UARTFR_TXFE;
    if (this.fifo.length === 0) f |= UARTFR_RXFE;
    if (this.fifo.length >= this.depth()) f |= UARTFR_RXFF;
    return f;
  }

  private depth(): number {
    return (this.lcrH & UARTLCR_H_FEN) !== 0 ? FIFO_DEPTH : 1;
  }

  /** Moves host input into the FIFO while there is room (QEMU pl011_can_receive/pl011_put_fifo). */
  private fillFifo(): void {
    while (this.backlogHead < this.backlog.length && this.fifo.length < this.depth()) {
      const entry = this.backlog[this.backlogHead++]!;
      this.fifo.push(entry);
      if (entry & UARTDR_BE) this.ris |= UART_BEIM;
      // The trigger level is one character (see the note at the top of the file).
      this.ris |= UART_RXIM;
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog = [];
      this.backlogHead = 0;
    } else if (this.backlogHead > 4096) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
    this.update();
  }

  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }
}

const isEntry = (e: unknown): boolean => typeof e === 'number' && Number.isInteger(e) && e >= 0 && e <= 0xfff;
