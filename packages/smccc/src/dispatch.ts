/**
 * The SMCCC dispatcher: one table of function rows, reached from the HVC and/or SMC conduit.
 *
 * A service (Arm architecture calls, PSCI, later TRNG, KVM vendor calls, PV time, ...) is a table
 * of rows `{ fid, name, argCount, resultCount, handler }`; services register into the one
 * dispatcher of a machine, which refuses two rows for the same function ID.
 *
 * One call, in order (mirrors linux arch/arm64/kvm/handle_exit.c and hypercalls.c):
 *   1. Conduit. An HVC exit is a call whatever its immediate (KVM does not check it). An SMC
 *      exit with a non-zero imm16 is reserved (DEN0028E section 2.9): X0 = -1 and nothing else
 *      (KVM handle_smc). In both cases PC already points past the instruction (core/src/exit.ts).
 *   2. Function ID = W0 (the low 32 bits of X0; linux smccc_get_function).
 *   3. Gate (optional, set by the owner of the dispatcher, e.g. KvmSmccc): decides before any
 *      row is looked at whether the call is handled, denied (NOT_SUPPORTED, as
 *      kvm_smccc_call_handler's KVM_SMCCC_FILTER_DENY), or already completed by the gate itself
 *      (forwarded to the VMM, KVM_SMCCC_FILTER_FWD_TO_USER).
 *   4. Row lookup. No row: NOT_SUPPORTED (KVM: kvm_psci_call's default answer).
 *   5. Arguments: X1..X<argCount> of the row; for an SMC32/HVC32 call (bit 30 clear) only the
 *      low 32 bits (W1..Wn) count (DEN0028 section 3.1; KVM clears or truncates the top halves
 *      in every handler that reads them as u32). A handler that must see the full X register
 *      (KVM's TRNG_FEATURES compares all 64 bits) reads it from `call.cpu`.
 *   6. The handler's results go to X0..X<n-1>, negative values sign-extended to 64 bits.
 *      SMCCC 1.1 register rules (DEN0028 section 3.2): results only in X0..X3, and X4..X17
 *      are preserved, so the dispatcher never writes beyond X3. A handler that returns
 *      SMCCC_UNTOUCHED has written (or deliberately left) the registers itself: KVM's
 *      workaround fast path writes only X0/X1, PSCI SYSTEM_SUSPEND exits with none written.
 *
 * Where implementations differ, `profile` selects one (reference/psci-smccc.md 1.4, 1.5, 3.8):
 *
 *   behaviour                                   'kvm' (default)       'tf-a'
 *   X1..X3 not used for results                 zeroed                preserved
 *   SMCCC_ARCH_FEATURES(an Arm arch call that   NOT_SUPPORTED         SUCCESS
 *     has no discovery answer of its own,
 *     e.g. SMCCC_VERSION, ARCH_FEATURES)
 *
 * Both profiles answer SMCCC_VERSION with 1.1. That is KVM's answer; for 'tf-a' it is a
 * deliberate deviation (TF-A reports 1.2 in v2.x and 1.5 at HEAD, include/lib/smccc.h
 * SMCCC_MINOR_VERSION): the profile implements SMCCC 1.1's register rules and none of the
 * 1.2+ calls (SOC_ID, FEATURE_AVAILABILITY), so it does not claim a version whose calls it lacks.
 */
