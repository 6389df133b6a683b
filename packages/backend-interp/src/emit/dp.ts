/**
 * Emitters for the data-processing instructions (Arm ARM C4.1.86 "Data Processing --
 * Immediate" and C4.1.89 "Data Processing -- Register"; semantics per the C6.2 pseudocode of
 * each instruction).
 *
 * Every emitter reads operands as (lo, hi) pairs of JS expressions (register locals or
 * constants), computes into fresh temps, then assigns the destination. 32-bit forms (sf = 0)
 * compute the low word only and zero the high word. Values kept in locals are always int32
 * (never the unsigned result of `>>> 0`), so they compare equal to Int32Array contents.
 */
import { type Decoded, decodeBitMasks, field } from '@hvlab/a64';
import type { BlockBuilder } from './builder.js';

export type Pair = [string, string];
export type Emitter = (b: BlockBuilder, d: Decoded) => void;

const f = field;

/** `expr & m` with constant folding for m = 0 and m = -1. */
function andC(expr: string, m: number): string {
  if (m === 0) return '0';
  if (m === -1) return expr;
  return `(${expr} & ${m})`;
}

/** Shift of a register operand by a constant (LSL 0, LSR 1, ASR 2, ROR 3). */
export function shiftConst(b: BlockBuilder, v: Pair, type: number, amt: number, sf: boolean): Pair {
  if (amt === 0) return v;
  const [l, h] = v;
  const tl = b.tmp();
  if (!sf) {
    const e = [`${l} << ${amt}`, `${l} >>> ${amt}`, `${l} >> ${amt}`, `(${l} >>> ${amt}) | (${l} << ${32 - amt})`][
      type
    ]!;
    b.emit(`${tl} = ${e};`);
    return [tl, '0'];
  }
  const th = b.tmp();
  let lo: string;
  let hi: string;
  const s = amt;
  switch (type) {
    case 0:
      if (s < 32) [lo, hi] = [`${l} << ${s}`, `(${h} << ${s}) | (${l} >>> ${32 - s})`];
      else [lo, hi] = ['0', s === 32 ? l : `${l} << ${s - 32}`];
      break;
    case 1:
      if (s < 32) [lo, hi] = [`(${l} >>> ${s}) | (${h} << ${32 - s})`, `${h} >>> ${s}`];
      else [lo, hi] = [s === 32 ? h : `${h} >>> ${s - 32}`, '0'];
      break;
    case 2:
      if (s < 32) [lo, hi] = [`(${l} >>> ${s}) | (${h} << ${32 - s})`, `${h} >> ${s}`];
      else [lo, hi] = [s === 32 ? h : `${h} >> ${s - 32}`, `${h} >> 31`];
      break;
    default:
      if (s < 32) [lo, hi] = [`(${l} >>> ${s}) | (${h} << ${32 - s})`, `(${h} >>> ${s}) | (${l} << ${32 - s})`];
      else if (s === 32) [lo, hi] = [h, l];
      else [lo, hi] = [`(${h} >>> ${s - 32}) | (${l} << ${64 - s})`, `(${l} >>> ${s - 32}) | (${h} << ${64 - s})`];
  }
  b.emit(`${tl} = ${lo}; ${th} = ${hi};`);
  return [tl, th];
}

/** ExtendReg (Arm ARM C6.2 shared pseudocode): extend type `option`, then LSL #shift. */
export function extendReg(b: BlockBuilder, v: Pair, option: number, shift: number, sf: boolean): Pair {
  const [l, h] = v;
  let lo: string;
  let hi: string;
  switch (option) {
    case 0:
      [lo, hi] = [`${l} & 255`, '0'];
      break;
    case 1:
      [lo, hi] = [`${l} & 65535`, '0'];
      break;
    case 2:
      [lo, hi] = [l, '0'];
      break;
    case 4:
      [lo, hi] = [`(${l} << 24) >> 24`, `(${l} << 24) >> 31`];
      break;
    case 5:
      [lo, hi] = [`(${l} << 16) >> 16`, `(${l} << 16) >> 31`];
      break;
    case 6:
      [lo, hi] = [l, `${l} >> 31`];
      break;
    default:
      [lo, hi] = [l, h];
  }
  const tl = b.tmp();
  const th = b.tmp();
  b.emit(`${tl} = ${lo}; ${th} = ${sf ? hi : '0'};`);
  return shiftConst(b, [tl, th], 0, shift, sf);
}

