/*
 * psci.c — PSCI calls over HVC #0 with the SMC Calling Convention (Arm DEN 0028 §2: function ID
 * in w0, arguments in x1..x3, result in x0). QEMU's built-in PSCI uses HVC when the guest runs
 * at EL1 without EL2 (qemu hw/arm/virt.c machvirt_init); hvlab's PSCI is installed with the
 * same conduit.
 */
#include "hvguest.h"

u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3) {
  register u64 x0 __asm__("x0") = fid;
  register u64 x1 __asm__("x1") = a1;
  register u64 x2 __asm__("x2") = a2;
  register u64 x3 __asm__("x3") = a3;
  __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return x0;
}

void system_off(void) {
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
  /* SYSTEM_OFF does not return (DEN 0022 §5.10); if it does, report it and stop here. */
  uart_puts("FAIL: PSCI SYSTEM_OFF returned\n");
  for (;;) __asm__ volatile("wfi");
}
