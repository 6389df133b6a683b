/**
 * Translation granules and the address arithmetic of a VMSAv8-64 table walk.
 *
 * Arm ARM DDI 0487 (K.a) D8.2 "Translation process" and the pseudocode functions named below.
 * A walk resolves an input address (IA) of `inputBits` bits from a start level down to level 3:
 *
 *     IA bit  inputBits-1 ............................................................ 0
 *             | start-level index | level+1 index | ... | level-3 index | granule offset |
 *                 (up to stride+4       stride bits         stride bits     granuleBits
 *                  bits: concatenated
 *                  tables, stage 2 only)
 *
 *   granule   granuleBits  stride (bits/level)  entries/table  level:  0      1      2      3
 *   4 KiB     12           9                    512            size:   512G   1G     2M     4K
 *   16 KiB    14           11                   2048                   128T   64G    32M    16K
 *   64 KiB    16           13                   8192                   -      4T     512M   64K
 *
 * stride = granuleBits - 3 (8-byte descriptors). Block descriptors are allowed only at the
 * levels AArch64.BlockDescSupported() permits without FEAT_LPA/FEAT_LPA2: 4 KiB at levels 1
 * and 2, 16 KiB and 64 KiB at level 2. Level 3 holds page descriptors.
 *
 * All addresses here are numbers: input and output addresses are below 2^48 (no FEAT_LVA,
 * FEAT_LPA), which is inside Number.MAX_SAFE_INTEGER, and every division below is by a power
 * of two, so it is exact.
 */
import { HvlabError } from '../errors.js';

/** A translation granule size in bytes (TCR_EL1.TG0/TG1, VTCR_EL2.TG0). */
export type Granule = 4096 | 16384 | 65536;

export const GRANULE_4K: Granule = 4096;
export const GRANULE_16K: Granule = 16384;
export const GRANULE_64K: Granule = 65536;
export const GRANULES: readonly Granule[] = [GRANULE_4K, GRANULE_16K, GRANULE_64K];

/** The last lookup level (FINAL_LEVEL in the Arm pseudocode). */
export const FINAL_LEVEL = 3;

/**
 * Smallest and largest TxSZ without FEAT_LVA/FEAT_LPA2 (48-bit inputs) and without FEAT_TTST
 * (25-bit inputs): AArch64.S1MinTxSZ() and AArch64.MaxTxSZ().
 */
export const MIN_TXSZ = 16;
export const MAX_TXSZ = 39;
/** Largest input or output address size this model implements (no FEAT_LVA / FEAT_LPA). */
export const MAX_ADDR_BITS = 48;

export function isGranule(g: unknown): g is Granule {
  return g === GRANULE_4K || g === GRANULE_16K || g === GRANULE_64K;
}

export function assertGranule(g: unknown): asserts g is Granule {
  if (!isGranule(g)) throw new HvlabError('EINVAL', `not a translation granule: ${String(g)}`);
}

function assertLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > FINAL_LEVEL)
    throw new HvlabError('EINVAL', `lookup level must be 0..3, got ${level}`);
}

function assertInputBits(inputBits: number): void {
  if (!Number.isInteger(inputBits) || inputBits < 64 - MAX_TXSZ || inputBits > MAX_ADDR_BITS)
    throw new HvlabError('EINVAL', `input address size must be 25..48 bits, got ${inputBits}`);
}

/** log2(granule): 12, 14 or 16 (TGxGranuleBits() in the Arm pseudocode). */
export function granuleBits(g: Granule): number {
  assertGranule(g);
  return g === GRANULE_4K ? 12 : g === GRANULE_16K ? 14 : 16;
}

/** IA bits resolved per level: granuleBits - 3. */
export function granuleStride(g: Granule): number {
  return granuleBits(g) - 3;
}

/** log2 of the bytes one descriptor at `level` maps (the lowest IA bit of that level's index). */
export function levelShift(g: Granule, level: number): number {
  assertLevel(level);
  const gb = granuleBits(g);
  return gb + (gb - 3) * (FINAL_LEVEL - level);
}

/** Bytes one descriptor at `level` maps: the block size (or page size at level 3). */
export function levelSize(g: Granule, level: number): number {
  return 2 ** levelShift(g, level);
}

/**
 * True if a block descriptor is permitted at `level` (AArch64.BlockDescSupported() with
 * TCR.DS = 0 and a PA size below 52 bits; D8.3 block descriptor levels).
 */
export function isBlockLevel(g: Granule, level: number): boolean {
  assertGranule(g);
  return g === GRANULE_4K ? level === 1 || level === 2 : level === 2;
}

/**
 * Start level of a stage-1 walk: AArch64.S1StartLevel() =
 * FINAL_LEVEL - ((iasize - 1 - granulebits) DIV stride).
 */
export function s1StartLevel(g: Granule, inputBits: number): number {
  assertInputBits(inputBits);
  const gb = granuleBits(g);
  return FINAL_LEVEL - Math.floor((inputBits - 1 - gb) / (gb - 3));
}

/**
 * Number of IA bits the table at `level` indexes, for a walk of an `inputBits`-bit IA that
 * starts at `startLevel`: `stride` below the start level, and at the start level whatever is
 * left (1..stride for stage 1, up to stride + 4 with stage-2 concatenation).
 */
export function indexBits(g: Granule, level: number, inputBits: number, startLevel: number): number {
  assertInputBits(inputBits);
  assertLevel(startLevel);
  if (level < startLevel) throw new HvlabError('EINVAL', `level ${level} is above the start level ${startLevel}`);
  return level === startLevel ? inputBits - levelShift(g, level) : granuleStride(g);
}

/** Bytes of the (possibly concatenated) table at `level`: 8 * 2^indexBits. */
export function tableBytes(g: Granule, level: number, inputBits: number, startLevel: number): number {
  return 8 * 2 ** indexBits(g, level, inputBits, startLevel);
}

/** The descriptor index that `ia` selects in the table at `level`. */
export function indexAtLevel(ia: number, g: Granule, level: number, inputBits: number, startLevel: number): number {
  const bits = indexBits(g, level, inputBits, startLevel);
  if (!Number.isSafeInteger(ia) || ia < 0 || ia >= 2 ** inputBits)
    throw new HvlabError('EINVAL', `input address ${ia} is not inside a ${inputBits}-bit input range`);
  return Math.floor(ia / 2 ** levelShift(g, level)) % 2 ** bits;
}

/**
 * Default stage-2 start level for an IPA size, using up to 16 concatenated tables at the start
 * level to save a level, as Linux does (arch/arm64/include/asm/stage2_pgtable.h:
 * levels = ARM64_HW_PGTABLE_LEVELS(ipa - 4), i.e. start = 4 - (ipa - 8) DIV stride; TF-RMM and
 * the KVM CCA series use the same rule). With 4 KiB granules that is level 2 for 25..34-bit
 * IPAs, level 1 for 35..43 and level 0 for 44..48. A 4 KiB walk cannot start at level 3 without
 * FEAT_TTST (VTCR_EL2.SL0 = 0b11 is reserved), so a 25-bit IPA starts at level 2 instead.
 */
export function defaultStage2StartLevel(g: Granule, inputBits: number): number {
  assertInputBits(inputBits);
  const start = 4 - Math.floor((inputBits - 8) / granuleStride(g));
  return g === GRANULE_4K && start === FINAL_LEVEL ? 2 : start;
}
