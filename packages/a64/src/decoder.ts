/**
 * The decoder: built from INSN_TABLE once, at module load.
 *
 * Index: a first-level array keyed on bits 31:21 of the word (2048 slots). Each slot holds the
 * entries whose fixed bits in 31:21 agree with the slot. Slots with many candidates (the SIMD
 * classes, which differ in bits 15:10) get a second-level array keyed on bits 15:10. A lookup is
 * two array reads and a short scan of mask/value compares (plus constraint predicates), well
 * under a microsecond. The table's entries are pairwise disjoint (decode.test.ts proves it over
 * random and swept words), so the first match is the only match.
 */
import { HvlabError } from '@hvlab/core';
import { INSN_TABLE } from './table/index.js';
import type { Decoded, FieldSpec, InsnEntry } from './types.js';

type Slot = readonly InsnEntry[] | readonly (readonly InsnEntry[])[];

const L1_SHIFT = 21;
const L1_SIZE = 1 << 11;
const L2_SHIFT = 10;
const L2_SIZE = 1 << 6;
/** Slots with more candidates than this are split on bits 15:10. */
const SPLIT_THRESHOLD = 6;

const L1_BITS = 0x7ff << L1_SHIFT;
const L2_BITS = 0x3f << L2_SHIFT;

function buildIndex(table: readonly InsnEntry[]): { slots: Slot[]; split: boolean[] } {
  const slots: Slot[] = [];
  const split: boolean[] = [];
  for (let k = 0; k < L1_SIZE; k++) {
    const kbits = (k << L1_SHIFT) >>> 0;
    const cands = table.filter((e) => (e.mask & L1_BITS & (e.value ^ kbits)) >>> 0 === 0);
    if (cands.length <= SPLIT_THRESHOLD) {
      slots.push(cands);
      split.push(false);
      continue;
    }
    const sub: InsnEntry[][] = [];
    for (let j = 0; j < L2_SIZE; j++) {
      const jbits = j << L2_SHIFT;
      sub.push(cands.filter((e) => (e.mask & L2_BITS & (e.value ^ jbits)) === 0));
    }
    slots.push(sub);
    split.push(true);
  }
  return { slots, split };
}

const { slots: SLOTS, split: SPLIT } = buildIndex(INSN_TABLE);

/** True if `e` matches `word` (fixed bits and constraint). */
export const entryMatches = (e: InsnEntry, word: number): boolean =>
  (word & e.mask) >>> 0 === e.value && (e.constraint === undefined || e.constraint(word));

/**
 * Decodes one A64 instruction word. Returns undefined for unallocated encodings (including the
 * permanently UNDEFINED UDF space). Accepts any number; the low 32 bits are the word.
 */
export function decode(word: number): Decoded | undefined {
  const w = word >>> 0;
  const k = w >>> L1_SHIFT;
  const slot = SLOTS[k]!;
  const cands = (
    SPLIT[k] ? (slot as readonly (readonly InsnEntry[])[])[(w >>> L2_SHIFT) & 0x3f]! : slot
  ) as readonly InsnEntry[];
  for (let i = 0; i < cands.length; i++) {
    const e = cands[i]!;
    if ((w & e.mask) >>> 0 === e.value && (e.constraint === undefined || e.constraint(w))) return { entry: e, word: w };
  }
  return undefined;
}

/** Extracts a field as its FieldSpec says (concatenation, sign extension, scale). */
export function extractField(spec: FieldSpec, word: number): number {
  let v = (word >>> spec.pos) & (spec.width >= 32 ? 0xffffffff : (1 << spec.width) - 1);
  let width = spec.width;
  if (spec.hi) {
    const h = (word >>> spec.hi.pos) & ((1 << spec.hi.width) - 1);
    v = h * 2 ** width + v;
    width += spec.hi.width;
  }
  v >>>= 0;
  if (spec.signed && v >= 2 ** (width - 1)) v -= 2 ** width;
  return spec.scale === undefined ? v : v * spec.scale;
}

/**
 * The value of field `name` of a decoded instruction. Throws HvlabError EINVAL if the entry has
 * no such field (a host-side bug: the field names of every id are listed in ids.ts).
 */
export function field(d: Decoded, name: string): number {
  const spec = d.entry.fields[name];
  if (spec === undefined) throw new HvlabError('EINVAL', `${d.entry.id} has no field '${name}'`);
  return extractField(spec, d.word);
}

/** True if the decoded entry has field `name`. */
export const hasField = (d: Decoded, name: string): boolean => d.entry.fields[name] !== undefined;

/** All fields of a decoded instruction as a plain object. */
export function fieldsOf(d: Decoded): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(d.entry.fields)) out[name] = extractField(spec, d.word);
  return out;
}
