/*
 * smccc.h — SMC Calling Convention calls with all four result registers, and the function IDs
 * and return codes the SMCCC/PSCI guests use (smp, smccc, hvc-bench).
 *
 * IDs and codes are copied from the specifications as Linux spells them:
 *   Arm DEN 0028 (SMCCC) §2.5 function-ID layout, §7 Arm architecture calls;
 *   Arm DEN 0022 (PSCI) §5.1 function IDs, §5.2.2 return codes (linux include/uapi/linux/psci.h);
 *   Arm DEN 0098 (TRNG) §2; Arm DEN 0057A (PV time) §2;
 *   KVM vendor hypervisor services (linux include/linux/arm-smccc.h,
 *   Documentation/virt/kvm/arm/hypercalls.rst).
 * Kept apart from hvguest.h/psci.c so the older guests' images do not change.
 */
#ifndef SMCCC_H
#define SMCCC_H
#include "hvguest.h"

/* Arm architecture calls (OEN 0). */
#define SMCCC_VERSION_FID UL(0x80000000)
#define SMCCC_ARCH_FEATURES UL(0x80000001)
#define SMCCC_ARCH_SOC_ID UL(0x80000002)
#define SMCCC_ARCH_WORKAROUND_1 UL(0x80008000)
#define SMCCC_ARCH_WORKAROUND_2 UL(0x80007fff)
#define SMCCC_ARCH_WORKAROUND_3 UL(0x80003fff)

/* Per-service queries (function numbers 0xff00, 0xff01, 0xff03 of any OEN but 0). */
#define SMCCC_CALL_COUNT(oen) (UL(0x80000000) | ((u64)(oen) << 24) | 0xff00)
#define SMCCC_CALL_UID(oen) (UL(0x80000000) | ((u64)(oen) << 24) | 0xff01)
#define SMCCC_REVISION(oen) (UL(0x80000000) | ((u64)(oen) << 24) | 0xff03)
#define OEN_STD_SECURE 4
#define OEN_STD_HYP 5
#define OEN_VENDOR_HYP 6

/* PSCI (OEN 4, function numbers 0x00..0x1f). 32-bit IDs 0x84000000 + n, 64-bit 0xC4000000 + n. */
#define PSCI_0_2_FN(n) (UL(0x84000000) + (n))
#define PSCI_0_2_FN64(n) (UL(0xC4000000) + (n))
#define PSCI_0_2_FN_PSCI_VERSION PSCI_0_2_FN(0)
#define PSCI_0_2_FN_CPU_SUSPEND PSCI_0_2_FN(1)
#define PSCI_0_2_FN_CPU_OFF PSCI_0_2_FN(2)
#define PSCI_0_2_FN_CPU_ON PSCI_0_2_FN(3)
#define PSCI_0_2_FN_AFFINITY_INFO PSCI_0_2_FN(4)
#define PSCI_0_2_FN_MIGRATE PSCI_0_2_FN(5)
#define PSCI_0_2_FN_MIGRATE_INFO_TYPE PSCI_0_2_FN(6)
#define PSCI_0_2_FN_MIGRATE_INFO_UP_CPU PSCI_0_2_FN(7)
#define PSCI_0_2_FN_SYSTEM_OFF PSCI_0_2_FN(8)
#define PSCI_0_2_FN_SYSTEM_RESET PSCI_0_2_FN(9)
#define PSCI_1_0_FN_PSCI_FEATURES PSCI_0_2_FN(10)
#define PSCI_1_0_FN_CPU_FREEZE PSCI_0_2_FN(11)
#define PSCI_1_0_FN_CPU_DEFAULT_SUSPEND PSCI_0_2_FN(12)
#define PSCI_1_0_FN_NODE_HW_STATE PSCI_0_2_FN(13)
#define PSCI_1_0_FN_SYSTEM_SUSPEND PSCI_0_2_FN(14)
#define PSCI_1_0_FN_SET_SUSPEND_MODE PSCI_0_2_FN(15)
#define PSCI_1_0_FN_STAT_RESIDENCY PSCI_0_2_FN(16)
#define PSCI_1_0_FN_STAT_COUNT PSCI_0_2_FN(17)
#define PSCI_1_1_FN_SYSTEM_RESET2 PSCI_0_2_FN(18)
#define PSCI_1_1_FN_MEM_PROTECT PSCI_0_2_FN(19)
#define PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE PSCI_0_2_FN(20)
#define PSCI_1_3_FN_SYSTEM_OFF2 PSCI_0_2_FN(21)
#define PSCI_0_2_FN64_CPU_SUSPEND PSCI_0_2_FN64(1)
#define PSCI_0_2_FN64_CPU_ON PSCI_0_2_FN64(3)
#define PSCI_0_2_FN64_AFFINITY_INFO PSCI_0_2_FN64(4)
#define PSCI_0_2_FN64_MIGRATE PSCI_0_2_FN64(5)
#define PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU PSCI_0_2_FN64(7)
#define PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND PSCI_0_2_FN64(12)
#define PSCI_1_0_FN64_NODE_HW_STATE PSCI_0_2_FN64(13)
#define PSCI_1_0_FN64_SYSTEM_SUSPEND PSCI_0_2_FN64(14)
#define PSCI_1_0_FN64_STAT_RESIDENCY PSCI_0_2_FN64(16)
#define PSCI_1_0_FN64_STAT_COUNT PSCI_0_2_FN64(17)
#define PSCI_1_1_FN64_SYSTEM_RESET2 PSCI_0_2_FN64(18)
#define PSCI_1_1_FN64_MEM_PROTECT_CHECK_RANGE PSCI_0_2_FN64(20)
#define PSCI_1_3_FN64_SYSTEM_OFF2 PSCI_0_2_FN64(21)

