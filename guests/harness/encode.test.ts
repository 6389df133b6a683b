/**
 * encode.ts against GNU as: every fixture entry holds an instruction description, the text
 * format() printed for it and the word `aarch64-linux-gnu-as` assembled from that text. The
 * fixture was captured once (HVLAB_UPDATE_FIXTURES=1 regenerates it, which needs the cross
 * binutils); the test itself needs no toolchain.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeBitMasks, encode, format, type Insn, isCanonicalBitMask } from './encode.js';
import { fixedCode, generateProgram } from './randprog.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/encode-as.json', import.meta.url));

interface Entry {
  readonly insn: Insn;
  readonly asm: string;
  readonly word: string;
}

/** The sample: the fixed code of every program, the bodies of 16 seeds, and hand-picked edge cases. */
function sample(): Insn[] {
  const edge: Insn[] = [
    { k: 'addsubImm', sf: true, sub: false, s: false, rd: 31, rn: 31, imm12: 4095, lsl12: true },
    { k: 'addsubImm', sf: false, sub: true, s: true, rd: 31, rn: 31, imm12: 0, lsl12: false },
    { k: 'logicImm', sf: true, op: 'orr', rd: 31, rn: 31, n: 0, immr: 0, imms: 0x3c },
    { k: 'logicImm', sf: false, op: 'ands', rd: 31, rn: 3, n: 0, immr: 31, imms: 30 },
    { k: 'adr', page: true, rd: 0, offset: -4096 * 3 },
    { k: 'adr', page: false, rd: 30, offset: -1 },
    { k: 'addsubExt', sf: true, sub: true, s: false, rd: 31, rn: 31, rm: 7, option: 3, amount: 4 },
    { k: 'addsubExt', sf: false, sub: false, s: true, rd: 2, rn: 31, rm: 7, option: 6, amount: 1 },
    { k: 'dp3', sf: true, op: 'umulh', rd: 1, rn: 2, rm: 3, ra: 31 },
    { k: 'dp3', sf: false, op: 'msub', rd: 1, rn: 2, rm: 3, ra: 4 },
    { k: 'dp1', sf: false, op: 'rev', rd: 1, rn: 2 },
    { k: 'dp1', sf: true, op: 'rev32', rd: 1, rn: 2 },
    { k: 'ldst', op: 'ldrsw', mode: 'uimm', rt: 0, rn: 31, imm: 16380 },
    { k: 'ldst', op: 'strh', mode: 'pre', rt: 31, rn: 1, imm: -256 },
    { k: 'ldstReg', op: 'ldrb', rt: 0, rn: 1, rm: 2, option: 3, s: true },
    { k: 'ldstReg', op: 'ldrx', rt: 0, rn: 1, rm: 2, option: 7, s: false },
    { k: 'ldstReg', op: 'strh', rt: 0, rn: 1, rm: 2, option: 2, s: true },
    { k: 'ldstPair', op: 'ldpsw', mode: 'post', rt: 0, rt2: 1, rn: 2, imm: 252 },
    { k: 'ldstPair', op: 'stpx', mode: 'nontemporal', rt: 0, rt2: 1, rn: 31, imm: -512 },
    { k: 'ldrLit', op: 'ldrsw', rt: 3, offset: -1048576 },
    { k: 'ldar', size: 1, load: false, rt: 5, rn: 31 },
    { k: 'b', link: true, offset: -(2 ** 27) },
    { k: 'bcond', cond: 15, offset: 2 ** 20 - 4 },
    { k: 'tbz', nz: false, rt: 0, bit: 31, offset: -(2 ** 15) },
    { k: 'tbz', nz: true, rt: 30, bit: 63, offset: 2 ** 15 - 4 },
    { k: 'br', op: 'ret', rn: 30 },
    { k: 'hvc', imm16: 0xffff },
    { k: 'nop' },
    { k: 'word', value: 0x00001234 },
  ];
  const bodies = Array.from({ length: 16 }, (_, i) => generateProgram(1000 + i).body.map((b) => b.insn));
  // Logical immediates with ignored immr bits have no syntax of their own (see isCanonicalBitMask).
  const canonical = (i: Insn) => i.k !== 'logicImm' || isCanonicalBitMask(i.n, i.immr, i.imms);
  return [...fixedCode(), ...bodies.flat(), ...edge].filter(canonical);
}

