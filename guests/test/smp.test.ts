/**
 * smp.elf — four CPUs brought up and taken down through PSCI — prints the same console on QEMU
 * (`-smp 4`, where MTTCG runs the CPUs in parallel threads) and on hvlab (4 vCPUs), ten runs in a
 * row on each: all twenty outputs must equal expected/smp.txt (QEMU's output, committed). The
 * guest orders its printing with explicit handshakes and prints no timing-dependent value, so any
 * difference is a bug: in the guest if QEMU's runs differ among themselves, else in hvlab's PSCI
 * (CPU_ON, AFFINITY_INFO, CPU_OFF), its SMP scheduling, or the CPU's exclusives.
 *
 * hvlab's scheduler is deterministic, so ten runs with one setting would be one run ten times:
 * each hvlab run uses a different scheduler quantum instead, from 100,000 instructions (the
 * default) down to 7, which interleaves the four CPUs differently every time (the instruction
 * counts retired differ) while the console must not. One more hvlab run uses KVM's firmware
 * (PSCI 1.3 instead of QEMU's 1.1, every SMCCC service): the guest prints only answers QEMU and
 * KVM share, so its console must not change either.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { firstDifference } from '../harness/compare.js';
import { guest, prebuiltPath, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

const RUNS = 10;
/** One scheduler quantum per hvlab run (instructions per slice). */
const QUANTA = [100_000, 50_000, 20_000, 5_000, 1_000, 500, 250, 61, 13, 7] as const;
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

  test('hvlab prints expected/smp.txt with ten different scheduler quanta, ending with SYSTEM_OFF', {
    timeout: 600_000,
  }, () => {
    const expected = readExpected(g.file);
    const image = readFileSync(prebuiltPath(g.file));
    expect(QUANTA.length).toBe(RUNS);
    const retired = new Set<number>();
    for (const [i, quantum] of QUANTA.entries()) {
      const h = runHvlab(image, {
        maxInstructions: g.maxInstructions,
        cpus: g.cpus ?? 1,
        firmware: g.firmware,
        quantum,
      });
      const diff = firstDifference(expected, h.stdout, 'QEMU', 'hvlab');
      const what = `hvlab run ${i + 1} (quantum ${quantum})`;
      expect(h.stdout, `${what}: first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(expected);
      expect(describeEnd(h.result), what).toMatch(/^system event shutdown/);
      retired.add(h.retired);
    }
    // The quanta did change the interleaving (the CPUs spin for different numbers of instructions).
    expect(retired.size).toBeGreaterThan(1);
  });

  test("prints the same with KVM's firmware (PSCI 1.3, every SMCCC service): only shared answers are printed", {
    timeout: 120_000,
  }, () => {
    const expected = readExpected(g.file);
    const h = runHvlab(readFileSync(prebuiltPath(g.file)), {
      maxInstructions: g.maxInstructions,
      cpus: g.cpus ?? 1,
      firmware: 'kvm',
    });
    const diff = firstDifference(expected, h.stdout, 'QEMU', 'hvlab/kvm');
    expect(h.stdout, `first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(expected);
  });
});
