/**
 * VMSAv8-64 translation table descriptors (64-bit, 48-bit output addresses).
 *
 * Arm ARM DDI 0487 (K.a) D8.3 "Translation table descriptor formats" (table/block/page layouts
 * and attribute fields; stage-2 permissions in D8.4, memory types under "Memory region
 * attributes" in chapter D8). Constructors and
 * predicates come in pairs, as TF-RMM's lib/s2tt and lib/xlat do (s1PageDesc / isS1PageDesc, ...).
 *
 *   Table (levels 0..2, bits[1:0] = 0b11)
 *   63      62:61     60        59        58:51   50:48  47:granuleBits      11:2   1  0
 *   NSTable APTable   UXNTable  PXNTable  ignored RES0   next-level table    ignored 1  1
 *                     (XNTable)                           address
 *
 *   Block (bits[1:0] = 0b01, levels per isBlockLevel) / Page (level 3, bits[1:0] = 0b11)
 *   63:59   58:55  54     53    52     51   50  47:n   11  10  9:8 7:6      5   4:2       1 0
 *   stage 1:
 *   ignored SW     UXN    PXN   Contig DBM  GP  OA     nG  AF  SH  AP[2:1]  NS  AttrIndx  x 1
 *   stage 2:
 *   ignored SW(*)  XN[1]  XN[0] Contig DBM  -   OA     -   AF  SH  S2AP     MemAttr[3:0]  x 1
 *   (*) bit 55 is NS in a Realm stage 2 (FEAT_RME); pKVM uses 58:55 as software bits.
 *
 * n = the block/page shift. OA bits below n are RES0 in blocks; this model ignores them (and
 * ignores bits [15:12] of 64 KiB descriptors, which hold OA[51:48] only with FEAT_LPA; whether
 * they count without it is IMPLEMENTATION DEFINED and QEMU masks them out).
 */
import { HvlabError } from '../errors.js';
import { assertGranule, FINAL_LEVEL, type Granule, isBlockLevel, levelSize, MAX_ADDR_BITS } from './granule.js';

/** Bit positions (Arm field names). */
export const DESC = {
  Valid: 0,
  /** bits[1:0] = 0b11: table (levels 0..2) or page (level 3); 0b01: block. */
  Table: 1,
  AttrIndx: 2,
  /** Stage 2 MemAttr[3:0] starts where stage-1 AttrIndx does. */
  MemAttr: 2,
  NS: 5,
  AP: 6,
  S2AP: 6,
  SH: 8,
  AF: 10,
  nG: 11,
  GP: 50,
  DBM: 51,
  Contiguous: 52,
  PXN: 53,
  /** Stage 2 XN[1:0] = bits 54:53 (XN[0] only with FEAT_XNX). */
  XN: 53,
  UXN: 54,
  /** Software-use bits [58:55] (ignored by hardware). */
  SW: 55,
  /** Stage 2 NS bit in the Realm EL1&0 regime (FEAT_RME; Arm ARM R_GYNXY). */
  S2NS: 55,
  PXNTable: 59,
  UXNTable: 60,
  APTable: 61,
  NSTable: 63,
} as const;

/** AP[2:1] values (D8.4 "Memory access control", stage 1 data access permissions). */
export const AP = {
  /** EL1 read/write, EL0 none. */
  RW_EL1: 0b00,
  /** EL1 and EL0 read/write. */
  RW_ALL: 0b01,
  /** EL1 read-only, EL0 none. */
  RO_EL1: 0b10,
  /** EL1 and EL0 read-only. */
  RO_ALL: 0b11,
} as const;

/** S2AP[1:0] values: bit 0 (descriptor bit 6) grants reads, bit 1 (bit 7) writes. */
export const S2AP = { NONE: 0b00, RO: 0b01, WO: 0b10, RW: 0b11 } as const;

/** Stage 2 XN[1:0] values (D8.4, stage 2 execute-never; 0b01/0b11 need FEAT_XNX). */
export const S2XN = {
  /** Executable at EL1 and EL0. */
  NONE: 0b00,
  /** Not executable at EL1, executable at EL0. */
  PXN: 0b01,
  /** Not executable at all (the only XN value without FEAT_XNX: bit 54). */
  ALL: 0b10,
  /** Executable at EL1, not at EL0. */
  UXN: 0b11,
} as const;

