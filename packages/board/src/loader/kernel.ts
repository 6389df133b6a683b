/**
 * Kernel loading as QEMU's `-kernel` does it (hw/arm/boot.c arm_setup_direct_kernel_boot):
 * an ELF is loaded at its physical addresses; anything else is an arm64 Image if it has the
 * "ARM\x64" magic, or a raw binary otherwise. Placement of the initrd and the DTB follows
 * the same file:
 *
 *   initrd_start = page_align(max(RAM base + min(RAM / 2, 128 MiB), kernel end))
 *   dtb_start    = align_up(initrd_start + initrd_size, 2 MiB)
 *
 * (QEMU enters an ELF without a boot stub: x0 = 0 and no initrd. hvlab places the initrd and
 * DTB for ELF kernels too and passes the DTB in x0; see the package README.)
 */
import { HvlabError, type PhysMem } from '@hvlab/core';
import { ALIGN_2M } from '../layout.js';
import { isElf, loadElf } from './elf.js';
import { loadArm64Image } from './image.js';
import type { LoadedKernel, RamRange } from './types.js';

const PAGE = 4096;
const INITRD_MAX_OFFSET = 128 * 1024 * 1024;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
const hex = (v: number): string => `0x${v.toString(16)}`;

function checkRam(ram: RamRange): void {
  if (!Number.isSafeInteger(ram.base) || !Number.isSafeInteger(ram.size) || ram.base < 0 || ram.size <= 0)
    throw new HvlabError('EINVAL', `bad RAM range ${ram.base}+${ram.size}`);
}

/** Loads an ELF, arm64 Image or raw binary into `ram` (format chosen from the file's contents). */
export function loadKernel(mem: PhysMem, bytes: Uint8Array, ram: RamRange): LoadedKernel {
  checkRam(ram);
  return isElf(bytes) ? loadElf(mem, bytes, ram) : loadArm64Image(mem, bytes, ram);
}

/** Where QEMU puts the initrd for a kernel ending at `kernel.high` (page aligned). */
export function initrdAddress(kernel: Pick<LoadedKernel, 'high'>, ram: RamRange): number {
  checkRam(ram);
  const start = ram.base + Math.min(Math.floor(ram.size / 2), INITRD_MAX_OFFSET);
  return alignUp(Math.max(start, kernel.high), PAGE);
}

/** Copies the initrd to initrdAddress(); returns its [start, end). EINVAL if it does not fit. */
export function loadInitrd(
  mem: PhysMem,
  initrd: Uint8Array,
  kernel: Pick<LoadedKernel, 'high'>,
  ram: RamRange,
): { start: number; end: number } {
  const start = initrdAddress(kernel, ram);
  const end = start + initrd.length;
  if (initrd.length === 0) throw new HvlabError('EINVAL', 'initrd is empty');
  if (end > ram.base + ram.size)
    throw new HvlabError(
      'EINVAL',
      `initrd of ${initrd.length} bytes at ${hex(start)} does not fit in RAM ending at ${hex(ram.base + ram.size)}`,
    );
  mem.write(start, initrd);
  return { start, end };
}

/** Where QEMU puts the DTB: the first 2 MiB boundary at or after `after` (the initrd's end). */
export function dtbAddress(after: number, ram: RamRange): number {
  checkRam(ram);
  return alignUp(after, ALIGN_2M);
}

/** Copies the DTB to dtbAddress(after); returns its address. EINVAL if it does not fit. */
export function loadDtb(mem: PhysMem, dtb: Uint8Array, after: number, ram: RamRange): number {
  const addr = dtbAddress(after, ram);
  if (addr + dtb.length > ram.base + ram.size)
    throw new HvlabError(
      'EINVAL',
      `DTB of ${dtb.length} bytes at ${hex(addr)} does not fit in RAM ending at ${hex(ram.base + ram.size)}`,
    );
  mem.write(addr, dtb);
  return addr;
}
