/**
 * Errors. Guest mistakes are never errors: they end as architected exceptions or spec status
 * codes. HvlabError reports host-side misuse (a bad register ID, an address outside RAM, a
 * malformed image) with a stable `code`; anything else thrown is a broken invariant (our bug).
 */
export type HvlabErrorCode =
  | 'EINVAL' // an argument is malformed or out of range
  | 'ENOENT' // no such register, region, file or device
  | 'EBUSY' // the state can no longer be changed (for example after a vCPU ran)
  | 'EFAULT' // an address is not backed by RAM
  | 'ENOEXEC' // an image is not in a format we can load
  | 'EEXIST'; // a region or handler overlaps an existing one

export class HvlabError extends Error {
  override readonly name = 'HvlabError';
  constructor(
    readonly code: HvlabErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isHvlabError = (e: unknown): e is HvlabError => e instanceof HvlabError;
