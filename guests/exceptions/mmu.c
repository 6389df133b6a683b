/*
 * mmu.c — the stage-1 MMU of the EL1&0 regime, driven by page tables this guest builds
 * (DDI 0487 D8: VMSAv8-64, 4 KiB granule).
 *
 * TCR_EL1: T0SZ = T1SZ = 25 (39-bit VAs, walks start at level 1), TG0 = 4 KiB, TG1 = 4 KiB,
 * IPS = 40 bits, 8-bit ASIDs taken from TTBR0. MAIR_EL1: Attr0 Normal WB, Attr1 Device-nGnRnE.
 * SCTLR_EL1.C and .I stay 0 (Normal memory is Non-cacheable), so no cache maintenance is needed
 * around MMU on/off and every printed value is architecturally defined.
 *
 * TTBR0 (root l1_lo; each L1 entry maps 1 GiB):
 *   L1[0] 0x00000000  block, Device, EL1 RW (GIC, PL011)
 *   L1[1] 0x40000000  -> l2_ram: 64 x 2 MiB Normal blocks, identity over the 128 MiB of RAM
 *   L1[2] 0x80000000  invalid                       (translation fault, level 1)
 *   L1[3] 0xC0000000  -> l2_test:
 *       [0] 0xC0000000 invalid                      (translation fault, level 2)
 *       [1] 0xC0200000 -> l3_test (4 KiB pages, listed in build_tables)
 *       [2] 0xC0400000 block -> BLOCK_PA, AF = 0    (access flag fault, level 2)
 *       [3] 0xC0600000 block -> BLOCK_PA, EL1 RO    (permission fault, level 2)
 *       [4] 0xC0800000 block -> BLOCK_PA, EL1 RW    (non-identity block)
 *   L1[4] 0x100000000 -> l2_a -> l3_a: one nG page (ASID 1); root l1_b has l2_b -> l3_b (ASID 2)
 * TTBR1 (root l1_hi): 0xFFFFFF8000000000 -> page P2 (the same PA as l3_test[3]); next page invalid.
 */
#include "exc_test.h"

/* Descriptor bits (DDI 0487 D8.3, stage 1, 4 KiB granule). */
#define DESC_TABLE 3UL /* table (levels 0-2) or page (level 3) */
#define DESC_BLOCK 1UL
#define ATTR_IDX(i) ((u64)(i) << 2)
#define AP_RW_EL1 (0UL << 6)
#define AP_RW_ALL (1UL << 6)
#define AP_RO_EL1 (2UL << 6)
#define AP_RO_ALL (3UL << 6)
#define SH_INNER (3UL << 8)
#define AF (1UL << 10)
#define NG (1UL << 11)
#define PXN (1UL << 53)
#define UXN (1UL << 54)
#define NORMAL (ATTR_IDX(0) | SH_INNER)
#define DEVICE ATTR_IDX(1)

/* MAIR_EL1 (D17.2.97): Attr0 = 0xFF Normal WB, Attr1 = 0x00 Device-nGnRnE, Attr2 = 0x44 Normal NC. */
#define MAIR 0x4400ffUL
/* TCR_EL1 (D17.2.131): T0SZ 25, SH0 inner, TG0 4K, T1SZ 25, SH1 inner, TG1 4K (0b10), IPS 40 bits. */
#define TCR ((25UL << 0) | (3UL << 12) | (0UL << 14) | (25UL << 16) | (3UL << 28) | (2UL << 30) | (2UL << 32))

#define BLOCK_PA 0x40400000UL
#define VA_L1_HOLE 0x80001008UL
#define VA_L2_HOLE 0xC0000010UL
#define VA_L3 0xC0200000UL
#define VA_L3_PAGE(i) (VA_L3 + (u64)(i) * 0x1000)
#define VA_BLOCK_NOAF 0xC0400018UL
#define VA_BLOCK_RO 0xC0600020UL
#define VA_BLOCK_RW 0xC0800000UL
#define VA_ASID 0x100000000UL
#define VA_HI 0xFFFFFF8000000000UL
#define ASID_A 1UL
#define ASID_B 2UL

