/**
 * Checks of the system-register name table in @hvlab/core (packages/core/src/sysregs.ts), whose
 * additions a64 owns: names are unique, round-trip through sysRegByName, and MRS/MSR disassembly
 * uses them.
 */
import { SYSREG_FAMILIES, SysReg, sysRegByName, sysRegFields, sysRegName } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { disassemble } from './disasm.js';

const allNamed = (): [string, number][] => {
  const out: [string, number][] = Object.entries(SysReg);
  for (const [prefix, suffix, first, last, enc] of SYSREG_FAMILIES)
    for (let n = first; n <= last; n++) out.push([`${prefix}${n}${suffix}`, enc(n)]);
  return out;
};

describe('system register names', () => {
  it('every name resolves to its encoding, and encodings are op0 = 2 or 3', () => {
    for (const [name, id] of allNamed()) {
      expect(sysRegByName(name), name).toBe(id);
      expect(sysRegByName(name.toLowerCase()), name).toBe(id);
      expect(sysRegFields(id).op0, name).toBeGreaterThanOrEqual(2);
    }
  });

  it('one name per encoding, except the DBGDTR pair (Arm ARM D24.3.9)', () => {
    const byId = new Map<number, Set<string>>();
    for (const [name, id] of allNamed()) byId.set(id, (byId.get(id) ?? new Set()).add(name));
    const shared = [...byId.values()].filter((s) => s.size > 1).map((s) => [...s].sort());
    expect(shared).toEqual([['DBGDTRRX_EL0', 'DBGDTRTX_EL0']]);
    expect(sysRegName(SysReg.DBGDTRRX_EL0)).toBe('DBGDTRRX_EL0');
  });

  it('keeps the encodings Arm gives for well-known registers', () => {
    expect(SysReg.MIDR_EL1).toBe(0xc000);
    expect(sysRegByName('PMEVCNTR30_EL0')).toBe(sysRegByName('S3_3_C14_C11_6'));
    expect(sysRegByName('DBGBVR15_EL1')).toBe(sysRegByName('S2_0_C0_C15_4'));
    expect(sysRegByName('ICH_LR15_EL2')).toBe(sysRegByName('S3_4_C12_C13_7'));
    expect(sysRegName(sysRegByName('S3_0_C15_C2_0')!)).toBe('S3_0_C15_C2_0');
  });

  it('MRS/MSR disassemble with the names, and DBGDTRTX_EL0 on writes', () => {
    expect(disassemble(0xd53c1100)).toBe('mrs x0, hcr_el2');
    expect(disassemble(0xd5380a80)).toBe('mrs x0, s3_0_c0_c10_4');
    expect(disassemble(0xd5330500)).toBe('mrs x0, dbgdtrrx_el0');
    expect(disassemble(0xd5130500)).toBe('msr dbgdtrtx_el0, x0');
    expect(disassemble(0xd5100080)).toBe('msr dbgbvr0_el1, x0');
  });
});
