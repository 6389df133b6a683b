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
  // Every other register of the Arm ARM (DDI 0487 D23 "AArch64 System Register Descriptions",
  // D24 external debug/trace system registers, and the GIC, AMU, SPE, TRBE, BRBE, MPAM, RAS and
  // ETE chapters), grouped by encoding. Cross-checked against GNU binutils' aarch64 system
  // register table, so that disassembly names match objdump. Armv8-R MPU registers are omitted.
  // Registers with an index (DBGBVR<n>_EL1, PMEVCNTR<n>_EL0, ...) are in SYSREG_FAMILIES below.
  // op0=2 op1=0 CRn=0
  OSDTRRX_EL1: R(2, 0, 0, 0, 2),
  MDCCINT_EL1: R(2, 0, 0, 2, 0),
  MDSCR_EL1: R(2, 0, 0, 2, 2),
  OSDTRTX_EL1: R(2, 0, 0, 3, 2),
  OSECCR_EL1: R(2, 0, 0, 6, 2),
  // op0=2 op1=0 CRn=1
  MDRAR_EL1: R(2, 0, 1, 0, 0),
  OSLAR_EL1: R(2, 0, 1, 0, 4),
  OSLSR_EL1: R(2, 0, 1, 1, 4),
  OSDLR_EL1: R(2, 0, 1, 3, 4),
  DBGPRCR_EL1: R(2, 0, 1, 4, 4),
  // op0=2 op1=0 CRn=7
  DBGCLAIMSET_EL1: R(2, 0, 7, 8, 6),
  DBGCLAIMCLR_EL1: R(2, 0, 7, 9, 6),
  DBGAUTHSTATUS_EL1: R(2, 0, 7, 14, 6),
  // op0=2 op1=0 CRn=8
  CSRCR_EL1: R(2, 0, 8, 0, 0),
  CSRPTR_EL1: R(2, 0, 8, 0, 1),
  CSRPTRIDX_EL1: R(2, 0, 8, 0, 3),
  // op0=2 op1=1 CRn=0
  TRCTRACEIDR: R(2, 1, 0, 0, 1),
  TRCVICTLR: R(2, 1, 0, 0, 2),
  TRCPRGCTLR: R(2, 1, 0, 1, 0),
  TRCQCTLR: R(2, 1, 0, 1, 1),
  TRCVIIECTLR: R(2, 1, 0, 1, 2),
  TRCPROCSELR: R(2, 1, 0, 2, 0),
  TRCVISSCTLR: R(2, 1, 0, 2, 2),
  TRCSTATR: R(2, 1, 0, 3, 0),
  TRCVIPCSSCTLR: R(2, 1, 0, 3, 2),
  TRCCONFIGR: R(2, 1, 0, 4, 0),
  TRCAUXCTLR: R(2, 1, 0, 6, 0),
  TRCSEQRSTEVR: R(2, 1, 0, 6, 4),
  TRCSEQSTR: R(2, 1, 0, 7, 4),
  TRCEVENTCTL0R: R(2, 1, 0, 8, 0),
  TRCVDCTLR: R(2, 1, 0, 8, 2),
  TRCEVENTCTL1R: R(2, 1, 0, 9, 0),
  TRCVDSACCTLR: R(2, 1, 0, 9, 2),
  TRCRSR: R(2, 1, 0, 10, 0),
  TRCVDARCCTLR: R(2, 1, 0, 10, 2),
  TRCSTALLCTLR: R(2, 1, 0, 11, 0),
  TRCTSCTLR: R(2, 1, 0, 12, 0),
  TRCSYNCPR: R(2, 1, 0, 13, 0),
  TRCCCCTLR: R(2, 1, 0, 14, 0),
  TRCBBCTLR: R(2, 1, 0, 15, 0),
  // op0=2 op1=1 CRn=1
  TRCOSLAR: R(2, 1, 1, 0, 4),
  TRCOSLSR: R(2, 1, 1, 1, 4),
  TRCPDCR: R(2, 1, 1, 4, 4),
  TRCPDSR: R(2, 1, 1, 5, 4),
  // op0=2 op1=1 CRn=7
  TRCITCTRL: R(2, 1, 7, 0, 4),
  TRCDEVID: R(2, 1, 7, 2, 7),
  TRCDEVTYPE: R(2, 1, 7, 3, 7),
  TRCCLAIMSET: R(2, 1, 7, 8, 6),
  TRCCLAIMCLR: R(2, 1, 7, 9, 6),
  TRCDEVAFF0: R(2, 1, 7, 10, 6),
  TRCDEVAFF1: R(2, 1, 7, 11, 6),
  TRCLAR: R(2, 1, 7, 12, 6),
  TRCLSR: R(2, 1, 7, 13, 6),
  TRCAUTHSTATUS: R(2, 1, 7, 14, 6),
  TRCDEVARCH: R(2, 1, 7, 15, 6),
  // op0=2 op1=1 CRn=9
  BRBCR_EL1: R(2, 1, 9, 0, 0),
  BRBFCR_EL1: R(2, 1, 9, 0, 1),
  BRBTS_EL1: R(2, 1, 9, 0, 2),
  BRBINFINJ_EL1: R(2, 1, 9, 1, 0),
  BRBSRCINJ_EL1: R(2, 1, 9, 1, 1),
  BRBTGTINJ_EL1: R(2, 1, 9, 1, 2),
  BRBIDR0_EL1: R(2, 1, 9, 2, 0),
  // op0=2 op1=2 CRn=0
  TEECR32_EL1: R(2, 2, 0, 0, 0),
  // op0=2 op1=2 CRn=1
  TEEHBR32_EL1: R(2, 2, 1, 0, 0),
  // op0=2 op1=3 CRn=0
  MDCCSR_EL0: R(2, 3, 0, 1, 0),
  DBGDTR_EL0: R(2, 3, 0, 4, 0),
  // DBGDTRTX_EL0 (MSR) and DBGDTRRX_EL0 (MRS) share one encoding; sysRegName reports the RX name.
  DBGDTRTX_EL0: R(2, 3, 0, 5, 0),
  DBGDTRRX_EL0: R(2, 3, 0, 5, 0),
  // op0=2 op1=3 CRn=8
  CSRCR_EL0: R(2, 3, 8, 0, 0),
  CSRPTR_EL0: R(2, 3, 8, 0, 1),
  CSRIDR_EL0: R(2, 3, 8, 0, 2),
  CSRPTRIDX_EL0: R(2, 3, 8, 0, 3),
  // op0=2 op1=4 CRn=0
  DBGVCR32_EL2: R(2, 4, 0, 7, 0),
  // op0=2 op1=4 CRn=8
  CSRCR_EL2: R(2, 4, 8, 0, 0),
  CSRPTR_EL2: R(2, 4, 8, 0, 1),
  CSRPTRIDX_EL2: R(2, 4, 8, 0, 3),
  // op0=2 op1=4 CRn=9
  BRBCR_EL2: R(2, 4, 9, 0, 0),
  // op0=2 op1=5 CRn=8
  CSRCR_EL12: R(2, 5, 8, 0, 0),
  CSRPTR_EL12: R(2, 5, 8, 0, 1),
  // op0=2 op1=5 CRn=9
  BRBCR_EL12: R(2, 5, 9, 0, 0),
  // op0=3 op1=0 CRn=0
  ID_PFR0_EL1: R(3, 0, 0, 1, 0),
  ID_PFR1_EL1: R(3, 0, 0, 1, 1),
  ID_DFR0_EL1: R(3, 0, 0, 1, 2),
  ID_AFR0_EL1: R(3, 0, 0, 1, 3),
  ID_MMFR0_EL1: R(3, 0, 0, 1, 4),
  ID_MMFR1_EL1: R(3, 0, 0, 1, 5),
  ID_MMFR2_EL1: R(3, 0, 0, 1, 6),
  ID_MMFR3_EL1: R(3, 0, 0, 1, 7),
  ID_ISAR0_EL1: R(3, 0, 0, 2, 0),
  ID_ISAR1_EL1: R(3, 0, 0, 2, 1),
  ID_ISAR2_EL1: R(3, 0, 0, 2, 2),
  ID_ISAR3_EL1: R(3, 0, 0, 2, 3),
  ID_ISAR4_EL1: R(3, 0, 0, 2, 4),
  ID_ISAR5_EL1: R(3, 0, 0, 2, 5),
  ID_MMFR4_EL1: R(3, 0, 0, 2, 6),
  ID_ISAR6_EL1: R(3, 0, 0, 2, 7),
  MVFR0_EL1: R(3, 0, 0, 3, 0),
  MVFR1_EL1: R(3, 0, 0, 3, 1),
  MVFR2_EL1: R(3, 0, 0, 3, 2),
  ID_PFR2_EL1: R(3, 0, 0, 3, 4),
  ID_DFR1_EL1: R(3, 0, 0, 3, 5),
  ID_MMFR5_EL1: R(3, 0, 0, 3, 6),
  ID_AA64SMFR0_EL1: R(3, 0, 0, 4, 5),
  // op0=3 op1=0 CRn=1
  RGSR_EL1: R(3, 0, 1, 0, 5),
  GCR_EL1: R(3, 0, 1, 0, 6),
  ZCR_EL1: R(3, 0, 1, 2, 0),
  TRFCR_EL1: R(3, 0, 1, 2, 1),
  SMPRI_EL1: R(3, 0, 1, 2, 4),
  SMCR_EL1: R(3, 0, 1, 2, 6),
  // op0=3 op1=0 CRn=2
  APIAKEYLO_EL1: R(3, 0, 2, 1, 0),
  APIAKEYHI_EL1: R(3, 0, 2, 1, 1),
  APIBKEYLO_EL1: R(3, 0, 2, 1, 2),
  APIBKEYHI_EL1: R(3, 0, 2, 1, 3),
  APDAKEYLO_EL1: R(3, 0, 2, 2, 0),
  APDAKEYHI_EL1: R(3, 0, 2, 2, 1),
  APDBKEYLO_EL1: R(3, 0, 2, 2, 2),
  APDBKEYHI_EL1: R(3, 0, 2, 2, 3),
  APGAKEYLO_EL1: R(3, 0, 2, 3, 0),
  APGAKEYHI_EL1: R(3, 0, 2, 3, 1),
  // op0=3 op1=0 CRn=4
  ALLINT: R(3, 0, 4, 3, 0),
  // op0=3 op1=0 CRn=5
  ERRIDR_EL1: R(3, 0, 5, 3, 0),
  ERRSELR_EL1: R(3, 0, 5, 3, 1),
  ERXFR_EL1: R(3, 0, 5, 4, 0),
  ERXCTLR_EL1: R(3, 0, 5, 4, 1),
  ERXSTATUS_EL1: R(3, 0, 5, 4, 2),
  ERXADDR_EL1: R(3, 0, 5, 4, 3),
  ERXPFGF_EL1: R(3, 0, 5, 4, 4),
  ERXPFGCTL_EL1: R(3, 0, 5, 4, 5),
  ERXPFGCDN_EL1: R(3, 0, 5, 4, 6),
  TFSR_EL1: R(3, 0, 5, 6, 0),
  TFSRE0_EL1: R(3, 0, 5, 6, 1),
  // op0=3 op1=0 CRn=9
  PMSCR_EL1: R(3, 0, 9, 9, 0),
  PMSNEVFR_EL1: R(3, 0, 9, 9, 1),
  PMSICR_EL1: R(3, 0, 9, 9, 2),
  PMSIRR_EL1: R(3, 0, 9, 9, 3),
  PMSFCR_EL1: R(3, 0, 9, 9, 4),
  PMSEVFR_EL1: R(3, 0, 9, 9, 5),
  PMSLATFR_EL1: R(3, 0, 9, 9, 6),
  PMSIDR_EL1: R(3, 0, 9, 9, 7),
  PMBLIMITR_EL1: R(3, 0, 9, 10, 0),
  PMBPTR_EL1: R(3, 0, 9, 10, 1),
  PMBSR_EL1: R(3, 0, 9, 10, 3),
  PMBIDR_EL1: R(3, 0, 9, 10, 7),
  TRBLIMITR_EL1: R(3, 0, 9, 11, 0),
  TRBPTR_EL1: R(3, 0, 9, 11, 1),
  TRBBASER_EL1: R(3, 0, 9, 11, 2),
  TRBSR_EL1: R(3, 0, 9, 11, 3),
  TRBMAR_EL1: R(3, 0, 9, 11, 4),
  TRBTRG_EL1: R(3, 0, 9, 11, 6),
  TRBIDR_EL1: R(3, 0, 9, 11, 7),
  PMINTENSET_EL1: R(3, 0, 9, 14, 1),
  PMINTENCLR_EL1: R(3, 0, 9, 14, 2),
  PMMIR_EL1: R(3, 0, 9, 14, 6),
  // op0=3 op1=0 CRn=10
  LORSA_EL1: R(3, 0, 10, 4, 0),
  LOREA_EL1: R(3, 0, 10, 4, 1),
  LORN_EL1: R(3, 0, 10, 4, 2),
  LORC_EL1: R(3, 0, 10, 4, 3),
  MPAMIDR_EL1: R(3, 0, 10, 4, 4),
  LORID_EL1: R(3, 0, 10, 4, 7),
  MPAM1_EL1: R(3, 0, 10, 5, 0),
  MPAM0_EL1: R(3, 0, 10, 5, 1),
  MPAMSM_EL1: R(3, 0, 10, 5, 3),
  // op0=3 op1=0 CRn=12
  RVBAR_EL1: R(3, 0, 12, 0, 1),
  RMR_EL1: R(3, 0, 12, 0, 2),
  DISR_EL1: R(3, 0, 12, 1, 1),
  ICC_NMIAR1_EL1: R(3, 0, 12, 9, 5),
  // op0=3 op1=0 CRn=13
  ACCDATA_EL1: R(3, 0, 13, 0, 5),
  SCXTNUM_EL1: R(3, 0, 13, 0, 7),
  // op0=3 op1=1 CRn=0
  CCSIDR2_EL1: R(3, 1, 0, 0, 2),
  GMID_EL1: R(3, 1, 0, 0, 4),
  SMIDR_EL1: R(3, 1, 0, 0, 6),
  AIDR_EL1: R(3, 1, 0, 0, 7),
  // op0=3 op1=3 CRn=2
  RNDR: R(3, 3, 2, 4, 0),
  RNDRRS: R(3, 3, 2, 4, 1),
  // op0=3 op1=3 CRn=4
  SVCR: R(3, 3, 4, 2, 2),
  TCO: R(3, 3, 4, 2, 7),
  DSPSR_EL0: R(3, 3, 4, 5, 0),
  DLR_EL0: R(3, 3, 4, 5, 1),
  // op0=3 op1=3 CRn=9
  PMCR_EL0: R(3, 3, 9, 12, 0),
  PMCNTENSET_EL0: R(3, 3, 9, 12, 1),
  PMCNTENCLR_EL0: R(3, 3, 9, 12, 2),
  PMOVSCLR_EL0: R(3, 3, 9, 12, 3),
  PMSWINC_EL0: R(3, 3, 9, 12, 4),
  PMSELR_EL0: R(3, 3, 9, 12, 5),
  PMCEID0_EL0: R(3, 3, 9, 12, 6),
  PMCEID1_EL0: R(3, 3, 9, 12, 7),
  PMCCNTR_EL0: R(3, 3, 9, 13, 0),
  PMXEVTYPER_EL0: R(3, 3, 9, 13, 1),
  PMXEVCNTR_EL0: R(3, 3, 9, 13, 2),
  PMUSERENR_EL0: R(3, 3, 9, 14, 0),
  PMOVSSET_EL0: R(3, 3, 9, 14, 3),
  // op0=3 op1=3 CRn=13
  TPIDR2_EL0: R(3, 3, 13, 0, 5),
  SCXTNUM_EL0: R(3, 3, 13, 0, 7),
  AMCR_EL0: R(3, 3, 13, 2, 0),
  AMCFGR_EL0: R(3, 3, 13, 2, 1),
  AMCGCR_EL0: R(3, 3, 13, 2, 2),
  AMUSERENR_EL0: R(3, 3, 13, 2, 3),
  AMCNTENCLR0_EL0: R(3, 3, 13, 2, 4),
  AMCNTENSET0_EL0: R(3, 3, 13, 2, 5),
  AMCG1IDR_EL0: R(3, 3, 13, 2, 6),
  AMCNTENCLR1_EL0: R(3, 3, 13, 3, 0),
  AMCNTENSET1_EL0: R(3, 3, 13, 3, 1),
  // op0=3 op1=3 CRn=14
  CNTPCTSS_EL0: R(3, 3, 14, 0, 5),
  CNTVCTSS_EL0: R(3, 3, 14, 0, 6),
  PMCCFILTR_EL0: R(3, 3, 14, 15, 7),
  // op0=3 op1=4 CRn=1
  ACTLR_EL2: R(3, 4, 1, 0, 1),
  HFGITR_EL2: R(3, 4, 1, 1, 6),
  ZCR_EL2: R(3, 4, 1, 2, 0),
  TRFCR_EL2: R(3, 4, 1, 2, 1),
  HCRX_EL2: R(3, 4, 1, 2, 2),
  SMPRIMAP_EL2: R(3, 4, 1, 2, 5),
  SMCR_EL2: R(3, 4, 1, 2, 6),
  SDER32_EL2: R(3, 4, 1, 3, 1),
  // op0=3 op1=4 CRn=2
  TTBR1_EL2: R(3, 4, 2, 0, 1),
  VNCR_EL2: R(3, 4, 2, 2, 0),
  VSTTBR_EL2: R(3, 4, 2, 6, 0),
  VSTCR_EL2: R(3, 4, 2, 6, 2),
  // op0=3 op1=4 CRn=3
  DACR32_EL2: R(3, 4, 3, 0, 0),
  HDFGRTR_EL2: R(3, 4, 3, 1, 4),
  HDFGWTR_EL2: R(3, 4, 3, 1, 5),
  HAFGRTR_EL2: R(3, 4, 3, 1, 6),
  // op0=3 op1=4 CRn=4
  SPSR_EL2: R(3, 4, 4, 0, 0),
  ELR_EL2: R(3, 4, 4, 0, 1),
  SPSR_irq: R(3, 4, 4, 3, 0),
  SPSR_abt: R(3, 4, 4, 3, 1),
  SPSR_und: R(3, 4, 4, 3, 2),
  SPSR_fiq: R(3, 4, 4, 3, 3),
  // op0=3 op1=4 CRn=5
  IFSR32_EL2: R(3, 4, 5, 0, 1),
  AFSR0_EL2: R(3, 4, 5, 1, 0),
  AFSR1_EL2: R(3, 4, 5, 1, 1),
  VSESR_EL2: R(3, 4, 5, 2, 3),
  FPEXC32_EL2: R(3, 4, 5, 3, 0),
  TFSR_EL2: R(3, 4, 5, 6, 0),
  // op0=3 op1=4 CRn=9
  PMSCR_EL2: R(3, 4, 9, 9, 0),
  // op0=3 op1=4 CRn=10
  MAIR_EL2: R(3, 4, 10, 2, 0),
  AMAIR_EL2: R(3, 4, 10, 3, 0),
  MPAMHCR_EL2: R(3, 4, 10, 4, 0),
  MPAMVPMV_EL2: R(3, 4, 10, 4, 1),
  MPAM2_EL2: R(3, 4, 10, 5, 0),
  // op0=3 op1=4 CRn=12
  RVBAR_EL2: R(3, 4, 12, 0, 1),
  RMR_EL2: R(3, 4, 12, 0, 2),
  VDISR_EL2: R(3, 4, 12, 1, 1),
  ICC_SRE_EL2: R(3, 4, 12, 9, 5),
  ICH_HCR_EL2: R(3, 4, 12, 11, 0),
  ICH_VTR_EL2: R(3, 4, 12, 11, 1),
  ICH_MISR_EL2: R(3, 4, 12, 11, 2),
  ICH_EISR_EL2: R(3, 4, 12, 11, 3),
  ICH_ELRSR_EL2: R(3, 4, 12, 11, 5),
  ICH_VMCR_EL2: R(3, 4, 12, 11, 7),
  // op0=3 op1=4 CRn=13
  CONTEXTIDR_EL2: R(3, 4, 13, 0, 1),
  TPIDR_EL2: R(3, 4, 13, 0, 2),
  SCXTNUM_EL2: R(3, 4, 13, 0, 7),
  // op0=3 op1=4 CRn=14
  CNTPOFF_EL2: R(3, 4, 14, 0, 6),
  CNTHP_TVAL_EL2: R(3, 4, 14, 2, 0),
  CNTHP_CTL_EL2: R(3, 4, 14, 2, 1),
  CNTHP_CVAL_EL2: R(3, 4, 14, 2, 2),
  CNTHV_TVAL_EL2: R(3, 4, 14, 3, 0),
  CNTHV_CTL_EL2: R(3, 4, 14, 3, 1),
  CNTHV_CVAL_EL2: R(3, 4, 14, 3, 2),
  CNTHVS_TVAL_EL2: R(3, 4, 14, 4, 0),
  CNTHVS_CTL_EL2: R(3, 4, 14, 4, 1),
  CNTHVS_CVAL_EL2: R(3, 4, 14, 4, 2),
  CNTHPS_TVAL_EL2: R(3, 4, 14, 5, 0),
  CNTHPS_CTL_EL2: R(3, 4, 14, 5, 1),
  CNTHPS_CVAL_EL2: R(3, 4, 14, 5, 2),
  // op0=3 op1=5 CRn=1
  SCTLR_EL12: R(3, 5, 1, 0, 0),
  CPACR_EL12: R(3, 5, 1, 0, 2),
  ZCR_EL12: R(3, 5, 1, 2, 0),
  TRFCR_EL12: R(3, 5, 1, 2, 1),
  SMCR_EL12: R(3, 5, 1, 2, 6),
  // op0=3 op1=5 CRn=2
  TTBR0_EL12: R(3, 5, 2, 0, 0),
  TTBR1_EL12: R(3, 5, 2, 0, 1),
  TCR_EL12: R(3, 5, 2, 0, 2),
  // op0=3 op1=5 CRn=4
  SPSR_EL12: R(3, 5, 4, 0, 0),
  ELR_EL12: R(3, 5, 4, 0, 1),
  // op0=3 op1=5 CRn=5
  AFSR0_EL12: R(3, 5, 5, 1, 0),
  AFSR1_EL12: R(3, 5, 5, 1, 1),
  ESR_EL12: R(3, 5, 5, 2, 0),
  TFSR_EL12: R(3, 5, 5, 6, 0),
  // op0=3 op1=5 CRn=6
  FAR_EL12: R(3, 5, 6, 0, 0),
  // op0=3 op1=5 CRn=9
  PMSCR_EL12: R(3, 5, 9, 9, 0),
  // op0=3 op1=5 CRn=10
  MAIR_EL12: R(3, 5, 10, 2, 0),
  AMAIR_EL12: R(3, 5, 10, 3, 0),
  MPAM1_EL12: R(3, 5, 10, 5, 0),
  // op0=3 op1=5 CRn=12
  VBAR_EL12: R(3, 5, 12, 0, 0),
  // op0=3 op1=5 CRn=13
  CONTEXTIDR_EL12: R(3, 5, 13, 0, 1),
  SCXTNUM_EL12: R(3, 5, 13, 0, 7),
  // op0=3 op1=5 CRn=14
  CNTKCTL_EL12: R(3, 5, 14, 1, 0),
  CNTP_TVAL_EL02: R(3, 5, 14, 2, 0),
  CNTP_CTL_EL02: R(3, 5, 14, 2, 1),
  CNTP_CVAL_EL02: R(3, 5, 14, 2, 2),
  CNTV_TVAL_EL02: R(3, 5, 14, 3, 0),
  CNTV_CTL_EL02: R(3, 5, 14, 3, 1),
  CNTV_CVAL_EL02: R(3, 5, 14, 3, 2),
  // op0=3 op1=6 CRn=1
  SCTLR_EL3: R(3, 6, 1, 0, 0),
  ACTLR_EL3: R(3, 6, 1, 0, 1),
  SCR_EL3: R(3, 6, 1, 1, 0),
  SDER32_EL3: R(3, 6, 1, 1, 1),
  CPTR_EL3: R(3, 6, 1, 1, 2),
  ZCR_EL3: R(3, 6, 1, 2, 0),
  SMCR_EL3: R(3, 6, 1, 2, 6),
  MDCR_EL3: R(3, 6, 1, 3, 1),
  // op0=3 op1=6 CRn=2
  TTBR0_EL3: R(3, 6, 2, 0, 0),
  TCR_EL3: R(3, 6, 2, 0, 2),
  GPTBR_EL3: R(3, 6, 2, 1, 4),
  GPCCR_EL3: R(3, 6, 2, 1, 6),
  // op0=3 op1=6 CRn=4
  SPSR_EL3: R(3, 6, 4, 0, 0),
  ELR_EL3: R(3, 6, 4, 0, 1),
  SP_EL2: R(3, 6, 4, 1, 0),
  // op0=3 op1=6 CRn=5
  AFSR0_EL3: R(3, 6, 5, 1, 0),
  AFSR1_EL3: R(3, 6, 5, 1, 1),
  ESR_EL3: R(3, 6, 5, 2, 0),
  TFSR_EL3: R(3, 6, 5, 6, 0),
  // op0=3 op1=6 CRn=6
  FAR_EL3: R(3, 6, 6, 0, 0),
  MFAR_EL3: R(3, 6, 6, 0, 5),
  // op0=3 op1=6 CRn=10
  MAIR_EL3: R(3, 6, 10, 2, 0),
  AMAIR_EL3: R(3, 6, 10, 3, 0),
  MPAM3_EL3: R(3, 6, 10, 5, 0),
  // op0=3 op1=6 CRn=12
  VBAR_EL3: R(3, 6, 12, 0, 0),
  RVBAR_EL3: R(3, 6, 12, 0, 1),
  RMR_EL3: R(3, 6, 12, 0, 2),
  ICC_CTLR_EL3: R(3, 6, 12, 12, 4),
  ICC_SRE_EL3: R(3, 6, 12, 12, 5),
  ICC_IGRPEN1_EL3: R(3, 6, 12, 12, 7),
  // op0=3 op1=6 CRn=13
  TPIDR_EL3: R(3, 6, 13, 0, 2),
  SCXTNUM_EL3: R(3, 6, 13, 0, 7),
  // op0=3 op1=7 CRn=14
  CNTPS_TVAL_EL1: R(3, 7, 14, 2, 0),
  CNTPS_CTL_EL1: R(3, 7, 14, 2, 1),
  CNTPS_CVAL_EL1: R(3, 7, 14, 2, 2),
} as const;

