/**
 * Loads and stores: every addressing form (unsigned offset, pre/post-index writeback, unscaled,
 * register offset with extend/shift, literal, pairs incl. LDPSW), sign/zero extension,
 * unprivileged forms, exclusives with the local monitor, acquire/release, alignment rules
 * (Arm ARM B2.5: Device memory with the MMU off faults on unaligned accesses; HCR_EL2.DC makes it
 * Normal) and MMIO exits.
 */
import { SysReg } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { CODE, DATA, MMIO, PC, withHcrDc, world, writeU64 } from '../testing/harness.js';

const D0 = 0x8877_6655_4433_2211n;
const D8 = 0xf0de_bc9a_7856_3412n;

function setup(words: number[], regs: Record<number, bigint> = {}) {
  const w = world(words, { 1: BigInt(DATA), ...regs });
  writeU64(w.mem, DATA, [D0, D8, 0n, 0n, 0n, 0n]);
  return w;
}

const readU64 = (w: ReturnType<typeof setup>, at: number): bigint => w.mem.readU64(at);

describe('single-register loads', () => {
  it('unsigned offset, all sizes, sign and zero extension', () => {
    const w = setup([
      0xf9400420, // ldr x0, [x1, #8]
      0xb9400422, // ldr w2, [x1, #4]
      0x39400423, // ldrb w3, [x1, #1]
      0x79400424, // ldrh w4, [x1, #2]
      0x39801c25, // ldrsb x5, [x1, #7]
      0x79c00c26, // ldrsh w6, [x1, #6]
      0xb9800427, // ldrsw x7, [x1, #4]
    ]);
    expect(w.cpu.run(7).kind).toBe('budget');
    const r = (n: number) => w.cpu.getReg(n);
    expect(r(0)).toBe(D8);
    expect(r(2)).toBe(0x8877_6655n);
    expect(r(3)).toBe(0x22n);
    expect(r(4)).toBe(0x4433n);
    expect(r(5)).toBe(0xffff_ffff_ffff_ff88n);
    expect(r(6)).toBe(0xffff_8877n);
    expect(r(7)).toBe(0xffff_ffff_8877_6655n);
  });

  it('pre- and post-index write back the base', () => {
    const w = setup(
      [
        0xf85f8c29, // ldr x9, [x1, #-8]!
        0xf841042a, // ldr x10, [x1], #16
        0xf8008c2b, // str x11, [x1, #8]!
        0xf81f842c, // str x12, [x1], #-8
      ],
      { 1: BigInt(DATA + 16), 11: 0x1111n, 12: 0x2222n },
    );
    w.cpu.run(4);
    expect(w.cpu.getReg(9)).toBe(D8);
    expect(w.cpu.getReg(10)).toBe(D8);
    expect(readU64(w, DATA + 32)).toBe(0x2222n);
    expect(w.cpu.getReg(1)).toBe(BigInt(DATA + 24));
  });

  it('register offset with shift and extend', () => {
    const w = setup(
      [
        0xf862782f, // ldr x15, [x1, x2, lsl #3]
        0xb871d830, // ldr w16, [x1, w17, sxtw #2]
        0x38336832, // strb w18, [x1, x19]
        0x38f54834, // ldrsb w20, [x1, w21, uxtw]
      ],
      { 1: BigInt(DATA + 4), 2: 0n, 17: 0xffff_ffffn, 18: 0x1ffn, 19: 12n, 21: 0xffff_ffff_0000_0003n },
    );
    // The first load is unaligned: make memory Normal (HCR_EL2.DC) so that it is allowed.
    withHcrDc(w);
    w.cpu.run(4);
    expect(w.cpu.getReg(15)).toBe(0x7856_3412_8877_6655n);
    expect(w.cpu.getReg(16)).toBe(0x4433_2211n);
    expect(w.mem.read(DATA + 16, 1)[0]).toBe(0xff);
    expect(w.cpu.getReg(20)).toBe(0xffff_ff88n);
  });

  it('literal loads', () => {
    const w = setup([
      0x5800009c, // ldr x28, .+16
      0x9800007d, // ldrsw x29, .+12
      0x1800005e, // ldr w30, .+8
      0xd503201f, // nop
      0x8000_0001, // data: 0x80000001
      0x1234_5678,
    ]);
    w.cpu.run(3);
    expect(w.cpu.getReg(28)).toBe(0x1234_5678_8000_0001n);
    expect(w.cpu.getReg(29)).toBe(0xffff_ffff_8000_0001n);
    expect(w.cpu.getReg(30)).toBe(0x8000_0001n);
  });

  it('stores of every size', () => {
    const w = setup(
      [
        0xf9000828, // str x8, [x1, #16]
        0x39006028, // strb w8, [x1, #24]
        0x79003428, // strh w8, [x1, #26]
        0xb9001c28, // str w8, [x1, #28]
      ],
      { 8: 0x0102_0304_0506_0708n },
    );
    w.cpu.run(4);
    expect(readU64(w, DATA + 16)).toBe(0x0102_0304_0506_0708n);
    expect(readU64(w, DATA + 24)).toBe(0x0506_0708_0708_0008n);
  });

  it('PRFM is a NOP, even for an unmapped address', () => {
    const w = setup([0xf9800020], { 1: 0xdead_0000_0000n }); // prfm pldl1keep, [x1]
    expect(w.cpu.run(1).kind).toBe('budget');
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 4));
  });
});

