/**
 * Translation controls: TCR_EL1/TTBR0_EL1/TTBR1_EL1 (stage 1, EL1&0 regime) and
 * VTCR_EL2/VTTBR_EL2 (stage 2) decoded into the plain parameters a walk needs.
 *
 * Decode once when a register changes and reuse the result on every TLB miss. Decoding never
 * throws on register contents (a guest or hypervisor model may program anything): a
 * configuration the Arm ARM makes fault is recorded as a flag and every walk then reports the
 * architected level-0 fault. Only host misuse (a non-64-bit value, a bad MmuImpl) throws.
 *
 * Field layouts (Arm ARM DDI 0487, the AArch64 System register descriptions of these registers):
 *
 *   TCR_EL1   5:0 T0SZ  7 EPD0  9:8 IRGN0  11:10 ORGN0  13:12 SH0  15:14 TG0
 *             21:16 T1SZ  22 A1  23 EPD1  25:24 IRGN1  27:26 ORGN1  29:28 SH1  31:30 TG1
 *             34:32 IPS  36 AS  37 TBI0  38 TBI1  39 HA  40 HD
 *   TTBRn_EL1 63:48 ASID  47:1 BADDR  0 CnP
 *   VTCR_EL2  5:0 T0SZ  7:6 SL0  9:8 IRGN0  11:10 ORGN0  13:12 SH0  15:14 TG0  18:16 PS  19 VS
 *             21 HA  22 HD
 *   VTTBR_EL2 63:48 VMID (55:48 with 8-bit VMIDs)  47:1 BADDR  0 CnP
 *
 * Implementation choices where the Arm ARM leaves one (each is what QEMU does, target/arm/ptw.c
 * and helper.c):
 *   - TxSZ outside the supported range: a level-0 Translation fault (AArch64.S1TxSZFaults /
 *     S2TxSZFaults are IMPLEMENTATION DEFINED; QEMU "chooses to always raise the fault").
 *   - A reserved or unimplemented TGx: the smallest implemented granule (QEMU sanitize_gran_size).
 *   - IPS/PS above the implemented PA size (or reserved): the implemented PA size.
 *   - BADDR bits below the initial table's alignment are treated as zero (AArch64.S1TTBaseAddress
 *     aligns the base to the table size; QEMU masks them the same way).
 */
import { HvlabError } from '../errors.js';
import {
  assertGranule,
  FINAL_LEVEL,
  GRANULE_4K,
  GRANULE_16K,
  GRANULE_64K,
  type Granule,
  granuleBits,
  levelShift,
  MAX_ADDR_BITS,
  MAX_TXSZ,
  MIN_TXSZ,
  s1StartLevel,
} from './granule.js';

/** What the modelled PE implements (the ID_AA64MMFR0_EL1 / ID_AA64MMFR1_EL1 fields that matter). */
export interface MmuImpl {
  /** Implemented PA size in bits, ID_AA64MMFR0_EL1.PARange: 32, 36, 40, 42, 44 or 48. */
  readonly paBits: number;
  /** Implemented granules (ID_AA64MMFR0_EL1.TGran4/TGran16/TGran64); at least one. */
  readonly granules: readonly Granule[];
  /** 16-bit ASIDs (ID_AA64MMFR0_EL1.ASIDBits = 0b0010); else 8-bit. */
  readonly asid16: boolean;
  /** 16-bit VMIDs (ID_AA64MMFR1_EL1.VMIDBits = 0b0010); else 8-bit. */
  readonly vmid16: boolean;
  /** ID_AA64MMFR1_EL1.HAFDBS: 0 none, 1 hardware Access flag, 2 Access flag and dirty state. */
  readonly hafdbs: 0 | 1 | 2;
  /** FEAT_XNX: stage-2 XN[1:0] distinguishes EL0 and EL1 (ID_AA64MMFR1_EL1.XNX). */
  readonly xnx: boolean;
}

/**
 * QEMU's `-cpu cortex-a57` (target/arm/cpu64.c: id_aa64mmfr0 = 0x00001124, id_aa64mmfr1 = 0):
 * PARange 0b0100 = 44 bits, 16-bit ASIDs, 4 KiB and 64 KiB granules (no 16 KiB), 8-bit VMIDs,
 * no hardware Access flag/dirty management, no XNX.
 */