/** Shareability SH[1:0] (0b01 is reserved). */
export const SH = { NON: 0b00, OUTER: 0b10, INNER: 0b11 } as const;

/** Stage 2 MemAttr[3:0] values without FEAT_S2FWB (chapter D8 "Memory region attributes", stage 2 memory type and Cacheability). */
export const S2_MEMATTR = {
  DEVICE_nGnRnE: 0b0000,
  DEVICE_nGnRE: 0b0001,
  NORMAL_NC: 0b0101,
  NORMAL_WB: 0b1111,
} as const;

/** Stage-1 block/page attributes. Omitted fields default as listed. */
export interface S1LeafAttrs {
  /** MAIR_EL1 index 0..7 (default 0). */
  readonly attrIndx?: number;
  /** NS (Secure state only; default false). */
  readonly ns?: boolean;
  /** AP[2:1] (default AP.RW_EL1). */
  readonly ap?: number;
  /** SH[1:0] (default SH.INNER). */
  readonly sh?: number;
  /** Access flag (default true). */
  readonly af?: boolean;
  /** Not global: the entry belongs to the current ASID (default false). */
  readonly ng?: boolean;
  /** Dirty bit modifier (FEAT_HAFDBS; default false). */
  readonly dbm?: boolean;
  /** Contiguous hint (default false). */
  readonly contiguous?: boolean;
  /** Privileged execute-never (default false). */
  readonly pxn?: boolean;
  /** Unprivileged execute-never (XN; default false). */
  readonly uxn?: boolean;
  /** Software bits [58:55] (default 0). */
  readonly sw?: number;
}

/** Stage-2 block/page attributes. Omitted fields default as listed. */
export interface S2LeafAttrs {
  /** MemAttr[3:0] (default S2_MEMATTR.NORMAL_WB). */
  readonly memAttr?: number;
  /** S2AP[1:0] (default S2AP.RW). */
  readonly s2ap?: number;
  /** SH[1:0] (default SH.INNER). */
  readonly sh?: number;
  /** Access flag (default true). */
  readonly af?: boolean;
  /** XN[1:0] (default S2XN.NONE). */
  readonly xn?: number;
  /** Dirty bit modifier (default false). */
  readonly dbm?: boolean;
  /** Contiguous hint (default false). */
  readonly contiguous?: boolean;
  /** Realm stage 2 NS bit 55 (FEAT_RME; default false). The same bit as sw bit 0. */
  readonly ns?: boolean;
  /** Software bits [58:55] (default 0; pKVM's KVM_PGTABLE_PROT_SW0..3). */
  readonly sw?: number;
}

/** Stage-1 hierarchical attributes of a table descriptor (ignored in stage 2). */
export interface TableAttrs {
  readonly nsTable?: boolean;
  /** APTable[1:0]: bit 0 removes EL0 access below, bit 1 removes write access below. */
  readonly apTable?: number;
  readonly uxnTable?: boolean;
  readonly pxnTable?: boolean;
}

const OA_LIMIT = 2 ** MAX_ADDR_BITS;
const B = (v: boolean | undefined): bigint => (v ? 1n : 0n);

function checkField(name: string, v: number | undefined, max: number): bigint {
  if (v === undefined) return 0n;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new HvlabError('EINVAL', `${name} must be 0..${max}, got ${v}`);
  return BigInt(v);
}

function checkSh(sh: number | undefined): bigint {
  const v = checkField('SH', sh ?? SH.INNER, 3);
  if (v === 1n) throw new HvlabError('EINVAL', 'SH = 0b01 is reserved');
  return v;
}

function checkOutput(addr: number, align: number, what: string): bigint {
  if (!Number.isSafeInteger(addr) || addr < 0 || addr >= OA_LIMIT)
    throw new HvlabError('EINVAL', `${what} ${addr} is not a 48-bit physical address`);
  if (addr % align !== 0) throw new HvlabError('EINVAL', `${what} 0x${addr.toString(16)} is not ${align}-byte aligned`);
  return BigInt(addr);
}

