/**
 * Test support: builds small ELF64 files in memory (layout per the System V ELF-64 spec:
 * 64-byte header, 56-byte program headers, segment data after them).
 */
export interface TestSegment {
  readonly paddr: bigint;
  readonly vaddr?: bigint;
  readonly data?: Uint8Array;
  /** Defaults to data.length. */
  readonly memsz?: bigint;
  readonly type?: number;
  readonly flags?: number;
}

export interface TestElf {
  readonly entry: bigint;
  readonly segments: readonly TestSegment[];
  readonly eiClass?: number;
  readonly eiData?: number;
  readonly type?: number;
  readonly machine?: number;
}

export function buildElf(spec: TestElf): Uint8Array {
  const phoff = 64;
  const dataStart = phoff + spec.segments.length * 56;
  const total = dataStart + spec.segments.reduce((n, s) => n + (s.data?.length ?? 0), 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, spec.eiClass ?? 2, spec.eiData ?? 1, 1]);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 183, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, spec.entry, true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, spec.segments.length, true);
  let off = dataStart;
  spec.segments.forEach((s, i) => {
    const p = phoff + i * 56;
    const len = s.data?.length ?? 0;
    dv.setUint32(p, s.type ?? 1, true);
    dv.setUint32(p + 4, s.flags ?? 7, true);
    dv.setBigUint64(p + 8, BigInt(off), true);
    dv.setBigUint64(p + 16, s.vaddr ?? s.paddr, true);
    dv.setBigUint64(p + 24, s.paddr, true);
    dv.setBigUint64(p + 32, BigInt(len), true);
    dv.setBigUint64(p + 40, s.memsz ?? BigInt(len), true);
    dv.setBigUint64(p + 48, 0x1000n, true);
    if (s.data) out.set(s.data, off);
    off += len;
  });
  return out;
}

/** Little-endian 32-bit instruction words as bytes. */
export function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const dv = new DataView(out.buffer);
  ws.forEach((w, i) => {
    dv.setUint32(i * 4, w >>> 0, true);
  });
  return out;
}

/** A 64-byte arm64 Image header (booting.rst) followed by `body`. */
export function buildImage(opts: {
  textOffset: bigint;
  imageSize: bigint;
  flags?: bigint;
  body?: Uint8Array;
  magic?: boolean;
}): Uint8Array {
  const body = opts.body ?? new Uint8Array(0);
  const out = new Uint8Array(64 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x1400_0010, true); // b +64
  dv.setBigUint64(8, opts.textOffset, true);
  dv.setBigUint64(16, opts.imageSize, true);
  dv.setBigUint64(24, opts.flags ?? 0xan, true);
  if (opts.magic ?? true) dv.setUint32(56, 0x644d_5241, true);
  out.set(body, 64);
  return out;
}
