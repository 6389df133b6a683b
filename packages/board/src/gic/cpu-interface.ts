/**
 * The GICv3 CPU interface as ICC_*_EL1 system registers (IHI 0069 12.2), registered as
 * Machine.handleSysReg handlers: the backend traps every access to them (team decision:
 * registers a backend does not implement come back as `sysreg` exits).
 *
 * Values as QEMU 7.2 gives a cortex-a57 without EL3 (hw/intc/arm_gicv3_cpuif.c):
 *   ICC_SRE_EL1      0x7 (SRE, DFB, DIB RAO/WI: the system-register interface only)
 *   ICC_CTLR_EL1     A3V = 1, IDbits = 1 (24-bit), PRIbits = 4 (5 bits) = 0x8C00 at reset;
 *                    CBPR and EOImode writable
 *   ICC_PMR_EL1      5 implemented bits (mask 0xF8)
 *   ICC_BPR0_EL1     2..7, ICC_BPR1_EL1 3..7 (writes below the minimum read back as it);
 *                    with CBPR = 1, BPR1 reads as BPR0 + 1 and ignores writes
 *   ICC_AP0R0_EL1, ICC_AP1R0_EL1: one bit per group priority (32 levels); AP<n>R1..3 do not
 *                    exist with 5 preemption bits, so their encodings UNDEF (no handler).
 *
 * MRS of a write-only register (EOIR, DIR, SGI*R) and MSR to a read-only one (IAR, HPPIR, RPR)
 * are UNDEFINED: those encodings exist only in the other direction (Arm ARM D23.4 accessibility
 * pseudocode), so the handlers decline them and the Machine injects UNDEF.
 */
import { type Cpu, type Machine, SysReg, type SysRegHandler, type SysRegId } from '@hvlab/core';
import { GIC_MIN_BPR0, GIC_MIN_BPR1, GIC_PRIORITY_BITS, GIC_PRIORITY_MASK, type GicV3 } from './gicv3.js';
import {
  ICC_CTLR_EL1_A3V,
  ICC_CTLR_EL1_CBPR,
  ICC_CTLR_EL1_EOImode,
  ICC_CTLR_EL1_IDbits_SHIFT,
  ICC_CTLR_EL1_PRIbits_SHIFT,
  ICC_SRE_EL1_DFB,
  ICC_SRE_EL1_DIB,
  ICC_SRE_EL1_SRE,
} from './regs.js';

const ICC_SRE_VALUE = BigInt(ICC_SRE_EL1_SRE | ICC_SRE_EL1_DFB | ICC_SRE_EL1_DIB);
/** A3V, IDbits = 1 (24-bit INTIDs), PRIbits = 4: 0x8C00, as QEMU 7.2 reads back (measured). */
const ICC_CTLR_RO =
  ICC_CTLR_EL1_A3V | (1 << ICC_CTLR_EL1_IDbits_SHIFT) | ((GIC_PRIORITY_BITS - 1) << ICC_CTLR_EL1_PRIbits_SHIFT);

