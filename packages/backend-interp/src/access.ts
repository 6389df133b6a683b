/**
 * The data-access slow path: everything the inlined TLB fast path (emit/mem.ts) does not handle.
 *
 * Order of checks for one access (Arm ARM pseudocode AArch64.MemSingle / AArch64.TranslateAddress,
 * D8.x fault prioritisation):
 *   1. alignment required by the instruction (acquire/release, exclusives) or SCTLR_EL1.A
 *      -> Alignment fault (stage 1, to EL1)
 *   2. translation (stage 1, then stage 2): translation / access flag / address size faults
 *   3. permissions: stage 1 (-> Data Abort at EL1), then stage 2 (-> `stage2Fault` exit)
 *   4. Device memory and unaligned -> Alignment fault
 *   5. RAM: the access; a store to a page holding translated code invalidates that code.
 *      Not RAM: an `mmio` exit for single-register accesses (ISV = 1), else a synchronous
 *      External abort (DFSC 0b010000).
 * An access that crosses a page boundary is checked page by page (first page first) and then
 * performed bytewise.
 *
 * Helpers return 0 (done; a load's value is in OUT[0..1]), K_LOOKUP (an exception was taken),
 * K_EXIT (an Exit is pending) or, for stores, H_SMC (done, and translated code was overwritten).
 */
import { type AccessKind, type FaultKind, type Ipa, type Pa, SysReg, type Va } from '@hvlab/core';
import type { InterpCpu } from './cpu.js';
import { H_SMC, K_EXIT, K_LOOKUP } from './emit/builder.js';
import { MI_ALIGN, MI_AR, MI_BE, MI_IDX_SHIFT, MI_ISV, MI_RT_SHIFT, MI_SF, MI_SIGN, MI_SIZE } from './emit/mem.js';
import {
  dataAbortEl1,
  EC,
  esrOf,
  FSC_ALIGNMENT,
  FSC_EXTERNAL,
  ISS_CM,
  ISS_ISV,
  ISS_S1PTW,
  ISS_WNR,
  instrAbortEl1,
} from './exceptions.js';
import { OUT } from './i64.js';
import { faultCode, type RamView } from './mmu.js';
import { toU64 as big, byteReverse } from './state.js';
import { SCTLR } from './sysregs.js';
import { P_DEVICE, P_RAM, P_S1R, P_S1W, P_S1X, P_S2R, P_S2W, P_S2X } from './tlb.js';
import type { MmuFault } from './walker.js';

/** One page's worth of a checked access: where the bytes are, or why there are none. */
interface Target {
  readonly pa: number;
  readonly view: RamView | undefined;
  /** The memory type is Device (unaligned accesses fault). */
  readonly device: boolean;
}

/**
 * Reports a translation fault of a data access: stage 1 -> Data Abort to EL1 (ISV = 0, as for
 * every fault reported in ESR_EL1), stage 2 -> `stage2Fault` exit with the ESR_EL2 syndrome.
 */
export function dataFault(
  cpu: InterpCpu,
  f: MmuFault,
  vl: number,
  vh: number,
  write: boolean,
  info: number,
  cm = false,
): number {
  if (f.stage === 1) {
    dataAbortEl1(cpu, faultCode(f), vl, vh, write, cm);
    return K_LOOKUP;
  }
  // ISV only for single-register accesses without writeback, and never on a stage-1 walk.
  const isv = (info & MI_ISV) !== 0 && !f.s1ptw && !cm;
  let iss = faultCode(f) | (write || cm ? ISS_WNR : 0) | (f.s1ptw ? ISS_S1PTW : 0) | (cm ? ISS_CM : 0);
  if (isv) {
    iss |=
      ISS_ISV |
      ((info & MI_SIZE) << 22) |
      (info & MI_SIGN ? 1 << 21 : 0) |
      (((info >> MI_RT_SHIFT) & 31) << 16) |
      (info & MI_SF ? 1 << 15 : 0) |
      (info & MI_AR ? 1 << 14 : 0);
  }
  stage2Exit(cpu, f, vl, vh, esrOf(EC.DABT_LOW, iss), write ? 'write' : 'read');
  return K_EXIT;
}

