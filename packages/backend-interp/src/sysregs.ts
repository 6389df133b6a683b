/**
 * The system register file: storage, reset values, access rules and traps of every register the
 * backend implements natively (Arm ARM DDI 0487 chapter D23/D24 register descriptions; the
 * pseudocode "accessibility" block of each register is what `el0`, `el0Trap` and `el2Trap`
 * encode).
 *
 * Values live in an Int32Array of (lo, hi) pairs, one slot per register, so MRS/MSR never touch
 * BigInt. A register without a slot is computed (PSTATE views, counters, ISR, CCSIDR).
 *
 * Access check order for MRS/MSR (the order of every register's accessibility pseudocode):
 *   EL0: not EL0-accessible -> UNDEFINED (EC 0x00); EL1 trap control set -> EC 0x18 to EL1;
 *        EL2 trap control set -> `sysreg` exit; else access.
 *   EL1: not accessible at EL1 (EL2 registers, wrong direction) -> UNDEFINED;
 *        EL2 trap control set (HCR_EL2.TVM/TRVM/TID*, TACR, CNTHCTL_EL2, MDCR_EL2) -> exit; else access.
 * Encodings with no entry here end run() with a `sysreg` exit, which the machine routes to a
 * handler (the board's GIC ICC_* registers) or answers with UNDEF, as KVM does.
 *
 * The CPU identifies as a Cortex-A57 r1p0 (QEMU `-cpu cortex-a57`) with the differences the team
 * decided: FP/AdvSIMD absent, no crypto, no LSE/PAuth; plus FEAT_PAN, FEAT_UAO and FEAT_SSBS,
 * which the backend implements and advertises (ID_AA64MMFR1.PAN, ID_AA64MMFR2.UAO,
 * ID_AA64PFR1.SSBS), and no PMU (ID_AA64DFR0.PMUVer = 0).
 */
import { HvlabError, SysReg, type SysRegId, sysRegId, sysRegName } from '@hvlab/core';
import { currentEl, PS_DAIF, PS_PAN, PS_SSBS, PS_UAO, PST, packNzcv, SP0, SP1, unpackNzcv } from './state.js';

/** What the register file needs from its CPU. */
export interface SysHost {
  readonly R: Int32Array;
  /** Physical counter value (floor(time / 16)) at `k` instructions into the current block. */
  physCount(k: number): number;
  /** PSTATE changed in a way that changes translated-code keys or interrupt masking. */
  pstateChanged(): void;
  /** A translation control changed: 'all' flushes the TLB, 'nG' only non-global entries. */
  tlbChanged(what: 'all' | 'nG'): void;
  /** HCR_EL2 interrupt bits or routing changed. */
  interruptsChanged(): void;
  /** Values of the physical interrupt lines and pending SError (for ISR_EL1). */
  pendingBits(): { irq: boolean; fiq: boolean; serror: boolean };
}

const EL0R = 1;
const EL0W = 2;
const EL1R = 4;
const EL1W = 8;
const RW1 = EL1R | EL1W;
const RO1 = EL1R;
const RWALL = EL0R | EL0W | EL1R | EL1W;
const ROALL = EL0R | EL1R;

/** HCR_EL2 bits (Arm ARM D23.2.47 HCR_EL2). */
export const HCR = {
  VM: 1 << 0,
  SWIO: 1 << 1,
  PTW: 1 << 2,
  FMO: 1 << 3,
  IMO: 1 << 4,
  AMO: 1 << 5,
  VF: 1 << 6,
  VI: 1 << 7,
  VSE: 1 << 8,
  DC: 1 << 12,
  TWI: 1 << 13,
  TWE: 1 << 14,
  TID0: 1 << 15,
  TID1: 1 << 16,
  TID2: 1 << 17,
  TID3: 1 << 18,
  TSC: 1 << 19,
  TIDCP: 1 << 20,
  TACR: 1 << 21,
  TSW: 1 << 22,
  TPCP: 1 << 23,
  TPU: 1 << 24,
  TTLB: 1 << 25,
  TVM: 1 << 26,
  TGE: 1 << 27,
  TDZ: 1 << 28,
  HCD: 1 << 29,
  TRVM: 1 << 30,
  /** RW is bit 31: EL1 is AArch64. Always reads as 1 here (AArch32 is not implemented). */
  RW: 1 << 31,
} as const;

