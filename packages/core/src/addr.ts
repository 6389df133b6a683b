/**
 * Branded address types. Each address space gets its own type so that a guest-physical
 * address can never be passed where a physical or virtual one is expected
 * (after Hafnium's inc/hf/addr.h and rust-vmm/vm-memory's GuestAddress).
 *
 * Addresses are bigint at API edges; hot paths inside backends use plain numbers
 * (physical addresses fit in 52 bits, well inside Number.MAX_SAFE_INTEGER).
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A physical address (output of the last translation stage). */
export type Pa = Brand<bigint, 'Pa'>;
/** An intermediate physical address (stage-1 output when stage 2 is enabled). */
export type Ipa = Brand<bigint, 'Ipa'>;
/** A virtual address (64-bit, including the TTBR-select top bits). */
export type Va = Brand<bigint, 'Va'>;

const U64 = (1n << 64n) - 1n;

function toU64(x: bigint | number, what: string): bigint {
  const v = typeof x === 'number' ? BigInt(x) : x;
  if (v < 0n || v > U64) throw new RangeError(`${what} out of 64-bit range: ${v}`);
  return v;
}

export const pa = (x: bigint | number): Pa => toU64(x, 'Pa') as Pa;
export const ipa = (x: bigint | number): Ipa => toU64(x, 'Ipa') as Ipa;
export const va = (x: bigint | number): Va => toU64(x, 'Va') as Va;

/** Adds an offset, throwing on 64-bit overflow (overflow is always visible at the call site). */
export function addrAdd<A extends Pa | Ipa | Va>(a: A, off: bigint | number): A {
  const r = a + BigInt(off);
  if (r < 0n || r > U64) throw new RangeError(`address overflow: ${a} + ${off}`);
  return r as A;
}

export function alignDown<A extends Pa | Ipa | Va>(a: A, align: bigint): A {
  return (a & ~(align - 1n)) as A;
}

export function alignUp<A extends Pa | Ipa | Va>(a: A, align: bigint): A {
  const r = (a + align - 1n) & ~(align - 1n);
  if (r > U64) throw new RangeError(`address overflow aligning ${a}`);
  return r as A;
}

export const isAligned = (a: bigint, align: bigint): boolean => (a & (align - 1n)) === 0n;

/** Formats an address as QEMU does in logs: 0x followed by 16 hex digits. */
export const hex64 = (x: bigint): string => `0x${x.toString(16).padStart(16, '0')}`;
