/**
 * Branches (Arm ARM DDI 0487 C4.1.93 "Branches, Exception Generating and System instructions";
 * C6.2 B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET). Branches never change NZCV.
 *
 * B.cond is checked for every condition against all 16 NZCV values; which values take the
 * branch is the ConditionHolds pseudocode (Arm ARM J1 shared/functions/system/ConditionHolds,
 * table C1-1 "Condition codes").
 */
import { CODE, INT64_MIN } from '../env.js';
import type { CaseGroup, ConformanceCase } from '../types.js';

const PC = BigInt(CODE);

type Flags = { n: boolean; z: boolean; c: boolean; v: boolean };

/** One entry per condition code, in encoding order 0b0000..0b1111. */
const CONDITIONS: readonly { asm: string; words: readonly number[]; holds: (f: Flags) => boolean }[] = [
  { asm: 'b.eq .+8', words: [0x54000040], holds: (f) => f.z },
  { asm: 'b.ne .+8', words: [0x54000041], holds: (f) => !f.z },
  { asm: 'b.cs .+8', words: [0x54000042], holds: (f) => f.c },
  { asm: 'b.cc .+8', words: [0x54000043], holds: (f) => !f.c },
  { asm: 'b.mi .+8', words: [0x54000044], holds: (f) => f.n },
  { asm: 'b.pl .+8', words: [0x54000045], holds: (f) => !f.n },
  { asm: 'b.vs .+8', words: [0x54000046], holds: (f) => f.v },
  { asm: 'b.vc .+8', words: [0x54000047], holds: (f) => !f.v },
  { asm: 'b.hi .+8', words: [0x54000048], holds: (f) => f.c && !f.z },
  { asm: 'b.ls .+8', words: [0x54000049], holds: (f) => !(f.c && !f.z) },
  { asm: 'b.ge .+8', words: [0x5400004a], holds: (f) => f.n === f.v },
  { asm: 'b.lt .+8', words: [0x5400004b], holds: (f) => f.n !== f.v },
  { asm: 'b.gt .+8', words: [0x5400004c], holds: (f) => !f.z && f.n === f.v },
  { asm: 'b.le .+8', words: [0x5400004d], holds: (f) => !(!f.z && f.n === f.v) },
  { asm: 'b.al .+8', words: [0x5400004e], holds: () => true },
  // cond = 0b1111 ("NV") also means always in A64 (C1.2.4).
  { asm: 'b.nv .+8', words: [0x5400004f], holds: () => true },
];

const condCases: ConformanceCase[] = CONDITIONS.flatMap((cond) =>
  Array.from({ length: 16 }, (_, nzcv): ConformanceCase => {
    const f = { n: (nzcv & 8) !== 0, z: (nzcv & 4) !== 0, c: (nzcv & 2) !== 0, v: (nzcv & 1) !== 0 };
    const taken = cond.holds(f);
    return {
      name: `${cond.asm.split(' ')[0]!.toUpperCase()} NZCV=${nzcv.toString(2).padStart(4, '0')} ${taken ? 'taken' : 'not taken'}`,
      asm: cond.asm,
      words: cond.words,
      setup: { nzcv },
      steps: 1,
      expect: { pc: taken ? PC + 8n : PC + 4n },
    };
  }),
);

