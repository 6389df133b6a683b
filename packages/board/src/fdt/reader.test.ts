import { HvlabError } from '@hvlab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FDT_END, FDT_NOP, FdtHeader } from './format.js';
import {
  ensureChild,
  type FdtNode,
  fdtFindNode,
  fdtProp,
  looksLikeFdt,
  parseFdt,
  propCells,
  propStrings,
  readCellsAsBigInts,
  setProp,
  writeFdt,
} from './reader.js';
import { buildVirtDtb } from './virt-dtb.js';
import { FdtWriter } from './writer.js';

const sample = (): Uint8Array => {
  const w = new FdtWriter({ memReserve: [{ address: 0x1000n, size: 0x20n }], bootCpuidPhys: 1 });
  const root = w.beginNode('');
  w.propertyU32('#address-cells', 2);
  w.propertyStringList('compatible', ['a,b', 'c']);
  const mem = w.beginNode('memory@40000000');
  w.propertyArrayU32('reg', [0, 0x4000_0000, 0, 0x800_0000]);
  w.endNode(mem);
  const chosen = w.beginNode('chosen');
  w.propertyNull('flag');
  w.endNode(chosen);
  w.endNode(root);
  return w.finish();
};

const setU32 = (b: Uint8Array, off: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(off, v);
const getU32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);

const expectBad = (b: Uint8Array, msg: RegExp) => {
  expect(() => parseFdt(b)).toThrow(HvlabError);
  expect(() => parseFdt(b)).toThrow(msg);
};

describe('parseFdt', () => {
  it('reads back nodes, properties, reservations and boot_cpuid_phys', () => {
    const fdt = parseFdt(sample());
    expect(fdt.root.name).toBe('');
    expect(fdt.root.children.map((c) => c.name)).toEqual(['memory@40000000', 'chosen']);
    expect(propStrings(fdtProp(fdt.root, 'compatible')!)).toEqual(['a,b', 'c']);
    expect(fdt.memReserve).toEqual([{ address: 0x1000n, size: 0x20n }]);
    expect(fdt.bootCpuidPhys).toBe(1);
    expect(fdt.version).toBe(17);
    expect(fdtProp(fdtFindNode(fdt.root, '/chosen')!, 'flag')).toEqual(new Uint8Array(0));
  });

  it('finds nodes by path, matching a name without unit address like libfdt', () => {
    const { root } = parseFdt(sample());
    expect(fdtFindNode(root, '/')).toBe(root);
    expect(fdtFindNode(root, '/memory')?.name).toBe('memory@40000000');
    expect(fdtFindNode(root, '/memory@40000000')?.name).toBe('memory@40000000');
    expect(fdtFindNode(root, '/memory@0')).toBeUndefined();
    expect(fdtFindNode(root, 'chosen')).toBeUndefined();
  });

  it('decodes cells and multi-cell numbers', () => {
    const reg = fdtProp(fdtFindNode(parseFdt(sample()).root, '/memory')!, 'reg')!;
    expect(propCells(reg)).toEqual([0, 0x4000_0000, 0, 0x800_0000]);
    expect(readCellsAsBigInts(reg, 2)).toEqual([0x4000_0000n, 0x800_0000n]);
    expect(() => propCells(new Uint8Array(3))).toThrow(HvlabError);
    expect(() => readCellsAsBigInts(reg, 3)).toThrow(HvlabError);
    expect(() => propStrings(new Uint8Array([0x61]))).toThrow(HvlabError);
  });

  it('sniffs the magic', () => {
    expect(looksLikeFdt(sample())).toBe(true);
    expect(looksLikeFdt(new Uint8Array([0xd0, 0x0d]))).toBe(false);
  });

  it('skips FDT_NOP tokens', () => {
    const b = sample();
    const s = getU32(b, FdtHeader.off_dt_struct);
    const size = getU32(b, FdtHeader.size_dt_struct);
    // Insert an FDT_NOP just before FDT_END and move the strings block up by 4 bytes.
    const grown = new Uint8Array(b.length + 4);
    grown.set(b.subarray(0, s + size - 4));
    setU32(grown, s + size - 4, FDT_NOP);
    setU32(grown, s + size, FDT_END);
    grown.set(b.subarray(s + size), s + size + 4);
    setU32(grown, FdtHeader.size_dt_struct, size + 4);
    setU32(grown, FdtHeader.off_dt_strings, getU32(b, FdtHeader.off_dt_strings) + 4);
    setU32(grown, FdtHeader.totalsize, b.length + 4);
    expect(parseFdt(grown).root.children).toHaveLength(2);
  });

  it('rejects a blob shorter than the header', () => expectBad(new Uint8Array(39), /shorter than the 40-byte header/));

  it('rejects a bad magic', () => {
    const b = sample();
    b[0] = 0;
    expectBad(b, /magic/);
  });

  it('rejects a totalsize larger than the file', () => expectBad(sample().subarray(0, 80), /totalsize/));

  it('rejects versions older than 16 and last_comp_version newer than 17', () => {
    const a = sample();
    setU32(a, FdtHeader.version, 15);
    expectBad(a, /version 15/);
    const b = sample();
    setU32(b, FdtHeader.last_comp_version, 18);
    expectBad(b, /last_comp_version/);
  });

  it('rejects misaligned or out-of-range block offsets', () => {
    const a = sample();
    setU32(a, FdtHeader.off_mem_rsvmap, 41);
    expectBad(a, /off_mem_rsvmap/);
    const b = sample();
    setU32(b, FdtHeader.off_dt_struct, 58);
    expectBad(b, /off_dt_struct/);
    const c = sample();
    setU32(c, FdtHeader.size_dt_strings, 0xffff);
    expectBad(c, /strings block/);
    const d = sample();
    setU32(d, FdtHeader.size_dt_struct, 0xffff);
    expectBad(d, /structure block ends/);
  });

  it('rejects an unknown token', () => {
    const b = sample();
    setU32(b, getU32(b, FdtHeader.off_dt_struct), 7);
    expectBad(b, /unknown token/);
  });

  it('rejects a property name offset outside the strings block', () => {
    const b = sample();
    const s = getU32(b, FdtHeader.off_dt_struct);
    setU32(b, s + 8 + 8, 0x1000); // first property's nameoff
    expectBad(b, /outside the strings block/);
  });

  it('rejects a property length running past the structure block', () => {
    const b = sample();
    setU32(b, getU32(b, FdtHeader.off_dt_struct) + 8 + 4, 0x10000);
    expectBad(b, /runs past/);
  });

  it('rejects a missing FDT_END', () => {
    const b = sample();
    const s = getU32(b, FdtHeader.off_dt_struct);
    setU32(b, s + getU32(b, FdtHeader.size_dt_struct) - 4, FDT_NOP);
    expectBad(b, /ends inside a token/);
  });

  it('rejects an unterminated reservation block', () => {
    const b = sample();
    setU32(b, FdtHeader.off_mem_rsvmap, (b.length - 8) & ~7);
    b.fill(0xff, (b.length - 8) & ~7);
    expectBad(b, /not terminated/);
  });
});

