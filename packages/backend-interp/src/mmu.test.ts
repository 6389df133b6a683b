/**
 * Stage-1 and stage-2 translation through the soft TLB: faults at the right level, permissions
 * (AP, UXN/PXN, PAN, LDTR), TLB caching and TLBI (by VA, ASID, all; block entries), ASID
 * switches, AT, stage 2 (faults as exits with ESR_EL2/HPFAR_EL2), and translated code following
 * a remapped page (Arm ARM D8.2-D8.5, D8.13, D17.2 ESR/PAR).
 *
 * Tables (4 KiB granule, 39-bit VAs, walk from level 1):
 *   L1[0] -> L2a;  L2a[128] -> L3t (VA 0x1000_0000.. test pages), L2a[129] 2 MiB block at
 *                  VA 0x1020_0000 -> DATA2 (RW_EL1, XN)
 *   L1[1] -> L2b;  L2b[0] -> L3i: identity pages for RAM 0x4000_0000..0x401f_ffff (RW_EL1, exec)
 *   L3t: +0x0000 DATA RO_EL1  +0x1000 DATA RW_ALL (UXN)  +0x2000 invalid  +0x3000 DATA nG
 *        +0x4000 CODE2 RO_ALL executable at EL0 (PXN)   +0x5000 DATA RW_EL1 XN
 */
import { SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { HCR } from './sysregs.js';
import { CODE, DATA, PC, PSTATE, RAM, world, writeU64, writeWords } from './testing/harness.js';
import {
  AP,
  encodeTcrEl1,
  encodeTtbr,
  encodeVtcrEl2,
  s1BlockDesc,
  s1PageDesc,
  s2BlockDesc,
  s2PageDesc,
  tableDesc,
} from './testing/mmu.js';

const PT = RAM + 0x10_0000;
const L1 = PT;
const L2A = PT + 0x1000;
const L2B = PT + 0x2000;
const L3T = PT + 0x3000;
const L3I = PT + 0x4000;
const DATA2 = RAM + 0x20_0000;
const CODE2 = RAM + 0x3_0000;
const T = 0x1000_0000; // test page VAs
const XN = { uxn: true, pxn: true } as const;

const TCR = encodeTcrEl1({ T0SZ: 25, T1SZ: 25, TG0: 0, TG1: 2, IPS: 2, AS: 1, IRGN0: 1, ORGN0: 1, SH0: 3 });
const SCTLR_ON = 0x00c5_0838n | 1n | (1n << 2n) | (1n << 12n);
const MAIR = 0x00ffn; // Attr0 Normal WB, Attr1 Device-nGnRnE

function mmuWorld(words: number[], regs: Record<number, bigint> = {}, asid = 1) {
  const w = world(words, regs);
  const l3i: bigint[] = [];
  for (let i = 0; i < 512; i++) l3i.push(s1PageDesc(RAM + i * 0x1000));
  writeU64(w.mem, L3I, l3i);
  writeU64(w.mem, L1, [tableDesc(L2A), tableDesc(L2B)]);
  const l2a: bigint[] = new Array(130).fill(0n);
  l2a[128] = tableDesc(L3T);
  l2a[129] = s1BlockDesc(DATA2, 2, XN);
  writeU64(w.mem, L2A, l2a);
  writeU64(w.mem, L2B, [tableDesc(L3I)]);
  writeU64(w.mem, L3T, [
    s1PageDesc(DATA, { ap: AP.RO_EL1, ...XN }),
    s1PageDesc(DATA, { ap: AP.RW_ALL, uxn: true }),
    0n,
    s1PageDesc(DATA, { ng: true, ...XN }),
    s1PageDesc(CODE2, { ap: AP.RO_ALL, pxn: true }),
    s1PageDesc(DATA, XN),
  ]);
  writeU64(w.mem, DATA, [0x1111n, 0x2222n]);
  writeU64(w.mem, DATA2, [0xd2d2n]);
  w.cpu.setSysReg(SysReg.MAIR_EL1, MAIR);
  w.cpu.setSysReg(SysReg.TCR_EL1, TCR);
  w.cpu.setSysReg(SysReg.TTBR0_EL1, encodeTtbr(L1, asid));
  w.cpu.setSysReg(SysReg.SCTLR_EL1, SCTLR_ON);
  return w;
}

const esr = (w: ReturnType<typeof world>): bigint => w.cpu.getSysReg(SysReg.ESR_EL1);
const far = (w: ReturnType<typeof world>): bigint => w.cpu.getSysReg(SysReg.FAR_EL1);

describe('stage 1', () => {
  it('translates loads, and reports translation and permission faults at their level', () => {
    const w = mmuWorld([0xf9400020, 0xf9000022], { 1: BigInt(T) }); // ldr x0, [x1]; str x2, [x1]
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(0)).toBe(0x1111n);
    // The store hits the read-only page: permission fault, level 3, WnR.
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(w)).toBe(0x9600_004fn);
    expect(far(w)).toBe(BigInt(T));
    const m = mmuWorld([0xf9400020], { 1: BigInt(T + 0x2008) });
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(m)).toBe(0x9600_0007n);
    expect(far(m)).toBe(BigInt(T + 0x2008));
    const l2 = mmuWorld([0xf9400020], { 1: 0x1040_0000n });
    expect(l2.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(l2)).toBe(0x9600_0006n);
  });

  it('EL0 cannot touch EL1 pages; PAN blocks privileged access to EL0 pages, LDTR ignores PAN', () => {
    const e0 = mmuWorld([0xf9400020], { 1: BigInt(T) });
    writeWords(e0.mem, CODE2, [0xf9400020]); // EL0 code at VA T+0x4000
    e0.cpu.setReg(PC, BigInt(T + 0x4000));
    e0.cpu.setReg(PSTATE, 0n);
    expect(e0.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(esr(e0)).toBe(0x9200_000fn); // EC 0x24 (lower EL), permission level 3
    const pan = mmuWorld([0xd500419f, 0xf8400823, 0xf9400020], { 1: BigInt(T + 0x1000) }); // msr pan,#1; ldtr x3; ldr x0
    expect(pan.cpu.run(2).kind).toBe('budget');
    expect(pan.cpu.getReg(3)).toBe(0x1111n);
    expect(pan.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(pan)).toBe(0x9600_000fn);
  });

  it('instruction fetches honour PXN/UXN (Instruction Abort, IFSC permission)', () => {
    const w = mmuWorld([0xd61f0020], { 1: BigInt(T + 0x4000) }); // br x1 -> PXN page at EL1
    writeWords(w.mem, CODE2, [0xd503201f]);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(w)).toBe(0x8600_000fn);
    expect(far(w)).toBe(BigInt(T + 0x4000));
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(T + 0x4000));
  });

  it('the TLB caches translations until TLBI VAE1', () => {
    // ldr x0, [x1]; ldr x0, [x1]; tlbi vae1, x4; ldr x0, [x1]
    const w = mmuWorld([0xf9400020, 0xf9400020, 0xd5088724, 0xf9400020], {
      1: BigInt(T + 0x5000),
      4: BigInt((T + 0x5000) / 4096) | (1n << 48n),
    });
    w.cpu.run(1);
    expect(w.cpu.getReg(0)).toBe(0x1111n);
    // Remap the page to DATA + 8 .. (a different PA) behind the TLB's back.
    writeU64(w.mem, L3T + 5 * 8, [s1PageDesc(DATA2, XN)]);
    w.cpu.run(1);
    expect(w.cpu.getReg(0)).toBe(0x1111n); // still the cached translation
    w.cpu.run(2);
    expect(w.cpu.getReg(0)).toBe(0xd2d2n);
  });

  it('an ASID switch drops non-global entries only', () => {
    // ldr x0, [x1] (nG page); ldr x2, [x3] (global page); msr ttbr0_el1, x6; ldr x0, [x1]; ldr x2, [x3]
    const w = mmuWorld([0xf9400020, 0xf9400062, 0xd5182006, 0xf9400020, 0xf9400062], {
      1: BigInt(T + 0x3000),
      3: BigInt(T + 0x5000),
      6: encodeTtbr(L1, 2),
    });
    w.cpu.run(2);
    writeU64(w.mem, L3T + 3 * 8, [s1PageDesc(DATA2, { ng: true, ...XN })]);
    writeU64(w.mem, L3T + 5 * 8, [s1PageDesc(DATA2, XN)]);
    w.cpu.run(3);
    expect(w.cpu.getReg(0)).toBe(0xd2d2n); // re-walked under the new ASID
    expect(w.cpu.getReg(2)).toBe(0x1111n); // global entry survived
  });

  it('TLBI by VA inside a block mapping invalidates the whole block', () => {
    // ldr x0, [x1]; ldr x2, [x3]; tlbi vaae1is, x4; ldr x0, [x1]; ldr x2, [x3]
    const w = mmuWorld([0xf9400020, 0xf9400062, 0xd5088364, 0xf9400020, 0xf9400062], {
      1: 0x1020_0000n,
      3: 0x1030_0000n,
      4: 0x1020_0000n / 4096n,
    });
    writeU64(w.mem, DATA2 + 0x10_0000, [0xe3e3n]);
    w.cpu.run(2);
    expect(w.cpu.getReg(0)).toBe(0xd2d2n);
    expect(w.cpu.getReg(2)).toBe(0xe3e3n);
    // Point the block elsewhere (DATA's 2 MiB region) and invalidate one page of it.
    writeU64(w.mem, L2A + 129 * 8, [s1BlockDesc(RAM, 2, XN)]);
    w.cpu.run(3);
    expect(w.cpu.getReg(0)).toBe(w.mem.readU64(RAM));
    expect(w.cpu.getReg(2)).toBe(w.mem.readU64(RAM + 0x10_0000));
  });

  it('a DC ZVA fault reports the address in Xt, not the aligned block (AArch64.DataMemZero)', () => {
    // dc zva, x1 on the read-only page, then on the invalid page: FAR_EL1 = Xt as given
    const ro = mmuWorld([0xd50b7421], { 1: BigInt(T + 0x4f) });
    expect(ro.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(ro)).toBe(0x9600_004fn); // DABT_CUR, WnR, permission fault level 3
    expect(far(ro)).toBe(BigInt(T + 0x4f));
    const inv = mmuWorld([0xd50b7421], { 1: BigInt(T + 0x2013) });
    expect(inv.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(esr(inv)).toBe(0x9600_0047n); // translation fault level 3
    expect(far(inv)).toBe(BigInt(T + 0x2013));
  });

  it('AT S1E1R and S1E0W write PAR_EL1', () => {
    // at s1e1r, x1; mrs x5, par_el1; at s1e0w, x1; mrs x6, par_el1
    const w = mmuWorld([0xd5087801, 0xd5387405, 0xd5087861, 0xd5387406], { 1: BigInt(T + 0x1008) });
    w.cpu.run(4);
    expect(w.cpu.getReg(5)).toBe(0xff00_0000_0000_0000n | BigInt(DATA) | 0xb80n);
    expect(w.cpu.getReg(6)).toBe(BigInt(DATA) | 0xb80n | 0xff00_0000_0000_0000n);
    const f = mmuWorld([0xd5087861, 0xd5387405], { 1: BigInt(T) }); // EL0 write to RO_EL1: permission L3
    f.cpu.run(2);
    expect(f.cpu.getReg(5)).toBe(0x800n | (0x0fn << 1n) | 1n);
  });

  it('translated code follows a remapped code page after TLBI', () => {
    // At EL1: br x1 to VA T+0x4000 ... executes code at CODE2 (through an EL1-executable mapping).
    const w = mmuWorld([0xd61f0020], { 1: BigInt(T + 0x5000) });
    writeU64(w.mem, L3T + 5 * 8, [s1PageDesc(CODE2)]);
    writeWords(w.mem, CODE2, [0xd2800540, 0xd4000002]); // mov x0, #42; hvc #0
    writeWords(w.mem, CODE2 + 0x1000, [0xd2800560, 0xd4000002]); // mov x0, #43; hvc #0
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(42n);
    writeU64(w.mem, L3T + 5 * 8, [s1PageDesc(CODE2 + 0x1000)]);
    w.cpu.setReg(PC, BigInt(T + 0x5000));
    // Without TLBI the old translation (and code) may still be used...
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(42n);
    // ...after it, the new page's code runs.
    w.cpu.invalidateTlb();
    w.cpu.setReg(PC, BigInt(T + 0x5000));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(43n);
  });
});

