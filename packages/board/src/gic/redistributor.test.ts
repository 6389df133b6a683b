import { describe, expect, it } from 'vitest';
import { gicHarness } from '../testing/gic-harness.js';
import {
  GICR_CTLR,
  GICR_ICACTIVER0,
  GICR_ICENABLER0,
  GICR_ICFGR0,
  GICR_ICFGR1,
  GICR_ICPENDR0,
  GICR_IGROUPR0,
  GICR_IGRPMODR0,
  GICR_IIDR,
  GICR_IPRIORITYR,
  GICR_ISACTIVER0,
  GICR_ISENABLER0,
  GICR_ISPENDR0,
  GICR_NSACR,
  GICR_PENDBASER,
  GICR_PIDR2,
  GICR_PIDR4,
  GICR_PROPBASER,
  GICR_STATUSR,
  GICR_TYPER,
  GICR_WAKER,
} from './regs.js';

describe('GICR_TYPER', () => {
  it('holds the CPU affinity in bits 63:32 and its number in 23:8', () => {
    const h = gicHarness(3);
    expect(h.rr(1, GICR_TYPER, 8)).toBe((1n << 32n) | (1n << 8n));
  });

  it('sets Last only in the last redistributor', () => {
    const h = gicHarness(3);
    expect([0, 1, 2].map((c) => (h.rr(c, GICR_TYPER, 8) >> 4n) & 1n)).toEqual([0n, 0n, 1n]);
  });

  it('reads as two 32-bit halves', () => {
    const h = gicHarness(2);
    expect(h.rr(1, GICR_TYPER)).toBe(0x110n);
    expect(h.rr(1, GICR_TYPER + 4)).toBe(1n);
  });

  it('uses Aff1 for CPU 16 and up (QEMU clusters of 16)', () => {
    const h = gicHarness(17);
    expect(h.rr(16, GICR_TYPER + 4)).toBe(0x100n);
  });

  it('is read-only', () => {
    const h = gicHarness(1);
    h.wr(0, GICR_TYPER, 0);
    expect(h.rr(0, GICR_TYPER)).toBe(0x10n);
    expect(h.invalid).toHaveLength(1);
  });
});

describe('GICR_IIDR, GICR_CTLR and identification', () => {
  it('GICR_IIDR is 0x43b', () => {
    expect(gicHarness().rr(0, GICR_IIDR)).toBe(0x43bn);
  });

  it('GICR_PIDR2 reports ArchRev 3 and PIDR0 is 0x93', () => {
    const h = gicHarness();
    expect(h.rr(0, GICR_PIDR2)).toBe(0x3bn);
    expect(h.rr(0, GICR_PIDR4 + 16)).toBe(0x93n);
  });

  it('GICR_CTLR, GICR_STATUSR, GICR_PROPBASER and GICR_PENDBASER are RAZ/WI (no LPIs)', () => {
    const h = gicHarness();
    h.wr(0, GICR_CTLR, 1);
    h.wr(0, GICR_STATUSR, 0xf);
    h.wr(0, GICR_PROPBASER, 0x1234n, 8);
    h.wr(0, GICR_PENDBASER, 0x1234n, 8);
    expect([h.rr(0, GICR_CTLR), h.rr(0, GICR_STATUSR), h.rr(0, GICR_PROPBASER, 8), h.rr(0, GICR_PENDBASER, 8)]).toEqual(
      [0n, 0n, 0n, 0n],
    );
    expect(h.invalid).toEqual([]);
  });
});

describe('GICR_WAKER', () => {
  it('resets with ProcessorSleep and ChildrenAsleep set', () => {
    expect(gicHarness().rr(0, GICR_WAKER)).toBe(6n);
  });

  it('clearing ProcessorSleep clears ChildrenAsleep at once', () => {
    const h = gicHarness();
    h.wr(0, GICR_WAKER, 0);
    expect(h.rr(0, GICR_WAKER)).toBe(0n);
  });

  it('setting ProcessorSleep sets ChildrenAsleep; ChildrenAsleep itself is read-only', () => {
    const h = gicHarness();
    h.wr(0, GICR_WAKER, 0);
    h.wr(0, GICR_WAKER, 4);
    expect(h.rr(0, GICR_WAKER)).toBe(0n);
    h.wr(0, GICR_WAKER, 2);
    expect(h.rr(0, GICR_WAKER)).toBe(6n);
  });

  it('is per CPU', () => {
    const h = gicHarness(2);
    h.wr(1, GICR_WAKER, 0);
    expect([h.rr(0, GICR_WAKER), h.rr(1, GICR_WAKER)]).toEqual([6n, 0n]);
  });
});

