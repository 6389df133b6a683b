/**
 * The reference stage-1 and stage-2 table walker (VMSAv8-64, 64-bit descriptors, 48-bit
 * addresses), after the Arm ARM DDI 0487 (K.a) pseudocode AArch64.S1Translate/AArch64.S1Walk and
 * AArch64.S2Translate/AArch64.S2Walk (chapter D8, "The AArch64 Virtual Memory System
 * Architecture"; D8.2 translation process, D8.3 descriptor formats).
 *
 * The walker never reads memory: every descriptor comes from a `fetch` callback, so a caller
 * can route stage-1 table accesses through stage 2 (s1ptwFetch below) and report a fault there
 * as a stage-2 fault on a stage-1 walk. Faults come in the pseudocode's priority order:
 *
 *   1. Translation, level 0   TxSZ out of range; VA outside both TTBR ranges / IPA beyond
 *                             VTCR_EL2.T0SZ; TCR_EL1.EPDx set; bad VTCR_EL2.SL0
 *   2. Address size, level 0  TTBR/VTTBR base address beyond the output size
 *   then, at each level L from the start level:
 *   3. External abort, L      the fetch failed (or the fetch's own fault, e.g. a stage-2 fault)
 *   4. Translation, L         invalid descriptor, block at a level without blocks, or 0b01 at L3
 *   5. Address size, L        next-level table address beyond the output size
 *   and at the leaf:
 *   6. Address size, L        output address beyond the output size
 *   7. Access flag, L         AF = 0 and hardware AF update off (TCR_EL1.HA / VTCR_EL2.HA)
 *
 * Permission faults (lower priority than all of these) come from permissions.ts.
 */
import { HvlabError } from '../errors.js';
import type { FaultKind } from '../exit.js';
import type { PhysMem } from '../memory.js';
import type { Stage1Config, Stage2Config } from './config.js';
import { FINAL_LEVEL, type Granule, granuleBits, isBlockLevel } from './granule.js';
import { checkS2Permission } from './permissions.js';
import type {
  DescFetch,
  FetchResult,
  MmuFault,
  S1WalkResult,
  S2Translation,
  S2WalkResult,
  WalkFault,
} from './types.js';

const U64_MAX = (1n << 64n) - 1n;
const TWO32 = 2 ** 32;

/** Fetch result for a synchronous External abort on a table access (no RAM behind it). */
export const FETCH_EXTERNAL_ABORT: FetchResult = Object.freeze({ ok: false });

/** Builds a fault record. */
export function mmuFault(kind: FaultKind, stage: 1 | 2, level: number, ipa?: bigint, s1ptw = false): MmuFault {
  return { kind, stage, level, s1ptw, ipa };
}

const fail = (kind: FaultKind, stage: 1 | 2, level: number, ipa: bigint | undefined): WalkFault => ({
  ok: false,
  fault: mmuFault(kind, stage, level, ipa),
});

const FSC_BASE: Readonly<Record<FaultKind, number>> = {
  addressSize: 0x00,
  translation: 0x04,
  accessFlag: 0x08,
  permission: 0x0c,
  externalAbort: 0x14,
};

/**
 * The fault status code (ESR_ELx.ISS DFSC/IFSC, FAR-valid abort encodings) for a fault:
 * 0b0000LL address size, 0b0001LL translation, 0b0010LL access flag, 0b0011LL permission,
 * 0b0101LL synchronous External abort on a translation table walk (LL = level).
 */
export function faultStatusCode(f: MmuFault): number {
  return FSC_BASE[f.kind] + f.level;
}

/** A descriptor fetch straight from physical memory: External abort where there is no RAM. */
export function physMemFetch(mem: PhysMem): DescFetch {
  return (descAddr) => {
    const a = Number(descAddr);
    return mem.isRam(a, 8) ? { ok: true, desc: mem.readU64(a) } : FETCH_EXTERNAL_ABORT;
  };
}

/** What the shared table loop finds: the leaf, or a fault. */
interface Leaf {
  readonly desc: bigint;
  /** desc bits [31:0] and [63:32] as unsigned numbers. */
  readonly lo: number;
  readonly hi: number;
  readonly descAddr: bigint;
  readonly level: number;
  readonly size: number;
  /** Output address of the block/page (desc[47:n]). */
  readonly oa: number;
  /** OR of the table descriptors' upper words (bits 59..63 = PXNTable..NSTable). */
  readonly tableHi: number;
}

