import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { AccessKind } from '../exit.js';
import { decodeStage1, decodeStage2, encodeTcrEl1, encodeTtbr, encodeVtcrEl2, TG0, TG1 } from './config.js';
import { s1PageDesc, s2PageDesc, tableDesc } from './descriptor.js';
import { checkS1Permission, checkS2Permission } from './permissions.js';
import { SparseTableMemory } from './testing.js';
import type { S1Translation, S2Translation } from './types.js';
import { walkStage1, walkStage2 } from './walk.js';

/*
 * The tables below are transcribed from the Arm ARM (DDI 0487 K.a, D8.4 "Memory access
 * control"), not derived from the implementation.
 *
 * D8.4, stage 1 data access permissions for the EL1&0 regime, by AP[2:1]:
 *   [AP, EL1 read, EL1 write, EL0 read, EL0 write]
 */
const DATA: readonly (readonly [number, boolean, boolean, boolean, boolean])[] = [
  [0b00, true, true, false, false],
  [0b01, true, true, true, true],
  [0b10, true, false, false, false],
  [0b11, true, false, true, false],
];

/*
 * D8.4, stage 1 instruction execution permissions for the EL1&0 regime (EL1 never executes
 * EL0-writable memory; WXN removes execution from memory writable at the executing EL):
 *   [UXN, PXN, AP, WXN, EL1 executes, EL0 executes]
 */
const EXEC: readonly (readonly [number, number, number, number, boolean, boolean])[] = [
  [0, 0, 0b00, 0, true, true],
  [0, 0, 0b01, 0, false, true],
  [0, 0, 0b10, 0, true, true],
  [0, 0, 0b11, 0, true, true],
  [0, 1, 0b00, 0, false, true],
  [0, 1, 0b01, 0, false, true],
  [0, 1, 0b10, 0, false, true],
  [0, 1, 0b11, 0, false, true],
  [1, 0, 0b00, 0, true, false],
  [1, 0, 0b01, 0, false, false],
  [1, 0, 0b10, 0, true, false],
  [1, 0, 0b11, 0, true, false],
  [1, 1, 0b00, 0, false, false],
  [1, 1, 0b01, 0, false, false],
  [1, 1, 0b10, 0, false, false],
  [1, 1, 0b11, 0, false, false],
  [0, 0, 0b00, 1, false, true],
  [0, 0, 0b01, 1, false, false],
  [0, 0, 0b10, 1, true, true],
  [0, 0, 0b11, 1, true, true],
  [0, 1, 0b00, 1, false, true],
  [0, 1, 0b01, 1, false, false],
  [0, 1, 0b10, 1, false, true],
  [0, 1, 0b11, 1, false, true],
  [1, 0, 0b00, 1, false, false],
  [1, 0, 0b01, 1, false, false],
  [1, 0, 0b10, 1, true, false],
  [1, 0, 0b11, 1, true, false],
  [1, 1, 0b00, 1, false, false],
  [1, 1, 0b01, 1, false, false],
  [1, 1, 0b10, 1, false, false],
  [1, 1, 0b11, 1, false, false],
];

/*
 * Hierarchical APTable[1:0] (D8.4, hierarchical permissions): 0b01 "no EL0 access at subsequent levels", 0b10 "no write
 * access at any EL at subsequent levels", 0b11 both.
 *   [APTable, leaf AP, effective AP]
 */
const APTABLE: readonly (readonly [number, number, number])[] = [
  [0b00, 0b00, 0b00],
  [0b00, 0b01, 0b01],
  [0b00, 0b10, 0b10],
  [0b00, 0b11, 0b11],
  [0b01, 0b00, 0b00],
  [0b01, 0b01, 0b00],
  [0b01, 0b10, 0b10],
  [0b01, 0b11, 0b10],
  [0b10, 0b00, 0b10],
  [0b10, 0b01, 0b11],
  [0b10, 0b10, 0b10],
  [0b10, 0b11, 0b11],
  [0b11, 0b00, 0b10],
  [0b11, 0b01, 0b10],
  [0b11, 0b10, 0b10],
  [0b11, 0b11, 0b10],
];

/* Stage 2 (D8.4): S2AP[1:0] -> [read, write]; XN[1:0] -> [EL1 executes, EL0 executes] (FEAT_XNX). */
const S2AP_TABLE: readonly (readonly [number, boolean, boolean])[] = [
  [0b00, false, false],
  [0b01, true, false],
  [0b10, false, true],
  [0b11, true, true],
];
const S2XN_TABLE: readonly (readonly [number, boolean, boolean])[] = [
  [0b00, true, true],
  [0b01, false, true],
  [0b10, false, false],
  [0b11, true, false],
];

