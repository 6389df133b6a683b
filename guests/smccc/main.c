/*
 * smccc — every SMCCC service a KVM guest can discover and call, over HVC #0, with the answers
 * KVM gives a guest in its default configuration (reference/psci-smccc.md; the line-by-line
 * sources are in EXPECTED.md next to this file).
 *
 * QEMU's built-in firmware (target/arm/psci.c) answers every non-PSCI call with NOT_SUPPORTED,
 * so this guest has no QEMU oracle: its expected output (expected/smccc.txt) is written from the
 * reference, and only hvlab is compared with it.
 *
 * The configuration assumed is KVM's default for a VMM that sets nothing but the PV-time IPA
 * (as QEMU with KVM does): PSCI 1.3, STD_BMAP = TRNG, STD_HYP_BMAP = PV_TIME, VENDOR_HYP_BMAP =
 * FUNC_FEAT | PTP, VENDOR_HYP_BMAP_2 = 0, no SYSTEM_SUSPEND, no SMCCC filter, one vCPU.
 *
 * Nothing host- or time-dependent is printed: random bits, wall-clock and counter values, the
 * stolen-time IPA and amount, and the Spectre workaround levels (which follow the host's CPUs)
 * are checked for their architected shape only.
 */
#include "smccc.h"

static int failures;

static void verdict(int good) {
  if (good) {
    uart_puts(" ok\n");
  } else {
    uart_puts(" FAIL\n");
    failures++;
  }
}

static void expect_i64(const char *what, i64 got, i64 want) {
  printf("%s = %ld", what, got);
  verdict(got == want);
}

static void expect_hex(const char *what, u64 got, u64 want) {
  printf("%s = 0x%lx", what, got);
  verdict(got == want);
}

static void expect_yes(const char *what, int good) {
  printf("%s: %s", what, good ? "yes" : "no");
  verdict(good);
}

/* X1..X3 nonzero going in, so that zeroing (KVM) is visible. */
#define POISON1 0x1111111111111111UL
#define POISON2 0x2222222222222222UL
#define POISON3 0x3333333333333333UL

static struct smccc_res call1(u64 fid, u64 a1) { return smccc_hvc(fid, a1, POISON2, POISON3); }
static i64 ret1(u64 fid, u64 a1) { return (i64)call1(fid, a1).a0; }

/* A call that returns NOT_SUPPORTED: X0 = -1 and X1..X3 zeroed (KVM writes X0..X3). */
static void expect_unknown(const char *what, u64 fid) {
  struct smccc_res r = smccc_hvc(fid, POISON1, POISON2, POISON3);
  printf("%s 0x%08lx: X0 = %ld, X1..X3 = %lx %lx %lx", what, fid, (i64)r.a0, r.a1, r.a2, r.a3);
  verdict((i64)r.a0 == SMCCC_RET_NOT_SUPPORTED && r.a1 == 0 && r.a2 == 0 && r.a3 == 0);
}

/* ---- SMCCC 1.1 register rules ---- */

