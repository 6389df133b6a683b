/**
 * Plans the QEMU run of the conformance cases: which cases (and which of their phases) QEMU can
 * express, and the exact machine state each one starts from.
 *
 * The starting state is not re-derived here: setUpCase() from the suite's runner is run against
 * a recording Cpu, so QEMU starts from exactly the registers, system registers (in the same
 * order) and memory that every backend starts from.
 *
 * How a case becomes a QEMU session (`-M virt,virtualization=on`: the CPU resets at EL2, so the
 * oracle plays the hypervisor, as hvlab's TypeScript EL2 does):
 *
 *   system_reset ─► zero the case's RAM pages ─► write vectors, code, data (physical)
 *     ─► at EL2: MSR HCR_EL2, CNTHCTL_EL2, VBAR_EL2, then every recorded setSysReg,
 *        SP_EL0, SP_EL1, ELR_EL2 = PC, SPSR_EL2 = PSTATE; X0..X30 through gdb
 *     ─► ERET ─► single steps until the budget is used or the CPU enters EL2
 *
 * An entry to EL2 is the QEMU form of an hvlab exit: HVC traps there (EC 0x16) and stage-2 aborts
 * are taken there (EC 0x20/0x24); verdict.ts decodes ESR_EL2. A later phase resumes from EL2 with
 * ERET (as resuming after an exit does), after its host actions: `writeMem` is a physical write,
 * `invalidateTlb` is TLBI ALLE1; DSB ISH; ISB executed at EL2 (possible only when the previous
 * phase stopped in EL2). Everything else a case can ask of the host has no QEMU equivalent.
 */

import { DATA, RAM_BASE, RAM_SIZE, SP_EL0_TOP, SP_EL1_TOP } from '../../src/conformance/env.js';
import { firstRunBudget, type Known, setUpCase, snapshot, writeMemSpec } from '../../src/conformance/runner.js';
import type { ConformanceCase, MemSpec, Phase, StateExpect } from '../../src/conformance/types.js';
import type { Cpu } from '../../src/cpu.js';
import type { Exit, ExitKind } from '../../src/exit.js';
import { PhysMem } from '../../src/memory.js';
import { CoreReg } from '../../src/regs.js';
import { SysReg, type SysRegId, sysRegName } from '../../src/sysregs.js';

/** `-cpu` models the oracle runs (a case runs on cortex-a57 unless divergences.ts says otherwise). */
export type QemuCpu = 'cortex-a57' | 'max';

/**
 * Oracle-private memory, above the suite's 4 MiB of RAM (so no case can reach it) and inside
 * QEMU virt's RAM (128 MiB at 0x4000_0000, hw/arm/virt.c VIRT_MEM).
 */
export const QEMU_RAM_MIB = 128;
/** VBAR_EL2: every vector entry is `B .`, so an exception to EL2 parks the CPU for inspection. */
export const EL2_VECTORS = 0x4400_0000;
/** Where the oracle places the single instructions it executes at EL2 (MSR, TLBI, ERET). */
export const EL2_SCRATCH = 0x4400_1000;

/** A64 encodings (checked with aarch64-linux-gnu-as). */
const INSN = {
  /** B . (Arm ARM C6.2 "B"). */
  B_SELF: 0x1400_0000,
  /** TLBI ALLE1 (C5.5, op1 4, CRn 8, CRm 7, op2 4): all EL1&0 entries, all VMIDs, both stages. */
  TLBI_ALLE1: 0xd50c_879f,
  DSB_ISH: 0xd503_3b9f,
  ISB: 0xd503_3fdf,
} as const;

/** MSR <sysreg>, X0 (Arm ARM C6.2 "MSR (register)"): the SysRegId sits at bits 20..5. */
export const msrX0 = (id: SysRegId): number => (0xd500_0000 | (id << 5)) >>> 0;

/** HCR_EL2.RW (bit 31): EL1 is AArch64 (Arm ARM D17.2 HCR_EL2). */
const HCR_EL2_RW = 1n << 31n;
/** CNTHCTL_EL2.EL1PCTEN | EL1PCEN: EL1/EL0 physical counter and timer not trapped to EL2. */
const CNTHCTL_EL2_EL1PC = 0b11n;

/** The exits a run on QEMU can end with: the budget, or an entry to EL2 that means an hvlab exit. */
const QEMU_EXITS: readonly ExitKind[] = ['budget', 'hvc', 'stage2Fault'];
const EL2_EXITS: readonly ExitKind[] = ['hvc', 'stage2Fault'];

/** Integers cross to Python as numbers when exact, else as "0x..." strings. */
type WireInt = number | string;
const wireInt = (v: bigint): WireInt => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : `0x${v.toString(16)}`);

