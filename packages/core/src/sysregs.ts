/**
 * System-register identifiers.
 *
 * A SysRegId packs (op0, op1, CRn, CRm, op2) exactly as KVM's ARM64_SYS_REG index does
 * (linux arch/arm64/include/uapi/asm/kvm.h: OP0 at bit 14, OP1 at 11, CRN at 7, CRM at 3,
 * OP2 at 0), so the value is also the low 16 bits of a KVM ONE_REG sysreg ID.
 * The same five fields appear in MRS/MSR at bits 20..5 of the instruction word.
 *
 * Names and encodings are from the Arm ARM (DDI 0487) chapter D23/D24 register descriptions.
 * This is the one table of names in the repository: a64's disassembler and every package that
 * names a register use it.
 */
export type SysRegId = number;

export function sysRegId(op0: number, op1: number, crn: number, crm: number, op2: number): SysRegId {
  return ((op0 & 3) << 14) | ((op1 & 7) << 11) | ((crn & 15) << 7) | ((crm & 15) << 3) | (op2 & 7);
}

export interface SysRegFields {
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
}

export function sysRegFields(id: SysRegId): SysRegFields {
  return { op0: (id >> 14) & 3, op1: (id >> 11) & 7, crn: (id >> 7) & 15, crm: (id >> 3) & 15, op2: id & 7 };
}

/** The SysRegId carried by an MRS/MSR (register) instruction word: bits 20..5 (o0 is op0-2). */
export const sysRegIdFromInsn = (insn: number): SysRegId => (((insn >>> 5) & 0x7fff) | 0x8000) & 0xffff;

/** Generic name used when a register has no entry: S<op0>_<op1>_C<n>_C<m>_<op2> (binutils style). */
export function sysRegGenericName(id: SysRegId): string {
  const f = sysRegFields(id);
  return `S${f.op0}_${f.op1}_C${f.crn}_C${f.crm}_${f.op2}`;
}

const R = sysRegId;

