/** KVM ONE_REG access (core/onereg.ts) on a real backend: the timer IDs KVM swapped, misuse. */
import {
  getCpuOneReg,
  KVM_REG_ARM_TIMER_CNT,
  KVM_REG_ARM_TIMER_CTL,
  KVM_REG_ARM_TIMER_CVAL,
  KvmCoreReg,
  PhysMem,
  SysReg,
  setCpuOneReg,
} from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { createInterpCpu } from './index.js';

const cpu = () => createInterpCpu({ index: 0, mem: new PhysMem() });

describe('ONE_REG on backend-interp', () => {
  it('KVM_REG_ARM_TIMER_CVAL and _CNT follow KVM uapi (encodings swapped), CTL by encoding', () => {
    const c = cpu();
    c.setSysReg(SysReg.CNTV_CVAL_EL0, 0x1234n);
    c.setSysReg(SysReg.CNTV_CTL_EL0, 1n);
    expect(getCpuOneReg(c, KVM_REG_ARM_TIMER_CVAL)).toBe(0x1234n);
    expect(getCpuOneReg(c, KVM_REG_ARM_TIMER_CNT)).toBe(c.getSysReg(SysReg.CNTVCT_EL0));
    expect(getCpuOneReg(c, KVM_REG_ARM_TIMER_CTL) & 1n).toBe(1n);
  });

  it('writing KVM_REG_ARM_TIMER_CNT moves CNTVOFF_EL2 so the guest reads the value', () => {
    const c = cpu();
    c.warp(16 * 5000);
    setCpuOneReg(c, KVM_REG_ARM_TIMER_CNT, 1000n);
    expect(c.getSysReg(SysReg.CNTVCT_EL0)).toBe(1000n);
    expect(c.getSysReg(SysReg.CNTVOFF_EL2)).toBe(4000n);
  });

  it('answers EINVAL for IDs and values that are not u64 bigints, changing nothing', () => {
    const c = cpu();
    c.setReg(1, 7n);
    expect(() => setCpuOneReg(c, KvmCoreReg.x(1), -1n)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => setCpuOneReg(c, KvmCoreReg.x(1), 1n << 64n)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => getCpuOneReg(c, 5 as unknown as bigint)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(c.getReg(1)).toBe(7n);
  });
});
