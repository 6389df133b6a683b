/**
 * InterpCpu: an AArch64 PE (EL0/EL1) implementing the core Cpu contract by translating basic
 * blocks to JavaScript (translate.ts) and running them from a dispatcher.
 *
 * Dispatcher (run):
 *
 *   take queued injected exceptions; take a deliverable interrupt
 *   loop until the budget is used or an exit is pending:
 *     block = cached link of the previous block (same page, same key)   -- chaining
 *          or jump cache [PC]                                            -- indirect branches
 *          or lookup: fetch translation (exec TLB), block map by PA, translate on miss
 *     if the block is longer than the remaining budget: a one-instruction block instead
 *     (retired << 2 | kind) = block(budget)
 *     kind CHAIN0/CHAIN1: follow/establish the link; LOOKUP: take interrupts, look up PC;
 *     EXIT: return the pending Exit
 *
 * Blocks are keyed by (VA, PA, flags) where flags are the PSTATE/SCTLR bits translated code
 * depends on (EL, SPSel, PAN, UAO, SP alignment checking, data endianness; builder.ts). Links
 * are only made between blocks of the same VA page and PA page, so they stay valid as long as the
 * block they start from is reached through a lookup that confirmed the page's translation; the
 * jump cache is revalidated against the TLB generation. Every event that can change a
 * translation (TLBI, TTBR/TCR/SCTLR/HCR/VTTBR writes, exceptions, ERET) ends a block with a
 * LOOKUP exit.
 *
 * Interrupts are taken at block boundaries that follow a LOOKUP exit or at run() entry: the
 * only things that can make an interrupt deliverable during run() are the guest's own PSTATE or
 * register writes (MSR, ERET, exception entry), which all end their block with LOOKUP; line
 * changes arrive between run() calls.
 */
import {
  BUDGET_EXIT,
  type CoreRegId,
  type Cpu,
  type CpuConfig,
  type ExceptionEvent,
  type Exit,
  type HvcExit,
  HvlabError,
  type HypercallAction,
  INSNS_PER_COUNTER_TICK,
  type InjectedException,
  type PhysMem,
  PhysMem as PhysMemClass,
  type SmcExit,
  SysReg,
  type SysRegId,
  sysRegName,
  type Va,
} from '@hvlab/core';
import { fetchExternalAbort, fetchFault, loadExclusive, slowLoad, slowStore, storeExclusive } from './access.js';
import { type CodeOwner, CodeTracker } from './codecache.js';
import { F_BE, F_PAN, F_SINGLE, F_SPALIGN, F_SPSEL, F_UAO, K_CHAIN0, K_CHAIN1, K_LOOKUP } from './emit/builder.js';
import {
  dataAbortEl1,
  EC,
  esrOf,
  FSC_EXTERNAL,
  instrAbortEl1,
  syncException,
  takeException,
  undefInsn,
} from './exceptions.js';
import { Mmu } from './mmu.js';
import {
  advancePc,
  toU64 as big,
  byteReverse,
  loadU64,
  PC,
  PS_A,
  PS_DAIF,
  PS_F,
  PS_I,
  PS_IL,
  PS_IMPLEMENTED,
  PS_PAN,
  PS_UAO,
  PST,
  readPstate,
  SP0,
  SP1,
  STATE_WORDS,
  storeU64,
  unpackNzcv,
  ZF,
} from './state.js';
import { brk, eret, hvc, mrs, msr, msrImm, smc, svc, sys, type TlbiOp, wfe, wfi } from './sys.js';
import { CTL_ENABLE, CTL_IMASK, HCR, SCTLR, type SysHost, SysRegFile } from './sysregs.js';
import { P_RAM, P_S1X, P_S2X, TLB_MASK, TLB_SIZE, Tlb } from './tlb.js';
import { type Block, translateBlock } from './translate.js';

const U64_MAX = (1n << 64n) - 1n;
/** Largest budget handed to one block call (keeps retired << 2 inside int32). */
const BLOCK_BUDGET_MAX = 1 << 26;
const JC_BITS = 12;
const JC_MASK = (1 << JC_BITS) - 1;
/** Past this many blocks the CPU drops its translations and starts over. */
const MAX_BLOCKS = 200_000;

function checkU64(v: bigint, what: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX)
    throw new HvlabError('EINVAL', `${what} must be a 64-bit unsigned bigint`);
}

