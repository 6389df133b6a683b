/**
 * Composition: the only place where a backend, the board and the firmware meet. A library user
 * does the same with these three imports (README "Packages"). The firmware is KVM's
 * (installKvmFirmware): hvlab run is a VMM on a KVM-compatible hypervisor.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { buildVirtDtb, createVirtMachine } from '@hvlab/board';
import type { CpuFactory, Machine, PhysMem } from '@hvlab/core';
import { installKvmFirmware, type KvmFirmware, PSCI_VERSION_0_1 } from '@hvlab/psci';
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

/**
 * PV stolen time as QEMU's virt board gives a KVM guest (hw/arm/virt.c: the VIRT_PVTIME window at
 * 0x090A0000, a RAM region of max_cpus * PVTIME_SIZE_PER_CPU (64) bytes rounded up to a page,
 * not described in the DT; virt_cpu_post_init sets each vCPU's KVM_ARM_VCPU_PVTIME_IPA to
 * base + 64 * index). The guest finds its record with PV_TIME_ST.
 */
export const VIRT_PVTIME_BASE = 0x090a_0000;
const PVTIME_SIZE_PER_CPU = 64;

function addPvTime(mem: PhysMem, firmware: KvmFirmware, cpus: number): void {
  const size = Math.ceil((cpus * PVTIME_SIZE_PER_CPU) / 4096) * 4096;
  mem.addRam(VIRT_PVTIME_BASE, size, { name: 'pvtime' });
  for (let i = 0; i < cpus; i++) firmware.smccc.setPvTimeIpa(i, BigInt(VIRT_PVTIME_BASE + i * PVTIME_SIZE_PER_CPU));
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
    return { machine: undefined, firmware: undefined, dtb, sendInput: () => {} };
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
  // The VMM's setup before the first KVM_RUN: the vCPU feature (PSCI 0.1 or 0.2+), the PSCI
  // version, the SYSTEM_SUSPEND capability, then the filter ranges and firmware registers.
  const firmware = installKvmFirmware(vm.machine, {
    conduit: PSCI_CONDUIT,
    psci02: cfg.psciVersion !== PSCI_VERSION_0_1,
    ...(cfg.psciVersion === undefined ? {} : { psciVersion: cfg.psciVersion }),
    systemSuspend: cfg.systemSuspend,
  });
  applyFirmwareFlags(firmware, cfg.smcccFilters, cfg.fwRegs);
  addPvTime(vm.mem, firmware, cfg.smp);
  return { machine: vm.machine, firmware, dtb: vm.dtb, sendInput: (b) => vm.uart.pushRx(b) };
}
