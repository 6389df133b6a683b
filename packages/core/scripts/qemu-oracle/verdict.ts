/**
 * Turns what oracle.py read from QEMU into the suite's own view of a Cpu (StateView, MemView,
 * Exit) and compares it with the case through runner.ts compareState(), phase by phase,
 * stopping at the first phase that differs, exactly as runCase() does for a backend.
 *
 * Reading QEMU's state as hvlab's Cpu API would report it:
 * - A stop in EL2 is an hvlab exit (plan.ts). The guest's PC and PSTATE are then ELR_EL2 and
 *   SPSR_EL2 (the preferred return address; Arm ARM D1.10.2), and the exit is decoded from
 *   ESR_EL2 (D17.2.37): EC 0x16 HVC64 → `hvc` with ISS[15:0]; EC 0x20/0x24 instruction/data
 *   abort from a lower EL → `stage2Fault` (DFSC, WnR bit 6, S1PTW bit 7, FnV bit 10,
 *   IPA[51:12] from HPFAR_EL2.FIPA). Any other EC is shown as-is and never matches.
 * - SP_EL0/SP_EL1: QEMU keeps the active stack pointer in its `sp` register and the banked one
 *   in SP_ELx (target/arm/internals.h aarch64_save_sp/aarch64_restore_sp), so the live SP is
 *   taken from `sp` for the current EL/SPSel, the other from SP_ELx; in EL2 both are banked.
 */
import {
  compareState,
  type Known,
  type MemView,
  type PhaseRun,
  type StateView,
  snapshot,
} from '../../src/conformance/runner.js';
import type { ExpectedExit } from '../../src/conformance/types.js';
import type { Exit, FaultKind } from '../../src/exit.js';
import { CoreReg } from '../../src/regs.js';
import { type SysRegId, sysRegName } from '../../src/sysregs.js';
import type { OracleJob } from './plan.js';

/** One phase as oracle.py reports it (values are "0x..." strings). */
export interface WirePhaseResult {
  readonly steps: number;
  readonly x: readonly string[];
  readonly pc: string;
  readonly cpsr: string;
  readonly sp: string;
  readonly spEl0: string;
  readonly spEl1: string;
  readonly el2: Readonly<Record<'ESR_EL2' | 'FAR_EL2' | 'HPFAR_EL2' | 'ELR_EL2' | 'SPSR_EL2', string>> | null;
  readonly sysregs: Readonly<Record<string, string | null>>;
  readonly mem: readonly (readonly [number, string])[];
}

export interface WireJobResult {
  readonly id: number;
  readonly phases?: readonly WirePhaseResult[];
  /** Why oracle.py stopped before the last planned phase (the case already differed). */
  readonly stopped?: string | null;
  /** oracle.py could not carry out the job (a harness problem: the case fails). */
  readonly error?: string;
}

export interface Verdict {
  /** Every planned phase matched. */
  readonly pass: boolean;
  /** Per phase label, expected and QEMU's state as compareState() displays them. */
  readonly expected: Record<string, Record<string, unknown>>;
  readonly actual: Record<string, Record<string, unknown>>;
  /** Keys that differ in the first phase that differs (e.g. `nzcv`, `ESR_EL1`, `exit`). */
  readonly differing: readonly string[];
  /** Case, assembly, QEMU notes: the header of a failure message. */
  readonly message: string;
}

const big = (s: string): bigint => BigInt(s);

/** DFSC[5:2] → fault kind (Arm ARM D17.2.37, ISS encoding for an exception from a data abort). */
function faultKind(dfsc: number): FaultKind | `DFSC 0x${string}` {
  switch (dfsc >> 2) {
    case 0b0000:
      return 'addressSize';
    case 0b0001:
      return 'translation';
    case 0b0010:
      return 'accessFlag';
    case 0b0011:
      return 'permission';
    case 0b0101:
      return 'externalAbort';
  }
  return dfsc === 0b01_0000 ? 'externalAbort' : `DFSC 0x${dfsc.toString(16)}`;
}

/** The hvlab Exit an entry to EL2 stands for (see the file header). */
export function exitFromEl2(el2: NonNullable<WirePhaseResult['el2']>, want: ExpectedExit | undefined): Exit {
  const esr = big(el2.ESR_EL2);
  const ec = Number((esr >> 26n) & 0x3fn);
  const iss = Number(esr & 0x1ff_ffffn);
  if (ec === 0x16) return { kind: 'hvc', imm: iss & 0xffff };
  if (ec === 0x20 || ec === 0x24) {
    const far = big(el2.FAR_EL2);
    const s1ptw = ((iss >> 7) & 1) === 1;
    const dfsc = iss & 0x3f;
    const page = (big(el2.HPFAR_EL2) >> 4n) << 12n;
    // IPA[11:0] is the VA's page offset, except on a stage-1 walk, where the faulting IPA is a
    // descriptor address whose offset no register reports; only IPA[51:12] is compared then.
    const expectedIpa = want?.kind === 'stage2Fault' ? want.ipa : undefined;
    const offset = s1ptw ? (expectedIpa ?? 0n) & 0xfffn : far & 0xfffn;
    return {
      kind: 'stage2Fault',
      ipa: (page | offset) as never,
      va: ((iss >> 10) & 1 ? undefined : far) as never,
      access: ec === 0x20 ? 'exec' : (iss >> 6) & 1 ? 'write' : 'read',
      fault: faultKind(dfsc) as FaultKind,
      // Fault classes with a lookup level in DFSC[1:0]: address size, translation, access flag,
      // permission, synchronous external abort on a walk (0b0101LL).
      level: dfsc >> 2 <= 0b0011 || dfsc >> 2 === 0b0101 ? dfsc & 3 : -1,
      s1ptw,
      esr,
    };
  }
  // Not an hvlab exit: show the syndrome so the failure explains itself.
  return {
    kind: `exception to EL2, EC 0x${ec.toString(16)}`,
    esr,
    elr: big(el2.ELR_EL2),
  } as unknown as Exit;
}

