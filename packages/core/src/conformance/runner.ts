/**
 * Runs one ConformanceCase against a CpuFactory and reports expected vs actual state.
 *
 * Lifecycle of a case (each case gets a fresh PhysMem and Cpu):
 *
 *   build world ──► setup (memory, registers, system registers, PSTATE, PC, host actions)
 *        ──► run(steps) ──► compare ──► [ next: host actions ──► run? ──► compare ]*
 *
 * Comparison is done on display strings (hex), so that a failing case prints a readable diff.
 * Besides what a case lists, every phase checks that X0..X30, SP_EL0 and SP_EL1 it does not
 * mention are unchanged, that NZCV is unchanged unless `nzcv`/`pstate` says otherwise, and that
 * the other PSTATE bits are unchanged unless `pstate` says otherwise. Checking stops at the first
 * phase that differs (later host actions would act on the wrong state).
 *
 * This file does not import vitest: index.ts wraps it in describe/it.
 */
import type { Cpu, CpuFactory, ExceptionEvent } from '../cpu.js';
import type { Exit } from '../exit.js';
import { PhysMem } from '../memory.js';
import { CoreReg } from '../regs.js';
import { SysReg, type SysRegName, sysRegName } from '../sysregs.js';
import {
  CODE,
  hvcWord,
  PS,
  PSTATE_DEFAULT,
  RAM_BASE,
  RAM_SIZE,
  SCTLR_DEFAULT,
  SP_EL0_TOP,
  SP_EL1_TOP,
  VECTOR_HVC_BASE,
  VECTORS,
  X_INIT,
} from './env.js';
import type {
  ConformanceCase,
  ExpectedExit,
  ExpectedValue,
  HostAction,
  MemSpec,
  Phase,
  RegName,
  StateExpect,
} from './types.js';

export const REG_NAMES: readonly RegName[] = [
  ...Array.from({ length: 31 }, (_, i) => `x${i}` as RegName),
  'sp_el0',
  'sp_el1',
];

const regId = (r: RegName): number =>
  r === 'sp_el0' ? CoreReg.SP_EL0 : r === 'sp_el1' ? CoreReg.SP_EL1 : Number(r.slice(1));

export interface CaseOutcome {
  /** True when every phase matched. */
  readonly pass: boolean;
  /** Per phase, the expected state as display strings. */
  readonly expected: Record<string, Record<string, unknown>>;
  /** Per phase, the actual state in the same shape. */
  readonly actual: Record<string, Record<string, unknown>>;
  /** A human-readable header: the case, its assembly, and hints (which exception was taken). */
  readonly message: string;
}

/** A conformance case whose definition is inconsistent (a bug in the case, not the backend). */
export class CaseDefinitionError extends Error {
  override readonly name = 'CaseDefinitionError';
}

