import { decodeFid, isValidFastCall } from '@hvlab/smccc';
import { describe, expect, it } from 'vitest';
import * as ids from './ids.js';
import {
  formatPsciVersion,
  isPsciFid,
  PSCI_FN_LIMIT,
  PSCI_FUNCTIONS,
  PSCI_RET_NAMES,
  psciFunctionName,
  psciRetName,
  psciVersion,
} from './ids.js';

describe('PSCI function IDs', () => {
  it('lists every call once with DEN0022 IDs', () => {
    expect(PSCI_FUNCTIONS.map((f) => f.number)).toEqual(PSCI_FUNCTIONS.map((_, i) => i));
    for (const f of PSCI_FUNCTIONS) {
      expect(f.fid32).toBe(0x8400_0000 + f.number);
      if (f.fid64 !== undefined) expect(f.fid64).toBe(0xc400_0000 + f.number);
      expect(isValidFastCall(f.fid32)).toBe(true);
      expect(decodeFid(f.fid32).owner).toBe(4);
    }
  });

  it('agrees with the named constants (linux uapi psci.h spelling)', () => {
    const table = ids as unknown as Record<string, number>;
    const constants = Object.keys(table).filter((k) => /^PSCI_\d_\d_FN(64)?_/.test(k));
    expect(constants.length).toBe(PSCI_FUNCTIONS.length + PSCI_FUNCTIONS.filter((f) => f.fid64).length);
    for (const k of constants) {
      const name = psciFunctionName(table[k]!);
      const call = k.replace(/^PSCI_\d_\d_FN(64)?_/, '');
      expect(name, k).toBeDefined();
      expect(name!.replace(/_64$/, '').replace(/^PSCI_(SET|STAT)/, '$1')).toBe(call);
      expect(name!.endsWith('_64')).toBe(k.includes('FN64'));
    }
  });

  it('names SMC32 and SMC64 forms', () => {
    expect(psciFunctionName(0x8400_0003)).toBe('CPU_ON');
    expect(psciFunctionName(0xc400_0003)).toBe('CPU_ON_64');
    expect(psciFunctionName(0xc400_0000)).toBeUndefined();
    expect(psciFunctionName(0x8400_0016)).toBeUndefined();
  });

  it('recognises the PSCI range (OEN 4, numbers 0x00..0x1F)', () => {
    expect(PSCI_FN_LIMIT).toBe(0x20);
    expect(isPsciFid(0x8400_0000)).toBe(true);
    expect(isPsciFid(0xc400_001f)).toBe(true);
    expect(isPsciFid(0x8400_0020)).toBe(false);
    expect(isPsciFid(0x8400_0050)).toBe(false); // TRNG_VERSION
    expect(isPsciFid(0x8500_0000)).toBe(false);
    expect(isPsciFid(0x0400_0000)).toBe(false); // yielding call
  });
});

describe('PSCI return codes and versions', () => {
  it('has the DEN0022 codes and names', () => {
    expect([...PSCI_RET_NAMES]).toEqual([
      [0, 'SUCCESS'],
      [-1, 'NOT_SUPPORTED'],
      [-2, 'INVALID_PARAMETERS'],
      [-3, 'DENIED'],
      [-4, 'ALREADY_ON'],
      [-5, 'ON_PENDING'],
      [-6, 'INTERNAL_FAILURE'],
      [-7, 'NOT_PRESENT'],
      [-8, 'DISABLED'],
      [-9, 'INVALID_ADDRESS'],
    ]);
    expect(psciRetName(-4)).toBe('ALREADY_ON');
    expect(psciRetName(0xffff_ffff_ffff_fffan)).toBe('INTERNAL_FAILURE');
    expect(psciRetName(3)).toBe('3');
  });

  it('encodes versions as bits 31:16 major, 15:0 minor', () => {
    expect(psciVersion(0, 2)).toBe(ids.PSCI_VERSION_0_2);
    expect(psciVersion(1, 0)).toBe(ids.PSCI_VERSION_1_0);
    expect(psciVersion(1, 1)).toBe(ids.PSCI_VERSION_1_1);
    expect(psciVersion(1, 3)).toBe(ids.PSCI_VERSION_1_3);
    expect(formatPsciVersion(0x1_0003)).toBe('1.3');
    expect(() => psciVersion(0x8000, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ids.parsePsciVersion(13 as unknown as string)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('parsePsciVersion', () => {
  it('reads MAJOR.MINOR', () => {
    expect(ids.parsePsciVersion('1.3')).toBe(0x1_0003);
    expect(ids.parsePsciVersion(' 0.2 ')).toBe(2);
    expect(ids.parsePsciVersion('0.1')).toBe(1);
  });
  it('rejects anything else with EINVAL', () => {
    for (const bad of ['', '1', '1.', '.3', '1.3.0', 'v1.3', '1,3', '99999.0', '1.65536', '-1.0'])
      expect(() => ids.parsePsciVersion(bad), bad).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
