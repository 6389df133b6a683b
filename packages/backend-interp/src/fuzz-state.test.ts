/**
 * Robustness under random machine state (guest input must never throw; Arm ARM: every state
 * software can create either executes or raises the architected exception):
 * - random translation tables (well-formed tables, blocks and pages mixed with garbage;
 *   tables and outputs in RAM, at PA 0, at the top of the 44-bit PA space, beyond it, in MMIO
 *   space), random TCR_EL1 (any granule including the reserved encodings, any T0SZ/T1SZ/IPS,
 *   TBI, AS), random MAIR_EL1, SCTLR_EL1 and HCR_EL2, stage 2 on with random VTCR_EL2/VTTBR_EL2;
 * - random PSTATE (EL0, EL1t, EL1h, DAIF, PAN, UAO, SSBS, IL), random SP_EL0/SP_EL1/VBAR_EL1;
 * - PC misaligned, at the top of the address space, tagged, in MMIO space, at PA 0, on the last
 *   word of a RAM page or region;
 * - random instances of every implemented encoding (so system instructions, TLBI, AT, DC ZVA,
 *   exclusives and ERET run as often as data processing) whose register operands point into
 *   the translation tables and the code itself (self-modifying code across pages);
 * - host calls between slices (TLB/code invalidation, breakpoints, injected exceptions,
 *   interrupt lines, warps, setSysReg of every register with random values, reset).
 * Every run must return a well-formed Exit without throwing; the host's own calls may throw
 * only HvlabError. A second test runs the same random programs in blocks and single-stepped
 * and requires identical exits and final state: translated blocks (locals, flags, loops,
 * chaining) must not change what the instructions do.
 */
import { type Exit, HvlabError, PhysMem, SysReg, type SysRegId, sysRegFields } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { InterpCpu } from './cpu.js';
import { HCR } from './sysregs.js';
import { checkExit, randomInsn, rng } from './testing/fuzz.js';
import { CODE, hvcWord, RAM, VBAR, writeU64, writeWords } from './testing/harness.js';
import { encodeTcrEl1, encodeTtbr, encodeVtcrEl2, s1BlockDesc, s2BlockDesc } from './testing/mmu.js';

const TABLES = RAM + 0x10_0000;
const TABLE_PAGES = 16;
const DATA = RAM + 0x20_0000;
const LOW = 0; // RAM at PA 0
const HIGH = 2 ** 44 - 0x1_0000; // RAM at the top of the 44-bit PA space
const BEYOND = 2 ** 48 - 0x1_0000; // RAM above PARange (reachable only by a faulty walker)
const MMIO_PA = 0x0900_0000;
const PC_REG = 33;
const PSTATE_REG = 34;

interface World {
  readonly cpu: InterpCpu;
  readonly mem: PhysMem;
  readonly next: () => number;
}

function newWorld(seed: number): World {
  const mem = new PhysMem();
  mem.addRam(RAM, 4 << 20);
  mem.addRam(LOW, 0x1_0000);
  mem.addRam(HIGH, 0x1_0000);
  mem.addRam(BEYOND, 0x1_0000);
  return { cpu: new InterpCpu({ index: 0, mem }), mem, next: rng(seed) };
}

const big = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** A physical address worth pointing at: RAM pages, table pages, PA 0, the top, MMIO, garbage. */
function somePa(w: World): number {
  const n = w.next();
  switch (n % 8) {
    case 0:
      return TABLES + (w.next() % TABLE_PAGES) * 4096;
    case 1:
      return CODE + (w.next() & 0x3000);
    case 2:
      return LOW + (w.next() & 0xf000);
    case 3:
      return HIGH + (w.next() & 0xf000);
    case 4:
      return BEYOND + (w.next() & 0xf000);
    case 5:
      return MMIO_PA + (w.next() & 0xf000);
    case 6:
      return DATA + (w.next() & 0xf000);
    default:
      return (w.next() & 0xffff) * 2 ** 28 + (w.next() & 0xfff_f000);
  }
}