/** ADD/SUB, optionally setting NZCV (AddWithCarry with carry-in 0, or 1 for subtraction). */
export function addSub(b: BlockBuilder, sf: boolean, a: Pair, c: Pair, sub: boolean, flags: boolean): Pair {
  const rl = b.tmp();
  const [al, ah] = a;
  const [cl, ch] = c;
  if (!sf) {
    b.emit(`${rl} = (${al} ${sub ? '-' : '+'} ${cl}) | 0;`);
    if (flags) {
      const C = sub ? `(${al} >>> 0) >= (${cl} >>> 0) ? 1 : 0` : `(${rl} >>> 0) < (${al} >>> 0) ? 1 : 0`;
      const V = sub ? `(${al} ^ ${cl}) & (${al} ^ ${rl})` : `(${al} ^ ${rl}) & (${cl} ^ ${rl})`;
      b.setFlags(rl, rl, C, V);
    }
    return [rl, '0'];
  }
  const rh = b.tmp();
  if (!flags) {
    if (sub)
      b.emit(`${rl} = (${al} - ${cl}) | 0; ${rh} = (${ah} - ${ch} - ((${al} >>> 0) < (${cl} >>> 0) ? 1 : 0)) | 0;`);
    else b.emit(`${rl} = (${al} + ${cl}) | 0; ${rh} = (${ah} + ${ch} + ((${rl} >>> 0) < (${al} >>> 0) ? 1 : 0)) | 0;`);
    return [rl, rh];
  }
  const c0 = b.tmp();
  if (sub) {
    b.emit(
      `${rl} = (${al} - ${cl}) | 0; ${c0} = (${al} >>> 0) >= (${cl} >>> 0) ? 1 : 0; ${rh} = (${ah} - ${ch} - 1 + ${c0}) | 0;`,
    );
    b.setFlags(
      rh,
      `${rl} | ${rh}`,
      `${c0} !== 0 ? ((${ah} >>> 0) >= (${ch} >>> 0) ? 1 : 0) : ((${ah} >>> 0) > (${ch} >>> 0) ? 1 : 0)`,
      `(${ah} ^ ${ch}) & (${ah} ^ ${rh})`,
    );
  } else {
    b.emit(
      `${rl} = (${al} + ${cl}) | 0; ${c0} = (${rl} >>> 0) < (${al} >>> 0) ? 1 : 0; ${rh} = (${ah} + ${ch} + ${c0}) | 0;`,
    );
    b.setFlags(
      rh,
      `${rl} | ${rh}`,
      `${c0} !== 0 ? ((${rh} >>> 0) <= (${ah} >>> 0) ? 1 : 0) : ((${rh} >>> 0) < (${ah} >>> 0) ? 1 : 0)`,
      `(${ah} ^ ${rh}) & (${ch} ^ ${rh})`,
    );
  }
  return [rl, rh];
}

