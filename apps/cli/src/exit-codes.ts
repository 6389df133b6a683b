/**
 * hvlab's exit statuses. 0 means the guest powered off through PSCI SYSTEM_OFF; every other way
 * a run can end has its own status and a one-line message on stderr. The README and
 * `hvlab run --help` print the same table (EXIT_TABLE).
 */
import type { RunResult, SystemEvent } from '@hvlab/core';
import { hex64 } from '@hvlab/core';

export const EXIT = {
  /** The guest called PSCI SYSTEM_OFF (or SYSTEM_OFF2). */
  OK: 0,
  /** A bug in hvlab (an unexpected exception). */
  INTERNAL: 1,
  /** A bad flag or value, an unknown backend, a firmware setting KVM would refuse. */
  USAGE: 2,
  /** A file that is missing, unreadable or cannot be written; stdout failing too (EPIPE, ENOSPC). */
  FILE: 3,
  /** An image, initrd or DTB that is malformed or does not fit the machine (or its RAM). */
  IMAGE: 4,
  /** The guest called PSCI SYSTEM_RESET (or SYSTEM_RESET2). */
  RESET: 10,
  /** --max-instructions retired without a system event. */
  MAX_INSTRUCTIONS: 11,
  /** Every CPU is off, or waits for an interrupt that can never arrive. */
  HALTED: 12,
  /** The guest did something no model handles (an exit with no handler). */
  UNHANDLED_EXIT: 13,
  /** The guest called PSCI SYSTEM_SUSPEND (served with --system-suspend). */
  SUSPEND: 14,
  /** The guest reported a crash. */
  CRASH: 15,
  /** Stopped by SIGINT or the Ctrl-A x console escape. */
  INTERRUPTED: 130,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_TABLE: readonly (readonly [ExitStatus, string])[] = [
  [EXIT.OK, 'the guest powered off (PSCI SYSTEM_OFF or SYSTEM_OFF2)'],
  [EXIT.INTERNAL, 'internal error in hvlab (please report it)'],
  [EXIT.USAGE, 'bad flag or value, unknown backend, or a --fw-reg/--smccc-filter KVM refuses'],
  [EXIT.FILE, 'missing or unreadable input file, or unwritable output file'],
  [EXIT.IMAGE, 'malformed kernel, initrd or DTB, or it does not fit in memory'],
  [EXIT.RESET, 'the guest reset the system (PSCI SYSTEM_RESET or SYSTEM_RESET2)'],
  [EXIT.MAX_INSTRUCTIONS, '--max-instructions reached'],
  [EXIT.HALTED, 'every CPU is off or waits forever, without a system event'],
  [EXIT.UNHANDLED_EXIT, 'the guest did something hvlab does not model'],
  [EXIT.SUSPEND, 'the guest suspended the system (PSCI SYSTEM_SUSPEND, with --system-suspend)'],
  [EXIT.CRASH, 'the guest reported a crash'],
  [EXIT.INTERRUPTED, 'interrupted (SIGINT or Ctrl-A x)'],
];

/** The exit-status table as `--help` prints it. */
export const exitTableText = (): string =>
  EXIT_TABLE.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`).join('\n');

export interface Outcome {
  readonly status: ExitStatus;
  /** One line for stderr, or undefined for a silent (successful) end. */
  readonly message: string | undefined;
}

function eventOutcome(e: SystemEvent): Outcome {
  switch (e.type) {
    case 'shutdown':
      return { status: EXIT.OK, message: undefined };
    case 'reset':
      return { status: EXIT.RESET, message: `guest reset the system (${e.reason} on CPU ${e.cpu})` };
    case 'suspend':
      return { status: EXIT.SUSPEND, message: `guest suspended the system (${e.reason} on CPU ${e.cpu})` };
    case 'crash':
      return { status: EXIT.CRASH, message: `guest crashed (${e.reason} on CPU ${e.cpu})` };
  }
}

/** How a finished run maps to an exit status and message. */
export function outcomeOf(r: RunResult, maxInstructions: number | undefined): Outcome {
  switch (r.reason) {
    case 'systemEvent':
      return eventOutcome(r.event);
    case 'maxInstructions':
      return {
        status: EXIT.MAX_INSTRUCTIONS,
        message: `stopped: --max-instructions ${maxInstructions ?? '?'} reached without a system event`,
      };
    case 'halted':
      return { status: EXIT.HALTED, message: `guest halted: ${r.detail}` };
    case 'stopped':
      return { status: EXIT.INTERRUPTED, message: 'interrupted' };
    case 'unhandledExit':
      return {
        status: EXIT.UNHANDLED_EXIT,
        message: `CPU ${r.cpu} stopped on an unhandled ${r.exit.kind} exit${describeExit(r)}`,
      };
    case 'hypercall':
      // A firmware model forwarded the call to the VMM (an SMCCC filter's FWD_TO_USER). hvlab run
      // answers those itself (main.ts) and resumes, so a run never ends here; a library user
      // mapping its own runs gets this line.
      return {
        status: EXIT.UNHANDLED_EXIT,
        message: `CPU ${r.call.cpu} made a call forwarded to the VMM (function 0x${(r.call.nr >>> 0).toString(16).padStart(8, '0')}, ${r.call.conduit.toUpperCase()} #${r.call.imm}), which hvlab run does not answer`,
      };
    case 'breakpoint':
      // The CLI sets no breakpoints, so one firing is a bug.
      return {
        status: EXIT.INTERNAL,
        message: `internal error: unexpected breakpoint at ${hex64(r.pc)} on CPU ${r.cpu}`,
      };
  }
}

function describeExit(r: Extract<RunResult, { reason: 'unhandledExit' }>): string {
  const e = r.exit;
  switch (e.kind) {
    case 'stage2Fault':
      return ` (IPA ${hex64(e.ipa)}, ${e.access})`;
    case 'gpf':
      return ` (PA ${hex64(e.pa)}, ${e.access})`;
    case 'mmio':
      return ` (PA ${hex64(e.pa)})`;
    default:
      return '';
  }
}
