/**
 * Host-side bad input, fuzzed: main() runs in-process with command lines built at random from
 * every flag with good, missing, empty, huge, negative, non-numeric and duplicated values, in
 * any order, with unknown flags and stray arguments; kernels, initrds and DTBs that are empty,
 * truncated, for the wrong machine, outside RAM, directories or missing; a stdin that ends
 * mid-run and a stdout that breaks (EPIPE, ENOSPC). Whatever the mix, hvlab must end with a
 * documented exit status other than "internal error", at most one stderr line without a stack
 * trace (plus the --stats block when asked), and no unhandled promise rejection.
 *
 * Every command line starts with `--max-instructions 300000` (later values may override it, but
 * only with small or invalid ones), so no generated run can spin for long. Raw kernels that fault
 * at once (a file of zeros) are left out on purpose: the CPU then takes exception after exception
 * at an unmapped vector without retiring an instruction, which the Machine does not count towards
 * --max-instructions yet (a core issue, reported to its owner), so such a run would never end.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildVirtBoardDtb } from '@hvlab/board';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_TABLE } from './exit-codes.js';
import { B_SELF, rawImage, SYSTEM_OFF_WORDS, SYSTEM_RESET_WORDS, WFI, words } from './testing/guests.js';
import { collectingStdout, failingStdout, runMain } from './testing/run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO = join(ROOT, 'guests/prebuilt/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** hello.elf with one field patched (offsets from the ELF64 header / first program header). */
function patchedElf(name: string, patch: (dv: DataView) => void): string {
  const b = new Uint8Array(readFileSync(HELLO));
  patch(new DataView(b.buffer, b.byteOffset, b.byteLength));
  return file(name, b);
}

/** A 64-byte arm64 Image header (booting.rst) followed by SYSTEM_OFF. */
function image(name: string, textOffset: bigint, imageSize: bigint, flags: bigint): string {
  const b = Buffer.alloc(64 + 16);
  b.writeUInt32LE(0x1400_0010, 0); // b +64: over the header
  b.writeBigUInt64LE(textOffset, 8);
  b.writeBigUInt64LE(imageSize, 16);
  b.writeBigUInt64LE(flags, 24);
  b.writeUInt32LE(0x644d_5241, 56); // "ARM\x64"
  words([...SYSTEM_OFF_WORDS]).copy(b, 64);
  return file(name, b);
}

const OFF = rawImage(dir, 'off.bin', [...SYSTEM_OFF_WORDS]);
const KERNELS = [
  OFF,
  rawImage(dir, 'reset.bin', [...SYSTEM_RESET_WORDS]),
  rawImage(dir, 'spin.bin', [B_SELF]),
  rawImage(dir, 'wait.bin', [WFI, 0x17ff_ffff]),
  HELLO,
  file('empty.bin', new Uint8Array(0)),
  file('truncated.elf', readFileSync(HELLO).subarray(0, 200)),
  patchedElf('x86-64.elf', (dv) => dv.setUint16(18, 62, true)), // e_machine EM_X86_64
  patchedElf('outside-ram.elf', (dv) => dv.setBigUint64(Number(dv.getBigUint64(32, true)) + 24, 0x1000n, true)),
  image('image.bin', 0x8_0000n, 0x1000n, 2n),
  image('image-huge-offset.bin', 1n << 62n, 0x1000n, 2n),
  image('image-big-endian.bin', 0x8_0000n, 0x1000n, 1n),
  image('image-size-0.bin', 0x20_0000n, 0n, 0n),
  file('gzip.bin', Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0)),
  file('big.bin', Buffer.concat([words([...SYSTEM_OFF_WORDS]), Buffer.alloc(3 * 2 ** 20)])),
  dir, // a directory
  join(dir, 'missing.elf'),
  join(OFF, 'x'), // a path through a file: ENOTDIR
  join(dir, 'new\nline\u001b[31m.elf'), // control characters in a (missing) file's name
];
const VALID_DTB = buildVirtBoardDtb({});
const DTBS = [
  file('valid.dtb', VALID_DTB),
  file('garbage.dtb', Buffer.from('not a device tree')),
  file('empty.dtb', new Uint8Array(0)),
  file('truncated.dtb', VALID_DTB.subarray(0, 100)),
  join(dir, 'missing.dtb'),
  dir,
];
const INITRDS = [
  file('small.cpio', new Uint8Array(4096).fill(7)),
  file('empty.cpio', new Uint8Array(0)),
  file('3m.cpio', new Uint8Array(3 * 2 ** 20)),
  join(dir, 'missing.cpio'),
];
mkdirSync(join(dir, 'out'));
const DUMP_TARGETS = [
  join(dir, 'out', 'virt.dtb'),
  join(dir, 'out'),
  join(dir, 'no', 'such', 'x.dtb'),
  join(OFF, 'x.dtb'),
];