/**
 * Walks the tables for `ia` (already range-checked, below 2^inputBits) from `base` at
 * `startLevel`. The start-level table may be concatenated (stage 2): its index takes all IA
 * bits above the start level's shift.
 */
function walkTables(
  granule: Granule,
  startLevel: number,
  base: number,
  outputBits: number,
  ia: number,
  fetch: DescFetch,
  stage: 1 | 2,
  ipa: bigint | undefined,
): Leaf | WalkFault {
  const gb = granuleBits(granule);
  const stride = gb - 3;
  const outputLimit = 2 ** outputBits;
  const lowMask = ~(granule - 1);
  let level = startLevel;
  let shift = gb + stride * (FINAL_LEVEL - level);
  let table = base;
  let tableHi = 0;
  for (;;) {
    const size = 2 ** shift;
    // Below the start level a table has 2^stride entries; at the start level the IA bits left
    // above `shift` index it (the caller made ia < 2^inputBits).
    const index = level === startLevel ? Math.floor(ia / size) : Math.floor(ia / size) % 2 ** stride;
    const descAddr = BigInt(table + index * 8);
    const r = fetch(descAddr, level);
    if (!r.ok) return r.fault ? { ok: false, fault: r.fault } : fail('externalAbort', stage, level, ipa);
    const desc = r.desc;
    const lo = Number(desc & 0xffff_ffffn);
    const hi = Number((desc >> 32n) & 0xffff_ffffn);
    if ((lo & 1) === 0) return fail('translation', stage, level, ipa);
    const addr = (hi & 0xffff) * TWO32 + ((lo & lowMask) >>> 0); // desc[47:granuleBits]
    if ((lo & 2) !== 0 && level < FINAL_LEVEL) {
      // Table descriptor (D8.3): the next table must lie inside the output address space.
      if (addr >= outputLimit) return fail('addressSize', stage, level, ipa);
      tableHi |= hi;
      table = addr;
      level += 1;
      shift -= stride;
      continue;
    }
    // 0b01 is a block only where the granule allows blocks; never at level 3.
    if ((lo & 2) === 0 && !isBlockLevel(granule, level)) return fail('translation', stage, level, ipa);
    const oa = addr - (addr % size);
    if (oa >= outputLimit) return fail('addressSize', stage, level, ipa);
    return { desc, lo, hi, descAddr, level, size, oa, tableHi };
  }
}

function checkU64(v: bigint, what: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new HvlabError('EINVAL', `${what} is not a 64-bit value`);
}

/**
 * Stage 1 of the EL1&0 regime: translates `va` (64 bits, including the TTBR-select and tag
 * bits) to an output address, or returns the fault the Arm ARM requires.
 */
export function walkStage1(cfg: Stage1Config, va: bigint, fetch: DescFetch): S1WalkResult {
  checkU64(va, 'VA');
  // AArch64.GetVARange: VA[55] selects TTBR1 in the EL1&0 regime, with or without TBI.
  const upper = ((va >> 55n) & 1n) === 1n;
  const r = upper ? cfg.ttbr1 : cfg.ttbr0;
  if (r.txszFault) return fail('translation', 1, 0, undefined);
  // AArch64.VAIsOutOfRange: VA[top:inputBits] all equal VA[55], top = 55 with TBI, else 63.
  const width = (r.tbi ? 56 : 64) - r.inputBits;
  const topBits = BigInt.asUintN(width, va >> BigInt(r.inputBits));
  if (topBits !== (upper ? (1n << BigInt(width)) - 1n : 0n)) return fail('translation', 1, 0, undefined);
  if (r.epd) return fail('translation', 1, 0, undefined);
  if (r.baseFault) return fail('addressSize', 1, 0, undefined);

  const ia = Number(BigInt.asUintN(r.inputBits, va));
  const leaf = walkTables(r.granule, r.startLevel, r.base, cfg.outputBits, ia, fetch, 1, undefined);
  if ('ok' in leaf) return leaf;
  const { lo, hi, tableHi } = leaf;
  const af = (lo & (1 << 10)) !== 0;
  if (!af && !cfg.ha) return fail('accessFlag', 1, leaf.level, undefined);

  // Hierarchical permissions (D8.4): APTable[1] forces read-only, APTable[0] removes EL0
  // access, UXNTable/PXNTable add execute-never. Dirty state management (TCR_EL1.HD with
  // DBM = 1) treats AP[2] as 0 before the table limits apply (AArch64.S1DirectBasePermissions).
  const apTable = (tableHi >>> 29) & 3;
  const dbm = (hi & (1 << 19)) !== 0;
  const writableClean = cfg.hd && dbm && (lo & (1 << 7)) !== 0;
  const leafAp = (lo >>> 6) & 3 & (writableClean ? 0b01 : 0b11);
  const ap = (leafAp | (apTable & 2)) & ~(apTable & 1);
  return {
    ok: true,
    pa: leaf.oa + (ia % leaf.size),
    level: leaf.level,
    size: leaf.size,
    ap,
    uxn: (hi & (1 << 22)) !== 0 || ((tableHi >>> 28) & 1) !== 0,
    pxn: (hi & (1 << 21)) !== 0 || ((tableHi >>> 27) & 1) !== 0,
    af,
    ng: (lo & (1 << 11)) !== 0,
    attrIndx: (lo >>> 2) & 7,
    sh: (lo >>> 8) & 3,
    ns: (lo & (1 << 5)) !== 0 || ((tableHi >>> 31) & 1) !== 0,
    contiguous: (hi & (1 << 20)) !== 0,
    writableClean,
    asid: cfg.asid,
    desc: leaf.desc,
    descAddr: leaf.descAddr,
  };
}

