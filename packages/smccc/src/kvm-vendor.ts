/**
 * KVM's Vendor Specific Hypervisor Service calls (OEN 6; linux
 * Documentation/virt/kvm/arm/hypercalls.rst and ptp_kvm.rst; arch/arm64/kvm/hypercalls.c).
 *
 *   FID         name                                   results
 *   0x8600FF01  ARM_SMCCC_VENDOR_HYP_CALL_UID          W0..W3 = KVM's UID
 *                                                      28b46fb6-2ec5-11e9-a9ca-4b564d003a74
 *                                                      (0xb66fb428, 0xe911c52e, 0x564bcaa9,
 *                                                      0x743a004d; the kvm-uuid selftest pins it)
 *   0x86000000  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES      R0 = bitmap of available vendor function
 *                                                      numbers 0..31, R1 = 32..63, R2 = 64..95,
 *                                                      R3 = 96..127. KVM returns the bitmap
 *                                                      registers themselves: R0 = VENDOR_HYP_BMAP
 *                                                      (bit n = function n: FEATURES 0, PTP 1),
 *                                                      R2 = VENDOR_HYP_BMAP_2 (bit n = function
 *                                                      64+n: DISCOVER_IMPL_VER, _CPUS), R1 = R3 = 0
 *                                                      (fns 2..63 are reserved for pKVM).
 *   0x86000001  ARM_SMCCC_VENDOR_HYP_KVM_PTP           W1 = 0 (KVM_PTP_VIRT_COUNTER) or 1
 *                                                      (KVM_PTP_PHYS_COUNTER). W0/W1 = wall-clock
 *                                                      ns since the epoch, high/low 32 bits; W2/W3
 *                                                      = the chosen counter, high/low 32 bits, both
 *                                                      sampled at the same instant. Any other W1:
 *                                                      NOT_SUPPORTED (X1..X3 = 0).
 *
 * Per-service queries (DEN0028 6.2): KVM implements only the Call UID query for this owner;
 * Call Count (0x8600FF00) and Revision (0x8600FF03) are unknown IDs (NOT_SUPPORTED), and so are
 * the queries of every other owner — there are no rows for them.
 *
 * PTP here: the counter is what the guest would read at this instant on this vCPU — CNTVCT_EL0
 * (virtual: physical count minus CNTVOFF_EL2, as the CPU computes it) or CNTPCT_EL0, read with
 * Cpu.getSysReg — and the wall clock is injectable (default: the host's real time). KVM answers
 * NOT_SUPPORTED when the host clocksource is not the architected counter; here the analogue is
 * a backend without the counter register (getSysReg throws ENOENT).
 *
 * Gating (KvmSmccc): UID and FEATURES by VENDOR_HYP_BMAP bit 0, PTP by bit 1. DISCOVER_IMPL_*
 * (0xC6000040/41) have no row: KVM only advertises them (BMAP_2) and a VMM answers them through
 * the SMCCC filter's FWD_TO_USER.
 */
import { HvlabError, isHvlabError, SysReg } from '@hvlab/core';
import { ARM_SMCCC_FUNC_QUERY_CALL_UID } from './arch.js';
import type { SmcccService } from './dispatch.js';
import { fastCall32, fastCall64, OEN_VEN_HYP_START } from './fid.js';
import { SMCCC_RET_NOT_SUPPORTED, SMCCC_STATUS_NAMES } from './status.js';
import { uuidToRegs } from './uuid.js';

export const ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID = fastCall32(OEN_VEN_HYP_START, ARM_SMCCC_FUNC_QUERY_CALL_UID);
export const ARM_SMCCC_KVM_FUNC_FEATURES = 0;
export const ARM_SMCCC_KVM_FUNC_PTP = 1;
export const ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_VER = 64;
export const ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_CPUS = 65;
export const ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID = fastCall32(OEN_VEN_HYP_START, ARM_SMCCC_KVM_FUNC_FEATURES);
export const ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID = fastCall32(OEN_VEN_HYP_START, ARM_SMCCC_KVM_FUNC_PTP);
export const ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_VER_FUNC_ID = fastCall64(
  OEN_VEN_HYP_START,
  ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_VER,
);
export const ARM_SMCCC_VENDOR_HYP_KVM_DISCOVER_IMPL_CPUS_FUNC_ID = fastCall64(
  OEN_VEN_HYP_START,
  ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_CPUS,
);

/** PTP counter selectors (linux include/linux/arm-smccc.h). */
export const KVM_PTP_VIRT_COUNTER = 0;
export const KVM_PTP_PHYS_COUNTER = 1;

/** ARM_SMCCC_VENDOR_HYP_UID_KVM. */
export const KVM_VENDOR_HYP_UID = '28b46fb6-2ec5-11e9-a9ca-4b564d003a74';

/** Nanoseconds since the Unix epoch. */
export type WallClock = () => bigint;

/** The host's real time, in ns since the epoch (microsecond resolution on most hosts). */
export const realTimeClock: WallClock = () =>
  BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n + BigInt(Math.round(performance.now() * 1e6));

export interface KvmVendorOptions {
  /** VENDOR_HYP_BMAP and VENDOR_HYP_BMAP_2 as they are now (KVM_FEATURES returns them). */
  readonly bitmaps: () => { readonly bmap: bigint; readonly bmap2: bigint };
  readonly wallClock?: WallClock;
}

const LO32 = 0xffff_ffffn;

export function kvmVendorService(opts: KvmVendorOptions): SmcccService {
  const clock = opts.wallClock ?? realTimeClock;
  if (typeof clock !== 'function' || typeof opts.bitmaps !== 'function')
    throw new HvlabError('EINVAL', 'the KVM vendor service needs bitmaps() and wallClock() functions');
  const uid = uuidToRegs(KVM_VENDOR_HYP_UID);
  return {
    name: 'KVM Vendor Hypervisor Services',
    status: SMCCC_STATUS_NAMES,
    functions: [
      {
        fid: ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
        name: 'ARM_SMCCC_VENDOR_HYP_CALL_UID',
        argCount: 0,
        resultCount: 4,
        handler: () => uid,
      },
      {
        fid: ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
        name: 'ARM_SMCCC_VENDOR_HYP_KVM_FEATURES',
        argCount: 0,
        resultCount: 4,
        handler: () => {
          const { bmap, bmap2 } = opts.bitmaps();
          return [bmap, 0n, bmap2, 0n];
        },
      },
      {
        fid: ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
        name: 'ARM_SMCCC_VENDOR_HYP_KVM_PTP',
        argCount: 1,
        resultCount: 4,
        handler: (call) => {
          const feature = Number(call.args[0]! & LO32); // u32 feature = smccc_get_arg1(vcpu)
          const reg =
            feature === KVM_PTP_VIRT_COUNTER
              ? SysReg.CNTVCT_EL0
              : feature === KVM_PTP_PHYS_COUNTER
                ? SysReg.CNTPCT_EL0
                : undefined;
          if (reg === undefined) return SMCCC_RET_NOT_SUPPORTED;
          let cycles: bigint;
          try {
            cycles = BigInt.asUintN(64, call.cpu.getSysReg(reg));
          } catch (e) {
            if (isHvlabError(e) && e.code === 'ENOENT') return SMCCC_RET_NOT_SUPPORTED;
            throw e;
          }
          const real = BigInt.asUintN(64, clock());
          return [(real >> 32n) & LO32, real & LO32, (cycles >> 32n) & LO32, cycles & LO32];
        },
      },
    ],
  };
}
