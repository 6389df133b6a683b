/**
 * The Spectre workaround calls (Arm DEN0028 section 7.5-7.7: SMCCC_ARCH_WORKAROUND_1/2/3) and
 * their firmware pseudo-registers, as KVM exposes them to a guest.
 *
 * KVM derives everything from the host's mitigation state (arch/arm64/kernel/proton-pack.c
 * arm64_get_spectre_v2_state / _v4_state / _bhb_state): one HostMitigations value feeds
 *
 *   state         ARCH_FEATURES(WA_1 or WA_3)   WA_1/WA_3 register     (hypercalls.c)
 *   vulnerable    NOT_SUPPORTED (-1)            NOT_AVAIL (0)
 *   mitigated     SUCCESS (0): call it          AVAIL (1)
 *   unaffected    UNAFFECTED (1)                NOT_REQUIRED (2)
 *
 *   state               ARCH_FEATURES(WA_2)     WA_2 register
 *   vulnerable          NOT_SUPPORTED (-1)      NOT_AVAIL (0)
 *   mitigated, SSBS     NOT_SUPPORTED (-1)      NOT_AVAIL (0)     the guest uses PSTATE.SSBS
 *   mitigated, no SSBS  NOT_REQUIRED (-2)       NOT_REQUIRED (3)  permanent host mitigation
 *   unaffected          NOT_REQUIRED (-2)       NOT_REQUIRED (3)
 *
 * so the registers and the guest's discovery answers always agree. The registers are live
 * (FirmwareRegisters' LiveFirmwareRegisterDef): GET_ONE_REG computes the level from the host
 * state each time, as kvm_arm_get_fw_reg calls get_kernel_wa_level(). SET_ONE_REG on a
 * workaround register is a compatibility check and stores nothing (kvm_arm_set_fw_reg): a VMM
 * restoring a migrated guest may claim the same or a *lower* level than this host offers, never
 * a higher one (EINVAL), so a guest never believes it is better protected than it is.
 *
 * "SSBS" is the VM's ID_AA64PFR1_EL1.SSBS (kvm_has_feat(kvm, ID_AA64PFR1_EL1, SSBS, IMP)),
 * which the VMM may change before the first run; KvmSmccc reads it from vCPU 0 whenever it
 * is needed unless the host description fixes it.
 *
 * The calls themselves: KVM's EL2 vector answers an HVC whose W0 is WORKAROUND_1, _2 or _3
 * before any other processing (arch/arm64/kvm/hyp/hyp-entry.S, el1_sync "fastest possible
 * path"): X0 = 0, X1 = 0 (scratch it used), X2..X17 untouched, whatever the mitigation state,
 * the SMCCC filter or the bitmaps say. The same IDs through the SMC conduit go the normal way and
 * are refused (NOT_SUPPORTED: they are neither default-allowed nor in a bitmap).
 *
 * Default host: 'unaffected' for all three — the interpreter executes nothing speculatively,
 * so that is the truthful answer for guests of hvlab; tests select the other states.
 */
import { HvlabError } from '@hvlab/core';
import { SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2, SMCCC_ARCH_WORKAROUND_3 } from './arch.js';
import type { SmcccFunction } from './dispatch.js';
import { SMCCC_UNTOUCHED } from './dispatch.js';
import type { LiveFirmwareRegisterDef } from './fwregs.js';
import {
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
  KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3,
} from './fwregs.js';
import {
  SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED,
  SMCCC_RET_NOT_REQUIRED,
  SMCCC_RET_NOT_SUPPORTED,
  SMCCC_RET_SUCCESS,
} from './status.js';

/** arm64_get_spectre_*_state() (arch/arm64/include/asm/spectre.h enum mitigation_state). */
export type SpectreState = 'vulnerable' | 'mitigated' | 'unaffected';

export interface HostMitigations {
  /** Spectre-v2, CVE-2017-5715 (WORKAROUND_1). */
  readonly spectreV2: SpectreState;
  /** Spectre-v4 / SSB, CVE-2018-3639 (WORKAROUND_2). */
  readonly spectreV4: SpectreState;
  /** Spectre-BHB, CVE-2022-23960 (WORKAROUND_3). */
  readonly spectreBhb: SpectreState;
  /** The VM has FEAT_SSBS (KVM: kvm_has_feat(kvm, ID_AA64PFR1_EL1, SSBS, IMP)). */
  readonly ssbs: boolean;
}

export const DEFAULT_HOST_MITIGATIONS: HostMitigations = {
  spectreV2: 'unaffected',
  spectreV4: 'unaffected',
  spectreBhb: 'unaffected',
  ssbs: false,
};

// Register levels (linux uapi asm/kvm.h).
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_AVAIL = 0n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_AVAIL = 1n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1_NOT_REQUIRED = 2n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL = 0n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_UNKNOWN = 1n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL = 2n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED = 3n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED = 1n << 4n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3_NOT_AVAIL = 0n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3_AVAIL = 1n;
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3_NOT_REQUIRED = 2n;
/** KVM_REG_FEATURE_LEVEL_MASK = GENMASK(3, 0) (hypercalls.c). */
export const KVM_REG_FEATURE_LEVEL_MASK = 0xfn;

const STATES: readonly SpectreState[] = ['vulnerable', 'mitigated', 'unaffected'];

