/**
 * Physical memory: sparse RAM regions plus an MMIO bus.
 *
 * RAM regions are byte arrays, optionally carved out of a WebAssembly.Memory so that a Wasm CPU
 * can address them directly. Backends read region.bytes in their fast paths; host code uses the
 * checked accessors below. Every host-side write goes through `write*`, which notifies listeners
 * (backends invalidate decoded code on it: the lesson of unicorn issues #1148/#2258).
 *
 * MMIO regions map a device at a physical range. Backends never call devices: an access that
 * misses RAM ends the CPU's run with an `mmio` exit, and the run loop (machine.ts) dispatches it
 * here, as KVM hands MMIO to its VMM.
 */
import { HvlabError } from './errors.js';
import type { AccessSize } from './exit.js';

export interface RamRegion {
  readonly name: string;
  /** Base physical address (page aligned). */
  readonly base: number;
  /** Size in bytes (page multiple). */
  readonly size: number;
  /** The region's bytes (a view; may live inside a WebAssembly.Memory). */
  readonly bytes: Uint8Array;
}

export interface RamOptions {
  readonly name?: string;
  /** Place the region in this Wasm memory at `offset` instead of a fresh ArrayBuffer. */
  readonly memory?: { readonly buffer: ArrayBufferLike };
  readonly offset?: number;
}

export type HostWriteListener = (pa: number, len: number) => void;

const PAGE = 4096;
/** Largest physical address we accept (52-bit PA space, Arm ARM FEAT_LPA). */
export const PA_LIMIT = 2 ** 52;

export class PhysMem {
  private readonly ram: RamRegion[] = [];
  private readonly listeners = new Set<HostWriteListener>();
  readonly mmio = new MmioBus();

  /** Adds a RAM region. Throws EINVAL for misaligned ranges and EEXIST for overlaps. */
  addRam(base: number, size: number, opts: RamOptions = {}): RamRegion {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || size <= 0)
      throw new HvlabError('EINVAL', `bad RAM range ${base}+${size}`);
    if (base % PAGE !== 0 || size % PAGE !== 0)
      throw new HvlabError('EINVAL', `RAM range ${hex(base)}+${hex(size)} is not page aligned`);
    if (base + size > PA_LIMIT) throw new HvlabError('EINVAL', `RAM range ends beyond the 52-bit PA space`);
    if (this.overlapsRam(base, size) || this.mmio.overlaps(base, size))
      throw new HvlabError('EEXIST', `RAM range ${hex(base)}+${hex(size)} overlaps an existing region`);
    let bytes: Uint8Array;
    if (opts.memory) {
      const offset = opts.offset ?? 0;
      if (offset + size > opts.memory.buffer.byteLength)
        throw new HvlabError('EINVAL', `Wasm memory too small for RAM region at offset ${offset}`);
      bytes = new Uint8Array(opts.memory.buffer, offset, size);
    } else {
      bytes = new Uint8Array(size);
    }
    const region: RamRegion = { name: opts.name ?? `ram@${hex(base)}`, base, size, bytes };
    this.ram.push(region);
    this.ram.sort((a, b) => a.base - b.base);
    return region;
  }

  get regions(): readonly RamRegion[] {
    return this.ram;
  }

  /** The RAM region containing `pa`, if any. */
  findRam(pa: number): RamRegion | undefined {
    for (const r of this.ram) if (pa >= r.base && pa < r.base + r.size) return r;
    return undefined;
  }

  /** True if [pa, pa+len) lies entirely inside one RAM region. */
  isRam(pa: number, len = 1): boolean {
    const r = this.findRam(pa);
    return r !== undefined && pa + len <= r.base + r.size;
  }

  /** Subscribes to host-side writes (not CPU stores). Returns a disposer. */
  onHostWrite(listener: HostWriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Copies `len` bytes out of RAM. Throws EFAULT if the range is not all RAM. */
  read(pa: number, len: number): Uint8Array {
    const { region, off } = this.locate(pa, len);
    return region.bytes.slice(off, off + len);
  }

  /** Copies bytes into RAM and notifies listeners. Throws EFAULT if the range is not all RAM. */
  write(pa: number, data: Uint8Array): void {
    const { region, off } = this.locate(pa, data.length);
    region.bytes.set(data, off);
    for (const l of this.listeners) l(pa, data.length);
  }

  readU32(pa: number): number {
    const { region, off } = this.locate(pa, 4);
    const b = region.bytes;
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  }

  readU64(pa: number): bigint {
    const { region, off } = this.locate(pa, 8);
    return new DataView(region.bytes.buffer, region.bytes.byteOffset + off, 8).getBigUint64(0, true);
  }

  writeU32(pa: number, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.write(pa, b);
  }

  writeU64(pa: number, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.write(pa, b);
  }

  private locate(pa: number, len: number): { region: RamRegion; off: number } {
    const region = Number.isSafeInteger(pa) ? this.findRam(pa) : undefined;
    if (!region || pa + len > region.base + region.size)
      throw new HvlabError('EFAULT', `${hex(pa)}+${len} is not backed by RAM`);
    return { region, off: pa - region.base };
  }

  private overlapsRam(base: number, size: number): boolean {
    return this.ram.some((r) => base < r.base + r.size && r.base < base + size);
  }
}

/** A memory-mapped device: register-level reads and writes at an offset into its window. */
export interface MmioDevice {
  readonly name: string;
  /** Returns the register value (only the low `size` bytes are used). */
  read(offset: number, size: AccessSize, cpu: number): bigint;
  write(offset: number, size: AccessSize, value: bigint, cpu: number): void;
}

export interface MmioMapping {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
}

export class MmioBus {
  private readonly maps: MmioMapping[] = [];

  map(base: number, size: number, device: MmioDevice): void {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || size <= 0)
      throw new HvlabError('EINVAL', `bad MMIO range for ${device.name}`);
    if (this.overlaps(base, size))
      throw new HvlabError('EEXIST', `MMIO range ${hex(base)}+${hex(size)} for ${device.name} overlaps`);
    this.maps.push({ base, size, device });
    this.maps.sort((a, b) => a.base - b.base);
  }

  get mappings(): readonly MmioMapping[] {
    return this.maps;
  }

  find(pa: number): MmioMapping | undefined {
    for (const m of this.maps) if (pa >= m.base && pa < m.base + m.size) return m;
    return undefined;
  }

  overlaps(base: number, size: number): boolean {
    return this.maps.some((m) => base < m.base + m.size && m.base < base + size);
  }
}

const hex = (n: number): string => `0x${n.toString(16)}`;
