/**
 * hvc-bench-N.elf — N PSCI_VERSION calls over HVC, the HVC round trip that `pnpm bench` times —
 * prints the same on QEMU and on hvlab, and that output is what N answers of PSCI 1.1 (QEMU 7.2's
 * version, which hvlab's 'qemu' firmware matches) must give: the checksum is recomputed here
 * (hvc-bench/loop.S: sum of the answers and h = (h ^ answer) * 0x100000001b3 from the FNV-1a
 * offset basis, modulo 2^64).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { firstDifference } from '../harness/compare.js';
import { guest, HVC_BENCH, prebuiltPath, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

const PSCI_VERSION_1_1 = 0x1_0001n;

/** The console of hvc-bench for `calls` answers all equal to `version`. */
function benchOutput(calls: number, version: bigint): string {
  const mask = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < calls; i++) h = ((h ^ version) * 0x100000001b3n) & mask;
  return (
    `hvc-bench: ${calls} PSCI_VERSION calls over HVC, PSCI_VERSION = ${version >> 16n}.${version & 0xffffn}\n` +
    `hvc-bench: sum of answers = ${calls} x PSCI_VERSION: yes\n` +
    `hvc-bench: checksum 0x${h.toString(16).padStart(16, '0')}\n`
  );
}

describe.each(Object.entries(HVC_BENCH))('%s', (file, calls) => {
  const g = guest(file);

  test('expected output is what PSCI 1.1 answers give', () => {
    expect(readExpected(file)).toBe(benchOutput(calls, PSCI_VERSION_1_1));
  });

  test('QEMU and hvlab print it', { timeout: g.qemuTimeoutMs + 120_000 }, async () => {
    const expected = readExpected(file);
    const q = await runQemu(prebuiltPath(file), { timeoutMs: g.qemuTimeoutMs });
    expect(q.code, `QEMU: ${q.stderr}`).toBe(0);
    expect(q.stdout).toBe(expected);
    const h = runHvlab(readFileSync(prebuiltPath(file)), { maxInstructions: g.maxInstructions, firmware: g.firmware });
    const diff = firstDifference(expected, h.stdout, 'QEMU', 'hvlab');
    expect(h.stdout, `first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(expected);
    expect(describeEnd(h.result)).toMatch(/^system event shutdown/);
  });
});