interface PendingMmio {
  readonly rt: number;
  readonly size: number;
  readonly sign: boolean;
  readonly sf: boolean;
  /** A big-endian access: the bus value is byte-reversed into the register (access.ts noRam). */
  readonly be: boolean;
}

export class InterpCpu implements Cpu, SysHost, CodeOwner {
  readonly index: number;
  readonly mem: PhysMem;
  /** Core registers and PSTATE (layout: state.ts). */
  readonly R = new Int32Array(STATE_WORDS);
  readonly sys: SysRegFile;
  readonly tlb = new Tlb();
  readonly mmu: Mmu;
  readonly code: CodeTracker;

  retired = 0;
  private warped = 0;
  onException: ((e: ExceptionEvent) => void) | undefined;
  /** Cpu.onHypercall: consulted in run() when an hvc/smc exit is due (see the dispatcher). */
  onHypercall: ((exit: HvcExit | SmcExit) => HypercallAction) | undefined;

  /** Set by helpers when run() must return an Exit. */
  pendingExit: Exit | undefined;
  /** The load/store of the last `mmio` exit (for completeMmioRead / skipInstruction). */
  pendingMmio: PendingMmio | undefined;
  /** Rt of the last `sysreg` read exit, or -1. */
  pendingSysRead = -1;
  /** The WFE event register (Arm ARM D1.16.1). */
  eventRegister = false;
  /** The local exclusive monitor (Arm ARM B2.9.2), with the values LDXR read. */
  readonly excl = { valid: false, vaLo: 0, vaHi: 0, pa: 0, size: 0, v: new Int32Array(4) };

  /** Key bits of translated code for the current PSTATE/SCTLR (builder.ts F_*). */
  private flags = 0;
  private intDeliverable = false;
  private irqLine = false;
  private fiqLine = false;
  private serrorPending = false;
  private serrorIss = 0;
  private readonly injectQueue: InjectedException[] = [];

  private readonly blocks = new Map<number, Block[]>();
  private blockCount = 0;
  private readonly jcache: (Block | undefined)[] = new Array<Block | undefined>(1 << JC_BITS).fill(undefined);

  /** Breakpoints: VA low word -> high words. */
  private readonly bps = new Map<number, number[]>();
  private bpSkipLo = 0;
  private bpSkipHi = 0;
  private bpSkip = false;

  private readonly isBp = (lo: number, hi: number): boolean => this.bps.get(lo)?.includes(hi) ?? false;

  constructor(config: CpuConfig) {
    if (!Number.isInteger(config.index) || config.index < 0)
      throw new HvlabError('EINVAL', `bad CPU index ${String(config.index)}`);
    if (!(config.mem instanceof PhysMemClass)) throw new HvlabError('EINVAL', 'CpuConfig.mem must be a PhysMem');
    const mpidr =
      config.mpidr ?? (1n << 31n) | (BigInt((config.index >> 8) & 0xff) << 8n) | BigInt(config.index & 0xff);
    const midr = config.midr ?? 0x411fd070n;
    checkU64(mpidr, 'mpidr');
    checkU64(midr, 'midr');
    this.index = config.index;
    this.mem = config.mem;
    this.sys = new SysRegFile(this, midr, mpidr);
    this.mmu = new Mmu(this);
    this.code = CodeTracker.of(config.mem);
    this.code.owners.add(this);
    // Reset: EL1h with D, A, I, F masked (the highest EL this PE implements).
    this.R[PST] = PS_DAIF | 0b0101;
    this.R[ZF] = 1; // Z clear
    this.pstateChanged();
  }

  // ── Cpu: time ────────────────────────────────────────────────────────────────────────────

  get time(): number {
    return this.retired + this.warped;
  }

  physCount(k: number): number {
    return Math.floor((this.retired + this.warped + k) / INSNS_PER_COUNTER_TICK);
  }

  warp(insns: number): void {
    if (!Number.isSafeInteger(insns) || insns < 0) throw new HvlabError('EINVAL', `bad warp ${String(insns)}`);
    this.warped += insns;
  }

  // ── Cpu: run ─────────────────────────────────────────────────────────────────────────────

