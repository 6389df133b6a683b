import { HvlabError, PhysMem } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { buildImage, words } from '../testing/elf.js';
import { loadArm64Image, parseArm64ImageHeader } from './image.js';

const RAM = { base: 0x4000_0000, size: 0x800_0000 };
const mem = () => {
  const m = new PhysMem();
  m.addRam(RAM.base, RAM.size);
  return m;
};

describe('parseArm64ImageHeader', () => {
  it('reads text_offset, image_size and flags', () => {
    const h = parseArm64ImageHeader(buildImage({ textOffset: 0x8_0000n, imageSize: 0x12_0000n, flags: 0xan }))!;
    expect(h.textOffset).toBe(0x8_0000n);
    expect(h.imageSize).toBe(0x12_0000n);
    expect(h.bigEndian).toBe(false);
    expect(h.pageSize).toBe('4K');
    expect(h.physBaseAnywhere).toBe(true);
    expect(h.code0).toBe(0x1400_0010);
  });

  it('decodes every page-size value', () => {
    const sizes = [0n, 1n, 2n, 3n].map(
      (v) => parseArm64ImageHeader(buildImage({ textOffset: 0n, imageSize: 1n, flags: v << 1n }))!.pageSize,
    );
    expect(sizes).toEqual(['unspecified', '4K', '16K', '64K']);
  });

  it('returns undefined without the ARM\\x64 magic or with fewer than 64 bytes', () => {
    expect(parseArm64ImageHeader(buildImage({ textOffset: 0n, imageSize: 0n, magic: false }))).toBeUndefined();
    expect(parseArm64ImageHeader(buildImage({ textOffset: 0n, imageSize: 0n }).subarray(0, 63))).toBeUndefined();
  });
});

describe('loadArm64Image', () => {
  it('places an Image at RAM base + text_offset', () => {
    const m = mem();
    const img = buildImage({ textOffset: 0x8_0000n, imageSize: 0x1000n, body: words(0xd503_201f) });
    const k = loadArm64Image(m, img, RAM);
    expect(k).toMatchObject({ format: 'image', entry: 0x4008_0000n, low: 0x4008_0000, high: 0x4008_1000 });
    expect(m.read(0x4008_0000, img.length)).toEqual(img);
  });

  it('honours a text_offset of 0 by moving the image up 2 MiB past the boot stub, as QEMU does', () => {
    const k = loadArm64Image(mem(), buildImage({ textOffset: 0n, imageSize: 0x1000n }), RAM);
    expect(k.entry).toBe(0x4020_0000n);
  });

  it('uses 0x80000 when image_size is 0 (pre-3.17 kernels: text_offset is not valid)', () => {
    const k = loadArm64Image(mem(), buildImage({ textOffset: 0x12_3000n, imageSize: 0n }), RAM);
    expect(k.entry).toBe(0x4008_0000n);
  });

  it('reserves image_size even when the file is shorter (bss)', () => {
    const k = loadArm64Image(mem(), buildImage({ textOffset: 0x8_0000n, imageSize: 0x40_0000n }), RAM);
    expect(k.high).toBe(0x4048_0000);
  });

  it('copies a raw binary without the magic to RAM + 0x80000', () => {
    const m = mem();
    const raw = words(0xd503_201f, 0x1400_0000);
    const k = loadArm64Image(m, raw, RAM);
    expect(k).toMatchObject({ format: 'raw', entry: 0x4008_0000n, high: 0x4008_0008 });
    expect(m.read(0x4008_0000, 8)).toEqual(raw);
  });

  it('rejects a big-endian Image', () => {
    expect(() => loadArm64Image(mem(), buildImage({ textOffset: 0x8_0000n, imageSize: 1n, flags: 1n }), RAM)).toThrow(
      /big-endian/,
    );
  });

  it('rejects an Image that does not fit in RAM', () => {
    const f = () => loadArm64Image(mem(), buildImage({ textOffset: 0x8_0000n, imageSize: 1n << 40n }), RAM);
    expect(f).toThrow(HvlabError);
    expect(f).toThrow(/do not fit/);
    expect(() => loadArm64Image(mem(), buildImage({ textOffset: 1n << 62n, imageSize: 1n }), RAM)).toThrow(
      /do not fit/,
    );
  });

  it('rejects empty, gzip-compressed and uImage files with ENOEXEC', () => {
    const codeOf = (b: Uint8Array) => {
      try {
        loadArm64Image(mem(), b, RAM);
      } catch (e) {
        return (e as HvlabError).code;
      }
      return 'none';
    };
    expect(codeOf(new Uint8Array(0))).toBe('ENOEXEC');
    expect(codeOf(new Uint8Array([0x1f, 0x8b, 8, 0]))).toBe('ENOEXEC');
    const uimage = new Uint8Array(64);
    uimage.set([0x27, 0x05, 0x19, 0x56]);
    expect(codeOf(uimage)).toBe('ENOEXEC');
  });

  it('rejects a RAM base that is not 2 MiB aligned', () => {
    const m = new PhysMem();
    m.addRam(0x4000_1000, 0x10_0000);
    expect(() => loadArm64Image(m, words(0), { base: 0x4000_1000, size: 0x10_0000 })).toThrow(/2 MiB/);
  });
});
