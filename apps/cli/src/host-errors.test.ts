/**
 * The host side failing under a run: inputs that are not plain files or are too large to
 * read, RAM the engine cannot allocate, a stdout whose reader goes away, and arguments that
 * are not what they seem. Each is one stderr line and a documented exit status.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { errnoText } from './files.js';
import { oneLine } from './main.js';
import { rawImage, SYSTEM_OFF_WORDS, words } from './testing/guests.js';
import { failingStdout, type MainResult, runMain } from './testing/run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO = join(ROOT, 'guests/prebuilt/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OFF = rawImage(dir, 'off.bin', [...SYSTEM_OFF_WORDS]);

function expectLine(r: MainResult, status: number, line: string) {
  expect(r.status).toBe(status);
  expect(r.stderr).toBe(`hvlab: error: ${line}\n`);
}

describe('input files', () => {
  it('reads no more than the guest RAM: --kernel /dev/zero fails at once instead of filling memory', async () => {
    expectLine(
      await runMain(['run', '--kernel', '/dev/zero', '-m', '16M']),
      EXIT.IMAGE,
      "--kernel '/dev/zero' is larger than the 16M of guest RAM (--memory)",
    );
    expectLine(
      await runMain(['run', '--kernel', OFF, '--initrd', '/dev/zero']),
      EXIT.IMAGE,
      "--initrd '/dev/zero' is larger than the 128M of guest RAM (--memory)",
    );
  });

  it('an unreadable file is one line with the reason in words (exit 3)', async () => {
    // /proc/self/mem opens but reading address 0 fails with EIO.
    expectLine(
      await runMain(['run', '--kernel', '/proc/self/mem']),
      EXIT.FILE,
      "cannot read --kernel '/proc/self/mem': input/output error",
    );
    expect(errnoText(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('permission denied');
    expect(errnoText(Object.assign(new Error('x'), { code: 'EWEIRD' }))).toBe('EWEIRD');
    expect(errnoText(new Error('no code'))).toBe('no code');
  });

  it('reads a FIFO to its end, as `--kernel <(cat guest.bin)` needs', async () => {
    const fifo = join(dir, 'kernel.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = createWriteStream(fifo);
    writer.end(words([...SYSTEM_OFF_WORDS]));
    const r = await runMain(['run', '--kernel', fifo]);
    expect(r).toMatchObject({ status: EXIT.OK, stderr: '' });
  });

  it('says which flag swallowed its neighbour, and refuses stray arguments', async () => {
    expectLine(
      await runMain(['run', '--kernel', '--smp', '2']),
      EXIT.USAGE,
      '--kernel: missing file name (the next argument is the flag --smp)',
    );
    expectLine(
      await runMain(['run', '--kernel', OFF, '--dtb', '-m', '1G']),
      EXIT.USAGE,
      '--dtb: missing file name (the next argument is the flag -m)',
    );
    expectLine(
      await runMain(['run', '--kernel', OFF, 'extra']),
      EXIT.USAGE,
      "unexpected argument 'extra': hvlab run takes only flags (see hvlab run --help)",
    );
    expectLine(
      await runMain(['run', '--', '--kernel', OFF]),
      EXIT.USAGE,
      "unexpected argument '--kernel': hvlab run takes only flags (see hvlab run --help)",
    );
  });

  it('keeps control characters in names and values on one line', async () => {
    const r = await runMain(['run', '--kernel', join(dir, 'a\nb\u001b[31m')]);
    expectLine(r, EXIT.FILE, `cannot read --kernel '${dir}/a\\nb\\x1b[31m': no such file`);
    expect(oneLine('tab\there\r\u2028\u0085')).toBe('tab\\there\\r\\u2028\\x85');
  });

  it('refuses a NUL in --append as a bad flag value', async () => {
    expectLine(
      await runMain(['run', '--kernel', OFF, '--append', 'a\u0000b']),
      EXIT.USAGE,
      '--append: the command line contains a NUL character',
    );
  });
});

describe('guest RAM the host cannot allocate', () => {
  it('is a --memory the host cannot serve (exit 2), not a malformed image', async () => {
    const r = await runMain(['run', '--kernel', OFF, '-m', '255G']);
    expect(r.status).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/^hvlab: error: --memory: 255G is more RAM than this host can allocate \(.+\)\n$/);
  });
});

describe('a stdout that breaks', () => {
  it('EPIPE (the reader went away, `| head -c 10`) stops the run: exit 3, one line', async () => {
    const r = await runMain(['run', '--kernel', HELLO], { stdout: failingStdout(10, 'EPIPE') });
    expectLine(r, EXIT.FILE, 'cannot write the guest console to stdout: broken pipe (the reader went away)');
  });

  it('ENOSPC (a full disk) the same way; --stats still reports', async () => {
    const r = await runMain(['run', '--kernel', HELLO, '--stats'], { stdout: failingStdout(0, 'ENOSPC') });
    expect(r.status).toBe(EXIT.FILE);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('hvlab: error: cannot write the guest console to stdout: no space left on device');
    expect(lines[1]).toMatch(/^instructions retired {2}\d+$/);
  });

  it('help and version text to a broken stdout are lost, not a crash', async () => {
    expect((await runMain(['--version'], { stdout: failingStdout(0, 'EPIPE') })).status).toBe(EXIT.OK);
    expect((await runMain(['run', '--help'], { stdout: failingStdout(0, 'EPIPE') })).status).toBe(EXIT.OK);
  });
});