/* HVC with X4..X17 loaded with known values; returns how many of them changed. */
static u64 clobbered_x4_x17(u64 fid) {
  u64 changed;
  __asm__ volatile(
      "  mov x0, %1\n"
      "  mov x1, #0\n"
      "  mov x2, #0\n"
      "  mov x3, #0\n"
      "  mov x4, #0x404\n"
      "  mov x5, #0x505\n"
      "  mov x6, #0x606\n"
      "  mov x7, #0x707\n"
      "  mov x8, #0x808\n"
      "  mov x9, #0x909\n"
      "  mov x10, #0xa0a\n"
      "  mov x11, #0xb0b\n"
      "  mov x12, #0xc0c\n"
      "  mov x13, #0xd0d\n"
      "  mov x14, #0xe0e\n"
      "  mov x15, #0xf0f\n"
      "  mov x16, #0x1010\n"
      "  mov x17, #0x1111\n"
      "  hvc #0\n"
      "  mov %0, #0\n"
      "  cmp x4, #0x404\n  cinc %0, %0, ne\n"
      "  cmp x5, #0x505\n  cinc %0, %0, ne\n"
      "  cmp x6, #0x606\n  cinc %0, %0, ne\n"
      "  cmp x7, #0x707\n  cinc %0, %0, ne\n"
      "  cmp x8, #0x808\n  cinc %0, %0, ne\n"
      "  cmp x9, #0x909\n  cinc %0, %0, ne\n"
      "  cmp x10, #0xa0a\n  cinc %0, %0, ne\n"
      "  cmp x11, #0xb0b\n  cinc %0, %0, ne\n"
      "  cmp x12, #0xc0c\n  cinc %0, %0, ne\n"
      "  cmp x13, #0xd0d\n  cinc %0, %0, ne\n"
      "  cmp x14, #0xe0e\n  cinc %0, %0, ne\n"
      "  cmp x15, #0xf0f\n  cinc %0, %0, ne\n"
      "  mov x0, #0x1010\n  cmp x16, x0\n  cinc %0, %0, ne\n"
      "  mov x0, #0x1111\n  cmp x17, x0\n  cinc %0, %0, ne\n"
      : "=&r"(changed)
      : "r"(fid)
      : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
        "x17", "cc", "memory");
  return changed;
}

/* ---- Arm architecture calls ---- */

static void arch_calls(void) {
  struct smccc_res v = smccc_hvc(SMCCC_VERSION_FID, POISON1, POISON2, POISON3);
  expect_hex("SMCCC_VERSION", v.a0, 0x10001);
  expect_yes("SMCCC_VERSION: X1..X3 zeroed", v.a1 == 0 && v.a2 == 0 && v.a3 == 0);
  expect_i64("PSCI_FEATURES(SMCCC_VERSION)", ret1(PSCI_1_0_FN_PSCI_FEATURES, SMCCC_VERSION_FID), 0);
  expect_i64("SMCCC_VERSION: X4..X17 changed", (i64)clobbered_x4_x17(SMCCC_VERSION_FID), 0);
  expect_i64("unknown call: X4..X17 changed", (i64)clobbered_x4_x17(0xC2001234UL), 0);

  static const struct {
    const char *name;
    u64 fid;
  } not_features[] = {
      {"SMCCC_VERSION", SMCCC_VERSION_FID},
      {"SMCCC_ARCH_FEATURES", SMCCC_ARCH_FEATURES},
      {"SMCCC_ARCH_SOC_ID", SMCCC_ARCH_SOC_ID},
      {"PSCI_VERSION", PSCI_0_2_FN_PSCI_VERSION},
      {"CPU_ON64", PSCI_0_2_FN64_CPU_ON},
      {"PSCI_FEATURES", PSCI_1_0_FN_PSCI_FEATURES},
      {"TRNG_VERSION", ARM_SMCCC_TRNG_VERSION},
      {"PV_TIME_ST", ARM_SMCCC_HV_PV_TIME_ST},
      {"KVM FEATURES", ARM_SMCCC_VENDOR_HYP_KVM_FEATURES},
      {"0x8000abcd", 0x8000abcdUL},
      {"0xc2001234", 0xC2001234UL},
  };
  for (u64 i = 0; i < sizeof not_features / sizeof not_features[0]; i++) {
    printf("SMCCC_ARCH_FEATURES(%s)", not_features[i].name);
    expect_i64("", ret1(SMCCC_ARCH_FEATURES, not_features[i].fid), SMCCC_RET_NOT_SUPPORTED);
  }
  expect_i64("SMCCC_ARCH_FEATURES(PV_TIME_FEATURES)", ret1(SMCCC_ARCH_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES), 0);

  /* The workaround levels follow the host's CPUs (KVM hypercalls.c): only their shape is fixed.
   * WORKAROUND_1/3: NOT_SUPPORTED (vulnerable), 0 (mitigated: call it) or 1 (unaffected);
   * WORKAROUND_2: NOT_SUPPORTED or NOT_REQUIRED. A call to WORKAROUND_1/3 that ARCH_FEATURES
   * advertised (0) returns 0. */
  i64 wa1 = ret1(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1);
  i64 wa2 = ret1(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2);
  i64 wa3 = ret1(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3);
  expect_yes("SMCCC_ARCH_FEATURES(SMCCC_ARCH_WORKAROUND_1) is -1, 0 or 1", wa1 >= -1 && wa1 <= 1);
  expect_yes("SMCCC_ARCH_FEATURES(SMCCC_ARCH_WORKAROUND_2) is -1 or -2", wa2 == -1 || wa2 == -2);
  expect_yes("SMCCC_ARCH_FEATURES(SMCCC_ARCH_WORKAROUND_3) is -1, 0 or 1", wa3 >= -1 && wa3 <= 1);
  expect_yes("SMCCC_ARCH_WORKAROUND_1 returns 0 when advertised",
             wa1 != 0 || (i64)smccc_hvc(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0).a0 == 0);
  expect_yes("SMCCC_ARCH_WORKAROUND_3 returns 0 when advertised",
             wa3 != 0 || (i64)smccc_hvc(SMCCC_ARCH_WORKAROUND_3, 0, 0, 0).a0 == 0);
}

