/**
 * KvmSmccc: the SMCCC firmware a KVM VM sees, for one hvlab Machine (one VM).
 *
 * It owns the dispatcher (profile 'kvm'), the firmware pseudo-registers, the SMCCC filter, the
 * PV-time state, and the services KVM implements in the kernel: the Arm architecture calls and
 * Spectre workarounds, TRNG 1.0, KVM's vendor calls (UID, FEATURES, PTP) and PV time. PSCI
 * (@hvlab/psci) registers its rows into the same dispatcher and its KVM_REG_ARM_PSCI_VERSION into
 * the same register table.
 *
 * Every guest call goes through the gate below before a row runs — kvm_smccc_call_handler in
 * linux arch/arm64/kvm/hypercalls.c, preceded by the EL2 vector's workaround fast path
 * (arch/arm64/kvm/hyp/hyp-entry.S):
 *
 *   0. HVC with W0 = SMCCC_ARCH_WORKAROUND_1/2/3      -> handled (X0 = 0, X1 = 0), nothing else
 *                                                        consulted
 *   1. filter action for W0 (kvm_smccc_get_action; the filter overrides the bitmaps):
 *        DENY        -> NOT_SUPPORTED, X1..X3 = 0
 *        FWD_TO_USER -> the run ends with RunResult 'hypercall' {cpu, conduit, imm, nr = W0};
 *                       no register is touched (PC is already past the HVC/SMC); the VMM
 *                       reads and writes X0..X17 with Cpu.getReg/setReg (or ONE_REG) and runs
 *                       again
 *        HANDLE      -> step 2
 *   2. allowed if its bitmap bit is set (kvm_smccc_test_fw_bmap; tested second here, after the
 *      disjoint always-allowed set, so that the PSCI calls take the shortest path):
 *        TRNG_VERSION, _FEATURES, _GET_UUID, _RND32, _RND64   STD_BMAP bit 0 (TRNG_V1_0)
 *        PV_TIME_FEATURES, PV_TIME_ST                         STD_HYP_BMAP bit 0 (PV_TIME)
 *        VENDOR_HYP_CALL_UID, VENDOR_HYP_KVM_FEATURES         VENDOR_HYP_BMAP bit 0 (FUNC_FEAT)
 *        VENDOR_HYP_KVM_PTP                                   VENDOR_HYP_BMAP bit 1 (PTP)
 *      or if it is always allowed (kvm_smccc_default_allowed): SMCCC_VERSION,
 *      SMCCC_ARCH_FEATURES, any ID with owner 4 and function number 0x00..0x1F (PSCI 0.2+,
 *      whatever its other bits), KVM's PSCI 0.1 IDs 0x95C1BA5E..0x95C1BA61;
 *      otherwise NOT_SUPPORTED, X1..X3 = 0
 *   3. the row runs (no row: NOT_SUPPORTED, as kvm_psci_call's default) and X0..X3 are written,
 *      X1..X3 zero unless used.
 * VENDOR_HYP_BMAP_2's bits gate nothing in KVM: DISCOVER_IMPL_* reach a guest only through the
 * filter's FWD_TO_USER.
 *
 * SMCCC_ARCH_FEATURES (always allowed) answers WORKAROUND_1/2/3 from the host mitigation state,
 * PV_TIME_FEATURES from STD_HYP_BMAP bit 0 alone, and NOT_SUPPORTED for every other ID,
 * SMCCC_VERSION and ARCH_FEATURES included (KVM, unlike TF-A).
 */
