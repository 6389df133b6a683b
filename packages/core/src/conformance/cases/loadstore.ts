/**
 * Loads and stores (Arm ARM DDI 0487 C4.1.94 "Loads and Stores"; C6.2 LDR/STR in every
 * addressing mode, LDP/STP/LDPSW, LDXR/STXR/LDAXR/STLXR/LDXP/STXP, LDAR/STLR, CLREX).
 *
 * The MMU is off in these cases, so data accesses are to Device-nGnRnE memory (Arm ARM D8.2
 * "Behavior when stage 1 address translation is disabled") and every access here is naturally
 * aligned: unaligned accesses are covered in the mmu group, with Normal memory.
 * Base register 31 is SP; transfer register 31 is XZR.
 *
 * DATA holds, as little-endian doublewords:
 *   +0  0x0011223344556677   +8  0x8899aabbccddeeff   +16 0x0123456789abcdef   +24 0xfedcba9876543210
 */
import { CODE, DATA, SP_EL1_TOP } from '../env.js';
import type { CaseGroup, MemSpec } from '../types.js';

const D = BigInt(DATA);
const SP = BigInt(SP_EL1_TOP);
const PC = BigInt(CODE);
const D0 = 0x0011_2233_4455_6677n;
const D8 = 0x8899_aabb_ccdd_eeffn;
const D16 = 0x0123_4567_89ab_cdefn;
const D24 = 0xfedc_ba98_7654_3210n;
const PATTERN: MemSpec = { at: DATA, u64: [D0, D8, D16, D24] };
const mem = [PATTERN];
const NEW = 0x1122_3344_5566_7788n;