function checkLeafLevel(level: number, granule: Granule, block: boolean): void {
  assertGranule(granule);
  if (block ? !isBlockLevel(granule, level) : level !== FINAL_LEVEL)
    throw new HvlabError(
      'EINVAL',
      `no ${block ? 'block' : 'page'} descriptor at level ${level} for ${granule}-byte granules`,
    );
}

function s1Leaf(pa: number, level: number, a: S1LeafAttrs, granule: Granule, block: boolean): bigint {
  checkLeafLevel(level, granule, block);
  const oa = checkOutput(pa, levelSize(granule, level), 'output address');
  return (
    (block ? 0b01n : 0b11n) |
    (checkField('AttrIndx', a.attrIndx, 7) << 2n) |
    (B(a.ns) << 5n) |
    (checkField('AP', a.ap, 3) << 6n) |
    (checkSh(a.sh) << 8n) |
    (B(a.af ?? true) << 10n) |
    (B(a.ng) << 11n) |
    oa |
    (B(a.dbm) << 51n) |
    (B(a.contiguous) << 52n) |
    (B(a.pxn) << 53n) |
    (B(a.uxn) << 54n) |
    (checkField('SW', a.sw, 15) << 55n)
  );
}

function s2Leaf(pa: number, level: number, a: S2LeafAttrs, granule: Granule, block: boolean): bigint {
  checkLeafLevel(level, granule, block);
  const oa = checkOutput(pa, levelSize(granule, level), 'output address');
  let sw = checkField('SW', a.sw, 15);
  if (a.ns !== undefined) {
    if (a.sw !== undefined && (sw & 1n) !== B(a.ns))
      throw new HvlabError('EINVAL', 'ns disagrees with sw bit 0 (bit 55)');
    sw = (sw & ~1n) | B(a.ns);
  }
  return (
    (block ? 0b01n : 0b11n) |
    (checkField('MemAttr', a.memAttr ?? S2_MEMATTR.NORMAL_WB, 15) << 2n) |
    (checkField('S2AP', a.s2ap ?? S2AP.RW, 3) << 6n) |
    (checkSh(a.sh) << 8n) |
    (B(a.af ?? true) << 10n) |
    oa |
    (B(a.dbm) << 51n) |
    (B(a.contiguous) << 52n) |
    (checkField('XN', a.xn, 3) << 53n) |
    (sw << 55n)
  );
}

/** A stage-1 level-3 page descriptor mapping the granule at `pa`. */
export function s1PageDesc(pa: number, attrs: S1LeafAttrs = {}, granule: Granule = 4096): bigint {
  return s1Leaf(pa, FINAL_LEVEL, attrs, granule, false);
}

/** A stage-1 block descriptor at `level` mapping the block at `pa` (aligned to the block size). */
export function s1BlockDesc(pa: number, level: number, attrs: S1LeafAttrs = {}, granule: Granule = 4096): bigint {
  return s1Leaf(pa, level, attrs, granule, true);
}

/** A stage-2 level-3 page descriptor. */
export function s2PageDesc(pa: number, attrs: S2LeafAttrs = {}, granule: Granule = 4096): bigint {
  return s2Leaf(pa, FINAL_LEVEL, attrs, granule, false);
}

/** A stage-2 block descriptor at `level`. */
export function s2BlockDesc(pa: number, level: number, attrs: S2LeafAttrs = {}, granule: Granule = 4096): bigint {
  return s2Leaf(pa, level, attrs, granule, true);
}

/**
 * A table descriptor pointing at the next-level table at `tableAddr` (granule aligned). The
 * hierarchical attributes apply to stage 1 only; stage-2 table descriptors leave them zero.
 */
export function tableDesc(tableAddr: number, attrs: TableAttrs = {}, granule: Granule = 4096): bigint {
  assertGranule(granule);
  return (
    0b11n |
    checkOutput(tableAddr, granule, 'table address') |
    (B(attrs.pxnTable) << 59n) |
    (B(attrs.uxnTable) << 60n) |
    (checkField('APTable', attrs.apTable, 3) << 61n) |
    (B(attrs.nsTable) << 63n)
  );
}

/** bit 0 (Valid). */
export const isValidDesc = (desc: bigint): boolean => (desc & 1n) === 1n;

/** A table descriptor: bits[1:0] = 0b11 at levels 0..2. */
export const isTableDesc = (desc: bigint, level: number): boolean => level < FINAL_LEVEL && (desc & 3n) === 3n;

