import { fc, test } from '@fast-check/vitest';
import { HvlabError } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_SOC_ID_64,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION,
} from './arch.js';
import {
  decodeFid,
  encodeFid,
  fastCall32,
  fastCall64,
  fidHex,
  isSmc32,
  isValidFastCall,
  OEN_STD_START,
  OEN_VEN_HYP_START,
  OWNER_RANGES,
  ownerName,
} from './fid.js';

const fields = fc.record({
  fast: fc.boolean(),
  smc64: fc.boolean(),
  owner: fc.integer({ min: 0, max: 63 }),
  number: fc.integer({ min: 0, max: 0xffff }),
  sveHint: fc.boolean(),
});

describe('function IDs', () => {
  it('encodes the IDs DEN0028 and DEN0022 publish', () => {
    expect(encodeFid({ fast: true, smc64: false, owner: 0, number: 0 })).toBe(SMCCC_VERSION);
    expect(encodeFid({ fast: true, smc64: false, owner: 0, number: 1 })).toBe(SMCCC_ARCH_FEATURES);
    expect(encodeFid({ fast: true, smc64: true, owner: 0, number: 2 })).toBe(SMCCC_ARCH_SOC_ID_64);
    expect(fastCall32(0, 0x8000)).toBe(SMCCC_ARCH_WORKAROUND_1);
    expect(fastCall32(0, 0x7fff)).toBe(SMCCC_ARCH_WORKAROUND_2);
    expect(fastCall32(0, 0x3fff)).toBe(SMCCC_ARCH_WORKAROUND_3);
    // PSCI CPU_ON (DEN0022): 0x84000003 / 0xC4000003; KVM vendor UID query 0x8600FF01.
    expect(fastCall32(OEN_STD_START, 3)).toBe(0x8400_0003);
    expect(fastCall64(OEN_STD_START, 3)).toBe(0xc400_0003);
    expect(fastCall32(OEN_VEN_HYP_START, 0xff01)).toBe(0x8600_ff01);
    // PV_TIME_FEATURES 0xC5000020, TRNG_RND64 0xC4000053.
    expect(fastCall64(5, 0x20)).toBe(0xc500_0020);
    expect(fastCall64(4, 0x53)).toBe(0xc400_0053);
  });

  it('decodes the fields of a known ID', () => {
    expect(decodeFid(0xc400_0003)).toEqual({
      fast: true,
      smc64: true,
      owner: 4,
      sveHint: false,
      reserved: 0,
      number: 3,
    });
    expect(decodeFid(0x0101_0000 | 0x00fe_0000)).toEqual({
      fast: false,
      smc64: false,
      owner: 1,
      sveHint: true,
      reserved: 0x7f,
      number: 0,
    });
  });

  test.prop([fields])('decode(encode(f)) == f', (f) => {
    const fid = encodeFid(f);
    expect(fid).toBeGreaterThanOrEqual(0);
    expect(fid).toBeLessThanOrEqual(0xffff_ffff);
    expect(decodeFid(fid)).toEqual({ ...f, reserved: 0 });
  });

  test.prop([fc.integer({ min: 0, max: 0xffff_ffff })])('encode(decode(fid)) == fid without reserved bits', (fid) => {
    const d = decodeFid(fid);
    expect(encodeFid(d)).toBe((fid & ~0x00fe_0000) >>> 0);
    expect(isSmc32(fid)).toBe(!d.smc64);
    expect(isValidFastCall(fid)).toBe(d.fast && d.reserved === 0 && !d.sveHint);
  });

  it('rejects out-of-range fields and non-u32 IDs', () => {
    expect(() => encodeFid({ fast: true, smc64: false, owner: 64, number: 0 })).toThrow(HvlabError);
    expect(() => encodeFid({ fast: true, smc64: false, owner: -1, number: 0 })).toThrow(/owner/);
    expect(() => encodeFid({ fast: true, smc64: false, owner: 0, number: 0x10000 })).toThrow(/number/);
    expect(() => encodeFid({ fast: true, smc64: false, owner: 0, number: 1.5 })).toThrow(HvlabError);
    expect(() => decodeFid(-1)).toThrow(HvlabError);
    expect(() => decodeFid(2 ** 32)).toThrow(HvlabError);
  });

  it('names every owner range and covers 0..63 exactly once', () => {
    const hits = new Array<number>(64).fill(0);
    for (const r of OWNER_RANGES) for (let o = r.start; o <= r.end; o++) hits[o]!++;
    expect(hits.every((h) => h === 1)).toBe(true);
    expect(ownerName(0)).toBe('Arm Architecture Calls');
    expect(ownerName(4)).toBe('Standard Secure Service Calls');
    expect(ownerName(6)).toBe('Vendor Specific Hypervisor Service Calls');
    expect(ownerName(20)).toBe('Reserved for future use');
    expect(ownerName(49)).toBe('Trusted Application Calls');
    expect(ownerName(63)).toBe('Trusted OS Calls');
    expect(() => ownerName(64)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ownerName(1.5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('formats IDs as the specs print them', () => {
    expect(fidHex(0x8400_000a)).toBe('0x8400000A');
    expect(fidHex(5)).toBe('0x00000005');
  });
});