  run(budget: number): Exit {
    if (!Number.isSafeInteger(budget) || budget < 1) throw new HvlabError('EINVAL', `bad budget ${String(budget)}`);
    this.pendingExit = undefined;
    const start = this.retired;
    while (this.injectQueue.length > 0) this.takeInjected(this.injectQueue.shift()!);
    if (this.intDeliverable) this.takeInterrupt();
    // Exceptions taken without retiring an instruction are counted too, so that a guest stuck
    // in an exception loop (an unmapped vector table, say) still returns after `budget` of them.
    let stall = 0;
    const skipLo = this.bpSkipLo;
    const skipHi = this.bpSkipHi;
    let skip = this.bpSkip;
    this.bpSkip = false;
    let blk: Block | undefined;
    // The block whose CHAIN exit led to the pending lookup (its link is set once found).
    let linkFrom: Block | undefined;
    let linkSlot = 0;
    for (;;) {
      const done = this.retired - start;
      if (done >= budget || stall >= budget) return BUDGET_EXIT;
      const rem = budget - done;
      if (blk === undefined) {
        blk = this.lookup(false);
        if (blk === undefined) {
          linkFrom = undefined;
          if (this.pendingExit) return this.takeExit();
          stall++;
          continue;
        }
        if (linkFrom !== undefined) {
          if (linkFrom.valid && blk.pageNum === linkFrom.pageNum) {
            if (linkSlot === 0) linkFrom.link0 = blk;
            else linkFrom.link1 = blk;
          }
          linkFrom = undefined;
        }
      }
      if (this.bps.size !== 0) {
        if (this.isBp(blk.vaLo, blk.vaHi) && !(skip && blk.vaLo === skipLo && blk.vaHi === skipHi)) {
          this.bpSkip = true;
          this.bpSkipLo = blk.vaLo;
          this.bpSkipHi = blk.vaHi;
          return { kind: 'breakpoint', pc: big(blk.vaLo, blk.vaHi) as Va };
        }
        skip = false;
      }
      if (blk.len > rem) {
        // Not enough budget for the whole block: run its first instruction alone.
        blk = this.lookup(true);
        if (blk === undefined) {
          if (this.pendingExit) return this.takeExit();
          stall++;
          continue;
        }
      }
      const r = blk.fn(Math.min(rem, BLOCK_BUDGET_MAX));
      const n = r >>> 2;
      this.retired += n;
      if (n === 0) stall++;
      switch (r & 3) {
        case K_CHAIN0: {
          const next = blk.link0;
          if (next?.valid && this.bps.size === 0) {
            blk = next;
            continue;
          }
          if (blk.link0Ok) {
            linkFrom = blk;
            linkSlot = 0;
          }
          break;
        }
        case K_CHAIN1: {
          const next = blk.link1;
          if (next?.valid && this.bps.size === 0) {
            blk = next;
            continue;
          }
          if (blk.link1Ok) {
            linkFrom = blk;
            linkSlot = 1;
          }
          break;
        }
        case K_LOOKUP:
          if (this.intDeliverable) this.takeInterrupt();
          break;
        default: {
          // An exit is pending. A hypercall may be completed right here (Cpu.onHypercall):
          // `retired` already counts the HVC/SMC, so the handler sees exactly the state an
          // exit would have shown it.
          const e = this.pendingExit as Exit | undefined; // set by the block just run
          if (this.onHypercall !== undefined && e !== undefined && (e.kind === 'hvc' || e.kind === 'smc')) {
            const action = this.onHypercall(e);
            if (action !== 'exit') {
              this.pendingExit = undefined;
              // A handler that queued an exception must see it taken first: end run() here.
              if (action === 'yield' || this.injectQueue.length > 0) return BUDGET_EXIT;
              if (this.intDeliverable) this.takeInterrupt();
              break;
            }
          }
          return this.takeExit();
        }
      }
      blk = undefined;
    }
  }

  private takeExit(): Exit {
    const e = this.pendingExit!;
    this.pendingExit = undefined;
    return e;
  }

