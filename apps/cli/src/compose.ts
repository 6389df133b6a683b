/**
 * Composition: the only place where a backend, the board and the firmware meet. A library user
 * does the same with these imports (see README "Packages").
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { createVirtMachine } from '@hvlab/board';
import type { CpuFactory, Machine } from '@hvlab/core';
import { installPsci } from '@hvlab/psci';
import type { BackendName, RunConfig } from './options.js';

const BACKENDS: Record<BackendName, CpuFactory> = { interp: createInterpCpu };

export interface BootInput {
  readonly cfg: RunConfig;
  readonly kernel: Uint8Array | undefined;
  readonly initrd: Uint8Array | undefined;
  readonly dtb: Uint8Array | undefined;
  /** Receives the guest's console bytes. */
  readonly onConsole: (bytes: Uint8Array) => void;
}

export interface Booted {
  readonly machine: Machine;
  /** The DTB the guest boots with (generated, or the one given with --dtb). */
  readonly dtb: Uint8Array;
  /** Feeds bytes to the UART receiver. */
  readonly sendInput: (bytes: Uint8Array) => void;
}

/** PSCI goes over HVC, as on QEMU virt without virtualization=on and on KVM. */
const CONDUIT = 'hvc';

export function boot(input: BootInput): Booted {
  const { cfg } = input;
  const vm = createVirtMachine({
    cpuFactory: BACKENDS[cfg.backend],
    cpus: cfg.smp,
    memoryBytes: cfg.memory,
    psciMethod: CONDUIT,
    kernel: input.kernel,
    initrd: input.initrd,
    bootargs: cfg.append,
    dtb: input.dtb,
    onConsole: input.onConsole,
  });
  installPsci(vm.machine, { conduit: CONDUIT });
  return { machine: vm.machine, dtb: vm.dtb, sendInput: (b) => vm.uart.receive(b) };
}