const s1 = (ap: number, uxn = false, pxn = false): S1Translation => ({
  ok: true,
  pa: 0x1000,
  level: 3,
  size: 4096,
  ap,
  uxn,
  pxn,
  af: true,
  ng: false,
  attrIndx: 0,
  sh: 3,
  ns: false,
  contiguous: false,
  writableClean: false,
  asid: 0,
  desc: 0n,
  descAddr: 0n,
});

const s2 = (s2ap: number, xn: number): S2Translation => ({
  ok: true,
  ipa: 0x8000n,
  pa: 0x1000,
  level: 2,
  size: 2 ** 21,
  s2ap,
  xn,
  memAttr: 0xf,
  sh: 3,
  af: true,
  contiguous: false,
  writableClean: false,
  vmid: 0,
  desc: 0n,
  descAddr: 0n,
});

const NONE = { pan: false, wxn: false };
const allowed = (r: { ok: boolean }) => r.ok;

describe('checkS1Permission against the Arm ARM tables', () => {
  it.each(DATA)('AP=%i: EL1 r=%s w=%s, EL0 r=%s w=%s', (ap, r1, w1, r0, w0) => {
    const t = s1(ap);
    expect(allowed(checkS1Permission(t, 'read', 1, NONE))).toBe(r1);
    expect(allowed(checkS1Permission(t, 'write', 1, NONE))).toBe(w1);
    expect(allowed(checkS1Permission(t, 'read', 0, NONE))).toBe(r0);
    expect(allowed(checkS1Permission(t, 'write', 0, NONE))).toBe(w0);
    // LDTR/STTR at EL1 see the EL0 column.
    expect(allowed(checkS1Permission(t, 'read', 1, { ...NONE, unprivileged: true }))).toBe(r0);
    expect(allowed(checkS1Permission(t, 'write', 1, { ...NONE, unprivileged: true }))).toBe(w0);
  });

  it.each(EXEC)('UXN=%i PXN=%i AP=%i WXN=%i: EL1 x=%s, EL0 x=%s', (uxn, pxn, ap, wxn, x1, x0) => {
    const t = s1(ap, uxn === 1, pxn === 1);
    const opts = { pan: false, wxn: wxn === 1 };
    expect(allowed(checkS1Permission(t, 'exec', 1, opts))).toBe(x1);
    expect(allowed(checkS1Permission(t, 'exec', 0, opts))).toBe(x0);
    // XN never affects data accesses, nor WXN.
    expect(allowed(checkS1Permission(t, 'read', 1, opts))).toBe(true);
  });

  it.each(DATA)('PAN: privileged data access to AP=%i faults iff EL0 may read it', (ap, _r1, w1, r0) => {
    const t = s1(ap);
    const pan = { pan: true, wxn: false };
    expect(allowed(checkS1Permission(t, 'read', 1, pan))).toBe(!r0);
    expect(allowed(checkS1Permission(t, 'write', 1, pan))).toBe(w1 && !r0);
    // Not instruction fetches, not unprivileged accesses, not EL0.
    expect(allowed(checkS1Permission(t, 'exec', 1, pan))).toBe(ap !== 0b01);
    expect(allowed(checkS1Permission(t, 'read', 1, { ...pan, unprivileged: true }))).toBe(r0);
    expect(allowed(checkS1Permission(t, 'read', 0, pan))).toBe(r0);
  });

  it('EPAN (FEAT_PAN3) extends PAN to EL0-executable memory', () => {
    const execOnly = s1(0b00, false, true); // EL0 execute-only
    expect(allowed(checkS1Permission(execOnly, 'read', 1, { pan: true, wxn: false }))).toBe(true);
    expect(allowed(checkS1Permission(execOnly, 'read', 1, { pan: true, wxn: false, epan: true }))).toBe(false);
  });

  it('reports a stage-1 permission fault at the walk level', () => {
    expect(checkS1Permission({ ...s1(0b10), level: 2 }, 'write', 1, NONE)).toEqual({
      ok: false,
      fault: { kind: 'permission', stage: 1, level: 2, s1ptw: false, ipa: undefined },
    });
  });
});

