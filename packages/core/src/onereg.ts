/**
 * KVM ONE_REG register IDs for the architectural state of a vCPU, and accessors that map them
 * onto a Cpu (linux arch/arm64/include/uapi/asm/kvm.h; Documentation/virt/kvm/api.rst,
 * "KVM_SET_ONE_REG", arm64 section).
 *
 *   bits 63..56  architecture: KVM_REG_ARM64 = 0x60
 *   bits 55..52  size: KVM_REG_SIZE_U64 = 0x3 (U32 = 0x2, U128 = 0x4)
 *   bits 31..16  coprocessor: KVM_REG_ARM_CORE 0x10, KVM_REG_ARM64_SYSREG 0x13,
 *                KVM_REG_ARM_FW 0x14, KVM_REG_ARM_FW_FEAT_BMAP 0x16
 *   bits 15..0   index: for CORE the offset into struct kvm_regs in 32-bit words; for SYSREG
 *                op0:op1:CRn:CRm:op2 as SysRegId packs them
 *
 * Firmware pseudo-registers (the FW and FW_FEAT_BMAP spaces) belong to the SMCCC and PSCI models,
 * which register them with their own rules; this module covers CORE and SYSREG.
 * FP/SIMD core registers (fp_regs) are absent with FP, so their IDs answer ENOENT.
 */
import type { Cpu } from './cpu.js';
import { HvlabError } from './errors.js';
import { CoreReg, type CoreRegId } from './regs.js';
import { SysReg, type SysRegId } from './sysregs.js';

export const KVM_REG_ARM64 = 0x6000_0000_0000_0000n;
export const KVM_REG_ARCH_MASK = 0xff00_0000_0000_0000n;
export const KVM_REG_SIZE_MASK = 0x00f0_0000_0000_0000n;
export const KVM_REG_SIZE_U32 = 0x0020_0000_0000_0000n;
export const KVM_REG_SIZE_U64 = 0x0030_0000_0000_0000n;
export const KVM_REG_SIZE_U128 = 0x0040_0000_0000_0000n;
export const KVM_REG_ARM_COPROC_SHIFT = 16n;
export const KVM_REG_ARM_COPROC_MASK = 0x0000_0000_ffff_0000n;
export const KVM_REG_ARM_CORE = 0x0010n << KVM_REG_ARM_COPROC_SHIFT;
export const KVM_REG_ARM64_SYSREG = 0x0013n << KVM_REG_ARM_COPROC_SHIFT;
export const KVM_REG_ARM_FW = 0x0014n << KVM_REG_ARM_COPROC_SHIFT;
export const KVM_REG_ARM_FW_FEAT_BMAP = 0x0016n << KVM_REG_ARM_COPROC_SHIFT;

/** 32-bit-word offsets of the fields of struct kvm_regs (uapi asm/kvm.h). */
const KVM_REGS_OFFSET = {
  /** struct user_pt_regs: regs[31], sp, pc, pstate */
  regs: 0,
  sp: 62,
  pc: 64,
  pstate: 66,
  sp_el1: 68,
  elr_el1: 70,
  /** spsr[KVM_NR_SPSR]; spsr[0] is SPSR_EL1 (KVM_SPSR_EL1), the rest AArch32 banks. */
  spsr: 72,
} as const;

/** KVM_REG_ARM_CORE_REG(name): the ONE_REG ID of a 64-bit core register by kvm_regs offset. */
export const kvmCoreRegId = (offsetWords: number): bigint =>
  KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | BigInt(offsetWords);

/** ARM64_SYS_REG(op0, op1, crn, crm, op2) as a ONE_REG ID. */
export const kvmSysRegId = (id: SysRegId): bigint =>
  KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | BigInt(id);

/** Well-known core register IDs (what KVM selftests call ARM64_CORE_REG(regs.pc) and so on). */
export const KvmCoreReg = {
  x: (n: number): bigint => kvmCoreRegId(KVM_REGS_OFFSET.regs + 2 * n),
  SP: kvmCoreRegId(KVM_REGS_OFFSET.sp),
  PC: kvmCoreRegId(KVM_REGS_OFFSET.pc),
  PSTATE: kvmCoreRegId(KVM_REGS_OFFSET.pstate),
  SP_EL1: kvmCoreRegId(KVM_REGS_OFFSET.sp_el1),
  ELR_EL1: kvmCoreRegId(KVM_REGS_OFFSET.elr_el1),
  SPSR_EL1: kvmCoreRegId(KVM_REGS_OFFSET.spsr),
} as const;

/**
 * The virtual timer's ONE_REG IDs (uapi asm/kvm.h). KVM_REG_ARM_TIMER_CVAL and _CNT carry each
 * other's encoding — "their values have been accidentally swapped. As this is set API, the
 * definitions here must be used" — so a VMM or a migration stream from KVM sees them this way.
 */
export const KVM_REG_ARM_TIMER_CTL = kvmSysRegId(SysReg.CNTV_CTL_EL0);
export const KVM_REG_ARM_TIMER_CVAL = kvmSysRegId(SysReg.CNTVCT_EL0);
export const KVM_REG_ARM_TIMER_CNT = kvmSysRegId(SysReg.CNTV_CVAL_EL0);