const SIZES = ['0', '', '-1', '1.5', '2M', '3M', '4M', '128M', '1G', '4G', '64G', '255G', '256G', '4097M'];
const MORE_SIZES = ['abc', '4095B', '4096B', '1e3', ' 128M', '0x100', '1.0000001G', '9'.repeat(400)];
const INTS = ['0', '1', '2', '4', '123', '124', '1.5', '-1', '', 'abc', '1e2', '99999999999999999999', ' 3 '];
const HUGE = 'x'.repeat(100_000);

const RUNNABLE = KERNELS.slice(0, 5).concat(KERNELS.filter((k) => /image(-size-0)?\.bin$/.test(k)));

/** A flag with a value hvlab accepts, as argv words. */
const goodPiece: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.constantFrom(...INITRDS.slice(0, 1), INITRDS[2]!).map((f) => ['--initrd', f]),
  fc.constant(['--dtb', DTBS[0]!]),
  fc.constant(['--dump-dtb', DUMP_TARGETS[0]!]),
  fc.constantFrom('2M', '4M', '128M', '1G', '1.5G', '4G').map((m) => ['-m', m]),
  fc.constantFrom('1', '2', '4', '123').map((n) => ['--smp', n]),
  fc.constantFrom('1000', '100000').map((n) => ['--max-instructions', n]),
  fc.constantFrom('console=ttyAMA0', '', HUGE).map((a) => ['--append', a]),
  fc.constantFrom('1.3', '0.1', '1.0').map((v) => ['--psci-version', v]),
  fc.constant(['--fw-reg', 'KVM_REG_ARM_STD_BMAP=0']),
  fc.constant(['--smccc-filter', '0x84000050:4:deny']),
  fc.constantFrom(['--stats'], ['--system-suspend'], ['--backend', 'interp']),
);

/** Any flag and value(s), good or bad, as argv words. */
const anyPiece: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KERNELS).map((k) => ['--kernel', k]) },
  fc.constantFrom(...INITRDS).map((f) => ['--initrd', f]),
  fc.constantFrom(...DTBS).map((f) => ['--dtb', f]),
  fc.constantFrom(...DUMP_TARGETS).map((f) => ['--dump-dtb', f]),
  fc.constantFrom(...SIZES, ...MORE_SIZES).map((m) => ['-m', m]),
  fc.constantFrom(...SIZES).map((m) => [`--memory=${m}`]),
  fc.constantFrom(...INTS).map((n) => ['--smp', n]),
  fc.constantFrom('0', '1', '1000', '100000', '-5', '', '1e300', 'abc', '1_000').map((n) => ['--max-instructions', n]),
  fc.constantFrom('interp', 'kvm', '', 'INTERP').map((b) => ['--backend', b]),
  fc.constantFrom('console=ttyAMA0', '', 'a\nb', 'a\u0000b', HUGE, '--smp').map((a) => ['--append', a]),
  fc.constantFrom('1.3', '0.1', '0.2', '9.9', 'x', '').map((v) => ['--psci-version', v]),
  fc
    .constantFrom('KVM_REG_ARM_STD_BMAP=0', 'KVM_REG_ARM_STD_BMAP=0x2', 'NOPE=1', '=', 'x', '0x6030000000160000=1')
    .map((r) => ['--fw-reg', r]),
  fc
    .constantFrom('0x84000050:4:deny', '0x80000000:1:deny', '0x84000000:0:handle', '1:2', 'a:b:c', '')
    .map((f) => ['--smccc-filter', f]),
  fc.constantFrom(['--stats'], ['--system-suspend'], ['--frobnicate'], ['-x'], ['stray'], ['--'], ['--kernel']),
  fc.constantFrom(['--smp'], ['-m'], ['--kernel', '--smp'], ['--dtb', '-m'], ['--stats=1'], ['--kern', OFF]),
);

