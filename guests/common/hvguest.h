/*
 * hvguest.h — the shared runtime of the hvlab bare-metal guests.
 *
 * Every guest runs at EL1 on a QEMU-`virt`-compatible board (QEMU hw/arm/virt.c base_memmap):
 * RAM at 0x40000000, PL011 UART0 at 0x09000000, GICv3 distributor at 0x08000000 and
 * redistributors at 0x080A0000, PSCI through HVC (reference/virt-platform.md §0.3).
 * Images are linked at 0x40080000 (common/link.ld) and entered with the MMU off.
 */
#ifndef HVGUEST_H
#define HVGUEST_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

#define UART0_BASE UL(0x09000000)
#define GICD_BASE UL(0x08000000)
#define GICR_BASE UL(0x080A0000)
#define RAM_BASE UL(0x40000000)

/* PSCI function IDs (Arm DEN 0022 PSCI §5.1, SMC32 calling convention). */
#define PSCI_VERSION UL(0x84000000)
#define PSCI_MIGRATE_INFO_TYPE UL(0x84000006)
#define PSCI_SYSTEM_OFF UL(0x84000008)
#define PSCI_SYSTEM_RESET UL(0x84000009)
#define PSCI_FEATURES UL(0x8400000A)

/* SCTLR_EL1 (DDI 0487 D17.2.118) value written by start.S: RES1 bits 29,28,23,22,20,11 of
 * Armv8.0, SA (3), SA0 (4), nTWI (16), nTWE (18); M, A, C, I clear. */
#define SCTLR_EL1_INIT UL(0x30D50818)
#define SCTLR_M (UL(1) << 0)
#define SCTLR_A (UL(1) << 1)
#define SCTLR_C (UL(1) << 2)
#define SCTLR_I (UL(1) << 12)

#ifndef __ASSEMBLER__

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;

/* System registers: MRS/MSR by name (Arm ARM DDI 0487 C5.2/C5.3). */
#define read_sysreg(reg)                                      \
  ({                                                          \
    u64 __v;                                                  \
    __asm__ volatile("mrs %0, " #reg : "=r"(__v)::"memory"); \
    __v;                                                      \
  })
#define write_sysreg(v, reg) __asm__ volatile("msr " #reg ", %0" ::"r"((u64)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }

/*
 * Device accesses, one plain LDR/STR each (no writeback, no pair), as Linux's __raw_readl and
 * friends (arch/arm64/include/asm/io.h). A hypervisor can only emulate an MMIO access whose
 * syndrome it gets (ESR_EL2.ISV = 1, DDI 0487 D17.2.37), which writeback and pair forms never
 * have: KVM, and hvlab like it, answer those with an external abort. A volatile C dereference
 * lets the compiler pick any addressing form, so the accessors are written in assembly.
 */
static inline u32 mmio_read32(u64 addr) {
  u32 v;
  __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return v;
}
static inline void mmio_write32(u64 addr, u32 v) { __asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory"); }
static inline u8 mmio_read8(u64 addr) {
  u32 v;
  __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return (u8)v;
}
static inline void mmio_write8(u64 addr, u8 v) { __asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory"); }
static inline u64 mmio_read64(u64 addr) {
  u64 v;
  __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return v;
}
static inline void mmio_write64(u64 addr, u64 v) { __asm__ volatile("str %x0, [%1]" ::"rZ"(v), "r"(addr) : "memory"); }

/* uart.c: PL011 transmit (ARM DDI 0183 PL011 TRM: UARTDR 0x000, UARTFR 0x018, TXFF bit 5). */
void uart_putc(char c);
void uart_puts(const char *s);
/* "0x" followed by the minimal number of hex digits. */
void put_hex(u64 v);
/* Exactly `digits` hex digits, no prefix. */
void put_hexn(u64 v, int digits);
void put_dec(u64 v);
/* A small printf: %s %c %d %u %x %p, optional 'l' (64-bit) and a zero-padded width (%016lx). */
void printf(const char *fmt, ...);

/* psci.c: SMC Calling Convention over HVC #0 (Arm DEN 0028). */
u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3);
__attribute__((noreturn)) void system_off(void);

/* vectors.S + exc.c: the exception frame saved by every vector entry. */
struct frame {
  u64 x[31];
  u64 sp_el0;
  u64 elr;
  u64 spsr;
  u64 esr;
  u64 far;
};

/* Vector entry index: (group << 2) | type, group 0 = current EL SP_EL0, 1 = current EL SP_ELx,
 * 2 = lower EL AArch64, 3 = lower EL AArch32; type 0 = sync, 1 = IRQ, 2 = FIQ, 3 = SError
 * (DDI 0487 D1.10.2, Table D1-7). */
#define VEC_TYPE(v) ((v) & 3)
#define VEC_SYNC 0
#define VEC_IRQ 1
#define VEC_FIQ 2
#define VEC_SERROR 3
#define VEC_GROUP(v) ((v) >> 2)

/* Returns nonzero if the exception was handled; the frame (ELR, SPSR, registers) is restored
 * from memory, so a handler may change it before the ERET. */
typedef int (*exc_hook_fn)(struct frame *f, u64 vec);
extern exc_hook_fn exc_hook;

/* ESR_EL1 fields (DDI 0487 D17.2.37). */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1UL << 25)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)

/* Provided by each guest. The argument is x0 at entry (the DTB address for raw images). */
int main(u64 boot_x0);

#endif /* __ASSEMBLER__ */
#endif