  /**
   * The block at PC for the current key, translating it if needed; undefined if fetching it
   * raised an exception (PC now at the vector) or an exit (pendingExit).
   */
  private lookup(single: boolean): Block | undefined {
    const R = this.R;
    const pcl = R[PC]!;
    const pch = R[PC + 1]!;
    const flags = single ? this.flags | F_SINGLE : this.flags;
    const tlb = this.tlb;
    if (!single) {
      const jc = this.jcache[(pcl >>> 2) & JC_MASK];
      if (jc !== undefined && jc.vaLo === pcl && jc.vaHi === pch && jc.flags === flags && jc.gen === tlb.generation)
        return jc;
    }
    if (((pch >> 24) ^ ((pch << 8) >> 31)) & 0xff && this.mmu.tbiFor(pch)) {
      // A tagged address with TCR_EL1.TBIx: branches drop the tag (AArch64.BranchAddr), so the
      // PC's top byte becomes a copy of bit 55.
      R[PC + 1] = (pch & 0x00ffffff) | (((pch << 8) >> 31) << 24);
      return this.lookup(single);
    }
    if ((pcl & 3) !== 0) {
      // PC alignment fault (EC 0x22), FAR = the misaligned PC.
      syncException(this, esrOf(EC.PC_ALIGN, 0), [pcl, pch]);
      return undefined;
    }
    const idx = this.dataIdx();
    let i = idx * TLB_SIZE + ((pcl >>> 12) & TLB_MASK);
    if (tlb.tagX[i] !== (pcl & -4096) || tlb.tagHi[i] !== pch) {
      i = this.mmu.lookup(pcl, pch, idx);
      if (i < 0) {
        fetchFault(this, this.mmu.fault!, pcl, pch);
        return undefined;
      }
      const p = tlb.perm[i]!;
      if ((p & P_S1X) === 0 || (p & P_S2X) === 0) {
        const lv = tlb.levels[i]!;
        const stage = (p & P_S1X) === 0 ? 1 : 2;
        fetchFault(
          this,
          {
            kind: 'permission',
            stage,
            level: stage === 1 ? lv & 15 : lv >> 4,
            s1ptw: false,
            ipa: stage === 2 ? BigInt(tlb.ipaPage[i]! * 4096 + (pcl & 4095)) : undefined,
          },
          pcl,
          pch,
        );
        return undefined;
      }
      if ((p & P_RAM) === 0) {
        fetchExternalAbort(this, pcl, pch);
        return undefined;
      }
    }
    // Illegal Execution state (PSTATE.IL) is taken after the fetch checks (D1.3.5 priorities).
    if ((R[PST]! & PS_IL) !== 0) {
      syncException(this, esrOf(EC.ILLEGAL, 0));
      return undefined;
    }
    const pa = tlb.paPage[i]! * 4096 + (pcl & 4095);
    let b: Block | undefined;
    const list = this.blocks.get(pa);
    if (list) {
      for (const c of list) {
        if (c.vaLo === pcl && c.vaHi === pch && c.flags === flags) {
          b = c;
          break;
        }
      }
    }
    b ??= this.translate(pcl, pch, pa, flags);
    b.gen = tlb.generation;
    if (!single) this.jcache[(pcl >>> 2) & JC_MASK] = b;
    return b;
  }

  private translate(vaLo: number, vaHi: number, pa: number, flags: number): Block {
    if (this.blockCount >= MAX_BLOCKS) this.code.invalidateOwner(this);
    const pageBase = pa - (pa % 4096);
    const view = this.mmu.ram(pageBase, 4096)!;
    const off = pageBase - view.region.base;
    const dv = view.dv;
    const b = translateBlock(
      {
        vaLo,
        vaHi,
        pa,
        flags,
        fetch: (o) => dv.getUint32(off + o, true),
        isBreakpoint: this.bps.size !== 0 ? this.isBp : undefined,
      },
      { R: this.R, H: this, tlb: this.tlb },
      this.tlb.generation,
    );
    let list = this.blocks.get(pa);
    if (!list) {
      list = [];
      this.blocks.set(pa, list);
    }
    list.push(b);
    this.blockCount++;
    this.code.add(b);
    return b;
  }

  // ── CodeOwner ────────────────────────────────────────────────────────────────────────────

  forgetBlock(b: Block): void {
    const list = this.blocks.get(b.pa);
    if (list) {
      const k = list.indexOf(b);
      if (k >= 0) {
        list.splice(k, 1);
        this.blockCount--;
      }
      if (list.length === 0) this.blocks.delete(b.pa);
    }
    const j = (b.vaLo >>> 2) & JC_MASK;
    if (this.jcache[j] === b) this.jcache[j] = undefined;
  }

  dropWriteTags(pageNum: number): void {
    this.tlb.dropWriteTags(pageNum);
  }

  signalEvent(): void {
    this.eventRegister = true;
  }

  // ── State shared with helpers ────────────────────────────────────────────────────────────

