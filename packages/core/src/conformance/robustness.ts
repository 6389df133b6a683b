/**
 * Robustness: any 32-bit word a guest executes must end in a defined result or an architected
 * exception (ARCHITECTURE.md "The CPU contract"). The sweep runs seeded random words — alone
 * and in blocks — at EL0 and EL1, with the MMU off and on, and checks that run() never throws
 * and always returns a well-formed Exit, and that completing that exit the way the run loop
 * would (completeSysRegRead / completeMmioRead / skipInstruction) does not throw either.
 *
 * The generator is mulberry32 (Tommy Ettinger, public domain), so a failing word is reproducible
 * from the seed and the reported index.
 */
import type { Cpu, CpuFactory } from '../cpu.js';
import { EXIT_KINDS, type Exit } from '../exit.js';
import { PhysMem } from '../memory.js';
import { AP, s1BlockDesc, tableDesc } from '../mmu/descriptor.js';
import { CoreReg } from '../regs.js';
import { SysReg } from '../sysregs.js';
import { MAIR_MMU, tableEntries } from './descriptors.js';
import {
  CODE,
  DATA,
  hvcWord,
  PS,
  PSTATE_DEFAULT,
  PT,
  RAM_BASE,
  RAM_SIZE,
  SCTLR,
  SCTLR_DEFAULT,
  SP_EL0_TOP,
  SP_EL1_TOP,
  VECTOR_HVC_BASE,
  VECTORS,
} from './env.js';
import { hex64, writeMemSpec, writeWords } from './runner.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const isU64 = (v: unknown): boolean => typeof v === 'bigint' && v >= 0n && v < 1n << 64n;
const isInt = (v: unknown, lo: number, hi: number): boolean =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const isBool = (v: unknown): boolean => typeof v === 'boolean';

/** Returns why `exit` is not a well-formed Exit (core/src/exit.ts), or undefined. */
export function checkExitShape(exit: unknown): string | undefined {
  if (typeof exit !== 'object' || exit === null) return `not an object: ${String(exit)}`;
  const e = exit as Record<string, unknown>;
  if (!EXIT_KINDS.includes(e.kind as Exit['kind'])) return `unknown kind ${String(e.kind)}`;
  const bad = (field: string) => `${String(e.kind)} exit has a bad ${field}: ${String(e[field])}`;
  switch (e.kind) {
    case 'hvc':
    case 'smc':
      return isInt(e.imm, 0, 0xffff) ? undefined : bad('imm');
    case 'sysreg':
      if (!isInt(e.reg, 0, 0xffff)) return bad('reg');
      if (!isBool(e.isRead)) return bad('isRead');
      if (!isInt(e.rt, 0, 31)) return bad('rt');
      if (!isU64(e.value)) return bad('value');
      return isU64(e.esr) ? undefined : bad('esr');
    case 'stage2Fault':
      if (!isU64(e.ipa)) return bad('ipa');
      if (e.va !== undefined && !isU64(e.va)) return bad('va');
      if (!['read', 'write', 'exec'].includes(e.access as string)) return bad('access');
      if (!['translation', 'accessFlag', 'permission', 'addressSize', 'externalAbort'].includes(e.fault as string))
        return bad('fault');
      if (!isInt(e.level, -1, 3)) return bad('level');
      if (!isBool(e.s1ptw)) return bad('s1ptw');
      return isU64(e.esr) ? undefined : bad('esr');
    case 'mmio':
      if (!isU64(e.pa)) return bad('pa');
      if (!isU64(e.va)) return bad('va');
      if (![1, 2, 4, 8].includes(e.size as number)) return bad('size');
      if (!isBool(e.isWrite)) return bad('isWrite');
      if (!isU64(e.data)) return bad('data');
      if (!isInt(e.rt, 0, 31)) return bad('rt');
      if (!isBool(e.signExtend)) return bad('signExtend');
      return isBool(e.sf) ? undefined : bad('sf');
    case 'gpf':
      if (!isU64(e.pa)) return bad('pa');
      if (!['read', 'write', 'exec'].includes(e.access as string)) return bad('access');
      return isInt(e.level, -1, 3) ? undefined : bad('level');
    case 'breakpoint':
      return isU64(e.pc) ? undefined : bad('pc');
    default:
      return undefined;
  }
}

export interface SweepOptions {
  readonly seed: number;
  /** Number of runs. */
  readonly runs: number;
  /** Random words per run (followed by HVC #0xfff). */
  readonly block: number;
  readonly el: 0 | 1;
  readonly mmu: boolean;
}

