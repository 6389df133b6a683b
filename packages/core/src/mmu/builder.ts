/**
 * A small translation-table builder: allocates tables in RAM through a callback and maps
 * input ranges with the largest blocks that alignment allows (the same greedy split as
 * Linux's kvm_pgtable and TF-A's xlat_tables). For tests, the conformance suite and guest
 * setup; the hypervisor models use the descriptor constructors directly.
 *
 * Tables are written with `tableDesc` / `s1*Desc` / `s2*Desc` (descriptor.ts). A builder only
 * adds mappings: mapping over anything already mapped throws EEXIST before any table changes.
 * Stage-2 roots may be concatenated tables (VTCR_EL2.SL0 start levels, D8.2 "Concatenated
 * translation tables"); the root is allocated as one aligned block of rootTables * granule.
 */
import { HvlabError } from '../errors.js';
import type { PhysMem } from '../memory.js';
import { s2InconsistentSl, sl0For } from './config.js';
import {
  type S1LeafAttrs,
  type S2LeafAttrs,
  s1BlockDesc,
  s1PageDesc,
  s2BlockDesc,
  s2PageDesc,
  tableDesc,
} from './descriptor.js';
import {
  assertGranule,
  defaultStage2StartLevel,
  FINAL_LEVEL,
  type Granule,
  granuleBits,
  isBlockLevel,
  levelShift,
  MAX_ADDR_BITS,
  s1StartLevel,
} from './granule.js';

/** Where tables live: PhysMem satisfies this. */
export interface TableMemory {
  readU64(pa: number): bigint;
  writeU64(pa: number, value: bigint): void;
}

/** Returns the PA of `bytes` of zeroed RAM aligned to `bytes` (a power of two). */
export type TableAlloc = (bytes: number) => number;

/**
 * A bump allocator over [base, base + size) of `mem` that zeroes what it hands out
 * (throws EFAULT when exhausted).
 */
export function bumpAllocator(mem: Pick<PhysMem, 'write'>, base: number, size: number): TableAlloc {
  let next = base;
  return (bytes) => {
    if (!Number.isSafeInteger(bytes) || bytes <= 0 || (bytes & (bytes - 1)) !== 0)
      throw new HvlabError('EINVAL', `table allocation size ${bytes} is not a power of two`);
    const at = Math.ceil(next / bytes) * bytes;
    if (at + bytes > base + size)
      throw new HvlabError('EFAULT', `table allocator exhausted (${bytes} bytes wanted at 0x${at.toString(16)})`);
    mem.write(at, new Uint8Array(bytes));
    next = at + bytes;
    return at;
  };
}

export interface TableLayout {
  readonly granule: Granule;
  /** Input address size in bits (64 - TxSZ), 25..48. */
  readonly inputBits: number;
}

export interface Stage1Layout extends TableLayout {
  /** Build for the TTBR1 (upper) VA range: VAs are 0xffff... addresses. Default false. */
  readonly upper?: boolean;
}

export interface Stage2Layout extends TableLayout {
  /** Start level (default: defaultStage2StartLevel, concatenating up to 16 root tables). */
  readonly startLevel?: number;
}

export interface MapOptions {
  /** Use block descriptors where alignment allows (default true); false maps pages only. */
  readonly blocks?: boolean;
}

interface Chunk {
  readonly ia: number;
  readonly oa: number;
  readonly level: number;
}

abstract class TableBuilder {
  /** PA of the root table (TTBR/VTTBR BADDR). */
  readonly root: number;
  readonly startLevel: number;
  /** Tables concatenated at the root (stage 2; 1 for stage 1). */
  readonly rootTables: number;
  readonly granule: Granule;
  readonly inputBits: number;

  protected constructor(
    protected readonly mem: TableMemory,
    protected readonly alloc: TableAlloc,
    layout: TableLayout,
    startLevel: number,
  ) {
    assertGranule(layout.granule);
    if (!Number.isInteger(layout.inputBits) || layout.inputBits < 25 || layout.inputBits > MAX_ADDR_BITS)
      throw new HvlabError('EINVAL', `input address size must be 25..48 bits, got ${layout.inputBits}`);
    this.granule = layout.granule;
    this.inputBits = layout.inputBits;
    this.startLevel = startLevel;
    const rootBytes = 8 * 2 ** (layout.inputBits - levelShift(layout.granule, startLevel));
    this.rootTables = Math.max(1, rootBytes / layout.granule);
    this.root = this.allocTable(rootBytes);
  }