type CoreTarget =
  | { kind: 'core'; reg: CoreRegId }
  | { kind: 'sysreg'; reg: SysRegId }
  /** KVM_REG_ARM_TIMER_CNT: the virtual counter; writing it moves CNTVOFF_EL2 (kvm_arm_timer_set_reg). */
  | { kind: 'vcount' };

const U64_MAX = (1n << 64n) - 1n;

/** Host misuse (a non-bigint or out-of-range ID or value) is EINVAL, as FirmwareRegisters answers. */
function u64(what: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX)
    throw new HvlabError('EINVAL', `ONE_REG ${what} ${String(v)} is not a u64`);
  return v;
}

function coreTarget(offset: number): CoreTarget | undefined {
  if (offset < 62 && offset % 2 === 0) return { kind: 'core', reg: offset / 2 };
  switch (offset) {
    case KVM_REGS_OFFSET.sp:
      return { kind: 'core', reg: CoreReg.SP_EL0 };
    case KVM_REGS_OFFSET.pc:
      return { kind: 'core', reg: CoreReg.PC };
    case KVM_REGS_OFFSET.pstate:
      return { kind: 'core', reg: CoreReg.PSTATE };
    case KVM_REGS_OFFSET.sp_el1:
      return { kind: 'core', reg: CoreReg.SP_EL1 };
    case KVM_REGS_OFFSET.elr_el1:
      return { kind: 'sysreg', reg: SysReg.ELR_EL1 };
    case KVM_REGS_OFFSET.spsr:
      return { kind: 'sysreg', reg: SysReg.SPSR_EL1 };
    default:
      return undefined;
  }
}

/** What a ONE_REG ID names on a Cpu, or undefined if it is not a CORE/SYSREG ID this Cpu has. */
export function resolveCpuOneReg(cpu: Cpu, id: bigint): CoreTarget | undefined {
  if ((id & KVM_REG_ARCH_MASK) !== KVM_REG_ARM64 || (id & KVM_REG_SIZE_MASK) !== KVM_REG_SIZE_U64) return undefined;
  const coproc = id & KVM_REG_ARM_COPROC_MASK;
  const index = Number(id & 0xffffn);
  if ((id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK | KVM_REG_ARM_COPROC_MASK | 0xffffn)) !== 0n) return undefined;
  if (coproc === KVM_REG_ARM_CORE) return coreTarget(index);
  if (coproc !== KVM_REG_ARM64_SYSREG) return undefined;
  const has = (r: SysRegId) => cpu.sysRegList().includes(r);
  if (index === SysReg.CNTVCT_EL0)
    return has(SysReg.CNTV_CVAL_EL0) ? { kind: 'sysreg', reg: SysReg.CNTV_CVAL_EL0 } : undefined;
  if (index === SysReg.CNTV_CVAL_EL0) return has(SysReg.CNTVCT_EL0) ? { kind: 'vcount' } : undefined;
  return has(index) ? { kind: 'sysreg', reg: index } : undefined;
}

/** KVM_GET_ONE_REG for CORE and SYSREG IDs. Throws HvlabError ENOENT for any other ID. */
export function getCpuOneReg(cpu: Cpu, id: bigint): bigint {
  const t = resolveCpuOneReg(cpu, u64('ID', id));
  if (!t) throw new HvlabError('ENOENT', `no register 0x${id.toString(16)}`);
  if (t.kind === 'vcount') return cpu.getSysReg(SysReg.CNTVCT_EL0);
  return t.kind === 'core' ? cpu.getReg(t.reg) : cpu.getSysReg(t.reg);
}

/** KVM_SET_ONE_REG for CORE and SYSREG IDs. Throws HvlabError ENOENT for any other ID. */
export function setCpuOneReg(cpu: Cpu, id: bigint, value: bigint): void {
  const t = resolveCpuOneReg(cpu, u64('ID', id));
  if (!t) throw new HvlabError('ENOENT', `no register 0x${id.toString(16)}`);
  const v = u64('value', value);
  if (t.kind === 'core') cpu.setReg(t.reg, v);
  else if (t.kind === 'sysreg') cpu.setSysReg(t.reg, v);
  // The guest reads CNTPCT - CNTVOFF: choose the offset that makes it read `v` now.
  else cpu.setSysReg(SysReg.CNTVOFF_EL2, BigInt.asUintN(64, cpu.getSysReg(SysReg.CNTPCT_EL0) - v));
}

/** KVM_GET_REG_LIST for CORE and SYSREG: every ID getCpuOneReg accepts, in ascending order. */
export function cpuOneRegList(cpu: Cpu): bigint[] {
  const core = [
    ...Array.from({ length: 31 }, (_, n) => KvmCoreReg.x(n)),
    KvmCoreReg.SP,
    KvmCoreReg.PC,
    KvmCoreReg.PSTATE,
    KvmCoreReg.SP_EL1,
    KvmCoreReg.ELR_EL1,
    KvmCoreReg.SPSR_EL1,
  ];
  const sys = [...cpu.sysRegList()].sort((a, b) => a - b).map(kvmSysRegId);
  return [...core, ...sys];
}
