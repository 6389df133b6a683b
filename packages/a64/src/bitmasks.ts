/**
 * Immediate expansions shared by the disassembler and by backends (at translation time):
 * DecodeBitMasks and MoveWidePreferred from the Arm ARM (DDI 0487) J1 shared pseudocode,
 * aarch64/instrs/integer/bitmasks and aarch64/instrs/integer/ins-ext/insert/movewide.
 */

const MASK64 = (1n << 64n) - 1n;

const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;

function ror(v: bigint, r: number, esize: number): bigint {
  if (r === 0) return v;
  const m = ones(esize);
  return ((v >> BigInt(r)) | (v << BigInt(esize - r))) & m;
}

function replicate(v: bigint, esize: number, datasize: number): bigint {
  let out = 0n;
  for (let i = 0; i < datasize; i += esize) out |= v << BigInt(i);
  return out;
}

/**
 * DecodeBitMasks(immN, imms, immr, immediate) for datasize 32 or 64: returns {wmask, tmask}, or
 * undefined where the pseudocode says UNDEFINED (len < 1, or all-ones imms for an immediate).
 */
export function decodeBitMasks(
  n: number,
  imms: number,
  immr: number,
  immediate: boolean,
  datasize: 32 | 64,
): { wmask: bigint; tmask: bigint } | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels;
  const r = immr & levels;
  const diff = (s - r) & levels;
  const esize = 1 << len;
  if (esize > datasize) return undefined;
  const d = diff & (esize - 1);
  const welem = ones(s + 1);
  const telem = ones(d + 1);
  const wmask = replicate(ror(welem, r, esize), esize, datasize) & MASK64;
  const tmask = replicate(telem, esize, datasize) & MASK64;
  return { wmask, tmask };
}

/** The immediate of a logical-immediate instruction (AND/ORR/EOR/ANDS), or undefined if reserved. */
export function logicalImmediate(sf: number, n: number, immr: number, imms: number): bigint | undefined {
  if (sf === 0 && n === 1) return undefined;
  return decodeBitMasks(n, imms, immr, true, sf ? 64 : 32)?.wmask;
}

/** MoveWidePreferred(sf, immN, imms, immr): whether ORR-immediate's MOV alias defers to MOVZ/MOVN. */
export function moveWidePreferred(sf: number, n: number, imms: number, immr: number): boolean {
  const width = sf ? 64 : 32;
  if (sf === 1 && n !== 1) return false;
  if (sf === 0 && (n !== 0 || (imms & 0x20) !== 0)) return false;
  if (imms < 16) return ((-immr % 16) + 16) % 16 <= 15 - imms;
  if (imms >= width - 15) return immr % 16 <= imms - (width - 15);
  return false;
}

/** BFXPreferred(sf, uns, imms, immr): whether SBFM/UBFM disassemble as SBFX/UBFX. */
export function bfxPreferred(sf: number, uns: number, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === (sf ? 63 : 31)) return false;
  if (immr === 0) {
    if (sf === 0 && (imms === 7 || imms === 15)) return false;
    if (sf === 1 && uns === 0 && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}
