/*
 * timer — the EL1 virtual timer interrupt through a GICv3 (Arm IHI 0069 GICv3 spec; DDI 0487
 * D11 generic timer), as on QEMU `-M virt,gic-version=3`.
 *
 * Brings up the distributor (GICD_CTLR ARE + EnableGrp1), wakes the redistributor
 * (GICR_WAKER), puts PPI 27 (virtual timer) and SGI 1 in Group 1 and enables them, enables the
 * CPU interface through the system registers (ICC_SRE_EL1, ICC_PMR_EL1, ICC_IGRPEN1_EL1), then
 * takes five timer interrupts programmed alternately with CNTV_TVAL_EL0 and CNTV_CVAL_EL0, each
 * acknowledged with ICC_IAR1_EL1 and completed with ICC_EOIR1_EL1. It also checks that a masked
 * timer (CNTV_CTL_EL0.IMASK) raises ISTATUS but no interrupt, and sends itself SGI 1 through
 * ICC_SGI1R_EL1. Only deterministic facts are printed (never counter values), so the output is
 * the same on QEMU (wall-clock timer) and hvlab (instruction-counted timer).
 */
#include "hvguest.h"

/* Distributor (IHI 0069 §12.9) */
#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1U << 31)
#define GICD_CTLR_ARE (1U << 4)
#define GICD_CTLR_ENABLE_G1 (1U << 1)
#define GICD_PIDR2 0xffe8
/* Redistributor RD_base frame (§12.10) and SGI_base frame at +64 KiB (§12.11) */
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)
#define GICR_PIDR2 0xffe8
#define GICR_SGI_BASE (GICR_BASE + 0x10000)
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_IPRIORITYR(n) (0x0400 + 4 * (n))

#define INTID_SGI 1
#define INTID_VTIMER 27 /* PPI 11 (QEMU hw/arm/virt.c ARCH_TIMER_VIRT_IRQ) */
#define INTID_SPURIOUS 1023
#define TICKS 5
#define PERIOD 6250 /* 100 us at 62.5 MHz */

/* CNTV_CTL_EL0 (DDI 0487 D17.11.17) */
#define CTL_ENABLE 1UL
#define CTL_IMASK 2UL
#define CTL_ISTATUS 4UL

static volatile int ticks;
static volatile int sgis;

static void program_next(void) {
  if (ticks % 2 == 0) {
    write_sysreg(PERIOD, cntv_tval_el0);
  } else {
    write_sysreg(read_sysreg(cntvct_el0) + PERIOD, cntv_cval_el0);
  }
  isb();
}

static int irq_handler(struct frame *f, u64 vec) {
  (void)f;
  if (VEC_TYPE(vec) != VEC_IRQ) return 0;
  u64 iar = read_sysreg(icc_iar1_el1);
  u64 intid = iar & 0xffffff;
  if (intid == INTID_SPURIOUS) return 1; /* nothing pending any more: no EOI (IHI 0069 §4.1) */
  if (intid == INTID_VTIMER) {
    u64 ctl = read_sysreg(cntv_ctl_el0);
    /* A level interrupt may be seen again right after its source was reprogrammed (IHI 0069
     * §4.1.1); only a timer whose condition holds (ISTATUS) counts as a tick. */
    if ((ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS)) {
      ticks++;
      printf("tick %d: INTID %lu, CNTV_CTL_EL0 = 0x%lx\n", ticks, intid, ctl);
      if (ticks < TICKS) {
        program_next();
      } else {
        write_sysreg(0, cntv_ctl_el0); /* disabled: the line drops */
        isb();
      }
    }
  } else if (intid == INTID_SGI) {
    sgis++;
    printf("sgi: INTID %lu\n", intid);
  } else {
    printf("unexpected INTID %lu\n", intid);
  }
  write_sysreg(iar, icc_eoir1_el1);
  isb();
  return 1;
}

