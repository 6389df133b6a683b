/**
 * The soft TLB: direct-mapped, one table per MMU index, combined stage 1 + stage 2 entries.
 *
 * MMU indices (what an access is checked against):
 *   0  EL0 accesses, and EL1 unprivileged LDTR/STTR (PSTATE.UAO = 0)
 *   1  EL1 accesses with PSTATE.PAN = 0
 *   2  EL1 accesses with PSTATE.PAN = 1 (data accesses to EL0-accessible pages fault)
 * All three belong to the EL1&0 translation regime; its VMID is implicit (a VMID or VTTBR_EL2
 * change flushes everything). Entries carry their ASID and nG bit: an ASID switch drops only
 * non-global entries, so kernel (global) mappings survive context switches; TLBI by ASID and by
 * VA honour both (Arm ARM D8.13 "TLB maintenance").
 *
 * Fast-path arrays, read by translated code with one index computation
 * i = idx * SIZE + ((va_lo >>> 12) & MASK):
 *   tagR/tagW/tagX[i]  VA[31:12] << 12 if that access is allowed AND the page is RAM (and, for
 *                      tagW, holds no translated code), else -1. The compare against
 *                      (va_lo & (-4096 | (size - 1))) also rejects misaligned accesses, which
 *                      then take the slow path (alignment faults, page crossings, Device memory).
 *   tagHi[i]           VA[63:32]
 *   dv[i], off[i]      the RAM region's DataView and the page's byte offset inside it
 * Slow-path arrays (valid when vLo[i] !== -1): the full translation (PA page, permissions per
 * stage, memory type, levels, IPA) so that faults, MMIO and code pages need no new walk.
 *
 * Block and section mappings are stored as 4 KiB fragments. As QEMU does (accel/tcg/cputlb.c,
 * tlb_flush_page_locked), a TLBI by VA that falls inside the region covered by large pages
 * flushes the whole table, because other fragments of the same block must go too.
 */

const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
export const MMU_IDX_COUNT = 3;

/** Permission and attribute bits of a slow-path entry (perm[i]). */
export const P_S1R = 1;
export const P_S1W = 2;
export const P_S1X = 4;
export const P_S2R = 8;
export const P_S2W = 16;
export const P_S2X = 32;
/** The final memory type is Device (unaligned accesses fault; Arm ARM B2.5.2). */
export const P_DEVICE = 64;
/** The PA is RAM (else MMIO). */
export const P_RAM = 128;
/** nG: the entry belongs to `asid[i]`. */
export const P_NG = 256;
/** Stage 2 was active for this translation. */
export const P_S2 = 512;

const EMPTY_VIEW = new DataView(new ArrayBuffer(8));

export class Tlb {
  readonly tagR = new Int32Array(TLB_SIZE * MMU_IDX_COUNT).fill(-1);
  readonly tagW = new Int32Array(TLB_SIZE * MMU_IDX_COUNT).fill(-1);
  readonly tagX = new Int32Array(TLB_SIZE * MMU_IDX_COUNT).fill(-1);
  readonly tagHi = new Int32Array(TLB_SIZE * MMU_IDX_COUNT);
  readonly off = new Int32Array(TLB_SIZE * MMU_IDX_COUNT);
  readonly dv: DataView[] = new Array<DataView>(TLB_SIZE * MMU_IDX_COUNT).fill(EMPTY_VIEW);

  readonly vLo = new Int32Array(TLB_SIZE * MMU_IDX_COUNT).fill(-1);
  readonly vHi = new Int32Array(TLB_SIZE * MMU_IDX_COUNT);
  readonly perm = new Int32Array(TLB_SIZE * MMU_IDX_COUNT);
  readonly asid = new Int32Array(TLB_SIZE * MMU_IDX_COUNT);
  /** PA >> 12. */
  readonly paPage = new Float64Array(TLB_SIZE * MMU_IDX_COUNT);
  /** IPA >> 12 (equal to paPage when stage 2 is off). */
  readonly ipaPage = new Float64Array(TLB_SIZE * MMU_IDX_COUNT);
  /** Stage-1 level of the final descriptor (bits 0..3) and stage-2 level (bits 4..7). */
  readonly levels = new Int8Array(TLB_SIZE * MMU_IDX_COUNT);

  /** Per index: the VA region covering all block/section entries (base & mask pairs), or none. */
  private readonly lpValid = new Uint8Array(MMU_IDX_COUNT);
  private readonly lpBase = new Int32Array(MMU_IDX_COUNT * 2);
  private readonly lpMask = new Int32Array(MMU_IDX_COUNT * 2);

