/**
 * Property tests: random mappings built with the table builders, then random addresses walked
 * and compared with a flat model of the mappings. Hits must translate exactly (address, level,
 * attributes); misses must be level-N Translation faults, where N is the deepest level whose
 * table exists for the address. The model knows nothing about tables: a table at level L covers
 * an unmapped address A iff some mapping intersects the level-(L-1) entry region around A (a
 * leaf covering that whole region would contain A).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { Stage1TableBuilder, Stage2TableBuilder } from './builder.js';
import {
  decodeStage1,
  decodeStage2,
  encodeTcrEl1,
  encodeTtbr,
  encodeVtcrEl2,
  s2InconsistentSl,
  sl0For,
  TG0,
  TG1,
} from './config.js';
import type { S1LeafAttrs, S2LeafAttrs } from './descriptor.js';
import { GRANULES, type Granule, isBlockLevel, levelSize, s1StartLevel } from './granule.js';
import { SparseTableMemory } from './testing.js';
import { walkStage1, walkStage2 } from './walk.js';

const ALL = { paBits: 48, granules: GRANULES };
const U64 = 1n << 64n;

interface Mapping<A> {
  readonly ia: number;
  readonly pa: number;
  readonly size: number;
  readonly blocks: boolean;
  readonly attrs: A;
}

/** A uniform fraction in [0, 1) (unbiased: fast-check's doubles favour 0 and other edge values). */
const frac = fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })).map((n) => n / 2 ** 31);

const leafLevels = (g: Granule, start: number): number[] =>
  [0, 1, 2, 3].filter((l) => l >= start && (l === 3 || isBlockLevel(g, l)));

/**
 * One candidate mapping: `count` units of a leaf level's size, preceded by `pre` and followed by
 * `extra` granules so that blocks and pages mix; optionally misaligned output or pages only
 * (kept small so the table count stays small).
 */
function mappingArb<A>(g: Granule, bits: number, start: number, attrs: fc.Arbitrary<A>): fc.Arbitrary<Mapping<A>> {
  return fc
    .record({
      level: fc.constantFrom(...leafLevels(g, start)),
      slot: frac,
      paSlot: frac,
      pre: fc.integer({ min: 0, max: 3 }),
      count: fc.integer({ min: 1, max: 2 }),
      extra: fc.integer({ min: 0, max: 3 }),
      paSkew: fc.integer({ min: 0, max: 1 }),
      blocks: fc.boolean(),
      attrs,
    })
    .map((r) => {
      const S = levelSize(g, r.level);
      const space = 2 ** bits;
      const small = (r.count * S) / g <= 256;
      let size = Math.min(r.pre * g + r.count * S + r.extra * g, space);
      let ia = Math.floor(r.slot * (space / S)) * S - r.pre * g;
      if (ia < 0) ia = 0;
      if (ia + size > space) ia = space - size;
      if (!small && !r.blocks) size = Math.min(size, 8 * g);
      const pa = Math.floor(r.paSlot * (2 ** 44 / S)) * S + (small ? r.paSkew * g : 0);
      return { ia, pa, size, blocks: r.blocks || !small, attrs: r.attrs };
    });
}

/** Keeps the mappings that do not overlap an earlier one (in input space). */
function disjoint<A>(ms: readonly Mapping<A>[]): Mapping<A>[] {
  const kept: Mapping<A>[] = [];
  for (const m of ms) if (kept.every((k) => m.ia + m.size <= k.ia || k.ia + k.size <= m.ia)) kept.push(m);
  return kept;
}

/** The flat model: the mapping and leaf level for `ia`, or the expected fault level. */
function model<A>(
  ms: readonly Mapping<A>[],
  g: Granule,
  start: number,
  ia: number,
): { hit: Mapping<A>; level: number } | { faultLevel: number } {
  const hit = ms.find((m) => ia >= m.ia && ia < m.ia + m.size);
  if (hit) {
    for (const l of leafLevels(g, start)) {
      const S = levelSize(g, l);
      const lo = Math.floor(ia / S) * S;
      const usable = l === 3 || hit.blocks;
      if (usable && lo >= hit.ia && lo + S <= hit.ia + hit.size && hit.pa % S === hit.ia % S) return { hit, level: l };
    }
    throw new Error('unreachable: level 3 always fits');
  }
  let faultLevel = start;
  for (let l = start + 1; l <= 3; l++) {
    const R = levelSize(g, l - 1);
    const lo = Math.floor(ia / R) * R;
    if (ms.some((m) => m.ia < lo + R && lo < m.ia + m.size)) faultLevel = l;
  }
  return { faultLevel };
}

