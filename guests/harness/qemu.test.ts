/** The QEMU oracle harness itself: exact capture, exit status, timeouts, and the missing-QEMU errors. */
import { afterEach, describe, expect, test } from 'vitest';
import { encode, wordsToBytes } from './encode.js';
import { prebuiltPath, readExpected } from './guests.js';
import { findQemu, qemuVersion, requireQemu, runQemu, runQemuBytes } from './qemu.js';

describe('runQemu', () => {
  test('captures the console byte for byte and exits 0 on PSCI SYSTEM_OFF', async () => {
    const r = await runQemu(prebuiltPath('hello.elf'), { timeoutMs: 20_000 });
    expect(r).toMatchObject({ code: 0, timedOut: false });
    expect(r.stdout).toBe(readExpected('hello.elf'));
  });

  test('runs a raw image from memory at 0x40080000', async () => {
    // "H\n" then SYSTEM_OFF: movz x9, #0x900, lsl #16; movz w4, #'H'; str w4, [x9]; movz w4, #10;
    // str w4, [x9]; movz x0, #8; movk x0, #0x8400, lsl #16; hvc #0
    const image = wordsToBytes([
      encode({ k: 'movWide', sf: true, op: 'movz', rd: 9, imm16: 0x900, hw: 1 }),
      encode({ k: 'movWide', sf: false, op: 'movz', rd: 4, imm16: 0x48, hw: 0 }),
      encode({ k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 }),
      encode({ k: 'movWide', sf: false, op: 'movz', rd: 4, imm16: 10, hw: 0 }),
      encode({ k: 'ldst', op: 'strw', mode: 'uimm', rt: 4, rn: 9, imm: 0 }),
      encode({ k: 'movWide', sf: true, op: 'movz', rd: 0, imm16: 8, hw: 0 }),
      encode({ k: 'movWide', sf: true, op: 'movk', rd: 0, imm16: 0x8400, hw: 1 }),
      encode({ k: 'hvc', imm16: 0 }),
    ]);
    const r = await runQemuBytes(image, { timeoutMs: 20_000 });
    expect(r).toMatchObject({ stdout: 'H\n', code: 0, timedOut: false });
  });

  test('kills a guest that never powers off at the timeout', async () => {
    const spin = wordsToBytes([encode({ k: 'b', link: false, offset: 0 })]);
    const t0 = Date.now();
    const r = await runQemuBytes(spin, { timeoutMs: 1_000 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(r.stdout).toBe('');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  test('cpus gives the machine that many CPUs (-smp), the secondaries powered off', async () => {
    const one = await runQemu(prebuiltPath('smp.elf'), { timeoutMs: 20_000 });
    expect(one.stdout).toContain('before: AFFINITY_INFO(0x1, level 0) = INVALID_PARAMETERS FAIL\n');
    const four = await runQemu(prebuiltPath('smp.elf'), { timeoutMs: 20_000, cpus: 4 });
    expect(four.stdout).toContain('before: AFFINITY_INFO(0x1, level 0) = OFF ok\n');
    expect(() => runQemu(prebuiltPath('smp.elf'), { cpus: 0 })).toThrow(/cpus must be a positive integer/);
  });

  test('is QEMU 7.2, the version the expected outputs were captured with', () => {
    expect(qemuVersion()).toMatch(/^7\.2\./);
  });
});

describe('a missing QEMU is an error, never a skip', () => {
  const saved = { qemu: process.env.HVLAB_QEMU, ci: process.env.CI };
  afterEach(() => {
    if (saved.qemu === undefined) delete process.env.HVLAB_QEMU;
    else process.env.HVLAB_QEMU = saved.qemu;
    if (saved.ci === undefined) delete process.env.CI;
    else process.env.CI = saved.ci;
  });

  test('outside CI the message says how to install it', () => {
    process.env.HVLAB_QEMU = '/nonexistent/qemu-system-aarch64';
    delete process.env.CI;
    expect(findQemu()).toBeUndefined();
    expect(() => requireQemu()).toThrow(/apt-get install qemu-system-arm/);
  });

  test('in CI the message says the CI image is broken', () => {
    process.env.HVLAB_QEMU = '/nonexistent/qemu-system-aarch64';
    process.env.CI = 'true';
    expect(() => requireQemu()).toThrow(/CI is set/);
  });
});
