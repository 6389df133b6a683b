/**
 * The SMCCC filter: VMM-chosen actions for ranges of function IDs (Linux 6.4+;
 * Documentation/virt/kvm/devices/vm.rst "KVM_ARM_VM_SMCCC_CTRL", arch/arm64/kvm/hypercalls.c
 * kvm_smccc_set_filter / kvm_smccc_filter_get_action).
 *
 * KVM's interface is KVM_SET_DEVICE_ATTR on the VM with group KVM_ARM_VM_SMCCC_CTRL (0),
 * attribute KVM_ARM_VM_SMCCC_FILTER (0) and the payload
 *   struct kvm_smccc_filter { u32 base; u32 nr_functions; u8 action; u8 pad[15]; }
 * covering [base, base + nr_functions). Actions:
 *   KVM_SMCCC_FILTER_HANDLE      0  KVM handles the call as if there were no filter
 *   KVM_SMCCC_FILTER_DENY        1  the guest gets NOT_SUPPORTED
 *   KVM_SMCCC_FILTER_FWD_TO_USER 2  the run ends with KVM_EXIT_HYPERCALL for the VMM
 *
 * set() checks, in KVM's order, each failure leaving the filter unchanged:
 *   1. pad not all zero                                          -> EINVAL
 *   2. end = base + nr_functions - 1 in u32 arithmetic (it wraps)
 *      is below base, or action >= 3                             -> EINVAL
 *   3. a vCPU of the VM has run (kvm_vm_has_ran_once)            -> EBUSY
 *   4. overlap with a configured range, or with the Arm Architecture
 *      ranges 0x80000000-0x8000FFFF and 0xC0000000-0xC000FFFF     -> EEXIST
 * Step 2 is kvm_smccc_set_filter's `u32 start, end; if (end < start || ...)`, so a zero count is
 * EINVAL at every base but 0, where `end` wraps to 0xFFFFFFFF: KVM then tries to insert the
 * whole space [0, 0xFFFFFFFF], which overlaps the reserved ranges (EEXIST; EBUSY once the VM
 * ran). The selftest smccc_filter.c test_invalid_nr_functions only tries a non-zero base.
 *
 * The Arm Architecture ranges: KVM inserts them with action HANDLE on the first configuration,
 * so that no VMM can intercept SMCCC_VERSION, ARCH_FEATURES or the Spectre workarounds (and
 * misstate the host's mitigations to the guest). A HANDLE range is indistinguishable from no
 * range, so here they are always checked for overlap and only appear in ranges() once the
 * first range is accepted — a refused set() leaves ranges() exactly as it was.
 *
 * action(fid): the action of the range holding fid, HANDLE when none does. The filter takes
 * precedence over the firmware bitmaps (kvm_smccc_get_action; KvmSmccc's gate).
 */
import { HvlabError } from '@hvlab/core';
import { fidHex } from './fid.js';

export const KVM_ARM_VM_SMCCC_CTRL = 0;
export const KVM_ARM_VM_SMCCC_FILTER = 0;
export const KVM_SMCCC_FILTER_HANDLE = 0;
export const KVM_SMCCC_FILTER_DENY = 1;
export const KVM_SMCCC_FILTER_FWD_TO_USER = 2;
export const NR_SMCCC_FILTER_ACTIONS = 3;

export type SmcccFilterAction = 'HANDLE' | 'DENY' | 'FWD_TO_USER';
const ACTIONS: readonly SmcccFilterAction[] = ['HANDLE', 'DENY', 'FWD_TO_USER'];

/** The numeric uapi value of an action. */
export const filterActionValue = (a: SmcccFilterAction): number => ACTIONS.indexOf(a);

export interface SmcccFilterRange {
  readonly base: number;
  /** Inclusive. */
  readonly end: number;
  readonly action: SmcccFilterAction;
  /** One of the two Arm Architecture ranges KVM inserts itself. */
  readonly reserved: boolean;
}

/** SMC32_ARCH_RANGE_BEGIN..END and SMC64_ARCH_RANGE_BEGIN..END (hypercalls.c). */
export const SMCCC_FILTER_RESERVED_RANGES: readonly SmcccFilterRange[] = [
  { base: 0x8000_0000, end: 0x8000_ffff, action: 'HANDLE', reserved: true },
  { base: 0xc000_0000, end: 0xc000_ffff, action: 'HANDLE', reserved: true },
];

const isU32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffff_ffff;

export class SmcccFilter {
  private list: SmcccFilterRange[] = [];
  /** Ranges whose action is not HANDLE exist (the fast path of action() skips the search otherwise). */
  private intervening = false;

  /** `vm.hasRun` is read on every set (a Machine fits). */
  constructor(private readonly vm: { readonly hasRun: boolean }) {}

  /**
   * Adds a range (KVM_SET_DEVICE_ATTR with a struct kvm_smccc_filter). `action` is the name or
   * the uapi number; `pad` the 15 pad bytes (all zero when omitted). Throws as listed above.
   */
  set(base: number, nrFunctions: number, action: SmcccFilterAction | number, pad?: ArrayLike<number>): void {
    if (pad !== undefined) {
      if (pad.length > 15) throw new HvlabError('EINVAL', `the filter's pad is 15 bytes, got ${pad.length}`);
      for (let i = 0; i < pad.length; i++)
        if (pad[i] !== 0) throw new HvlabError('EINVAL', 'the SMCCC filter pad must be zero');
    }
    if (!isU32(base)) throw new HvlabError('EINVAL', `filter base ${String(base)} is not a u32`);
    if (!isU32(nrFunctions)) throw new HvlabError('EINVAL', `filter nr_functions ${String(nrFunctions)} is not a u32`);
    const end = (base + nrFunctions - 1) >>> 0; // u32 end = start + filter.nr_functions - 1
    if (end < base)
      throw new HvlabError(
        'EINVAL',
        nrFunctions === 0
          ? 'a filter range of 0 functions'
          : `filter range ${fidHex(base)} + ${nrFunctions} runs past 0xFFFFFFFF`,
      );
    const act = typeof action === 'number' ? ACTIONS[action] : ACTIONS.includes(action) ? action : undefined;
    if (act === undefined) throw new HvlabError('EINVAL', `unknown SMCCC filter action ${String(action)}`);
    if (this.vm.hasRun) throw new HvlabError('EBUSY', 'the SMCCC filter is fixed once a vCPU has run');
    const all = this.list.length === 0 ? SMCCC_FILTER_RESERVED_RANGES : this.list;
    const clash = all.find((r) => base <= r.end && r.base <= end);
    if (clash)
      throw new HvlabError(
        'EEXIST',
        `filter range ${fidHex(base)}..${fidHex(end)} overlaps ${clash.reserved ? 'the reserved Arm Architecture range ' : ''}${fidHex(clash.base)}..${fidHex(clash.end)}`,
      );
    const next = [...all, { base, end, action: act, reserved: false }];
    next.sort((a, b) => a.base - b.base);
    this.list = next;
    this.intervening ||= act !== 'HANDLE';
  }

  /** kvm_smccc_filter_get_action. */
  action(fid: number): SmcccFilterAction {
    if (!this.intervening) return 'HANDLE';
    for (const r of this.list) {
      if (fid < r.base) break;
      if (fid <= r.end) return r.action;
    }
    return 'HANDLE';
  }

  /** True once a range was accepted (KVM: kvm_smccc_filter_configured). */
  get configured(): boolean {
    return this.list.length > 0;
  }

  /** Every range, ascending, the reserved ones included once configured. */
  ranges(): readonly SmcccFilterRange[] {
    return this.list;
  }
}