/** A 64-bit descriptor: table, block/page (random attributes), invalid, or garbage. */
function descriptor(w: World): bigint {
  const n = w.next();
  const pa = BigInt(somePa(w));
  switch (n % 5) {
    case 0:
      return pa | 3n | (BigInt(w.next() & 0x1f) << 59n); // table (+ APTable/XNTable/NSTable)
    case 1:
    case 2: {
      // block (01) or page/L3 (11): AttrIndx, NS, AP, SH, AF (mostly), nG, DBM, Contiguous, PXN, UXN
      const lo = (w.next() & 0xffc) | (w.next() % 8 === 0 ? 0 : 0x400) | (n & 1 ? 1 : 3);
      return pa | BigInt(lo) | (BigInt(w.next() & 0x7f) << 51n);
    }
    case 3:
      return BigInt(w.next() & ~1); // invalid
    default:
      return big(w.next(), w.next());
  }
}

function writeTables(w: World): void {
  const words: bigint[] = [];
  for (let i = 0; i < TABLE_PAGES * 512; i++) words.push(w.next() % 4 === 0 ? 0n : descriptor(w));
  writeU64(w.mem, TABLES, words);
}

/** A register value: pointers into tables, code (and its page ends), PA 0, the top, MMIO, junk. */
function value(w: World): bigint {
  const n = w.next();
  switch (n % 10) {
    case 0:
      return BigInt(TABLES + (w.next() & 0xfff8));
    case 1:
      return BigInt(CODE + (w.next() & 0x3ffc));
    case 2:
      return BigInt(CODE + 0x1000 - 4 * (w.next() % 4));
    case 3:
      return BigInt(somePa(w) + (w.next() & 0xfff));
    case 4:
      return 0xffff_ffff_ffff_ff00n + BigInt(w.next() & 0xff);
    case 5:
      return BigInt(w.next() & 0xff);
    case 6:
      return (BigInt(w.next() & 0xff) << 56n) | BigInt(DATA + (w.next() & 0xfff8)); // tagged
    default:
      return big(w.next(), w.next());
  }
}

/** A 64-bit register value that sets a random subset of `bits` (lo word) and a random high word. */
const someBits = (w: World, bits: number, hiBits = 0): bigint => big(w.next() & hiBits, w.next() & bits);

const SCTLR_BITS = 0x0fff_ffff; // M, A, C, SA, SA0, ..., UCI, EE, E0E, SPAN, WXN, nTWE, nTWI, ...
const HCR_BITS =
  HCR.PTW |
  HCR.FMO |
  HCR.IMO |
  HCR.AMO |
  HCR.VF |
  HCR.VI |
  HCR.VSE |
  HCR.DC |
  HCR.TWI |
  HCR.TWE |
  HCR.TID1 |
  HCR.TID2 |
  HCR.TID3 |
  HCR.TSC |
  HCR.TACR |
  HCR.TSW |
  HCR.TPCP |
  HCR.TPU |
  HCR.TTLB |
  HCR.TVM |
  HCR.TGE |
  HCR.TDZ |
  HCR.HCD |
  HCR.TRVM;

