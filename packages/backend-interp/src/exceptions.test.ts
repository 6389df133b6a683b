/**
 * Exception entry and return, UNDEFINED encodings, exception-generating instructions, system
 * register traps and exits, interrupts (Arm ARM D1.10 entry, D1.11 return, D17 ESR_EL1).
 */
import { SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { HCR } from './sysregs.js';
import { CODE, PC, PSTATE, SP_EL0, VBAR, world, writeWords } from './testing/harness.js';

const NOP = 0xd503201f;
const sr = (w: ReturnType<typeof world>, id: number): bigint => w.cpu.getSysReg(id);

describe('synchronous exceptions', () => {
  it('SVC from EL1h: vector +0x200, ESR, ELR = next, SPSR = old PSTATE, PSTATE = EL1h with DAIF set', () => {
    const w = world([0xd4000841]); // svc #0x42
    w.cpu.setReg(PSTATE, 0x9000_0005n); // N, V; EL1h, DAIF clear
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(sr(w, SysReg.ESR_EL1)).toBe(0x5600_0042n);
    expect(sr(w, SysReg.ELR_EL1)).toBe(BigInt(CODE + 4));
    expect(sr(w, SysReg.SPSR_EL1)).toBe(0x9000_0005n);
    // PSTATE at the vector: EL1h, DAIF masked, flags kept.
    expect(w.cpu.getReg(PSTATE)).toBe(0x9000_03c5n);
  });

  it('vector offsets: EL1t -> +0x000, EL0 -> +0x400', () => {
    const t = world([0xd4000841]);
    t.cpu.setReg(PSTATE, 0x3c4n);
    expect(t.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1000 });
    const u = world([0xd4000841]);
    u.cpu.setReg(PSTATE, 0n);
    expect(u.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(u.cpu.getSysReg(SysReg.SPSR_EL1)).toBe(0n);
  });

  it('unallocated and absent-feature encodings are UNDEFINED (EC 0), ELR at the instruction', () => {
    for (const word of [
      0x00000000, 0x1e622820, 0xf8200041, 0xdac10020, 0xd4400000, 0xd4a00001, 0xd50330ff, 0xf8bfc020,
    ]) {
      const w = world([word]);
      expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
      expect(sr(w, SysReg.ESR_EL1)).toBe(0x0200_0000n);
      expect(sr(w, SysReg.ELR_EL1)).toBe(BigInt(CODE));
      expect(w.cpu.retired).toBe(1); // only the vector's HVC retired
    }
  });

  it('PAuth hint-space instructions are NOPs', () => {
    const w = world([0xd503233f, NOP]); // paciasp
    expect(w.cpu.run(2).kind).toBe('budget');
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 8));
  });

  it('BRK: EC 0x3C with the immediate, ELR = the BRK', () => {
    const w = world([0xd42000e0]);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(sr(w, SysReg.ESR_EL1)).toBe(0xf200_0007n);
    expect(sr(w, SysReg.ELR_EL1)).toBe(BigInt(CODE));
  });

  it('PAN is set on entry when SCTLR_EL1.SPAN = 0', () => {
    const w = world([0xd4000841]);
    w.cpu.setSysReg(SysReg.SCTLR_EL1, 0x0045_0838n);
    w.cpu.run(10);
    expect(w.cpu.getReg(PSTATE) & (1n << 22n)).toBe(1n << 22n);
  });
});

describe('HVC and SMC', () => {
  it('HVC at EL1 exits with PC past it; at EL0 or with HCR_EL2.HCD it is UNDEFINED', () => {
    const a = world([0xd40000a2]);
    expect(a.cpu.run(10)).toEqual({ kind: 'hvc', imm: 5 });
    expect(a.cpu.getReg(PC)).toBe(BigInt(CODE + 4));
    expect(a.cpu.getSysReg(SysReg.ESR_EL2)).toBe(0x5a00_0005n);
    const b = world([0xd40000a2]);
    b.cpu.setReg(PSTATE, 0n);
    expect(b.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(b.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x0200_0000n);
    const c = world([0xd40000a2]);
    c.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.HCD));
    // The vector's own HVC is UNDEFINED too: an exception loop that run() still ends.
    expect(c.cpu.run(10)).toEqual({ kind: 'budget' });
    expect(c.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x0200_0000n);
    expect(c.cpu.getReg(PC)).toBe(BigInt(VBAR + 0x200));
  });

  it('SMC at EL1 exits (with or without HCR_EL2.TSC); at EL0 it is UNDEFINED', () => {
    const a = world([0xd4000123]);
    a.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.TSC));
    expect(a.cpu.run(10)).toEqual({ kind: 'smc', imm: 9 });
    expect(a.cpu.getReg(PC)).toBe(BigInt(CODE + 4));
    const b = world([0xd4000123]);
    b.cpu.setReg(PSTATE, 0n);
    expect(b.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
  });
});

