/*
 * smp — four CPUs brought up, worked and taken down through PSCI (Arm DEN 0022 §5.1.4-5.1.5,
 * §6.4), over the HVC conduit that QEMU virt and KVM both give an EL1 guest.
 *
 * The console must be the same on QEMU (-smp 4, MTTCG: the CPUs really run in parallel) and on
 * hvlab whatever the scheduling, so:
 *   - only one CPU prints at a time: the one whose index is in `turn`, handed on explicitly
 *     (store-release + SEV, waited for with load-acquire + WFE);
 *   - nothing timing-dependent is printed (no counters, no poll counts, no register values that
 *     depend on when a CPU ran); a poll that waits for a CPU to go OFF prints only its outcome;
 *   - ALREADY_ON and AFFINITY_INFO = ON are asked only after the target has proved it runs (it
 *     printed), because QEMU marks a CPU ON_PENDING until it starts (target/arm/arm-powerctl.c)
 *     while KVM never reports ON_PENDING (reference/psci-smccc.md §2.3);
 *   - only answers QEMU 7.2 (target/arm/psci.c) and KVM (arch/arm64/kvm/psci.c) agree on are
 *     printed. Left out on purpose: the PSCI_VERSION minor (QEMU 1.1, KVM 1.3),
 *     PSCI_FEATURES(SMCCC_VERSION) (QEMU -1, KVM 0), PSCI_FEATURES(SYSTEM_RESET2/SYSTEM_OFF2)
 *     (QEMU -1, KVM 0/1), PSCI_FEATURES of the PSCI 0.1 IDs (QEMU 0, KVM -1), AFFINITY_INFO at a
 *     level above 3 or for an unmatched cluster (QEMU answers ON for any level > 0, KVM
 *     INVALID_PARAMETERS), AFFINITY_INFO/CPU_ON with bits above 31 in an SMC32 argument (KVM
 *     truncates, QEMU does not) and X1..X3 after a call (KVM zeroes them, QEMU preserves them).
 *
 * Sequence:
 *   1. cpu0: PSCI_VERSION major, MIGRATE_INFO_TYPE, PSCI_FEATURES of the PSCI calls (all those
 *      QEMU and KVM answer alike);
 *      AFFINITY_INFO of each CPU (level 0) and of cpu0's cluster at levels 1..3; CPU_ON and
 *      AFFINITY_INFO with MPIDRs that name no CPU (INVALID_PARAMETERS); CPU_ON(self) (ALREADY_ON).
 *   2. cpu0 starts cpu1 (CPU_ON64, 64-bit context ID), cpu2 (CPU_ON, 32-bit) and cpu3 (CPU_ON64).
 *      Each checks its entry state (X0 = context_id, EL1, DAIF masked, MMU and D-cache off,
 *      SPSel, MPIDR_EL1), asks AFFINITY_INFO(self) and CPU_ON(cpu0) and hands the turn back;
 *      cpu0 then sees it ON and gets ALREADY_ON for it.
 *   3. All four work at once: a checksum of a pattern written into each CPU's own memory, and
 *      2000 rounds each of a spinlock-protected plain increment (LDAXR/STXR lock, STLR unlock,
 *      with an owner check for mutual exclusion) and of an LDAXR/STLXR atomic increment.
 *   4. Each CPU prints its checksum in turn; the secondaries unmask DAIF and set SCTLR_EL1.C (so
 *      that a restart shows a reset) and call CPU_OFF; cpu0 waits for AFFINITY_INFO = OFF.
 *   5. Second life: cpu0 restarts cpu1, which starts cpu2 itself (CPU_ON from a secondary) and
 *      waits for it to turn itself off; then cpu1 turns off; cpu0 checks everything is OFF.
 *   6. Summary and PSCI SYSTEM_OFF (common/start.S).
 *
 * Everything runs with the MMU off, so data accesses are Device-nGnRnE (DDI 0487, "Behavior when
 * stage 1 address translation is disabled"). The architecture leaves exclusives on Device memory
 * IMPLEMENTATION DEFINED (B2.9); QEMU and hvlab both implement them with the global-monitor
 * behaviour of Normal memory, which is what this guest relies on (on hardware a guest would turn
 * the MMU on first).
 */
