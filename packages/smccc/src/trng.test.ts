import { describe, expect, it } from 'vitest';
import { SMCCC_ARCH_FEATURES } from './arch.js';
import { KVM_REG_ARM_STD_BMAP } from './fwregs.js';
import { countingEntropy, junk, ONES, testVm } from './testing/vm.js';
import {
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
  ARM_SMCCC_TRNG_VERSION,
  platformEntropy,
  TRNG_FIDS,
  trngRandom,
  trngService,
} from './trng.js';
import { regsToUuid } from './uuid.js';

const INVALID_PARAMETERS = ONES - 1n; // -2 in X0

/** Entropy whose 64-bit words are exactly `words` (little-endian). */
function wordsEntropy(words: bigint[]) {
  return (b: Uint8Array): void => {
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length / 8; i++) v.setBigUint64(8 * i, words[i] ?? 0n, true);
  };
}
const W = [0x1111_2222_3333_4444n, 0x5555_6666_7777_8888n, 0x9999_aaaa_bbbb_ccccn];

describe('TRNG 1.0 (DEN0098) as KVM serves it', () => {
  it('has the DEN0098 function IDs', () => {
    expect([...TRNG_FIDS]).toEqual([0x8400_0050, 0x8400_0051, 0x8400_0052, 0x8400_0053, 0xc400_0053]);
  });

  it('reports version 1.0 and zeroes X1..X3', () => {
    const after = testVm().call([ARM_SMCCC_TRNG_VERSION]);
    expect(after.slice(0, 4)).toEqual([0x1_0000n, 0n, 0n, 0n]);
    expect(after[4]).toBe(junk(4));
  });

  it('reports every TRNG ID as a feature and nothing else, comparing all 64 bits of X1', () => {
    const vm = testVm();
    for (const fid of TRNG_FIDS) expect(vm.call([ARM_SMCCC_TRNG_FEATURES, fid])[0]).toBe(0n);
    for (const q of [0x8400_0054n, 0x8400_0000n, 0x8600_0001n, 0xffff_ffff_8400_0050n, 0x1_8400_0053n])
      expect(vm.call([ARM_SMCCC_TRNG_FEATURES, q])[0]).toBe(ONES);
  });

  it("returns KVM's UUID 0d21e000-4384-11eb-8070-5244554e5a4c as little-endian words", () => {
    const after = testVm().call([ARM_SMCCC_TRNG_GET_UUID]);
    expect(after.slice(0, 4)).toEqual([0x00e0_210dn, 0xeb11_8443n, 0x4452_7080n, 0x4c5a_4e55n]);
    expect(regsToUuid(after.slice(0, 4))).toBe('0d21e000-4384-11eb-8070-5244554e5a4c');
  });

  it('right-aligns N random bits over X1..X3 for RND64 (X3 = bits 63:0)', () => {
    const vm = testVm({ kvm: { entropy: wordsEntropy(W) } });
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 192]).slice(0, 4)).toEqual([0n, W[2], W[1], W[0]]);
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 64]).slice(0, 4)).toEqual([0n, 0n, 0n, W[0]]);
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 65]).slice(0, 4)).toEqual([0n, 0n, W[1]! & 1n, W[0]]);
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 12]).slice(0, 4)).toEqual([0n, 0n, 0n, W[0]! & 0xfffn]);
    // KVM reads N as u32: the top half of X1 is ignored.
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 0xffff_0000_0000_0040n]).slice(0, 4)).toEqual([0n, 0n, 0n, W[0]]);
  });

  it('right-aligns N random bits over W1..W3 for RND32 (W1 = bits 95:64)', () => {
    const vm = testVm({ kvm: { entropy: wordsEntropy(W) } });
    expect(vm.call([ARM_SMCCC_TRNG_RND32, 96]).slice(0, 4)).toEqual([0n, 0x7777_8888n, 0x1111_2222n, 0x3333_4444n]);
    expect(vm.call([ARM_SMCCC_TRNG_RND32, 40]).slice(0, 4)).toEqual([0n, 0n, 0x22n, 0x3333_4444n]);
    // SMC32: W1 only.
    expect(vm.call([ARM_SMCCC_TRNG_RND32, 0x1_0000_0020n]).slice(0, 4)).toEqual([0n, 0n, 0n, 0x3333_4444n]);
  });

  it('accepts N = 0 (KVM; DEN0098 and TF-A say INVALID_PARAMETERS) and draws no entropy', () => {
    const e = countingEntropy();
    const vm = testVm({ kvm: { entropy: e.source } });
    expect(vm.call([ARM_SMCCC_TRNG_RND64, 0]).slice(0, 4)).toEqual([0n, 0n, 0n, 0n]);
    expect(vm.call([ARM_SMCCC_TRNG_RND32, 0]).slice(0, 4)).toEqual([0n, 0n, 0n, 0n]);
    expect(e.draws).toEqual([]);
    vm.call([ARM_SMCCC_TRNG_RND64, 129]);
    vm.call([ARM_SMCCC_TRNG_RND32, 1]);
    expect(e.draws).toEqual([24, 8]); // ceil(N / 64) words, as KVM's get_random_long() loop
  });

  it('answers INVALID_PARAMETERS (-2, the TRNG code) with X1..X3 zeroed for N above 192 / 96', () => {
    const vm = testVm();
    for (const [fid, n] of [
      [ARM_SMCCC_TRNG_RND64, 193],
      [ARM_SMCCC_TRNG_RND32, 97],
      [ARM_SMCCC_TRNG_RND64, 0xffff_ffff],
    ] as const) {
      const after = vm.call([fid, n]);
      expect(after.slice(0, 4)).toEqual([INVALID_PARAMETERS, 0n, 0n, 0n]);
      expect(vm.kvm.dispatcher.statusName(fid, after[0]!)).toBe('INVALID_PARAMETERS');
    }
  });

  it('is gated by bit 0 of KVM_REG_ARM_STD_BMAP and not advertised by SMCCC_ARCH_FEATURES', () => {
    const vm = testVm();
    expect(vm.call([SMCCC_ARCH_FEATURES, ARM_SMCCC_TRNG_RND64])[0]).toBe(ONES);
    vm.kvm.fwRegs.set(KVM_REG_ARM_STD_BMAP, 0n);
    for (const fid of TRNG_FIDS) expect(vm.call([fid, 8]).slice(0, 4)).toEqual([ONES, 0n, 0n, 0n]);
  });

  it('draws from the platform CSPRNG by default', () => {
    const a = trngRandom(platformEntropy, 64, 192n);
    const b = trngRandom(platformEntropy, 64, 192n);
    expect(a[0]).toBe(0n);
    expect(a.slice(1)).not.toEqual(b.slice(1)); // 2^-192 chance of a false failure
    expect(() => trngService(5 as unknown as () => void)).toThrow(/function/);
  });
});
