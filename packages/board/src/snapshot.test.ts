/**
 * snapshot() / restore() of every device, as a property: run a random prefix of guest and host
 * operations on device A, snapshot it, JSON-encode the snapshot (it is plain data), restore it
 * into a fresh device B, then run the same random continuation on both. Every read, every
 * interrupt line and the final snapshots must be identical: a snapshot loses nothing that a
 * guest can observe.
 */
import { type AccessSize, SysReg, type SysRegId } from '@hvlab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pl011 } from './devices/pl011.js';
import { Pl031 } from './devices/pl031.js';
import { gicHarness } from './testing/gic-harness.js';

const U64 = (1n << 64n) - 1n;
const mask = (size: AccessSize) => (size === 8 ? U64 : (1n << BigInt(8 * size)) - 1n);

/** A register access somewhere in a device's first `span` bytes, register offsets favoured. */
const regAccess = (span: number, regs: number) =>
  fc.record({
    write: fc.boolean(),
    offset: fc.oneof(
      { weight: 4, arbitrary: fc.nat({ max: regs - 1 }).map((n) => n * 4) },
      fc.nat({ max: span - 1 }),
      fc.nat({ max: 7 }).map((n) => 0xfe0 + n * 4),
    ),
    size: fc.constantFrom<AccessSize>(4, 4, 4, 1, 2, 8),
    value: fc.oneof(fc.bigInt({ min: 0n, max: U64 }), fc.nat({ max: 0x7ff }).map(BigInt)),
  });

const roundTrip = <T>(s: T): T => JSON.parse(JSON.stringify(s)) as T;

