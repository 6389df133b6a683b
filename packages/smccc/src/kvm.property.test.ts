/**
 * Property test: random sequences of VMM operations (firmware-register sets, SMCCC filter
 * ranges, letting the VM run) and guest calls, checked after every step against a small
 * executable model of KVM's rules (testing/kvm-model.ts: linux arch/arm64/kvm/hypercalls.c
 * written again as plain data, independently of the implementation).
 *
 * After each step: the outcome (success or errno) equals the model's; every firmware register
 * and every filter range equal the model's — so a refused operation leaves the state exactly as
 * it was; a guest call's X0 (or its forwarding to the VMM) is the one the model predicts.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION,
} from './arch.js';
import type { Conduit } from './dispatch.js';
import {
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
} from './fwregs.js';
import {
  type KvmModel,
  MODEL_BITMAPS,
  modelGate,
  modelSetFilter,
  modelSetFwReg,
  newKvmModel,
} from './testing/kvm-model.js';
import { errnoOf, ONES, RAM_BASE, testVm } from './testing/vm.js';
import type { SpectreState } from './workarounds.js';

const U64 = (1n << 64n) - 1n;
const IPA = BigInt(RAM_BASE + 0x2000);
const CLOCK = 0x1234_5678_9abc_def0n;

/** Every guest call of the test, with its argument and the X0 KVM returns when the call is served. */
const CALLS: readonly { fid: number; arg: bigint; served: (m: KvmModel) => bigint }[] = [
  { fid: SMCCC_VERSION, arg: 0n, served: () => 0x1_0001n },
  {
    fid: SMCCC_ARCH_FEATURES,
    arg: 0xc500_0020n,
    served: (m) => ((m.regs.get(KVM_REG_ARM_STD_HYP_BMAP)! & 1n) === 1n ? 0n : ONES),
  },
  { fid: 0x8400_0050, arg: 0n, served: () => 0x1_0000n },
  { fid: 0x8400_0051, arg: 0x8400_0050n, served: () => 0n },
  { fid: 0x8400_0052, arg: 0n, served: () => 0x00e0_210dn },
  { fid: 0x8400_0053, arg: 32n, served: () => 0n },
  { fid: 0xc400_0053, arg: 193n, served: () => U64 - 1n },
  { fid: 0xc500_0020, arg: 0xc500_0021n, served: () => 0n },
  { fid: 0xc500_0021, arg: 0n, served: () => IPA },
  { fid: 0x8600_ff01, arg: 0n, served: () => 0xb66f_b428n },
  {
    fid: 0x8600_0000,
    arg: 0n,
    served: (m) => m.regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)!,
  },
  { fid: 0x8600_0001, arg: 0n, served: () => CLOCK >> 32n },
  // Always allowed, but no row here (PSCI is another package): NOT_SUPPORTED when served.
  { fid: 0x8400_0000, arg: 0n, served: () => ONES },
  // Gated by nothing: only the filter can make these reach anyone.
  { fid: 0xc600_0040, arg: 0n, served: () => ONES },
  { fid: 0x8200_0001, arg: 0n, served: () => ONES },
  { fid: SMCCC_ARCH_WORKAROUND_1, arg: 0n, served: () => ONES },
  { fid: SMCCC_ARCH_WORKAROUND_2, arg: 1n, served: () => ONES },
  { fid: SMCCC_ARCH_WORKAROUND_3, arg: 0n, served: () => ONES },
];
type Outcome = { kind: 'x0'; x0: bigint; x1?: bigint } | { kind: 'forwarded' };

function modelCall(m: KvmModel, call: (typeof CALLS)[number], conduit: Conduit): Outcome {
  m.hasRun = true;
  switch (modelGate(m, call.fid, conduit)) {
    case 'fast-path':
      return { kind: 'x0', x0: 0n, x1: 0n };
    case 'deny':
      return { kind: 'x0', x0: ONES, x1: 0n };
    case 'forward':
      return { kind: 'forwarded' };
    case 'handle':
      return { kind: 'x0', x0: call.served(m) };
  }
}

// ---- the commands ---------------------------------------------------------------------------