/** SCTLR_EL1 bits (Arm ARM D23.2.118). */
export const SCTLR = {
  M: 1 << 0,
  A: 1 << 1,
  C: 1 << 2,
  SA: 1 << 3,
  SA0: 1 << 4,
  UMA: 1 << 9,
  I: 1 << 12,
  DZE: 1 << 14,
  UCT: 1 << 15,
  nTWI: 1 << 16,
  nTWE: 1 << 18,
  WXN: 1 << 19,
  SPAN: 1 << 23,
  E0E: 1 << 24,
  EE: 1 << 25,
  UCI: 1 << 26,
  /** DSSBS is bit 44: bit 12 of the high word. */
  DSSBS_HI: 1 << 12,
} as const;

/** CNTKCTL_EL1 bits (Arm ARM D23.8.x). */
const CNTKCTL_EL0PCTEN = 1 << 0;
const CNTKCTL_EL0VCTEN = 1 << 1;
const CNTKCTL_EL0VTEN = 1 << 8;
const CNTKCTL_EL0PTEN = 1 << 9;
/** CNTHCTL_EL2 (E2H = 0 layout): EL1PCTEN bit 0, EL1PCEN bit 1. */
const CNTHCTL_EL1PCTEN = 1 << 0;
const CNTHCTL_EL1PCEN = 1 << 1;
/** MDCR_EL2 trap bits: TDOSA 10, TDRA 11, TDA 9. */
const MDCR_TDA = 1 << 9;
const MDCR_TDOSA = 1 << 10;
const MDCR_TDRA = 1 << 11;

/** Timer control bits (CNTP_CTL_EL0 / CNTV_CTL_EL0). */
export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;

type Trap = (f: SysRegFile, read: boolean) => boolean;

export interface RegDef {
  readonly id: SysRegId;
  /** Storage slot (pair index), or -1 for computed registers. */
  slot: number;
  readonly access: number;
  /** EL0 access traps to EL1 with EC 0x18 when this returns true. */
  readonly el0Trap?: Trap;
  /** EL0/EL1 access traps to EL2 (a `sysreg` exit) when this returns true. */
  readonly el2Trap?: Trap;
  /** Computed read: leaves the value in f.v. */
  readonly read?: (f: SysRegFile, k: number) => void;
  /** Side-effecting write (guest MSR and host setSysReg). Default: store under `mask`. */
  readonly write?: (f: SysRegFile, lo: number, hi: number, k: number) => void;
  /** Writable bits (lo, hi); default all. */
  readonly mask?: readonly [number, number];
  readonly reset?: readonly [number, number];
  /** The host (EL2 side) may not write it (computed values). */
  readonly hostReadOnly?: boolean;
  /**
   * Kept by Cpu.reset(): the hypervisor's controls (EL2 registers), the identification
   * registers it may have sanitised, and CNTFRQ_EL0 (set by firmware).
   */
  readonly keep?: boolean;
}

const hcrBit =
  (bit: number): Trap =>
  (f) =>
    (f.lo(SysReg.HCR_EL2) & bit) !== 0;
const tvm: Trap = (f, read) => (f.lo(SysReg.HCR_EL2) & (read ? HCR.TRVM : HCR.TVM)) !== 0;
const sctlrClear =
  (bit: number): Trap =>
  (f) =>
    (f.lo(SysReg.SCTLR_EL1) & bit) === 0;
const cntkctlClear =
  (bits: number): Trap =>
  (f) =>
    (f.lo(SysReg.CNTKCTL_EL1) & bits) === 0;
const cnthctlClear =
  (bit: number): Trap =>
  (f) =>
    (f.lo(SysReg.CNTHCTL_EL2) & bit) === 0;
const mdcrBit =
  (bit: number): Trap =>
  (f) =>
    (f.lo(SysReg.MDCR_EL2) & bit) !== 0;

