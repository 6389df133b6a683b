/**
 * The shape of a conformance case: plain data that the runner (runner.ts) turns into a fresh Cpu,
 * a run and a comparison.
 *
 * A case is: the instruction words under test (with the assembly they were generated from), the
 * state to set up before the first run, and what the state must be afterwards. Optional `next`
 * phases let a case continue: host actions (complete an MMIO read, raise an interrupt line, fix a
 * page table), another run, more expectations.
 *
 * Unless a case says otherwise, expectations are strict in one direction: every general-purpose
 * register and stack pointer a case does not mention must be unchanged, NZCV must be unchanged,
 * and the PSTATE bits other than NZCV must be unchanged (see runner.ts).
 */
import type { ExceptionEvent, InjectedException } from '../cpu.js';
import type { Exit, ExitKind } from '../exit.js';
import type { SysRegName } from '../sysregs.js';

type RegIndex =
  | 0
  | 1
  | 2
  | 3
  | 4
  | 5
  | 6
  | 7
  | 8
  | 9
  | 10
  | 11
  | 12
  | 13
  | 14
  | 15
  | 16
  | 17
  | 18
  | 19
  | 20
  | 21
  | 22
  | 23
  | 24
  | 25
  | 26
  | 27
  | 28
  | 29
  | 30;

/** X0..X30 by their lower-case assembler names. */
export type XRegName = `x${RegIndex}`;
/** Every register a case can set or check besides PC and PSTATE. */
export type RegName = XRegName | 'sp_el0' | 'sp_el1';

/** Compare only the bits in `mask` (for IMPLEMENTATION DEFINED or UNKNOWN fields). */
export interface Masked {
  readonly value: bigint;
  readonly mask: bigint;
}

export type ExpectedValue = bigint | Masked;

/** Little-endian initial contents (or expected contents) of memory at a physical address. */
export interface MemSpec {
  readonly at: number;
  readonly u64?: readonly bigint[];
  readonly u32?: readonly number[];
  readonly u8?: readonly number[];
}

/** Extra code placed at a physical address (a handler, a vector table entry, code run at EL0). */
export interface CodeBlock {
  readonly at: number;
  readonly asm: string;
  readonly words: readonly number[];
}

/** What the EL2/EL3 side does through the Cpu API between runs. */
export type HostAction =
  | { readonly op: 'inject'; readonly exception: InjectedException }
  | { readonly op: 'irq' | 'fiq'; readonly level: boolean }
  | { readonly op: 'breakpoints'; readonly pcs: readonly bigint[] }
  | { readonly op: 'warp'; readonly insns: number }
  | { readonly op: 'completeSysRegRead'; readonly value: bigint }
  | { readonly op: 'completeMmioRead'; readonly value: bigint }
  | { readonly op: 'skipInstruction' }
  | { readonly op: 'invalidateTlb' }
  /** A host-side write to RAM (PhysMem.write; backends see it through onHostWrite). */
  | { readonly op: 'writeMem'; readonly mem: MemSpec };

type Widen<T> = T extends bigint ? bigint : T;
type ExitFields<E> = { readonly [P in keyof E]?: Widen<E[P]> };
/** A partial Exit: `kind` plus any fields to compare (addresses as plain bigints). */
export type ExpectedExit = Exit extends infer E
  ? E extends Exit
    ? ExitFields<E> & { readonly kind: E['kind'] }
    : never
  : never;

export interface StateExpect {
  /** Default: a `budget` exit. */
  readonly exit?: ExpectedExit;
  /** Default for a `budget` exit of straight-line code: the start PC + 4 * budget. Required otherwise. */
  readonly pc?: bigint;
  /** Registers not listed must be unchanged. */
  readonly regs?: Readonly<Partial<Record<RegName, ExpectedValue>>>;
  /** N Z C V as a 4-bit number (0b1000 = N). Default: unchanged. */
  readonly nzcv?: number;
  /** The whole PSTATE (SPSR layout). Default: unchanged except NZCV (checked by `nzcv`). */
  readonly pstate?: ExpectedValue;
  readonly sysregs?: Readonly<Partial<Record<SysRegName, ExpectedValue>>>;
  readonly mem?: readonly MemSpec[];
  /** Cpu.retired after the run. */
  readonly retired?: number;
  /** Cpu.hasPendingInterrupt() after the run. */
  readonly pendingInterrupt?: boolean;
  /**
   * The exceptions reported to Cpu.onException during the phase, in order (only the listed
   * fields are compared; the list length must match).
   */
  readonly exceptions?: readonly Partial<ExceptionEvent>[];
  /** Cpu.timerOutputs() and Cpu.timerDeadline() after the run (deadline Infinity = never). */
  readonly timers?: { readonly phys?: boolean; readonly virt?: boolean; readonly deadline?: number };
}

export interface CaseSetup {
  /** Default: Xn = X_INIT(n), SP_EL0 = SP_EL0_TOP, SP_EL1 = SP_EL1_TOP (env.ts). */
  readonly regs?: Readonly<Partial<Record<RegName, bigint>>>;
  /** N Z C V (4 bits) merged into the default PSTATE. */
  readonly nzcv?: number;
  /** The whole PSTATE; default EL1h with D, A, I, F masked (0x3c5) plus `nzcv`. */
  readonly pstate?: bigint;
  /** Default: CODE. */
  readonly pc?: bigint;
  /** Written after the defaults (SCTLR_EL1, VBAR_EL1), in the order given. */
  readonly sysregs?: Readonly<Partial<Record<SysRegName, bigint>>>;
  readonly mem?: readonly MemSpec[];
  readonly code?: readonly CodeBlock[];
  /** Host actions before the first run. */
  readonly host?: readonly HostAction[];
}

export interface Phase {
  readonly host?: readonly HostAction[];
  /** Budget of a further run; omitted: only check the state the host actions left. */
  readonly run?: number;
  /** Exits of these kinds are resumed (up to 8 times) instead of ending the run. */
  readonly resumeOn?: readonly ExitKind[];
  readonly expect: StateExpect;
}

export interface ConformanceCase {
  readonly name: string;
  /** The assembly the words were generated from (scripts/gen-conformance-words.mjs). */
  readonly asm: string;
  /** Placed at `at`; execution starts at setup.pc (default CODE). */
  readonly words: readonly number[];
  /** Physical address of `words` (default CODE). */
  readonly at?: number;
  readonly setup?: CaseSetup;
  /** Budget of the first run. Default: words.length for a `budget` exit, else 100. */
  readonly steps?: number;
  readonly resumeOn?: readonly ExitKind[];
  readonly expect: StateExpect;
  /** Further phases, run in order after the first. */
  readonly next?: readonly Phase[];
}

export interface CaseGroup {
  readonly name: string;
  /** Where the expected values come from (Arm ARM DDI 0487 sections). */
  readonly ref: string;
  readonly cases: readonly ConformanceCase[];
}
