/**
 * Test support: an executable model of KVM's vPSCI (linux arch/arm64/kvm/psci.c, written again
 * from reference/psci-smccc.md 3.2 independently of vpsci.ts) for the property tests: what KVM
 * does for one call from one vCPU, and how the vCPUs' power states change. vCPU i has MPIDR
 * affinity i (FakeCpu's default, Aff0 = index).
 */
import { fc } from '@fast-check/vitest';
import type { SystemEvent } from '@hvlab/core';
import { SMCCC_VERSION } from '@hvlab/smccc';
import { KVM_PSCI_FN_CPU_OFF, KVM_PSCI_FN_CPU_ON, KVM_PSCI_FN_CPU_SUSPEND } from '../ids.js';

export type Power = 'off' | 'running' | 'waiting';
const M64 = (1n << 64n) - 1n;
const M32 = 0xffff_ffffn;
const neg = (n: number) => BigInt.asUintN(64, BigInt(n));
const HWID = 0xff_00ff_ffffn;

/** The function IDs the sequences draw from: every PSCI call KVM knows, some it does not. */
export const PSCI_MODEL_FIDS = [
  0x8400_0000,
  0x8400_0001,
  0xc400_0001,
  0x8400_0002,
  0x8400_0003,
  0xc400_0003,
  0x8400_0004,
  0xc400_0004,
  0x8400_0005,
  0x8400_0006,
  0x8400_0008,
  0x8400_0009,
  0x8400_000a,
  0x8400_000b,
  0x8400_000e,
  0xc400_000e,
  0x8400_0012,
  0xc400_0012,
  0x8400_0015,
  0xc400_0015,
  0x8400_001f,
  KVM_PSCI_FN_CPU_ON,
  KVM_PSCI_FN_CPU_OFF,
  KVM_PSCI_FN_CPU_SUSPEND,
];
export const PSCI_MODEL_VERSIONS = [0x1, 0x2, 0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003];

export interface PsciModelState {
  readonly version: number;
  readonly suspendCap: boolean;
  /** Every vCPU's power state, updated by psciModel. */
  readonly power: Power[];
}

export interface PsciOutcome {
  readonly regs: bigint[];
  readonly event?: Pick<SystemEvent, 'type' | 'data'>;
}

/** What KVM does for W0 = fid with X0..X3 = `x` from vCPU `caller`, updating `s.power`. */
export function psciModel(s: PsciModelState, caller: number, x: readonly bigint[]): PsciOutcome {
  const fid = Number(x[0]! & M32);
  const ret = (v: number | bigint): PsciOutcome => ({ regs: [BigInt.asUintN(64, BigInt(v)), 0n, 0n, 0n] });
  const n = s.power.length;
  const cpuOf = (mpidr: bigint) => (mpidr < BigInt(n) ? Number(mpidr) : -1); // FakeCpu MPIDR: Aff0 = index
  const cpuOn = (mpidr: bigint, entryIgnored: bigint, v01: boolean): PsciOutcome => {
    void entryIgnored;
    if ((mpidr & ~HWID) !== 0n) return ret(-2);
    const t = cpuOf(mpidr);
    if (t < 0) return ret(-2);
    if (s.power[t] !== 'off') return ret(v01 ? -2 : -4);
    s.power[t] = 'running';
    return ret(0);
  };
  const allOff = () => s.power.fill('off');
  if (s.version === 0x1) {
    if (fid === KVM_PSCI_FN_CPU_OFF) {
      s.power[caller] = 'off';
      return ret(0);
    }
    if (fid === KVM_PSCI_FN_CPU_ON) return cpuOn(x[1]!, x[2]!, true);
    return ret(-1);
  }
  const a = x.slice(1).map((v) => ((fid & 0x4000_0000) === 0 ? v & M32 : v));
  const minor = s.version >= 0x1_0000 ? s.version & 0xffff : -1;
  switch (fid) {
    case 0x8400_0000:
      return ret(s.version);
    case 0x8400_0001:
    case 0xc400_0001:
      s.power[caller] = 'waiting';
      return ret(0);
    case 0x8400_0002:
      s.power[caller] = 'off';
      return ret(0);
    case 0x8400_0003:
    case 0xc400_0003:
      return cpuOn(a[0]!, a[1]!, false);
    case 0x8400_0004:
    case 0xc400_0004: {
      const [aff, level] = [a[0]!, a[1]!];
      if ((aff & ~HWID) !== 0n || level > 3n) return ret(-2);
      const mask = HWID & ~((1n << (8n * level)) - 1n);
      const matches = s.power.map((p, i) => ({ p, i })).filter(({ i }) => (BigInt(i) & mask) === (aff & mask));
      if (matches.length === 0) return ret(-2);
      return ret(matches.some(({ p }) => p !== 'off') ? 0 : 1);
    }
    case 0x8400_0006:
      return ret(2);
    case 0x8400_0008:
      allOff();
      return { ...ret(-6), event: { type: 'shutdown', data: [0n] } };
    case 0x8400_0009:
      allOff();
      return { ...ret(-6), event: { type: 'reset', data: [0n] } };
  }
  if (minor < 0) return ret(-1);
  switch (fid) {
    case 0x8400_000a: {
      const q = Number(a[0]! & M32);
      if (
        [
          0x8400_0000, 0x8400_0001, 0xc400_0001, 0x8400_0002, 0x8400_0003, 0xc400_0003, 0x8400_0004, 0xc400_0004,
        ].includes(q)
      )
        return ret(0);
      if ([0x8400_0006, 0x8400_0008, 0x8400_0009, 0x8400_000a, SMCCC_VERSION].includes(q)) return ret(0);
      if (q === 0x8400_000e || q === 0xc400_000e) return ret(s.suspendCap ? 0 : -1);
      if (q === 0x8400_0012 || q === 0xc400_0012) return ret(minor >= 1 ? 0 : -1);
      if (q === 0x8400_0015 || q === 0xc400_0015) return ret(minor >= 3 ? 1 : -1);
      return ret(-1);
    }
    case 0x8400_000e:
    case 0xc400_000e:
      if (!s.suspendCap) return ret(-1);
      return { regs: [x[0]!, a[0]!, a[1]!, a[2]!], event: { type: 'suspend', data: [] } };
    case 0x8400_0012:
    case 0xc400_0012: {
      if (minor < 1) return ret(-1);
      const type = a[0]! & M32;
      if (type !== 0n && type < 0x8000_0000n) return ret(-2);
      allOff();
      return { regs: [neg(-6), a[0]!, a[1]!, a[2]!], event: { type: 'reset', data: [1n] } };
    }
    case 0x8400_0015:
    case 0xc400_0015: {
      if (minor < 3) return ret(-1);
      const type = a[0]! & M32;
      if ((type !== 0n && type !== 1n) || a[1] !== 0n) return ret(-2);
      allOff();
      return { ...ret(-6), event: { type: 'shutdown', data: [1n] } };
    }
  }
  return ret(-1);
}

/** An argument register: small values (vCPU affinities, levels), edge values, or anything. */
export const psciModelArg = fc.oneof(
  fc.integer({ min: 0, max: 5 }).map(BigInt),
  fc.constantFrom(0x8000_0000n, 0xffff_ffffn, 1n << 31n, 1n << 32n, (1n << 32n) | 1n, 0x100n, 1n << 40n),
  fc.bigInt({ min: 0n, max: M64 }),
);
