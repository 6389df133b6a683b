import { HvlabError } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_VERSION,
  FdtHeader,
} from './format.js';
import { FdtWriter } from './writer.js';

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);
const header = (b: Uint8Array, f: keyof typeof FdtHeader) => u32(b, FdtHeader[f]);

function minimal(fill?: (w: FdtWriter) => void, opts?: ConstructorParameters<typeof FdtWriter>[0]): Uint8Array {
  const w = new FdtWriter(opts);
  const root = w.beginNode('');
  fill?.(w);
  w.endNode(root);
  return w.finish();
}

const expectEinval = (f: () => unknown, msg: RegExp) => {
  expect(f).toThrow(HvlabError);
  expect(f).toThrow(msg);
};

describe('FdtWriter header', () => {
  it('writes magic, version 17 and last-compatible 16', () => {
    const b = minimal();
    expect(header(b, 'magic')).toBe(FDT_MAGIC);
    expect(header(b, 'version')).toBe(FDT_VERSION);
    expect(header(b, 'last_comp_version')).toBe(FDT_LAST_COMP_VERSION);
    expect(header(b, 'totalsize')).toBe(b.length);
  });

  it('places the reservation map right after the 40-byte header, then struct, then strings', () => {
    const b = minimal((w) => w.propertyU32('a', 1));
    expect(header(b, 'off_mem_rsvmap')).toBe(40);
    expect(header(b, 'off_dt_struct')).toBe(40 + 16);
    expect(header(b, 'off_dt_strings')).toBe(header(b, 'off_dt_struct') + header(b, 'size_dt_struct'));
    expect(header(b, 'off_dt_strings') + header(b, 'size_dt_strings')).toBe(b.length);
  });

  it('encodes the minimal tree as BEGIN_NODE "" / END_NODE / END', () => {
    const b = minimal();
    const s = header(b, 'off_dt_struct');
    expect([u32(b, s), u32(b, s + 4), u32(b, s + 8), u32(b, s + 12)]).toEqual([
      FDT_BEGIN_NODE,
      0,
      FDT_END_NODE,
      FDT_END,
    ]);
    expect(header(b, 'size_dt_struct')).toBe(16);
  });

  it('writes memory reservation entries terminated by 0/0', () => {
    const b = minimal(undefined, { memReserve: [{ address: 0x4000_0000n, size: 0x1000n }] });
    const dv = new DataView(b.buffer);
    expect(dv.getBigUint64(40)).toBe(0x4000_0000n);
    expect(dv.getBigUint64(48)).toBe(0x1000n);
    expect(dv.getBigUint64(56)).toBe(0n);
    expect(dv.getBigUint64(64)).toBe(0n);
    expect(header(b, 'off_dt_struct')).toBe(72);
  });

  it('rejects a zero-sized or wrapping reservation', () => {
    expectEinval(() => new FdtWriter({ memReserve: [{ address: 1n, size: 0n }] }), /size 0/);
    expectEinval(() => new FdtWriter({ memReserve: [{ address: (1n << 64n) - 1n, size: 2n }] }), /wraps/);
  });

  it('writes boot_cpuid_phys', () => {
    expect(header(minimal(undefined, { bootCpuidPhys: 3 }), 'boot_cpuid_phys')).toBe(3);
    const w = new FdtWriter();
    w.setBootCpuidPhys(7);
    w.endNode(w.beginNode(''));
    expect(header(w.finish(), 'boot_cpuid_phys')).toBe(7);
  });
});

