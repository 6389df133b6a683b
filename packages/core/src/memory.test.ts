import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { HvlabError } from './errors.js';
import { PhysMem } from './memory.js';

const RAM = 0x4000_0000;

describe('PhysMem', () => {
  it('reads back what the host wrote, little-endian', () => {
    const m = new PhysMem();
    m.addRam(RAM, 0x10000);
    m.writeU64(RAM + 8, 0x1122334455667788n);
    expect(m.readU32(RAM + 8)).toBe(0x55667788);
    expect(m.readU64(RAM + 8)).toBe(0x1122334455667788n);
    expect([...m.read(RAM + 8, 2)]).toEqual([0x88, 0x77]);
  });

  it('rejects misaligned, overlapping and out-of-range regions with HvlabError', () => {
    const m = new PhysMem();
    m.addRam(RAM, 0x10000);
    expect(() => m.addRam(RAM + 0x1000, 0x1000)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => m.addRam(0x123, 0x1000)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => m.addRam(2 ** 52, 0x1000)).toThrow(HvlabError);
    const dev = { name: 'd', read: () => 0n, write: () => {} };
    expect(() => m.mmio.map(RAM, 0x1000, dev)).not.toThrow(); // the bus alone does not know RAM
    expect(() => m.addRam(0x9000_0000, 0x1000)).not.toThrow();
  });

  it('throws EFAULT outside RAM, including accesses straddling the end', () => {
    const m = new PhysMem();
    m.addRam(RAM, 0x1000);
    expect(() => m.readU32(0x0900_0000)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(() => m.readU64(RAM + 0xffc)).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(() => m.write(RAM + 0xfff, new Uint8Array(2))).toThrow(expect.objectContaining({ code: 'EFAULT' }));
  });

  it('notifies host-write listeners with the written range, and stops after dispose', () => {
    const m = new PhysMem();
    m.addRam(RAM, 0x1000);
    const seen: [number, number][] = [];
    const off = m.onHostWrite((pa, len) => seen.push([pa, len]));
    m.writeU32(RAM + 4, 1);
    off();
    m.writeU32(RAM + 8, 1);
    expect(seen).toEqual([[RAM + 4, 4]]);
  });

  it('can place RAM inside a WebAssembly.Memory', () => {
    // @types/node 20 does not declare the WebAssembly namespace; describe the part we use.
    const { WebAssembly } = globalThis as unknown as {
      WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
    };
    const wasm = new WebAssembly.Memory({ initial: 2 });
    const m = new PhysMem();
    const r = m.addRam(RAM, 0x10000, { memory: wasm, offset: 0x10000 });
    m.writeU32(RAM, 0xdeadbeef);
    expect(new DataView(wasm.buffer).getUint32(0x10000, true)).toBe(0xdeadbeef);
    expect(r.bytes.buffer).toBe(wasm.buffer);
  });

  test.prop([
    fc.array(fc.record({ page: fc.integer({ min: 0, max: 63 }), pages: fc.integer({ min: 1, max: 8 }) }), {
      maxLength: 12,
    }),
  ])('regions never overlap and findRam agrees with a flat model', (reqs) => {
    const m = new PhysMem();
    const owner = new Map<number, number>();
    reqs.forEach((r, i) => {
      const base = RAM + r.page * 0x1000;
      const clash = [...Array(r.pages).keys()].some((k) => owner.has(r.page + k));
      if (clash) expect(() => m.addRam(base, r.pages * 0x1000)).toThrow(HvlabError);
      else {
        m.addRam(base, r.pages * 0x1000, { name: `r${i}` });
        for (let k = 0; k < r.pages; k++) owner.set(r.page + k, i);
      }
    });
    for (let p = 0; p < 72; p++) {
      const region = m.findRam(RAM + p * 0x1000 + 17);
      expect(region?.name).toBe(owner.has(p) ? `r${owner.get(p)}` : undefined);
    }
  });
});