/** The ICC_* handlers of one GIC, keyed by system register. */
export function iccHandlers(gic: GicV3): Map<SysRegId, SysRegHandler> {
  const c = (cpu: Cpu) => gic.cpuIf(cpu.index);
  const n = (v: bigint) => Number(v & 0xffff_ffffn);
  /** Declines an MRS of a write-only register: UNDEFINED. */
  const writeOnly = () => undefined;
  /** Declines an MSR to a read-only register: UNDEFINED. */
  const readOnly = () => false;
  const wi = () => {};
  const h = new Map<SysRegId, SysRegHandler>();
  const def = (id: SysRegId, read: SysRegHandler['read'], write: SysRegHandler['write']) => h.set(id, { read, write });

  def(SysReg.ICC_SRE_EL1, () => ICC_SRE_VALUE, wi);
  def(
    SysReg.ICC_CTLR_EL1,
    (cpu) => BigInt((ICC_CTLR_RO | c(cpu).ctlr) >>> 0),
    (cpu, v) => {
      c(cpu).ctlr = n(v) & (ICC_CTLR_EL1_CBPR | ICC_CTLR_EL1_EOImode);
      gic.update(c(cpu));
    },
  );
  def(
    SysReg.ICC_PMR_EL1,
    (cpu) => BigInt(c(cpu).pmr),
    (cpu, v) => {
      c(cpu).pmr = n(v) & GIC_PRIORITY_MASK;
      gic.update(c(cpu));
    },
  );
  def(
    SysReg.ICC_BPR0_EL1,
    (cpu) => BigInt(c(cpu).bpr0),
    (cpu, v) => {
      c(cpu).bpr0 = Math.max(n(v) & 7, GIC_MIN_BPR0);
      gic.update(c(cpu));
    },
  );
  def(
    SysReg.ICC_BPR1_EL1,
    (cpu) => {
      const s = c(cpu);
      return BigInt(s.ctlr & ICC_CTLR_EL1_CBPR ? Math.min(s.bpr0 + 1, 7) : s.bpr1);
    },
    (cpu, v) => {
      const s = c(cpu);
      if (s.ctlr & ICC_CTLR_EL1_CBPR) return;
      s.bpr1 = Math.max(n(v) & 7, GIC_MIN_BPR1);
      gic.update(s);
    },
  );
  for (const [id, key] of [
    [SysReg.ICC_IGRPEN0_EL1, 'igrpen0'],
    [SysReg.ICC_IGRPEN1_EL1, 'igrpen1'],
  ] as const)
    def(
      id,
      (cpu) => BigInt(c(cpu)[key]),
      (cpu, v) => {
        c(cpu)[key] = n(v) & 1;
        gic.update(c(cpu));
      },
    );
  for (const [id, key] of [
    [SysReg.ICC_AP0R0_EL1, 'ap0'],
    [SysReg.ICC_AP1R0_EL1, 'ap1'],
  ] as const)
    def(
      id,
      (cpu) => BigInt(c(cpu)[key] >>> 0),
      (cpu, v) => {
        c(cpu)[key] = n(v) >>> 0;
        gic.update(c(cpu));
      },
    );
  def(SysReg.ICC_IAR0_EL1, (cpu) => BigInt(gic.acknowledge(c(cpu), 0)), readOnly);
  def(SysReg.ICC_IAR1_EL1, (cpu) => BigInt(gic.acknowledge(c(cpu), 1)), readOnly);
  def(SysReg.ICC_EOIR0_EL1, writeOnly, (cpu, v) => gic.endOfInterrupt(c(cpu), 0, v));
  def(SysReg.ICC_EOIR1_EL1, writeOnly, (cpu, v) => gic.endOfInterrupt(c(cpu), 1, v));
  def(SysReg.ICC_DIR_EL1, writeOnly, (cpu, v) => gic.deactivateInterrupt(c(cpu), v));
  def(SysReg.ICC_HPPIR0_EL1, (cpu) => BigInt(gic.highestPending(c(cpu), 0)), readOnly);
  def(SysReg.ICC_HPPIR1_EL1, (cpu) => BigInt(gic.highestPending(c(cpu), 1)), readOnly);
  def(SysReg.ICC_RPR_EL1, (cpu) => BigInt(gic.runningPriority(c(cpu))), readOnly);
  def(SysReg.ICC_SGI0R_EL1, writeOnly, (cpu, v) => gic.sendSgi(c(cpu), v, 0));
  def(SysReg.ICC_SGI1R_EL1, writeOnly, (cpu, v) => gic.sendSgi(c(cpu), v, 1));
  def(SysReg.ICC_ASGI1R_EL1, writeOnly, (cpu, v) => gic.sendSgi(c(cpu), v, 1, true));
  return h;
}

/** Registers the ICC_* handlers of `gic` on a machine. */
export function registerIccHandlers(machine: Machine, gic: GicV3): void {
  for (const [id, handler] of iccHandlers(gic)) machine.handleSysReg(id, handler);
}