/** Addresses worth probing: mapping edges, just outside them, inside, and anywhere. */
function probes<A>(ms: readonly Mapping<A>[], bits: number, g: Granule, r: readonly number[]): number[] {
  const space = 2 ** bits;
  const out: number[] = [];
  ms.forEach((m, i) => {
    const f = r[i % r.length]!;
    const inside = (x: number) => m.ia + Math.floor(x * m.size);
    out.push(m.ia, m.ia + m.size - 1, inside(f), inside(1 - f), m.ia - 1, m.ia + m.size, m.ia - g * 600);
  });
  for (const f of r) out.push(Math.floor(f * space));
  return out.filter((a) => a >= 0 && a < space);
}

const layout = fc
  .constantFrom(...GRANULES)
  .chain((g) => fc.record({ g: fc.constant(g), bits: fc.integer({ min: 25, max: 48 }) }));
const fracs = fc.array(frac, { minLength: 4, maxLength: 8 });

const s1Attrs: fc.Arbitrary<S1LeafAttrs> = fc.record({
  attrIndx: fc.integer({ min: 0, max: 7 }),
  ap: fc.integer({ min: 0, max: 3 }),
  sh: fc.constantFrom(0, 2, 3),
  ng: fc.boolean(),
  pxn: fc.boolean(),
  uxn: fc.boolean(),
  contiguous: fc.boolean(),
});

const s2Attrs: fc.Arbitrary<S2LeafAttrs> = fc.record({
  memAttr: fc.integer({ min: 0, max: 15 }),
  s2ap: fc.integer({ min: 0, max: 3 }),
  sh: fc.constantFrom(0, 2, 3),
  xn: fc.integer({ min: 0, max: 3 }),
  contiguous: fc.boolean(),
});

const s1Case = layout.chain(({ g, bits }) => {
  const start = s1StartLevel(g, bits);
  return fc.record({
    g: fc.constant(g),
    bits: fc.constant(bits),
    upper: fc.boolean(),
    mappings: fc.array(mappingArb(g, bits, start, s1Attrs), { minLength: 1, maxLength: 5 }).map(disjoint),
    fracs,
  });
});

const s2Case = layout.chain(({ g, bits }) => {
  const starts = [0, 1, 2, 3].filter((l) => {
    try {
      sl0For(g, l);
    } catch {
      return false;
    }
    return !s2InconsistentSl(g, l, bits);
  });
  return fc.constantFrom(...starts).chain((start) =>
    fc.record({
      g: fc.constant(g),
      bits: fc.constant(bits),
      start: fc.constant(start),
      mappings: fc.array(mappingArb(g, bits, start, s2Attrs), { minLength: 1, maxLength: 5 }).map(disjoint),
      fracs,
    }),
  );
});

