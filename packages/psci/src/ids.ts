/**
 * PSCI function IDs, return codes and versions (Arm DEN0022 "Power State Coordination
 * Interface", up to 1.3). Function IDs are Fast Calls of the Standard Secure Service owner
 * (OEN 4): 0x84000000 + n for SMC32, 0xC4000000 + n for SMC64, n in 0x00..0x1F.
 * Constant names follow linux include/uapi/linux/psci.h (the version in the name is the PSCI
 * version that introduced the call); call names in PSCI_FUNCTIONS are DEN0022's.
 */
import { fastCall32, fastCall64, OEN_STD_START } from '@hvlab/smccc';

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

/** Return codes (DEN0022 section 5.2.2; signed, sign-extended in X0). */
export const PSCI_RET_SUCCESS = 0;
export const PSCI_RET_NOT_SUPPORTED = -1;
export const PSCI_RET_INVALID_PARAMETERS = -2;
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
  [PSCI_RET_INVALID_PARAMETERS, 'INVALID_PARAMETERS'],
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
    throw new RangeError(`bad PSCI version ${major}.${minor}`);
  return major * 0x10000 + minor;
}

export const PSCI_VERSION_0_2 = 0x0_0002;
export const PSCI_VERSION_1_0 = 0x1_0000;
export const PSCI_VERSION_1_1 = 0x1_0001;
export const PSCI_VERSION_1_3 = 0x1_0003;

export const formatPsciVersion = (v: number): string => `${v >>> 16}.${v & 0xffff}`;
