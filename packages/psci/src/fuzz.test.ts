/**
 * Fuzz: guest input never throws. Every function ID registered in the dispatcher (and random
 * IDs, and every ID of the PSCI range) is called with random X0 high bits and X1..X17, over both
 * conduits with random immediates, from a random vCPU in a random power state (off, running,
 * waiting — the dispatcher is called directly, so even states a real guest cannot call from are
 * covered), with random PSTATE (AArch32 nRW), SCTLR_EL1.EE and interrupt lines, in the three
 * configurations this package offers: KVM's whole firmware (with random firmware registers,
 * filter ranges and PV-time records), QEMU-virt PSCI (installPsci), and the EL3 firmware policy
 * on a 'tf-a' dispatcher. Any exception is a bug. Also checked after every call: every register
 * still holds a u64, and X4..X17 are untouched (SMCCC 1.1: results only in X0..X3) unless the
 * call restarted the caller.
 */
import { fc, test } from '@fast-check/vitest';
import { CoreReg, Machine, PhysMem, SysReg } from '@hvlab/core';
import { type FakeCpu, fakeCpuFactory } from '@hvlab/core/testing';
import { type Conduit, SmcccDispatcher as Dispatcher, type SmcccDispatcher } from '@hvlab/smccc';
import { expect } from 'vitest';
import { encodePowerState, FirmwarePsci, QEMU_PLATFORM_POWER_STATES } from './firmware.js';
import { installKvmFirmware } from './kvm.js';
import { SCTLR_EL1_EE } from './power.js';
import { installPsci } from './psci.js';

const ONES = (1n << 64n) - 1n;
const RAM_BASE = 0x4000_0000;
const RAM_SIZE = 0x1_0000;

type Config = 'kvm' | 'qemu' | 'firmware';

function setup(
  config: Config,
  cpuCount: number,
  seed: number,
): { machine: Machine; cpus: FakeCpu[]; d: SmcccDispatcher } {
  const { factory, cpus } = fakeCpuFactory();
  const mem = new PhysMem();
  mem.addRam(RAM_BASE, RAM_SIZE);
  const machine = new Machine({ cpuCount, cpuFactory: factory, mem });
  if (config === 'qemu') return { machine, cpus, d: installPsci(machine, { conduit: ['hvc', 'smc'] }).smccc };
  if (config === 'firmware') {
    const psci = new FirmwarePsci(machine, {
      powerStateFormat: seed & 1 ? 'extended' : 'original',
      validEntryPoint: (e) => e >= BigInt(RAM_BASE) && e < BigInt(RAM_BASE + RAM_SIZE),
      systemSuspend: (seed & 2) === 0,
    });
    const d = new Dispatcher({ profile: 'tf-a' });
    d.register(psci.service());
    d.attach(machine, ['hvc', 'smc']);
    return { machine, cpus, d };
  }
  const fw = installKvmFirmware(machine, {
    conduit: ['hvc', 'smc'],
    systemSuspend: (seed & 1) === 1,
    psciVersion: [0x2, 0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003][seed % 5]!,
    mitigations: { spectreV2: 'mitigated', spectreV4: 'mitigated', spectreBhb: 'vulnerable' },
    wallClock: () => BigInt(seed) * 1_000_000n,
    entropy: (b) => b.fill(seed & 0xff),
  });
  // Some vCPUs get a stolen-time record, some bitmaps are cleared, some ranges are filtered.
  for (let i = 0; i < cpuCount; i += 2) fw.smccc.setPvTimeIpa(i, BigInt(RAM_BASE + 64 * i));
  if (seed & 4) fw.vcpuRegs(0).setOneReg(0x6030_0000_0016_0000n, 0n);
  if (seed & 8) fw.smccc.setFilter(0x8400_0003, 2, 'DENY');
  if (seed & 16) fw.smccc.setFilter(0xc400_0000, 0x20, 'FWD_TO_USER');
  return { machine, cpus, d: fw.smccc.dispatcher };
}

/** The platform's CPU_SUSPEND power states in both formats, so that suspends really happen. */
const POWER_STATES = (['original', 'extended'] as const).flatMap((f) =>
  QEMU_PLATFORM_POWER_STATES.map((s) => BigInt(encodePowerState(s, f))),
);
const reg = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, 0x8000_0000n, 0xffff_ffffn, 1n << 32n, ONES, BigInt(RAM_BASE), BigInt(RAM_BASE + 1)),
  fc.constantFrom(...POWER_STATES),
  fc.bigInt({ min: 0n, max: ONES }),
);
const psciRange = fc.integer({ min: 0, max: 0x1f }).chain((n) => fc.constantFrom(0x8400_0000 + n, 0xc400_0000 + n));
const step = fc.record({
  fidPick: fc.nat(),
  fidKind: fc.constantFrom('registered', 'registered', 'psci', 'any'),
  psci: psciRange,
  anyFid: fc.integer({ min: 0, max: 0xffff_ffff }),
  x0hi: fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
  x: fc.array(reg, { minLength: 17, maxLength: 17 }),
  conduit: fc.constantFrom<Conduit>('hvc', 'smc'),
  imm: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  ),
  caller: fc.nat(),
  power: fc.array(fc.constantFrom('keep', 'on', 'off', 'wfi'), { minLength: 4, maxLength: 4 }),
  aarch32: fc.boolean(),
  bigEndian: fc.boolean(),
  irq: fc.boolean(),
});

test.prop(
  [
    fc.constantFrom<Config>('kvm', 'qemu', 'firmware'),
    fc.integer({ min: 1, max: 4 }),
    fc.nat(),
    fc.array(step, { minLength: 1, maxLength: 60 }),
  ],
  { numRuns: 250 },
)('no guest input makes any firmware throw', (config, cpuCount, seed, steps) => {
  const { machine, cpus, d } = setup(config, cpuCount, seed);
  const registered = d.functions().map((f) => f.fid);
  for (const s of steps) {
    s.power.slice(0, cpuCount).forEach((p, i) => {
      if (p === 'on') machine.powerOn(i);
      else if (p === 'off') machine.powerOff(i);
      else if (p === 'wfi') machine.waitForInterrupt(i);
    });
    const cpu = cpus[s.caller % cpuCount]!;
    cpu.irqLine = s.irq;
    cpu.regs.set(CoreReg.PSTATE, s.aarch32 ? 0x1d3n : 0x3c5n);
    cpu.sysregs.set(SysReg.SCTLR_EL1, s.bigEndian ? SCTLR_EL1_EE : 0n);
    const fid =
      s.fidKind === 'registered'
        ? registered[s.fidPick % registered.length]!
        : s.fidKind === 'psci'
          ? s.psci
          : s.anyFid;
    const x = [(s.x0hi << 32n) | BigInt(fid), ...s.x];
    x.forEach((v, i) => {
      cpu.regs.set(i, v);
    });
    const resets = cpu.calls.filter((c) => c.op === 'reset').length;
    d.dispatch(cpu, s.conduit, s.imm);
    const after = Array.from({ length: 18 }, (_, i) => cpu.getReg(i));
    for (const v of after) expect(v >= 0n && v <= ONES).toBe(true);
    // Unless the call restarted the caller itself (a power-down suspend, or CPU_ON of itself
    // while off: only this direct dispatch can call from an off vCPU), X4..X17 are untouched.
    if (cpu.calls.filter((c) => c.op === 'reset').length === resets) expect(after.slice(4)).toEqual(x.slice(4));
    machine.run({ maxInstructions: 0 }); // the VMM takes a pending system event or hypercall exit
  }
});