/** Registers the host may store but the guest cannot reach (EL2 controls). */
const EL2_REGS: readonly SysRegId[] = [
  SysReg.SCTLR_EL2,
  SysReg.MDCR_EL2,
  SysReg.CPTR_EL2,
  SysReg.HSTR_EL2,
  SysReg.HACR_EL2,
  SysReg.TTBR0_EL2,
  SysReg.TCR_EL2,
  SysReg.ESR_EL2,
  SysReg.FAR_EL2,
  SysReg.HPFAR_EL2,
  SysReg.VBAR_EL2,
];

/** Debug registers kept as plain storage (Arm ARM D23.3); debug events are not generated. */
const DBG = {
  MDCCINT_EL1: sysRegId(2, 0, 0, 2, 0),
  MDSCR_EL1: sysRegId(2, 0, 0, 2, 2),
  MDRAR_EL1: sysRegId(2, 0, 1, 0, 0),
  OSLAR_EL1: sysRegId(2, 0, 1, 0, 4),
  OSLSR_EL1: sysRegId(2, 0, 1, 1, 4),
  OSDLR_EL1: sysRegId(2, 0, 1, 3, 4),
  DBGCLAIMSET_EL1: sysRegId(2, 0, 7, 8, 6),
  DBGCLAIMCLR_EL1: sysRegId(2, 0, 7, 9, 6),
  DBGAUTHSTATUS_EL1: sysRegId(2, 0, 7, 14, 6),
} as const;
/** AIDR_EL1 (Auxiliary ID, RAZ on QEMU's A57). */
const AIDR_EL1 = sysRegId(3, 1, 0, 0, 7);

/**
 * Cortex-A57 cache geometry as QEMU's cortex-a57 model reports it (target/arm/cpu64.c):
 * CLIDR_EL1 and CCSIDR_EL1 for L1D, L1I, L2.
 */
const CLIDR = 0x0a200023;
const CCSIDR: Readonly<Record<number, number>> = { 0: 0x701fe00a, 1: 0x201fe012, 2: 0x70ffe07a };

/** ID_AA64MMFR0_EL1: PARange 0b0100 (44 bits), ASIDBits 16, BigEnd, SNSMem; 4K and 64K granules. */
const MMFR0 = 0x00001124;
/** Physical address size in bits (ID_AA64MMFR0_EL1.PARange = 0b0100). */
export const PA_BITS = 44;

const ALL_BITS: readonly [number, number] = [-1, -1];

export class SysRegFile {
  readonly defs = new Map<SysRegId, RegDef>();
  readonly S: Int32Array;
  /** Scratch result of a read: v[0] = low word, v[1] = high word. */
  readonly v = new Int32Array(2);
  private readonly slotOf = new Map<SysRegId, number>();