/** Random translation and system controls (written by the host, as EL2 would). */
function randomControls(w: World): void {
  const { cpu } = w;
  const tt = (): bigint => (w.next() % 4 === 0 ? value(w) : BigInt(TABLES + (w.next() % TABLE_PAGES) * 4096));
  // TCR_EL1: T0SZ, EPD0, IRGN0, ORGN0, SH0, TG0, T1SZ, A1, EPD1, ..., TG1, IPS (34:32), AS, TBI0/1.
  const tcr = w.next() & 1 ? big(w.next(), w.next()) : someBits(w, 0xffff_ffff, 0x7f) & ~0x3f3fn;
  const tsz = BigInt(16 + (w.next() % 28));
  cpu.setSysReg(SysReg.TCR_EL1, tcr | tsz | (BigInt(16 + (w.next() % 28)) << 16n));
  cpu.setSysReg(SysReg.MAIR_EL1, big(w.next(), w.next()));
  cpu.setSysReg(SysReg.TTBR0_EL1, tt() | (BigInt(w.next() & 0xffff) << 48n));
  cpu.setSysReg(SysReg.TTBR1_EL1, tt() | (BigInt(w.next() & 0xffff) << 48n));
  const sctlr = (0x00c5_0838 ^ (w.next() & SCTLR_BITS)) | (w.next() % 3 === 0 ? 0 : 1);
  cpu.setSysReg(SysReg.SCTLR_EL1, big(w.next() & 0x1000, sctlr));
  const vm = w.next() % 3 === 0 ? HCR.VM : 0;
  cpu.setSysReg(SysReg.HCR_EL2, big(w.next() & 0xff, (w.next() & HCR_BITS) | vm | HCR.RW));
  // VTCR_EL2: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS; VTTBR_EL2 with a VMID.
  cpu.setSysReg(SysReg.VTCR_EL2, BigInt((w.next() & 0x7_ffc0) | (16 + (w.next() % 28))));
  cpu.setSysReg(SysReg.VTTBR_EL2, tt() | (BigInt(w.next() & 0xffff) << 48n));
  cpu.setSysReg(SysReg.VBAR_EL1, w.next() % 8 === 0 ? value(w) & ~0x7ffn : BigInt(VBAR));
  if (w.next() % 2 === 0) saneTranslation(w);
}

/**
 * Half the time, translation that mostly works, so that random code runs for long: stage 1
 * with 4 KiB pages from level 1 (T0SZ = 25), L1[1] a 1 GiB block of RAM and L1[0] a random
 * descriptor (PA 0, MMIO, a table...), the rest of the tables random; stage 2 (a third of the
 * time) likewise from level 1 (VTCR_EL2.SL0 = 1) with an identity block for RAM. Attributes of
 * the RAM blocks are random (permissions, memory type, AF, nG).
 */
function saneTranslation(w: World): void {
  const { cpu } = w;
  const s1 = TABLES;
  const s2 = TABLES + 4096;
  writeU64(w.mem, s1, [
    descriptor(w),
    s1BlockDesc(RAM, 1, {
      ap: w.next() & 3,
      attrIndx: w.next() & 7,
      af: w.next() % 16 !== 0,
      ng: (w.next() & 1) === 1,
      uxn: w.next() % 4 === 0,
      pxn: w.next() % 4 === 0,
    }),
  ]);
  writeU64(w.mem, s2, [
    s2BlockDesc(LOW, 1, { s2ap: w.next() & 3 }),
    s2BlockDesc(RAM, 1, { s2ap: w.next() % 8 === 0 ? w.next() & 3 : 3, memAttr: w.next() & 15 }),
  ]);
  const tbi = w.next() & 3;
  cpu.setSysReg(
    SysReg.TCR_EL1,
    encodeTcrEl1({
      T0SZ: 25,
      T1SZ: 25,
      TG0: 0,
      TG1: 2,
      IPS: 2,
      EPD1: w.next() & 1,
      TBI0: tbi & 1,
      TBI1: tbi >> 1,
      AS: w.next() & 1,
    }),
  );
  cpu.setSysReg(SysReg.TTBR0_EL1, encodeTtbr(s1, w.next() & 0xff));
  cpu.setSysReg(SysReg.MAIR_EL1, w.next() % 4 === 0 ? big(w.next(), w.next()) : 0x44_ff_04_00_ffn);
  cpu.setSysReg(SysReg.VTCR_EL2, encodeVtcrEl2({ T0SZ: 25, SL0: 1, TG0: 0, PS: 2, SH0: 3, IRGN0: 1, ORGN0: 1 }));
  cpu.setSysReg(SysReg.VTTBR_EL2, encodeTtbr(s2, w.next() & 0xff));
  const hcr = cpu.getSysReg(SysReg.HCR_EL2) & ~BigInt(HCR.VM | HCR.DC);
  cpu.setSysReg(SysReg.HCR_EL2, hcr | (w.next() % 3 === 0 ? BigInt(HCR.VM) : 0n));
  cpu.setSysReg(SysReg.SCTLR_EL1, cpu.getSysReg(SysReg.SCTLR_EL1) | 1n);
  cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VBAR));
}

