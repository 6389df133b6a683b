import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import { PhysMem } from '../memory.js';
import { bumpAllocator, Stage1TableBuilder } from './builder.js';
import { decodeStage1, encodeTcrEl1, encodeTtbr, type MmuImpl, type TcrEl1Fields, TG0, TG1 } from './config.js';
import { AP, SH, s1BlockDesc, s1PageDesc, tableDesc } from './descriptor.js';
import { GRANULES } from './granule.js';
import { SparseTableMemory } from './testing.js';
import type { DescFetch, MmuFault, S1Translation, S1WalkResult } from './types.js';
import { FETCH_EXTERNAL_ABORT, faultStatusCode, physMemFetch, walkStage1 } from './walk.js';

// 4 KiB granule, 48-bit VA: tables at fixed PAs, VA selects index 1, 2, 3, 4 at levels 0..3.
const T = [0x1000_0000, 0x1000_1000, 0x1000_2000, 0x1000_3000] as const;
const IDX = [1, 2, 3, 4] as const;
const VA = 0x0000_0080_8060_4567n;
const slot = (level: number) => T[level]! + IDX[level]! * 8;
const ALL: Partial<MmuImpl> = { paBits: 48, granules: GRANULES };

function config(fields: TcrEl1Fields = {}, impl: Partial<MmuImpl> = ALL, ttbr0 = encodeTtbr(T[0], 0x42)) {
  const tcr = encodeTcrEl1({ T0SZ: 16, TG0: TG0[4096], T1SZ: 16, TG1: TG1[4096], IPS: 5, AS: 1, ...fields });
  return decodeStage1({ tcr, ttbr0, ttbr1: encodeTtbr(0x2000_0000, 0x99) }, impl);
}

/** Links the tables for VA from level 0 down to (not including) `depth`. */
function chain(depth: number): SparseTableMemory {
  const m = new SparseTableMemory();
  for (let l = 0; l < depth; l++) m.writeU64(slot(l), tableDesc(T[l + 1]!));
  return m;
}