  constructor(
    readonly host: SysHost,
    midr: bigint,
    mpidr: bigint,
  ) {
    const defs: RegDef[] = [];
    const add = (d: Omit<RegDef, 'slot'> & { slot?: number }): void => {
      defs.push({ ...d, slot: d.read ? -1 : 0 });
    };
    const lo32 = (b: bigint): number => Number(b & 0xffffffffn) | 0;
    const hi32 = (b: bigint): number => Number((b >> 32n) & 0xffffffffn) | 0;

    // ── Identification (read-only to the guest; the host may rewrite them, as KVM allows) ──
    // MIDR/MPIDR reads at EL1 return VPIDR_EL2/VMPIDR_EL2 (Arm ARM D23.2.x: EL2 implemented).
    // A host write sets the value the guest reads (as KVM's ONE_REG MIDR/MPIDR do).
    add({
      id: SysReg.MIDR_EL1,
      access: RO1,
      read: (f) => f.copy(SysReg.VPIDR_EL2),
      write: (f, lo, hi) => f.store(SysReg.VPIDR_EL2, lo, hi),
    });
    add({
      id: SysReg.MPIDR_EL1,
      access: RO1,
      read: (f) => f.copy(SysReg.VMPIDR_EL2),
      write: (f, lo, hi) => f.store(SysReg.VMPIDR_EL2, lo, hi),
    });
    add({ id: SysReg.VPIDR_EL2, access: 0, reset: [lo32(midr), hi32(midr)], keep: true });
    add({ id: SysReg.VMPIDR_EL2, access: 0, reset: [lo32(mpidr), hi32(mpidr)], keep: true });
    add({ id: SysReg.REVIDR_EL1, access: RO1, el2Trap: hcrBit(HCR.TID1), reset: [0, 0], keep: true });
    add({ id: AIDR_EL1, access: RO1, el2Trap: hcrBit(HCR.TID1), reset: [0, 0], keep: true });
    const id3 = (id: SysRegId, lo: number, hi = 0): void =>
      add({ id, access: RO1, el2Trap: hcrBit(HCR.TID3), reset: [lo, hi], keep: true });
    // EL0..EL3 AArch64 only; FP = AdvSIMD = 0xF (absent); GIC = 1 (system register interface).
    id3(SysReg.ID_AA64PFR0_EL1, 0x01ff1111);
    id3(SysReg.ID_AA64PFR1_EL1, 0x20); // SSBS = 0b0010 (PSTATE.SSBS and the SSBS register)
    id3(SysReg.ID_AA64ZFR0_EL1, 0);
    id3(SysReg.ID_AA64DFR0_EL1, 0x00101006); // DebugVer v8, BRPs 2, WRPs 2, PMUVer 0
    id3(SysReg.ID_AA64DFR1_EL1, 0);
    id3(SysReg.ID_AA64AFR0_EL1, 0);
    id3(SysReg.ID_AA64AFR1_EL1, 0);
    id3(SysReg.ID_AA64ISAR0_EL1, 0x00010000); // CRC32
    id3(SysReg.ID_AA64ISAR1_EL1, 0);
    id3(SysReg.ID_AA64ISAR2_EL1, 0);
    id3(SysReg.ID_AA64MMFR0_EL1, MMFR0);
    id3(SysReg.ID_AA64MMFR1_EL1, 0x00100000); // PAN = 1
    id3(SysReg.ID_AA64MMFR2_EL1, 0x10); // UAO = 1
    add({
      id: SysReg.CTR_EL0,
      access: ROALL,
      el0Trap: sctlrClear(SCTLR.UCT),
      el2Trap: hcrBit(HCR.TID2),
      reset: [0x8444c004 | 0, 0],
      keep: true,
    });
    add({
      id: SysReg.DCZID_EL0,
      access: ROALL,
      // DZP (bit 4) reads 1 when DC ZVA is prohibited at the current EL (SCTLR_EL1.DZE at EL0,
      // HCR_EL2.TDZ at EL0/EL1); BS = 4 (64-byte blocks).
      read: (f) => {
        const prohibited =
          (f.lo(SysReg.HCR_EL2) & HCR.TDZ) !== 0 ||
          (currentEl(f.host.R) === 0 && (f.lo(SysReg.SCTLR_EL1) & SCTLR.DZE) === 0);
        f.set(4 | (prohibited ? 16 : 0), 0);
      },
    });
    add({ id: SysReg.CLIDR_EL1, access: RO1, el2Trap: hcrBit(HCR.TID2), reset: [CLIDR, 0], keep: true });
    add({
      id: SysReg.CCSIDR_EL1,
      access: RO1,
      el2Trap: hcrBit(HCR.TID2),
      read: (f) => f.set(CCSIDR[f.lo(SysReg.CSSELR_EL1) & 0xf] ?? 0, 0),
    });
    add({ id: SysReg.CSSELR_EL1, access: RW1, el2Trap: hcrBit(HCR.TID2), mask: [0xf, 0], reset: [0, 0] });

    // ── EL1 system control and translation ──
    const flushAll = (f: SysRegFile): void => f.host.tlbChanged('all');
    add({
      id: SysReg.SCTLR_EL1,
      access: RW1,
      el2Trap: tvm,
      reset: [0x00c50838, 0], // QEMU cortex-a57 reset_sctlr
      write: (f, lo, hi) => {
        f.store(SysReg.SCTLR_EL1, lo, hi);
        flushAll(f);
        f.host.pstateChanged();
      },
    });
    add({ id: SysReg.ACTLR_EL1, access: RW1, el2Trap: hcrBit(HCR.TACR), reset: [0, 0] });
    add({ id: SysReg.CPACR_EL1, access: RW1, reset: [0, 0] });
    const ttbr = (id: SysRegId): void =>
      add({
        id,
        access: RW1,
        el2Trap: tvm,
        reset: [0, 0],
        write: (f, lo, hi) => {
          f.store(id, lo, hi);
          f.host.tlbChanged('nG');
        },
      });
    ttbr(SysReg.TTBR0_EL1);
    ttbr(SysReg.TTBR1_EL1);
    add({
      id: SysReg.TCR_EL1,
      access: RW1,
      el2Trap: tvm,
      reset: [0, 0],
      write: (f, lo, hi) => {
        f.store(SysReg.TCR_EL1, lo, hi);
        flushAll(f);
      },
    });
    for (const id of [SysReg.AFSR0_EL1, SysReg.AFSR1_EL1, SysReg.AMAIR_EL1, SysReg.CONTEXTIDR_EL1])
      add({ id, access: RW1, el2Trap: tvm, reset: [0, 0] });
    add({ id: SysReg.ESR_EL1, access: RW1, el2Trap: tvm, mask: [-1, 0], reset: [0, 0] });
    add({ id: SysReg.FAR_EL1, access: RW1, el2Trap: tvm, reset: [0, 0] });
    add({
      id: SysReg.MAIR_EL1,
      access: RW1,
      el2Trap: tvm,
      reset: [0, 0],
      write: (f, lo, hi) => {
        f.store(SysReg.MAIR_EL1, lo, hi);
        flushAll(f);
      },
    });
    add({ id: SysReg.PAR_EL1, access: RW1, reset: [0, 0] });
    add({ id: SysReg.VBAR_EL1, access: RW1, mask: [~0x7ff, -1], reset: [0, 0] });
    add({
      id: SysReg.ISR_EL1,
      access: RO1,
      read: (f) => {
        const p = f.host.pendingBits();
        f.set((p.serror ? 1 << 8 : 0) | (p.irq ? 1 << 7 : 0) | (p.fiq ? 1 << 6 : 0), 0);
      },
    });
    add({ id: SysReg.TPIDR_EL1, access: RW1, reset: [0, 0] });
    add({ id: SysReg.TPIDR_EL0, access: RWALL, reset: [0, 0] });
    add({ id: SysReg.TPIDRRO_EL0, access: ROALL | EL1W, reset: [0, 0] });
    add({ id: SysReg.SPSR_EL1, access: RW1, mask: [-1, 0], reset: [0, 0] });
    add({ id: SysReg.ELR_EL1, access: RW1, reset: [0, 0] });

    // ── Special-purpose registers (views of PSTATE; Arm ARM C5.2) ──
    const R = host.R;
    add({
      id: SysReg.SP_EL0,
      access: RW1,
      read: (f) => f.set(R[SP0]!, R[SP0 + 1]!),
      write: (_f, lo, hi) => {
        R[SP0] = lo;
        R[SP0 + 1] = hi;
      },
    });
    // SP_EL1 is accessible from EL2 and EL3 only: MRS/MSR at EL1 are UNDEFINED.
    add({
      id: SysReg.SP_EL1,
      access: 0,
      read: (f) => f.set(R[SP1]!, R[SP1 + 1]!),
      write: (_f, lo, hi) => {
        R[SP1] = lo;
        R[SP1 + 1] = hi;
      },
      keep: true,
    });
    add({
      id: SysReg.SPSel,
      access: RW1,
      read: (f) => f.set(R[PST]! & 1, 0),
      write: (f, lo) => {
        R[PST] = (R[PST]! & ~1) | (lo & 1);
        f.host.pstateChanged();
      },
    });
    add({ id: SysReg.CurrentEL, access: RO1, read: (f) => f.set(R[PST]! & 0xc, 0), hostReadOnly: true });
    add({
      id: SysReg.DAIF,
      access: RWALL,
      el0Trap: sctlrClear(SCTLR.UMA),
      read: (f) => f.set(R[PST]! & PS_DAIF, 0),
      write: (f, lo) => {
        R[PST] = (R[PST]! & ~PS_DAIF) | (lo & PS_DAIF);
        f.host.pstateChanged();
      },
    });
    add({
      id: SysReg.NZCV,
      access: RWALL,
      read: (f) => f.set(packNzcv(R), 0),
      write: (_f, lo) => unpackNzcv(R, lo),
    });
    const pstateBit = (id: SysRegId, bit: number, access: number): void =>
      add({
        id,
        access,
        read: (f) => f.set(R[PST]! & bit, 0),
        write: (f, lo) => {
          R[PST] = (R[PST]! & ~bit) | (lo & bit);
          f.host.pstateChanged();
        },
      });
    pstateBit(SysReg.PAN, PS_PAN, RW1);
    pstateBit(SysReg.UAO, PS_UAO, RW1);
    pstateBit(SysReg.SSBS, PS_SSBS, RWALL);

    // ── Generic timer (Arm ARM D11, D23.8) ──
    const el0Count = (bits: number): Trap => cntkctlClear(bits);
    add({
      id: SysReg.CNTFRQ_EL0,
      access: ROALL,
      el0Trap: el0Count(CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN),
      reset: [62_500_000, 0],
      keep: true,
    });
    add({
      id: SysReg.CNTPCT_EL0,
      access: ROALL,
      el0Trap: el0Count(CNTKCTL_EL0PCTEN),
      el2Trap: cnthctlClear(CNTHCTL_EL1PCTEN),
      read: (f, k) => f.setNum(f.host.physCount(k)),
      hostReadOnly: true,
    });
    add({
      id: SysReg.CNTVCT_EL0,
      access: ROALL,
      el0Trap: el0Count(CNTKCTL_EL0VCTEN),
      read: (f, k) => f.virtCount(k),
      hostReadOnly: true,
    });
    this.timerRegs(add, 'P', el0Count(CNTKCTL_EL0PTEN), cnthctlClear(CNTHCTL_EL1PCEN));
    this.timerRegs(add, 'V', el0Count(CNTKCTL_EL0VTEN), undefined);
    add({ id: SysReg.CNTKCTL_EL1, access: RW1, mask: [0x3ff, 0], reset: [0, 0] });
    add({ id: SysReg.CNTHCTL_EL2, access: 0, reset: [CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, 0], keep: true });
    add({ id: SysReg.CNTVOFF_EL2, access: 0, reset: [0, 0], keep: true });

    // ── EL2 controls programmed by the TypeScript hypervisor ──
    add({
      id: SysReg.HCR_EL2,
      access: 0,
      keep: true,
      reset: [HCR.RW, 0],
      write: (f, lo, hi) => {
        const old = f.lo(SysReg.HCR_EL2);
        f.store(SysReg.HCR_EL2, lo | HCR.RW, hi);
        if (((old ^ lo) & (HCR.VM | HCR.DC | HCR.PTW)) !== 0) flushAll(f);
        f.host.interruptsChanged();
      },
    });
    const s2 = (id: SysRegId): void =>
      add({
        id,
        access: 0,
        keep: true,
        reset: [0, 0],
        write: (f, lo, hi) => {
          f.store(id, lo, hi);
          flushAll(f);
        },
      });
    s2(SysReg.VTTBR_EL2);
    s2(SysReg.VTCR_EL2);
    for (const id of EL2_REGS) add({ id, access: 0, reset: [0, 0], keep: true });

    // ── Debug (storage only) ──
    const dbg = mdcrBit(MDCR_TDA);
    add({ id: DBG.MDCCINT_EL1, access: RW1, el2Trap: dbg, reset: [0, 0] });
    add({ id: DBG.MDSCR_EL1, access: RW1, el2Trap: dbg, reset: [0, 0] });
    add({ id: DBG.MDRAR_EL1, access: RO1, el2Trap: mdcrBit(MDCR_TDRA), reset: [0, 0] });
    add({
      id: DBG.OSLAR_EL1,
      access: EL1W,
      el2Trap: mdcrBit(MDCR_TDOSA),
      write: (f, lo) => f.store(DBG.OSLSR_EL1, (f.lo(DBG.OSLSR_EL1) & ~2) | ((lo & 1) << 1), 0),
    });
    add({ id: DBG.OSLSR_EL1, access: RO1, el2Trap: mdcrBit(MDCR_TDOSA), reset: [0b1010, 0] });
    add({ id: DBG.OSDLR_EL1, access: RW1, el2Trap: mdcrBit(MDCR_TDOSA), mask: [1, 0], reset: [0, 0] });
    add({
      id: DBG.DBGCLAIMSET_EL1,
      access: RW1,
      el2Trap: dbg,
      read: (f) => f.set(0xff, 0),
      write: () => {},
    });
    add({ id: DBG.DBGCLAIMCLR_EL1, access: RW1, el2Trap: dbg, mask: [0xff, 0], reset: [0, 0] });
    add({ id: DBG.DBGAUTHSTATUS_EL1, access: RO1, el2Trap: dbg, reset: [0xaa, 0] });
    for (let n = 0; n < 2; n++)
      for (let op2 = 4; op2 <= 7; op2++)
        add({ id: sysRegId(2, 0, 0, n, op2), access: RW1, el2Trap: dbg, reset: [0, 0] });

    let slots = 0;
    for (const d of defs) {
      if (!d.read) {
        d.slot = slots++;
        this.slotOf.set(d.id, d.slot);
      }
      this.defs.set(d.id, d);
    }
    this.S = new Int32Array(slots * 2);
    this.reset();
  }

