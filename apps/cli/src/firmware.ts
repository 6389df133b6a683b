/**
 * The firmware flags of `hvlab run` — what a KVM VMM sets up before the first KVM_RUN:
 *
 *   --psci-version X.Y        KVM_REG_ARM_PSCI_VERSION (0.1 = vCPUs without KVM_ARM_VCPU_PSCI_0_2)
 *   --system-suspend          KVM_ENABLE_CAP(KVM_CAP_ARM_SYSTEM_SUSPEND)
 *   --fw-reg ID=VALUE         KVM_SET_ONE_REG on a firmware pseudo-register (repeatable)
 *   --smccc-filter B:N:ACT    KVM_SET_DEVICE_ATTR(KVM_ARM_VM_SMCCC_FILTER) (repeatable)
 *
 * Parsing (syntax) happens with the other flags (options.ts); applying happens on the VM right
 * after its firmware is installed, in command-line order, and a refusal is reported as KVM
 * reports it — the errno name and why — as one line without "error:" (the ioctl failed, not
 * hvlab): `hvlab: --fw-reg KVM_REG_ARM_STD_BMAP=0x2: EINVAL (unknown bits)`, exit status 2.
 */
import { isHvlabError, KVM_REG_ARM_COPROC_MASK, KVM_REG_ARM_FW_FEAT_BMAP } from '@hvlab/core';
import { KVM_PSCI_VERSIONS, type KvmFirmware, parsePsciVersion } from '@hvlab/psci';
import { isFirmwareRegId, type SmcccFilterAction } from '@hvlab/smccc';
import { EXIT } from './exit-codes.js';
import { UserError, usageError } from './values.js';

export interface FwRegSpec {
  /** As typed, for messages. */
  readonly text: string;
  /** A ONE_REG ID, or a register name to look up on the VM. */
  readonly id: bigint | string;
  readonly value: bigint;
}

export interface FilterSpec {
  readonly text: string;
  readonly base: number;
  readonly count: number;
  readonly action: SmcccFilterAction;
}

const U64_MAX = (1n << 64n) - 1n;

/** A u64 written in decimal or 0x-hex (`_` separators allowed), or undefined. */
function u64(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const v = BigInt(t);
  return v <= U64_MAX ? v : undefined;
}

/** --psci-version: MAJOR.MINOR, one of the versions KVM serves. Returns the PSCI_VERSION value. */
export function parsePsciVersionFlag(text: string): number {
  let v: number;
  try {
    v = parsePsciVersion(text);
  } catch {
    throw usageError(`--psci-version: '${text}' is not a PSCI version (MAJOR.MINOR, e.g. 1.3)`);
  }
  if (!KVM_PSCI_VERSIONS.includes(v))
    throw usageError(`--psci-version: ${text.trim()} is not a version KVM serves (0.1, 0.2, 1.0, 1.1, 1.2, 1.3)`);
  return v;
}

/** --fw-reg ID=VALUE: ID as 0x-hex/decimal or a KVM_REG_ARM_* name, VALUE a u64. */
export function parseFwReg(text: string): FwRegSpec {
  const m = /^([^=]+)=(.*)$/.exec(text);
  const bad = (why: string) => usageError(`--fw-reg: '${text}' ${why} (ID=VALUE, e.g. KVM_REG_ARM_STD_BMAP=0x1)`);
  if (!m) throw bad('is not ID=VALUE');
  const idText = m[1]!.trim();
  const id = /^[A-Za-z_][A-Za-z0-9_]*$/.test(idText) ? idText.toUpperCase() : u64(idText);
  if (id === undefined) throw bad('has an ID that is neither a number nor a register name');
  const value = u64(m[2]!);
  if (value === undefined) throw bad('has a VALUE that is not a 64-bit number');
  return { text, id, value };
}

const FILTER_ACTIONS: Record<string, SmcccFilterAction> = { handle: 'HANDLE', deny: 'DENY', fwd: 'FWD_TO_USER' };

/** --smccc-filter BASE:COUNT:ACTION: BASE and COUNT u32 (0x-hex or decimal), ACTION handle|deny|fwd. */
export function parseSmcccFilter(text: string): FilterSpec {
  const parts = text.split(':');
  const bad = (why: string) =>
    usageError(`--smccc-filter: '${text}' ${why} (BASE:COUNT:ACTION, e.g. 0x84000003:1:fwd)`);
  if (parts.length !== 3) throw bad('is not BASE:COUNT:ACTION');
  const [b, n, a] = parts as [string, string, string];
  const base = u64(b);
  const count = u64(n);
  if (base === undefined || base > 0xffff_ffffn) throw bad('has a BASE that is not a 32-bit function ID');
  if (count === undefined || count > 0xffff_ffffn) throw bad('has a COUNT that is not a 32-bit number');
  const action = FILTER_ACTIONS[a.trim().toLowerCase()];
  if (!action) throw bad('has an ACTION other than handle, deny or fwd');
  return { text, base: Number(base), count: Number(count), action };
}

/** Why KVM refused, as the line hvlab prints: "--flag TEXT: ERRNO (reason)". */
function kvmRefusal(flag: string, text: string, code: string, reason: string): UserError {
  return new UserError(EXIT.USAGE, `${flag} ${text}: ${code} (${reason})`, { bare: true });
}

/** Applies the SMCCC filter ranges, then the firmware registers, as the VMM's setup ioctls. */
export function applyFirmwareFlags(fw: KvmFirmware, filters: readonly FilterSpec[], regs: readonly FwRegSpec[]): void {
  for (const f of filters) {
    try {
      fw.smccc.setFilter(f.base, f.count, f.action);
    } catch (e) {
      if (!isHvlabError(e)) throw e;
      throw kvmRefusal('--smccc-filter', f.text, e.code, e.message);
    }
  }
  const table = fw.smccc.fwRegs;
  const byName = new Map(table.ids().map((id) => [table.nameOf(id)!, id]));
  for (const r of regs) {
    const id = typeof r.id === 'bigint' ? r.id : byName.get(r.id);
    if (id === undefined) throw kvmRefusal('--fw-reg', r.text, 'ENOENT', 'no such firmware register');
    if (!isFirmwareRegId(id) || !table.has(id))
      throw kvmRefusal('--fw-reg', r.text, 'ENOENT', 'no such firmware register');
    try {
      fw.vcpuRegs(0).setOneReg(id, r.value);
    } catch (e) {
      if (!isHvlabError(e)) throw e;
      const name = table.nameOf(id)!;
      // A feature bitmap refuses a value only for bits this KVM does not know (kvm_arm_set_fw_reg_bmap).
      const bitmap = (id & KVM_REG_ARM_COPROC_MASK) === KVM_REG_ARM_FW_FEAT_BMAP;
      const reason = e.code === 'EINVAL' && bitmap ? 'unknown bits' : e.message.replace(new RegExp(`^${name}: `), '');
      throw kvmRefusal('--fw-reg', r.text, e.code, reason);
    }
  }
}
