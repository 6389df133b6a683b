/** The hvlab harness: console capture, how runs end, and console input after a prompt. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { encode, wordsToBytes } from './encode.js';
import { prebuiltPath, readExpected } from './guests.js';
import { describeEnd, runHvlab } from './hvlab.js';

test('runs an ELF to PSCI SYSTEM_OFF and captures the console exactly', () => {
  const r = runHvlab(readFileSync(prebuiltPath('hello.elf')), { maxInstructions: 20_000_000 });
  expect(describeEnd(r.result)).toBe('system event shutdown (PSCI SYSTEM_OFF)');
  expect(r.stdout).toBe(readExpected('hello.elf'));
  expect(r.retired).toBeGreaterThan(1000);
});

test('stops a guest that never powers off at maxInstructions', () => {
  const spin = wordsToBytes([encode({ k: 'b', link: false, offset: 0 })]);
  const r = runHvlab(spin, { maxInstructions: 50_000 });
  expect(r.result.reason).toBe('maxInstructions');
  expect(r.retired).toBe(50_000);
  expect(r.stdout).toBe('');
});

test('types console input once the prompt is printed', () => {
  const r = runHvlab(readFileSync(prebuiltPath('uart.elf')), {
    maxInstructions: 20_000_000,
    input: { text: 'abc\n', after: 'waiting for a line\n' },
  });
  expect(r.stdout).toContain('uart: got "ABC" (3 bytes');
  expect(r.result.reason).toBe('systemEvent');
});

test('a guest halted before its prompt is reported, not waited for', () => {
  // WFI with every interrupt masked and no timer: the machine halts.
  const wfi = wordsToBytes([0xd503207f, encode({ k: 'b', link: false, offset: -4 })]);
  const r = runHvlab(wfi, { maxInstructions: 1_000_000, input: { text: 'x', after: 'never printed' } });
  expect(describeEnd(r.result)).toMatch(/^halted/);
});
