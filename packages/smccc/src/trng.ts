/**
 * TRNG 1.0 (Arm DEN0098 "True Random Number Generator Firmware Interface") as KVM serves it
 * (linux arch/arm64/kvm/trng.c).
 *
 *   FID         name            args        results
 *   0x84000050  TRNG_VERSION    -           W0 = 0x10000 (1.0)
 *   0x84000051  TRNG_FEATURES   X1 = FID    SUCCESS if X1 (all 64 bits) is one of the five
 *                                           TRNG IDs, else NOT_SUPPORTED
 *   0x84000052  TRNG_GET_UUID   -           W0..W3 = KVM's back-end UUID
 *                                           0d21e000-4384-11eb-8070-524455 4e5a4c
 *   0x84000053  TRNG_RND32      W1 = N      N <= 96: SUCCESS, W1 = bits 95:64, W2 = 63:32,
 *                                           W3 = 31:0 of N random bits right-aligned (bits >= N
 *                                           zero); N > 96: INVALID_PARAMETERS, X1..X3 = 0
 *   0xC4000053  TRNG_RND64      X1 = N      N (the low 32 bits of X1, KVM's u32 num_bits)
 *                                           <= 192: X1 = bits 191:128, X2 = 127:64, X3 = 63:0
 *
 * KVM, unlike DEN0098 and TF-A, accepts N = 0 (SUCCESS, no entropy); it never answers
 * NO_ENTROPY. Entropy comes from the host's CSPRNG: globalThis.crypto.getRandomValues (Web
 * Crypto) by default, or an injected source for reproducible tests. Only ceil(N/64) 64-bit
 * words are drawn, in the order KVM draws get_random_long() (bits 63:0 first).
 *
 * The service is gated by bit 0 of KVM_REG_ARM_STD_BMAP (KvmSmccc's gate); the rows here do
 * not look at it.
 */
import { HvlabError } from '@hvlab/core';
import type { SmcccCall, SmcccService } from './dispatch.js';
import { fastCall32, fastCall64, OEN_STD_START } from './fid.js';
import { uuidToRegs } from './uuid.js';

export const ARM_SMCCC_TRNG_VERSION = fastCall32(OEN_STD_START, 0x50);
export const ARM_SMCCC_TRNG_FEATURES = fastCall32(OEN_STD_START, 0x51);
export const ARM_SMCCC_TRNG_GET_UUID = fastCall32(OEN_STD_START, 0x52);
export const ARM_SMCCC_TRNG_RND32 = fastCall32(OEN_STD_START, 0x53);
export const ARM_SMCCC_TRNG_RND64 = fastCall64(OEN_STD_START, 0x53);
export const TRNG_FIDS: readonly number[] = [
  ARM_SMCCC_TRNG_VERSION,
  ARM_SMCCC_TRNG_FEATURES,
  ARM_SMCCC_TRNG_GET_UUID,
  ARM_SMCCC_TRNG_RND32,
  ARM_SMCCC_TRNG_RND64,
];

/** TRNG 1.0 (DEN0098 section 2.1.1: bits 30:16 major, 15:0 minor). */
export const ARM_SMCCC_TRNG_VERSION_1_0 = 0x1_0000;

/**
 * DEN0098 status codes, spelled as linux arch/arm64/kvm/trng.c spells them (deliberately separate
 * from SMCCC's: -2 differs); TRNG_STATUS_NAMES gives DEN0098's names (INVALID_PARAMETERS).
 */
export const TRNG_SUCCESS = 0;
export const TRNG_NOT_SUPPORTED = -1;
export const TRNG_INVALID_PARAMETER = -2;
export const TRNG_NO_ENTROPY = -3;
export const TRNG_STATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [TRNG_SUCCESS, 'SUCCESS'],
  [TRNG_NOT_SUPPORTED, 'NOT_SUPPORTED'],
  [TRNG_INVALID_PARAMETER, 'INVALID_PARAMETERS'],
  [TRNG_NO_ENTROPY, 'NO_ENTROPY'],
]);

/** KVM's TRNG back-end UUID (trng.c arm_smc_trng_uuid). */
export const KVM_TRNG_UUID = '0d21e000-4384-11eb-8070-5244554e5a4c';
/** TRNG_MAX_BITS64: 3 x 64 bits fit in X1..X3. */
export const TRNG_MAX_BITS64 = 192;

