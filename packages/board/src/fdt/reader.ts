/**
 * An FDT reader: parses a DTB (Devicetree Specification v0.4 chapter 5) into a tree, checking
 * every offset and length against the blob so that a malformed or hostile file ends as
 * HvlabError EINVAL, never as an out-of-range read. Used by tests and to validate a user's
 * `--dtb` file before it replaces the generated one.
 *
 * The structure block is read with this grammar (§5.4.2), FDT_NOP allowed anywhere:
 *
 *   tree  := node FDT_END
 *   node  := FDT_BEGIN_NODE name prop* node* FDT_END_NODE
 *   prop  := FDT_PROP len nameoff value
 */
import { HvlabError } from '@hvlab/core';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_MAX_NODE_DEPTH,
  FDT_MAX_TOTAL_SIZE,
  FDT_NOP,
  FDT_PROP,
  FDT_VERSION,
  FdtHeader,
  type FdtReserveEntry,
  isValidNodeName,
  isValidPropertyName,
} from './format.js';
import { FdtWriter } from './writer.js';

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

export interface FdtNode {
  /** `name@unit-address`; '' for the root. */
  readonly name: string;
  readonly properties: FdtProperty[];
  readonly children: FdtNode[];
}

export interface Fdt {
  readonly root: FdtNode;
  readonly memReserve: FdtReserveEntry[];
  readonly bootCpuidPhys: number;
  readonly version: number;
  readonly lastCompVersion: number;
  readonly totalSize: number;
}

function bad(msg: string): never {
  throw new HvlabError('EINVAL', `not a valid DTB: ${msg}`);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** True if `blob` starts with the FDT magic (a cheap sniff; parseFdt does the real check). */
export const looksLikeFdt = (blob: Uint8Array): boolean =>
  blob.length >= 4 && ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0 === FDT_MAGIC;

/** Parses a DTB. Throws HvlabError EINVAL with the first problem found. */
export function parseFdt(blob: Uint8Array): Fdt {
  if (blob.length < FDT_HEADER_SIZE) bad(`${blob.length} bytes is shorter than the 40-byte header`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const h = (field: keyof typeof FdtHeader) => dv.getUint32(FdtHeader[field]);
  if (h('magic') !== FDT_MAGIC) bad(`magic 0x${h('magic').toString(16)} is not 0xd00dfeed`);
  const total = h('totalsize');
  if (total < FDT_HEADER_SIZE || total > blob.length)
    bad(`totalsize ${total} does not fit the ${blob.length}-byte file`);
  if (total > FDT_MAX_TOTAL_SIZE) bad(`totalsize ${total} exceeds ${FDT_MAX_TOTAL_SIZE}`);
  const version = h('version');
  const lastComp = h('last_comp_version');
  if (version < FDT_LAST_COMP_VERSION) bad(`version ${version} is older than ${FDT_LAST_COMP_VERSION}`);
  if (lastComp > FDT_VERSION) bad(`last_comp_version ${lastComp} is newer than ${FDT_VERSION}`);

  const offRsv = h('off_mem_rsvmap');
  const offStruct = h('off_dt_struct');
  const offStrings = h('off_dt_strings');
  const sizeStrings = h('size_dt_strings');
  if (offRsv % 8 !== 0 || offRsv < FDT_HEADER_SIZE || offRsv > total) bad(`off_mem_rsvmap ${offRsv} is invalid`);
  if (offStruct % 4 !== 0 || offStruct < FDT_HEADER_SIZE || offStruct >= total)
    bad(`off_dt_struct ${offStruct} is invalid`);
  if (offStrings < FDT_HEADER_SIZE || offStrings > total || sizeStrings > total - offStrings)
    bad(`strings block ${offStrings}+${sizeStrings} is outside totalsize ${total}`);
  // v16 has no size_dt_struct: the block runs to FDT_END, bounded by totalsize.
  const structEnd = version >= 17 ? offStruct + h('size_dt_struct') : total;
  if (structEnd > total) bad(`structure block ends at ${structEnd}, beyond totalsize ${total}`);

  const memReserve = readReserveMap(dv, offRsv, total);
  const strings = blob.subarray(offStrings, offStrings + sizeStrings);
  const root = readStructure(blob, dv, offStruct, structEnd, strings);
  return {
    root,
    memReserve,
    bootCpuidPhys: h('boot_cpuid_phys'),
    version,
    lastCompVersion: lastComp,
    totalSize: total,
  };
}

function readReserveMap(dv: DataView, off: number, total: number): FdtReserveEntry[] {
  const out: FdtReserveEntry[] = [];
  for (let p = off; ; p += 16) {
    if (p + 16 > total) bad('memory reservation block is not terminated');
    const address = dv.getBigUint64(p);
    const size = dv.getBigUint64(p + 8);
    if (address === 0n && size === 0n) return out;
    out.push({ address, size });
  }
}

function readStructure(blob: Uint8Array, dv: DataView, start: number, end: number, strings: Uint8Array): FdtNode {
  let p = start;
  const stack: { node: FdtNode; names: Set<string>; props: Set<string> }[] = [];
  let root: FdtNode | undefined;
  const token = (): number => {
    if (p + 4 > end) bad(`structure block ends inside a token at offset ${p}`);
    const t = dv.getUint32(p);
    p += 4;
    return t;
  };
  for (;;) {
    const at = p;
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const nul = blob.indexOf(0, p);
      if (nul < 0 || nul >= end) bad(`unterminated node name at offset ${p}`);
      const name = decoder.decode(blob.subarray(p, nul));
      p = (nul + 4) & ~3;
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (root) bad(`second top-level node '${name}' at offset ${at}`);
        if (name !== '') bad(`the root node is named '${name}', not ''`);
      } else {
        if (!isValidNodeName(name)) bad(`invalid node name '${name}' at offset ${at}`);
        if (parent.names.has(name)) bad(`duplicate node '${name}'`);
        if (stack.length >= FDT_MAX_NODE_DEPTH) bad(`nodes nest deeper than ${FDT_MAX_NODE_DEPTH}`);
      }
      const node: FdtNode = { name, properties: [], children: [] };
      if (parent) {
        parent.names.add(name);
        parent.node.children.push(node);
      } else {
        root = node;
      }
      stack.push({ node, names: new Set(), props: new Set() });
    } else if (t === FDT_PROP) {
      const top = stack[stack.length - 1];
      if (!top) bad(`property outside any node at offset ${at}`);
      if (top.node.children.length > 0) bad(`property after a child node in '${top.node.name || '/'}'`);
      const len = token();
      const nameoff = token();
      if (len > end - p) bad(`property at offset ${at} runs past the structure block`);
      const name = readString(strings, nameoff);
      if (!isValidPropertyName(name)) bad(`invalid property name '${name}' at offset ${at}`);
      if (top.props.has(name)) bad(`duplicate property '${name}' in '${top.node.name || '/'}'`);
      top.props.add(name);
      top.node.properties.push({ name, value: blob.slice(p, p + len) });
      p = (p + len + 3) & ~3;
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) bad(`FDT_END_NODE with no open node at offset ${at}`);
    } else if (t === FDT_END) {
      if (stack.length > 0) bad(`FDT_END with node '${stack[stack.length - 1]!.node.name}' still open`);
      if (!root) bad('no root node');
      return root;
    } else {
      bad(`unknown token 0x${t.toString(16)} at offset ${at}`);
    }
    if (p > end) bad('structure block overrun');
  }
}