describe('pairs', () => {
  it('LDP, STP with writeback, LDPSW post-index, 32-bit LDP', () => {
    const w = setup([
      0xa9405c36, // ldp x22, x23, [x1]
      0xa9825c36, // stp x22, x23, [x1, #32]!
      0x68c16438, // ldpsw x24, x25, [x1], #8
      0x297f6c3a, // ldp w26, w27, [x1, #-8]
    ]);
    w.cpu.run(4);
    expect(w.cpu.getReg(22)).toBe(D0);
    expect(w.cpu.getReg(23)).toBe(D8);
    expect(readU64(w, DATA + 32)).toBe(D0);
    expect(readU64(w, DATA + 40)).toBe(D8);
    expect(w.cpu.getReg(24)).toBe(0x4433_2211n);
    expect(w.cpu.getReg(25)).toBe(0xffff_ffff_8877_6655n);
    expect(w.cpu.getReg(26)).toBe(0x4433_2211n);
    expect(w.cpu.getReg(27)).toBe(0x8877_6655n);
    expect(w.cpu.getReg(1)).toBe(BigInt(DATA + 40));
  });
});

describe('alignment and memory type', () => {
  it('an unaligned access to Device memory (MMU off) is an Alignment fault', () => {
    const w = setup([0xf85ff02d], { 1: BigInt(DATA + 8) }); // ldur x13, [x1, #-1]
    const e = w.cpu.run(10);
    expect(e).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0021n);
    expect(w.cpu.getSysReg(SysReg.FAR_EL1)).toBe(BigInt(DATA + 7));
  });

  it('with HCR_EL2.DC memory is Normal: unaligned LDUR/STUR work, across a page too', () => {
    const w = setup(
      [
        0xf85ff02d, // ldur x13, [x1, #-1]
        0xb800302e, // stur w14, [x1, #3]
        0xf85ff04f, // ldur x15, [x2, #-1]
      ],
      { 1: BigInt(DATA + 8), 2: BigInt(DATA + 0xffd), 14: 0xa1b2_c3d4n },
    );
    writeU64(w.mem, DATA + 0xff8, [0x0706_0504_0302_0100n, 0x0f0e_0d0c_0b0a_0908n]);
    withHcrDc(w);
    w.cpu.run(3);
    expect(w.cpu.getReg(13)).toBe(0xdebc_9a78_5634_1288n);
    expect(w.mem.read(DATA + 11, 4)).toEqual(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]));
    expect(w.cpu.getReg(15)).toBe(0x0b0a_0908_0706_0504n);
  });

  it('SCTLR_EL1.A makes every unaligned access fault', () => {
    const w = setup([0xf85ff02d], { 1: BigInt(DATA + 8) });
    withHcrDc(w);
    w.cpu.setSysReg(SysReg.SCTLR_EL1, 0x00c5083an); // reset value | A
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0021n);
  });

  it('SP alignment checking (SCTLR_EL1.SA) raises EC 0x26 for a misaligned SP base', () => {
    const w = setup([0xf94003e0], {}); // ldr x0, [sp]
    w.cpu.setReg(32, BigInt(DATA + 8));
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9a00_0000n);
    expect(w.cpu.getSysReg(SysReg.ELR_EL1)).toBe(BigInt(CODE));
  });
});