describe('snapshot / restore round trips (property)', () => {
  it('PL011: registers, RX FIFO, host backlog, break, interrupt line', () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: regAccess(0x50, 0x13).map((a) => ({ kind: 'reg' as const, ...a })) },
      fc.uint8Array({ maxLength: 24 }).map((bytes) => ({ kind: 'rx' as const, bytes })),
      fc.constant({ kind: 'break' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(op, { maxLength: 40 }), (before, after) => {
        const make = () => {
          const trace: unknown[] = [];
          const uart = new Pl011({ irq: { set: (l) => trace.push(['irq', l]) }, onTx: (b) => trace.push(['tx', b]) });
          return { uart, trace };
        };
        const apply = (d: ReturnType<typeof make>, o: (typeof before)[number]) => {
          if (o.kind === 'rx') d.uart.pushRx(o.bytes);
          else if (o.kind === 'break') d.uart.sendBreak();
          else if (o.write) d.uart.write(o.offset, o.size, o.value & mask(o.size));
          else d.trace.push(['read', o.offset, o.size, d.uart.read(o.offset, o.size)]);
        };
        const a = make();
        for (const o of before) apply(a, o);
        const b = make();
        b.uart.restore(roundTrip(a.uart.snapshot()));
        expect(b.uart.irqAsserted).toBe(a.uart.irqAsserted);
        a.trace.length = 0;
        b.trace.length = 0;
        for (const o of after) {
          apply(a, o);
          apply(b, o);
        }
        expect(b.trace).toEqual(a.trace);
        expect(b.uart.snapshot()).toEqual(a.uart.snapshot());
      }),
      { numRuns: 400 },
    );
  });

  it('PL031: counter offset, match, load, mask and status on a shared clock', () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: regAccess(0x20, 8).map((a) => ({ kind: 'reg' as const, ...a })) },
      fc.double({ min: 0, max: 5, noNaN: true }).map((dt) => ({ kind: 'tick' as const, dt })),
      fc.constant({ kind: 'poll' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(op, { maxLength: 40 }), (before, after) => {
        let now = 1_700_000_000.25;
        const clock = () => now;
        const make = () => {
          const trace: unknown[] = [];
          return { rtc: new Pl031({ clock, irq: { set: (l) => trace.push(['irq', l]) } }), trace };
        };
        const a = make();
        const b = make();
        const apply = (d: ReturnType<typeof make>, o: (typeof before)[number]) => {
          if (o.kind === 'poll') d.rtc.poll();
          else if (o.kind === 'reg') {
            if (o.write) d.rtc.write(o.offset, o.size, o.value & mask(o.size));
            else d.trace.push(['read', o.offset, o.size, d.rtc.read(o.offset, o.size)]);
          }
        };
        for (const o of before) {
          if (o.kind === 'tick') now += o.dt;
          else apply(a, o);
        }
        b.rtc.restore(roundTrip(a.rtc.snapshot()));
        expect(b.rtc.irqAsserted).toBe(a.rtc.irqAsserted);
        a.trace.length = 0;
        b.trace.length = 0;
        for (const o of after) {
          if (o.kind === 'tick') now += o.dt;
          else {
            apply(a, o);
            apply(b, o);
          }
        }
        expect(b.trace).toEqual(a.trace);
        expect(b.rtc.snapshot()).toEqual(a.rtc.snapshot());
      }),
      { numRuns: 400 },
    );
  });

  it('GICv3: distributor, redistributors, CPU interfaces and input lines', () => {
    const ICC: SysRegId[] = [
      SysReg.ICC_PMR_EL1,
      SysReg.ICC_BPR0_EL1,
      SysReg.ICC_BPR1_EL1,
      SysReg.ICC_CTLR_EL1,
      SysReg.ICC_IGRPEN0_EL1,
      SysReg.ICC_IGRPEN1_EL1,
      SysReg.ICC_AP0R0_EL1,
      SysReg.ICC_AP1R0_EL1,
      SysReg.ICC_IAR0_EL1,
      SysReg.ICC_IAR1_EL1,
      SysReg.ICC_EOIR0_EL1,
      SysReg.ICC_EOIR1_EL1,
      SysReg.ICC_DIR_EL1,
      SysReg.ICC_HPPIR1_EL1,
      SysReg.ICC_RPR_EL1,
      SysReg.ICC_SGI0R_EL1,
      SysReg.ICC_SGI1R_EL1,
      SysReg.ICC_ASGI1R_EL1,
    ];
    // Offsets where the interesting GICD/GICR registers are, for both 2 KiB windows.
    const gicOffset = fc.oneof(
      fc.constantFrom(0x0, 0x4, 0x8).map((o) => ({ frame: 'd' as const, o })),
      fc.nat({ max: 0x1ff }).map((n) => ({ frame: 'd' as const, o: 0x80 + 4 * n })), // bitmaps
      fc.nat({ max: 0xff }).map((n) => ({ frame: 'd' as const, o: 0x400 + 4 * n })), // priorities
      fc.nat({ max: 0x3f }).map((n) => ({ frame: 'd' as const, o: 0xc00 + 4 * n })), // ICFGR
      fc.nat({ max: 0xff }).map((n) => ({ frame: 'd' as const, o: 0x6000 + 8 * n })), // IROUTER
      fc.constantFrom(0x14).map((o) => ({ frame: 'r' as const, o })), // GICR_WAKER
      fc.nat({ max: 0xfff }).map((n) => ({ frame: 's' as const, o: (0x80 + 4 * n) & 0xfff })),
    );
    const op = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('mmio' as const),
          cpu: fc.nat({ max: 1 }),
          at: gicOffset,
          write: fc.boolean(),
          size: fc.constantFrom<AccessSize>(4, 4, 1, 8),
          value: fc.oneof(fc.bigInt({ min: 0n, max: U64 }), fc.constantFrom(0n, 1n, 3n, 0xffn, 0xffff_ffffn)),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('icc' as const),
          cpu: fc.nat({ max: 1 }),
          reg: fc.constantFrom(...ICC),
          write: fc.boolean(),
          value: fc.oneof(fc.bigInt({ min: 0n, max: U64 }), fc.nat({ max: 0xff }).map(BigInt)),
        }),
      },
      fc.record({ kind: fc.constant('spi' as const), intid: fc.integer({ min: 32, max: 255 }), level: fc.boolean() }),
      fc.record({
        kind: fc.constant('ppi' as const),
        cpu: fc.nat({ max: 1 }),
        intid: fc.integer({ min: 16, max: 31 }),
        level: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(op, { maxLength: 60 }),
        fc.array(op, { maxLength: 60 }),
        (group1, before, after) => {
          const make = () => {
            const h = gicHarness(2, { resetToGroup1: group1 });
            h.enableAll();
            return { h, trace: [] as unknown[] };
          };
          const apply = ({ h, trace }: ReturnType<typeof make>, o: (typeof before)[number]) => {
            if (o.kind === 'spi') h.gic.setSpi(o.intid, o.level);
            else if (o.kind === 'ppi') h.gic.setPpi(o.cpu, o.intid, o.level);
            else if (o.kind === 'icc') {
              if (o.write) h.msr(o.cpu, o.reg, o.value);
              else trace.push(['mrs', o.cpu, o.reg, h.mrs(o.cpu, o.reg)]);
            } else {
              const { frame, o: off } = o.at;
              const v = o.value & mask(o.size);
              const base = frame === 'd' ? 0 : o.cpu * 0x2_0000 + (frame === 's' ? 0x1_0000 : 0);
              const dev = frame === 'd' ? h.dist : h.redist;
              if (o.write) dev.write(base + off, o.size, v);
              else trace.push(['read', frame, off, o.size, dev.read(base + off, o.size)]);
            }
            trace.push(h.cpus.map((c) => [c.irqLine, c.fiqLine]));
          };
          const a = make();
          for (const o of before) apply(a, o);
          const b = make();
          b.h.gic.restore(roundTrip(a.h.gic.snapshot()));
          expect(b.h.cpus.map((c) => [c.irqLine, c.fiqLine])).toEqual(a.h.cpus.map((c) => [c.irqLine, c.fiqLine]));
          a.trace.length = 0;
          for (const o of after) {
            apply(a, o);
            apply(b, o);
          }
          expect(b.trace).toEqual(a.trace);
          expect(b.h.gic.snapshot()).toEqual(a.h.gic.snapshot());
        },
      ),
      { numRuns: 300 },
    );
  });
});