describe('ERET', () => {
  it('returns to EL0 with SPSR and ELR', () => {
    const w = world([0xd69f03e0]);
    writeWords(w.mem, CODE + 0x100, [0xd4000841]); // EL0 code: svc #0x42
    w.cpu.setSysReg(SysReg.SPSR_EL1, 0x6000_0000n); // Z C, EL0t
    w.cpu.setSysReg(SysReg.ELR_EL1, BigInt(CODE + 0x100));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(sr(w, SysReg.SPSR_EL1)).toBe(0x6000_0000n);
    expect(sr(w, SysReg.ELR_EL1)).toBe(BigInt(CODE + 0x104));
  });

  it('an illegal return (to EL2) sets PSTATE.IL; the next instruction takes EC 0x0E', () => {
    const w = world([0xd69f03e0]);
    writeWords(w.mem, CODE + 0x100, [NOP]);
    w.cpu.setSysReg(SysReg.SPSR_EL1, 0x0000_0009n); // EL2h
    w.cpu.setSysReg(SysReg.ELR_EL1, BigInt(CODE + 0x100));
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(PSTATE)).toBe(0x0010_0005n); // IL set, still EL1h, DAIF from SPSR (clear)
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 0x100));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(sr(w, SysReg.ESR_EL1)).toBe(0x3a00_0000n);
    expect(sr(w, SysReg.SPSR_EL1)).toBe(0x0010_0005n);
    // Exception entry clears IL.
    expect(w.cpu.getReg(PSTATE) & (1n << 20n)).toBe(0n);
  });

  it('is UNDEFINED at EL0', () => {
    const w = world([0xd69f03e0]);
    w.cpu.setReg(PSTATE, 0n);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(sr(w, SysReg.ESR_EL1)).toBe(0x0200_0000n);
  });
});

describe('system registers', () => {
  it('MRS/MSR of PSTATE views and EL0 registers', () => {
    const w = world(
      [
        0xd5384240, // mrs x0, currentel
        0xd53b4201, // mrs x1, nzcv
        0xd51b4202, // msr nzcv, x2
        0xd53b4223, // mrs x3, daif
        0xd51bd044, // msr tpidr_el0, x4
        0xd53bd045, // mrs x5, tpidr_el0
        0xd5380007, // mrs x7, midr_el1
        0xd5380408, // mrs x8, id_aa64pfr0_el1
        0xd53807e9, // mrs x9, s3_0_c0_c7_7 (unallocated ID space: RAZ)
        0xd53be00b, // mrs x11, cntfrq_el0
      ],
      { 2: 0xa000_0000n, 4: 0x1234_5678_9abc_def0n, 9: 77n },
    );
    w.cpu.setReg(PSTATE, 0x5000_03c5n);
    expect(w.cpu.run(10).kind).toBe('budget');
    expect(w.cpu.getReg(0)).toBe(4n);
    expect(w.cpu.getReg(1)).toBe(0x5000_0000n);
    expect(w.cpu.getReg(PSTATE) >> 28n).toBe(0xan);
    expect(w.cpu.getReg(3)).toBe(0x3c0n);
    expect(w.cpu.getReg(5)).toBe(0x1234_5678_9abc_def0n);
    expect(w.cpu.getReg(7)).toBe(0x411f_d070n);
    expect(w.cpu.getReg(8)).toBe(0x01ff_1111n);
    expect(w.cpu.getReg(9)).toBe(0n);
    expect(w.cpu.getReg(11)).toBe(62_500_000n);
  });

  it('EL0: EL1 registers are UNDEFINED; CTR_EL0 and DAIF trap (EC 0x18) unless SCTLR_EL1.UCT/UMA', () => {
    const a = world([0xd5381000]); // mrs x0, sctlr_el1
    a.cpu.setReg(PSTATE, 0n);
    expect(a.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(a.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x0200_0000n);
    const b = world([0xd53b0020]); // mrs x0, ctr_el0
    b.cpu.setReg(PSTATE, 0n);
    b.cpu.setSysReg(SysReg.SCTLR_EL1, 0x00c5_0838n & ~(1n << 15n));
    expect(b.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    // EC 0x18, Op0 3, Op2 1, Op1 3, CRn 0, Rt 0, CRm 0, read.
    expect(b.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x6232_c001n);
    const c = world([0xd50342ff]); // msr daifclr, #2
    c.cpu.setReg(PSTATE, 0n);
    expect(c.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(c.cpu.getSysReg(SysReg.ESR_EL1) >> 26n).toBe(0x18n);
  });

  it('an unimplemented register ends the run with a sysreg exit at the instruction', () => {
    const w = world([0xd538cc00, 0xd518cc26], { 6: 0x42n }); // mrs x0, icc_iar1_el1; msr icc_eoir1_el1, x6
    const e = w.cpu.run(10);
    expect(e).toMatchObject({ kind: 'sysreg', isRead: true, rt: 0, reg: 0xc660, esr: 0x6230_3019n });
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE));
    w.cpu.completeSysRegRead(27n);
    expect(w.cpu.getReg(0)).toBe(27n);
    expect(w.cpu.run(10)).toMatchObject({ kind: 'sysreg', isRead: false, rt: 6, value: 0x42n, reg: 0xc661 });
    w.cpu.skipInstruction();
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 8));
  });

  it('HCR_EL2.TVM traps SCTLR_EL1 writes to EL2; TID3 traps ID register reads', () => {
    const w = world([0xd5181000, 0xd5380408]); // msr sctlr_el1, x0; mrs x8, id_aa64pfr0_el1
    w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.TVM | HCR.TID3));
    expect(w.cpu.run(10)).toMatchObject({ kind: 'sysreg', isRead: false, reg: SysReg.SCTLR_EL1 });
    w.cpu.skipInstruction();
    expect(w.cpu.run(10)).toMatchObject({ kind: 'sysreg', isRead: true, reg: SysReg.ID_AA64PFR0_EL1 });
  });

  it('MSR (immediate): SPSel, PAN, UAO, SSBS; DIT is UNDEFINED', () => {
    const w = world([0xd50040bf, 0xd500419f, 0xd500417f, 0xd503413f, 0xd503415f]);
    expect(w.cpu.run(4).kind).toBe('budget');
    expect(w.cpu.getReg(PSTATE)).toBe(0x3c4n | (1n << 22n) | (1n << 23n) | (1n << 12n));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1000 });
  });
});

