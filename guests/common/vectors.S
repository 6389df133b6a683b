/*
 * vectors.S — the EL1 vector table (DDI 0487 D1.10.2: 16 entries of 0x80 bytes, VBAR_EL1
 * 2 KiB aligned). Every entry saves a struct frame (hvguest.h) on SP_EL1 and calls
 * exc_dispatch(frame, index); on return, ELR_EL1/SPSR_EL1/SP_EL0 and x0..x30 are reloaded from
 * the frame and the handler ERETs.
 */
#define FRAME_SIZE 288
#define F_SP_EL0 248
#define F_ELR 256
#define F_SPSR 264
#define F_ESR 272
#define F_FAR 280

  .macro ventry idx
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x1, #\idx
  b exc_common
  .endm

  .text
  .balign 2048
  .global vectors
vectors:
  ventry 0
  ventry 1
  ventry 2
  ventry 3
  ventry 4
  ventry 5
  ventry 6
  ventry 7
  ventry 8
  ventry 9
  ventry 10
  ventry 11
  ventry 12
  ventry 13
  ventry 14
  ventry 15

exc_common:
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  mrs x2, sp_el0
  stp x30, x2, [sp, #240]
  mrs x2, elr_el1
  mrs x3, spsr_el1
  stp x2, x3, [sp, #F_ELR]
  mrs x2, esr_el1
  mrs x3, far_el1
  stp x2, x3, [sp, #F_ESR]
  mov x0, sp
  bl exc_dispatch
  ldp x2, x3, [sp, #F_ELR]
  msr elr_el1, x2
  msr spsr_el1, x3
  ldp x30, x2, [sp, #240]
  msr sp_el0, x2
  ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x19, [sp, #144]
  ldp x20, x21, [sp, #160]
  ldp x22, x23, [sp, #176]
  ldp x24, x25, [sp, #192]
  ldp x26, x27, [sp, #208]
  ldp x28, x29, [sp, #224]
  ldp x0, x1, [sp, #0]
  add sp, sp, #FRAME_SIZE
  eret
