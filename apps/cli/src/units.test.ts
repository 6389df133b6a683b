import { fc, test } from '@fast-check/vitest';
import { BUDGET_EXIT, EXIT_KINDS, type ExitKind, ipa } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { ConsoleIn, ConsoleOut, type InStream } from './console.js';
import { EXIT, EXIT_TABLE, outcomeOf } from './exit-codes.js';
import { checkRunOptions } from './options.js';
import { formatStats } from './stats.js';
import { formatSize, parseMemorySize, parsePositiveInt, UserError } from './values.js';

const MiB = 2 ** 20;

describe('--memory sizes (QEMU -m syntax)', () => {
  it('reads suffixes as powers of 1024 and a bare number as MiB', () => {
    expect(parseMemorySize('128M')).toBe(128 * MiB);
    expect(parseMemorySize('128m')).toBe(128 * MiB);
    expect(parseMemorySize('1G')).toBe(2 ** 30);
    expect(parseMemorySize('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseMemorySize('512')).toBe(512 * MiB);
    expect(parseMemorySize('65536K')).toBe(64 * MiB);
    expect(parseMemorySize('4096b')).toBe(4096);
    expect(parseMemorySize('1T')).toBe(2 ** 40);
  });

  it('rejects what QEMU rejects', () => {
    for (const bad of ['', 'M', '-1M', '12Q', '1e3M', '0x100M', '1,5G', '1.0000000001b'])
      expect(() => parseMemorySize(bad), bad).toThrow(UserError);
  });

  test.prop([fc.integer({ min: 1, max: 2 ** 20 })])('formatSize and parseMemorySize agree on MiB multiples', (m) => {
    expect(parseMemorySize(formatSize(m * MiB))).toBe(m * MiB);
  });
});

describe('positive integers', () => {
  it('accepts digits, separators and exponent form', () => {
    expect(parsePositiveInt('--smp', '4')).toBe(4);
    expect(parsePositiveInt('--max-instructions', '1_000_000')).toBe(1_000_000);
    expect(parsePositiveInt('--max-instructions', '1e9')).toBe(1e9);
  });
  it('rejects everything else with the flag in the message', () => {
    for (const bad of ['0', '-2', '1.5', 'two', '', '0x10', '1e400', '9007199254740993'])
      expect(() => parsePositiveInt('--smp', bad), bad).toThrow(/^--smp: /);
  });
});

describe('checkRunOptions', () => {
  const base = { kernel: 'k.elf', smp: '1', memory: '128M', backend: 'interp' };
  it('produces a RunConfig with defaults', () => {
    expect(checkRunOptions({ kernel: 'k.elf' })).toEqual({
      kernelPath: 'k.elf',
      initrdPath: undefined,
      dtbPath: undefined,
      append: undefined,
      smp: 1,
      memory: 128 * MiB,
      backend: 'interp',
      maxInstructions: undefined,
      dumpDtbPath: undefined,
      stats: false,
      psciVersion: undefined,
      systemSuspend: false,
      fwRegs: [],
      smcccFilters: [],
    });
  });
  it('parses the firmware flags (syntax here, KVM rules on the VM)', () => {
    const cfg = checkRunOptions({
      kernel: 'k.elf',
      psciVersion: '1.1',
      systemSuspend: true,
      fwReg: ['KVM_REG_ARM_STD_BMAP=0', '0x6030000000160002=1'],
      smcccFilter: ['0x84000003:1:fwd', '2214592512:32:Deny'],
    });
    expect(cfg.psciVersion).toBe(0x1_0001);
    expect(cfg.systemSuspend).toBe(true);
    expect(cfg.fwRegs).toEqual([
      { text: 'KVM_REG_ARM_STD_BMAP=0', id: 'KVM_REG_ARM_STD_BMAP', value: 0n },
      { text: '0x6030000000160002=1', id: 0x6030_0000_0016_0002n, value: 1n },
    ]);
    expect(cfg.smcccFilters).toEqual([
      { text: '0x84000003:1:fwd', base: 0x8400_0003, count: 1, action: 'FWD_TO_USER' },
      { text: '2214592512:32:Deny', base: 0x8400_0000, count: 32, action: 'DENY' },
    ]);
    expect(checkRunOptions({ kernel: 'k.elf', psciVersion: '0.1' }).psciVersion).toBe(1);
  });
  it.each([
    [{ ...base, kernel: undefined }, /--kernel <file> is required/],
    [{ ...base, kernel: '' }, /--kernel: empty file name/],
    [{ ...base, smp: '124' }, /--smp: 124 CPUs is more than the virt board's 123/],
    [{ ...base, smp: '0' }, /--smp: '0' is not a positive integer/],
    [{ ...base, memory: '512K' }, /--memory: 512K is outside 1M\.\.255G/],
    [{ ...base, memory: '256G' }, /--memory: 256G is outside/],
    [{ ...base, memory: '2000001B' }, /--memory: .* is not a multiple of 4K/],
    [{ ...base, backend: 'wasm' }, /--backend: unknown backend 'wasm' \(available: interp\)/],
    [{ ...base, maxInstructions: 'lots' }, /--max-instructions: 'lots'/],
    [{ ...base, dumpDtb: 'x.dtb', dtb: 'y.dtb' }, /cannot be combined with --dtb/],
  ])('rejects %o', (raw, msg) => {
    let err: unknown;
    try {
      checkRunOptions(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).status).toBe(EXIT.USAGE);
    expect((err as UserError).message).toMatch(msg);
  });
  it('allows --dump-dtb without --kernel', () => {
    expect(checkRunOptions({ dumpDtb: 'virt.dtb' }).dumpDtbPath).toBe('virt.dtb');
  });
});

describe('exit statuses', () => {
  it('are distinct and documented', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT_TABLE.map(([c]) => c).sort((a, b) => a - b)).toEqual([...codes].sort((a, b) => a - b));
  });

  it('map every run result', () => {
    const ev = (type: 'shutdown' | 'reset' | 'suspend' | 'crash') =>
      outcomeOf({ reason: 'systemEvent', event: { type, reason: `PSCI ${type}`, cpu: 1 } }, undefined);
    expect(ev('shutdown')).toEqual({ status: 0, message: undefined });
    expect(ev('reset')).toEqual({ status: 10, message: 'guest reset the system (PSCI reset on CPU 1)' });
    expect(ev('suspend').status).toBe(14);
    expect(ev('crash').status).toBe(15);
    expect(outcomeOf({ reason: 'maxInstructions' }, 5000)).toEqual({
      status: 11,
      message: 'stopped: --max-instructions 5000 reached without a system event',
    });
    expect(outcomeOf({ reason: 'halted', detail: 'every CPU is powered off' }, undefined)).toEqual({
      status: 12,
      message: 'guest halted: every CPU is powered off',
    });
    expect(outcomeOf({ reason: 'stopped' }, undefined).status).toBe(130);
    const s2 = outcomeOf(
      {
        reason: 'unhandledExit',
        cpu: 0,
        exit: {
          kind: 'stage2Fault',
          ipa: ipa(0x1000),
          va: undefined,
          access: 'read',
          fault: 'translation',
          level: 1,
          s1ptw: false,
          esr: 0n,
        },
      },
      undefined,
    );
    expect(s2).toEqual({
      status: 13,
      message: 'CPU 0 stopped on an unhandled stage2Fault exit (IPA 0x0000000000001000, read)',
    });
    expect(outcomeOf({ reason: 'unhandledExit', cpu: 2, exit: BUDGET_EXIT }, undefined).message).toBe(
      'CPU 2 stopped on an unhandled budget exit',
    );
    expect(
      outcomeOf({ reason: 'hypercall', call: { cpu: 1, conduit: 'smc', imm: 0, nr: 0x8600_0040 } }, undefined),
    ).toEqual({
      status: 13,
      message: 'CPU 1 made a call forwarded to the VMM (function 0x86000040, SMC #0), which hvlab run does not answer',
    });
    expect(outcomeOf({ reason: 'breakpoint', cpu: 0, pc: 0x4008_0000n }, undefined).status).toBe(EXIT.INTERNAL);
  });
});

describe('--stats', () => {
  it('prints one name/value pair per line, exits with a count only', () => {
    const exits = Object.fromEntries(EXIT_KINDS.map((k) => [k, 0])) as Record<ExitKind, number>;
    exits.hvc = 1;
    exits.mmio = 1843;
    expect(formatStats({ retired: 250_000_000, exits }, 2.5)).toBe(
      [
        'instructions retired  250000000',
        'wall time             2.500 s',
        'MIPS                  100.00',
        'exits                 hvc 1, mmio 1843',
        '',
      ].join('\n'),
    );
    exits.hvc = 0;
    exits.mmio = 0;
    expect(formatStats({ retired: 0, exits }, 0)).toMatch(/MIPS {18}0\.00\nexits {17}none\n$/);
  });
});

describe('console', () => {
  it('passes guest bytes through unaltered, batched per event-loop turn', async () => {
    const writes: Uint8Array[] = [];
    const out = new ConsoleOut({
      write(chunk, cb) {
        if (typeof chunk !== 'string') writes.push(Uint8Array.from(chunk));
        cb?.();
        return true;
      },
    });
    out.write(Uint8Array.of(0x68, 0x69));
    out.write(Uint8Array.of(0x0d, 0x0a, 0xff, 0x00, 0x1b));
    expect(writes).toEqual([]);
    await out.drain();
    expect(writes).toEqual([Uint8Array.of(0x68, 0x69, 0x0d, 0x0a, 0xff, 0x00, 0x1b)]);
    expect(out.bytes).toBe(7);
  });

  function fakeIn(isTTY: boolean) {
    const handlers: Record<string, ((x: never) => void)[]> = { data: [], end: [], close: [], error: [] };
    const state = { raw: [] as boolean[], paused: 0, resumed: 0 };
    const input = {
      isTTY,
      on: (ev: string, fn: (x: never) => void) => handlers[ev]!.push(fn),
      off: (ev: string, fn: (x: never) => void) => {
        handlers[ev] = handlers[ev]!.filter((f) => f !== fn);
      },
      pause: () => state.paused++,
      resume: () => state.resumed++,
      setRawMode: (m: boolean) => state.raw.push(m),
    } as unknown as InStream;
    const send = (b: Buffer | string) => {
      for (const h of handlers.data!) h(b as never);
    };
    return { input, state, send, handlers };
  }

  it('feeds piped stdin to the UART untouched, Ctrl-A included', () => {
    const got: number[] = [];
    let quit = 0;
    const { input, state, send, handlers } = fakeIn(false);
    const cin = new ConsoleIn(
      input,
      (b) => got.push(...b),
      () => quit++,
    );
    cin.start();
    send(Buffer.from([0x61, 0x01, 0x78, 0x03]));
    send('é');
    cin.stop();
    send('z');
    expect(got).toEqual([0x61, 0x01, 0x78, 0x03, 0xc3, 0xa9]);
    expect(quit).toBe(0);
    expect(state.raw).toEqual([]);
    expect([state.resumed, state.paused]).toEqual([1, 1]);
    expect(Object.values(handlers).flat()).toEqual([]);
  });

  it('activity() resolves on input, on wake() and at the end of input', async () => {
    const { input, send, handlers } = fakeIn(false);
    const cin = new ConsoleIn(
      input,
      () => {},
      () => {},
    );
    cin.start();
    const order: string[] = [];
    const a = cin.activity().then(() => order.push('data'));
    send('x');
    await a;
    const b = cin.activity().then(() => order.push('wake'));
    cin.wake();
    await b;
    expect(cin.ended).toBe(false);
    const c = cin.activity().then(() => order.push('end'));
    for (const h of handlers.end!) h(undefined as never);
    await c;
    expect(cin.ended).toBe(true);
    await cin.activity();
    expect(order).toEqual(['data', 'wake', 'end']);
    cin.stop();
  });

  it('on a terminal: raw mode and the Ctrl-A escapes', () => {
    const got: number[] = [];
    let quit = 0;
    const { input, state, send } = fakeIn(true);
    const cin = new ConsoleIn(
      input,
      (b) => got.push(...b),
      () => quit++,
    );
    cin.start();
    send(Buffer.from([0x61, 0x03, 0x01, 0x01, 0x01, 0x62, 0x63]));
    expect(got).toEqual([0x61, 0x03, 0x01, 0x63]);
    send(Buffer.from([0x01]));
    send(Buffer.from([0x78, 0x64]));
    expect(quit).toBe(1);
    expect(got).toEqual([0x61, 0x03, 0x01, 0x63]);
    cin.stop();
    expect(state.raw).toEqual([true, false]);
  });
});
