/**
 * Shared pieces of the robustness tests (fuzz.test.ts, fuzz-state.test.ts): a seeded PRNG, the
 * well-formedness check of an Exit against the contract (core/src/exit.ts), and random
 * instances of the decode table's encodings.
 */
import { INSN_TABLE, type InsnEntry } from '@hvlab/a64';
import { EXIT_KINDS, type Exit } from '@hvlab/core';

/** mulberry32: a small seeded PRNG (deterministic runs). Returns uniform uint32 values. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const isU64 = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n && v < 1n << 64n;

/** Why `e` is not a well-formed Exit of the contract, or undefined. */
export function exitProblem(e: Exit): string | undefined {
  if (!EXIT_KINDS.includes(e.kind)) return `unknown kind ${String(e.kind)}`;
  switch (e.kind) {
    case 'hvc':
    case 'smc':
      return Number.isInteger(e.imm) && e.imm >= 0 && e.imm <= 0xffff ? undefined : 'bad imm';
    case 'sysreg':
      return Number.isInteger(e.reg) && e.rt >= 0 && e.rt <= 31 && isU64(e.value) && isU64(e.esr)
        ? undefined
        : 'bad sysreg';
    case 'mmio':
      return isU64(e.pa) && isU64(e.va) && [1, 2, 4, 8].includes(e.size) && isU64(e.data) && e.rt >= 0 && e.rt <= 31
        ? undefined
        : 'bad mmio';
    case 'stage2Fault':
      return isU64(e.ipa) && isU64(e.esr) && e.level >= -1 && e.level <= 3 ? undefined : 'bad stage2Fault';
    case 'breakpoint':
      return isU64(e.pc) ? undefined : 'bad breakpoint';
    default:
      return undefined;
  }
}

/** Throws (failing the test) if `e` is malformed. */
export function checkExit(e: Exit): void {
  const p = exitProblem(e);
  if (p)
    throw new Error(
      `malformed exit ${JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}: ${p}`,
    );
}

/** The entries of the features this CPU implements (everything else is UNDEFINED anyway). */
const IMPLEMENTED: readonly InsnEntry[] = INSN_TABLE.filter((e) => e.feature === 'base' || e.feature === 'crc32');

/**
 * A random word matching a random implemented encoding (its fixed bits, random free bits):
 * every instruction id is equally likely, unlike uniformly random words. The word may still be
 * unallocated when the entry has a constraint.
 */
export function randomInsn(next: () => number): number {
  const e = IMPLEMENTED[next() % IMPLEMENTED.length]!;
  return ((next() & ~e.mask) | e.value) >>> 0;
}
