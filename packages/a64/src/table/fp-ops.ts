/**
 * Operation tables of the scalar floating-point encoding classes (Arm ARM DDI 0487 C4.1.96:
 * "Conversion between floating-point and fixed-point", "... and integer", "Floating-point
 * data-processing (1 source)", "compare", "immediate", "conditional compare",
 * "data-processing (2 source)", "conditional select", "data-processing (3 source)").
 *
 * As in simd-ops.ts, each lookup returns the mnemonic and an operand format, or undefined where
 * the class table leaves the encoding unallocated. Common rule: ftype 10 is unallocated except
 * for FMOV to/from the top half of a 128-bit register; ftype 11 is half precision (FEAT_FP16).
 */
import type { SimdOp } from './simd-ops.js';
import { x } from './util.js';

const op = (mn: string, fmt: string): SimdOp => ({ mn, fmt });
const ftype = (w: number) => x(w, 22, 2);

/** 'i2fx' (SCVTF/UCVTF Fd, Rn, #fbits) | 'f2ix' (FCVTZS/FCVTZU Rd, Fn, #fbits). */
export function fpCvtFixed(w: number): SimdOp | undefined {
  if (ftype(w) === 2 || (x(w, 31, 1) === 0 && x(w, 15, 1) === 0)) return undefined;
  switch ((x(w, 19, 2) << 3) | x(w, 16, 3)) {
    case 0b00_010:
      return op('scvtf', 'i2fx');
    case 0b00_011:
      return op('ucvtf', 'i2fx');
    case 0b11_000:
      return op('fcvtzs', 'f2ix');
    case 0b11_001:
      return op('fcvtzu', 'f2ix');
    default:
      return undefined;
  }
}

/** 'f2i' (Rd, Fn) | 'i2f' (Fd, Rn) | 'top2i' (Xd, Vn.D[1]) | 'i2top' (Vd.D[1], Xn). */
export function fpCvtInt(w: number): SimdOp | undefined {
  const sf = x(w, 31, 1);
  const t = ftype(w);
  const rmode = x(w, 19, 2);
  const opcode = x(w, 16, 3);
  if (opcode === 0b110 || opcode === 0b111) {
    const toFp = opcode === 0b111;
    if (rmode === 0) {
      if ((sf === 0 && t === 0) || (sf === 1 && t === 1) || t === 3) return op('fmov', toFp ? 'i2f' : 'f2i');
      return undefined;
    }
    if (rmode === 1) return sf === 1 && t === 2 ? op('fmov', toFp ? 'i2top' : 'top2i') : undefined;
    if (rmode === 3 && !toFp) return sf === 0 && t === 1 ? op('fjcvtzs', 'f2i') : undefined;
    return undefined;
  }
  if (t === 2) return undefined;
  if (opcode <= 1) return op(`fcvt${'npmz'[rmode]}${opcode ? 'u' : 's'}`, 'f2i');
  if (rmode !== 0) return undefined;
  return op(['', '', 'scvtf', 'ucvtf', 'fcvtas', 'fcvtau'][opcode]!, opcode < 4 ? 'i2f' : 'f2i');
}

const DP1 = new Map<number, string>([
  [0b000000, 'fmov'],
  [0b000001, 'fabs'],
  [0b000010, 'fneg'],
  [0b000011, 'fsqrt'],
  [0b001000, 'frintn'],
  [0b001001, 'frintp'],
  [0b001010, 'frintm'],
  [0b001011, 'frintz'],
  [0b001100, 'frinta'],
  [0b001110, 'frintx'],
  [0b001111, 'frinti'],
  [0b010000, 'frint32z'],
  [0b010001, 'frint32x'],
  [0b010010, 'frint64z'],
  [0b010011, 'frint64x'],
]);
/** 'ff' (Fd, Fn of the same type) | 'fcvt' (Fd of type opc<1:0>, Fn of ftype) | 'bfcvt'. */
export function fpDp1(w: number): SimdOp | undefined {
  const t = ftype(w);
  const opcode = x(w, 15, 6);
  if (t === 2) return undefined;
  if (opcode === 0b000110) return t === 1 ? op('bfcvt', 'bfcvt') : undefined;
  if ((opcode & 0b111100) === 0b000100) {
    const to = opcode & 3;
    return to !== 2 && to !== t ? op('fcvt', 'fcvt') : undefined;
  }
  const mn = DP1.get(opcode);
  if (!mn || (mn.startsWith('frint3') && t === 3) || (mn.startsWith('frint6') && t === 3)) return undefined;
  return op(mn, 'ff');
}

/** 'cmp' (Fn, Fm) | 'cmp0' (Fn, #0.0). */
export function fpCmp(w: number): SimdOp | undefined {
  if (ftype(w) === 2 || x(w, 14, 2) !== 0 || x(w, 0, 3) !== 0) return undefined;
  return op(x(w, 4, 1) ? 'fcmpe' : 'fcmp', x(w, 3, 1) ? 'cmp0' : 'cmp');
}

export function fpImm(w: number): SimdOp | undefined {
  return ftype(w) === 2 || x(w, 5, 5) !== 0 ? undefined : op('fmov', 'imm');
}

export function fpCcmp(w: number): SimdOp | undefined {
  return ftype(w) === 2 ? undefined : op(x(w, 4, 1) ? 'fccmpe' : 'fccmp', 'ccmp');
}

const DP2 = ['fmul', 'fdiv', 'fadd', 'fsub', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fnmul'];
export function fpDp2(w: number): SimdOp | undefined {
  const mn = DP2[x(w, 12, 4)];
  return ftype(w) === 2 || !mn ? undefined : op(mn, 'fff');
}

export function fpCsel(w: number): SimdOp | undefined {
  return ftype(w) === 2 ? undefined : op('fcsel', 'csel');
}

export function fpDp3(w: number): SimdOp | undefined {
  if (ftype(w) === 2) return undefined;
  return op(['fmadd', 'fmsub', 'fnmadd', 'fnmsub'][(x(w, 21, 1) << 1) | x(w, 15, 1)]!, 'ffff');
}
