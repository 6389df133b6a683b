/**
 * KVM firmware pseudo-registers: the per-VM table behind KVM_GET_ONE_REG / KVM_SET_ONE_REG for
 * the KVM_REG_ARM_FW (0x14) and KVM_REG_ARM_FW_FEAT_BMAP (0x16) coprocessor spaces
 * (linux Documentation/virt/kvm/arm/fw-pseudo-registers.rst; arch/arm64/kvm/hypercalls.c
 * kvm_arm_get_fw_reg / kvm_arm_set_fw_reg / kvm_arm_set_fw_reg_bmap).
 *
 * Each register is defined once per VM by the service that owns it (this package defines the
 * workaround and bitmap registers, @hvlab/psci defines KVM_REG_ARM_PSCI_VERSION) with its reset
 * value and a validate() rule. The view is per vCPU in KVM but the state is per VM, so one
 * table serves every vCPU.
 *
 * Two kinds of register:
 *   stored   the table holds the value (the bitmaps: kvm->arch.smccc_feat), starting at `reset`;
 *   live     the value lives elsewhere and is read when asked, as KVM reads it: `get()` (the
 *            PSCI version is the policy's, kvm_psci_version(); a workaround level is the host's,
 *            get_kernel_wa_level()). The table stores nothing for it, so the register can never
 *            disagree with what the guest is served.
 *
 * Rules common to every register (KVM):
 *   get(id)       unknown ID -> ENOENT; otherwise the value (never refused).
 *   set(id, v)    unknown ID -> ENOENT (an ID with another size field is another ID, so a
 *                 non-u64 access is ENOENT as in kvm_arm_set_fw_reg); then the register's
 *                 validate(v, { hasRun, current }) returns the value to store (a live register's
 *                 validate applies it to its owner itself) or throws (EINVAL, EBUSY); nothing
 *                 changes unless it returns.
 *
 * Bitmap registers (bitmapRegister below; kvm_arm_set_fw_reg_bmap):
 *   any bit outside the bits this kernel knows          -> EINVAL (checked first, also after
 *                                                          the VM ran)
 *   the VM ran (kvm_vm_has_ran_once) and v != current   -> EBUSY
 *   otherwise                                           -> stored (the same value after the
 *                                                          VM ran is accepted: migration
 *                                                          restores write every register)
 */
import {
  HvlabError,
  KVM_REG_ARCH_MASK,
  KVM_REG_ARM_COPROC_MASK,
  KVM_REG_ARM_FW,
  KVM_REG_ARM_FW_FEAT_BMAP,
  KVM_REG_ARM64,
  KVM_REG_SIZE_MASK,
  KVM_REG_SIZE_U64,
} from '@hvlab/core';

/** KVM_REG_ARM_FW_REG(r) (uapi asm/kvm.h). */
export const kvmFwRegId = (r: number): bigint => KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW | BigInt(r);
/** KVM_REG_ARM_FW_FEAT_BMAP_REG(r) (uapi asm/kvm.h). */
export const kvmFwFeatBmapRegId = (r: number): bigint =>
  KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW_FEAT_BMAP | BigInt(r);

export const KVM_REG_ARM_PSCI_VERSION = kvmFwRegId(0); // 0x6030000000140000
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1 = kvmFwRegId(1);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2 = kvmFwRegId(2);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3 = kvmFwRegId(3);
export const KVM_REG_ARM_STD_BMAP = kvmFwFeatBmapRegId(0); // 0x6030000000160000
export const KVM_REG_ARM_STD_HYP_BMAP = kvmFwFeatBmapRegId(1);
export const KVM_REG_ARM_VENDOR_HYP_BMAP = kvmFwFeatBmapRegId(2);
export const KVM_REG_ARM_VENDOR_HYP_BMAP_2 = kvmFwFeatBmapRegId(3);

/** KVM_REG_ARM_STD_BMAP bits: TRNG_VERSION..TRNG_RND64 (DEN0098). */
export const KVM_REG_ARM_STD_BIT_TRNG_V1_0 = 0;
/** KVM_REG_ARM_STD_HYP_BMAP bits: PV_TIME_FEATURES, PV_TIME_ST (DEN0057A). */
export const KVM_REG_ARM_STD_HYP_BIT_PV_TIME = 0;
/** KVM_REG_ARM_VENDOR_HYP_BMAP bits (vendor function numbers 0..63). */
export const KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT = 0;
export const KVM_REG_ARM_VENDOR_HYP_BIT_PTP = 1;
/** KVM_REG_ARM_VENDOR_HYP_BMAP_2 bits (vendor function numbers 64..127; Linux 6.16). */
export const KVM_REG_ARM_VENDOR_HYP_BIT_DISCOVER_IMPL_VER = 0;
export const KVM_REG_ARM_VENDOR_HYP_BIT_DISCOVER_IMPL_CPUS = 1;

