/**
 * Composition: the only place where a backend, the board and the firmware meet. A library user
 * does the same with these three imports (README "Packages").
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { buildVirtDtb, createVirtMachine } from '@hvlab/board';
import type { CpuFactory, Machine } from '@hvlab/core';
import { installPsci } from '@hvlab/psci';
import type { BackendName, RunConfig } from './options.js';
import { usageError } from './values.js';

const BACKENDS: Record<BackendName, CpuFactory> = { interp: createInterpCpu };

/** PSCI goes over HVC, as on QEMU virt without virtualization=on and on KVM. */
export const PSCI_CONDUIT = 'hvc';

export interface BootInput {
  readonly cfg: RunConfig;
  readonly kernel: Uint8Array | undefined;
  readonly initrd: Uint8Array | undefined;
  readonly dtb: Uint8Array | undefined;
  /** Receives the guest's console bytes. */
  readonly onConsole: (bytes: Uint8Array) => void;
}

export interface Booted {
  /** Undefined only when --dump-dtb ran without --kernel (nothing to boot). */
  readonly machine: Machine | undefined;
  /** The DTB the guest boots with (generated, or the one given with --dtb after patching). */
  readonly dtb: Uint8Array;
  /** Feeds bytes to the UART receiver. */
  readonly sendInput: (bytes: Uint8Array) => void;
}

export function boot(input: BootInput): Booted {
  const { cfg } = input;
  if (input.kernel === undefined) {
    // --dump-dtb without a kernel, as QEMU's dumpdtb: the DTB of an empty board. The initrd's
    // place (and so /chosen linux,initrd-*) follows the kernel, so it needs one.
    if (input.initrd !== undefined) throw usageError('--initrd needs --kernel (the initrd is placed after it)');
    const dtb = buildVirtDtb({
      cpus: cfg.smp,
      memoryBytes: cfg.memory,
      psciMethod: PSCI_CONDUIT,
      bootargs: cfg.append,
    });
    return { machine: undefined, dtb, sendInput: () => {} };
  }
  const vm = createVirtMachine({
    cpuFactory: BACKENDS[cfg.backend],
    cpus: cfg.smp,
    memoryBytes: cfg.memory,
    psciMethod: PSCI_CONDUIT,
    kernel: input.kernel,
    onConsole: input.onConsole,
    initrd: input.initrd,
    bootargs: cfg.append,
    dtb: input.dtb,
  });
  installPsci(vm.machine, { conduit: PSCI_CONDUIT });
  return { machine: vm.machine, dtb: vm.dtb, sendInput: (b) => vm.uart.pushRx(b) };
}
