import { describe, expect, it } from 'vitest';
import { gicHarness } from '../testing/gic-harness.js';
import {
  GICD_CTLR,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_IGRPMODR,
  GICD_IIDR,
  GICD_IPRIORITYR,
  GICD_IROUTER,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_NSACR,
  GICD_PIDR2,
  GICD_PIDR4,
  GICD_SGIR,
  GICD_STATUSR,
  GICD_TYPER,
  GICD_TYPER2,
} from './regs.js';

const UART = 33;
/** Offset and bit of INTID `i` in a one-bit-per-INTID register block. */
const at = (base: number, i: number) => [base + 4 * (i >> 5), 1 << (i & 31)] as const;

describe('GICD_CTLR', () => {
  it('reads ARE and DS as one from reset, groups disabled', () => {
    expect(gicHarness().rd(GICD_CTLR)).toBe(0x50n);
  });

  it('keeps EnableGrp0/EnableGrp1 and ignores writes to ARE, DS, RWP', () => {
    const h = gicHarness();
    h.wd(GICD_CTLR, 0x8000_0003);
    expect(h.rd(GICD_CTLR)).toBe(0x53n);
    h.wd(GICD_CTLR, 0);
    expect(h.rd(GICD_CTLR)).toBe(0x50n);
  });
});

describe('GICD_TYPER, GICD_IIDR and identification', () => {
  it('GICD_TYPER: No1N, A3V, 16 INTID bits, ITLinesNumber 7 (INTIDs up to 255, as QEMU 7.2 shows)', () => {
    expect(gicHarness().rd(GICD_TYPER)).toBe(BigInt((1 << 25) | (1 << 24) | (0xf << 19) | 7));
  });

  it('GICD_TYPER.ITLinesNumber follows the SPI count', () => {
    expect(gicHarness(1, { numSpis: 64 }).rd(GICD_TYPER) & 0x1fn).toBe(2n);
  });

  it('GICD_IIDR is 0x43b (Arm, as QEMU)', () => {
    expect(gicHarness().rd(GICD_IIDR)).toBe(0x43bn);
  });

  it('GICD_PIDR2 reports ArchRev 3', () => {
    expect(gicHarness().rd(GICD_PIDR2)).toBe(0x3bn);
  });

  it('PIDR4..CIDR3 read as QEMU gicd_ids', () => {
    const h = gicHarness();
    expect(Array.from({ length: 12 }, (_, i) => Number(h.rd(GICD_PIDR4 + 4 * i)))).toEqual([
      0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1,
    ]);
  });

  it('ignores and reports writes to read-only registers', () => {
    const h = gicHarness();
    h.wd(GICD_TYPER, 0);
    h.wd(GICD_IIDR, 0);
    h.wd(GICD_PIDR2, 0);
    expect(h.rd(GICD_IIDR)).toBe(0x43bn);
    expect(h.invalid.map((a) => a.offset)).toEqual([GICD_TYPER, GICD_IIDR, GICD_PIDR2]);
  });
});

describe('GICD_IGROUPR', () => {
  it('stores SPI group bits', () => {
    const h = gicHarness();
    h.wd(GICD_IGROUPR + 4, 0x8000_0002);
    expect(h.rd(GICD_IGROUPR + 4)).toBe(0x8000_0002n);
  });

  it('is RAZ/WI for INTIDs 0-31 (the redistributors own them)', () => {
    const h = gicHarness();
    h.wd(GICD_IGROUPR, 0xffff_ffff);
    expect(h.rd(GICD_IGROUPR)).toBe(0n);
    expect(h.rs(0, 0x80)).toBe(0n);
  });

  it('resets to Group 1 everywhere when asked (QEMU direct Linux boot)', () => {
    const h = gicHarness(1, { resetToGroup1: true });
    expect(h.rd(GICD_IGROUPR + 4)).toBe(0xffff_ffffn);
    expect(h.rs(0, 0x80)).toBe(0xffff_ffffn);
  });

  it('is RAZ/WI beyond the implemented SPIs', () => {
    const h = gicHarness(1, { numSpis: 32 });
    h.wd(GICD_IGROUPR + 8, 1);
    expect(h.rd(GICD_IGROUPR + 8)).toBe(0n);
  });
});