describe('host-injected exceptions', () => {
  it('undef, data abort and prefetch abort are taken before the next instruction', () => {
    const w = world([NOP]);
    w.cpu.injectException({ kind: 'dataAbort', va: 0x1234n, write: true });
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0050n);
    expect(w.cpu.getSysReg(SysReg.FAR_EL1)).toBe(0x1234n);
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(CODE));
    const p = world([NOP]);
    p.cpu.injectException({ kind: 'prefetchAbort', va: 0x5678n });
    expect(p.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(p.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x8600_0010n);
  });

  it('an SError waits for PSTATE.A = 0', () => {
    const w = world([NOP, 0xd50344ff, NOP]); // nop; msr daifclr, #4; nop
    w.cpu.injectException({ kind: 'serror', iss: 0x123 });
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.hasPendingInterrupt()).toBe(true);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1380 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0xbe00_0123n);
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(CODE + 8));
  });

  it('rejects malformed requests', () => {
    const w = world([NOP]);
    expect(() => w.cpu.injectException({ kind: 'bogus' } as never)).toThrow(/unknown/);
    expect(() => w.cpu.injectException({ kind: 'dataAbort', va: -1n, write: false })).toThrow(/64-bit/);
  });
});

describe('interrupts', () => {
  it('a physical IRQ is held while masked and taken at the boundary after MSR DAIFClr', () => {
    const w = world([NOP, 0xd50342ff, NOP]);
    w.cpu.setInterruptLine('irq', true);
    expect(w.cpu.hasPendingInterrupt()).toBe(true);
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1280 });
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(CODE + 8));
    expect(w.cpu.getSysReg(SysReg.SPSR_EL1)).toBe(0x345n);
  });

  it('from EL0 an IRQ goes to the lower-EL vector; FIQ to +0x100', () => {
    const w = world([NOP]);
    w.cpu.setReg(PSTATE, 0n);
    w.cpu.setInterruptLine('fiq', true);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1500 });
  });

  it('with HCR_EL2.IMO the physical line is for EL2; HCR_EL2.VI is the IRQ EL1 sees', () => {
    const w = world([NOP, NOP, NOP]);
    w.cpu.setReg(PSTATE, 0x345n); // I clear
    w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.IMO));
    w.cpu.setInterruptLine('irq', true);
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.hasPendingInterrupt()).toBe(true); // WFI would still wake
    expect(w.cpu.getSysReg(SysReg.ISR_EL1)).toBe(0n);
    w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.IMO | HCR.VI));
    expect(w.cpu.getSysReg(SysReg.ISR_EL1)).toBe(0x80n);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1280 });
  });

  it('WFI exits with PC past it; at EL0 with nTWI = 0 it traps to EL1 (EC 0x01)', () => {
    const w = world([0xd503207f]);
    expect(w.cpu.run(10)).toEqual({ kind: 'wfi' });
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 4));
    const t = world([0xd503207f]);
    t.cpu.setReg(PSTATE, 0n);
    t.cpu.setSysReg(SysReg.SCTLR_EL1, 0x00c4_0838n);
    expect(t.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(t.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x07e0_0000n);
  });

  it('WFE consumes a pending event (SEVL) and otherwise exits', () => {
    const w = world([0xd50320bf, 0xd503205f, 0xd503205f]); // sevl; wfe; wfe
    expect(w.cpu.run(10)).toEqual({ kind: 'wfe' });
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 12));
    expect(w.cpu.retired).toBe(3);
  });
});

describe('stack pointers', () => {
  it('SP selection follows PSTATE.SP; MRS SP_EL0 is UNDEFINED when SPSel = 0', () => {
    const w = world([0x910003e0, 0xd50040bf, 0x910003e1, 0xd5384102]); // mov x0, sp; msr spsel, #0; mov x1, sp; mrs x2, sp_el0
    w.cpu.run(3);
    expect(w.cpu.getReg(0)).toBe(0x4004_0000n);
    expect(w.cpu.getReg(1)).toBe(w.cpu.getReg(SP_EL0));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1000 });
  });
});
