/** The console comparison used in the guest tests' failure messages. */
import { expect, test } from 'vitest';
import { firstDifference } from './compare.js';

test('names the first differing line with both versions quoted', () => {
  expect(firstDifference('a\nb\nc\n', 'a\nB\nc\n', 'QEMU', 'hvlab')).toBe('line 2:\n  QEMU : "b"\n  hvlab: "B"');
});

test('reports where one output ends early', () => {
  expect(firstDifference('a\nb\n', 'a', 'expected', 'hvlab')).toBe(
    'line 2:\n  expected: "b"\n  hvlab   : (end of output)',
  );
});

test('says so when there is no difference', () => {
  expect(firstDifference('same\n', 'same\n', 'QEMU', 'hvlab')).toBe('no difference');
});
