/**
 * Tracking of translated code per physical page, shared by every CPU of one PhysMem.
 *
 * Each page that holds translated code has a bitmap of the 4-byte words some block was
 * translated from. A CPU's TLB never holds a fast-path write tag for such a page, so every store
 * to it reaches the slow path (access.ts), which asks invalidateRange() to drop the blocks whose
 * words it overwrites (on every CPU); stores to the rest of the page cost a slow-path call but
 * invalidate nothing. Host writes (PhysMem.write, loaders, DMA models) arrive through
 * PhysMem.onHostWrite and do the same. This is what makes self-modifying code and code loading
 * correct without relying on the guest's IC IVAU (QEMU keeps the same invariant, see
 * reference/emulators.md §2.8).
 *
 * Page lifecycle:  no code --add()--> has code (write tags dropped on all CPUs)
 *                  has code --invalidateRange() removes its last block--> no code
 */
import type { PhysMem } from '@hvlab/core';
import type { Block } from './translate.js';

/** What the tracker needs from a CPU that owns blocks. */
export interface CodeOwner {
  /** Forget a block (block map, jump cache); it has already been marked invalid. */
  forgetBlock(b: Block): void;
  /** Page `pageNum` now holds code: drop fast-path write tags that point at it. */
  dropWriteTags(pageNum: number): void;
  /** SEV: set the event register. */
  signalEvent(): void;
}

class PageCode {
  readonly bits = new Int32Array(32);
  readonly blocks = new Set<Block>();

  mark(b: Block): void {
    for (let w = b.startOff >> 2; w < b.endOff >> 2; w++) this.bits[w >> 5]! |= 1 << (w & 31);
  }

  overlaps(startOff: number, endOff: number): boolean {
    for (let w = startOff >> 2; w < (endOff + 3) >> 2; w++)
      if ((this.bits[w >> 5]! & (1 << (w & 31))) !== 0) return true;
    return false;
  }

  rebuild(): void {
    this.bits.fill(0);
    for (const b of this.blocks) this.mark(b);
  }
}

const trackers = new WeakMap<PhysMem, CodeTracker>();

export class CodeTracker {
  private readonly pages = new Map<number, PageCode>();
  readonly owners = new Set<CodeOwner>();

  /** The tracker of a PhysMem (created on first use; it listens to host writes). */
  static of(mem: PhysMem): CodeTracker {
    let t = trackers.get(mem);
    if (!t) {
      const tracker = new CodeTracker();
      mem.onHostWrite((pa, len) => tracker.invalidateRange(pa, len));
      trackers.set(mem, tracker);
      t = tracker;
    }
    return t;
  }

  hasCode(pageNum: number): boolean {
    return this.pages.has(pageNum);
  }

  add(b: Block): void {
    let p = this.pages.get(b.pageNum);
    if (!p) {
      p = new PageCode();
      this.pages.set(b.pageNum, p);
      for (const o of this.owners) o.dropWriteTags(b.pageNum);
    }
    p.blocks.add(b);
    p.mark(b);
  }

  /** True if [pa, pa + len) overlaps translated instructions. */
  overlaps(pa: number, len: number): boolean {
    for (let page = Math.floor(pa / 4096); page * 4096 < pa + len; page++) {
      const p = this.pages.get(page);
      if (!p) continue;
      const base = page * 4096;
      if (p.overlaps(Math.max(pa, base) - base, Math.min(pa + len, base + 4096) - base)) return true;
    }
    return false;
  }

  /** Invalidates every block overlapping [pa, pa + len). Returns true if any was dropped. */
  invalidateRange(pa: number, len: number): boolean {
    let any = false;
    for (let page = Math.floor(pa / 4096); page * 4096 < pa + len; page++) {
      const p = this.pages.get(page);
      if (!p) continue;
      const base = page * 4096;
      const s = Math.max(pa, base) - base;
      const e = Math.min(pa + len, base + 4096) - base;
      if (!p.overlaps(s, e)) continue;
      for (const b of p.blocks) {
        if (b.startOff < e && s < b.endOff) {
          this.drop(b);
          p.blocks.delete(b);
          any = true;
        }
      }
      p.rebuild();
      if (p.blocks.size === 0) this.pages.delete(page);
    }
    return any;
  }

  /** Drops every block that `owner` translated. */
  invalidateOwner(owner: CodeOwner): void {
    for (const [page, p] of this.pages) {
      for (const b of p.blocks) {
        if (b.owner === owner) {
          this.drop(b);
          p.blocks.delete(b);
        }
      }
      p.rebuild();
      if (p.blocks.size === 0) this.pages.delete(page);
    }
  }

  private drop(b: Block): void {
    b.valid = false;
    b.link0 = undefined;
    b.link1 = undefined;
    (b.owner as CodeOwner).forgetBlock(b);
  }
}
