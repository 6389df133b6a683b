/**
 * Core register identifiers for Cpu.getReg/setReg.
 *
 * X0..X30 are the general-purpose registers; SP_EL0/SP_EL1 the stack pointers; PC the program
 * counter; PSTATE the current processor state in SPSR_ELx layout (N Z C V at 31..28, SS 21,
 * IL 20, D A I F at 9..6, M[3:0] = EL and SP select at 3..0; Arm ARM D1.4 "Process state").
 * Everything else (ELR_EL1, SPSR_EL1, ESR_EL1, ...) is a system register: see sysregs.ts.
 */
export const CoreReg = {
  X0: 0,
  X1: 1,
  X2: 2,
  X3: 3,
  X4: 4,
  X5: 5,
  X6: 6,
  X7: 7,
  X8: 8,
  X16: 16,
  X17: 17,
  X18: 18,
  X29: 29,
  X30: 30,
  SP_EL0: 31,
  SP_EL1: 32,
  PC: 33,
  PSTATE: 34,
} as const;

/** A core register ID: 0..30 for Xn, then SP_EL0, SP_EL1, PC, PSTATE. */
export type CoreRegId = number;

export const CORE_REG_COUNT = 35;

export const xReg = (n: number): CoreRegId => {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`no register X${n}`);
  return n;
};

export function coreRegName(id: CoreRegId): string {
  if (id >= 0 && id <= 30) return `X${id}`;
  return ['SP_EL0', 'SP_EL1', 'PC', 'PSTATE'][id - 31] ?? `?${id}`;
}

/** PSTATE bits in SPSR layout (Arm ARM C5.2.19 SPSR_EL1). */
export const PSTATE = {
  N: 1 << 31,
  Z: 1 << 30,
  C: 1 << 29,
  V: 1 << 28,
  SS: 1 << 21,
  IL: 1 << 20,
  D: 1 << 9,
  A: 1 << 8,
  I: 1 << 7,
  F: 1 << 6,
  /** M[3:0] values. */
  M_EL0t: 0b0000,
  M_EL1t: 0b0100,
  M_EL1h: 0b0101,
  M_EL2t: 0b1000,
  M_EL2h: 0b1001,
} as const;
