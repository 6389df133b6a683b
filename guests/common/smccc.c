/*
 * smccc.c — SMCCC calls over HVC #0 returning X0..X3 (Arm DEN 0028 §2/§3: function ID in W0,
 * arguments in X1..X3, results in X0..X3), for the guests that look at more than X0.
 */
#include "smccc.h"

struct smccc_res smccc_hvc(u64 fid, u64 a1, u64 a2, u64 a3) {
  register u64 x0 __asm__("x0") = fid;
  register u64 x1 __asm__("x1") = a1;
  register u64 x2 __asm__("x2") = a2;
  register u64 x3 __asm__("x3") = a3;
  __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return (struct smccc_res){x0, x1, x2, x3};
}

const char *psci_ret_name(i64 ret) {
  switch (ret) {
    case PSCI_RET_SUCCESS:
      return "SUCCESS";
    case PSCI_RET_NOT_SUPPORTED:
      return "NOT_SUPPORTED";
    case PSCI_RET_INVALID_PARAMS:
      return "INVALID_PARAMETERS";
    case PSCI_RET_DENIED:
      return "DENIED";
    case PSCI_RET_ALREADY_ON:
      return "ALREADY_ON";
    case PSCI_RET_ON_PENDING:
      return "ON_PENDING";
    case PSCI_RET_INTERNAL_FAILURE:
      return "INTERNAL_FAILURE";
    case PSCI_RET_NOT_PRESENT:
      return "NOT_PRESENT";
    case PSCI_RET_DISABLED:
      return "DISABLED";
    case PSCI_RET_INVALID_ADDRESS:
      return "INVALID_ADDRESS";
    default:
      return "?";
  }
}
