/**
 * The built command, spawned as a user runs it: bin/hvlab.mjs importing the tsup-built dist
 * (turbo builds the CLI before its tests: apps/cli/turbo.json), and `pnpm -s hvlab` from the root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawImage, SYSTEM_OFF_WORDS, SYSTEM_RESET_WORDS } from './testing/guests.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'apps/cli/bin/hvlab.mjs');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OFF = rawImage(dir, 'off.bin', [...SYSTEM_OFF_WORDS]);
const RESET = rawImage(dir, 'reset.bin', [...SYSTEM_RESET_WORDS]);

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

  it('a stdout reader that goes away (`| head -c 10`) ends the run: one line, exit 3, no stack', async () => {
    // movz x1, #0x0900, lsl #16; movz w0, #'a'; str w0, [x1]; b .-4: prints to the PL011 forever.
    const chatty = rawImage(dir, 'chatty.bin', [0xd2a1_2001, 0x5280_0c20, 0xb900_0020, 0x17ff_ffff]);
    const child = spawn(process.execPath, [BIN, 'run', '--kernel', chatty], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    expect(stderr).toBe('hvlab: error: cannot write the guest console to stdout: broken pipe (the reader went away)\n');
    expect(status).toBe(3);
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
