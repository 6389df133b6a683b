/*
 * probes.S — instructions the exceptions guest provokes exceptions with. Each faulting
 * instruction has a global label so the C side can check ELR_EL1 exactly, and the EL0 code
 * lives in its own page (.el0.text, see common/link.ld) so it can be mapped EL0-executable.
 *
 * The C handler (main.c) resumes after a fault by ELR += 4 (aborts, UNDEF, BRK, traps) or, for
 * instruction aborts and PC alignment faults, by ELR = x30 (every jump below is a BLR).
 */
#define SENTINEL 0xdead

  .text

/* u64 probe_ld64(u64 va): x0 = [va], or SENTINEL if the load faulted. */
  .global probe_ld64, probe_ld64_insn
probe_ld64:
  mov x1, x0
  mov x0, #SENTINEL
probe_ld64_insn:
  ldr x0, [x1]
  ret

/* u64 probe_ld32(u64 va): zero-extended 32-bit load, SENTINEL on fault. */
  .global probe_ld32, probe_ld32_insn
probe_ld32:
  mov x1, x0
  mov x0, #SENTINEL
probe_ld32_insn:
  ldr w0, [x1]
  ret

/* void probe_st64(u64 va, u64 value) */
  .global probe_st64, probe_st64_insn
probe_st64:
probe_st64_insn:
  str x1, [x0]
  ret

/* u64 probe_ldxr(u64 va): exclusive load (always alignment-checked, DDI 0487 B2.5.2). */
  .global probe_ldxr, probe_ldxr_insn
probe_ldxr:
  mov x1, x0
  mov x0, #SENTINEL
probe_ldxr_insn:
  ldxr x0, [x1]
  clrex
  ret

/* void probe_svc(void): SVC #0x123 with NZCV = 0b0110 (Z and C set by CMP x0, x0). */
  .global probe_svc, probe_svc_next
probe_svc:
  cmp x0, x0
  svc #0x123
probe_svc_next:
  ret

  .global probe_brk, probe_brk_insn
probe_brk:
probe_brk_insn:
  brk #0x42
  ret

/* UDF #0x1234: permanently undefined (DDI 0487 C6.2.371). */
  .global probe_udf, probe_udf_insn
probe_udf:
probe_udf_insn:
  .inst 0x00001234
  ret

/* SMC at EL1 with no EL3: UNDEFINED on QEMU (no secure firmware) and on hvlab (KVM's default). */
  .global probe_smc, probe_smc_insn
probe_smc:
  mov x0, #0
probe_smc_insn:
  smc #0
  ret

/* u64 probe_call(u64 target): BLR target; returns the callee's x0, or target if the fetch faulted. */
  .global probe_call
probe_call:
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  blr x0
  ldp x29, x30, [sp], #16
  ret

/* An illegal exception return (DDI 0487 D1.11.4): SPSR_EL1.M = EL2h is higher than the current
 * EL, so the ERET keeps EL1, sets PSTATE.IL and the next instruction takes an Illegal Execution
 * state exception (EC 0x0E) with ELR = probe_illegal_target. */
  .global probe_illegal_eret, probe_illegal_target
probe_illegal_eret:
  adr x1, probe_illegal_target
  msr elr_el1, x1
  mov x1, #0x3c9
  msr spsr_el1, x1
  eret
probe_illegal_target:
  nop
  ret

/* u64 enter_el0(u64 fn, u64 sp_el0, u64 arg0, u64 arg1): ERET to fn at EL0t with x0 = arg0,
 * x1 = arg1 (other registers hold EL1 values; the EL0 code must not rely on them). The EL0 code
 * comes back with SVC #0; the handler then ERETs to el0_return_point at EL1h with SP_EL1
 * unchanged, which returns the EL0 x0 to enter_el0's caller. */
  .global enter_el0, el0_return_point
enter_el0:
  stp x29, x30, [sp, #-96]!
  stp x19, x20, [sp, #16]
  stp x21, x22, [sp, #32]
  stp x23, x24, [sp, #48]
  stp x25, x26, [sp, #64]
  stp x27, x28, [sp, #80]
  msr sp_el0, x1
  msr elr_el1, x0
  msr spsr_el1, xzr
  mov x0, x2
  mov x1, x3
  isb
  eret
el0_return_point:
  ldp x19, x20, [sp, #16]
  ldp x21, x22, [sp, #32]
  ldp x23, x24, [sp, #48]
  ldp x25, x26, [sp, #64]
  ldp x27, x28, [sp, #80]
  ldp x29, x30, [sp], #96
  ret

/* ---- code that runs at EL0 (or is executed through aliases of this page) ----------------- */
  .section .el0.text, "ax"

/* EL0 without the MMU: SVC, EL1-only register, HVC at EL0, trapped WFI, trapped CNTVCT_EL0. */
  .global el0_basic, el0_basic_svc_next, el0_basic_mrs, el0_basic_hvc, el0_basic_wfi, el0_basic_cntvct
el0_basic:
  cmp x0, x0
  svc #0x42
el0_basic_svc_next:
el0_basic_mrs:
  mrs x1, sctlr_el1
el0_basic_hvc:
  hvc #0
el0_basic_wfi:
  wfi
el0_basic_cntvct:
  mrs x5, cntvct_el0
  mov x0, #0x77
  svc #0

/* EL0 with the MMU on: x0 = an EL1-only VA, x1 = a VA mapped UXN. */
  .global el0_mmu, el0_mmu_svc_next, el0_mmu_ld
el0_mmu:
  mov x2, #0x5a
  svc #0x43
el0_mmu_svc_next:
el0_mmu_ld:
  ldr x2, [x0]
  str x2, [sp, #-16]!
  ldr x3, [sp], #16
  blr x1
  add x0, x3, #0x100
  svc #0

/* Called at EL1 through non-identity aliases of this page. */
  .global alias_fn
alias_fn:
  mov x0, #0x1234
  ret