export const CORTEX_A57_MMU: MmuImpl = Object.freeze({
  paBits: 44,
  granules: Object.freeze([GRANULE_4K, GRANULE_64K]),
  asid16: true,
  vmid16: false,
  hafdbs: 0,
  xnx: false,
});

/** PARange / TCR.IPS / VTCR.PS encodings 0..6 in bits (Arm ARM register description of ID_AA64MMFR0_EL1.PARange). */
export const PA_RANGE_BITS: readonly number[] = [32, 36, 40, 42, 44, 48, 52];

/** The PARange/IPS/PS encoding of a PA size (throws EINVAL for sizes that have none). */
export function paRangeEncoding(bits: number): number {
  const e = PA_RANGE_BITS.indexOf(bits);
  if (e < 0) throw new HvlabError('EINVAL', `no PARange encoding for ${bits}-bit addresses`);
  return e;
}

/** TCR_EL1.TG0 / VTCR_EL2.TG0 encodings. */
export const TG0: Readonly<Record<Granule, number>> = { 4096: 0b00, 16384: 0b10, 65536: 0b01 };
/** TCR_EL1.TG1 encodings (different from TG0). */
export const TG1: Readonly<Record<Granule, number>> = { 4096: 0b10, 16384: 0b01, 65536: 0b11 };

/** Completes and validates an MmuImpl (defaults: CORTEX_A57_MMU). */
export function resolveMmuImpl(impl: Partial<MmuImpl> = {}): MmuImpl {
  const r = { ...CORTEX_A57_MMU, ...impl };
  if (!PA_RANGE_BITS.includes(r.paBits) || r.paBits > MAX_ADDR_BITS)
    throw new HvlabError('EINVAL', `paBits must be one of 32, 36, 40, 42, 44, 48 (no FEAT_LPA), got ${r.paBits}`);
  if (r.granules.length === 0) throw new HvlabError('EINVAL', 'an MMU implements at least one granule');
  for (const g of r.granules) assertGranule(g);
  if (r.hafdbs !== 0 && r.hafdbs !== 1 && r.hafdbs !== 2)
    throw new HvlabError('EINVAL', `hafdbs must be 0, 1 or 2, got ${String(r.hafdbs)}`);
  return r;
}

const U64_MAX = (1n << 64n) - 1n;

function u64(v: bigint, name: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new HvlabError('EINVAL', `${name} is not a 64-bit value`);
  return v;
}

const bits = (v: bigint, lo: number, width: number): number => Number((v >> BigInt(lo)) & ((1n << BigInt(width)) - 1n));

/** Smallest implemented granule stands in for a reserved or unimplemented one (QEMU's choice). */
function sanitizeGranule(g: Granule | undefined, impl: MmuImpl): Granule {
  if (g !== undefined && impl.granules.includes(g)) return g;
  return [...impl.granules].sort((a, b) => a - b)[0]!;
}

const TG0_DECODE: readonly (Granule | undefined)[] = [GRANULE_4K, GRANULE_64K, GRANULE_16K, undefined];
const TG1_DECODE: readonly (Granule | undefined)[] = [undefined, GRANULE_16K, GRANULE_4K, GRANULE_64K];

/** Effective output size: IPS/PS capped at (and reserved values replaced by) the PA size. */
function outputBitsOf(ps: number, impl: MmuImpl): number {
  const b = PA_RANGE_BITS[ps];
  return b === undefined ? impl.paBits : Math.min(b, impl.paBits);
}

/** Table base from a TTBR/VTTBR: BADDR = bits[47:1], aligned down to the initial table size. */
function tableBase(ttbr: bigint, tableSize: number, outputBits: number): { base: number; baseFault: boolean } {
  const baddr = Number(ttbr & 0x0000_ffff_ffff_fffen);
  return { base: baddr - (baddr % tableSize), baseFault: baddr >= 2 ** outputBits };
}

/** One of the two stage-1 VA ranges of the EL1&0 regime. */
export interface S1RangeConfig {
  readonly granule: Granule;
  /** Input address size, 64 - TxSZ (TxSZ clamped into 16..39 when out of range). */
  readonly inputBits: number;
  readonly startLevel: number;
  /** Initial table PA (BADDR aligned to the table size). */
  readonly base: number;
  /** Top byte ignored for this range (TCR_EL1.TBIx). */
  readonly tbi: boolean;
  /** Walks disabled (TCR_EL1.EPDx): a TLB miss is a level-0 Translation fault. */
  readonly epd: boolean;
  /** TxSZ out of range: every walk is a level-0 Translation fault. */
  readonly txszFault: boolean;
  /** BADDR beyond the output size: every walk is a level-0 Address size fault. */
  readonly baseFault: boolean;
}

