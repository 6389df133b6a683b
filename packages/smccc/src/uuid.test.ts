import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { regsToUuid, uuidBytes, uuidToRegs } from './uuid.js';

describe('UUIDs in W0..W3', () => {
  it('packs the bytes little-endian per word (smccc_uuid_to_reg)', () => {
    expect(uuidToRegs('28b46fb6-2ec5-11e9-a9ca-4b564d003a74')).toEqual([
      0xb66f_b428, 0xe911_c52e, 0x564b_caa9, 0x743a_004d,
    ]);
    expect([...uuidBytes('0d21e000-4384-11eb-8070-5244554e5a4c')].slice(0, 4)).toEqual([0x0d, 0x21, 0xe0, 0x00]);
  });

  it('refuses malformed strings and a first word of 0xFFFFFFFF ("no UID")', () => {
    expect(() => uuidBytes('28b46fb6-2ec5-11e9-a9ca-4b564d003a7')).toThrow(/not a UUID/);
    expect(() => uuidToRegs('ffffffff-0000-0000-0000-000000000000')).toThrow(/0xFFFFFFFF/);
    expect(() => regsToUuid([1, 2, 3])).toThrow(/four registers/);
  });

  test.prop([fc.uuid()])('regsToUuid inverts uuidToRegs', (u) => {
    fc.pre(!u.startsWith('ffffffff'));
    expect(regsToUuid(uuidToRegs(u))).toBe(u);
  });
});
