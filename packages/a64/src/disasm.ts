/**
 * The disassembler: one A64 word to text in GNU binutils syntax (what
 * `aarch64-linux-gnu-objdump -d` prints), using the preferred aliases of the Arm ARM
 * (DDI 0487 C6 "A64 Base Instruction Descriptions", "Alias conditions").
 *
 * Output is `mnemonic operands` with a single space; branch and literal targets are absolute
 * addresses computed from `pc` (default 0), printed as `0x...` like objdump does for a raw binary.
 * Unallocated words print as `.inst 0x........ ; undefined`, as objdump does. The deliberate
 * differences from objdump are listed in README.md; disasm.test.ts fails on any other.
 */
import { SysReg, sysRegName } from '@hvlab/core';
import { bfxPreferred, logicalImmediate, moveWidePreferred } from './bitmasks.js';
import { decode, fieldsOf } from './decoder.js';
import { disassembleSimdFp } from './disasm-simd.js';
import { COND, dotInst, greg, hex, target, wreg, xreg } from './format.js';
import { sysOp } from './sys-ops.js';
import { HINTS, PSTATE_FIELDS } from './table/branch-sys.js';
import type { Decoded } from './types.js';

const MASK64 = (1n << 64n) - 1n;

const SHIFT = ['lsl', 'lsr', 'asr', 'ror'];
const EXTEND = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];
const BARRIER = [
  '',
  'oshld',
  'oshst',
  'osh',
  '',
  'nshld',
  'nshst',
  'nsh',
  '',
  'ishld',
  'ishst',
  'ish',
  '',
  'ld',
  'st',
  'sy',
];

/** PRFM operation names (Arm ARM C6.2 PRFM: type:target:policy in Rt). */
export function prfop(rt: number): string {
  const type = ['pld', 'pli', 'pst'][rt >> 3];
  const tgt = ['l1', 'l2', 'l3'][(rt >> 1) & 3];
  if (type === undefined || tgt === undefined) return `#0x${rt.toString(16).padStart(2, '0')}`;
  return `${type}${tgt}${rt & 1 ? 'strm' : 'keep'}`;
}

/** Disassembles one word. Never throws. */
export function disassemble(word: number, pc = 0n): string {
  const w = word >>> 0;
  const d = decode(w);
  if (d === undefined) {
    // UDF #imm16 (Arm ARM C6.2 UDF): permanently UNDEFINED but has a mnemonic.
    if (w >>> 16 === 0) return `udf #${w & 0xffff}`;
    return dotInst(w);
  }
  return disassembleDecoded(d, pc);
}

/** Disassembles an already decoded instruction. */
export function disassembleDecoded(d: Decoded, pc = 0n): string {
  const g = d.entry.group;
  if (g.startsWith('simd') || g.startsWith('fp') || g.startsWith('crypto') || g.startsWith('ldst/simd'))
    return disassembleSimdFp(d);
  return base(d, fieldsOf(d), pc);
}

const ins = (mn: string, ...ops: string[]): string => (ops.length ? `${mn} ${ops.join(', ')}` : mn);

