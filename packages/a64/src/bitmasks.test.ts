/**
 * DecodeBitMasks (Arm ARM J1 shared pseudocode aarch64/instrs/integer/bitmasks), the one
 * implementation the disassembler and the backends share: against a bit-by-bit model of the
 * pseudocode, and known values from GNU binutils' logical immediates.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeBitMasks, logicalImmediate } from './bitmasks.js';

/**
 * The pseudocode step by step on bit arrays: len = HighestSetBit(N:NOT(imms)), levels, S, R,
 * diff; welem = Ones(S + 1), telem = Ones(d + 1); wmask = Replicate(ROR(welem, R)), tmask =
 * Replicate(telem).
 */
function model(n: number, imms: number, immr: number, immediate: boolean, datasize: 32 | 64) {
  const combined = (n << 6) | (~imms & 0x3f);
  let len = -1;
  for (let b = 6; b >= 0; b--)
    if ((combined >> b) & 1) {
      len = b;
      break;
    }
  if (len < 1) return undefined;
  const esize = 1 << len;
  if (esize > datasize) return undefined;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels;
  const r = immr & levels;
  const d = (s - r) & levels;
  const welem = Array.from({ length: esize }, (_, i) => (i <= s ? 1 : 0));
  const telem = Array.from({ length: esize }, (_, i) => (i <= d ? 1 : 0));
  const rot = welem.map((_, i) => welem[(i + r) % esize]!); // ROR by r: bit i <- bit i + r
  const pack = (bits: number[]): bigint => {
    let v = 0n;
    for (let i = 0; i < datasize; i++) if (bits[i % esize]) v |= 1n << BigInt(i);
    return v;
  };
  return { wmask: pack(rot), tmask: pack(telem) };
}

describe('decodeBitMasks', () => {
  test.prop(
    [
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 0, max: 63 }),
      fc.boolean(),
      fc.constantFrom(32 as const, 64 as const),
    ],
    { numRuns: 3000, seed: 7 },
  )('matches the pseudocode bit by bit', (n, imms, immr, immediate, datasize) => {
    expect(decodeBitMasks(n, imms, immr, immediate, datasize)).toEqual(model(n, imms, immr, immediate, datasize));
  });

  it('known logical immediates (as assembled by aarch64-linux-gnu-as)', () => {
    expect(logicalImmediate(1, 1, 0, 3)).toBe(0xfn); // and x0, x0, #0xf
    expect(logicalImmediate(1, 0, 0, 0x3c)).toBe(0x5555_5555_5555_5555n);
    expect(logicalImmediate(1, 1, 60, 59)).toBe(0xffff_ffff_ffff_fff0n); // and x27, x27, #~15
    expect(logicalImmediate(0, 0, 1, 0)).toBe(0x8000_0000n);
    expect(logicalImmediate(1, 1, 0, 63)).toBeUndefined(); // all ones: reserved
    expect(logicalImmediate(0, 1, 0, 0)).toBeUndefined(); // N = 1 with sf = 0
  });
});
