/**
 * BlockBuilder: turns one basic block of A64 instructions into the source of a JS function.
 *
 * Shape of a translated block (compiled once with `new Function`, see translate.ts):
 *
 *   function (budget) {
 *     let x1l = R[2], x1h = R[3], ...          // every register the block touches, as locals
 *     let fN = R[68], fZ = R[69], fC = R[70], fV = R[71];   // if it reads or sets flags
 *     let n = 0, smc = 0, t0 = 0, ...;
 *     for (;;) {                                // only when the block branches to itself
 *       ...one emitted fragment per instruction...
 *     }
 *   }
 *
 * Every way out of the function writes back the registers and flags the block modifies (the
 * `@WB@` token below, filled in once the whole block is known), stores the architectural PC and
 * returns ((retired << 2) | kind). `retired` counts the instructions that completed in this call,
 * so the state is exact at every exit, including a fault in the middle of the block.
 *
 * Exit kinds: CHAIN0 = branch taken / CHAIN1 = fell through (the dispatcher may follow cached
 * links to the successor), LOOKUP = PC was set by something else (indirect branch, exception
 * taken, system instruction: look the next block up), EXIT = an Exit is pending in the CPU.
 *
 * Helpers (H.*) called from a block return 0 to continue, or LOOKUP/EXIT; before any helper
 * call the block writes its registers back and stores the PC of the current instruction, so
 * the helper sees exact architectural state (and can take a precise exception).
 */
import { pairAddNum } from '../i64.js';
import { CF, NF, PC, SP0, SP1, VF, ZF } from '../state.js';

export const K_CHAIN0 = 0;
export const K_CHAIN1 = 1;
export const K_LOOKUP = 2;
export const K_EXIT = 3;
/** Helper status: the store completed but overwrote translated code (end the block after it). */
export const H_SMC = 4;
/** Terminating helpers: OR'ed into the exit kind when the instruction retired. */
export const H_RETIRED = 8;

/** Block key flags (what changes the meaning of translated code). */
/** Bits 1:0: the EL. */
export const F_EL_MASK = 3;
export const F_SPSEL = 1 << 2;
export const F_PAN = 1 << 3;
export const F_UAO = 1 << 4;
/** SCTLR_EL1.SA (EL1) / SA0 (EL0): SP alignment checking. */
export const F_SPALIGN = 1 << 6;
/** SCTLR_EL1.EE (EL1) / E0E (EL0): big-endian data accesses. */
export const F_BE = 1 << 7;
/** A one-instruction block (budget tails, breakpoints, single-stepping). */
export const F_SINGLE = 1 << 8;

/** Register-number used for the stack pointer inside the builder. */
export const SP = 32;

export class BlockBuilder {
  readonly body: string[] = [];
  private readonly used = new Set<number>();
  private readonly dirty = new Set<number>();
  private flagsUsed = false;
  private flagsDirty = false;
  private ntmp = 0;
  /** Instructions completed (in this iteration) before the current one. */
  k = 0;
  /** PC of the current instruction. */
  pcLo = 0;
  pcHi = 0;
  /** The block branches back to its own start (wrapped in a loop). */
  loop = false;
  /** Loops may be formed (not while breakpoints are set: every pass must reach the dispatcher). */
  allowLoop = true;
  /** The block's last instruction already ended it (no fall-through exit needed). */
  ended = false;
  /** Instructions in one pass of the block. */
  len = 0;
  /** Successor links the dispatcher may cache: the taken target and the fall-through. */
  link0: [number, number] | undefined;
  link1: [number, number] | undefined;

  constructor(
    readonly startLo: number,
    readonly startHi: number,
    readonly flags: number,
  ) {
    this.pcLo = startLo;
    this.pcHi = startHi;
  }

  get el(): number {
    return this.flags & F_EL_MASK;
  }

  /** The state slot of the current SP (SP_EL0 at EL0 or with SPSel = 0, else SP_EL1). */
  get spSlot(): number {
    return this.el === 0 || (this.flags & F_SPSEL) === 0 ? SP0 : SP1;
  }

  /** MMU index of ordinary data accesses (tlb.ts). */
  get dataIdx(): number {
    if (this.el === 0) return 0;
    return this.flags & F_PAN ? 2 : 1;
  }

  /** MMU index of LDTR/STTR: EL0 permissions at EL1 unless PSTATE.UAO = 1. */
  get unprivIdx(): number {
    return this.el === 1 && (this.flags & F_UAO) === 0 ? 0 : this.dataIdx;
  }

  get bigEndian(): boolean {
    return (this.flags & F_BE) !== 0;
  }

  /** PC of the next instruction. */
  next(): [number, number] {
    return pairAddNum(this.pcLo, this.pcHi, 4);
  }

  /** PC + offset (branch targets, literals). */
  pcRel(offset: number): [number, number] {
    return pairAddNum(this.pcLo, this.pcHi, offset);
  }

  emit(line: string): void {
    this.body.push(line);
  }

  tmp(): string {
    return `t${this.ntmp++}`;
  }

  private names(r: number): [string, string] {
    return r === SP ? ['spl', 'sph'] : [`x${r}l`, `x${r}h`];
  }

  /** Reads Xn (31 = XZR). */
  x(r: number): [string, string] {
    if (r === 31) return ['0', '0'];
    this.used.add(r);
    return this.names(r);
  }

  /** Reads Xn (31 = SP). */
  xsp(r: number): [string, string] {
    const n = r === 31 ? SP : r;
    this.used.add(n);
    return this.names(n);
  }

  /** Writes Xn (31 = XZR: discarded). The expressions may read any register. */
  setX(r: number, lo: string, hi: string): void {
    if (r === 31) return;
    this.assign(r, lo, hi);
  }

