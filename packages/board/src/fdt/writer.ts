/**
 * FdtWriter: builds a flattened device tree blob, after rust-vmm/vm-fdt src/writer.rs.
 *
 * Nodes are opened with beginNode(name), which returns a token that must be handed back to
 * endNode(token): ending nodes out of order is an error instead of a corrupt blob. Properties
 * go to the innermost open node and must come before its first child (DT spec §5.4.2: a node
 * is FDT_BEGIN_NODE, its FDT_PROP tokens, its children, FDT_END_NODE). Property names are
 * stored once in the strings block and shared by offset.
 *
 * Writer states:
 *
 *   empty ──beginNode('')──► open(depth ≥ 1) ──endNode(root)──► closed ──finish()──► blob
 *                               │   ▲
 *                               └───┘ beginNode / property* / endNode (inner nodes)
 *
 * Every misuse (bad name, NUL in a string, duplicate property or phandle, property after a
 * child, finish with open nodes) throws HvlabError EINVAL and leaves the writer unchanged.
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
  FDT_PROP,
  FDT_VERSION,
  type FdtReserveEntry,
  isValidNodeName,
  isValidPropertyName,
} from './format.js';

const U64_MAX = (1n << 64n) - 1n;

/** The token beginNode returns; only the writer that made it accepts it back. */
export class FdtWriterNode {
  /** @internal */
  constructor(
    readonly name: string,
    readonly depth: number,
    /** @internal */ readonly serial: number,
  ) {}
}

interface OpenNode {
  readonly token: FdtWriterNode;
  readonly props: Set<string>;
  readonly children: Set<string>;
  hasChild: boolean;
}

export interface FdtWriterOptions {
  /** Memory reservation block entries (§5.3). */
  readonly memReserve?: readonly FdtReserveEntry[];
  /** The header's boot_cpuid_phys (§5.2). */
  readonly bootCpuidPhys?: number;
}

function fail(msg: string): never {
  throw new HvlabError('EINVAL', `FdtWriter: ${msg}`);
}