/** Assembles `insns` with GNU as (linked at 0 so ADRP resolves) and returns the fixture entries. */
function assemble(insns: readonly Insn[]): Entry[] {
  const dir = mkdtempSync(join(tmpdir(), 'hvlab-encode-'));
  try {
    const lines = insns.map(format);
    writeFileSync(join(dir, 'a.s'), `${lines.join('\n')}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    execFileSync('aarch64-linux-gnu-ld', ['-Ttext=0', '-e', '0', '-o', join(dir, 'a.elf'), join(dir, 'a.o')]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.elf'), join(dir, 'a.bin')]);
    const bin = readFileSync(join(dir, 'a.bin'));
    if (bin.length !== insns.length * 4)
      throw new Error(`as produced ${bin.length} bytes for ${insns.length} instructions`);
    return insns.map((insn, i) => ({
      insn,
      asm: lines[i]!,
      word: bin
        .readUInt32LE(i * 4)
        .toString(16)
        .padStart(8, '0'),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.HVLAB_UPDATE_FIXTURES)
  writeFileSync(FIXTURE, `${JSON.stringify(assemble(sample()), null, 0).replaceAll('},{', '},\n{')}\n`);

const fixture: Entry[] = JSON.parse(readFileSync(FIXTURE, 'utf8'));

describe('encode() and format() agree with aarch64-linux-gnu-as', () => {
  test('the fixture covers every instruction kind', () => {
    const kinds = new Set(fixture.map((e) => e.insn.k));
    for (const k of [
      'addsubImm',
      'logicImm',
      'movWide',
      'bitfield',
      'extr',
      'adr',
      'addsubShift',
      'addsubExt',
      'logicShift',
      'adcSbc',
      'condCmp',
      'condSel',
      'dp1',
      'dp2',
      'dp3',
      'ldst',
      'ldstReg',
      'ldstPair',
      'ldrLit',
      'ldar',
      'prfm',
      'b',
      'bcond',
      'cbz',
      'tbz',
      'br',
      'mrsNzcv',
      'msrNzcv',
      'sysreg',
      'nop',
      'isb',
      'hvc',
      'word',
    ])
      expect(kinds, k).toContain(k);
    expect(fixture.length).toBeGreaterThan(500);
  });

  test.each(fixture.map((e, i) => [i, e] as const))('entry %i', (_i, e) => {
    expect(format(e.insn)).toBe(e.asm);
    expect(encode(e.insn).toString(16).padStart(8, '0'), e.asm).toBe(e.word);
  });
});

describe('decodeBitMasks', () => {
  test('known values', () => {
    expect(decodeBitMasks(true, 1, 0, 3)).toBe(0xfn);
    expect(decodeBitMasks(true, 0, 0, 0x3c)).toBe(0x5555_5555_5555_5555n);
    expect(decodeBitMasks(false, 0, 1, 0)).toBe(0x8000_0000n);
    expect(decodeBitMasks(true, 1, 0, 63)).toBeUndefined();
    expect(decodeBitMasks(false, 1, 0, 0)).toBeUndefined();
  });

  test('a valid pattern replicates one rotated run of ones (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 63 }),
        (sf, n, immr, imms) => {
          const v = decodeBitMasks(sf, n, immr, imms);
          if (v === undefined) return;
          const width = sf ? 64 : 32;
          expect(v >> BigInt(width)).toBe(0n);
          expect(v).not.toBe(0n);
          expect(v).not.toBe((1n << BigInt(width)) - 1n);
        },
      ),
    );
  });
});

describe('non-canonical logical immediates', () => {
  test('immr bits above the element size change the word, not the value', () => {
    const a: Insn = { k: 'logicImm', sf: true, op: 'orr', rd: 29, rn: 12, n: 0, immr: 1, imms: 0x39 };
    const b: Insn = { ...a, immr: 0x2d };
    expect(isCanonicalBitMask(0, 1, 0x39)).toBe(true);
    expect(isCanonicalBitMask(0, 0x2d, 0x39)).toBe(false);
    expect(decodeBitMasks(true, 0, 0x2d, 0x39)).toBe(decodeBitMasks(true, 0, 1, 0x39));
    expect(encode(a)).toBe(0xb201e59d); // as: orr x29, x12, #0x9999999999999999
    expect(encode(b)).toBe(0xb22de59d);
  });
});

describe('encoder argument checks', () => {
  test('out-of-range operands throw', () => {
    expect(() =>
      encode({ k: 'addsubImm', sf: true, sub: false, s: false, rd: 0, rn: 0, imm12: 4096, lsl12: false }),
    ).toThrow(/imm12/);
    expect(() => encode({ k: 'ldst', op: 'ldrx', mode: 'uimm', rt: 0, rn: 0, imm: 4 })).toThrow(/multiple of 8/);
    expect(() => encode({ k: 'b', link: false, offset: 2 ** 27 })).toThrow(/imm26/);
    expect(() =>
      encode({ k: 'addsubShift', sf: true, sub: false, s: false, rd: 0, rn: 0, rm: 0, shift: 3, amount: 0 }),
    ).toThrow(/ROR/);
    expect(() => encode({ k: 'movWide', sf: false, op: 'movz', rd: 0, imm16: 1, hw: 2 })).toThrow(/hw/);
    expect(() => encode({ k: 'dp1', sf: false, op: 'rev32', rd: 0, rn: 0 })).toThrow(/rev32/);
  });
});
