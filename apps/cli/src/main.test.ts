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
import { B_SELF, HVC_0, MOVK_W0_8400, MOVZ_W0_8, MOVZ_W0_9, WFI, rawImage as writeRaw } from './testing/guests.js';
import { type MainResult, runMain } from './testing/run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const HELLO = join(ROOT, 'guests/prebuilt/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'hvlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rawImage = (name: string, ws: number[]) => writeRaw(dir, name, ws);
const SYSTEM_OFF = rawImage('off.bin', [MOVZ_W0_8, MOVK_W0_8400, HVC_0, B_SELF]);
const SYSTEM_RESET = rawImage('reset.bin', [MOVZ_W0_9, MOVK_W0_8400, HVC_0, B_SELF]);
const SPIN = rawImage('spin.bin', [B_SELF]);
const WAIT = rawImage('wait.bin', [WFI, 0x17ff_ffff /* b .-4 */]);

type Result = MainResult;

const hvlab = (...argv: string[]): Promise<Result> => runMain(argv);
const hvlabWith = (stdin: PassThrough, argv: string[]): Promise<Result> => runMain(argv, { stdin });

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
      '--psci-version',
      '--system-suspend',
      '--fw-reg',
      '--smccc-filter',
    ])
      expect(text).toContain(flag);
    expect(text).toMatch(/Exit status:/);
    expect(text).toMatch(/ {2}0 {2}the guest powered off \(PSCI SYSTEM_OFF or SYSTEM_OFF2\)/);
    expect(text).toMatch(/ 10 {2}the guest reset the system \(PSCI SYSTEM_RESET or SYSTEM_RESET2\)/);
    expect(text).toMatch(/ 14 {2}the guest suspended the system \(PSCI SYSTEM_SUSPEND, with --system-suspend\)/);
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

  it("is a KVM VMM: the SMCCC services guest gets KVM's answers, PV time included (guests/expected/smccc.txt)", async () => {
    const r = await hvlab('run', '--kernel', join(ROOT, 'guests/prebuilt/smccc.elf'));
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout.toString('latin1')).toBe(readFileSync(join(ROOT, 'guests/expected/smccc.txt'), 'latin1'));
  });

  it('four CPUs through PSCI: smp.elf prints what QEMU -smp 4 prints (guests/expected/smp.txt)', async () => {
    const r = await hvlab('run', '--kernel', join(ROOT, 'guests/prebuilt/smp.elf'), '--smp', '4');
    expect(r.status).toBe(EXIT.OK);
    expect(r.stdout.toString('latin1')).toBe(readFileSync(join(ROOT, 'guests/expected/smp.txt'), 'latin1'));
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

  it("/psci follows --psci-version: 0.2 has two compatibles, 0.1 one and KVM's 0.1 function IDs", async () => {
    const dts = async (version: string) => {
      const out = join(dir, `psci-${version}.dtb`);
      expect((await hvlab('run', '--psci-version', version, '--dump-dtb', out)).status).toBe(0);
      return spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', out], { encoding: 'utf8' }).stdout;
    };
    // dtc prints a string list as one string with \0 separators.
    expect(await dts('1.3')).toContain('compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";');
    expect(await dts('0.2')).toContain('compatible = "arm,psci-0.2\\0arm,psci";');
    const v01 = await dts('0.1');
    expect(v01).toMatch(/compatible = "arm,psci";/);
    expect(v01).toMatch(/cpu_on = <0x95c1ba60>;/);
  });

  it('the dumped DTB boots with --dtb', async () => {
    const out = join(dir, 'again.dtb');
    expect((await hvlab('run', '--dump-dtb', out)).status).toBe(0);
    expect((await hvlab('run', '--kernel', SYSTEM_OFF, '--dtb', out)).status).toBe(EXIT.OK);
  });
});

