/**
 * Results and faults of the reference walker (walk.ts) and the permission checks
 * (permissions.ts). Plain objects: PAs and sizes are numbers (below 2^48), descriptors, VAs and
 * IPAs are bigint.
 */
import type { FaultKind } from '../exit.js';

/**
 * A translation fault record, as the Arm pseudocode's FaultRecord reports it (statuscode,
 * level, secondstage, s2fs1walk, ipaddress). `faultStatusCode` turns it into a DFSC/IFSC value.
 */
export interface MmuFault {
  readonly kind: FaultKind;
  /** The translation stage that faulted. */
  readonly stage: 1 | 2;
  /** Lookup level 0..3 at which the fault was found (in the faulting stage's walk). */
  readonly level: number;
  /**
   * A stage-2 fault taken on a stage-1 translation table access (ESR_EL2.ISS.S1PTW,
   * FaultRecord.s2fs1walk).
   */
  readonly s1ptw: boolean;
  /** Stage 2 faults: the IPA being translated (the table entry's IPA when s1ptw). */
  readonly ipa: bigint | undefined;
}

/**
 * What a descriptor fetch returns. `{ ok: false }` without a fault is a synchronous External
 * abort on the table access: the walker reports it at its own stage and level. A given fault
 * (for example a stage-2 fault from translating a stage-1 table address) is returned by the
 * walk unchanged.
 */
export type FetchResult =
  | { readonly ok: true; readonly desc: bigint }
  | { readonly ok: false; readonly fault?: MmuFault };

/**
 * Reads the 64-bit descriptor at `descAddr` (the table base + 8 * index; a PA, or for a
 * stage-1 walk under stage 2 an IPA) for a lookup at `level`. The walker never reads memory
 * itself.
 */
export type DescFetch = (descAddr: bigint, level: number) => FetchResult;

export interface WalkFault {
  readonly ok: false;
  readonly fault: MmuFault;
}

/** A successful stage-1 walk. Permission fields are the effective ones (table limits applied). */
export interface S1Translation {
  readonly ok: true;
  /** Output address (a PA, or an IPA when stage 2 follows). */
  readonly pa: number;
  /** Level of the leaf (block or page) descriptor. */
  readonly level: number;
  /** Block or page size in bytes. */
  readonly size: number;
  /** Effective AP[2:1]: APTable[1] forces AP[2], APTable[0] clears AP[1]; AP[2] is 0 when `writableClean`. */
  readonly ap: number;
  /** Effective UXN (XN), including UXNTable. */
  readonly uxn: boolean;
  /** Effective PXN, including PXNTable. */
  readonly pxn: boolean;
  /** The leaf's AF. False only with TCR_EL1.HA: the caller must then set AF at `descAddr`. */
  readonly af: boolean;
  readonly ng: boolean;
  readonly attrIndx: number;
  readonly sh: number;
  /** NS or any NSTable on the way (meaningful in Secure state only). */
  readonly ns: boolean;
  readonly contiguous: boolean;
  /**
   * Hardware dirty state applies and the entry is writable-clean (DBM = 1, AP[2] = 1, TCR_EL1.HD):
   * a permitted write must clear AP[2] in the descriptor at `descAddr`.
   */
  readonly writableClean: boolean;
  /** The ASID the walk ran under (TCR_EL1.A1 selects TTBR0 or TTBR1; tag the TLB entry when nG). */
  readonly asid: number;
  /** The leaf descriptor as read. */
  readonly desc: bigint;
  /** Where the leaf descriptor was read (as passed to fetch). */
  readonly descAddr: bigint;
}

/** A successful stage-2 walk. */
export interface S2Translation {
  readonly ok: true;
  /** The IPA that was translated. */
  readonly ipa: bigint;
  readonly pa: number;
  readonly level: number;
  readonly size: number;
  /** Effective S2AP[1:0] (bit 1 set when `writableClean`). */
  readonly s2ap: number;
  /** XN[1:0]: bit 54 as 0b10 without FEAT_XNX, bits 54:53 with it. */
  readonly xn: number;
  readonly memAttr: number;
  readonly sh: number;
  /** The leaf's AF. False only with VTCR_EL2.HA: the caller must then set AF at `descAddr`. */
  readonly af: boolean;
  readonly contiguous: boolean;
  /** DBM = 1, S2AP[1] = 0 and VTCR_EL2.HD: a permitted write must set S2AP[1] at `descAddr`. */
  readonly writableClean: boolean;
  readonly vmid: number;
  readonly desc: bigint;
  readonly descAddr: bigint;
}

export type S1WalkResult = S1Translation | WalkFault;
export type S2WalkResult = S2Translation | WalkFault;

/** Outcome of a permission check. */
export type PermissionResult = { readonly ok: true } | WalkFault;
