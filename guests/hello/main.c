/*
 * hello — the smallest guest: prints a greeting, a few values computed with integer arithmetic
 * (so a wrong ALU result shows in the output), the CPU identity registers that QEMU's
 * cortex-a57 and hvlab both define, and powers off with PSCI SYSTEM_OFF.
 */
#include "hvguest.h"

static u64 fib(u64 n) {
  u64 a = 0, b = 1;
  for (u64 i = 0; i < n; i++) {
    u64 t = a + b;
    a = b;
    b = t;
  }
  return a;
}

static u64 count_primes(u64 limit) {
  u64 n = 0;
  for (u64 i = 2; i < limit; i++) {
    int prime = 1;
    for (u64 d = 2; d * d <= i; d++) {
      if (i % d == 0) {
        prime = 0;
        break;
      }
    }
    n += (u64)prime;
  }
  return n;
}

static u64 mulhi(u64 a, u64 b) { return (u64)(((unsigned __int128)a * b) >> 64); }

static u32 crc32(const char *s) {
  u32 c = ~0U;
  for (; *s; s++) {
    c ^= (u8)*s;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320U & -(c & 1));
  }
  return ~c;
}

int main(u64 boot_x0) {
  (void)boot_x0;
  uart_puts("Hello from an hvlab guest!\n");
  printf("fib(90) = %lu = 0x%lx\n", fib(90), fib(90));
  printf("primes below 10000: %lu\n", count_primes(10000));
  printf("mulhi(0x%lx, 0x%lx) = 0x%lx\n", 0xfedcba9876543210UL, 0x0123456789abcdefUL,
         mulhi(0xfedcba9876543210UL, 0x0123456789abcdefUL));
  volatile i64 num = -1000000007L, den = 97;
  printf("-1000000007 / 97 = %ld rem %ld\n", num / den, num % den);
  printf("crc32(\"hvlab\") = 0x%08x\n", crc32("hvlab"));
  printf("CurrentEL = %lu\n", (read_sysreg(CurrentEL) >> 2) & 3);
  printf("MIDR_EL1 = 0x%lx\n", read_sysreg(midr_el1));
  printf("MPIDR_EL1 = 0x%lx\n", read_sysreg(mpidr_el1));
  printf("CNTFRQ_EL0 = %lu Hz\n", read_sysreg(cntfrq_el0));
  uart_puts("Goodbye.\n");
  return 0;
}