// The firmware flags. Guests (raw images, hand-assembled with aarch64-linux-gnu-as):
//   SMP        CPU_ON64(1, secondary, 0); on SUCCESS spin, else SYSTEM_OFF. secondary: SYSTEM_RESET.
//   VERSION_11 PSCI_VERSION == 1.1 ? SYSTEM_OFF : SYSTEM_RESET.
//   notSupported(fn)  call 0x8400_0000 + fn; NOT_SUPPORTED ? SYSTEM_OFF : SYSTEM_RESET.
//   PSCI_0_1   PSCI_VERSION NOT_SUPPORTED ? KVM 0.1 CPU_OFF : SYSTEM_RESET.
//   SUSPEND    SYSTEM_SUSPEND64(0x40080000, 0), then SYSTEM_OFF.
const SYS_OFF = [MOVZ_W0_8, MOVK_W0_8400, HVC_0];
const SYS_RESET = [MOVZ_W0_9, MOVK_W0_8400, HVC_0];
const SMP = rawImage('smp.bin', [
  0xd280_0060, // mov  x0, #0x3
  0xf2b8_8000, // movk x0, #0xc400, lsl #16     CPU_ON64
  0xd280_0021, // mov  x1, #1
  0x1000_0102, // adr  x2, secondary (+0x20)
  0xd280_0003, // mov  x3, #0
  HVC_0,
  0xb400_0000, // cbz  x0, .
  ...SYS_OFF,
  B_SELF,
  ...SYS_RESET, // secondary
  B_SELF,
]);
const VERSION_11 = rawImage('version11.bin', [
  0x5280_0000, // mov  w0, #0
  0x72b0_8000, // movk w0, #0x8400, lsl #16     PSCI_VERSION
  HVC_0,
  0xd280_0021, // mov  x1, #1
  0xf2a0_0021, // movk x1, #1, lsl #16
  0xeb01_001f, // cmp  x0, x1
  0x5400_0080, // b.eq +16
  ...SYS_RESET,
  ...SYS_OFF,
]);
const notSupported = (fn: number) =>
  rawImage(`notsup-${fn}.bin`, [
    0x5280_0000 | (fn << 5), // mov  w0, #fn
    0x72b0_8000, // movk w0, #0x8400, lsl #16
    HVC_0,
    0xb100_041f, // cmn  x0, #1
    0x5400_0080, // b.eq +16
    ...SYS_RESET,
    ...SYS_OFF,
  ]);
const PSCI_VERSION_IS_NOT_SUPPORTED = notSupported(0x00);
const TRNG_VERSION_IS_NOT_SUPPORTED = notSupported(0x50);
const PSCI_0_1 = rawImage('psci01.bin', [
  0x5280_0000, // mov  w0, #0
  0x72b0_8000, // movk w0, #0x8400, lsl #16     PSCI_VERSION
  HVC_0,
  0xb100_041f, // cmn  x0, #1
  0x5400_0080, // b.eq +16
  ...SYS_RESET,
  0x5297_4be0, // mov  w0, #0xba5f
  0x72b2_b820, // movk w0, #0x95c1, lsl #16     KVM_PSCI_FN_CPU_OFF
  HVC_0,
  B_SELF,
]);
const SUSPEND = rawImage('suspend.bin', [
  0xd280_01c0, // mov  x0, #0xe
  0xf2b8_8000, // movk x0, #0xc400, lsl #16     SYSTEM_SUSPEND64
  0xd2a8_0101, // mov  x1, #0x40080000
  0xd280_0002, // mov  x2, #0
  HVC_0,
  ...SYS_OFF,
]);

/** One line on stderr, exactly, for a refusal reported the way KVM reports it. */
function expectKvmRefusal(r: Result, line: string) {
  expect(r.status).toBe(EXIT.USAGE);
  expect(r.stderr).toBe(`hvlab: ${line}\n`);
  expect(r.stdout.length).toBe(0);
}

describe('--smp: secondaries come up through PSCI CPU_ON', () => {
  it('with 2 CPUs the secondary starts at the entry point and resets the system (exit 10)', async () => {
    const r = await hvlab('run', '--kernel', SMP, '--smp', '2');
    expect(r.status).toBe(EXIT.RESET);
    expect(r.stderr).toBe('hvlab: guest reset the system (PSCI SYSTEM_RESET on CPU 1)\n');
  });
  it('with 1 CPU there is no CPU 1: CPU_ON fails and the guest powers off (exit 0)', async () => {
    expect(await hvlab('run', '--kernel', SMP, '--smp', '1')).toMatchObject({ status: EXIT.OK, stderr: '' });
  });
});

