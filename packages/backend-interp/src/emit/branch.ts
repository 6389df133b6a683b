/**
 * Emitters for branches, exception-generating and system instructions (Arm ARM C4.1.87).
 *
 * Direct branches end the block with a CHAIN exit (the dispatcher caches the successor); a
 * branch back to the block's own start turns the block into a loop that keeps running while the
 * budget allows a whole further pass. Everything that changes state beyond registers and memory
 * (exceptions, MSR, SYS, ERET, WFI, ...) is a call into a TypeScript helper of the CPU (H.*),
 * which implements the semantics once, on the architectural state in R.
 */
import { type Decoded, field } from '@hvlab/a64';
import { type BlockBuilder, F_SINGLE, K_CHAIN0, K_CHAIN1, K_LOOKUP } from './builder.js';
import type { Emitter } from './dp.js';

const f = field;

/** Code that transfers control to a direct target (a loop back-edge when it is the block start). */
function jump(b: BlockBuilder, target: [number, number]): string {
  b.link0 = target;
  const self = b.allowLoop && target[0] === b.startLo && target[1] === b.startHi && (b.flags & F_SINGLE) === 0;
  if (!self) return b.exit(K_CHAIN0, target[0], target[1], b.k + 1);
  b.loop = true;
  const len = b.k + 1;
  return `{ n += ${len}; if (budget - n < ${len}) ${b.exit(K_CHAIN0, target[0], target[1], 0)} continue; }`;
}

/** Conditional direct branch: taken -> target, else fall through. */
function branchIf(b: BlockBuilder, cond: string, target: [number, number]): void {
  const [nl, nh] = b.next();
  b.link1 = [nl, nh];
  b.emit(`if (${cond}) ${jump(b, target)}`);
  b.emit(b.exit(K_CHAIN1, nl, nh, b.k + 1));
  b.ended = true;
}

const B: Emitter = (b, d) => {
  b.emit(jump(b, b.pcRel(f(d, 'offset'))));
  b.ended = true;
};

const BL: Emitter = (b, d) => {
  const [nl, nh] = b.next();
  b.setX(30, `${nl}`, `${nh}`);
  b.emit(jump(b, b.pcRel(f(d, 'offset'))));
  b.ended = true;
};

const B_cond: Emitter = (b, d) => branchIf(b, b.cond(f(d, 'cond')), b.pcRel(f(d, 'offset')));

function cbz(nonzero: boolean): Emitter {
  return (b, d) => {
    const [l, h] = b.x(f(d, 'rt'));
    const v = f(d, 'sf') ? `(${l} | ${h})` : l;
    branchIf(b, `${v} ${nonzero ? '!==' : '==='} 0`, b.pcRel(f(d, 'offset')));
  };
}

function tbz(nonzero: boolean): Emitter {
  return (b, d) => {
    const bit = f(d, 'b5b40');
    const [l, h] = b.x(f(d, 'rt'));
    const w = bit < 32 ? l : h;
    branchIf(b, `(${w} & ${(1 << (bit & 31)) | 0}) ${nonzero ? '!==' : '==='} 0`, b.pcRel(f(d, 'offset')));
  };
}

/** BR/BLR/RET: the target is read before BLR writes X30. */
function branchReg(link: boolean): Emitter {
  return (b, d) => {
    const [l, h] = b.x(f(d, 'rn'));
    const tl = b.tmp();
    const th = b.tmp();
    b.emit(`${tl} = ${l}; ${th} = ${h};`);
    if (link) {
      const [nl, nh] = b.next();
      b.setX(30, `${nl}`, `${nh}`);
    }
    b.emit(b.exit(K_LOOKUP, tl, th, b.k + 1));
    b.ended = true;
  };
}

const term =
  (call: (d: Decoded) => string): Emitter =>
  (b, d) =>
    b.endWithHelper(call(d));

export const UNDEF: Emitter = term(() => 'H.undef()');

/** HINT space (Arm ARM C6.2 HINT): WFE, WFI, SEV, SEVL act; everything else is a NOP. */
const HINT: Emitter = (b, d) => {
  switch (f(d, 'hint')) {
    case 2:
      b.endWithHelper('H.wfe()');
      return;
    case 3:
      b.endWithHelper('H.wfi()');
      return;
    case 4:
      b.emit('H.sev();');
      return;
    case 5:
      b.emit('H.sevl();');
      return;
    default:
      // NOP, YIELD, DGH, ESB, PSB, TSB, CSDB, BTI, and the PAuth hints (PAuth absent: NOP).
      return;
  }
};

const NOP: Emitter = () => {};

const MRS: Emitter = (b, d) => {
  const rt = f(d, 'rt');
  b.helper(`H.mrs(${f(d, 'sysreg')}, ${rt}, n + ${b.k})`, [rt]);
};

export const BRANCH_EMITTERS: Readonly<Record<string, Emitter>> = {
  B,
  BL,
  B_cond,
  CBZ: cbz(false),
  CBNZ: cbz(true),
  TBZ: tbz(false),
  TBNZ: tbz(true),
  BR: branchReg(false),
  BLR: branchReg(true),
  RET: branchReg(false),
  ERET: term(() => 'H.eret()'),
  DRPS: UNDEF,
  SVC: term((d) => `H.svc(${f(d, 'imm16')})`),
  HVC: term((d) => `H.hvc(${f(d, 'imm16')})`),
  SMC: term((d) => `H.smc(${f(d, 'imm16')})`),
  BRK: term((d) => `H.brk(${f(d, 'imm16')})`),
  // Halting debug is not enabled (EDSCR.HDE = 0): HLT is UNDEFINED; DCPS* outside Debug state too.
  HLT: UNDEF,
  DCPS1: UNDEF,
  DCPS2: UNDEF,
  DCPS3: UNDEF,
  HINT,
  CLREX: (b) => b.emit('H.clrex();'),
  DSB: NOP,
  DMB: NOP,
  ISB: NOP,
  SSBB: NOP,
  PSSBB: NOP,
  MSR_imm: term((d) => `H.msrImm(${f(d, 'op1')}, ${f(d, 'op2')}, ${f(d, 'crm')})`),
  MRS,
  MSR_reg: (b, d) => b.endWithHelper(`H.msr(${f(d, 'sysreg')}, ${f(d, 'rt')}, n + ${b.k})`),
  SYS: (b, d) => b.endWithHelper(`H.sysInsn(${f(d, 'sysreg')}, ${f(d, 'rt')}, n + ${b.k})`),
  // No SYSL encodings are allocated in this implementation.
  SYSL: UNDEF,
};
