/**
 * The arm64 Linux `Image` format and raw binaries.
 *
 * Image header (linux Documentation/arch/arm64/booting.rst §4 "Call the kernel image"),
 * 64 bytes, little-endian:
 *
 *   0   u32 code0        executable code (usually a branch)
 *   4   u32 code1
 *   8   u64 text_offset  image load offset from a 2 MiB aligned base
 *   16  u64 image_size   effective image size (bss included); 0 = pre-3.17 kernel
 *   24  u64 flags        bit 0 endianness (1 = BE), bits 1-2 page size, bit 3 placement
 *   32  u64 res2, res3, res4
 *   56  u32 magic        0x644d5241 "ARM\x64"
 *   60  u32 res5         PE/COFF header offset
 *
 * Placement follows QEMU (hw/arm/boot.c load_aarch64_image): the 2 MiB aligned base is the
 * start of RAM; text_offset is honoured when image_size is non-zero (booting.rst: otherwise
 * the offset is 0x80000); an offset below QEMU's 4 KiB boot stub is moved up by 2 MiB. A file
 * without the magic is a raw binary (e.g. a kvm-unit-tests .flat) copied to RAM + 0x80000.
 */
import { HvlabError, type PhysMem } from '@hvlab/core';
import { ALIGN_2M, BOOTLOADER_MAX_SIZE, KERNEL64_LOAD_ADDR } from '../layout.js';
import type { LoadedKernel, RamRange } from './types.js';

export const ARM64_IMAGE_MAGIC = 0x644d_5241; // "ARM\x64" little-endian
export const ARM64_IMAGE_MAGIC_OFFSET = 56;
export const ARM64_IMAGE_HEADER_SIZE = 64;

/** booting.rst flags fields. */
export const ARM64_IMAGE_FLAG_BE = 1n << 0n;
export const ARM64_IMAGE_FLAG_PAGE_SIZE_SHIFT = 1n;
export const ARM64_IMAGE_FLAG_PHYS_BASE = 1n << 3n;

export type Arm64PageSize = 'unspecified' | '4K' | '16K' | '64K';

export interface Arm64ImageHeader {
  readonly code0: number;
  readonly code1: number;
  readonly textOffset: bigint;
  readonly imageSize: bigint;
  readonly flags: bigint;
  readonly bigEndian: boolean;
  readonly pageSize: Arm64PageSize;
  /** Flag bit 3: the 2 MiB aligned base may be anywhere in RAM (else as low as possible). */
  readonly physBaseAnywhere: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const UIMAGE_MAGIC = [0x27, 0x05, 0x19, 0x56] as const; // big-endian IH_MAGIC (u-boot include/image.h)

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** Reads the Image header, or undefined if `bytes` has no "ARM\x64" magic at offset 56. */
export function parseArm64ImageHeader(bytes: Uint8Array): Arm64ImageHeader | undefined {
  if (bytes.length < ARM64_IMAGE_HEADER_SIZE) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(ARM64_IMAGE_MAGIC_OFFSET, true) !== ARM64_IMAGE_MAGIC) return undefined;
  const flags = dv.getBigUint64(24, true);
  const pageSizes: Arm64PageSize[] = ['unspecified', '4K', '16K', '64K'];
  return {
    code0: dv.getUint32(0, true),
    code1: dv.getUint32(4, true),
    textOffset: dv.getBigUint64(8, true),
    imageSize: dv.getBigUint64(16, true),
    flags,
    bigEndian: (flags & ARM64_IMAGE_FLAG_BE) !== 0n,
    pageSize: pageSizes[Number((flags >> ARM64_IMAGE_FLAG_PAGE_SIZE_SHIFT) & 3n)]!,
    physBaseAnywhere: (flags & ARM64_IMAGE_FLAG_PHYS_BASE) !== 0n,
  };
}

/** Rejects formats we recognise but cannot load, with a message that says what to do. */
export function rejectUnsupportedFormats(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new HvlabError('ENOEXEC', 'kernel image is empty');
  if (GZIP_MAGIC.every((b, i) => bytes[i] === b))
    throw new HvlabError('ENOEXEC', 'kernel is gzip-compressed (Image.gz): decompress it first (gunzip)');
  if (bytes.length >= 64 && UIMAGE_MAGIC.every((b, i) => bytes[i] === b))
    throw new HvlabError('ENOEXEC', 'U-Boot uImage kernels are not supported: pass the Image inside it');
}

/**
 * Loads an arm64 Image (header honoured) or, without the magic, a raw binary at RAM + 0x80000.
 * Throws ENOEXEC for a big-endian Image and EINVAL if it does not fit in `ram`.
 */
export function loadArm64Image(mem: PhysMem, bytes: Uint8Array, ram: RamRange): LoadedKernel {
  rejectUnsupportedFormats(bytes);
  if (ram.base % ALIGN_2M !== 0) throw new HvlabError('EINVAL', `RAM base ${hex(ram.base)} is not 2 MiB aligned`);
  const header = parseArm64ImageHeader(bytes);
  let offset = BigInt(KERNEL64_LOAD_ADDR);
  let footprint = BigInt(bytes.length);
  if (header) {
    if (header.bigEndian) throw new HvlabError('ENOEXEC', 'Image: big-endian kernels (flags bit 0) are not supported');
    if (header.imageSize !== 0n) {
      offset = header.textOffset;
      if (offset < BigInt(BOOTLOADER_MAX_SIZE)) offset += BigInt(ALIGN_2M);
      if (header.imageSize > footprint) footprint = header.imageSize;
    }
  }
  const what = header ? 'Image' : 'raw image';
  const end = offset + footprint;
  if (end > BigInt(ram.size))
    throw new HvlabError(
      'EINVAL',
      `${what}: ${hex(footprint)} bytes at RAM + ${hex(offset)} do not fit in ${hex(ram.size)} bytes of RAM`,
    );
  const entry = ram.base + Number(offset);
  mem.write(entry, bytes);
  return {
    format: header ? 'image' : 'raw',
    entry: BigInt(entry),
    low: entry,
    high: entry + Number(footprint),
    regions: [{ base: entry, size: Number(footprint) }],
  };
}