function ok(r: S1WalkResult): S1Translation {
  if (!r.ok)
    throw new Error(`unexpected fault ${JSON.stringify(r.fault, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
  return r;
}

function fault(r: S1WalkResult): MmuFault {
  if (r.ok) throw new Error(`expected a fault, got PA 0x${r.pa.toString(16)}`);
  return r.fault;
}

const s1 = (kind: MmuFault['kind'], level: number): MmuFault => ({
  kind,
  stage: 1,
  level,
  s1ptw: false,
  ipa: undefined,
});

describe('walkStage1: translations', () => {
  it('translates a 4 KiB page through four levels and reports every field', () => {
    const m = chain(3);
    m.writeU64(
      slot(3),
      s1PageDesc(0x8765_4000, { attrIndx: 2, ap: AP.RO_ALL, sh: SH.OUTER, ng: true, pxn: true, contiguous: true }),
    );
    const r = ok(walkStage1(config(), VA, m.fetch));
    expect(r).toMatchObject({
      pa: 0x8765_4567,
      level: 3,
      size: 4096,
      ap: AP.RO_ALL,
      uxn: false,
      pxn: true,
      af: true,
      ng: true,
      attrIndx: 2,
      sh: SH.OUTER,
      ns: false,
      contiguous: true,
      writableClean: false,
      asid: 0x42,
      descAddr: BigInt(slot(3)),
    });
    expect(m.fetches).toEqual([0, 1, 2, 3].map((l) => [BigInt(slot(l)), l]));
  });

  it('translates 1 GiB and 2 MiB blocks', () => {
    const m1 = chain(1);
    m1.writeU64(slot(1), s1BlockDesc(0xc000_0000, 1));
    expect(ok(walkStage1(config(), VA, m1.fetch))).toMatchObject({ pa: 0xc060_4567, level: 1, size: 2 ** 30 });
    const m2 = chain(2);
    m2.writeU64(slot(2), s1BlockDesc(0x4020_0000, 2));
    expect(ok(walkStage1(config(), VA, m2.fetch))).toMatchObject({ pa: 0x4020_4567, level: 2, size: 2 ** 21 });
  });

  it('ignores OA bits below the block size, and 64 KiB bits [15:12] without FEAT_LPA', () => {
    const m = chain(2);
    m.writeU64(slot(2), s1BlockDesc(0x4020_0000, 2) | 0x1_f000n);
    expect(ok(walkStage1(config(), VA, m.fetch)).pa).toBe(0x4020_4567);
    const n = new SparseTableMemory();
    const b = new Stage1TableBuilder(n, n.alloc, { granule: 65536, inputBits: 42 });
    b.map(0x1_0000n, 0x5_0000, 0x1_0000);
    const cfg = config({ T0SZ: 22, TG0: TG0[65536] }, ALL, encodeTtbr(b.root));
    const first = ok(walkStage1(cfg, 0x1_0010n, n.fetch));
    n.writeU64(Number(first.descAddr), first.desc | 0xf000n);
    expect(ok(walkStage1(cfg, 0x1_0010n, n.fetch)).pa).toBe(0x5_0010);
  });

  it('selects TTBR1 by VA[55] and checks the upper range', () => {
    const m = new SparseTableMemory();
    const cfg = config({ T1SZ: 39 }); // 25-bit upper range, start level 2: 0xffff_ffff_fe00_0000 and up
    m.writeU64(0x2000_0000 + 8, tableDesc(0x3000_0000));
    m.writeU64(0x3000_0000 + 5 * 8, s1PageDesc(0x5000));
    expect(ok(walkStage1(cfg, 0xffff_ffff_fe20_5abcn, m.fetch))).toMatchObject({ pa: 0x5abc, asid: 0x42 });
    expect(fault(walkStage1(cfg, 0xffff_ffff_fc20_5abcn, m.fetch))).toEqual(s1('translation', 0));
    expect(fault(walkStage1(cfg, 0xff80_0000_0000_0000n, m.fetch))).toEqual(s1('translation', 0));
    // TCR_EL1.A1 takes the ASID from TTBR1 for both ranges.
    expect(ok(walkStage1(config({ T1SZ: 39, A1: 1 }), 0xffff_ffff_fe20_5000n, m.fetch)).asid).toBe(0x99);
  });

  it('ignores the top byte only with TBI for the selected range', () => {
    const m = chain(3);
    m.writeU64(slot(3), s1PageDesc(0x8765_4000));
    const tagged = VA | (0x5an << 56n);
    expect(fault(walkStage1(config(), tagged, m.fetch))).toEqual(s1('translation', 0));
    expect(ok(walkStage1(config({ TBI0: 1 }), tagged, m.fetch)).pa).toBe(0x8765_4567);
    expect(fault(walkStage1(config({ TBI1: 1 }), tagged, m.fetch))).toEqual(s1('translation', 0));
    // With TBI1, bits 63:56 of an upper-range VA are free too (VA[55] still selects TTBR1).
    const n = new SparseTableMemory();
    n.writeU64(0x2000_0000 + 15 * 8, s1BlockDesc(0x8000_0000, 2)); // 16-entry level-2 table
    const up = config({ T1SZ: 39, TBI1: 1 });
    expect(ok(walkStage1(up, 0x00ff_ffff_ffe0_1234n, n.fetch)).pa).toBe(0x8000_1234);
    expect(fault(walkStage1(config({ T1SZ: 39 }), 0x00ff_ffff_ffe0_1234n, n.fetch))).toEqual(s1('translation', 0));
  });

  it('applies hierarchical APTable/UXNTable/PXNTable/NSTable limits (D8.4)', () => {
    const m = new SparseTableMemory();
    m.writeU64(slot(0), tableDesc(T[1], { apTable: 0b01, uxnTable: true }));
    m.writeU64(slot(1), tableDesc(T[2], { pxnTable: true, nsTable: true }));
    m.writeU64(slot(2), tableDesc(T[3]));
    m.writeU64(slot(3), s1PageDesc(0x9000, { ap: AP.RW_ALL }));
    expect(ok(walkStage1(config(), VA, m.fetch))).toMatchObject({ ap: AP.RW_EL1, uxn: true, pxn: true, ns: true });
    m.writeU64(slot(0), tableDesc(T[1], { apTable: 0b10 }));
    expect(ok(walkStage1(config(), VA, m.fetch)).ap).toBe(AP.RO_ALL);
    m.writeU64(slot(0), tableDesc(T[1], { apTable: 0b11 }));
    expect(ok(walkStage1(config(), VA, m.fetch)).ap).toBe(AP.RO_EL1);
  });

  it('walks 16 KiB and 64 KiB granules from their start levels', () => {
    for (const [g, bits, starts] of [
      [16384, 47, [1, 2, 3]],
      [65536, 42, [2, 3]],
    ] as const) {
      const m = new SparseTableMemory();
      const b = new Stage1TableBuilder(m, m.alloc, { granule: g, inputBits: bits });
      b.map(0x1234n * BigInt(g), 0x40_0000 * 64, g, { ap: AP.RO_EL1 });
      const cfg = config({ T0SZ: 64 - bits, TG0: TG0[g] }, ALL, encodeTtbr(b.root));
      const r = ok(walkStage1(cfg, 0x1234n * BigInt(g) + 0x10n, m.fetch));
      expect(r).toMatchObject({ pa: 0x40_0000 * 64 + 0x10, level: 3, size: g, ap: AP.RO_EL1 });
      expect(m.fetches.map(([, l]) => l)).toEqual(starts);
    }
  });

  it('treats a 16 KiB TG0 as 4 KiB on a CPU without 16 KiB granules (Cortex-A57)', () => {
    const m = chain(3);
    m.writeU64(slot(3), s1PageDesc(0x8765_4000));
    expect(ok(walkStage1(config({ TG0: TG0[16384], IPS: 4 }, {}), VA, m.fetch)).pa).toBe(0x8765_4567);
  });

  it('works over PhysMem with the bump allocator and physMemFetch', () => {
    const mem = new PhysMem();
    mem.addRam(0x4000_0000, 0x10_0000);
    const b = new Stage1TableBuilder(mem, bumpAllocator(mem, 0x4000_0000, 0x10_0000), { granule: 4096, inputBits: 39 });
    b.map(0x40_0000n, 0x4020_0000, 0x20_0000);
    const cfg = config({ T0SZ: 25 }, ALL, encodeTtbr(b.root));
    expect(ok(walkStage1(cfg, 0x40_0123n, physMemFetch(mem)))).toMatchObject({ pa: 0x4020_0123, level: 2 });
    // A table pointer to a hole in the PA space is an External abort on the walk.
    const bad = config({ T0SZ: 25 }, ALL, encodeTtbr(0x8000_0000));
    expect(fault(walkStage1(bad, 0x40_0123n, physMemFetch(mem)))).toEqual(s1('externalAbort', 1));
  });

  it('rejects a VA that is not a 64-bit value (host misuse)', () => {
    expect(() => walkStage1(config(), -1n, chain(0).fetch)).toThrow(HvlabError);
    expect(() => walkStage1(config(), 1n << 64n, chain(0).fetch)).toThrow(HvlabError);
  });
});

describe('walkStage1: faults', () => {
  it.each([0, 1, 2, 3])('Translation fault at level %i for an invalid descriptor', (level) => {
    const m = chain(level);
    m.writeU64(slot(level), 0xffff_ffff_ffff_fffen); // everything but Valid
    const f = fault(walkStage1(config(), VA, m.fetch));
    expect(f).toEqual(s1('translation', level));
    expect(faultStatusCode(f)).toBe(0b000100 + level);
  });

  it('Translation fault for a block where the granule has none (level 0, level 3 0b01, 16K level 1)', () => {
    const m0 = chain(0);
    m0.writeU64(slot(0), 0x1n); // 0b01 at level 0
    expect(fault(walkStage1(config(), VA, m0.fetch))).toEqual(s1('translation', 0));
    const m3 = chain(3);
    m3.writeU64(slot(3), s1PageDesc(0x8000) & ~2n); // 0b01 at level 3 is reserved
    expect(fault(walkStage1(config(), VA, m3.fetch))).toEqual(s1('translation', 3));
    const m = new SparseTableMemory();
    m.writeU64(0x1000_0000 + 8, 0x1n | (1n << 36n)); // 16K, 47-bit VA: level-1 index 1 holds 0b01
    const cfg = config({ T0SZ: 17, TG0: TG0[16384] }, ALL, encodeTtbr(0x1000_0000));
    expect(fault(walkStage1(cfg, 1n << 36n, m.fetch))).toEqual(s1('translation', 1));
  });

  it.each([0, 1, 2, 3])('External abort on the walk at level %i when the fetch fails', (level) => {
    const m = chain(3);
    m.writeU64(slot(3), s1PageDesc(0x8000));
    const fetch: DescFetch = (a, l) => (l === level ? FETCH_EXTERNAL_ABORT : m.fetch(a, l));
    const f = fault(walkStage1(config(), VA, fetch));
    expect(f).toEqual(s1('externalAbort', level));
    expect(faultStatusCode(f)).toBe(0b010100 + level);
  });

  it('returns a fault supplied by the fetch unchanged (a stage-2 fault on the walk)', () => {
    const s2fault: MmuFault = { kind: 'permission', stage: 2, level: 2, s1ptw: true, ipa: 0x1000_1010n };
    const fetch: DescFetch = (a, l) => (l === 1 ? { ok: false, fault: s2fault } : chain(3).fetch(a, l));
    expect(fault(walkStage1(config(), VA, fetch))).toBe(s2fault);
  });

  it('Address size fault at level 0 for a TTBR base beyond TCR_EL1.IPS', () => {
    const m = chain(3);
    const f = fault(walkStage1(config({ IPS: 2 }, ALL, encodeTtbr(2 ** 40)), VA, m.fetch));
    expect(f).toEqual(s1('addressSize', 0));
    expect(faultStatusCode(f)).toBe(0);
    expect(m.fetches).toEqual([]);
  });

  it.each([0, 1, 2])('Address size fault at level %i for a next-level table beyond the output size', (level) => {
    const m = chain(level);
    m.writeU64(slot(level), tableDesc(2 ** 40 + 0x1000));
    expect(fault(walkStage1(config({ IPS: 2 }), VA, m.fetch))).toEqual(s1('addressSize', level));
    // The same tables are fine with a 48-bit output size (the next level is then just empty).
    expect(fault(walkStage1(config({ IPS: 5 }), VA, m.fetch))).toEqual(s1('translation', level + 1));
  });

  it.each([1, 2, 3])('Address size fault at level %i for an output address beyond the output size', (level) => {
    const m = chain(level);
    m.writeU64(slot(level), level === 3 ? s1PageDesc(2 ** 42) : s1BlockDesc(2 ** 42, level));
    expect(fault(walkStage1(config({ IPS: 3 }), VA, m.fetch))).toEqual(s1('addressSize', level));
    expect(walkStage1(config({ IPS: 4 }), VA, m.fetch).ok).toBe(true);
  });

  it.each([1, 2, 3])('Access flag fault at level %i, or AF left clear for the caller with TCR_EL1.HA', (level) => {
    const m = chain(level);
    m.writeU64(slot(level), level === 3 ? s1PageDesc(0, { af: false }) : s1BlockDesc(0, level, { af: false }));
    const f = fault(walkStage1(config(), VA, m.fetch));
    expect(f).toEqual(s1('accessFlag', level));
    expect(faultStatusCode(f)).toBe(0b001000 + level);
    const r = ok(walkStage1(config({ HA: 1 }, { ...ALL, hafdbs: 1 }), VA, m.fetch));
    expect(r.af).toBe(false);
    // Without FEAT_HAFDBS, TCR_EL1.HA is RES0.
    expect(fault(walkStage1(config({ HA: 1 }), VA, m.fetch))).toEqual(s1('accessFlag', level));
  });

  it('reports a DBM entry as writable-clean under TCR_EL1.HD (AP[2] treated as 0)', () => {
    const m = chain(3);
    m.writeU64(slot(3), s1PageDesc(0, { ap: AP.RO_ALL, dbm: true }));
    const hd = config({ HA: 1, HD: 1 }, { ...ALL, hafdbs: 2 });
    expect(ok(walkStage1(hd, VA, m.fetch))).toMatchObject({ ap: AP.RW_ALL, writableClean: true });
    expect(ok(walkStage1(config(), VA, m.fetch))).toMatchObject({ ap: AP.RO_ALL, writableClean: false });
    // APTable[1] still forces read-only.
    m.writeU64(slot(0), tableDesc(T[1], { apTable: 0b10 }));
    expect(ok(walkStage1(hd, VA, m.fetch)).ap).toBe(AP.RO_ALL);
  });

  it('Translation fault at level 0 with no fetch for EPDx, TxSZ out of range and out-of-range VAs', () => {
    const m = chain(3);
    m.writeU64(slot(3), s1PageDesc(0));
    for (const [fields, va] of [
      [{ EPD0: 1 }, VA],
      [{ EPD1: 1 }, 0xffff_8000_0000_0000n],
      [{ T0SZ: 15 }, VA],
      [{ T0SZ: 40 }, 0x1000n],
      [{ T0SZ: 25 }, 1n << 39n],
      [{}, 1n << 48n],
      [{}, 0x8000_0000_0000_0000n],
    ] as const) {
      expect(fault(walkStage1(config(fields), va, m.fetch))).toEqual(s1('translation', 0));
    }
    expect(m.fetches).toEqual([]);
  });
});
