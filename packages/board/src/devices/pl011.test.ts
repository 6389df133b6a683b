import { HvlabError } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  PL011_ID,
  Pl011,
  UART_BEIM,
  UART_RXIM,
  UART_TXIM,
  UARTCR,
  UARTDMACR,
  UARTDR,
  UARTDR_BE,
  UARTECR,
  UARTFBRD,
  UARTFR,
  UARTFR_BUSY,
  UARTFR_RXFE,
  UARTFR_RXFF,
  UARTFR_TXFE,
  UARTFR_TXFF,
  UARTIBRD,
  UARTICR,
  UARTIFLS,
  UARTILPR,
  UARTIMSC,
  UARTLCR_H,
  UARTLCR_H_FEN,
  UARTMIS,
  UARTRIS,
  UARTRSR,
} from './pl011.js';

function setup() {
  const tx: number[] = [];
  const irq: boolean[] = [];
  const invalid: { kind: string; offset: number }[] = [];
  const uart = new Pl011({
    onTx: (b) => tx.push(b),
    irq: { set: (l) => irq.push(l) },
    onInvalidAccess: (a) => invalid.push(a),
  });
  const r = (off: number, size: 1 | 2 | 4 | 8 = 4) => Number(uart.read(off, size));
  const w = (off: number, v: number, size: 1 | 2 | 4 | 8 = 4) => uart.write(off, size, BigInt(v));
  return { uart, tx, irq, invalid, r, w };
}

describe('PL011 UARTDR', () => {
  it('sends written bytes to the sink', () => {
    const { tx, w } = setup();
    w(UARTDR, 0x48);
    w(UARTDR, 0x69, 1);
    expect(tx).toEqual([0x48, 0x69]);
  });

  it('transmits only the low 8 bits', () => {
    const { tx, w } = setup();
    w(UARTDR, 0x1234);
    expect(tx).toEqual([0x34]);
  });

  it('transmits even with UARTEN/TXE clear, as QEMU 7.2 does', () => {
    const { tx, w } = setup();
    w(UARTCR, 0);
    w(UARTDR, 0x41);
    expect(tx).toEqual([0x41]);
  });

  it('returns received characters in order', () => {
    const { uart, r, w } = setup();
    w(UARTLCR_H, UARTLCR_H_FEN);
    uart.pushRx(new TextEncoder().encode('ab'));
    expect([r(UARTDR), r(UARTDR)]).toEqual([0x61, 0x62]);
  });

  it('reads 0 when the FIFO is empty', () => {
    expect(setup().r(UARTDR)).toBe(0);
  });

  it('returns a break as a NUL character with BE (bit 10) set', () => {
    const { uart, r } = setup();
    uart.sendBreak();
    expect(r(UARTDR)).toBe(UARTDR_BE);
  });
});

describe('PL011 UARTRSR/UARTECR', () => {
  it('holds the error bits of the last character read', () => {
    const { uart, r } = setup();
    uart.sendBreak();
    r(UARTDR);
    expect(r(UARTRSR)).toBe(0b0100);
  });

  it('is cleared by a write to UARTECR', () => {
    const { uart, r, w } = setup();
    uart.sendBreak();
    r(UARTDR);
    w(UARTECR, 0xff);
    expect(r(UARTRSR)).toBe(0);
  });

  it('is cleared again by reading a character without errors', () => {
    const { uart, r } = setup();
    uart.sendBreak();
    uart.pushRx([0x41]);
    r(UARTDR);
    r(UARTDR);
    expect(r(UARTRSR)).toBe(0);
  });
});

describe('PL011 UARTFR', () => {
  it('resets to TXFE | RXFE', () => {
    expect(setup().r(UARTFR)).toBe(UARTFR_TXFE | UARTFR_RXFE);
  });

  it('never reports BUSY or TXFF: transmit is instantaneous', () => {
    const { r, w } = setup();
    for (let i = 0; i < 40; i++) w(UARTDR, 0x41);
    expect(r(UARTFR) & (UARTFR_BUSY | UARTFR_TXFF)).toBe(0);
    expect(r(UARTFR) & UARTFR_TXFE).toBe(UARTFR_TXFE);
  });

  it('clears RXFE when a character arrives', () => {
    const { uart, r } = setup();
    uart.pushRx([1]);
    expect(r(UARTFR) & UARTFR_RXFE).toBe(0);
  });

  it('sets RXFF with one character when the FIFO is disabled', () => {
    const { uart, r } = setup();
    uart.pushRx([1, 2]);
    expect(r(UARTFR) & UARTFR_RXFF).toBe(UARTFR_RXFF);
    expect(uart.rxBacklog).toBe(1);
  });

  it('sets RXFF at 16 characters when the FIFO is enabled', () => {
    const { uart, r, w } = setup();
    w(UARTLCR_H, UARTLCR_H_FEN);
    uart.pushRx(new Uint8Array(15));
    expect(r(UARTFR) & UARTFR_RXFF).toBe(0);
    uart.pushRx(new Uint8Array(5));
    expect(r(UARTFR) & UARTFR_RXFF).toBe(UARTFR_RXFF);
    expect(uart.rxBacklog).toBe(4);
  });

  it('ignores writes (read-only)', () => {
    const { r, w, invalid } = setup();
    w(UARTFR, 0);
    expect(r(UARTFR)).toBe(UARTFR_TXFE | UARTFR_RXFE);
    expect(invalid).toEqual([{ kind: 'write', offset: UARTFR, size: 4 }]);
  });
});

