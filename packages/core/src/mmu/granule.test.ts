import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import { s2InconsistentSl, sl0For } from './config.js';
import {
  defaultStage2StartLevel,
  GRANULES,
  type Granule,
  indexAtLevel,
  indexBits,
  isBlockLevel,
  levelShift,
  levelSize,
  s1StartLevel,
  tableBytes,
} from './granule.js';

const granule = fc.constantFrom(...GRANULES);
const inputBits = fc.integer({ min: 25, max: 48 });

describe('granule geometry (D8.2)', () => {
  it('gives the level sizes of the Arm ARM tables', () => {
    expect([0, 1, 2, 3].map((l) => levelSize(4096, l))).toEqual([2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12]);
    expect([0, 1, 2, 3].map((l) => levelSize(16384, l))).toEqual([2 ** 47, 2 ** 36, 2 ** 25, 2 ** 14]);
    expect([1, 2, 3].map((l) => levelSize(65536, l))).toEqual([2 ** 42, 2 ** 29, 2 ** 16]);
  });

  it('allows blocks only at the levels AArch64.BlockDescSupported allows (no LPA/LPA2)', () => {
    const table = GRANULES.map((g) => [0, 1, 2, 3].map((l) => isBlockLevel(g, l)));
    expect(table).toEqual([
      [false, true, true, false],
      [false, false, true, false],
      [false, false, true, false],
    ]);
  });

  it('derives the stage-1 start level from the input size (AArch64.S1StartLevel)', () => {
    const starts = (g: Granule, sizes: number[]) => sizes.map((b) => s1StartLevel(g, b));
    expect(starts(4096, [48, 40, 39, 31, 30, 25])).toEqual([0, 0, 1, 1, 2, 2]);
    expect(starts(16384, [48, 47, 37, 36, 26, 25])).toEqual([0, 1, 1, 2, 2, 3]);
    expect(starts(65536, [48, 43, 42, 30, 29, 25])).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('rejects host misuse', () => {
    expect(() => levelShift(8192 as Granule, 1)).toThrow(HvlabError);
    expect(() => levelShift(4096, 4)).toThrow(HvlabError);
    expect(() => s1StartLevel(4096, 49)).toThrow(HvlabError);
    expect(() => indexBits(4096, 0, 39, 1)).toThrow(HvlabError);
    expect(() => indexAtLevel(2 ** 39, 4096, 1, 39, 1)).toThrow(HvlabError);
  });

  test.prop([granule, inputBits])('stage-1 index fields tile the input address exactly', (g, bits) => {
    const start = s1StartLevel(g, bits);
    let total = Math.log2(g);
    for (let l = start; l <= 3; l++) total += indexBits(g, l, bits, start);
    expect(total).toBe(bits);
    // The start level resolves 1..stride bits: stage 1 never concatenates tables.
    const top = indexBits(g, start, bits, start);
    expect(top).toBeGreaterThanOrEqual(1);
    expect(top).toBeLessThanOrEqual(Math.log2(g) - 3);
    expect(tableBytes(g, start, bits, start)).toBeLessThanOrEqual(g);
  });

  test.prop([granule, inputBits, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })])(
    'indexAtLevel extracts the same bits as slicing the binary address',
    (g, bits, frac) => {
      const ia = Math.floor(frac * 2 ** bits);
      const start = s1StartLevel(g, bits);
      const binary = ia.toString(2).padStart(bits, '0');
      for (let l = start; l <= 3; l++) {
        const lo = levelShift(g, l);
        const hi = lo + indexBits(g, l, bits, start); // exclusive
        const slice = binary.slice(bits - hi, bits - lo);
        expect(indexAtLevel(ia, g, l, bits, start)).toBe(Number.parseInt(slice, 2));
      }
    },
  );

  test.prop([granule, inputBits])('the default stage-2 start level is valid with at most 16 root tables', (g, bits) => {
    const start = defaultStage2StartLevel(g, bits);
    expect(s2InconsistentSl(g, start, bits)).toBe(false);
    expect(() => sl0For(g, start)).not.toThrow();
    expect(tableBytes(g, start, bits, start) / g).toBeLessThanOrEqual(16);
  });

  it('matches the Linux/TF-RMM stage-2 start levels for 4K granules', () => {
    expect([32, 34, 35, 40, 43, 44, 48].map((b) => defaultStage2StartLevel(4096, b))).toEqual([2, 2, 1, 1, 1, 0, 0]);
    // 40-bit IPA: level 1 with two concatenated tables; 43 bits: sixteen.
    expect(tableBytes(4096, 1, 40, 1)).toBe(2 * 4096);
    expect(tableBytes(4096, 1, 43, 1)).toBe(16 * 4096);
  });
});