/* Sleeps until *counter reaches target. IRQs are masked around the test and the WFI (which still
 * wakes on a pending interrupt, DDI 0487 D1.16.2), so an interrupt arriving between the test and
 * the WFI cannot be lost; it is taken when DAIF.I is cleared again. */
static void wait_for(volatile int *counter, int target) {
  for (;;) {
    __asm__ volatile("msr daifset, #2" ::: "memory");
    if (*counter >= target) break;
    __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  }
  __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
}

static void gic_init(void) {
  mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
  while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP) {
  }
  u32 waker = mmio_read32(GICR_BASE + GICR_WAKER);
  mmio_write32(GICR_BASE + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
  while (mmio_read32(GICR_BASE + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) {
  }
  /* SGIs and PPIs 0..31: priority 0xA0, Group 1 for the two used here, enabled. */
  for (int n = 0; n < 8; n++) mmio_write32(GICR_SGI_BASE + GICR_IPRIORITYR(n), 0xa0a0a0a0U);
  u32 mask = (1U << INTID_VTIMER) | (1U << INTID_SGI);
  mmio_write32(GICR_SGI_BASE + GICR_IGROUPR0, mask);
  mmio_write32(GICR_SGI_BASE + GICR_ICENABLER0, ~mask);
  mmio_write32(GICR_SGI_BASE + GICR_ISENABLER0, mask);

  write_sysreg(0x7, icc_sre_el1); /* SRE | DFB | DIB */
  isb();
  write_sysreg(0xf0, icc_pmr_el1);
  write_sysreg(0, icc_bpr1_el1);
  write_sysreg(1, icc_igrpen1_el1);
  isb();
}

int main(u64 boot_x0) {
  (void)boot_x0;
  uart_puts("timer: start\n");
  printf("CNTFRQ_EL0 = %lu\n", read_sysreg(cntfrq_el0));
  printf("GICD_PIDR2.ArchRev = %u\n", (mmio_read32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf);
  printf("GICR_PIDR2.ArchRev = %u\n", (mmio_read32(GICR_BASE + GICR_PIDR2) >> 4) & 0xf);
  u64 typer = mmio_read64(GICR_BASE + GICR_TYPER);
  printf("GICR_TYPER: Affinity = 0x%lx, Last = %lu\n", typer >> 32, (typer >> 4) & 1);

  exc_hook = irq_handler;
  gic_init();
  printf("ICC_SRE_EL1.SRE = %lu\n", read_sysreg(icc_sre_el1) & 1);

  /* SGI to self: ICC_SGI1R_EL1 INTID [27:24], TargetList [15:0] = CPU 0 (IHI 0069 §12.2.23). */
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  write_sysreg((u64)INTID_SGI << 24 | 1, icc_sgi1r_el1);
  isb();
  wait_for(&sgis, 1);

  /* Masked timer: the condition is met (ISTATUS) but no interrupt is signalled. */
  write_sysreg(0, cntv_tval_el0);
  write_sysreg(CTL_ENABLE | CTL_IMASK, cntv_ctl_el0);
  isb();
  while ((read_sysreg(cntv_ctl_el0) & CTL_ISTATUS) == 0) {
  }
  for (int i = 0; i < 1000; i++) __asm__ volatile("nop");
  printf("masked timer: CNTV_CTL_EL0 = 0x%lx, ticks = %d\n", read_sysreg(cntv_ctl_el0), ticks);

  /* Five ticks, alternately TVAL and CVAL programmed. */
  write_sysreg(CTL_IMASK, cntv_ctl_el0);
  program_next();
  write_sysreg(CTL_ENABLE, cntv_ctl_el0);
  isb();
  wait_for(&ticks, TICKS);
  __asm__ volatile("msr daifset, #2" ::: "memory");
  printf("timer: %d ticks, CNTV_CTL_EL0 = 0x%lx\n", ticks, read_sysreg(cntv_ctl_el0));
  uart_puts(ticks == TICKS && sgis == 1 ? "timer: PASS\n" : "timer: FAIL\n");
  return 0;
}