/** ADC/SBC(S): AddWithCarry(a, sub ? NOT(c) : c, PSTATE.C). */
function adcSbc(b: BlockBuilder, sf: boolean, a: Pair, c: Pair, sub: boolean, flags: boolean): Pair {
  b.readFlags();
  const [al, ah] = a;
  const cl = sub ? `~${c[0]}` : c[0];
  const ch = sub ? `~${c[1]}` : c[1];
  const s = b.tmp();
  const rl = b.tmp();
  b.emit(`${s} = (${al} >>> 0) + ((${cl}) >>> 0) + fC; ${rl} = ${s} | 0;`);
  if (!sf) {
    if (flags) b.setFlags(rl, rl, `${s} > 4294967295 ? 1 : 0`, `(${al} ^ ${rl}) & ((${cl}) ^ ${rl})`);
    return [rl, '0'];
  }
  const s2 = b.tmp();
  const rh = b.tmp();
  b.emit(`${s2} = (${ah} >>> 0) + ((${ch}) >>> 0) + (${s} > 4294967295 ? 1 : 0); ${rh} = ${s2} | 0;`);
  if (flags) b.setFlags(rh, `${rl} | ${rh}`, `${s2} > 4294967295 ? 1 : 0`, `(${ah} ^ ${rh}) & ((${ch}) ^ ${rh})`);
  return [rl, rh];
}

/** AND/ORR/EOR (with inverted second operand for BIC/ORN/EON), ANDS/BICS set N and Z, C = V = 0. */
function logic(
  b: BlockBuilder,
  op: '&' | '|' | '^',
  sf: boolean,
  a: Pair,
  c: Pair,
  inv: boolean,
  flags: boolean,
): Pair {
  const rl = b.tmp();
  const cl = inv ? `~${c[0]}` : c[0];
  b.emit(`${rl} = ${a[0]} ${op} ${cl};`);
  let rh = '0';
  if (sf) {
    rh = b.tmp();
    const ch = inv ? `~${c[1]}` : c[1];
    b.emit(`${rh} = ${a[1]} ${op} ${ch};`);
  }
  if (flags) b.setFlags(sf ? rh : rl, sf ? `${rl} | ${rh}` : rl, '0', '0');
  return [rl, rh];
}

/**
 * DecodeBitMasks (Arm ARM J1 shared pseudocode aarch64/instrs/integer/bitmasks, implemented once
 * in @hvlab/a64) as (lo, hi) word pairs for emission: the (wmask, tmask) of a logical immediate
 * or bitfield instruction of the given width, or undefined for a reserved encoding. BigInt here
 * is translation-time only.
 */
function bitMasks(
  d: Decoded,
  immediate: boolean,
  sf: boolean,
): { w: [number, number]; t: [number, number] } | undefined {
  const m = decodeBitMasks(f(d, 'n'), f(d, 'imms'), f(d, 'immr'), immediate, sf ? 64 : 32);
  if (!m) return undefined;
  const pair = (v: bigint): [number, number] => [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
  return { w: pair(m.wmask), t: pair(m.tmask) };
}

// ── Data processing (immediate) ─────────────────────────────────────────────────────────────

const ADR: Emitter = (b, d) => {
  const [l, h] = b.pcRel(f(d, 'offset'));
  b.setX(f(d, 'rd'), `${l}`, `${h}`);
};

const ADRP: Emitter = (b, d) => {
  const [l, h] = b.pcRel(0);
  const base = l & -4096;
  // (PC & ~0xFFF) + offset, where offset is a multiple of 4096 below 2^33 in magnitude.
  const off = f(d, 'offset');
  const oh = Math.floor(off / 4294967296);
  const ol = off - oh * 4294967296;
  const s = (base >>> 0) + ol;
  b.setX(f(d, 'rd'), `${s | 0}`, `${(h + oh + (s >= 4294967296 ? 1 : 0)) | 0}`);
};

function addSubImm(sub: boolean, flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const imm = f(d, 'imm12') * (f(d, 'sh') ? 4096 : 1);
    const a = b.xsp(f(d, 'rn'));
    const r = addSub(b, sf, a, [`${imm}`, '0'], sub, flags);
    const rd = f(d, 'rd');
    if (flags) b.setX(rd, r[0], r[1]);
    else b.setXsp(rd, r[0], r[1]);
  };
}

