/**
 * The architectural state layout: one Int32Array `R` holds every core register as (lo, hi)
 * Int32 pairs, the condition flags and the non-flag PSTATE bits. Translated code and the
 * TypeScript helpers share it; BigInt appears only at the Cpu API edge (cpu.ts).
 *
 *   R[2n], R[2n+1]   Xn low / high word (n = 0..30)
 *   R[SP0], +1       SP_EL0
 *   R[SP1], +1       SP_EL1
 *   R[PC], +1        PC
 *   R[NF]            a value whose sign bit is PSTATE.N
 *   R[ZF]            a value that is 0 exactly when PSTATE.Z = 1
 *   R[CF]            PSTATE.C as 0/1
 *   R[VF]            a value whose sign bit is PSTATE.V
 *   R[PST]           every other PSTATE bit, in SPSR_EL1 layout (Arm ARM C5.2.18) with NZCV = 0
 *
 * The flag encoding lets translated code set N and V without extra work (the result's sign, or
 * the classic (a ^ r) & (b ^ r) overflow word) and Z from the OR of the result's halves; the
 * packed NZCV is formed only when software reads it (MRS NZCV, SPSR on exception entry).
 */

export const SP0 = 62;
export const SP1 = 64;
export const PC = 66;
export const NF = 68;
export const ZF = 69;
export const CF = 70;
export const VF = 71;
export const PST = 72;
export const STATE_WORDS = 74;

/** PSTATE bits in SPSR layout (Arm ARM C5.2.18 SPSR_EL1, D1.4 "Process state, PSTATE"). */
export const PS_N = 1 << 31;
export const PS_Z = 1 << 30;
export const PS_C = 1 << 29;
export const PS_V = 1 << 28;
export const PS_UAO = 1 << 23;
export const PS_PAN = 1 << 22;
export const PS_SS = 1 << 21;
export const PS_IL = 1 << 20;
export const PS_SSBS = 1 << 12;
export const PS_D = 1 << 9;
export const PS_A = 1 << 8;
export const PS_I = 1 << 7;
export const PS_F = 1 << 6;
export const PS_DAIF = PS_D | PS_A | PS_I | PS_F;
/** M[3:0]: EL in bits 3:2, SP select in bit 0. */
export const PS_M = 0xf;
/** Every PSTATE bit this CPU implements (SPSR layout, NZCV excluded). */
export const PS_IMPLEMENTED = PS_UAO | PS_PAN | PS_SS | PS_IL | PS_SSBS | PS_DAIF | PS_M;

/** Packs the flag cells into NZCV (bits 31:28). */
export function packNzcv(R: Int32Array): number {
  return (R[NF]! < 0 ? PS_N : 0) | (R[ZF] === 0 ? PS_Z : 0) | (R[CF] !== 0 ? PS_C : 0) | (R[VF]! < 0 ? PS_V : 0);
}

/** Sets the flag cells from NZCV in bits 31:28 of `v`. */
export function unpackNzcv(R: Int32Array, v: number): void {
  R[NF] = v & PS_N ? -1 : 0;
  R[ZF] = v & PS_Z ? 0 : 1;
  R[CF] = v & PS_C ? 1 : 0;
  R[VF] = v & PS_V ? -1 : 0;
}

/** The full PSTATE in SPSR layout (what SPSR_EL1 receives on exception entry). */
export const readPstate = (R: Int32Array): number => (packNzcv(R) | R[PST]!) >>> 0;

/** Current exception level (0 or 1). */
export const currentEl = (R: Int32Array): number => (R[PST]! >> 2) & 3;

// BigInt <-> (lo, hi) through one shared 8-byte buffer: a typed-array store converts a BigInt
// without the intermediate BigInts that masks and shifts allocate (this is the API edge that
// hypercall handlers hit on every call; little-endian host assumed, as everywhere in the backend).
const PAIR64 = new BigUint64Array(1);
const PAIR32 = new Int32Array(PAIR64.buffer);

/** Writes an unsigned 64-bit BigInt as the (lo, hi) pair at a[i]. */
export function storeU64(a: Int32Array, i: number, v: bigint): void {
  PAIR64[0] = v;
  a[i] = PAIR32[0]!;
  a[i + 1] = PAIR32[1]!;
}

/** Reads the (lo, hi) pair at a[i] as an unsigned 64-bit BigInt. */
export function loadU64(a: Int32Array, i: number): bigint {
  PAIR32[0] = a[i]!;
  PAIR32[1] = a[i + 1]!;
  return PAIR64[0]!;
}

/** A (lo, hi) pair as an unsigned 64-bit BigInt (API edge, exits, walks). */
export function toU64(lo: number, hi: number): bigint {
  PAIR32[0] = lo;
  PAIR32[1] = hi;
  return PAIR64[0]!;
}

/**
 * PC <- PC + 4 modulo 2^64, in place (helpers that complete an instruction: no allocation on
 * the HVC/MSR/SYS paths).
 */
export function advancePc(R: Int32Array): void {
  const lo = (R[PC]! + 4) | 0;
  R[PC] = lo;
  if (lo >>> 0 < 4) R[PC + 1] = (R[PC + 1]! + 1) | 0;
}

/**
 * The low `size` bytes of v in reverse order (API edge: the bus value of a big-endian MMIO
 * access, Arm ARM B2.6 "Endian support").
 */
export function byteReverse(v: bigint, size: number): bigint {
  let out = 0n;
  for (let i = 0; i < size; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** (lo, hi) of a pair as a Number, exact below 2^53 (addresses, counters). */
export const pairToNumber = (lo: number, hi: number): number => (hi >>> 0) * 4294967296 + (lo >>> 0);
