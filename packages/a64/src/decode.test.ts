import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, entryMatches, field, fieldsOf } from './decoder.js';
import { INSN_IDS } from './ids.js';
import { INSN_TABLE } from './table/index.js';
import type { InsnEntry } from './types.js';

/** Every entry matching `w`, by brute force over the table (the reference for the decoder). */
const matches = (w: number): InsnEntry[] => INSN_TABLE.filter((e) => entryMatches(e, w));

const RESTATED = new Set(['op0', 'sysreg', 'sf', 'opc', 'size']);

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Checks the one-entry property for one word and that the indexed decoder agrees. */
function checkWord(w: number): void {
  const m = matches(w);
  if (m.length > 1) throw new Error(`0x${w.toString(16)} matches ${m.map((e) => e.id).join(', ')}`);
  const d = decode(w);
  expect(d?.entry).toBe(m[0]);
}

describe('INSN_TABLE', () => {
  it('entries are well formed', () => {
    for (const e of INSN_TABLE) {
      expect(e.value & ~e.mask, e.id).toBe(0);
      for (const [name, f] of Object.entries(e.fields)) {
        expect(f.pos + f.width, `${e.id}.${name}`).toBeLessThanOrEqual(32);
        // Fields are operand bits. Only these may restate fixed bits, so that every entry of an id
        // (or every system instruction) carries the same field set: op0 and sysreg of
        // SYS/MRS/MSR, sf of REV, opc of LDR (literal), size of exclusive/ordered forms.
        if (RESTATED.has(name)) continue;
        const bits = (((1 << f.width) - 1) << f.pos) >>> 0;
        const hiBits = f.hi ? (((1 << f.hi.width) - 1) << f.hi.pos) >>> 0 : 0;
        expect(((bits | hiBits) & e.mask) >>> 0, `${e.id}.${name} overlaps fixed bits`).toBe(0);
      }
    }
  });

  it('uses every InsnId, and only listed ones', () => {
    const used = new Set(INSN_TABLE.map((e) => e.id));
    expect([...used].filter((id) => !(INSN_IDS as readonly string[]).includes(id))).toEqual([]);
    expect(INSN_IDS.filter((id) => !used.has(id))).toEqual([]);
  });

  it('each entry can match (its constraint allows some word with its fixed bits)', () => {
    let r = 0x2545f491;
    for (const e of INSN_TABLE) {
      let found = false;
      for (let i = 0; i < 50_000 && !found; i++) {
        // xorshift32
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        const w = ((r & ~e.mask) | e.value) >>> 0;
        found = entryMatches(e, w);
      }
      expect(found, e.id).toBe(true);
    }
  });
});

describe('decode: every word decodes to at most one entry', () => {
  it('random words', () => {
    fc.assert(
      fc.property(u32, (w) => {
        checkWord(w);
      }),
      { numRuns: 30_000 },
    );
  });

  it("each entry's fixed bits with random operand bits", () => {
    for (const e of INSN_TABLE) {
      fc.assert(
        fc.property(u32, (r) => {
          checkWord(((r & ~e.mask) | e.value) >>> 0);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('exhaustively over bits 31:21 and 15:10 with random other bits', () => {
    // These are the bits most classes are told apart by (the decoder's own index bits).
    let r = 0x9e3779b9;
    for (let hi = 0; hi < 1 << 11; hi++) {
      for (let mid = 0; mid < 1 << 6; mid += 3) {
        r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
        const w = ((hi << 21) | (r & 0x1f0000) | (mid << 10) | (r & 0x3ff)) >>> 0;
        checkWord(w);
      }
    }
  });

  it('never throws, for any number', () => {
    fc.assert(
      fc.property(fc.oneof(u32, fc.double(), fc.integer()), (w) => {
        const d = decode(w);
        if (d) fieldsOf(d);
      }),
    );
  });
});

describe('decode: known words', () => {
  const cases: [number, string, Record<string, number>][] = [
    [0x9100003f, 'ADD_imm', { sf: 1, sh: 0, imm12: 0, rn: 1, rd: 31 }],
    [0x9000000c, 'ADRP', { rd: 12, offset: 0 }],
    [0xb0ffffe0, 'ADRP', { rd: 0, offset: -3 * 4096 }],
    [0x17fffffe, 'B', { imm26: -2, offset: -8 }],
    [0x94000019, 'BL', { offset: 100 }],
    [0x5400004b, 'B_cond', { cond: 11, offset: 8 }],
    [0xb5ffffe1, 'CBNZ', { sf: 1, rt: 1, offset: -4 }],
    [0xb7f80041, 'TBNZ', { b5b40: 63, rt: 1, offset: 8 }],
    [0x36080040, 'TBZ', { b5b40: 1, rt: 0, offset: 8 }],
    [0xa9be7bfd, 'STP_pre', { opc: 2, imm7: -4, rt2: 30, rn: 31, rt: 29 }],
    [0xf85f83e0, 'LDUR', { size: 3, opc: 1, imm9: -8, rn: 31, rt: 0 }],
    [0x38a0d822, 'LDRS_reg', { size: 0, opc: 2, option: 6, S: 1, rm: 0, rn: 1, rt: 2 }],
    [0xd4000002, 'HVC', { imm16: 0 }],
    [0xd503207f, 'HINT', { hint: 3 }],
    [0xd5380000, 'MRS', { op0: 3, op1: 0, crn: 0, crm: 0, op2: 0, rt: 0, sysreg: 0xc000 }],
    [0xf8600c20, 'LDRAA', { imm10: -512, offset: -4096, w: 1, rn: 1, rt: 0 }],
  ];
  for (const [w, id, fields] of cases) {
    it(`0x${w.toString(16).padStart(8, '0')} is ${id}`, () => {
      const d = decode(w);
      expect(d?.entry.id).toBe(id);
      for (const [name, v] of Object.entries(fields)) expect(field(d!, name), name).toBe(v);
    });
  }

  it('rejects reserved encodings', () => {
    for (const w of [
      0x00000000, // UDF #0
      0x92400000 | (1 << 22) | (0x3f << 10), // AND imm with N=1, imms=111111 (reserved)
      0x12800000 | (2 << 21), // MOVN 32-bit with hw=10
      0x8b400000 | (3 << 22), // ADD shifted with shift=11
      0x0b200000 | (5 << 10), // ADD extended with imm3=5
      0xb8e0c822, // LDRSW-slot size=10 opc=11 (register offset)
      0xf8a0a020, // LSE slot o3=1 opc=010
      0x08217c21, // CASP with odd Rs/Rt
    ]) {
      expect(decode(w), `0x${w.toString(16)}`).toBeUndefined();
    }
  });

  it('field() rejects unknown names as host misuse', () => {
    const d = decode(0xd503201f)!;
    expect(() => field(d, 'rd')).toThrow(/HINT has no field 'rd'/);
  });
});