/** Records a stage-2 fault as EL2 would see it (ESR_EL2, FAR_EL2, HPFAR_EL2) and sets the exit. */
function stage2Exit(cpu: InterpCpu, f: MmuFault, vl: number, vh: number, esr: number, access: AccessKind): void {
  const ipa = f.ipa ?? 0n;
  const sys = cpu.sys;
  sys.store(SysReg.ESR_EL2, esr | 0, 0);
  sys.store(SysReg.FAR_EL2, vl, vh);
  // HPFAR_EL2.FIPA (bits 43:4) = IPA[51:12].
  const hp = (ipa >> 12n) << 4n;
  sys.store(SysReg.HPFAR_EL2, Number(hp & 0xffffffffn) | 0, Number(hp >> 32n) | 0);
  cpu.pendingExit = {
    kind: 'stage2Fault',
    ipa: ipa as Ipa,
    va: big(vl, vh) as Va,
    access,
    fault: f.kind as FaultKind,
    level: f.level,
    s1ptw: f.s1ptw,
    esr: BigInt(esr),
  };
}

/** Reports an instruction-fetch fault (stage 1 -> Instruction Abort at EL1; stage 2 -> exit). */
export function fetchFault(cpu: InterpCpu, f: MmuFault, vl: number, vh: number): number {
  if (f.stage === 1) {
    instrAbortEl1(cpu, faultCode(f), vl, vh);
    return K_LOOKUP;
  }
  stage2Exit(cpu, f, vl, vh, esrOf(EC.IABT_LOW, faultCode(f) | (f.s1ptw ? ISS_S1PTW : 0)), 'exec');
  return K_EXIT;
}

const permFault = (cpu: InterpCpu, i: number, stage: 1 | 2, vl: number): MmuFault => {
  const lv = cpu.tlb.levels[i]!;
  return {
    kind: 'permission',
    stage,
    level: stage === 1 ? lv & 15 : lv >> 4,
    s1ptw: false,
    ipa: stage === 2 ? BigInt(cpu.tlb.ipaPage[i]! * 4096 + (vl & 4095)) : undefined,
  };
};

/**
 * Translates and permission-checks the page of (vl, vh) for a data access. Returns the target,
 * or a status (K_LOOKUP / K_EXIT) after reporting the fault.
 */
function checkPage(
  cpu: InterpCpu,
  vl: number,
  vh: number,
  idx: number,
  access: AccessKind,
  info: number,
  cm = false,
): Target | number {
  const write = access === 'write';
  const i = cpu.mmu.lookup(vl, vh, idx);
  if (i < 0) return dataFault(cpu, cpu.mmu.fault!, vl, vh, write, info, cm);
  const p = cpu.tlb.perm[i]!;
  const s1 = access === 'read' ? P_S1R : access === 'write' ? P_S1W : P_S1X;
  const s2 = access === 'read' ? P_S2R : access === 'write' ? P_S2W : P_S2X;
  if ((p & s1) === 0) return dataFault(cpu, permFault(cpu, i, 1, vl), vl, vh, write, info, cm);
  if ((p & s2) === 0) return dataFault(cpu, permFault(cpu, i, 2, vl), vl, vh, write, info, cm);
  const pa = cpu.tlb.paPage[i]! * 4096 + (vl & 4095);
  return { pa, view: (p & P_RAM) !== 0 ? cpu.mmu.ram(pa, 1) : undefined, device: (p & P_DEVICE) !== 0 };
}

/**
 * Checks an access of `size` bytes at (vl, vh): alignment, translation and permissions of every
 * page it touches. Returns the per-page targets or a status.
 */