// ---- round trip -----------------------------------------------------------------------------

const nameChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789,._+-'.split(''));
const nodeName = fc
  .tuple(
    fc.string({ unit: nameChars, minLength: 1, maxLength: 12 }),
    fc.option(fc.string({ unit: nameChars, minLength: 1, maxLength: 8 })),
  )
  .map(([n, unit]) => (unit === null ? n : `${n}@${unit}`));
const propName = fc.string({ unit: fc.constantFrom(...'abcxyz019,._+?#-'.split('')), minLength: 1, maxLength: 31 });
const property = fc.record({ name: propName, value: fc.uint8Array({ maxLength: 40 }) });

const uniqueBy = <T>(xs: T[], key: (x: T) => string): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => {
    if (seen.has(key(x))) return false;
    seen.add(key(x));
    return true;
  });
};

/** A node with unique child and property names, nested at most `depth` levels. */
const nodeArb = (depth: number): fc.Arbitrary<FdtNode> =>
  fc
    .record({
      name: nodeName,
      properties: fc.array(property, { maxLength: 5 }),
      children: depth === 0 ? fc.constant<FdtNode[]>([]) : fc.array(nodeArb(depth - 1), { maxLength: 3 }),
    })
    .map((n) => ({
      name: n.name,
      properties: uniqueBy(n.properties, (p) => p.name),
      children: uniqueBy(n.children, (c) => c.name),
    }));

const fdtArb = fc.record({
  root: nodeArb(3).map((n) => ({ ...n, name: '' })),
  memReserve: fc.array(
    fc.record({ address: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), size: fc.bigInt({ min: 1n, max: 1n << 62n }) }),
    { maxLength: 3 },
  ),
  bootCpuidPhys: fc.nat(),
});

describe('writer → reader round trip', () => {
  it('parses back exactly what was written', () => {
    fc.assert(
      fc.property(fdtArb, (fdt) => {
        const parsed = parseFdt(writeFdt(fdt));
        expect(parsed.root).toEqual(fdt.root);
        expect(parsed.memReserve).toEqual(fdt.memReserve);
        expect(parsed.bootCpuidPhys).toBe(fdt.bootCpuidPhys);
      }),
      { numRuns: 200 },
    );
  });

  it('is a fixed point: writing a parsed blob gives the same bytes', () => {
    fc.assert(
      fc.property(fdtArb, (fdt) => {
        const blob = writeFdt(fdt);
        expect(writeFdt(parseFdt(blob))).toEqual(blob);
      }),
      { numRuns: 100 },
    );
  });

  it('never throws anything but HvlabError on mutated or truncated blobs', () => {
    const base = buildVirtDtb({ cpus: 2, memoryBytes: 0x800_0000, psciMethod: 'hvc', bootargs: 'x' });
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat({ max: base.length }),
        (edits, cut) => {
          const b = base.slice(0, Math.max(cut, 1));
          for (const e of edits) if (e.at < b.length) b[e.at] = e.byte;
          try {
            parseFdt(b);
          } catch (e) {
            expect(e).toBeInstanceOf(HvlabError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('tree editing helpers', () => {
  it('setProp replaces or appends, ensureChild finds or creates', () => {
    const fdt = parseFdt(sample());
    setProp(fdt.root, 'compatible', new Uint8Array([0x78, 0]));
    setProp(fdt.root, 'new', new Uint8Array(0));
    expect(fdt.root.properties.map((p) => p.name)).toEqual(['#address-cells', 'compatible', 'new']);
    expect(ensureChild(fdt.root, 'chosen')).toBe(fdtFindNode(fdt.root, '/chosen'));
    ensureChild(fdt.root, 'extra');
    const again = parseFdt(writeFdt(fdt));
    expect(propStrings(fdtProp(again.root, 'compatible')!)).toEqual(['x']);
    expect(fdtFindNode(again.root, '/extra')).toBeDefined();
  });
});