function logicImm(op: '&' | '|' | '^', flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const m = bitMasks(d, true, sf);
    if (!m) {
      // Reserved immediate: the decoder rejects these; defensively UNDEF.
      b.endWithHelper('H.undef()');
      return;
    }
    const r = logic(b, op, sf, b.x(f(d, 'rn')), [`${m.w[0]}`, `${m.w[1]}`], false, flags);
    const rd = f(d, 'rd');
    if (flags) b.setX(rd, r[0], r[1]);
    else b.setXsp(rd, r[0], sf ? r[1] : '0');
  };
}

function moveWide(kind: 'n' | 'z' | 'k'): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const hw = f(d, 'hw');
    const imm = f(d, 'imm16');
    const rd = f(d, 'rd');
    const pos = (hw & 1) * 16;
    const word = (imm << pos) | 0;
    if (kind === 'k') {
      const [l, h] = b.x(rd);
      const keep = ~(0xffff << pos);
      if (hw < 2) b.setX(rd, `(${l} & ${keep}) | ${word}`, sf ? h : '0');
      else b.setX(rd, l, `(${h} & ${keep}) | ${word}`);
      return;
    }
    let lo = hw < 2 ? word : 0;
    let hi = hw < 2 ? 0 : word;
    if (kind === 'n') {
      lo = ~lo;
      hi = sf ? ~hi : 0;
    }
    b.setX(rd, `${lo}`, `${hi}`);
  };
}

function bitfield(kind: 's' | 'b' | 'u'): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const R = f(d, 'immr');
    const S = f(d, 'imms');
    const m = bitMasks(d, false, sf);
    if (!m) {
      b.endWithHelper('H.undef()');
      return;
    }
    const rd = f(d, 'rd');
    const src = b.x(f(d, 'rn'));
    const rot = shiftConst(b, src, 3, R, sf);
    const wt = [m.w[0] & m.t[0], m.w[1] & m.t[1]];
    const rl = b.tmp();
    const rh = sf ? b.tmp() : '0';
    if (kind === 'u') {
      b.emit(`${rl} = ${andC(rot[0], wt[0]!)};`);
      if (sf) b.emit(`${rh} = ${andC(rot[1], wt[1]!)};`);
    } else if (kind === 's') {
      const top = b.tmp();
      if (S < 32) b.emit(`${top} = (${src[0]} << ${31 - S}) >> 31;`);
      else b.emit(`${top} = (${src[1]} << ${63 - S}) >> 31;`);
      b.emit(`${rl} = ${andC(top, ~m.t[0])} | ${andC(rot[0], wt[0]!)};`);
      if (sf) b.emit(`${rh} = ${andC(top, ~m.t[1])} | ${andC(rot[1], wt[1]!)};`);
    } else {
      const dst = b.x(rd);
      b.emit(`${rl} = ${andC(dst[0], ~wt[0]!)} | ${andC(rot[0], wt[0]!)};`);
      if (sf) b.emit(`${rh} = ${andC(dst[1], ~wt[1]!)} | ${andC(rot[1], wt[1]!)};`);
    }
    b.setX(rd, rl, rh);
  };
}

const EXTR: Emitter = (b, d) => {
  const sf = f(d, 'sf') === 1;
  const lsb = f(d, 'imms');
  const [nl, nh] = b.x(f(d, 'rn'));
  const [ml, mh] = b.x(f(d, 'rm'));
  const rd = f(d, 'rd');
  if (!sf) {
    b.setW(rd, lsb === 0 ? ml : `(${ml} >>> ${lsb}) | (${nl} << ${32 - lsb})`);
    return;
  }
  if (lsb === 0) b.setX(rd, ml, mh);
  else if (lsb < 32)
    b.setX(rd, `(${ml} >>> ${lsb}) | (${mh} << ${32 - lsb})`, `(${mh} >>> ${lsb}) | (${nl} << ${32 - lsb})`);
  else if (lsb === 32) b.setX(rd, mh, nl);
  else {
    const s = lsb - 32;
    b.setX(rd, `(${mh} >>> ${s}) | (${nl} << ${32 - s})`, `(${nl} >>> ${s}) | (${nh} << ${32 - s})`);
  }
};

