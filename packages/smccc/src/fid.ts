/**
 * SMCCC function identifiers (Arm DEN0028 "SMC Calling Convention", section 2.5 "Function
 * Identifier"), passed by the caller in W0:
 *
 *   bit  31     call type: 1 = Fast Call, 0 = Yielding Call (called "Standard Call" before DEN0028C)
 *   bit  30     calling convention: 1 = SMC64/HVC64, 0 = SMC32/HVC32
 *   bits 29:24  Owning Entity Number (OEN)
 *   bits 23:17  must be zero for a Fast Call
 *   bit  16     SMCCC 1.3+: SVE live-state hint (must be zero before 1.3)
 *   bits 15:0   function number within the owner's range
 *
 * The same layout is spelled out in linux include/linux/arm-smccc.h (ARM_SMCCC_TYPE_SHIFT 31,
 * ARM_SMCCC_CALL_CONV_SHIFT 30, ARM_SMCCC_OWNER_MASK 0x3F at 24, ARM_SMCCC_FUNC_MASK 0xFFFF) and
 * TF-A include/lib/smccc.h (OEN_* constants, reserved bits, SVE hint).
 *
 * Function IDs are plain non-negative numbers in 0..0xFFFF_FFFF (unsigned W0).
 */
import { HvlabError } from '@hvlab/core';

export const SMCCC_TYPE_SHIFT = 31;
export const SMCCC_CALL_CONV_SHIFT = 30;
export const SMCCC_OWNER_SHIFT = 24;
export const SMCCC_OWNER_MASK = 0x3f;
export const SMCCC_FUNC_MASK = 0xffff;
/** SMCCC 1.3: "caller has no live SVE state beyond the 128-bit V registers". */
export const SMCCC_SVE_HINT_BIT = 16;
/** Bits 23:17: must be zero in a Fast Call function ID. */
export const SMCCC_FAST_RESERVED_MASK = 0x00fe0000;

/**
 * Owning Entity Numbers (DEN0028 table "Allocation of values", named as TF-A include/lib/smccc.h
 * spells them).
 */
export const OEN_ARM_START = 0; // Arm Architecture Calls
export const OEN_ARM_END = 0;
export const OEN_CPU_START = 1; // CPU Service Calls
export const OEN_CPU_END = 1;
export const OEN_SIP_START = 2; // SiP Service Calls
export const OEN_SIP_END = 2;
export const OEN_OEM_START = 3; // OEM Service Calls
export const OEN_OEM_END = 3;
export const OEN_STD_START = 4; // Standard Secure Service Calls (PSCI, TRNG, RMI/RSI, ...)
export const OEN_STD_END = 4;
export const OEN_STD_HYP_START = 5; // Standard Hypervisor Service Calls (PV time)
export const OEN_STD_HYP_END = 5;
export const OEN_VEN_HYP_START = 6; // Vendor Specific Hypervisor Service Calls (KVM)
export const OEN_VEN_HYP_END = 6;
export const OEN_VEN_EL3_START = 7; // Vendor Specific EL3 Monitor Calls
export const OEN_VEN_EL3_END = 7;
export const OEN_TAP_START = 48; // Trusted Application Calls
export const OEN_TAP_END = 49;
export const OEN_TOS_START = 50; // Trusted OS Calls
export const OEN_TOS_END = 63;
export const OEN_LIMIT = 64;

/** The owner ranges in order, with the names DEN0028 gives them (8..47 are reserved). */
export const OWNER_RANGES: readonly { readonly start: number; readonly end: number; readonly name: string }[] = [
  { start: OEN_ARM_START, end: OEN_ARM_END, name: 'Arm Architecture Calls' },
  { start: OEN_CPU_START, end: OEN_CPU_END, name: 'CPU Service Calls' },
  { start: OEN_SIP_START, end: OEN_SIP_END, name: 'SiP Service Calls' },
  { start: OEN_OEM_START, end: OEN_OEM_END, name: 'OEM Service Calls' },
  { start: OEN_STD_START, end: OEN_STD_END, name: 'Standard Secure Service Calls' },
  { start: OEN_STD_HYP_START, end: OEN_STD_HYP_END, name: 'Standard Hypervisor Service Calls' },
  { start: OEN_VEN_HYP_START, end: OEN_VEN_HYP_END, name: 'Vendor Specific Hypervisor Service Calls' },
  { start: OEN_VEN_EL3_START, end: OEN_VEN_EL3_END, name: 'Vendor Specific EL3 Monitor Calls' },
  { start: 8, end: 47, name: 'Reserved for future use' },
  { start: OEN_TAP_START, end: OEN_TAP_END, name: 'Trusted Application Calls' },
  { start: OEN_TOS_START, end: OEN_TOS_END, name: 'Trusted OS Calls' },
];

