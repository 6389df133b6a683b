import { HvlabError, PhysMem } from '@hvlab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildElf, buildImage, words } from '../testing/elf.js';
import { dtbAddress, initrdAddress, loadDtb, loadInitrd, loadKernel } from './kernel.js';

const MiB = 1024 * 1024;
const ram = (size = 128 * MiB) => ({ base: 0x4000_0000, size });
const mem = (size = 128 * MiB) => {
  const m = new PhysMem();
  m.addRam(0x4000_0000, size);
  return m;
};

describe('loadKernel format detection', () => {
  it('loads an ELF at its physical addresses', () => {
    const elf = buildElf({ entry: 0x4010_0000n, segments: [{ paddr: 0x4010_0000n, data: words(0) }] });
    expect(loadKernel(mem(), elf, ram()).format).toBe('elf');
  });

  it('loads a file with the Image magic as an Image', () => {
    expect(loadKernel(mem(), buildImage({ textOffset: 0x8_0000n, imageSize: 0x1000n }), ram()).format).toBe('image');
  });

  it('loads anything else as a raw binary', () => {
    expect(loadKernel(mem(), words(1, 2, 3), ram()).format).toBe('raw');
  });

  it('rejects a bad RAM range', () => {
    expect(() => loadKernel(mem(), words(1), { base: 0x4000_0000, size: 0 })).toThrow(HvlabError);
  });
});

describe('initrd and DTB placement (QEMU hw/arm/boot.c)', () => {
  it('puts the initrd at RAM + RAM/2 for 128 MiB and the DTB at the next 2 MiB boundary', () => {
    const start = initrdAddress({ high: 0x4008_1000 }, ram());
    expect(start).toBe(0x4400_0000);
    expect(dtbAddress(start + 5000, ram())).toBe(0x4420_0000);
  });

  it('puts the DTB at the initrd address when there is no initrd (QEMU: x0 = 0x44000000)', () => {
    expect(dtbAddress(initrdAddress({ high: 0x4008_1000 }, ram()), ram())).toBe(0x4400_0000);
  });

  it('caps the initrd offset at 128 MiB (QEMU -m 1G: DTB at 0x48200000 with a small initrd)', () => {
    const start = initrdAddress({ high: 0x4008_1000 }, ram(1024 * MiB));
    expect(start).toBe(0x4800_0000);
    expect(dtbAddress(start + 5000, ram(1024 * MiB))).toBe(0x4820_0000);
  });

  it('moves the initrd after a kernel that reaches past the default spot, page aligned', () => {
    expect(initrdAddress({ high: 0x4500_0001 }, ram())).toBe(0x4500_1000);
  });

  it('copies the initrd and returns its range', () => {
    const m = mem();
    const r = loadInitrd(m, new Uint8Array([9, 8, 7]), { high: 0x4008_0000 }, ram());
    expect(r).toEqual({ start: 0x4400_0000, end: 0x4400_0003 });
    expect(m.read(0x4400_0000, 3)).toEqual(new Uint8Array([9, 8, 7]));
  });

  it('rejects an initrd that does not fit or is empty', () => {
    expect(() => loadInitrd(mem(), new Uint8Array(65 * MiB), { high: 0 }, ram())).toThrow(/does not fit/);
    expect(() => loadInitrd(mem(), new Uint8Array(0), { high: 0 }, ram())).toThrow(/empty/);
  });

  it('copies the DTB and rejects one that does not fit', () => {
    const m = mem(4 * MiB);
    expect(loadDtb(m, new Uint8Array([0xd0, 0x0d]), 0x4000_0001, ram(4 * MiB))).toBe(0x4020_0000);
    expect(m.read(0x4020_0000, 2)).toEqual(new Uint8Array([0xd0, 0x0d]));
    expect(() => loadDtb(m, new Uint8Array(16), 0x4030_0000, ram(4 * MiB))).toThrow(/does not fit/);
  });

  it('always places the initrd after the kernel and the DTB after the initrd, 2 MiB aligned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.nat({ max: 600 * MiB }),
        fc.integer({ min: 1, max: 64 * MiB }),
        (ramMiB, kernelEnd, initrdSize) => {
          const r = ram(ramMiB * 16 * MiB);
          const start = initrdAddress({ high: 0x4000_0000 + kernelEnd }, r);
          expect(start % 4096).toBe(0);
          expect(start).toBeGreaterThanOrEqual(0x4000_0000 + kernelEnd);
          const dtb = dtbAddress(start + initrdSize, r);
          expect(dtb % (2 * MiB)).toBe(0);
          expect(dtb).toBeGreaterThanOrEqual(start + initrdSize);
          expect(dtb - (start + initrdSize)).toBeLessThan(2 * MiB);
        },
      ),
    );
  });
});
