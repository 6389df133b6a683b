/**
 * Exception entry to EL1 and the syndrome encodings (Arm ARM DDI 0487 D1.10 "Exception entry",
 * D1.10.2 "Exception vectors", D17 ESR_EL1; pseudocode AArch64.TakeException).
 *
 * On entry to EL1 from EL0 or EL1:
 *   SPSR_EL1 <- PSTATE (SPSR layout), ELR_EL1 <- preferred return address,
 *   ESR_EL1  <- syndrome (synchronous exceptions and SError only), FAR_EL1 <- fault address,
 *   PSTATE   <- EL1h, D = A = I = F = 1, IL = SS = UAO = 0, PAN = 1 if SCTLR_EL1.SPAN = 0,
 *               SSBS = SCTLR_EL1.DSSBS,
 *   PC       <- VBAR_EL1 + vector offset, and the local exclusive monitor is cleared.
 * Vector offsets: 0x000 current EL with SP_EL0, 0x200 current EL with SP_ELx, 0x400 lower EL
 * (AArch64); plus 0x000 synchronous, 0x080 IRQ, 0x100 FIQ, 0x180 SError.
 */
import { SysReg } from '@hvlab/core';
import type { InterpCpu } from './cpu.js';
import {
  toU64 as big,
  currentEl,
  PC,
  PS_DAIF,
  PS_IL,
  PS_PAN,
  PS_SS,
  PS_SSBS,
  PS_UAO,
  PST,
  readPstate,
} from './state.js';
import { SCTLR } from './sysregs.js';

/** Exception classes (ESR_ELx.EC). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  ILLEGAL: 0x0e,
  SVC64: 0x15,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  SERROR: 0x2f,
  BRK64: 0x3c,
} as const;

/** ESR_ELx.IL: 32-bit instruction (always 1 for exceptions from AArch64 state). */
export const IL = 1 << 25;

/** Fault status codes used outside the walker (DFSC/IFSC). */
export const FSC_EXTERNAL = 0x10;
export const FSC_ALIGNMENT = 0x21;

/** ISS bits of a Data Abort. */
export const ISS_ISV = 1 << 24;
export const ISS_CM = 1 << 8;
export const ISS_S1PTW = 1 << 7;
export const ISS_WNR = 1 << 6;

export const esrOf = (ec: number, iss: number): number => ((ec << 26) | IL | (iss & 0x1ffffff)) >>> 0;

export type ExceptionType = 0 | 1 | 2 | 3;
const TYPE_NAMES = ['sync', 'irq', 'fiq', 'serror'] as const;

/**
 * Takes an exception to EL1. `esr` is written for synchronous exceptions and SError; FAR when
 * `far` is given; ELR is the preferred return address (elrLo, elrHi).
 */
export function takeException(
  cpu: InterpCpu,
  type: ExceptionType,
  esr: number,
  elrLo: number,
  elrHi: number,
  far?: readonly [number, number],
): void {
  const R = cpu.R;
  const sys = cpu.sys;
  const fromEl = currentEl(R);
  const spsr = readPstate(R);
  const base = fromEl === 0 ? 0x400 : (R[PST]! & 1) === 0 ? 0x000 : 0x200;
  const offset = base + type * 0x80;
  sys.store(SysReg.SPSR_EL1, spsr | 0, 0);
  sys.store(SysReg.ELR_EL1, elrLo, elrHi);
  if (type === 0 || type === 3) sys.store(SysReg.ESR_EL1, esr | 0, 0);
  if (far) sys.store(SysReg.FAR_EL1, far[0], far[1]);
  const sctlr = sys.lo(SysReg.SCTLR_EL1);
  const sctlrHi = sys.hi(SysReg.SCTLR_EL1);
  let p = R[PST]! & ~(PS_DAIF | PS_IL | PS_SS | PS_UAO | PS_SSBS | 0xf);
  p |= PS_DAIF | 0b0101;
  if ((sctlr & SCTLR.SPAN) === 0) p |= PS_PAN;
  if ((sctlrHi & SCTLR.DSSBS_HI) !== 0) p |= PS_SSBS;
  R[PST] = p;
  // VBAR_EL1[10:0] are RES0 (stored as 0), so the vector offset never carries.
  const vl = sys.lo(SysReg.VBAR_EL1) | offset;
  const vh = sys.hi(SysReg.VBAR_EL1);
  R[PC] = vl;
  R[PC + 1] = vh;
  cpu.clearExclusive();
  cpu.pstateChanged();
  const obs = cpu.onException;
  if (obs) {
    obs({
      cpu: cpu.index,
      type: TYPE_NAMES[type],
      fromEl,
      toEl: 1,
      esr: type === 0 || type === 3 ? BigInt(esr >>> 0) : 0n,
      elr: big(elrLo, elrHi),
      far: far ? big(far[0], far[1]) : undefined,
      vector: big(vl, vh),
    });
  }
}

/** A synchronous exception with the current PC as preferred return address. */
export function syncException(cpu: InterpCpu, esr: number, far?: readonly [number, number]): void {
  takeException(cpu, 0, esr, cpu.R[PC]!, cpu.R[PC + 1]!, far);
}

/** UNDEFINED instruction (EC 0x00). */
export const undefInsn = (cpu: InterpCpu): void => syncException(cpu, esrOf(EC.UNKNOWN, 0));

/** A data abort taken to EL1 (stage-1 fault, alignment, external abort). ISV = 0 in ESR_EL1. */
export function dataAbortEl1(
  cpu: InterpCpu,
  fsc: number,
  vaLo: number,
  vaHi: number,
  write: boolean,
  cm = false,
): void {
  const ec = currentEl(cpu.R) === 0 ? EC.DABT_LOW : EC.DABT_CUR;
  const iss = (cm ? ISS_CM : 0) | (write || cm ? ISS_WNR : 0) | fsc;
  syncException(cpu, esrOf(ec, iss), [vaLo, vaHi]);
}

/** An instruction abort taken to EL1 (the faulting address is the PC). */
export function instrAbortEl1(cpu: InterpCpu, fsc: number, vaLo: number, vaHi: number): void {
  const ec = currentEl(cpu.R) === 0 ? EC.IABT_LOW : EC.IABT_CUR;
  syncException(cpu, esrOf(ec, fsc), [vaLo, vaHi]);
}

/** A trapped MSR/MRS/SYS taken to EL1 (EC 0x18) with its ISS. */
export const sysTrapEl1 = (cpu: InterpCpu, iss: number): void => syncException(cpu, esrOf(EC.SYS64, iss));

/** ISS of an MSR/MRS/SYS trap (EC 0x18): Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, dir 0. */
export function sysIss(id: number, rt: number, isRead: boolean): number {
  const op0 = (id >> 14) & 3;
  const op1 = (id >> 11) & 7;
  const crn = (id >> 7) & 15;
  const crm = (id >> 3) & 15;
  const op2 = id & 7;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((rt & 31) << 5) | (crm << 1) | (isRead ? 1 : 0);
}