/** Random registers and PSTATE (EL0, EL1t or EL1h; DAIF, PAN, UAO, SSBS, sometimes IL; NZCV). */
function randomCore(w: World): void {
  const { cpu } = w;
  for (let r = 0; r <= 32; r++) cpu.setReg(r, value(w));
  const m = [0b0000, 0b0100, 0b0101][w.next() % 3]!;
  const bits = w.next() & (0xf000_0000 | 0x00c0_1000 | 0x3c0 | (w.next() % 16 === 0 ? 1 << 20 : 0));
  cpu.setReg(PSTATE_REG, BigInt((bits | m) >>> 0));
}

/** A PC: the code area (often just before a page end), misaligned, the top, tagged, MMIO, PA 0, HIGH. */
function randomPc(w: World): bigint {
  const n = w.next();
  switch (n % 10) {
    case 0:
      return BigInt(CODE + 0x1000 - 4 * (1 + (w.next() % 3)));
    case 1:
      return BigInt(CODE + (w.next() & 0xfff) * 4 + 1 + (w.next() % 3));
    case 2:
      return 0xffff_ffff_ffff_fffcn - BigInt((w.next() % 4) * 4);
    case 3:
      return (BigInt(w.next() & 0xff) << 56n) | BigInt(CODE + (w.next() & 0xffc));
    case 4:
      return BigInt(MMIO_PA + (w.next() & 0xffc));
    case 5:
      return BigInt(LOW + (w.next() & 0xfffc));
    case 6:
      return BigInt(HIGH + 0x1_0000 - 4 * (1 + (w.next() % 4)));
    default:
      return BigInt(CODE + (w.next() & 0x3ffc));
  }
}

/** Code: random words and random instances of implemented encodings, at every code location. */
function writeCode(w: World): void {
  const words = (n: number): number[] =>
    Array.from({ length: n }, () => (w.next() % 3 === 0 ? w.next() : randomInsn(w.next)));
  writeWords(w.mem, CODE, words(0x1000));
  writeWords(w.mem, LOW, words(0x400));
  writeWords(w.mem, HIGH + 0x1_0000 - 0x100, words(0x40));
  for (let off = 0; off < 0x800; off += 0x80) writeWords(w.mem, VBAR + off, [hvcWord(0x1000 + off)]);
}

/** Answers an exit as a machine would (sometimes with an injected exception instead). */
function complete(w: World, e: Exit): void {
  const { cpu } = w;
  if (e.kind === 'mmio') {
    if (w.next() % 4 === 0) cpu.injectException({ kind: 'dataAbort', va: e.va, write: e.isWrite });
    else if (e.isWrite) cpu.skipInstruction();
    else cpu.completeMmioRead(value(w));
  } else if (e.kind === 'sysreg') {
    if (w.next() % 4 === 0) cpu.injectException({ kind: 'undef' });
    else if (e.isRead) cpu.completeSysRegRead(value(w));
    else cpu.skipInstruction();
  }
}

/** Calls a host API that may legitimately refuse (HvlabError) but must not fail otherwise. */
function host(f: () => void): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof HvlabError)) throw err;
  }
}