/* PSCI return codes (DEN 0022 §5.2.2) and AFFINITY_INFO states (§5.1.5). */
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT (-7)
#define PSCI_RET_DISABLED (-8)
#define PSCI_RET_INVALID_ADDRESS (-9)
#define PSCI_0_2_AFFINITY_LEVEL_ON 0
#define PSCI_0_2_AFFINITY_LEVEL_OFF 1
#define PSCI_0_2_AFFINITY_LEVEL_ON_PENDING 2

/* TRNG (DEN 0098; OEN 4, function numbers 0x50..0x53). */
#define ARM_SMCCC_TRNG_VERSION UL(0x84000050)
#define ARM_SMCCC_TRNG_FEATURES UL(0x84000051)
#define ARM_SMCCC_TRNG_GET_UUID UL(0x84000052)
#define ARM_SMCCC_TRNG_RND32 UL(0x84000053)
#define ARM_SMCCC_TRNG_RND64 UL(0xC4000053)
#define TRNG_SUCCESS 0
#define TRNG_NOT_SUPPORTED (-1)
#define TRNG_INVALID_PARAMETER (-2)
#define TRNG_NO_ENTROPY (-3)

/* Paravirtualised time (DEN 0057A; OEN 5, SMC64 only). */
#define ARM_SMCCC_HV_PV_TIME_FEATURES UL(0xC5000020)
#define ARM_SMCCC_HV_PV_TIME_ST UL(0xC5000021)

/* KVM vendor hypervisor services (OEN 6). */
#define ARM_SMCCC_VENDOR_HYP_CALL_UID UL(0x8600FF01)
#define ARM_SMCCC_VENDOR_HYP_KVM_FEATURES UL(0x86000000)
#define ARM_SMCCC_VENDOR_HYP_KVM_PTP UL(0x86000001)
#define ARM_SMCCC_KVM_FUNC_FEATURES 0
#define ARM_SMCCC_KVM_FUNC_PTP 1
#define KVM_PTP_VIRT_COUNTER 0
#define KVM_PTP_PHYS_COUNTER 1

/* SMCCC return codes (DEN 0028 §7.1; linux SMCCC_RET_*). */
#define SMCCC_RET_SUCCESS 0
#define SMCCC_RET_NOT_SUPPORTED (-1)
#define SMCCC_RET_NOT_REQUIRED (-2)
#define SMCCC_RET_INVALID_PARAMETER (-3)

/* X0..X3 after a call. */
struct smccc_res {
  u64 a0, a1, a2, a3;
};

/* HVC #0 with W0/X0 = fid and X1..X3 = a1..a3 (SMCCC 1.1: X4..X17 preserved by the callee). */
struct smccc_res smccc_hvc(u64 fid, u64 a1, u64 a2, u64 a3);

/* The PSCI name of a PSCI return code ("SUCCESS", "ALREADY_ON", ...), or "?". */
const char *psci_ret_name(i64 ret);

#endif