export const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
const hexN = (v: number | bigint, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;
const fmtNzcv = (n: number): string =>
  `0b${n.toString(2).padStart(4, '0')} (${[...'NZCV'].map((f, i) => ((n >> (3 - i)) & 1 ? f : f.toLowerCase())).join('')})`;

function fmtExpected(e: ExpectedValue): string {
  return typeof e === 'bigint' ? hex64(e) : `${hex64(e.value & e.mask)} (mask ${hex64(e.mask)})`;
}

function fmtActual(a: bigint, e: ExpectedValue): string {
  return typeof e === 'bigint' ? hex64(a) : `${hex64(a & e.mask)} (mask ${hex64(e.mask)})`;
}

function fmtExitField(key: string, v: unknown): unknown {
  if (key === 'reg' && typeof v === 'number') return `${sysRegName(v)} (${hexN(v, 4)})`;
  if (key === 'imm' && typeof v === 'number') return hexN(v, 4);
  if (typeof v === 'bigint') return hex64(v);
  return v;
}

function fmtExit(exit: Exit, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = exit as unknown as Record<string, unknown>;
  for (const k of keys) out[k] = fmtExitField(k, rec[k]);
  return out;
}

function fmtEvent(e: Partial<ExceptionEvent>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = e as Record<string, unknown>;
  for (const k of keys) out[k] = typeof rec[k] === 'bigint' ? hex64(rec[k] as bigint) : rec[k];
  return out;
}

/** Writes little-endian words, halfwords and bytes as the case lists them. */
export function writeMemSpec(mem: PhysMem, m: MemSpec): void {
  const parts: Uint8Array[] = [];
  if (m.u64) {
    const b = new Uint8Array(m.u64.length * 8);
    const dv = new DataView(b.buffer);
    for (const [i, v] of m.u64.entries()) dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
    parts.push(b);
  }
  if (m.u32) {
    const b = new Uint8Array(m.u32.length * 4);
    const dv = new DataView(b.buffer);
    for (const [i, v] of m.u32.entries()) dv.setUint32(i * 4, v >>> 0, true);
    parts.push(b);
  }
  if (m.u8) parts.push(Uint8Array.from(m.u8, (v) => v & 0xff));
  if (parts.length !== 1)
    throw new CaseDefinitionError(`memory spec at ${hexN(m.at, 8)} needs exactly one of u64/u32/u8`);
  mem.write(m.at, parts[0]!);
}

export function writeWords(mem: PhysMem, at: number, words: readonly number[]): void {
  writeMemSpec(mem, { at, u32: words });
}

/** Reads memory in the shape of `m` and formats both sides: key `mem[addr]`. */
function compareMem(mem: MemView, m: MemSpec, expected: Record<string, unknown>, actual: Record<string, unknown>) {
  const at = m.at;
  const put = (addr: number, exp: string, act: string) => {
    const key = `mem[${hexN(addr, 8)}]`;
    expected[key] = exp;
    actual[key] = act;
  };
  for (const [i, v] of (m.u64 ?? []).entries()) put(at + i * 8, hex64(v), hex64(mem.readU64(at + i * 8)));
  for (const [i, v] of (m.u32 ?? []).entries()) put(at + i * 4, hexN(v >>> 0, 8), hexN(mem.readU32(at + i * 4), 8));
  for (const [i, v] of (m.u8 ?? []).entries()) put(at + i, hexN(v & 0xff, 2), hexN(mem.read(at + i, 1)[0]!, 2));
}

function sysRegIdOf(name: string): number {
  const id = (SysReg as Record<string, number>)[name];
  if (id === undefined) throw new CaseDefinitionError(`unknown system register ${name}`);
  return id;
}

function doHost(cpu: Cpu, mem: PhysMem, a: HostAction): void {
  switch (a.op) {
    case 'inject':
      cpu.injectException(a.exception);
      return;
    case 'irq':
    case 'fiq':
      cpu.setInterruptLine(a.op, a.level);
      return;
    case 'breakpoints':
      cpu.setBreakpoints(a.pcs);
      return;
    case 'warp':
      cpu.warp(a.insns);
      return;
    case 'completeSysRegRead':
      cpu.completeSysRegRead(a.value);
      return;
    case 'completeMmioRead':
      cpu.completeMmioRead(a.value);
      return;
    case 'skipInstruction':
      cpu.skipInstruction();
      return;
    case 'invalidateTlb':
      cpu.invalidateTlb();
      return;
    case 'writeMem':
      writeMemSpec(mem, a.mem);
      return;
  }
}

/** Builds the world of env.ts and applies a case's setup. */
export function setUpCase(factory: CpuFactory, c: ConformanceCase): { cpu: Cpu; mem: PhysMem } {
  const mem = new PhysMem();
  mem.addRam(RAM_BASE, RAM_SIZE, { name: 'conformance-ram' });
  const cpu = factory({ index: 0, mem });
  for (let off = 0; off < 0x800; off += 0x80) writeWords(mem, VECTORS + off, [hvcWord(VECTOR_HVC_BASE + off)]);
  writeWords(mem, c.at ?? CODE, c.words);
  const s = c.setup ?? {};
  for (const block of s.code ?? []) writeWords(mem, block.at, block.words);
  for (const m of s.mem ?? []) writeMemSpec(mem, m);
  for (const r of REG_NAMES) {
    const id = regId(r);
    const init = r === 'sp_el0' ? BigInt(SP_EL0_TOP) : r === 'sp_el1' ? BigInt(SP_EL1_TOP) : X_INIT(id);
    cpu.setReg(id, s.regs?.[r] ?? init);
  }
  cpu.setSysReg(SysReg.SCTLR_EL1, SCTLR_DEFAULT);
  cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VECTORS));
  for (const [name, value] of Object.entries(s.sysregs ?? {})) cpu.setSysReg(sysRegIdOf(name), value as bigint);
  cpu.setReg(CoreReg.PSTATE, s.pstate ?? PSTATE_DEFAULT | (BigInt(s.nzcv ?? 0) << 28n));
  cpu.setReg(CoreReg.PC, s.pc ?? BigInt(CODE));
  for (const a of s.host ?? []) doHost(cpu, mem, a);
  return { cpu, mem };
}

/** The parts of a Cpu a comparison reads (a snapshot can stand in for a live Cpu). */
export type StateView = Pick<
  Cpu,
  'getReg' | 'getSysReg' | 'retired' | 'hasPendingInterrupt' | 'timerOutputs' | 'timerDeadline'