// ── Data processing (register) ──────────────────────────────────────────────────────────────

function logicShift(op: '&' | '|' | '^', inv: boolean, flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const c = shiftConst(b, b.x(f(d, 'rm')), f(d, 'shift'), f(d, 'imm6'), sf);
    const r = logic(b, op, sf, b.x(f(d, 'rn')), c, inv, flags);
    b.setX(f(d, 'rd'), r[0], r[1]);
  };
}

function addSubShift(sub: boolean, flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const c = shiftConst(b, b.x(f(d, 'rm')), f(d, 'shift'), f(d, 'imm6'), sf);
    const r = addSub(b, sf, b.x(f(d, 'rn')), c, sub, flags);
    b.setX(f(d, 'rd'), r[0], r[1]);
  };
}

function addSubExt(sub: boolean, flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const c = extendReg(b, b.x(f(d, 'rm')), f(d, 'option'), f(d, 'imm3'), sf);
    const r = addSub(b, sf, b.xsp(f(d, 'rn')), c, sub, flags);
    const rd = f(d, 'rd');
    if (flags) b.setX(rd, r[0], r[1]);
    else b.setXsp(rd, r[0], r[1]);
  };
}

function adcSbcE(sub: boolean, flags: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const r = adcSbc(b, sf, b.x(f(d, 'rn')), b.x(f(d, 'rm')), sub, flags);
    b.setX(f(d, 'rd'), r[0], r[1]);
  };
}

/** CCMP/CCMN: flags = cond ? AddWithCarry(...) : #nzcv. */
function condCompare(sub: boolean, imm: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const c = b.cond(f(d, 'cond'));
    const nzcv = f(d, 'nzcv');
    b.emit(`if (${c}) {`);
    const op2: Pair = imm ? [`${f(d, 'imm5')}`, '0'] : b.x(f(d, 'rm'));
    addSub(b, sf, b.x(f(d, 'rn')), op2, sub, true);
    b.emit('} else {');
    b.setFlags(nzcv & 8 ? '-1' : '0', nzcv & 4 ? '0' : '1', nzcv & 2 ? '1' : '0', nzcv & 1 ? '-1' : '0');
    b.emit('}');
  };
}

function condSelect(op: 'sel' | 'inc' | 'inv' | 'neg'): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const c = b.cond(f(d, 'cond'));
    const [nl, nh] = b.x(f(d, 'rn'));
    const [ml, mh] = b.x(f(d, 'rm'));
    const rl = b.tmp();
    const rh = b.tmp();
    let other: string;
    switch (op) {
      case 'sel':
        other = `${rl} = ${ml}; ${rh} = ${mh};`;
        break;
      case 'inc':
        other = `${rl} = (${ml} + 1) | 0; ${rh} = (${mh} + (${rl} === 0 ? 1 : 0)) | 0;`;
        break;
      case 'inv':
        other = `${rl} = ~${ml}; ${rh} = ~${mh};`;
        break;
      default:
        other = `${rl} = -${ml} | 0; ${rh} = (~${mh} + (${rl} === 0 ? 1 : 0)) | 0;`;
    }
    b.emit(`if (${c}) { ${rl} = ${nl}; ${rh} = ${nh}; } else { ${other} }`);
    b.setX(f(d, 'rd'), rl, sf ? rh : '0');
  };
}

function mulAdd(sub: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const [nl, nh] = b.x(f(d, 'rn'));
    const [ml, mh] = b.x(f(d, 'rm'));
    const a = b.x(f(d, 'ra'));
    const rd = f(d, 'rd');
    if (!sf) {
      b.setW(rd, `(${a[0]} ${sub ? '-' : '+'} Math.imul(${nl}, ${ml})) | 0`);
      return;
    }
    const pl = b.tmp();
    const ph = b.tmp();
    b.emit(`${pl} = X.mul64(${nl}, ${nh}, ${ml}, ${mh}); ${ph} = T[1];`);
    const r = addSub(b, true, a, [pl, ph], sub, false);
    b.setX(rd, r[0], r[1]);
  };
}

