import { describe, expect, it } from 'vitest';
import {
  SMCCC_RET_INVALID_PARAMETER,
  SMCCC_RET_NOT_REQUIRED,
  SMCCC_RET_NOT_SUPPORTED,
  SMCCC_RET_SUCCESS,
  SMCCC_STATUS_NAMES,
  smcccStatusName,
  statusFromReg,
} from './status.js';

describe('SMCCC status codes', () => {
  it('has the DEN0028 values', () => {
    expect([SMCCC_RET_SUCCESS, SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_NOT_REQUIRED, SMCCC_RET_INVALID_PARAMETER]).toEqual([
      0, -1, -2, -3,
    ]);
  });

  it('names every code', () => {
    expect([...SMCCC_STATUS_NAMES.values()]).toEqual(['SUCCESS', 'NOT_SUPPORTED', 'NOT_REQUIRED', 'INVALID_PARAMETER']);
    expect(smcccStatusName(-3)).toBe('INVALID_PARAMETER');
    expect(smcccStatusName(7)).toBe('7');
  });

  it('reads W0 of a register as a signed status', () => {
    expect(statusFromReg(0xffff_ffff_ffff_ffffn)).toBe(-1);
    expect(statusFromReg(0xffff_fffdn)).toBe(-3);
    expect(statusFromReg(0x1_0001n)).toBe(0x1_0001);
    expect(smcccStatusName(0xffff_ffff_ffff_fffen)).toBe('NOT_REQUIRED');
  });
});
