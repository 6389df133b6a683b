/*
 * entry.S — where PSCI CPU_ON starts a secondary CPU of the smp guest.
 *
 * Arm DEN 0022 (PSCI) §6.4 "CPU_ON", entry state: the CPU starts at entry_point, at the caller's
 * exception level (EL1 here: neither QEMU's built-in PSCI nor KVM gives the guest EL2), AArch64,
 * MMU and data cache off, PSTATE.{D,A,I,F} all masked, X0 = context_id, other registers UNKNOWN.
 * The entry state is captured before anything changes it and handed to secondary_main(), which
 * checks it: X0, CurrentEL, DAIF, SCTLR_EL1, SPSel and MPIDR_EL1 (DDI 0487 C5.2).
 *
 * Then the CPU gets the stack smp_stacks[Aff0] (Aff0 = CPU index on the virt board for fewer
 * than 16 CPUs, QEMU hw/arm/virt.c virt_cpu_mp_affinity), the shared vector table, and the same
 * known SCTLR_EL1 as the boot CPU (common/start.S).
 */
#include "hvguest.h"
#include "smp.h"

  .text
  .global secondary_entry
  .balign 8
secondary_entry:
  mov x19, x0                       /* context_id */
  mrs x20, CurrentEL
  mrs x21, DAIF
  mrs x22, SCTLR_EL1
  mrs x23, SPSel
  mrs x24, MPIDR_EL1
  and x1, x24, #0xff                /* Aff0 */
  cmp x1, #SMP_CPUS
  b.hs 9f                           /* no stack for this CPU: stop here */
  ldr x2, =smp_stacks
  add x1, x1, #1
  mov x3, #SMP_STACK_SIZE
  madd x2, x1, x3, x2               /* top of smp_stacks[Aff0] */
  mov sp, x2
  ldr x1, =vectors
  msr vbar_el1, x1
  ldr x1, =SCTLR_EL1_INIT
  msr sctlr_el1, x1
  isb
  mov x0, x19
  mov x1, x20
  mov x2, x21
  mov x3, x22
  mov x4, x23
  mov x5, x24
  bl secondary_main
9:wfe                               /* secondary_main ends with CPU_OFF and never returns */
  b 9b
  .ltorg