function base(d: Decoded, f: Record<string, number>, pc: bigint): string {
  const id = d.entry.id;
  const sf = f.sf ?? 1;
  const rd = f.rd ?? 0;
  const rn = f.rn ?? 0;
  const rm = f.rm ?? 0;
  const rt = f.rt ?? 0;
  const R = (n: number, sp = false) => greg(sf, n, sp);
  switch (id) {
    // ── Data processing: immediate ────────────────────────────────────────────────────
    case 'ADR':
      return ins('adr', xreg(rd), target(pc, f.offset!));
    case 'ADRP':
      return ins('adrp', xreg(rd), target(pc & ~0xfffn, f.offset!));
    case 'ADD_imm':
    case 'ADDS_imm':
    case 'SUB_imm':
    case 'SUBS_imm': {
      const imm = hex(f.imm12!);
      const sh = f.sh ? ['lsl #12'] : [];
      const setFlags = id === 'ADDS_imm' || id === 'SUBS_imm';
      if (id === 'ADD_imm' && f.sh === 0 && f.imm12 === 0 && (rd === 31 || rn === 31))
        return ins('mov', R(rd, true), R(rn, true));
      if (setFlags && rd === 31) return ins(id === 'ADDS_imm' ? 'cmn' : 'cmp', R(rn, true), imm, ...sh);
      return ins(id.slice(0, -4).toLowerCase(), R(rd, !setFlags), R(rn, true), imm, ...sh);
    }
    case 'AND_imm':
    case 'ORR_imm':
    case 'EOR_imm':
    case 'ANDS_imm': {
      const imm = logicalImmediate(sf, f.n!, f.immr!, f.imms!)!;
      const v = hex(imm);
      if (id === 'ANDS_imm' && rd === 31) return ins('tst', R(rn), v);
      // MOV (bitmask immediate) unless MOVZ/MOVN would encode the value; binutils also uses MOV
      // whenever Rd is SP, which MOVZ/MOVN cannot write.
      if (id === 'ORR_imm' && rn === 31 && (rd === 31 || !moveWidePreferred(sf, f.n!, f.imms!, f.immr!)))
        return ins('mov', R(rd, true), v);
      return ins(id.slice(0, -4).toLowerCase(), R(rd, id !== 'ANDS_imm'), R(rn), v);
    }
    case 'MOVN':
    case 'MOVZ':
    case 'MOVK': {
      const hw = f.hw!;
      const imm16 = f.imm16!;
      if (id !== 'MOVK' && !(imm16 === 0 && hw !== 0) && !(id === 'MOVN' && sf === 0 && imm16 === 0xffff)) {
        let v = BigInt(imm16) << BigInt(16 * hw);
        if (id === 'MOVN') v = ~v & (sf ? MASK64 : 0xffffffffn);
        return ins('mov', R(rd), hex(v));
      }
      return ins(id.toLowerCase(), R(rd), hex(imm16), ...(hw ? [`lsl #${16 * hw}`] : []));
    }
    case 'SBFM':
    case 'UBFM':
    case 'BFM':
      return bitfield(id, sf, f);
    case 'EXTR':
      if (rn === rm) return ins('ror', R(rd), R(rn), `#${f.imms}`);
      return ins('extr', R(rd), R(rn), R(rm), `#${f.imms}`);

    // ── Branches, exceptions, system ──────────────────────────────────────────────────
    case 'B_cond':
      return ins(`b.${COND[f.cond!]}`, target(pc, f.offset!));
    case 'SVC':
    case 'HVC':
    case 'SMC':
    case 'BRK':
    case 'HLT':
      return ins(id.toLowerCase(), hex(f.imm16!));
    case 'DCPS1':
    case 'DCPS2':
    case 'DCPS3':
      return f.imm16 ? ins(id.toLowerCase(), hex(f.imm16)) : id.toLowerCase();
    case 'HINT': {
      const name = HINTS[f.hint!];
      return name ? name.toLowerCase() : ins('hint', hex(f.hint!));
    }
    case 'CLREX':
      return f.crm === 15 ? 'clrex' : ins('clrex', hex(f.crm!));
    case 'DSB':
    case 'DMB': {
      const opt = BARRIER[f.crm!];
      return ins(id.toLowerCase(), opt ? opt : `#0x${f.crm!.toString(16).padStart(2, '0')}`);
    }
    case 'ISB':
      return f.crm === 15 ? 'isb' : ins('isb', hex(f.crm!));
    case 'SB':
    case 'SSBB':
    case 'PSSBB':
    case 'CFINV':
    case 'XAFLAG':
    case 'AXFLAG':
    case 'ERET':
    case 'DRPS':
    case 'RETAA':
    case 'RETAB':
    case 'ERETAA':
    case 'ERETAB':
      return id.toLowerCase();
    case 'MSR_imm': {
      const name = PSTATE_FIELDS[(f.op1! << 3) | f.op2!]!;
      return ins('msr', name.toLowerCase(), hex(f.crm!));
    }
    case 'SYS': {
      const op = sysOp(f.op1!, f.crn!, f.crm!, f.op2!);
      if (op) return ins(op.alias, op.op.toLowerCase(), ...(op.hasRt || rt !== 31 ? [xreg(rt)] : []));
      return ins('sys', `#${f.op1}`, `C${f.crn}`, `C${f.crm}`, `#${f.op2}`, ...(rt !== 31 ? [xreg(rt)] : []));
    }
    case 'SYSL':
      return ins('sysl', xreg(rt), `#${f.op1}`, `C${f.crn}`, `C${f.crm}`, `#${f.op2}`);
    case 'MRS':
      return ins('mrs', xreg(rt), sysRegName(f.sysreg!).toLowerCase());
    case 'MSR_reg':
      // DBGDTRTX_EL0 (write) and DBGDTRRX_EL0 (read) share one encoding (Arm ARM D24.3.9).
      if (f.sysreg === SysReg.DBGDTRTX_EL0) return ins('msr', 'dbgdtrtx_el0', xreg(rt));
      return ins('msr', sysRegName(f.sysreg!).toLowerCase(), xreg(rt));
    case 'BR':
    case 'BLR':
    case 'BRAAZ':
    case 'BRABZ':
    case 'BLRAAZ':
    case 'BLRABZ':
      return ins(id.toLowerCase(), xreg(rn));
    case 'RET':
      return rn === 30 ? 'ret' : ins('ret', xreg(rn));
    case 'BRAA':
    case 'BRAB':
    case 'BLRAA':
    case 'BLRAB':
      return ins(id.toLowerCase(), xreg(rn), xreg(rm, true));
    case 'B':
    case 'BL':
      return ins(id.toLowerCase(), target(pc, f.offset!));
    case 'CBZ':
    case 'CBNZ':
      return ins(id.toLowerCase(), R(rt), target(pc, f.offset!));
    case 'TBZ':
    case 'TBNZ':
      return ins(id.toLowerCase(), greg(f.b5b40! >> 5, rt), `#${f.b5b40}`, target(pc, f.offset!));

    // ── Data processing: register ─────────────────────────────────────────────────────
    case 'UDIV':
    case 'SDIV':
      return ins(id.toLowerCase(), R(rd), R(rn), R(rm));
    case 'LSLV':
    case 'LSRV':
    case 'ASRV':
    case 'RORV':
      return ins(id.slice(0, 3).toLowerCase(), R(rd), R(rn), R(rm));
    case 'PACGA':
      return ins('pacga', xreg(rd), xreg(rn), xreg(rm, true));
    case 'CRC32':
    case 'CRC32C': {
      const sz = f.sz!;
      return ins(`${id.toLowerCase()}${'bhwx'[sz]}`, wreg(rd), wreg(rn), greg(sz === 3 ? 1 : 0, rm));
    }
    case 'RBIT':
    case 'REV16':
    case 'CLZ':
    case 'CLS':
    case 'REV':
      return ins(id.toLowerCase(), R(rd), R(rn));
    case 'REV32':
      return ins('rev32', xreg(rd), xreg(rn));
    case 'PACIA':
    case 'PACIB':
    case 'PACDA':
    case 'PACDB':
    case 'AUTIA':
    case 'AUTIB':
    case 'AUTDA':
    case 'AUTDB':
      return ins(id.toLowerCase(), xreg(rd), xreg(rn, true));
    case 'PACIZA':
    case 'PACIZB':
    case 'PACDZA':
    case 'PACDZB':
    case 'AUTIZA':
    case 'AUTIZB':
    case 'AUTDZA':
    case 'AUTDZB':
    case 'XPACI':
    case 'XPACD':
      return ins(id.toLowerCase(), xreg(rd));
    case 'AND_shift':
    case 'BIC_shift':
    case 'ORR_shift':
    case 'ORN_shift':
    case 'EOR_shift':
    case 'EON_shift':
    case 'ANDS_shift':
    case 'BICS_shift': {
      const sh = shifted(f);
      if (id === 'ORR_shift' && rn === 31 && f.shift === 0 && f.imm6 === 0) return ins('mov', R(rd), R(rm));
      if (id === 'ORN_shift' && rn === 31) return ins('mvn', R(rd), R(rm), ...sh);
      if (id === 'ANDS_shift' && rd === 31) return ins('tst', R(rn), R(rm), ...sh);
      return ins(id.slice(0, -6).toLowerCase(), R(rd), R(rn), R(rm), ...sh);
    }
    case 'ADD_shift':
    case 'ADDS_shift':
    case 'SUB_shift':
    case 'SUBS_shift': {
      const sh = shifted(f);
      if (id === 'ADDS_shift' && rd === 31) return ins('cmn', R(rn), R(rm), ...sh);
      if (id === 'SUBS_shift' && rd === 31) return ins('cmp', R(rn), R(rm), ...sh);
      if (id === 'SUB_shift' && rn === 31) return ins('neg', R(rd), R(rm), ...sh);
      if (id === 'SUBS_shift' && rn === 31) return ins('negs', R(rd), R(rm), ...sh);
      return ins(id.slice(0, -6).toLowerCase(), R(rd), R(rn), R(rm), ...sh);
    }
    case 'ADD_ext':
    case 'ADDS_ext':
    case 'SUB_ext':
    case 'SUBS_ext': {
      const setFlags = id === 'ADDS_ext' || id === 'SUBS_ext';
      const option = f.option!;
      const imm3 = f.imm3!;
      const rmReg = greg(sf && (option & 3) === 3 ? 1 : 0, rm);
      const spInvolved = rn === 31 || (!setFlags && rd === 31);
      let ext: string[];
      if (spInvolved && option === (sf ? 3 : 2)) ext = imm3 ? [`lsl #${imm3}`] : [];
      else ext = [imm3 ? `${EXTEND[option]} #${imm3}` : EXTEND[option]!];
      if (setFlags && rd === 31) return ins(id === 'ADDS_ext' ? 'cmn' : 'cmp', R(rn, true), rmReg, ...ext);
      return ins(id.slice(0, -4).toLowerCase(), R(rd, !setFlags), R(rn, true), rmReg, ...ext);
    }
    case 'ADC':
    case 'ADCS':
      return ins(id.toLowerCase(), R(rd), R(rn), R(rm));
    case 'SBC':
    case 'SBCS':
      if (rn === 31) return ins(id === 'SBC' ? 'ngc' : 'ngcs', R(rd), R(rm));
      return ins(id.toLowerCase(), R(rd), R(rn), R(rm));
    case 'RMIF':
      return ins('rmif', xreg(rn), `#${f.imm6}`, `#${f.mask}`);
    case 'SETF8':
    case 'SETF16':
      return ins(id.toLowerCase(), wreg(rn));
    case 'CCMN_reg':
    case 'CCMP_reg':
      return ins(id.slice(0, 4).toLowerCase(), R(rn), R(rm), hex(f.nzcv!), COND[f.cond!]!);
    case 'CCMN_imm':
    case 'CCMP_imm':
      return ins(id.slice(0, 4).toLowerCase(), R(rn), hex(f.imm5!), hex(f.nzcv!), COND[f.cond!]!);
    case 'CSEL':
    case 'CSINC':
    case 'CSINV':
    case 'CSNEG': {
      const cond = f.cond!;
      const inv = COND[cond ^ 1]!;
      if (id !== 'CSEL' && cond < 14 && rm === rn) {
        if (rn === 31 && id !== 'CSNEG') return ins(id === 'CSINC' ? 'cset' : 'csetm', R(rd), inv);
        const alias = id === 'CSINC' ? 'cinc' : id === 'CSINV' ? 'cinv' : 'cneg';
        return ins(alias, R(rd), R(rn), inv);
      }
      return ins(id.toLowerCase(), R(rd), R(rn), R(rm), COND[cond]!);
    }
    case 'MADD':
    case 'MSUB':
      if (f.ra === 31) return ins(id === 'MADD' ? 'mul' : 'mneg', R(rd), R(rn), R(rm));
      return ins(id.toLowerCase(), R(rd), R(rn), R(rm), R(f.ra!));
    case 'SMADDL':
    case 'SMSUBL':
    case 'UMADDL':
    case 'UMSUBL': {
      if (f.ra === 31) {
        const alias = { SMADDL: 'smull', SMSUBL: 'smnegl', UMADDL: 'umull', UMSUBL: 'umnegl' }[id];
        return ins(alias, xreg(rd), wreg(rn), wreg(rm));
      }
      return ins(id.toLowerCase(), xreg(rd), wreg(rn), wreg(rm), xreg(f.ra!));
    }
    case 'SMULH':
    case 'UMULH':
      return ins(id.toLowerCase(), xreg(rd), xreg(rn), xreg(rm));
    default:
      return loadStore(d, f, pc);
  }
}

