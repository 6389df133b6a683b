/**
 * The SMCCC dispatcher: one table of function rows, reached from the HVC and/or SMC conduit.
 *
 * A service (Arm architecture calls, PSCI, later TRNG, KVM vendor calls, PV time, ...) is a table
 * of rows `{ fid, name, argCount, resultCount, handler }`; services register into the one
 * dispatcher of a machine, which refuses two rows for the same function ID.
 *
 * One call, in order (mirrors linux arch/arm64/kvm/handle_exit.c and hypercalls.c):
 *   1. Conduit. An HVC exit is a call whatever its immediate (KVM does not check it). An SMC
 *      exit with a non-zero imm16 is reserved (DEN0028 section 2.9): X0 = -1 and nothing else.
 *      In both cases PC already points past the instruction (core/src/exit.ts).
 *   2. Function ID = W0 (the low 32 bits of X0). No row: NOT_SUPPORTED.
 *   3. Arguments: X1..X<argCount> of the row; for an SMC32/HVC32 call (bit 30 clear) only the
 *      low 32 bits (W1..Wn) count (DEN0028 section 3.1; KVM clears the top halves).
 *   4. The handler's results go to X0..X<n-1>, negative values sign-extended to 64 bits.
 *      SMCCC 1.1 register rules (DEN0028 section 3.2): results only in X0..X3, and X4..X17
 *      are preserved, so the dispatcher never writes beyond X3.
 *
 * Where implementations differ, `profile` selects one (reference/psci-smccc.md 1.4, 1.5, 3.8):
 *
 *   behaviour                                   'kvm' (default)       'tf-a'
 *   X1..X3 not used for results                 zeroed                preserved
 *   SMCCC_ARCH_FEATURES(an Arm arch call that   NOT_SUPPORTED         SUCCESS
 *     has no discovery answer of its own,
 *     e.g. SMCCC_VERSION, ARCH_FEATURES)
 */
import type { Cpu, Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import { armArchService } from './arch.js';
import { decodeFid, fidHex, isSmc32 } from './fid.js';
import { SMCCC_RET_NOT_SUPPORTED } from './status.js';

export type Conduit = 'hvc' | 'smc';
export type SmcccProfile = 'kvm' | 'tf-a';

/** SMCCC 1.1: results in X0..X3. */
export const SMCCC_MAX_RESULTS = 4;
/** SMCCC 1.2: arguments in X1..X17 (earlier versions use fewer; none uses more). */
export const SMCCC_MAX_ARGS = 17;

export type SmcccValue = number | bigint;
/** One value (X0) or up to four (X0..X3). */
export type SmcccResult = SmcccValue | readonly SmcccValue[];

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

/** A service's table of rows (one per ABI: Arm architecture calls, PSCI, ...). */
export interface SmcccService {
  readonly name: string;
  readonly functions: readonly SmcccFunction[];
}

export interface SmcccOptions {
  readonly profile?: SmcccProfile;
}

const U64 = (1n << 64n) - 1n;

/** A handler result value as the 64-bit register pattern written to Xn. */
function toReg(v: SmcccValue, row: SmcccFunction): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (!Number.isSafeInteger(v)) throw new HvlabError('EINVAL', `${row.name} returned ${v}, not an integer`);
  return BigInt(v) & U64;
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
  private readonly services: SmcccService[] = [];

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
    for (const row of service.functions) this.rows.set(row.fid, row);
    this.services.push(service);
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
    const row = this.rows.get(fid) ?? UNKNOWN;
    const args: bigint[] = [];
    const narrow = isSmc32(fid);
    for (let i = 1; i <= row.argCount; i++) {
      const x = cpu.getReg(i);
      args.push(narrow ? x & 0xffff_ffffn : x);
    }
    const result = row.handler({ fid, args, cpu, conduit });
    const values: readonly SmcccValue[] = Array.isArray(result) ? result : [result as SmcccValue];
    if (values.length < 1 || values.length > row.resultCount)
      throw new HvlabError('EINVAL', `${row.name} returned ${values.length} values, declared ${row.resultCount}`);
    const regs = values.map((v) => toReg(v, row));
    for (let i = 0; i < regs.length; i++) cpu.setReg(i, regs[i]!);
    if (this.profile === 'kvm') for (let i = regs.length; i < SMCCC_MAX_RESULTS; i++) cpu.setReg(i, 0n);
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