/** Named system registers. Extend freely; keep Arm's spelling. */
export const SysReg = {
  // Identification (Arm ARM D23.2)
  MIDR_EL1: R(3, 0, 0, 0, 0),
  MPIDR_EL1: R(3, 0, 0, 0, 5),
  REVIDR_EL1: R(3, 0, 0, 0, 6),
  ID_AA64PFR0_EL1: R(3, 0, 0, 4, 0),
  ID_AA64PFR1_EL1: R(3, 0, 0, 4, 1),
  ID_AA64ZFR0_EL1: R(3, 0, 0, 4, 4),
  ID_AA64DFR0_EL1: R(3, 0, 0, 5, 0),
  ID_AA64DFR1_EL1: R(3, 0, 0, 5, 1),
  ID_AA64AFR0_EL1: R(3, 0, 0, 5, 4),
  ID_AA64AFR1_EL1: R(3, 0, 0, 5, 5),
  ID_AA64ISAR0_EL1: R(3, 0, 0, 6, 0),
  ID_AA64ISAR1_EL1: R(3, 0, 0, 6, 1),
  ID_AA64ISAR2_EL1: R(3, 0, 0, 6, 2),
  ID_AA64MMFR0_EL1: R(3, 0, 0, 7, 0),
  ID_AA64MMFR1_EL1: R(3, 0, 0, 7, 1),
  ID_AA64MMFR2_EL1: R(3, 0, 0, 7, 2),
  CTR_EL0: R(3, 3, 0, 0, 1),
  DCZID_EL0: R(3, 3, 0, 0, 7),
  CLIDR_EL1: R(3, 1, 0, 0, 1),
  CCSIDR_EL1: R(3, 1, 0, 0, 0),
  CSSELR_EL1: R(3, 2, 0, 0, 0),
  // EL1 system control and translation
  SCTLR_EL1: R(3, 0, 1, 0, 0),
  ACTLR_EL1: R(3, 0, 1, 0, 1),
  CPACR_EL1: R(3, 0, 1, 0, 2),
  TTBR0_EL1: R(3, 0, 2, 0, 0),
  TTBR1_EL1: R(3, 0, 2, 0, 1),
  TCR_EL1: R(3, 0, 2, 0, 2),
  AFSR0_EL1: R(3, 0, 5, 1, 0),
  AFSR1_EL1: R(3, 0, 5, 1, 1),
  ESR_EL1: R(3, 0, 5, 2, 0),
  FAR_EL1: R(3, 0, 6, 0, 0),
  PAR_EL1: R(3, 0, 7, 4, 0),
  MAIR_EL1: R(3, 0, 10, 2, 0),
  AMAIR_EL1: R(3, 0, 10, 3, 0),
  VBAR_EL1: R(3, 0, 12, 0, 0),
  ISR_EL1: R(3, 0, 12, 1, 0),
  CONTEXTIDR_EL1: R(3, 0, 13, 0, 1),
  TPIDR_EL1: R(3, 0, 13, 0, 4),
  TPIDR_EL0: R(3, 3, 13, 0, 2),
  TPIDRRO_EL0: R(3, 3, 13, 0, 3),
  CNTKCTL_EL1: R(3, 0, 14, 1, 0),
  // Special-purpose (Arm ARM C5.2)
  SPSR_EL1: R(3, 0, 4, 0, 0),
  ELR_EL1: R(3, 0, 4, 0, 1),
  SP_EL0: R(3, 0, 4, 1, 0),
  SPSel: R(3, 0, 4, 2, 0),
  CurrentEL: R(3, 0, 4, 2, 2),
  DAIF: R(3, 3, 4, 2, 1),
  NZCV: R(3, 3, 4, 2, 0),
  PAN: R(3, 0, 4, 2, 3),
  UAO: R(3, 0, 4, 2, 4),
  FPCR: R(3, 3, 4, 4, 0),
  FPSR: R(3, 3, 4, 4, 1),
  DIT: R(3, 3, 4, 2, 5),
  SSBS: R(3, 3, 4, 2, 6),
  SP_EL1: R(3, 4, 4, 1, 0),
  // Generic timer (Arm ARM D23.8)
  CNTFRQ_EL0: R(3, 3, 14, 0, 0),
  CNTPCT_EL0: R(3, 3, 14, 0, 1),
  CNTVCT_EL0: R(3, 3, 14, 0, 2),
  CNTP_TVAL_EL0: R(3, 3, 14, 2, 0),
  CNTP_CTL_EL0: R(3, 3, 14, 2, 1),
  CNTP_CVAL_EL0: R(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: R(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: R(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: R(3, 3, 14, 3, 2),
  // GICv3 CPU interface (GIC architecture spec IHI 0069, 12.2)
  ICC_PMR_EL1: R(3, 0, 4, 6, 0),
  ICC_IAR0_EL1: R(3, 0, 12, 8, 0),
  ICC_EOIR0_EL1: R(3, 0, 12, 8, 1),
  ICC_HPPIR0_EL1: R(3, 0, 12, 8, 2),
  ICC_BPR0_EL1: R(3, 0, 12, 8, 3),
  ICC_AP0R0_EL1: R(3, 0, 12, 8, 4),
  ICC_AP1R0_EL1: R(3, 0, 12, 9, 0),
  ICC_DIR_EL1: R(3, 0, 12, 11, 1),
  ICC_RPR_EL1: R(3, 0, 12, 11, 3),
  ICC_SGI1R_EL1: R(3, 0, 12, 11, 5),
  ICC_ASGI1R_EL1: R(3, 0, 12, 11, 6),
  ICC_SGI0R_EL1: R(3, 0, 12, 11, 7),
  ICC_IAR1_EL1: R(3, 0, 12, 12, 0),
  ICC_EOIR1_EL1: R(3, 0, 12, 12, 1),
  ICC_HPPIR1_EL1: R(3, 0, 12, 12, 2),
  ICC_BPR1_EL1: R(3, 0, 12, 12, 3),
  ICC_CTLR_EL1: R(3, 0, 12, 12, 4),
  ICC_SRE_EL1: R(3, 0, 12, 12, 5),
  ICC_IGRPEN0_EL1: R(3, 0, 12, 12, 6),
  ICC_IGRPEN1_EL1: R(3, 0, 12, 12, 7),
  // EL2 controls the TypeScript hypervisor programs (Arm ARM D23.2)
  VPIDR_EL2: R(3, 4, 0, 0, 0),
  VMPIDR_EL2: R(3, 4, 0, 0, 5),
  SCTLR_EL2: R(3, 4, 1, 0, 0),
  HCR_EL2: R(3, 4, 1, 1, 0),
  MDCR_EL2: R(3, 4, 1, 1, 1),
  CPTR_EL2: R(3, 4, 1, 1, 2),
  HSTR_EL2: R(3, 4, 1, 1, 3),
  HFGRTR_EL2: R(3, 4, 1, 1, 4),
  HFGWTR_EL2: R(3, 4, 1, 1, 5),
  HACR_EL2: R(3, 4, 1, 1, 7),
  TTBR0_EL2: R(3, 4, 2, 0, 0),
  TCR_EL2: R(3, 4, 2, 0, 2),
  VTTBR_EL2: R(3, 4, 2, 1, 0),
  VTCR_EL2: R(3, 4, 2, 1, 2),
  ESR_EL2: R(3, 4, 5, 2, 0),
  FAR_EL2: R(3, 4, 6, 0, 0),
  HPFAR_EL2: R(3, 4, 6, 0, 4),
  VBAR_EL2: R(3, 4, 12, 0, 0),
  CNTHCTL_EL2: R(3, 4, 14, 1, 0),
  CNTVOFF_EL2: R(3, 4, 14, 0, 3),
} as const;

export type SysRegName = keyof typeof SysReg;

const byId = new Map<SysRegId, SysRegName>();
for (const [name, id] of Object.entries(SysReg) as [SysRegName, SysRegId][]) byId.set(id, name);

/** The Arm name of a register, or the generic S<op0>_<op1>_C<n>_C<m>_<op2> form. */
export const sysRegName = (id: SysRegId): string => byId.get(id) ?? sysRegGenericName(id);

/** Looks a register up by its Arm name (case-insensitive) or generic S3_0_C1_C0_0 form. */
export function sysRegByName(name: string): SysRegId | undefined {
  const upper = name.toUpperCase();
  for (const [n, id] of Object.entries(SysReg)) if (n.toUpperCase() === upper) return id;
  const m = /^S([0-3])_([0-7])_C(\d+)_C(\d+)_([0-7])$/.exec(upper);
  if (m && Number(m[3]) < 16 && Number(m[4]) < 16)
    return sysRegId(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}