>;
/** The parts of a PhysMem a comparison reads. */
export type MemView = Pick<PhysMem, 'readU64' | 'readU32' | 'read'>;

/** Register and PSTATE values a phase starts from ("unchanged" means equal to these). */
export interface Known {
  regs: Map<RegName, bigint>;
  pstate: bigint;
}

export function snapshot(cpu: Pick<Cpu, 'getReg'>): Known {
  return { regs: new Map(REG_NAMES.map((r) => [r, cpu.getReg(regId(r))])), pstate: cpu.getReg(CoreReg.PSTATE) };
}

function vectorNote(cpu: StateView, exit: Exit): string | undefined {
  if (exit.kind !== 'hvc') return undefined;
  const off = exit.imm - VECTOR_HVC_BASE;
  if (off < 0 || off >= 0x800 || off % 0x80 !== 0) return undefined;
  const read = (name: SysRegName): string => {
    try {
      return hex64(cpu.getSysReg(SysReg[name]));
    } catch {
      return '(unreadable)';
    }
  };
  const esrVal = (() => {
    try {
      return cpu.getSysReg(SysReg.ESR_EL1);
    } catch {
      return undefined;
    }
  })();
  const ec = esrVal === undefined ? '?' : hexN(Number((esrVal >> 26n) & 0x3fn), 2);
  return (
    `an exception was taken to vector ${hexN(off, 3)}: ESR_EL1=${read('ESR_EL1')} (EC ${ec}) ` +
    `ELR_EL1=${read('ELR_EL1')} FAR_EL1=${read('FAR_EL1')} SPSR_EL1=${read('SPSR_EL1')}`
  );
}

function run(cpu: Cpu, budget: number, resumeOn: readonly string[] | undefined): Exit {
  let exit = cpu.run(budget);
  for (let i = 0; i < 8 && resumeOn?.includes(exit.kind); i++) exit = cpu.run(budget);
  return exit;
}

export interface PhaseResult {
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  notes: string[];
}

/** What a phase ran: its exit, the PC it started at, its budget, and whether exits were resumed. */
export interface PhaseRun {
  readonly exit: Exit;
  readonly startPc: bigint;
  readonly budget: number;
  readonly resumed: boolean;
}

/** Compares the state after one phase with its expectations (display strings on both sides). */
export function compareState(
  c: ConformanceCase,
  cpu: StateView,
  mem: MemView,
  exp: StateExpect,
  known: Known,
  ran: PhaseRun | undefined,
  events: readonly ExceptionEvent[] = [],
): PhaseResult {
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  const notes: string[] = [];

  if (ran) {
    const want: ExpectedExit = exp.exit ?? { kind: 'budget' };
    const keys = Object.keys(want);
    expected.exit = fmtExit(want as unknown as Exit, keys);
    actual.exit =
      ran.exit.kind === want.kind ? fmtExit(ran.exit, keys) : fmtExit(ran.exit, Object.keys(ran.exit as object));
    const note = ran.exit.kind === want.kind && JSON.stringify(expected.exit) === JSON.stringify(actual.exit);
    if (!note) {
      const v = vectorNote(cpu, ran.exit);
      if (v) notes.push(v);
    }
    let pc = exp.pc;
    if (pc === undefined) {
      if (want.kind !== 'budget' || ran.resumed)
        throw new CaseDefinitionError(`case "${c.name}": expect.pc is required for a ${want.kind} exit`);
      pc = ran.startPc + 4n * BigInt(ran.budget);
    }
    expected.pc = hex64(pc);
    actual.pc = hex64(cpu.getReg(CoreReg.PC));
  } else {
    if (exp.exit) throw new CaseDefinitionError(`case "${c.name}": a phase without a run cannot expect an exit`);
    if (exp.pc !== undefined) {
      expected.pc = hex64(exp.pc);
      actual.pc = hex64(cpu.getReg(CoreReg.PC));
    }
  }

  for (const r of REG_NAMES) {
    const act = cpu.getReg(regId(r));
    const want = exp.regs?.[r];
    const before = known.regs.get(r)!;
    if (want !== undefined) {
      expected[r] = fmtExpected(want);
      actual[r] = fmtActual(act, want);
    } else if (act !== before) {
      expected[r] = `${hex64(before)} (unchanged)`;
      actual[r] = hex64(act);
    }
  }

  const pstate = cpu.getReg(CoreReg.PSTATE);
  const wantNzcv =
    exp.nzcv ??
    (typeof exp.pstate === 'bigint' ? Number((exp.pstate >> 28n) & 0xfn) : Number(known.pstate >> 28n) & 0xf);
  expected.nzcv = fmtNzcv(wantNzcv);
  actual.nzcv = fmtNzcv(Number((pstate >> 28n) & 0xfn));
  if (exp.pstate !== undefined) {
    expected.pstate = fmtExpected(exp.pstate);
    actual.pstate = fmtActual(pstate, exp.pstate);
  } else {
    expected['pstate (except NZCV)'] = `${hex64(known.pstate & ~PS.NZCV)} (unchanged)`;
    actual['pstate (except NZCV)'] = hex64(pstate & ~PS.NZCV);
    if ((pstate & ~PS.NZCV) === (known.pstate & ~PS.NZCV)) actual['pstate (except NZCV)'] += ' (unchanged)';
  }

  for (const [name, want] of Object.entries(exp.sysregs ?? {})) {
    const key = name;
    expected[key] = fmtExpected(want as ExpectedValue);
    try {
      actual[key] = fmtActual(cpu.getSysReg(sysRegIdOf(name)), want as ExpectedValue);
    } catch (e) {
      actual[key] = `getSysReg threw: ${(e as Error).message}`;
    }
  }

  for (const m of exp.mem ?? []) compareMem(mem, m, expected, actual);

  if (exp.retired !== undefined) {
    expected.retired = exp.retired;
    actual.retired = cpu.retired;
  }
  if (exp.pendingInterrupt !== undefined) {
    expected.pendingInterrupt = exp.pendingInterrupt;
    actual.pendingInterrupt = cpu.hasPendingInterrupt();
  }
  if (exp.exceptions) {
    expected.exceptions = exp.exceptions.map((e) => fmtEvent(e, Object.keys(e)));
    actual.exceptions = events.map((e, i) => fmtEvent(e, Object.keys(exp.exceptions?.[i] ?? e)));
  }
  if (exp.timers) {
    const out = cpu.timerOutputs();
    if (exp.timers.phys !== undefined) {
      expected['timerOutputs().phys'] = exp.timers.phys;
      actual['timerOutputs().phys'] = out.phys;
    }
    if (exp.timers.virt !== undefined) {
      expected['timerOutputs().virt'] = exp.timers.virt;
      actual['timerOutputs().virt'] = out.virt;
    }
    if (exp.timers.deadline !== undefined) {
      expected['timerDeadline()'] = String(exp.timers.deadline);
      actual['timerDeadline()'] = String(cpu.timerDeadline());
    }
  }
  return { expected, actual, notes };
}

