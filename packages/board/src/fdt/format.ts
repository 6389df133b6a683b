/**
 * The flattened device tree (DTB) format: Devicetree Specification v0.4, chapter 5
 * "Flattened Devicetree (DTB) Format". Constants are spelled as the spec (and rust-vmm/vm-fdt
 * src/lib.rs) spell them.
 *
 *   offset 0   header (10 big-endian u32, §5.2)
 *          40  memory reservation block (u64 address/size pairs, ends with 0/0; 8-aligned, §5.3)
 *              structure block (tokens, 4-aligned, §5.4)
 *              strings block (NUL-terminated property names, §5.5)
 */

export const FDT_MAGIC = 0xd00d_feed;
/** The version we write and the oldest version whose layout we read (§5.2: version 17, compatible with 16). */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_HEADER_SIZE = 40;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header field offsets (§5.2 struct fdt_header). */
export const FdtHeader = {
  magic: 0,
  totalsize: 4,
  off_dt_struct: 8,
  off_dt_strings: 12,
  off_mem_rsvmap: 16,
  version: 20,
  last_comp_version: 24,
  boot_cpuid_phys: 28,
  size_dt_strings: 32,
  size_dt_struct: 36,
} as const;

/** Node and property names are at most 31 characters (DT spec §2.2.1, §2.2.4). */
export const FDT_MAX_NAME_LENGTH = 31;
/** Depth limit (vm-fdt uses 64; libfdt's FDT_MAX_DEPTH is 32 for its checks, dtc none). */
export const FDT_MAX_NODE_DEPTH = 64;
/** Largest blob we write or read (QEMU's FDT_MAX_SIZE is 1 MiB; we allow 64 MiB). */
export const FDT_MAX_TOTAL_SIZE = 64 * 1024 * 1024;

/** DT spec Table 2.1: node-name characters. */
const NODE_NAME_CHARS = /^[0-9a-zA-Z,._+-]+$/;
/** DT spec §2.2.1: a unit address uses the same characters as a node name. */
const UNIT_ADDRESS_CHARS = /^[0-9a-zA-Z,._+-]+$/;
/** DT spec Table 2.2: property-name characters. */
const PROPERTY_NAME_CHARS = /^[0-9a-zA-Z,._+?#-]+$/;

/**
 * Validates `node-name[@unit-address]` (DT spec §2.2.1). The spec asks names to start with a
 * letter, but dtc itself generates `__symbols__`, so (like vm-fdt) only the character set and
 * length are enforced. The root node's name is empty and is not checked here.
 */
export function isValidNodeName(name: string): boolean {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  if (base.length === 0 || base.length > FDT_MAX_NAME_LENGTH || !NODE_NAME_CHARS.test(base)) return false;
  if (at < 0) return true;
  const unit = name.slice(at + 1);
  return unit.length > 0 && UNIT_ADDRESS_CHARS.test(unit);
}

export function isValidPropertyName(name: string): boolean {
  return name.length > 0 && name.length <= FDT_MAX_NAME_LENGTH && PROPERTY_NAME_CHARS.test(name);
}

/** A memory reservation block entry (§5.3). */
export interface FdtReserveEntry {
  readonly address: bigint;
  readonly size: bigint;
}