function checkAccess(
  cpu: InterpCpu,
  vl: number,
  vh: number,
  size: number,
  info: number,
  access: AccessKind,
): Target[] | number {
  const write = access === 'write';
  const misaligned = (vl & (size - 1)) !== 0;
  if (misaligned && ((info & MI_ALIGN) !== 0 || (cpu.sys.lo(SysReg.SCTLR_EL1) & SCTLR.A) !== 0)) {
    dataAbortEl1(cpu, FSC_ALIGNMENT, vl, vh, write);
    return K_LOOKUP;
  }
  const idx = (info >> MI_IDX_SHIFT) & 3;
  const first = checkPage(cpu, vl, vh, idx, access, info);
  if (typeof first === 'number') return first;
  if (misaligned && first.device) {
    dataAbortEl1(cpu, FSC_ALIGNMENT, vl, vh, write);
    return K_LOOKUP;
  }
  if ((vl & 4095) + size <= 4096) return [first];
  // Crosses into the next page.
  const nl = ((vl & -4096) + 4096) | 0;
  const nh = nl === 0 ? (vh + 1) | 0 : vh;
  const second = checkPage(cpu, nl, nh, idx, access, info);
  if (typeof second === 'number') return second;
  return [first, second];
}

/** The byte at offset k of an access that starts at (vl) and spans the given pages. */
function byteTarget(targets: Target[], vl: number, k: number): { view: RamView; off: number } | undefined {
  const first = 4096 - (vl & 4095);
  const t = k < first ? targets[0]! : targets[1]!;
  const pa = k < first ? t.pa + k : t.pa + (k - first);
  if (!t.view) return undefined;
  return { view: t.view, off: pa - t.view.region.base };
}

/** Sets OUT to the register value of a loaded (lo, hi) raw value per info (extension). */
function extendLoad(lo: number, hi: number, info: number): void {
  const log2 = info & MI_SIZE;
  const sf = (info & MI_SF) !== 0;
  if (log2 < 3) {
    if (info & MI_SIGN) {
      const shift = 32 - (8 << log2);
      lo = shift === 0 ? lo : (lo << shift) >> shift;
      hi = sf ? lo >> 31 : 0;
      if (!sf && log2 === 2) hi = 0;
    } else {
      hi = 0;
    }
  }
  OUT[0] = lo | 0;
  OUT[1] = hi | 0;
}

/** Reads `size` raw bytes: returns false if some byte is not RAM. Result in OUT (unextended). */
function readBytes(targets: Target[], vl: number, size: number, be: boolean): boolean {
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < size; k++) {
    const b = byteTarget(targets, vl, k);
    if (!b) return false;
    const v = b.view.dv.getUint8(b.off);
    const pos = be ? size - 1 - k : k;
    if (pos < 4) lo |= v << (8 * pos);
    else hi |= v << (8 * (pos - 4));
  }
  OUT[0] = lo;
  OUT[1] = hi;
  return true;
}

function writeBytes(
  cpu: InterpCpu,
  targets: Target[],
  vl: number,
  size: number,
  lo: number,
  hi: number,
  be: boolean,
): boolean {
  let smc = false;
  for (const t of targets) {
    if (!t.view) return false;
  }
  for (let k = 0; k < size; k++) {
    const b = byteTarget(targets, vl, k)!;
    const pos = be ? size - 1 - k : k;
    const v = pos < 4 ? (lo >>> (8 * pos)) & 0xff : (hi >>> (8 * (pos - 4))) & 0xff;
    const pa = b.view.region.base + b.off;
    if (cpu.code.hasCode(Math.floor(pa / 4096)) && cpu.code.invalidateRange(pa, 1)) smc = true;
    b.view.dv.setUint8(b.off, v);
  }
  return smc;
}