#include "smccc.h"
#include "smp.h"

#define ROUNDS 2000
/* Iterations of the delay loop inside the critical section. */
#define CRITICAL_DELAY 16
#define WORK_WORDS 512
#define NO_OWNER 0xffU
/* A poll for a CPU to go OFF gives up after this many AFFINITY_INFO calls (QEMU turns a CPU off
 * asynchronously, so a few polls may still see it ON; KVM and hvlab turn it off at once). */
#define OFF_POLL_LIMIT 100000000UL

/* Referenced by entry.S. */
u8 smp_stacks[SMP_CPUS][SMP_STACK_SIZE] __attribute__((aligned(16)));
extern char secondary_entry[];

/* The CPU that may print (and run the next step of the sequence). */
static volatile u32 turn;
/* Released by cpu0 to start the work phase. */
static volatile u32 go;
/* CPUs done with the work phase (atomic). */
static u32 done_count;
/* The spinlock, the counter it protects, and the mutual-exclusion check. */
static u32 lock;
static volatile u64 locked_counter;
static volatile u32 owner;
static volatile u32 violations;
/* Incremented with LDAXR/STLXR only. */
static u64 atomic_counter;
/* Failed checks, any CPU (atomic). */
static u32 failures;
/* The context ID each CPU must find in X0, written before its CPU_ON. */
static volatile u64 context_for[SMP_CPUS];
/* How many times each CPU has been started (written by that CPU only). */
static volatile u32 lives[SMP_CPUS];
/* Each CPU's own memory for the checksum. */
static u64 work_area[SMP_CPUS][WORK_WORDS];

/* ---- synchronisation (DDI 0487 B2.3 ordering, B2.9 exclusives, D1.16 WFE/SEV) ---- */

