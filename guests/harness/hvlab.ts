/**
 * The hvlab side of the comparison: runs an image through the library the way a user would —
 * a QEMU-virt board (@hvlab/board) on the TypeScript interpreter (@hvlab/backend-interp), PSCI
 * over HVC (@hvlab/psci) — and collects the PL011 output byte for byte.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { createVirtMachine } from '@hvlab/board';
import type { RunResult } from '@hvlab/core';
import { installPsci } from '@hvlab/psci';
import { GUEST_RAM_BYTES } from './qemu.js';

export interface HvlabOptions {
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

/** Instructions between checks for a prompt when console input is pending. */
const INPUT_SLICE = 10_000;

/** Runs an ELF, arm64 Image or raw image on hvlab until it powers off or hits the limit. */
export function runHvlab(image: Uint8Array, opts: HvlabOptions): HvlabResult {
  const out: number[] = [];
  const vm = createVirtMachine({
    cpuFactory: createInterpCpu,
    kernel: image,
    memoryBytes: GUEST_RAM_BYTES,
    onConsole: (bytes) => {
      for (const b of bytes) out.push(b);
    },
  });
  installPsci(vm.machine, { conduit: 'hvc' });
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
