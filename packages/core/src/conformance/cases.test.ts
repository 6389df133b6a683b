/**
 * Checks the conformance case tables themselves (no backend needed): names are unique, every
 * case has generated words, every non-budget exit states its PC, and the robustness helpers
 * behave. Backends run the cases through defineCpuConformance (index.ts).
 */
import { describe, expect, it } from 'vitest';
import { BUDGET_EXIT } from '../exit.js';
import { SysReg } from '../sysregs.js';
import { CASE_GROUPS } from './cases/index.js';
import { checkExitShape, mulberry32 } from './robustness.js';
import type { ConformanceCase, StateExpect } from './types.js';

const allCases = CASE_GROUPS.flatMap((g) => g.cases.map((c) => [g.name, c] as const));

function phases(c: ConformanceCase): { expect: StateExpect; ran: boolean }[] {
  return [
    { expect: c.expect, ran: true },
    ...(c.next ?? []).map((p) => ({ expect: p.expect, ran: p.run !== undefined })),
  ];
}

describe('conformance case tables', () => {
  it('group names and case names within a group are unique', () => {
    expect(new Set(CASE_GROUPS.map((g) => g.name)).size).toBe(CASE_GROUPS.length);
    for (const g of CASE_GROUPS) {
      const names = g.cases.map((c) => c.name);
      expect(
        names.filter((n, i) => names.indexOf(n) !== i),
        g.name,
      ).toEqual([]);
    }
  });

  it('every case carries the words generated from its assembly', () => {
    for (const [group, c] of allCases) {
      expect(c.asm.trim(), `${group}: ${c.name}`).not.toBe('');
      expect(
        c.words.length,
        `${group}: ${c.name} has no words (run scripts/gen-conformance-words.mjs)`,
      ).toBeGreaterThan(0);
      for (const w of c.words) expect(Number.isInteger(w) && w >= 0 && w <= 0xffff_ffff, c.name).toBe(true);
      for (const b of c.setup?.code ?? []) expect(b.words.length, `${c.name}: code at ${b.at}`).toBeGreaterThan(0);
    }
  });

  it('every phase that expects a non-budget exit also states the PC; phases without a run expect no exit', () => {
    for (const [group, c] of allCases) {
      for (const p of phases(c)) {
        if (!p.ran) expect(p.expect.exit, `${group}: ${c.name}`).toBeUndefined();
        else if ((p.expect.exit?.kind ?? 'budget') !== 'budget')
          expect(p.expect.pc, `${group}: ${c.name}`).toBeDefined();
      }
    }
  });

  it('system registers named by cases exist', () => {
    for (const [, c] of allCases) {
      const names = [
        ...Object.keys(c.setup?.sysregs ?? {}),
        ...phases(c).flatMap((p) => Object.keys(p.expect.sysregs ?? {})),
      ];
      for (const n of names) expect(SysReg, c.name).toHaveProperty(n);
    }
  });

  it('B.cond is covered for all 16 conditions and all 16 NZCV values', () => {
    const conds = allCases.filter(([g, c]) => g === 'branches' && /^B\.[A-Z]{2} NZCV=/.test(c.name));
    expect(conds).toHaveLength(256);
  });
});

describe('robustness helpers', () => {
  it('checkExitShape accepts well-formed exits', () => {
    expect(checkExitShape(BUDGET_EXIT)).toBeUndefined();
    expect(checkExitShape({ kind: 'hvc', imm: 0xffff })).toBeUndefined();
    expect(
      checkExitShape({
        kind: 'mmio',
        pa: 0x900_0000n,
        va: 0x900_0000n,
        size: 4,
        isWrite: false,
        data: 0n,
        rt: 31,
        signExtend: false,
        sf: true,
      }),
    ).toBeUndefined();
  });

  it('checkExitShape rejects malformed exits', () => {
    expect(checkExitShape(undefined)).toMatch(/not an object/);
    expect(checkExitShape({ kind: 'halt' })).toMatch(/unknown kind/);
    expect(checkExitShape({ kind: 'hvc', imm: 0x10000 })).toMatch(/imm/);
    expect(checkExitShape({ kind: 'sysreg', reg: 1, isRead: true, rt: 32, value: 0n, esr: 0n })).toMatch(/rt/);
    expect(checkExitShape({ kind: 'breakpoint', pc: -1n })).toMatch(/pc/);
  });

  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 4 }, () => a());
    expect(Array.from({ length: 4 }, () => b())).toEqual(xs);
    expect(new Set(xs).size).toBe(4);
    for (const x of xs) expect(x >>> 0).toBe(x);
  });
});
