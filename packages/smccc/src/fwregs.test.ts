import { HvlabError, KVM_REG_SIZE_U32, KVM_REG_SIZE_U64 } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import {
  bitmapRegister,
  FirmwareRegisters,
  isFirmwareRegId,
  KVM_BITMAP_REGISTERS,
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from './fwregs.js';
import { errnoOf } from './testing/vm.js';

function vm(hasRun = false) {
  const state = { hasRun };
  const regs = new FirmwareRegisters(state);
  for (const d of KVM_BITMAP_REGISTERS) regs.define(d);
  return { state, regs };
}

describe('firmware register IDs', () => {
  it('are the uapi values (arch/arm64/include/uapi/asm/kvm.h)', () => {
    expect(KVM_REG_ARM_PSCI_VERSION).toBe(0x6030_0000_0014_0000n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1).toBe(0x6030_0000_0014_0001n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2).toBe(0x6030_0000_0014_0002n);
    expect(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3).toBe(0x6030_0000_0014_0003n);
    expect(KVM_REG_ARM_STD_BMAP).toBe(0x6030_0000_0016_0000n);
    expect(KVM_REG_ARM_STD_HYP_BMAP).toBe(0x6030_0000_0016_0001n);
    expect(KVM_REG_ARM_VENDOR_HYP_BMAP).toBe(0x6030_0000_0016_0002n);
    expect(KVM_REG_ARM_VENDOR_HYP_BMAP_2).toBe(0x6030_0000_0016_0003n);
    expect(isFirmwareRegId(KVM_REG_ARM_STD_BMAP)).toBe(true);
    expect(isFirmwareRegId(0x6030_0000_0010_0000n)).toBe(false); // CORE x0
    expect(isFirmwareRegId(0x5030_0000_0014_0000n)).toBe(false); // another architecture
  });
});

describe('FirmwareRegisters', () => {
  it("starts every bitmap at KVM's reset value", () => {
    const { regs } = vm();
    expect(regs.get(KVM_REG_ARM_STD_BMAP)).toBe(1n);
    expect(regs.get(KVM_REG_ARM_STD_HYP_BMAP)).toBe(1n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(3n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toBe(0n);
    expect(regs.ids()).toEqual([
      KVM_REG_ARM_STD_BMAP,
      KVM_REG_ARM_STD_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP,
      KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    ]);
    expect(regs.nameOf(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toBe('KVM_REG_ARM_VENDOR_HYP_BMAP_2');
  });

  it('answers ENOENT for an unknown ID, on get and on set, and for a non-u64 size', () => {
    const { regs } = vm();
    const u32 = (KVM_REG_ARM_STD_BMAP & ~KVM_REG_SIZE_U64) | KVM_REG_SIZE_U32;
    for (const id of [KVM_REG_ARM_PSCI_VERSION, kvmFwFeat(9), u32, 0n]) {
      expect(errnoOf(() => regs.get(id))).toBe('ENOENT');
      expect(errnoOf(() => regs.set(id, 0n))).toBe('ENOENT');
    }
  });

  it('rejects bits outside the known set with EINVAL, before and after the VM ran', () => {
    const { state, regs } = vm();
    expect(errnoOf(() => regs.set(KVM_REG_ARM_STD_BMAP, 2n))).toBe('EINVAL');
    expect(errnoOf(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 4n))).toBe('EINVAL');
    expect(errnoOf(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 1n << 63n))).toBe('EINVAL');
    state.hasRun = true;
    // EINVAL is checked first: even the current value plus an unknown bit is EINVAL, not EBUSY.
    expect(errnoOf(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 7n))).toBe('EINVAL');
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(3n);
  });

  it('stores any known subset before the VM ran, and after it only the same value (EBUSY otherwise)', () => {
    const { state, regs } = vm();
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 2n);
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 3n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(2n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toBe(3n);
    state.hasRun = true;
    expect(errnoOf(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 3n))).toBe('EBUSY');
    expect(errnoOf(() => regs.set(KVM_REG_ARM_STD_BMAP, 0n))).toBe('EBUSY');
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 2n); // a migration restore writes the same value
    regs.set(KVM_REG_ARM_STD_BMAP, 1n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(2n);
    expect(regs.get(KVM_REG_ARM_STD_BMAP)).toBe(1n);
  });

  it('rejects values that are not u64 (EINVAL) and leaves the register as it was', () => {
    const { regs } = vm();
    expect(errnoOf(() => regs.set(KVM_REG_ARM_STD_BMAP, -1n))).toBe('EINVAL');
    expect(errnoOf(() => regs.set(KVM_REG_ARM_STD_BMAP, 1n << 64n))).toBe('EINVAL');
    expect(errnoOf(() => regs.set(KVM_REG_ARM_STD_BMAP, 1 as unknown as bigint))).toBe('EINVAL');
    expect(regs.get(KVM_REG_ARM_STD_BMAP)).toBe(1n);
  });

  it('defines registers for other services and validates definitions', () => {
    const { regs } = vm();
    regs.define({
      id: KVM_REG_ARM_PSCI_VERSION,
      name: 'KVM_REG_ARM_PSCI_VERSION',
      reset: 0x1_0003n,
      validate: (v) => v,
    });
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0003n);
    expect(regs.ids()[0]).toBe(KVM_REG_ARM_PSCI_VERSION);
    regs.set(KVM_REG_ARM_PSCI_VERSION, 0x1_0000n);
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0000n);
    const ok = { id: kvmFwFeat(7), name: 'X', reset: 0n, validate: (v: bigint) => v };
    expect(errnoOf(() => regs.define({ ...ok, id: KVM_REG_ARM_STD_BMAP }))).toBe('EEXIST');
    expect(errnoOf(() => regs.define({ ...ok, id: 0x6030_0000_0010_0000n }))).toBe('EINVAL');
    expect(errnoOf(() => regs.define({ ...ok, id: (ok.id & ~KVM_REG_SIZE_U64) | KVM_REG_SIZE_U32 }))).toBe('EINVAL');
    expect(errnoOf(() => regs.define({ ...ok, name: '' }))).toBe('EINVAL');
    expect(errnoOf(() => regs.define({ ...ok, reset: -1n }))).toBe('EINVAL');
    expect(errnoOf(() => regs.define({ ...ok, validate: undefined as unknown as (v: bigint) => bigint }))).toBe(
      'EINVAL',
    );
    expect(regs.has(ok.id)).toBe(false);
    expect(() => bitmapRegister(ok.id, 'B', 1n, 2n)).toThrow(/unknown bits/);
  });

  it('kvm_arm_get_fw_reg: a live register is read from its owner every time, and stores nothing', () => {
    const { state, regs } = vm();
    let version = 0x1_0003n;
    const seen: bigint[] = [];
    regs.define({
      id: KVM_REG_ARM_PSCI_VERSION,
      name: 'KVM_REG_ARM_PSCI_VERSION',
      get: () => version,
      validate: (v, ctx) => {
        seen.push(ctx.current);
        if (v > 0x1_0003n) throw new HvlabError('EINVAL', 'no such version');
        version = v; // the owner applies it
        return v;
      },
    });
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0003n);
    version = 0x1_0001n; // the owner changed it without SET_ONE_REG
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(0x1_0001n);
    state.hasRun = true;
    regs.set(KVM_REG_ARM_PSCI_VERSION, 2n);
    expect(seen).toEqual([0x1_0001n]); // validate saw the live value as `current`
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(2n);
    expect(errnoOf(() => regs.set(KVM_REG_ARM_PSCI_VERSION, 0x1_0004n))).toBe('EINVAL');
    expect(regs.get(KVM_REG_ARM_PSCI_VERSION)).toBe(2n);
    // A definition is stored (reset) or live (get), never both or neither.
    const both = { id: kvmFwFeat(6), name: 'BOTH', reset: 0n, get: () => 0n, validate: (v: bigint) => v };
    expect(errnoOf(() => regs.define(both as unknown as Parameters<typeof regs.define>[0]))).toBe('EINVAL');
    const neither = { id: kvmFwFeat(6), name: 'NEITHER', validate: (v: bigint) => v };
    expect(errnoOf(() => regs.define(neither as unknown as Parameters<typeof regs.define>[0]))).toBe('EINVAL');
    expect(regs.has(kvmFwFeat(6))).toBe(false);
  });

  it('reports host bugs in a definition as HvlabError EINVAL, changing nothing', () => {
    const { regs } = vm();
    regs.define({ id: kvmFwFeat(4), name: 'BAD_RULE', reset: 1n, validate: () => -1n });
    expect(errnoOf(() => regs.set(kvmFwFeat(4), 0n))).toBe('EINVAL');
    expect(regs.get(kvmFwFeat(4))).toBe(1n);
    regs.define({ id: kvmFwFeat(5), name: 'BAD_GET', get: () => 1n << 64n, validate: (v) => v });
    expect(errnoOf(() => regs.get(kvmFwFeat(5)))).toBe('EINVAL');
  });

  it('never stores a value a validate rule rejected', () => {
    const { regs } = vm();
    regs.define({
      id: kvmFwFeat(8),
      name: 'PICKY',
      reset: 5n,
      validate: (v) => {
        if (v > 9n) throw new HvlabError('EINVAL', 'too big');
        return v;
      },
    });
    expect(errnoOf(() => regs.set(kvmFwFeat(8), 10n))).toBe('EINVAL');
    expect(regs.get(kvmFwFeat(8))).toBe(5n);
  });
});

function kvmFwFeat(n: number): bigint {
  return 0x6030_0000_0016_0000n | BigInt(n);
}
