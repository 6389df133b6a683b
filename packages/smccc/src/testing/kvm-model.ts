/**
 * Test support: an executable model of KVM's SMCCC rules, written from linux
 * arch/arm64/kvm/hypercalls.c and hyp/hyp-entry.S independently of the implementation (plain
 * data, the rules as KVM states them), for property tests that check KvmSmccc — alone or with
 * @hvlab/psci — against it after every step.
 *
 *   modelSetFwReg   kvm_arm_set_fw_reg / kvm_arm_set_fw_reg_bmap: the errno, or undefined and
 *                   the model updated
 *   modelSetFilter  kvm_smccc_set_filter (u32 arithmetic for the range end)
 *   modelGate       what happens to a call before any service runs: the EL2 fast path of
 *                   hyp-entry.S, then kvm_smccc_get_action (filter, bitmaps, default-allowed)
 */
import {
  KVM_REG_ARM_PSCI_VERSION,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from '../fwregs.js';
import type { HostMitigations } from '../workarounds.js';

/** The bits each bitmap register accepts (KVM_ARM_SMCCC_*_FEATURES). */
export const MODEL_BITMAPS: ReadonlyMap<bigint, bigint> = new Map([
  [KVM_REG_ARM_STD_BMAP, 0b1n],
  [KVM_REG_ARM_STD_HYP_BMAP, 0b1n],
  [KVM_REG_ARM_VENDOR_HYP_BMAP, 0b11n],
  [KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0b11n],
]);

const PSCI_0_1 = 0x1n;
const PSCI_0_2_AND_UP = [0x2n, 0x1_0000n, 0x1_0001n, 0x1_0002n, 0x1_0003n];

export interface ModelRange {
  readonly base: number;
  /** Inclusive. */
  readonly end: number;
  readonly action: number;
}

export interface KvmModel {
  readonly host: HostMitigations;
  /** Every firmware register as GET_ONE_REG reads it. */
  readonly regs: Map<bigint, bigint>;
  hasRun: boolean;
  /** The VMM's filter ranges (the reserved Arm ranges are implicit). */
  readonly ranges: ModelRange[];
  /** The vCPUs have KVM_ARM_VCPU_PSCI_0_2 (only with `psciVersion`). */
  readonly psci02: boolean;
}

export function workaroundLevelModel(host: HostMitigations, which: 1 | 2 | 3): bigint {
  if (which === 2) return host.spectreV4 === 'vulnerable' || (host.spectreV4 === 'mitigated' && host.ssbs) ? 0n : 3n;
  const s = which === 1 ? host.spectreV2 : host.spectreBhb;
  return { vulnerable: 0n, mitigated: 1n, unaffected: 2n }[s];
}

/**
 * A new VM (kvm_arm_init_hypercalls). With `psci`, KVM_REG_ARM_PSCI_VERSION exists (PSCI is
 * installed) starting at `psci.version`.
 */
export function newKvmModel(host: HostMitigations, psci?: { readonly version: number; readonly psci02: boolean }) {
  const regs = new Map<bigint, bigint>([
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, workaroundLevelModel(host, 1)],
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2, workaroundLevelModel(host, 2)],
    [KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, workaroundLevelModel(host, 3)],
    [KVM_REG_ARM_STD_BMAP, 1n],
    [KVM_REG_ARM_STD_HYP_BMAP, 1n],
    [KVM_REG_ARM_VENDOR_HYP_BMAP, 3n],
    [KVM_REG_ARM_VENDOR_HYP_BMAP_2, 0n],
  ]);
  if (psci) regs.set(KVM_REG_ARM_PSCI_VERSION, BigInt(psci.version));
  const m: KvmModel = { host, regs, hasRun: false, ranges: [], psci02: psci?.psci02 ?? true };
  return m;
}

