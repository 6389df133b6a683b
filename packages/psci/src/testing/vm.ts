/**
 * Test support for this package's tests (not exported from the package): Machines of FakeCpus
 * (core's one Cpu test double) with PSCI installed, and a vCPU's calls made directly through the
 * dispatcher, as the HVC/SMC exit handler would (the scheduler is exercised where a test needs
 * it: smp.test.ts, psci_test.test.ts, the property tests).
 *
 *   vpsciVm      VPsci rows in a bare 'kvm'-profile dispatcher over HVC (KVM's PSCI alone)
 *   firmwareVm   FirmwarePsci rows in a 'tf-a'-profile dispatcher over SMC (EL3 firmware)
 *   kvmVm        installKvmFirmware (everything KVM gives a guest)
 */
import { Machine } from '@hvlab/core';
import { type FakeCpu, fakeCpuFactory } from '@hvlab/core/testing';
import { type Conduit, SmcccDispatcher } from '@hvlab/smccc';
import { FirmwarePsci, type FirmwarePsciOptions } from '../firmware.js';
import { installKvmFirmware, type KvmFirmware, type KvmFirmwareOptions } from '../kvm.js';
import { VPsci, type VPsciOptions } from '../vpsci.js';

/** A status as the 64-bit X0 pattern a guest reads. */
export const u64 = (n: number | bigint): bigint => BigInt.asUintN(64, BigInt(n));
export const NOT_SUPPORTED = u64(-1);
export const INVALID_PARAMS = u64(-2);
export const DENIED = u64(-3);
export const ALREADY_ON = u64(-4);
export const ON_PENDING = u64(-5);
export const INTERNAL_FAILURE = u64(-6);
export const INVALID_ADDRESS = u64(-9);

/** How many times a FakeCpu was reset (KVM's vCPU reset before CPU_ON). */
export const resets = (c: FakeCpu): number => c.calls.filter((k) => k.op === 'reset').length;

export interface PsciTestVm {
  readonly machine: Machine;
  readonly cpus: FakeCpu[];
  readonly smccc: SmcccDispatcher;
  /** vCPU `i` makes a call with X0.. = `x`; returns X0..X3 afterwards. */
  call(i: number, ...x: (number | bigint)[]): bigint[];
  /** As call(), returning X0 only. */
  x0(i: number, ...x: (number | bigint)[]): bigint;
  /** Lets every powered-on vCPU retire some instructions through the scheduler. */
  tick(): void;
}

function testVm(machine: Machine, cpus: FakeCpu[], smccc: SmcccDispatcher, conduit: Conduit): PsciTestVm {
  const call = (i: number, ...x: (number | bigint)[]): bigint[] => {
    const cpu = cpus[i]!;
    x.forEach((v, n) => {
      cpu.regs.set(n, u64(v));
    });
    smccc.dispatch(cpu, conduit, 0);
    return [0, 1, 2, 3].map((n) => cpu.getReg(n));
  };
  return {
    machine,
    cpus,
    smccc,
    call,
    x0: (i, ...x) => call(i, ...x)[0]!,
    tick: () => {
      machine.run({ maxInstructions: machine.stats.retired + 64, quantum: 8 });
    },
  };
}

function machineOf(cpuCount: number, mpidr?: (i: number) => bigint) {
  const { factory, cpus } = fakeCpuFactory();
  const machine = new Machine({ cpuCount, cpuFactory: factory, ...(mpidr ? { mpidr } : {}) });
  return { machine, cpus };
}

/** KVM's PSCI alone: VPsci's rows in a 'kvm'-profile dispatcher attached to HVC. */
export function vpsciVm(
  cpuCount: number,
  opts: VPsciOptions = {},
  mpidr?: (i: number) => bigint,
): PsciTestVm & { readonly psci: VPsci } {
  const { machine, cpus } = machineOf(cpuCount, mpidr);
  const psci = new VPsci(machine, opts);
  const smccc = new SmcccDispatcher();
  smccc.register(psci.service());
  smccc.attach(machine, 'hvc');
  return { ...testVm(machine, cpus, smccc, 'hvc'), psci };
}

/** The EL3 firmware policy: FirmwarePsci's rows in a 'tf-a'-profile dispatcher attached to SMC. */
export function firmwareVm(
  cpuCount: number,
  opts: FirmwarePsciOptions = {},
): PsciTestVm & { readonly psci: FirmwarePsci } {
  const { machine, cpus } = machineOf(cpuCount);
  const psci = new FirmwarePsci(machine, opts);
  const smccc = new SmcccDispatcher({ profile: 'tf-a' });
  smccc.register(psci.service());
  smccc.attach(machine, 'smc');
  return { ...testVm(machine, cpus, smccc, 'smc'), psci };
}

/** Everything KVM gives a guest: installKvmFirmware over HVC (or the given conduits). */
export function kvmVm(opts: KvmFirmwareOptions = {}, cpuCount = 2): PsciTestVm & { readonly fw: KvmFirmware } {
  const { machine, cpus } = machineOf(cpuCount);
  const fw = installKvmFirmware(machine, opts);
  return { ...testVm(machine, cpus, fw.smccc.dispatcher, fw.conduits[0]!), fw };
}
