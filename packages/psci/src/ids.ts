/**
 * PSCI function IDs, return codes and versions (Arm DEN0022 "Power State Coordination
 * Interface", up to 1.3). Function IDs are Fast Calls of the Standard Secure Service owner
 * (OEN 4): 0x84000000 + n for SMC32, 0xC4000000 + n for SMC64, n in 0x00..0x1F.
 * Constant names follow linux include/uapi/linux/psci.h (the version in the name is the PSCI
 * version that introduced the call); call names in PSCI_FUNCTIONS are DEN0022's.
 */
import { HvlabError } from '@hvlab/core';
import { fastCall32, fastCall64, KVM_PSCI_FN, OEN_STD_START } from '@hvlab/smccc';

export const PSCI_0_2_FN_PSCI_VERSION = 0x8400_0000;
export const PSCI_0_2_FN_CPU_SUSPEND = 0x8400_0001;
export const PSCI_0_2_FN_CPU_OFF = 0x8400_0002;
export const PSCI_0_2_FN_CPU_ON = 0x8400_0003;
export const PSCI_0_2_FN_AFFINITY_INFO = 0x8400_0004;
export const PSCI_0_2_FN_MIGRATE = 0x8400_0005;
export const PSCI_0_2_FN_MIGRATE_INFO_TYPE = 0x8400_0006;
export const PSCI_0_2_FN_MIGRATE_INFO_UP_CPU = 0x8400_0007;
export const PSCI_0_2_FN_SYSTEM_OFF = 0x8400_0008;
export const PSCI_0_2_FN_SYSTEM_RESET = 0x8400_0009;
export const PSCI_1_0_FN_PSCI_FEATURES = 0x8400_000a;
export const PSCI_1_0_FN_CPU_FREEZE = 0x8400_000b;
export const PSCI_1_0_FN_CPU_DEFAULT_SUSPEND = 0x8400_000c;
export const PSCI_1_0_FN_NODE_HW_STATE = 0x8400_000d;
export const PSCI_1_0_FN_SYSTEM_SUSPEND = 0x8400_000e;
export const PSCI_1_0_FN_SET_SUSPEND_MODE = 0x8400_000f;
export const PSCI_1_0_FN_STAT_RESIDENCY = 0x8400_0010;
export const PSCI_1_0_FN_STAT_COUNT = 0x8400_0011;
export const PSCI_1_1_FN_SYSTEM_RESET2 = 0x8400_0012;
export const PSCI_1_1_FN_MEM_PROTECT = 0x8400_0013;
export const PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE = 0x8400_0014;
export const PSCI_1_3_FN_SYSTEM_OFF2 = 0x8400_0015;

export const PSCI_0_2_FN64_CPU_SUSPEND = 0xc400_0001;
export const PSCI_0_2_FN64_CPU_ON = 0xc400_0003;
export const PSCI_0_2_FN64_AFFINITY_INFO = 0xc400_0004;
export const PSCI_0_2_FN64_MIGRATE = 0xc400_0005;
export const PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU = 0xc400_0007;
export const PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND = 0xc400_000c;
export const PSCI_1_0_FN64_NODE_HW_STATE = 0xc400_000d;
export const PSCI_1_0_FN64_SYSTEM_SUSPEND = 0xc400_000e;
export const PSCI_1_0_FN64_STAT_RESIDENCY = 0xc400_0010;
export const PSCI_1_0_FN64_STAT_COUNT = 0xc400_0011;
export const PSCI_1_1_FN64_SYSTEM_RESET2 = 0xc400_0012;
export const PSCI_1_1_FN64_MEM_PROTECT_CHECK_RANGE = 0xc400_0014;
export const PSCI_1_3_FN64_SYSTEM_OFF2 = 0xc400_0015;

/** Function numbers 0x00..0x1F of OEN 4 belong to PSCI (TF-A is_psci_fid, pKVM psci-relay.c). */
export const PSCI_FN_LIMIT = 0x20;

export interface PsciFunctionInfo {
  /** DEN0022's name for the call. */
  readonly name: string;
  readonly number: number;
  readonly fid32: number;
  /** The SMC64 form, for calls that take an address or an MPIDR. */
  readonly fid64: number | undefined;
  /** The PSCI version that introduced the call. */
  readonly since: string;
}

const fn = (name: string, number: number, since: string, has64: boolean): PsciFunctionInfo => ({
  name,
  number,
  fid32: fastCall32(OEN_STD_START, number),
  fid64: has64 ? fastCall64(OEN_STD_START, number) : undefined,
  since,
});

