/**
 * Arm Architecture Calls (OEN 0; Arm DEN0028 section 7) and the per-service query numbers.
 *
 * Function IDs are named as DEN0028 names them. The service registered here holds the two calls
 * every SMCCC >= 1.1 implementation has: SMCCC_VERSION and SMCCC_ARCH_FEATURES. The workaround
 * calls get their rows from the model of the host's mitigation state (workarounds.ts, used by
 * KvmSmccc); SOC_ID and FEATURE_AVAILABILITY are listed for naming only (KVM does not implement
 * them: unknown IDs, NOT_SUPPORTED).
 */
import { HvlabError } from '@hvlab/core';
import type { SmcccDispatcher, SmcccFunction, SmcccService } from './dispatch.js';
import { SMCCC_STATUS_NAMES } from './status.js';

export const SMCCC_VERSION = 0x8000_0000;
export const SMCCC_ARCH_FEATURES = 0x8000_0001;
export const SMCCC_ARCH_SOC_ID = 0x8000_0002;
export const SMCCC_ARCH_SOC_ID_64 = 0xc000_0002;
/** SMC64 only (SMCCC 1.5). */
export const SMCCC_ARCH_FEATURE_AVAILABILITY = 0xc000_0003;
/** Spectre-v2 (CVE-2017-5715). */
export const SMCCC_ARCH_WORKAROUND_1 = 0x8000_8000;
/** Spectre-v4 / SSBD (CVE-2018-3639). */
export const SMCCC_ARCH_WORKAROUND_2 = 0x8000_7fff;
/** Spectre-BHB (CVE-2022-23960). */
export const SMCCC_ARCH_WORKAROUND_3 = 0x8000_3fff;
/**
 * CVE-2024-7881 (TF-A). Named only: the mainline KVM read (hypercalls.c, kvm_arm_fw_reg_ids)
 * has no WORKAROUND_4 (linux-next carried one), so KVM's answer here is the unknown-ID one.
 */
export const SMCCC_ARCH_WORKAROUND_4 = 0x8000_0004;

/**
 * Per-service query function numbers (any OEN other than 0; DEN0028 section 6.2 "Call Count",
 * "Call UID", "Revision"). Linux names only the UID query: ARM_SMCCC_FUNC_QUERY_CALL_UID
 * (include/linux/arm-smccc.h); TF-A names the standard service's as STD_SVC_CALL_COUNT,
 * STD_SVC_UID, STD_SVC_VERSION (include/services/std_svc.h).
 */
export const ARM_SMCCC_FUNC_QUERY_CALL_UID = 0xff01;
export const SMCCC_CALL_COUNT_FN = 0xff00;
export const SMCCC_CALL_UID_FN = ARM_SMCCC_FUNC_QUERY_CALL_UID;
export const SMCCC_REVISION_FN = 0xff03;

/** Version encoding (DEN0028 7.2): bit 31 zero, bits 30:16 major, bits 15:0 minor. */
export function smcccVersion(major: number, minor: number): number {
  if (
    !Number.isInteger(major) ||
    major < 0 ||
    major > 0x7fff ||
    !Number.isInteger(minor) ||
    minor < 0 ||
    minor > 0xffff
  )
    throw new HvlabError('EINVAL', `bad SMCCC version ${major}.${minor}`);
  return major * 0x10000 + minor;
}

/** SMCCC 1.1: what KVM reports to guests (linux arch/arm64/kvm/hypercalls.c, ARM_SMCCC_VERSION_1_1). */
export const SMCCC_VERSION_1_1 = 0x1_0001;

/** Names of the Arm Architecture Call IDs above, for traces. */
export const ARM_ARCH_CALL_NAMES: ReadonlyMap<number, string> = new Map([
  [SMCCC_VERSION, 'SMCCC_VERSION'],
  [SMCCC_ARCH_FEATURES, 'SMCCC_ARCH_FEATURES'],
  [SMCCC_ARCH_SOC_ID, 'SMCCC_ARCH_SOC_ID'],
  [SMCCC_ARCH_SOC_ID_64, 'SMCCC_ARCH_SOC_ID'],
  [SMCCC_ARCH_FEATURE_AVAILABILITY, 'SMCCC_ARCH_FEATURE_AVAILABILITY'],
  [SMCCC_ARCH_WORKAROUND_1, 'SMCCC_ARCH_WORKAROUND_1'],
  [SMCCC_ARCH_WORKAROUND_2, 'SMCCC_ARCH_WORKAROUND_2'],
  [SMCCC_ARCH_WORKAROUND_3, 'SMCCC_ARCH_WORKAROUND_3'],
  [SMCCC_ARCH_WORKAROUND_4, 'SMCCC_ARCH_WORKAROUND_4'],
]);

/**
 * SMCCC_VERSION and SMCCC_ARCH_FEATURES. ARCH_FEATURES takes the queried ID from W1 and asks the
 * dispatcher, which answers from the queried row's own discovery answer, else by profile
 * (KVM: NOT_SUPPORTED even for SMCCC_VERSION itself; TF-A: SUCCESS for an implemented Arm call).
 */
export function armArchService(dispatcher: SmcccDispatcher): SmcccService {
  const functions: SmcccFunction[] = [
    {
      fid: SMCCC_VERSION,
      name: 'SMCCC_VERSION',
      argCount: 0,
      resultCount: 1,
      handler: () => SMCCC_VERSION_1_1,
    },
    {
      fid: SMCCC_ARCH_FEATURES,
      name: 'SMCCC_ARCH_FEATURES',
      argCount: 1,
      resultCount: 1,
      handler: (call) => dispatcher.archFeatures(Number(call.args[0]!), call),
    },
  ];
  return { name: 'Arm Architecture Calls', functions, status: SMCCC_STATUS_NAMES };
}