function readString(strings: Uint8Array, off: number): string {
  if (off >= strings.length) bad(`property name offset ${off} is outside the strings block`);
  const nul = strings.indexOf(0, off);
  if (nul < 0) bad(`unterminated property name at strings offset ${off}`);
  return decoder.decode(strings.subarray(off, nul));
}

// ---- queries -------------------------------------------------------------------------------

/**
 * Finds a node by absolute path ('/', '/cpus/cpu@0'). A component without '@' also matches a
 * node with a unit address ('/memory' finds 'memory@40000000'), as libfdt's fdt_path_offset does.
 */
export function fdtFindNode(root: FdtNode, path: string): FdtNode | undefined {
  if (!path.startsWith('/')) return undefined;
  let node: FdtNode | undefined = root;
  for (const part of path.split('/').filter((s) => s.length > 0)) {
    const exact: FdtNode | undefined = node.children.find((c) => c.name === part);
    node = exact ?? (part.includes('@') ? undefined : node.children.find((c) => c.name.split('@')[0] === part));
    if (!node) return undefined;
  }
  return node;
}

export function fdtProp(node: FdtNode, name: string): Uint8Array | undefined {
  return node.properties.find((p) => p.name === name)?.value;
}

/** A property's value as big-endian u32 cells. Throws EINVAL if its length is not a multiple of 4. */
export function propCells(value: Uint8Array): number[] {
  if (value.length % 4 !== 0) bad(`property of ${value.length} bytes is not a list of cells`);
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return Array.from({ length: value.length / 4 }, (_, i) => dv.getUint32(i * 4));
}

/** A property's NUL-terminated strings. Throws EINVAL if the value is not NUL-terminated. */
export function propStrings(value: Uint8Array): string[] {
  if (value.length === 0 || value[value.length - 1] !== 0) bad('string property is not NUL-terminated');
  return decoder.decode(value.subarray(0, value.length - 1)).split('\0');
}

/** Cells read as `cells`-wide big-endian numbers (e.g. a `reg` with #address-cells = 2). */
export function readCellsAsBigInts(value: Uint8Array, cells: number): bigint[] {
  const c = propCells(value);
  if (cells < 1 || c.length % cells !== 0) bad(`${c.length} cells do not divide into ${cells}-cell numbers`);
  const out: bigint[] = [];
  for (let i = 0; i < c.length; i += cells) {
    let v = 0n;
    for (let j = 0; j < cells; j++) v = (v << 32n) | BigInt(c[i + j]!);
    out.push(v);
  }
  return out;
}

// ---- writing a parsed tree back ------------------------------------------------------------

/** Serialises a tree (for example a parsed and edited user DTB) with FdtWriter. */
export function writeFdt(fdt: Pick<Fdt, 'root' | 'memReserve' | 'bootCpuidPhys'>): Uint8Array {
  const w = new FdtWriter({ memReserve: fdt.memReserve, bootCpuidPhys: fdt.bootCpuidPhys });
  const emit = (node: FdtNode): void => {
    const tok = w.beginNode(node.name);
    for (const p of node.properties) w.property(p.name, p.value);
    for (const c of node.children) emit(c);
    w.endNode(tok);
  };
  emit(fdt.root);
  return w.finish();
}

/** Sets (replaces or appends) a property on a parsed node. */
export function setProp(node: FdtNode, name: string, value: Uint8Array): void {
  const i = node.properties.findIndex((p) => p.name === name);
  if (i >= 0) node.properties[i] = { name, value };
  else node.properties.push({ name, value });
}

/** Returns the child `name` of `node`, creating it (at the end) if missing. */
export function ensureChild(node: FdtNode, name: string): FdtNode {
  const found = node.children.find((c) => c.name === name);
  if (found) return found;
  const child: FdtNode = { name, properties: [], children: [] };
  node.children.push(child);
  return child;
}
