/**
 * Tiny guests and fixtures for the CLI's tests: raw images of hand-assembled A64 words (a raw
 * image is loaded at RAM + 0x80000 and entered there, as QEMU's -kernel does) and the result of
 * an in-process main() run with injected streams.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MOVZ_W0_8 = 0x5280_0100; // movz w0, #8
export const MOVZ_W0_9 = 0x5280_0120; // movz w0, #9
export const MOVK_W0_8400 = 0x72b0_8000; // movk w0, #0x8400, lsl #16
export const HVC_0 = 0xd400_0002; // hvc #0
export const B_SELF = 0x1400_0000; // b .
export const WFI = 0xd503_207f; // wfi
/** PSCI SYSTEM_OFF (0x84000008) over HVC, then `b .`. */
export const SYSTEM_OFF_WORDS = [MOVZ_W0_8, MOVK_W0_8400, HVC_0, B_SELF] as const;
/** PSCI SYSTEM_RESET (0x84000009) over HVC, then `b .`. */
export const SYSTEM_RESET_WORDS = [MOVZ_W0_9, MOVK_W0_8400, HVC_0, B_SELF] as const;

/** Little-endian A64 words as bytes. */
export function words(ws: readonly number[]): Buffer {
  const b = Buffer.alloc(ws.length * 4);
  ws.forEach((w, i) => {
    b.writeUInt32LE(w >>> 0, i * 4);
  });
  return b;
}

/** Writes a raw image of `ws` to `dir/name` and returns its path. */
export function rawImage(dir: string, name: string, ws: readonly number[]): string {
  const p = join(dir, name);
  writeFileSync(p, words(ws));
  return p;
}