/** KVM_SET_ONE_REG on a firmware register: the errno, or undefined (and the model updated). */
export function modelSetFwReg(m: KvmModel, id: bigint, v: bigint): string | undefined {
  const cur = m.regs.get(id);
  if (cur === undefined) return 'ENOENT';
  if (id === KVM_REG_ARM_PSCI_VERSION) {
    // No EBUSY rule: only the versions this vCPU feature set allows.
    const ok = m.psci02 ? PSCI_0_2_AND_UP.includes(v) : v === PSCI_0_1;
    if (!ok) return 'EINVAL';
    m.regs.set(id, v);
    return undefined;
  }
  const known = MODEL_BITMAPS.get(id);
  if (known !== undefined) {
    if ((v & ~known) !== 0n) return 'EINVAL';
    if (m.hasRun && v !== cur) return 'EBUSY';
    m.regs.set(id, v);
    return undefined;
  }
  if (id === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2) {
    if ((v & ~0x1fn) !== 0n) return 'EINVAL';
    const lvl = v & 0xfn;
    if ((v & 0x10n) !== 0n && lvl !== 2n) return 'EINVAL';
    if (lvl > 3n) return 'EINVAL';
    return (lvl >= 2n ? 3n : 0n) > cur ? 'EINVAL' : undefined;
  }
  // WORKAROUND_1 / _3: a 4-bit level no better than the host's; nothing stored.
  return v > 0xfn || v > cur ? 'EINVAL' : undefined;
}

/** KVM_ARM_VM_SMCCC_FILTER: the errno, or undefined (and the range added). */
export function modelSetFilter(m: KvmModel, base: number, count: number, action: number): string | undefined {
  const end = (base + count - 1) >>> 0; // u32 start, end
  if (end < base || action >= 3) return 'EINVAL';
  if (m.hasRun) return 'EBUSY';
  const taken = [{ base: 0x8000_0000, end: 0x8000_ffff }, { base: 0xc000_0000, end: 0xc000_ffff }, ...m.ranges];
  if (taken.some((r) => base <= r.end && r.base <= end)) return 'EEXIST';
  m.ranges.push({ base, end, action });
  return undefined;
}

/** KVM's bitmap bit for a function ID (kvm_smccc_test_fw_bmap), as [register, mask]. */
function bitmapOf(fid: number): [bigint, bigint] | undefined {
  if (fid >= 0x8400_0050 && fid <= 0x8400_0053) return [KVM_REG_ARM_STD_BMAP, 1n];
  if (fid === 0xc400_0053) return [KVM_REG_ARM_STD_BMAP, 1n];
  if (fid === 0xc500_0020 || fid === 0xc500_0021) return [KVM_REG_ARM_STD_HYP_BMAP, 1n];
  if (fid === 0x8600_0000 || fid === 0x8600_ff01) return [KVM_REG_ARM_VENDOR_HYP_BMAP, 1n];
  if (fid === 0x8600_0001) return [KVM_REG_ARM_VENDOR_HYP_BMAP, 2n];
  return undefined;
}

/** kvm_smccc_default_allowed. */
function defaultAllowed(fid: number): boolean {
  if (fid === 0x8000_0000 || fid === 0x8000_0001) return true;
  if (((fid >>> 24) & 0x3f) === 4 && (fid & 0xffff) <= 0x1f) return true;
  return fid >= 0x95c1_ba5e && fid <= 0x95c1_ba61;
}

/**
 * What KVM does with a call before any service answers it:
 *   'fast-path'  hyp-entry.S answered a workaround HVC (X0 = X1 = 0, nothing else)
 *   'deny'       NOT_SUPPORTED, X1..X3 = 0 (filter DENY, or no bitmap bit and not default-allowed)
 *   'forward'    KVM_EXIT_HYPERCALL, no register touched
 *   'handle'     the service answers
 */
export function modelGate(
  m: KvmModel,
  fid: number,
  conduit: 'hvc' | 'smc',
): 'fast-path' | 'deny' | 'forward' | 'handle' {
  if (conduit === 'hvc' && (fid === 0x8000_8000 || fid === 0x8000_7fff || fid === 0x8000_3fff)) return 'fast-path';
  const r = m.ranges.find((x) => fid >= x.base && fid <= x.end);
  if (r?.action === 1) return 'deny';
  if (r?.action === 2) return 'forward';
  const bit = bitmapOf(fid);
  if (bit && (m.regs.get(bit[0])! & bit[1]) !== 0n) return 'handle';
  return defaultAllowed(fid) ? 'handle' : 'deny';
}