  /** Recomputes the translation key and interrupt deliverability after PSTATE/SCTLR changes. */
  pstateChanged(): void {
    const p = this.R[PST]!;
    const el = (p >> 2) & 3;
    const sctlr = this.sys.lo(SysReg.SCTLR_EL1);
    let f = el;
    if (el === 1) {
      if (p & 1) f |= F_SPSEL;
      if (p & PS_PAN) f |= F_PAN;
      if (p & PS_UAO) f |= F_UAO;
    }
    if ((sctlr & (el === 0 ? SCTLR.SA0 : SCTLR.SA)) !== 0) f |= F_SPALIGN;
    if ((sctlr & (el === 0 ? SCTLR.E0E : SCTLR.EE)) !== 0) f |= F_BE;
    this.flags = f;
    this.interruptsChanged();
  }

  tlbChanged(what: 'all' | 'nG'): void {
    this.mmu.resetConfig();
    if (what === 'all') this.tlb.flushAll();
    else this.tlb.flushNonGlobal();
  }

  interruptsChanged(): void {
    const p = this.R[PST]!;
    const pend = this.pendingBits();
    this.intDeliverable =
      (pend.irq && (p & PS_I) === 0) || (pend.fiq && (p & PS_F) === 0) || (pend.serror && (p & PS_A) === 0);
  }

  /**
   * What EL1 sees as pending: with HCR_EL2.IMO/FMO/AMO the virtual IRQ/FIQ/SError (HCR_EL2.VI,
   * VF, VSE) replace the physical ones, which then route to EL2 (Arm ARM D1.13.x).
   */
  pendingBits(): { irq: boolean; fiq: boolean; serror: boolean } {
    const hcr = this.sys.lo(SysReg.HCR_EL2);
    return {
      irq: (hcr & HCR.IMO) !== 0 ? (hcr & HCR.VI) !== 0 : this.irqLine,
      fiq: (hcr & HCR.FMO) !== 0 ? (hcr & HCR.VF) !== 0 : this.fiqLine,
      serror: this.serrorPending || ((hcr & HCR.AMO) !== 0 && (hcr & HCR.VSE) !== 0),
    };
  }

  private takeInterrupt(): void {
    const p = this.R[PST]!;
    const pend = this.pendingBits();
    const pcl = this.R[PC]!;
    const pch = this.R[PC + 1]!;
    if (pend.serror && (p & PS_A) === 0) {
      let iss = 0;
      if (this.serrorPending) {
        iss = this.serrorIss;
        this.serrorPending = false;
      } else {
        // A virtual SError is cleared when taken (HCR_EL2.VSE).
        const hcr = this.sys.lo(SysReg.HCR_EL2);
        this.sys.store(SysReg.HCR_EL2, hcr & ~HCR.VSE, this.sys.hi(SysReg.HCR_EL2));
      }
      takeException(this, 3, esrOf(EC.SERROR, iss), pcl, pch);
    } else if (pend.fiq && (p & PS_F) === 0) {
      takeException(this, 2, 0, pcl, pch);
    } else if (pend.irq && (p & PS_I) === 0) {
      takeException(this, 1, 0, pcl, pch);
    }
  }

  private takeInjected(e: InjectedException): void {
    switch (e.kind) {
      case 'undef':
        undefInsn(this);
        return;
      case 'dataAbort':
        dataAbortEl1(this, FSC_EXTERNAL, Number(e.va & 0xffffffffn) | 0, Number(e.va >> 32n) | 0, e.write);
        return;
      case 'prefetchAbort':
        instrAbortEl1(this, FSC_EXTERNAL, Number(e.va & 0xffffffffn) | 0, Number(e.va >> 32n) | 0);
        return;
      default:
        this.serrorPending = true;
        this.serrorIss = (e.iss ?? 0) & 0x1ffffff;
        this.interruptsChanged();
    }
  }

  /** The state slot of the current stack pointer. */
  spSlot(): number {
    const p = this.R[PST]!;
    return ((p >> 2) & 3) === 0 || (p & 1) === 0 ? SP0 : SP1;
  }

  /** MMU index of data accesses at the current EL (tlb.ts). */
  dataIdx(): number {
    const p = this.R[PST]!;
    if (((p >> 2) & 3) === 0) return 0;
    return (p & PS_PAN) !== 0 ? 2 : 1;
  }

  setX(r: number, lo: number, hi: number): void {
    this.R[2 * r] = lo;
    this.R[2 * r + 1] = hi;
  }

