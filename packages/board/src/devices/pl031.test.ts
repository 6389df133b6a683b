import { HvlabError } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { PL031_ID, Pl031, RTCCR, RTCDR, RTCICR, RTCIMSC, RTCLR, RTCMIS, RTCMR, RTCRIS } from './pl031.js';

function setup(start = 1000) {
  let now = start;
  const irq: boolean[] = [];
  const invalid: number[] = [];
  const rtc = new Pl031({
    clock: () => now,
    irq: { set: (l) => irq.push(l) },
    onInvalidAccess: (a) => invalid.push(a.offset),
  });
  const r = (off: number) => Number(rtc.read(off, 4));
  const w = (off: number, v: number) => rtc.write(off, 4, BigInt(v));
  const advance = (s: number) => {
    now += s;
  };
  return { rtc, irq, invalid, r, w, advance };
}

describe('PL031 RTCDR', () => {
  it('reads the clock in whole seconds', () => {
    const { r, advance } = setup(1000.75);
    expect(r(RTCDR)).toBe(1000);
    advance(0.5);
    expect(r(RTCDR)).toBe(1001);
  });

  it('is read-only', () => {
    const { r, w, invalid } = setup();
    w(RTCDR, 5);
    expect(r(RTCDR)).toBe(1000);
    expect(invalid).toEqual([RTCDR]);
  });

  it('wraps at 2^32', () => {
    const { r } = setup(2 ** 32 + 3);
    expect(r(RTCDR)).toBe(3);
  });
});

describe('PL031 RTCLR', () => {
  it('loads the counter, which then keeps counting', () => {
    const { r, w, advance } = setup();
    w(RTCLR, 0xffff_fffe);
    expect(r(RTCDR)).toBe(0xffff_fffe);
    advance(3);
    expect(r(RTCDR)).toBe(1);
  });

  it('reads back the last value loaded', () => {
    const { r, w } = setup();
    w(RTCLR, 42);
    expect(r(RTCLR)).toBe(42);
  });
});

describe('PL031 RTCMR', () => {
  it('reads back', () => {
    const { r, w } = setup();
    w(RTCMR, 0x1234_5678);
    expect(r(RTCMR)).toBe(0x1234_5678);
  });

  it('sets RTCRIS when the counter reaches the match value', () => {
    const { rtc, r, w, advance } = setup();
    w(RTCMR, 1005);
    advance(4);
    rtc.poll();
    expect(r(RTCRIS)).toBe(0);
    advance(1);
    rtc.poll();
    expect(r(RTCRIS)).toBe(1);
  });

  it('sets RTCRIS when the counter jumped past the match value between samples', () => {
    const { r, w, advance } = setup();
    w(RTCMR, 1005);
    advance(100);
    expect(r(RTCRIS)).toBe(1);
  });

  it('sets RTCRIS at once when written with the current count', () => {
    const { r, w } = setup();
    w(RTCMR, 1000);
    expect(r(RTCRIS)).toBe(1);
  });

  it('does not match a value already in the past', () => {
    const { rtc, r, w, advance } = setup();
    w(RTCMR, 999);
    advance(10);
    rtc.poll();
    expect(r(RTCRIS)).toBe(0);
  });

  it('matches after RTCLR loads the match value', () => {
    const { r, w } = setup();
    w(RTCMR, 7);
    w(RTCLR, 7);
    expect(r(RTCRIS)).toBe(1);
  });

  it('matches across the 2^32 wrap', () => {
    const { rtc, r, w, advance } = setup();
    w(RTCLR, 0xffff_ffff);
    w(RTCMR, 1);
    advance(2);
    rtc.poll();
    expect(r(RTCRIS)).toBe(1);
  });
});

describe('PL031 RTCCR', () => {
  it('reads 1: the RTC runs from reset', () => {
    expect(setup().r(RTCCR)).toBe(1);
  });

  it('ignores writes (RTCStart cannot be cleared until reset)', () => {
    const { r, w, invalid } = setup();
    w(RTCCR, 0);
    expect(r(RTCCR)).toBe(1);
    expect(invalid).toEqual([]);
  });
});

describe('PL031 interrupt registers', () => {
  it('RTCIMSC keeps bit 0 only', () => {
    const { r, w } = setup();
    w(RTCIMSC, 0xff);
    expect(r(RTCIMSC)).toBe(1);
  });

  it('RTCMIS is RTCRIS masked by RTCIMSC', () => {
    const { r, w } = setup();
    w(RTCMR, 1000);
    expect(r(RTCMIS)).toBe(0);
    w(RTCIMSC, 1);
    expect(r(RTCMIS)).toBe(1);
  });

  it('RTCICR clears RTCRIS and lowers the line', () => {
    const { r, w, irq } = setup();
    w(RTCIMSC, 1);
    w(RTCMR, 1000);
    expect(irq).toEqual([true]);
    w(RTCICR, 1);
    expect(r(RTCRIS)).toBe(0);
    expect(irq).toEqual([true, false]);
  });

  it('RTCICR reads as zero and RTCRIS/RTCMIS are read-only', () => {
    const { r, w, invalid } = setup();
    w(RTCRIS, 1);
    w(RTCMIS, 1);
    expect(r(RTCRIS)).toBe(0);
    expect(r(RTCICR)).toBe(0);
    expect(invalid).toEqual([RTCRIS, RTCMIS, RTCICR]);
  });

  it('drives the line from a poll() when the match is reached', () => {
    const { rtc, w, irq, advance } = setup();
    w(RTCIMSC, 1);
    w(RTCMR, 1002);
    advance(2);
    rtc.poll();
    expect(irq).toEqual([true]);
    expect(rtc.irqAsserted).toBe(true);
  });
});

describe('PL031 identification and invalid offsets', () => {
  it('RTCPeriphID0-3 and RTCPCellID0-3 read 0x31 0x10 0x14 0x00 / 0x0d 0xf0 0x05 0xb1', () => {
    const { r } = setup();
    expect(Array.from({ length: 8 }, (_, i) => r(0xfe0 + i * 4))).toEqual([...PL031_ID]);
  });

  it('reads undecoded offsets as zero and ignores writes to them', () => {
    const { r, w, invalid } = setup();
    expect(r(0x20)).toBe(0);
    w(0x800, 1);
    expect(invalid).toEqual([0x20, 0x800]);
  });
});

describe('PL031 construction and snapshot', () => {
  it('requires a clock', () => {
    expect(() => new Pl031({} as never)).toThrow(HvlabError);
  });

  it('round-trips its state', () => {
    const a = setup();
    a.w(RTCLR, 77);
    a.w(RTCMR, 80);
    a.w(RTCIMSC, 1);
    const s = a.rtc.snapshot();
    const b = setup();
    b.rtc.restore(structuredClone(s));
    expect(b.rtc.snapshot()).toEqual(s);
    expect(b.r(RTCDR)).toBe(77);
    b.advance(3);
    b.rtc.poll();
    expect(b.irq).toEqual([true]);
  });

  it('rejects an invalid state', () => {
    const { rtc } = setup();
    expect(() => rtc.restore({ ...rtc.snapshot(), ris: 2 })).toThrow(HvlabError);
    expect(() => rtc.restore({ ...rtc.snapshot(), mr: -1 })).toThrow(HvlabError);
  });
});