/* ---- per-service queries ---- */

/* A UUID returned in W0..W3: its 16 bytes in order, four per register, little-endian (DEN 0028
 * §6.2 Call UID; Linux builds them with UUID_INIT, so the bytes are the RFC 4122 text order). */
static void print_uuid(const char *what, struct smccc_res r) {
  u64 w[4] = {r.a0, r.a1, r.a2, r.a3};
  printf("%s = ", what);
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uart_putc('-');
    put_hexn((w[i / 4] >> (8 * (i % 4))) & 0xff, 2);
  }
}

static void service_queries(void) {
  struct smccc_res uid = call1(ARM_SMCCC_VENDOR_HYP_CALL_UID, POISON1);
  printf("vendor hyp Call UID = %08lx %08lx %08lx %08lx", uid.a0, uid.a1, uid.a2, uid.a3);
  verdict(uid.a0 == 0xb66fb428UL && uid.a1 == 0xe911c52eUL && uid.a2 == 0x564bcaa9UL && uid.a3 == 0x743a004dUL);
  print_uuid("vendor hyp Call UID as a UUID", uid);
  verdict(uid.a0 == 0xb66fb428UL && uid.a1 == 0xe911c52eUL && uid.a2 == 0x564bcaa9UL && uid.a3 == 0x743a004dUL);
  expect_unknown("vendor hyp Call Count", SMCCC_CALL_COUNT(OEN_VENDOR_HYP));
  expect_unknown("vendor hyp Revision", SMCCC_REVISION(OEN_VENDOR_HYP));
  expect_unknown("standard secure Call Count", SMCCC_CALL_COUNT(OEN_STD_SECURE));
  expect_unknown("standard secure Call UID", SMCCC_CALL_UID(OEN_STD_SECURE));
  expect_unknown("standard secure Revision", SMCCC_REVISION(OEN_STD_SECURE));
  expect_unknown("standard hyp Call Count", SMCCC_CALL_COUNT(OEN_STD_HYP));
  expect_unknown("standard hyp Call UID", SMCCC_CALL_UID(OEN_STD_HYP));
  expect_unknown("standard hyp Revision", SMCCC_REVISION(OEN_STD_HYP));
  expect_unknown("SiP SMC64 call", 0xC2001234UL);
  expect_unknown("OEM SMC32 call", 0x83000000UL);
  expect_unknown("KVM vendor fn 2 (HYP_MEMINFO, pKVM only)", 0xC6000002UL);
}

/* ---- TRNG ---- */

/* True if (hi, mid, lo) holds at most n bits: W/X1 = top, W/X3 = bottom, `width` bits each. */
static int fits(u64 hi, u64 mid, u64 lo, u64 n, u64 width) {
  u64 regs[3] = {lo, mid, hi};
  for (u64 r = 0; r < 3; r++) {
    u64 first = r * width; /* bit number of this register's bit 0 */
    u64 allowed;
    if (n <= first)
      allowed = 0;
    else if (n - first >= 64)
      allowed = ~0UL;
    else
      allowed = (1UL << (n - first)) - 1;
    if (width == 32) allowed &= 0xffffffffUL;
    if (regs[r] & ~allowed) return 0;
  }
  return 1;
}