const REG_IDS = [
  ...MODEL_BITMAPS.keys(),
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_PSCI_VERSION,
  0x6030_0000_0016_0004n,
];
const state = fc.constantFrom<SpectreState>('vulnerable', 'mitigated', 'unaffected');
const host = fc.record({ spectreV2: state, spectreV4: state, spectreBhb: state, ssbs: fc.boolean() });
const setCommand = fc.record({
  kind: fc.constant('set' as const),
  id: fc.constantFrom(...REG_IDS),
  value: fc.oneof(fc.bigInt({ min: 0n, max: 0x1fn }), fc.bigInt({ min: 0n, max: U64 })),
});
const filterCommand = fc.record({
  kind: fc.constant('filter' as const),
  base: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...CALLS.map((c) => c.fid)) },
    // 0: with a count of 0, KVM's u32 end wraps to 0xFFFFFFFF (EEXIST, not EINVAL).
    { weight: 1, arbitrary: fc.constantFrom(0, 0xffff_ffff) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  ),
  count: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  ),
  // HANDLE, DENY, FWD_TO_USER, and the invalid 3.
  action: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.constantFrom(1, 2) },
    { weight: 1, arbitrary: fc.constant(3) },
  ),
});
const callCommand = fc.record({
  kind: fc.constant('call' as const),
  call: fc.constantFrom(...CALLS),
  conduit: fc.constantFrom<Conduit>('hvc', 'smc'),
});
/** What a VMM does before the first run: only configuration. */
const configure = fc.array(fc.oneof(setCommand, filterCommand), { maxLength: 12 });
/** Then anything, in any order. */
const anything = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: setCommand },
    { weight: 2, arbitrary: filterCommand },
    { weight: 5, arbitrary: callCommand },
    { weight: 1, arbitrary: fc.constant({ kind: 'run' as const }) },
  ),
  { maxLength: 30 },
);

test.prop([host, configure, anything], { numRuns: 300 })(
  'KvmSmccc follows the model of KVM rules after every step',
  (mitigations, setup, rest) => {
    const commands = [...setup, ...rest];
    const vm = testVm({ kvm: { mitigations, wallClock: () => CLOCK } });
    vm.kvm.setPvTimeIpa(0, IPA);
    const m = newKvmModel(mitigations);
    const cpu = vm.cpus[0]!;
    for (const c of commands) {
      if (c.kind === 'set') {
        expect(
          errnoOf(() => vm.kvm.vcpuRegs(0).setOneReg(c.id, c.value)),
          `set ${c.id.toString(16)}`,
        ).toBe(modelSetFwReg(m, c.id, c.value));
      } else if (c.kind === 'filter') {
        expect(errnoOf(() => vm.kvm.setFilter(c.base, c.count, c.action))).toBe(
          modelSetFilter(m, c.base, c.count, c.action),
        );
      } else if (c.kind === 'run') {
        vm.runOnce();
        m.hasRun = true;
      } else {
        const expected = modelCall(m, c.call, c.conduit);
        cpu.script.push({ exit: { kind: c.conduit, imm: 0 }, x: [BigInt(c.call.fid), c.call.arg, 0x77n, 0x66n] });
        const r = vm.machine.run({ maxInstructions: 4 });
        if (expected.kind === 'forwarded') {
          expect(r).toEqual({ reason: 'hypercall', call: { cpu: 0, conduit: c.conduit, imm: 0, nr: c.call.fid } });
          expect(cpu.getReg(0)).toBe(BigInt(c.call.fid));
          expect(cpu.getReg(1)).toBe(c.call.arg);
        } else {
          expect(r.reason).toBe('maxInstructions');
          expect(cpu.getReg(0), `X0 of 0x${c.call.fid.toString(16)} over ${c.conduit}`).toBe(expected.x0);
          if (expected.x1 !== undefined) expect(cpu.getReg(1)).toBe(expected.x1);
        }
      }
      // The whole state, after every step.
      expect(vm.machine.hasRun).toBe(m.hasRun);
      for (const [id, v] of m.regs) expect(vm.kvm.fwRegs.get(id)).toBe(v);
      expect(vm.kvm.filter.ranges().filter((r) => !r.reserved)).toEqual(
        [...m.ranges]
          .sort((a, b) => a.base - b.base)
          .map((r) => ({
            base: r.base,
            end: r.end,
            action: ['HANDLE', 'DENY', 'FWD_TO_USER'][r.action],
            reserved: false,
          })),
      );
      expect(vm.kvm.getPvTimeIpa(0)).toBe(IPA);
    }
  },
);