/** One phase as oracle.py executes it (its header documents the fields). */
export interface WirePhase {
  readonly writes: readonly (readonly [number, string])[];
  readonly el2: readonly (readonly [number, WireInt | null])[];
  readonly x: readonly WireInt[] | null;
  readonly eret: boolean;
  readonly resumePc: WireInt | null;
  readonly steps: number;
  readonly sysregs: readonly string[];
  readonly mem: readonly (readonly [number, number])[];
}

export interface WireJob {
  readonly id: number;
  /** `group :: case name`, for error messages only. */
  readonly key: string;
  readonly writes: readonly (readonly [number, string])[];
  readonly phases: readonly WirePhase[];
}

/** A phase of a case that the oracle runs and compares. */
export interface PlannedPhase {
  /** As runner.ts labels phases: `run(N)`, `next[i] run(N)`, `next[i]`. */
  readonly label: string;
  /** The phase's expectations without the hvlab-API-only fields (see architectural()). */
  readonly expect: StateExpect;
  /** The run's budget; undefined for a phase that only checks state after host actions. */
  readonly budget: number | undefined;
}

export interface OracleJob {
  readonly id: number;
  readonly group: string;
  readonly case: ConformanceCase;
  readonly cpu: QemuCpu;
  /** Register and PSTATE values the first phase starts from (runner.ts "unchanged" baseline). */
  readonly known: Known;
  readonly startPc: bigint;
  readonly phases: readonly PlannedPhase[];
  /** Later phases left out, and why (their host actions have no QEMU equivalent). */
  readonly unchecked: { readonly phases: number; readonly reason: string } | undefined;
  readonly wire: WireJob;
}

export interface NotRunnable {
  readonly group: string;
  readonly name: string;
  readonly reason: string;
}

export interface OraclePlan {
  readonly jobs: readonly OracleJob[];
  readonly notRunnable: readonly NotRunnable[];
}

export const caseKey = (group: string, name: string): string => `${group} :: ${name}`;

/**
 * The expectations QEMU can be held to: everything except what only the hvlab Cpu API reports
 * (Cpu.retired, hasPendingInterrupt, timerOutputs/timerDeadline, onException events).
 */
export function architectural(e: StateExpect): StateExpect {
  const { retired: _r, pendingInterrupt: _p, timers: _t, exceptions: _e, ...rest } = e;
  return rest;
}

/** Why the first run of `c` cannot happen on QEMU, or undefined if it can. */
function firstRunBlocker(c: ConformanceCase): string | undefined {
  const host = c.setup?.host ?? [];
  if (host.length > 0) return `host action before the first run (${[...new Set(host.map((a) => a.op))].join(', ')})`;
  if ((c.resumeOn ?? []).length > 0) return 'resumes exits within a run (resumeOn)';
  const kind = c.expect.exit?.kind ?? 'budget';
  if (!QEMU_EXITS.includes(kind)) return `expects a ${kind} exit (an hvlab Exit QEMU has no counterpart for)`;
  return undefined;
}

/** Why a later phase cannot be replayed on QEMU, or undefined if it can. */
function phaseBlocker(p: Phase, atEl2: boolean): string | undefined {
  if ((p.resumeOn ?? []).length > 0) return 'resumes exits within a run (resumeOn)';
  let tlbiSeen = false;
  for (const a of p.host ?? []) {
    if (a.op === 'writeMem') {
      if (tlbiSeen) return 'writeMem after invalidateTlb (the oracle writes memory first)';
    } else if (a.op === 'invalidateTlb') {
      if (!atEl2) return 'invalidateTlb while the CPU is not stopped in EL2 (no place to execute TLBI)';
      tlbiSeen = true;
    } else {
      return `host action ${a.op}`;
    }
  }
  const kind = p.expect.exit?.kind ?? 'budget';
  if (p.run !== undefined && !QEMU_EXITS.includes(kind)) return `expects a ${kind} exit`;
  return undefined;
}

const unsupported = (what: string): never => {
  throw new Error(`the QEMU oracle cannot replay Cpu.${what} during setup (firstRunBlocker should have caught it)`);
};

/**
 * A Cpu that only records what setUpCase() does to it. Host actions never reach it:
 * firstRunBlocker() keeps cases with setup host actions away from the oracle.
 */