describe('GICR SGI_base registers', () => {
  it('GICR_IGROUPR0 stores the SGI/PPI groups', () => {
    const h = gicHarness();
    h.ws(0, GICR_IGROUPR0, 0x8000_0001);
    expect(h.rs(0, GICR_IGROUPR0)).toBe(0x8000_0001n);
  });

  it('GICR_ISENABLER0 / GICR_ICENABLER0 set and clear enables', () => {
    const h = gicHarness();
    h.ws(0, GICR_ISENABLER0, 0x4800_0001);
    h.ws(0, GICR_ICENABLER0, 1);
    expect(h.rs(0, GICR_ISENABLER0)).toBe(0x4800_0000n);
    expect(h.rs(0, GICR_ICENABLER0)).toBe(0x4800_0000n);
  });

  it('GICR_ISPENDR0 / GICR_ICPENDR0 set and clear pending SGIs', () => {
    const h = gicHarness();
    h.ws(0, GICR_ISPENDR0, 0x3);
    h.ws(0, GICR_ICPENDR0, 0x1);
    expect(h.rs(0, GICR_ISPENDR0)).toBe(2n);
  });

  it('GICR_ISPENDR0 shows a level-sensitive PPI while its input is high', () => {
    const h = gicHarness();
    h.gic.setPpi(0, 30, true);
    expect(h.rs(0, GICR_ICPENDR0)).toBe(1n << 30n);
  });

  it('GICR_ISACTIVER0 / GICR_ICACTIVER0 set and clear active state', () => {
    const h = gicHarness();
    h.ws(0, GICR_ISACTIVER0, 0x10);
    expect(h.rs(0, GICR_ICACTIVER0)).toBe(0x10n);
    h.ws(0, GICR_ICACTIVER0, 0x10);
    expect(h.rs(0, GICR_ISACTIVER0)).toBe(0n);
  });

  it('GICR_IPRIORITYR0-7 store a byte per INTID, byte- and word-accessible', () => {
    const h = gicHarness();
    h.ws(0, GICR_IPRIORITYR + 28, 0xa0b0_c0d0);
    expect(h.rs(0, GICR_IPRIORITYR + 30, 1)).toBe(0xb0n);
    h.ws(0, GICR_IPRIORITYR + 27, 0x80, 1);
    expect(h.rs(0, GICR_IPRIORITYR + 24)).toBe(0x8000_0000n);
  });

  it('GICR_ICFGR0 reads 0xAAAAAAAA (SGIs edge) and ignores writes', () => {
    const h = gicHarness();
    h.ws(0, GICR_ICFGR0, 0);
    expect(h.rs(0, GICR_ICFGR0)).toBe(0xaaaa_aaaan);
    expect(h.invalid).toEqual([]);
  });

  it('GICR_ICFGR1 resets PPIs to level and accepts edge configuration', () => {
    const h = gicHarness();
    expect(h.rs(0, GICR_ICFGR1)).toBe(0n);
    h.ws(0, GICR_ICFGR1, 0xffff_ffff);
    expect(h.rs(0, GICR_ICFGR1)).toBe(0xaaaa_aaaan);
  });

  it('GICR_IGRPMODR0 and GICR_NSACR are RAZ/WI (DS = 1)', () => {
    const h = gicHarness();
    h.ws(0, GICR_IGRPMODR0, 0xffff_ffff);
    h.ws(0, GICR_NSACR, 0xffff_ffff);
    expect([h.rs(0, GICR_IGRPMODR0), h.rs(0, GICR_NSACR)]).toEqual([0n, 0n]);
    expect(h.invalid).toEqual([]);
  });

  it('keeps each CPU s SGI/PPI state separate', () => {
    const h = gicHarness(2);
    h.ws(1, GICR_ISENABLER0, 0xff);
    expect([h.rs(0, GICR_ISENABLER0), h.rs(1, GICR_ISENABLER0)]).toEqual([0n, 0xffn]);
  });
});

describe('redistributor region', () => {
  it('is one 128 KiB block per CPU', () => {
    expect(gicHarness(3).redist.size).toBe(3 * 0x2_0000);
  });

  it('reports reserved offsets and accesses past the last block', () => {
    const h = gicHarness(1);
    expect(h.rr(0, 0x100)).toBe(0n);
    expect(h.redist.read(0x2_0000, 4)).toBe(0n);
    expect(h.invalid.map((a) => a.offset)).toEqual([0x100, 0x2_0000]);
  });
});