import type { Cpu, Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import { armArchService } from './arch.js';
import { decodeFid, fidHex, isSmc32 } from './fid.js';
import { SMCCC_RET_NOT_SUPPORTED, SMCCC_STATUS_NAMES, statusFromReg } from './status.js';

export type Conduit = 'hvc' | 'smc';
export type SmcccProfile = 'kvm' | 'tf-a';

/** SMCCC 1.1: results in X0..X3. */
export const SMCCC_MAX_RESULTS = 4;
/** SMCCC 1.2: arguments in X1..X17 (earlier versions use fewer; none uses more). */
export const SMCCC_MAX_ARGS = 17;

export type SmcccValue = number | bigint;
/**
 * A handler's answer: one value (X0), up to four (X0..X3), or SMCCC_UNTOUCHED when the handler
 * wrote the registers it defines itself and the dispatcher must write none.
 */
export type SmcccResult = SmcccValue | readonly SmcccValue[] | typeof SMCCC_UNTOUCHED;

/** See SmcccResult: "registers already final, write nothing". */
export const SMCCC_UNTOUCHED: unique symbol = Symbol('SMCCC_UNTOUCHED');

/**
 * What a gate decides for one call (step 3 above):
 *   'handle'  look the row up and run it;
 *   'deny'    NOT_SUPPORTED (with X1..X3 zeroed under the kvm profile), no row runs;
 *   'done'    the gate completed the call itself (for example it asked the Machine for a
 *             hypercall exit, leaving every register for the VMM); nothing more is written.
 */
export type SmcccGateAction = 'handle' | 'deny' | 'done';
/** Decides a call from its function ID (W0) before any row runs. Must not throw on guest input. */
export type SmcccGate = (fid: number, cpu: Cpu, conduit: Conduit, imm: number) => SmcccGateAction;

/** What a handler sees of one call. */
export interface SmcccCall {
  /** W0, unsigned. */
  readonly fid: number;
  /** X1..X<argCount>, each truncated to 32 bits for an SMC32/HVC32 function ID. */
  readonly args: readonly bigint[];
  readonly cpu: Cpu;
  readonly conduit: Conduit;
}

export interface SmcccFunction {
  readonly fid: number;
  /** The name the owning specification gives the call (e.g. PSCI_VERSION). */
  readonly name: string;
  /** How many argument registers (X1..) the call reads: 0..17. */
  readonly argCount: number;
  /** How many result registers (X0..) the call defines: 1..4. */
  readonly resultCount: number;
  readonly handler: (call: SmcccCall) => SmcccResult;
  /**
   * The answer SMCCC_ARCH_FEATURES gives for this ID, for calls that are discovered that way
   * (the workaround calls, PV time). Without it the answer follows the profile (see above).
   */
  readonly archFeatures?: (call: SmcccCall) => number;
}

/**
 * A service's table of rows (one per ABI: Arm architecture calls, PSCI, TRNG, ...), with the
 * names its specification gives its status codes (TRNG, PSCI and SMCCC number them differently:
 * -2 is NOT_REQUIRED in DEN0028, INVALID_PARAMETERS in DEN0022 and DEN0098).
 */
export interface SmcccService {
  readonly name: string;
  readonly functions: readonly SmcccFunction[];
  /** Status code -> name for this ABI; the SMCCC names (status.ts) when absent. */
  readonly status?: ReadonlyMap<number, string>;
}

export interface SmcccOptions {
  readonly profile?: SmcccProfile;
}

const U64 = (1n << 64n) - 1n;

/** A handler result value as the 64-bit register pattern written to Xn. */
function toReg(v: SmcccValue, row: SmcccFunction): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (!Number.isSafeInteger(v)) throw new HvlabError('EINVAL', `${row.name} returned ${v}, not an integer`);
  return v >= 0 ? BigInt(v) : BigInt(v) & U64; // one BigInt for the common non-negative case
}

function checkRow(row: SmcccFunction, service: string): void {
  const where = `${service}: ${row.name || '(unnamed)'}`;
  if (!Number.isInteger(row.fid) || row.fid < 0 || row.fid > 0xffff_ffff)
    throw new HvlabError('EINVAL', `${where}: function ID ${row.fid} is not an unsigned 32-bit value`);
  if (row.name.length === 0) throw new HvlabError('EINVAL', `${service}: function ${fidHex(row.fid)} has no name`);
  if (!Number.isInteger(row.argCount) || row.argCount < 0 || row.argCount > SMCCC_MAX_ARGS)
    throw new HvlabError('EINVAL', `${where}: argCount ${row.argCount} is outside 0..${SMCCC_MAX_ARGS}`);
  if (!Number.isInteger(row.resultCount) || row.resultCount < 1 || row.resultCount > SMCCC_MAX_RESULTS)
    throw new HvlabError('EINVAL', `${where}: resultCount ${row.resultCount} is outside 1..${SMCCC_MAX_RESULTS}`);
}

