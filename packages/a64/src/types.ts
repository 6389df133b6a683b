/**
 * The shape of the A64 decode table (agreed in /work/team.md; do not rename).
 *
 * An entry matches a 32-bit word when `(word & mask) === value` and, if present,
 * `constraint(word)` is true. The constraint expresses the Arm ARM's decode-time rules that make
 * a pattern unallocated (reserved field values such as shift = 11, sf = 0 with N = 1 in a logical
 * immediate, invalid size/opc combinations) and separates encodings that share fixed bits.
 * Entries are pairwise disjoint: no word matches two entries (checked by the property tests),
 * so the order of the table never decides anything.
 */
import type { InsnId } from './ids.js';

/**
 * The architecture feature an encoding belongs to. An implementation that lacks the feature
 * treats the encoding as UNDEFINED (Arm ARM D1 "The AArch64 Application Level Programmers'
 * Model": instructions of unimplemented features are UNDEFINED).
 *   base    ARMv8.0-A integer instruction set
 *   fp      FEAT_FP (scalar floating point, SIMD&FP loads/stores and FP registers)
 *   simd    FEAT_AdvSIMD (vector and scalar Advanced SIMD, including its FP16/RDM/DotProd forms)
 *   crypto  FEAT_AES / FEAT_SHA1 / FEAT_SHA256 / FEAT_SHA512 / FEAT_SHA3 / FEAT_SM3 / FEAT_SM4
 *   lse     FEAT_LSE (CAS, CASP, LD<op>, SWP)
 *   pauth   FEAT_PAuth (PAC*, AUT*, XPAC*, BRAA..., RETAA, ERETAA, LDRAA; the HINT-space forms
 *           are HINTs and stay 'base')
 *   crc32   FEAT_CRC32
 *   lor     FEAT_LOR (LDLAR, STLLR)
 *   rcpc    FEAT_LRCPC (LDAPR)
 *   rcpc2   FEAT_LRCPC2 (LDAPUR*, STLUR*)
 *   flagm   FEAT_FlagM / FEAT_FlagM2 (CFINV, RMIF, SETF8/16, XAFLAG, AXFLAG)
 *   sb      FEAT_SB
 */
export type Feature =
  | 'base'
  | 'fp'
  | 'simd'
  | 'crypto'
  | 'lse'
  | 'pauth'
  | 'crc32'
  | 'lor'
  | 'rcpc'
  | 'rcpc2'
  | 'flagm'
  | 'sb';

/**
 * One field of an encoding.
 *
 * The value is bits [pos + width - 1 : pos] of the word; if `hi` is given, those bits are the
 * low part and bits [hi.pos + hi.width - 1 : hi.pos] are concatenated above them (Arm's
 * `b5:b40`, `immhi:immlo`, `S:imm9`). The concatenated value is then sign-extended from its
 * total width when `signed`, and multiplied by `scale` (default 1; for example 4 for branch
 * offsets, 4096 for ADRP). Results stay exact doubles (|value| < 2^53).
 */
export interface FieldSpec {
  readonly pos: number;
  readonly width: number;
  readonly signed: boolean;
  readonly scale?: number;
  readonly hi?: { readonly pos: number; readonly width: number };
}

export interface InsnEntry {
  readonly id: InsnId;
  readonly mask: number;
  readonly value: number;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly feature: Feature;
  /** The Arm ARM C4.1 encoding class, e.g. 'dp-imm/add-sub-imm', 'ldst/pair-pre'. */
  readonly group: string;
  /**
   * Extra decode-time condition (true = allocated) for rules that a mask/value cannot express.
   * Pure function of the word; never throws.
   */
  readonly constraint?: (word: number) => boolean;
}

/** A decoded word: the matching entry and the word itself (fields are read with `field`). */
export interface Decoded {
  readonly entry: InsnEntry;
  readonly word: number;
}