/** Stage 2: translates `ipa` to a PA, or returns the fault the Arm ARM requires. */
export function walkStage2(cfg: Stage2Config, ipa: bigint, fetch: DescFetch): S2WalkResult {
  checkU64(ipa, 'IPA');
  if (cfg.configFault) return fail('translation', 2, 0, ipa);
  // AArch64.IPAIsOutOfRange.
  if (ipa >> BigInt(cfg.inputBits) !== 0n) return fail('translation', 2, 0, ipa);
  if (cfg.baseFault) return fail('addressSize', 2, 0, ipa);

  const ia = Number(ipa);
  const leaf = walkTables(cfg.granule, cfg.startLevel, cfg.base, cfg.outputBits, ia, fetch, 2, ipa);
  if ('ok' in leaf) return leaf;
  const { lo, hi } = leaf;
  const af = (lo & (1 << 10)) !== 0;
  if (!af && !cfg.ha) return fail('accessFlag', 2, leaf.level, ipa);
  const dbm = (hi & (1 << 19)) !== 0;
  const leafS2ap = (lo >>> 6) & 3;
  const writableClean = cfg.hd && dbm && (leafS2ap & 2) === 0;
  return {
    ok: true,
    ipa,
    pa: leaf.oa + (ia % leaf.size),
    level: leaf.level,
    size: leaf.size,
    s2ap: writableClean ? leafS2ap | 2 : leafS2ap,
    // Without FEAT_XNX bit 53 is RES0 and bit 54 is XN: report it as XN[1:0] = 0b10.
    xn: cfg.xnx ? (hi >>> 21) & 3 : (hi >>> 21) & 2,
    memAttr: (lo >>> 2) & 15,
    sh: (lo >>> 8) & 3,
    af,
    contiguous: (hi & (1 << 20)) !== 0,
    writableClean,
    vmid: cfg.vmid,
    desc: leaf.desc,
    descAddr: leaf.descAddr,
  };
}

/**
 * A fetch for stage-1 walks under stage 2: each table address (an IPA) is translated by
 * stage 2 and checked for read permission (stage-1 walk accesses are reads,
 * AArch64.S2CheckPermissions with s2fs1walk), then read with `fetch` at the resulting PA.
 * A stage-2 fault on the way comes back marked `s1ptw`. External aborts on the stage-2 walk
 * are stage-2 faults; an External abort reading the stage-1 descriptor itself is reported by
 * the stage-1 walk at its level.
 *
 * `onS2AccessFlag` is called when VTCR_EL2.HA lets a stage-2 entry with AF = 0 be used: the
 * hardware would set AF in the descriptor at `t.descAddr` (the walker does not write memory).
 */
export function s1ptwFetch(s2: Stage2Config, fetch: DescFetch, onS2AccessFlag?: (t: S2Translation) => void): DescFetch {
  return (descIpa, level) => {
    const t = walkStage2(s2, descIpa, fetch);
    if (!t.ok) return { ok: false, fault: { ...t.fault, s1ptw: true } };
    const p = checkS2Permission(t, 'read', 1);
    if (!p.ok) return { ok: false, fault: { ...p.fault, s1ptw: true } };
    if (!t.af) onS2AccessFlag?.(t);
    return fetch(BigInt(t.pa), level);
  };
}
