/**
 * FakeCpu: the one Cpu test double of the repository, for tests of code that drives CPUs
 * (the run loop, devices, firmware models) without executing instructions.
 *
 * run() takes the next scripted step: it loads the step's X registers (as a guest would before
 * an HVC or SMC), retires `step` instructions (at most the budget) and returns the step's exit.
 * With the script empty it retires the whole budget and returns a budget exit. Register files
 * are captured into `after` when the next run() begins, so a test can see what a handler wrote
 * back. Every state-changing call is recorded in `calls`.
 */
import type { Cpu, CpuConfig, InjectedException } from '../cpu.js';
import { HvlabError } from '../errors.js';
import type { Exit } from '../exit.js';
import type { PhysMem } from '../memory.js';
import { CoreReg } from '../regs.js';
import { SysReg, type SysRegId } from '../sysregs.js';

export type FakeCpuCall =
  | { op: 'setReg'; id: number; value: bigint }
  | { op: 'setSysReg'; id: SysRegId; value: bigint }
  | { op: 'setInterruptLine'; line: 'irq' | 'fiq'; level: boolean }
  | { op: 'completeSysRegRead'; value: bigint }
  | { op: 'completeMmioRead'; value: bigint }
  | { op: 'skipInstruction' }
  | { op: 'reset' }
  | { op: 'injectException'; e: InjectedException };

/** A scripted step: an exit, optionally with X0..Xn loaded just before it. */
export type FakeCpuStep = Exit | { readonly exit: Exit; readonly x?: readonly bigint[] };

export class FakeCpu implements Cpu {
  readonly index: number;
  readonly mem: PhysMem;
  readonly mpidr: bigint;
  retired = 0;
  warped = 0;
  readonly regs = new Map<number, bigint>();
  readonly sysregs = new Map<SysRegId, bigint>();
  readonly calls: FakeCpuCall[] = [];
  readonly script: FakeCpuStep[] = [];
  /** Core registers X0..X30, SP_EL0, SP_EL1, PC, PSTATE captured after each scripted step. */
  readonly after: bigint[][] = [];
  readonly injected: InjectedException[] = [];
  /** The budget of every run() call, in order. */
  readonly budgets: number[] = [];
  irqLine = false;
  fiqLine = false;
  timer = { phys: false, virt: false };
  deadline = Number.POSITIVE_INFINITY;
  breakpoints: readonly bigint[] = [];
  onException = undefined;
  /** Set by the Machine; FakeCpu ignores it (every scripted exit is an exit). */
  onHypercall = undefined;
  /** Instructions each run() retires when it returns a scripted exit. */
  step = 4;
  private capturePending = false;

  constructor(cfg: CpuConfig, script: readonly FakeCpuStep[] = []) {
    this.index = cfg.index;
    this.mem = cfg.mem;
    this.mpidr = cfg.mpidr ?? (1n << 31n) | BigInt(cfg.index);
    this.sysregs.set(SysReg.MPIDR_EL1, this.mpidr);
    this.script.push(...script);
  }

  get time(): number {
    return this.retired + this.warped;
  }

  run(budget: number): Exit {
    this.budgets.push(budget);
    if (this.capturePending) {
      this.after.push(Array.from({ length: CoreReg.PSTATE + 1 }, (_, i) => this.getReg(i)));
      this.capturePending = false;
    }
    const next = this.script.shift();
    if (!next) {
      this.retired += budget;
      this.advanceTimer(budget);
      return { kind: 'budget' };
    }
    const { exit, x } = 'kind' in next ? { exit: next, x: undefined } : next;
    for (const [i, v] of (x ?? []).entries()) this.regs.set(i, v);
    const n = Math.min(this.step, budget);
    this.retired += n;
    this.advanceTimer(n);
    this.capturePending = true;
    return exit;
  }

  getReg(id: number): bigint {
    return this.regs.get(id) ?? 0n;
  }

  setReg(id: number, value: bigint): void {
    if (!Number.isInteger(id) || id < 0 || id > CoreReg.PSTATE) throw new HvlabError('EINVAL', `no register ${id}`);
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`register value ${value} is not a u64`);
    this.regs.set(id, value);
    this.calls.push({ op: 'setReg', id, value });
  }

  getSysReg(id: SysRegId): bigint {
    return this.sysregs.get(id) ?? 0n;
  }

  setSysReg(id: SysRegId, value: bigint): void {
    this.sysregs.set(id, value);
    this.calls.push({ op: 'setSysReg', id, value });
  }

  sysRegList(): readonly SysRegId[] {
    return [...this.sysregs.keys()];
  }

  completeSysRegRead(value: bigint): void {
    this.calls.push({ op: 'completeSysRegRead', value });
  }

  completeMmioRead(value: bigint): void {
    this.calls.push({ op: 'completeMmioRead', value });
  }

  skipInstruction(): void {
    this.calls.push({ op: 'skipInstruction' });
  }

  injectException(e: InjectedException): void {
    this.injected.push(e);
    this.calls.push({ op: 'injectException', e });
  }

  setInterruptLine(line: 'irq' | 'fiq', level: boolean): void {
    if (line === 'irq') this.irqLine = level;
    else this.fiqLine = level;
    this.calls.push({ op: 'setInterruptLine', line, level });
  }

  hasPendingInterrupt(): boolean {
    return this.irqLine || this.fiqLine;
  }

  timerOutputs(): { phys: boolean; virt: boolean } {
    return { ...this.timer };
  }

  timerDeadline(): number {
    return this.deadline;
  }

  warp(insns: number): void {
    this.warped += insns;
    this.advanceTimer(insns);
  }

  /** EL1 context registers and their reset values: what reset() restores (Cpu.reset contract). */
  static readonly EL1_RESET: ReadonlyMap<SysRegId, bigint> = new Map([[SysReg.SCTLR_EL1, 0n]]);

  reset(): void {
    this.regs.clear();
    for (const [id, v] of FakeCpu.EL1_RESET) this.sysregs.set(id, v);
    this.calls.push({ op: 'reset' });
  }

  invalidateTlb(): void {}

  invalidateCode(): void {}

  setBreakpoints(pcs: readonly bigint[]): void {
    this.breakpoints = pcs;
  }

  /** The last value written to a register through setReg (undefined if never written). */
  written(id: number): bigint | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i]!;
      if (c.op === 'setReg' && c.id === id) return c.value;
    }
    return undefined;
  }

  /** A finite deadline counts down with time; at zero the virtual timer output rises. */
  private advanceTimer(n: number): void {
    if (!Number.isFinite(this.deadline)) return;
    this.deadline = Math.max(0, this.deadline - n);
    if (this.deadline === 0) this.timer = { ...this.timer, virt: true };
  }
}

/** A CpuFactory producing FakeCpus, keeping them for inspection. */
export function fakeCpuFactory(scripts: readonly (readonly FakeCpuStep[])[] = []): {
  factory: (cfg: CpuConfig) => Cpu;
  cpus: FakeCpu[];
} {
  const cpus: FakeCpu[] = [];
  return {
    cpus,
    factory: (cfg) => {
      const c = new FakeCpu(cfg, scripts[cfg.index] ?? []);
      cpus.push(c);
      return c;
    },
  };
}