/** Host actions between slices, as a hypervisor or debugger would do them. */
function hostChaos(w: World, regs: readonly SysRegId[]): void {
  const { cpu } = w;
  switch (w.next() % 12) {
    case 0:
      cpu.invalidateTlb();
      return;
    case 1:
      cpu.invalidateCode(somePa(w), w.next() & 0x1fff);
      return;
    case 2:
      cpu.setBreakpoints(w.next() & 1 ? [] : [cpu.getReg(PC_REG), value(w)]);
      return;
    case 3:
      cpu.injectException(
        [
          { kind: 'undef' } as const,
          { kind: 'dataAbort', va: value(w), write: true } as const,
          { kind: 'prefetchAbort', va: value(w) } as const,
          { kind: 'serror', iss: w.next() & 0x1ff_ffff } as const,
        ][w.next() % 4]!,
      );
      return;
    case 4:
      cpu.setInterruptLine(w.next() & 1 ? 'irq' : 'fiq', (w.next() & 1) === 1);
      return;
    case 5:
      cpu.warp(w.next() & 0xffff);
      return;
    case 6:
    case 7: {
      const id = regs[w.next() % regs.length]!;
      host(() => cpu.setSysReg(id, value(w)));
      return;
    }
    case 8:
      if (w.next() % 8 === 0) cpu.reset();
      return;
    default:
      return;
  }
}

function sysRegsOf(cpu: InterpCpu): SysRegId[] {
  // Everything the CPU lists, minus what must stay sane for the run to mean anything.
  return cpu.sysRegList().filter((id) => id !== SysReg.VPIDR_EL2 && id !== SysReg.VMPIDR_EL2);
}

describe('fuzz: random machine state', () => {
  it('random tables, controls, PSTATE, PC and code never make run() throw or return a malformed Exit', () => {
    const w = newWorld(0x5eed_f00d);
    const regs = sysRegsOf(w.cpu);
    let exits = 0;
    for (let round = 0; round < 300; round++) {
      writeTables(w);
      writeCode(w);
      randomControls(w);
      randomCore(w);
      w.cpu.setReg(PC_REG, randomPc(w));
      for (let slice = 0; slice < 12; slice++) {
        const before = w.cpu.retired;
        const budget = 1 + (w.next() % 200);
        const e = w.cpu.run(budget);
        checkExit(e);
        expect(w.cpu.retired - before).toBeLessThanOrEqual(budget);
        exits++;
        complete(w, e);
        if (w.next() % 3 === 0) hostChaos(w, regs);
      }
      for (let r = 0; r <= 34; r++) expect(typeof w.cpu.getReg(r)).toBe('bigint');
      for (const id of regs) expect(typeof w.cpu.getSysReg(id)).toBe('bigint');
    }
    expect(exits).toBe(300 * 12);
  });

  it('system registers written by the guest with random values (MSR of every encoding)', () => {
    const w = newWorld(0x0dd_ba11);
    const ids = [...sysRegsOf(w.cpu), ...Object.values(SysReg)];
    for (let round = 0; round < 200; round++) {
      writeTables(w);
      randomControls(w);
      randomCore(w);
      // MSR <reg>, Xt / MRS Xt, <reg> for random registers, Xt random (C5.2: o0 = op0 - 2).
      const code: number[] = [];
      for (let i = 0; i < 64; i++) {
        const f = sysRegFields(ids[w.next() % ids.length]!);
        const enc = ((f.op0 - 2) << 19) | (f.op1 << 16) | (f.crn << 12) | (f.crm << 8) | (f.op2 << 5) | (w.next() & 31);
        code.push((0xd510_0000 | (w.next() & 1 ? 1 << 21 : 0) | enc) >>> 0);
      }
      writeWords(w.mem, CODE, code);
      w.cpu.setReg(PC_REG, BigInt(CODE));
      for (let slice = 0; slice < 16; slice++) {
        const e = w.cpu.run(1 + (w.next() % 16));
        checkExit(e);
        complete(w, e);
      }
    }
  });
});

