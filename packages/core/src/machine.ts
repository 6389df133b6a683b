/**
 * Machine: CPUs over one physical memory, a deterministic scheduler, and exit routing.
 *
 * CPU power states (one per CPU):
 *
 *     off ──powerOn()──► running ──wfi exit, nothing pending──► waiting
 *      ▲                   │  ▲                                   │
 *      └────powerOff()─────┘  └──interrupt pending / timer due────┘
 *
 * Scheduling is deterministic: each step runs the `running` CPU with the smallest local time
 * (retired + warped instructions; ties go to the lower index) for at most `quantum`
 * instructions, cut short at its next timer deadline so that timer interrupts land on an exact
 * instruction count. When every powered-on CPU waits, time warps forward to the earliest timer
 * deadline. No wall-clock time is ever read here.
 *
 * Exit routing: MMIO exits go to the memory's MMIO bus; sysreg exits to handlers registered per
 * register; hvc/smc/stage2Fault/gpf exits to the handler registered for that kind (firmware,
 * a hypervisor model). Defaults follow KVM: an unhandled HVC/SMC or system register gets an
 * UNDEF, an MMIO access to nothing gets a synchronous external abort.
 */
import { EventEmitter } from 'eventemitter3';
import type { Cpu, CpuFactory, ExceptionEvent, HypercallAction } from './cpu.js';
import { HvlabError } from './errors.js';
import type { Exit, ExitKind, HvcExit, MmioExit, SmcExit, SysRegExit } from './exit.js';
import { EXIT_KINDS } from './exit.js';
import { PhysMem } from './memory.js';
import { CoreReg } from './regs.js';
import type { SysRegId } from './sysregs.js';
import { sysRegName } from './sysregs.js';

/** A system event ends a run, as KVM_EXIT_SYSTEM_EVENT does (linux uapi kvm.h KVM_SYSTEM_EVENT_*). */
export interface SystemEvent {
  readonly type: 'shutdown' | 'reset' | 'suspend' | 'crash';
  /** Free-form detail (for example which PSCI call raised it). */
  readonly reason: string;
  /** The raising CPU. */
  readonly cpu: number;
  /** Event data as KVM reports it in kvm_run.system_event.data (e.g. PSCI SYSTEM_RESET2 flags). */
  readonly data?: readonly bigint[];
}

export type PowerState = 'off' | 'running' | 'waiting';

/** A call the firmware model hands to the VMM (linux uapi kvm.h struct kvm_run.hypercall). */
export interface HypercallExit {
  readonly cpu: number;
  readonly conduit: 'hvc' | 'smc';
  /** The call's immediate (HVC #imm / SMC #imm). */
  readonly imm: number;
  /** The function number (for SMCCC, W0). */
  readonly nr: number;
}

export type RunResult =
  | { readonly reason: 'systemEvent'; readonly event: SystemEvent }
  | { readonly reason: 'maxInstructions' }
  | { readonly reason: 'breakpoint'; readonly cpu: number; readonly pc: bigint }
  /** Every CPU is off, or waits with nothing that could ever wake it. */
  | { readonly reason: 'halted'; readonly detail: string }
  /** stop() was called. */
  | { readonly reason: 'stopped' }
  /**
   * A hypercall forwarded to the VMM (as KVM_EXIT_HYPERCALL): the CPU's registers hold the
   * call; the VMM reads and writes X0..X17 and calls run() again to resume after it.
   */
  | { readonly reason: 'hypercall'; readonly call: HypercallExit }
  /** An exit nobody handles and that has no architected default (a model is missing). */
  | { readonly reason: 'unhandledExit'; readonly cpu: number; readonly exit: Exit };

export interface MachineEvents {
  /** Every exit, before it is routed (only emitted while someone listens). */
  exit: (cpu: number, exit: Exit) => void;
  /** Exceptions taken inside a backend (only reported while someone listens). */
  exception: (e: ExceptionEvent) => void;
  /** Console text from a UART. */
  console: (text: string) => void;
  systemEvent: (e: SystemEvent) => void;
  /** Guest did something the machine answered with a default (UNDEF, external abort). */
  unhandled: (cpu: number, what: string) => void;
  /**
   * A CPU ran a slice: its local time went from `start` to `end` (instruction-times). While one
   * CPU runs, every other runnable CPU waits: models such as PV stolen time account it here.
   */
  slice: (cpu: number, start: number, end: number) => void;
}

export type ExitHandler<K extends ExitKind> = (cpu: Cpu, exit: Extract<Exit, { kind: K }>, machine: Machine) => void;