  clearExclusive(): void {
    this.excl.valid = false;
  }

  tlbi(op: TlbiOp, vaLo: number, vaHi: number, asid: number): void {
    switch (op) {
      case 'all':
        this.tlb.flushAll();
        break;
      case 'asid':
        this.tlb.flushAsid(asid);
        break;
      case 'va':
        this.tlb.flushVa(vaLo, vaHi, asid);
        break;
      default:
        this.tlb.flushVa(vaLo, vaHi, -1);
    }
  }

  /** An Inner Shareable TLBI reaches every PE of the machine running in the same VMID. */
  tlbiBroadcast(op: TlbiOp, vaLo: number, vaHi: number, asid: number): void {
    const vmid = this.mmu.vmid();
    for (const o of this.code.owners) if (o instanceof InterpCpu && o.mmu.vmid() === vmid) o.tlbi(op, vaLo, vaHi, asid);
  }

  invalidateAllCode(broadcast: boolean): void {
    if (!broadcast) this.code.invalidateOwner(this);
    else for (const o of this.code.owners) this.code.invalidateOwner(o);
  }

  // ── Helpers called from translated code (H.*) ───────────────────────────────────────────

  ld(vl: number, vh: number, info: number): number {
    return slowLoad(this, vl, vh, info);
  }
  st(vl: number, vh: number, dl: number, dh: number, info: number): number {
    return slowStore(this, vl, vh, dl, dh, info);
  }
  ldxr(rn: number, rt: number, rt2: number, log2: number, _acquire: boolean, idx: number, be: boolean): number {
    return loadExclusive(this, rn, rt, rt2, log2, idx, be);
  }
  stxr(rs: number, rn: number, rt: number, rt2: number, log2: number, _rel: boolean, idx: number, be: boolean): number {
    return storeExclusive(this, rs, rn, rt, rt2, log2, idx, be);
  }
  spAlignFault(): void {
    syncException(this, esrOf(EC.SP_ALIGN, 0));
  }
  undef(): number {
    undefInsn(this);
    return K_LOOKUP;
  }
  svc(imm: number): number {
    return svc(this, imm);
  }
  hvc(imm: number): number {
    return hvc(this, imm);
  }
  smc(imm: number): number {
    return smc(this, imm);
  }
  brk(imm: number): number {
    return brk(this, imm);
  }
  eret(): number {
    return eret(this);
  }
  wfi(): number {
    return wfi(this);
  }
  wfe(): number {
    return wfe(this);
  }
  sev(): void {
    for (const o of this.code.owners) o.signalEvent();
  }
  sevl(): void {
    this.eventRegister = true;
  }
  clrex(): void {
    this.clearExclusive();
  }
  mrs(id: number, rt: number, k: number): number {
    return mrs(this, id, rt, k);
  }
  msr(id: number, rt: number, k: number): number {
    return msr(this, id, rt, k);
  }
  msrImm(op1: number, op2: number, crm: number): number {
    return msrImm(this, op1, op2, crm);
  }
  sysInsn(id: number, rt: number, k: number): number {
    return sys(this, id, rt, k);
  }

  // ── Cpu: registers ───────────────────────────────────────────────────────────────────────

  getReg(id: CoreRegId): bigint {
    if (Number.isInteger(id) && id >= 0 && id <= 30) return loadU64(this.R, 2 * id);
    switch (id) {
      case 31:
        return loadU64(this.R, SP0);
      case 32:
        return loadU64(this.R, SP1);
      case 33:
        return loadU64(this.R, PC);
      case 34:
        return BigInt(readPstate(this.R));
      default:
        throw new HvlabError('EINVAL', `no core register ${String(id)}`);
    }
  }

  setReg(id: CoreRegId, value: bigint): void {
    checkU64(value, 'register value');
    if (Number.isInteger(id) && id >= 0 && id <= 30) {
      storeU64(this.R, 2 * id, value);
      return;
    }
    switch (id) {
      case 31:
        storeU64(this.R, SP0, value);
        return;
      case 32:
        storeU64(this.R, SP1, value);
        return;
      case 33:
        storeU64(this.R, PC, value);
        return;
      case 34: {
        const v = Number(value & 0xffffffffn);
        const m = v & 0x1f;
        if (value > 0xffffffffn || (m !== 0b00000 && m !== 0b00100 && m !== 0b00101))
          throw new HvlabError('EINVAL', `PSTATE 0x${value.toString(16)}: only EL0t, EL1t and EL1h (AArch64) exist`);
        unpackNzcv(this.R, v);
        this.R[PST] = v & PS_IMPLEMENTED;
        this.pstateChanged();
        return;
      }
      default:
        throw new HvlabError('EINVAL', `no core register ${String(id)}`);
    }
  }

