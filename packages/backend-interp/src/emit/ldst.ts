/**
 * Emitters for the general-purpose loads and stores (Arm ARM C4.1.88; C6.2 pseudocode of LDR,
 * STR, LDRS*, LDUR, LDTR, LDP, LDPSW, LDAR, STLR, LDXR, STXR, ...).
 *
 * Single-register and pair accesses use the inlined TLB fast path (mem.ts). Exclusives go to
 * helpers that manage the local monitor. Writeback forms update the base after the access.
 * CONSTRAINED UNPREDICTABLE choices (Arm ARM K1.2): a load with writeback whose base is also a
 * destination loads the value and suppresses the writeback; a store with writeback whose base
 * is the data register stores the original value; LDP with Rt == Rt2 leaves Rt2's value.
 */
import { type Decoded, field } from '@hvlab/a64';
import { type BlockBuilder, F_SPALIGN, H_SMC } from './builder.js';
import { type Emitter, extendReg, type Pair } from './dp.js';
import { addConst, addPair, afterStore, emitLoad, emitStore, memInfo, spAlignCheck } from './mem.js';

const f = field;

type Mode = 'uimm' | 'unsc' | 'pre' | 'post' | 'unpriv' | 'reg';

const spCheck = (b: BlockBuilder, rn: number): void => spAlignCheck(b, rn, (b.flags & F_SPALIGN) !== 0);

/** Computes (access address, new base for writeback) of a single-register form. */
function address(
  b: BlockBuilder,
  d: Decoded,
  mode: Mode,
  log2: number,
): { addr: Pair; wb: Pair | undefined; rn: number } {
  const rn = f(d, 'rn');
  spCheck(b, rn);
  const base = b.xsp(rn);
  switch (mode) {
    case 'uimm':
      return { addr: addConst(b, base, f(d, 'imm12') * (1 << log2)), wb: undefined, rn };
    case 'unsc':
    case 'unpriv':
      return { addr: addConst(b, base, f(d, 'imm9')), wb: undefined, rn };
    case 'pre': {
      const a = addConst(b, base, f(d, 'imm9'));
      return { addr: a, wb: a, rn };
    }
    case 'post': {
      // Copy the base: the new base is computed after the access from the same value.
      const bl = b.tmp();
      const bh = b.tmp();
      b.emit(`${bl} = ${base[0]}; ${bh} = ${base[1]};`);
      return { addr: [bl, bh], wb: addConst(b, [bl, bh], f(d, 'imm9')), rn };
    }
    default: {
      const off = extendReg(b, b.x(f(d, 'rm')), f(d, 'option'), f(d, 'S') ? log2 : 0, true);
      return { addr: addPair(b, base, off), wb: undefined, rn };
    }
  }
}

function single(kind: 'st' | 'ld' | 'lds', mode: Mode): Emitter {
  return (b, d) => {
    const log2 = f(d, 'size');
    const rt = f(d, 'rt');
    const sf = kind === 'lds' ? f(d, 'opc') === 2 : log2 === 3;
    const idx = mode === 'unpriv' ? b.unprivIdx : b.dataIdx;
    const { addr, wb, rn } = address(b, d, mode, log2);
    const info = memInfo(b, { log2, rt, sign: kind === 'lds', sf, idx, isv: wb === undefined });
    if (kind === 'st') {
      const [dl, dh] = b.x(rt);
      emitStore(b, addr[0], addr[1], dl, dh, info);
      if (wb) b.setXsp(rn, wb[0], wb[1]);
      afterStore(b);
      return;
    }
    const [vl, vh] = emitLoad(b, addr[0], addr[1], info);
    if (wb && !(rn === rt && rn !== 31)) b.setXsp(rn, wb[0], wb[1]);
    b.setX(rt, vl, vh);
  };
}

function literal(log2: number, sign: boolean): Emitter {
  return (b, d) => {
    const rt = f(d, 'rt');
    const [al, ah] = b.pcRel(f(d, 'offset'));
    const lg = log2 < 0 ? (f(d, 'opc') === 1 ? 3 : 2) : log2;
    const info = memInfo(b, { log2: lg, rt, sign, sf: sign || lg === 3, idx: b.dataIdx, isv: true });
    const [vl, vh] = emitLoad(b, `${al}`, `${ah}`, info);
    b.setX(rt, vl, vh);
  };
}

function pair(load: boolean, mode: 'off' | 'pre' | 'post', signedW: boolean): Emitter {
  return (b, d) => {
    const sf = signedW || f(d, 'opc') === 2;
    const log2 = signedW ? 2 : sf ? 3 : 2;
    const scale = 1 << log2;
    const rn = f(d, 'rn');
    const rt = f(d, 'rt');
    const rt2 = f(d, 'rt2');
    spCheck(b, rn);
    const base = b.xsp(rn);
    const imm = f(d, 'imm7') * scale;
    let addr: Pair;
    let wb: Pair | undefined;
    if (mode === 'post') {
      const bl = b.tmp();
      const bh = b.tmp();
      b.emit(`${bl} = ${base[0]}; ${bh} = ${base[1]};`);
      addr = [bl, bh];
      wb = addConst(b, addr, imm);
    } else {
      addr = addConst(b, base, imm);
      wb = mode === 'pre' ? addr : undefined;
    }
    const addr2 = addConst(b, addr, scale);
    const idx = b.dataIdx;
    const info1 = memInfo(b, { log2, rt, sign: signedW, sf, idx, isv: false });
    const info2 = memInfo(b, { log2, rt: rt2, sign: signedW, sf, idx, isv: false });
    if (!load) {
      const [l1, h1] = b.x(rt);
      const [l2, h2] = b.x(rt2);
      emitStore(b, addr[0], addr[1], l1, h1, info1);
      emitStore(b, addr2[0], addr2[1], l2, h2, info2);
      if (wb) b.setXsp(rn, wb[0], wb[1]);
      afterStore(b);
      return;
    }
    const v1 = emitLoad(b, addr[0], addr[1], info1);
    const v2 = emitLoad(b, addr2[0], addr2[1], info2);
    if (wb && !((rn === rt || rn === rt2) && rn !== 31)) b.setXsp(rn, wb[0], wb[1]);
    b.setX(rt, v1[0], v1[1]);
    b.setX(rt2, v2[0], v2[1]);
  };
}

