/**
 * The hvlab side of the comparison: runs an image through the library the way a user would —
 * a QEMU-virt board (@hvlab/board) on the TypeScript interpreter (@hvlab/backend-interp), PSCI
 * over HVC (@hvlab/psci) — and collects the PL011 output byte for byte.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { createVirtMachine } from '@hvlab/board';
import type { Machine, RunResult } from '@hvlab/core';
import { installPsci } from '@hvlab/psci';
import { GUEST_RAM_BYTES } from './qemu.js';

/**
 * The firmware hvlab plays for a guest:
 * - 'qemu': PSCI over HVC as QEMU 7.2's built-in firmware answers it, for guests whose output is
 *   compared with QEMU's;
 * - 'kvm': KVM's defaults for a guest (PSCI version, every SMCCC service, PV time with its IPA
 *   set), for guests whose expected output comes from the reference (guests/smccc/EXPECTED.md).
 */
export type HvlabFirmware = 'qemu' | 'kvm';

export interface HvlabOptions {
  /** Which firmware answers the guest's HVCs (default 'qemu'). */
  readonly firmware?: HvlabFirmware;
  /** Number of CPUs (QEMU's -smp; default 1). Secondaries start OFF, for PSCI CPU_ON. */
  readonly cpus?: number;
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
    case 'kvm':
      installPsci(machine, { conduit: 'hvc' });
      return;
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
    result = vm.machine.run({ maxInstructions: pending ? Math.min(INPUT_SLICE, left) : left });
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