function mulLong(signed: boolean, sub: boolean): Emitter {
  return (b, d) => {
    const [nl] = b.x(f(d, 'rn'));
    const [ml] = b.x(f(d, 'rm'));
    const pl = b.tmp();
    const ph = b.tmp();
    b.emit(`${pl} = Math.imul(${nl}, ${ml}); ${ph} = X.${signed ? 'mulhs32' : 'mulhu32'}(${nl}, ${ml});`);
    const r = addSub(b, true, b.x(f(d, 'ra')), [pl, ph], sub, false);
    b.setX(f(d, 'rd'), r[0], r[1]);
  };
}

function mulHigh(signed: boolean): Emitter {
  return (b, d) => {
    const [nl, nh] = b.x(f(d, 'rn'));
    const [ml, mh] = b.x(f(d, 'rm'));
    const rl = b.tmp();
    const rh = b.tmp();
    b.emit(`${rl} = X.${signed ? 'smulh' : 'umulh'}(${nl}, ${nh}, ${ml}, ${mh}); ${rh} = T[1];`);
    b.setX(f(d, 'rd'), rl, rh);
  };
}

function divide(signed: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const [nl, nh] = b.x(f(d, 'rn'));
    const [ml, mh] = b.x(f(d, 'rm'));
    const rd = f(d, 'rd');
    if (!sf) {
      b.setW(rd, `X.${signed ? 'sdiv32' : 'udiv32'}(${nl}, ${ml})`);
      return;
    }
    const rl = b.tmp();
    const rh = b.tmp();
    b.emit(`${rl} = X.${signed ? 'sdiv64' : 'udiv64'}(${nl}, ${nh}, ${ml}, ${mh}); ${rh} = T[1];`);
    b.setX(rd, rl, rh);
  };
}

/** LSLV/LSRV/ASRV/RORV: shift by Rm modulo the register size. */
function shiftVar(type: number): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const [nl, nh] = b.x(f(d, 'rn'));
    const [ml] = b.x(f(d, 'rm'));
    const rd = f(d, 'rd');
    if (!sf) {
      const s = b.tmp();
      b.emit(`${s} = ${ml} & 31;`);
      const e = [`${nl} << ${s}`, `(${nl} >>> ${s}) | 0`, `${nl} >> ${s}`, `(${nl} >>> ${s}) | (${nl} << (32 - ${s}))`][
        type
      ]!;
      b.setW(rd, e);
      return;
    }
    const fn = ['lsl64', 'lsr64', 'asr64', 'ror64'][type]!;
    const rl = b.tmp();
    const rh = b.tmp();
    b.emit(`${rl} = X.${fn}(${nl}, ${nh}, ${ml} & 63); ${rh} = T[1];`);
    b.setX(rd, rl, rh);
  };
}

const CLZ: Emitter = (b, d) => {
  const [nl, nh] = b.x(f(d, 'rn'));
  b.setX(f(d, 'rd'), f(d, 'sf') ? `X.clz64(${nl}, ${nh})` : `Math.clz32(${nl})`, '0');
};

const CLS: Emitter = (b, d) => {
  const [nl, nh] = b.x(f(d, 'rn'));
  b.setX(f(d, 'rd'), f(d, 'sf') ? `X.cls64(${nl}, ${nh})` : `X.cls32(${nl})`, '0');
};

/** RBIT/REV16/REV32/REV as per-word operations (a 64-bit reversal also swaps the words). */
function perWord(fn: string, swapWords: boolean): Emitter {
  return (b, d) => {
    const sf = f(d, 'sf') === 1;
    const [nl, nh] = b.x(f(d, 'rn'));
    const rd = f(d, 'rd');
    if (!sf) {
      b.setW(rd, `X.${fn}(${nl})`);
      return;
    }
    const t = b.tmp();
    if (swapWords) b.emit(`${t} = X.${fn}(${nl});`);
    else b.emit(`${t} = X.${fn}(${nh});`);
    b.setX(rd, swapWords ? `X.${fn}(${nh})` : `X.${fn}(${nl})`, t);
  };
}