describe('PL011 RX backlog', () => {
  it('moves waiting input into the FIFO as the guest reads', () => {
    const { uart, r } = setup();
    uart.pushRx([1, 2, 3]);
    expect([r(UARTDR), r(UARTDR), r(UARTDR), r(UARTDR)]).toEqual([1, 2, 3, 0]);
    expect(uart.rxBacklog).toBe(0);
  });

  it('rejects values that are not bytes', () => {
    const { uart } = setup();
    expect(() => uart.pushRx([256])).toThrow(HvlabError);
    expect(uart.rxBacklog).toBe(0);
  });
});

describe('PL011 baud rate and IrDA registers', () => {
  it('UARTIBRD keeps 16 bits', () => {
    const { r, w } = setup();
    w(UARTIBRD, 0x1_2345);
    expect(r(UARTIBRD)).toBe(0x2345);
  });

  it('UARTFBRD keeps 6 bits', () => {
    const { r, w } = setup();
    w(UARTFBRD, 0xff);
    expect(r(UARTFBRD)).toBe(0x3f);
  });

  it('UARTILPR keeps 8 bits', () => {
    const { r, w } = setup();
    w(UARTILPR, 0x1ab);
    expect(r(UARTILPR)).toBe(0xab);
  });
});

describe('PL011 UARTLCR_H', () => {
  it('reads back what was written (8 bits)', () => {
    const { r, w } = setup();
    w(UARTLCR_H, 0x1_70);
    expect(r(UARTLCR_H)).toBe(0x70);
  });

  it('flushes the receive FIFO when FEN changes', () => {
    const { uart, r, w } = setup();
    uart.pushRx([1]);
    w(UARTLCR_H, UARTLCR_H_FEN);
    expect(r(UARTFR) & UARTFR_RXFE).toBe(UARTFR_RXFE);
  });

  it('keeps the FIFO when FEN does not change', () => {
    const { uart, r, w } = setup();
    w(UARTLCR_H, UARTLCR_H_FEN);
    uart.pushRx([7]);
    w(UARTLCR_H, UARTLCR_H_FEN | 0x60);
    expect(r(UARTDR)).toBe(7);
  });
});

describe('PL011 UARTCR and UARTIFLS', () => {
  it('UARTCR resets to 0x300 (TXE | RXE) and keeps 16 bits', () => {
    const { r, w } = setup();
    expect(r(UARTCR)).toBe(0x300);
    w(UARTCR, 0x1_ff01);
    expect(r(UARTCR)).toBe(0xff01);
  });

  it('UARTIFLS resets to 0x12 (1/2 full) and keeps 6 bits', () => {
    const { r, w } = setup();
    expect(r(UARTIFLS)).toBe(0x12);
    w(UARTIFLS, 0xff);
    expect(r(UARTIFLS)).toBe(0x3f);
  });

  it('UARTDMACR keeps 3 bits', () => {
    const { r, w } = setup();
    w(UARTDMACR, 0xff);
    expect(r(UARTDMACR)).toBe(7);
  });
});