  private timerRegs(
    add: (d: Omit<RegDef, 'slot'>) => void,
    which: 'P' | 'V',
    el0Trap: Trap,
    el2Trap: Trap | undefined,
  ): void {
    const ctl = which === 'P' ? SysReg.CNTP_CTL_EL0 : SysReg.CNTV_CTL_EL0;
    const cval = which === 'P' ? SysReg.CNTP_CVAL_EL0 : SysReg.CNTV_CVAL_EL0;
    const tval = which === 'P' ? SysReg.CNTP_TVAL_EL0 : SysReg.CNTV_TVAL_EL0;
    const traps = el2Trap ? { el0Trap, el2Trap } : { el0Trap };
    add({
      id: ctl,
      access: RWALL,
      ...traps,
      read: (f, k) => f.set((f.timerCtlStored(which) & 3) | (f.timerIstatus(which, k) ? CTL_ISTATUS : 0), 0),
      write: (f, lo) => {
        f.timerCtl[which === 'P' ? 0 : 1] = lo & (CTL_ENABLE | CTL_IMASK);
      },
    });
    add({ id: cval, access: RWALL, ...traps, reset: [0, 0] });
    add({
      id: tval,
      access: RWALL,
      ...traps,
      // TVAL = (CVAL - count)[31:0], sign-extended on write (Arm ARM D11.2.4).
      read: (f, k) => {
        f.count(which, k);
        f.set((f.lo(cval) - f.v[0]!) | 0, 0);
      },
      write: (f, lo, _hi, k) => {
        f.count(which, k);
        const cl = (f.v[0]! + lo) | 0;
        const carry = cl >>> 0 < f.v[0]! >>> 0 ? 1 : 0;
        f.store(cval, cl, (f.v[1]! + (lo >> 31) + carry) | 0);
      },
    });
  }

