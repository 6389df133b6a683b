/*
 * hvc-bench — the HVC round trip: HVC_CALLS PSCI_VERSION calls (loop.S), then a checksum of the
 * answers and PSCI SYSTEM_OFF (common/start.S).
 *
 * Built for several HVC_CALLS (build.sh); `pnpm bench` times two of them on hvlab and on QEMU and
 * divides the difference of the times by the difference of the call counts, which cancels
 * start-up and the printing (the subtraction method of ../shared/bench/README.md):
 *     ns/call = (t(N2) - t(N1)) / (N2 - N1)
 * The output is the same on every engine that answers PSCI_VERSION with the same version.
 */
#include "smccc.h"

#ifndef HVC_CALLS
#error "build with -DHVC_CALLS=<number of calls>"
#endif

void hvc_bench_loop(u64 n, u64 out[2]);

int main(u64 boot_x0) {
  (void)boot_x0;
  u64 version = psci_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
  u64 out[2];
  hvc_bench_loop(HVC_CALLS, out);
  printf("hvc-bench: %lu PSCI_VERSION calls over HVC, PSCI_VERSION = %lu.%lu\n", (u64)HVC_CALLS, version >> 16,
         version & 0xffff);
  printf("hvc-bench: sum of answers = %lu x PSCI_VERSION:", (u64)HVC_CALLS);
  uart_puts(out[0] == (u64)HVC_CALLS * version ? " yes\n" : " NO\n");
  printf("hvc-bench: checksum 0x%016lx\n", out[1]);
  return 0;
}