/** GENMASK(count - 1, 0): every bit a kernel with `count` features knows. */
const genmask = (count: number): bigint => (1n << BigInt(count)) - 1n;
/** KVM_ARM_SMCCC_STD_FEATURES etc.: the bits each bitmap accepts (KVM_REG_ARM_*_BMAP_BIT_COUNT). */
export const KVM_ARM_SMCCC_STD_FEATURES = genmask(1);
export const KVM_ARM_SMCCC_STD_HYP_FEATURES = genmask(1);
export const KVM_ARM_SMCCC_VENDOR_HYP_FEATURES = genmask(2);
export const KVM_ARM_SMCCC_VENDOR_HYP_FEATURES_2 = genmask(2);

/** True for an ID in the firmware coprocessor spaces (where KVM routes to kvm_arm_*_fw_reg). */
export function isFirmwareRegId(id: bigint): boolean {
  if ((id & KVM_REG_ARCH_MASK) !== KVM_REG_ARM64) return false;
  const coproc = id & KVM_REG_ARM_COPROC_MASK;
  return coproc === KVM_REG_ARM_FW || coproc === KVM_REG_ARM_FW_FEAT_BMAP;
}

export interface FirmwareRegisterContext {
  /** A vCPU of the VM has run (Machine.hasRun; KVM kvm_vm_has_ran_once). */
  readonly hasRun: boolean;
  /** The value stored now. */
  readonly current: bigint;
}

interface FirmwareRegisterRules {
  readonly id: bigint;
  /** The uapi name, e.g. KVM_REG_ARM_STD_BMAP. */
  readonly name: string;
  /**
   * KVM's SET_ONE_REG rule: returns the value to store (a live register: the value it applied,
   * or ctx.current to accept and discard, as KVM does for the workaround registers) or throws
   * HvlabError (EINVAL, EBUSY) having changed nothing. `value` is already known to be a u64.
   */
  readonly validate: (value: bigint, ctx: FirmwareRegisterContext) => bigint;
}

/** A stored register: the table keeps its value, which starts at `reset`. */
export interface StoredFirmwareRegisterDef extends FirmwareRegisterRules {
  /** The value a new VM starts with. */
  readonly reset: bigint;
  readonly get?: undefined;
}

/** A live register: `get()` is its value whenever it is read (GET_ONE_REG, validate's current). */
export interface LiveFirmwareRegisterDef extends FirmwareRegisterRules {
  readonly get: () => bigint;
  readonly reset?: undefined;
}

export type FirmwareRegisterDef = StoredFirmwareRegisterDef | LiveFirmwareRegisterDef;

const U64_MAX = (1n << 64n) - 1n;
const hex = (v: bigint): string => `0x${v.toString(16)}`;
const isU64 = (v: unknown): v is bigint => typeof v === 'bigint' && v >= 0n && v <= U64_MAX;

/** The firmware pseudo-registers of one VM. */
export class FirmwareRegisters {
  private readonly defs = new Map<bigint, FirmwareRegisterDef>();
  private readonly values = new Map<bigint, bigint>();

  /** `vm.hasRun` is read on every set (a Machine fits). */
  constructor(private readonly vm: { readonly hasRun: boolean }) {}

  /**
   * Adds a register. Throws EINVAL for an ID outside the firmware spaces, a nameless
   * definition, or neither a u64 reset value nor a get() (or both); EEXIST if the ID is taken.
   */
  define(def: FirmwareRegisterDef): void {
    if (typeof def.id !== 'bigint' || !isFirmwareRegId(def.id) || (def.id & KVM_REG_SIZE_MASK) !== KVM_REG_SIZE_U64)
      throw new HvlabError('EINVAL', `${def.name}: ${String(def.id)} is not a u64 firmware register ID`);
    if (typeof def.name !== 'string' || def.name.length === 0)
      throw new HvlabError('EINVAL', `firmware register ${hex(def.id)} has no name`);
    if (def.get === undefined ? !isU64(def.reset) : typeof def.get !== 'function' || def.reset !== undefined)
      throw new HvlabError('EINVAL', `${def.name}: needs a u64 reset value or a get() function, not both`);
    if (typeof def.validate !== 'function') throw new HvlabError('EINVAL', `${def.name}: no validate rule`);
    const other = this.defs.get(def.id);
    if (other) throw new HvlabError('EEXIST', `${def.name}: ${hex(def.id)} is already defined as ${other.name}`);
    this.defs.set(def.id, def);
    if (def.get === undefined) this.values.set(def.id, def.reset);
  }

