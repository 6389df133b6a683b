/* smp.h — constants shared by the smp guest's C and assembly. */
#ifndef SMP_H
#define SMP_H

/* CPUs the guest expects (QEMU -smp 4, hvlab cpus: 4). */
#define SMP_CPUS 4
/* Per-CPU stack for the secondaries (the boot CPU keeps common/start.S's stack). */
#define SMP_STACK_SIZE 8192

#endif