/** H.ld: the slow path of a load (see the file comment). */
export function slowLoad(cpu: InterpCpu, vl: number, vh: number, info: number): number {
  const size = 1 << (info & MI_SIZE);
  const targets = checkAccess(cpu, vl, vh, size, info, 'read');
  if (typeof targets === 'number') return targets;
  const be = (info & MI_BE) !== 0;
  if (targets.length === 1 && targets[0]!.view) {
    const t = targets[0]!;
    const o = t.pa - t.view!.region.base;
    const dv = t.view!.dv;
    let lo: number;
    let hi = 0;
    switch (size) {
      case 1:
        lo = dv.getUint8(o);
        break;
      case 2:
        lo = dv.getUint16(o, !be);
        break;
      case 4:
        lo = dv.getInt32(o, !be);
        break;
      default:
        lo = be ? dv.getInt32(o + 4, false) : dv.getInt32(o, true);
        hi = be ? dv.getInt32(o, false) : dv.getInt32(o + 4, true);
    }
    extendLoad(lo, hi, info);
    return 0;
  }
  if (readBytes(targets, vl, size, be)) {
    extendLoad(OUT[0]!, OUT[1]!, info);
    return 0;
  }
  return noRam(cpu, targets[0]!, vl, vh, size, info, false, 0, 0);
}

/** H.st: the slow path of a store. */
/** Writes the low `size` bytes of the (lo, hi) pair at dv[o] in the given data endianness. */
function storeSized(dv: DataView, o: number, size: number, lo: number, hi: number, be: boolean): void {
  switch (size) {
    case 1:
      dv.setUint8(o, lo);
      break;
    case 2:
      dv.setUint16(o, lo, !be);
      break;
    case 4:
      dv.setInt32(o, lo, !be);
      break;
    default:
      dv.setInt32(o, be ? hi : lo, !be);
      dv.setInt32(o + 4, be ? lo : hi, !be);
  }
}

export function slowStore(cpu: InterpCpu, vl: number, vh: number, dl: number, dh: number, info: number): number {
  const size = 1 << (info & MI_SIZE);
  const targets = checkAccess(cpu, vl, vh, size, info, 'write');
  if (typeof targets === 'number') return targets;
  const be = (info & MI_BE) !== 0;
  const smcStart = cpu.code.overlaps(targets[0]!.pa, size);
  if (targets.length === 1 && targets[0]!.view) {
    const t = targets[0]!;
    const o = t.pa - t.view!.region.base;
    const dv = t.view!.dv;
    const smc = smcStart && cpu.code.invalidateRange(t.pa, size);
    storeSized(dv, o, size, dl, dh, be);
    return smc ? H_SMC : 0;
  }
  if (targets.every((t) => t.view)) return writeBytes(cpu, targets, vl, size, dl, dh, be) ? H_SMC : 0;
  return noRam(cpu, targets[0]!, vl, vh, size, info, true, dl, dh);
}

/** An access with no RAM behind it: an `mmio` exit (ISV = 1 forms) or a synchronous External abort. */
function noRam(
  cpu: InterpCpu,
  t: Target,
  vl: number,
  vh: number,
  size: number,
  info: number,
  write: boolean,
  dl: number,
  dh: number,
): number {
  if ((info & MI_ISV) === 0 || (vl & 4095) + size > 4096) {
    dataAbortEl1(cpu, FSC_EXTERNAL, vl, vh, write);
    return K_LOOKUP;
  }
  const rt = (info >> MI_RT_SHIFT) & 31;
  const mask = size === 8 ? 0xffffffffffffffffn : (1n << BigInt(size * 8)) - 1n;
  // The exit carries the bus value: the bytes in memory order, read little-endian (as KVM's
  // kvm_run.mmio.data). A big-endian access (SCTLR_EL1.EE/E0E) stores its register's most
  // significant byte at the lowest address (Arm ARM B2.6.2), so its value is byte-reversed.
  const be = (info & MI_BE) !== 0;
  const value = big(dl, dh) & mask;
  cpu.pendingMmio = { rt, size, sign: (info & MI_SIGN) !== 0, sf: (info & MI_SF) !== 0, be };
  cpu.pendingExit = {
    kind: 'mmio',
    pa: BigInt(t.pa) as Pa,
    va: big(vl, vh) as Va,
    size: size as 1 | 2 | 4 | 8,
    isWrite: write,
    data: write ? (be ? byteReverse(value, size) : value) : 0n,
    rt,
    signExtend: (info & MI_SIGN) !== 0,
    sf: (info & MI_SF) !== 0,
  };
  return K_EXIT;
}