  getSysReg(id: SysRegId): bigint {
    const d = this.sys.defs.get(id);
    if (!d) throw new HvlabError('ENOENT', `${sysRegName(id)} is not implemented by backend-interp`);
    this.sys.readInto(d, 0);
    return big(this.sys.v[0]!, this.sys.v[1]!);
  }

  setSysReg(id: SysRegId, value: bigint): void {
    const d = this.sys.defs.get(id);
    if (!d) throw new HvlabError('ENOENT', `${sysRegName(id)} is not implemented by backend-interp`);
    checkU64(value, sysRegName(id));
    if (d.hostReadOnly || (d.read && !d.write))
      throw new HvlabError('EINVAL', `${sysRegName(id)} is computed and cannot be written`);
    this.sys.writeFrom(d, Number(value & 0xffffffffn) | 0, Number(value >> 32n) | 0, 0);
  }

  sysRegList(): readonly SysRegId[] {
    return [...this.sys.defs.keys()];
  }

  private step(): void {
    advancePc(this.R);
    this.retired++;
  }

  completeSysRegRead(value: bigint): void {
    if (this.pendingSysRead < 0) throw new HvlabError('EINVAL', 'no sysreg read exit is pending');
    checkU64(value, 'sysreg value');
    const rt = this.pendingSysRead;
    if (rt !== 31) storeU64(this.R, 2 * rt, value);
    this.pendingSysRead = -1;
    this.step();
  }

  completeMmioRead(value: bigint): void {
    const m = this.pendingMmio;
    if (!m) throw new HvlabError('EINVAL', 'no MMIO read exit is pending');
    if (typeof value !== 'bigint') throw new HvlabError('EINVAL', 'MMIO value must be a bigint');
    const bits = BigInt(m.size * 8);
    let v = BigInt.asUintN(Number(bits), value);
    if (m.be) v = byteReverse(v, m.size);
    if (m.sign) v = BigInt.asIntN(Number(bits), v);
    v = BigInt.asUintN(m.sf ? 64 : 32, v);
    if (m.rt !== 31) storeU64(this.R, 2 * m.rt, v);
    this.pendingMmio = undefined;
    this.step();
  }

  skipInstruction(): void {
    this.pendingMmio = undefined;
    this.pendingSysRead = -1;
    this.step();
  }

  reset(): void {
    this.R.fill(0);
    this.R[PST] = PS_DAIF | 0b0101;
    this.R[ZF] = 1;
    this.sys.reset(true);
    this.injectQueue.length = 0;
    this.serrorPending = false;
    this.pendingExit = undefined;
    this.pendingMmio = undefined;
    this.pendingSysRead = -1;
    this.eventRegister = false;
    this.bpSkip = false;
    this.clearExclusive();
    this.mmu.resetConfig();
    this.tlb.flushAll();
    this.pstateChanged();
  }

  // ── Cpu: exceptions and interrupts ───────────────────────────────────────────────────────

  injectException(e: InjectedException): void {
    switch (e?.kind) {
      case 'undef':
        break;
      case 'dataAbort':
        checkU64(e.va, 'va');
        if (typeof e.write !== 'boolean') throw new HvlabError('EINVAL', 'dataAbort.write must be a boolean');
        break;
      case 'prefetchAbort':
        checkU64(e.va, 'va');
        break;
      case 'serror':
        if (e.iss !== undefined && (!Number.isInteger(e.iss) || e.iss < 0 || e.iss > 0x1ffffff))
          throw new HvlabError('EINVAL', `bad SError ISS ${String(e.iss)}`);
        break;
      default:
        throw new HvlabError('EINVAL', `unknown injected exception ${JSON.stringify(e)}`);
    }
    this.pendingMmio = undefined;
    this.pendingSysRead = -1;
    this.injectQueue.push(e);
  }