export const loadStore: CaseGroup = {
  name: 'loads and stores',
  ref: 'Arm ARM C4.1.94, C6.2 (LDR/STR forms, LDP/STP, exclusives, acquire/release), B2.9 exclusives',
  cases: [
    // ---- Unsigned offset
    {
      name: 'LDR (unsigned offset)',
      asm: 'ldr x0, [x1, #8]',
      words: [0xf9400420],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR 32-bit zero-extends',
      asm: 'ldr w0, [x1, #12]',
      words: [0xb9400c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0x8899_aabbn } },
    },
    {
      name: 'LDRB',
      asm: 'ldrb w0, [x1, #9]',
      words: [0x39402420],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xeen } },
    },
    {
      name: 'LDRH',
      asm: 'ldrh w0, [x1, #10]',
      words: [0x79401420],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xccddn } },
    },
    {
      name: 'LDRSB to X',
      asm: 'ldrsb x0, [x1, #15]',
      words: [0x39803c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_ffff_ffff_ff88n } },
    },
    {
      name: 'LDRSB to W zero-extends the 32-bit result',
      asm: 'ldrsb w0, [x1, #15]',
      words: [0x39c03c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_ff88n } },
    },
    {
      name: 'LDRSB positive byte',
      asm: 'ldrsb x0, [x1, #6]',
      words: [0x39801820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0x11n } },
    },
    {
      name: 'LDRSH to X',
      asm: 'ldrsh x0, [x1, #14]',
      words: [0x79801c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_ffff_ffff_8899n } },
    },
    {
      name: 'LDRSH to W',
      asm: 'ldrsh w0, [x1, #14]',
      words: [0x79c01c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_8899n } },
    },
    {
      name: 'LDRSW',
      asm: 'ldrsw x0, [x1, #12]',
      words: [0xb9800c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_ffff_8899_aabbn } },
    },
    {
      name: 'LDR largest scaled offset (32760)',
      asm: 'ldr x0, [x1, #32760]',
      words: [0xf97ffc20],
      setup: { mem: [{ at: DATA + 32760, u64: [0xcafe_f00d_dead_beefn] }], regs: { x1: D } },
      expect: { regs: { x0: 0xcafe_f00d_dead_beefn } },
    },
    {
      name: 'LDR Rn = 31 is SP',
      asm: 'ldr x0, [sp, #8]',
      words: [0xf94007e0],
      setup: { mem: [{ at: SP_EL1_TOP, u64: [0n, NEW] }] },
      expect: { regs: { x0: NEW } },
    },
    {
      name: 'LDR Rt = 31 discards the value',
      asm: 'ldr xzr, [x1]',
      words: [0xf940003f],
      setup: { mem, regs: { x1: D } },
      expect: {},
    },
    {
      name: 'STR (unsigned offset)',
      asm: 'str x2, [x1, #16]',
      words: [0xf9000822],
      setup: { mem, regs: { x1: D, x2: NEW } },
      expect: { mem: [{ at: DATA, u64: [D0, D8, NEW, D24] }] },
    },
    {
      name: 'STR 32-bit writes 4 bytes',
      asm: 'str w2, [x1, #16]',
      words: [0xb9001022],
      setup: { mem, regs: { x1: D, x2: 0xffff_ffff_aabb_ccddn } },
      expect: { mem: [{ at: DATA + 16, u64: [0x0123_4567_aabb_ccddn] }] },
    },
    {
      name: 'STRB',
      asm: 'strb w2, [x1, #3]',
      words: [0x39000c22],
      setup: { mem, regs: { x1: D, x2: 0x1ffn } },
      expect: { mem: [{ at: DATA, u64: [0x0011_2233_ff55_6677n] }] },
    },
    {
      name: 'STRH',
      asm: 'strh w2, [x1, #6]',
      words: [0x79000c22],
      setup: { mem, regs: { x1: D, x2: 0xabcdn } },
      expect: { mem: [{ at: DATA, u64: [0xabcd_2233_4455_6677n] }] },
    },
    {
      name: 'STR Rt = 31 stores zero',
      asm: 'str xzr, [x1]',
      words: [0xf900003f],
      setup: { mem, regs: { x1: D } },
      expect: { mem: [{ at: DATA, u64: [0n, D8] }] },
    },
    {
      name: 'STRB WZR',
      asm: 'strb wzr, [x1, #1]',
      words: [0x3900043f],
      setup: { mem, regs: { x1: D } },
      expect: { mem: [{ at: DATA, u64: [0x0011_2233_4455_0077n] }] },
    },

    // ---- Pre-/post-index with writeback
    {
      name: 'LDR pre-index writes back',
      asm: 'ldr x0, [x1, #8]!',
      words: [0xf8408c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D8, x1: D + 8n } },
    },
    {
      name: 'LDR post-index writes back',
      asm: 'ldr x0, [x1], #16',
      words: [0xf8410420],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D0, x1: D + 16n } },
    },
    {
      name: 'STR pre-index negative',
      asm: 'str x2, [x1, #-8]!',
      words: [0xf81f8c22],
      setup: { mem, regs: { x1: D + 16n, x2: NEW } },
      expect: { regs: { x1: D + 8n }, mem: [{ at: DATA, u64: [D0, NEW, D16] }] },
    },
    {
      name: 'STRB post-index negative',
      asm: 'strb w2, [x1], #-1',
      words: [0x381ff422],
      setup: { mem, regs: { x1: D + 4n, x2: 0xaan } },
      expect: { regs: { x1: D + 3n }, mem: [{ at: DATA, u64: [0x0011_22aa_4455_6677n] }] },
    },
    {
      name: 'LDRSW post-index',
      asm: 'ldrsw x0, [x1], #4',
      words: [0xb8804420],
      setup: { mem, regs: { x1: D + 12n } },
      expect: { regs: { x0: 0xffff_ffff_8899_aabbn, x1: D + 16n } },
    },
    {
      name: 'LDRH pre-index negative',
      asm: 'ldrh w0, [x1, #-2]!',
      words: [0x785fec20],
      setup: { mem, regs: { x1: D + 8n } },
      expect: { regs: { x0: 0x0011n, x1: D + 6n } },
    },
    {
      name: 'STR pre-index on SP (push)',
      asm: 'str x2, [sp, #-16]!',
      words: [0xf81f0fe2],
      setup: { regs: { x2: NEW } },
      expect: { regs: { sp_el1: SP - 16n }, mem: [{ at: SP_EL1_TOP - 16, u64: [NEW] }] },
    },
    {
      name: 'LDR post-index on SP (pop)',
      asm: 'ldr x0, [sp], #16',
      words: [0xf84107e0],
      setup: { mem: [{ at: SP_EL1_TOP, u64: [NEW] }] },
      expect: { regs: { x0: NEW, sp_el1: SP + 16n } },
    },

    // ---- Unscaled immediate
    {
      name: 'LDUR negative offset',
      asm: 'ldur x0, [x1, #-8]',
      words: [0xf85f8020],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDUR 32-bit',
      asm: 'ldur w0, [x1, #-4]',
      words: [0xb85fc020],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: 0x8899_aabbn } },
    },
    {
      name: 'LDURSB',
      asm: 'ldursb x0, [x1, #-1]',
      words: [0x389ff020],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: 0xffff_ffff_ffff_ff88n } },
    },
    {
      name: 'LDURSW',
      asm: 'ldursw x0, [x1, #-4]',
      words: [0xb89fc020],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: 0xffff_ffff_8899_aabbn } },
    },
    {
      name: 'LDURH largest offset (+255)',
      asm: 'ldurh w0, [x1, #255]',
      words: [0x784ff020],
      setup: { mem, regs: { x1: D - 247n } },
      expect: { regs: { x0: 0xeeffn } },
    },
    {
      name: 'STUR smallest offset (-256)',
      asm: 'stur x2, [x1, #-256]',
      words: [0xf8100022],
      setup: { mem, regs: { x1: D + 256n, x2: NEW } },
      expect: { mem: [{ at: DATA, u64: [NEW, D8] }] },
    },
    {
      name: 'STURB',
      asm: 'sturb w2, [x1, #-1]',
      words: [0x381ff022],
      setup: { mem, regs: { x1: D + 1n, x2: 0x5an } },
      expect: { mem: [{ at: DATA, u64: [0x0011_2233_4455_665an] }] },
    },

    // ---- Register offset
    {
      name: 'LDR (register)',
      asm: 'ldr x0, [x1, x2]',
      words: [0xf8626820],
      setup: { mem, regs: { x1: D, x2: 8n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR (register) LSL #3',
      asm: 'ldr x0, [x1, x2, lsl #3]',
      words: [0xf8627820],
      setup: { mem, regs: { x1: D, x2: 2n } },
      expect: { regs: { x0: D16 } },
    },
    {
      name: 'LDR (register) UXTW ignores the upper half of Wm',
      asm: 'ldr x0, [x1, w2, uxtw]',
      words: [0xf8624820],
      setup: { mem, regs: { x1: D, x2: 0xffff_ffff_0000_0008n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR (register) UXTW #3',
      asm: 'ldr x0, [x1, w2, uxtw #3]',
      words: [0xf8625820],
      setup: { mem, regs: { x1: D, x2: 0xffff_ffff_0000_0001n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR (register) SXTW negative',
      asm: 'ldr x0, [x1, w2, sxtw]',
      words: [0xf862c820],
      setup: { mem, regs: { x1: D + 16n, x2: 0x1234_5678_ffff_fff8n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR (register) SXTW #3',
      asm: 'ldr x0, [x1, w2, sxtw #3]',
      words: [0xf862d820],
      setup: { mem, regs: { x1: D + 16n, x2: 0xffff_ffffn } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDR (register) SXTX',
      asm: 'ldr x0, [x1, x2, sxtx]',
      words: [0xf862e820],
      setup: { mem, regs: { x1: D + 16n, x2: 0xffff_ffff_ffff_fff8n } },
      expect: { regs: { x0: D8 } },
    },
    {
      name: 'LDRB (register)',
      asm: 'ldrb w0, [x1, x2]',
      words: [0x38626820],
      setup: { mem, regs: { x1: D, x2: 9n } },
      expect: { regs: { x0: 0xeen } },
    },
    {
      name: 'LDRH (register) LSL #1',
      asm: 'ldrh w0, [x1, x2, lsl #1]',
      words: [0x78627820],
      setup: { mem, regs: { x1: D, x2: 5n } },
      expect: { regs: { x0: 0xccddn } },
    },
    {
      name: 'LDR 32-bit (register) LSL #2',
      asm: 'ldr w0, [x1, x2, lsl #2]',
      words: [0xb8627820],
      setup: { mem, regs: { x1: D, x2: 3n } },
      expect: { regs: { x0: 0x8899_aabbn } },
    },
    {
      name: 'LDRSW (register) UXTW #2',
      asm: 'ldrsw x0, [x1, w2, uxtw #2]',
      words: [0xb8a25820],
      setup: { mem, regs: { x1: D, x2: 3n } },
      expect: { regs: { x0: 0xffff_ffff_8899_aabbn } },
    },
    {
      name: 'LDRSH (register) LSL #1',
      asm: 'ldrsh x0, [x1, x2, lsl #1]',
      words: [0x78a27820],
      setup: { mem, regs: { x1: D, x2: 7n } },
      expect: { regs: { x0: 0xffff_ffff_ffff_8899n } },
    },
    {
      name: 'STR (register) SXTW #3',
      asm: 'str x3, [x1, w2, sxtw #3]',
      words: [0xf822d823],
      setup: { mem, regs: { x1: D + 16n, x2: 0xffff_ffffn, x3: NEW } },
      expect: { mem: [{ at: DATA, u64: [D0, NEW, D16] }] },
    },
    {
      name: 'LDR (register) Rm = 31 is XZR',
      asm: 'ldr x0, [x1, xzr]',
      words: [0xf87f6820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D0 } },
    },
    {
      name: 'LDR (register) Rn = 31 is SP',
      asm: 'ldr x0, [sp, x2]',
      words: [0xf8626be0],
      setup: { mem: [{ at: SP_EL1_TOP, u64: [0n, NEW] }], regs: { x2: 8n } },
      expect: { regs: { x0: NEW } },
    },

    // ---- Literal
    {
      name: 'LDR (literal)',
      asm: 'ldr x0, .+8; nop; .quad 0x0123456789abcdef',
      words: [0x58000040, 0xd503201f, 0x89abcdef, 0x01234567],
      steps: 1,
      expect: { regs: { x0: D16 } },
    },
    {
      name: 'LDR (literal) 32-bit',
      asm: 'ldr w0, .+8; nop; .word 0x80000000',
      words: [0x18000040, 0xd503201f, 0x80000000],
      steps: 1,
      expect: { regs: { x0: 0x8000_0000n } },
    },
    {
      name: 'LDRSW (literal)',
      asm: 'ldrsw x0, .+8; nop; .word 0x80000000',
      words: [0x98000040, 0xd503201f, 0x80000000],
      steps: 1,
      expect: { regs: { x0: 0xffff_ffff_8000_0000n } },
    },
    {
      name: 'LDR (literal) backward',
      asm: '.quad 0xfedcba9876543210; ldr x0, .-8',
      words: [0x76543210, 0xfedcba98, 0x58ffffc0],
      setup: { pc: PC + 8n },
      steps: 1,
      expect: { regs: { x0: D24 } },
    },

    // ---- Pairs
    {
      name: 'LDP',
      asm: 'ldp x0, x2, [x1]',
      words: [0xa9400820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D0, x2: D8 } },
    },
    {
      name: 'LDP 32-bit zero-extends',
      asm: 'ldp w0, w2, [x1, #8]',
      words: [0x29410820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xccdd_eeffn, x2: 0x8899_aabbn } },
    },
    {
      name: 'LDPSW sign-extends',
      asm: 'ldpsw x0, x2, [x1, #8]',
      words: [0x69410820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0xffff_ffff_ccdd_eeffn, x2: 0xffff_ffff_8899_aabbn } },
    },
    {
      name: 'LDPSW post-index',
      asm: 'ldpsw x0, x2, [x1], #8',
      words: [0x68c10820],
      setup: { mem, regs: { x1: D + 8n } },
      expect: { regs: { x0: 0xffff_ffff_ccdd_eeffn, x2: 0xffff_ffff_8899_aabbn, x1: D + 16n } },
    },
    {
      name: 'STP',
      asm: 'stp x2, x3, [x1, #16]',
      words: [0xa9010c22],
      setup: { mem, regs: { x1: D, x2: NEW, x3: 1n } },
      expect: { mem: [{ at: DATA, u64: [D0, D8, NEW, 1n] }] },
    },
    {
      name: 'STP 32-bit',
      asm: 'stp w2, w3, [x1, #8]',
      words: [0x29010c22],
      setup: { mem, regs: { x1: D, x2: 0xffff_ffff_1111_1111n, x3: 0xffff_ffff_2222_2222n } },
      expect: { mem: [{ at: DATA, u64: [D0, 0x2222_2222_1111_1111n, D16] }] },
    },
    {
      name: 'STP pre-index on SP (frame push)',
      asm: 'stp x29, x30, [sp, #-16]!',
      words: [0xa9bf7bfd],
      setup: { regs: { x29: 0x29n, x30: 0x30n } },
      expect: { regs: { sp_el1: SP - 16n }, mem: [{ at: SP_EL1_TOP - 16, u64: [0x29n, 0x30n] }] },
    },
    {
      name: 'LDP post-index on SP (frame pop)',
      asm: 'ldp x29, x30, [sp], #16',
      words: [0xa8c17bfd],
      setup: { mem: [{ at: SP_EL1_TOP, u64: [0x29n, 0x30n] }] },
      expect: { regs: { x29: 0x29n, x30: 0x30n, sp_el1: SP + 16n } },
    },
    {
      name: 'LDP pre-index negative',
      asm: 'ldp x0, x2, [x1, #-16]!',
      words: [0xa9ff0820],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: D0, x2: D8, x1: D } },
    },
    {
      name: 'STP XZR, XZR',
      asm: 'stp xzr, xzr, [x1]',
      words: [0xa9007c3f],
      setup: { mem, regs: { x1: D } },
      expect: { mem: [{ at: DATA, u64: [0n, 0n, D16] }] },
    },
    {
      name: 'LDP largest offset (504)',
      asm: 'ldp x0, x2, [x1, #504]',
      words: [0xa95f8820],
      setup: { mem: [{ at: DATA + 504, u64: [D16, D24] }], regs: { x1: D } },
      expect: { regs: { x0: D16, x2: D24 } },
    },
    {
      name: 'LDNP',
      asm: 'ldnp x0, x2, [x1, #16]',
      words: [0xa8410820],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: D16, x2: D24 } },
    },
    {
      name: 'STNP',
      asm: 'stnp x2, x3, [x1]',
      words: [0xa8000c22],
      setup: { mem, regs: { x1: D, x2: 2n, x3: 3n } },
      expect: { mem: [{ at: DATA, u64: [2n, 3n, D16] }] },
    },

    // ---- Exclusives (B2.9: the local monitor; STXR status 0 = success, 1 = failure)
    {
      name: 'LDXR/STXR succeed',
      asm: 'ldxr x0, [x1]; stxr w3, x2, [x1]',
      words: [0xc85f7c20, 0xc8037c22],
      setup: { mem, regs: { x1: D, x2: NEW } },
      expect: { regs: { x0: D0, x3: 0n }, mem: [{ at: DATA, u64: [NEW] }] },
    },
    {
      name: 'STXR fails after CLREX and does not store',
      asm: 'ldxr x0, [x1]; clrex; stxr w3, x2, [x1]',
      words: [0xc85f7c20, 0xd5033f5f, 0xc8037c22],
      setup: { mem, regs: { x1: D, x2: NEW } },
      expect: { regs: { x0: D0, x3: 1n }, mem: [{ at: DATA, u64: [D0] }] },
    },
    {
      name: 'LDXR/STXR 32-bit increment',
      asm: 'ldxr w0, [x1]; add w0, w0, #1; stxr w3, w0, [x1]',
      words: [0x885f7c20, 0x11000400, 0x88037c20],
      setup: { mem, regs: { x1: D } },
      expect: { regs: { x0: 0x4455_6678n, x3: 0n }, mem: [{ at: DATA, u64: [0x0011_2233_4455_6678n] }] },
    },
    {
      name: 'LDXRB/STXRB',
      asm: 'ldxrb w0, [x1]; stxrb w3, w2, [x1]',
      words: [0x085f7c20, 0x08037c22],
      setup: { mem, regs: { x1: D, x2: 0x1aan } },
      expect: { regs: { x0: 0x77n, x3: 0n }, mem: [{ at: DATA, u64: [0x0011_2233_4455_66aan] }] },
    },
    {
      name: 'LDXRH/STXRH',
      asm: 'ldxrh w0, [x1]; stxrh w3, w2, [x1]',
      words: [0x485f7c20, 0x48037c22],
      setup: { mem, regs: { x1: D, x2: 0xbeefn } },
      expect: { regs: { x0: 0x6677n, x3: 0n }, mem: [{ at: DATA, u64: [0x0011_2233_4455_beefn] }] },
    },
    {
      name: 'LDXP/STXP',
      asm: 'ldxp x0, x2, [x1]; stxp w3, x4, x5, [x1]',
      words: [0xc87f0820, 0xc8231424],
      setup: { mem, regs: { x1: D, x4: 4n, x5: 5n } },
      expect: { regs: { x0: D0, x2: D8, x3: 0n }, mem: [{ at: DATA, u64: [4n, 5n, D16] }] },
    },
    {
      name: 'LDAXR/STLXR succeed',
      asm: 'ldaxr x0, [x1]; stlxr w3, x2, [x1]',
      words: [0xc85ffc20, 0xc803fc22],
      setup: { mem, regs: { x1: D + 8n, x2: NEW } },
      expect: { regs: { x0: D8, x3: 0n }, mem: [{ at: DATA + 8, u64: [NEW] }] },
    },
    {
      name: 'LDAXP/STLXP fail after CLREX',
      asm: 'ldaxp x0, x2, [x1]; clrex; stlxp w3, x4, x5, [x1]',
      words: [0xc87f8820, 0xd5033f5f, 0xc8239424],
      setup: { mem, regs: { x1: D, x4: 4n, x5: 5n } },
      expect: { regs: { x0: D0, x2: D8, x3: 1n }, mem: [{ at: DATA, u64: [D0, D8] }] },
    },

    // ---- Stores to code: a new instruction is fetched after cache maintenance (B2.4.4
    // "Concurrent modification and execution of instructions"; D7.5 instruction cache maintenance)
    {
      name: 'guest overwrites an instruction it has executed; after DC CVAU/IC IVAU/ISB the new one runs',
      asm: 'bl 1f; str w2, [x1]; dc cvau, x1; dsb ish; ic ivau, x1; dsb ish; isb; mov x3, x0; bl 1f; hvc #0; .org 0x40; 1: movz x0, #1; ret',
      words: [
        0x94000010, 0xb9000022, 0xd50b7b21, 0xd5033b9f, 0xd50b7521, 0xd5033b9f, 0xd5033fdf, 0xaa0003e3, 0x94000008,
        0xd4000002, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xd2800020, 0xd65f03c0,
      ],
      setup: { regs: { x1: PC + 0x40n, x2: 0xd280_0540n /* movz x0, #42 */ } },
      expect: {
        exit: { kind: 'hvc', imm: 0 },
        pc: PC + 0x28n,
        regs: { x0: 42n, x3: 1n, x30: PC + 0x24n },
        mem: [{ at: CODE + 0x40, u32: [0xd280_0540] }],
      },
    },
    {
      name: 'host overwrites an instruction the guest has executed (PhysMem.write): the new one runs',
      asm: 'bl 1f; hvc #1; bl 1f; hvc #2; .org 0x40; 1: movz x0, #1; ret',
      words: [
        0x94000010, 0xd4000022, 0x9400000e, 0xd4000042, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
        0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xd2800020, 0xd65f03c0,
      ],
      expect: { exit: { kind: 'hvc', imm: 1 }, pc: PC + 8n, regs: { x0: 1n, x30: PC + 4n } },
      next: [
        {
          host: [{ op: 'writeMem', mem: { at: CODE + 0x40, u32: [0xd280_0540] } }],
          run: 100,
          expect: { exit: { kind: 'hvc', imm: 2 }, pc: PC + 16n, regs: { x0: 42n, x30: PC + 12n } },
        },
      ],
    },

    // ---- Load-acquire / store-release
    {
      name: 'LDAR',
      asm: 'ldar x0, [x1]',
      words: [0xc8dffc20],
      setup: { mem, regs: { x1: D + 16n } },
      expect: { regs: { x0: D16 } },
    },
    {
      name: 'LDAR 32-bit',
      asm: 'ldar w0, [x1]',
      words: [0x88dffc20],
      setup: { mem, regs: { x1: D + 12n } },
      expect: { regs: { x0: 0x8899_aabbn } },
    },
    {
      name: 'LDARB',
      asm: 'ldarb w0, [x1]',
      words: [0x08dffc20],
      setup: { mem, regs: { x1: D + 15n } },
      expect: { regs: { x0: 0x88n } },
    },
    {
      name: 'STLR',
      asm: 'stlr x2, [x1]',
      words: [0xc89ffc22],
      setup: { mem, regs: { x1: D + 8n, x2: NEW } },
      expect: { mem: [{ at: DATA, u64: [D0, NEW, D16] }] },
    },
    {
      name: 'STLRH',
      asm: 'stlrh w2, [x1]',
      words: [0x489ffc22],
      setup: { mem, regs: { x1: D, x2: 0x1_2345n } },
      expect: { mem: [{ at: DATA, u64: [0x0011_2233_4455_2345n] }] },
    },
  ],
};