export interface SysRegHandler {
  /** MRS: the value the guest reads, or undefined if the read is UNDEFINED (a write-only register). */
  read(cpu: Cpu): bigint | undefined;
  /** MSR: the value the guest writes; return false if the write is UNDEFINED (a read-only register). */
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers that always accept return nothing
  write(cpu: Cpu, value: bigint): boolean | void;
}

/** Refreshes interrupt lines of a CPU from the interrupt controller (the board's GIC). */
export interface InterruptPlatform {
  syncCpu(cpu: Cpu): void;
}

export interface MachineOptions {
  readonly cpuFactory: CpuFactory;
  readonly cpuCount?: number;
  readonly mem?: PhysMem;
  /** MPIDR_EL1 for CPU i; default: Aff0 = i. */
  readonly mpidr?: (index: number) => bigint;
}

export interface RunOptions {
  /**
   * Stop after this many instructions in total (over all CPUs). Exceptions a CPU takes without
   * retiring anything count too, so a guest stuck in an exception loop still stops.
   */
  readonly maxInstructions?: number;
  /** Instructions a CPU runs before the scheduler looks at the others (default 100 000). */
  readonly quantum?: number;
}

export interface MachineStats {
  readonly retired: number;
  readonly exits: Readonly<Record<ExitKind, number>>;
}

const DEFAULT_QUANTUM = 100_000;

/**
 * The Machine's typed emitter. It counts subscription changes so the run loop can cache which
 * per-slice events anyone listens to, instead of asking on every slice (the loop runs once per
 * exit: millions of times for a hypercall-heavy guest).
 */
class MachineEmitter extends EventEmitter<MachineEvents> {
  version = 0;
  override on<T extends EventEmitter.EventNames<MachineEvents>>(
    event: T,
    fn: EventEmitter.EventListener<MachineEvents, T>,
    context?: unknown,
  ): this {
    this.version++;
    return super.on(event, fn, context);
  }
  override addListener<T extends EventEmitter.EventNames<MachineEvents>>(
    event: T,
    fn: EventEmitter.EventListener<MachineEvents, T>,
    context?: unknown,
  ): this {
    this.version++;
    return super.addListener(event, fn, context);
  }
  override once<T extends EventEmitter.EventNames<MachineEvents>>(
    event: T,
    fn: EventEmitter.EventListener<MachineEvents, T>,
    context?: unknown,
  ): this {
    this.version++;
    return super.once(event, fn, context);
  }
  override removeListener<T extends EventEmitter.EventNames<MachineEvents>>(
    event: T,
    fn?: EventEmitter.EventListener<MachineEvents, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    this.version++;
    return super.removeListener(event, fn, context, once);
  }
  override off<T extends EventEmitter.EventNames<MachineEvents>>(
    event: T,
    fn?: EventEmitter.EventListener<MachineEvents, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    this.version++;
    return super.off(event, fn, context, once);
  }
  override removeAllListeners(event?: EventEmitter.EventNames<MachineEvents>): this {
    this.version++;
    return super.removeAllListeners(event);
  }
}

export class Machine {
  readonly mem: PhysMem;
  readonly cpus: readonly Cpu[];
  readonly events: EventEmitter<MachineEvents> = new MachineEmitter();
  /** Which per-slice events have listeners, as of emitter version `listenersVersion`. */
  private listening = { exit: false, slice: false, exception: false };
  private listenersVersion = -1;
  private readonly power: PowerState[];
  private readonly exitHandlers = new Map<ExitKind, ExitHandler<ExitKind>>();
  private readonly sysRegHandlers = new Map<SysRegId, SysRegHandler>();
  private platform: InterruptPlatform | undefined;
  private pendingStop: RunResult | undefined;
  private ranOnce = false;
  /** Bumped by every power-state change, so an inline hypercall can tell it must yield. */
  private powerEpoch = 0;
  /** The last inline hypercall yielded: run() returns a budget exit that stands for it. */
  private yieldedHypercall = false;
  /** Per-CPU Cpu.onHypercall hooks (installed while nobody observes individual exits). */
  private readonly hypercallHooks: ((exit: HvcExit | SmcExit) => HypercallAction)[];
  private readonly exitCounts = Object.fromEntries(EXIT_KINDS.map((k) => [k, 0])) as Record<ExitKind, number>;