describe('FdtWriter properties', () => {
  it('stores each property name once in the strings block', () => {
    const b = minimal((w) => {
      w.propertyU32('reg', 1);
      const a = w.beginNode('a');
      w.propertyU32('reg', 2);
      w.endNode(a);
    });
    expect(header(b, 'size_dt_strings')).toBe('reg\0'.length);
  });

  it('encodes a property as FDT_PROP, len, nameoff, padded value', () => {
    const b = minimal((w) => w.property('x', new Uint8Array([1, 2, 3])));
    const s = header(b, 'off_dt_struct') + 8; // after BEGIN_NODE + empty name
    expect(u32(b, s)).toBe(FDT_PROP);
    expect(u32(b, s + 4)).toBe(3);
    expect(u32(b, s + 8)).toBe(0);
    expect(Array.from(b.subarray(s + 12, s + 16))).toEqual([1, 2, 3, 0]);
    expect(u32(b, s + 16)).toBe(FDT_END_NODE);
  });

  it('encodes typed helpers big-endian', () => {
    const b = minimal((w) => {
      w.propertyU64('q', 0x0102_0304_0506_0708n);
      w.propertyArrayU32('c', [0xdead_beef, 1]);
    });
    const s = header(b, 'off_dt_struct') + 8;
    expect(Array.from(b.subarray(s + 12, s + 20))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(u32(b, s + 20 + 12)).toBe(0xdead_beef);
  });

  it('encodes string lists with a NUL after each string', () => {
    const b = minimal((w) => w.propertyStringList('compatible', ['a', 'bc']));
    const s = header(b, 'off_dt_struct') + 8;
    expect(u32(b, s + 4)).toBe(5);
    expect(Array.from(b.subarray(s + 12, s + 17))).toEqual([0x61, 0, 0x62, 0x63, 0]);
  });

  it('writes an empty property for propertyNull', () => {
    const b = minimal((w) => w.propertyNull('ranges'));
    expect(u32(b, header(b, 'off_dt_struct') + 8 + 4)).toBe(0);
  });

  it('rejects a NUL inside a string', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.propertyString('s', 'a\0b'), /NUL/);
    expectEinval(() => w.propertyStringList('s', ['ok', 'x\0']), /NUL/);
  });

  it('rejects invalid property names', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.propertyU32('', 1), /invalid property name/);
    expectEinval(() => w.propertyU32('bad name', 1), /invalid property name/);
    expectEinval(() => w.propertyU32('x'.repeat(32), 1), /invalid property name/);
  });

  it('rejects a duplicate property in one node', () => {
    const w = new FdtWriter();
    w.beginNode('');
    w.propertyU32('a', 1);
    expectEinval(() => w.propertyU32('a', 2), /duplicate property/);
  });

  it('rejects a property after a child node', () => {
    const w = new FdtWriter();
    w.beginNode('');
    w.endNode(w.beginNode('child'));
    expectEinval(() => w.propertyU32('late', 1), /after a child node/);
  });

  it('rejects a property outside any node', () => {
    expectEinval(() => new FdtWriter().propertyU32('a', 1), /outside any node/);
  });

  it('rejects cell values that are not u32 and u64 values that are not u64', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.propertyU32('a', -1), /not a u32/);
    expectEinval(() => w.propertyU32('a', 2 ** 32), /not a u32/);
    expectEinval(() => w.propertyU32('a', 1.5), /not a u32/);
    expectEinval(() => w.propertyU64('a', 1n << 64n), /not a u64/);
  });

  it('rejects reserved and duplicate phandles', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.propertyPhandle(0), /reserved/);
    expectEinval(() => w.propertyPhandle(0xffff_ffff), /reserved/);
    const a = w.beginNode('a');
    w.propertyPhandle(5);
    w.endNode(a);
    w.beginNode('b');
    expectEinval(() => w.propertyPhandle(5), /duplicate phandle/);
  });
});

describe('FdtWriter nodes', () => {
  it('requires the first node to be the root', () => {
    expectEinval(() => new FdtWriter().beginNode('cpus'), /first node must be the root/);
  });

  it('allows only one root node', () => {
    const w = new FdtWriter();
    w.endNode(w.beginNode(''));
    expectEinval(() => w.beginNode(''), /only one root/);
  });

  it('rejects invalid node names', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.beginNode(''), /invalid node name/);
    expectEinval(() => w.beginNode('a b'), /invalid node name/);
    expectEinval(() => w.beginNode('a@'), /invalid node name/);
    expectEinval(() => w.beginNode('@1'), /invalid node name/);
    expectEinval(() => w.beginNode('x'.repeat(32)), /invalid node name/);
    expect(() => w.beginNode('memory@40000000')).not.toThrow();
  });

  it('rejects duplicate sibling names', () => {
    const w = new FdtWriter();
    w.beginNode('');
    w.endNode(w.beginNode('a'));
    expectEinval(() => w.beginNode('a'), /duplicate node/);
  });

  it('rejects ending nodes out of order', () => {
    const w = new FdtWriter();
    const root = w.beginNode('');
    const a = w.beginNode('a');
    expectEinval(() => w.endNode(root), /out of order/);
    w.endNode(a);
    expectEinval(() => w.endNode(a), /out of order/);
  });

  it('rejects a token from another writer', () => {
    const other = new FdtWriter().beginNode('');
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.endNode(other), /out of order/);
  });

  it('limits node depth', () => {
    const w = new FdtWriter();
    w.beginNode('');
    for (let i = 1; i < 64; i++) w.beginNode(`n${i}`);
    expectEinval(() => w.beginNode('deep'), /depth/);
  });

  it('refuses to finish with open nodes or without a root', () => {
    const w = new FdtWriter();
    w.beginNode('');
    expectEinval(() => w.finish(), /not closed/);
    expectEinval(() => new FdtWriter().finish(), /no root/);
  });

  it('cannot be used after finish', () => {
    const w = new FdtWriter();
    w.endNode(w.beginNode(''));
    w.finish();
    expectEinval(() => w.finish(), /already called/);
    expectEinval(() => w.beginNode(''), /already called/);
  });

  it('pads node names to 4 bytes', () => {
    const b = minimal((w) => w.endNode(w.beginNode('abcd')));
    const s = header(b, 'off_dt_struct') + 8;
    expect(u32(b, s)).toBe(FDT_BEGIN_NODE);
    expect(Array.from(b.subarray(s + 4, s + 12))).toEqual([0x61, 0x62, 0x63, 0x64, 0, 0, 0, 0]);
    expect(u32(b, s + 12)).toBe(FDT_END_NODE);
  });
});
