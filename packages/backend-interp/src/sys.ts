/**
 * System instructions, executed in TypeScript on the architectural state (translated code calls
 * these through the CPU: H.mrs, H.msr, H.sys, ...). Arm ARM C5 "The A64 System Instruction
 * Class", C6.2 (SVC, HVC, SMC, BRK, ERET, WFI, WFE, SEV, MSR (immediate)), D1.11 (ERET and
 * illegal exception returns), D8.13 (TLB maintenance), D7.4/D7.5 (cache maintenance).
 *
 * Return values (see emit/builder.ts): MRS returns 0 to continue the block or an exit kind;
 * the terminating helpers return an exit kind, OR'ed with H_RETIRED when the instruction
 * completed (then R[PC] is already the next instruction or the exception vector).
 */
import { SysReg, type SysRegId, sysRegFields } from '@hvlab/core';
import { cacheMaintenanceTarget, dataFault, dcZva } from './access.js';
import type { InterpCpu } from './cpu.js';
import { H_RETIRED, K_EXIT, K_LOOKUP } from './emit/builder.js';
import { EC, esrOf, syncException, sysIss, sysTrapEl1, takeException, undefInsn } from './exceptions.js';
import {
  advancePc,
  toU64 as big,
  currentEl,
  PC,
  PS_DAIF,
  PS_IL,
  PS_M,
  PS_PAN,
  PS_SSBS,
  PS_UAO,
  PST,
  unpackNzcv,
} from './state.js';
import { EL0R, EL0W, EL1R, EL1W, HCR, SCTLR } from './sysregs.js';

const DONE = K_LOOKUP | H_RETIRED;

const advance = (cpu: InterpCpu): void => advancePc(cpu.R);

function undef(cpu: InterpCpu): number {
  undefInsn(cpu);
  return K_LOOKUP;
}

/** A trapped MRS/MSR/SYS going to EL2: a `sysreg` exit with the ESR_EL2 syndrome (EC 0x18). */
export function sysregExit(cpu: InterpCpu, id: SysRegId, rt: number, isRead: boolean, lo: number, hi: number): number {
  const esr = esrOf(EC.SYS64, sysIss(id, rt, isRead));
  cpu.sys.store(SysReg.ESR_EL2, esr | 0, 0);
  cpu.pendingSysRead = isRead ? rt : -1;
  cpu.pendingExit = {
    kind: 'sysreg',
    reg: id,
    isRead,
    rt,
    value: isRead || rt === 31 ? 0n : big(lo, hi),
    esr: BigInt(esr),
  };
  return K_EXIT;
}

/** Unallocated ID register space (op0 3, op1 0, CRn 0, CRm 1..7) reads as zero at EL1 (D23.2). */
const isIdSpace = (id: SysRegId): boolean => {
  const f = sysRegFields(id);
  return f.op0 === 3 && f.op1 === 0 && f.crn === 0 && f.crm >= 1 && f.crm <= 7;
};

/** An access to a register this CPU does not implement natively. */
function unknownReg(cpu: InterpCpu, id: SysRegId, rt: number, isRead: boolean, lo: number, hi: number): number {
  const el = currentEl(cpu.R);
  if (isIdSpace(id)) {
    if (el === 0 || !isRead) return undef(cpu);
    if ((cpu.sys.lo(SysReg.HCR_EL2) & HCR.TID3) !== 0) return sysregExit(cpu, id, rt, true, 0, 0);
    if (rt !== 31) cpu.setX(rt, 0, 0);
    return 0;
  }
  // EL0 can only reach the op1 = 3 space; anything else there is UNDEFINED in hardware.
  if (el === 0 && sysRegFields(id).op1 !== 3) return undef(cpu);
  return sysregExit(cpu, id, rt, isRead, lo, hi);
}