static void trng(void) {
  expect_hex("TRNG_VERSION", (u64)ret1(ARM_SMCCC_TRNG_VERSION, 0), 0x10000);
  static const struct {
    const char *name;
    u64 fid;
    i64 want;
  } feats[] = {
      {"TRNG_VERSION", ARM_SMCCC_TRNG_VERSION, TRNG_SUCCESS},
      {"TRNG_FEATURES", ARM_SMCCC_TRNG_FEATURES, TRNG_SUCCESS},
      {"TRNG_GET_UUID", ARM_SMCCC_TRNG_GET_UUID, TRNG_SUCCESS},
      {"TRNG_RND32", ARM_SMCCC_TRNG_RND32, TRNG_SUCCESS},
      {"TRNG_RND64", ARM_SMCCC_TRNG_RND64, TRNG_SUCCESS},
      {"0x84000054", 0x84000054UL, TRNG_NOT_SUPPORTED},
      {"0xc4000050", 0xC4000050UL, TRNG_NOT_SUPPORTED},
      {"PSCI_VERSION", PSCI_0_2_FN_PSCI_VERSION, TRNG_NOT_SUPPORTED},
  };
  for (u64 i = 0; i < sizeof feats / sizeof feats[0]; i++) {
    printf("TRNG_FEATURES(%s)", feats[i].name);
    expect_i64("", ret1(ARM_SMCCC_TRNG_FEATURES, feats[i].fid), feats[i].want);
  }
  struct smccc_res u = call1(ARM_SMCCC_TRNG_GET_UUID, POISON1);
  printf("TRNG_GET_UUID = %08lx %08lx %08lx %08lx", u.a0, u.a1, u.a2, u.a3);
  verdict(u.a0 == 0x00e0210dUL && u.a1 == 0xeb118443UL && u.a2 == 0x44527080UL && u.a3 == 0x4c5a4e55UL);
  print_uuid("TRNG_GET_UUID as a UUID", u);
  verdict(u.a0 == 0x00e0210dUL && u.a1 == 0xeb118443UL && u.a2 == 0x44527080UL && u.a3 == 0x4c5a4e55UL);

  static const u64 n32[] = {0, 1, 31, 32, 33, 64, 95, 96};
  for (u64 i = 0; i < sizeof n32 / sizeof n32[0]; i++) {
    struct smccc_res r = call1(ARM_SMCCC_TRNG_RND32, n32[i]);
    printf("TRNG_RND32(%lu): X0 = %ld, entropy fits in %lu bits of W1:W2:W3", n32[i], (i64)r.a0, n32[i]);
    verdict((i64)r.a0 == TRNG_SUCCESS && fits(r.a1, r.a2, r.a3, n32[i], 32));
  }
  static const u64 n64[] = {0, 1, 63, 64, 65, 128, 191, 192};
  for (u64 i = 0; i < sizeof n64 / sizeof n64[0]; i++) {
    struct smccc_res r = call1(ARM_SMCCC_TRNG_RND64, n64[i]);
    printf("TRNG_RND64(%lu): X0 = %ld, entropy fits in %lu bits of X1:X2:X3", n64[i], (i64)r.a0, n64[i]);
    verdict((i64)r.a0 == TRNG_SUCCESS && fits(r.a1, r.a2, r.a3, n64[i], 64));
  }
  struct smccc_res a = call1(ARM_SMCCC_TRNG_RND64, 192);
  struct smccc_res b = call1(ARM_SMCCC_TRNG_RND64, 192);
  expect_yes("TRNG_RND64(192) twice: the answers differ", a.a1 != b.a1 || a.a2 != b.a2 || a.a3 != b.a3);
  struct smccc_res e32 = call1(ARM_SMCCC_TRNG_RND32, 97);
  printf("TRNG_RND32(97): X0 = %ld, X1..X3 = %lx %lx %lx", (i64)e32.a0, e32.a1, e32.a2, e32.a3);
  verdict((i64)e32.a0 == TRNG_INVALID_PARAMETER && e32.a1 == 0 && e32.a2 == 0 && e32.a3 == 0);
  struct smccc_res e64 = call1(ARM_SMCCC_TRNG_RND64, 193);
  printf("TRNG_RND64(193): X0 = %ld, X1..X3 = %lx %lx %lx", (i64)e64.a0, e64.a1, e64.a2, e64.a3);
  verdict((i64)e64.a0 == TRNG_INVALID_PARAMETER && e64.a1 == 0 && e64.a2 == 0 && e64.a3 == 0);
}

