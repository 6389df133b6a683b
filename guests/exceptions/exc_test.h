/*
 * exc_test.h — shared state of the exceptions guest: the trap log filled by the exception
 * handler, the check helpers, and the probe labels of probes.S.
 */
#ifndef EXC_TEST_H
#define EXC_TEST_H
#include "hvguest.h"

#define SENTINEL 0xdeadUL
#define NO_FAR (~0UL)

/* Exception classes used here (DDI 0487 D17.2.37, ESR_ELx.EC). */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_ILLEGAL 0x0e
#define EC_SVC64 0x15
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_BRK64 0x3c
#define ESR(ec, iss) (((u64)(ec) << 26) | ESR_IL | (u64)(iss))
/* Data abort ISS: WnR bit 6; DFSC/IFSC codes (DDI 0487 D17.2.37 ISS encoding for aborts). */
#define WNR (1UL << 6)
#define FSC_TRANS(l) (0x04 + (l))
#define FSC_AF(l) (0x08 + (l))
#define FSC_PERM(l) (0x0c + (l))
#define FSC_ALIGN 0x21
/* Data-abort ESR bits recorded as 0: ISV (24) and the instruction syndrome it validates
 * (SAS, SSE, SRT, SF, AR: 23:14) are IMPLEMENTATION DEFINED for aborts taken to EL1, and EA (9)
 * is an IMPLEMENTATION DEFINED classification of external aborts (DDI 0487 D17.2.37). */
#define DABT_IMPDEF_BITS 0x01ffc200UL

struct trap_rec {
  u64 vec, esr, far, elr, spsr;
};
#define TRAP_LOG 8
extern volatile struct trap_rec trap_log[TRAP_LOG];
extern volatile int trap_count;

void trap_reset(void);
/* Checks that trap `i` of the log has this ESR and ELR (and FAR unless NO_FAR) and that exactly
 * `total` traps were taken; prints the observed values and "ok" or "FAIL". */
void expect_trap(const char *what, int i, int total, u64 esr, u64 elr, u64 far);
/* Prints "what: <value> ok|FAIL". */
void expect_value(const char *what, u64 got, u64 want);
void check(const char *what, int good);
void mmu_tests(void);

/* probes.S */
u64 probe_ld64(u64 va);
u64 probe_ld32(u64 va);
void probe_st64(u64 va, u64 value);
u64 probe_ldxr(u64 va);
void probe_svc(void);
void probe_brk(void);
void probe_udf(void);
void probe_smc(void);
u64 probe_call(u64 target);
void probe_illegal_eret(void);
u64 enter_el0(u64 fn, u64 sp_el0, u64 arg0, u64 arg1);
extern char probe_ld64_insn[], probe_ld32_insn[], probe_st64_insn[], probe_ldxr_insn[], probe_svc_next[],
    probe_brk_insn[], probe_udf_insn[], probe_smc_insn[], probe_illegal_target[];
extern char el0_basic[], el0_basic_svc_next[], el0_basic_mrs[], el0_basic_hvc[], el0_basic_wfi[],
    el0_basic_cntvct[];
extern char el0_mmu[], el0_mmu_svc_next[], el0_mmu_ld[], alias_fn[];
extern char el0_return_point[];
extern char __el0_start[], __el0_end[], __image_end[];

#define ADDR(sym) ((u64)(sym))
#endif
