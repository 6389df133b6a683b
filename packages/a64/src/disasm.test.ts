import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, field } from './decoder.js';
import { disassemble } from './disasm.js';

/**
 * Where this disassembler deliberately differs from GNU objdump 2.40 (README.md lists the
 * reasons). Every mismatch against the fixture must fall in one of these classes.
 */
const KNOWN_DIFFERENCES: readonly {
  readonly name: string;
  readonly applies: (w: number, mine: string, theirs: string) => boolean;
}[] = [
  {
    // Arm ARM C6.2 MSR (immediate): imm is CRm, 4 bits, for every PSTATE field; binutils accepts
    // only 0/1 for the one-bit fields and falls back to a generic `msr s0_...` form.
    name: 'MSR (immediate) with CRm > 1',
    applies: (w, _mine, theirs) => decode(w)?.entry.id === 'MSR_imm' && theirs.startsWith('msr s0_'),
  },
  {
    // The op0 = 00 system space outside hints, barriers and PSTATE is unallocated; binutils
    // prints it as a register move to a nonexistent register s0_<op1>_c<n>_c<m>_<op2>.
    name: 'op0 = 00 system space',
    applies: (_w, mine, theirs) => mine.startsWith('.inst') && /^(msr s0_|mrs x\d+, s0_)/.test(theirs),
  },
  {
    // Rt == Rt2 and writeback overlaps are CONSTRAINED UNPREDICTABLE, not unallocated (Arm ARM
    // K1.2); binutils rejects them for LDPSW only.
    name: 'LDPSW with overlapping registers',
    applies: (w, _mine, theirs) => {
      const d = decode(w);
      if (!d?.entry.id.startsWith('LDPSW') || !theirs.startsWith('.inst')) return false;
      const [rt, rt2, rn] = [field(d, 'rt'), field(d, 'rt2'), field(d, 'rn')];
      return rt === rt2 || (d.entry.id !== 'LDPSW_off' && (rn === rt || rn === rt2));
    },
  },
  {
    // HINT #6 is DGH (FEAT_DGH); binutils 2.40 predates it.
    name: 'DGH',
    applies: (_w, mine, theirs) => mine === 'dgh' && theirs === 'hint #0x6',
  },
  {
    // TLBI/IC operations without a register operand: the Arm ARM's optional <Xt> defaults to 31;
    // binutils drops any other Rt, we print it so that the text is lossless.
    name: 'SYS alias with unexpected Rt',
    applies: (_w, mine, theirs) => /^(tlbi|ic) /.test(theirs) && mine.startsWith(`${theirs}, x`),
  },
  {
    // binutils names Armv8-R (MPU) registers; hvlab models the A profile only.
    name: 'Armv8-R system register names',
    applies: (_w, _mine, theirs) => /\b(prbar|prlar|prenr|prselr|mpuir|vsctlr)\d*_el[12]\b/.test(theirs),
  },
  {
    // FMLAL/FMLSL(2) need sz = 0 (Arm ARM C7.2 FMLAL); binutils ignores sz.
    name: 'FMLAL/FMLSL with sz = 1',
    applies: (_w, mine, theirs) => mine.startsWith('.inst') && /^fml[as]l2? /.test(theirs),
  },
  {
    // Extensions this table does not decode (README.md): SVE/SME (op0 = 0010 / 0000 spaces),
    // MTE, MOPS, CSSC, HBC, TME, LS64, WFxT.
    name: 'extension not decoded',
    applies: (w, mine, theirs) =>
      mine.startsWith('.inst') &&
      (((w >>> 25) & 0xf) === 0b0010 ||
        / z\d+\.|\bza|\bp\d+[./]/.test(theirs) ||
        /^(stgp?|st2g|stzg|stz2g|stzgm|stgm|ldgm?|addg|subg|irg|gmi|subps?|bc\.\w+|cpy\w*|set[pme]\w*|setg\w*|smin|smax|umin|umax|abs|cnt|ctz|tstart|tcommit|tcancel|ttest|ld64b|st64bv?0?|wfet|wfit) /.test(
          theirs,
        )),
  },
];

interface FixtureLine {
  readonly pc: bigint;
  readonly word: number;
  readonly source: string;
  readonly text: string;
}