  setInterruptLine(line: 'irq' | 'fiq', level: boolean): void {
    if (line !== 'irq' && line !== 'fiq') throw new HvlabError('EINVAL', `no interrupt line ${String(line)}`);
    const v = level === true;
    if ((line === 'irq' ? this.irqLine : this.fiqLine) === v) return;
    if (line === 'irq') this.irqLine = v;
    else this.fiqLine = v;
    this.interruptsChanged();
  }

  hasPendingInterrupt(): boolean {
    const hcr = this.sys.lo(SysReg.HCR_EL2);
    return (
      this.irqLine ||
      this.fiqLine ||
      this.serrorPending ||
      ((hcr & HCR.IMO) !== 0 && (hcr & HCR.VI) !== 0) ||
      ((hcr & HCR.FMO) !== 0 && (hcr & HCR.VF) !== 0) ||
      ((hcr & HCR.AMO) !== 0 && (hcr & HCR.VSE) !== 0) ||
      this.injectQueue.length > 0
    );
  }

  // ── Cpu: generic timer ───────────────────────────────────────────────────────────────────

  /** A timer's (ctl, cval, counter) at the current time, as BigInt (API edge only). */
  private timerState(which: 'P' | 'V'): { ctl: number; cval: bigint; count: bigint } {
    const s = this.sys;
    const cv = which === 'P' ? SysReg.CNTP_CVAL_EL0 : SysReg.CNTV_CVAL_EL0;
    s.count(which, 0);
    return { ctl: s.timerCtlStored(which), cval: big(s.lo(cv), s.hi(cv)), count: big(s.v[0]!, s.v[1]!) };
  }

  /** ENABLE set and IMASK clear: the only state in which a timer drives its output. */
  private timerArmed(which: 'P' | 'V'): boolean {
    const ctl = this.sys.timerCtlStored(which);
    return (ctl & CTL_ENABLE) !== 0 && (ctl & CTL_IMASK) === 0;
  }

  // timerOutputs and timerDeadline run after every slice (the Machine and the GIC call them on
  // each exit), so a disarmed timer must cost no counter arithmetic and no BigInt.
  timerOutputs(): { phys: boolean; virt: boolean } {
    return {
      phys: this.timerArmed('P') && this.sys.timerIstatus('P', 0),
      virt: this.timerArmed('V') && this.sys.timerIstatus('V', 0),
    };
  }

  timerDeadline(): number {
    if (!this.timerArmed('P') && !this.timerArmed('V')) return Number.POSITIVE_INFINITY;
    let best = Number.POSITIVE_INFINITY;
    const now = this.time;
    const physNow = BigInt(Math.floor(now / INSNS_PER_COUNTER_TICK));
    for (const w of ['P', 'V'] as const) {
      if (!this.timerArmed(w)) continue;
      const t = this.timerState(w);
      if (t.count >= t.cval) continue;
      // The output rises when the counter reaches CVAL: after (CVAL - count) more ticks.
      const tickAt = (physNow + (t.cval - t.count)) * BigInt(INSNS_PER_COUNTER_TICK);
      const d = Number(tickAt) - now;
      if (tickAt <= BigInt(Number.MAX_SAFE_INTEGER) && d < best) best = Math.max(1, d);
    }
    return best;
  }

  // ── Cpu: caches and debugging ────────────────────────────────────────────────────────────

  invalidateTlb(): void {
    this.mmu.resetConfig();
    this.tlb.flushAll();
  }

  invalidateCode(pa?: number, len?: number): void {
    if (pa === undefined && len === undefined) {
      this.code.invalidateOwner(this);
      return;
    }
    if (!Number.isSafeInteger(pa) || (pa as number) < 0 || !Number.isSafeInteger(len) || (len as number) < 0)
      throw new HvlabError('EINVAL', `bad code range ${String(pa)}+${String(len)}`);
    this.code.invalidateRange(pa as number, len as number);
  }

  setBreakpoints(pcs: readonly bigint[]): void {
    for (const pc of pcs) checkU64(pc, 'breakpoint address');
    this.bps.clear();
    for (const pc of pcs) {
      const lo = Number(pc & 0xffffffffn) | 0;
      const hi = Number(pc >> 32n) | 0;
      const l = this.bps.get(lo);
      if (l) l.push(hi);
      else this.bps.set(lo, [hi]);
    }
    this.bpSkip = false;
    // Translations must now stop before every breakpoint: start over.
    this.code.invalidateOwner(this);
  }
}

/** The backend's CpuFactory. */
export const createInterpCpu = (config: CpuConfig): Cpu => new InterpCpu(config);
