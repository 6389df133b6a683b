/**
 * The fixed world every conformance case runs in (no board: a Cpu over a PhysMem).
 *
 * Physical memory: one RAM region of RAM_SIZE at RAM_BASE, laid out as
 *
 *   0x4000_0000  VECTORS      default VBAR_EL1: each of the 16 vector entries holds HVC #(0x1000 + offset)
 *   0x4000_0800  ALT_VECTORS  a second 2 KiB-aligned table for cases that install real handlers
 *   0x4001_0000  CODE         the case's words; execution starts here
 *   0x4002_0000  DATA         data the case initialises (64 KiB)
 *   0x4003_0000  SP_EL0_TOP   initial SP_EL0 (stack grows down into 0x4002_8000..)
 *   0x4004_0000  SP_EL1_TOP   initial SP_EL1
 *   0x4010_0000  PT           stage-1 translation tables (mmu cases)
 *   0x4018_0000  S2PT         stage-2 translation tables (stage2 cases)
 *
 * and nothing at MMIO_PA (0x0900_0000, where QEMU's virt has its PL011): accesses there end
 * the run with an `mmio` exit.
 *
 * Because every vector entry is an HVC, an exception taken to EL1 surfaces as an `hvc` exit whose
 * immediate names the vector: imm 0x1200 = offset 0x200 (current EL with SPx, synchronous), with
 * the PC just after that HVC. `took()` builds that expectation.
 */
import type { ExpectedValue, StateExpect } from './types.js';

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 0x40_0000;
export const VECTORS = 0x4000_0000;
export const ALT_VECTORS = 0x4000_0800;
export const CODE = 0x4001_0000;
export const DATA = 0x4002_0000;
export const SP_EL0_TOP = 0x4003_0000;
export const SP_EL1_TOP = 0x4004_0000;
export const PT = 0x4010_0000;
export const S2PT = 0x4018_0000;
export const MMIO_PA = 0x0900_0000;

/** Initial value of Xn when a case does not set it (recognisable in a diff). */
export const X_INIT = (n: number): bigint => 0xdead_beef_0000_0000n + BigInt(n);

/** HVC immediates of the default vector table: VECTOR_HVC_BASE + vector offset. */
export const VECTOR_HVC_BASE = 0x1000;

/**
 * Vector offsets from VBAR_EL1 (Arm ARM DDI 0487 D1.10.2, Table D1-7 "Vector offsets from
 * vector table base address").
 */
export const VEC = {
  CUR_SP0_SYNC: 0x000,
  CUR_SP0_IRQ: 0x080,
  CUR_SP0_FIQ: 0x100,
  CUR_SP0_SERROR: 0x180,
  CUR_SPX_SYNC: 0x200,
  CUR_SPX_IRQ: 0x280,
  CUR_SPX_FIQ: 0x300,
  CUR_SPX_SERROR: 0x380,
  LOWER64_SYNC: 0x400,
  LOWER64_IRQ: 0x480,
  LOWER64_FIQ: 0x500,
  LOWER64_SERROR: 0x580,
} as const;

/** HVC #imm16 (Arm ARM C6.2 "HVC"): 1101_0100_000 imm16 000_10. */
export const hvcWord = (imm: number): number => (0xd400_0002 | ((imm & 0xffff) << 5)) >>> 0;

/** PSTATE in SPSR layout (Arm ARM C5.2 SPSR_EL1; core/src/regs.ts). */
export const PS = {
  EL0t: 0x0n,
  EL1t: 0x4n,
  EL1h: 0x5n,
  /** D, A, I, F all masked. */
  DAIF: 0x3c0n,
  D: 0x200n,
  A: 0x100n,
  I: 0x80n,
  F: 0x40n,
  IL: 1n << 20n,
  PAN: 1n << 22n,
  NZCV: 0xf000_0000n,
} as const;

/** The PSTATE a case starts with unless it says otherwise: EL1h, DAIF masked. */
export const PSTATE_DEFAULT = PS.DAIF | PS.EL1h;

/**
 * SCTLR_EL1 every case starts with: the RES1 bits of Armv8.0 (29, 28, 23, 22, 20, 11; Arm ARM
 * D17.2 SCTLR_EL1), everything else 0: MMU off, alignment checks off, SA/SA0 off, EL0 WFI/WFE/DAIF/
 * CTR_EL0/DC ZVA trapped (nTWI = nTWE = UMA = UCT = DZE = 0). Bit 23 (SPAN) = 1 leaves
 * PSTATE.PAN unchanged on exception entry.
 */
export const SCTLR_DEFAULT = 0x30d0_0800n;
export const SCTLR = { M: 1n, A: 1n << 1n, C: 1n << 2n, SA: 1n << 3n, SA0: 1n << 4n, I: 1n << 12n, nTWI: 1n << 16n };

/** ESR_ELx.EC values used by the cases (Arm ARM DDI 0487, D17.2.37 ESR_EL1, field EC). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  ILLEGAL_STATE: 0x0e,
  SVC64: 0x15,
  SYS64: 0x18,
  IABT_LOWER: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOWER: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  SERROR: 0x2f,
  BRK64: 0x3c,
} as const;

/** ESR value: EC at [31:26], IL = 1 (32-bit instruction) at [25], ISS at [24:0] (D17.2.37). */
export const esr = (ec: number, iss = 0): bigint => (BigInt(ec) << 26n) | (1n << 25n) | BigInt(iss);

/**
 * The expectation "an exception was taken to EL1 through vector `offset`": the HVC in that
 * entry of the default table exited, with PC after it, and PSTATE (apart from NZCV, which
 * exception entry preserves) is EL1h with D, A, I, F masked and IL, SS, PAN clear (pseudocode
 * AArch64.TakeException, Arm ARM J1; SCTLR_DEFAULT.SPAN = 1 keeps PAN as it was).
 */
export function took(offset: number): Pick<StateExpect, 'exit' | 'pc' | 'pstate'> {
  return {
    exit: { kind: 'hvc', imm: VECTOR_HVC_BASE + offset },
    pc: BigInt(VECTORS + offset + 4),
    pstate: { value: PSTATE_DEFAULT, mask: 0xffff_ffffn & ~PS.NZCV },
  };
}

/** Compares only `mask` bits. */
export const masked = (value: bigint, mask: bigint): ExpectedValue => ({ value, mask });

/** 64-bit two's complement of a negative number, for readable expectations. */
export const neg = (x: bigint): bigint => BigInt.asUintN(64, -x);

export const INT64_MIN = 0x8000_0000_0000_0000n;
export const INT64_MAX = 0x7fff_ffff_ffff_ffffn;
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
