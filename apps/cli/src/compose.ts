/**
 * Composition: the only place where a backend, the board and the firmware meet. A library user
 * does the same with these three imports (README "Packages"). The firmware is KVM's
 * (installKvmFirmware): hvlab run is a VMM on a KVM-compatible hypervisor.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import {
  addVirtPvTimeRegion,
  buildVirtBoardDtb,
  createVirtMachine,
  type VirtBoardOptions,
  type VirtMachineOptions,
} from '@hvlab/board';
import type { CpuFactory, Machine } from '@hvlab/core';
import {
  installKvmFirmware,
  KVM_PSCI_FN_CPU_OFF,
  KVM_PSCI_FN_CPU_ON,
  KVM_PSCI_FN_CPU_SUSPEND,
  KVM_PSCI_FN_MIGRATE,
  type KvmFirmware,
  PSCI_VERSION_0_1,
} from '@hvlab/psci';
import { applyFirmwareFlags } from './firmware.js';
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
  /** KVM's firmware on the machine (undefined with the machine). */
  readonly firmware: KvmFirmware | undefined;
  /** The DTB the guest boots with (generated, or the one given with --dtb after patching). */
  readonly dtb: Uint8Array;
  /** Feeds bytes to the UART receiver. */
  readonly sendInput: (bytes: Uint8Array) => void;
}

/** The DTB's /psci node follows the PSCI version the VMM selects (KVM's 0.1 IDs for 0.1). */
function dtbPsci(cfg: BootInput['cfg']): Pick<VirtMachineOptions, 'psciVersion' | 'psci01Ids'> {
  if (cfg.psciVersion === undefined) return {};
  return cfg.psciVersion === PSCI_VERSION_0_1
    ? { psciVersion: cfg.psciVersion, psci01Ids: KVM_PSCI_0_1_IDS }
    : { psciVersion: cfg.psciVersion };
}

const KVM_PSCI_0_1_IDS = {
  cpuSuspend: KVM_PSCI_FN_CPU_SUSPEND,
  cpuOff: KVM_PSCI_FN_CPU_OFF,
  cpuOn: KVM_PSCI_FN_CPU_ON,
  migrate: KVM_PSCI_FN_MIGRATE,
};

export function boot(input: BootInput): Booted {
  const { cfg } = input;
  const board: VirtBoardOptions = {
    cpus: cfg.smp,
    memoryBytes: cfg.memory,
    psciMethod: PSCI_CONDUIT,
    bootargs: cfg.append,
    ...dtbPsci(cfg),
  };
  if (input.kernel === undefined) {
    // --dump-dtb without a kernel, as QEMU's dumpdtb: the DTB of an empty board. The initrd's
    // place (and so /chosen linux,initrd-*) follows the kernel, so it needs one.
    if (input.initrd !== undefined) throw usageError('--initrd needs --kernel (the initrd is placed after it)');
    return { machine: undefined, firmware: undefined, dtb: buildVirtBoardDtb(board), sendInput: () => {} };
  }
  const vm = createVirtMachine({
    ...board,
    cpuFactory: BACKENDS[cfg.backend],
    kernel: input.kernel,
    onConsole: input.onConsole,
    initrd: input.initrd,
    dtb: input.dtb,
  });
  // The VMM's setup before the first KVM_RUN: the vCPU feature (PSCI 0.1 or 0.2+), the PSCI
  // version, the SYSTEM_SUSPEND capability, then the filter ranges and firmware registers.
  // Both conduits, as KVM: the DTB tells the guest to use HVC, and KVM answers an SMC too.
  const firmware = installKvmFirmware(vm.machine, {
    psci02: cfg.psciVersion !== PSCI_VERSION_0_1,
    ...(cfg.psciVersion === undefined ? {} : { psciVersion: cfg.psciVersion }),
    systemSuspend: cfg.systemSuspend,
  });
  applyFirmwareFlags(firmware, cfg.smcccFilters, cfg.fwRegs);
  // PV stolen time where QEMU's virt board puts it for a KVM guest.
  for (const [i, ipa] of addVirtPvTimeRegion(vm.mem, cfg.smp).entries()) firmware.smccc.setPvTimeIpa(i, ipa);
  return { machine: vm.machine, firmware, dtb: vm.dtb, sendInput: (b) => vm.uart.pushRx(b) };
}