/** A page descriptor: bits[1:0] = 0b11 at level 3 (the format is the same in both stages). */
export const isS1PageDesc = (desc: bigint, level: number): boolean => level === FINAL_LEVEL && (desc & 3n) === 3n;
export const isS2PageDesc = isS1PageDesc;

/** A block descriptor: bits[1:0] = 0b01 at a level where the granule allows blocks. */
export const isS1BlockDesc = (desc: bigint, level: number, granule: Granule = 4096): boolean =>
  (desc & 3n) === 1n && isBlockLevel(granule, level);
export const isS2BlockDesc = isS1BlockDesc;

/** A block or page descriptor. */
export const isLeafDesc = (desc: bigint, level: number, granule: Granule = 4096): boolean =>
  isS1PageDesc(desc, level) || isS1BlockDesc(desc, level, granule);

/**
 * The address a descriptor holds: desc[47:n] with n = granule bits for a table and the
 * block/page shift for a leaf.
 */
export function descOutputAddress(desc: bigint, level: number, granule: Granule = 4096): number {
  assertGranule(granule);
  const align = isTableDesc(desc, level) ? granule : levelSize(granule, level);
  const addr = Number(desc & 0x0000_ffff_ffff_f000n);
  return addr - (addr % align);
}

/** Decoded stage-1 leaf attributes (every field present). */
export type S1LeafFields = { readonly [K in keyof S1LeafAttrs]-?: NonNullable<S1LeafAttrs[K]> };
/** Decoded stage-2 leaf attributes (every field present). */
export type S2LeafFields = { readonly [K in keyof S2LeafAttrs]-?: NonNullable<S2LeafAttrs[K]> };

const bit = (desc: bigint, n: number): boolean => ((desc >> BigInt(n)) & 1n) === 1n;
const field = (desc: bigint, n: number, width: number): number =>
  Number((desc >> BigInt(n)) & ((1n << BigInt(width)) - 1n));

/** The attribute fields of a stage-1 block or page descriptor (the inverse of s1PageDesc). */
export function decodeS1Leaf(desc: bigint): S1LeafFields {
  return {
    attrIndx: field(desc, DESC.AttrIndx, 3),
    ns: bit(desc, DESC.NS),
    ap: field(desc, DESC.AP, 2),
    sh: field(desc, DESC.SH, 2),
    af: bit(desc, DESC.AF),
    ng: bit(desc, DESC.nG),
    dbm: bit(desc, DESC.DBM),
    contiguous: bit(desc, DESC.Contiguous),
    pxn: bit(desc, DESC.PXN),
    uxn: bit(desc, DESC.UXN),
    sw: field(desc, DESC.SW, 4),
  };
}

/** The attribute fields of a stage-2 block or page descriptor (the inverse of s2PageDesc). */
export function decodeS2Leaf(desc: bigint): S2LeafFields {
  return {
    memAttr: field(desc, DESC.MemAttr, 4),
    s2ap: field(desc, DESC.S2AP, 2),
    sh: field(desc, DESC.SH, 2),
    af: bit(desc, DESC.AF),
    xn: field(desc, DESC.XN, 2),
    dbm: bit(desc, DESC.DBM),
    contiguous: bit(desc, DESC.Contiguous),
    ns: bit(desc, DESC.S2NS),
    sw: field(desc, DESC.SW, 4),
  };
}

/** The hierarchical attributes of a stage-1 table descriptor. */
export function decodeTableAttrs(desc: bigint): Required<TableAttrs> {
  return {
    nsTable: bit(desc, DESC.NSTable),
    apTable: field(desc, DESC.APTable, 2),
    uxnTable: bit(desc, DESC.UXNTable),
    pxnTable: bit(desc, DESC.PXNTable),
  };
}

/**
 * True if a stage-2 MemAttr value makes the location Device memory: MemAttr[3:2] = 0b00
 * without FEAT_S2FWB, MemAttr[2] = 0 with HCR_EL2.FWB = 1 (chapter D8 "Memory region attributes").
 */
export function s2MemAttrIsDevice(memAttr: number, fwb = false): boolean {
  return fwb ? (memAttr & 0b0100) === 0 : (memAttr & 0b1100) === 0;
}
