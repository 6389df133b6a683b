/**
 * Test support: runs Debian's device-tree-compiler (`dtc`). Tests that need it fail with an
 * install hint when it is missing (scripts/test.sh installs it); they never skip.
 */
import { spawnSync } from 'node:child_process';

let cached: boolean | undefined;

/** True if `dtc --version` runs. */
export function hasDtc(): boolean {
  cached ??= spawnSync('dtc', ['--version'], { encoding: 'utf8' }).status === 0;
  return cached;
}

export interface DtcResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Decompiles a DTB with `dtc -I dtb -O dts` (blob on stdin). */
export function dtcDecompile(dtb: Uint8Array): DtcResult {
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-'], { input: dtb, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