describe('builder + walker against a flat model', () => {
  test.prop([s1Case], { numRuns: 50 })('stage 1 (TTBR0 and TTBR1, every granule and input size)', (c) => {
    const mem = new SparseTableMemory();
    const b = new Stage1TableBuilder(mem, mem.alloc, { granule: c.g, inputBits: c.bits, upper: c.upper });
    const base = c.upper ? U64 - (1n << BigInt(c.bits)) : 0n;
    for (const m of c.mappings) b.map(base + BigInt(m.ia), m.pa, m.size, m.attrs, { blocks: m.blocks });
    const tsz = 64 - c.bits;
    const tcr = c.upper
      ? encodeTcrEl1({ T0SZ: 16, TG0: TG0[4096], EPD0: 1, T1SZ: tsz, TG1: TG1[c.g], IPS: 5 })
      : encodeTcrEl1({ T0SZ: tsz, TG0: TG0[c.g], T1SZ: 16, TG1: TG1[4096], EPD1: 1, IPS: 5 });
    const ttbr = encodeTtbr(b.root);
    const cfg = decodeStage1({ tcr, ttbr0: c.upper ? 0n : ttbr, ttbr1: c.upper ? ttbr : 0n }, ALL);
    const start = s1StartLevel(c.g, c.bits);

    for (const ia of probes(c.mappings, c.bits, c.g, c.fracs)) {
      const r = walkStage1(cfg, base + BigInt(ia), mem.fetch);
      const want = model(c.mappings, c.g, start, ia);
      if ('faultLevel' in want) {
        expect(r).toEqual({
          ok: false,
          fault: { kind: 'translation', stage: 1, level: want.faultLevel, s1ptw: false },
        });
        continue;
      }
      const a = want.hit.attrs;
      expect(r).toMatchObject({
        ok: true,
        pa: want.hit.pa + (ia - want.hit.ia),
        level: want.level,
        size: levelSize(c.g, want.level),
        attrIndx: a.attrIndx,
        ap: a.ap,
        sh: a.sh,
        ng: a.ng,
        pxn: a.pxn,
        uxn: a.uxn,
        contiguous: a.contiguous,
        af: true,
      });
    }
  });

  test.prop([s2Case], { numRuns: 50 })('stage 2 (every granule, IPA size and valid start level)', (c) => {
    const mem = new SparseTableMemory();
    const b = new Stage2TableBuilder(mem, mem.alloc, { granule: c.g, inputBits: c.bits, startLevel: c.start });
    for (const m of c.mappings) b.map(BigInt(m.ia), m.pa, m.size, m.attrs, { blocks: m.blocks });
    const vtcr = encodeVtcrEl2({ T0SZ: 64 - c.bits, SL0: b.sl0, TG0: TG0[c.g], PS: 5 });
    const cfg = decodeStage2({ vtcr, vttbr: encodeTtbr(b.root) }, { ...ALL, xnx: true });
    expect(cfg).toMatchObject({ configFault: false, startLevel: c.start, rootTables: b.rootTables });

    for (const ia of probes(c.mappings, c.bits, c.g, c.fracs)) {
      const r = walkStage2(cfg, BigInt(ia), mem.fetch);
      const want = model(c.mappings, c.g, c.start, ia);
      if ('faultLevel' in want) {
        expect(r).toEqual({
          ok: false,
          fault: { kind: 'translation', stage: 2, level: want.faultLevel, s1ptw: false, ipa: BigInt(ia) },
        });
        continue;
      }
      const a = want.hit.attrs;
      expect(r).toMatchObject({
        ok: true,
        pa: want.hit.pa + (ia - want.hit.ia),
        level: want.level,
        size: levelSize(c.g, want.level),
        memAttr: a.memAttr,
        s2ap: a.s2ap,
        sh: a.sh,
        xn: a.xn,
        contiguous: a.contiguous,
      });
    }
  });

  test.prop([
    fc.constantFrom(...GRANULES),
    fc.integer({ min: 25, max: 48 }),
    fc.boolean(),
    fc.bigInt({ min: 0n, max: U64 - 1n }),
  ])('a VA is walked iff its top bits select a range and match VA[55] (AArch64.VAIsOutOfRange)', (g, bits, tbi, va) => {
    const tsz = 64 - bits;
    const tcr = encodeTcrEl1({ T0SZ: tsz, TG0: TG0[g], T1SZ: tsz, TG1: TG1[g], TBI0: +tbi, TBI1: +tbi, IPS: 5 });
    const cfg = decodeStage1({ tcr, ttbr0: encodeTtbr(0x1000_0000), ttbr1: encodeTtbr(0x2000_0000) }, ALL);
    const mem = new SparseTableMemory();
    const r = walkStage1(cfg, va, mem.fetch);
    // Model on the binary string: bit 63 is character 0.
    const s = va.toString(2).padStart(64, '0');
    const bit55 = s[63 - 55]!;
    const top = tbi ? 55 : 63;
    const inRange = [...s.slice(63 - top, 64 - bits)].every((ch) => ch === bit55);
    // Tables are empty: an in-range VA is read at the start level and faults there.
    const level = inRange ? s1StartLevel(g, bits) : 0;
    expect(r).toEqual({ ok: false, fault: { kind: 'translation', stage: 1, level, s1ptw: false, ipa: undefined } });
    expect(mem.fetches.length).toBe(inRange ? 1 : 0);
    if (inRange) expect(mem.fetches[0]![0] >= (bit55 === '1' ? 0x2000_0000n : 0x1000_0000n)).toBe(true);
  });
});
