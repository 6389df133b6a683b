/**
 * main() in-process with injected streams: every error path and exit status, --dump-dtb, --help.
 * Guests are tiny raw images written here (raw binaries load at RAM + 0x80000, as on QEMU).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { main } from './main.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO = join(ROOT, 'guests/prebuilt/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Little-endian A64 words as a raw image file. */
function rawImage(name: string, words: number[]): string {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => {
    b.writeUInt32LE(w >>> 0, i * 4);
  });
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}
const MOVZ_W0_9 = 0x5280_0120; // movz w0, #9
const MOVZ_W0_8 = 0x5280_0100; // movz w0, #8
const MOVK_W0_8400 = 0x72b0_8000; // movk w0, #0x8400, lsl #16
const HVC_0 = 0xd400_0002;
const B_SELF = 0x1400_0000; // b .
const WFI = 0xd503_207f;
const SYSTEM_OFF = rawImage('off.bin', [MOVZ_W0_8, MOVK_W0_8400, HVC_0, B_SELF]);
const SYSTEM_RESET = rawImage('reset.bin', [MOVZ_W0_9, MOVK_W0_8400, HVC_0, B_SELF]);
const SPIN = rawImage('spin.bin', [B_SELF]);
const WAIT = rawImage('wait.bin', [WFI, 0x17ff_ffff /* b .-4 */]);

interface Result {
  status: number;
  stdout: Buffer;
  stderr: string;
}

async function hvlab(...argv: string[]): Promise<Result> {
  const stdin = new PassThrough();
  stdin.end();
  return hvlabWith(stdin, argv);
}

async function hvlabWith(stdin: PassThrough, argv: string[]): Promise<Result> {
  const out: Buffer[] = [];
  let err = '';
  const sink = (push: (c: Buffer) => void) => ({
    write(chunk: Uint8Array | string, cb?: (e?: Error | null) => void) {
      push(Buffer.from(chunk));
      cb?.();
      return true;
    },
  });
  const status = await main(argv, {
    stdin,
    stdout: sink((c) => out.push(c)),
    stderr: sink((c) => {
      err += c.toString('utf8');
    }),
    env: {},
  });
  return { status, stdout: Buffer.concat(out), stderr: err };
}

/** One line on stderr, no stack trace. */
function expectOneLine(r: Result, status: number, pattern: RegExp) {
  expect(r.status).toBe(status);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^hvlab: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('help and version', () => {
  it('--help prints the run flags and the exit statuses on stdout', async () => {
    const r = await hvlab('run', '--help');
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    for (const flag of [
      '--kernel',
      '--initrd',
      '--append',
      '--dtb',
      '--smp',
      '--memory',
      '--backend',
      '--max-instructions',
      '--dump-dtb',
      '--stats',
    ])
      expect(text).toContain(flag);
    expect(text).toMatch(/Exit status:/);
    expect(text).toMatch(/ {2}0 {2}the guest powered off \(PSCI SYSTEM_OFF\)/);
    expect(text).toMatch(/ 11 {2}--max-instructions reached/);
    expect(r.stderr).toBe('');
  });

  it('hvlab --help lists the run command; --version prints the version', async () => {
    const h = await hvlab('--help');
    expect(h.status).toBe(0);
    expect(h.stdout.toString()).toMatch(/run \[options\]/);
    const v = await hvlab('--version');
    expect(v).toEqual({ status: 0, stdout: Buffer.from('0.1.0\n'), stderr: '' });
  });

  it('with no command prints help on stderr and exits 2', async () => {
    const r = await hvlab();
    expect(r.status).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/Usage: hvlab/);
    expect(r.stdout.length).toBe(0);
  });
});

describe('user errors: one line, distinct status', () => {
  it.each([
    [['run', '--kernel', HELLO, '--frobnicate'], /unknown option '--frobnicate'/],
    [['fly'], /unknown command 'fly'/],
    [['run', '--kernel'], /option '--kernel <file>' argument missing/],
    [['run'], /--kernel <file> is required/],
    [['run', '--kernel', HELLO, '--smp', 'two'], /--smp: 'two' is not a positive integer/],
    [['run', '--kernel', HELLO, '--memory', '12Q'], /--memory: '12Q' is not a size/],
    [['run', '--kernel', HELLO, '-m', '64K'], /--memory: 64K is outside 1M\.\.255G/],
    [['run', '--kernel', HELLO, '--backend', 'kvm'], /unknown backend 'kvm' \(available: interp\)/],
    [['run', '--kernel', HELLO, '--max-instructions', '0'], /--max-instructions: '0'/],
  ])('usage: %j', async (argv, pattern) => {
    expectOneLine(await hvlab(...argv), EXIT.USAGE, pattern);
  });

  it('missing, unreadable and directory files exit 3', async () => {
    expectOneLine(
      await hvlab('run', '--kernel', join(dir, 'nope.elf')),
      EXIT.FILE,
      /cannot read --kernel '.*nope\.elf': no such file/,
    );
    expectOneLine(await hvlab('run', '--kernel', dir), EXIT.FILE, /cannot read --kernel '.*': is a directory/);
    expectOneLine(
      await hvlab('run', '--kernel', HELLO, '--initrd', join(dir, 'no.cpio')),
      EXIT.FILE,
      /cannot read --initrd/,
    );
    expectOneLine(await hvlab('run', '--kernel', HELLO, '--dtb', join(dir, 'no.dtb')), EXIT.FILE, /cannot read --dtb/);
    expectOneLine(
      await hvlab('run', '--kernel', HELLO, '--dump-dtb', join(dir, 'no/such/dir/x.dtb')),
      EXIT.FILE,
      /cannot write --dump-dtb '.*x\.dtb': no such file/,
    );
  });

  it('a malformed ELF or DTB exits 4', async () => {
    const elf = readFileSync(HELLO);
    const broken = join(dir, 'broken.elf');
    writeFileSync(broken, elf.subarray(0, 80));
    expectOneLine(await hvlab('run', '--kernel', broken), EXIT.IMAGE, /.+/);
    const dtb = join(dir, 'bad.dtb');
    writeFileSync(dtb, Buffer.from('not a device tree blob at all'));
    expectOneLine(await hvlab('run', '--kernel', HELLO, '--dtb', dtb), EXIT.IMAGE, /.+/);
  });

  it('an image larger than RAM exits 4', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(3 * 2 ** 20));
    expectOneLine(await hvlab('run', '--kernel', big, '-m', '2M'), EXIT.IMAGE, /.+/);
  });
});

