import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import {
  CORTEX_A57_MMU,
  decodeStage1,
  decodeStage2,
  encodeTcrEl1,
  encodeTtbr,
  encodeVtcrEl2,
  paRangeEncoding,
  resolveMmuImpl,
  sl0For,
  TG0,
  TG1,
} from './config.js';
import { GRANULES } from './granule.js';

const ALL = { paBits: 48, granules: GRANULES };

describe('decodeStage1 (TCR_EL1, TTBRn_EL1)', () => {
  it('decodes the sizes, granules and start levels of both ranges', () => {
    const tcr = encodeTcrEl1({ T0SZ: 16, TG0: TG0[4096], T1SZ: 25, TG1: TG1[65536], IPS: 5, TBI1: 1, EPD0: 1 });
    const c = decodeStage1({ tcr, ttbr0: encodeTtbr(0x4000_0000), ttbr1: encodeTtbr(0x5000_0000) }, ALL);
    expect(c.ttbr0).toMatchObject({
      granule: 4096,
      inputBits: 48,
      startLevel: 0,
      tbi: false,
      epd: true,
      txszFault: false,
    });
    expect(c.ttbr1).toMatchObject({ granule: 65536, inputBits: 39, startLevel: 2, tbi: true, epd: false });
    expect(c.outputBits).toBe(48);
    expect(c.ttbr0.base).toBe(0x4000_0000);
  });

  it('caps IPS at the implemented PA size and treats the reserved value as PAMax', () => {
    const out = (ips: number, paBits = 44) =>
      decodeStage1(
        { tcr: encodeTcrEl1({ T0SZ: 25, T1SZ: 25, TG1: TG1[4096], IPS: ips }), ttbr0: 0n, ttbr1: 0n },
        { paBits },
      ).outputBits;
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((ips) => out(ips))).toEqual([32, 36, 40, 42, 44, 44, 44, 44]);
    expect(out(5, 48)).toBe(48);
    expect(out(6, 48)).toBe(48);
  });

  it('flags TxSZ outside 16..39 (a level-0 Translation fault, as QEMU chooses)', () => {
    const c = (t0sz: number) =>
      decodeStage1({ tcr: encodeTcrEl1({ T0SZ: t0sz, T1SZ: 16, TG1: TG1[4096] }), ttbr0: 0n, ttbr1: 0n }).ttbr0;
    expect(c(15).txszFault).toBe(true);
    expect(c(40).txszFault).toBe(true);
    expect(c(16).txszFault || c(39).txszFault).toBe(false);
  });

  it('replaces reserved and unimplemented granules by the smallest implemented one', () => {
    const g = (tcr: bigint, impl = {}) => {
      const c = decodeStage1({ tcr, ttbr0: 0n, ttbr1: 0n }, impl);
      return [c.ttbr0.granule, c.ttbr1.granule];
    };
    // Cortex-A57 has no 16 KiB granule: TG0 = 0b10 (16K) and TG1 = 0b00 (reserved) act as 4K.
    expect(g(encodeTcrEl1({ T0SZ: 25, TG0: TG0[16384], T1SZ: 25, TG1: 0 }))).toEqual([4096, 4096]);
    expect(g(encodeTcrEl1({ T0SZ: 25, TG0: 3, T1SZ: 25, TG1: TG1[65536] }), { granules: [65536] })).toEqual([
      65536, 65536,
    ]);
    expect(g(encodeTcrEl1({ T0SZ: 25, TG0: TG0[16384], T1SZ: 25, TG1: TG1[16384] }), ALL)).toEqual([16384, 16384]);
  });

  it('takes the ASID from TTBR0 or TTBR1 per TCR_EL1.A1, 8 bits unless TCR_EL1.AS', () => {
    const regs = (fields: Parameters<typeof encodeTcrEl1>[0]) => ({
      tcr: encodeTcrEl1({ T0SZ: 25, T1SZ: 25, TG1: TG1[4096], ...fields }),
      ttbr0: encodeTtbr(0x1000, 0x1234),
      ttbr1: encodeTtbr(0x2000, 0xabcd),
    });
    expect(decodeStage1(regs({ AS: 1 })).asid).toBe(0x1234);
    expect(decodeStage1(regs({ AS: 1, A1: 1 })).asid).toBe(0xabcd);
    expect(decodeStage1(regs({ A1: 1 })).asid).toBe(0xcd);
    expect(decodeStage1(regs({ AS: 1 }), { asid16: false }).asid).toBe(0x34);
  });

  it('aligns BADDR down to the initial table and flags a base beyond the output size', () => {
    // 4K, 25-bit input: start level 2 with 16 entries, so the table is 128 bytes.
    const tcr = encodeTcrEl1({ T0SZ: 39, T1SZ: 39, TG1: TG1[4096], IPS: 2 });
    const c = decodeStage1({ tcr, ttbr0: 0x4000_00f9n, ttbr1: encodeTtbr(2 ** 40) }, ALL);
    expect(c.ttbr0.base).toBe(0x4000_0080);
    expect(c.ttbr0.baseFault).toBe(false);
    expect(c.ttbr1.baseFault).toBe(true);
  });

  it('honours TCR_EL1.HA/HD only when HAFDBS implements them', () => {
    const tcr = encodeTcrEl1({ T0SZ: 25, T1SZ: 25, TG1: TG1[4096], HA: 1, HD: 1 });
    const d = (hafdbs: 0 | 1 | 2) => decodeStage1({ tcr, ttbr0: 0n, ttbr1: 0n }, { hafdbs });
    expect([d(0).ha, d(0).hd, d(1).ha, d(1).hd, d(2).ha, d(2).hd]).toEqual([false, false, true, false, true, true]);
  });

  it('throws on host misuse only', () => {
    expect(() => decodeStage1({ tcr: -1n, ttbr0: 0n, ttbr1: 0n })).toThrow(HvlabError);
    expect(() => decodeStage1({ tcr: 0n, ttbr0: 1n << 64n, ttbr1: 0n })).toThrow(HvlabError);
    expect(() => resolveMmuImpl({ paBits: 52 })).toThrow(HvlabError);
    expect(() => resolveMmuImpl({ granules: [] })).toThrow(HvlabError);
    expect(() => encodeTcrEl1({ T0SZ: 64 })).toThrow(HvlabError);
    expect(() => encodeTtbr(0x1001)).toThrow(HvlabError);
    // Any 64-bit TCR value decodes.
    expect(() => decodeStage1({ tcr: (1n << 64n) - 1n, ttbr0: (1n << 64n) - 1n, ttbr1: 0n })).not.toThrow();
  });

  it('describes QEMU cortex-a57 by default', () => {
    expect(resolveMmuImpl()).toEqual(CORTEX_A57_MMU);
    expect(paRangeEncoding(CORTEX_A57_MMU.paBits)).toBe(0b0100);
  });
});

