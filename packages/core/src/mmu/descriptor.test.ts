import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import {
  AP,
  decodeS1Leaf,
  decodeS2Leaf,
  decodeTableAttrs,
  descOutputAddress,
  isLeafDesc,
  isS1BlockDesc,
  isS1PageDesc,
  isS2BlockDesc,
  isS2PageDesc,
  isTableDesc,
  isValidDesc,
  S2_MEMATTR,
  S2AP,
  S2XN,
  s1BlockDesc,
  s1PageDesc,
  s2BlockDesc,
  s2MemAttrIsDevice,
  s2PageDesc,
  tableDesc,
} from './descriptor.js';
import { GRANULES, isBlockLevel, levelSize } from './granule.js';

const s1Attrs = fc.record({
  attrIndx: fc.integer({ min: 0, max: 7 }),
  ns: fc.boolean(),
  ap: fc.integer({ min: 0, max: 3 }),
  sh: fc.constantFrom(0, 2, 3),
  af: fc.boolean(),
  ng: fc.boolean(),
  dbm: fc.boolean(),
  contiguous: fc.boolean(),
  pxn: fc.boolean(),
  uxn: fc.boolean(),
  sw: fc.integer({ min: 0, max: 15 }),
});

const s2Attrs = fc
  .record({
    memAttr: fc.integer({ min: 0, max: 15 }),
    s2ap: fc.integer({ min: 0, max: 3 }),
    sh: fc.constantFrom(0, 2, 3),
    af: fc.boolean(),
    xn: fc.integer({ min: 0, max: 3 }),
    dbm: fc.boolean(),
    contiguous: fc.boolean(),
    sw: fc.integer({ min: 0, max: 15 }),
  })
  .map((a) => ({ ...a, ns: (a.sw & 1) === 1 }));

/** A granule, a leaf level it allows, and an output address aligned to that level. */
const leafSpot = fc
  .constantFrom(...GRANULES)
  .chain((g) =>
    fc
      .constantFrom(...[1, 2, 3].filter((l) => l === 3 || isBlockLevel(g, l)))
      .chain((level) =>
        fc
          .integer({ min: 0, max: 2 ** 48 / levelSize(g, level) - 1 })
          .map((n) => ({ g, level, pa: n * levelSize(g, level) })),
      ),
  );