/** LDAR/STLR: single register, acquire/release, must be aligned (Arm ARM B2.5.2). */
function ordered(load: boolean): Emitter {
  return (b, d) => {
    const log2 = f(d, 'size');
    const rt = f(d, 'rt');
    const rn = f(d, 'rn');
    spCheck(b, rn);
    const addr = b.xsp(rn);
    const info = memInfo(b, { log2, rt, sf: log2 === 3, idx: b.dataIdx, isv: true, ar: true, align: true });
    if (load) {
      const [vl, vh] = emitLoad(b, addr[0], addr[1], info);
      b.setX(rt, vl, vh);
    } else {
      const [dl, dh] = b.x(rt);
      emitStore(b, addr[0], addr[1], dl, dh, info);
      afterStore(b);
    }
  };
}

/** Load-exclusive (register or pair): the helper reads memory and arms the local monitor. */
function loadExcl(pairForm: boolean, acquire: boolean): Emitter {
  return (b, d) => {
    const rn = f(d, 'rn');
    spCheck(b, rn);
    b.xsp(rn);
    const rt = f(d, 'rt');
    const rt2 = pairForm ? f(d, 'rt2') : -1;
    const log2 = pairForm ? 2 + f(d, 'sz') : f(d, 'size');
    b.helper(`H.ldxr(${rn}, ${rt}, ${rt2}, ${log2}, ${acquire}, ${b.dataIdx}, ${b.bigEndian})`, [
      rt,
      ...(rt2 >= 0 ? [rt2] : []),
    ]);
  };
}

/** Store-exclusive: status (0 = stored, 1 = failed) goes to Ws. */
function storeExcl(pairForm: boolean, release: boolean): Emitter {
  return (b, d) => {
    const rn = f(d, 'rn');
    spCheck(b, rn);
    b.xsp(rn);
    const rt = f(d, 'rt');
    const rs = f(d, 'rs');
    const rt2 = pairForm ? f(d, 'rt2') : -1;
    const log2 = pairForm ? 2 + f(d, 'sz') : f(d, 'size');
    b.x(rt);
    if (rt2 >= 0) b.x(rt2);
    // Like emitStore: a store over translated code (H_SMC) retires and ends the block after it.
    const s = b.tmp();
    b.emit(
      `${b.sync()} ${s} = H.stxr(${rs}, ${rn}, ${rt}, ${rt2}, ${log2}, ${release}, ${b.dataIdx}, ${b.bigEndian});` +
        ` if (${s} !== 0) { if (${s} === ${H_SMC}) smc = 1; else ${b.ret(b.k, s)} }`,
    );
    b.reload([rs]);
    afterStore(b);
  };
}

const PRFM: Emitter = () => {
  // Prefetch: a hint with no architectural effect, never faults (Arm ARM C6.2 PRFM).
};

export const LDST_EMITTERS: Readonly<Record<string, Emitter>> = {
  STR_uimm: single('st', 'uimm'),
  LDR_uimm: single('ld', 'uimm'),
  LDRS_uimm: single('lds', 'uimm'),
  STUR: single('st', 'unsc'),
  LDUR: single('ld', 'unsc'),
  LDURS: single('lds', 'unsc'),
  STR_pre: single('st', 'pre'),
  LDR_pre: single('ld', 'pre'),
  LDRS_pre: single('lds', 'pre'),
  STR_post: single('st', 'post'),
  LDR_post: single('ld', 'post'),
  LDRS_post: single('lds', 'post'),
  STTR: single('st', 'unpriv'),
  LDTR: single('ld', 'unpriv'),
  LDTRS: single('lds', 'unpriv'),
  STR_reg: single('st', 'reg'),
  LDR_reg: single('ld', 'reg'),
  LDRS_reg: single('lds', 'reg'),
  LDR_lit: literal(-1, false),
  LDRSW_lit: literal(2, true),
  PRFM_lit: PRFM,
  PRFM_reg: PRFM,
  PRFM_uimm: PRFM,
  PRFUM: PRFM,
  STNP: pair(false, 'off', false),
  LDNP: pair(true, 'off', false),
  STP_off: pair(false, 'off', false),
  LDP_off: pair(true, 'off', false),
  LDPSW_off: pair(true, 'off', true),
  STP_pre: pair(false, 'pre', false),
  LDP_pre: pair(true, 'pre', false),
  LDPSW_pre: pair(true, 'pre', true),
  STP_post: pair(false, 'post', false),
  LDP_post: pair(true, 'post', false),
  LDPSW_post: pair(true, 'post', true),
  LDAR: ordered(true),
  STLR: ordered(false),
  LDXR: loadExcl(false, false),
  LDAXR: loadExcl(false, true),
  LDXP: loadExcl(true, false),
  LDAXP: loadExcl(true, true),
  STXR: storeExcl(false, false),
  STLXR: storeExcl(false, true),
  STXP: storeExcl(true, false),
  STLXP: storeExcl(true, true),
};
