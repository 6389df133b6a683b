/**
 * The oracle side of the guest tests: every prebuilt guest on QEMU prints exactly its
 * expected/<name>.txt, the benchmark prints the results the issue fixes, and the catalogue
 * covers every image in prebuilt/.
 *
 * HVLAB_UPDATE_EXPECTED=1 rewrites expected/*.txt from QEMU instead of comparing (after a guest
 * changed; review the diff).
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BENCH_RESULTS, expectedPath, GUESTS, prebuiltFiles, prebuiltPath, readExpected } from '../harness/guests.js';
import { runQemu } from '../harness/qemu.js';

const update = Boolean(process.env.HVLAB_UPDATE_EXPECTED);

test('the catalogue lists every prebuilt image, each with an expected output', () => {
  expect(GUESTS.map((g) => g.file).sort()).toEqual(prebuiltFiles());
  for (const g of GUESTS) expect(readExpected(g.file).length, g.file).toBeGreaterThan(0);
});

describe.each(GUESTS)('$file on QEMU', (g) => {
  test(`prints expected/${g.file.replace(/\.\w+$/, '')}.txt and powers off`, {
    timeout: g.qemuTimeoutMs + 10_000,
  }, async () => {
    const r = await runQemu(prebuiltPath(g.file), {
      timeoutMs: g.qemuTimeoutMs,
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
});