describe('descriptor constructors (D8.3)', () => {
  it('encodes a stage-1 page exactly', () => {
    // 0x4000_1000, AttrIndx 1, AP = RO_ALL, SH inner, AF, nG, UXN: bits 2, 6-7, 8-9, 10, 11, 54.
    const d = s1PageDesc(0x4000_1000, { attrIndx: 1, ap: AP.RO_ALL, ng: true, uxn: true });
    expect(d).toBe(0x0040_0000_4000_1fc7n);
    expect(isS1PageDesc(d, 3)).toBe(true);
    expect(isTableDesc(d, 3)).toBe(false);
  });

  it('encodes a stage-2 block and a table exactly', () => {
    // 2 MiB block at level 2: MemAttr 0xF, S2AP RW, SH inner, AF, XN.
    expect(s2BlockDesc(0x8020_0000, 2, { xn: S2XN.ALL })).toBe(0x0040_0000_8020_07fdn);
    expect(tableDesc(0x1234_5000, { apTable: 0b11, uxnTable: true, pxnTable: true, nsTable: true })).toBe(
      0xf800_0000_1234_5003n,
    );
    expect(decodeTableAttrs(0xf800_0000_1234_5003n)).toEqual({
      nsTable: true,
      apTable: 3,
      uxnTable: true,
      pxnTable: true,
    });
  });

  it('uses defaults that make a usable mapping', () => {
    expect(decodeS1Leaf(s1PageDesc(0x1000))).toMatchObject({ ap: AP.RW_EL1, sh: 3, af: true, uxn: false });
    expect(decodeS2Leaf(s2PageDesc(0x1000))).toMatchObject({ memAttr: S2_MEMATTR.NORMAL_WB, s2ap: S2AP.RW, af: true });
  });

  it('tells table, block and page apart by level', () => {
    const block = s1BlockDesc(0x4000_0000, 1);
    expect(isS1BlockDesc(block, 1)).toBe(true);
    expect(isS1BlockDesc(block, 0)).toBe(false); // no level-0 blocks with 4 KiB granules
    expect(isS1BlockDesc(block, 1, 65536)).toBe(false); // nor level-1 blocks with 64 KiB
    const table = tableDesc(0x5000);
    expect(isTableDesc(table, 2)).toBe(true);
    expect(isS2PageDesc(table, 3)).toBe(true); // same bits: a page at level 3
    expect(isLeafDesc(table, 2)).toBe(false);
    expect(isValidDesc(0n)).toBe(false);
    expect(isLeafDesc(0n, 3)).toBe(false);
  });

  it('rejects misaligned, out-of-range and ill-formed arguments', () => {
    expect(() => s1PageDesc(0x1800)).toThrow(HvlabError);
    expect(() => s1BlockDesc(0x1000, 2)).toThrow(HvlabError);
    expect(() => s1BlockDesc(0, 0)).toThrow(HvlabError);
    expect(() => s1BlockDesc(0, 1, {}, 16384)).toThrow(HvlabError);
    expect(() => s1PageDesc(2 ** 48)).toThrow(HvlabError);
    expect(() => s1PageDesc(0, { attrIndx: 8 })).toThrow(HvlabError);
    expect(() => s1PageDesc(0, { sh: 1 })).toThrow(HvlabError);
    expect(() => s2PageDesc(0, { xn: 4 })).toThrow(HvlabError);
    expect(() => s2PageDesc(0, { ns: true, sw: 2 })).toThrow(HvlabError);
    expect(() => tableDesc(0x1000, {}, 65536)).toThrow(HvlabError);
  });

  it('sets the Realm NS bit (55) for stage 2', () => {
    expect(s2PageDesc(0, { ns: true }) >> 55n).toBe(1n);
    expect(decodeS2Leaf(s2PageDesc(0, { ns: true })).ns).toBe(true);
  });

  it('classifies stage-2 Device memory with and without FEAT_S2FWB', () => {
    expect(s2MemAttrIsDevice(S2_MEMATTR.DEVICE_nGnRE)).toBe(true);
    expect(s2MemAttrIsDevice(S2_MEMATTR.NORMAL_WB)).toBe(false);
    expect(s2MemAttrIsDevice(0b0110, true)).toBe(false);
    expect(s2MemAttrIsDevice(0b0001, true)).toBe(true);
  });

  test.prop([leafSpot, s1Attrs])('stage-1 leaves round-trip through decode', ({ g, level, pa }, attrs) => {
    const d = level === 3 ? s1PageDesc(pa, attrs, g) : s1BlockDesc(pa, level, attrs, g);
    expect(decodeS1Leaf(d)).toEqual(attrs);
    expect(descOutputAddress(d, level, g)).toBe(pa);
    expect(isLeafDesc(d, level, g)).toBe(true);
    expect(level === 3 ? isS1PageDesc(d, level) : isS1BlockDesc(d, level, g)).toBe(true);
  });

  test.prop([leafSpot, s2Attrs])('stage-2 leaves round-trip through decode', ({ g, level, pa }, attrs) => {
    const d = level === 3 ? s2PageDesc(pa, attrs, g) : s2BlockDesc(pa, level, attrs, g);
    expect(decodeS2Leaf(d)).toEqual(attrs);
    expect(descOutputAddress(d, level, g)).toBe(pa);
    expect(level === 3 ? isS2PageDesc(d, level) : isS2BlockDesc(d, level, g)).toBe(true);
  });

  test.prop([fc.constantFrom(...GRANULES), fc.integer({ min: 0, max: 2 ** 32 - 1 })])(
    'table descriptors hold granule-aligned next-table addresses',
    (g, n) => {
      const addr = (n * g) % 2 ** 48;
      const d = tableDesc(addr, {}, g);
      for (const level of [0, 1, 2]) {
        expect(isTableDesc(d, level)).toBe(true);
        expect(descOutputAddress(d, level, g)).toBe(addr);
      }
    },
  );
});