/**
 * A command line: a runnable kernel and some good flags (so runs happen), plus bad or random
 * pieces, all in random order.
 */
const commandLine: fc.Arbitrary<(readonly string[])[]> = fc
  .tuple(
    fc.option(
      fc.constantFrom(...RUNNABLE).map((k) => ['--kernel', k]),
      { nil: undefined, freq: 6 },
    ),
    fc.array(goodPiece, { maxLength: 4 }),
    fc.array(anyPiece, { maxLength: 3 }),
  )
  .chain(([kernel, good, any]) => {
    const all = [...(kernel ? [kernel] : []), ...good, ...any];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });

/** How stdin and stdout behave during the run. */
const streams = fc.record({
  stdinEndsAfterMs: fc.constantFrom(0, 5, 30),
  stdout: fc.constantFrom('ok', 'epipe-at-once', 'epipe-later', 'enospc'),
});

const DOCUMENTED = new Set(EXIT_TABLE.map(([code]) => code));
const STATS_LINE = /^(instructions retired|wall time|MIPS|exits) +/;

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('main() on random command lines', () => {
  it('always ends with a documented status, one stderr line, no stack trace, no unhandled rejection', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: fc.constant('run') }, fc.constantFrom('RUN', 'fly', '--kernel', '-V')),
        commandLine,
        streams,
        async (command, pieces, io) => {
          const argv = [command, '--max-instructions', '300000', ...pieces.flat()];
          const stdin = new PassThrough();
          const timer =
            io.stdinEndsAfterMs === 0
              ? stdin.end() && undefined
              : setTimeout(() => stdin.end('typed\n'), io.stdinEndsAfterMs);
          const stdout =
            io.stdout === 'ok'
              ? collectingStdout()
              : failingStdout(io.stdout === 'epipe-later' ? 8 : 0, io.stdout === 'enospc' ? 'ENOSPC' : 'EPIPE');
          const r = await runMain(argv, { stdin, stdout });
          clearTimeout(timer);
          if (!stdin.writableEnded) stdin.end();
          const help = argv.includes('--help') || argv.includes('-V') || command === '-V';
          expect(DOCUMENTED.has(r.status as never), `status ${r.status} for ${JSON.stringify(argv)}`).toBe(true);
          expect(r.status, r.stderr).not.toBe(EXIT.INTERNAL);
          expect(r.stderr).not.toMatch(/^\s+at /m);
          expect(r.stderr).not.toMatch(/Error:/);
          const lines = r.stderr.split('\n').filter((l) => l !== '' && !STATS_LINE.test(l));
          if (!help) expect(lines.length, JSON.stringify({ argv, stderr: r.stderr })).toBe(r.status === 0 ? 0 : 1);
          for (const l of lines) expect(l).toMatch(/^hvlab: /);
          // Bytes may reach a stdout that breaks later, never one that is broken from the start.
          if (io.stdout === 'epipe-at-once' || io.stdout === 'enospc') expect(r.stdout.length).toBe(0);
          expect(unhandled).toEqual([]);
          seen.add(r.status);
        },
      ),
      { numRuns: 200 },
    );
    // The generator must reach the guest (runs that power off, reset, stop or halt) as well as
    // refusing bad input, or it tests only the parser.
    for (const status of [EXIT.OK, EXIT.USAGE, EXIT.FILE, EXIT.IMAGE, EXIT.MAX_INSTRUCTIONS, EXIT.HALTED])
      expect(seen).toContain(status);
  });
});