/* ---- KVM vendor services ---- */

static u64 cntvct(void) {
  isb();
  return read_sysreg(cntvct_el0);
}
static u64 cntpct(void) {
  isb();
  return read_sysreg(cntpct_el0);
}

static void ptp(u64 counter, const char *name) {
  u64 before = counter == KVM_PTP_VIRT_COUNTER ? cntvct() : cntpct();
  struct smccc_res r = call1(ARM_SMCCC_VENDOR_HYP_KVM_PTP, counter);
  u64 after = counter == KVM_PTP_VIRT_COUNTER ? cntvct() : cntpct();
  u64 ns = r.a0 << 32 | r.a1;
  u64 cycles = r.a2 << 32 | r.a3;
  printf("KVM PTP(%s): X0 is not NOT_SUPPORTED, X0..X3 are 32-bit halves: %s", name,
         (i64)r.a0 != -1 && ((r.a0 | r.a1 | r.a2 | r.a3) >> 32) == 0 ? "yes" : "no");
  verdict((i64)r.a0 != -1 && ((r.a0 | r.a1 | r.a2 | r.a3) >> 32) == 0);
  printf("KVM PTP(%s): %s before <= counter <= after: %s", name,
         counter == KVM_PTP_VIRT_COUNTER ? "CNTVCT_EL0" : "CNTPCT_EL0",
         before <= cycles && cycles <= after ? "yes" : "no");
  verdict(before <= cycles && cycles <= after);
  printf("KVM PTP(%s): wall clock is not zero: %s", name, ns != 0 ? "yes" : "no");
  verdict(ns != 0);
}

static void kvm_vendor(void) {
  struct smccc_res f = call1(ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, POISON1);
  printf("KVM FEATURES = %lx %lx %lx %lx (functions 0-31, 32-63, 64-95, 96-127)", f.a0, f.a1, f.a2, f.a3);
  verdict(f.a0 == ((1UL << ARM_SMCCC_KVM_FUNC_FEATURES) | (1UL << ARM_SMCCC_KVM_FUNC_PTP)) && f.a1 == 0 &&
          f.a2 == 0 && f.a3 == 0);
  ptp(KVM_PTP_VIRT_COUNTER, "virtual");
  ptp(KVM_PTP_PHYS_COUNTER, "physical");
  struct smccc_res bad = call1(ARM_SMCCC_VENDOR_HYP_KVM_PTP, 2);
  printf("KVM PTP(2): X0 = %ld", (i64)bad.a0);
  verdict((i64)bad.a0 == SMCCC_RET_NOT_SUPPORTED);
}

/* ---- PV time ---- */

