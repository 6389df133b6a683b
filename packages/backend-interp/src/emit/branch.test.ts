/**
 * Branches: every condition code of B.cond against ConditionHolds (Arm ARM C1.2.4) for every
 * NZCV, compare-and-branch and test-and-branch on W/X registers, links (BL, BLR reading the
 * target before writing X30), RET, and offsets both ways.
 */
import { describe, expect, it } from 'vitest';
import { CODE, PC, PSTATE, world } from '../testing/harness.js';

function holds(cond: number, f: number): boolean {
  const [N, Z, C, V] = [(f >> 3) & 1, (f >> 2) & 1, (f >> 1) & 1, f & 1];
  const base = [Z === 1, C === 1, N === 1, V === 1, C === 1 && Z === 0, N === V, N === V && Z === 0, true][cond >> 1]!;
  return cond < 14 && (cond & 1) === 1 ? !base : base;
}

describe('B.cond', () => {
  it('follows ConditionHolds for all 16 conditions and all 16 NZCV values', () => {
    for (let cond = 0; cond < 16; cond++) {
      const { cpu } = world([0x54000040 | cond]); // b.<cond> .+8
      for (let f = 0; f < 16; f++) {
        cpu.setReg(PC, BigInt(CODE));
        cpu.setReg(PSTATE, 0x3c5n | (BigInt(f) << 28n));
        cpu.run(1);
        expect(cpu.getReg(PC), `cond ${cond} nzcv ${f}`).toBe(BigInt(CODE + (holds(cond, f) ? 8 : 4)));
      }
    }
  });
});

describe('compare and test branches', () => {
  const cases: [string, number, bigint, boolean][] = [
    ['cbz w1 (upper half set, low zero)', 0x34000041, 0xffff_ffff_0000_0000n, true],
    ['cbz w1 (non-zero)', 0x34000041, 1n, false],
    ['cbnz x1 (upper half only)', 0xb5000041, 0x1_0000_0000n, true],
    ['cbnz x1 (zero)', 0xb5000041, 0n, false],
    ['tbz x1, #37 (bit clear)', 0xb6280041, 0xffff_ffdf_ffff_ffffn, true],
    ['tbz x1, #37 (bit set)', 0xb6280041, 1n << 37n, false],
    ['tbnz w1, #3', 0x37180041, 8n, true],
    ['tbnz w1, #3 (clear)', 0x37180041, 0xfff7n, false],
  ];
  for (const [name, word, x1, taken] of cases) {
    it(name, () => {
      const { cpu } = world([word], { 1: x1 });
      cpu.run(1);
      expect(cpu.getReg(PC)).toBe(BigInt(CODE + (taken ? 8 : 4)));
    });
  }

  it('TBNZ bit 63 branches backwards', () => {
    const { cpu } = world([0xd503201f, 0xb7ffffe1], { 1: 1n << 63n }); // nop; tbnz x1, #63, .-4
    cpu.setReg(PC, BigInt(CODE + 4));
    cpu.run(1);
    expect(cpu.getReg(PC)).toBe(BigInt(CODE));
  });
});

describe('links and returns', () => {
  it('BL sets X30; BLR X30 jumps to the old X30 and links; RET returns', () => {
    const words = new Array(0x50).fill(0xd503201f);
    words[0] = 0x94000040; // bl .+0x100
    words[0x40] = 0xd63f03c0; // blr x30  (x30 = CODE + 4 from the BL)
    words[1] = 0xd65f03c0; // ret       (x30 = CODE + 0x104 from the BLR)
    const { cpu } = world(words);
    cpu.run(1);
    expect(cpu.getReg(PC)).toBe(BigInt(CODE + 0x100));
    expect(cpu.getReg(30)).toBe(BigInt(CODE + 4));
    cpu.run(1);
    expect(cpu.getReg(PC)).toBe(BigInt(CODE + 4));
    expect(cpu.getReg(30)).toBe(BigInt(CODE + 0x104));
    cpu.run(1);
    expect(cpu.getReg(PC)).toBe(BigInt(CODE + 0x104));
  });

  it('B to another page', () => {
    const { cpu } = world([0x14000200]); // b .+0x800 ... then further
    cpu.run(1);
    expect(cpu.getReg(PC)).toBe(BigInt(CODE + 0x800));
  });
});
