/**
 * Emission of data accesses: the TLB fast path inlined into translated code, with the slow path
 * (H.ld / H.st, access.ts) taking over for misses, faults, MMIO, misaligned or page-crossing
 * accesses and stores to pages holding translated code.
 *
 * The fast path of an N-byte load at (vl, vh):
 *
 *   i = IDX * 1024 + ((vl >>> 12) & 1023);
 *   if (TR[i] === (vl & (-4096 | (N - 1))) && TH[i] === vh) {
 *     o = TO[i] + (vl & 4095);  value = TD[i].getInt32(o, true) ...
 *   } else { ...sync state, call H.ld(vl, vh, INFO), exit on fault... }
 *
 * INFO packs what the slow path and the data-abort syndrome need (Arm ARM D17 ESR_ELx ISS for a
 * Data Abort: SAS, SSE, SRT, SF, AR; ISV only for single-register accesses without writeback).
 */
import { type BlockBuilder, H_SMC, K_LOOKUP } from './builder.js';

export const MI_SIZE = 3; // log2(bytes) in bits 1:0
export const MI_SIGN = 1 << 2;
export const MI_RT_SHIFT = 3;
export const MI_SF = 1 << 8;
export const MI_AR = 1 << 9;
/** A single general-purpose register without writeback: ISV = 1, MMIO exits allowed. */
export const MI_ISV = 1 << 10;
export const MI_IDX_SHIFT = 11;
/** The access must be aligned to its size (acquire/release, exclusives). */
export const MI_ALIGN = 1 << 15;
export const MI_BE = 1 << 16;

export interface MemOpts {
  /** log2 of the access size. */
  readonly log2: number;
  readonly rt: number;
  /** Loads: sign-extend the value. */
  readonly sign?: boolean;
  /** The register is 64-bit (Xt) rather than 32-bit (Wt). */
  readonly sf: boolean;
  readonly idx: number;
  readonly isv: boolean;
  readonly ar?: boolean;
  readonly align?: boolean;
}

export function memInfo(b: BlockBuilder, o: MemOpts): number {
  return (
    (o.log2 & 3) |
    (o.sign ? MI_SIGN : 0) |
    ((o.rt & 31) << MI_RT_SHIFT) |
    (o.sf ? MI_SF : 0) |
    (o.ar ? MI_AR : 0) |
    (o.isv ? MI_ISV : 0) |
    ((o.idx & 3) << MI_IDX_SHIFT) |
    (o.align ? MI_ALIGN : 0) |
    (b.bigEndian ? MI_BE : 0)
  );
}

/** Emits the SP alignment check for an access based on SP (SCTLR_EL1.SA/SA0; EC 0x26). */
export function spAlignCheck(b: BlockBuilder, rn: number, enabled: boolean): void {
  if (rn !== 31 || !enabled) return;
  const [sl] = b.xsp(31);
  b.emit(`if ((${sl} & 15) !== 0) { ${b.sync()} H.spAlignFault(); ${b.ret(b.k, K_LOOKUP)} }`);
}

/**
 * Emits a load; returns the temps holding the register value (already sign- or zero-extended
 * to the register width as `info` says).
 */
export function emitLoad(b: BlockBuilder, vl: string, vh: string, info: number): [string, string] {
  const log2 = info & MI_SIZE;
  const size = 1 << log2;
  const sign = (info & MI_SIGN) !== 0;
  const sf = (info & MI_SF) !== 0;
  const le = (info & MI_BE) === 0;
  const idx = (info >> MI_IDX_SHIFT) & 3;
  const i = b.tmp();
  const o = b.tmp();
  const dl = b.tmp();
  const dh = b.tmp();
  const r = b.tmp();
  let fast: string;
  switch (log2) {
    case 0:
      fast = `${dl} = TD[${i}].${sign ? 'getInt8' : 'getUint8'}(${o}); ${dh} = ${sign && sf ? `${dl} >> 31` : '0'};`;
      break;
    case 1:
      fast = `${dl} = TD[${i}].${sign ? 'getInt16' : 'getUint16'}(${o}, ${le}); ${dh} = ${sign && sf ? `${dl} >> 31` : '0'};`;
      break;
    case 2:
      fast = `${dl} = TD[${i}].getInt32(${o}, ${le}); ${dh} = ${sign && sf ? `${dl} >> 31` : '0'};`;
      break;
    default:
      fast = le
        ? `${dl} = TD[${i}].getInt32(${o}, true); ${dh} = TD[${i}].getInt32(${o} + 4, true);`
        : `${dh} = TD[${i}].getInt32(${o}, false); ${dl} = TD[${i}].getInt32(${o} + 4, false);`;
  }
  b.emit(`${i} = ${idx * 1024} + ((${vl} >>> 12) & 1023);`);
  b.emit(
    `if (TR[${i}] === (${vl} & ${-4096 | (size - 1)}) && TH[${i}] === ${vh}) { ${o} = TO[${i}] + (${vl} & 4095); ${fast} }` +
      ` else { ${b.sync()} ${r} = H.ld(${vl}, ${vh}, ${info}); if (${r} !== 0) ${b.ret(b.k, r)} ${dl} = T[0]; ${dh} = T[1]; }`,
  );
  return [dl, dh];
}