static void pv_time(void) {
  expect_i64("PV_TIME_FEATURES(PV_TIME_FEATURES)", ret1(ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_FEATURES),
             0);
  expect_i64("PV_TIME_FEATURES(PV_TIME_ST)", ret1(ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST), 0);
  expect_i64("PV_TIME_FEATURES(0xc5000022)", ret1(ARM_SMCCC_HV_PV_TIME_FEATURES, 0xC5000022UL),
             SMCCC_RET_NOT_SUPPORTED);
  expect_i64("PV_TIME_FEATURES(SMCCC_VERSION)", ret1(ARM_SMCCC_HV_PV_TIME_FEATURES, SMCCC_VERSION_FID),
             SMCCC_RET_NOT_SUPPORTED);
  i64 ipa = ret1(ARM_SMCCC_HV_PV_TIME_ST, 0);
  expect_yes("PV_TIME_ST: an IPA, 64-byte aligned", ipa != SMCCC_RET_NOT_SUPPORTED && ipa > 0 && (ipa & 63) == 0);
  if (ipa <= 0 || (ipa & 63) != 0) return;
  /* Stolen-time record (DEN 0057A §3.1): revision u32 @0, attributes u32 @4, stolen_time u64 @8.
   * Read with single plain loads (common/hvguest.h), as it may be Device memory with the MMU off. */
  expect_i64("PV time record: revision", mmio_read32((u64)ipa), 0);
  expect_i64("PV time record: attributes", mmio_read32((u64)ipa + 4), 0);
  (void)mmio_read64((u64)ipa + 8); /* the stolen time itself depends on the host's scheduling */
}

/* ---- PSCI, SMC64 variants and KVM's 1.3 answers ---- */

