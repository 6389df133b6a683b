/**
 * Address translation for the EL1&0 regime: TLB fills through core's reference walker
 * (@hvlab/core mmu: walkStage1/walkStage2 with a descriptor-fetch callback, permission checks)
 * and the address translation instructions (AT S1E1R/W, S1E0R/W -> PAR_EL1).
 *
 * Stage 1 is off when SCTLR_EL1.M = 0 or HCR_EL2.DC = 1 (VA = IPA; data accesses Device-nGnRnE
 * unless HCR_EL2.DC, instruction fetches Normal; Arm ARM D8.2.x "The effects of disabling a
 * stage of translation"). Stage 2 is on when HCR_EL2.VM = 1 or HCR_EL2.DC = 1 (D17.2 HCR_EL2.DC:
 * "the PE behaves as if the value of HCR_EL2.VM is 1"); stage-1 table accesses then go through
 * stage 2 (s1ptwFetch) and a stage-2 fault there is reported with S1PTW.
 *
 * The walker uses BigInt for VAs and descriptors; that cost is paid per TLB miss, never per
 * instruction. Decoded TCR/TTBR and VTCR/VTTBR configurations are cached until those registers
 * change (tlbChanged).
 */
import { type AccessKind, type RamRegion, SysReg } from '@hvlab/core';
import type { InterpCpu } from './cpu.js';
import { toU64 as big, pairToNumber } from './state.js';
import { HCR, PA_BITS, SCTLR } from './sysregs.js';
import {
  P_DEVICE,
  P_NG,
  P_RAM,
  P_S1R,
  P_S1W,
  P_S1X,
  P_S2,
  P_S2R,
  P_S2W,
  P_S2X,
  TLB_MASK,
  TLB_SIZE,
  Tlb,
} from './tlb.js';
import {
  CORTEX_A57_MMU,
  checkS1Permission,
  checkS2Permission,
  type DescFetch,
  decodeStage1,
  decodeStage2,
  FETCH_EXTERNAL_ABORT,
  type MmuFault,
  type Stage1Config,
  type Stage2Config,
  s1ptwFetch,
  s2MemAttrIsDevice,
  walkStage1,
  walkStage2,
} from './walker.js';

/** A RAM region with the DataView translated code uses. */
export interface RamView {
  readonly region: RamRegion;
  readonly dv: DataView;
}

export class Mmu {
  private s1: Stage1Config | undefined;
  private s2: Stage2Config | undefined;
  /** The fault of the last failed fill or AT walk. */
  fault: MmuFault | undefined;
  private readonly views = new Map<RamRegion, RamView>();
  private readonly fetchLe: DescFetch;
  private readonly fetchBe: DescFetch;

  constructor(private readonly cpu: InterpCpu) {
    this.fetchLe = this.physFetch(true);
    this.fetchBe = this.physFetch(false);
  }

  /** Forgets decoded translation controls (their registers changed). */
  resetConfig(): void {
    this.s1 = undefined;
    this.s2 = undefined;
  }

  private stage1(): Stage1Config {
    if (!this.s1) {
      const s = this.cpu.sys;
      const reg = (id: number): bigint => big(s.lo(id), s.hi(id));
      this.s1 = decodeStage1(
        { tcr: reg(SysReg.TCR_EL1), ttbr0: reg(SysReg.TTBR0_EL1), ttbr1: reg(SysReg.TTBR1_EL1) },
        CORTEX_A57_MMU,
      );
    }
    return this.s1;
  }

  private stage2(): Stage2Config {
    if (!this.s2) {
      const s = this.cpu.sys;
      const reg = (id: number): bigint => big(s.lo(id), s.hi(id));
      this.s2 = decodeStage2({ vtcr: reg(SysReg.VTCR_EL2), vttbr: reg(SysReg.VTTBR_EL2) }, CORTEX_A57_MMU);
    }
    return this.s2;
  }

  /** VMID of the current stage 2 (-1 when stage 2 is off): TLBI broadcast scope. */
  vmid(): number {
    return stage2On(this.cpu.sys.lo(SysReg.HCR_EL2)) ? this.stage2().vmid : -1;
  }

  /** The current ASID (TCR_EL1.A1 selects the TTBR; 8 bits unless TCR_EL1.AS). */
  asid(): number {
    return this.stage1().asid;
  }

  /** TCR_EL1.AS: 16-bit ASIDs in use. */
  asid16(): boolean {
    return (this.cpu.sys.hi(SysReg.TCR_EL1) & (1 << 4)) !== 0;
  }

