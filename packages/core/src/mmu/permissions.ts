/**
 * Stage-1 (EL1&0 regime) and stage-2 access permission checks, run after a successful walk.
 * Arm ARM DDI 0487 (K.a) D8.4 "Memory access control"; pseudocode AArch64.S1DirectBasePermissions,
 * AArch64.S1ComputePermissions, AArch64.S1CheckPermissions, AArch64.S2CheckPermissions.
 *
 * Stage 1, from the effective AP[2:1] (hierarchical APTable already applied by the walk):
 *
 *   AP[2:1]   EL1 (privileged)   EL0 (unprivileged)
 *   00        read/write         none
 *   01        read/write         read/write
 *   10        read-only          none
 *   11        read-only          read-only
 *
 *   EL0 may execute iff !UXN            (execute-only memory: AP = 00 with UXN = 0 is allowed)
 *   EL1 may execute iff !PXN and the location is not EL0-writable (AP != 01)
 *   SCTLR_EL1.WXN: a location writable at the accessing EL is not executable at that EL
 *   PSTATE.PAN: privileged data accesses to EL0-readable locations fault (not instruction
 *               fetches, and not LDTR/STTR, which are unprivileged accesses)
 *
 * Stage 2: S2AP[0] grants reads, S2AP[1] writes (S2AP = 0b10 is write-only); instruction
 * fetches need only XN to allow them (no read permission): XN[1:0] 00 both ELs, 01 EL0 only,
 * 10 none, 11 EL1 only (FEAT_XNX; without it the walk reports 00 or 10).
 *
 * A permission fault carries the walk's level; stage 2 faults carry the IPA.
 */
import type { AccessKind } from '../exit.js';
import type { PermissionResult, S1Translation, S2Translation } from './types.js';

export interface S1PermissionOptions {
  /** PSTATE.PAN (FEAT_PAN): privileged data accesses to EL0-accessible memory fault. */
  readonly pan: boolean;
  /** SCTLR_EL1.WXN: writable memory is execute-never. */
  readonly wxn: boolean;
  /**
   * An unprivileged load/store at EL1 (LDTR/STTR and friends, with PSTATE.UAO = 0): checked as
   * an EL0 access, and PAN does not apply. Ignored for instruction fetches and at EL0.
   */
  readonly unprivileged?: boolean;
  /**
   * SCTLR_EL1.EPAN (FEAT_PAN3): PAN also applies to EL0-executable memory. Default false, as
   * without FEAT_PAN3.
   */
  readonly epan?: boolean;
}

const PERMITTED: PermissionResult = Object.freeze({ ok: true });

/** Stage-1 permission check for an access at `el` (D8.4; AArch64.S1DirectBasePermissions). */
export function checkS1Permission(
  t: S1Translation,
  access: AccessKind,
  el: 0 | 1,
  opts: S1PermissionOptions,
): PermissionResult {
  const ap = t.ap;
  const pw = (ap & 0b10) === 0; // privileged read is always allowed
  const ur = (ap & 0b01) !== 0;
  const uw = ap === 0b01;
  const ux = !t.uxn;
  // Locations writable at EL0 cannot be executed at EL1.
  const px = !t.pxn && !uw;

  let allowed: boolean;
  if (access === 'exec') {
    allowed = el === 0 ? ux && !(opts.wxn && uw) : px && !(opts.wxn && pw);
  } else if (el === 0 || opts.unprivileged === true) {
    allowed = access === 'read' ? ur : uw;
  } else {
    const pan = opts.pan && (ur || (opts.epan === true && ux));
    allowed = !pan && (access === 'read' || pw);
  }
  return allowed
    ? PERMITTED
    : { ok: false, fault: { kind: 'permission', stage: 1, level: t.level, s1ptw: false, ipa: undefined } };
}

/**
 * Stage-2 permission check (AArch64.S2CheckPermissions). `el` is the EL of the access the
 * stage-1 translation served (it matters only for instruction fetches with FEAT_XNX).
 * Stage-1 table walks are checked as reads.
 */
export function checkS2Permission(t: S2Translation, access: AccessKind, el: 0 | 1 = 1): PermissionResult {
  let allowed: boolean;
  if (access === 'exec') allowed = t.xn === 0b00 || t.xn === (el === 0 ? 0b01 : 0b11);
  else allowed = (t.s2ap & (access === 'read' ? 0b01 : 0b10)) !== 0;
  return allowed
    ? PERMITTED
    : { ok: false, fault: { kind: 'permission', stage: 2, level: t.level, s1ptw: false, ipa: t.ipa } };
}
