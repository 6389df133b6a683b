/**
 * Test support for this package's tests (not exported from the package): a Machine of FakeCpus
 * (core's one Cpu test double) with RAM and a KvmSmccc attached to both conduits, plus helpers
 * for a guest's SMCCC calls.
 *
 *   call()        performs one call on a vCPU directly through the dispatcher, as the exit
 *                 handler would, with X0..X17 preloaded (unused ones with recognisable junk)
 *                 and returns X0..X17 afterwards. It does not run the Machine (hasRun unchanged).
 *   guestCalls()  scripts the calls as HVC/SMC exits of the vCPU and runs the Machine until
 *                 they are done (so the VM has run), returning X0..X17 after each call.
 */
import { HvlabError, Machine, PhysMem } from '@hvlab/core';
import type { FakeCpu, FakeCpuStep } from '@hvlab/core/testing';
import { fakeCpuFactory } from '@hvlab/core/testing';
import type { Conduit } from '../dispatch.js';
import type { KvmSmcccOptions } from '../kvm.js';
import { KvmSmccc } from '../kvm.js';

export const ONES = 0xffff_ffff_ffff_ffffn;
export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 0x20_0000;

/** The errno name a host call throws (HvlabError), or undefined if it succeeds; anything else rethrows. */
export function errnoOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof HvlabError) return e.code;
    throw e;
  }
  return undefined;
}

/** Recognisable junk for X<i> (i = 1..17) so tests see which registers a call wrote. */
export const junk = (i: number): bigint => 0xdead_0000_0000_0000n + BigInt(i);

/** Entropy that repeats 0x01, 0x02, ... so RND results are predictable. */
export function countingEntropy(): { source: (b: Uint8Array) => void; draws: number[] } {
  let next = 1;
  const draws: number[] = [];
  return {
    draws,
    source: (b) => {
      draws.push(b.length);
      for (let i = 0; i < b.length; i++) b[i] = next++ & 0xff;
    },
  };
}

export interface CallOptions {
  readonly conduit?: Conduit;
  readonly imm?: number;
  readonly vcpu?: number;
}

export interface TestVm {
  readonly machine: Machine;
  readonly cpus: FakeCpu[];
  readonly kvm: KvmSmccc;
  /** One call through the dispatcher on a vCPU; returns X0..X17 afterwards. */
  call(x: readonly (number | bigint)[], opts?: CallOptions): bigint[];
  /** Runs the scripted calls on a vCPU through the Machine; returns X0..X17 after each one. */
  guestCalls(calls: readonly (readonly (number | bigint)[])[], opts?: CallOptions): bigint[][];
  /** Lets every vCPU run a little, so that the VM has run (Machine.hasRun). */
  runOnce(): void;
}

export function testVm(opts: { cpus?: number; kvm?: KvmSmcccOptions; sysregs?: Map<number, bigint> } = {}): TestVm {
  const { factory, cpus } = fakeCpuFactory();
  const mem = new PhysMem();
  mem.addRam(RAM_BASE, RAM_SIZE);
  const machine = new Machine({ cpuFactory: factory, cpuCount: opts.cpus ?? 1, mem });
  if (opts.sysregs) for (const c of cpus) for (const [id, v] of opts.sysregs) c.sysregs.set(id, v);
  const kvm = new KvmSmccc(machine, {
    entropy: countingEntropy().source,
    wallClock: () => 0x1234_5678_9abc_def0n,
    conduits: ['hvc', 'smc'],
    ...opts.kvm,
  });
  const load = (x: readonly (number | bigint)[]): bigint[] =>
    Array.from({ length: 18 }, (_, i) => (i < x.length ? BigInt.asUintN(64, BigInt(x[i]!)) : junk(i)));
  const regs = (cpu: FakeCpu): bigint[] => Array.from({ length: 18 }, (_, i) => cpu.getReg(i));
  return {
    machine,
    cpus,
    kvm,
    call(x, o = {}) {
      const cpu = cpus[o.vcpu ?? 0]!;
      for (const [i, v] of load(x).entries()) cpu.setReg(i, v);
      kvm.dispatcher.dispatch(cpu, o.conduit ?? 'hvc', o.imm ?? 0);
      return regs(cpu);
    },
    guestCalls(calls, o = {}) {
      const cpu = cpus[o.vcpu ?? 0]!;
      const steps: FakeCpuStep[] = calls.map((x) => ({
        exit: { kind: o.conduit ?? 'hvc', imm: o.imm ?? 0 },
        x: load(x),
      }));
      const from = cpu.after.length;
      cpu.script.push(...steps);
      for (let guard = 0; cpu.after.length < from + steps.length; guard++) {
        if (guard > 10 * steps.length + 10) throw new Error('the guest calls did not complete');
        const r = machine.run({ maxInstructions: 4 });
        if (r.reason !== 'maxInstructions') throw new Error(`unexpected run result ${r.reason}`);
      }
      return cpu.after.slice(from).map((r) => r.slice(0, 18));
    },
    runOnce() {
      machine.run({ maxInstructions: 1 });
    },
  };
}
