import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { addrAdd, alignDown, alignUp, hex64, isAligned, pa, va } from './addr.js';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const align = fc.integer({ min: 0, max: 30 }).map((s) => 1n << BigInt(s));

describe('branded addresses', () => {
  it('rejects values outside 64 bits', () => {
    expect(() => pa(-1)).toThrow(RangeError);
    expect(() => va(1n << 64n)).toThrow(RangeError);
    expect(pa(0x4000_0000)).toBe(0x4000_0000n);
  });

  it('formats as 16 hex digits', () => {
    expect(hex64(0x9000000n)).toBe('0x0000000009000000');
  });

  test.prop([u64, fc.bigInt({ min: 0n, max: 1n << 40n })])('addrAdd is exact or throws on overflow', (a, off) => {
    const sum = a + off;
    if (sum >= 1n << 64n) expect(() => addrAdd(pa(a), off)).toThrow(RangeError);
    else expect(addrAdd(pa(a), off)).toBe(sum);
  });

  test.prop([u64, align])('alignDown is the largest aligned value not above a', (a, al) => {
    const d = alignDown(pa(a), al);
    expect(isAligned(d, al)).toBe(true);
    expect(d <= a && a - d < al).toBe(true);
  });

  test.prop([fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), align])(
    'alignUp is the smallest aligned value not below a',
    (a, al) => {
      const u = alignUp(va(a), al);
      expect(isAligned(u, al)).toBe(true);
      expect(u >= a && u - a < al).toBe(true);
    },
  );
});