  has(id: bigint): boolean {
    return this.defs.has(id);
  }

  /** The uapi name of a defined register. */
  nameOf(id: bigint): string | undefined {
    return this.defs.get(id)?.name;
  }

  /** KVM_GET_ONE_REG. Throws ENOENT for an unknown ID. */
  get(id: bigint): bigint {
    const v = this.values.get(id); // stored registers first: the gate tests bitmaps per call
    if (v !== undefined) return v;
    const def = this.defs.get(id);
    if (def?.get === undefined) throw new HvlabError('ENOENT', `no firmware register ${hexId(id)}`);
    return this.live(def);
  }

  /** KVM_SET_ONE_REG. Throws ENOENT / EINVAL / EBUSY exactly as KVM; leaves state unchanged then. */
  set(id: bigint, value: bigint): void {
    const def = typeof id === 'bigint' ? this.defs.get(id) : undefined;
    if (!def) throw new HvlabError('ENOENT', `no firmware register ${hexId(id)}`);
    if (!isU64(value)) throw new HvlabError('EINVAL', `${def.name}: ${String(value)} is not a u64`);
    const current = def.get === undefined ? this.values.get(id)! : this.live(def);
    const stored = def.validate(value, { hasRun: this.vm.hasRun, current });
    if (!isU64(stored))
      throw new HvlabError('EINVAL', `${def.name}: its validate rule returned ${String(stored)}, not a u64`);
    if (def.get === undefined) this.values.set(id, stored);
  }

  private live(def: LiveFirmwareRegisterDef): bigint {
    const v = def.get();
    if (!isU64(v)) throw new HvlabError('EINVAL', `${def.name}: its get() returned ${String(v)}, not a u64`);
    return v;
  }

  /** Every defined ID, ascending (KVM's kvm_arm_fw_reg_ids order, which is ascending too). */
  ids(): bigint[] {
    return [...this.defs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Test helper for one bit of a register. */
  testBit(id: bigint, bit: number): boolean {
    return ((this.get(id) >> BigInt(bit)) & 1n) === 1n;
  }
}

function hexId(id: unknown): string {
  return typeof id === 'bigint' ? hex(id) : String(id);
}

/** A bitmap register with KVM's kvm_arm_set_fw_reg_bmap rule (see the top of this file). */
export function bitmapRegister(id: bigint, name: string, known: bigint, reset: bigint): StoredFirmwareRegisterDef {
  if ((reset & ~known) !== 0n) throw new HvlabError('EINVAL', `${name}: reset ${hex(reset)} has unknown bits`);
  return {
    id,
    name,
    reset,
    validate: (value, { hasRun, current }) => {
      if ((value & ~known) !== 0n)
        throw new HvlabError('EINVAL', `${name}: ${hex(value)} sets bits outside ${hex(known)} (unsupported feature)`);
      if (hasRun && value !== current)
        throw new HvlabError('EBUSY', `${name}: the VM has run; only the current value ${hex(current)} is accepted`);
      return value;
    },
  };
}

/**
 * The four bitmap registers with KVM's masks and defaults: STD, STD_HYP and VENDOR_HYP start
 * with every known bit set (kvm_arm_init_hypercalls), VENDOR_HYP_BMAP_2 starts at 0 (its
 * services are answered by the VMM through the SMCCC filter, so it is opt-in).
 */
export const KVM_BITMAP_REGISTERS: readonly StoredFirmwareRegisterDef[] = [
  bitmapRegister(KVM_REG_ARM_STD_BMAP, 'KVM_REG_ARM_STD_BMAP', KVM_ARM_SMCCC_STD_FEATURES, KVM_ARM_SMCCC_STD_FEATURES),
  bitmapRegister(
    KVM_REG_ARM_STD_HYP_BMAP,
    'KVM_REG_ARM_STD_HYP_BMAP',
    KVM_ARM_SMCCC_STD_HYP_FEATURES,
    KVM_ARM_SMCCC_STD_HYP_FEATURES,
  ),
  bitmapRegister(
    KVM_REG_ARM_VENDOR_HYP_BMAP,
    'KVM_REG_ARM_VENDOR_HYP_BMAP',
    KVM_ARM_SMCCC_VENDOR_HYP_FEATURES,
    KVM_ARM_SMCCC_VENDOR_HYP_FEATURES,
  ),
  bitmapRegister(
    KVM_REG_ARM_VENDOR_HYP_BMAP_2,
    'KVM_REG_ARM_VENDOR_HYP_BMAP_2',
    KVM_ARM_SMCCC_VENDOR_HYP_FEATURES_2,
    0n,
  ),
];