  /**
   * Restores stored registers to their reset values: all of them, or (`keepHost`) all but the
   * ones marked `keep` (Cpu.reset()).
   */
  reset(keepHost = false): void {
    for (const d of this.defs.values()) {
      if (d.slot < 0 || (keepHost && d.keep)) continue;
      this.S[d.slot * 2] = d.reset ? d.reset[0] : 0;
      this.S[d.slot * 2 + 1] = d.reset ? d.reset[1] : 0;
    }
    this.timerCtl.fill(0);
  }

  /** Low word of a stored register (no trap checks; 0 for computed registers). */
  lo(id: SysRegId): number {
    const s = this.slotOf.get(id);
    return s === undefined ? 0 : this.S[s * 2]!;
  }

  hi(id: SysRegId): number {
    const s = this.slotOf.get(id);
    return s === undefined ? 0 : this.S[s * 2 + 1]!;
  }

  /** Slot index of a stored register (for hot readers that cache it). */
  slot(id: SysRegId): number {
    const s = this.slotOf.get(id);
    if (s === undefined) throw new HvlabError('ENOENT', `${sysRegName(id)} has no storage`);
    return s;
  }

  /** Stores a register value (no side effects, no masks). */
  store(id: SysRegId, lo: number, hi: number): void {
    const s = this.slotOf.get(id);
    if (s === undefined) throw new HvlabError('ENOENT', `${sysRegName(id)} has no storage`);
    this.S[s * 2] = lo;
    this.S[s * 2 + 1] = hi;
  }