describe('PL011 interrupts', () => {
  it('raises TXRIS on every UARTDR write', () => {
    const { r, w } = setup();
    expect(r(UARTRIS) & UART_TXIM).toBe(0);
    w(UARTDR, 0x41);
    expect(r(UARTRIS) & UART_TXIM).toBe(UART_TXIM);
  });

  it('raises RXRIS when a character arrives and clears it when the FIFO empties', () => {
    const { uart, r } = setup();
    uart.pushRx([1]);
    expect(r(UARTRIS) & UART_RXIM).toBe(UART_RXIM);
    r(UARTDR);
    expect(r(UARTRIS) & UART_RXIM).toBe(0);
  });

  it('keeps RXRIS while the backlog refills the FIFO', () => {
    const { uart, r } = setup();
    uart.pushRx([1, 2]);
    r(UARTDR);
    expect(r(UARTRIS) & UART_RXIM).toBe(UART_RXIM);
  });

  it('raises BERIS on a break', () => {
    const { uart, r } = setup();
    uart.sendBreak();
    expect(r(UARTRIS) & UART_BEIM).toBe(UART_BEIM);
  });

  it('UARTMIS is UARTRIS masked by UARTIMSC', () => {
    const { uart, r, w } = setup();
    uart.pushRx([1]);
    w(UARTDR, 0);
    w(UARTIMSC, UART_RXIM);
    expect(r(UARTMIS)).toBe(UART_RXIM);
    expect(r(UARTIMSC)).toBe(UART_RXIM);
  });

  it('UARTIMSC keeps 11 bits', () => {
    const { r, w } = setup();
    w(UARTIMSC, 0xffff);
    expect(r(UARTIMSC)).toBe(0x7ff);
  });

  it('UARTICR clears the written bits only', () => {
    const { uart, r, w } = setup();
    uart.pushRx([1]);
    w(UARTDR, 0);
    w(UARTICR, UART_TXIM);
    expect(r(UARTRIS)).toBe(UART_RXIM);
  });

  it('UARTICR reads as zero and UARTRIS/UARTMIS ignore writes', () => {
    const { r, w, invalid } = setup();
    w(UARTDR, 0);
    w(UARTRIS, 0);
    w(UARTMIS, 0);
    expect(r(UARTRIS)).toBe(UART_TXIM);
    expect(r(UARTICR)).toBe(0);
    expect(invalid.map((a) => a.offset)).toEqual([UARTRIS, UARTMIS, UARTICR]);
  });

  it('drives the IRQ line with (RIS & IMSC) != 0, only on changes', () => {
    const { r, w, irq } = setup();
    w(UARTDR, 0);
    expect(irq).toEqual([]);
    w(UARTIMSC, UART_TXIM);
    expect(irq).toEqual([true]);
    w(UARTDR, 0);
    expect(irq).toEqual([true]);
    w(UARTICR, UART_TXIM);
    expect(irq).toEqual([true, false]);
    r(UARTMIS);
    expect(irq).toEqual([true, false]);
  });

  it('raises the line when input arrives with RXIM unmasked', () => {
    const { uart, w, irq } = setup();
    w(UARTIMSC, UART_RXIM);
    uart.pushRx([0x0d]);
    expect(irq).toEqual([true]);
    expect(uart.irqAsserted).toBe(true);
  });
});

describe('PL011 identification registers', () => {
  it('UARTPeriphID0-3 and UARTPCellID0-3 read 0x11 0x10 0x14 0x00 / 0x0d 0xf0 0x05 0xb1', () => {
    const { r } = setup();
    expect(Array.from({ length: 8 }, (_, i) => r(0xfe0 + i * 4))).toEqual([...PL011_ID]);
  });

  it('ignores writes to the ID registers', () => {
    const { r, w, invalid } = setup();
    w(0xfe0, 0);
    expect(r(0xfe0)).toBe(0x11);
    expect(invalid).toHaveLength(1);
  });
});

describe('PL011 access sizes and invalid offsets', () => {
  it('reads and writes undecoded offsets as RAZ/WI and reports them', () => {
    const { r, w, invalid } = setup();
    expect(r(0x008)).toBe(0);
    w(0x100, 1);
    expect(invalid).toEqual([
      { kind: 'read', offset: 0x008, size: 4 },
      { kind: 'write', offset: 0x100, size: 4 },
    ]);
  });

  it('returns byte lanes for narrow reads', () => {
    const { r } = setup();
    expect(r(0xfe0 + 0, 1)).toBe(0x11);
    expect(r(UARTCR + 1, 1)).toBe(0x03);
    expect(r(UARTCR, 2)).toBe(0x300);
  });

  it('splits 64-bit accesses into two registers, low first', () => {
    const { uart, r } = setup();
    expect(r(UARTIFLS - 4, 8)).toBe(0x12 * 2 ** 32 + 0x300);
    uart.write(UARTILPR, 8, (0x1234n << 32n) | 0x56n);
    expect(r(UARTILPR)).toBe(0x56);
    expect(r(UARTIBRD)).toBe(0x1234);
  });

  it('ignores misaligned and mid-register narrow writes', () => {
    const { r, w, invalid } = setup();
    w(UARTCR + 1, 0xff, 1);
    w(UARTCR + 2, 0xff, 4);
    expect(r(UARTCR)).toBe(0x300);
    expect(invalid).toHaveLength(2);
  });
});

describe('PL011 snapshot', () => {
  it('round-trips registers, FIFO and backlog', () => {
    const a = setup();
    a.w(UARTLCR_H, UARTLCR_H_FEN);
    a.w(UARTIBRD, 13);
    a.w(UARTIMSC, UART_RXIM);
    a.uart.pushRx(new Uint8Array(20).map((_, i) => i));
    const s = a.uart.snapshot();
    const b = setup();
    b.uart.restore(structuredClone(s));
    expect(b.uart.snapshot()).toEqual(s);
    expect(b.irq).toEqual([true]);
    expect(Array.from({ length: 20 }, () => b.r(UARTDR))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('rejects an invalid state without changing the device', () => {
    const { uart, r } = setup();
    const s = uart.snapshot();
    expect(() => uart.restore({ ...s, ibrd: 0x1_0000 })).toThrow(HvlabError);
    expect(() => uart.restore({ ...s, rxFifo: [1, 2] })).toThrow(/rxFifo/);
    expect(() => uart.restore({ ...s, rxBacklog: [0x1000] })).toThrow(/rxBacklog/);
    expect(r(UARTIBRD)).toBe(0);
  });
});