  /** Bumped on every invalidation (the dispatcher's jump cache compares it). */
  generation = 0;

  static index(idx: number, vaLo: number): number {
    return idx * TLB_SIZE + ((vaLo >>> 12) & TLB_MASK);
  }

  private clear(i: number): void {
    this.tagR[i] = -1;
    this.tagW[i] = -1;
    this.tagX[i] = -1;
    this.vLo[i] = -1;
  }

  flushAll(): void {
    this.tagR.fill(-1);
    this.tagW.fill(-1);
    this.tagX.fill(-1);
    this.vLo.fill(-1);
    this.lpValid.fill(0);
    this.generation++;
  }

  private flushIdx(idx: number): void {
    const a = idx * TLB_SIZE;
    const b = a + TLB_SIZE;
    this.tagR.fill(-1, a, b);
    this.tagW.fill(-1, a, b);
    this.tagX.fill(-1, a, b);
    this.vLo.fill(-1, a, b);
    this.lpValid[idx] = 0;
  }

  /** Drops non-global entries (an ASID switch, or TLBI ASIDE1 of the current ASID). */
  flushNonGlobal(): void {
    for (let i = 0; i < this.vLo.length; i++) if (this.vLo[i] !== -1 && (this.perm[i]! & P_NG) !== 0) this.clear(i);
    this.generation++;
  }

  /** TLBI ASIDE1: non-global entries of `asid`. */
  flushAsid(asid: number): void {
    for (let i = 0; i < this.vLo.length; i++)
      if (this.vLo[i] !== -1 && (this.perm[i]! & P_NG) !== 0 && this.asid[i] === asid) this.clear(i);
    this.generation++;
  }

  /**
   * TLBI VAE1/VALE1 (asid >= 0: entries of that ASID plus global ones) and VAAE1/VAALE1
   * (asid < 0: any ASID), for the 4 KiB page containing va.
   */
  flushVa(vaLo: number, vaHi: number, asid: number): void {
    const page = vaLo & -4096;
    for (let idx = 0; idx < MMU_IDX_COUNT; idx++) {
      if (this.lpValid[idx] && this.inLarge(idx, vaLo, vaHi)) {
        this.flushIdx(idx);
        continue;
      }
      const i = Tlb.index(idx, vaLo);
      // The top byte is compared loosely: with TCR_EL1.TBIx it is not part of the translation.
      if (this.vLo[i] !== page || ((this.vHi[i]! ^ vaHi) & 0x00ffffff) !== 0) continue;
      const p = this.perm[i]!;
      if (asid < 0 || (p & P_NG) === 0 || this.asid[i] === asid) this.clear(i);
    }
    this.generation++;
  }

  private inLarge(idx: number, vaLo: number, vaHi: number): boolean {
    return (
      ((vaLo ^ this.lpBase[idx * 2]!) & this.lpMask[idx * 2]!) === 0 &&
      ((vaHi ^ this.lpBase[idx * 2 + 1]!) & this.lpMask[idx * 2 + 1]! & 0x00ffffff) === 0
    );
  }

  /** Records that [va, va + 2^sizeLog2) was filled from a block entry (sizeLog2 > 12). */
  noteLarge(idx: number, vaLo: number, vaHi: number, sizeLog2: number): void {
    // mask = ~(size - 1) as a pair
    let ml = sizeLog2 >= 32 ? 0 : -1 << sizeLog2;
    let mh = sizeLog2 >= 32 ? (sizeLog2 >= 64 ? 0 : -1 << (sizeLog2 - 32)) : -1;
    if (!this.lpValid[idx]) {
      this.lpValid[idx] = 1;
    } else {
      // Widen the existing mask until it covers both regions.
      const bl = this.lpBase[idx * 2]!;
      const bh = this.lpBase[idx * 2 + 1]!;
      ml &= this.lpMask[idx * 2]!;
      mh &= this.lpMask[idx * 2 + 1]!;
      while (((bl ^ vaLo) & ml) !== 0 || ((bh ^ vaHi) & mh) !== 0) {
        mh = (mh << 1) | (ml >>> 31);
        ml <<= 1;
      }
    }
    this.lpMask[idx * 2] = ml;
    this.lpMask[idx * 2 + 1] = mh;
    this.lpBase[idx * 2] = vaLo & ml;
    this.lpBase[idx * 2 + 1] = vaHi & mh;
  }

  /** Removes write fast-path tags that point at physical page `pageNum` (it now holds code). */
  dropWriteTags(pageNum: number): void {
    for (let i = 0; i < this.tagW.length; i++) if (this.tagW[i] !== -1 && this.paPage[i] === pageNum) this.tagW[i] = -1;
  }
}