/** Every PSCI call DEN0022 defines (reference/psci-smccc.md 2.1). */
export const PSCI_FUNCTIONS: readonly PsciFunctionInfo[] = [
  fn('PSCI_VERSION', 0x00, '0.2', false),
  fn('CPU_SUSPEND', 0x01, '0.2', true),
  fn('CPU_OFF', 0x02, '0.2', false),
  fn('CPU_ON', 0x03, '0.2', true),
  fn('AFFINITY_INFO', 0x04, '0.2', true),
  fn('MIGRATE', 0x05, '0.2', true),
  fn('MIGRATE_INFO_TYPE', 0x06, '0.2', false),
  fn('MIGRATE_INFO_UP_CPU', 0x07, '0.2', true),
  fn('SYSTEM_OFF', 0x08, '0.2', false),
  fn('SYSTEM_RESET', 0x09, '0.2', false),
  fn('PSCI_FEATURES', 0x0a, '1.0', false),
  fn('CPU_FREEZE', 0x0b, '1.0', false),
  fn('CPU_DEFAULT_SUSPEND', 0x0c, '1.0', true),
  fn('NODE_HW_STATE', 0x0d, '1.0', true),
  fn('SYSTEM_SUSPEND', 0x0e, '1.0', true),
  fn('PSCI_SET_SUSPEND_MODE', 0x0f, '1.0', false),
  fn('PSCI_STAT_RESIDENCY', 0x10, '1.0', true),
  fn('PSCI_STAT_COUNT', 0x11, '1.0', true),
  fn('SYSTEM_RESET2', 0x12, '1.1', true),
  fn('MEM_PROTECT', 0x13, '1.1', false),
  fn('MEM_PROTECT_CHECK_RANGE', 0x14, '1.1', true),
  fn('SYSTEM_OFF2', 0x15, '1.3', true),
];

const BY_FID = new Map<number, string>();
for (const f of PSCI_FUNCTIONS) {
  BY_FID.set(f.fid32, f.name);
  if (f.fid64 !== undefined) BY_FID.set(f.fid64, `${f.name}_64`);
}

/** DEN0022's name of a PSCI function ID ("CPU_ON", "CPU_ON_64"), or undefined. */
export const psciFunctionName = (fid: number): string | undefined => BY_FID.get(fid);

/** True for an ID in the PSCI range: OEN 4, Fast Call, function number 0x00..0x1F. */
export const isPsciFid = (fid: number): boolean => (fid & 0xbfff_ffe0) >>> 0 === 0x8400_0000;

/**
 * Return codes (DEN0022 section 5.2.2; signed, sign-extended in X0), spelled as linux
 * include/uapi/linux/psci.h spells them (PSCI_RET_INVALID_PARAMS); PSCI_RET_NAMES gives DEN0022's
 * names (INVALID_PARAMETERS).
 */
export const PSCI_RET_SUCCESS = 0;
export const PSCI_RET_NOT_SUPPORTED = -1;
export const PSCI_RET_INVALID_PARAMS = -2;
export const PSCI_RET_DENIED = -3;
export const PSCI_RET_ALREADY_ON = -4;
export const PSCI_RET_ON_PENDING = -5;
export const PSCI_RET_INTERNAL_FAILURE = -6;
export const PSCI_RET_NOT_PRESENT = -7;
export const PSCI_RET_DISABLED = -8;
export const PSCI_RET_INVALID_ADDRESS = -9;

export const PSCI_RET_NAMES: ReadonlyMap<number, string> = new Map([
  [PSCI_RET_SUCCESS, 'SUCCESS'],
  [PSCI_RET_NOT_SUPPORTED, 'NOT_SUPPORTED'],
  [PSCI_RET_INVALID_PARAMS, 'INVALID_PARAMETERS'],
  [PSCI_RET_DENIED, 'DENIED'],
  [PSCI_RET_ALREADY_ON, 'ALREADY_ON'],
  [PSCI_RET_ON_PENDING, 'ON_PENDING'],
  [PSCI_RET_INTERNAL_FAILURE, 'INTERNAL_FAILURE'],
  [PSCI_RET_NOT_PRESENT, 'NOT_PRESENT'],
  [PSCI_RET_DISABLED, 'DISABLED'],
  [PSCI_RET_INVALID_ADDRESS, 'INVALID_ADDRESS'],
]);

/** The DEN0022 name of a return code (given as a number or as the X0 register value). */
export function psciRetName(ret: number | bigint): string {
  const r = typeof ret === 'bigint' ? Number(BigInt.asIntN(32, ret)) : ret;
  return PSCI_RET_NAMES.get(r) ?? String(r);
}

/** PSCI_VERSION result: bits 31:16 major, bits 15:0 minor (DEN0022 5.1.1). */
export function psciVersion(major: number, minor: number): number {
  if (
    !Number.isInteger(major) ||
    major < 0 ||
    major > 0x7fff ||
    !Number.isInteger(minor) ||
    minor < 0 ||
    minor > 0xffff
  )
    throw new HvlabError('EINVAL', `bad PSCI version ${major}.${minor}`);
  return major * 0x10000 + minor;
}

/** PSCI 0.1: no PSCI_VERSION call; KVM's KVM_ARM_PSCI_0_1 = PSCI_VERSION(0, 1) (include/kvm/arm_psci.h). */
export const PSCI_VERSION_0_1 = 0x0_0001;
export const PSCI_VERSION_0_2 = 0x0_0002;
export const PSCI_VERSION_1_0 = 0x1_0000;
export const PSCI_VERSION_1_1 = 0x1_0001;
export const PSCI_VERSION_1_2 = 0x1_0002;
export const PSCI_VERSION_1_3 = 0x1_0003;

