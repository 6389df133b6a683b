/**
 * Parsers for flag values, with QEMU's conventions where a QEMU flag exists.
 * Each throws UsageError with a message naming the flag and the rule.
 */
import { EXIT, type ExitStatus } from './exit-codes.js';

/** An error the user can fix: printed as one line, exits with `status`. */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** Printed as `hvlab: MESSAGE` without "error:" (a refusal reported the way KVM reports it). */
  readonly bare: boolean;
  constructor(
    readonly status: ExitStatus,
    message: string,
    opts: { readonly bare?: boolean } = {},
  ) {
    super(message);
    this.bare = opts.bare === true;
  }
}

export const usageError = (message: string): UserError => new UserError(EXIT.USAGE, message);

const SUFFIX: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * A memory size as QEMU's `-m` takes it (qemu-options.hx: "megs ... Optionally, a suffix of M or
 * G"; util/cutils.c qemu_strtosz): a decimal number, possibly with a fraction, and an optional
 * suffix B, K, M, G or T (powers of 1024, case-insensitive). Without a suffix the unit is MiB.
 */
export function parseMemorySize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt])?\s*$/i.exec(text);
  if (!m) throw usageError(`--memory: '${text}' is not a size (examples: 128M, 1G, 512)`);
  const unit = SUFFIX[(m[2] ?? 'm').toLowerCase()]!;
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw usageError(`--memory: '${text}' is not a whole number of bytes`);
  return bytes;
}

/** A positive integer flag (--smp, --max-instructions): digits, `_` separators allowed, or 1e9 form. */
export function parsePositiveInt(flag: string, text: string): number {
  const t = text.trim().replace(/_/g, '');
  const n = /^\d+$/.test(t) || /^\d+(\.\d+)?e\d+$/i.test(t) ? Number(t) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`${flag}: '${text}' is not a positive integer`);
  return n;
}

/** Formats a byte count as QEMU users write it (128M, 1G, 1536M). */
export function formatSize(bytes: number): string {
  for (const [s, u] of [
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (bytes >= u && bytes % u === 0) return `${bytes / u}${s}`;
  }
  return `${bytes}B`;
}
