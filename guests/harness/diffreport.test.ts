/** The differential test's failure report names the seed, the differing registers and the body. */
import { expect, test } from 'vitest';
import { diffReport, disassembly } from './diffreport.js';
import { generateProgram, OUTPUT_SLOTS } from './randprog.js';

const dump = (values: bigint[]) => values.map((v) => `${v.toString(16).padStart(16, '0')}\n`).join('');

test('lists the differing registers with both values and the initial value', () => {
  const p = generateProgram(42);
  const a = Array.from({ length: OUTPUT_SLOTS }, (_, i) => BigInt(i));
  const b = [...a];
  b[3] = 0xdeadn;
  b[31] = 0x6000_0000n;
  const r = diffReport(p, dump(a), dump(b), 'system event shutdown');
  expect(r).toMatch(/^seed 42 \(0x2a\): hvlab differs from QEMU/);
  expect(r).toMatch(/ {2}x3 {7}QEMU 0x0000000000000003 {2}hvlab 0x000000000000dead {2}\(initial 0x[0-9a-f]{16}\)/);
  expect(r).toMatch(/ {2}nzcv {5}QEMU 0x000000000000001f {2}hvlab 0x0000000060000000/);
  expect(r).not.toMatch(/^ {2}x4 /m);
  expect(r).toContain(disassembly(p));
});

test('shows both raw outputs when one side did not dump its state', () => {
  const p = generateProgram(43);
  const r = diffReport(p, dump(Array.from({ length: OUTPUT_SLOTS }, () => 0n)), '!0000000002000000\n', 'halted');
  expect(r).toContain('hvlab output:\n!0000000002000000');
});

test('the disassembly has one line per body instruction', () => {
  const p = generateProgram(44);
  expect(disassembly(p).split('\n')).toHaveLength(p.body.length);
});
