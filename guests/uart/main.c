/*
 * uart — PL011 receive, interrupt driven, as Linux's console uses it: the UART's RX interrupt
 * (SPI 1 = INTID 33 on QEMU virt, qemu hw/arm/virt.c a15irqmap) routed through the GICv3
 * distributor (GICD_IGROUPR1, GICD_IPRIORITYR, GICD_IROUTER, GICD_ISENABLER1; IHI 0069 §12.9).
 *
 * The PL011 runs with its FIFOs disabled (UARTLCR_H.FEN = 0), so every received character raises
 * RXINTR (ARM DDI 0183 §2.8); the handler drains UARTDR while UARTFR.RXFE is clear, clears the
 * interrupt in UARTICR and ends it with ICC_EOIR1_EL1. The guest reads one line from the console
 * (the test harness feeds "hvlab reads a line\n"), then prints it back upper-cased with its
 * length and checksum. Nothing printed depends on how the characters were batched into
 * interrupts, so QEMU and hvlab print the same.
 */
#include "hvguest.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_RXFE (1U << 4)
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIMSC 0x038
#define UARTMIS 0x040
#define UARTICR 0x044
#define UART_RXIM (1U << 4)
#define UART_RTIM (1U << 6)
#define UARTCR_UARTEN (1U << 0)
#define UARTCR_TXE (1U << 8)
#define UARTCR_RXE (1U << 9)

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1U << 31)
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x0400 + 4 * (n))
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_IROUTER(intid) (0x6000 + 8 * (intid))
#define GICR_WAKER 0x0014

#define INTID_UART 33
#define INTID_SPURIOUS 1023
#define MAX_LINE 128

static volatile char line[MAX_LINE];
static volatile int len;
static volatile int done;

static int irq_handler(struct frame *f, u64 vec) {
  (void)f;
  if (VEC_TYPE(vec) != VEC_IRQ) return 0;
  u64 iar = read_sysreg(icc_iar1_el1);
  u64 intid = iar & 0xffffff;
  if (intid == INTID_SPURIOUS) return 1;
  if (intid == INTID_UART) {
    while ((mmio_read32(UART0_BASE + UARTFR) & UARTFR_RXFE) == 0) {
      char c = (char)(mmio_read32(UART0_BASE + UARTDR) & 0xff);
      if (done) continue;
      if (c == '\n' || c == '\r') {
        done = 1;
      } else if (len < MAX_LINE) {
        line[len++] = c;
      }
    }
    mmio_write32(UART0_BASE + UARTICR, UART_RXIM | UART_RTIM);
  } else {
    printf("unexpected INTID %lu\n", intid);
  }
  write_sysreg(iar, icc_eoir1_el1);
  isb();
  return 1;
}

static void gic_init(void) {
  mmio_write32(GICD_BASE + GICD_CTLR, (1U << 4) | (1U << 1)); /* ARE, EnableGrp1 */
  while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP) {
  }
  mmio_write32(GICR_BASE + GICR_WAKER, mmio_read32(GICR_BASE + GICR_WAKER) & ~(1U << 1));
  while (mmio_read32(GICR_BASE + GICR_WAKER) & (1U << 2)) {
  }
  /* SPI 1 (INTID 33): Group 1, priority 0xa0, level-sensitive, routed to affinity 0.0.0.0. */
  mmio_write32(GICD_BASE + GICD_IGROUPR(1), 1U << (INTID_UART - 32));
  mmio_write32(GICD_BASE + GICD_IPRIORITYR(INTID_UART / 4), 0xa0a0a0a0U);
  mmio_write32(GICD_BASE + GICD_ICFGR(2), 0); /* INTIDs 32..47 level-sensitive */
  mmio_write64(GICD_BASE + GICD_IROUTER(INTID_UART), 0);
  mmio_write32(GICD_BASE + GICD_ISENABLER(1), 1U << (INTID_UART - 32));
  write_sysreg(0x7, icc_sre_el1);
  isb();
  write_sysreg(0xf0, icc_pmr_el1);
  write_sysreg(1, icc_igrpen1_el1);
  isb();
}

int main(u64 boot_x0) {
  (void)boot_x0;
  exc_hook = irq_handler;
  gic_init();
  /* Character mode (FEN = 0), 8 bits; receive interrupt only. */
  mmio_write32(UART0_BASE + UARTLCR_H, 3U << 5);
  mmio_write32(UART0_BASE + UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
  mmio_write32(UART0_BASE + UARTICR, 0x7ff);
  mmio_write32(UART0_BASE + UARTIMSC, UART_RXIM);
  printf("uart: UARTIMSC = 0x%x, UARTMIS = 0x%x\n", mmio_read32(UART0_BASE + UARTIMSC),
         mmio_read32(UART0_BASE + UARTMIS));
  uart_puts("uart: waiting for a line\n");
  for (;;) {
    __asm__ volatile("msr daifset, #2" ::: "memory");
    if (done) break;
    __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  }
  u32 sum = 0;
  uart_puts("uart: got \"");
  for (int i = 0; i < len; i++) {
    char c = line[i];
    sum = sum * 31 + (u8)c;
    uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
  }
  printf("\" (%d bytes, hash 0x%08x)\n", len, sum);
  mmio_write32(UART0_BASE + UARTIMSC, 0);
  printf("uart: UARTFR.RXFE = %u\n", (mmio_read32(UART0_BASE + UARTFR) >> 4) & 1);
  return 0;
}
