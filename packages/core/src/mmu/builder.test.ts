import { describe, expect, it } from 'vitest';
import { HvlabError } from '../errors.js';
import { PhysMem } from '../memory.js';
import {
  buildStage1Tables,
  buildStage2Tables,
  bumpAllocator,
  Stage1TableBuilder,
  Stage2TableBuilder,
} from './builder.js';
import { AP, isS1BlockDesc, isS1PageDesc, isTableDesc } from './descriptor.js';
import { SparseTableMemory } from './testing.js';

describe('table builders', () => {
  it('uses the largest blocks alignment allows, pages at the ragged edges', () => {
    const m = new SparseTableMemory();
    // 4K, 39-bit VA: [1 GiB - 8 KiB, 2 GiB + 2 MiB + 4 KiB) -> 2 pages, one 1 GiB block, one 2 MiB block, 1 page.
    const b = buildStage1Tables(m, [{ va: 0x3fff_e000n, pa: 0x1_3fff_e000, size: 0x4020_3000 }], {
      granule: 4096,
      inputBits: 39,
      alloc: m.alloc,
    });
    const l1 = (i: number) => m.readU64(b.root + i * 8);
    expect(isTableDesc(l1(0), 1)).toBe(true);
    expect(isS1BlockDesc(l1(1), 1)).toBe(true);
    expect(isTableDesc(l1(2), 1)).toBe(true);
    // Tables: root, L2 + L3 for the leading pages, L2 + L3 for the tail.
    expect(b.tables.length).toBe(5);
    const tailL2 = Number(l1(2) & 0xffff_ffff_f000n);
    expect(isS1BlockDesc(m.readU64(tailL2), 2)).toBe(true);
    const tailL3 = Number(m.readU64(tailL2 + 8) & 0xffff_ffff_f000n);
    expect(isS1PageDesc(m.readU64(tailL3), 3)).toBe(true);
    expect(m.readU64(tailL3 + 8)).toBe(0n);
  });

  it('maps pages only when asked, or when the output is misaligned for blocks', () => {
    const m = new SparseTableMemory();
    const b = new Stage1TableBuilder(m, m.alloc, { granule: 4096, inputBits: 39 });
    b.map(0x20_0000n, 0x20_0000, 0x20_0000, {}, { blocks: false });
    b.map(0x40_0000n, 0x20_1000, 0x20_0000, { ap: AP.RO_ALL });
    expect(b.tables.length).toBe(4); // root, one L2, two L3
  });

  it('refuses overlapping mappings before changing any table', () => {
    const m = new SparseTableMemory();
    const b = new Stage1TableBuilder(m, m.alloc, { granule: 4096, inputBits: 39 });
    b.map(0x4000_0000n, 0x4000_0000, 0x4000_0000); // a 1 GiB block
    const before = b.tables.length;
    expect(() => b.map(0x3fff_f000n, 0, 0x2000)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => b.map(0x4010_0000n, 0, 0x1000)).toThrow(HvlabError);
    expect(b.tables.length).toBe(before);
    expect(m.readU64(b.root)).toBe(0n); // the first page was not mapped either
    b.map(0x1000n, 0, 0x1000);
    expect(() => b.map(0n, 0, 0x20_0000)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('validates ranges, alignment and attributes', () => {
    const m = new SparseTableMemory();
    const b = new Stage1TableBuilder(m, m.alloc, { granule: 16384, inputBits: 36 });
    expect(() => b.map(0x1000n, 0, 0x4000)).toThrow(HvlabError);
    expect(() => b.map(0n, 0x2000, 0x4000)).toThrow(HvlabError);
    expect(() => b.map(0n, 0, 0x2000)).toThrow(HvlabError);
    expect(() => b.map(2n ** 36n - 0x4000n, 0, 0x8000)).toThrow(HvlabError);
    expect(() => b.map(0n, 2 ** 48 - 0x4000, 0x8000)).toThrow(HvlabError);
    expect(() => b.map(0n, 0, 0x4000, { attrIndx: 9 })).toThrow(HvlabError);
    expect(b.tables.length).toBe(1);
    expect(() => new Stage1TableBuilder(m, m.alloc, { granule: 4096, inputBits: 49 })).toThrow(HvlabError);
  });

  it('builds the TTBR1 range from upper VAs', () => {
    const m = new SparseTableMemory();
    const b = new Stage1TableBuilder(m, m.alloc, { granule: 4096, inputBits: 39, upper: true });
    b.map(0xffff_ff80_0000_0000n, 0x4000_0000, 0x1000);
    expect(() => b.map(0x1000n, 0, 0x1000)).toThrow(HvlabError);
    expect(() => b.map(0xffff_ff7f_ffff_f000n, 0, 0x1000)).toThrow(HvlabError);
  });

  it('allocates concatenated stage-2 roots and reports SL0', () => {
    const m = new SparseTableMemory(0x8000_1000);
    const b = buildStage2Tables(m, [{ ipa: 0x80_0000_0000n, pa: 0x4000_0000, size: 0x1000 }], {
      granule: 4096,
      inputBits: 40,
      alloc: m.alloc,
    });
    expect(b).toMatchObject({ startLevel: 1, rootTables: 2, sl0: 1 });
    expect(b.root % 0x2000).toBe(0);
    expect(isTableDesc(m.readU64(b.root + 512 * 8), 1)).toBe(true);
    expect(() => new Stage2TableBuilder(m, m.alloc, { granule: 4096, inputBits: 40, startLevel: 2 })).toThrow(
      HvlabError,
    );
    expect(() => new Stage2TableBuilder(m, m.alloc, { granule: 4096, inputBits: 30, startLevel: 3 })).toThrow(
      HvlabError,
    );
    expect(() => b.map(1n << 40n, 0, 0x1000)).toThrow(HvlabError);
  });

  it('allocates zeroed, aligned RAM with the bump allocator and reports exhaustion', () => {
    const mem = new PhysMem();
    mem.addRam(0x4000_0000, 0x4000);
    mem.writeU64(0x4000_2000, 0xdeadn);
    const alloc = bumpAllocator(mem, 0x4000_0800, 0x3800);
    expect(alloc(0x1000)).toBe(0x4000_1000);
    expect(alloc(0x1000)).toBe(0x4000_2000);
    expect(mem.readU64(0x4000_2000)).toBe(0n);
    expect(() => alloc(0x2000)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(() => alloc(3)).toThrow(HvlabError);
  });

  it('rejects an allocator that returns misaligned memory', () => {
    const m = new SparseTableMemory();
    expect(() => new Stage1TableBuilder(m, () => 0x800, { granule: 4096, inputBits: 48 })).toThrow(HvlabError);
  });
});
