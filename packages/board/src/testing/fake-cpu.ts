/**
 * Test support: a tiny Cpu test double that records what the board does to it. run() returns
 * scripted exits (then `budget` exits), retiring `step` instructions each time; registers are
 * maps; interrupt lines and timer outputs are plain fields tests can read and set.
 */
import {
  CoreReg,
  type Cpu,
  type CpuConfig,
  type Exit,
  HvlabError,
  type InjectedException,
  type PhysMem,
  SysReg,
  type SysRegId,
} from '@hvlab/core';

export type FakeCpuCall =
  | { op: 'setReg'; id: number; value: bigint }
  | { op: 'setSysReg'; id: SysRegId; value: bigint }
  | { op: 'setInterruptLine'; line: 'irq' | 'fiq'; level: boolean }
  | { op: 'completeSysRegRead'; value: bigint }
  | { op: 'completeMmioRead'; value: bigint }
  | { op: 'skipInstruction' }
  | { op: 'reset' }
  | { op: 'injectException'; e: InjectedException };

export class FakeCpu implements Cpu {
  readonly index: number;
  readonly mem: PhysMem;
  readonly mpidr: bigint;
  retired = 0;
  warped = 0;
  readonly regs = new Map<number, bigint>();
  readonly sysregs = new Map<SysRegId, bigint>();
  readonly calls: FakeCpuCall[] = [];
  readonly script: Exit[] = [];
  irqLine = false;
  fiqLine = false;
  timer = { phys: false, virt: false };
  deadline = Number.POSITIVE_INFINITY;
  breakpoints: readonly bigint[] = [];
  onException = undefined;
  /** Instructions each run() retires when it returns a scripted exit. */
  step = 4;

  constructor(cfg: CpuConfig) {
    this.index = cfg.index;
    this.mem = cfg.mem;
    this.mpidr = cfg.mpidr ?? (1n << 31n) | BigInt(cfg.index);
    this.sysregs.set(SysReg.MPIDR_EL1, this.mpidr);
  }

  get time(): number {
    return this.retired + this.warped;
  }

  run(budget: number): Exit {
    const next = this.script.shift();
    this.retired += next ? Math.min(this.step, budget) : budget;
    return next ?? { kind: 'budget' };
  }

  getReg(id: number): bigint {
    return this.regs.get(id) ?? 0n;
  }

  setReg(id: number, value: bigint): void {
    if (!Number.isInteger(id) || id < 0 || id > CoreReg.PSTATE) throw new HvlabError('EINVAL', `no register ${id}`);
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
  }

  reset(): void {
    this.regs.clear();
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
}

/** A CpuFactory producing FakeCpus, keeping them for inspection. */
export function fakeCpuFactory(): { factory: (cfg: CpuConfig) => Cpu; cpus: FakeCpu[] } {
  const cpus: FakeCpu[] = [];
  return {
    cpus,
    factory: (cfg) => {
      const c = new FakeCpu(cfg);
      cpus.push(c);
      return c;
    },
  };
}