  /** The RAM region holding [pa, pa + len), with its DataView. */
  ram(pa: number, len: number): RamView | undefined {
    const r = this.cpu.mem.findRam(pa);
    if (!r || pa + len > r.base + r.size) return undefined;
    let v = this.views.get(r);
    if (!v) {
      v = { region: r, dv: new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) };
      this.views.set(r, v);
    }
    return v;
  }

  private physFetch(le: boolean): DescFetch {
    return (descAddr) => {
      const a = Number(descAddr);
      const v = this.ram(a, 8);
      if (!v) return FETCH_EXTERNAL_ABORT;
      const o = a - v.region.base;
      const lo = le ? v.dv.getUint32(o, true) : v.dv.getUint32(o + 4, false);
      const hi = le ? v.dv.getUint32(o + 4, true) : v.dv.getUint32(o, false);
      return { ok: true, desc: (BigInt(hi) << 32n) | BigInt(lo) };
    };
  }

  /** Stage-1 table reads honour SCTLR_EL1.EE; stage-2 table reads SCTLR_EL2.EE. */
  private s1Fetch(s2on: boolean): DescFetch {
    const ee = (this.cpu.sys.lo(SysReg.SCTLR_EL1) & SCTLR.EE) !== 0;
    const f = ee ? this.fetchBe : this.fetchLe;
    return s2on ? s1ptwFetch(this.stage2(), this.s2Fetch()) : f;
  }

  private s2Fetch(): DescFetch {
    return (this.cpu.sys.lo(SysReg.SCTLR_EL2) & SCTLR.EE) !== 0 ? this.fetchBe : this.fetchLe;
  }

  /**
   * Fills the TLB entry of MMU index `idx` for the page of (vl, vh). Returns the entry index, or
   * -1 with `fault` set (a translation, access flag or address size fault of either stage;
   * permission faults are checked by the caller against the entry).
   */
  fill(vl: number, vh: number, idx: number): number {
    const cpu = this.cpu;
    const sys = cpu.sys;
    const tlb = cpu.tlb;
    const hcr = sys.lo(SysReg.HCR_EL2);
    const sctlr = sys.lo(SysReg.SCTLR_EL1);
    const s2on = stage2On(hcr);
    const s1on = (sctlr & SCTLR.M) !== 0 && (hcr & HCR.DC) === 0;
    const el: 0 | 1 = idx === 0 ? 0 : 1;
    let ipa: number;
    let perm = 0;
    let level1 = 0;
    let size = 4096;
    let asid = 0;
    if (!s1on) {
      // AArch64.S1DisabledOutput: VA[top:PAMax] must be zero (top = 55 with TBI).
      const tbi = this.tbiFor(vh);
      const h = tbi ? vh & 0x00ffffff : vh;
      if (h >>> (PA_BITS - 32) !== 0) {
        this.fault = { kind: 'addressSize', stage: 1, level: 0, s1ptw: false, ipa: undefined };
        return -1;
      }
      ipa = pairToNumber(vl, h);
      perm = P_S1R | P_S1W | P_S1X;
      if ((hcr & HCR.DC) === 0) perm |= P_DEVICE;
    } else {
      const t = walkStage1(this.stage1(), big(vl, vh), this.s1Fetch(s2on));
      if (!t.ok) {
        this.fault = t.fault;
        return -1;
      }
      ipa = t.pa;
      level1 = t.level;
      size = t.size;
      asid = t.asid;
      const opts = { pan: idx === 2, wxn: (sctlr & SCTLR.WXN) !== 0 };
      if (checkS1Permission(t, 'read', el, opts).ok) perm |= P_S1R;
      if (checkS1Permission(t, 'write', el, opts).ok) perm |= P_S1W;
      if (checkS1Permission(t, 'exec', el, opts).ok) perm |= P_S1X;
      if (t.ng) perm |= P_NG;
      const mair = t.attrIndx < 4 ? sys.lo(SysReg.MAIR_EL1) : sys.hi(SysReg.MAIR_EL1);
      const attr = (mair >>> ((t.attrIndx & 3) * 8)) & 0xff;
      if ((attr & 0xf0) === 0) perm |= P_DEVICE;
    }
    let pa = ipa;
    let level2 = 0;
    if (s2on) {
      const t2 = walkStage2(this.stage2(), BigInt(ipa), this.s2Fetch());
      if (!t2.ok) {
        this.fault = t2.fault;
        return -1;
      }
      pa = t2.pa;
      level2 = t2.level;
      size = Math.min(size, t2.size);
      perm |= P_S2;
      if (checkS2Permission(t2, 'read', el).ok) perm |= P_S2R;
      if (checkS2Permission(t2, 'write', el).ok) perm |= P_S2W;
      if (checkS2Permission(t2, 'exec', el).ok) perm |= P_S2X;
      if (s2MemAttrIsDevice(t2.memAttr)) perm |= P_DEVICE;
    } else {
      perm |= P_S2R | P_S2W | P_S2X;
    }
    const paPage = Math.floor(pa / 4096);
    const view = this.ram(paPage * 4096, 4096);
    if (view) perm |= P_RAM;
    const i = Tlb.index(idx, vl);
    const page = vl & -4096;
    tlb.vLo[i] = page;
    tlb.vHi[i] = vh;
    tlb.perm[i] = perm;
    tlb.asid[i] = asid;
    tlb.paPage[i] = paPage;
    tlb.ipaPage[i] = Math.floor(ipa / 4096);
    tlb.levels[i] = level1 | (level2 << 4);
    tlb.tagHi[i] = vh;
    const off = view ? paPage * 4096 - view.region.base : -1;
    const fast = view !== undefined && off < 2 ** 31;
    if (fast) {
      tlb.dv[i] = view.dv;
      tlb.off[i] = off;
    }
    const ok = (a: number, b: number): boolean => fast && (perm & a) !== 0 && (perm & b) !== 0;
    tlb.tagR[i] = ok(P_S1R, P_S2R) ? page : -1;
    tlb.tagW[i] = ok(P_S1W, P_S2W) && !cpu.code.hasCode(paPage) ? page : -1;
    tlb.tagX[i] = ok(P_S1X, P_S2X) ? page : -1;
    if (size > 4096) tlb.noteLarge(idx, vl, vh, Math.log2(size));
    this.fault = undefined;
    return i;
  }

  /** TCR_EL1.TBI0/TBI1 for a VA (selected by VA[55]). */
  tbiFor(vh: number): boolean {
    const tcrHi = this.cpu.sys.hi(SysReg.TCR_EL1);
    return (vh & (1 << 23)) !== 0 ? (tcrHi & (1 << 6)) !== 0 : (tcrHi & (1 << 5)) !== 0;
  }

  /** The TLB entry for (vl, vh) in MMU index idx, filling it if needed; -1 on a walk fault. */
  lookup(vl: number, vh: number, idx: number): number {
    const i = idx * TLB_SIZE + ((vl >>> 12) & TLB_MASK);
    const tlb = this.cpu.tlb;
    if (tlb.vLo[i] === (vl & -4096) && tlb.vHi[i] === vh) return i;
    return this.fill(vl, vh, idx);
  }

  /**
   * AT S1E1R/S1E1W/S1E0R/S1E0W (Arm ARM C5.5; PAR_EL1 D23.2; bit 11 is RES1 in both formats,
   * NS = 1 for this Non-secure regime): the stage-1 translation of VA
   * with the permission check of the given EL and access, without using or filling the TLB.
   * Returns the PAR_EL1 value, or undefined when a stage-2 fault on the walk must go to EL2
   * (then `fault` holds it).
   */
  at(vl: number, vh: number, el: 0 | 1, access: AccessKind): [number, number] | undefined {
    const sys = this.cpu.sys;
    const hcr = sys.lo(SysReg.HCR_EL2);
    const sctlr = sys.lo(SysReg.SCTLR_EL1);
    const s2on = stage2On(hcr);
    const s1on = (sctlr & SCTLR.M) !== 0 && (hcr & HCR.DC) === 0;
    const parFault = (f: MmuFault): [number, number] => {
      const fst = f.kind === 'permission' ? 0x0c + f.level : faultCode(f);
      return [1 | (fst << 1) | (1 << 11), 0];
    };
    if (!s1on) {
      const h = this.tbiFor(vh) ? vh & 0x00ffffff : vh;
      if (h >>> (PA_BITS - 32) !== 0) return [1 | (0x00 << 1) | (1 << 11), 0];
      // Flat mapping: Device-nGnRnE (ATTR 0x00), reported outer shareable (SH = 0b10); with
      // HCR_EL2.DC Normal Non-shareable Inner/Outer Write-Back (ATTR 0xff, SH = 0b00).
      const dc = (hcr & HCR.DC) !== 0;
      const [attr, sh] = dc ? [0xff, 0b00] : [0x00, 0b10];
      return [(vl & -4096) | (1 << 11) | (sh << 7) | (1 << 9), (h & 0xfff) | (attr << 24)];
    }
    const t = walkStage1(this.stage1(), big(vl, vh), this.s1Fetch(s2on));
    if (!t.ok) {
      if (t.fault.stage === 2) {
        this.fault = t.fault;
        return undefined;
      }
      return parFault(t.fault);
    }
    const p = checkS1Permission(t, access, el, { pan: false, wxn: (sctlr & SCTLR.WXN) !== 0 });
    if (!p.ok) return parFault(p.fault);
    const mair = t.attrIndx < 4 ? sys.lo(SysReg.MAIR_EL1) : sys.hi(SysReg.MAIR_EL1);
    const attr = (mair >>> ((t.attrIndx & 3) * 8)) & 0xff;
    const sh = (attr & 0xf0) === 0 ? 0b10 : t.sh;
    const pal = t.pa % 4294967296;
    const pah = Math.floor(t.pa / 4294967296);
    return [(pal & -4096) | (1 << 11) | (sh << 7) | (1 << 9), (pah & 0xfff) | (attr << 24)];
  }
}

/** Stage 2 is enabled: HCR_EL2.VM, or HCR_EL2.DC, which makes VM behave as 1 (Arm ARM D17.2 HCR_EL2). */
export const stage2On = (hcr: number): boolean => (hcr & (HCR.VM | HCR.DC)) !== 0;

/** DFSC/IFSC of a walk fault (address size 0x00+L, translation 0x04+L, AF 0x08+L, permission 0x0C+L, EA on walk 0x14+L). */
export function faultCode(f: MmuFault): number {
  const base = { addressSize: 0x00, translation: 0x04, accessFlag: 0x08, permission: 0x0c, externalAbort: 0x14 }[
    f.kind
  ];
  return base + Math.max(0, f.level);
}
