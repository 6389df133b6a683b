/**
 * smp.elf — four CPUs brought up and taken down through PSCI — prints the same console on QEMU
 * (`-smp 4`, where MTTCG runs the CPUs in parallel threads) and on hvlab (4 vCPUs), ten runs in a
 * row on each: all twenty outputs must equal expected/smp.txt (QEMU's output, committed). The
 * guest orders its printing with explicit handshakes and prints no timing-dependent value, so any
 * difference is a bug: in the guest if QEMU's runs differ among themselves, else in hvlab's PSCI
 * (CPU_ON, AFFINITY_INFO, CPU_OFF), its SMP scheduling, or the CPU's exclusives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { firstDifference } from '../harness/compare.js';
import { guest, prebuiltPath, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

const RUNS = 10;
const g = guest('smp.elf');

describe('smp.elf, 4 CPUs, ten runs in a row', () => {
  test('QEMU prints expected/smp.txt every time', { timeout: RUNS * g.qemuTimeoutMs }, async () => {
    const expected = readExpected(g.file);
    for (let run = 1; run <= RUNS; run++) {
      const q = await runQemu(prebuiltPath(g.file), { timeoutMs: g.qemuTimeoutMs, cpus: g.cpus ?? 1 });
      expect(q.timedOut, `QEMU run ${run} timed out; output so far:\n${q.stdout}`).toBe(false);
      expect(q.code, `QEMU run ${run}: ${q.stderr}`).toBe(0);
      const diff = firstDifference(expected, q.stdout, 'expected', 'QEMU');
      expect(q.stdout, `QEMU run ${run}: first difference at ${diff}`).toBe(expected);
    }
  });

  test('hvlab prints expected/smp.txt every time and ends with SYSTEM_OFF', { timeout: 600_000 }, () => {
    const expected = readExpected(g.file);
    const image = readFileSync(prebuiltPath(g.file));
    for (let run = 1; run <= RUNS; run++) {
      const h = runHvlab(image, { maxInstructions: g.maxInstructions, cpus: g.cpus ?? 1, firmware: g.firmware });
      const diff = firstDifference(expected, h.stdout, 'QEMU', 'hvlab');
      expect(h.stdout, `hvlab run ${run}: first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(
        expected,
      );
      expect(describeEnd(h.result)).toMatch(/^system event shutdown/);
    }
  });
});
