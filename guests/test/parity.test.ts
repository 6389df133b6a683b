/**
 * Guest parity: every catalogued guest whose oracle is QEMU (bench-200/2000 excepted, see
 * harness/guests.ts; smp.elf has its own ten-run test, test/smp.test.ts) runs on QEMU and on
 * hvlab; both consoles must be identical byte for byte and equal to expected/. hvlab must end the
 * run through PSCI SYSTEM_OFF.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { firstDifference } from '../harness/compare.js';
import { prebuiltPath, qemuGuests, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

describe.each(qemuGuests().filter((g) => g.hvlab && !g.ownTest))('$file', (g) => {
  test('prints the same on hvlab as on QEMU', { timeout: 300_000 }, async () => {
    const expected = readExpected(g.file);
    const input = g.input ? { input: g.input } : {};
    const q = await runQemu(prebuiltPath(g.file), { timeoutMs: g.qemuTimeoutMs, cpus: g.cpus ?? 1, ...input });
    expect(q.code, `QEMU: ${q.stderr}`).toBe(0);
    expect(q.stdout).toBe(expected);
    const h = runHvlab(readFileSync(prebuiltPath(g.file)), {
      maxInstructions: g.maxInstructions,
      cpus: g.cpus ?? 1,
      firmware: g.firmware ?? 'qemu',
      ...input,
    });
    const diff = firstDifference(q.stdout, h.stdout, 'QEMU', 'hvlab');
    expect(h.stdout, `${g.file}: first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(q.stdout);
    expect(describeEnd(h.result)).toMatch(/^system event shutdown/);
  });
});
