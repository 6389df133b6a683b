/*
 * exceptions — synchronous exceptions at EL1 and EL0 and the stage-1 MMU (mmu.c).
 *
 * Every check prints the architecturally defined values it observed (ESR_EL1, ELR_EL1, FAR_EL1
 * where the Arm ARM defines it, loaded data) followed by "ok" or "FAIL", so the console output
 * is the same on any correct implementation and the QEMU output is the oracle for hvlab.
 *
 * This file: SVC/BRK/UDF/SMC at EL1, an illegal exception return, a PC alignment fault, and an
 * ERET to EL0 with SVC, UNDEF, HVC-at-EL0, a trapped WFI and a trapped CNTVCT_EL0 read. mmu.c
 * then turns the MMU on and checks faults at each level, AT, TLBI and ASIDs.
 */
#include "exc_test.h"

volatile struct trap_rec trap_log[TRAP_LOG];
volatile int trap_count;
static int checks, failures;

void trap_reset(void) { trap_count = 0; }

/* The guest's handler: log every synchronous exception, then resume (DDI 0487 D1.10: ELR_EL1 is
 * the preferred return address — the next instruction for SVC, the faulting one otherwise). */
static int handler(struct frame *f, u64 vec) {
  if (VEC_TYPE(vec) != VEC_SYNC) return 0;
  u64 ec = ESR_EC(f->esr);
  int from_el0 = VEC_GROUP(vec) == 2;
  if (ec == EC_SVC64 && from_el0 && (f->esr & 0xffff) == 0) {
    /* EL0 is done: return to enter_el0's caller at EL1h with DAIF masked, x0 preserved. */
    f->elr = ADDR(el0_return_point);
    f->spsr = 0x3c5;
    return 1;
  }
  if (trap_count < TRAP_LOG) {
    volatile struct trap_rec *r = &trap_log[trap_count];
    r->vec = vec;
    r->esr = (ec == EC_DABT_LOW || ec == EC_DABT_CUR) ? f->esr & ~DABT_IMPDEF_BITS : f->esr;
    r->far = f->far;
    r->elr = f->elr;
    r->spsr = f->spsr;
  }
  trap_count++;
  switch (ec) {
    case EC_SVC64:
      break;
    case EC_IABT_LOW:
    case EC_IABT_CUR:
    case EC_PC_ALIGN:
      f->elr = f->x[30]; /* every jump in probes.S is a BLR */
      break;
    case EC_ILLEGAL:
      f->spsr &= ~(1UL << 20); /* clear PSTATE.IL, or the ERET would fault again */
      f->elr += 4;
      break;
    default:
      f->elr += 4;
      break;
  }
  return 1;
}

/* Ends the current line with the verdict and counts it. */
static void verdict(int good) {
  checks++;
  if (!good) failures++;
  uart_puts(good ? " ok\n" : " FAIL\n");
}

void check(const char *what, int good) {
  uart_puts(what);
  verdict(good);
}

void expect_value(const char *what, u64 got, u64 want) {
  printf("%s: 0x%lx", what, got);
  verdict(got == want);
  if (got != want) printf("  expected 0x%lx\n", want);
}

void expect_trap(const char *what, int i, int total, u64 esr, u64 elr, u64 far) {
  int n = trap_count;
  if (i >= n || i >= TRAP_LOG) {
    printf("%s: no exception (%d taken)", what, n);
    verdict(0);
    return;
  }
  volatile struct trap_rec *r = &trap_log[i];
  int good = n == total && r->esr == esr && r->elr == elr && (far == NO_FAR || r->far == far);
  printf("%s: ESR=0x%lx ELR=0x%lx", what, r->esr, r->elr);
  if (far != NO_FAR) printf(" FAR=0x%lx", r->far);
  if (n != total) printf(" (%d exceptions)", n);
  verdict(good);
  if (!good) {
    printf("  expected ESR=0x%lx ELR=0x%lx", esr, elr);
    if (far != NO_FAR) printf(" FAR=0x%lx", far);
    printf(" and %d exception(s)\n", total);
  }
}

