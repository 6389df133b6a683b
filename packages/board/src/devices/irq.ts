/**
 * Interrupt lines and register-access helpers shared by the devices.
 *
 * A device never knows which interrupt controller it is wired to: it is given an IrqLine
 * (rust-vmm/vm-superio's `Trigger`) and drives its level. The board connects the line to a
 * GIC SPI; tests connect it to a recorder.
 */
import type { AccessSize } from '@hvlab/core';

/** A level-sensitive interrupt output. */
export interface IrqLine {
  set(level: boolean): void;
}

/** An IrqLine that goes nowhere (a device whose interrupt is not wired). */
export const NO_IRQ: IrqLine = Object.freeze({ set: () => {} });

/** Reports guest accesses to offsets a device does not decode (vm-superio's `*Events`). */
export type InvalidAccessHandler = (access: { kind: 'read' | 'write'; offset: number; size: AccessSize }) => void;

/**
 * Dispatches an MMIO read of `size` bytes to a device made of 32-bit registers (AMBA APB
 * peripherals such as the PL011 and PL031). A 64-bit access reads two registers (low word
 * first), as QEMU splits accesses wider than a device's 4-byte maximum. A narrower access
 * reads the register containing it and returns the addressed byte lanes (little-endian).
 * `reg` returns undefined for an offset it does not decode.
 */
export function read32Regs(
  offset: number,
  size: AccessSize,
  reg: (offset: number) => number | undefined,
  invalid: InvalidAccessHandler | undefined,
): bigint {
  if (offset % size !== 0) {
    invalid?.({ kind: 'read', offset, size });
    return 0n;
  }
  if (size === 8) {
    const lo = read32Regs(offset, 4, reg, invalid);
    const hi = read32Regs(offset + 4, 4, reg, invalid);
    return lo | (hi << 32n);
  }
  const v = reg(offset & ~3);
  if (v === undefined) {
    invalid?.({ kind: 'read', offset, size });
    return 0n;
  }
  const shifted = v >>> ((offset & 3) * 8);
  return BigInt(size === 4 ? shifted >>> 0 : shifted & ((1 << (size * 8)) - 1));
}

/**
 * Dispatches an MMIO write to 32-bit registers. A 64-bit write writes two registers (low
 * word first); an 8- or 16-bit write at a register's offset writes the zero-extended value
 * (as QEMU's APB devices do); a narrow write inside a register is ignored and reported.
 * `reg` returns false for an offset it does not decode or a read-only register.
 */
export function write32Regs(
  offset: number,
  size: AccessSize,
  value: bigint,
  reg: (offset: number, value: number) => boolean,
  invalid: InvalidAccessHandler | undefined,
): void {
  if (offset % size !== 0 || (size < 4 && (offset & 3) !== 0)) {
    invalid?.({ kind: 'write', offset, size });
    return;
  }
  if (size === 8) {
    write32Regs(offset, 4, value & 0xffff_ffffn, reg, invalid);
    write32Regs(offset + 4, 4, (value >> 32n) & 0xffff_ffffn, reg, invalid);
    return;
  }
  const mask = size === 4 ? 0xffff_ffffn : (1n << BigInt(size * 8)) - 1n;
  if (!reg(offset, Number(value & mask))) invalid?.({ kind: 'write', offset, size });
}

/** Reads byte `index` (0..7) of a PrimeCell PeriphID0-3/PCellID0-3 block at 0xFE0..0xFFC. */
export function primeCellId(offset: number, ids: readonly number[]): number | undefined {
  if (offset < 0xfe0 || offset > 0xffc) return undefined;
  return ids[(offset - 0xfe0) >> 2];
}
