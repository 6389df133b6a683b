/**
 * The oracle side of the guest tests: every prebuilt guest whose oracle is QEMU prints exactly
 * its expected/<name>.txt on QEMU, the benchmark prints the results the issue fixes, and the
 * catalogue covers every image in prebuilt/. (smccc.elf's expected output comes from the
 * reference instead; test/smccc.test.ts explains why QEMU cannot be its oracle.)
 *
 * HVLAB_UPDATE_EXPECTED=1 rewrites expected/*.txt from QEMU instead of comparing (after a guest
 * changed; review the diff).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  BENCH_RESULTS,
  expectedPath,
  GUESTS,
  GUESTS_DIR,
  prebuiltFiles,
  prebuiltPath,
  qemuGuests,
  readExpected,
  stem,
} from '../harness/guests.js';
import { runQemu } from '../harness/qemu.js';

const update = Boolean(process.env.HVLAB_UPDATE_EXPECTED);

test('the catalogue lists every prebuilt image, each with an expected output', () => {
  expect(GUESTS.map((g) => g.file).sort()).toEqual(prebuiltFiles());
  for (const g of GUESTS) expect(readExpected(g.file).length, g.file).toBeGreaterThan(0);
  for (const g of GUESTS) if (g.ownTest) expect(existsSync(join(GUESTS_DIR, g.ownTest)), g.ownTest).toBe(true);
  // A guest without a QEMU oracle documents where each expected line comes from.
  for (const g of GUESTS.filter((x) => x.oracle === 'reference'))
    expect(existsSync(join(GUESTS_DIR, stem(g.file), 'EXPECTED.md')), `${stem(g.file)}/EXPECTED.md`).toBe(true);
});

describe.each(qemuGuests())('$file on QEMU', (g) => {
  test(`prints expected/${g.file.replace(/\.\w+$/, '')}.txt and powers off`, {
    timeout: g.qemuTimeoutMs + 10_000,
  }, async () => {
    const r = await runQemu(prebuiltPath(g.file), {
      timeoutMs: g.qemuTimeoutMs,
      cpus: g.cpus ?? 1,
      ...(g.input ? { input: g.input } : {}),
    });
    expect(r.timedOut, `QEMU timed out; output so far:\n${r.stdout}`).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    if (update) writeFileSync(expectedPath(g.file), r.stdout, 'latin1');
    expect(r.stdout).toBe(readExpected(g.file));
    const bench = BENCH_RESULTS[g.file];
    if (bench !== undefined) expect(r.stdout).toBe(bench);
  });
});

test('the guests that check themselves report no failure on QEMU', () => {
  expect(readExpected('exceptions.elf')).toMatch(/exceptions: PASS\n$/);
  expect(readExpected('exceptions.elf')).not.toMatch(/FAIL/);
  expect(readExpected('timer.elf')).toMatch(/tick 5: INTID 27/);
  expect(readExpected('timer.elf')).toMatch(/timer: PASS\n$/);
  expect(readExpected('boot.bin')).not.toMatch(/FAIL/);
  expect(readExpected('boot-image.bin')).toBe(readExpected('boot.bin'));
  expect(readExpected('uart.elf')).toMatch(/got "HVLAB READS A LINE" \(18 bytes/);
  expect(readExpected('smp.elf')).toMatch(/smp: PASS\n$/);
  expect(readExpected('smp.elf')).not.toMatch(/FAIL/);
  for (const f of ['hvc-bench-10000.elf', 'hvc-bench-1000000.elf'])
    expect(readExpected(f)).toMatch(/sum of answers = \d+ x PSCI_VERSION: yes\n/);
});