function loadFixture(): FixtureLine[] {
  const raw = readFileSync(new URL('../test/fixtures/objdump.txt', import.meta.url), 'utf8');
  const lines: FixtureLine[] = [];
  for (const l of raw.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const [off, word, source, text] = l.split('\t') as [string, string, string, string];
    // objdump says "; NYI" for some unallocated words it knows belong to an unimplemented class.
    lines.push({
      pc: BigInt(`0x${off}`),
      word: Number.parseInt(word, 16),
      source,
      text: text.replace(/ ; NYI$/, ' ; undefined'),
    });
  }
  return lines;
}

describe('disassemble vs objdump fixture', () => {
  const fixture = loadFixture();

  it('has a fixture of a useful size', () => {
    expect(fixture.length).toBeGreaterThan(1500);
    expect(fixture.filter((l) => l.source === 'bench').length).toBeGreaterThan(100);
  });

  it('differs only in the documented classes', () => {
    const unexpected: string[] = [];
    for (const l of fixture) {
      const mine = disassemble(l.word, l.pc);
      if (mine === l.text) continue;
      if (KNOWN_DIFFERENCES.some((k) => k.applies(l.word, mine, l.text))) continue;
      unexpected.push(`${l.word.toString(16).padStart(8, '0')} (${l.source}): "${mine}" vs objdump "${l.text}"`);
    }
    expect(unexpected).toEqual([]);
  });

  it('agrees with objdump on at least 99% of allocated base-ISA words', () => {
    const base = fixture.filter((l) => decode(l.word)?.entry.feature === 'base');
    const agree = base.filter((l) => disassemble(l.word, l.pc) === l.text).length;
    expect(base.length).toBeGreaterThan(1000);
    expect(agree / base.length).toBeGreaterThanOrEqual(0.99);
  });

  it('agrees on every instruction of the benchmark guest', () => {
    for (const l of fixture.filter((f) => f.source === 'bench' && decode(f.word))) {
      expect(disassemble(l.word, l.pc), l.word.toString(16)).toBe(l.text);
    }
  });
});

describe('disassemble: aliases and operands', () => {
  const cases: [number, string, bigint?][] = [
    [0x9100003f, 'mov sp, x1'],
    [0xaa0003f3, 'mov x19, x0'],
    [0xd2a12002, 'mov x2, #0x9000000'],
    [0x92800000, 'mov x0, #0xffffffffffffffff'],
    [0xf100289f, 'cmp x4, #0xa'],
    [0xeb0003e0, 'negs x0, x0'],
    [0x1a9f17e0, 'cset w0, eq'],
    [0x9ac32664, 'lsr x4, x19, x3'],
    [0xd37ff820, 'lsl x0, x1, #1'],
    [0x93407c20, 'sxtw x0, w1'],
    [0xb37f0fe0, 'bfc x0, #1, #4'],
    [0x92400c84, 'and x4, x4, #0xf'],
    [0x9b227c20, 'smull x0, w1, w2'],
    [0xd65f03c0, 'ret'],
    [0xd503201f, 'nop'],
    [0xd503207f, 'wfi'],
    [0xd5033fdf, 'isb'],
    [0xd5033b9f, 'dsb ish'],
    [0xd4000002, 'hvc #0x0'],
    [0xd5380000, 'mrs x0, midr_el1'],
    [0xd51c1100, 'msr hcr_el2, x0'],
    [0xd50b7e20, 'dc civac, x0'],
    [0xd508831f, 'tlbi vmalle1is'],
    [0xd50343df, 'msr daifset, #0x3'],
    [0xa9be7bfd, 'stp x29, x30, [sp, #-32]!'],
    [0xf8607823, 'ldr x3, [x1, x0, lsl #3]'],
    [0x00000000, 'udf #0'],
    [0x5400004b, 'b.lt 0x40080060', 0x40080058n],
    [0x17fffffe, 'b 0xfff8', 0x10000n],
    [0x90000000, 'adrp x0, 0x40080000', 0x40080abcn],
    [0xc85f7c20, 'ldxr x0, [x1]'],
    [0x4ea11c20, 'mov v0.16b, v1.16b'],
    [0x1e201000, 'fmov s0, #2.000000000000000000e+00'],
    [0x85000000, '.inst 0x85000000 ; undefined'],
  ];
  for (const [w, text, pc] of cases) {
    it(`0x${w.toString(16).padStart(8, '0')} -> ${text}`, () => {
      expect(disassemble(w, pc)).toBe(text);
    });
  }

  it('never throws, and prints .inst exactly for words that do not decode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (w, pc) => {
        const text = disassemble(w, pc);
        expect(text.startsWith('.inst') || text.startsWith('udf')).toBe(decode(w) === undefined);
      }),
      { numRuns: 20_000 },
    );
  });
});
