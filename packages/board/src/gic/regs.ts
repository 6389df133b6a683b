/**
 * GICv3 register layout, named as the GIC architecture specification (Arm IHI 0069,
 * chapter 12 "Programmers' model") names it. Offsets are from the frame base.
 */

// ---- Distributor (IHI 0069 12.9, Table 12-25) ------------------------------------------------
export const GICD_CTLR = 0x0000;
export const GICD_TYPER = 0x0004;
export const GICD_IIDR = 0x0008;
export const GICD_TYPER2 = 0x000c;
export const GICD_STATUSR = 0x0010;
export const GICD_SETSPI_NSR = 0x0040;
export const GICD_CLRSPI_NSR = 0x0048;
export const GICD_SETSPI_SR = 0x0050;
export const GICD_CLRSPI_SR = 0x0058;
export const GICD_IGROUPR = 0x0080;
export const GICD_ISENABLER = 0x0100;
export const GICD_ICENABLER = 0x0180;
export const GICD_ISPENDR = 0x0200;
export const GICD_ICPENDR = 0x0280;
export const GICD_ISACTIVER = 0x0300;
export const GICD_ICACTIVER = 0x0380;
export const GICD_IPRIORITYR = 0x0400;
export const GICD_ITARGETSR = 0x0800;
export const GICD_ICFGR = 0x0c00;
export const GICD_IGRPMODR = 0x0d00;
export const GICD_NSACR = 0x0e00;
export const GICD_SGIR = 0x0f00;
export const GICD_CPENDSGIR = 0x0f10;
export const GICD_SPENDSGIR = 0x0f20;
export const GICD_IROUTER = 0x6000;
/** Identification registers: GICD_PIDR4 at 0xFFD0 ... GICD_CIDR3 at 0xFFFC. */
export const GICD_PIDR4 = 0xffd0;
export const GICD_PIDR2 = 0xffe8;
export const GICD_CIDR3 = 0xfffc;

/** GICD_CTLR with a single Security state (DS = 1; IHI 0069 12.9.4). */
export const GICD_CTLR_EnableGrp0 = 1 << 0;
export const GICD_CTLR_EnableGrp1 = 1 << 1;
export const GICD_CTLR_ARE = 1 << 4;
export const GICD_CTLR_DS = 1 << 6;
export const GICD_CTLR_RWP = 1 << 31;

/** GICD_TYPER fields (IHI 0069 12.9.38). */
export const GICD_TYPER_ITLinesNumber_MASK = 0x1f;
export const GICD_TYPER_SecurityExtn = 1 << 10;
export const GICD_TYPER_IDbits_SHIFT = 19;
export const GICD_TYPER_A3V = 1 << 24;
export const GICD_TYPER_No1N = 1 << 25;

/** GICD_IROUTER<n> (IHI 0069 12.9.22): Aff0 7:0, Aff1 15:8, Aff2 23:16, IRM 31, Aff3 39:32. */
export const GICD_IROUTER_IRM = 1n << 31n;
export const GICD_IROUTER_AFF_MASK = 0xff_00ff_ffffn;

// ---- Redistributor, RD_base frame (IHI 0069 12.10, Table 12-27) ------------------------------
export const GICR_CTLR = 0x0000;
export const GICR_IIDR = 0x0004;
export const GICR_TYPER = 0x0008;
export const GICR_STATUSR = 0x0010;
export const GICR_WAKER = 0x0014;
export const GICR_SETLPIR = 0x0040;
export const GICR_CLRLPIR = 0x0048;
export const GICR_PROPBASER = 0x0070;
export const GICR_PENDBASER = 0x0078;
export const GICR_PIDR4 = 0xffd0;
export const GICR_PIDR2 = 0xffe8;
export const GICR_CIDR3 = 0xfffc;

/** GICR_TYPER fields (IHI 0069 12.11.37). */
export const GICR_TYPER_Last = 1 << 4;
export const GICR_TYPER_Processor_Number_SHIFT = 8;
export const GICR_TYPER_Affinity_Value_SHIFT = 32n;

/** GICR_WAKER fields (IHI 0069 12.11.40). */
export const GICR_WAKER_ProcessorSleep = 1 << 1;
export const GICR_WAKER_ChildrenAsleep = 1 << 2;

// ---- Redistributor, SGI_base frame (IHI 0069 12.10, Table 12-28; offsets in that frame) ------
export const GICR_IGROUPR0 = 0x0080;
export const GICR_ISENABLER0 = 0x0100;
export const GICR_ICENABLER0 = 0x0180;
export const GICR_ISPENDR0 = 0x0200;
export const GICR_ICPENDR0 = 0x0280;
export const GICR_ISACTIVER0 = 0x0300;
export const GICR_ICACTIVER0 = 0x0380;
export const GICR_IPRIORITYR = 0x0400; // GICR_IPRIORITYR0..7
export const GICR_ICFGR0 = 0x0c00;
export const GICR_ICFGR1 = 0x0c04;
export const GICR_IGRPMODR0 = 0x0d00;
export const GICR_NSACR = 0x0e00;

// ---- CPU interface system registers (IHI 0069 12.2) ------------------------------------------
/** ICC_SRE_EL1: SRE, DFB, DIB all RAO/WI (system-register interface only). */
export const ICC_SRE_EL1_SRE = 1 << 0;
export const ICC_SRE_EL1_DFB = 1 << 1;
export const ICC_SRE_EL1_DIB = 1 << 2;
/** ICC_CTLR_EL1 fields (IHI 0069 12.2.6). */
export const ICC_CTLR_EL1_CBPR = 1 << 0;
export const ICC_CTLR_EL1_EOImode = 1 << 1;
export const ICC_CTLR_EL1_PMHE = 1 << 6;
export const ICC_CTLR_EL1_PRIbits_SHIFT = 8;
export const ICC_CTLR_EL1_IDbits_SHIFT = 11;
export const ICC_CTLR_EL1_A3V = 1 << 15;
/** ICC_SGI1R_EL1 / ICC_SGI0R_EL1 / ICC_ASGI1R_EL1 fields (IHI 0069 12.2.22). */
export const ICC_SGIR_TargetList_MASK = 0xffffn;
export const ICC_SGIR_Aff1_SHIFT = 16n;
export const ICC_SGIR_INTID_SHIFT = 24n;
export const ICC_SGIR_Aff2_SHIFT = 32n;
export const ICC_SGIR_IRM = 1n << 40n;
export const ICC_SGIR_RS_SHIFT = 44n;
export const ICC_SGIR_Aff3_SHIFT = 48n;

/** Special INTIDs (IHI 0069 2.2.1). */
export const INTID_SPURIOUS = 1023;
export const INTID_SPECIAL_FIRST = 1020;

/**
 * GICD_IIDR / GICR_IIDR as QEMU reports them: Arm (0x43B), product 0, r0p0 — "the same as an
 * r0p0 GIC-500" (qemu/qemu hw/intc/gicv3_internal.h gicv3_iidr).
 */
export const GIC_IIDR = 0x43b;

/** PIDR4..7, PIDR0..3, CIDR0..3 at 0xFFD0..0xFFFC (QEMU gicd_ids / gicr_ids, ArchRev 3 in PIDR2). */
export const GICD_ID_REGS = [0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1] as const;
export const GICR_ID_REGS = [0x44, 0, 0, 0, 0x93, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1] as const;
