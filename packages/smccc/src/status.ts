/**
 * SMCCC return codes in W0/X0 (Arm DEN0028 section 5.2 "Return codes"; linux
 * include/linux/arm-smccc.h SMCCC_RET_*). Values are signed: -1 is 0xFFFFFFFF in W0 and all
 * ones in X0 (a handler's negative result is written sign-extended to 64 bits).
 */

export const SMCCC_RET_SUCCESS = 0;
/** Also the answer for an unknown function identifier. */
export const SMCCC_RET_NOT_SUPPORTED = -1;
/** SMCCC_ARCH_FEATURES on a workaround ID: the mitigation is not required anywhere. */
export const SMCCC_RET_NOT_REQUIRED = -2;
export const SMCCC_RET_INVALID_PARAMETER = -3;

/** SMCCC_ARCH_FEATURES on WORKAROUND_1/3: implemented but not needed on this PE (linux arm-smccc.h). */
export const SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED = 1;

export const SMCCC_STATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [SMCCC_RET_SUCCESS, 'SUCCESS'],
  [SMCCC_RET_NOT_SUPPORTED, 'NOT_SUPPORTED'],
  [SMCCC_RET_NOT_REQUIRED, 'NOT_REQUIRED'],
  [SMCCC_RET_INVALID_PARAMETER, 'INVALID_PARAMETER'],
]);

/**
 * Reads W0 as a signed 32-bit status (how SMCCC callers compare it) from a 64-bit register value.
 */
export const statusFromReg = (x0: bigint): number => Number(BigInt.asIntN(32, x0));

/** The SMCCC name of a status code, or its decimal value if it has none. */
export function smcccStatusName(status: number | bigint): string {
  const s = typeof status === 'bigint' ? statusFromReg(status) : status;
  return SMCCC_STATUS_NAMES.get(s) ?? String(s);
}