const NO_ARGS: readonly bigint[] = Object.freeze([]);

const UNKNOWN: SmcccFunction = {
  fid: 0,
  name: 'unknown function',
  argCount: 0,
  resultCount: 1,
  handler: () => SMCCC_RET_NOT_SUPPORTED,
};

export class SmcccDispatcher {
  readonly profile: SmcccProfile;
  private readonly rows = new Map<number, SmcccFunction>();
  private readonly owners = new Map<number, SmcccService>();
  private readonly services: SmcccService[] = [];
  private gate: SmcccGate | undefined;

  constructor(opts: SmcccOptions = {}) {
    const profile = opts.profile ?? 'kvm';
    if (profile !== 'kvm' && profile !== 'tf-a') throw new HvlabError('EINVAL', `unknown SMCCC profile ${profile}`);
    this.profile = profile;
    this.register(armArchService(this));
  }

  /** Adds a service's rows. Throws EINVAL for a malformed row, EEXIST if an ID is taken. */
  register(service: SmcccService): void {
    const seen = new Set<number>();
    for (const row of service.functions) {
      checkRow(row, service.name);
      const other = this.rows.get(row.fid);
      if (other || seen.has(row.fid))
        throw new HvlabError(
          'EEXIST',
          `${service.name}: ${row.name} ${fidHex(row.fid)} is already registered${other ? ` as ${other.name}` : ''}`,
        );
      seen.add(row.fid);
    }
    if (service.status)
      for (const [code, name] of service.status)
        if (!Number.isSafeInteger(code) || name.length === 0)
          throw new HvlabError('EINVAL', `${service.name}: bad status entry ${code} => '${name}'`);
    for (const row of service.functions) {
      this.rows.set(row.fid, row);
      this.owners.set(row.fid, service);
    }
    this.services.push(service);
  }

  /** Installs (or, with undefined, removes) the gate every call passes before its row runs. */
  setGate(gate: SmcccGate | undefined): void {
    if (gate !== undefined && typeof gate !== 'function') throw new HvlabError('EINVAL', 'an SMCCC gate is a function');
    this.gate = gate;
  }

  /** The service a registered function ID belongs to. */
  serviceOf(fid: number): SmcccService | undefined {
    return this.owners.get(fid);
  }

  /**
   * The name the ABI of `fid` gives the status in `x0` (W0 read as signed 32 bits), for traces:
   * statusName(0x84000053, -2n) is 'INVALID_PARAMETERS' (TRNG), statusName(0x80000001, -2n)
   * 'NOT_REQUIRED' (SMCCC). A value with no name is printed in decimal.
   */
  statusName(fid: number, x0: bigint | number): string {
    const s = typeof x0 === 'bigint' ? statusFromReg(x0) : x0;
    const table = this.owners.get(fid)?.status ?? SMCCC_STATUS_NAMES;
    return table.get(s) ?? SMCCC_STATUS_NAMES.get(s) ?? String(s);
  }

  has(fid: number): boolean {
    return this.rows.has(fid);
  }

  lookup(fid: number): SmcccFunction | undefined {
    return this.rows.get(fid);
  }

  /** The name of a registered call, e.g. for traces. */
  nameOf(fid: number): string | undefined {
    return this.rows.get(fid)?.name;
  }

  /** Every registered row, ordered by function ID. */
  functions(): readonly SmcccFunction[] {
    return [...this.rows.values()].sort((a, b) => a.fid - b.fid);
  }