  /** Writes Xn (31 = SP). */
  setXsp(r: number, lo: string, hi: string): void {
    this.assign(r === 31 ? SP : r, lo, hi);
  }

  /** Writes Wn: the upper half becomes zero. */
  setW(r: number, lo: string): void {
    this.setX(r, lo, '0');
  }

  private assign(n: number, lo: string, hi: string): void {
    this.used.add(n);
    this.dirty.add(n);
    const [ln, hn] = this.names(n);
    if (mentions(hi, ln)) {
      // hi depends on the old low word: compute it first.
      const t = this.tmp();
      this.emit(`${t} = ${hi}; ${ln} = ${lo}; ${hn} = ${t};`);
    } else {
      this.emit(`${ln} = ${lo}; ${hn} = ${hi};`);
    }
  }

  /** Marks the flags as read; returns nothing (use fN, fZ, fC, fV). */
  readFlags(): void {
    this.flagsUsed = true;
  }

  /** Sets the flag locals (expressions in the encoding of state.ts). */
  setFlags(n: string, z: string, c: string, v: string): void {
    this.flagsUsed = true;
    this.flagsDirty = true;
    this.emit(`fN = ${n}; fZ = ${z}; fC = ${c}; fV = ${v};`);
  }

  /** The JS condition for an A64 condition code (Arm ARM C1.2.4 ConditionHolds). */
  cond(c: number): string {
    this.readFlags();
    let e: string;
    switch (c >> 1) {
      case 0:
        e = 'fZ === 0';
        break;
      case 1:
        e = 'fC !== 0';
        break;
      case 2:
        e = 'fN < 0';
        break;
      case 3:
        e = 'fV < 0';
        break;
      case 4:
        e = '(fC !== 0 && fZ !== 0)';
        break;
      case 5:
        e = '(fN ^ fV) >= 0';
        break;
      case 6:
        e = '(fZ !== 0 && (fN ^ fV) >= 0)';
        break;
      default:
        return 'true';
    }
    return c & 1 ? `!(${e})` : e;
  }

  /** `return` with retired count `k` (instructions completed this iteration) and exit kind. */
  ret(k: number, kind: number | string): string {
    return `return ((n + ${k}) << 2) | ${kind};`;
  }

  /** Full exit: write back, set PC, return. */
  exit(kind: number, pcLo: number | string, pcHi: number | string, k: number): string {
    return `{ @WB@ R[${PC}] = ${pcLo}; R[${PC + 1}] = ${pcHi}; ${this.ret(k, kind)} }`;
  }

  /** Writes back state and the current PC (before a helper call). */
  sync(): string {
    return `@WB@ R[${PC}] = ${this.pcLo}; R[${PC + 1}] = ${this.pcHi};`;
  }

  /**
   * Calls a helper that may take an exception or request an exit: state is synced first, and a
   * non-zero status leaves the block with `k` instructions retired. `reload` lists registers the
   * helper may have written in R (re-read into locals afterwards).
   */
  helper(call: string, reload: readonly number[] = []): void {
    const s = this.tmp();
    this.emit(`${this.sync()} ${s} = ${call}; if (${s} !== 0) ${this.ret(this.k, s)}`);
    this.reload(reload);
  }

  /** Re-reads registers from R after a helper wrote them. */
  reload(regs: readonly number[]): void {
    for (const r of regs) {
      if (r === 31) continue;
      this.used.add(r);
      const [l, h] = this.names(r);
      this.emit(`${l} = R[${2 * r}]; ${h} = R[${2 * r + 1}];`);
    }
  }

  /** Reloads the flags after a helper changed them in R. */
  reloadFlags(): void {
    this.flagsUsed = true;
    this.emit(`fN = R[${NF}]; fZ = R[${ZF}]; fC = R[${CF}]; fV = R[${VF}];`);
  }

  /**
   * Ends the block with a terminating helper. The helper leaves R[PC] where execution goes on
   * (next instruction, exception vector, or unchanged for an exit at the instruction) and
   * returns an exit kind, OR'ed with H_RETIRED if the instruction retired.
   */
  endWithHelper(call: string): void {
    const s = this.tmp();
    this.emit(`${this.sync()} ${s} = ${call}; return ((n + ${this.k} + (${s} >> 3)) << 2) | (${s} & 3);`);
    this.ended = true;
  }

  /** Assembles the function source. */
  source(): string {
    const wb: string[] = [];
    const decl: string[] = [];
    for (const r of [...this.used].sort((a, b) => a - b)) {
      const [l, h] = this.names(r);
      const slot = r === SP ? this.spSlot : 2 * r;
      decl.push(`${l} = R[${slot}]`, `${h} = R[${slot + 1}]`);
      if (this.dirty.has(r)) wb.push(`R[${slot}] = ${l}; R[${slot + 1}] = ${h};`);
    }
    if (this.flagsUsed) decl.push(`fN = R[${NF}]`, `fZ = R[${ZF}]`, `fC = R[${CF}]`, `fV = R[${VF}]`);
    if (this.flagsDirty) wb.push(`R[${NF}] = fN; R[${ZF}] = fZ; R[${CF}] = fC; R[${VF}] = fV;`);
    decl.push('n = 0', 'smc = 0');
    for (let i = 0; i < this.ntmp; i++) decl.push(`t${i} = 0`);
    const wbs = wb.join(' ');
    const body = this.body.join('\n').replaceAll('@WB@', wbs);
    const inner = this.loop ? `for (;;) {\n${body}\n}` : body;
    return `return function blk(budget) {\nlet ${decl.join(', ')};\n${inner}\n};`;
  }
}

/** True if `expr` mentions identifier `name` (whole word). */
function mentions(expr: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(expr);
}
