/**
 * The committed images are what build.sh makes from the sources: rebuilds with the cross
 * compiler and compares byte for byte (build.sh --check). Without the cross compiler this fails
 * in CI (CI set) and, elsewhere, also fails, saying how to install it — never a silent skip.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { GUESTS_DIR } from '../harness/guests.js';

const CC = `${process.env.CROSS_COMPILE ?? 'aarch64-linux-gnu-'}gcc`;

function haveCrossCompiler(): boolean {
  return spawnSync(CC, ['--version'], { encoding: 'utf8' }).status === 0;
}

test('guests/prebuilt/ matches a fresh build (build.sh --check)', { timeout: 180_000 }, () => {
  if (!haveCrossCompiler()) {
    throw new Error(
      process.env.CI
        ? `${CC} not found, but CI is set: CI must rebuild the guests (install Debian package gcc-aarch64-linux-gnu)`
        : `${CC} not found: install it with \`apt-get install gcc-aarch64-linux-gnu\` to check guests/prebuilt/`,
    );
  }
  const r = spawnSync('bash', ['build.sh', '--check'], { cwd: GUESTS_DIR, encoding: 'utf8' });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/all \d+ prebuilt images match/);
});
