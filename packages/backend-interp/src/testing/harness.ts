/**
 * A small world for this package's tests: one InterpCpu over 16 MiB of RAM at 0x4000_0000.
 *
 *   0x4000_0000  VBAR_EL1: every vector entry is `HVC #(0x1000 + offset)`, so an exception
 *                taken to EL1 surfaces as an `hvc` exit naming its vector (as in core's
 *                conformance environment).
 *   0x4001_0000  CODE (the test's words; execution starts here, EL1h, DAIF masked)
 *   0x4002_0000  DATA
 *   0x4003_0000  initial SP_EL0, 0x4004_0000 initial SP_EL1
 *   0x0900_0000  nothing (MMIO exits)
 * Instruction words come from `aarch64-linux-gnu-as`; each test shows the assembly.
 */
import { PhysMem, SysReg } from '@hvlab/core';
import { InterpCpu } from '../cpu.js';
import { HCR } from '../sysregs.js';
import { encodeTtbr, encodeVtcrEl2, S2_MEMATTR, s2BlockDesc } from './mmu.js';

export const RAM = 0x4000_0000;
export const RAM_SIZE = 16 << 20;
export const VBAR = 0x4000_0000;
export const CODE = 0x4001_0000;
export const DATA = 0x4002_0000;
export const SP0_TOP = 0x4003_0000;
export const SP1_TOP = 0x4004_0000;
export const MMIO = 0x0900_0000;

/** HVC #imm16. */
export const hvcWord = (imm: number): number => (0xd4000002 | ((imm & 0xffff) << 5)) >>> 0;

/** Core register ids (core/src/regs.ts). */
export const SP_EL0 = 31;
export const SP_EL1 = 32;
export const PC = 33;
export const PSTATE = 34;

export function writeWords(mem: PhysMem, at: number, words: readonly number[]): void {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < words.length; i++) dv.setUint32(i * 4, words[i]! >>> 0, true);
  mem.write(at, b);
}

export function writeU64(mem: PhysMem, at: number, values: readonly bigint[]): void {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) dv.setBigUint64(i * 8, BigInt.asUintN(64, values[i]!), true);
  mem.write(at, b);
}

export interface World {
  readonly cpu: InterpCpu;
  readonly mem: PhysMem;
}

/** A CPU with `words` at CODE, PC = CODE, EL1h with DAIF masked, SPs set, vectors installed. */
export function world(words: readonly number[] = [], regs: Readonly<Record<number, bigint>> = {}): World {
  const mem = new PhysMem();
  mem.addRam(RAM, RAM_SIZE);
  const cpu = new InterpCpu({ index: 0, mem });
  for (let off = 0; off < 0x800; off += 0x80) writeWords(mem, VBAR + off, [hvcWord(0x1000 + off)]);
  cpu.setSysReg(0xc600, BigInt(VBAR)); // VBAR_EL1
  writeWords(mem, CODE, words);
  cpu.setReg(PC, BigInt(CODE));
  cpu.setReg(PSTATE, 0x3c5n);
  cpu.setReg(SP_EL0, BigInt(SP0_TOP));
  cpu.setReg(SP_EL1, BigInt(SP1_TOP));
  for (const [r, v] of Object.entries(regs)) cpu.setReg(Number(r), v);
  return { cpu, mem };
}

/** Where withHcrDc() puts its stage-2 table (the last MiB of RAM). */
export const DC_S2PT = RAM + RAM_SIZE - 0x10_0000;

/**
 * Sets HCR_EL2.DC (stage 1 off, memory Normal Write-Back) with the stage-2 identity map that DC
 * requires: DC makes HCR_EL2.VM behave as 1 (Arm ARM D17.2 HCR_EL2.DC). 39-bit IPAs from level
 * 1: IPA 0..1 GiB Device-nGnRnE (MMIO), 1..2 GiB Normal (RAM).
 */
export function withHcrDc(w: World): void {
  writeU64(w.mem, DC_S2PT, [s2BlockDesc(0, 1, { memAttr: S2_MEMATTR.DEVICE_nGnRnE }), s2BlockDesc(RAM, 1)]);
  w.cpu.setSysReg(SysReg.VTCR_EL2, encodeVtcrEl2({ T0SZ: 25, SL0: 1, TG0: 0, PS: 2, IRGN0: 1, ORGN0: 1, SH0: 3 }));
  w.cpu.setSysReg(SysReg.VTTBR_EL2, encodeTtbr(DC_S2PT, 1));
  w.cpu.setSysReg(SysReg.HCR_EL2, BigInt(HCR.DC));
}

/** NZCV of the CPU as a 4-bit number (0b1000 = N). */
export const nzcv = (cpu: InterpCpu): number => Number(cpu.getReg(PSTATE) >> 28n) & 0xf;

export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