describe('runs', () => {
  it('hello.elf prints its greeting on stdout and exits 0 on SYSTEM_OFF', async () => {
    const r = await hvlab('run', '--kernel', HELLO);
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
  });

  it('--stats reports instructions, wall time, MIPS and exits on stderr', async () => {
    const r = await hvlab('run', '--kernel', SYSTEM_OFF, '--stats');
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(
      /^instructions retired {2}3\nwall time {13}\d+\.\d{3} s\nMIPS {18}\d+\.\d\d\nexits {17}hvc 1\n$/,
    );
  });

  it('SYSTEM_RESET exits 10 with one line', async () => {
    const r = await hvlab('run', '--kernel', SYSTEM_RESET);
    expect(r.status).toBe(EXIT.RESET);
    expect(r.stderr).toBe('hvlab: guest reset the system (PSCI SYSTEM_RESET on CPU 0)\n');
  });

  it('--max-instructions exits 11', async () => {
    const r = await hvlab('run', '--kernel', SPIN, '--max-instructions', '10_000', '--stats');
    expect(r.status).toBe(EXIT.MAX_INSTRUCTIONS);
    expect(r.stderr).toMatch(/^hvlab: stopped: --max-instructions 10000 reached without a system event\n/);
    expect(r.stderr).toMatch(/instructions retired {2}10000\n/);
  });

  it('a CPU waiting forever exits 12', async () => {
    const r = await hvlab('run', '--kernel', WAIT);
    expect(r.status).toBe(EXIT.HALTED);
    expect(r.stderr).toMatch(/^hvlab: guest halted: /);
  });

  it('stdin feeds the UART: piped input, and input that arrives while the guest waits', async () => {
    const UART = join(ROOT, 'guests/prebuilt/uart.elf');
    const piped = new PassThrough();
    piped.end('hvlab reads a line\n');
    const r = await hvlabWith(piped, ['run', '--kernel', UART]);
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout.toString('latin1')).toContain('uart: got "HVLAB READS A LINE" (18 bytes');
    // The guest halts in WFI waiting for input; hvlab waits for stdin instead of giving up.
    const late = new PassThrough();
    const run = hvlabWith(late, ['run', '--kernel', UART]);
    setTimeout(() => late.end('later\n'), 200);
    const r2 = await run;
    expect(r2.status).toBe(EXIT.OK);
    expect(r2.stdout.toString('latin1')).toContain('uart: got "LATER" (5 bytes');
    // Without input (stdin at EOF) the same guest can never wake: exit 12.
    const none = await hvlab('run', '--kernel', UART);
    expect(none.status).toBe(EXIT.HALTED);
    expect(none.stdout.toString('latin1')).toContain('uart: waiting for a line');
  });

  it('--smp and --memory are accepted by the board', async () => {
    expect((await hvlab('run', '--kernel', SYSTEM_OFF, '--smp', '4', '-m', '1G')).status).toBe(EXIT.OK);
  });
});

describe('--dump-dtb', () => {
  it('writes the generated DTB and exits 0 without running; dtc accepts it', async () => {
    const out = join(dir, 'virt.dtb');
    const r = await hvlab(
      'run',
      '--kernel',
      SPIN,
      '--smp',
      '2',
      '-m',
      '256M',
      '--append',
      'console=ttyAMA0',
      '--dump-dtb',
      out,
    );
    expect(r).toMatchObject({ status: 0, stderr: '' });
    const dtb = readFileSync(out);
    expect(dtb.readUInt32BE(0)).toBe(0xd00dfeed);
    const dts = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', out], { encoding: 'utf8' });
    expect(dts.status).toBe(0);
    expect(dts.stdout).toMatch(/bootargs = "console=ttyAMA0"/);
    expect(dts.stdout).toMatch(/method = "hvc"/);
    expect(dts.stdout).toMatch(/reg = <0x00 0x40000000 0x00 0x10000000>/);
    expect(dts.stdout).toMatch(/cpu@1 \{/);
    // --dump-dtb needs no kernel, like QEMU's dumpdtb.
    const bare = join(dir, 'bare.dtb');
    expect((await hvlab('run', '--dump-dtb', bare)).status).toBe(0);
    expect(readFileSync(bare).readUInt32BE(0)).toBe(0xd00dfeed);
  });

  it('the dumped DTB boots with --dtb', async () => {
    const out = join(dir, 'again.dtb');
    expect((await hvlab('run', '--dump-dtb', out)).status).toBe(0);
    expect((await hvlab('run', '--kernel', SYSTEM_OFF, '--dtb', out)).status).toBe(EXIT.OK);
  });
});