describe('GICD_ISENABLER / GICD_ICENABLER', () => {
  it('set and clear enable bits; both read the enable state', () => {
    const h = gicHarness();
    const [off, b] = at(GICD_ISENABLER, UART);
    h.wd(off, b | 4);
    expect(h.rd(off)).toBe(BigInt(b | 4));
    h.wd(at(GICD_ICENABLER, UART)[0], b);
    expect(h.rd(at(GICD_ICENABLER, UART)[0])).toBe(4n);
  });

  it('ignores zero bits in a write', () => {
    const h = gicHarness();
    h.wd(GICD_ISENABLER + 4, 1);
    h.wd(GICD_ISENABLER + 4, 2);
    h.wd(GICD_ICENABLER + 4, 0);
    expect(h.rd(GICD_ISENABLER + 4)).toBe(3n);
  });

  it('is RAZ/WI for INTIDs 0-31', () => {
    const h = gicHarness();
    h.wd(GICD_ISENABLER, 0xffff_ffff);
    expect(h.rd(GICD_ISENABLER)).toBe(0n);
  });
});

describe('GICD_ISPENDR / GICD_ICPENDR', () => {
  it('set and clear the pending latch', () => {
    const h = gicHarness();
    const [off, b] = at(GICD_ISPENDR, 40);
    h.wd(off, b);
    expect(h.rd(off)).toBe(BigInt(b));
    expect(h.gic.isPending(0, 40)).toBe(true);
    h.wd(at(GICD_ICPENDR, 40)[0], b);
    expect(h.rd(off)).toBe(0n);
  });

  it('reads a level-sensitive SPI as pending while its input is high, even after ICPENDR', () => {
    const h = gicHarness();
    h.gic.setSpi(UART, true);
    const [off, b] = at(GICD_ICPENDR, UART);
    h.wd(off, b);
    expect(h.rd(off) & BigInt(b)).toBe(BigInt(b));
    h.gic.setSpi(UART, false);
    expect(h.rd(off) & BigInt(b)).toBe(0n);
  });
});

describe('GICD_ISACTIVER / GICD_ICACTIVER', () => {
  it('set and clear the active state', () => {
    const h = gicHarness();
    h.wd(GICD_ISACTIVER + 4, 0x10);
    expect(h.rd(GICD_ICACTIVER + 4)).toBe(0x10n);
    h.wd(GICD_ICACTIVER + 4, 0x10);
    expect(h.rd(GICD_ISACTIVER + 4)).toBe(0n);
  });
});

describe('GICD_IPRIORITYR', () => {
  it('stores 8 bits per SPI, byte- and word-accessible', () => {
    const h = gicHarness();
    h.wd(GICD_IPRIORITYR + 32, 0x4433_2211);
    expect(h.rd(GICD_IPRIORITYR + 33, 1)).toBe(0x22n);
    h.wd(GICD_IPRIORITYR + 35, 0xa0, 1);
    expect(h.rd(GICD_IPRIORITYR + 32)).toBe(0xa033_2211n);
  });

  it('is RAZ/WI for INTIDs 0-31', () => {
    const h = gicHarness();
    h.wd(GICD_IPRIORITYR, 0xffff_ffff);
    expect(h.rd(GICD_IPRIORITYR)).toBe(0n);
  });

  it('rejects 16-bit accesses as RAZ/WI and reports them', () => {
    const h = gicHarness();
    h.wd(GICD_IPRIORITYR + 32, 0xffff, 2);
    expect(h.rd(GICD_IPRIORITYR + 32)).toBe(0n);
    expect(h.invalid).toHaveLength(1);
  });
});

