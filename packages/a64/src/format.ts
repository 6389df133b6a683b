/** Operand formatting shared by the disassemblers (GNU binutils conventions). */

const MASK64 = (1n << 64n) - 1n;

export const xreg = (n: number, sp = false): string => (n === 31 ? (sp ? 'sp' : 'xzr') : `x${n}`);
export const wreg = (n: number, sp = false): string => (n === 31 ? (sp ? 'wsp' : 'wzr') : `w${n}`);
export const greg = (sf: number, n: number, sp = false): string => (sf ? xreg(n, sp) : wreg(n, sp));
export const hex = (v: number | bigint): string => (v < 0 ? `#-0x${(-v).toString(16)}` : `#0x${v.toString(16)}`);
export const target = (pc: bigint, off: number): string => `0x${((pc + BigInt(off)) & MASK64).toString(16)}`;

export const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
/** `.inst` form used for words that decode to nothing (binutils prints the same). */
export const dotInst = (w: number): string => `.inst 0x${(w >>> 0).toString(16).padStart(8, '0')} ; undefined`;