/** Stage 1 of the EL1&0 translation regime. */
export interface Stage1Config {
  readonly ttbr0: S1RangeConfig;
  readonly ttbr1: S1RangeConfig;
  /** Effective output (IPA or PA) size in bits: TCR_EL1.IPS capped by the PA size. */
  readonly outputBits: number;
  /** The current ASID: TTBR0 or TTBR1 (TCR_EL1.A1) bits[63:48], 8 bits unless TCR_EL1.AS. */
  readonly asid: number;
  /** Hardware Access flag update (TCR_EL1.HA with HAFDBS >= 1). */
  readonly ha: boolean;
  /** Hardware dirty state (TCR_EL1.HA and HD with HAFDBS = 2). */
  readonly hd: boolean;
}

export interface Stage1Regs {
  readonly tcr: bigint;
  readonly ttbr0: bigint;
  readonly ttbr1: bigint;
}

function s1Range(
  txsz: number,
  granule: Granule,
  tbi: boolean,
  epd: boolean,
  ttbr: bigint,
  outputBits: number,
): S1RangeConfig {
  const txszFault = txsz < MIN_TXSZ || txsz > MAX_TXSZ;
  const inputBits = 64 - Math.min(Math.max(txsz, MIN_TXSZ), MAX_TXSZ);
  const startLevel = s1StartLevel(granule, inputBits);
  const size = 8 * 2 ** (inputBits - levelShift(granule, startLevel));
  return { granule, inputBits, startLevel, tbi, epd, txszFault, ...tableBase(ttbr, size, outputBits) };
}

/** Decodes TCR_EL1, TTBR0_EL1 and TTBR1_EL1 (D8.2 "Translation process", AArch64.GetS1TTWParams). */
export function decodeStage1(regs: Stage1Regs, implIn: Partial<MmuImpl> = {}): Stage1Config {
  const impl = resolveMmuImpl(implIn);
  const tcr = u64(regs.tcr, 'TCR_EL1');
  const ttbr0 = u64(regs.ttbr0, 'TTBR0_EL1');
  const ttbr1 = u64(regs.ttbr1, 'TTBR1_EL1');
  const outputBits = outputBitsOf(bits(tcr, 32, 3), impl);
  const g0 = sanitizeGranule(TG0_DECODE[bits(tcr, 14, 2)], impl);
  const g1 = sanitizeGranule(TG1_DECODE[bits(tcr, 30, 2)], impl);
  const asidBits = impl.asid16 && bits(tcr, 36, 1) === 1 ? 16 : 8;
  const asidTtbr = bits(tcr, 22, 1) === 1 ? ttbr1 : ttbr0;
  const ha = impl.hafdbs >= 1 && bits(tcr, 39, 1) === 1;
  return {
    ttbr0: s1Range(bits(tcr, 0, 6), g0, bits(tcr, 37, 1) === 1, bits(tcr, 7, 1) === 1, ttbr0, outputBits),
    ttbr1: s1Range(bits(tcr, 16, 6), g1, bits(tcr, 38, 1) === 1, bits(tcr, 23, 1) === 1, ttbr1, outputBits),
    outputBits,
    asid: bits(asidTtbr, 48, asidBits),
    ha,
    hd: ha && impl.hafdbs === 2 && bits(tcr, 40, 1) === 1,
  };
}

/** Stage 2 of the EL1&0 regime (VTTBR_EL2/VTCR_EL2, non-secure or Realm). */
export interface Stage2Config {
  readonly granule: Granule;
  /** IPA size, 64 - VTCR_EL2.T0SZ. */
  readonly inputBits: number;
  /** Start level from VTCR_EL2.SL0 and the granule. */
  readonly startLevel: number;
  /** Root table PA (BADDR aligned to the size of the concatenated root tables). */
  readonly base: number;
  /** Number of concatenated tables at the start level (1..16). */
  readonly rootTables: number;
  /** Effective output size in bits: VTCR_EL2.PS capped by the PA size. */
  readonly outputBits: number;
  /** VTTBR_EL2.VMID (8 bits unless VTCR_EL2.VS and 16-bit VMIDs are implemented). */
  readonly vmid: number;
  /**
   * T0SZ out of range (AArch64.S2TxSZFaults), SL0 reserved (AArch64.S2InvalidSL) or SL0
   * inconsistent with T0SZ (AArch64.S2InconsistentSL): every walk is a level-0 Translation fault.
   */
  readonly configFault: boolean;
  /** BADDR beyond the output size: every walk is a level-0 Address size fault. */
  readonly baseFault: boolean;
  readonly ha: boolean;
  readonly hd: boolean;
  /** FEAT_XNX: XN[1:0] is two bits. */
  readonly xnx: boolean;
}