  private readonly allocated: number[] = [];

  /** PAs of every table allocated, root first. */
  get tables(): readonly number[] {
    return this.allocated;
  }

  private allocTable(bytes: number): number {
    const pa = this.alloc(bytes);
    if (!Number.isSafeInteger(pa) || pa < 0 || pa + bytes > 2 ** MAX_ADDR_BITS || pa % bytes !== 0)
      throw new HvlabError('EINVAL', `table allocator returned a misaligned or out-of-range address ${pa}`);
    this.allocated.push(pa);
    return pa;
  }

  /** The descriptor address for `ia` in the table at `table`/`level`. */
  private slot(table: number, level: number, ia: number): number {
    const size = 2 ** levelShift(this.granule, level);
    const stride = granuleBits(this.granule) - 3;
    const index = level === this.startLevel ? Math.floor(ia / size) : Math.floor(ia / size) % 2 ** stride;
    return table + index * 8;
  }

  /** Splits [ia, ia+size) -> [oa, ...) into the largest aligned blocks (greedy, left to right). */
  private chunks(ia: number, oa: number, size: number, blocks: boolean): Chunk[] {
    const out: Chunk[] = [];
    const end = ia + size;
    while (ia < end) {
      let level = FINAL_LEVEL;
      if (blocks) {
        for (let l = this.startLevel; l < FINAL_LEVEL; l++) {
          const s = 2 ** levelShift(this.granule, l);
          if (isBlockLevel(this.granule, l) && ia % s === 0 && oa % s === 0 && ia + s <= end) {
            level = l;
            break;
          }
        }
      }
      out.push({ ia, oa, level });
      const s = 2 ** levelShift(this.granule, level);
      ia += s;
      oa += s;
    }
    return out;
  }

  /** True if nothing is mapped at the chunk's range (read-only walk of the existing tables). */
  private isFree(c: Chunk): boolean {
    let table = this.root;
    for (let level = this.startLevel; ; level++) {
      const desc = this.mem.readU64(this.slot(table, level, c.ia));
      if ((desc & 1n) === 0n) return true;
      if (level === c.level || (desc & 3n) !== 3n || level === FINAL_LEVEL) return false;
      table = Number(desc & 0x0000_ffff_ffff_f000n);
    }
  }

  protected mapRange(
    ia: number,
    pa: number,
    size: number,
    opts: MapOptions,
    leaf: (oa: number, level: number) => bigint,
  ): void {
    const g = this.granule;
    if (!Number.isSafeInteger(size) || size <= 0 || size % g !== 0)
      throw new HvlabError('EINVAL', `mapping size ${size} is not a positive multiple of the ${g}-byte granule`);
    if (ia % g !== 0 || !Number.isSafeInteger(pa) || pa < 0 || pa % g !== 0)
      throw new HvlabError(
        'EINVAL',
        `input 0x${ia.toString(16)} and output 0x${pa.toString(16)} must be granule aligned`,
      );
    if (ia + size > 2 ** this.inputBits)
      throw new HvlabError('EINVAL', `mapping ends beyond the ${this.inputBits}-bit input range`);
    if (pa + size > 2 ** MAX_ADDR_BITS) throw new HvlabError('EINVAL', 'mapping ends beyond the 48-bit output range');
    const chunks = this.chunks(ia, pa, size, opts.blocks ?? true);
    // Build every descriptor first (validates attributes) and check for overlap before writing.
    const descs = chunks.map((c) => leaf(c.oa, c.level));
    for (const c of chunks)
      if (!this.isFree(c))
        throw new HvlabError('EEXIST', `input range at 0x${c.ia.toString(16)} overlaps an existing mapping`);
    chunks.forEach((c, i) => {
      let table = this.root;
      for (let level = this.startLevel; level < c.level; level++) {
        const at = this.slot(table, level, c.ia);
        const desc = this.mem.readU64(at);
        if ((desc & 1n) === 0n) {
          const next = this.allocTable(g);
          this.mem.writeU64(at, tableDesc(next, {}, g));
          table = next;
        } else {
          table = Number(desc & 0x0000_ffff_ffff_f000n);
        }
      }
      this.mem.writeU64(this.slot(table, c.level, c.ia), descs[i]!);
    });
  }
}