/** The value of base register Rn (31 = the current SP) from the synced state. */
function baseReg(cpu: InterpCpu, rn: number): [number, number] {
  const slot = rn === 31 ? cpu.spSlot() : 2 * rn;
  return [cpu.R[slot]!, cpu.R[slot + 1]!];
}

/** Word w of the `total` bytes at o, as the monitor remembers them. */
const rawWord = (dv: DataView, o: number, total: number, w: number): number =>
  total === 1 ? dv.getUint8(o) : total === 2 ? dv.getUint16(o, true) : dv.getInt32(o + 4 * w, true);

/** H.ldxr: LDXR/LDAXR/LDXP/LDAXP (Arm ARM C6.2; the local monitor of B2.9). */
export function loadExclusive(
  cpu: InterpCpu,
  rn: number,
  rt: number,
  rt2: number,
  log2: number,
  idx: number,
  be: boolean,
): number {
  const [vl, vh] = baseReg(cpu, rn);
  const esize = 1 << log2;
  const total = rt2 >= 0 ? esize * 2 : esize;
  const info = (Math.min(3, Math.log2(total)) & 3) | MI_ALIGN | (idx << MI_IDX_SHIFT) | (be ? MI_BE : 0);
  const targets = checkAccess(cpu, vl, vh, total, info, 'read');
  if (typeof targets === 'number') return targets;
  const t = targets[0]!;
  if (!t.view) {
    dataAbortEl1(cpu, FSC_EXTERNAL, vl, vh, false);
    return K_LOOKUP;
  }
  const dv = t.view.dv;
  const o = t.pa - t.view.region.base;
  const ex = cpu.excl;
  for (let w = 0; w < Math.max(1, total / 4); w++) ex.v[w] = rawWord(dv, o, total, w);
  const elem = (k: number): [number, number] => {
    const off = o + k * esize;
    switch (esize) {
      case 1:
        return [dv.getUint8(off), 0];
      case 2:
        return [dv.getUint16(off, !be), 0];
      case 4:
        return [dv.getInt32(off, !be), 0];
      default:
        return be
          ? [dv.getInt32(off + 4, false), dv.getInt32(off, false)]
          : [dv.getInt32(off, true), dv.getInt32(off + 4, true)];
    }
  };
  const a = elem(0);
  const b = rt2 >= 0 ? elem(1) : undefined;
  if (rt !== 31) cpu.setX(rt, a[0], a[1]);
  if (b && rt2 !== 31) cpu.setX(rt2, b[0], b[1]);
  ex.valid = true;
  ex.vaLo = vl;
  ex.vaHi = vh;
  ex.pa = t.pa;
  ex.size = total;
  return 0;
}

/**
 * H.stxr: STXR/STLXR/STXP/STLXP. Ws = 0 if the store happened, 1 if the monitor check failed.
 * Returns H_SMC when the store overwrote translated code (the block must end after it).
 */