import type { Cpu, Machine } from '@hvlab/core';
import {
  cpuOneRegList,
  getCpuOneReg,
  HvlabError,
  isHvlabError,
  KVM_REG_ARM_COPROC_MASK,
  KVM_REG_ARM_CORE,
  SysReg,
  setCpuOneReg,
} from '@hvlab/core';
import {
  SMCCC_ARCH_FEATURES,
  SMCCC_ARCH_WORKAROUND_1,
  SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3,
  SMCCC_VERSION,
} from './arch.js';
import type { Conduit, SmcccGateAction } from './dispatch.js';
import { SmcccDispatcher } from './dispatch.js';
import { OEN_STD_START, SMCCC_FUNC_MASK, SMCCC_OWNER_MASK, SMCCC_OWNER_SHIFT } from './fid.js';
import type { SmcccFilterAction } from './filter.js';
import { SmcccFilter } from './filter.js';
import {
  FirmwareRegisters,
  isFirmwareRegId,
  KVM_BITMAP_REGISTERS,
  KVM_REG_ARM_STD_BIT_TRNG_V1_0,
  KVM_REG_ARM_STD_BMAP,
  KVM_REG_ARM_STD_HYP_BIT_PV_TIME,
  KVM_REG_ARM_STD_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT,
  KVM_REG_ARM_VENDOR_HYP_BIT_PTP,
  KVM_REG_ARM_VENDOR_HYP_BMAP,
  KVM_REG_ARM_VENDOR_HYP_BMAP_2,
} from './fwregs.js';
import {
  ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
  ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
  kvmVendorService,
  type WallClock,
} from './kvm-vendor.js';
import { ARM_SMCCC_HV_PV_TIME_FEATURES, ARM_SMCCC_HV_PV_TIME_ST, PvTime } from './pvtime.js';
import { SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_SUCCESS, SMCCC_STATUS_NAMES } from './status.js';
import {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
  type EntropySource,
  trngService,
} from './trng.js';
import { type HostMitigations, hostMitigations, workaroundRegisters, workaroundRows } from './workarounds.js';

/** KVM_PSCI_FN_BASE (uapi asm/kvm.h): KVM's PSCI 0.1 IDs are KVM_PSCI_FN(0..3). */
export const KVM_PSCI_FN_BASE = 0x95c1_ba5e;
export const KVM_PSCI_FN = (n: number): number => KVM_PSCI_FN_BASE + n;

export interface BitmapGate {
  readonly reg: bigint;
  readonly bit: number;
}
const GATE_TRNG: BitmapGate = { reg: KVM_REG_ARM_STD_BMAP, bit: KVM_REG_ARM_STD_BIT_TRNG_V1_0 };
const GATE_PV_TIME: BitmapGate = { reg: KVM_REG_ARM_STD_HYP_BMAP, bit: KVM_REG_ARM_STD_HYP_BIT_PV_TIME };
const GATE_FUNC_FEAT: BitmapGate = { reg: KVM_REG_ARM_VENDOR_HYP_BMAP, bit: KVM_REG_ARM_VENDOR_HYP_BIT_FUNC_FEAT };
const GATE_PTP: BitmapGate = { reg: KVM_REG_ARM_VENDOR_HYP_BMAP, bit: KVM_REG_ARM_VENDOR_HYP_BIT_PTP };

/** The bitmap bit that gates a function ID in KVM (kvm_smccc_test_fw_bmap), if any. */
export function kvmSmcccBitmapFor(fid: number): BitmapGate | undefined {
  switch (fid) {
    case ARM_SMCCC_TRNG_VERSION:
    case ARM_SMCCC_TRNG_FEATURES:
    case ARM_SMCCC_TRNG_GET_UUID:
    case ARM_SMCCC_TRNG_RND32:
    case ARM_SMCCC_TRNG_RND64:
      return GATE_TRNG;
    case ARM_SMCCC_HV_PV_TIME_FEATURES:
    case ARM_SMCCC_HV_PV_TIME_ST:
      return GATE_PV_TIME;
    case ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID:
    case ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID:
      return GATE_FUNC_FEAT;
    case ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID:
      return GATE_PTP;
    default:
      return undefined;
  }
}

/** kvm_smccc_default_allowed: the IDs no bitmap gates. */
export function kvmSmcccDefaultAllowed(fid: number): boolean {
  if (fid === SMCCC_VERSION || fid === SMCCC_ARCH_FEATURES) return true;
  // PSCI 0.2 and up: owner 4, function number 0..0x1F (ARM_SMCCC_OWNER_NUM / ARM_SMCCC_FUNC_NUM).
  if (((fid >>> SMCCC_OWNER_SHIFT) & SMCCC_OWNER_MASK) === OEN_STD_START && (fid & SMCCC_FUNC_MASK) <= 0x1f)
    return true;
  return fid >= KVM_PSCI_FN(0) && fid <= KVM_PSCI_FN(3);
}