  set(lo: number, hi: number): void {
    this.v[0] = lo;
    this.v[1] = hi;
  }

  setNum(n: number): void {
    this.v[0] = (n % 4294967296) | 0;
    this.v[1] = Math.floor(n / 4294967296) | 0;
  }

  copy(id: SysRegId): void {
    this.set(this.lo(id), this.hi(id));
  }

  /** Reads a register into v (no access checks). `k` = instructions into the current block. */
  readInto(d: RegDef, k: number): void {
    if (d.read) d.read(this, k);
    else this.set(this.S[d.slot * 2]!, this.S[d.slot * 2 + 1]!);
  }

  /** Writes a register (guest MSR after checks, or host setSysReg). */
  writeFrom(d: RegDef, lo: number, hi: number, k: number): void {
    if (d.write) {
      d.write(this, lo, hi, k);
      return;
    }
    if (d.slot < 0) return;
    const m = d.mask ?? ALL_BITS;
    this.S[d.slot * 2] = lo & m[0];
    this.S[d.slot * 2 + 1] = hi & m[1];
  }

  // ── Timer helpers (counter arithmetic on pairs) ──

  /**
   * ENABLE and IMASK of the physical [0] and virtual [1] timers. The CTL registers are computed
   * on read (ISTATUS depends on time), so their writable bits live here.
   */
  readonly timerCtl = new Int32Array(2);