/** What must agree between two runs: core registers, PSTATE, every system register, exits. */
function snapshot(cpu: InterpCpu): string {
  const parts: string[] = [];
  for (let r = 0; r <= 34; r++) parts.push(cpu.getReg(r).toString(16));
  for (const id of cpu.sysRegList()) parts.push(`${id}:${cpu.getSysReg(id).toString(16)}`);
  return parts.join(' ');
}

const exitText = (e: Exit): string => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));

/**
 * Runs `total` instructions with run(chunk) calls, completing exits deterministically (an MMIO
 * read returns its PA, a sysreg read its id): the exits and final state.
 */
function runAll(cpu: InterpCpu, chunk: number, total: number): { exits: string[]; state: string } {
  const exits: string[] = [];
  for (let calls = 0; cpu.retired < total && calls < 4 * total; calls++) {
    const e = cpu.run(Math.min(chunk, total - cpu.retired));
    if (e.kind === 'budget') continue;
    exits.push(`${cpu.retired}: ${exitText(e)}`);
    if (e.kind === 'mmio') {
      if (e.isWrite) cpu.skipInstruction();
      else cpu.completeMmioRead(e.pa);
    } else if (e.kind === 'sysreg') {
      if (e.isRead) cpu.completeSysRegRead(BigInt(e.reg));
      else cpu.skipInstruction();
    } else if (e.kind === 'wfi' || e.kind === 'wfe' || e.kind === 'stage2Fault') {
      break; // nothing would wake it / the hypervisor would have to fix the mapping
    }
  }
  return { exits, state: snapshot(cpu) };
}

describe('blocks against single steps', () => {
  it('random programs give the same exits and state whether run in blocks or one instruction at a time', () => {
    for (let seed = 1; seed <= 48; seed++) {
      const make = (): World => {
        const w = newWorld(seed);
        writeTables(w);
        writeCode(w);
        // Every exception must reach the HVC vectors (an exit) instead of looping on a vector
        // it cannot fetch, a loop whose length would depend on the budgets: the MMU off, or on
        // with RAM mapped executable at EL1 (AF set, no PXN, never EL0-writable, which would
        // imply PXN). Random SCTLR_EL1 (alignment, SP alignment, endianness, EL0 traps) and
        // HCR_EL2 controls (not DC, VM: stage 2 stays off).
        w.cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VBAR));
        w.cpu.setSysReg(SysReg.SCTLR_EL1, big(w.next() & 0x1000, (0x00c5_0838 ^ (w.next() & SCTLR_BITS)) & ~1));
        w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(((w.next() & HCR_BITS & ~(HCR.PTW | HCR.DC)) | HCR.RW) >>> 0));
        if (seed % 2 === 0) {
          const ap = [0b00, 0b10, 0b11][w.next() % 3]!;
          const ram = s1BlockDesc(RAM, 1, { ap, ng: (w.next() & 1) === 1, uxn: (w.next() & 1) === 1 });
          writeU64(w.mem, TABLES, [descriptor(w), ram]);
          w.cpu.setSysReg(SysReg.TCR_EL1, encodeTcrEl1({ T0SZ: 25, TG0: 0, IPS: 2, EPD1: 1, TBI0: w.next() & 1 }));
          w.cpu.setSysReg(SysReg.TTBR0_EL1, encodeTtbr(TABLES, w.next() & 0xff));
          w.cpu.setSysReg(SysReg.MAIR_EL1, 0x44_ff_04_00_ffn);
          w.cpu.setSysReg(SysReg.SCTLR_EL1, w.cpu.getSysReg(SysReg.SCTLR_EL1) | 1n);
        }
        randomCore(w);
        w.cpu.setReg(PC_REG, BigInt(CODE + (w.next() & 0xffc)));
        return w;
      };
      const a = runAll(make().cpu, 10_000, 300);
      const b = runAll(make().cpu, 1, 300);
      expect(a.exits, `seed ${seed}`).toEqual(b.exits);
      expect(a.state, `seed ${seed}`).toBe(b.state);
    }
  });
});
