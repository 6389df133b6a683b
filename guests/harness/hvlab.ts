/**
 * The hvlab side of the comparison: runs an image through the library the way a user would —
 * a QEMU-virt board (@hvlab/board) with 1..N CPUs on the TypeScript interpreter
 * (@hvlab/backend-interp), firmware over HVC (@hvlab/psci: QEMU's PSCI or KVM's whole firmware,
 * see HvlabFirmware) — and collects the PL011 output byte for byte.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { addVirtPvTimeRegion, createVirtMachine } from '@hvlab/board';
import type { Machine, RunResult } from '@hvlab/core';
import { installKvmFirmware, installPsci, PSCI_VERSION_1_1 } from '@hvlab/psci';
import { GUEST_RAM_BYTES } from './qemu.js';

/**
 * The firmware hvlab plays for a guest (PSCI over HVC, as the DTB says):
 * - 'qemu': `installPsci` — PSCI alone, at QEMU 7.2's version 1.1 (target/arm/psci.c), for
 *   guests whose output is compared with QEMU's;
 * - 'kvm': `installKvmFirmware` with KVM's defaults (PSCI 1.3, TRNG, KVM vendor services, PV
 *   time, default bitmaps), plus what QEMU does as a KVM VMM: a stolen-time record for every
 *   vCPU (KVM_ARM_VCPU_PVTIME_IPA), for guests whose expected output comes from the reference
 *   (guests/smccc/EXPECTED.md).
 */
export type HvlabFirmware = 'qemu' | 'kvm';

export interface HvlabOptions {
  /** Which firmware answers the guest's HVCs (default 'qemu'). */
  readonly firmware?: HvlabFirmware;
  /** Number of CPUs (QEMU's -smp; default 1). Secondaries start OFF, for PSCI CPU_ON. */
  readonly cpus?: number;
  /**
   * The scheduler's slice in instructions (Machine.run's `quantum`; default the Machine's).
   * Different quanta interleave the CPUs of an SMP guest differently.
   */
  readonly quantum?: number;
  /** Instruction limit: a guest that has not powered off by then ends with 'maxInstructions'. */
  readonly maxInstructions: number;
  /** Console input, typed once the guest has printed `after` (as the QEMU harness does). */
  readonly input?: { readonly text: string; readonly after: string };
}

export interface HvlabResult {
  /** Everything the guest wrote to the PL011, one char per byte (latin1), unaltered. */
  readonly stdout: string;
  /** Why the run ended: { reason: 'systemEvent', event.type 'shutdown' } after SYSTEM_OFF. */
  readonly result: RunResult;
  /** Instructions retired by all CPUs. */
  readonly retired: number;
}

/** Installs the firmware `firmware` names (see HvlabFirmware) on the machine's HVC conduit. */
function installFirmware(machine: Machine, firmware: HvlabFirmware): void {
  switch (firmware) {
    case 'qemu':
      installPsci(machine, { conduit: 'hvc', version: PSCI_VERSION_1_1 });
      return;
    case 'kvm': {
      // As the CLI does: KVM's firmware, and PV stolen time where QEMU's virt board puts it.
      const fw = installKvmFirmware(machine); // both conduits, as KVM
      for (const [i, ipa] of addVirtPvTimeRegion(machine.mem, machine.cpus.length).entries())
        fw.smccc.setPvTimeIpa(i, ipa);
      return;
    }
    default:
      throw new Error(`unknown firmware ${JSON.stringify(firmware)}`);
  }
}

/** Instructions between checks for a prompt when console input is pending. */
const INPUT_SLICE = 10_000;

/** Runs an ELF, arm64 Image or raw image on hvlab until it powers off or hits the limit. */
export function runHvlab(image: Uint8Array, opts: HvlabOptions): HvlabResult {
  const out: number[] = [];
  const vm = createVirtMachine({
    cpuFactory: createInterpCpu,
    kernel: image,
    cpus: opts.cpus ?? 1,
    memoryBytes: GUEST_RAM_BYTES,
    onConsole: (bytes) => {
      for (const b of bytes) out.push(b);
    },
  });
  installFirmware(vm.machine, opts.firmware ?? 'qemu');
  const text = () => Buffer.from(out).toString('latin1');
  let result: RunResult;
  let pending = opts.input;
  let left = opts.maxInstructions;
  for (;;) {
    const before = vm.machine.stats.retired;
    const maxInstructions = pending ? Math.min(INPUT_SLICE, left) : left;
    result = vm.machine.run(
      opts.quantum === undefined ? { maxInstructions } : { maxInstructions, quantum: opts.quantum },
    );
    left -= vm.machine.stats.retired - before;
    // A guest waiting for input may also halt (WFI with nothing else that could wake it).
    const resumable = result.reason === 'maxInstructions' || (pending !== undefined && result.reason === 'halted');
    if (!resumable || left <= 0) break;
    if (pending && text().includes(pending.after)) {
      vm.uart.pushRx(Buffer.from(pending.text, 'latin1'));
      pending = undefined;
    } else if (result.reason === 'halted') {
      break; // halted before its prompt: input cannot help
    }
  }
  return { stdout: text(), result, retired: vm.machine.stats.retired };
}

/** A one-line description of how a run ended, for assertion messages. */
export function describeEnd(r: RunResult): string {
  switch (r.reason) {
    case 'systemEvent':
      return `system event ${r.event.type} (${r.event.reason})`;
    case 'unhandledExit':
      return `unhandled ${r.exit.kind} exit on CPU ${r.cpu}`;
    case 'breakpoint':
      return `breakpoint at 0x${r.pc.toString(16)}`;
    case 'halted':
      return `halted: ${r.detail}`;
    default:
      return r.reason;
  }
}
