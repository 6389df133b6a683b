/**
 * ELF64 loader for AArch64 kernels and bare-metal programs.
 *
 * Format: System V ABI "ELF-64 Object File Format" (header and program headers) with the
 * AArch64 supplement (e_machine EM_AARCH64 = 183). Like QEMU (hw/core/loader.c load_elf →
 * include/hw/elf_ops.h), each PT_LOAD segment is copied to its *physical* address p_paddr,
 * p_filesz bytes from the file followed by p_memsz - p_filesz zero bytes (.bss), and the CPU
 * enters at e_entry unchanged (the MMU is off, so e_entry is used as a physical address).
 *
 * Everything is validated before a single byte is written to RAM; a malformed file ends as
 * HvlabError ENOEXEC (not a loadable AArch64 ELF) or EINVAL (a well-formed ELF that does not
 * fit this machine's RAM), never as a RangeError.
 */
import { HvlabError, type PhysMem } from '@hvlab/core';
import type { LoadedKernel, RamRange } from './types.js';

export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_AARCH64 = 183;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
/** e_phnum value meaning "the real count is in section header 0" (unsupported here). */
export const PN_XNUM = 0xffff;
export const ELF64_EHDR_SIZE = 64;
export const ELF64_PHDR_SIZE = 56;

export interface Elf64Segment {
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  readonly align: bigint;
}

export interface Elf64 {
  readonly type: number;
  readonly machine: number;
  readonly entry: bigint;
  readonly segments: readonly Elf64Segment[];
}

const noexec = (msg: string): never => {
  throw new HvlabError('ENOEXEC', `ELF: ${msg}`);
};

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** True if `bytes` starts with the ELF magic. */
export const isElf = (bytes: Uint8Array): boolean => ELFMAG.every((b, i) => bytes[i] === b);

/** Parses and checks the ELF header and program headers (independent of any machine's RAM). */
export function parseElf64(bytes: Uint8Array): Elf64 {
  if (!isElf(bytes)) noexec('no ELF magic (\\x7fELF)');
  if (bytes.length < ELF64_EHDR_SIZE) noexec(`truncated header: ${bytes.length} bytes, need ${ELF64_EHDR_SIZE}`);
  if (bytes[4] !== ELFCLASS64) noexec(`EI_CLASS ${bytes[4]} is not ELFCLASS64 (a 32-bit or corrupt file)`);
  if (bytes[5] !== ELFDATA2LSB) noexec(`EI_DATA ${bytes[5]} is not ELFDATA2LSB (only little-endian is supported)`);
  if (bytes[6] !== EV_CURRENT) noexec(`EI_VERSION ${bytes[6]} is not EV_CURRENT`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (type !== ET_EXEC && type !== ET_DYN) noexec(`e_type ${type} is not an executable (ET_EXEC or ET_DYN)`);
  if (machine !== EM_AARCH64) noexec(`e_machine ${machine} is not EM_AARCH64 (183)`);
  if (dv.getUint32(20, true) !== EV_CURRENT) noexec(`e_version ${dv.getUint32(20, true)} is not EV_CURRENT`);
  const entry = dv.getBigUint64(24, true);
  const phoff = dv.getBigUint64(32, true);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phnum === 0) noexec('no program headers');
  if (phnum === PN_XNUM) noexec('extended program header numbering (PN_XNUM) is not supported');
  if (phentsize !== ELF64_PHDR_SIZE) noexec(`e_phentsize ${phentsize} is not ${ELF64_PHDR_SIZE}`);
  const phEnd = phoff + BigInt(phnum * ELF64_PHDR_SIZE);
  if (phEnd > BigInt(bytes.length))
    noexec(`program headers end at ${hex(phEnd)}, beyond the ${bytes.length}-byte file (truncated)`);
  const segments: Elf64Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = Number(phoff) + i * ELF64_PHDR_SIZE;
    const s: Elf64Segment = {
      type: dv.getUint32(o, true),
      flags: dv.getUint32(o + 4, true),
      offset: dv.getBigUint64(o + 8, true),
      vaddr: dv.getBigUint64(o + 16, true),
      paddr: dv.getBigUint64(o + 24, true),
      filesz: dv.getBigUint64(o + 32, true),
      memsz: dv.getBigUint64(o + 40, true),
      align: dv.getBigUint64(o + 48, true),
    };
    if (s.type === PT_LOAD) {
      if (s.filesz > s.memsz) noexec(`segment ${i}: p_filesz ${hex(s.filesz)} exceeds p_memsz ${hex(s.memsz)}`);
      if (s.offset + s.filesz > BigInt(bytes.length))
        noexec(`segment ${i}: file bytes ${hex(s.offset)}+${hex(s.filesz)} run past the end of the file (truncated)`);
    }
    segments.push(s);
  }
  const loads = segments.filter((s) => s.type === PT_LOAD && s.memsz > 0n);
  if (loads.length === 0) noexec('no PT_LOAD segment with memory to load');
  const sorted = [...loads].sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.paddr + prev.memsz > cur.paddr)
      noexec(`PT_LOAD segments overlap: ${hex(prev.paddr)}+${hex(prev.memsz)} and ${hex(cur.paddr)}+${hex(cur.memsz)}`);
  }
  const inSegment = (a: bigint) =>
    loads.some((s) => (a >= s.vaddr && a < s.vaddr + s.memsz) || (a >= s.paddr && a < s.paddr + s.memsz));
  if (!inSegment(entry)) noexec(`entry point ${hex(entry)} is not inside any PT_LOAD segment`);
  return { type, machine, entry, segments };
}

/**
 * Loads an AArch64 ELF into RAM. Every PT_LOAD segment must lie inside `ram`
 * (EINVAL otherwise); nothing is written unless all of them do.
 */
export function loadElf(mem: PhysMem, bytes: Uint8Array, ram: RamRange): LoadedKernel {
  const elf = parseElf64(bytes);
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0n);
  const ramBase = BigInt(ram.base);
  const ramEnd = ramBase + BigInt(ram.size);
  for (const s of loads) {
    if (s.memsz > BigInt(ram.size))
      throw new HvlabError('EINVAL', `ELF: segment of ${hex(s.memsz)} bytes is larger than RAM (${hex(ram.size)})`);
    if (s.paddr < ramBase || s.paddr + s.memsz > ramEnd)
      throw new HvlabError(
        'EINVAL',
        `ELF: segment ${hex(s.paddr)}..${hex(s.paddr + s.memsz)} is outside RAM ${hex(ramBase)}..${hex(ramEnd)}`,
      );
  }
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  const regions: { base: number; size: number }[] = [];
  for (const s of loads) {
    const pa = Number(s.paddr);
    const filesz = Number(s.filesz);
    const memsz = Number(s.memsz);
    const off = Number(s.offset);
    if (filesz > 0) mem.write(pa, bytes.subarray(off, off + filesz));
    zeroFill(mem, pa + filesz, memsz - filesz);
    low = Math.min(low, pa);
    high = Math.max(high, pa + memsz);
    regions.push({ base: pa, size: memsz });
  }
  return { format: 'elf', entry: elf.entry, low, high, regions };
}

const ZERO_CHUNK = new Uint8Array(1 << 20);

/** Writes `len` zero bytes at `pa` (the .bss part of a segment) without one huge allocation. */
export function zeroFill(mem: PhysMem, pa: number, len: number): void {
  for (let done = 0; done < len; done += ZERO_CHUNK.length) {
    const n = Math.min(ZERO_CHUNK.length, len - done);
    mem.write(pa + done, ZERO_CHUNK.subarray(0, n));
  }
}