/** A growable big-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u32(v: number): void {
    this.reserve(4);
    const b = this.buf;
    const o = this.length;
    b[o] = v >>> 24;
    b[o + 1] = v >>> 16;
    b[o + 2] = v >>> 8;
    b[o + 3] = v;
    this.length += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** Pads with zeros to a multiple of `align`. */
  align(align: number): void {
    const pad = (align - (this.length % align)) % align;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const encoder = new TextEncoder();

/** Encodes `s` as a NUL-terminated string, rejecting embedded NULs (vm-fdt InvalidString). */
function cString(s: string, what: string): Uint8Array {
  if (s.includes('\0')) fail(`${what} contains a NUL character`);
  const body = encoder.encode(s);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  return out;
}

export class FdtWriter {
  private readonly struct = new ByteSink();
  private readonly strings = new ByteSink();
  private readonly stringOffsets = new Map<string, number>();
  private readonly stack: OpenNode[] = [];
  private readonly phandles = new Set<number>();
  private readonly memReserve: FdtReserveEntry[];
  private bootCpuidPhys: number;
  private rootDone = false;
  private serial = 0;
  private finished = false;

  constructor(opts: FdtWriterOptions = {}) {
    const reserve = opts.memReserve ?? [];
    for (const r of reserve) {
      if (r.address < 0n || r.address > U64_MAX || r.size < 0n || r.size > U64_MAX)
        fail(`memory reservation ${r.address}+${r.size} is outside the 64-bit range`);
      if (r.size === 0n) fail(`memory reservation at ${r.address} has size 0 (0/0 ends the block)`);
      if (r.address + r.size - 1n > U64_MAX) fail(`memory reservation ${r.address}+${r.size} wraps`);
    }
    this.memReserve = [...reserve];
    this.bootCpuidPhys = this.checkU32(opts.bootCpuidPhys ?? 0, 'boot_cpuid_phys');
  }

  /** Sets the header's boot_cpuid_phys (the physical ID of the boot CPU). */
  setBootCpuidPhys(id: number): void {
    this.bootCpuidPhys = this.checkU32(id, 'boot_cpuid_phys');
  }

  /** Opens a node; the root node's name is '' and it must be the first and only top-level node. */
  beginNode(name: string): FdtWriterNode {
    this.checkNotFinished();
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (this.rootDone) fail('the root node is already closed; only one root node is allowed');
      if (name !== '') fail(`the first node must be the root node '', not '${name}'`);
    } else {
      if (!isValidNodeName(name)) fail(`invalid node name '${name}' (DT spec §2.2.1)`);
      if (parent.children.has(name)) fail(`duplicate node '${name}' in '${parent.token.name || '/'}'`);
      if (this.stack.length >= FDT_MAX_NODE_DEPTH) fail(`node depth exceeds ${FDT_MAX_NODE_DEPTH}`);
    }
    const encoded = cString(name, 'node name');
    const token = new FdtWriterNode(name, this.stack.length, ++this.serial);
    if (parent) {
      parent.children.add(name);
      parent.hasChild = true;
    }
    this.struct.u32(FDT_BEGIN_NODE);
    this.struct.bytes(encoded);
    this.struct.align(4);
    this.stack.push({ token, props: new Set(), children: new Set(), hasChild: false });
    return token;
  }

  /** Closes `node`, which must be the innermost open node. */
  endNode(node: FdtWriterNode): void {
    this.checkNotFinished();
    const top = this.stack[this.stack.length - 1];
    if (!top) fail(`endNode('${node.name}') with no open node`);
    if (top.token !== node)
      fail(`endNode('${node.name}') out of order: the innermost open node is '${top.token.name || '/'}'`);
    this.struct.u32(FDT_END_NODE);
    this.stack.pop();
    if (this.stack.length === 0) this.rootDone = true;
  }

  /** Adds a property with a raw byte value. */
  property(name: string, value: Uint8Array): void {
    this.checkNotFinished();
    const node = this.stack[this.stack.length - 1];
    if (!node) fail(`property '${name}' outside any node`);
    if (!isValidPropertyName(name)) fail(`invalid property name '${name}' (DT spec §2.2.4)`);
    if (node.hasChild) fail(`property '${name}' after a child node of '${node.token.name || '/'}'`);
    if (node.props.has(name)) fail(`duplicate property '${name}' in '${node.token.name || '/'}'`);
    if (value.length > FDT_MAX_TOTAL_SIZE) fail(`property '${name}' value is too large (${value.length} bytes)`);
    const nameoff = this.stringOffset(name);
    node.props.add(name);
    this.struct.u32(FDT_PROP);
    this.struct.u32(value.length);
    this.struct.u32(nameoff);
    this.struct.bytes(value);
    this.struct.align(4);
  }

  /** An empty property (a boolean: `interrupt-controller;`). */
  propertyNull(name: string): void {
    this.property(name, new Uint8Array(0));
  }

  propertyString(name: string, value: string): void {
    this.property(name, cString(value, `property '${name}'`));
  }

  /** A list of NUL-terminated strings (`compatible = "a", "b"`). */
  propertyStringList(name: string, values: readonly string[]): void {
    const parts = values.map((v) => cString(v, `property '${name}'`));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    this.property(name, out);
  }

  propertyU32(name: string, value: number): void {
    this.propertyArrayU32(name, [value]);
  }

  propertyU64(name: string, value: bigint): void {
    this.propertyArrayU64(name, [value]);
  }

  propertyArrayU32(name: string, values: readonly number[]): void {
    const out = new Uint8Array(values.length * 4);
    const dv = new DataView(out.buffer);
    values.forEach((v, i) => {
      dv.setUint32(i * 4, this.checkU32(v, `property '${name}' cell`));
    });
    this.property(name, out);
  }

  propertyArrayU64(name: string, values: readonly bigint[]): void {
    const out = new Uint8Array(values.length * 8);
    const dv = new DataView(out.buffer);
    values.forEach((v, i) => {
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) fail(`property '${name}' value ${v} is not a u64`);
      dv.setBigUint64(i * 8, v);
    });
    this.property(name, out);
  }

  /** The node's `phandle` (unique in the tree; 0 and 0xffffffff are reserved, DT spec §2.3.3). */
  propertyPhandle(value: number): void {
    this.checkU32(value, 'phandle');
    if (value === 0 || value === 0xffff_ffff) fail(`phandle ${value} is reserved`);
    if (this.phandles.has(value)) fail(`duplicate phandle 0x${value.toString(16)}`);
    this.propertyU32('phandle', value);
    this.phandles.add(value);
  }

  /** Returns the finished blob. The writer cannot be used afterwards. */
  finish(): Uint8Array {
    this.checkNotFinished();
    if (this.stack.length > 0) fail(`node '${this.stack[this.stack.length - 1]!.token.name || '/'}' is not closed`);
    if (!this.rootDone) fail('no root node was written');
    const rsvSize = (this.memReserve.length + 1) * 16;
    const offRsv = FDT_HEADER_SIZE; // 40 is already 8-aligned (§5.3)
    const offStruct = offRsv + rsvSize;
    const sizeStruct = this.struct.length + 4; // + FDT_END
    const offStrings = offStruct + sizeStruct;
    const sizeStrings = this.strings.length;
    const total = offStrings + sizeStrings;
    if (total > FDT_MAX_TOTAL_SIZE) fail(`blob of ${total} bytes exceeds ${FDT_MAX_TOTAL_SIZE}`);
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    const header = [
      FDT_MAGIC,
      total,
      offStruct,
      offStrings,
      offRsv,
      FDT_VERSION,
      FDT_LAST_COMP_VERSION,
      this.bootCpuidPhys,
      sizeStrings,
      sizeStruct,
    ];
    header.forEach((v, i) => {
      dv.setUint32(i * 4, v);
    });
    this.memReserve.forEach((r, i) => {
      dv.setBigUint64(offRsv + i * 16, r.address);
      dv.setBigUint64(offRsv + i * 16 + 8, r.size);
    });
    out.set(this.struct.view(), offStruct);
    dv.setUint32(offStruct + this.struct.length, FDT_END);
    out.set(this.strings.view(), offStrings);
    this.finished = true;
    return out;
  }

  private stringOffset(name: string): number {
    const known = this.stringOffsets.get(name);
    if (known !== undefined) return known;
    const off = this.strings.length;
    this.strings.bytes(cString(name, 'property name'));
    this.stringOffsets.set(name, off);
    return off;
  }

  private checkU32(v: number, what: string): number {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) fail(`${what} ${v} is not a u32`);
    return v;
  }

  private checkNotFinished(): void {
    if (this.finished) fail('finish() was already called');
  }
}