/** Access checks common to MRS and MSR; returns -1 to go on, else the status to return. */
function checkAccess(cpu: InterpCpu, id: SysRegId, rt: number, isRead: boolean, lo: number, hi: number): number {
  const d = cpu.sys.defs.get(id)!;
  const el = currentEl(cpu.R);
  if (el === 0) {
    if ((d.access & (isRead ? EL0R : EL0W)) === 0) return undef(cpu);
    if (d.el0Trap?.(cpu.sys, isRead)) {
      sysTrapEl1(cpu, sysIss(id, rt, isRead));
      return K_LOOKUP;
    }
  } else if ((d.access & (isRead ? EL1R : EL1W)) === 0) {
    return undef(cpu);
  }
  // MRS/MSR SP_EL0 is UNDEFINED while SP_EL0 is the current stack pointer (SPSel = 0).
  if (id === SysReg.SP_EL0 && (cpu.R[PST]! & 1) === 0) return undef(cpu);
  if (d.el2Trap?.(cpu.sys, isRead)) return sysregExit(cpu, id, rt, isRead, lo, hi);
  return -1;
}

/** H.mrs: MRS Xt, <reg>. `k` = instructions retired earlier in this block (for the counters). */
export function mrs(cpu: InterpCpu, id: SysRegId, rt: number, k: number): number {
  const d = cpu.sys.defs.get(id);
  if (!d) return unknownReg(cpu, id, rt, true, 0, 0);
  const s = checkAccess(cpu, id, rt, true, 0, 0);
  if (s >= 0) return s;
  cpu.sys.readInto(d, k);
  if (rt !== 31) cpu.setX(rt, cpu.sys.v[0]!, cpu.sys.v[1]!);
  return 0;
}

/** H.msr: MSR <reg>, Xt (terminates the block: the write may change translation or PSTATE). */
export function msr(cpu: InterpCpu, id: SysRegId, rt: number, k: number): number {
  const lo = rt === 31 ? 0 : cpu.R[2 * rt]!;
  const hi = rt === 31 ? 0 : cpu.R[2 * rt + 1]!;
  const d = cpu.sys.defs.get(id);
  if (!d) {
    const s = unknownReg(cpu, id, rt, false, lo, hi);
    return s;
  }
  const s = checkAccess(cpu, id, rt, false, lo, hi);
  if (s >= 0) return s;
  cpu.sys.writeFrom(d, lo, hi, k);
  advance(cpu);
  return DONE;
}

/** H.msrImm: MSR <pstatefield>, #imm (Arm ARM C6.2 MSR (immediate)). */
export function msrImm(cpu: InterpCpu, op1: number, op2: number, crm: number): number {
  const R = cpu.R;
  const el = currentEl(R);
  const fieldId = (op1 << 3) | op2;
  let p = R[PST]!;
  switch (fieldId) {
    case 0b000_101: // SPSel
      if (el === 0) return undef(cpu);
      p = (p & ~1) | (crm & 1);
      break;
    case 0b011_110: // DAIFSet
    case 0b011_111: // DAIFClr
      if (el === 0 && (cpu.sys.lo(SysReg.SCTLR_EL1) & SCTLR.UMA) === 0) {
        // ISS: Op0 = 0, Op1, CRn = 4, CRm = imm, Op2, Rt = 31, write.
        sysTrapEl1(cpu, (op2 << 17) | (op1 << 14) | (4 << 10) | (31 << 5) | (crm << 1));
        return K_LOOKUP;
      }
      p = fieldId === 0b011_110 ? p | ((crm << 6) & PS_DAIF) : p & ~((crm << 6) & PS_DAIF);
      break;
    case 0b000_100: // PAN (FEAT_PAN)
      if (el === 0) return undef(cpu);
      p = (p & ~PS_PAN) | (crm & 1 ? PS_PAN : 0);
      break;
    case 0b000_011: // UAO (FEAT_UAO)
      if (el === 0) return undef(cpu);
      p = (p & ~PS_UAO) | (crm & 1 ? PS_UAO : 0);
      break;
    case 0b011_001: // SSBS (FEAT_SSBS)
      p = (p & ~PS_SSBS) | (crm & 1 ? PS_SSBS : 0);
      break;
    default:
      // DIT (FEAT_DIT) and TCO (FEAT_MTE) are not implemented.
      return undef(cpu);
  }
  R[PST] = p;
  cpu.pstateChanged();
  advance(cpu);
  return DONE;
}

