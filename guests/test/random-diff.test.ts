/**
 * Seeded random-instruction differential test: each program of harness/randprog.ts (fixed seed
 * list) runs on QEMU and on hvlab; the dumps of x0..x30, NZCV and the scratch checksum must be
 * identical. On a mismatch the failure names the seed, lists the body (objdump when the cross
 * binutils are installed, else the harness's own syntax) and the differing registers.
 */
import { describe, expect, test } from 'vitest';
import { diffReport } from '../harness/diffreport.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemuBytes } from '../harness/qemu.js';
import { DIFF_SEEDS, generateProgram, parseOutput } from '../harness/randprog.js';

describe('random instruction sequences: hvlab against QEMU', () => {
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
});
