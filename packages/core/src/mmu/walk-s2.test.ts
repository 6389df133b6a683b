import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import { Stage1TableBuilder, Stage2TableBuilder, type TableMemory } from './builder.js';
import {
  decodeStage1,
  decodeStage2,
  encodeTcrEl1,
  encodeTtbr,
  encodeVtcrEl2,
  type MmuImpl,
  TG0,
  TG1,
} from './config.js';
import { S2_MEMATTR, S2AP, S2XN, SH, s2BlockDesc, s2PageDesc, tableDesc } from './descriptor.js';
import { GRANULES } from './granule.js';
import { checkS2Permission } from './permissions.js';
import { SparseTableMemory } from './testing.js';
import type { DescFetch, MmuFault, S2Translation, S2WalkResult } from './types.js';
import { FETCH_EXTERNAL_ABORT, faultStatusCode, s1ptwFetch, walkStage1, walkStage2 } from './walk.js';

// 4 KiB granule, 40-bit IPA starting at level 1 with two concatenated root tables.
const ROOT = 0x8000_0000;
const T2 = 0x8000_4000;
const T3 = 0x8000_5000;
const IPA = 0x80_4020_3456n; // level-1 index 513 (second root table), level-2 index 1, level-3 index 3
const SLOT = [0, ROOT + 513 * 8, T2 + 1 * 8, T3 + 3 * 8] as const;
const ALL: Partial<MmuImpl> = { paBits: 48, granules: GRANULES };

function config(fields: Parameters<typeof encodeVtcrEl2>[0] = {}, impl: Partial<MmuImpl> = ALL, base = ROOT) {
  const vtcr = encodeVtcrEl2({ T0SZ: 24, SL0: 1, TG0: TG0[4096], PS: 5, ...fields });
  return decodeStage2({ vtcr, vttbr: encodeTtbr(base, 5) }, impl);
}

function chain(depth: number): SparseTableMemory {
  const m = new SparseTableMemory();
  if (depth > 1) m.writeU64(SLOT[1], tableDesc(T2));
  if (depth > 2) m.writeU64(SLOT[2], tableDesc(T3));
  return m;
}

function ok(r: S2WalkResult): S2Translation {
  if (!r.ok) throw new Error(`unexpected ${r.fault.kind} fault at level ${r.fault.level}`);
  return r;
}

function fault(r: S2WalkResult | ReturnType<typeof walkStage1>): MmuFault {
  if (r.ok) throw new Error(`expected a fault, got PA 0x${r.pa.toString(16)}`);
  return r.fault;
}

const s2 = (kind: MmuFault['kind'], level: number, ipa = IPA, s1ptw = false): MmuFault => ({
  kind,
  stage: 2,
  level,
  s1ptw,
  ipa,
});