function defaultSteps(words: number, exp: StateExpect): number {
  return (exp.exit?.kind ?? 'budget') === 'budget' ? words : 100;
}

/** The budget of a case's first run (its `steps`, else one per word, or 100 for an exit). */
export const firstRunBudget = (c: ConformanceCase): number => c.steps ?? defaultSteps(c.words.length, c.expect);

/** Runs a case: setup, the first run, then every `next` phase, stopping at the first mismatch. */
export function runCase(factory: CpuFactory, c: ConformanceCase): CaseOutcome {
  const { cpu, mem } = setUpCase(factory, c);
  const expected: Record<string, Record<string, unknown>> = {};
  const actual: Record<string, Record<string, unknown>> = {};
  const notes: string[] = [];
  let known = snapshot(cpu);
  const phases: Phase[] = [{ run: firstRunBudget(c), resumeOn: c.resumeOn ?? [], expect: c.expect }, ...(c.next ?? [])];
  const events: ExceptionEvent[] = [];
  if (phases.some((p) => p.expect.exceptions)) cpu.onException = (e) => events.push(e);
  let pass = true;
  for (let i = 0; i < phases.length && pass; i++) {
    const p = phases[i]!;
    events.length = 0;
    for (const a of p.host ?? []) doHost(cpu, mem, a);
    let ran: PhaseRun | undefined;
    if (p.run !== undefined) {
      const startPc = cpu.getReg(CoreReg.PC);
      const exit = run(cpu, p.run, p.resumeOn);
      ran = { exit, startPc, budget: p.run, resumed: (p.resumeOn?.length ?? 0) > 0 };
    }
    const r = compareState(c, cpu, mem, p.expect, known, ran, events);
    const label = i === 0 ? `run(${p.run})` : `next[${i - 1}]${p.run !== undefined ? ` run(${p.run})` : ''}`;
    expected[label] = r.expected;
    actual[label] = r.actual;
    notes.push(...r.notes.map((n) => `${label}: ${n}`));
    pass = JSON.stringify(r.expected) === JSON.stringify(r.actual);
    known = snapshot(cpu);
  }
  const message = [`${c.name}`, `  asm: ${c.asm.replaceAll('\n', '; ')}`, ...notes.map((n) => `  ${n}`)].join('\n');
  return { pass, expected, actual, message };
}