/** Name of the owner range an OEN belongs to. Throws HvlabError EINVAL outside 0..63. */
export function ownerName(oen: number): string {
  const r = OWNER_RANGES.find((o) => oen >= o.start && oen <= o.end);
  if (!r || !Number.isInteger(oen)) throw new HvlabError('EINVAL', `no SMCCC owner ${oen}`);
  return r.name;
}

/** A function ID split into its fields. */
export interface FunctionId {
  /** Bit 31: Fast Call (true) or Yielding Call (false). */
  readonly fast: boolean;
  /** Bit 30: SMC64/HVC64 (true) or SMC32/HVC32 (false). */
  readonly smc64: boolean;
  /** Bits 29:24: Owning Entity Number. */
  readonly owner: number;
  /** Bit 16: the SMCCC 1.3 SVE hint. */
  readonly sveHint: boolean;
  /** Bits 23:17 as a 7-bit value (must be 0 in a Fast Call). */
  readonly reserved: number;
  /** Bits 15:0. */
  readonly number: number;
}

export interface FunctionIdFields {
  readonly fast: boolean;
  readonly smc64: boolean;
  readonly owner: number;
  readonly number: number;
  readonly sveHint?: boolean;
}

const isU32 = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff;

/** Builds a function ID. Throws HvlabError EINVAL for an out-of-range owner or number. */
export function encodeFid(f: FunctionIdFields): number {
  if (!Number.isInteger(f.owner) || f.owner < 0 || f.owner > SMCCC_OWNER_MASK)
    throw new HvlabError('EINVAL', `SMCCC owner ${f.owner} is outside 0..63`);
  if (!Number.isInteger(f.number) || f.number < 0 || f.number > SMCCC_FUNC_MASK)
    throw new HvlabError('EINVAL', `SMCCC function number ${f.number} is outside 0..0xffff`);
  return (
    ((f.fast ? 1 : 0) * 2 ** SMCCC_TYPE_SHIFT +
      (f.smc64 ? 1 : 0) * 2 ** SMCCC_CALL_CONV_SHIFT +
      f.owner * 2 ** SMCCC_OWNER_SHIFT +
      (f.sveHint ? 1 << SMCCC_SVE_HINT_BIT : 0) +
      f.number) >>>
    0
  );
}

/** Splits a function ID into fields. Any u32 is accepted (guest input never throws). */
export function decodeFid(fid: number): FunctionId {
  if (!isU32(fid)) throw new HvlabError('EINVAL', `function ID ${fid} is not an unsigned 32-bit value`);
  return {
    fast: fid >>> SMCCC_TYPE_SHIFT === 1,
    smc64: ((fid >>> SMCCC_CALL_CONV_SHIFT) & 1) === 1,
    owner: (fid >>> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK,
    sveHint: ((fid >>> SMCCC_SVE_HINT_BIT) & 1) === 1,
    reserved: (fid & SMCCC_FAST_RESERVED_MASK) >>> 17,
    number: fid & SMCCC_FUNC_MASK,
  };
}

/** Bit 30 clear: arguments and results are 32-bit (W registers). */
export const isSmc32 = (fid: number): boolean => ((fid >>> SMCCC_CALL_CONV_SHIFT) & 1) === 0;

/** A well-formed Fast Call: bit 31 set and bits 23:16 clear (TF-A is_valid_fast_smc). */
export const isValidFastCall = (fid: number): boolean => fid >>> 31 === 1 && (fid & 0x00ff0000) === 0;

/** The SMC32 and SMC64 forms of the same Fast Call (e.g. PSCI CPU_ON 0x84000003 / 0xC4000003). */
export const fastCall32 = (owner: number, number: number): number =>
  encodeFid({ fast: true, smc64: false, owner, number });
export const fastCall64 = (owner: number, number: number): number =>
  encodeFid({ fast: true, smc64: true, owner, number });

/** Formats a function ID as the specs print them: 0x8400000A. */
export const fidHex = (fid: number): string => `0x${(fid >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