export function storeExclusive(
  cpu: InterpCpu,
  rs: number,
  rn: number,
  rt: number,
  rt2: number,
  log2: number,
  idx: number,
  be: boolean,
): number {
  const [vl, vh] = baseReg(cpu, rn);
  const esize = 1 << log2;
  const total = rt2 >= 0 ? esize * 2 : esize;
  const ex = cpu.excl;
  // Alignment is checked first; then the monitor compares the VA (AArch64.IsExclusiveVA), and
  // only a matching address is translated (a fault is possible only then).
  if ((vl & (total - 1)) !== 0) {
    dataAbortEl1(cpu, FSC_ALIGNMENT, vl, vh, true);
    return K_LOOKUP;
  }
  let pass = ex.valid && ex.vaLo === vl && ex.vaHi === vh && ex.size === total;
  let smc = false;
  if (pass) {
    const info = (Math.min(3, Math.log2(total)) & 3) | MI_ALIGN | (idx << MI_IDX_SHIFT) | (be ? MI_BE : 0);
    const targets = checkAccess(cpu, vl, vh, total, info, 'write');
    if (typeof targets === 'number') return targets;
    const t = targets[0]!;
    if (!t.view) {
      dataAbortEl1(cpu, FSC_EXTERNAL, vl, vh, true);
      return K_LOOKUP;
    }
    const dv = t.view.dv;
    const o = t.pa - t.view.region.base;
    // The global monitor is modelled by comparing memory with the value LDXR saw (as QEMU does):
    // a store by another CPU in between makes the exclusive fail.
    for (let w = 0; w < Math.max(1, total / 4); w++)
      if (t.pa !== ex.pa || rawWord(dv, o, total, w) !== ex.v[w]) pass = false;
    if (pass) {
      smc = cpu.code.overlaps(t.pa, total) && cpu.code.invalidateRange(t.pa, total);
      const put = (k: number, r: number): void => {
        const off = o + k * esize;
        if (r === 31) storeSized(dv, off, esize, 0, 0, be);
        else storeSized(dv, off, esize, cpu.R[2 * r]!, cpu.R[2 * r + 1]!, be);
      };
      put(0, rt);
      if (rt2 >= 0) put(1, rt2);
    }
  }
  ex.valid = false;
  if (rs !== 31) cpu.setX(rs, pass ? 0 : 1, 0);
  return smc ? H_SMC : 0;
}

/** Sync external abort on an instruction fetch from a PA without RAM (IFSC 0b010000). */
export function fetchExternalAbort(cpu: InterpCpu, vl: number, vh: number): void {
  instrAbortEl1(cpu, FSC_EXTERNAL, vl, vh);
}

/** The translation used by cache maintenance by VA: faults are Data Aborts with CM = 1. */
export function cacheMaintenanceTarget(
  cpu: InterpCpu,
  vl: number,
  vh: number,
  idx: number,
  access: AccessKind | 'none',
): Target | number {
  if (access === 'none') {
    const i = cpu.mmu.lookup(vl, vh, idx);
    if (i < 0) return dataFault(cpu, cpu.mmu.fault!, vl, vh, true, 0, true);
    const pa = cpu.tlb.paPage[i]! * 4096 + (vl & 4095);
    const p = cpu.tlb.perm[i]!;
    return { pa, view: (p & P_RAM) !== 0 ? cpu.mmu.ram(pa, 1) : undefined, device: (p & P_DEVICE) !== 0 };
  }
  return checkPage(cpu, vl, vh, idx, access, 0, true);
}

/**
 * DC ZVA (Arm ARM C5.3.x; pseudocode AArch64.MemZero / AArch64.DataMemZero): zeroes the
 * 64-byte block (DCZID_EL0.BS = 4) containing (vl, vh) as a write (stage-1/2 write permission;
 * Device memory -> Alignment fault; no RAM -> External abort). A fault is reported with the
 * address in Xt, not the aligned block address (DataMemZero calls AArch64.Abort(regval, ...)
 * for every fault but debug ones); the block never crosses a page, so translating Xt's page
 * is translating the block's.
 */
export function dcZva(cpu: InterpCpu, vl: number, vh: number, idx: number): number {
  const info = (3 & MI_SIZE) | (idx << MI_IDX_SHIFT);
  const t = checkPage(cpu, vl, vh, idx, 'write', info);
  if (typeof t === 'number') return t;
  if (t.device) {
    dataAbortEl1(cpu, FSC_ALIGNMENT, vl, vh, true);
    return K_LOOKUP;
  }
  if (!t.view) {
    dataAbortEl1(cpu, FSC_EXTERNAL, vl, vh, true);
    return K_LOOKUP;
  }
  const pa = t.pa - (t.pa % 64);
  if (cpu.code.overlaps(pa, 64)) cpu.code.invalidateRange(pa, 64);
  const o = pa - t.view.region.base;
  t.view.region.bytes.fill(0, o, o + 64);
  return 0;
}
