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

const errno = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof HvlabError) return e.code;
    throw e;
  }
  return undefined;
};

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
      expect(errno(() => regs.get(id))).toBe('ENOENT');
      expect(errno(() => regs.set(id, 0n))).toBe('ENOENT');
    }
  });

  it('rejects bits outside the known set with EINVAL, before and after the VM ran', () => {
    const { state, regs } = vm();
    expect(errno(() => regs.set(KVM_REG_ARM_STD_BMAP, 2n))).toBe('EINVAL');
    expect(errno(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 4n))).toBe('EINVAL');
    expect(errno(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 1n << 63n))).toBe('EINVAL');
    state.hasRun = true;
    // EINVAL is checked first: even the current value plus an unknown bit is EINVAL, not EBUSY.
    expect(errno(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 7n))).toBe('EINVAL');
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(3n);
  });

  it('stores any known subset before the VM ran, and after it only the same value (EBUSY otherwise)', () => {
    const { state, regs } = vm();
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 2n);
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP_2, 3n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(2n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2)).toBe(3n);
    state.hasRun = true;
    expect(errno(() => regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 3n))).toBe('EBUSY');
    expect(errno(() => regs.set(KVM_REG_ARM_STD_BMAP, 0n))).toBe('EBUSY');
    regs.set(KVM_REG_ARM_VENDOR_HYP_BMAP, 2n); // a migration restore writes the same value
    regs.set(KVM_REG_ARM_STD_BMAP, 1n);
    expect(regs.get(KVM_REG_ARM_VENDOR_HYP_BMAP)).toBe(2n);
    expect(regs.get(KVM_REG_ARM_STD_BMAP)).toBe(1n);
  });

  it('rejects values that are not u64 (EINVAL) and leaves the register as it was', () => {
    const { regs } = vm();
    expect(errno(() => regs.set(KVM_REG_ARM_STD_BMAP, -1n))).toBe('EINVAL');
    expect(errno(() => regs.set(KVM_REG_ARM_STD_BMAP, 1n << 64n))).toBe('EINVAL');
    expect(errno(() => regs.set(KVM_REG_ARM_STD_BMAP, 1 as unknown as bigint))).toBe('EINVAL');
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
    expect(errno(() => regs.define({ ...ok, id: KVM_REG_ARM_STD_BMAP }))).toBe('EEXIST');
    expect(errno(() => regs.define({ ...ok, id: 0x6030_0000_0010_0000n }))).toBe('EINVAL');
    expect(errno(() => regs.define({ ...ok, id: (ok.id & ~KVM_REG_SIZE_U64) | KVM_REG_SIZE_U32 }))).toBe('EINVAL');
    expect(errno(() => regs.define({ ...ok, name: '' }))).toBe('EINVAL');
    expect(errno(() => regs.define({ ...ok, reset: -1n }))).toBe('EINVAL');
    expect(errno(() => regs.define({ ...ok, validate: undefined as unknown as (v: bigint) => bigint }))).toBe('EINVAL');
    expect(regs.has(ok.id)).toBe(false);
    expect(() => bitmapRegister(ok.id, 'B', 1n, 2n)).toThrow(/unknown bits/);
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
    expect(errno(() => regs.set(kvmFwFeat(8), 10n))).toBe('EINVAL');
    expect(regs.get(kvmFwFeat(8))).toBe(5n);
  });
});

function kvmFwFeat(n: number): bigint {
  return 0x6030_0000_0016_0000n | BigInt(n);
}