export interface Stage2Regs {
  readonly vtcr: bigint;
  readonly vttbr: bigint;
}

/** Start level from SL0 (AArch64.S2StartLevel without FEAT_LPA2/FEAT_TTST). */
function s2StartLevel(granule: Granule, sl0: number): number {
  return granule === GRANULE_4K ? 2 - sl0 : 3 - sl0;
}

/** AArch64.S2InvalidSL without FEAT_LPA2 and FEAT_TTST. */
function s2InvalidSl(granule: Granule, sl0: number, paBits: number): boolean {
  if (sl0 === 0b11) return true; // 4K: level 3 needs FEAT_TTST; 16K: level 0 needs DS; 64K: reserved
  if (sl0 === 0b10) return paBits < (granule === GRANULE_16K ? 42 : 44);
  return false;
}

/** AArch64.S2InconsistentSL: the IPA size must fit the start level with <= 16 concatenated tables. */
export function s2InconsistentSl(granule: Granule, startLevel: number, inputBits: number): boolean {
  const gb = granuleBits(granule);
  const stride = gb - 3;
  const min = (FINAL_LEVEL - startLevel) * stride + gb + 1;
  const max = min + (stride - 1) + 4;
  return inputBits < min || inputBits > max;
}

/** The SL0 encoding of a stage-2 start level (throws EINVAL if there is none). */
export function sl0For(granule: Granule, startLevel: number): number {
  assertGranule(granule);
  const sl0 = granule === GRANULE_4K ? 2 - startLevel : 3 - startLevel;
  if (!Number.isInteger(sl0) || sl0 < 0 || sl0 > 3 || s2InvalidSl(granule, sl0, MAX_ADDR_BITS))
    throw new HvlabError('EINVAL', `no VTCR_EL2.SL0 for a level-${startLevel} start with ${granule}-byte granules`);
  return sl0;
}

/** Decodes VTCR_EL2 and VTTBR_EL2 (AArch64.GetS2TTWParams, AArch64.S2Translate). */
export function decodeStage2(regs: Stage2Regs, implIn: Partial<MmuImpl> = {}): Stage2Config {
  const impl = resolveMmuImpl(implIn);
  const vtcr = u64(regs.vtcr, 'VTCR_EL2');
  const vttbr = u64(regs.vttbr, 'VTTBR_EL2');
  const granule = sanitizeGranule(TG0_DECODE[bits(vtcr, 14, 2)], impl);
  const outputBits = outputBitsOf(bits(vtcr, 16, 3), impl);
  // AArch64.S2MinTxSZ: the IPA may not exceed the PA size (nor 48 bits); MaxTxSZ = 39.
  const t0sz = bits(vtcr, 0, 6);
  const minTxsz = 64 - Math.min(MAX_ADDR_BITS, impl.paBits);
  const txszFault = t0sz < minTxsz || t0sz > MAX_TXSZ;
  const inputBits = 64 - Math.min(Math.max(t0sz, minTxsz), MAX_TXSZ);
  const sl0 = bits(vtcr, 6, 2);
  const slFault = s2InvalidSl(granule, sl0, impl.paBits);
  const startLevel = slFault ? 0 : s2StartLevel(granule, sl0);
  const configFault = txszFault || slFault || s2InconsistentSl(granule, startLevel, inputBits);
  const rootBits = configFault ? 0 : inputBits - levelShift(granule, startLevel);
  const rootTables = configFault ? 1 : Math.max(1, 2 ** (rootBits - (granuleBits(granule) - 3)));
  const vmidBits = impl.vmid16 && bits(vtcr, 19, 1) === 1 ? 16 : 8;
  const ha = impl.hafdbs >= 1 && bits(vtcr, 21, 1) === 1;
  return {
    granule,
    inputBits,
    startLevel,
    rootTables,
    ...tableBase(vttbr, 8 * 2 ** rootBits, outputBits),
    outputBits,
    vmid: bits(vttbr, 48, vmidBits),
    configFault,
    ha,
    hd: ha && impl.hafdbs === 2 && bits(vtcr, 22, 1) === 1,
    xnx: impl.xnx,
  };
}

