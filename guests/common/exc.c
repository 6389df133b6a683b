/*
 * exc.c — C side of the vector table. A guest installs `exc_hook` to claim exceptions it
 * provokes on purpose; anything else is reported (vector, ESR, ELR, FAR, SPSR) and the guest
 * powers off, so an unexpected exception ends the run with a diagnostic instead of a hang.
 */
#include "hvguest.h"

exc_hook_fn exc_hook;

static const char *const vec_names[16] = {
    "sync/cur-sp0",  "irq/cur-sp0",  "fiq/cur-sp0",  "serror/cur-sp0",
    "sync/cur-spx",  "irq/cur-spx",  "fiq/cur-spx",  "serror/cur-spx",
    "sync/lower64",  "irq/lower64",  "fiq/lower64",  "serror/lower64",
    "sync/lower32",  "irq/lower32",  "fiq/lower32",  "serror/lower32",
};

void exc_dispatch(struct frame *f, u64 vec) {
  if (exc_hook && exc_hook(f, vec)) return;
  printf("unexpected exception %s: ESR=0x%lx ELR=0x%lx FAR=0x%lx SPSR=0x%lx\n", vec_names[vec & 15], f->esr,
         f->elr, f->far, f->spsr);
  system_off();
}