export const formatPsciVersion = (v: number): string => `${v >>> 16}.${v & 0xffff}`;

/**
 * Parses "X.Y" (as `--psci-version` takes it) into a PSCI_VERSION value. Throws HvlabError
 * EINVAL for anything else; whether the version is one a policy serves is its own rule.
 */
export function parsePsciVersion(text: string): number {
  if (typeof text !== 'string') throw new HvlabError('EINVAL', `${String(text)} is not a PSCI version string`);
  const m = /^(\d{1,5})\.(\d{1,5})$/.exec(text.trim());
  const major = m ? Number(m[1]) : Number.NaN;
  const minor = m ? Number(m[2]) : Number.NaN;
  if (!m || major > 0x7fff || minor > 0xffff)
    throw new HvlabError('EINVAL', `'${text}' is not a PSCI version (MAJOR.MINOR, e.g. 1.3)`);
  return psciVersion(major, minor);
}

/**
 * KVM's PSCI 0.1 function IDs (linux arch/arm64/include/uapi/asm/kvm.h KVM_PSCI_FN(n) =
 * KVM_PSCI_FN_BASE 0x95c1ba5e + n; @hvlab/smccc exports both). PSCI 0.1 had no fixed IDs:
 * firmware names them in the DT /psci node (`cpu_suspend`, `cpu_off`, `cpu_on`, `migrate`);
 * these are the ones KVM answers.
 */
export const KVM_PSCI_FN_CPU_SUSPEND = KVM_PSCI_FN(0);
export const KVM_PSCI_FN_CPU_OFF = KVM_PSCI_FN(1);
export const KVM_PSCI_FN_CPU_ON = KVM_PSCI_FN(2);
export const KVM_PSCI_FN_MIGRATE = KVM_PSCI_FN(3);

/** AFFINITY_INFO results (DEN0022 5.1.5; linux uapi psci.h PSCI_0_2_AFFINITY_LEVEL_*). */
export const PSCI_0_2_AFFINITY_LEVEL_ON = 0;
export const PSCI_0_2_AFFINITY_LEVEL_OFF = 1;
export const PSCI_0_2_AFFINITY_LEVEL_ON_PENDING = 2;

/** MIGRATE_INFO_TYPE results (DEN0022 5.1.7; linux uapi psci.h PSCI_0_2_TOS_*). */
export const PSCI_0_2_TOS_UP_MIGRATE = 0;
export const PSCI_0_2_TOS_UP_NO_MIGRATE = 1;
export const PSCI_0_2_TOS_MP = 2;

/**
 * CPU_SUSPEND power_state fields (DEN0022 5.4.2; TF-A include/lib/psci/psci.h PSTATE_*).
 * Original format (0.2): StateID 15:0, StateType bit 16, PowerLevel 25:24, bits 31:26 and
 * 23:17 must be zero. Extended format (1.0): StateID 27:0, StateType bit 30, bits 31 and 29:28
 * must be zero.
 */
export const PSTATE_ID_MASK_ORIGINAL = 0xffff;
export const PSTATE_TYPE_SHIFT_ORIGINAL = 16;
export const PSTATE_PWR_LVL_SHIFT = 24;
export const PSTATE_PWR_LVL_MASK = 0x3;
export const PSTATE_VALID_MASK_ORIGINAL = 0xfcfe_0000;
export const PSTATE_ID_MASK_EXTENDED = 0x0fff_ffff;
export const PSTATE_TYPE_SHIFT_EXTENDED = 30;
export const PSTATE_VALID_MASK_EXTENDED = 0xb000_0000;
export const PSTATE_TYPE_STANDBY = 0;
export const PSTATE_TYPE_POWERDOWN = 1;

/** PSCI_FEATURES(CPU_SUSPEND) flags (DEN0022 5.1.14; linux PSCI_1_0_FEATURES_CPU_SUSPEND_PF_MASK, PSCI_1_0_OS_INITIATED). */
export const PSCI_1_0_FEATURES_CPU_SUSPEND_PF_SHIFT = 1;
export const PSCI_1_0_OS_INITIATED = 1 << 0;

/** SYSTEM_RESET2 reset_type (DEN0022 5.1.19): bit 31 = vendor-defined; architectural 0 = warm reset. */
export const PSCI_1_1_RESET_TYPE_SYSTEM_WARM_RESET = 0;
export const PSCI_1_1_RESET_TYPE_VENDOR_START = 0x8000_0000;

/** SYSTEM_OFF2 type (DEN0022 F.b 5.1.22): bit 0 HIBERNATE_OFF (linux PSCI_1_3_OFF_TYPE_HIBERNATE_OFF). */
export const PSCI_1_3_OFF_TYPE_HIBERNATE_OFF = 1 << 0;

/** MPIDR affinity bits a PSCI target may carry: Aff3 39:32, Aff2..Aff0 23:0 (linux MPIDR_HWID_BITMASK). */
export const MPIDR_HWID_BITMASK = 0xff_00ff_ffffn;
