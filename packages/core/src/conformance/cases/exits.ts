/**
 * Exits: what run() hands to the EL2/EL3 side (core/src/exit.ts), and where the PC points:
 * after HVC/SMC/WFI/WFE; at the instruction for sysreg and mmio exits (completed by
 * completeSysRegRead / completeMmioRead / skipInstruction); at the next instruction for budget
 * exits; at the unexecuted breakpoint address for breakpoint exits.
 *
 * Syndromes are as ESR_EL2 would hold them (Arm ARM DDI 0487 D17.2.37 ESR_EL2; ISS encoding
 * for an exception from MSR, MRS or System instruction execution in AArch64 state, EC 0x18).
 */
import { SysReg, sysRegId } from '../../sysregs.js';
import { CODE, EC, esr, MMIO_PA, VECTORS } from '../env.js';
import type { CaseGroup } from '../types.js';

const PC = BigInt(CODE);
const MMIO = BigInt(MMIO_PA);

/**
 * ISS for EC 0x18: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1],
 * Direction [0] (1 = read, MRS).
 */
export function sysregEsr(id: number, rt: number, isRead: boolean): bigint {
  const op0 = (id >> 14) & 3;
  const op1 = (id >> 11) & 7;
  const crn = (id >> 7) & 15;
  const crm = (id >> 3) & 15;
  const op2 = id & 7;
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (isRead ? 1 : 0);
  return esr(EC.SYS64, iss);
}

const IMPDEF_S3_0_C15_C0_0 = sysRegId(3, 0, 15, 0, 0);