  timerCtlStored(which: 'P' | 'V'): number {
    return this.timerCtl[which === 'P' ? 0 : 1]!;
  }

  /** CNTVCT = CNTPCT - CNTVOFF_EL2 (mod 2^64), into v. */
  virtCount(k: number): void {
    this.setNum(this.host.physCount(k));
    const ol = this.lo(SysReg.CNTVOFF_EL2);
    const oh = this.hi(SysReg.CNTVOFF_EL2);
    const l = this.v[0]!;
    this.v[0] = (l - ol) | 0;
    this.v[1] = (this.v[1]! - oh - (l >>> 0 < ol >>> 0 ? 1 : 0)) | 0;
  }

  /** The counter a timer compares against (physical or virtual), into v. */
  count(which: 'P' | 'V', k: number): void {
    if (which === 'P') this.setNum(this.host.physCount(k));
    else this.virtCount(k);
  }

  /** ISTATUS: ENABLE and count >= CVAL (unsigned 64-bit). */
  timerIstatus(which: 'P' | 'V', k: number): boolean {
    if ((this.timerCtlStored(which) & CTL_ENABLE) === 0) return false;
    this.count(which, k);
    const cv = which === 'P' ? SysReg.CNTP_CVAL_EL0 : SysReg.CNTV_CVAL_EL0;
    const ch = this.hi(cv) >>> 0;
    const vh = this.v[1]! >>> 0;
    return vh > ch || (vh === ch && this.v[0]! >>> 0 >= this.lo(cv) >>> 0);
  }
}

export { AIDR_EL1, DBG, EL0R, EL0W, EL1R, EL1W };