export interface KvmSmcccOptions {
  /**
   * The host's Spectre state behind the WORKAROUND registers and ARCH_FEATURES answers (default:
   * unaffected). Without `ssbs`, the VM's SSBS is read from vCPU 0's ID_AA64PFR1_EL1 each time it
   * matters, as KVM's kvm_has_feat(kvm, ID_AA64PFR1_EL1, SSBS, IMP) reads the VM's ID register.
   */
  readonly mitigations?: Partial<HostMitigations>;
  /** TRNG entropy (default: globalThis.crypto.getRandomValues). */
  readonly entropy?: EntropySource;
  /** PTP wall clock, ns since the epoch (default: the host's real time). */
  readonly wallClock?: WallClock;
  /** Attach to these conduits right away (same as calling attach()). */
  readonly conduits?: Conduit | readonly Conduit[];
}

/** One vCPU's KVM_GET_ONE_REG / KVM_SET_ONE_REG / KVM_GET_REG_LIST. */
export interface VcpuOneRegs {
  /** Throws HvlabError ENOENT for an unknown ID. */
  getOneReg(id: bigint): bigint;
  /** Throws HvlabError ENOENT / EINVAL / EBUSY as KVM does. */
  setOneReg(id: bigint, value: bigint): void;
  /** Core registers, then the firmware registers, then the system registers (KVM's order). */
  regList(): bigint[];
}

const U64_MAX = (1n << 64n) - 1n;

/** ID_AA64PFR1_EL1.SSBS (bits 7:4) of a CPU, false if the backend has no such register. */
function cpuHasSsbs(cpu: Cpu | undefined): boolean {
  if (!cpu) return false;
  try {
    return ((cpu.getSysReg(SysReg.ID_AA64PFR1_EL1) >> 4n) & 0xfn) !== 0n;
  } catch (e) {
    if (isHvlabError(e) && e.code === 'ENOENT') return false;
    throw e;
  }
}

export class KvmSmccc {
  readonly dispatcher = new SmcccDispatcher({ profile: 'kvm' });
  readonly fwRegs: FirmwareRegisters;
  readonly filter: SmcccFilter;
  readonly pvTime: PvTime;
  /** The host's Spectre states (fixed) and, if the VMM fixed it, the VM's SSBS. */
  private readonly host: HostMitigations;
  private readonly fixedSsbs: boolean | undefined;

  constructor(
    readonly machine: Machine,
    opts: KvmSmcccOptions = {},
  ) {
    this.fixedSsbs = opts.mitigations?.ssbs;
    this.host = hostMitigations({ ...opts.mitigations, ssbs: this.fixedSsbs ?? false });
    this.fwRegs = new FirmwareRegisters(machine);
    this.filter = new SmcccFilter(machine);
    this.pvTime = new PvTime(machine);
    const host = (): HostMitigations => this.mitigations;
    for (const def of workaroundRegisters(host)) this.fwRegs.define(def);
    for (const def of KVM_BITMAP_REGISTERS) this.fwRegs.define(def);

    this.dispatcher.register({
      name: 'Arm Architecture Calls: Spectre workarounds',
      status: SMCCC_STATUS_NAMES,
      functions: workaroundRows(host),
    });
    this.dispatcher.register(trngService(opts.entropy));
    this.dispatcher.register(
      kvmVendorService({
        bitmaps: () => ({
          bmap: this.fwRegs.get(KVM_REG_ARM_VENDOR_HYP_BMAP),
          bmap2: this.fwRegs.get(KVM_REG_ARM_VENDOR_HYP_BMAP_2),
        }),
        ...(opts.wallClock ? { wallClock: opts.wallClock } : {}),
      }),
    );
    this.dispatcher.register(
      this.pvTime.service(() =>
        this.fwRegs.testBit(KVM_REG_ARM_STD_HYP_BMAP, KVM_REG_ARM_STD_HYP_BIT_PV_TIME)
          ? SMCCC_RET_SUCCESS
          : SMCCC_RET_NOT_SUPPORTED,
      ),
    );
    this.dispatcher.setGate((fid, cpu, conduit, imm) => this.gate(fid, cpu, conduit, imm));
    if (opts.conduits !== undefined) this.attach(opts.conduits);
  }