function shifted(f: Record<string, number>): string[] {
  return f.imm6 === 0 && f.shift === 0 ? [] : [`${SHIFT[f.shift!]} #${f.imm6}`];
}

function bitfield(id: 'SBFM' | 'UBFM' | 'BFM', sf: number, f: Record<string, number>): string {
  const size = sf ? 64 : 32;
  const immr = f.immr!;
  const imms = f.imms!;
  const rd = greg(sf, f.rd!);
  const rn = greg(sf, f.rn!);
  if (id === 'BFM') {
    if (imms < immr) {
      const lsb = `#${(size - immr) % size}`;
      const width = `#${imms + 1}`;
      if (f.rn === 31) return ins('bfc', rd, lsb, width);
      return ins('bfi', rd, rn, lsb, width);
    }
    return ins('bfxil', rd, rn, `#${immr}`, `#${imms - immr + 1}`);
  }
  const u = id === 'UBFM';
  if (imms === size - 1) return ins(u ? 'lsr' : 'asr', rd, rn, `#${immr}`);
  if (u && imms + 1 === immr) return ins('lsl', rd, rn, `#${size - 1 - imms}`);
  if (imms < immr) return ins(u ? 'ubfiz' : 'sbfiz', rd, rn, `#${(size - immr) % size}`, `#${imms + 1}`);
  if (bfxPreferred(sf, u ? 1 : 0, imms, immr))
    return ins(u ? 'ubfx' : 'sbfx', rd, rn, `#${immr}`, `#${imms - immr + 1}`);
  // immr = 0 and imms = 7 / 15 / 31: the extend aliases (the source is a W register).
  const ext = imms === 7 ? 'b' : imms === 15 ? 'h' : 'w';
  return ins(`${u ? 'uxt' : 'sxt'}${ext}`, rd, wreg(f.rn!));
}