/** H.svc: SVC #imm -> synchronous exception to EL1, ELR = the next instruction (EC 0x15). */
export function svc(cpu: InterpCpu, imm: number): number {
  const l = (cpu.R[PC]! + 4) | 0;
  const h = l >>> 0 < 4 ? (cpu.R[PC + 1]! + 1) | 0 : cpu.R[PC + 1]!;
  takeException(cpu, 0, esrOf(EC.SVC64, imm), l, h);
  return DONE;
}

/** H.hvc: UNDEFINED at EL0 or with HCR_EL2.HCD; else an `hvc` exit (PC past the HVC). */
export function hvc(cpu: InterpCpu, imm: number): number {
  if (currentEl(cpu.R) === 0 || (cpu.sys.lo(SysReg.HCR_EL2) & HCR.HCD) !== 0) return undef(cpu);
  cpu.sys.store(SysReg.ESR_EL2, esrOf(EC.HVC64, imm) | 0, 0);
  advance(cpu);
  cpu.pendingExit = { kind: 'hvc', imm };
  return K_EXIT | H_RETIRED;
}

/**
 * H.smc: UNDEFINED at EL0; else an `smc` exit (trapped to EL2 by HCR_EL2.TSC, or taken to EL3:
 * both are TypeScript here, and both see the same exit with PC past the SMC).
 */
export function smc(cpu: InterpCpu, imm: number): number {
  if (currentEl(cpu.R) === 0) return undef(cpu);
  cpu.sys.store(SysReg.ESR_EL2, esrOf(EC.SMC64, imm) | 0, 0);
  advance(cpu);
  cpu.pendingExit = { kind: 'smc', imm };
  return K_EXIT | H_RETIRED;
}

/** H.brk: Breakpoint instruction exception (EC 0x3C), ELR = the BRK itself. */
export function brk(cpu: InterpCpu, imm: number): number {
  syncException(cpu, esrOf(EC.BRK64, imm));
  return K_LOOKUP;
}

/** WFI/WFE trapped to EL1 by SCTLR_EL1.nTWI/nTWE (EC 0x01, CV = 1, COND = 0b1110, TI). */
function wfxTrap(cpu: InterpCpu, wfe: boolean): number {
  syncException(cpu, esrOf(EC.WFX, (1 << 24) | (0xe << 20) | (wfe ? 1 : 0)));
  return K_LOOKUP;
}

export function wfi(cpu: InterpCpu): number {
  if (currentEl(cpu.R) === 0 && (cpu.sys.lo(SysReg.SCTLR_EL1) & SCTLR.nTWI) === 0) return wfxTrap(cpu, false);
  advance(cpu);
  cpu.pendingExit = WFI_EXIT;
  return K_EXIT | H_RETIRED;
}

/** WFE: completes at once (clearing it) if the event register is set, else a `wfe` exit. */
export function wfe(cpu: InterpCpu): number {
  if (currentEl(cpu.R) === 0 && (cpu.sys.lo(SysReg.SCTLR_EL1) & SCTLR.nTWE) === 0) return wfxTrap(cpu, true);
  advance(cpu);
  if (cpu.eventRegister) {
    cpu.eventRegister = false;
    return DONE;
  }
  cpu.pendingExit = WFE_EXIT;
  return K_EXIT | H_RETIRED;
}

const WFI_EXIT = Object.freeze({ kind: 'wfi' as const });
const WFE_EXIT = Object.freeze({ kind: 'wfe' as const });

/**
 * H.eret (Arm ARM D1.11.2, pseudocode AArch64.ExceptionReturn / IllegalExceptionReturn):
 * restores PSTATE from SPSR_EL1 and branches to ELR_EL1. A return to AArch32, to a higher EL or
 * to a reserved M encoding is an illegal return: PSTATE.IL is set, EL and SP are unchanged,
 * the other fields are restored, and the next instruction takes an Illegal Execution state
 * exception.
 */