describe('decodeStage2 (VTCR_EL2, VTTBR_EL2)', () => {
  const s2 = (fields: Parameters<typeof encodeVtcrEl2>[0], vttbr = 0n, impl = {}) =>
    decodeStage2({ vtcr: encodeVtcrEl2(fields), vttbr }, impl);

  it('derives start level and concatenation from SL0 and T0SZ', () => {
    const c = s2({ T0SZ: 24, SL0: 1, TG0: TG0[4096], PS: 2 }, encodeTtbr(0x8000_0000, 7));
    expect(c).toMatchObject({
      granule: 4096,
      inputBits: 40,
      startLevel: 1,
      rootTables: 2,
      configFault: false,
      vmid: 7,
    });
    expect(c.outputBits).toBe(40);
    expect(s2({ T0SZ: 16, SL0: 2, TG0: TG0[4096], PS: 5 }, 0n, ALL)).toMatchObject({ startLevel: 0, rootTables: 1 });
    expect(s2({ T0SZ: 20, SL0: 1, TG0: TG0[65536], PS: 4 })).toMatchObject({ startLevel: 2, rootTables: 4 });
    expect(s2({ T0SZ: 36, SL0: 0, TG0: TG0[16384] }, 0n, ALL)).toMatchObject({ startLevel: 3, rootTables: 8 });
    expect(s2({ T0SZ: 34, SL0: 0, TG0: TG0[16384] }, 0n, ALL).configFault).toBe(true); // 32 tables: too many
  });

  it('aligns BADDR to the concatenated root', () => {
    expect(s2({ T0SZ: 24, SL0: 1, TG0: TG0[4096], PS: 2 }, 0x8000_1ff0n).base).toBe(0x8000_0000);
  });

  it('rejects reserved SL0 values (AArch64.S2InvalidSL)', () => {
    expect(s2({ T0SZ: 32, SL0: 3, TG0: TG0[4096] }).configFault).toBe(true); // level 3 needs FEAT_TTST
    expect(s2({ T0SZ: 20, SL0: 2, TG0: TG0[4096], PS: 4 }).configFault).toBe(false); // PA 44: level 0 allowed
    expect(s2({ T0SZ: 24, SL0: 2, TG0: TG0[4096] }, 0n, { paBits: 40 }).configFault).toBe(true);
    expect(s2({ T0SZ: 16, SL0: 3, TG0: TG0[16384] }, 0n, ALL).configFault).toBe(true); // level 0 needs LPA2
    expect(s2({ T0SZ: 22, SL0: 2, TG0: TG0[16384] }, 0n, { ...ALL, paBits: 42 }).configFault).toBe(false);
    expect(s2({ T0SZ: 24, SL0: 2, TG0: TG0[16384] }, 0n, { ...ALL, paBits: 40 }).configFault).toBe(true);
    expect(s2({ T0SZ: 20, SL0: 3, TG0: TG0[65536] }).configFault).toBe(true);
  });

  it('rejects SL0 inconsistent with T0SZ (AArch64.S2InconsistentSL)', () => {
    // 4K level 2 resolves 22..34-bit IPAs; level 1: 31..43.
    expect(s2({ T0SZ: 30, SL0: 0, TG0: TG0[4096] }).configFault).toBe(false);
    expect(s2({ T0SZ: 29, SL0: 0, TG0: TG0[4096] }).configFault).toBe(true);
    expect(s2({ T0SZ: 21, SL0: 1, TG0: TG0[4096] }).configFault).toBe(false);
    expect(s2({ T0SZ: 20, SL0: 1, TG0: TG0[4096] }).configFault).toBe(true);
  });

  it('limits the IPA size to the PA size (AArch64.S2MinTxSZ) and T0SZ to 39', () => {
    expect(s2({ T0SZ: 19, SL0: 2, TG0: TG0[4096] }).configFault).toBe(true); // 45-bit IPA, 44-bit PA
    expect(s2({ T0SZ: 19, SL0: 2, TG0: TG0[4096] }, 0n, ALL).configFault).toBe(false);
    expect(s2({ T0SZ: 40, SL0: 0, TG0: TG0[4096] }).configFault).toBe(true);
  });

  it('reads 8- or 16-bit VMIDs', () => {
    const vttbr = encodeTtbr(0, 0x1234);
    expect(s2({ T0SZ: 24, SL0: 1, VS: 1 }, vttbr).vmid).toBe(0x34);
    expect(s2({ T0SZ: 24, SL0: 1, VS: 1 }, vttbr, { vmid16: true }).vmid).toBe(0x1234);
  });

  it('encodes SL0 for a start level', () => {
    expect([0, 1, 2].map((l) => sl0For(4096, l))).toEqual([2, 1, 0]);
    expect([1, 2, 3].map((l) => sl0For(65536, l))).toEqual([2, 1, 0]);
    expect(() => sl0For(4096, 3)).toThrow(HvlabError);
    expect(() => sl0For(16384, 0)).toThrow(HvlabError);
    expect(() => sl0For(65536, 0)).toThrow(HvlabError);
  });
});
