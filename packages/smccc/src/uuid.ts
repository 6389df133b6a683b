/**
 * UUIDs returned in W0..W3 (Arm DEN0028 section 6.2 "Call UID query"; DEN0098 TRNG_GET_UUID).
 *
 * A UUID string is the 16 bytes in RFC 4122 order (linux UUID_INIT / uuid_t keep that order).
 * The four result registers hold those bytes as little-endian 32-bit words: W0 = bytes 0..3,
 * W1 = 4..7, W2 = 8..11, W3 = 12..15 (linux include/linux/arm-smccc.h smccc_uuid_to_reg,
 * arch/arm64/kvm/trng.c le32_to_cpu(u[i])). So 28b46fb6-... gives W0 = 0xb66fb428.
 */
import { HvlabError } from '@hvlab/core';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID string. Throws HvlabError EINVAL for a malformed string. */
export function uuidBytes(uuid: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new HvlabError('EINVAL', `'${uuid}' is not a UUID`);
  const hex = uuid.replaceAll('-', '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** W0..W3 for a UUID, as a Call UID query or TRNG_GET_UUID returns them. */
export function uuidToRegs(uuid: string): readonly [number, number, number, number] {
  const b = uuidBytes(uuid);
  const word = (i: number): number =>
    (b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24)) >>> 0;
  const regs = [word(0), word(1), word(2), word(3)] as const;
  // DEN0028 6.2: W0 = 0xFFFFFFFF means "no UID", so a UID must never start with that word.
  if (regs[0] === 0xffff_ffff) throw new HvlabError('EINVAL', `UUID ${uuid} starts with the word 0xFFFFFFFF`);
  return regs;
}

/** The UUID string a guest would assemble from W0..W3 (the inverse of uuidToRegs). */
export function regsToUuid(regs: readonly (number | bigint)[]): string {
  if (regs.length !== 4) throw new HvlabError('EINVAL', 'a UUID is four registers');
  const bytes: number[] = [];
  for (const r of regs) {
    const w = Number(BigInt(r) & 0xffff_ffffn);
    bytes.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
  }
  const hex = bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