static void psci(void) {
  expect_hex("PSCI_VERSION", (u64)ret1(PSCI_0_2_FN_PSCI_VERSION, 0), 0x10003);
  static const struct {
    const char *name;
    u64 fid;
    i64 want;
  } feats[] = {
      {"CPU_SUSPEND64", PSCI_0_2_FN64_CPU_SUSPEND, 0},
      {"CPU_ON64", PSCI_0_2_FN64_CPU_ON, 0},
      {"AFFINITY_INFO64", PSCI_0_2_FN64_AFFINITY_INFO, 0},
      {"MIGRATE64", PSCI_0_2_FN64_MIGRATE, PSCI_RET_NOT_SUPPORTED},
      {"MIGRATE_INFO_UP_CPU64", PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU, PSCI_RET_NOT_SUPPORTED},
      {"CPU_DEFAULT_SUSPEND64", PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND, PSCI_RET_NOT_SUPPORTED},
      {"NODE_HW_STATE64", PSCI_1_0_FN64_NODE_HW_STATE, PSCI_RET_NOT_SUPPORTED},
      {"SYSTEM_SUSPEND64", PSCI_1_0_FN64_SYSTEM_SUSPEND, PSCI_RET_NOT_SUPPORTED},
      {"STAT_RESIDENCY64", PSCI_1_0_FN64_STAT_RESIDENCY, PSCI_RET_NOT_SUPPORTED},
      {"STAT_COUNT64", PSCI_1_0_FN64_STAT_COUNT, PSCI_RET_NOT_SUPPORTED},
      {"SYSTEM_RESET2", PSCI_1_1_FN_SYSTEM_RESET2, 0},
      {"SYSTEM_RESET2_64", PSCI_1_1_FN64_SYSTEM_RESET2, 0},
      {"MEM_PROTECT_CHECK_RANGE64", PSCI_1_1_FN64_MEM_PROTECT_CHECK_RANGE, PSCI_RET_NOT_SUPPORTED},
      {"SYSTEM_OFF2", PSCI_1_3_FN_SYSTEM_OFF2, 1},
      {"SYSTEM_OFF2_64", PSCI_1_3_FN64_SYSTEM_OFF2, 1},
  };
  for (u64 i = 0; i < sizeof feats / sizeof feats[0]; i++) {
    printf("PSCI_FEATURES(%s)", feats[i].name);
    expect_i64("", ret1(PSCI_1_0_FN_PSCI_FEATURES, feats[i].fid), feats[i].want);
  }
  expect_i64("MIGRATE_INFO_TYPE", ret1(PSCI_0_2_FN_MIGRATE_INFO_TYPE, 0), 2);
  expect_i64("MIGRATE_INFO_UP_CPU64", ret1(PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU, 0), PSCI_RET_NOT_SUPPORTED);
  expect_i64("MIGRATE64(0x0)", ret1(PSCI_0_2_FN64_MIGRATE, 0), PSCI_RET_NOT_SUPPORTED);
  expect_i64("NODE_HW_STATE64(0x0, 0)", (i64)smccc_hvc(PSCI_1_0_FN64_NODE_HW_STATE, 0, 0, 0).a0,
             PSCI_RET_NOT_SUPPORTED);
  expect_i64("SYSTEM_SUSPEND64 (not enabled by the VMM)", (i64)smccc_hvc(PSCI_1_0_FN64_SYSTEM_SUSPEND, 0, 0, 0).a0,
             PSCI_RET_NOT_SUPPORTED);

  /* AFFINITY_INFO64: levels 0..3 mask the MPIDR; no match or level > 3 is INVALID_PARAMETERS. */
  for (u64 level = 0; level <= 3; level++) {
    printf("AFFINITY_INFO64(0x0, level %lu)", level);
    expect_i64("", (i64)smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, 0, level, 0).a0, PSCI_0_2_AFFINITY_LEVEL_ON);
  }
  expect_i64("AFFINITY_INFO64(0x0, level 4)", (i64)smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, 0, 4, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_i64("AFFINITY_INFO64(0x1, level 0) (no such vCPU)", (i64)smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, 1, 0, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_i64("AFFINITY_INFO64(0x100000000, level 0) (Aff3 = 1)",
             (i64)smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, 0x100000000UL, 0, 0).a0, PSCI_RET_INVALID_PARAMS);
  expect_i64("AFFINITY_INFO(0xffffffff00000000, level 0) (SMC32: top half ignored)",
             (i64)smccc_hvc(PSCI_0_2_FN_AFFINITY_INFO, 0xffffffff00000000UL, 0, 0).a0, PSCI_0_2_AFFINITY_LEVEL_ON);

  /* CPU_ON64 on the only vCPU and on ones that do not exist. */
  u64 entry = RAM_BASE + 0x80000;
  expect_i64("CPU_ON64(0x0) (itself)", (i64)smccc_hvc(PSCI_0_2_FN64_CPU_ON, 0, entry, 0).a0, PSCI_RET_ALREADY_ON);
  expect_i64("CPU_ON64(0x1) (no such vCPU)", (i64)smccc_hvc(PSCI_0_2_FN64_CPU_ON, 1, entry, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_i64("CPU_ON64(0x100000000) (Aff3 = 1)", (i64)smccc_hvc(PSCI_0_2_FN64_CPU_ON, 0x100000000UL, entry, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_i64("CPU_ON64(0x80000000) (bit 31 is not affinity)",
             (i64)smccc_hvc(PSCI_0_2_FN64_CPU_ON, 0x80000000UL, entry, 0).a0, PSCI_RET_INVALID_PARAMS);
  expect_i64("CPU_ON(0xffffffff00000000) (SMC32: top half ignored, itself)",
             (i64)smccc_hvc(PSCI_0_2_FN_CPU_ON, 0xffffffff00000000UL, entry, 0).a0, PSCI_RET_ALREADY_ON);

  /* System calls that only return on bad arguments. */
  expect_i64("SYSTEM_RESET2_64(type 1, cookie 0) (architectural, not warm reset)",
             (i64)smccc_hvc(PSCI_1_1_FN64_SYSTEM_RESET2, 1, 0, 0).a0, PSCI_RET_INVALID_PARAMS);
  expect_i64("SYSTEM_OFF2_64(type 2, cookie 0)", (i64)smccc_hvc(PSCI_1_3_FN64_SYSTEM_OFF2, 2, 0, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_i64("SYSTEM_OFF2_64(type 1, cookie 1)", (i64)smccc_hvc(PSCI_1_3_FN64_SYSTEM_OFF2, 1, 1, 0).a0,
             PSCI_RET_INVALID_PARAMS);
  expect_unknown("PSCI function 0x1f (SMC64)", PSCI_0_2_FN64(0x1f));
}

int main(u64 boot_x0) {
  (void)boot_x0;
  printf("smccc: SMCCC services over HVC (KVM's answers)\n");
  arch_calls();
  service_queries();
  trng();
  kvm_vendor();
  pv_time();
  psci();
  if (failures == 0)
    printf("smccc: PASS\n");
  else
    printf("smccc: FAIL (%d checks)\n", failures);
  return 0;
}