/** QEMU's state after a phase, seen through the parts of the Cpu API compareState() reads. */
class QemuState implements StateView {
  private readonly regs: bigint[];
  constructor(private readonly r: WirePhaseResult) {
    const el2 = r.el2;
    const pstate = el2 ? big(el2.SPSR_EL2) : big(r.cpsr);
    let spEl0 = big(r.spEl0);
    let spEl1 = big(r.spEl1);
    if (!el2) {
      const el = Number((pstate >> 2n) & 3n);
      const spSel = (pstate & 1n) === 1n;
      if (el === 1 && spSel) spEl1 = big(r.sp);
      else spEl0 = big(r.sp);
    }
    this.regs = [...r.x.map(big), spEl0, spEl1, el2 ? big(el2.ELR_EL2) : big(r.pc), pstate];
  }
  getReg(id: number): bigint {
    const v = this.regs[id];
    if (v === undefined) throw new Error(`no core register ${id}`);
    return v;
  }
  getSysReg(id: SysRegId): bigint {
    const name = sysRegName(id);
    const v = this.r.sysregs[name];
    if (v === undefined) throw new Error(`${name} was not read from QEMU`);
    if (v === null) throw new Error(`QEMU's gdbstub has no register ${name}`);
    return big(v);
  }
  // What only the hvlab Cpu API reports: plan.ts architectural() keeps these out of the expectations.
  get retired(): number {
    throw new Error('Cpu.retired has no QEMU counterpart');
  }
  hasPendingInterrupt(): boolean {
    throw new Error('Cpu.hasPendingInterrupt has no QEMU counterpart');
  }
  timerOutputs(): { phys: boolean; virt: boolean } {
    throw new Error('Cpu.timerOutputs has no QEMU counterpart');
  }
  timerDeadline(): number {
    throw new Error('Cpu.timerDeadline has no QEMU counterpart');
  }
}

/** The memory oracle.py read back (the ranges the phase's expectations name). */
function memView(r: WirePhaseResult): MemView {
  const blocks = r.mem.map(([at, h]) => ({ at, bytes: Buffer.from(h, 'hex') }));
  const find = (pa: number, n: number): Buffer => {
    for (const b of blocks)
      if (pa >= b.at && pa + n <= b.at + b.bytes.length) return b.bytes.subarray(pa - b.at, pa - b.at + n);
    throw new Error(`0x${pa.toString(16)}+${n} was not read from QEMU`);
  };
  return {
    readU64: (pa) => find(pa, 8).readBigUInt64LE(0),
    readU32: (pa) => find(pa, 4).readUInt32LE(0),
    read: (pa, n) => new Uint8Array(find(pa, n)),
  };
}

const fmtPhaseNote = (label: string, r: WirePhaseResult): string | undefined =>
  r.el2
    ? `${label}: QEMU stopped in EL2 after ${r.steps} steps: ESR_EL2=${r.el2.ESR_EL2} FAR_EL2=${r.el2.FAR_EL2} ` +
      `HPFAR_EL2=${r.el2.HPFAR_EL2} ELR_EL2=${r.el2.ELR_EL2}`
    : undefined;

/** Compares QEMU's result for `job` with the case's expectations. */
export function judge(job: OracleJob, result: WireJobResult | undefined, cpuLabel: string): Verdict {
  const c = job.case;
  const header = [`${c.name}`, `  asm: ${c.asm.replaceAll('\n', '; ')}`, `  on QEMU -cpu ${cpuLabel}`];
  const failed = (why: string): Verdict => ({
    pass: false,
    expected: { oracle: { result: 'a QEMU run' } },
    actual: { oracle: { result: why } },
    differing: ['oracle'],
    message: [...header, `  ${why}`].join('\n'),
  });
  if (!result) return failed('no result from the QEMU session');
  if (result.error !== undefined) return failed(`oracle.py: ${result.error}`);

  const expected: Record<string, Record<string, unknown>> = {};
  const actual: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  let known: Known = job.known;
  let startPc = job.startPc;
  for (const [i, phase] of job.phases.entries()) {
    const r = result.phases?.[i];
    if (!r) return failed(`QEMU did not run ${phase.label}: ${result.stopped ?? 'no state reported'}`);
    const view = new QemuState(r);
    const ran: PhaseRun | undefined =
      phase.budget === undefined
        ? undefined
        : {
            exit: r.el2 ? exitFromEl2(r.el2, phase.expect.exit) : { kind: 'budget' },
            startPc,
            budget: phase.budget,
            resumed: false,
          };
    const res = compareState(c, view, memView(r), phase.expect, known, ran);
    expected[phase.label] = res.expected;
    actual[phase.label] = res.actual;
    notes.push(...res.notes.map((n) => `${phase.label}: ${n}`));
    const note = fmtPhaseNote(phase.label, r);
    if (note) notes.push(note);
    const differing = Object.keys({ ...res.expected, ...res.actual })
      .filter((k) => JSON.stringify(res.expected[k]) !== JSON.stringify(res.actual[k]))
      .sort();
    if (differing.length > 0) {
      return {
        pass: false,
        expected,
        actual,
        differing,
        message: [...header, ...notes.map((n) => `  ${n}`)].join('\n'),
      };
    }
    known = snapshot(view);
    startPc = view.getReg(CoreReg.PC);
  }
  return { pass: true, expected, actual, differing: [], message: header.join('\n') };
}