describe('walkStage2', () => {
  it('indexes the concatenated root with the top IPA bits and reports every field', () => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0x1_2345_6000, { memAttr: S2_MEMATTR.DEVICE_nGnRE, s2ap: S2AP.RO, sh: SH.NON }));
    const r = ok(walkStage2(config(), IPA, m.fetch));
    expect(r).toMatchObject({
      ipa: IPA,
      pa: 0x1_2345_6456,
      level: 3,
      size: 4096,
      s2ap: S2AP.RO,
      xn: S2XN.NONE,
      memAttr: S2_MEMATTR.DEVICE_nGnRE,
      sh: SH.NON,
      af: true,
      contiguous: false,
      writableClean: false,
      vmid: 5,
      descAddr: BigInt(SLOT[3]),
    });
    expect(m.fetches).toEqual([1, 2, 3].map((l) => [BigInt(SLOT[l]!), l]));
  });

  it('translates level-1 and level-2 blocks', () => {
    const m = chain(1);
    m.writeU64(SLOT[1], s2BlockDesc(0x4000_0000, 1));
    expect(ok(walkStage2(config(), IPA, m.fetch))).toMatchObject({ pa: 0x4020_3456, level: 1, size: 2 ** 30 });
    const n = chain(2);
    n.writeU64(SLOT[2], s2BlockDesc(0x4000_0000, 2));
    expect(ok(walkStage2(config(), IPA, n.fetch))).toMatchObject({ pa: 0x4000_3456, level: 2 });
  });

  it('reports XN[1:0] as bit 54 alone without FEAT_XNX and both bits with it', () => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0, { xn: S2XN.UXN }));
    expect(ok(walkStage2(config(), IPA, m.fetch)).xn).toBe(S2XN.ALL);
    expect(ok(walkStage2(config({}, { ...ALL, xnx: true }), IPA, m.fetch)).xn).toBe(S2XN.UXN);
    m.writeU64(SLOT[3], s2PageDesc(0, { xn: S2XN.PXN }));
    expect(ok(walkStage2(config(), IPA, m.fetch)).xn).toBe(S2XN.NONE);
  });

  it('Translation fault at level 0 with no fetch for a bad configuration or an IPA out of range', () => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0));
    expect(fault(walkStage2(config({ SL0: 3 }), IPA, m.fetch))).toEqual(s2('translation', 0));
    expect(fault(walkStage2(config({ SL0: 0 }), IPA, m.fetch))).toEqual(s2('translation', 0));
    expect(fault(walkStage2(config({ T0SZ: 16 }, {}), IPA, m.fetch))).toEqual(s2('translation', 0));
    expect(fault(walkStage2(config(), 1n << 40n, m.fetch))).toEqual(s2('translation', 0, 1n << 40n));
    expect(m.fetches).toEqual([]);
    expect(() => walkStage2(config(), -1n, m.fetch)).toThrow(HvlabError);
  });

  it('Address size fault at level 0 for a VTTBR base beyond VTCR_EL2.PS', () => {
    expect(fault(walkStage2(config({ PS: 2 }, ALL, 2 ** 40), IPA, chain(3).fetch))).toEqual(s2('addressSize', 0));
  });

  it.each([1, 2, 3])('Translation fault at level %i', (level) => {
    const f = fault(walkStage2(config(), IPA, chain(level).fetch));
    expect(f).toEqual(s2('translation', level));
    expect(faultStatusCode(f)).toBe(4 + level);
  });

  it.each([1, 2])('Address size fault at level %i for a table beyond the output size', (level) => {
    const m = chain(level);
    m.writeU64(SLOT[level]!, tableDesc(2 ** 40));
    expect(fault(walkStage2(config({ PS: 2 }), IPA, m.fetch))).toEqual(s2('addressSize', level));
  });

  it.each([1, 2, 3])('Address size fault at level %i for an output beyond the output size', (level) => {
    const m = chain(level);
    m.writeU64(SLOT[level]!, level === 3 ? s2PageDesc(2 ** 41) : s2BlockDesc(2 ** 41, level));
    expect(fault(walkStage2(config({ PS: 2 }), IPA, m.fetch))).toEqual(s2('addressSize', level));
  });

  it.each([1, 2, 3])('Access flag fault at level %i, or AF left clear with VTCR_EL2.HA', (level) => {
    const m = chain(level);
    m.writeU64(SLOT[level]!, level === 3 ? s2PageDesc(0, { af: false }) : s2BlockDesc(0, level, { af: false }));
    expect(fault(walkStage2(config(), IPA, m.fetch))).toEqual(s2('accessFlag', level));
    expect(ok(walkStage2(config({ HA: 1 }, { ...ALL, hafdbs: 1 }), IPA, m.fetch)).af).toBe(false);
  });

  it.each([1, 2, 3])('External abort at level %i, stage 2', (level) => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0));
    const fetch: DescFetch = (a, l) => (l === level ? FETCH_EXTERNAL_ABORT : m.fetch(a, l));
    expect(fault(walkStage2(config(), IPA, fetch))).toEqual(s2('externalAbort', level));
  });

  it('makes a DBM entry writable-clean under VTCR_EL2.HD', () => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0, { s2ap: S2AP.RO, dbm: true }));
    const hd = config({ HA: 1, HD: 1 }, { ...ALL, hafdbs: 2 });
    expect(ok(walkStage2(hd, IPA, m.fetch))).toMatchObject({ s2ap: S2AP.RW, writableClean: true });
    expect(ok(walkStage2(config(), IPA, m.fetch))).toMatchObject({ s2ap: S2AP.RO, writableClean: false });
  });
});