  /**
   * The host mitigation state as it is now: the Spectre states given at construction and the
   * VM's SSBS (fixed by the options, else vCPU 0's ID_AA64PFR1_EL1.SSBS at this moment).
   */
  get mitigations(): HostMitigations {
    const ssbs = this.fixedSsbs ?? cpuHasSsbs(this.machine.cpus[0]);
    return ssbs === this.host.ssbs ? this.host : { ...this.host, ssbs };
  }

  /** Routes the Machine's HVC and/or SMC exits to this firmware. */
  attach(conduits: Conduit | readonly Conduit[]): void {
    this.dispatcher.attach(this.machine, conduits);
  }

  /** What happens to a call before its row runs (the table at the top of this file). */
  gate(fid: number, cpu: Cpu, conduit: Conduit, imm: number): SmcccGateAction {
    if (
      conduit === 'hvc' &&
      (fid === SMCCC_ARCH_WORKAROUND_1 || fid === SMCCC_ARCH_WORKAROUND_2 || fid === SMCCC_ARCH_WORKAROUND_3)
    )
      return 'handle';
    const action = this.filter.action(fid);
    if (action === 'DENY') return 'deny';
    if (action === 'FWD_TO_USER') {
      this.machine.requestHypercallExit({ cpu: cpu.index, conduit, imm, nr: fid });
      return 'done';
    }
    return this.allowed(fid) ? 'handle' : 'deny';
  }

  /**
   * Step 2 of the gate: a bitmap bit is set, or the ID is always allowed. The two sets are
   * disjoint, so the always-allowed test (PSCI: the calls a guest makes most) goes first.
   */
  allowed(fid: number): boolean {
    if (kvmSmcccDefaultAllowed(fid)) return true;
    const gate = kvmSmcccBitmapFor(fid);
    return gate !== undefined && this.fwRegs.testBit(gate.reg, gate.bit);
  }

  /** KVM_ARM_VM_SMCCC_FILTER (see filter.ts for the rules). */
  setFilter(base: number, count: number, action: SmcccFilterAction | number, pad?: ArrayLike<number>): void {
    this.filter.set(base, count, action, pad);
  }

  /** KVM_ARM_VCPU_PVTIME_CTRL / KVM_ARM_VCPU_PVTIME_IPA on vCPU `vcpu` (see pvtime.ts). */
  setPvTimeIpa(vcpu: number, ipa: bigint): void {
    this.pvTime.setIpa(vcpu, ipa);
  }

  getPvTimeIpa(vcpu: number): bigint {
    return this.pvTime.getIpa(vcpu);
  }

  /**
   * The ONE_REG view of vCPU `index`: core/system registers from core, firmware registers here.
   * An ID or value that is not a u64 bigint is host misuse (EINVAL); KVM's uapi cannot express
   * one, so nothing is truncated silently.
   */
  vcpuRegs(index: number): VcpuOneRegs {
    const cpu = Number.isInteger(index) ? this.machine.cpus[index] : undefined;
    if (!cpu) throw new HvlabError('EINVAL', `no vCPU ${index}`);
    const fw = this.fwRegs;
    const u64 = (what: string, v: unknown): bigint => {
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX)
        throw new HvlabError('EINVAL', `ONE_REG ${what} ${String(v)} is not a u64`);
      return v;
    };
    return {
      getOneReg: (id) => (isFirmwareRegId(u64('ID', id)) ? fw.get(id) : getCpuOneReg(cpu, id)),
      setOneReg: (id, value) => {
        u64('value', value);
        if (isFirmwareRegId(u64('ID', id))) fw.set(id, value);
        else setCpuOneReg(cpu, id, value);
      },
      regList: () => {
        const arch = cpuOneRegList(cpu);
        const core = arch.filter((id) => (id & KVM_REG_ARM_COPROC_MASK) === KVM_REG_ARM_CORE);
        const rest = arch.filter((id) => (id & KVM_REG_ARM_COPROC_MASK) !== KVM_REG_ARM_CORE);
        return [...core, ...fw.ids(), ...rest];
      },
    };
  }
}
