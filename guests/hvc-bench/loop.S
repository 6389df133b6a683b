/*
 * loop.S — the timed part of hvc-bench: `n` PSCI_VERSION calls (function ID 0x84000000, Arm
 * DEN 0022 §5.1.1) over HVC #0, back to back. Each answer is added into out[0] and folded into
 * an FNV-1a-style hash in out[1] (h = (h ^ answer) * 0x100000001b3), so a wrong or changing
 * answer shows in the printed checksum. Six instructions per iteration besides the HVC; the loop
 * keeps its state in callee-saved registers (SMCCC 1.1 lets the callee write X0..X3; KVM zeroes
 * X1..X3).
 *
 *   void hvc_bench_loop(u64 n, u64 out[2]);
 */
  .text
  .global hvc_bench_loop
  .balign 64
hvc_bench_loop:
  stp x19, x20, [sp, #-32]!
  stp x21, x22, [sp, #16]
  str x23, [sp, #-16]!
  mov x19, x0                       /* calls left */
  mov x22, x1                       /* out */
  mov x20, #0                       /* sum */
  ldr x21, =0xcbf29ce484222325      /* hash: FNV-1a offset basis */
  ldr x23, =0x100000001b3           /* FNV prime */
  cbz x19, 2f
1:movz w0, #0x8400, lsl #16         /* PSCI_VERSION */
  hvc #0
  add x20, x20, x0
  eor x21, x21, x0
  mul x21, x21, x23
  subs x19, x19, #1
  b.ne 1b
2:stp x20, x21, [x22]
  ldr x23, [sp], #16
  ldp x21, x22, [sp, #16]
  ldp x19, x20, [sp], #32
  ret
  .ltorg