export type SysRegName = keyof typeof SysReg;

/**
 * Indexed register families, as the Arm ARM names them with <n>: [prefix, suffix, first n,
 * last n, encoding of register n]. For example ['DBGBVR', '_EL1', 0, 15, ...] names
 * DBGBVR0_EL1 .. DBGBVR15_EL1 (Arm ARM D24.3.3).
 */
export const SYSREG_FAMILIES: readonly (readonly [string, string, number, number, (n: number) => SysRegId])[] = [
  ['DBGBVR', '_EL1', 0, 15, (n) => R(2, 0, 0, n, 4)],
  ['DBGBCR', '_EL1', 0, 15, (n) => R(2, 0, 0, n, 5)],
  ['DBGWVR', '_EL1', 0, 15, (n) => R(2, 0, 0, n, 6)],
  ['DBGWCR', '_EL1', 0, 15, (n) => R(2, 0, 0, n, 7)],
  ['BRBINF', '_EL1', 0, 31, (n) => R(2, 1, 8, n & 15, (n >> 4) << 2)],
  ['BRBSRC', '_EL1', 0, 31, (n) => R(2, 1, 8, n & 15, ((n >> 4) << 2) | 1)],
  ['BRBTGT', '_EL1', 0, 31, (n) => R(2, 1, 8, n & 15, ((n >> 4) << 2) | 2)],
  ['TRCACVR', '', 0, 15, (n) => R(2, 1, 2, (n & 7) << 1, n >> 3)],
  ['TRCACATR', '', 0, 15, (n) => R(2, 1, 2, (n & 7) << 1, 2 | (n >> 3))],
  ['TRCDVCVR', '', 0, 7, (n) => R(2, 1, 2, (n & 3) << 2, 4 | (n >> 2))],
  ['TRCDVCMR', '', 0, 7, (n) => R(2, 1, 2, (n & 3) << 2, 6 | (n >> 2))],
  ['TRCCIDCVR', '', 0, 7, (n) => R(2, 1, 3, n << 1, 0)],
  ['TRCVMIDCVR', '', 0, 7, (n) => R(2, 1, 3, n << 1, 1)],
  ['TRCCIDCCTLR', '', 0, 1, (n) => R(2, 1, 3, n, 2)],
  ['TRCVMIDCCTLR', '', 0, 1, (n) => R(2, 1, 3, 2 + n, 2)],
  ['TRCCNTRLDVR', '', 0, 3, (n) => R(2, 1, 0, n, 5)],
  ['TRCCNTCTLR', '', 0, 3, (n) => R(2, 1, 0, 4 + n, 5)],
  ['TRCCNTVR', '', 0, 3, (n) => R(2, 1, 0, 8 + n, 5)],
  ['TRCEXTINSELR', '', 0, 3, (n) => R(2, 1, 0, 8 + n, 4)],
  ['TRCSEQEVR', '', 0, 2, (n) => R(2, 1, 0, n, 4)],
  ['TRCIMSPEC', '', 0, 7, (n) => R(2, 1, 0, n, 7)],
  ['TRCIDR', '', 0, 13, (n) => (n < 8 ? R(2, 1, 0, 8 + n, 7) : R(2, 1, 0, n - 8, 6))],
  ['TRCRSCTLR', '', 2, 31, (n) => R(2, 1, 1, n & 15, n >> 4)],
  ['TRCSSCCR', '', 0, 7, (n) => R(2, 1, 1, n, 2)],
  ['TRCSSCSR', '', 0, 7, (n) => R(2, 1, 1, 8 + n, 2)],
  ['TRCSSPCICR', '', 0, 7, (n) => R(2, 1, 1, n, 3)],
  ['TRCPIDR', '', 0, 7, (n) => R(2, 1, 7, n < 4 ? 8 + n : n, 7)],
  ['TRCCIDR', '', 0, 3, (n) => R(2, 1, 7, 12 + n, 7)],
  ['PMEVCNTR', '_EL0', 0, 30, (n) => R(3, 3, 14, 8 + (n >> 3), n & 7)],
  ['PMEVTYPER', '_EL0', 0, 30, (n) => R(3, 3, 14, 12 + (n >> 3), n & 7)],
  ['AMEVCNTR0', '_EL0', 0, 3, (n) => R(3, 3, 13, 4, n)],
  ['AMEVTYPER0', '_EL0', 0, 3, (n) => R(3, 3, 13, 6, n)],
  ['AMEVCNTR1', '_EL0', 0, 15, (n) => R(3, 3, 13, 12 + (n >> 3), n & 7)],
  ['AMEVTYPER1', '_EL0', 0, 15, (n) => R(3, 3, 13, 14 + (n >> 3), n & 7)],
  ['AMEVCNTVOFF0', '_EL2', 0, 15, (n) => R(3, 4, 13, 8 + (n >> 3), n & 7)],
  ['AMEVCNTVOFF1', '_EL2', 0, 15, (n) => R(3, 4, 13, 10 + (n >> 3), n & 7)],
  ['ICH_LR', '_EL2', 0, 15, (n) => R(3, 4, 12, 12 + (n >> 3), n & 7)],
  ['ICH_AP0R', '_EL2', 0, 3, (n) => R(3, 4, 12, 8, n)],
  ['ICH_AP1R', '_EL2', 0, 3, (n) => R(3, 4, 12, 9, n)],
  ['ICC_AP0R', '_EL1', 0, 3, (n) => R(3, 0, 12, 8, 4 + n)],
  ['ICC_AP1R', '_EL1', 0, 3, (n) => R(3, 0, 12, 9, n)],
  ['ERXMISC', '_EL1', 0, 3, (n) => R(3, 0, 5, 5, n)],
  ['MPAMVPM', '_EL2', 0, 7, (n) => R(3, 4, 10, 6, n)],
];

const byId = new Map<SysRegId, string>();
const byName = new Map<string, SysRegId>();
for (const [prefix, suffix, first, last, enc] of SYSREG_FAMILIES) {
  for (let n = first; n <= last; n++) {
    const name = `${prefix}${n}${suffix}`;
    byId.set(enc(n), name);
    byName.set(name.toUpperCase(), enc(n));
  }
}
for (const [name, id] of Object.entries(SysReg) as [SysRegName, SysRegId][]) {
  byId.set(id, name);
  byName.set(name.toUpperCase(), id);
}

/** The Arm name of a register, or the generic S<op0>_<op1>_C<n>_C<m>_<op2> form. */
export const sysRegName = (id: SysRegId): string => byId.get(id) ?? sysRegGenericName(id);

/** Looks a register up by its Arm name (case-insensitive) or generic S3_0_C1_C0_0 form. */
export function sysRegByName(name: string): SysRegId | undefined {
  const upper = name.toUpperCase();
  const named = byName.get(upper);
  if (named !== undefined) return named;
  const m = /^S([0-3])_([0-7])_C(\d+)_C(\d+)_([0-7])$/.exec(upper);
  if (m && Number(m[3]) < 16 && Number(m[4]) < 16)
    return sysRegId(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}