  constructor(opts: MachineOptions) {
    const n = opts.cpuCount ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > 512) throw new HvlabError('EINVAL', `bad CPU count ${n}`);
    this.mem = opts.mem ?? new PhysMem();
    const cpus: Cpu[] = [];
    for (let i = 0; i < n; i++) {
      const mpidr = opts.mpidr?.(i);
      cpus.push(
        opts.cpuFactory(mpidr === undefined ? { index: i, mem: this.mem } : { index: i, mem: this.mem, mpidr }),
      );
    }
    this.cpus = cpus;
    this.power = cpus.map((_, i) => (i === 0 ? 'running' : 'off'));
    this.hypercallHooks = cpus.map((cpu) => (exit) => this.inlineHypercall(cpu, exit));
  }

  // ---- configuration -------------------------------------------------------------------------

  /** Routes every exit of `kind` to `handler` (replacing any previous one). */
  onExit<K extends ExitKind>(kind: K, handler: ExitHandler<K>): void {
    this.exitHandlers.set(kind, handler as unknown as ExitHandler<ExitKind>);
  }

  /** Emulates a trapped system register. */
  handleSysReg(id: SysRegId, handler: SysRegHandler): void {
    this.sysRegHandlers.set(id, handler);
  }

  setInterruptPlatform(platform: InterruptPlatform): void {
    this.platform = platform;
  }

  private readonly emitException = (e: ExceptionEvent): void => {
    this.events.emit('exception', e);
  };

  // ---- power ---------------------------------------------------------------------------------

  powerState(index: number): PowerState {
    const s = this.power[index];
    if (s === undefined) throw new HvlabError('EINVAL', `no CPU ${index}`);
    return s;
  }

  /** Powers a CPU on; its registers must already hold the entry state. */
  powerOn(index: number): void {
    if (this.powerState(index) !== 'off') return;
    const cpu = this.cpus[index]!;
    const lag = this.now() - this.localTime(cpu);
    if (lag > 0) cpu.warp(lag);
    this.power[index] = 'running';
    this.powerEpoch++;
  }

  powerOff(index: number): void {
    this.powerState(index);
    this.power[index] = 'off';
    this.powerEpoch++;
  }

  /**
   * Puts a running CPU to sleep until an interrupt is pending, as if it executed WFI (for
   * firmware that implements a call as a wait, such as KVM's CPU_SUSPEND). No effect on a CPU
   * that is off or has an interrupt pending.
   */
  waitForInterrupt(index: number): void {
    if (this.powerState(index) !== 'running') return;
    const cpu = this.cpus[index]!;
    this.platform?.syncCpu(cpu);
    if (!cpu.hasPendingInterrupt()) {
      this.power[index] = 'waiting';
      this.powerEpoch++;
    }
  }

  /** Ends the current run with a system event (PSCI SYSTEM_OFF, SYSTEM_RESET, ...). */
  requestStop(event: SystemEvent): void {
    if (this.pendingStop) return;
    this.events.emit('systemEvent', event);
    this.pendingStop = { reason: 'systemEvent', event };
  }

  /** Ends the current run with a hypercall for the VMM; the CPU resumes after it on the next run. */
  requestHypercallExit(call: HypercallExit): void {
    this.pendingStop ??= { reason: 'hypercall', call };
  }

  /** Asks a running run()/runAsync() to return at the next exit or slice boundary. */
  stop(): void {
    this.pendingStop ??= { reason: 'stopped' };
  }

  /** True once any CPU has executed (KVM's kvm_vm_has_ran_once: configuration then locks). */
  get hasRun(): boolean {
    return this.ranOnce;
  }

  /** The latest local time (instruction-times) among powered-on CPUs. */
  get time(): number {
    return this.now();
  }

  get stats(): MachineStats {
    return { retired: this.totalRetired(), exits: { ...this.exitCounts } };
  }

  /**
   * Instructions the run loop has charged to CPUs: what they retired, plus, for a slice that ended
   * on its budget, the part of the budget a backend spent taking exceptions that retired nothing
   * (a guest looping on an unmapped vector table). maxInstructions limits this count, so such a
   * guest still ends its run.
   */
  private consumed = 0;

  private totalRetired(): number {
    let retired = 0;
    for (const c of this.cpus) retired += c.retired;
    return retired;
  }

  // ---- running -------------------------------------------------------------------------------

  /** Runs until a system event, a breakpoint, stop(), a halt, or maxInstructions. */
  run(opts: RunOptions = {}): RunResult {
    const limit = opts.maxInstructions ?? Number.POSITIVE_INFINITY;
    const quantum = opts.quantum ?? DEFAULT_QUANTUM;
    if (!(quantum >= 1) || !Number.isInteger(quantum)) throw new HvlabError('EINVAL', `bad quantum ${quantum}`);
    const start = this.consumed;
    for (;;) {
      const done = this.step(quantum, start + limit);
      if (done) return done;
    }
  }

  /**
   * Like run(), but yields to the event loop every `sliceMs` of wall time so that input
   * (a UART's stdin) and stop() can arrive. Guest-visible behaviour is identical to run().
   */
  async runAsync(opts: RunOptions & { readonly sliceMs?: number } = {}): Promise<RunResult> {
    const limit = opts.maxInstructions ?? Number.POSITIVE_INFINITY;
    const quantum = opts.quantum ?? DEFAULT_QUANTUM;
    const sliceMs = opts.sliceMs ?? 20;
    const start = this.consumed;
    for (;;) {
      const t0 = performance.now();
      // The clock is read every 256 steps, not every step: a step can be a single hypercall,
      // and a clock read costs as much as the call. A slice overshoots by at most 255 steps.
      for (let n = 1; ; n++) {
        const done = this.step(quantum, start + limit);
        if (done) return done;
        if ((n & 255) === 0 && performance.now() - t0 >= sliceMs) break;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** One scheduling step; returns a result when the run is over. */
  private step(quantum: number, limit: number): RunResult | undefined {
    const stop = this.takeStop();
    if (stop) return stop;
    const total = this.consumed;
    if (total >= limit) return { reason: 'maxInstructions' };
    this.wakeWaiters();
    const cpu = this.pickRunnable();
    if (!cpu) return this.idle();
    const emitter = this.events as MachineEmitter;
    if (emitter.version !== this.listenersVersion) {
      this.listenersVersion = emitter.version;
      this.listening = {
        exit: emitter.listenerCount('exit') > 0,
        slice: emitter.listenerCount('slice') > 0,
        exception: emitter.listenerCount('exception') > 0,
      };
    }
    const observer = this.listening.exception ? this.emitException : undefined;
    if (cpu.onException !== observer) cpu.onException = observer;
    // Hypercalls complete inside run() unless someone watches every exit.
    const hook = this.listening.exit ? undefined : this.hypercallHooks[cpu.index];
    if (cpu.onHypercall !== hook) cpu.onHypercall = hook;
    const budget = Math.max(1, Math.min(quantum, limit - total, cpu.timerDeadline()));
    const start = cpu.time;
    this.ranOnce = true;
    const retiredBefore = cpu.retired;
    const exit = cpu.run(budget);
    if (this.listening.slice) this.events.emit('slice', cpu.index, start, cpu.time);
    // A budget exit that stands for a yielding inline hypercall is neither counted nor charged
    // its whole budget.
    const realBudgetExit = exit.kind === 'budget' && !this.yieldedHypercall;
    if (exit.kind !== 'budget' || realBudgetExit) this.exitCounts[exit.kind]++;
    this.yieldedHypercall = false;
    if (this.listening.exit) this.events.emit('exit', cpu.index, exit);
    const result = this.route(cpu, exit);
    // After routing: completing an MMIO or sysreg access retires its instruction.
    const retired = cpu.retired - retiredBefore;
    this.consumed += realBudgetExit ? Math.max(retired, budget) : retired;
    this.platform?.syncCpu(cpu);
    return result ?? this.takeStop();
  }

  /**
   * Cpu.onHypercall: runs the registered hvc/smc handler while the CPU is inside run(). The
   * handler sees the same state as with an exit (the backend retired the instruction first);
   * the CPU yields when the handler ended the run or changed any CPU's power state, so the
   * scheduler sees that change exactly where it would have with an exit.
   */
  private inlineHypercall(cpu: Cpu, exit: HvcExit | SmcExit): HypercallAction {
    const h = this.exitHandlers.get(exit.kind);
    if (!h) return 'exit';
    const epoch = this.powerEpoch;
    this.exitCounts[exit.kind]++;
    h(cpu, exit, this);
    if (this.pendingStop === undefined && this.powerEpoch === epoch) return 'done';
    this.yieldedHypercall = true; // the budget exit that follows is not a real one: don't count it
    return 'yield';
  }

  private takeStop(): RunResult | undefined {
    const s = this.pendingStop;
    this.pendingStop = undefined;
    return s;
  }

  private route(cpu: Cpu, exit: Exit): RunResult | undefined {
    switch (exit.kind) {
      case 'budget':
        return undefined;
      case 'mmio':
        this.routeMmio(cpu, exit);
        return undefined;
      case 'sysreg':
        this.routeSysReg(cpu, exit);
        return undefined;
      case 'wfi':
        this.waitForInterrupt(cpu.index);
        return undefined;
      case 'wfe':
        return undefined;
      case 'breakpoint':
        return { reason: 'breakpoint', cpu: cpu.index, pc: exit.pc };
      default: {
        const h = this.exitHandlers.get(exit.kind);
        if (h) {
          h(cpu, exit, this);
          return undefined;
        }
        if (exit.kind === 'hvc' || exit.kind === 'smc') {
          // With no firmware at the target EL the instruction is UNDEFINED (Arm ARM D1.4: HVC
          // with no EL2, SMC with no EL3). An UNDEF's preferred return address is the
          // instruction itself, and the exit left the PC after it: step back first.
          this.events.emit('unhandled', cpu.index, `${exit.kind.toUpperCase()} #${exit.imm} with no firmware`);
          cpu.setReg(CoreReg.PC, BigInt.asUintN(64, cpu.getReg(CoreReg.PC) - 4n));
          cpu.injectException({ kind: 'undef' });
          return undefined;
        }
        return { reason: 'unhandledExit', cpu: cpu.index, exit };
      }
    }
  }

  private routeMmio(cpu: Cpu, exit: MmioExit): void {
    const h = this.exitHandlers.get('mmio');
    if (h) {
      h(cpu, exit, this);
      return;
    }
    const pa = Number(exit.pa);
    const m = this.mem.mmio.find(pa);
    if (!m) {
      this.events.emit('unhandled', cpu.index, `${exit.isWrite ? 'write to' : 'read from'} 0x${pa.toString(16)}`);
      cpu.injectException({ kind: 'dataAbort', va: exit.va, write: exit.isWrite });
      return;
    }
    if (exit.isWrite) {
      m.device.write(pa - m.base, exit.size, exit.data, cpu.index);
      cpu.skipInstruction();
    } else {
      cpu.completeMmioRead(m.device.read(pa - m.base, exit.size, cpu.index));
    }
  }

  private routeSysReg(cpu: Cpu, exit: SysRegExit): void {
    const h = this.sysRegHandlers.get(exit.reg);
    if (!h) {
      this.events.emit('unhandled', cpu.index, `${exit.isRead ? 'MRS' : 'MSR'} ${sysRegName(exit.reg)}`);
      cpu.injectException({ kind: 'undef' });
      return;
    }
    if (exit.isRead) {
      const v = h.read(cpu);
      if (v === undefined) cpu.injectException({ kind: 'undef' });
      else cpu.completeSysRegRead(v);
    } else if (h.write(cpu, exit.value) === false) {
      cpu.injectException({ kind: 'undef' });
    } else {
      cpu.skipInstruction();
    }
  }

  private localTime(cpu: Cpu): number {
    return cpu.time;
  }

  /** The latest local time among powered-on CPUs: "now" for CPUs that join or wake. */
  private now(): number {
    let t = 0;
    this.cpus.forEach((c, i) => {
      if (this.power[i] !== 'off') t = Math.max(t, this.localTime(c));
    });
    return t;
  }

  private wakeWaiters(): void {
    for (let i = 0; i < this.cpus.length; i++) {
      if (this.power[i] !== 'waiting') continue;
      const cpu = this.cpus[i]!;
      this.platform?.syncCpu(cpu);
      if (cpu.hasPendingInterrupt()) this.power[i] = 'running';
    }
  }

  private pickRunnable(): Cpu | undefined {
    let best: Cpu | undefined;
    let bestTime = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.cpus.length; i++) {
      if (this.power[i] !== 'running') continue;
      const t = this.localTime(this.cpus[i]!);
      if (t < bestTime) {
        best = this.cpus[i];
        bestTime = t;
      }
    }
    return best;
  }

  /** Every powered-on CPU waits: warp time to the earliest timer deadline, or halt. */
  private idle(): RunResult | undefined {
    const waiting = this.cpus.filter((_, i) => this.power[i] === 'waiting');
    if (waiting.length === 0) return { reason: 'halted', detail: 'every CPU is powered off' };
    let delta = Number.POSITIVE_INFINITY;
    for (const c of waiting) delta = Math.min(delta, c.timerDeadline());
    if (!Number.isFinite(delta))
      return { reason: 'halted', detail: 'every CPU waits for an interrupt that can never arrive' };
    for (const c of waiting) c.warp(Math.max(1, delta));
    return undefined;
  }
}