describe('top byte ignore', () => {
  it('with TCR_EL1.TBI0 data accesses ignore the tag and branches drop it', () => {
    // ldr x0, [x1]; br x2
    const w = mmuWorld([0xf9400020, 0xd61f0040], { 1: 0x5a00_0000_1000_0000n, 2: 0x7700_0000_4001_0100n });
    writeWords(w.mem, CODE + 0x100, [0xd4000002]); // hvc #0
    w.cpu.setSysReg(SysReg.TCR_EL1, TCR | (1n << 37n));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(0x1111n);
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 0x104));
  });
});

describe('stage 2', () => {
  const S2PT = RAM + 0x18_0000;
  function s2World(words: number[], regs: Record<number, bigint> = {}) {
    const w = world(words, regs);
    // 40-bit IPA space, 4 KiB granule, start level 1 (SL0 = 1): L1[1] -> L2; L2[0] -> L3 identity
    // for 0x4000_0000..0x401f_ffff except page DATA, which maps to DATA2; L2[1] unmapped.
    const l3: bigint[] = [];
    for (let i = 0; i < 512; i++) l3.push(s2PageDesc(RAM + i * 0x1000));
    l3[(DATA - RAM) / 0x1000] = s2PageDesc(DATA2);
    // The level-1 root is two concatenated tables (8 KiB) for 40 IPA bits.
    writeU64(w.mem, S2PT, [0n, tableDesc(S2PT + 0x2000)]);
    writeU64(w.mem, S2PT + 0x2000, [tableDesc(S2PT + 0x3000)]);
    writeU64(w.mem, S2PT + 0x3000, l3);
    writeU64(w.mem, DATA2, [0xd2d2n]);
    w.cpu.setSysReg(SysReg.VTCR_EL2, encodeVtcrEl2({ T0SZ: 24, SL0: 1, TG0: 0, PS: 2, IRGN0: 1, ORGN0: 1, SH0: 3 }));
    w.cpu.setSysReg(SysReg.VTTBR_EL2, encodeTtbr(S2PT, 7));
    w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.VM));
    return w;
  }

  it('HCR_EL2.DC makes stage 2 behave as enabled (VM = 1) and stage 1 Normal Non-shareable WB', () => {
    // ldr w0, [x1]; at s1e1r, x1; mrs x2, par_el1   with HCR_EL2 = DC only (VM = 0)
    const w = s2World([0xb9400020, 0xd5087801, 0xd5387402], { 1: BigInt(DATA) });
    w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.DC));
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(0)).toBe(0xd2d2n); // DATA -> DATA2 by stage 2
    expect(w.cpu.run(2).kind).toBe('budget');
    // PAR_EL1: PA = the IPA (AT S1E1* is stage 1 only), SH = 0b00, NS, RES1, ATTR = 0xff
    expect(w.cpu.getReg(2)).toBe(0xff00_0000_0000_0000n | BigInt(DATA) | 0xa00n);
    const f = s2World([0xb9400020], { 1: 0x4020_0000n }); // stage 2 has nothing there
    f.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.DC));
    expect(f.cpu.run(10)).toMatchObject({ kind: 'stage2Fault', ipa: 0x4020_0000n, access: 'read' });
  });

  it('IPA -> PA through stage 2, with the MMU off at stage 1', () => {
    const w = s2World([0xf9400020], { 1: BigInt(DATA) });
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(0)).toBe(0xd2d2n);
  });

  it('a stage-2 translation fault is a stage2Fault exit with ISV syndrome, FAR_EL2 and HPFAR_EL2', () => {
    const w = s2World([0xb9400020], { 1: 0x4020_0000n }); // ldr w0, [x1]
    const e = w.cpu.run(10);
    expect(e).toEqual({
      kind: 'stage2Fault',
      ipa: 0x4020_0000n,
      va: 0x4020_0000n,
      access: 'read',
      fault: 'translation',
      level: 2,
      s1ptw: false,
      // EC 0x24, IL, ISV, SAS = word, SRT = 0, DFSC = translation level 2
      esr: 0x9380_0006n,
    });
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE));
    expect(w.cpu.getSysReg(SysReg.HPFAR_EL2)).toBe((0x4020_0000n >> 12n) << 4n);
    expect(w.cpu.getSysReg(SysReg.FAR_EL2)).toBe(0x4020_0000n);
    // Fixing the table and resuming retries the load.
    writeU64(w.mem, S2PT + 0x2000 + 8, [s2BlockDesc(DATA2, 2)]);
    w.cpu.invalidateTlb();
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(0)).toBe(0xd2d2n);
  });
});