/** Identity-maps RAM (1 GiB block, EL0 and EL1 read/write/execute) for the MMU-on sweep. */
function mapRam(mem: PhysMem): void {
  for (const m of [
    ...tableEntries(PT, { 0: tableDesc(PT + 0x1000) }),
    ...tableEntries(PT + 0x1000, { 1: s1BlockDesc(RAM_BASE, 1, { ap: AP.RW_ALL }) }),
  ])
    writeMemSpec(mem, m);
}

function reset(cpu: Cpu, next: () => number, o: SweepOptions): void {
  for (let n = 0; n <= 30; n++) {
    const r = next();
    // Half the registers point into DATA (so loads and stores often hit RAM), half are random.
    const v = n % 2 === 0 ? BigInt(DATA + (r & 0x7ff8)) : (BigInt(r) << 32n) | BigInt(next());
    cpu.setReg(n, v);
  }
  cpu.setReg(CoreReg.SP_EL0, BigInt(SP_EL0_TOP));
  cpu.setReg(CoreReg.SP_EL1, BigInt(SP_EL1_TOP));
  cpu.setSysReg(SysReg.VBAR_EL1, BigInt(VECTORS));
  if (o.mmu) {
    cpu.setSysReg(SysReg.MAIR_EL1, MAIR_MMU);
    // T0SZ = 16, 4 KiB granule, walks start at level 0; TTBR1 walks disabled (EPD1 = 1, bit 23).
    cpu.setSysReg(SysReg.TCR_EL1, (2n << 32n) | (1n << 23n) | 0x3510n);
    cpu.setSysReg(SysReg.TTBR0_EL1, BigInt(PT));
    cpu.setSysReg(SysReg.SCTLR_EL1, SCTLR_DEFAULT | SCTLR.M | SCTLR.C | SCTLR.I);
  } else {
    cpu.setSysReg(SysReg.SCTLR_EL1, SCTLR_DEFAULT);
  }
  cpu.setReg(CoreReg.PSTATE, (BigInt(next() & 0xf) << 28n) | (o.el === 0 ? PS.EL0t : PSTATE_DEFAULT));
  cpu.setReg(CoreReg.PC, BigInt(CODE));
}

/** Completes an exit as the run loop would; returns false when the run should stop. */
function complete(cpu: Cpu, exit: Exit): boolean {
  switch (exit.kind) {
    case 'sysreg':
      if (exit.isRead) cpu.completeSysRegRead(0n);
      else cpu.skipInstruction();
      return true;
    case 'mmio':
      if (exit.isWrite) cpu.skipInstruction();
      else cpu.completeMmioRead(0xffff_ffff_ffff_ffffn);
      return true;
    case 'wfi':
    case 'wfe':
    case 'budget':
      return true;
    case 'hvc':
      // HVC #0xfff ends the block; an HVC in a vector slot means an exception was taken.
      return exit.imm !== 0xfff && !(exit.imm >= VECTOR_HVC_BASE && exit.imm < VECTOR_HVC_BASE + 0x800);
    default:
      return false;
  }
}

/**
 * Runs the sweep; returns the problems found (empty when the backend is robust).
 * Each problem names the seed, the run index and the words, so it can be replayed.
 */
export function sweepRandomWords(factory: CpuFactory, o: SweepOptions): string[] {
  const mem = new PhysMem();
  mem.addRam(RAM_BASE, RAM_SIZE, { name: 'conformance-ram' });
  const cpu = factory({ index: 0, mem });
  if (o.mmu) mapRam(mem);
  const next = mulberry32(o.seed);
  const problems: string[] = [];
  for (let i = 0; i < o.runs && problems.length < 10; i++) {
    for (let off = 0; off < 0x800; off += 0x80) writeWords(mem, VECTORS + off, [hvcWord(VECTOR_HVC_BASE + off)]);
    const words = Array.from({ length: o.block }, () => next());
    writeWords(mem, CODE, [...words, hvcWord(0xfff)]);
    reset(cpu, next, o);
    const where = `seed ${o.seed} run ${i} words [${words.map((w) => `0x${w.toString(16).padStart(8, '0')}`).join(', ')}]`;
    try {
      for (let step = 0; step < 16; step++) {
        const exit = cpu.run(4 * o.block + 4);
        const why = checkExitShape(exit);
        if (why) {
          problems.push(`${where}: ${why}`);
          break;
        }
        if (!isU64(cpu.getReg(CoreReg.PC))) {
          problems.push(`${where}: PC is not a 64-bit value: ${String(cpu.getReg(CoreReg.PC))}`);
          break;
        }
        if (!complete(cpu, exit)) break;
      }
    } catch (e) {
      let pc = '?';
      try {
        pc = hex64(cpu.getReg(CoreReg.PC));
      } catch {
        // The report below is what matters; the PC is a hint.
      }
      problems.push(`${where}: threw ${(e as Error).stack ?? String(e)} (PC ${pc})`);
    }
  }
  return problems;
}
