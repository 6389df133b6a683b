/**
 * SMP with real code on backend-interp and the virt board: CPU_ON starts a vCPU at the entry point
 * with the context ID in X0, at EL1h with D/A/I/F masked and the MMU and data cache off (DEN0022
 * 6.4; linux Documentation/arch/arm64/booting.rst for secondaries), and several vCPUs run
 * deterministically (the Machine's scheduler: same retired counts and memory on every run).
 *
 * The guest (raw image at 0x40080000, hand-assembled with aarch64-linux-gnu-as; listing below):
 * CPU 0 calls CPU_ON64(1, secondary, 0x1122334455667788), polls AFFINITY_INFO64(1, 0) until OFF,
 * stores CPU_ON's answer and calls SYSTEM_OFF. CPU 1 stores X0, CurrentEL, DAIF, SCTLR_EL1,
 * SPSel and MPIDR_EL1 as it finds them, calls CPU_ON64(self) (ALREADY_ON), stores that, CPU_OFF.
 */
import { createInterpCpu } from '@hvlab/backend-interp';
import { createVirtMachine } from '@hvlab/board';
import { describe, expect, it } from 'vitest';
import { installPsci } from './psci.js';

// prettier-ignore
const GUEST = [
  0xd2800060, // 00 mov  x0, #0x3
  0xf2b88000, // 04 movk x0, #0xc400, lsl #16      CPU_ON64
  0xd2800021, // 08 mov  x1, #0x1                  target MPIDR Aff0 = 1
  0x10000282, // 0c adr  x2, secondary (0x5c)
  0xd28ef103, // 10 mov  x3, #0x7788
  0xf2aaacc3, // 14 movk x3, #0x5566, lsl #16
  0xf2c66883, // 18 movk x3, #0x3344, lsl #32
  0xf2e22443, // 1c movk x3, #0x1122, lsl #48      context_id
  0xd4000002, // 20 hvc  #0
  0xaa0003f3, // 24 mov  x19, x0
  0xd2800080, // 28 mov  x0, #0x4
  0xf2b88000, // 2c movk x0, #0xc400, lsl #16      AFFINITY_INFO64
  0xd2800021, // 30 mov  x1, #0x1
  0xd2800002, // 34 mov  x2, #0x0
  0xd4000002, // 38 hvc  #0
  0xf100041f, // 3c cmp  x0, #0x1                  until OFF
  0x54ffff41, // 40 b.ne 0x28
  0x100003a4, // 44 adr  x4, results (0xb8)
  0xf9000093, // 48 str  x19, [x4]
  0xd2800100, // 4c mov  x0, #0x8
  0xf2b08000, // 50 movk x0, #0x8400, lsl #16      SYSTEM_OFF
  0xd4000002, // 54 hvc  #0
  0x14000000, // 58 b    .
  0x100002e4, // 5c secondary: adr x4, results
  0xf9000480, // 60 str  x0, [x4, #8]
  0xd5384245, // 64 mrs  x5, CurrentEL
  0xf9000885, // 68 str  x5, [x4, #16]
  0xd53b4225, // 6c mrs  x5, DAIF
  0xf9000c85, // 70 str  x5, [x4, #24]
  0xd5381005, // 74 mrs  x5, SCTLR_EL1
  0xf9001085, // 78 str  x5, [x4, #32]
  0xd5384205, // 7c mrs  x5, SPSel
  0xf9001485, // 80 str  x5, [x4, #40]
  0xd53800a5, // 84 mrs  x5, MPIDR_EL1
  0xf9001885, // 88 str  x5, [x4, #48]
  0xd2800060, // 8c mov  x0, #0x3
  0xf2b88000, // 90 movk x0, #0xc400, lsl #16      CPU_ON64(self)
  0xd2800021, // 94 mov  x1, #0x1
  0x10fffe22, // 98 adr  x2, secondary
  0xd2800003, // 9c mov  x3, #0x0
  0xd4000002, // a0 hvc  #0
  0xf9001c80, // a4 str  x0, [x4, #56]
  0xd2800040, // a8 mov  x0, #0x2
  0xf2b08000, // ac movk x0, #0x8400, lsl #16      CPU_OFF
  0xd4000002, // b0 hvc  #0
  0x14000000, // b4 b    .
  // b8 results: 8 doublewords
];
const LOAD = 0x4008_0000;
const RESULTS = LOAD + 0xb8;

function image(): Uint8Array {
  const b = new Uint8Array(GUEST.length * 4 + 64);
  const v = new DataView(b.buffer);
  GUEST.forEach((w, i) => {
    v.setUint32(i * 4, w, true);
  });
  return b;
}

function boot() {
  const vm = createVirtMachine({ cpuFactory: createInterpCpu, cpus: 2, kernel: image() });
  installPsci(vm.machine, { conduit: 'hvc' });
  const result = vm.machine.run({ maxInstructions: 1_000_000, quantum: 7 });
  const r = (i: number) => vm.mem.readU64(RESULTS + 8 * i);
  return { vm, result, results: Array.from({ length: 8 }, (_, i) => r(i)) };
}

describe('CPU_ON with real code (backend-interp, virt board)', () => {
  it('starts the secondary at the entry point with X0 = context_id, at EL1h, DAIF masked, MMU and D-cache off', () => {
    const { vm, result, results } = boot();
    expect(result).toMatchObject({ reason: 'systemEvent', event: { type: 'shutdown', cpu: 0 } });
    const [cpuOn, x0, currentEl, daif, sctlr, spsel, mpidr, selfOn] = results as bigint[];
    expect(cpuOn).toBe(0n); // SUCCESS
    expect(x0).toBe(0x1122_3344_5566_7788n);
    expect(currentEl).toBe(1n << 2n); // EL1
    expect(daif).toBe(0x3c0n); // D, A, I, F masked
    expect(sctlr! & 1n).toBe(0n); // M: MMU off
    expect(sctlr! & 4n).toBe(0n); // C: data cache off
    expect(spsel).toBe(1n); // EL1h: SP_EL1
    expect(mpidr! & 0xff_00ff_ffffn).toBe(1n);
    expect(selfOn).toBe(0xffff_ffff_ffff_fffcn); // ALREADY_ON
    expect(vm.machine.powerState(1)).toBe('off');
  });

  it('is deterministic: the same instruction counts, time and results on every run', () => {
    const a = boot();
    const b = boot();
    expect(b.results).toEqual(a.results);
    expect(b.vm.machine.cpus.map((c) => [c.retired, c.time])).toEqual(
      a.vm.machine.cpus.map((c) => [c.retired, c.time]),
    );
    expect(b.vm.machine.stats).toEqual(a.vm.machine.stats);
  });
});