static void el1_tests(void) {
  trap_reset();
  probe_svc();
  expect_trap("svc #0x123", 0, 1, ESR(EC_SVC64, 0x123), ADDR(probe_svc_next), NO_FAR);
  expect_value("svc SPSR", trap_log[0].spsr, 0x600003c5);

  trap_reset();
  probe_brk();
  expect_trap("brk #0x42", 0, 1, ESR(EC_BRK64, 0x42), ADDR(probe_brk_insn), NO_FAR);

  trap_reset();
  probe_udf();
  expect_trap("udf #0x1234", 0, 1, ESR(EC_UNKNOWN, 0), ADDR(probe_udf_insn), NO_FAR);

  trap_reset();
  probe_smc();
  expect_trap("smc #0 without EL3", 0, 1, ESR(EC_UNKNOWN, 0), ADDR(probe_smc_insn), NO_FAR);

  trap_reset();
  probe_illegal_eret();
  expect_trap("illegal exception return", 0, 1, ESR(EC_ILLEGAL, 0), ADDR(probe_illegal_target), NO_FAR);
  expect_value("illegal return SPSR", trap_log[0].spsr, 0x1003c5);

  trap_reset();
  u64 target = ADDR(alias_fn) + 2;
  u64 r = probe_call(target);
  expect_trap("pc alignment", 0, 1, ESR(EC_PC_ALIGN, 0), target, target);
  expect_value("pc alignment x0", r, target);

  trap_reset();
  expect_value("call alias_fn (identity, MMU off)", probe_call(ADDR(alias_fn)), 0x1234);
  check("no exception", trap_count == 0);
}

/* SP_EL0 for EL0 code run with the MMU off. */
static u64 el0_stack[512] __attribute__((aligned(16)));

static void el0_tests(void) {
  /* CNTKCTL_EL1.EL0VCTEN = EL0PCTEN = 0 traps EL0 counter reads (DDI 0487 D11.2.2); SCTLR_EL1.nTWI
   * = 0 traps EL0 WFI (D17.2.118). */
  write_sysreg(0, cntkctl_el1);
  write_sysreg(SCTLR_EL1_INIT & ~(1UL << 16), sctlr_el1);
  isb();
  trap_reset();
  u64 ret = enter_el0(ADDR(el0_basic), ADDR(&el0_stack[512]), 0, 0);
  write_sysreg(SCTLR_EL1_INIT, sctlr_el1);
  isb();
  expect_value("el0 returned", ret, 0x77);
  expect_trap("el0 svc #0x42", 0, 5, ESR(EC_SVC64, 0x42), ADDR(el0_basic_svc_next), NO_FAR);
  expect_value("el0 svc SPSR", trap_log[0].spsr, 0x60000000);
  check("el0 svc taken to the lower-EL vector", trap_log[0].vec == 8);
  expect_trap("el0 mrs sctlr_el1", 1, 5, ESR(EC_UNKNOWN, 0), ADDR(el0_basic_mrs), NO_FAR);
  expect_trap("el0 hvc #0", 2, 5, ESR(EC_UNKNOWN, 0), ADDR(el0_basic_hvc), NO_FAR);
  /* WFI trap ISS: CV = 1, COND = 0xE, TI = 0 (D17.2.37, ISS encoding for WFI/WFE). */
  expect_trap("el0 wfi trapped", 3, 5, ESR(EC_WFX, 0x1e00000), ADDR(el0_basic_wfi), NO_FAR);
  /* MRS trap ISS: Op0 = 3, Op2 = 2, Op1 = 3, CRn = 14, Rt = 5, CRm = 0, Direction = 1 (read). */
  u64 iss = (3UL << 20) | (2UL << 17) | (3UL << 14) | (14UL << 10) | (5UL << 5) | (0UL << 1) | 1;
  expect_trap("el0 mrs cntvct_el0 trapped", 4, 5, ESR(EC_SYSREG, iss), ADDR(el0_basic_cntvct), NO_FAR);
}

int main(u64 boot_x0) {
  (void)boot_x0;
  uart_puts("exceptions: start\n");
  exc_hook = handler;
  el1_tests();
  el0_tests();
  mmu_tests();
  printf("exceptions: %d checks, %d failures\n", checks, failures);
  uart_puts(failures == 0 ? "exceptions: PASS\n" : "exceptions: FAIL\n");
  return 0;
}