/** REV32 is only allocated with sf = 1: byte-reverse each word in place. */
const REV32: Emitter = (b, d) => {
  const [nl, nh] = b.x(f(d, 'rn'));
  const t = b.tmp();
  b.emit(`${t} = X.bswap32(${nh});`);
  b.setX(f(d, 'rd'), `X.bswap32(${nl})`, t);
};

function crc(castagnoli: boolean): Emitter {
  return (b, d) => {
    const sz = f(d, 'sz');
    const [nl] = b.x(f(d, 'rn'));
    const [ml, mh] = b.x(f(d, 'rm'));
    b.setW(f(d, 'rd'), `X.crc32(${nl}, ${ml}, ${mh}, ${1 << sz}, ${castagnoli})`);
  };
}

export const DP_EMITTERS: Readonly<Record<string, Emitter>> = {
  ADR,
  ADRP,
  ADD_imm: addSubImm(false, false),
  ADDS_imm: addSubImm(false, true),
  SUB_imm: addSubImm(true, false),
  SUBS_imm: addSubImm(true, true),
  AND_imm: logicImm('&', false),
  ORR_imm: logicImm('|', false),
  EOR_imm: logicImm('^', false),
  ANDS_imm: logicImm('&', true),
  MOVN: moveWide('n'),
  MOVZ: moveWide('z'),
  MOVK: moveWide('k'),
  SBFM: bitfield('s'),
  BFM: bitfield('b'),
  UBFM: bitfield('u'),
  EXTR,
  AND_shift: logicShift('&', false, false),
  BIC_shift: logicShift('&', true, false),
  ORR_shift: logicShift('|', false, false),
  ORN_shift: logicShift('|', true, false),
  EOR_shift: logicShift('^', false, false),
  EON_shift: logicShift('^', true, false),
  ANDS_shift: logicShift('&', false, true),
  BICS_shift: logicShift('&', true, true),
  ADD_shift: addSubShift(false, false),
  ADDS_shift: addSubShift(false, true),
  SUB_shift: addSubShift(true, false),
  SUBS_shift: addSubShift(true, true),
  ADD_ext: addSubExt(false, false),
  ADDS_ext: addSubExt(false, true),
  SUB_ext: addSubExt(true, false),
  SUBS_ext: addSubExt(true, true),
  ADC: adcSbcE(false, false),
  ADCS: adcSbcE(false, true),
  SBC: adcSbcE(true, false),
  SBCS: adcSbcE(true, true),
  CCMN_reg: condCompare(false, false),
  CCMP_reg: condCompare(true, false),
  CCMN_imm: condCompare(false, true),
  CCMP_imm: condCompare(true, true),
  CSEL: condSelect('sel'),
  CSINC: condSelect('inc'),
  CSINV: condSelect('inv'),
  CSNEG: condSelect('neg'),
  MADD: mulAdd(false),
  MSUB: mulAdd(true),
  SMADDL: mulLong(true, false),
  SMSUBL: mulLong(true, true),
  UMADDL: mulLong(false, false),
  UMSUBL: mulLong(false, true),
  SMULH: mulHigh(true),
  UMULH: mulHigh(false),
  UDIV: divide(false),
  SDIV: divide(true),
  LSLV: shiftVar(0),
  LSRV: shiftVar(1),
  ASRV: shiftVar(2),
  RORV: shiftVar(3),
  CLZ,
  CLS,
  RBIT: perWord('rbit32', true),
  REV16: perWord('rev16w', false),
  REV32,
  REV: perWord('bswap32', true),
  CRC32: crc(false),
  CRC32C: crc(true),
};