// ── Loads and stores ──────────────────────────────────────────────────────────────────

/** GPR single-register mnemonic stem and register from size/opc (ids.ts conventions). */
function gprAccess(
  base: string,
  size: number,
  opc: number,
  signed: boolean,
): { mn: string; reg: (n: number) => string } {
  const suffix = ['b', 'h', '', ''][size]!;
  if (signed) {
    const mn = `${base}s${size === 2 ? 'w' : suffix}`;
    return { mn, reg: (n) => greg(opc === 2 ? 1 : 0, n) };
  }
  return { mn: `${base}${suffix}`, reg: (n) => greg(size === 3 ? 1 : 0, n) };
}

/** SIMD&FP register of a load/store: width 8 << (opc<1>:size). */
export function fpReg(size: number, opc: number, n: number): string {
  return `${'bhsdq'[((opc >> 1) << 2) | size]}${n}`;
}

const mem = (rn: number, off?: string): string => (off ? `[${xreg(rn, true)}, ${off}]` : `[${xreg(rn, true)}]`);

function loadStore(d: Decoded, f: Record<string, number>, pc: bigint): string {
  const id = d.entry.id;
  const rn = f.rn!;
  const rt = f.rt!;
  const size = f.size ?? 0;
  const opc = f.opc ?? 0;
  switch (id) {
    // Single register, imm9 forms.
    case 'STR_post':
    case 'LDR_post':
    case 'LDRS_post':
    case 'STR_pre':
    case 'LDR_pre':
    case 'LDRS_pre':
    case 'STUR':
    case 'LDUR':
    case 'LDURS':
    case 'STTR':
    case 'LDTR':
    case 'LDTRS':
    case 'STLUR':
    case 'LDAPUR':
    case 'LDAPURS': {
      const [stem, signed, form] = IMM9_FORMS[id];
      const a = gprAccess(stem, size, opc, signed);
      return ins(a.mn, a.reg(rt), imm9Addr(form, rn, f.imm9!));
    }
    case 'STR_fp_post':
    case 'LDR_fp_post':
    case 'STR_fp_pre':
    case 'LDR_fp_pre':
    case 'STUR_fp':
    case 'LDUR_fp': {
      const form = id.endsWith('_post') ? 'post' : id.endsWith('_pre') ? 'pre' : '';
      return ins(id.slice(0, id.indexOf('_')).toLowerCase(), fpReg(size, opc, rt), imm9Addr(form, rn, f.imm9!));
    }
    case 'PRFUM':
      return ins('prfum', prfop(rt), mem(rn, f.imm9 ? `#${f.imm9}` : undefined));
    case 'STR_uimm':
    case 'LDR_uimm':
    case 'LDRS_uimm': {
      const signed = id === 'LDRS_uimm';
      const a = gprAccess(signed ? 'ldr' : id.slice(0, 3).toLowerCase(), size, opc, signed);
      const off = f.imm12! << size;
      return ins(a.mn, a.reg(rt), mem(rn, off ? `#${off}` : undefined));
    }
    case 'PRFM_uimm': {
      const off = f.imm12! << 3;
      return ins('prfm', prfop(rt), mem(rn, off ? `#${off}` : undefined));
    }
    case 'STR_fp_uimm':
    case 'LDR_fp_uimm': {
      const scale = ((opc >> 1) << 2) | size;
      const off = f.imm12! * 2 ** scale;
      return ins(id.slice(0, 3).toLowerCase(), fpReg(size, opc, rt), mem(rn, off ? `#${off}` : undefined));
    }
    case 'STR_reg':
    case 'LDR_reg':
    case 'LDRS_reg': {
      const signed = id === 'LDRS_reg';
      const a = gprAccess(signed ? 'ldr' : id.slice(0, 3).toLowerCase(), size, opc, signed);
      return ins(a.mn, a.reg(rt), regAddr(rn, f, size));
    }
    case 'PRFM_reg':
      return ins('prfm', prfop(rt), regAddr(rn, f, 3));
    case 'STR_fp_reg':
    case 'LDR_fp_reg':
      return ins(id.slice(0, 3).toLowerCase(), fpReg(size, opc, rt), regAddr(rn, f, ((opc >> 1) << 2) | size));
    case 'LDR_lit':
      return ins('ldr', greg(f.opc!, rt), target(pc, f.offset!));
    case 'LDRSW_lit':
      return ins('ldrsw', xreg(rt), target(pc, f.offset!));
    case 'PRFM_lit':
      return ins('prfm', prfop(rt), target(pc, f.offset!));
    case 'LDR_fp_lit':
      return ins('ldr', `${'sdq'[f.opc!]}${rt}`, target(pc, f.offset!));
    case 'STNP':
    case 'LDNP':
    case 'STP_post':
    case 'LDP_post':
    case 'LDPSW_post':
    case 'STP_off':
    case 'LDP_off':
    case 'LDPSW_off':
    case 'STP_pre':
    case 'LDP_pre':
    case 'LDPSW_pre': {
      const sw = id.startsWith('LDPSW');
      const x64 = sw || f.opc === 2;
      const off = f.imm7! * (x64 ? (sw ? 4 : 8) : 4);
      const r = (n: number) => greg(x64 ? 1 : 0, n);
      return ins(id.replace(/_.*$/, '').toLowerCase(), r(rt), r(f.rt2!), pairAddr(id, rn, off));
    }
    case 'STNP_fp':
    case 'LDNP_fp':
    case 'STP_fp_post':
    case 'LDP_fp_post':
    case 'STP_fp_off':
    case 'LDP_fp_off':
    case 'STP_fp_pre':
    case 'LDP_fp_pre': {
      const o = f.opc!;
      const off = f.imm7! * (4 << o);
      const r = (n: number) => `${'sdq'[o]}${n}`;
      return ins(id.replace(/_.*$/, '').toLowerCase(), r(rt), r(f.rt2!), pairAddr(id, rn, off));
    }
    case 'STXR':
    case 'STLXR': {
      const sfx = ['b', 'h', '', ''][size]!;
      return ins(`${id.toLowerCase()}${sfx}`, wreg(f.rs!), greg(size === 3 ? 1 : 0, rt), mem(rn));
    }
    case 'LDXR':
    case 'LDAXR':
    case 'STLLR':
    case 'STLR':
    case 'LDLAR':
    case 'LDAR':
    case 'LDAPR': {
      const sfx = ['b', 'h', '', ''][size]!;
      return ins(`${id.toLowerCase()}${sfx}`, greg(size === 3 ? 1 : 0, rt), mem(rn));
    }
    case 'STXP':
    case 'STLXP':
      return ins(id.toLowerCase(), wreg(f.rs!), greg(f.sz!, rt), greg(f.sz!, f.rt2!), mem(rn));
    case 'LDXP':
    case 'LDAXP':
      return ins(id.toLowerCase(), greg(f.sz!, rt), greg(f.sz!, f.rt2!), mem(rn));
    case 'CAS': {
      const sfx = ['b', 'h', '', ''][size]!;
      const r = (n: number) => greg(size === 3 ? 1 : 0, n);
      return ins(`cas${f.l ? 'a' : ''}${f.o0 ? 'l' : ''}${sfx}`, r(f.rs!), r(rt), mem(rn));
    }
    case 'CASP': {
      const r = (n: number) => greg(f.sz!, n);
      return ins(`casp${f.l ? 'a' : ''}${f.o0 ? 'l' : ''}`, r(f.rs!), r(f.rs! + 1), r(rt), r(rt + 1), mem(rn));
    }
    case 'LDADD':
    case 'LDCLR':
    case 'LDEOR':
    case 'LDSET':
    case 'LDSMAX':
    case 'LDSMIN':
    case 'LDUMAX':
    case 'LDUMIN':
    case 'SWP': {
      const sfx = ['b', 'h', '', ''][size]!;
      const r = (n: number) => greg(size === 3 ? 1 : 0, n);
      const ord = `${f.a ? 'a' : ''}${f.r ? 'l' : ''}`;
      if (id !== 'SWP' && rt === 31 && f.a === 0)
        return ins(`st${id.slice(2).toLowerCase()}${ord}${sfx}`, r(f.rs!), mem(rn));
      return ins(`${id.toLowerCase()}${ord}${sfx}`, r(f.rs!), r(rt), mem(rn));
    }
    case 'LDRAA':
    case 'LDRAB': {
      const off = f.offset!;
      const addr = f.w ? `${mem(rn, `#${off}`)}!` : mem(rn, off ? `#${off}` : undefined);
      return ins(id.toLowerCase(), xreg(rt), addr);
    }
    default:
      return dotInst(d.word);
  }
}

