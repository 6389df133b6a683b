/**
 * Test support for the MMU tests (and for other packages' tests that build tables without a
 * PhysMem): a sparse 64-bit-word memory with a bump allocator and a recording fetch.
 */
import { HvlabError } from '../errors.js';
import type { TableMemory } from './builder.js';
import type { DescFetch } from './types.js';

export class SparseTableMemory implements TableMemory {
  private readonly words = new Map<number, bigint>();
  private next: number;
  /** Every (descAddr, level) the fetch served, in order. */
  readonly fetches: [bigint, number][] = [];

  constructor(allocBase = 0x4000_0000) {
    this.next = allocBase;
  }

  readU64(pa: number): bigint {
    if (pa % 8 !== 0) throw new HvlabError('EINVAL', `misaligned descriptor address ${pa}`);
    return this.words.get(pa) ?? 0n;
  }

  writeU64(pa: number, value: bigint): void {
    if (pa % 8 !== 0) throw new HvlabError('EINVAL', `misaligned descriptor address ${pa}`);
    this.words.set(pa, value);
  }

  /** TableAlloc: fresh (all-zero) memory aligned to its size. */
  readonly alloc = (bytes: number): number => {
    const at = Math.ceil(this.next / bytes) * bytes;
    this.next = at + bytes;
    return at;
  };

  /** DescFetch reading this memory (never aborts). */
  readonly fetch: DescFetch = (descAddr, level) => {
    this.fetches.push([descAddr, level]);
    return { ok: true, desc: this.readU64(Number(descAddr)) };
  };
}
