/**
 * Helpers to write decode-table entries as data, in the spirit of QEMU's decodetree
 * (qemu/qemu docs/devel/decodetree.rst): a pattern is a 32-character bit string, most
 * significant bit first, where `0`/`1` are fixed bits and `x` is a bit a field (or nothing)
 * occupies. Spaces and underscores are ignored, so patterns can be laid out like the Arm ARM's
 * encoding diagrams.
 */
import type { InsnId } from '../ids.js';
import type { Feature, FieldSpec, InsnEntry } from '../types.js';

/** mask/value of a pattern string ('0', '1', 'x'; spaces and '_' ignored). */
export function bits(pattern: string): { mask: number; value: number } {
  const p = pattern.replace(/[ _]/g, '');
  if (p.length !== 32 || !/^[01x]+$/.test(p)) throw new Error(`bad pattern ${JSON.stringify(pattern)}`);
  let mask = 0;
  let value = 0;
  for (let i = 0; i < 32; i++) {
    const c = p[i];
    const bit = 31 - i;
    if (c !== 'x') {
      mask |= 1 << bit;
      if (c === '1') value |= 1 << bit;
    }
  }
  return { mask: mask >>> 0, value: value >>> 0 };
}

/** An unsigned field of `width` bits at `pos`. */
export const u = (pos: number, width: number): FieldSpec => ({ pos, width, signed: false });
/** A signed field, optionally scaled. */
export const s = (pos: number, width: number, scale?: number): FieldSpec =>
  scale === undefined ? { pos, width, signed: true } : { pos, width, signed: true, scale };
/** A concatenated field hi:lo (hi at the more significant end). */
export const cat = (
  hi: readonly [pos: number, width: number],
  lo: readonly [pos: number, width: number],
  signed: boolean,
  scale?: number,
): FieldSpec => {
  const f = { pos: lo[0], width: lo[1], signed, hi: { pos: hi[0], width: hi[1] } };
  return scale === undefined ? f : { ...f, scale };
};

/** Bits [pos + width - 1 : pos] of w, unsigned. */
export const x = (w: number, pos: number, width: number): number => (w >>> pos) & ((1 << width) - 1);

/** Fields at their usual positions. */
export const RD = u(0, 5);
export const RT = u(0, 5);
export const RN = u(5, 5);
export const RM = u(16, 5);
export const RS = u(16, 5);
export const RA = u(10, 5);
export const RT2 = u(10, 5);
export const SF = u(31, 1);
export const SIZE = u(30, 2);
export const OPC = u(22, 2);

export interface EntryOpts {
  readonly feature?: Feature;
  readonly constraint?: (w: number) => boolean;
}

/** Builds one entry; the group is the Arm ARM encoding class (see types.ts). */
export function entry(
  id: InsnId,
  group: string,
  pattern: string,
  fields: Record<string, FieldSpec>,
  opts: EntryOpts = {},
): InsnEntry {
  const { mask, value } = bits(pattern);
  for (const [name, f] of Object.entries(fields)) {
    const top = f.pos + f.width;
    if (f.width < 1 || top > 32 || (f.hi && f.hi.pos + f.hi.width > 32)) throw new Error(`${id}: bad field ${name}`);
  }
  const e: InsnEntry = { id, mask, value, fields, feature: opts.feature ?? 'base', group };
  return opts.constraint ? { ...e, constraint: opts.constraint } : e;
}