static inline u32 load_acquire(volatile u32 *p) {
  u32 v;
  __asm__ volatile("ldar %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
  return v;
}

/* Device writes (the UART) complete before the flag is seen (DSB), then wake WFE waiters. */
static inline void store_release(volatile u32 *p, u32 v) {
  __asm__ volatile("dsb sy\n\tstlr %w0, [%1]\n\tdsb sy\n\tsev" ::"rZ"(v), "r"(p) : "memory");
}

static void wait_until(volatile u32 *p, u32 v) {
  while (load_acquire(p) != v) __asm__ volatile("wfe" ::: "memory");
}

static void give_turn(u32 cpu) { store_release(&turn, cpu); }
static void wait_turn(u32 cpu) { wait_until(&turn, cpu); }

/* Test-and-set lock as pre-LSE Linux: SEVL + WFE, LDAXR, STXR (acquire); STLR to release. */
static void spin_lock(u32 *l) {
  u32 tmp;
  __asm__ volatile(
      "  sevl\n"
      "1: wfe\n"
      "2: ldaxr %w0, [%1]\n"
      "  cbnz %w0, 1b\n"
      "  stxr %w0, %w2, [%1]\n"
      "  cbnz %w0, 2b\n"
      : "=&r"(tmp)
      : "r"(l), "r"(1U)
      : "memory");
}

static void spin_unlock(u32 *l) { __asm__ volatile("stlr wzr, [%0]" ::"r"(l) : "memory"); }

static void atomic_add64(u64 *p, u64 n) {
  u64 v;
  u32 fail;
  __asm__ volatile(
      "1: ldaxr %0, [%2]\n"
      "  add %0, %0, %3\n"
      "  stlxr %w1, %0, [%2]\n"
      "  cbnz %w1, 1b\n"
      : "=&r"(v), "=&r"(fail)
      : "r"(p), "r"(n)
      : "memory");
}

static void atomic_add32(u32 *p, u32 n) {
  u32 v, fail;
  __asm__ volatile(
      "1: ldaxr %w0, [%2]\n"
      "  add %w0, %w0, %w3\n"
      "  stlxr %w1, %w0, [%2]\n"
      "  cbnz %w1, 1b\n"
      "  sev\n"
      : "=&r"(v), "=&r"(fail)
      : "r"(p), "r"(n)
      : "memory");
}

/* ---- checks ---- */

static void verdict(int good) {
  if (good) {
    uart_puts(" ok\n");
  } else {
    uart_puts(" FAIL\n");
    atomic_add32(&failures, 1);
  }
}

static const char *affinity_name(i64 v) {
  switch (v) {
    case PSCI_0_2_AFFINITY_LEVEL_ON:
      return "ON";
    case PSCI_0_2_AFFINITY_LEVEL_OFF:
      return "OFF";
    case PSCI_0_2_AFFINITY_LEVEL_ON_PENDING:
      return "ON_PENDING";
    default:
      return psci_ret_name(v);
  }
}

/* A PSCI call's X0, printed by name and compared. */
static void expect_psci(const char *what, i64 got, i64 want) {
  printf("%s = %s", what, psci_ret_name(got));
  verdict(got == want);
}

static void expect_value(const char *what, u64 got, u64 want) {
  printf("%s = 0x%lx", what, got);
  verdict(got == want);
}

static void expect_dec(const char *what, u64 got, u64 want) {
  printf("%s = %lu", what, got);
  verdict(got == want);
}

static i64 psci(u64 fid, u64 a1, u64 a2, u64 a3) { return (i64)smccc_hvc(fid, a1, a2, a3).a0; }

static i64 affinity_info(u64 mpidr, u64 level) { return psci(PSCI_0_2_FN64_AFFINITY_INFO, mpidr, level, 0); }

static void expect_affinity(const char *prefix, u64 mpidr, u64 level, i64 want) {
  i64 got = affinity_info(mpidr, level);
  printf("%sAFFINITY_INFO(0x%lx, level %lu) = %s", prefix, mpidr, level, affinity_name(got));
  verdict(got == want);
}

/* Polls AFFINITY_INFO(mpidr, 0) until OFF; prints only whether it got there. */
static void wait_cpu_off(const char *prefix, u64 mpidr) {
  i64 v = PSCI_0_2_AFFINITY_LEVEL_ON;
  for (u64 i = 0; i < OFF_POLL_LIMIT && v == PSCI_0_2_AFFINITY_LEVEL_ON; i++) v = affinity_info(mpidr, 0);
  printf("%sAFFINITY_INFO(0x%lx, level 0) = %s (after CPU_OFF)", prefix, mpidr, affinity_name(v));
  verdict(v == PSCI_0_2_AFFINITY_LEVEL_OFF);
}

/* ---- PSCI discovery (cpu0) ---- */

struct feature {
  const char *name;
  u64 fid;
  i64 want;
};

/* PSCI_FEATURES answers QEMU 7.2 and KVM (default configuration: no SYSTEM_SUSPEND) share. */
static const struct feature features[] = {
    {"PSCI_VERSION", PSCI_0_2_FN_PSCI_VERSION, 0},
    {"CPU_SUSPEND", PSCI_0_2_FN_CPU_SUSPEND, 0}, /* flags 0: original power_state format, no OSI */
    {"CPU_SUSPEND64", PSCI_0_2_FN64_CPU_SUSPEND, 0},
    {"CPU_OFF", PSCI_0_2_FN_CPU_OFF, 0},
    {"CPU_ON", PSCI_0_2_FN_CPU_ON, 0},
    {"CPU_ON64", PSCI_0_2_FN64_CPU_ON, 0},
    {"AFFINITY_INFO", PSCI_0_2_FN_AFFINITY_INFO, 0},
    {"AFFINITY_INFO64", PSCI_0_2_FN64_AFFINITY_INFO, 0},
    {"MIGRATE", PSCI_0_2_FN_MIGRATE, PSCI_RET_NOT_SUPPORTED},
    {"MIGRATE64", PSCI_0_2_FN64_MIGRATE, PSCI_RET_NOT_SUPPORTED},
    {"MIGRATE_INFO_TYPE", PSCI_0_2_FN_MIGRATE_INFO_TYPE, 0},
    {"MIGRATE_INFO_UP_CPU", PSCI_0_2_FN_MIGRATE_INFO_UP_CPU, PSCI_RET_NOT_SUPPORTED},
    {"MIGRATE_INFO_UP_CPU64", PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU, PSCI_RET_NOT_SUPPORTED},
    {"SYSTEM_OFF", PSCI_0_2_FN_SYSTEM_OFF, 0},
    {"SYSTEM_RESET", PSCI_0_2_FN_SYSTEM_RESET, 0},
    {"PSCI_FEATURES", PSCI_1_0_FN_PSCI_FEATURES, 0},
    {"CPU_FREEZE", PSCI_1_0_FN_CPU_FREEZE, PSCI_RET_NOT_SUPPORTED},
    {"CPU_DEFAULT_SUSPEND", PSCI_1_0_FN_CPU_DEFAULT_SUSPEND, PSCI_RET_NOT_SUPPORTED},
    {"CPU_DEFAULT_SUSPEND64", PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND, PSCI_RET_NOT_SUPPORTED},
    {"NODE_HW_STATE", PSCI_1_0_FN_NODE_HW_STATE, PSCI_RET_NOT_SUPPORTED},
    {"NODE_HW_STATE64", PSCI_1_0_FN64_NODE_HW_STATE, PSCI_RET_NOT_SUPPORTED},
    {"SYSTEM_SUSPEND", PSCI_1_0_FN_SYSTEM_SUSPEND, PSCI_RET_NOT_SUPPORTED},
    {"SYSTEM_SUSPEND64", PSCI_1_0_FN64_SYSTEM_SUSPEND, PSCI_RET_NOT_SUPPORTED},
    {"SET_SUSPEND_MODE", PSCI_1_0_FN_SET_SUSPEND_MODE, PSCI_RET_NOT_SUPPORTED},
    {"STAT_RESIDENCY", PSCI_1_0_FN_STAT_RESIDENCY, PSCI_RET_NOT_SUPPORTED},
    {"STAT_RESIDENCY64", PSCI_1_0_FN64_STAT_RESIDENCY, PSCI_RET_NOT_SUPPORTED},
    {"STAT_COUNT", PSCI_1_0_FN_STAT_COUNT, PSCI_RET_NOT_SUPPORTED},
    {"STAT_COUNT64", PSCI_1_0_FN64_STAT_COUNT, PSCI_RET_NOT_SUPPORTED},
    {"MEM_PROTECT", PSCI_1_1_FN_MEM_PROTECT, PSCI_RET_NOT_SUPPORTED},
    {"MEM_PROTECT_CHECK_RANGE", PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE, PSCI_RET_NOT_SUPPORTED},
    {"MEM_PROTECT_CHECK_RANGE64", PSCI_1_1_FN64_MEM_PROTECT_CHECK_RANGE, PSCI_RET_NOT_SUPPORTED},
    {"PSCI function 0x1f", PSCI_0_2_FN(0x1f), PSCI_RET_NOT_SUPPORTED},
    {"TRNG_VERSION (not PSCI)", ARM_SMCCC_TRNG_VERSION, PSCI_RET_NOT_SUPPORTED},
};

static void discovery(void) {
  i64 version = psci(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
  printf("psci: PSCI_VERSION major = %lu (minor not compared: QEMU 7.2 and KVM differ)", (u64)version >> 16);
  verdict(version >= 0 && ((u64)version >> 16) == 1);
  i64 mit = psci(PSCI_0_2_FN_MIGRATE_INFO_TYPE, 0, 0, 0);
  printf("psci: MIGRATE_INFO_TYPE = %ld (no Trusted OS)", mit);
  verdict(mit == 2);
  for (u64 i = 0; i < sizeof features / sizeof features[0]; i++) {
    i64 got = psci(PSCI_1_0_FN_PSCI_FEATURES, features[i].fid, 0, 0);
    printf("psci: PSCI_FEATURES(%s) = %ld", features[i].name, got);
    verdict(got == features[i].want);
  }
}

/* ---- the secondaries ---- */

/* CPU_ON as `caller` prints it; the target's context ID is published first. Returns true if the
 * target started, in which case it waits for the turn (so that a failure never hangs the run). */
static int cpu_on(u32 caller, u64 fid, u32 target, u64 context) {
  context_for[target] = context;
  dsb_sy();
  i64 r = psci(fid, target, (u64)secondary_entry, context);
  printf("cpu%u: CPU_ON%s(0x%x, secondary_entry, context_id 0x%lx) = %s", caller,
         fid == PSCI_0_2_FN64_CPU_ON ? "64" : "", target, context, psci_ret_name(r));
  verdict(r == PSCI_RET_SUCCESS);
  return r == PSCI_RET_SUCCESS;
}

/* What a CPU found at its CPU_ON entry (entry.S). */
static void check_entry(u32 cpu, u32 life, u64 ctx, u64 el, u64 daif, u64 sctlr, u64 spsel, u64 mpidr) {
  printf("cpu%u: started (life %u)\n", cpu, life);
  printf("cpu%u:   X0 = 0x%lx (context_id)", cpu, ctx);
  verdict(ctx == context_for[cpu]);
  printf("cpu%u:   CurrentEL.EL = %lu", cpu, (el >> 2) & 3);
  verdict(el == (1UL << 2));
  printf("cpu%u:   DAIF = 0x%lx (D, A, I, F masked)", cpu, daif);
  verdict(daif == 0x3c0);
  printf("cpu%u:   SCTLR_EL1.M = %lu, SCTLR_EL1.C = %lu (MMU and data cache off)", cpu, sctlr & SCTLR_M,
         (sctlr & SCTLR_C) >> 2);
  verdict((sctlr & (SCTLR_M | SCTLR_C)) == 0);
  printf("cpu%u:   SPSel = %lu (EL1h)", cpu, spsel);
  verdict(spsel == 1);
  printf("cpu%u:   MPIDR_EL1 = 0x%lx", cpu, mpidr);
  verdict(mpidr == (0x80000000UL | cpu));
}

/* Fills this CPU's own area with a pattern and hashes it (FNV-1a over 64-bit words). */
static u64 checksum(u32 cpu) {
  u64 *a = work_area[cpu];
  u64 x = 0x9E3779B97F4A7C15UL * (cpu + 1);
  for (int i = 0; i < WORK_WORDS; i++) {
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    a[i] = x ^ (x >> 29);
  }
  u64 h = 0xcbf29ce484222325UL;
  for (int i = 0; i < WORK_WORDS; i++) {
    h ^= a[i];
    h *= 0x100000001b3UL;
  }
  return h;
}

/* The work phase, on every CPU at once. Returns the checksum of this CPU's memory. */
static u64 work(u32 cpu) {
  wait_until(&go, 1);
  u64 sum = checksum(cpu);
  for (int k = 0; k < ROUNDS; k++) {
    spin_lock(&lock);
    if (owner != NO_OWNER) violations = violations + 1;
    owner = cpu;
    /* A read-modify-write stretched over a delay, so that another CPU running at the same time
     * (QEMU's threads) or scheduled in between (hvlab's slices) would lose an update. */
    u64 c = locked_counter;
    for (volatile int d = 0; d < CRITICAL_DELAY; d = d + 1) {
    }
    locked_counter = c + 1;
    if (owner != cpu) violations = violations + 1;
    owner = NO_OWNER;
    spin_unlock(&lock);
    atomic_add64(&atomic_counter, 1);
  }
  atomic_add32(&done_count, 1);
  return sum;
}

/* Turns this CPU off (DEN 0022 §5.1.3: does not return on success). */
__attribute__((noreturn)) static void cpu_off(u32 cpu) {
  i64 r = psci(PSCI_0_2_FN_CPU_OFF, 0, 0, 0);
  printf("cpu%u: FAIL: CPU_OFF returned %s\n", cpu, psci_ret_name(r));
  atomic_add32(&failures, 1);
  for (;;) __asm__ volatile("wfe");
}

/* First life of cpu1..3: started by cpu0 in step 2. Every turn goes back to cpu0. */
__attribute__((noreturn)) static void first_life(u32 cpu) {
  char prefix[] = {'c', 'p', 'u', (char)('0' + cpu), ':', ' ', 0};
  expect_affinity(prefix, cpu, 0, PSCI_0_2_AFFINITY_LEVEL_ON);
  i64 r = psci(PSCI_0_2_FN64_CPU_ON, 0, (u64)secondary_entry, 0);
  printf("cpu%u: CPU_ON64(0x0) = %s", cpu, psci_ret_name(r));
  verdict(r == PSCI_RET_ALREADY_ON);
  give_turn(0);
  u64 sum = work(cpu);
  wait_turn(cpu);
  printf("cpu%u: checksum of its memory = 0x%016lx\n", cpu, sum);
  printf("cpu%u: unmasks DAIF, sets SCTLR_EL1.C, CPU_OFF\n", cpu);
  __asm__ volatile("msr daifclr, #0xf" ::: "memory");
  write_sysreg(read_sysreg(sctlr_el1) | SCTLR_C, sctlr_el1);
  isb();
  give_turn(0);
  cpu_off(cpu);
}

void secondary_main(u64 ctx, u64 el, u64 daif, u64 sctlr, u64 spsel, u64 mpidr) {
  u32 cpu = (u32)(mpidr & 0xff);
  u32 life = lives[cpu] + 1;
  lives[cpu] = life;
  wait_turn(cpu);
  check_entry(cpu, life, ctx, el, daif, sctlr, spsel, mpidr);
  if (life == 1) first_life(cpu);
  if (cpu == 1) {
    /* Second life of cpu1: start cpu2 from here, wait for it to turn itself off, turn off. */
    if (cpu_on(1, PSCI_0_2_FN_CPU_ON, 2, 0x5ec00202UL)) {
      give_turn(2);
      wait_turn(1);
      wait_cpu_off("cpu1: ", 2);
    }
    printf("cpu1: CPU_OFF\n");
    give_turn(0);
    cpu_off(cpu);
  }
  /* Second life of cpu2 (started by cpu1). */
  printf("cpu%u: CPU_OFF\n", cpu);
  give_turn(1);
  cpu_off(cpu);
}

/* ---- cpu0 ---- */

int main(u64 boot_x0) {
  (void)boot_x0;
  owner = NO_OWNER;
  printf("smp: %u CPUs through PSCI over HVC\n", SMP_CPUS);
  expect_value("cpu0: MPIDR_EL1", read_sysreg(mpidr_el1), 0x80000000UL);
  discovery();

  /* Step 1: states before any CPU_ON, and calls that must fail. */
  for (u32 c = 0; c < SMP_CPUS; c++)
    expect_affinity("before: ", c, 0, c == 0 ? PSCI_0_2_AFFINITY_LEVEL_ON : PSCI_0_2_AFFINITY_LEVEL_OFF);
  for (u64 level = 1; level <= 3; level++) expect_affinity("before: ", 0, level, PSCI_0_2_AFFINITY_LEVEL_ON);
  expect_affinity("", SMP_CPUS, 0, PSCI_RET_INVALID_PARAMS);
  static const u64 bad_mpidr[] = {SMP_CPUS, 0x100, 0x10000, 0x80000001UL};
  for (u64 i = 0; i < sizeof bad_mpidr / sizeof bad_mpidr[0]; i++) {
    i64 r = psci(PSCI_0_2_FN64_CPU_ON, bad_mpidr[i], (u64)secondary_entry, 0);
    printf("CPU_ON64(0x%lx) = %s", bad_mpidr[i], psci_ret_name(r));
    verdict(r == PSCI_RET_INVALID_PARAMS);
  }
  expect_psci("CPU_ON64(0x0) (itself)", psci(PSCI_0_2_FN64_CPU_ON, 0, (u64)secondary_entry, 0),
              PSCI_RET_ALREADY_ON);

  /* Step 2: start the secondaries one at a time. */
  static const u64 contexts[SMP_CPUS] = {0, 0x5ec0d1e000000001UL, 0x5ec00002UL, 0xc0ffee0000000003UL};
  u32 started = 1;
  for (u32 c = 1; c < SMP_CPUS; c++) {
    if (!cpu_on(0, c == 2 ? PSCI_0_2_FN_CPU_ON : PSCI_0_2_FN64_CPU_ON, c, contexts[c])) continue;
    started |= 1U << c;
    give_turn(c);
    wait_turn(0);
    expect_affinity("after: ", c, 0, PSCI_0_2_AFFINITY_LEVEL_ON);
    i64 again = psci(PSCI_0_2_FN64_CPU_ON, c, (u64)secondary_entry, 0);
    printf("CPU_ON64(0x%x) again = %s", c, psci_ret_name(again));
    verdict(again == PSCI_RET_ALREADY_ON);
  }
  for (u64 level = 1; level <= 3; level++) expect_affinity("after: ", 0, level, PSCI_0_2_AFFINITY_LEVEL_ON);

  /* Step 3: everybody works. */
  printf("work: %u CPUs x %u rounds\n", SMP_CPUS, ROUNDS);
  store_release(&go, 1);
  u64 sum = work(0);
  u32 workers = 0;
  for (u32 c = 0; c < SMP_CPUS; c++) workers += (started >> c) & 1;
  wait_until(&done_count, workers);
  expect_dec("work: spinlock-protected counter", locked_counter, (u64)SMP_CPUS * ROUNDS);
  expect_dec("work: LDAXR/STLXR counter", atomic_counter, (u64)SMP_CPUS * ROUNDS);
  expect_dec("work: mutual-exclusion violations", violations, 0);

  /* Step 4: checksums in CPU order, then the secondaries turn themselves off. */
  printf("cpu0: checksum of its memory = 0x%016lx\n", sum);
  for (u32 c = 1; c < SMP_CPUS; c++) {
    if (!(started & (1U << c))) continue;
    give_turn(c);
    wait_turn(0);
  }
  for (u32 c = 1; c < SMP_CPUS; c++)
    if (started & (1U << c)) wait_cpu_off("", c);

  /* Step 5: second life of cpu1 (which starts cpu2 itself). */
  if (cpu_on(0, PSCI_0_2_FN64_CPU_ON, 1, 0x5ec00101UL)) {
    give_turn(1);
    wait_turn(0);
    wait_cpu_off("", 1);
  }
  for (u32 c = 0; c < SMP_CPUS; c++)
    expect_affinity("end: ", c, 0, c == 0 ? PSCI_0_2_AFFINITY_LEVEL_ON : PSCI_0_2_AFFINITY_LEVEL_OFF);

  /* Step 6. */
  u32 f = load_acquire(&failures);
  if (f == 0)
    printf("smp: PASS\n");
  else
    printf("smp: FAIL (%u checks)\n", f);
  return 0;
}
