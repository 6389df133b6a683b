/**
 * Test double for the dispatcher's tests (not exported): a register file plus a script of
 * calls. Each run() performs the next scripted call: it loads X0..Xn as a guest would before
 * HVC/SMC, retires one instruction and returns the exit. With the script empty it powers itself
 * down by returning budget exits.
 */
import type { Cpu, CpuConfig, Exit, InjectedException, PhysMem } from '@hvlab/core';

export interface ScriptedCall {
  readonly conduit: 'hvc' | 'smc';
  readonly imm?: number;
  /** Register values loaded before the call: index = Xn. */
  readonly x: readonly bigint[];
}

export class TestCpu implements Cpu {
  readonly index: number;
  readonly mem: PhysMem;
  retired = 0;
  readonly regs: bigint[] = new Array<bigint>(35).fill(0n);
  readonly injected: InjectedException[] = [];
  /** Register files captured right after each scripted call returned to the guest. */
  readonly after: bigint[][] = [];
  onException = undefined;
  private pendingCapture = false;

  constructor(
    cfg: CpuConfig,
    private readonly script: ScriptedCall[] = [],
  ) {
    this.index = cfg.index;
    this.mem = cfg.mem;
  }
  get time(): number {
    return this.retired;
  }
  run(budget: number): Exit {
    if (this.pendingCapture) {
      this.after.push([...this.regs]);
      this.pendingCapture = false;
    }
    const call = this.script.shift();
    if (!call) {
      this.retired += budget;
      return { kind: 'budget' };
    }
    call.x.forEach((v, i) => {
      this.regs[i] = v;
    });
    this.retired += 1;
    this.pendingCapture = true;
    return { kind: call.conduit, imm: call.imm ?? 0 };
  }
  reset(): void {
    this.regs.fill(0n);
  }
  getReg(id: number): bigint {
    return this.regs[id] ?? 0n;
  }
  setReg(id: number, v: bigint): void {
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`register value ${v} is not a u64`);
    this.regs[id] = v;
  }
  getSysReg(): bigint {
    return 0n;
  }
  setSysReg(): void {}
  sysRegList(): readonly number[] {
    return [];
  }
  completeSysRegRead(): void {}
  completeMmioRead(): void {}
  skipInstruction(): void {}
  injectException(e: InjectedException): void {
    this.injected.push(e);
  }
  setInterruptLine(): void {}
  hasPendingInterrupt(): boolean {
    return false;
  }
  timerOutputs(): { phys: boolean; virt: boolean } {
    return { phys: false, virt: false };
  }
  timerDeadline(): number {
    return Number.POSITIVE_INFINITY;
  }
  warp(n: number): void {
    this.retired += n;
  }
  invalidateTlb(): void {}
  invalidateCode(): void {}
  setBreakpoints(): void {}
}
