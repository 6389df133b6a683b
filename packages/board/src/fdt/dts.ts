/**
 * Prints a parsed device tree as DTS source exactly as `dtc -I dtb -O dts` (dtc 1.6) prints
 * it, so that a golden DTS can be compared without dtc installed and diffed against QEMU's.
 *
 * Value rendering follows dtc's treesource.c guess_value_type: a value that ends in NUL, has
 * only printable characters or NULs, and no more NULs than other characters is a string list;
 * otherwise a multiple of 4 bytes is printed as cells (<0x%02x ...>), and anything else as
 * bytes ([%02x ...]).
 */
import type { Fdt, FdtNode } from './reader.js';

const ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;
const isStringChar = (c: number): boolean => isPrint(c) || c === 0 || (c >= 0x07 && c <= 0x0d);

function looksLikeString(v: Uint8Array): boolean {
  if (v.length === 0 || v[v.length - 1] !== 0) return false;
  let nul = 0;
  for (const c of v) {
    if (!isStringChar(c)) return false;
    if (c === 0) nul++;
  }
  return nul <= v.length - nul;
}

function stringValue(v: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < v.length - 1; i++) {
    const c = v[i]!;
    if (c === 0) s += '\\0';
    else s += ESCAPES[c] ?? (isPrint(c) ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`);
  }
  return `${s}"`;
}

function cellsValue(v: Uint8Array): string {
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const cells: string[] = [];
  for (let i = 0; i < v.length; i += 4) cells.push(`0x${dv.getUint32(i).toString(16).padStart(2, '0')}`);
  return `<${cells.join(' ')}>`;
}

const bytesValue = (v: Uint8Array): string => `[${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`;

/** One property value as dtc would print it (without the name). */
export function dtsValue(v: Uint8Array): string {
  if (looksLikeString(v)) return stringValue(v);
  if (v.length % 4 === 0) return cellsValue(v);
  return bytesValue(v);
}

function node(out: string[], n: FdtNode, level: number): void {
  const tabs = '\t'.repeat(level);
  out.push(`${tabs}${n.name === '' ? '/' : n.name} {\n`);
  for (const p of n.properties) {
    out.push(`${tabs}\t${p.name}${p.value.length === 0 ? '' : ` = ${dtsValue(p.value)}`};\n`);
  }
  for (const c of n.children) {
    out.push('\n');
    node(out, c, level + 1);
  }
  out.push(`${tabs}};\n`);
}

/** DTS source text for a parsed tree, byte-identical to dtc 1.6's `-I dtb -O dts` output. */
export function fdtToDts(fdt: Pick<Fdt, 'root' | 'memReserve'>): string {
  const out = ['/dts-v1/;\n\n'];
  for (const r of fdt.memReserve) out.push(`/memreserve/\t0x${hex16(r.address)} 0x${hex16(r.size)};\n`);
  node(out, fdt.root, 0);
  return out.join('');
}

const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');
