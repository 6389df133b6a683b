/**
 * The random-program generator, checked on QEMU alone: programs are deterministic per seed,
 * terminate with a full register dump, never write the scratch base, stay inside their code
 * budget, cover every instruction kind over the seed list, and report exceptions.
 */
import { describe, expect, test } from 'vitest';
import { runQemuBytes } from './qemu.js';
import {
  DIFF_GROUPS,
  DIFF_SEEDS,
  generateProgram,
  LOAD_ADDRESS,
  listing,
  OUTPUT_SLOTS,
  parseOutput,
} from './randprog.js';

describe('generateProgram', () => {
  test('is deterministic per seed and differs between seeds', () => {
    const a = generateProgram(DIFF_SEEDS[0]!);
    expect(generateProgram(DIFF_SEEDS[0]!).image).toEqual(a.image);
    expect(generateProgram(DIFF_SEEDS[1]!).image).not.toEqual(a.image);
  });

  test('the seed list covers every instruction kind and load/store form', () => {
    const kinds = new Set<string>();
    for (const seed of DIFF_SEEDS)
      for (const { insn } of generateProgram(seed).body) {
        kinds.add(insn.k);
        if (insn.k === 'ldst') kinds.add(`ldst.${insn.mode}`);
        if (insn.k === 'ldstPair') kinds.add(`pair.${insn.mode}`);
        if (insn.k === 'ldstReg') kinds.add(`reg.${insn.option}`);
      }
    for (const k of [
      'addsubImm',
      'logicImm',
      'movWide',
      'bitfield',
      'extr',
      'addsubShift',
      'addsubExt',
      'logicShift',
      'adcSbc',
      'condCmp',
      'condSel',
      'dp1',
      'dp2',
      'dp3',
      'ldst.uimm',
      'ldst.unscaled',
      'ldst.pre',
      'ldst.post',
      'reg.2',
      'reg.3',
      'reg.6',
      'reg.7',
      'pair.offset',
      'pair.pre',
      'pair.post',
      'pair.nontemporal',
      'ldrLit',
      'ldar',
      'prfm',
      'b',
      'bcond',
      'cbz',
      'tbz',
      'br',
      'adr',
      'mrsNzcv',
      'msrNzcv',
    ])
      expect(kinds, k).toContain(k);
  });

  test('bodies have the intended length', () => {
    for (const seed of DIFF_SEEDS) {
      const n = generateProgram(seed).body.length;
      expect(n).toBeGreaterThanOrEqual(DIFF_GROUPS);
      expect(n).toBeLessThan(DIFF_GROUPS * 3);
    }
  });

  test('the listing shows address, word and assembly', () => {
    const p = generateProgram(DIFF_SEEDS[0]!);
    expect(listing(p).split('\n')[0]).toMatch(/^4008[0-9a-f]{4}: [0-9a-f]{8} {2}\S/);
  });
});

describe('on QEMU', () => {
  test('every program of the seed list ends with a register dump, x28 intact', { timeout: 60_000 }, async () => {
    for (const seed of DIFF_SEEDS) {
      const p = generateProgram(seed);
      const r = await runQemuBytes(p.image, { timeoutMs: 20_000 });
      expect(r.code, `seed ${seed}: ${r.stderr}`).toBe(0);
      const out = parseOutput(r.stdout);
      expect(out.kind, `seed ${seed}:\n${r.stdout}\n${listing(p)}`).toBe('state');
      if (out.kind !== 'state') continue;
      expect(out.values).toHaveLength(OUTPUT_SLOTS);
      expect(out.values[28], `seed ${seed}`).toBe(BigInt(LOAD_ADDRESS + 0x1400));
      expect(out.values[31]! & ~0xf000_0000n, `seed ${seed} NZCV`).toBe(0n);
    }
  });

  test('an exception in the body is reported with ESR and ELR', async () => {
    const p = generateProgram(DIFF_SEEDS[0]!, 4, [{ k: 'word', value: 0 }]);
    const r = await runQemuBytes(p.image, { timeoutMs: 20_000 });
    const out = parseOutput(r.stdout);
    const udf = p.body[p.body.length - 1]!.addr;
    expect(out).toEqual({ kind: 'exception', esr: 0x0200_0000n, elr: BigInt(udf) });
  });
});

describe('parseOutput', () => {
  test('rejects truncated or noisy output', () => {
    expect(parseOutput('0123\n').kind).toBe('garbled');
    expect(parseOutput(`${'0'.repeat(16)}\n`.repeat(OUTPUT_SLOTS - 1)).kind).toBe('garbled');
    expect(parseOutput(`${'0'.repeat(16)}\n`.repeat(OUTPUT_SLOTS)).kind).toBe('state');
    expect(parseOutput(`${`${'0'.repeat(16)}\n`.repeat(OUTPUT_SLOTS)}x`).kind).toBe('garbled');
  });
});