export const exits: CaseGroup = {
  name: 'exits',
  ref: 'core/src/exit.ts; Arm ARM D17.2.37 (ESR ISS for EC 0x18), C6.2 HVC/SMC/WFI/WFE',
  cases: [
    // ---- HVC / SMC: the call has completed, PC is after it
    {
      name: 'HVC #imm',
      asm: 'hvc #0x1234',
      words: [0xd4024682],
      expect: { exit: { kind: 'hvc', imm: 0x1234 }, pc: PC + 4n },
    },
    {
      name: 'HVC #0',
      asm: 'nop; hvc #0',
      words: [0xd503201f, 0xd4000002],
      expect: { exit: { kind: 'hvc', imm: 0 }, pc: PC + 8n },
    },
    {
      name: 'HVC #0xffff',
      asm: 'hvc #0xffff',
      words: [0xd41fffe2],
      expect: { exit: { kind: 'hvc', imm: 0xffff }, pc: PC + 4n },
    },
    {
      name: 'SMC #imm',
      asm: 'smc #0x42',
      words: [0xd4000843],
      expect: { exit: { kind: 'smc', imm: 0x42 }, pc: PC + 4n },
    },
    {
      name: 'SMC #0 keeps X0..X17 for the handler',
      asm: 'movz x0, #0x8400, lsl #16; smc #0',
      words: [0xd2b08000, 0xd4000003],
      expect: { exit: { kind: 'smc', imm: 0 }, pc: PC + 8n, regs: { x0: 0x8400_0000n } },
    },

    // ---- Trapped system registers (not implemented natively: the GIC CPU interface)
    {
      name: 'MRS ICC_PMR_EL1 → sysreg exit at the MRS, completeSysRegRead writes Rt and steps',
      asm: 'mrs x3, icc_pmr_el1; add x4, x3, #1',
      words: [0xd5384603, 0x91000464],
      expect: {
        exit: {
          kind: 'sysreg',
          reg: SysReg.ICC_PMR_EL1,
          isRead: true,
          rt: 3,
          esr: sysregEsr(SysReg.ICC_PMR_EL1, 3, true),
        },
        pc: PC,
      },
      next: [
        { host: [{ op: 'completeSysRegRead', value: 0xf0n }], expect: { pc: PC + 4n, regs: { x3: 0xf0n } } },
        { run: 1, expect: { regs: { x4: 0xf1n } } },
      ],
    },
    {
      name: 'MSR ICC_PMR_EL1 → sysreg exit with the value, skipInstruction steps',
      asm: 'msr icc_pmr_el1, x5',
      words: [0xd5184605],
      setup: { regs: { x5: 0xa0n } },
      expect: {
        exit: {
          kind: 'sysreg',
          reg: SysReg.ICC_PMR_EL1,
          isRead: false,
          rt: 5,
          value: 0xa0n,
          esr: sysregEsr(SysReg.ICC_PMR_EL1, 5, false),
        },
        pc: PC,
      },
      next: [{ host: [{ op: 'skipInstruction' }], expect: { pc: PC + 4n } }],
    },
    {
      name: 'MSR ICC_SGI1R_EL1, XZR → rt 31, value 0',
      asm: 'msr icc_sgi1r_el1, xzr',
      words: [0xd518cbbf],
      expect: {
        exit: {
          kind: 'sysreg',
          reg: SysReg.ICC_SGI1R_EL1,
          isRead: false,
          rt: 31,
          value: 0n,
          esr: sysregEsr(SysReg.ICC_SGI1R_EL1, 31, false),
        },
        pc: PC,
      },
    },
    {
      name: 'MRS XZR, ICC_IAR1_EL1 → rt 31; completing it discards the value',
      asm: 'mrs xzr, icc_iar1_el1',
      words: [0xd538cc1f],
      expect: {
        exit: { kind: 'sysreg', reg: SysReg.ICC_IAR1_EL1, isRead: true, rt: 31 },
        pc: PC,
      },
      next: [{ host: [{ op: 'completeSysRegRead', value: 27n }], expect: { pc: PC + 4n } }],
    },
    {
      name: 'MRS of an unallocated IMPLEMENTATION DEFINED register → sysreg exit',
      asm: 'mrs x7, s3_0_c15_c0_0',
      words: [0xd538f007],
      expect: {
        exit: { kind: 'sysreg', reg: IMPDEF_S3_0_C15_C0_0, isRead: true, rt: 7 },
        pc: PC,
      },
      next: [{ host: [{ op: 'completeSysRegRead', value: 0x55n }], expect: { pc: PC + 4n, regs: { x7: 0x55n } } }],
    },

    // ---- MMIO: a load/store whose PA has no RAM
    {
      name: 'LDR W → mmio read, completeMmioRead writes Rt and steps',
      asm: 'ldr w0, [x1]',
      words: [0xb9400020],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO, va: MMIO, size: 4, isWrite: false, rt: 0, signExtend: false, sf: false },
        pc: PC,
      },
      next: [
        {
          host: [{ op: 'completeMmioRead', value: 0x1234_5678n }],
          expect: { pc: PC + 4n, regs: { x0: 0x1234_5678n } },
        },
      ],
    },
    {
      name: 'LDRSB X → mmio read sign-extended to 64 bits',
      asm: 'ldrsb x2, [x1, #1]',
      words: [0x39800422],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO + 1n, size: 1, isWrite: false, rt: 2, signExtend: true, sf: true },
        pc: PC,
      },
      next: [
        {
          host: [{ op: 'completeMmioRead', value: 0x80n }],
          expect: { pc: PC + 4n, regs: { x2: 0xffff_ffff_ffff_ff80n } },
        },
      ],
    },
    {
      name: 'LDRSH W → mmio read sign-extended to 32 bits',
      asm: 'ldrsh w3, [x1, #2]',
      words: [0x79c00423],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO + 2n, size: 2, isWrite: false, rt: 3, signExtend: true, sf: false },
        pc: PC,
      },
      next: [
        { host: [{ op: 'completeMmioRead', value: 0x8000n }], expect: { pc: PC + 4n, regs: { x3: 0xffff_8000n } } },
      ],
    },
    {
      name: 'LDRSW → mmio read',
      asm: 'ldrsw x5, [x1]',
      words: [0xb9800025],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO, size: 4, isWrite: false, rt: 5, signExtend: true, sf: true },
        pc: PC,
      },
      next: [
        {
          host: [{ op: 'completeMmioRead', value: 0x8000_0000n }],
          expect: { pc: PC + 4n, regs: { x5: 0xffff_ffff_8000_0000n } },
        },
      ],
    },
    {
      name: 'LDR X → mmio read of 8 bytes',
      asm: 'ldr x4, [x1, #8]',
      words: [0xf9400424],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO + 8n, size: 8, isWrite: false, rt: 4, signExtend: false, sf: true },
        pc: PC,
      },
      next: [
        {
          host: [{ op: 'completeMmioRead', value: 0x0123_4567_89ab_cdefn }],
          expect: { pc: PC + 4n, regs: { x4: 0x0123_4567_89ab_cdefn } },
        },
      ],
    },
    {
      name: 'LDRB: completeMmioRead keeps only the accessed byte',
      asm: 'ldrb w6, [x1]',
      words: [0x39400026],
      setup: { regs: { x1: MMIO } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO, size: 1, isWrite: false, rt: 6, signExtend: false, sf: false },
        pc: PC,
      },
      next: [{ host: [{ op: 'completeMmioRead', value: 0x1ffn }], expect: { pc: PC + 4n, regs: { x6: 0xffn } } }],
    },
    {
      name: 'LDR (register offset) → mmio read at base + index',
      asm: 'ldr w0, [x1, x2]',
      words: [0xb8626820],
      setup: { regs: { x1: MMIO, x2: 0x18n } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO + 0x18n, va: MMIO + 0x18n, size: 4, isWrite: false, rt: 0 },
        pc: PC,
      },
    },
    {
      name: 'STR W → mmio write of the low 32 bits, skipInstruction steps',
      asm: 'str w2, [x1, #4]',
      words: [0xb9000422],
      setup: { regs: { x1: MMIO, x2: 0xdead_beef_cafe_f00dn } },
      expect: {
        exit: { kind: 'mmio', pa: MMIO + 4n, va: MMIO + 4n, size: 4, isWrite: true, data: 0xcafe_f00dn },
        pc: PC,
      },
      next: [{ host: [{ op: 'skipInstruction' }], expect: { pc: PC + 4n } }],
    },
    {
      name: 'STRB → mmio write of one byte',
      asm: 'strb w2, [x1]',
      words: [0x39000022],
      setup: { regs: { x1: MMIO, x2: 0xdead_beef_cafe_f00dn } },
      expect: { exit: { kind: 'mmio', pa: MMIO, size: 1, isWrite: true, data: 0x0dn }, pc: PC },
    },
    {
      name: 'STRH → mmio write of two bytes',
      asm: 'strh w2, [x1, #2]',
      words: [0x79000422],
      setup: { regs: { x1: MMIO, x2: 0xdead_beef_cafe_f00dn } },
      expect: { exit: { kind: 'mmio', pa: MMIO + 2n, size: 2, isWrite: true, data: 0xf00dn }, pc: PC },
    },
    {
      name: 'STR X → mmio write of 8 bytes',
      asm: 'str x2, [x1]',
      words: [0xf9000022],
      setup: { regs: { x1: MMIO, x2: 0xdead_beef_cafe_f00dn } },
      expect: { exit: { kind: 'mmio', pa: MMIO, size: 8, isWrite: true, data: 0xdead_beef_cafe_f00dn }, pc: PC },
    },
    {
      name: 'STR XZR → mmio write of 0',
      asm: 'str xzr, [x1]',
      words: [0xf900003f],
      setup: { regs: { x1: MMIO } },
      expect: { exit: { kind: 'mmio', pa: MMIO, size: 8, isWrite: true, data: 0n }, pc: PC },
    },

    // ---- WFI / WFE: the wait has been entered, PC is after the instruction
    {
      name: 'WFI',
      asm: 'wfi',
      words: [0xd503207f],
      expect: { exit: { kind: 'wfi' }, pc: PC + 4n },
    },
    {
      name: 'WFE',
      asm: 'wfe',
      words: [0xd503205f],
      expect: { exit: { kind: 'wfe' }, pc: PC + 4n },
    },

    // ---- Budget: exactly N instructions retire
    {
      name: 'budget stops after exactly N instructions, and resumes',
      asm: 'nop; nop; nop; nop; nop; nop; nop; nop',
      words: [0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f, 0xd503201f],
      steps: 3,
      expect: { exit: { kind: 'budget' }, pc: PC + 12n, retired: 3 },
      next: [{ run: 5, expect: { pc: PC + 32n, retired: 8 } }],
    },
    {
      name: 'budget counts every instruction of a loop',
      asm: 'add x0, x0, #1; b .-4',
      words: [0x91000400, 0x17ffffff],
      setup: { regs: { x0: 0n } },
      steps: 1001,
      expect: { exit: { kind: 'budget' }, pc: PC + 4n, regs: { x0: 501n }, retired: 1001 },
    },
    {
      name: 'budget of 1 across a taken branch',
      asm: 'b .+12',
      words: [0x14000003],
      steps: 1,
      expect: { exit: { kind: 'budget' }, pc: PC + 12n, retired: 1 },
    },

    // ---- Breakpoints: run() stops before executing a breakpoint PC
    {
      name: 'breakpoints stop before the instruction, on fall-through and branch targets',
      asm: 'nop; nop; nop; b .+8; nop; nop; hvc #1',
      words: [0xd503201f, 0xd503201f, 0xd503201f, 0x14000002, 0xd503201f, 0xd503201f, 0xd4000022],
      setup: { host: [{ op: 'breakpoints', pcs: [PC + 8n, PC + 16n, PC + 20n] }] },
      expect: { exit: { kind: 'breakpoint', pc: PC + 8n }, pc: PC + 8n, retired: 2 },
      next: [
        {
          host: [{ op: 'breakpoints', pcs: [PC + 16n, PC + 20n] }],
          run: 100,
          expect: { exit: { kind: 'breakpoint', pc: PC + 20n }, pc: PC + 20n, retired: 4 },
        },
        {
          host: [{ op: 'breakpoints', pcs: [] }],
          run: 100,
          expect: { exit: { kind: 'hvc', imm: 1 }, pc: PC + 28n },
        },
      ],
    },
    {
      name: 'a breakpoint on an exception vector stops after exception entry',
      asm: 'svc #0',
      words: [0xd4000001],
      setup: { host: [{ op: 'breakpoints', pcs: [BigInt(VECTORS + 0x200)] }] },
      expect: {
        exit: { kind: 'breakpoint', pc: BigInt(VECTORS + 0x200) },
        pc: BigInt(VECTORS + 0x200),
        pstate: 0x3c5n,
        sysregs: { ESR_EL1: esr(EC.SVC64, 0), ELR_EL1: PC + 4n },
      },
    },
  ],
};
