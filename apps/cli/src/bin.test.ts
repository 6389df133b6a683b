/**
 * The built command, spawned as a user runs it: bin/hvlab.mjs importing the tsup-built dist
 * (turbo builds the CLI before its tests: apps/cli/turbo.json), and `pnpm -s hvlab` from the root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'apps/cli/bin/hvlab.mjs');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function raw(name: string, words: number[]): string {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => {
    b.writeUInt32LE(w >>> 0, i * 4);
  });
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}
// movz w0, #8 / #9; movk w0, #0x8400, lsl #16; hvc #0; b .
const OFF = raw('off.bin', [0x5280_0100, 0x72b0_8000, 0xd400_0002, 0x1400_0000]);
const RESET = raw('reset.bin', [0x5280_0120, 0x72b0_8000, 0xd400_0002, 0x1400_0000]);

const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: '', timeout: 60_000 });

describe('bin/hvlab.mjs', () => {
  it('prints help and exits 0', () => {
    const r = run('run', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: hvlab run \[options\]/);
    expect(r.stdout).toMatch(/Exit status:/);
  });

  it('exits 0 on SYSTEM_OFF, 10 on SYSTEM_RESET, 2 on a bad flag', () => {
    expect(run('run', '--kernel', OFF).status).toBe(0);
    const reset = run('run', '--kernel', RESET);
    expect(reset.status).toBe(10);
    expect(reset.stderr).toBe('hvlab: guest reset the system (PSCI SYSTEM_RESET on CPU 0)\n');
    const bad = run('run', '--kernel', OFF, '--smp', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("hvlab: error: --smp: '0' is not a positive integer\n");
  });

  it('exits when the guest powers off even though stdin stays open', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--kernel', OFF], { stdio: ['pipe', 'pipe', 'pipe'] });
    const status = await new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    expect(status).toBe(0);
    child.stdin.destroy();
  });

  it('runs from the repository root as `pnpm -s hvlab`', () => {
    const r = spawnSync('pnpm', ['-s', 'hvlab', 'run', '--kernel', OFF, '--stats'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^instructions retired {2}3$/m);
  });
});
