/*
 * start.S — entry at EL1, MMU off (linux Documentation/arch/arm64/booting.rst and QEMU
 * hw/arm/boot.c: ELF images start at their entry point, raw images at 0x40080000 with x0 = DTB).
 * Sets the stack, the vector table and a known SCTLR_EL1, clears .bss, calls main(x0) and
 * powers off through PSCI SYSTEM_OFF.
 */
#include "hvguest.h"

  .section .text.start, "ax"
  .global _start
_start:
  mov x19, x0
  ldr x1, =__stack_top
  mov sp, x1
  ldr x1, =vectors
  msr vbar_el1, x1
  ldr x1, =SCTLR_EL1_INIT
  msr sctlr_el1, x1
  isb
  ldr x1, =__bss_start
  ldr x2, =__bss_end
1:cmp x1, x2
  b.hs 2f
  str xzr, [x1], #8
  b 1b
2:mov x0, x19
  bl main
  bl system_off
  .ltorg
