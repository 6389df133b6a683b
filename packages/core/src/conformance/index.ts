/**
 * The backend conformance suite (subpath `@hvlab/core/conformance`).
 *
 * A backend adopts it with one test file (see README.md):
 *
 *   import { defineCpuConformance } from '@hvlab/core/conformance';
 *   import { createInterpCpu } from './index.js';
 *   defineCpuConformance('backend-interp', createInterpCpu);
 *
 * defineCpuConformance registers vitest `describe`/`it` blocks: one `it` per case of every group
 * in cases/ (data: assembly, words, setup, expected state; run by runner.ts), plus the seeded
 * random-word robustness sweep (robustness.ts). This module imports vitest, which is why it is a
 * separate entry point: the main `@hvlab/core` index never loads it.
 */
import { describe, expect, it } from 'vitest';
import type { CpuFactory } from '../cpu.js';
import { CASE_GROUPS } from './cases/index.js';
import { sweepRandomWords } from './robustness.js';
import { runCase } from './runner.js';

export { CASE_GROUPS } from './cases/index.js';
export * from './descriptors.js';
export * from './env.js';
export { checkExitShape, mulberry32, type SweepOptions, sweepRandomWords } from './robustness.js';
export { CaseDefinitionError, type CaseOutcome, runCase, setUpCase } from './runner.js';
export type * from './types.js';

/** Seeds of the robustness sweep: fixed, so every run of the suite tests the same words. */
const SWEEPS = [
  { label: 'single random words at EL1, MMU off', seed: 0x5eed_0001, runs: 3000, block: 1, el: 1, mmu: false },
  { label: 'single random words at EL0, MMU off', seed: 0x5eed_0002, runs: 2000, block: 1, el: 0, mmu: false },
  { label: 'single random words at EL1, MMU on', seed: 0x5eed_0003, runs: 1500, block: 1, el: 1, mmu: true },
  { label: 'blocks of 16 random words at EL1, MMU on', seed: 0x5eed_0004, runs: 300, block: 16, el: 1, mmu: true },
  { label: 'blocks of 16 random words at EL0, MMU off', seed: 0x5eed_0005, runs: 300, block: 16, el: 0, mmu: false },
] as const;

/** Registers the conformance suite for `factory` under `describe(name)`. */
export function defineCpuConformance(name: string, factory: CpuFactory): void {
  describe(`Cpu conformance: ${name}`, () => {
    for (const group of CASE_GROUPS) {
      describe(group.name, () => {
        for (const c of group.cases) {
          it(c.name, () => {
            const outcome = runCase(factory, c);
            expect(outcome.actual, outcome.message).toEqual(outcome.expected);
          });
        }
      });
    }
    describe('robustness', () => {
      for (const { label, ...opts } of SWEEPS) {
        it(`${label} never throw and always return a valid Exit (seed 0x${opts.seed.toString(16)})`, () => {
          expect(sweepRandomWords(factory, opts)).toEqual([]);
        });
      }
    });
  });
}