describe('--psci-version', () => {
  it("selects the version the guest sees (KVM's default 1.3 otherwise)", async () => {
    expect((await hvlab('run', '--kernel', VERSION_11, '--psci-version', '1.1')).status).toBe(EXIT.OK);
    expect((await hvlab('run', '--kernel', VERSION_11)).status).toBe(EXIT.RESET);
    expect((await hvlab('run', '--kernel', VERSION_11, '--psci-version', '1.3')).status).toBe(EXIT.RESET);
  });
  it("0.1 gives vCPUs without PSCI 0.2: no PSCI_VERSION, KVM's 0.1 CPU_OFF", async () => {
    // Every CPU off and no SYSTEM_OFF in PSCI 0.1: the machine halts (exit 12).
    const r = await hvlab('run', '--kernel', PSCI_0_1, '--psci-version', '0.1');
    expect(r.status).toBe(EXIT.HALTED);
    expect(r.stderr).toBe('hvlab: guest halted: every CPU is powered off\n');
    expect((await hvlab('run', '--kernel', PSCI_0_1, '--psci-version', '0.2')).status).toBe(EXIT.RESET);
  });
  it.each([
    ['1.9', /--psci-version: 1\.9 is not a version KVM serves \(0\.1, 0\.2, 1\.0, 1\.1, 1\.2, 1\.3\)/],
    ['2.0', /--psci-version: 2\.0 is not a version KVM serves/],
    ['one', /--psci-version: 'one' is not a PSCI version \(MAJOR\.MINOR, e\.g\. 1\.3\)/],
    ['1', /--psci-version: '1' is not a PSCI version/],
  ])('rejects %s (exit 2)', async (v, pattern) => {
    expectOneLine(await hvlab('run', '--kernel', VERSION_11, '--psci-version', v), EXIT.USAGE, pattern);
  });
});