export const branches: CaseGroup = {
  name: 'branches',
  ref: 'Arm ARM C4.1.93, C6.2 (B, BL, B.cond, CBZ, CBNZ, TBZ, TBNZ, BR, BLR, RET), J1 ConditionHolds',
  cases: [
    {
      name: 'B forward skips an instruction',
      asm: 'b .+8; movz x0, #1; movz x1, #2',
      words: [0x14000002, 0xd2800020, 0xd2800041],
      setup: { nzcv: 0b1010 },
      steps: 2,
      expect: { regs: { x1: 2n }, pc: PC + 12n },
    },
    {
      name: 'B backward',
      asm: 'nop; b .-4',
      words: [0xd503201f, 0x17ffffff],
      steps: 2,
      expect: { pc: PC },
    },
    {
      name: 'B largest forward offset (128 MiB - 4)',
      asm: 'b .+0x7fffffc',
      words: [0x15ffffff],
      steps: 1,
      expect: { pc: PC + 0x7ff_fffcn },
    },
    {
      name: 'B largest backward offset (-128 MiB)',
      asm: 'b .-0x8000000',
      words: [0x16000000],
      steps: 1,
      expect: { pc: PC - 0x800_0000n },
    },
    {
      name: 'BL writes the return address to X30',
      asm: 'bl .+8',
      words: [0x94000002],
      steps: 1,
      expect: { regs: { x30: PC + 4n }, pc: PC + 8n },
    },
    {
      name: 'BL to itself',
      asm: 'bl .',
      words: [0x94000000],
      steps: 1,
      expect: { regs: { x30: PC + 4n }, pc: PC },
    },
    ...condCases,
    {
      name: 'CBZ taken',
      asm: 'cbz x1, .+8',
      words: [0xb4000041],
      setup: { regs: { x1: 0n } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'CBZ 32-bit tests only the low half',
      asm: 'cbz w1, .+8',
      words: [0x34000041],
      setup: { regs: { x1: 0x1_0000_0000n } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'CBNZ 32-bit not taken when the low half is 0',
      asm: 'cbnz w1, .+8',
      words: [0x35000041],
      setup: { regs: { x1: 0x1_0000_0000n } },
      steps: 1,
      expect: { pc: PC + 4n },
    },
    {
      name: 'CBNZ 64-bit taken',
      asm: 'cbnz x1, .+8',
      words: [0xb5000041],
      setup: { regs: { x1: 0x1_0000_0000n } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'CBZ XZR always taken',
      asm: 'cbz xzr, .+8',
      words: [0xb400005f],
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'CBZ largest backward offset (-1 MiB)',
      asm: 'cbz x1, .-0x100000',
      words: [0xb4800001],
      setup: { regs: { x1: 0n } },
      steps: 1,
      expect: { pc: PC - 0x10_0000n },
    },
    {
      name: 'TBZ bit 63 set: not taken',
      asm: 'tbz x1, #63, .+8',
      words: [0xb6f80041],
      setup: { regs: { x1: INT64_MIN } },
      steps: 1,
      expect: { pc: PC + 4n },
    },
    {
      name: 'TBNZ bit 63 set: taken',
      asm: 'tbnz x1, #63, .+8',
      words: [0xb7f80041],
      setup: { regs: { x1: INT64_MIN } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'TBZ bit 0 clear: taken',
      asm: 'tbz w1, #0, .+8',
      words: [0x36000041],
      setup: { regs: { x1: 0xffff_ffff_ffff_fffen } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'TBNZ bit 32',
      asm: 'tbnz x1, #32, .+8',
      words: [0xb7000041],
      setup: { regs: { x1: 0x1_0000_0000n } },
      steps: 1,
      expect: { pc: PC + 8n },
    },
    {
      name: 'TBZ largest backward offset (-32 KiB)',
      asm: 'tbz x1, #5, .-0x8000',
      words: [0x362c0001],
      setup: { regs: { x1: 0n } },
      steps: 1,
      expect: { pc: PC - 0x8000n },
    },
    {
      name: 'BR',
      asm: 'br x1',
      words: [0xd61f0020],
      setup: { regs: { x1: PC + 16n } },
      steps: 1,
      expect: { pc: PC + 16n },
    },
    {
      name: 'BLR',
      asm: 'blr x1',
      words: [0xd63f0020],
      setup: { regs: { x1: PC + 0x100n } },
      steps: 1,
      expect: { regs: { x30: PC + 4n }, pc: PC + 0x100n },
    },
    {
      name: 'BLR X30 branches to the old X30',
      asm: 'blr x30',
      words: [0xd63f03c0],
      setup: { regs: { x30: PC + 0x100n } },
      steps: 1,
      expect: { regs: { x30: PC + 4n }, pc: PC + 0x100n },
    },
    {
      name: 'RET (X30)',
      asm: 'ret',
      words: [0xd65f03c0],
      setup: { regs: { x30: 0x4001_2340n } },
      steps: 1,
      expect: { pc: 0x4001_2340n },
    },
    {
      name: 'RET X1',
      asm: 'ret x1',
      words: [0xd65f0020],
      setup: { regs: { x1: 0x4001_0400n } },
      steps: 1,
      expect: { pc: 0x4001_0400n },
    },
  ],
};