/** Completes and checks a partial HostMitigations. Throws EINVAL for an unknown state. */
export function hostMitigations(m: Partial<HostMitigations> = {}): HostMitigations {
  const r = { ...DEFAULT_HOST_MITIGATIONS, ...m };
  for (const k of ['spectreV2', 'spectreV4', 'spectreBhb'] as const)
    if (!STATES.includes(r[k])) throw new HvlabError('EINVAL', `${k}: unknown mitigation state ${String(r[k])}`);
  if (typeof r.ssbs !== 'boolean') throw new HvlabError('EINVAL', 'ssbs must be a boolean');
  return r;
}

/** get_kernel_wa_level(): the level a workaround register reads (hypercalls.c). */
export function workaroundLevel(host: HostMitigations, which: 1 | 2 | 3): bigint {
  if (which === 2) {
    if (host.spectreV4 === 'vulnerable' || (host.spectreV4 === 'mitigated' && host.ssbs))
      return KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL;
    return KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED;
  }
  const s = which === 1 ? host.spectreV2 : host.spectreBhb;
  return s === 'vulnerable' ? 0n : s === 'mitigated' ? 1n : 2n;
}

/** The SMCCC_ARCH_FEATURES answer for WORKAROUND_<which> (kvm_smccc_call_handler). */
export function workaroundFeatures(host: HostMitigations, which: 1 | 2 | 3): number {
  if (which === 2) {
    if (host.spectreV4 === 'unaffected' || (host.spectreV4 === 'mitigated' && !host.ssbs))
      return SMCCC_RET_NOT_REQUIRED;
    return SMCCC_RET_NOT_SUPPORTED;
  }
  const s = which === 1 ? host.spectreV2 : host.spectreBhb;
  return s === 'vulnerable'
    ? SMCCC_RET_NOT_SUPPORTED
    : s === 'mitigated'
      ? SMCCC_RET_SUCCESS
      : SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * The three workaround registers with KVM's GET and SET rules (kvm_arm_get_fw_reg,
 * kvm_arm_set_fw_reg), reading the host state from `host` each time.
 */
export function workaroundRegisters(host: () => HostMitigations): LiveFirmwareRegisterDef[] {
  const wa13 = (id: bigint, which: 1 | 3): LiveFirmwareRegisterDef => {
    const name = `KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_${which}`;
    return {
      id,
      name,
      get: () => workaroundLevel(host(), which),
      validate: (value, { current: level }) => {
        if ((value & ~KVM_REG_FEATURE_LEVEL_MASK) !== 0n)
          throw new HvlabError('EINVAL', `${name}: ${hex(value)} has bits above the 4-bit level`);
        if (level < value)
          throw new HvlabError('EINVAL', `${name}: level ${value} is better than this host's ${level}`);
        return level;
      },
    };
  };
  const name2 = 'KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2';
  const wa2: LiveFirmwareRegisterDef = {
    id: KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2,
    name: name2,
    get: () => workaroundLevel(host(), 2),
    validate: (value, { current: level2 }) => {
      if ((value & ~(KVM_REG_FEATURE_LEVEL_MASK | KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED)) !== 0n)
        throw new HvlabError('EINVAL', `${name2}: ${hex(value)} has bits other than the level and ENABLED`);
      const lvl = value & KVM_REG_FEATURE_LEVEL_MASK;
      if (
        (value & KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_ENABLED) !== 0n &&
        lvl !== KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL
      )
        throw new HvlabError('EINVAL', `${name2}: ENABLED is only valid with level AVAIL`);
      // The four incoming levels fold to the only two KVM deals with.
      let folded: bigint;
      if (lvl === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL || lvl === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_UNKNOWN)
        folded = KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_AVAIL;
      else if (
        lvl === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_AVAIL ||
        lvl === KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED
      )
        folded = KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2_NOT_REQUIRED;
      else throw new HvlabError('EINVAL', `${name2}: unknown level ${lvl}`);
      if (level2 < folded) throw new HvlabError('EINVAL', `${name2}: level ${lvl} is better than this host's`);
      return level2;
    },
  };
  return [wa13(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 1), wa2, wa13(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3, 3)];
}

/** The workaround call IDs KVM's EL2 vector answers for the HVC conduit. */
export const WORKAROUND_FIDS: readonly number[] = [
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
];

/**
 * Rows for the three workaround calls: each answers SMCCC_ARCH_FEATURES from the host state and,
 * when it runs, does what KVM's hyp-entry.S fast path does (X0 = 0, X1 = 0, nothing else).
 */
export function workaroundRows(host: () => HostMitigations): SmcccFunction[] {
  const row = (fid: number, which: 1 | 2 | 3): SmcccFunction => ({
    fid,
    name: `SMCCC_ARCH_WORKAROUND_${which}`,
    // WORKAROUND_2 takes W1 = enable/disable; KVM's fast path ignores it.
    argCount: which === 2 ? 1 : 0,
    resultCount: 2,
    handler: (call) => {
      call.cpu.setReg(0, 0n);
      call.cpu.setReg(1, 0n);
      return SMCCC_UNTOUCHED;
    },
    archFeatures: () => workaroundFeatures(host(), which),
  });
  return [row(SMCCC_ARCH_WORKAROUND_1, 1), row(SMCCC_ARCH_WORKAROUND_2, 2), row(SMCCC_ARCH_WORKAROUND_3, 3)];
}
