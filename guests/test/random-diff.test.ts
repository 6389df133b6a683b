/**
 * Seeded random-instruction differential test: each program of harness/randprog.ts (fixed seed
 * list) runs on QEMU and on hvlab; the dumps of x0..x30, NZCV and the scratch checksum must be
 * identical. On a mismatch the failure names the seed, lists the body (objdump when the cross
 * binutils are installed, else the harness's own syntax) and the differing registers.
 * The seed list must keep covering every instruction form the generator emits and every kind of
 * program it builds (MMU off/on, self-modifying stores, TLB maintenance, ...): checked first.
 */
import { describe, expect, test } from 'vitest';
import { diffReport } from '../harness/diffreport.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemuBytes } from '../harness/qemu.js';
import { DIFF_SEEDS, forms, generateProgram, parseOutput } from '../harness/randprog.js';

/**
 * Forms the seed list need not cover: the instructions that end a program with an exception
 * (SVC, BRK, HLT, UDF and the EL0 accesses that trap; the committed programs must end with a
 * register dump) and the unmapped top scratch page (every access to it aborts).
 */
const NOT_REQUIRED = new Set(['svc', 'brk', 'hlt', 'udf', 'el0.trap', 'edge.invalid']);

describe('random instruction sequences: hvlab against QEMU', () => {
  test('the seed list covers every form and kind of program the generator produces', () => {
    const all = new Set<string>();
    for (let seed = 1; seed <= 400; seed++) {
      const p = generateProgram(seed);
      for (const f of [...forms(p), ...p.tags]) if (!NOT_REQUIRED.has(f)) all.add(f);
    }
    const covered = new Set<string>();
    for (const seed of DIFF_SEEDS) {
      const p = generateProgram(seed);
      for (const f of [...forms(p), ...p.tags]) covered.add(f);
    }
    expect([...all].filter((f) => !covered.has(f))).toEqual([]);
    expect(all.size).toBeGreaterThan(150);
  });

  test.each(DIFF_SEEDS.map((s) => [s]))('seed %i', async (seed) => {
    const p = generateProgram(seed);
    const q = await runQemuBytes(p.image, { timeoutMs: 20_000 });
    expect(q.code, `QEMU: ${q.stderr}`).toBe(0);
    expect(parseOutput(q.stdout).kind, `QEMU did not dump state for seed ${seed}:\n${q.stdout}`).toBe('state');
    const h = runHvlab(p.image, { maxInstructions: 1_000_000 });
    const end = describeEnd(h.result);
    if (h.stdout !== q.stdout) throw new Error(diffReport(p, q.stdout, h.stdout, end));
    expect(end).toMatch(/^system event shutdown/);
  });

  test('an UNDEFINED word in the body is reported identically (exception entry, vector, ESR, ELR)', async () => {
    const p = generateProgram(DIFF_SEEDS[0]!, 10, [{ k: 'word', value: 0x0000_0000 }]);
    const q = await runQemuBytes(p.image, { timeoutMs: 20_000 });
    expect(parseOutput(q.stdout).kind).toBe('exception');
    const h = runHvlab(p.image, { maxInstructions: 1_000_000 });
    if (h.stdout !== q.stdout) throw new Error(diffReport(p, q.stdout, h.stdout, describeEnd(h.result)));
  });

  // A store, and a DC ZVA (whose fault reports Xt, not the block: AArch64.DataMemZero), to the
  // read-only top scratch page of an MMU-mode program.
  const toEdge = {
    k: 'addsubImm',
    sf: true,
    sub: false,
    s: false,
    rd: 27,
    rn: 28,
    imm12: 0xc13,
    lsl12: false,
  } as const;
  test.each([
    ['stur w1, [x27]', { k: 'ldst', op: 'strw', mode: 'unscaled', rt: 1, rn: 27, imm: 0 } as const],
    ['dc zva, x27', { k: 'word', value: 0xd50b743b } as const],
  ])('a Data Abort in the body (%s) is reported identically (ESR, ELR and FAR)', async (_name, insn) => {
    const seed = DIFF_SEEDS.find((s) => generateProgram(s).tags.includes('edge.ro'))!;
    const p = generateProgram(seed, 6, [toEdge, insn]);
    const q = await runQemuBytes(p.image, { timeoutMs: 20_000 });
    const out = parseOutput(q.stdout);
    expect(out.kind === 'exception' && out.far).toBe(0x4008_2013n);
    const h = runHvlab(p.image, { maxInstructions: 1_000_000 });
    if (h.stdout !== q.stdout) throw new Error(diffReport(p, q.stdout, h.stdout, describeEnd(h.result)));
  });
});