/* l3_test slots */
enum {
  S_INVALID = 0,  /* translation fault, level 3 */
  S_NOAF = 1,     /* P1, AF = 0 */
  S_RO = 2,       /* P1, EL1 read-only */
  S_ALIAS = 3,    /* P2, EL1 RW: non-identity page */
  S_TLBI = 4,     /* P3, later P4 */
  S_CODE_PXN = 5, /* the EL0 code page, PXN */
  S_CODE_INV = 6, /* invalid, jumped to */
  S_EL0_CODE = 7, /* the EL0 code page, EL0 RO + executable */
  S_EL0_STACK = 8,
  S_EL1_ONLY = 9, /* P6, EL1 RW only */
  S_EL0_UXN = 10, /* the EL0 code page, UXN */
  S_CODE_RX = 11, /* the EL0 code page, EL1 RO + executable */
  S_CODE_EL0W = 12, /* the EL0 code page, EL0 writable: PXN implied */
};

static u64 tables[12][512] __attribute__((aligned(4096)));
static u64 pages[9][512] __attribute__((aligned(4096)));
#define l1_lo tables[0]
#define l2_ram tables[1]
#define l2_test tables[2]
#define l3_test tables[3]
#define l1_hi tables[4]
#define l2_hi tables[5]
#define l3_hi tables[6]
#define l1_b tables[7]
#define l2_a tables[8]
#define l3_a tables[9]
#define l2_b tables[10]
#define l3_b tables[11]
#define PAGE(i) ADDR(pages[i])
#define PAGE_VALUE(i) (0x1111111111111111UL * (u64)(i))

static u64 sctlr = SCTLR_EL1_INIT;

static u64 table(u64 *t) { return ADDR(t) | DESC_TABLE; }
static u64 page(u64 pa, u64 attrs) { return pa | attrs | DESC_TABLE; }

static void sync_tables(void) {
  __asm__ volatile("dsb ishst" ::: "memory");
  isb();
}
static void tlbi_vmalle1(void) {
  __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
}
static void tlbi_vae1is(u64 va, u64 asid) {
  __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" ::"r"((va >> 12) | (asid << 48)) : "memory");
}
static void tlbi_vale1(u64 va, u64 asid) {
  __asm__ volatile("dsb ishst\n tlbi vale1, %0\n dsb ish\n isb" ::"r"((va >> 12) | (asid << 48)) : "memory");
}
static void tlbi_vaae1is(u64 va) {
  __asm__ volatile("dsb ishst\n tlbi vaae1is, %0\n dsb ish\n isb" ::"r"(va >> 12) : "memory");
}
static void tlbi_aside1(u64 asid) {
  __asm__ volatile("dsb ishst\n tlbi aside1, %0\n dsb ish\n isb" ::"r"(asid << 48) : "memory");
}
static void set_sctlr(u64 v) {
  sctlr = v;
  write_sysreg(v, sctlr_el1);
  isb();
}
static void set_ttbr0(u64 *root, u64 asid) {
  write_sysreg(ADDR(root) | (asid << 48), ttbr0_el1);
  isb();
}

static u64 at_s1e1r(u64 va) {
  __asm__ volatile("at s1e1r, %0\n isb" ::"r"(va) : "memory");
  return read_sysreg(par_el1);
}
static u64 at_s1e1w(u64 va) {
  __asm__ volatile("at s1e1w, %0\n isb" ::"r"(va) : "memory");
  return read_sysreg(par_el1);
}
static u64 at_s1e0r(u64 va) {
  __asm__ volatile("at s1e0r, %0\n isb" ::"r"(va) : "memory");
  return read_sysreg(par_el1);
}