describe('stage-1 walks through stage 2 (s1ptwFetch)', () => {
  // Guest IPA [0x4000_0000, +16 MiB) lives at PA 0x1_0000_0000; stage-1 tables are allocated
  // from IPA 0x4080_0000. Stage-2 tables live at PA 0x2_0000_0000.
  const OFF = 0x1_0000_0000 - 0x4000_0000;
  function setup(s2attrs: (ipa: number) => Parameters<Stage2TableBuilder['map']>[3] = () => ({})) {
    const pm = new SparseTableMemory(0x2_0000_0000);
    const ipaView: TableMemory = {
      readU64: (ipa) => pm.readU64(ipa + OFF),
      writeU64: (ipa, v) => pm.writeU64(ipa + OFF, v),
    };
    const s1mem = new SparseTableMemory(0x4080_0000);
    const s1b = new Stage1TableBuilder(ipaView, s1mem.alloc, { granule: 4096, inputBits: 39 });
    s1b.map(0x1000_0000n, 0x4000_0000, 0x1000); // VA 0x1000_0000 -> IPA 0x4000_0000
    const s2b = new Stage2TableBuilder(pm, pm.alloc, { granule: 4096, inputBits: 40 });
    for (let ipa = 0x4000_0000; ipa < 0x4100_0000; ipa += 0x1000)
      s2b.map(BigInt(ipa), ipa + OFF, 0x1000, s2attrs(ipa), { blocks: false });
    const s1cfg = decodeStage1(
      { tcr: encodeTcrEl1({ T0SZ: 25, T1SZ: 25, TG1: TG1[4096], IPS: 2 }), ttbr0: encodeTtbr(s1b.root), ttbr1: 0n },
      ALL,
    );
    const vtcr = encodeVtcrEl2({ T0SZ: 24, SL0: s2b.sl0, TG0: TG0[4096], PS: 2, HA: 1 });
    const s2cfg = decodeStage2({ vtcr, vttbr: encodeTtbr(s2b.root) }, ALL);
    return { pm, s1b, s1cfg, s2cfg };
  }

  it('translates table IPAs through stage 2 and yields the stage-1 output IPA', () => {
    const { pm, s1cfg, s2cfg } = setup();
    const r = walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(s2cfg, pm.fetch));
    expect(r).toMatchObject({ ok: true, pa: 0x4000_0123, level: 3 });
    if (!r.ok) return;
    expect(r.descAddr >= 0x4080_0000n && r.descAddr < 0x4090_0000n).toBe(true); // an IPA
    expect(ok(walkStage2(s2cfg, BigInt(r.pa), pm.fetch)).pa).toBe(0x1_0000_0123);
  });

  it('reports a stage-2 Translation fault on a table access as s1ptw, with the table IPA', () => {
    const { pm, s1b, s1cfg, s2cfg } = setup();
    const level2Table = s1b.tables[1]!; // IPA of the stage-1 level-2 table
    // Remove the stage-2 page holding it.
    const s2leaf = walkStage2(s2cfg, BigInt(level2Table), pm.fetch);
    if (!s2leaf.ok) throw new Error('setup');
    pm.writeU64(Number(s2leaf.descAddr), 0n);
    const f = fault(walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(s2cfg, pm.fetch)));
    expect(f).toEqual(s2('translation', 3, BigInt(level2Table) + BigInt(((0x1000_0000 >> 21) & 511) * 8), true));
  });

  it('checks stage-2 read permission for table accesses (S2AP write-only faults)', () => {
    const { pm, s1cfg, s2cfg } = setup((ipa) => (ipa >= 0x4080_0000 ? { s2ap: S2AP.WO } : {}));
    const f = fault(walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(s2cfg, pm.fetch)));
    expect(f).toMatchObject({ kind: 'permission', stage: 2, level: 3, s1ptw: true });
    expect(faultStatusCode(f)).toBe(0x0f);
  });

  it('reports External aborts on the stage-2 walk as stage 2, on the descriptor read as stage 1', () => {
    const { pm, s1cfg, s2cfg } = setup();
    const s2abort: DescFetch = (a, l) => (a >= 0x2_0000_0000n ? FETCH_EXTERNAL_ABORT : pm.fetch(a, l));
    expect(fault(walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(s2cfg, s2abort)))).toMatchObject({
      kind: 'externalAbort',
      stage: 2,
      s1ptw: true,
    });
    const s1abort: DescFetch = (a, l) =>
      a >= 0x1_0000_0000n && a < 0x2_0000_0000n ? FETCH_EXTERNAL_ABORT : pm.fetch(a, l);
    expect(fault(walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(s2cfg, s1abort)))).toEqual({
      kind: 'externalAbort',
      stage: 1,
      level: 1,
      s1ptw: false,
      ipa: undefined,
    });
  });

  it('tells the caller when VTCR_EL2.HA should set a stage-2 AF', () => {
    const { pm, s1cfg, s2cfg } = setup((ipa) => (ipa >= 0x4080_0000 ? { af: false } : {}));
    const seen: bigint[] = [];
    const haCfg = { ...s2cfg, ha: true };
    const noHa = { ...s2cfg, ha: false };
    const r = walkStage1(
      s1cfg,
      0x1000_0123n,
      s1ptwFetch(haCfg, pm.fetch, (t) => seen.push(t.ipa)),
    );
    expect(r.ok).toBe(true);
    expect(seen.length).toBe(3); // one per stage-1 table (levels 1, 2, 3)
    expect(fault(walkStage1(s1cfg, 0x1000_0123n, s1ptwFetch(noHa, pm.fetch)))).toMatchObject({
      kind: 'accessFlag',
      stage: 2,
      s1ptw: true,
    });
  });

  it('leaves the stage-2 permission check usable on its own', () => {
    const m = chain(3);
    m.writeU64(SLOT[3], s2PageDesc(0, { s2ap: S2AP.NONE }));
    const t = ok(walkStage2(config(), IPA, m.fetch));
    expect(checkS2Permission(t, 'read')).toEqual({ ok: false, fault: s2('permission', 3) });
    expect(checkS2Permission(t, 'exec')).toEqual({ ok: true });
  });
});