/** Fills `bytes` with cryptographically secure random bytes. */
export type EntropySource = (bytes: Uint8Array) => void;

/** The platform CSPRNG (Web Crypto, present in Node >= 19 and browsers). */
export const platformEntropy: EntropySource = (bytes) => {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues !== 'function')
    throw new HvlabError('ENOENT', 'no platform CSPRNG: globalThis.crypto.getRandomValues is missing');
  c.getRandomValues(bytes);
};

/** Draws `n` 64-bit words from `entropy` (little-endian bytes). */
function randomWords(entropy: EntropySource, n: number): bigint[] {
  if (n === 0) return [];
  const bytes = new Uint8Array(8 * n);
  entropy(bytes);
  const view = new DataView(bytes.buffer);
  const words = Array.from({ length: n }, (_, i) => view.getBigUint64(8 * i, true));
  bytes.fill(0); // memzero_explicit: do not leave the entropy lying around
  return words;
}

/**
 * kvm_trng_do_rnd: `size` 32 or 64. Returns [status, X1, X2, X3] with the N random bits
 * right-aligned across the three result registers.
 */
export function trngRandom(entropy: EntropySource, size: 32 | 64, x1: bigint): bigint[] {
  const numBits = Number(x1 & 0xffff_ffffn); // u32 num_bits = smccc_get_arg1(vcpu)
  if (numBits > 3 * size) return [BigInt(TRNG_INVALID_PARAMETER), 0n, 0n, 0n];
  const words = randomWords(entropy, Math.ceil(numBits / 64));
  // bits[0] holds bits 63:0, bits[1] 127:64, bits[2] 191:128; clear everything from numBits up.
  const bits = [0n, 1n, 2n].map((i) => {
    const w = words[Number(i)] ?? 0n;
    const lo = 64n * i;
    const keep = BigInt(numBits) <= lo ? 0n : BigInt(numBits) - lo >= 64n ? 64n : BigInt(numBits) - lo;
    return w & ((1n << keep) - 1n);
  });
  const [b0, b1, b2] = bits as [bigint, bigint, bigint];
  if (size === 32) return [0n, b1 & 0xffff_ffffn, b0 >> 32n, b0 & 0xffff_ffffn];
  return [0n, b2, b1, b0];
}

/** The TRNG service table. */
export function trngService(entropy: EntropySource = platformEntropy): SmcccService {
  if (typeof entropy !== 'function') throw new HvlabError('EINVAL', 'the TRNG entropy source is a function');
  const uuid = uuidToRegs(KVM_TRNG_UUID);
  const features = (call: SmcccCall): number => {
    // KVM switches on smccc_get_arg1() as an unsigned long: all 64 bits of X1 must match.
    const x1 = call.cpu.getReg(1);
    return TRNG_FIDS.some((f) => BigInt(f) === x1) ? TRNG_SUCCESS : TRNG_NOT_SUPPORTED;
  };
  return {
    name: 'TRNG',
    status: TRNG_STATUS_NAMES,
    functions: [
      {
        fid: ARM_SMCCC_TRNG_VERSION,
        name: 'TRNG_VERSION',
        argCount: 0,
        resultCount: 1,
        handler: () => ARM_SMCCC_TRNG_VERSION_1_0,
      },
      { fid: ARM_SMCCC_TRNG_FEATURES, name: 'TRNG_FEATURES', argCount: 1, resultCount: 1, handler: features },
      { fid: ARM_SMCCC_TRNG_GET_UUID, name: 'TRNG_GET_UUID', argCount: 0, resultCount: 4, handler: () => uuid },
      {
        fid: ARM_SMCCC_TRNG_RND32,
        name: 'TRNG_RND32',
        argCount: 1,
        resultCount: 4,
        handler: (call) => trngRandom(entropy, 32, call.args[0]!),
      },
      {
        fid: ARM_SMCCC_TRNG_RND64,
        name: 'TRNG_RND64',
        argCount: 1,
        resultCount: 4,
        handler: (call) => trngRandom(entropy, 64, call.args[0]!),
      },
    ],
  };
}