describe('--fw-reg', () => {
  it('sets firmware registers by name or ID before the first run, in order', async () => {
    expect((await hvlab('run', '--kernel', VERSION_11, '--fw-reg', 'KVM_REG_ARM_PSCI_VERSION=0x10001')).status).toBe(
      EXIT.OK,
    );
    expect((await hvlab('run', '--kernel', VERSION_11, '--fw-reg', '0x6030000000140000=65537')).status).toBe(EXIT.OK);
    expect(
      (
        await hvlab(
          'run',
          '--kernel',
          VERSION_11,
          '--psci-version',
          '1.0',
          '--fw-reg',
          'KVM_REG_ARM_PSCI_VERSION=0x10000',
          '--fw-reg',
          'kvm_reg_arm_psci_version=0x10001',
        )
      ).status,
    ).toBe(EXIT.OK);
    // TRNG is served by default; clearing its bit in KVM_REG_ARM_STD_BMAP hides it.
    expect((await hvlab('run', '--kernel', TRNG_VERSION_IS_NOT_SUPPORTED)).status).toBe(EXIT.RESET);
    expect(
      (await hvlab('run', '--kernel', TRNG_VERSION_IS_NOT_SUPPORTED, '--fw-reg', 'KVM_REG_ARM_STD_BMAP=0')).status,
    ).toBe(EXIT.OK);
  });

  it.each([
    ['KVM_REG_ARM_STD_BMAP=0x2', 'EINVAL (unknown bits)'],
    ['0x6030000000160000=0x2', 'EINVAL (unknown bits)'],
    ['KVM_REG_ARM_VENDOR_HYP_BMAP=0x4', 'EINVAL (unknown bits)'],
    ['KVM_REG_ARM_NOPE=1', 'ENOENT (no such firmware register)'],
    ['0x6030000000140009=0', 'ENOENT (no such firmware register)'],
    ['0x6030000000100000=0', 'ENOENT (no such firmware register)'],
  ])('reports %s as KVM would: %s', async (arg, why) => {
    expectKvmRefusal(await hvlab('run', '--kernel', VERSION_11, '--fw-reg', arg), `--fw-reg ${arg}: ${why}`);
  });

  it('reports a refused PSCI version with KVM errno and reason', async () => {
    const r = await hvlab('run', '--kernel', VERSION_11, '--fw-reg', 'KVM_REG_ARM_PSCI_VERSION=0x10004');
    expect(r.status).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(
      /^hvlab: --fw-reg KVM_REG_ARM_PSCI_VERSION=0x10004: EINVAL \(1\.4 is not a version KVM serves/,
    );
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expectKvmRefusal(
      await hvlab('run', '--kernel', VERSION_11, '--psci-version', '0.1', '--fw-reg', 'KVM_REG_ARM_PSCI_VERSION=2'),
      '--fw-reg KVM_REG_ARM_PSCI_VERSION=2: EINVAL (0.2 needs vCPUs with KVM_ARM_VCPU_PSCI_0_2)',
    );
  });

  it.each([
    ['KVM_REG_ARM_STD_BMAP', /--fw-reg: 'KVM_REG_ARM_STD_BMAP' is not ID=VALUE/],
    ['KVM_REG_ARM_STD_BMAP=', /has a VALUE that is not a 64-bit number/],
    ['KVM_REG_ARM_STD_BMAP=zz', /has a VALUE that is not a 64-bit number/],
    ['KVM_REG_ARM_STD_BMAP=0x10000000000000000', /has a VALUE that is not a 64-bit number/],
    ['0xg=1', /has an ID that is neither a number nor a register name/],
  ])('rejects the syntax of %s (exit 2)', async (arg, pattern) => {
    expectOneLine(await hvlab('run', '--kernel', VERSION_11, '--fw-reg', arg), EXIT.USAGE, pattern);
  });
});

describe('--smccc-filter', () => {
  it('deny: the guest gets NOT_SUPPORTED', async () => {
    expect((await hvlab('run', '--kernel', PSCI_VERSION_IS_NOT_SUPPORTED)).status).toBe(EXIT.RESET);
    const r = await hvlab('run', '--kernel', PSCI_VERSION_IS_NOT_SUPPORTED, '--smccc-filter', '0x84000000:1:deny');
    expect(r).toMatchObject({ status: EXIT.OK, stderr: '' });
  });

  it('fwd: the call reaches hvlab as the VMM, is logged and answered NOT_SUPPORTED, and the guest resumes', async () => {
    const r = await hvlab('run', '--kernel', TRNG_VERSION_IS_NOT_SUPPORTED, '--smccc-filter', '0x84000050:4:FWD');
    expect(r.status).toBe(EXIT.OK);
    expect(r.stderr).toBe('hvlab: CPU 0: HVC #0 call 0x84000050 forwarded to the VMM: answered NOT_SUPPORTED\n');
  });

  it('handle: KVM handles it; ranges accumulate', async () => {
    const r = await hvlab(
      'run',
      '--kernel',
      PSCI_VERSION_IS_NOT_SUPPORTED,
      '--smccc-filter',
      '0x84000000:1:handle',
      '--smccc-filter',
      '0x84000050:4:deny',
    );
    expect(r.status).toBe(EXIT.RESET);
  });

  it.each([
    [
      ['0x80000000:1:deny'],
      '0x80000000:1:deny',
      'EEXIST (filter range 0x80000000..0x80000000 overlaps the reserved Arm Architecture range 0x80000000..0x8000FFFF)',
    ],
    [['0x84000000:0:deny'], '0x84000000:0:deny', 'EINVAL (a filter range of 0 functions)'],
    [['0xffffffff:2:deny'], '0xffffffff:2:deny', 'EINVAL (filter range 0xFFFFFFFF + 2 runs past 0xFFFFFFFF)'],
    [
      ['0x84000000:16:deny', '0x8400000f:1:fwd'],
      '0x8400000f:1:fwd',
      'EEXIST (filter range 0x8400000F..0x8400000F overlaps 0x84000000..0x8400000F)',
    ],
  ])('reports %j as KVM would', async (ranges, failing, why) => {
    const argv = ranges.flatMap((f) => ['--smccc-filter', f]);
    expectKvmRefusal(await hvlab('run', '--kernel', VERSION_11, ...argv), `--smccc-filter ${failing}: ${why}`);
  });

  it.each([
    ['0x84000000:1', /is not BASE:COUNT:ACTION/],
    ['0x84000000:1:allow', /has an ACTION other than handle, deny or fwd/],
    ['0x184000000:1:deny', /has a BASE that is not a 32-bit function ID/],
    ['x:1:deny', /has a BASE that is not a 32-bit function ID/],
    ['0x84000000:-1:deny', /has a COUNT that is not a 32-bit number/],
  ])('rejects the syntax of %s (exit 2)', async (arg, pattern) => {
    expectOneLine(await hvlab('run', '--kernel', VERSION_11, '--smccc-filter', arg), EXIT.USAGE, pattern);
  });
});

describe('--system-suspend and the exit status of each system event', () => {
  it('SYSTEM_SUSPEND exits 14 with --system-suspend; without it the call is NOT_SUPPORTED and the guest powers off', async () => {
    const r = await hvlab('run', '--kernel', SUSPEND, '--system-suspend');
    expect(r.status).toBe(EXIT.SUSPEND);
    expect(r.stderr).toBe('hvlab: guest suspended the system (PSCI SYSTEM_SUSPEND on CPU 0)\n');
    expect(await hvlab('run', '--kernel', SUSPEND)).toMatchObject({ status: EXIT.OK, stderr: '' });
  });

  it('SYSTEM_OFF, SYSTEM_RESET and SYSTEM_SUSPEND give 0, 10 and 14', async () => {
    expect((await hvlab('run', '--kernel', SYSTEM_OFF)).status).toBe(0);
    expect((await hvlab('run', '--kernel', SYSTEM_RESET)).status).toBe(10);
    expect((await hvlab('run', '--kernel', SUSPEND, '--system-suspend')).status).toBe(14);
  });
});
