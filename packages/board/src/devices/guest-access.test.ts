import type { AccessSize } from '@hvlab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gicHarness } from '../testing/gic-harness.js';
import { Pl011 } from './pl011.js';
import { Pl031 } from './pl031.js';

/** Guest input never throws: any access at any offset, size and value ends as a defined result. */
const access = (span: number) =>
  fc.record({
    write: fc.boolean(),
    offset: fc.oneof(
      fc.nat({ max: span - 1 }),
      fc.nat({ max: 0x100 }).map((n) => n * 4),
    ),
    size: fc.constantFrom<AccessSize>(1, 2, 4, 8),
    value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  });

describe('guest accesses never throw', () => {
  it('PL011', () => {
    fc.assert(
      fc.property(fc.array(access(0x1000), { maxLength: 60 }), fc.uint8Array({ maxLength: 40 }), (ops, input) => {
        const uart = new Pl011();
        uart.pushRx(input);
        for (const op of ops) {
          if (op.write) uart.write(op.offset, op.size, op.value & ((1n << BigInt(8 * op.size)) - 1n));
          else expect(uart.read(op.offset, op.size)).toBeLessThan(1n << BigInt(8 * op.size));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('PL031', () => {
    fc.assert(
      fc.property(fc.array(access(0x1000), { maxLength: 60 }), (ops) => {
        let t = 0;
        const rtc = new Pl031({ clock: () => (t += 0.37) });
        for (const op of ops) {
          if (op.write) rtc.write(op.offset, op.size, op.value & ((1n << BigInt(8 * op.size)) - 1n));
          else expect(rtc.read(op.offset, op.size)).toBeLessThan(1n << BigInt(8 * op.size));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('GICv3 distributor, redistributors and ICC registers', () => {
    const h0 = gicHarness(2);
    const iccIds = [...h0.icc.keys()];
    const icc = fc.record({
      icc: fc.constant(true),
      cpu: fc.nat({ max: 1 }),
      reg: fc.constantFrom(...iccIds),
      write: fc.boolean(),
      value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    });
    const mmio = fc.record({ icc: fc.constant(false), dist: fc.boolean(), a: access(0x4_0000) });
    fc.assert(
      fc.property(fc.array(fc.oneof(icc, mmio), { maxLength: 80 }), fc.array(fc.nat({ max: 255 })), (ops, spis) => {
        const h = gicHarness(2);
        for (const s of spis) if (s >= 32) h.gic.setSpi(s, s % 2 === 0);
        for (const op of ops) {
          if (op.icc) {
            if (op.write) h.msr(op.cpu, op.reg, op.value);
            else {
              // A read either yields a 64-bit value or is declined (UNDEFINED: write-only register).
              const v = h.mrs(op.cpu, op.reg);
              if (v !== undefined) expect(v >= 0n && v < 1n << 64n).toBe(true);
            }
          } else {
            const dev = op.dist ? h.dist : h.redist;
            const off = op.dist ? op.a.offset % 0x1_0000 : op.a.offset;
            const v = op.a.value & ((1n << BigInt(8 * op.a.size)) - 1n);
            if (op.a.write) dev.write(off, op.a.size, v);
            else expect(dev.read(off, op.a.size)).toBeLessThan(1n << BigInt(8 * op.a.size));
          }
          for (const c of h.cpus) h.gic.syncCpu(c);
        }
      }),
      { numRuns: 300 },
    );
  });
});