/** Single-register imm9 classes: mnemonic stem, sign-extending, index form. */
const IMM9_FORMS = {
  STR_post: ['str', false, 'post'],
  LDR_post: ['ldr', false, 'post'],
  LDRS_post: ['ldr', true, 'post'],
  STR_pre: ['str', false, 'pre'],
  LDR_pre: ['ldr', false, 'pre'],
  LDRS_pre: ['ldr', true, 'pre'],
  STUR: ['stur', false, ''],
  LDUR: ['ldur', false, ''],
  LDURS: ['ldur', true, ''],
  STTR: ['sttr', false, ''],
  LDTR: ['ldtr', false, ''],
  LDTRS: ['ldtr', true, ''],
  STLUR: ['stlur', false, ''],
  LDAPUR: ['ldapur', false, ''],
  LDAPURS: ['ldapur', true, ''],
} as const satisfies Record<string, readonly [string, boolean, 'post' | 'pre' | '']>;

function imm9Addr(form: string, rn: number, imm9: number): string {
  if (form === 'post') return `${mem(rn)}, #${imm9}`;
  if (form === 'pre') return `${mem(rn, `#${imm9}`)}!`;
  return mem(rn, imm9 ? `#${imm9}` : undefined);
}

function pairAddr(id: string, rn: number, off: number): string {
  if (id.endsWith('_post')) return `${mem(rn)}, #${off}`;
  if (id.endsWith('_pre')) return `${mem(rn, `#${off}`)}!`;
  return mem(rn, off ? `#${off}` : undefined);
}

/** Register-offset address: [Xn, Rm{, extend {#amount}}] (Arm ARM C6.2 LDR (register)). */
function regAddr(rn: number, f: Record<string, number>, scale: number): string {
  const option = f.option!;
  const S = f.S!;
  const rm = greg(option & 1, f.rm!);
  const amount = S ? scale : 0;
  if (option === 3) return S ? mem(rn, `${rm}, lsl #${amount}`) : mem(rn, rm);
  return mem(rn, S ? `${rm}, ${EXTEND[option]} #${amount}` : `${rm}, ${EXTEND[option]}`);
}