describe('exclusives and ordered accesses', () => {
  it('LDXR/STXR succeed, CLREX makes the next STXR fail', () => {
    const w = setup(
      [
        0xc85f7c20, // ldxr x0, [x1]
        0xc8027c23, // stxr w2, x3, [x1]
        0xc85f7c20, // ldxr x0, [x1]
        0xd5033f5f, // clrex
        0xc8027c23, // stxr w2, x3, [x1]  (fails)
      ],
      { 3: 0x5555n },
    );
    w.cpu.run(2);
    expect(w.cpu.getReg(0)).toBe(D0);
    expect(w.cpu.getReg(2)).toBe(0n);
    expect(readU64(w, DATA)).toBe(0x5555n);
    w.cpu.setReg(3, 0x6666n);
    w.cpu.run(3);
    expect(w.cpu.getReg(2)).toBe(1n);
    expect(readU64(w, DATA)).toBe(0x5555n);
  });

  it('a store by someone else between LDXR and STXR makes it fail', () => {
    const w = setup([0xc85f7c20, 0xc8027c23], { 3: 0x7777n });
    w.cpu.run(1);
    writeU64(w.mem, DATA, [0x1234n]);
    w.cpu.run(1);
    expect(w.cpu.getReg(2)).toBe(1n);
    expect(readU64(w, DATA)).toBe(0x1234n);
  });

  it('exception entry clears the monitor', () => {
    const w = setup([0xc85f7c20, 0xd4000001, 0xc8027c23], { 3: 0x7777n }); // ldxr; svc #0; stxr
    // SVC goes to the vector (an HVC in this world); resume after it at the STXR.
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    w.cpu.setReg(PC, BigInt(CODE + 8));
    w.cpu.run(1);
    expect(w.cpu.getReg(2)).toBe(1n);
  });

  it('pairs, bytes and halfwords; acquire/release forms', () => {
    const w = setup(
      [
        0xc87f2027, // ldxp x7, x8, [x1]
        0xc8292c2a, // stxp w9, x10, x11, [x1]
        0x085f7c2e, // ldxrb w14, [x1]
        0x080f7c30, // stxrb w15, w16, [x1]
        0xc8dffc2c, // ldar x12, [x1]
        0x889ffc2d, // stlr w13, [x1]
        0x887fd434, // ldaxp w20, w21, [x1]
      ],
      { 10: 0xaaaan, 11: 0xbbbbn, 16: 0x1ccn, 13: 0xdead_beefn },
    );
    w.cpu.run(7);
    expect(w.cpu.getReg(7)).toBe(D0);
    expect(w.cpu.getReg(8)).toBe(D8);
    expect(w.cpu.getReg(9)).toBe(0n);
    expect(w.cpu.getReg(14)).toBe(0xaan);
    expect(w.cpu.getReg(15)).toBe(0n);
    expect(w.cpu.getReg(12)).toBe(0xaaccn);
    expect(w.cpu.getReg(20)).toBe(0xdead_beefn);
    expect(w.cpu.getReg(21)).toBe(0n);
  });

  it('a misaligned LDAXR is an Alignment fault even on Normal memory', () => {
    const w = setup([0x885ffc24], { 1: BigInt(DATA + 2) }); // ldaxr w4, [x1]
    withHcrDc(w);
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0021n);
  });
});

describe('MMIO', () => {
  it('single-register accesses to non-RAM exit; completion writes Rt, sign-extended', () => {
    const w = setup([0x39801c25, 0xb9000428], { 1: BigInt(MMIO), 8: 0x1122_3344_5566n }); // ldrsb x5, [x1, #7]; str w8, [x1, #4]
    const e = w.cpu.run(10);
    expect(e).toMatchObject({
      kind: 'mmio',
      pa: BigInt(MMIO + 7),
      size: 1,
      isWrite: false,
      rt: 5,
      signExtend: true,
      sf: true,
    });
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE));
    w.cpu.completeMmioRead(0x80n);
    expect(w.cpu.getReg(5)).toBe(0xffff_ffff_ffff_ff80n);
    const s = w.cpu.run(10);
    expect(s).toMatchObject({ kind: 'mmio', pa: BigInt(MMIO + 4), size: 4, isWrite: true, data: 0x3344_5566n });
    w.cpu.skipInstruction();
    expect(w.cpu.getReg(PC)).toBe(BigInt(CODE + 8));
    expect(w.cpu.retired).toBe(2);
  });

  it('big-endian accesses (SCTLR_EL1.EE) exit with the bus value: the bytes in memory order (Arm ARM B2.6)', () => {
    // str w8, [x1]; ldrsh x5, [x1, #2]; ldr x6, [x1, #8]; str x8, [x1, #8]
    const w = setup([0xb9000028, 0x79800425, 0xf9400426, 0xf9000428], { 1: BigInt(MMIO), 8: 0x1122_3344_4142_4344n });
    w.cpu.setSysReg(SysReg.SCTLR_EL1, w.cpu.getSysReg(SysReg.SCTLR_EL1) | (1n << 25n));
    // 0x41424344 stored big-endian is the bytes 41 42 43 44: a little-endian device reads 0x44434241.
    expect(w.cpu.run(10)).toMatchObject({ kind: 'mmio', isWrite: true, size: 4, data: 0x4443_4241n });
    w.cpu.skipInstruction();
    expect(w.cpu.run(10)).toMatchObject({ kind: 'mmio', isWrite: false, size: 2, signExtend: true });
    w.cpu.completeMmioRead(0x0080n); // bytes 80 00: the big-endian halfword 0x8000
    expect(w.cpu.getReg(5)).toBe(0xffff_ffff_ffff_8000n);
    expect(w.cpu.run(10)).toMatchObject({ kind: 'mmio', isWrite: false, size: 8 });
    w.cpu.completeMmioRead(0x0807_0605_0403_0201n);
    expect(w.cpu.getReg(6)).toBe(0x0102_0304_0506_0708n);
    expect(w.cpu.run(10)).toMatchObject({ kind: 'mmio', isWrite: true, size: 8, data: 0x4443_4241_4433_2211n });
  });

  it('a pair or a writeback access to MMIO is a synchronous External abort', () => {
    const w = setup([0xa9405c36], { 1: BigInt(MMIO) }); // ldp x22, x23, [x1]
    expect(w.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(w.cpu.getSysReg(SysReg.ESR_EL1)).toBe(0x9600_0010n);
    const v = setup([0xf841042a], { 1: BigInt(MMIO) }); // ldr x10, [x1], #16
    expect(v.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x1200 });
    expect(v.cpu.getReg(1)).toBe(BigInt(MMIO));
  });
});
