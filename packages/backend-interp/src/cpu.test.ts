/**
 * The dispatcher and the Cpu API: exact budgets (partial blocks, loops), determinism, the
 * instruction-counted generic timer, self-modifying code (CPU stores, host writes, another CPU),
 * breakpoints, DC ZVA, and host misuse errors.
 */
import { fc, test } from '@fast-check/vitest';
import { PhysMem, SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { InterpCpu } from './cpu.js';
import { CTL_ENABLE, CTL_IMASK } from './sysregs.js';
import { CODE, DATA, PC, PSTATE, RAM, SP_EL0, withHcrDc, world, writeU64, writeWords } from './testing/harness.js';

const NOP = 0xd503201f;
const HVC0 = 0xd4000002;

/** mov x0, #0; loop: add x0, x0, #1; subs x1, x1, #1; b.ne loop; mrs x2, cntvct_el0; hvc #0 */
const LOOP = [0xd2800000, 0x91000400, 0xf1000421, 0x54ffffc1, 0xd53be042, HVC0];

describe('budget', () => {
  test.prop([fc.integer({ min: 1, max: 3100 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 60, seed: 3 })(
    'run(n) retires exactly n instructions, even inside a translated loop',
    (n, iters) => {
      const a = world(LOOP, { 1: BigInt(iters) });
      const total = 1 + 3 * iters + 2; // up to and including the HVC
      const e = a.cpu.run(n);
      const done = Math.min(n, total);
      expect(a.cpu.retired).toBe(done);
      if (n >= total) {
        expect(e).toEqual({ kind: 'hvc', imm: 0 });
        expect(a.cpu.getReg(2)).toBe(BigInt(Math.floor((total - 2) / 16)));
        return;
      }
      expect(e).toEqual({ kind: 'budget' });
      // Reference: the same program single-stepped.
      const b = world(LOOP, { 1: BigInt(iters) });
      for (let i = 0; i < done; i++) b.cpu.run(1);
      for (const r of [0, 1, 2, PC, PSTATE]) expect(a.cpu.getReg(r)).toBe(b.cpu.getReg(r));
    },
  );

  it('a budget that ends inside a block and resumes gives the same state as one run', () => {
    const words = [...new Array(40).fill(0x91000400), HVC0]; // 40 x add x0, x0, #1
    const a = world(words);
    for (const n of [3, 1, 17, 2, 5]) expect(a.cpu.run(n).kind).toBe('budget');
    expect(a.cpu.getReg(0)).toBe(28n);
    expect(a.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(a.cpu.getReg(0)).toBe(40n);
    expect(a.cpu.retired).toBe(41);
  });

  it('rejects bad budgets', () => {
    const { cpu } = world([NOP]);
    expect(() => cpu.run(0)).toThrow(/budget/);
    expect(() => cpu.run(1.5)).toThrow(/budget/);
  });
});

describe('generic timer', () => {
  it('CNTVCT = floor((retired + warped) / 16) - CNTVOFF_EL2, at the reading instruction', () => {
    const words = [...new Array(47).fill(NOP), 0xd53be040, 0xd53be021]; // 47 NOPs; mrs x0, cntvct; mrs x1, cntpct
    const { cpu } = world(words);
    cpu.setSysReg(SysReg.CNTVOFF_EL2, 1n);
    cpu.run(49);
    expect(cpu.getReg(0)).toBe(1n); // 47 / 16 = 2, minus the offset
    expect(cpu.getReg(1)).toBe(3n); // 48 / 16
    cpu.warp(1600);
    expect(cpu.time).toBe(49 + 1600);
    expect(cpu.getSysReg(SysReg.CNTPCT_EL0)).toBe(103n);
  });

  it('the virtual timer fires exactly at its deadline; IMASK hides the output, not ISTATUS', () => {
    const { cpu } = world(new Array(400).fill(NOP));
    cpu.setSysReg(SysReg.CNTV_CVAL_EL0, 10n);
    cpu.setSysReg(SysReg.CNTV_CTL_EL0, BigInt(CTL_ENABLE));
    expect(cpu.timerDeadline()).toBe(160);
    cpu.run(159);
    expect(cpu.timerOutputs()).toEqual({ phys: false, virt: false });
    expect(cpu.timerDeadline()).toBe(1);
    cpu.run(1);
    expect(cpu.timerOutputs()).toEqual({ phys: false, virt: true });
    expect(cpu.timerDeadline()).toBe(Number.POSITIVE_INFINITY);
    cpu.setSysReg(SysReg.CNTV_CTL_EL0, BigInt(CTL_ENABLE | CTL_IMASK));
    expect(cpu.timerOutputs().virt).toBe(false);
    expect(cpu.getSysReg(SysReg.CNTV_CTL_EL0)).toBe(7n);
  });

  it('TVAL writes set CVAL = counter + TVAL; reads count down', () => {
    // 16 NOPs; msr cntv_tval_el0, x2; 16 NOPs; mrs x3, cntv_tval_el0
    const words = [...new Array(16).fill(NOP), 0xd51be302, ...new Array(16).fill(NOP), 0xd53be303];
    const { cpu } = world(words, { 2: 100n });
    cpu.run(words.length);
    expect(cpu.getSysReg(SysReg.CNTV_CVAL_EL0)).toBe(101n);
    expect(cpu.getReg(3)).toBe(99n);
  });

  it('EL0 counter access traps unless CNTKCTL_EL1 allows it; CNTHCTL_EL2 traps EL1 to EL2', () => {
    const a = world([0xd53be040]);
    a.cpu.setReg(PSTATE, 0n);
    expect(a.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1400 });
    expect(a.cpu.getSysReg(SysReg.ESR_EL1) >> 26n).toBe(0x18n);
    const b = world([0xd53be040]);
    b.cpu.setReg(PSTATE, 0n);
    b.cpu.setSysReg(SysReg.CNTKCTL_EL1, 2n);
    expect(b.cpu.run(1).kind).toBe('budget');
    const c = world([0xd53be021]);
    c.cpu.setSysReg(SysReg.CNTHCTL_EL2, 0n);
    expect(c.cpu.run(10)).toMatchObject({ kind: 'sysreg', reg: SysReg.CNTPCT_EL0, isRead: true });
  });
});

describe('self-modifying code', () => {
  it('a store into the same block changes the instruction that follows it', () => {
    // str w2, [x1]; mov x0, #1 (overwritten with mov x0, #7); hvc #0
    const w = world([0xb9000022, 0xd2800020, HVC0], { 1: BigInt(CODE + 4), 2: 0xd28000e0n });
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(7n);
  });

  // Every store form, overwriting instructions later in its own block (x1 = the target,
  // x2/x3 = the new words): the new instructions run. Each sequence is padded with NOPs to 4
  // words; the target region follows at CODE + 16: mov x0, #1; nop; nop; nop; hvc #0.
  const MOV_X0_7 = 0xd28000e0n;
  const MOV_X8_9 = 0xd2800128n;
  const NOPS = 0xd503201f_d503201fn;
  const T = CODE + 16;
  const forms: [string, number[], Record<number, bigint>][] = [
    ['str w2, [x1]', [0xb9000022], { 1: BigInt(T), 2: MOV_X0_7 }],
    ['strb w2, [x1]', [0x39000022], { 1: BigInt(T), 2: 0xe0n }],
    ['strh w2, [x1]', [0x79000022], { 1: BigInt(T), 2: 0xe0n }],
    ['str x2, [x1]', [0xf9000022], { 1: BigInt(T), 2: (MOV_X8_9 << 32n) | MOV_X0_7 }],
    ['stp w2, w3, [x1]', [0x29000c22], { 1: BigInt(T), 2: MOV_X0_7, 3: MOV_X8_9 }],
    ['stp x2, x3, [x1]', [0xa9000c22], { 1: BigInt(T), 2: (MOV_X8_9 << 32n) | MOV_X0_7, 3: NOPS }],
    ['stnp x2, x3, [x1]', [0xa8000c22], { 1: BigInt(T), 2: (MOV_X8_9 << 32n) | MOV_X0_7, 3: NOPS }],
    ['stur w2, [x1, #-4]', [0xb81fc022], { 1: BigInt(T + 4), 2: MOV_X0_7 }],
    ['str w2, [x1, #-4]!', [0xb81fcc22], { 1: BigInt(T + 4), 2: MOV_X0_7 }],
    ['str w2, [x1], #4', [0xb8004422], { 1: BigInt(T), 2: MOV_X0_7 }],
    ['str w2, [x1, x4]', [0xb8246822], { 1: BigInt(T - 8), 4: 8n, 2: MOV_X0_7 }],
    ['sttr w2, [x1]', [0xb8000822], { 1: BigInt(T), 2: MOV_X0_7 }],
    ['stlr w2, [x1]', [0x889ffc22], { 1: BigInt(T), 2: MOV_X0_7 }],
    ['ldxr w5, [x1]; stxr w6, w2, [x1]', [0x885f7c25, 0x88067c22], { 1: BigInt(T), 2: MOV_X0_7 }],
    ['ldxr x5, [x1]; stxr w6, x2, [x1]', [0xc85f7c25, 0xc8067c22], { 1: BigInt(T), 2: (MOV_X8_9 << 32n) | MOV_X0_7 }],
    [
      'ldaxp x5, x6, [x1]; stlxp w7, x2, x3, [x1]',
      [0xc87f9825, 0xc8278c22],
      { 1: BigInt(T), 2: (MOV_X8_9 << 32n) | MOV_X0_7, 3: NOPS },
    ],
  ];
  it.each(forms)('%s overwriting the rest of its own block takes effect at once', (_asm, seq, regs) => {
    const code = [...seq, ...new Array(4 - seq.length).fill(NOP), 0xd2800020, NOP, NOP, NOP, HVC0];
    const w = world(code, regs);
    expect(w.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(7n);
    if (regs[2]! >> 32n === MOV_X8_9) expect(w.cpu.getReg(8)).toBe(9n);
    if (seq.length === 2) expect(w.cpu.getReg((seq[1]! >>> 16) & 31)).toBe(0n); // Ws = 0: stored
  });

  it('DC ZVA over the rest of its own block: the next instruction is the zero word (UDF)', () => {
    // dc zva, x1 with x1 = CODE: the block of 64 bytes holding it is zeroed
    const w = world([0xd50b7421, 0xd2800020, HVC0], { 1: BigInt(CODE) });
    withHcrDc(w); // Normal memory
    expect(w.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(CODE + 4));
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x0200_0000n);
  });

  it('host writes replace translated code', () => {
    const w = world([0xd2800020, HVC0]);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(1n);
    writeWords(w.mem, CODE, [0xd28000e0]);
    w.cpu.setReg(PC, BigInt(CODE));
    w.cpu.run(10);
    expect(w.cpu.getReg(0)).toBe(7n);
  });

  it('stores to data in a code page do not disturb its code; stores to the loop body do', () => {
    // loop: str w2, [x3]; add x0, x0, #1; subs x1, x1, #1; b.ne loop; hvc #0 ; data word at +0x80
    const words = [0xb9000062, 0x91000400, 0xf1000421, 0x54ffffa1, HVC0];
    const w = world(words, { 1: 100n, 2: 5n, 3: BigInt(CODE + 0x80) });
    expect(w.cpu.run(1000)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(100n);
    // Now make the loop overwrite its own ADD with "add x0, x0, #2" on the first pass.
    const v = world(words, { 1: 10n, 2: 0x91000800n, 3: BigInt(CODE + 4) });
    expect(v.cpu.run(1000)).toEqual({ kind: 'hvc', imm: 0 });
    expect(v.cpu.getReg(0)).toBe(20n);
  });

  it("another CPU's store invalidates this CPU's translation", () => {
    const mem = new PhysMem();
    mem.addRam(RAM, 1 << 20);
    const c0 = new InterpCpu({ index: 0, mem });
    const c1 = new InterpCpu({ index: 1, mem });
    writeWords(mem, CODE, [0xd2800020, HVC0]);
    writeWords(mem, CODE + 0x100, [0xb9000022, HVC0]); // str w2, [x1]; hvc #0
    for (const c of [c0, c1]) c.setReg(PSTATE, 0x3c5n);
    c0.setReg(PC, BigInt(CODE));
    expect(c0.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    c1.setReg(PC, BigInt(CODE + 0x100));
    c1.setReg(1, BigInt(CODE));
    c1.setReg(2, 0xd28000e0n);
    expect(c1.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    c0.setReg(PC, BigInt(CODE));
    c0.run(10);
    expect(c0.getReg(0)).toBe(7n);
  });
});

describe('breakpoints', () => {
  it('stop before the instruction; the next run executes it', () => {
    const w = world([0x91000400, 0x91000400, 0x91000400, HVC0]);
    w.cpu.setBreakpoints([BigInt(CODE + 8)]);
    expect(w.cpu.run(100)).toEqual({ kind: 'breakpoint', pc: BigInt(CODE + 8) });
    expect(w.cpu.getReg(0)).toBe(2n);
    expect(w.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(3n);
    w.cpu.setBreakpoints([]);
    w.cpu.setReg(PC, BigInt(CODE));
    expect(w.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
  });

  it('a breakpoint at the head of a loop stops every iteration', () => {
    const w = world(LOOP, { 1: 3n });
    w.cpu.setBreakpoints([BigInt(CODE + 4)]);
    for (let i = 1; i <= 3; i++) {
      expect(w.cpu.run(1000)).toEqual({ kind: 'breakpoint', pc: BigInt(CODE + 4) });
      expect(w.cpu.getReg(0)).toBe(BigInt(i - 1));
    }
    expect(w.cpu.run(1000)).toEqual({ kind: 'hvc', imm: 0 });
    expect(w.cpu.getReg(0)).toBe(3n);
  });
});

describe('DC ZVA', () => {
  it('zeroes the 64-byte block (DCZID_EL0.BS = 4) of Normal memory', () => {
    const w = world([0xd50b7421], { 1: BigInt(DATA + 0x4f) }); // dc zva, x1
    withHcrDc(w);
    writeU64(w.mem, DATA + 0x38, new Array(12).fill(0x1111_1111_1111_1111n));
    w.cpu.run(1);
    expect(w.mem.readU64(DATA + 0x38)).toBe(0x1111_1111_1111_1111n);
    for (let o = 0x40; o < 0x80; o += 8) expect(w.mem.readU64(DATA + o)).toBe(0n);
    expect(w.mem.readU64(DATA + 0x80)).toBe(0x1111_1111_1111_1111n);
    expect(w.cpu.getSysReg(SysReg.DCZID_EL0)).toBe(4n);
  });

  it('on Device memory (MMU off) it is an Alignment fault', () => {
    const w = world([0xd50b7421], { 1: BigInt(DATA) });
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0061n);
  });
});

describe('host API', () => {
  it('registers round-trip; PSTATE validation; unknown ids throw', () => {
    const { cpu } = world();
    cpu.setReg(5, 0xffff_ffff_ffff_ffffn);
    expect(cpu.getReg(5)).toBe(0xffff_ffff_ffff_ffffn);
    cpu.setReg(SP_EL0, 0x1234n);
    expect(cpu.getSysReg(SysReg.SP_EL0)).toBe(0x1234n);
    expect(() => cpu.setReg(PSTATE, 0x9n)).toThrow(/EL0t, EL1t and EL1h/);
    expect(() => cpu.setReg(35, 0n)).toThrow(/no core register/);
    expect(() => cpu.setReg(1, -1n)).toThrow(/64-bit/);
    expect(() => cpu.getSysReg(SysReg.ICC_IAR1_EL1)).toThrow(/not implemented/);
    expect(() => cpu.setSysReg(SysReg.CNTPCT_EL0, 1n)).toThrow(/computed/);
    expect(() => cpu.completeSysRegRead(0n)).toThrow(/pending/);
    expect(() => cpu.completeMmioRead(0n)).toThrow(/pending/);
    expect(() => cpu.setInterruptLine('nmi' as 'irq', true)).toThrow(/line/);
    expect(cpu.sysRegList()).toContain(SysReg.SCTLR_EL1);
  });

  it('ID registers describe a Cortex-A57 without FP/AdvSIMD, LSE and PAuth', () => {
    const { cpu } = world();
    expect(cpu.getSysReg(SysReg.MIDR_EL1)).toBe(0x411f_d070n);
    expect((cpu.getSysReg(SysReg.ID_AA64PFR0_EL1) >> 16n) & 0xffn).toBe(0xffn);
    expect((cpu.getSysReg(SysReg.ID_AA64ISAR0_EL1) >> 20n) & 0xfn).toBe(0n); // no LSE atomics
    expect(cpu.getSysReg(SysReg.ID_AA64ISAR1_EL1)).toBe(0n); // no PAuth
    expect(cpu.getSysReg(SysReg.ID_AA64MMFR0_EL1) & 0xfn).toBe(4n); // 44-bit PA
    expect(cpu.getSysReg(SysReg.MPIDR_EL1)).toBe(0x8000_0000n);
  });
});