/** TCR_EL1 fields by their Arm names (raw field values). */
export interface TcrEl1Fields {
  readonly T0SZ?: number;
  readonly EPD0?: number;
  readonly IRGN0?: number;
  readonly ORGN0?: number;
  readonly SH0?: number;
  readonly TG0?: number;
  readonly T1SZ?: number;
  readonly A1?: number;
  readonly EPD1?: number;
  readonly IRGN1?: number;
  readonly ORGN1?: number;
  readonly SH1?: number;
  readonly TG1?: number;
  readonly IPS?: number;
  readonly AS?: number;
  readonly TBI0?: number;
  readonly TBI1?: number;
  readonly HA?: number;
  readonly HD?: number;
}

/** VTCR_EL2 fields by their Arm names (raw field values). */
export interface VtcrEl2Fields {
  readonly T0SZ?: number;
  readonly SL0?: number;
  readonly IRGN0?: number;
  readonly ORGN0?: number;
  readonly SH0?: number;
  readonly TG0?: number;
  readonly PS?: number;
  readonly VS?: number;
  readonly HA?: number;
  readonly HD?: number;
}

type Layout = Readonly<Record<string, readonly [lo: number, width: number]>>;

const TCR_EL1_LAYOUT: Layout = {
  T0SZ: [0, 6],
  EPD0: [7, 1],
  IRGN0: [8, 2],
  ORGN0: [10, 2],
  SH0: [12, 2],
  TG0: [14, 2],
  T1SZ: [16, 6],
  A1: [22, 1],
  EPD1: [23, 1],
  IRGN1: [24, 2],
  ORGN1: [26, 2],
  SH1: [28, 2],
  TG1: [30, 2],
  IPS: [32, 3],
  AS: [36, 1],
  TBI0: [37, 1],
  TBI1: [38, 1],
  HA: [39, 1],
  HD: [40, 1],
};

const VTCR_EL2_LAYOUT: Layout = {
  T0SZ: [0, 6],
  SL0: [6, 2],
  IRGN0: [8, 2],
  ORGN0: [10, 2],
  SH0: [12, 2],
  TG0: [14, 2],
  PS: [16, 3],
  VS: [19, 1],
  HA: [21, 1],
  HD: [22, 1],
};

function pack(reg: string, layout: Layout, fields: Readonly<Record<string, number | undefined>>): bigint {
  let v = 0n;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const f = layout[name];
    if (!f) throw new HvlabError('EINVAL', `${reg} has no field ${name}`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** f[1])
      throw new HvlabError('EINVAL', `${reg}.${name} must fit in ${f[1]} bits, got ${value}`);
    v |= BigInt(value) << BigInt(f[0]);
  }
  return v;
}

/** Packs TCR_EL1 from named fields (unnamed fields are 0). */
export const encodeTcrEl1 = (fields: TcrEl1Fields): bigint => pack('TCR_EL1', TCR_EL1_LAYOUT, { ...fields });

/** Packs VTCR_EL2 from named fields (unnamed fields are 0; bit 31 is RES1 and set). */
export const encodeVtcrEl2 = (fields: VtcrEl2Fields): bigint =>
  pack('VTCR_EL2', VTCR_EL2_LAYOUT, { ...fields }) | (1n << 31n);

/** A TTBRn_EL1 / VTTBR_EL2 value: ASID or VMID in bits[63:48], table base in [47:1]. */
export function encodeTtbr(base: number, asidOrVmid = 0): bigint {
  if (!Number.isSafeInteger(base) || base < 0 || base >= 2 ** MAX_ADDR_BITS || base % 2 !== 0)
    throw new HvlabError('EINVAL', `table base ${base} is not an even 48-bit address`);
  if (!Number.isInteger(asidOrVmid) || asidOrVmid < 0 || asidOrVmid > 0xffff)
    throw new HvlabError('EINVAL', `ASID/VMID must be 0..0xffff, got ${asidOrVmid}`);
  return (BigInt(asidOrVmid) << 48n) | BigInt(base);
}
