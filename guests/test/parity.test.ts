/**
 * Guest parity: every catalogued guest (bench-200/2000 excepted, see harness/guests.ts) runs on
 * QEMU and on hvlab; both consoles must be identical byte for byte and equal to expected/.
 * hvlab must end the run through PSCI SYSTEM_OFF.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GUESTS, prebuiltPath, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

/** The first line where two outputs differ, for the failure message. */
function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `line ${i + 1}:\n  QEMU : ${JSON.stringify(a[i])}\n  hvlab: ${JSON.stringify(b[i])}`;
  return 'no difference';
}

describe.each(GUESTS.filter((g) => g.hvlab))('$file', (g) => {
  test('prints the same on hvlab as on QEMU', { timeout: 300_000 }, async () => {
    const expected = readExpected(g.file);
    const input = g.input ? { input: g.input } : {};
    const q = await runQemu(prebuiltPath(g.file), { timeoutMs: g.qemuTimeoutMs, ...input });
    expect(q.code, `QEMU: ${q.stderr}`).toBe(0);
    expect(q.stdout).toBe(expected);
    const h = runHvlab(readFileSync(prebuiltPath(g.file)), { maxInstructions: g.maxInstructions, ...input });
    const diff = firstDifference(q.stdout, h.stdout);
    expect(h.stdout, `${g.file}: first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(q.stdout);
    expect(describeEnd(h.result)).toMatch(/^system event shutdown/);
  });
});
