/**
 * smccc.elf — every SMCCC service a KVM guest sees — against expected/smccc.txt, which is written
 * from ../shared/reference/psci-smccc.md (KVM's behaviour; guests/smccc/EXPECTED.md cites the
 * section behind every line), not from QEMU.
 *
 * Why QEMU is not the oracle here: QEMU 7.2's built-in firmware (target/arm/psci.c) implements
 * PSCI only. Every other SMCCC call — SMCCC_VERSION, ARCH_FEATURES, TRNG, the KVM vendor
 * services, PV time — gets NOT_SUPPORTED with X1..X3 left as they were, and its PSCI is 1.1 with
 * QEMU's own PSCI_FEATURES and AFFINITY_INFO answers. The last test shows it on this very guest.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { firstDifference } from '../harness/compare.js';
import { guest, prebuiltPath, readExpected } from '../harness/guests.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemu } from '../harness/qemu.js';

const g = guest('smccc.elf');

test('hvlab with KVM firmware prints expected/smccc.txt and ends with SYSTEM_OFF', () => {
  const expected = readExpected(g.file);
  const h = runHvlab(readFileSync(prebuiltPath(g.file)), {
    maxInstructions: g.maxInstructions,
    cpus: g.cpus ?? 1,
    firmware: g.firmware,
  });
  const diff = firstDifference(expected, h.stdout, 'reference', 'hvlab');
  expect(h.stdout, `first difference at ${diff}\n(run ended: ${describeEnd(h.result)})`).toBe(expected);
  expect(describeEnd(h.result)).toMatch(/^system event shutdown/);
});

/** W0..W3 of a UUID as Linux's UUID_INIT lays out its bytes: the text's bytes in order, LE words. */
function uuidWords(text: string): string {
  const hex = text.replaceAll('-', '');
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    let word = '';
    for (let b = 3; b >= 0; b--) word += hex.slice(8 * w + 2 * b, 8 * w + 2 * b + 2);
    words.push(word);
  }
  return words.join(' ');
}

test('the expected file: every check ok, and the UUID registers match the UUIDs of the reference', () => {
  const lines = readExpected(g.file).split('\n');
  expect(lines[0]).toBe("smccc: SMCCC services over HVC (KVM's answers)");
  expect(lines.at(-2)).toBe('smccc: PASS');
  expect(lines.at(-1)).toBe('');
  for (const l of lines.slice(1, -2)) expect(l).toMatch(/ ok$/);
  // reference/psci-smccc.md 1.7 (KVM UID) and 1.8 (KVM's TRNG UUID).
  const kvm = '28b46fb6-2ec5-11e9-a9ca-4b564d003a74';
  const trng = '0d21e000-4384-11eb-8070-5244554e5a4c';
  expect(uuidWords(kvm)).toBe('b66fb428 e911c52e 564bcaa9 743a004d');
  expect(lines).toContain(`vendor hyp Call UID = ${uuidWords(kvm)} ok`);
  expect(lines).toContain(`vendor hyp Call UID as a UUID = ${kvm} ok`);
  expect(lines).toContain(`TRNG_GET_UUID = ${uuidWords(trng)} ok`);
  expect(lines).toContain(`TRNG_GET_UUID as a UUID = ${trng} ok`);
});

test('QEMU cannot be the oracle: it answers SMCCC_VERSION, TRNG and the KVM services with NOT_SUPPORTED', {
  timeout: g.qemuTimeoutMs + 10_000,
}, async () => {
  const q = await runQemu(prebuiltPath(g.file), { timeoutMs: g.qemuTimeoutMs });
  expect(q.code, q.stderr).toBe(0);
  expect(q.stdout).toContain('SMCCC_VERSION = 0xffffffffffffffff FAIL\n');
  expect(q.stdout).toContain('TRNG_VERSION = 0xffffffffffffffff FAIL\n');
  expect(q.stdout).toMatch(/^vendor hyp Call UID = ffffffffffffffff .* FAIL$/m);
  expect(q.stdout).toContain('PSCI_VERSION = 0x10001 FAIL\n');
  expect(q.stdout).toMatch(/smccc: FAIL \(\d+ checks\)\n$/);
});
