/**
 * Files the user names on the command line: the inputs, read whole but never more than the
 * guest's RAM (so `/dev/zero` or a huge file fails at once), and the words for why a file
 * operation failed. Every failure is a UserError: one line, exit status 3 (a file that is
 * missing, unreadable or cannot be written) or 4 (an input too large for the guest's RAM).
 */
import { type FileHandle, open } from 'node:fs/promises';
import { EXIT } from './exit-codes.js';
import { formatSize, UserError } from './values.js';

/** Why a file operation failed, in words (the errno name for anything unusual). */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EPIPE: 'broken pipe (the reader went away)',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
};

export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return ERRNO_TEXT[code] ?? code;
  return e instanceof Error ? e.message : String(e);
}

/** Maps a failed file operation to a one-line message. */
export function fileError(what: string, path: string, e: unknown): UserError {
  return new UserError(EXIT.FILE, `cannot ${what} '${path}': ${errnoText(e)}`);
}

const READ_CHUNK = 1 << 20;

/**
 * Reads an input file, at most `limit` bytes (the guest's RAM: nothing larger can be loaded).
 * Bounded so that `--kernel /dev/zero` or a multi-gigabyte file fails at once with one line
 * instead of filling the host's memory; works for pipes and FIFOs (`--kernel <(...)`) too.
 */
export async function readInput(
  flag: string,
  path: string | undefined,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  const tooBig = () =>
    new UserError(EXIT.IMAGE, `${flag} '${path}' is larger than the ${formatSize(limit)} of guest RAM (--memory)`);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(`read ${flag}`, path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.isFile() && st.size > limit) throw tooBig();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(READ_CHUNK, limit + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooBig();
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw fileError(`read ${flag}`, path, e);
  } finally {
    await fh.close().catch(() => {});
  }
}