  serviceNames(): readonly string[] {
    return this.services.map((s) => s.name);
  }

  /**
   * Routes the machine's exits of the given conduits here. A conduit left out keeps the
   * machine's default (UNDEF), as on QEMU virt where the unused conduit reaches no firmware.
   */
  attach(machine: Machine, conduits: Conduit | readonly Conduit[]): void {
    const list: readonly Conduit[] = typeof conduits === 'string' ? [conduits] : conduits;
    if (list.length === 0) throw new HvlabError('EINVAL', 'no SMCCC conduit given');
    for (const c of list) if (c !== 'hvc' && c !== 'smc') throw new HvlabError('EINVAL', `unknown conduit ${c}`);
    for (const c of list) {
      if (c === 'hvc') machine.onExit('hvc', (cpu, exit) => this.dispatch(cpu, 'hvc', exit.imm));
      else machine.onExit('smc', (cpu, exit) => this.dispatch(cpu, 'smc', exit.imm));
    }
  }

  /**
   * Performs the call the CPU just made through `conduit` with immediate `imm` (PC already past
   * the HVC/SMC) and writes its results. Guest input never throws.
   */
  dispatch(cpu: Cpu, conduit: Conduit, imm: number): void {
    if (conduit === 'smc' && imm !== 0) {
      cpu.setReg(0, U64); // NOT_SUPPORTED, nothing else touched (KVM handle_exit.c, handle_smc)
      return;
    }
    const fid = Number(cpu.getReg(0) & 0xffff_ffffn);
    const action = this.gate === undefined ? 'handle' : this.gate(fid, cpu, conduit, imm);
    if (action === 'done') return;
    const row = action === 'deny' ? UNKNOWN : (this.rows.get(fid) ?? UNKNOWN);
    let args: readonly bigint[] = NO_ARGS;
    if (row.argCount > 0) {
      const narrow = isSmc32(fid);
      const a: bigint[] = [];
      for (let i = 1; i <= row.argCount; i++) {
        const x = cpu.getReg(i);
        a.push(narrow ? x & 0xffff_ffffn : x);
      }
      args = a;
    }
    const result = row.handler({ fid, args, cpu, conduit });
    if (result === SMCCC_UNTOUCHED) return;
    // Written without intermediate arrays: this runs once per guest call.
    let n: number;
    if (Array.isArray(result)) {
      const values = result as readonly SmcccValue[];
      n = values.length;
      if (n < 1 || n > row.resultCount)
        throw new HvlabError('EINVAL', `${row.name} returned ${n} values, declared ${row.resultCount}`);
      const regs = values.map((v) => toReg(v, row)); // convert all before writing any
      for (let i = 0; i < n; i++) cpu.setReg(i, regs[i]!);
    } else {
      n = 1;
      cpu.setReg(0, toReg(result as SmcccValue, row));
    }
    if (this.profile === 'kvm') for (let i = n; i < SMCCC_MAX_RESULTS; i++) cpu.setReg(i, 0n);
  }

  /** The SMCCC_ARCH_FEATURES answer for `queried` (used by the Arm architecture service). */
  archFeatures(queried: number, call: SmcccCall): number {
    const row = this.rows.get(queried);
    if (!row) return SMCCC_RET_NOT_SUPPORTED;
    if (row.archFeatures) return row.archFeatures(call);
    if (this.profile === 'tf-a' && decodeFid(queried).owner === 0) return 0;
    return SMCCC_RET_NOT_SUPPORTED;
  }
}

/** Creates a dispatcher and routes `machine`'s exits of the given conduits to it. */
export function attachSmccc(
  machine: Machine,
  conduits: Conduit | readonly Conduit[],
  opts: SmcccOptions = {},
): SmcccDispatcher {
  const d = new SmcccDispatcher(opts);
  d.attach(machine, conduits);
  return d;
}