class SetupRecorder implements Cpu {
  readonly index = 0;
  readonly regs = new Map<number, bigint>();
  /** setSysReg calls in order. */
  readonly sysregs: [SysRegId, bigint][] = [];
  onException: Cpu['onException'] = undefined;
  onHypercall = undefined;
  constructor(readonly mem: PhysMem) {}
  getReg(id: number): bigint {
    const v = this.regs.get(id);
    if (v === undefined) throw new Error(`setUpCase did not set core register ${id}`);
    return v;
  }
  setReg(id: number, value: bigint): void {
    this.regs.set(id, BigInt.asUintN(64, value));
  }
  setSysReg(id: SysRegId, value: bigint): void {
    this.sysregs.push([id, BigInt.asUintN(64, value)]);
  }
  get retired(): number {
    return unsupported('retired');
  }
  get time(): number {
    return unsupported('time');
  }
  run = (): Exit => unsupported('run');
  getSysReg = (id: SysRegId): bigint => unsupported(`getSysReg(${sysRegName(id)})`);
  sysRegList = (): readonly SysRegId[] => unsupported('sysRegList');
  completeSysRegRead = (): void => unsupported('completeSysRegRead');
  completeMmioRead = (): void => unsupported('completeMmioRead');
  skipInstruction = (): void => unsupported('skipInstruction');
  reset = (): void => unsupported('reset');
  injectException = (): void => unsupported('injectException');
  setInterruptLine = (): void => unsupported('setInterruptLine');
  hasPendingInterrupt = (): boolean => unsupported('hasPendingInterrupt');
  timerOutputs = (): { phys: boolean; virt: boolean } => unsupported('timerOutputs');
  timerDeadline = (): number => unsupported('timerDeadline');
  warp = (): void => unsupported('warp');
  invalidateTlb = (): void => unsupported('invalidateTlb');
  invalidateCode = (): void => unsupported('invalidateCode');
  setBreakpoints = (): void => unsupported('setBreakpoints');
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** An instruction word as little-endian hex bytes. */
const le32 = (w: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(w >>> 0);
  return b.toString('hex');
};

/** Records the host writes `fill` makes to a fresh suite-sized RAM, with their final bytes. */
function recordWrites(fill: (mem: PhysMem) => void): [number, string][] {
  const mem = new PhysMem();
  mem.addRam(RAM_BASE, RAM_SIZE);
  const ranges: [number, number][] = [];
  mem.onHostWrite((pa, len) => ranges.push([pa, len]));
  fill(mem);
  return ranges.map(([pa, len]) => [pa, hex(mem.read(pa, len))]);
}

const memSpecLength = (m: MemSpec): number => 8 * (m.u64?.length ?? 0) + 4 * (m.u32?.length ?? 0) + (m.u8?.length ?? 0);

/** What to read back after a phase: the expected sysregs and memory, plus ESR/ELR/FAR/SPSR_EL1 for diagnostics. */
function reads(e: StateExpect): Pick<WirePhase, 'sysregs' | 'mem'> {
  const diag = ['ESR_EL1', 'ELR_EL1', 'FAR_EL1', 'SPSR_EL1'];
  return {
    sysregs: [...new Set([...Object.keys(e.sysregs ?? {}), ...diag])],
    mem: (e.mem ?? []).map((m) => [m.at, memSpecLength(m)] as const),
  };
}

const firstBudget = firstRunBudget;

function planCase(id: number, group: string, c: ConformanceCase, cpu: QemuCpu): OracleJob {
  // setUpCase() builds the suite's world and calls the factory once; the recorder sees every
  // register write and the PhysMem listener every memory write it makes.
  const ranges: [number, number][] = [];
  const { cpu: recorder, mem } = setUpCase(({ mem }) => {
    mem.onHostWrite((pa, len) => ranges.push([pa, len]));
    return new SetupRecorder(mem);
  }, c);
  if (!(recorder instanceof SetupRecorder)) throw new Error('setUpCase did not use the recording Cpu');
  const writes: [number, string][] = ranges.map(([pa, len]) => [pa, hex(mem.read(pa, len))]);
  for (let off = 0; off < 0x800; off += 0x80) writes.push([EL2_VECTORS + off, le32(INSN.B_SELF)]);

  const pc = recorder.getReg(CoreReg.PC);
  const el2Setup: [number, WireInt | null][] = [
    [msrX0(SysReg.HCR_EL2), wireInt(HCR_EL2_RW)],
    [msrX0(SysReg.CNTHCTL_EL2), wireInt(CNTHCTL_EL2_EL1PC)],
    [msrX0(SysReg.VBAR_EL2), EL2_VECTORS],
    ...recorder.sysregs.map(([sid, v]) => [msrX0(sid), wireInt(v)] as [number, WireInt]),
    [msrX0(SysReg.SP_EL0), wireInt(recorder.getReg(CoreReg.SP_EL0))],
    [msrX0(SysReg.SP_EL1), wireInt(recorder.getReg(CoreReg.SP_EL1))],
    [msrX0(SysReg.ELR_EL2), wireInt(pc)],
    [msrX0(SysReg.SPSR_EL2), wireInt(recorder.getReg(CoreReg.PSTATE))],
  ];
  const budget0 = firstBudget(c);
  const phases: PlannedPhase[] = [{ label: `run(${budget0})`, expect: architectural(c.expect), budget: budget0 }];
  const wirePhases: WirePhase[] = [
    {
      writes: [],
      el2: el2Setup,
      x: Array.from({ length: 31 }, (_, i) => wireInt(recorder.getReg(i))),
      eret: true,
      resumePc: wireInt(pc),
      steps: budget0,
      ...reads(c.expect),
    },
  ];

  let atEl2 = EL2_EXITS.includes(c.expect.exit?.kind ?? 'budget');
  let unchecked: OracleJob['unchecked'];
  for (const [i, p] of (c.next ?? []).entries()) {
    const blocker = phaseBlocker(p, atEl2);
    if (blocker) {
      unchecked = { phases: (c.next ?? []).length - i, reason: blocker };
      break;
    }
    const host = p.host ?? [];
    const tlbi = host.some((a) => a.op === 'invalidateTlb');
    const resumes = p.run !== undefined && atEl2;
    phases.push({
      label: `next[${i}]${p.run !== undefined ? ` run(${p.run})` : ''}`,
      expect: architectural(p.expect),
      budget: p.run,
    });
    wirePhases.push({
      writes: recordWrites((m) => {
        for (const a of host) if (a.op === 'writeMem') writeMemSpec(m, a.mem);
      }),
      el2: tlbi ? [INSN.TLBI_ALLE1, INSN.DSB_ISH, INSN.ISB].map((w) => [w, null] as const) : [],
      x: null,
      eret: resumes,
      resumePc: null,
      steps: p.run ?? 0,
      ...reads(p.expect),
    });
    if (p.run !== undefined) atEl2 = EL2_EXITS.includes(p.expect.exit?.kind ?? 'budget');
  }

  return {
    id,
    group,
    case: c,
    cpu,
    known: snapshot(recorder),
    startPc: pc,
    phases,
    unchecked,
    wire: { id, key: caseKey(group, c.name), writes, phases: wirePhases },
  };
}

/**
 * Splits the cases into oracle jobs and the cases QEMU cannot run (with the reason).
 * `cpuFor` names the `-cpu` model for a case (default cortex-a57).
 */
export function planOracle(
  groups: readonly { readonly name: string; readonly cases: readonly ConformanceCase[] }[],
  cpuFor: (group: string, name: string) => QemuCpu = () => 'cortex-a57',
): OraclePlan {
  const jobs: OracleJob[] = [];
  const notRunnable: NotRunnable[] = [];
  for (const g of groups) {
    for (const c of g.cases) {
      const reason = firstRunBlocker(c);
      if (reason) notRunnable.push({ group: g.name, name: c.name, reason });
      else jobs.push(planCase(jobs.length, g.name, c, cpuFor(g.name, c.name)));
    }
  }
  return { jobs, notRunnable };
}

const PAGE = 0x1000;

/**
 * The RAM a session zeroes before every case, as [pa, len] ranges: QEMU's RAM is not cleared by
 * system_reset, while every case starts from zeroed PhysMem. That is every page any job of the
 * session writes or reads back, plus the suite's DATA area (64 KiB) and the top two pages of each
 * stack (env.ts), which cases may read without initialising. RAM elsewhere keeps whatever an
 * earlier case stored there; no case depends on it.
 */
export function pagesToClear(jobs: readonly OracleJob[]): [number, number][] {
  const pages = new Set<number>();
  const add = (pa: number, len: number) => {
    for (let p = Math.floor(pa / PAGE) * PAGE; p < pa + len; p += PAGE) pages.add(p);
  };
  add(DATA, 0x1_0000);
  add(SP_EL0_TOP - 2 * PAGE, 2 * PAGE);
  add(SP_EL1_TOP - 2 * PAGE, 2 * PAGE);
  for (const j of jobs) {
    for (const [pa, data] of j.wire.writes) add(pa, data.length / 2);
    for (const ph of j.wire.phases) {
      for (const [pa, data] of ph.writes) add(pa, data.length / 2);
      for (const [pa, len] of ph.mem) add(pa, len);
    }
  }
  const sorted = [...pages].filter((p) => p >= RAM_BASE && p < RAM_BASE + RAM_SIZE).sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const p of sorted) {
    const last = ranges.at(-1);
    if (last && last[0] + last[1] === p) last[1] += PAGE;
    else ranges.push([p, PAGE]);
  }
  return ranges;
}