describe('GICD_ICFGR', () => {
  it('resets SPIs to level-sensitive and makes them edge-triggered with Int_config[1]', () => {
    const h = gicHarness();
    const off = GICD_ICFGR + 4 * (UART >> 4);
    expect(h.rd(off)).toBe(0n);
    h.wd(off, 0xffff_ffff);
    expect(h.rd(off)).toBe(0xaaaa_aaaan);
  });

  it('is RAZ/WI for INTIDs 0-31 (GICD_ICFGR0/1)', () => {
    const h = gicHarness();
    h.wd(GICD_ICFGR + 4, 0xaaaa_aaaa);
    expect(h.rd(GICD_ICFGR + 4)).toBe(0n);
  });

  it('latches an edge-triggered SPI once per rising edge', () => {
    const h = gicHarness();
    h.wd(GICD_ICFGR + 4 * (UART >> 4), 2 << (2 * (UART & 15)));
    h.gic.setSpi(UART, true);
    h.wd(...(at(GICD_ICPENDR, UART) as [number, number]));
    expect(h.gic.isPending(0, UART)).toBe(false);
    h.gic.setSpi(UART, false);
    h.gic.setSpi(UART, true);
    expect(h.gic.isPending(0, UART)).toBe(true);
  });
});

describe('GICD_IROUTER', () => {
  it('resets to affinity 0 (CPU 0)', () => {
    const h = gicHarness();
    expect(h.rd(GICD_IROUTER + 8 * UART, 8)).toBe(0n);
    expect(h.gic.routeOf(UART)).toBe(0);
  });

  it('routes an SPI to the CPU with that affinity (64-bit access)', () => {
    const h = gicHarness(3);
    h.wd(GICD_IROUTER + 8 * UART, 2n, 8);
    expect(h.gic.routeOf(UART)).toBe(2);
    expect(h.rd(GICD_IROUTER + 8 * UART, 8)).toBe(2n);
  });

  it('accepts 32-bit halves, Aff3 in the upper word', () => {
    const h = gicHarness();
    h.wd(GICD_IROUTER + 8 * UART + 4, 0x7f);
    h.wd(GICD_IROUTER + 8 * UART, 0x0001_0203);
    expect(h.rd(GICD_IROUTER + 8 * UART, 8)).toBe(0x7f_0001_0203n);
    expect(h.rd(GICD_IROUTER + 8 * UART + 4)).toBe(0x7fn);
    expect(h.gic.routeOf(UART)).toBe(-1);
  });

  it('treats IRM as RAZ/WI (no 1-of-N routing: GICD_TYPER.No1N = 1)', () => {
    const h = gicHarness();
    h.wd(GICD_IROUTER + 8 * UART, 0x8000_0001n, 8);
    expect(h.rd(GICD_IROUTER + 8 * UART, 8)).toBe(1n);
  });

  it('is RAZ/WI for INTIDs below 32', () => {
    const h = gicHarness();
    h.wd(GICD_IROUTER + 8 * 5, 1n, 8);
    expect(h.rd(GICD_IROUTER + 8 * 5, 8)).toBe(0n);
  });
});

describe('legacy and reserved distributor space', () => {
  it('GICD_ITARGETSR, GICD_SGIR, GICD_IGRPMODR, GICD_NSACR, GICD_TYPER2, GICD_STATUSR are RAZ/WI silently', () => {
    const h = gicHarness();
    for (const off of [GICD_ITARGETSR + 32, GICD_SGIR, GICD_IGRPMODR + 4, GICD_NSACR + 8, GICD_TYPER2, GICD_STATUSR]) {
      h.wd(off, 0xffff_ffff);
      expect(h.rd(off)).toBe(0n);
    }
    expect(h.invalid).toEqual([]);
  });

  it('reports reserved offsets and misaligned accesses, reading them as zero', () => {
    const h = gicHarness();
    expect(h.rd(0x5000)).toBe(0n);
    expect(h.rd(GICD_CTLR + 2, 4)).toBe(0n);
    h.wd(0x5000, 1);
    expect(h.invalid).toHaveLength(3);
  });
});
