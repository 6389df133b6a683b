/**
 * Block translation: fetch A64 words from one physical page, decode them with @hvlab/a64, emit
 * JS through the per-InsnId emitters, and compile the result with `new Function`.
 *
 * A block ends at the first instruction that can change control flow or system state (branches,
 * exception generation, MSR/SYS/ERET, WFI/WFE, UNDEF), at the end of the 4 KiB page, after
 * MAX_BLOCK instructions, or before a breakpoint address. A one-instruction block (F_SINGLE) is
 * the same emitters applied to a single instruction: the budget tail and single-stepping use it,
 * so there is no second implementation of any instruction.
 *
 * Encodings that decode to a feature this CPU does not implement (FP/SIMD, LSE, PAuth, LOR,
 * RCpc, FlagM, SB, crypto) are UNDEFINED, as the Arm ARM requires of an absent feature.
 */
import { type Decoded, decode } from '@hvlab/a64';
import { BRANCH_EMITTERS, UNDEF } from './emit/branch.js';
import { BlockBuilder, F_SINGLE } from './emit/builder.js';
import { DP_EMITTERS, type Emitter } from './emit/dp.js';
import { LDST_EMITTERS } from './emit/ldst.js';
import { I64, OUT } from './i64.js';
import type { Tlb } from './tlb.js';

/** Longest block (instructions). Also bounds the single-stepped tail of a budget. */
export const MAX_BLOCK = 64;

/** Features this CPU implements (everything else in the decode table is UNDEFINED). */
const IMPLEMENTED_FEATURES: ReadonlySet<string> = new Set(['base', 'crc32']);

const EMITTERS: Readonly<Record<string, Emitter>> = { ...DP_EMITTERS, ...BRANCH_EMITTERS, ...LDST_EMITTERS };

/** The emitter for one decoded word (UNDEF for unallocated or unimplemented encodings). */
export function emitterFor(d: Decoded | undefined): Emitter {
  if (d === undefined || !IMPLEMENTED_FEATURES.has(d.entry.feature)) return UNDEF;
  return EMITTERS[d.entry.id] ?? UNDEF;
}

/** A translated block. */
export interface Block {
  /** Runs the block: returns (retired << 2) | exit kind. */
  readonly fn: (budget: number) => number;
  readonly vaLo: number;
  readonly vaHi: number;
  /** Physical address of the first instruction. */
  readonly pa: number;
  readonly pageNum: number;
  readonly flags: number;
  /** Instructions in one pass. */
  readonly len: number;
  /** Byte range [startOff, endOff) of the page that the block's instructions occupy. */
  readonly startOff: number;
  readonly endOff: number;
  /** Chaining: cached successors (same page, same translation) for the taken/fall-through exits. */
  link0: Block | undefined;
  link1: Block | undefined;
  /** Whether the taken / fall-through targets lie in this block's VA page (may be linked). */
  readonly link0Ok: boolean;
  readonly link1Ok: boolean;
  /** False once its code was invalidated. */
  valid: boolean;
  /** TLB generation at which the VA -> PA mapping of this block was last confirmed. */
  gen: number;
  /** The CPU that owns it (a block runs on its CPU's state). */
  readonly owner: object;
}

/** What translated code is bound to. */
export interface BlockEnv {
  /** Register file. */
  readonly R: Int32Array;
  /** The helper object (the CPU). */
  readonly H: object;
  readonly tlb: Tlb;
}

/** Reads instruction words of the page being translated. */
export type FetchWord = (byteOffset: number) => number;

export interface TranslateRequest {
  readonly vaLo: number;
  readonly vaHi: number;
  readonly pa: number;
  readonly flags: number;
  readonly fetch: FetchWord;
  /** True if a breakpoint is set at VA (lo, hi): the block stops before it. */
  readonly isBreakpoint: ((lo: number, hi: number) => boolean) | undefined;
}

type Factory = (R: Int32Array, H: object, T: Int32Array, X: typeof I64, L: Tlb) => (budget: number) => number;

/** Generates the source of a block (exported for tests and debugging). */
export function blockSource(req: TranslateRequest): { source: string; builder: BlockBuilder; count: number } {
  const b = new BlockBuilder(req.vaLo, req.vaHi, req.flags);
  b.allowLoop = req.isBreakpoint === undefined;
  const max = req.flags & F_SINGLE ? 1 : MAX_BLOCK;
  const startOff = req.pa & 4095;
  let count = 0;
  while (count < max) {
    if (count > 0 && req.isBreakpoint?.(b.pcLo, b.pcHi)) break;
    const word = req.fetch(startOff + count * 4);
    b.k = count;
    const d = decode(word);
    // emitterFor returns UNDEF (which ignores its operand) whenever d is undefined.
    emitterFor(d)(b, d as Decoded);
    count++;
    if (b.ended) break;
    const [nl, nh] = b.next();
    b.pcLo = nl;
    b.pcHi = nh;
    if ((nl & 4095) === 0) break;
  }
  b.len = count;
  if (!b.ended) {
    // Ran into the page end, MAX_BLOCK or a breakpoint: fall through to the next instruction.
    b.link1 = [b.pcLo, b.pcHi];
    b.k = count;
    b.emit(b.exit(1, b.pcLo, b.pcHi, count));
  }
  return { source: b.source(), builder: b, count };
}

const samePage = (b: BlockBuilder, t: [number, number] | undefined): boolean =>
  t !== undefined && t[1] === b.startHi && ((t[0] ^ b.startLo) & -4096) === 0;

/** Translates and compiles a block. */
export function translateBlock(req: TranslateRequest, env: BlockEnv, gen: number): Block {
  const { source, builder, count } = blockSource(req);
  const prologue = '"use strict"; const TR = L.tagR, TW = L.tagW, TH = L.tagHi, TO = L.off, TD = L.dv;\n';
  const factory = new Function('R', 'H', 'T', 'X', 'L', prologue + source) as Factory;
  const fn = factory(env.R, env.H, OUT, I64, env.tlb);
  const startOff = req.pa & 4095;
  return {
    fn,
    vaLo: req.vaLo,
    vaHi: req.vaHi,
    pa: req.pa,
    pageNum: Math.floor(req.pa / 4096),
    flags: req.flags,
    len: count,
    startOff,
    endOff: startOff + count * 4,
    link0: undefined,
    link1: undefined,
    link0Ok: samePage(builder, builder.link0),
    link1Ok: samePage(builder, builder.link1),
    valid: true,
    gen,
    owner: env.H,
  };
}