/**
 * Emits a store of (dl, dh) (the low `size` bytes). After the whole instruction, the caller
 * must call afterStore() so that a store that overwrote translated code ends the block.
 */
export function emitStore(b: BlockBuilder, vl: string, vh: string, dl: string, dh: string, info: number): void {
  const log2 = info & MI_SIZE;
  const size = 1 << log2;
  const le = (info & MI_BE) === 0;
  const idx = (info >> MI_IDX_SHIFT) & 3;
  const i = b.tmp();
  const o = b.tmp();
  const r = b.tmp();
  let fast: string;
  switch (log2) {
    case 0:
      fast = `TD[${i}].setUint8(${o}, ${dl});`;
      break;
    case 1:
      fast = `TD[${i}].setUint16(${o}, ${dl}, ${le});`;
      break;
    case 2:
      fast = `TD[${i}].setInt32(${o}, ${dl}, ${le});`;
      break;
    default:
      fast = le
        ? `TD[${i}].setInt32(${o}, ${dl}, true); TD[${i}].setInt32(${o} + 4, ${dh}, true);`
        : `TD[${i}].setInt32(${o}, ${dh}, false); TD[${i}].setInt32(${o} + 4, ${dl}, false);`;
  }
  b.emit(`${i} = ${idx * 1024} + ((${vl} >>> 12) & 1023);`);
  b.emit(
    `if (TW[${i}] === (${vl} & ${-4096 | (size - 1)}) && TH[${i}] === ${vh}) { ${o} = TO[${i}] + (${vl} & 4095); ${fast} }` +
      ` else { ${b.sync()} ${r} = H.st(${vl}, ${vh}, ${dl}, ${dh}, ${info}); if (${r} !== 0) { if (${r} === ${H_SMC}) smc = 1; else ${b.ret(b.k, r)} } }`,
  );
}

/** Ends the block after a store instruction if one of its stores hit translated code. */
export function afterStore(b: BlockBuilder): void {
  const [nl, nh] = b.next();
  b.emit(`if (smc !== 0) ${b.exit(K_LOOKUP, nl, nh, b.k + 1)}`);
}

/** (base + constant) as a pair of expressions; emits temps unless the offset is 0. */
export function addConst(b: BlockBuilder, base: [string, string], off: number): [string, string] {
  if (off === 0) return base;
  const l = b.tmp();
  const h = b.tmp();
  if (off > 0) {
    b.emit(`${l} = (${base[0]} + ${off}) | 0; ${h} = (${base[1]} + ((${l} >>> 0) < (${base[0]} >>> 0) ? 1 : 0)) | 0;`);
  } else {
    const m = -off;
    b.emit(`${l} = (${base[0]} - ${m}) | 0; ${h} = (${base[1]} - ((${base[0]} >>> 0) < ${m} ? 1 : 0)) | 0;`);
  }
  return [l, h];
}

/** (a + b) for two pairs of expressions. */
export function addPair(b: BlockBuilder, a: [string, string], c: [string, string]): [string, string] {
  const l = b.tmp();
  const h = b.tmp();
  b.emit(`${l} = (${a[0]} + ${c[0]}) | 0; ${h} = (${a[1]} + ${c[1]} + ((${l} >>> 0) < (${a[0]} >>> 0) ? 1 : 0)) | 0;`);
  return [l, h];
}