describe('checkS2Permission against the Arm ARM tables', () => {
  it.each(S2AP_TABLE)('S2AP=%i: read=%s write=%s, execution independent of reads', (ap, r, w) => {
    expect(allowed(checkS2Permission(s2(ap, 0), 'read'))).toBe(r);
    expect(allowed(checkS2Permission(s2(ap, 0), 'write'))).toBe(w);
    expect(allowed(checkS2Permission(s2(ap, 0), 'exec'))).toBe(true);
  });

  it.each(S2XN_TABLE)('XN=%i: EL1 x=%s, EL0 x=%s', (xn, x1, x0) => {
    expect(allowed(checkS2Permission(s2(0b11, xn), 'exec', 1))).toBe(x1);
    expect(allowed(checkS2Permission(s2(0b11, xn), 'exec', 0))).toBe(x0);
  });

  it('reports the IPA and level', () => {
    expect(checkS2Permission(s2(0b01, 0), 'write')).toEqual({
      ok: false,
      fault: { kind: 'permission', stage: 2, level: 2, s1ptw: false, ipa: 0x8000n },
    });
  });
});

/* Model: the literal tables above, composed with APTable and the table XN bits. */
function modelS1(
  ap: number,
  apTable: number,
  uxn: boolean,
  pxn: boolean,
  access: AccessKind,
  el: 0 | 1,
  o: { pan: boolean; wxn: boolean; unprivileged: boolean },
): boolean {
  const eff = APTABLE.find(([t, a]) => t === apTable && a === ap)![2];
  if (access === 'exec') {
    const row = EXEC.find((r) => r[0] === +uxn && r[1] === +pxn && r[2] === eff && r[3] === +o.wxn)!;
    return el === 1 ? row[4] : row[5];
  }
  const [, r1, w1, r0, w0] = DATA.find((r) => r[0] === eff)!;
  if (el === 0 || o.unprivileged) return access === 'read' ? r0 : w0;
  if (o.pan && r0) return false;
  return access === 'read' ? r1 : w1;
}

describe('stage-1 permissions through a real walk', () => {
  test.prop([
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.constantFrom<AccessKind>('read', 'write', 'exec'),
    fc.constantFrom<0 | 1>(0, 1),
    fc.record({ pan: fc.boolean(), wxn: fc.boolean(), unprivileged: fc.boolean() }),
  ])('walk + checkS1Permission agrees with the tables', (ap, apTable, uxn, pxn, uxnTable, pxnTable, access, el, o) => {
    const m = new SparseTableMemory();
    // 4K, 30-bit VA: level-2 table at 0x1000 -> level-3 table at 0x2000.
    m.writeU64(0x1000, tableDesc(0x2000, { apTable, uxnTable, pxnTable }));
    m.writeU64(0x2000, s1PageDesc(0x5000, { ap, uxn, pxn }));
    const cfg = decodeStage1({
      tcr: encodeTcrEl1({ T0SZ: 34, T1SZ: 34, TG1: TG1[4096], IPS: 2 }),
      ttbr0: encodeTtbr(0x1000),
      ttbr1: 0n,
    });
    const t = walkStage1(cfg, 0x10n, m.fetch);
    if (!t.ok) throw new Error('walk failed');
    const expected = modelS1(ap, apTable, uxn || uxnTable, pxn || pxnTable, access, el, o);
    expect(checkS1Permission(t, access, el, o).ok).toBe(expected);
  });

  test.prop([
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom<AccessKind>('read', 'write', 'exec'),
    fc.constantFrom<0 | 1>(0, 1),
  ])('stage-2 walk + checkS2Permission agrees with the tables (FEAT_XNX)', (s2ap, xn, access, el) => {
    const m = new SparseTableMemory();
    // 4K, 30-bit IPA starting at level 2: 0x1000 -> level-3 table at 0x2000.
    m.writeU64(0x1000, tableDesc(0x2000));
    m.writeU64(0x2000, s2PageDesc(0x5000, { s2ap, xn }));
    const cfg = decodeStage2(
      { vtcr: encodeVtcrEl2({ T0SZ: 34, SL0: 0, TG0: TG0[4096], PS: 2 }), vttbr: encodeTtbr(0x1000) },
      { xnx: true },
    );
    const t = walkStage2(cfg, 0x10n, m.fetch);
    if (!t.ok) throw new Error('walk failed');
    const row = S2AP_TABLE.find((r) => r[0] === s2ap)!;
    const xrow = S2XN_TABLE.find((r) => r[0] === xn)!;
    const expected = access === 'exec' ? (el === 1 ? xrow[1] : xrow[2]) : access === 'read' ? row[1] : row[2];
    expect(checkS2Permission(t, access, el).ok).toBe(expected);
  });
});