export function eret(cpu: InterpCpu): number {
  const R = cpu.R;
  if (currentEl(R) === 0) return undef(cpu);
  const spsr = cpu.sys.lo(SysReg.SPSR_EL1);
  const m = spsr & 0x1f;
  const illegal = (m & 0x10) !== 0 || ((m >> 2) & 3) > 1 || (m & 2) !== 0 || m === 0b0001;
  const restored = spsr & (PS_DAIF | PS_PAN | PS_UAO | PS_SSBS | PS_IL);
  unpackNzcv(R, spsr);
  R[PST] = illegal ? (R[PST]! & PS_M) | restored | PS_IL : restored | (m & PS_M);
  R[PC] = cpu.sys.lo(SysReg.ELR_EL1);
  R[PC + 1] = cpu.sys.hi(SysReg.ELR_EL1);
  cpu.clearExclusive();
  cpu.pstateChanged();
  return DONE;
}

/** The data MMU index of the current EL (cache maintenance by VA). */
function dataIdx(cpu: InterpCpu): number {
  return currentEl(cpu.R) === 0 ? 0 : 1;
}

const S = (op1: number, crn: number, crm: number, op2: number): number =>
  (1 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

/** SYS encodings (op0 = 1) this CPU implements (Arm ARM C5.3 DC/IC/AT/TLBI). */
const SYS_OP = {
  IC_IALLUIS: S(0, 7, 1, 0),
  IC_IALLU: S(0, 7, 5, 0),
  IC_IVAU: S(3, 7, 5, 1),
  DC_IVAC: S(0, 7, 6, 1),
  DC_ISW: S(0, 7, 6, 2),
  DC_CSW: S(0, 7, 10, 2),
  DC_CISW: S(0, 7, 14, 2),
  DC_ZVA: S(3, 7, 4, 1),
  DC_CVAC: S(3, 7, 10, 1),
  DC_CVAU: S(3, 7, 11, 1),
  DC_CIVAC: S(3, 7, 14, 1),
  AT_S1E1R: S(0, 7, 8, 0),
  AT_S1E1W: S(0, 7, 8, 1),
  AT_S1E0R: S(0, 7, 8, 2),
  AT_S1E0W: S(0, 7, 8, 3),
} as const;

export type TlbiOp = 'all' | 'va' | 'asid' | 'vaa';

/**
 * TLBI EL1 forms by op2 (CRm 3 = Inner Shareable, CRm 7 = this PE): VMALLE1, VAE1, ASIDE1,
 * VAAE1, VALE1, VAALE1. Last-level-only forms invalidate like the full ones (permitted: they may
 * invalidate more). Range and Outer Shareable forms (FEAT_TLBIRANGE, FEAT_TLBIOS) are absent.
 */
const TLBI_OPS: Readonly<Record<number, TlbiOp>> = { 0: 'all', 1: 'va', 2: 'asid', 3: 'vaa', 5: 'va', 7: 'vaa' };

/** A SYS instruction at EL0 trapped to EL1 by an SCTLR_EL1 control (EC 0x18). */
function sysTrapEl0(cpu: InterpCpu, id: number, rt: number): number {
  sysTrapEl1(cpu, sysIss(id, rt, false));
  return K_LOOKUP;
}

/** H.sys: SYS #op1, Cn, Cm, #op2, Xt (DC, IC, AT, TLBI). */
export function sys(cpu: InterpCpu, id: number, rt: number, _k: number): number {
  const R = cpu.R;
  const el = currentEl(R);
  const lo = rt === 31 ? 0 : R[2 * rt]!;
  const hi = rt === 31 ? 0 : R[2 * rt + 1]!;
  const hcr = cpu.sys.lo(SysReg.HCR_EL2);
  const sctlr = cpu.sys.lo(SysReg.SCTLR_EL1);
  // The SysRegId packing (core/src/sysregs.ts): op1 13:11, CRn 10:7, CRm 6:3, op2 2:0.
  const op1 = (id >> 11) & 7;
  const crn = (id >> 7) & 15;
  const crm = (id >> 3) & 15;

  if (op1 === 0 && crn === 8) {
    // TLBI (EL1 forms). UNDEFINED at EL0; HCR_EL2.TTLB traps them to EL2.
    if (el === 0) return undef(cpu);
    const op = TLBI_OPS[id & 7];
    if ((crm !== 3 && crm !== 7) || op === undefined) return undef(cpu);
    if ((hcr & HCR.TTLB) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
    // Xt: VA[55:12] in bits 43:0, ASID in bits 63:48 (VA[63:56] = VA[55], D8.13.x).
    const vaLo = lo << 12;
    const vaHi = ((((hi & 0xfff) << 12) | (lo >>> 20)) << 8) >> 8;
    const asid = cpu.mmu.asid16() ? hi >>> 16 : (hi >>> 16) & 0xff;
    if (crm === 3) cpu.tlbiBroadcast(op, vaLo, vaHi, asid);
    else cpu.tlbi(op, vaLo, vaHi, asid);
    advance(cpu);
    return DONE;
  }

  switch (id) {
    case SYS_OP.IC_IALLUIS:
    case SYS_OP.IC_IALLU:
      if (el === 0) return undef(cpu);
      if ((hcr & HCR.TPU) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
      cpu.invalidateAllCode(id === SYS_OP.IC_IALLUIS);
      break;
    case SYS_OP.IC_IVAU:
    case SYS_OP.DC_CVAU:
    case SYS_OP.DC_CVAC:
    case SYS_OP.DC_CIVAC: {
      if (el === 0 && (sctlr & SCTLR.UCI) === 0) return sysTrapEl0(cpu, id, rt);
      const trap = id === SYS_OP.IC_IVAU || id === SYS_OP.DC_CVAU ? HCR.TPU : HCR.TPCP;
      if ((hcr & trap) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
      // At EL0 these need read permission (D7.5.x); at EL1 only a translation.
      const t = cacheMaintenanceTarget(cpu, lo, hi, dataIdx(cpu), el === 0 ? 'read' : 'none');
      if (typeof t === 'number') return t;
      if (id === SYS_OP.IC_IVAU) cpu.code.invalidateRange(t.pa - (t.pa % 64), 64);
      break;
    }
    case SYS_OP.DC_IVAC: {
      if (el === 0) return undef(cpu);
      if ((hcr & HCR.TPCP) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
      // Invalidation can discard data: it needs write permission.
      const t = cacheMaintenanceTarget(cpu, lo, hi, 1, 'write');
      if (typeof t === 'number') return t;
      break;
    }
    case SYS_OP.DC_ISW:
    case SYS_OP.DC_CSW:
    case SYS_OP.DC_CISW:
      if (el === 0) return undef(cpu);
      if ((hcr & HCR.TSW) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
      break;
    case SYS_OP.DC_ZVA: {
      if (el === 0 && (sctlr & SCTLR.DZE) === 0) return sysTrapEl0(cpu, id, rt);
      if ((hcr & HCR.TDZ) !== 0) return sysregExit(cpu, id, rt, false, lo, hi);
      const s = dcZva(cpu, lo, hi, cpu.dataIdx());
      if (s !== 0) return s;
      break;
    }
    case SYS_OP.AT_S1E1R:
    case SYS_OP.AT_S1E1W:
    case SYS_OP.AT_S1E0R:
    case SYS_OP.AT_S1E0W: {
      if (el === 0) return undef(cpu);
      const atEl = id === SYS_OP.AT_S1E0R || id === SYS_OP.AT_S1E0W ? 0 : 1;
      const write = id === SYS_OP.AT_S1E1W || id === SYS_OP.AT_S1E0W;
      const par = cpu.mmu.at(lo, hi, atEl, write ? 'write' : 'read');
      if (!par) return dataFault(cpu, cpu.mmu.fault!, lo, hi, true, 0, true);
      cpu.sys.store(SysReg.PAR_EL1, par[0], par[1]);
      break;
    }
    default:
      return undef(cpu);
  }
  advance(cpu);
  return DONE;
}