static void build_tables(void) {
  for (int i = 0; i < 9; i++)
    for (int j = 0; j < 512; j++) pages[i][j] = PAGE_VALUE(i) + (u64)j;
  u64 el0_page = ADDR(__el0_start);

  l1_lo[0] = 0x00000000UL | DEVICE | AP_RW_EL1 | AF | PXN | UXN | DESC_BLOCK;
  l1_lo[1] = table(l2_ram);
  for (u64 i = 0; i < 64; i++) l2_ram[i] = (RAM_BASE + (i << 21)) | NORMAL | AP_RW_EL1 | AF | UXN | DESC_BLOCK;
  l1_lo[2] = 0;
  l1_lo[3] = table(l2_test);
  l2_test[0] = 0;
  l2_test[1] = table(l3_test);
  l2_test[2] = BLOCK_PA | NORMAL | AP_RW_EL1 | UXN | PXN | DESC_BLOCK; /* AF = 0 */
  l2_test[3] = BLOCK_PA | NORMAL | AP_RO_EL1 | AF | UXN | PXN | DESC_BLOCK;
  l2_test[4] = BLOCK_PA | NORMAL | AP_RW_EL1 | AF | UXN | PXN | DESC_BLOCK;

  l3_test[S_INVALID] = 0;
  l3_test[S_NOAF] = page(PAGE(1), NORMAL | AP_RW_EL1 | UXN | PXN);
  l3_test[S_RO] = page(PAGE(1), NORMAL | AP_RO_EL1 | AF | UXN | PXN);
  l3_test[S_ALIAS] = page(PAGE(2), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  l3_test[S_TLBI] = page(PAGE(3), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  l3_test[S_CODE_PXN] = page(el0_page, NORMAL | AP_RO_EL1 | AF | UXN | PXN);
  l3_test[S_CODE_INV] = 0;
  l3_test[S_EL0_CODE] = page(el0_page, NORMAL | AP_RO_ALL | AF | PXN);
  l3_test[S_EL0_STACK] = page(PAGE(5), NORMAL | AP_RW_ALL | AF | UXN | PXN);
  l3_test[S_EL1_ONLY] = page(PAGE(6), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  l3_test[S_EL0_UXN] = page(el0_page, NORMAL | AP_RO_ALL | AF | UXN | PXN);
  l3_test[S_CODE_RX] = page(el0_page, NORMAL | AP_RO_EL1 | AF | UXN);
  l3_test[S_CODE_EL0W] = page(el0_page, NORMAL | AP_RW_ALL | AF | UXN);

  l1_lo[4] = table(l2_a);
  l2_a[0] = table(l3_a);
  l3_a[0] = page(PAGE(7), NORMAL | AP_RW_EL1 | AF | NG | UXN | PXN);
  for (int i = 0; i < 4; i++) l1_b[i] = l1_lo[i];
  l1_b[4] = table(l2_b);
  l2_b[0] = table(l3_b);
  l3_b[0] = page(PAGE(8), NORMAL | AP_RW_EL1 | AF | NG | UXN | PXN);

  l1_hi[0] = table(l2_hi);
  l2_hi[0] = table(l3_hi);
  l3_hi[0] = page(PAGE(2), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  l3_hi[1] = 0;
  sync_tables();
}

static void mmu_enable(void) {
  write_sysreg(MAIR, mair_el1);
  write_sysreg(TCR, tcr_el1);
  write_sysreg(ADDR(l1_hi), ttbr1_el1);
  set_ttbr0(l1_lo, ASID_A);
  tlbi_vmalle1();
  set_sctlr(sctlr | SCTLR_M);
}

static void data_abort(const char *what, u64 va, int write, u64 fsc) {
  trap_reset();
  if (write) {
    probe_st64(va, 0x5555);
    expect_trap(what, 0, 1, ESR(EC_DABT_CUR, WNR | fsc), ADDR(probe_st64_insn), va);
  } else {
    u64 v = probe_ld64(va);
    expect_trap(what, 0, 1, ESR(EC_DABT_CUR, fsc), ADDR(probe_ld64_insn), va);
    if (v != SENTINEL) expect_value("  faulting load wrote its register", v, SENTINEL);
  }
}

static void read_ok(const char *what, u64 va, u64 want) {
  trap_reset();
  u64 v = probe_ld64(va);
  expect_value(what, v, want);
  if (trap_count != 0) check("  unexpected exception", 0);
}

static void fault_tests(void) {
  data_abort("ldr translation fault L1", VA_L1_HOLE, 0, FSC_TRANS(1));
  data_abort("ldr translation fault L2", VA_L2_HOLE, 0, FSC_TRANS(2));
  data_abort("ldr translation fault L3", VA_L3_PAGE(S_INVALID) + 0x10, 0, FSC_TRANS(3));
  data_abort("str translation fault L3", VA_L3_PAGE(S_INVALID) + 0x18, 1, FSC_TRANS(3));
  data_abort("ldr access flag fault L3", VA_L3_PAGE(S_NOAF) + 0x20, 0, FSC_AF(3));
  data_abort("ldr access flag fault L2", VA_BLOCK_NOAF, 0, FSC_AF(2));
  data_abort("str permission fault L3 (read-only page)", VA_L3_PAGE(S_RO) + 0x28, 1, FSC_PERM(3));
  read_ok("ldr read-only page", VA_L3_PAGE(S_RO) + 0x28, PAGE_VALUE(1) + 5);
  data_abort("str permission fault L2 (read-only block)", VA_BLOCK_RO, 1, FSC_PERM(2));
  data_abort("ldr VA outside both TTBR ranges", 0x0000800000000000UL, 0, FSC_TRANS(0));
  data_abort("ldr TTBR1 translation fault L3", VA_HI + 0x1000, 0, FSC_TRANS(3));

  /* An entry that faulted is never held in a TLB (D8.16.1): fixing it needs no TLBI. */
  l3_test[S_NOAF] |= AF;
  sync_tables();
  read_ok("ldr after setting AF (no TLBI)", VA_L3_PAGE(S_NOAF) + 0x20, PAGE_VALUE(1) + 4);

  /* Instruction aborts: ELR = FAR = the branch target. */
  u64 off = ADDR(alias_fn) - ADDR(__el0_start);
  u64 va = VA_L3_PAGE(S_CODE_PXN) + off;
  trap_reset();
  probe_call(va);
  expect_trap("fetch permission fault L3 (PXN)", 0, 1, ESR(EC_IABT_CUR, FSC_PERM(3)), va, va);
  va = VA_L3_PAGE(S_CODE_INV) + off;
  trap_reset();
  probe_call(va);
  expect_trap("fetch translation fault L3", 0, 1, ESR(EC_IABT_CUR, FSC_TRANS(3)), va, va);
  va = VA_L3_PAGE(S_CODE_EL0W) + off;
  trap_reset();
  probe_call(va);
  expect_trap("fetch from EL0-writable page (implied PXN)", 0, 1, ESR(EC_IABT_CUR, FSC_PERM(3)), va, va);
  trap_reset();
  expect_value("call through a non-identity executable alias", probe_call(VA_L3_PAGE(S_CODE_RX) + off), 0x1234);
  check("  no exception", trap_count == 0);

  /* Alignment: Normal memory allows unaligned LDR unless SCTLR_EL1.A (D17.2.118); exclusives
   * always check alignment (B2.5.2). */
  u64 buf = PAGE(4) + 0x100;
  ((volatile u64 *)buf)[0] = 0x0706050403020100UL;
  ((volatile u64 *)buf)[1] = 0x0f0e0d0c0b0a0908UL;
  read_ok("unaligned ldr with SCTLR.A = 0", buf + 3, 0x0a09080706050403UL);
  set_sctlr(sctlr | SCTLR_A);
  trap_reset();
  probe_ld64(buf + 3);
  u64 saved_count = (u64)trap_count;
  set_sctlr(sctlr & ~SCTLR_A);
  trap_count = (int)saved_count;
  expect_trap("unaligned ldr with SCTLR.A = 1", 0, 1, ESR(EC_DABT_CUR, FSC_ALIGN), ADDR(probe_ld64_insn), buf + 3);
  trap_reset();
  probe_ldxr(buf + 4);
  expect_trap("unaligned ldxr", 0, 1, ESR(EC_DABT_CUR, FSC_ALIGN), ADDR(probe_ldxr_insn), buf + 4);

  /* AT (C5.5.x): PAR_EL1 gives PA[47:12] and F = 0 on success; F = 1, FST[6:1] on a fault.
   * Only the architecturally defined fields are compared. */
  expect_value("at s1e1r alias page: PAR PA", at_s1e1r(VA_L3_PAGE(S_ALIAS) + 0x123) & 0xfffffffff001UL, PAGE(2));
  expect_value("at s1e1r TTBR1 page: PAR PA", at_s1e1r(VA_HI + 0x10) & 0xfffffffff001UL, PAGE(2));
  expect_value("at s1e1r invalid page: PAR F/FST", at_s1e1r(VA_L3_PAGE(S_INVALID)) & 0x7fUL, (FSC_TRANS(3) << 1) | 1);
  expect_value("at s1e1w read-only page: PAR F/FST", at_s1e1w(VA_L3_PAGE(S_RO)) & 0x7fUL, (FSC_PERM(3) << 1) | 1);
  expect_value("at s1e0r EL1-only page: PAR F/FST", at_s1e0r(VA_L3_PAGE(S_EL1_ONLY)) & 0x7fUL, (FSC_PERM(3) << 1) | 1);
  expect_value("at s1e0r EL0 page: PAR PA", at_s1e0r(VA_L3_PAGE(S_EL0_STACK)) & 0xfffffffff001UL, PAGE(5));
}

static void mapping_tests(void) {
  probe_st64(VA_L3_PAGE(S_ALIAS) + 0x40, 0x1122334455667788UL);
  read_ok("store via alias page, load via identity", PAGE(2) + 0x40, 0x1122334455667788UL);
  read_ok("load via TTBR1 alias", VA_HI + 0x40, 0x1122334455667788UL);
  probe_st64(VA_BLOCK_RW + 0x1008, 0x99aabbccddeeff00UL);
  read_ok("store via 2 MiB block alias, load via identity", BLOCK_PA + 0x1008, 0x99aabbccddeeff00UL);
  read_ok("load via read-only block alias", VA_BLOCK_RO - 0x20 + 0x1008, 0x99aabbccddeeff00UL);
}

static void tlbi_tests(void) {
  u64 va = VA_L3_PAGE(S_TLBI) + 0x18;
  u64 old_v = PAGE_VALUE(3) + 3, new_v = PAGE_VALUE(4) + 3;
  read_ok("tlbi: initial mapping", va, old_v);
  l3_test[S_TLBI] = page(PAGE(4), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  sync_tables();
  trap_reset();
  u64 v = probe_ld64(va);
  /* Without TLBI either translation may be used (D8.16): print only that it was one of them. */
  check("tlbi: before TLBI the old or the new page is read", trap_count == 0 && (v == old_v || v == new_v));
  tlbi_vae1is(va, 0);
  read_ok("tlbi: after TLBI VAE1IS+DSB+ISB", va, new_v);
  l3_test[S_TLBI] = page(PAGE(3), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  tlbi_vmalle1();
  read_ok("tlbi: after TLBI VMALLE1", va, old_v);
  l3_test[S_TLBI] = page(PAGE(4), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  tlbi_vale1(va, 0);
  read_ok("tlbi: after TLBI VALE1", va, new_v);
  l3_test[S_TLBI] = 0;
  tlbi_vaae1is(va);
  data_abort("tlbi: invalidated entry faults", va, 0, FSC_TRANS(3));
  l3_test[S_TLBI] = page(PAGE(3), NORMAL | AP_RW_EL1 | AF | UXN | PXN);
  sync_tables();
  read_ok("tlbi: invalid -> valid needs no TLBI", va, old_v);
}

static void asid_tests(void) {
  u64 a = PAGE_VALUE(7) + 1, b = PAGE_VALUE(8) + 1;
  u64 va = VA_ASID + 8;
  read_ok("asid 1 (root A)", va, a);
  set_ttbr0(l1_b, ASID_B);
  read_ok("asid 2 (root B)", va, b);
  set_ttbr0(l1_lo, ASID_A);
  read_ok("asid 1 again, no TLBI", va, a);
  l3_a[0] = page(PAGE(8), NORMAL | AP_RW_EL1 | AF | NG | UXN | PXN);
  tlbi_aside1(ASID_A);
  read_ok("asid 1 after TLBI ASIDE1", va, b);
  l3_a[0] = page(PAGE(7), NORMAL | AP_RW_EL1 | AF | NG | UXN | PXN);
  tlbi_vae1is(va, ASID_A);
  read_ok("asid 1 after TLBI VAE1IS with ASID", va, a);
  set_ttbr0(l1_b, ASID_B);
  read_ok("asid 2 still maps its own page", va, b);
  set_ttbr0(l1_lo, ASID_A);
}

static void el0_mmu_tests(void) {
  u64 base = VA_L3_PAGE(S_EL0_CODE);
  u64 off = ADDR(el0_mmu) - ADDR(__el0_start);
  u64 el1_only = VA_L3_PAGE(S_EL1_ONLY) + 0x30;
  u64 uxn_target = VA_L3_PAGE(S_EL0_UXN) + (ADDR(alias_fn) - ADDR(__el0_start));
  trap_reset();
  u64 ret = enter_el0(base + off, VA_L3_PAGE(S_EL0_STACK) + 0x1000, el1_only, uxn_target);
  expect_value("el0 (MMU on) returned", ret, 0x15a);
  expect_trap("el0 svc #0x43", 0, 3, ESR(EC_SVC64, 0x43), base + (ADDR(el0_mmu_svc_next) - ADDR(__el0_start)), NO_FAR);
  expect_trap("el0 ldr EL1-only page: permission fault L3", 1, 3, ESR(EC_DABT_LOW, FSC_PERM(3)),
              base + (ADDR(el0_mmu_ld) - ADDR(__el0_start)), el1_only);
  expect_trap("el0 fetch from UXN page", 2, 3, ESR(EC_IABT_LOW, FSC_PERM(3)), uxn_target, uxn_target);
}

static void onoff_tests(void) {
  probe_st64(VA_L3_PAGE(S_ALIAS) + 0x80, 0xc0ffee00c0ffee01UL);
  set_sctlr(sctlr & ~SCTLR_M);
  read_ok("mmu off: PA behind the alias holds the store", PAGE(2) + 0x80, 0xc0ffee00c0ffee01UL);
  probe_st64(PAGE(2) + 0x80, 0x0123012301230123UL);
  set_sctlr(sctlr | SCTLR_M);
  read_ok("mmu on again: alias sees the store made with the MMU off", VA_L3_PAGE(S_ALIAS) + 0x80, 0x0123012301230123UL);
  read_ok("mmu on again: TTBR1 alias", VA_HI + 0x80, 0x0123012301230123UL);
  set_sctlr(sctlr & ~SCTLR_M);
  /* With the MMU off a VA is a PA: 0xC0203000 is neither RAM nor a device, so the load takes a
   * synchronous external abort (DFSC 0x10) as on QEMU virt (unassigned memory) and hvlab
   * (unclaimed MMIO, KVM's default). */
  trap_reset();
  probe_ld64(VA_L3_PAGE(S_ALIAS));
  expect_trap("mmu off: load from no RAM or device", 0, 1, ESR(EC_DABT_CUR, 0x10), ADDR(probe_ld64_insn),
              VA_L3_PAGE(S_ALIAS));
}

void mmu_tests(void) {
  uart_puts("data-abort ESRs below have ISV, ISS[23:14] and EA cleared (IMPLEMENTATION DEFINED)\n");
  check("image ends below the 2 MiB test block", ADDR(__image_end) <= BLOCK_PA);
  check("EL0 code fits one page", ADDR(__el0_end) - ADDR(__el0_start) == 0x1000);
  build_tables();
  mmu_enable();
  read_ok("mmu on: identity load", PAGE(0) + 0x10, PAGE_VALUE(0) + 2);
  fault_tests();
  mapping_tests();
  tlbi_tests();
  asid_tests();
  el0_mmu_tests();
  onoff_tests();
}