/** Builds stage-1 tables for one TTBR (TTBR0_EL1 or, with `upper`, TTBR1_EL1). */
export class Stage1TableBuilder extends TableBuilder {
  readonly upper: boolean;

  constructor(mem: TableMemory, alloc: TableAlloc, layout: Stage1Layout) {
    super(mem, alloc, layout, s1StartLevel(layout.granule, layout.inputBits));
    this.upper = layout.upper ?? false;
  }

  /** Maps [va, va+size) to [pa, pa+size). `va` is a full 64-bit VA of this builder's range. */
  map(va: bigint, pa: number, size: number, attrs: S1LeafAttrs = {}, opts: MapOptions = {}): void {
    const span = 1n << BigInt(this.inputBits);
    const lowest = this.upper ? (1n << 64n) - span : 0n;
    if (typeof va !== 'bigint' || va < lowest || va >= lowest + span)
      throw new HvlabError('EINVAL', `VA ${String(va)} is outside the ${this.upper ? 'TTBR1' : 'TTBR0'} range`);
    const g = this.granule;
    this.mapRange(Number(va - lowest), pa, size, opts, (oa, level) =>
      level === FINAL_LEVEL ? s1PageDesc(oa, attrs, g) : s1BlockDesc(oa, level, attrs, g),
    );
  }
}

/** Builds stage-2 tables (VTTBR_EL2), with concatenated root tables where the start level needs them. */
export class Stage2TableBuilder extends TableBuilder {
  /** The VTCR_EL2.SL0 value for this start level. */
  readonly sl0: number;

  constructor(mem: TableMemory, alloc: TableAlloc, layout: Stage2Layout) {
    const start = layout.startLevel ?? defaultStage2StartLevel(layout.granule, layout.inputBits);
    const sl0 = sl0For(layout.granule, start);
    if (s2InconsistentSl(layout.granule, start, layout.inputBits))
      throw new HvlabError('EINVAL', `a ${layout.inputBits}-bit IPA cannot start at level ${start}`);
    super(mem, alloc, layout, start);
    this.sl0 = sl0;
  }

  /** Maps [ipa, ipa+size) to [pa, pa+size). */
  map(ipa: bigint, pa: number, size: number, attrs: S2LeafAttrs = {}, opts: MapOptions = {}): void {
    if (typeof ipa !== 'bigint' || ipa < 0n || ipa >= 1n << BigInt(this.inputBits))
      throw new HvlabError('EINVAL', `IPA ${String(ipa)} is outside the ${this.inputBits}-bit IPA range`);
    const g = this.granule;
    this.mapRange(Number(ipa), pa, size, opts, (oa, level) =>
      level === FINAL_LEVEL ? s2PageDesc(oa, attrs, g) : s2BlockDesc(oa, level, attrs, g),
    );
  }
}

export interface S1Mapping {
  readonly va: bigint;
  readonly pa: number;
  readonly size: number;
  readonly attrs?: S1LeafAttrs;
  readonly blocks?: boolean;
}

export interface S2Mapping {
  readonly ipa: bigint;
  readonly pa: number;
  readonly size: number;
  readonly attrs?: S2LeafAttrs;
  readonly blocks?: boolean;
}

/** Builds stage-1 tables for `mappings`; the builder's `root` goes in TTBR0/1_EL1. */
export function buildStage1Tables(
  mem: TableMemory,
  mappings: readonly S1Mapping[],
  cfg: Stage1Layout & { readonly alloc: TableAlloc },
): Stage1TableBuilder {
  const b = new Stage1TableBuilder(mem, cfg.alloc, cfg);
  for (const m of mappings) b.map(m.va, m.pa, m.size, m.attrs, { blocks: m.blocks ?? true });
  return b;
}

/** Builds stage-2 tables for `mappings`; the builder's `root` goes in VTTBR_EL2, `sl0` in VTCR_EL2. */
export function buildStage2Tables(
  mem: TableMemory,
  mappings: readonly S2Mapping[],
  cfg: Stage2Layout & { readonly alloc: TableAlloc },
): Stage2TableBuilder {
  const b = new Stage2TableBuilder(mem, cfg.alloc, cfg);
  for (const m of mappings) b.map(m.ipa, m.pa, m.size, m.attrs, { blocks: m.blocks ?? true });
  return b;
}
