/**
 * Robustness: guest input never makes the CPU throw. Seeded random instruction words, executed
 * alone and in blocks, with random register state, random PSTATE (EL0/EL1, flags, masks), random
 * system-control bits (alignment and SP checks, endianness, traps, stage 2 off/on) and the MMU
 * off or on; every run must return a well-formed Exit, and the host completes the exits as a
 * machine would (MMIO reads, sysreg reads, skips, injected aborts).
 */
import { type Exit, PhysMem, SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { InterpCpu } from './cpu.js';
import { HCR } from './sysregs.js';
import { checkExit, rng } from './testing/fuzz.js';
import { CODE, DATA, hvcWord, MMIO, PC, PSTATE, RAM, VBAR, writeU64, writeWords } from './testing/harness.js';
import { encodeTcrEl1, encodeTtbr, s1BlockDesc } from './testing/mmu.js';

const PT = RAM + 0x10_0000;

interface Fuzzer {
  readonly cpu: InterpCpu;
  readonly mem: PhysMem;
  readonly next: () => number;
}

function fuzzer(seed: number): Fuzzer {
  const mem = new PhysMem();
  mem.addRam(RAM, 2 << 20);
  const cpu = new InterpCpu({ index: 0, mem });
  // Identity map of the first GiB of RAM for the MMU-on cases (level-1 block, EL0 RW).
  writeU64(mem, PT, [0n, s1BlockDesc(RAM, 1, { ap: 0b01 })]);
  return { cpu, mem, next: rng(seed) };
}

function reinstallVectors(mem: PhysMem): void {
  for (let off = 0; off < 0x800; off += 0x80) writeWords(mem, VBAR + off, [hvcWord(0x1000 + off)]);
}

/** A random 64-bit register value: RAM pointers, MMIO, small numbers, or anything. */
function value(f: Fuzzer): bigint {
  const r = f.next();
  switch (r & 7) {
    case 0:
    case 1:
      return BigInt(DATA + (f.next() & 0xfff8));
    case 2:
      return BigInt(MMIO + (f.next() & 0xff));
    case 3:
      return BigInt(f.next() & 0xff);
    case 4:
      return 0n;
    default:
      return (BigInt(f.next()) << 32n) | BigInt(f.next());
  }
}

function randomize(f: Fuzzer, word: number): void {
  const { cpu } = f;
  // The registers the common fields name: Rd/Rt, Rn, Rt2/Ra, Rm/Rs.
  for (const r of [word & 31, (word >>> 5) & 31, (word >>> 10) & 31, (word >>> 16) & 31])
    if (r !== 31) cpu.setReg(r, value(f));
  cpu.setReg(31, value(f));
  cpu.setReg(32, value(f));
  const r = f.next();
  const m = [0b0000, 0b0100, 0b0101][r % 3]!;
  cpu.setReg(PSTATE, BigInt(((((r >>> 4) & 0xf) << 28) | (((r >>> 8) & 0xf) << 6) | m) >>> 0));
  if ((r >>> 12) % 16 === 0) {
    // Occasionally new system controls: alignment/SP checks, endianness, UMA/UCT/DZE/UCI, nTWI.
    const bits = f.next();
    cpu.setSysReg(SysReg.SCTLR_EL1, BigInt(0x00c5_0838 ^ (bits & 0x0760_d21a)) & 0xffff_fffen);
    cpu.setSysReg(SysReg.HCR_EL2, BigInt((f.next() & 0x7ff8_e0d8) | HCR.RW) & 0xffff_ffffn);
  }
}

/** Answers an exit as a machine would. */
function complete(f: Fuzzer, e: Exit): void {
  const { cpu } = f;
  switch (e.kind) {
    case 'mmio':
      if (f.next() & 1) cpu.injectException({ kind: 'dataAbort', va: e.va, write: e.isWrite });
      else if (e.isWrite) cpu.skipInstruction();
      else cpu.completeMmioRead(value(f));
      break;
    case 'sysreg':
      if (f.next() & 1) cpu.injectException({ kind: 'undef' });
      else if (e.isRead) cpu.completeSysRegRead(value(f));
      else cpu.skipInstruction();
      break;
    default:
      break;
  }
}

describe('fuzz: random instruction words', () => {
  it('200 000 single random words in random states never throw and always return a valid Exit', () => {
    const f = fuzzer(0x1234_5678);
    const batch = 1024;
    for (let b = 0; b < 200_000 / batch; b++) {
      reinstallVectors(f.mem);
      f.cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VBAR));
      f.cpu.setSysReg(SysReg.SCTLR_EL1, 0x00c5_0838n);
      f.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.RW) & 0xffff_ffffn);
      const words: number[] = [];
      for (let i = 0; i < batch; i++) words.push(f.next());
      writeWords(f.mem, CODE, words);
      for (let i = 0; i < batch; i++) {
        randomize(f, words[i]!);
        f.cpu.setReg(PC, BigInt(CODE + 4 * i));
        const e = f.cpu.run(1 + (f.next() & 3));
        checkExit(e);
        complete(f, e);
      }
    }
    expect(f.cpu.retired).toBeGreaterThan(0);
  });

  it('blocks of random words with the MMU on and off, at EL0 and EL1', () => {
    const f = fuzzer(0x0bad_cafe);
    for (let b = 0; b < 400; b++) {
      reinstallVectors(f.mem);
      const mmu = (b & 1) === 1;
      f.cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VBAR));
      f.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.RW) & 0xffff_ffffn);
      f.cpu.setSysReg(SysReg.MAIR_EL1, 0xffn);
      f.cpu.setSysReg(SysReg.TCR_EL1, encodeTcrEl1({ T0SZ: 25, TG0: 0, IPS: 2, EPD1: 1 }));
      f.cpu.setSysReg(SysReg.TTBR0_EL1, encodeTtbr(PT, 0));
      f.cpu.setSysReg(SysReg.SCTLR_EL1, 0x00c5_0838n | (mmu ? 1n : 0n));
      const words: number[] = [];
      for (let i = 0; i < 64; i++) words.push(f.next());
      writeWords(f.mem, CODE, words);
      randomize(f, words[0]!);
      f.cpu.setReg(PC, BigInt(CODE));
      for (let r = 0; r < 8; r++) {
        const e = f.cpu.run(1 + (f.next() & 63));
        checkExit(e);
        complete(f, e);
      }
    }
    expect(f.cpu.retired).toBeGreaterThan(0);
  });
});
