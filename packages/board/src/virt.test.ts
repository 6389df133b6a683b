import { CoreReg, type Exit, HvlabError, PhysMem, pa, SysReg, va } from '@hvlab/core';
import { fakeCpuFactory } from '@hvlab/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdtFindNode, fdtProp, parseFdt, propCells, propStrings, readCellsAsBigInts } from './fdt/reader.js';
import { buildVirtDtb } from './fdt/virt-dtb.js';
import { FdtWriter } from './fdt/writer.js';
import { GICR_ISENABLER0 } from './gic/regs.js';
import { virtMpidr } from './layout.js';
import { buildElf, buildImage, words } from './testing/elf.js';
import {
  addVirtPvTimeRegion,
  BOOT_PSTATE,
  buildVirtBoardDtb,
  createVirtMachine,
  RamAllocationError,
  type VirtMachineOptions,
} from './virt.js';

const MiB = 1024 * 1024;
const elf = buildElf({ entry: 0x4008_0000n, segments: [{ paddr: 0x4008_0000n, data: words(0xd503_201f) }] });
const image = buildImage({ textOffset: 0x8_0000n, imageSize: 0x10_0000n, body: words(0xd503_201f) });

function boot(over: Partial<VirtMachineOptions> = {}) {
  const { factory, cpus } = fakeCpuFactory();
  const console: number[] = [];
  const vm = createVirtMachine({ cpuFactory: factory, kernel: elf, onConsole: (b) => console.push(...b), ...over });
  return { vm, cpus, console };
}

const mmioWrite = (addr: number, data: number, size: 1 | 4 = 4): Exit => ({
  kind: 'mmio',
  pa: pa(addr),
  va: va(addr),
  size,
  isWrite: true,
  data: BigInt(data),
  rt: 0,
  signExtend: false,
  sf: false,
});
const mmioRead = (addr: number): Exit => ({
  kind: 'mmio',
  pa: pa(addr),
  va: va(addr),
  size: 4,
  isWrite: false,
  data: 0n,
  rt: 1,
  signExtend: false,
  sf: false,
});

describe('createVirtMachine boot state', () => {
  it('sets CPU 0 as QEMU s boot stub does: PC, X0 = DTB, X1-X3 = 0, EL1h with DAIF masked', () => {
    const { vm, cpus } = boot();
    const c = cpus[0]!;
    expect(c.written(CoreReg.PC)).toBe(0x4008_0000n);
    expect(c.written(CoreReg.X0)).toBe(BigInt(vm.dtbAddress));
    expect([c.written(CoreReg.X1), c.written(CoreReg.X2), c.written(CoreReg.X3)]).toEqual([0n, 0n, 0n]);
    expect(c.written(CoreReg.PSTATE)).toBe(BOOT_PSTATE);
    expect(BOOT_PSTATE).toBe(0x3c5n);
    expect(vm.entry).toBe(0x4008_0000n);
  });

  it('turns the MMU and data cache off if the backend reset them on', () => {
    const { factory, cpus } = fakeCpuFactory();
    const f: typeof factory = (cfg) => {
      const c = factory(cfg);
      cpus[cfg.index]!.sysregs.set(SysReg.SCTLR_EL1, 0x30d0_1805n);
      return c;
    };
    createVirtMachine({ cpuFactory: f, kernel: elf });
    expect(cpus[0]!.getSysReg(SysReg.SCTLR_EL1)).toBe(0x30d0_1800n);
  });

  it('leaves secondary CPUs powered off and untouched, with QEMU s MPIDRs', () => {
    const { vm, cpus } = boot({ cpus: 4 });
    expect([0, 1, 2, 3].map((i) => vm.machine.powerState(i))).toEqual(['running', 'off', 'off', 'off']);
    expect(cpus.slice(1).every((c) => c.calls.every((k) => k.op === 'setInterruptLine'))).toBe(true);
    expect(cpus.map((c) => c.mpidr)).toEqual([0, 1, 2, 3].map(virtMpidr));
    expect(cpus[3]!.mpidr).toBe(0x8000_0003n);
  });

  it('places an Image at 0x40080000 and its DTB at 0x44000000 for 128 MiB (as measured on QEMU 7.2)', () => {
    const { vm } = boot({ kernel: image });
    expect(vm.entry).toBe(0x4008_0000n);
    expect(vm.dtbAddress).toBe(0x4400_0000);
    expect(vm.kernel.format).toBe('image');
  });

  it('places the initrd at 0x44000000 and the DTB at 0x44200000 (as measured on QEMU 7.2)', () => {
    const { vm } = boot({ kernel: image, initrd: new Uint8Array(5000).fill(7) });
    expect(vm.initrd).toEqual({ start: 0x4400_0000, end: 0x4400_1388 });
    expect(vm.dtbAddress).toBe(0x4420_0000);
    expect(vm.mem.read(0x4400_0000, 4)).toEqual(new Uint8Array([7, 7, 7, 7]));
  });

  it('with 1 GiB puts the DTB at 0x48200000 after a small initrd (as measured on QEMU 7.2)', () => {
    expect(boot({ kernel: image, initrd: new Uint8Array(5000), memoryBytes: 1024 * MiB }).vm.dtbAddress).toBe(
      0x4820_0000,
    );
  });

  it('enters a raw binary at 0x40080000', () => {
    const { vm } = boot({ kernel: words(0x1400_0000) });
    expect(vm.kernel.format).toBe('raw');
    expect(vm.entry).toBe(0x4008_0000n);
  });
});

describe('createVirtMachine DTB', () => {
  it('writes the generated DTB into RAM at dtbAddress', () => {
    const { vm } = boot({ cpus: 2, bootargs: 'console=ttyAMA0' });
    expect(vm.mem.read(vm.dtbAddress, vm.dtb.length)).toEqual(vm.dtb);
    expect(vm.dtb).toEqual(
      buildVirtDtb({ cpus: 2, memoryBytes: 128 * MiB, psciMethod: 'hvc', bootargs: 'console=ttyAMA0' }),
    );
  });

  it('describes the initrd, bootargs and the PSCI conduit', () => {
    const { vm } = boot({ kernel: image, initrd: new Uint8Array(16), bootargs: 'quiet', psciMethod: 'smc' });
    const root = parseFdt(vm.dtb).root;
    const chosen = fdtFindNode(root, '/chosen')!;
    expect(propCells(fdtProp(chosen, 'linux,initrd-start')!)).toEqual([vm.initrd!.start]);
    expect(propCells(fdtProp(chosen, 'linux,initrd-end')!)).toEqual([vm.initrd!.end]);
    expect(propStrings(fdtProp(chosen, 'bootargs')!)).toEqual(['quiet']);
    expect(propStrings(fdtProp(fdtFindNode(root, '/psci')!, 'method')!)).toEqual(['smc']);
  });

  it('patches a user DTB as QEMU does: /memory reg, bootargs, initrd', () => {
    const w = new FdtWriter();
    const r = w.beginNode('');
    w.propertyU32('#address-cells', 2);
    w.propertyU32('#size-cells', 2);
    const m = w.beginNode('memory@0');
    w.propertyArrayU32('reg', [0, 0, 0, 0x1000]);
    w.endNode(m);
    w.endNode(r);
    const { vm } = boot({ dtb: w.finish(), bootargs: 'x y', initrd: new Uint8Array(8), memoryBytes: 64 * MiB });
    const root = parseFdt(vm.dtb).root;
    expect(readCellsAsBigInts(fdtProp(fdtFindNode(root, '/memory')!, 'reg')!, 2)).toEqual([
      0x4000_0000n,
      BigInt(64 * MiB),
    ]);
    expect(propStrings(fdtProp(fdtFindNode(root, '/chosen')!, 'bootargs')!)).toEqual(['x y']);
    expect(fdtProp(fdtFindNode(root, '/chosen')!, 'linux,initrd-start')).toBeDefined();
    expect(vm.mem.read(vm.dtbAddress, vm.dtb.length)).toEqual(vm.dtb);
  });

  it('rejects a user file that is not a DTB, or lacks /memory or the root cell sizes', () => {
    expect(() => boot({ dtb: new Uint8Array(64) })).toThrow(/not a valid DTB/);
    const w = new FdtWriter();
    const r = w.beginNode('');
    w.propertyU32('#address-cells', 2);
    w.propertyU32('#size-cells', 2);
    w.endNode(r);
    expect(() => boot({ dtb: w.finish() })).toThrow(/no \/memory/);
    const w2 = new FdtWriter();
    w2.endNode(w2.beginNode(''));
    expect(() => boot({ dtb: w2.finish() })).toThrow(/#address-cells/);
  });
});

describe('createVirtMachine devices', () => {
  it('sends UART output to onConsole unaltered and to machine.events as text', () => {
    const { vm, cpus, console } = boot();
    const text: string[] = [];
    vm.machine.events.on('console', (t) => text.push(t));
    // "é" is two UTF-8 bytes: the text event waits for the second one.
    cpus[0]!.script.push(mmioWrite(0x0900_0000, 0x68), mmioWrite(0x0900_0000, 0xc3, 1), mmioWrite(0x0900_0000, 0xa9));
    vm.machine.run({ maxInstructions: 12 });
    expect(console).toEqual([0x68, 0xc3, 0xa9]);
    expect(text).toEqual(['h', 'é']);
    expect(cpus[0]!.calls.filter((c) => c.op === 'skipInstruction')).toHaveLength(3);
  });

  it('maps the PL031, whose default clock follows instruction time', () => {
    const { vm, cpus } = boot();
    cpus[0]!.warp(3_500_000_000); // 3.5 s at 1e9 instruction-times per second
    cpus[0]!.script.push(mmioRead(0x0901_0000));
    vm.machine.run({ maxInstructions: 4 });
    expect(cpus[0]!.calls).toContainEqual({ op: 'completeMmioRead', value: 3n });
  });

  it('uses a caller-supplied RTC clock', () => {
    const { vm } = boot({ rtcClock: () => 1_700_000_000 });
    expect(vm.rtc.read(0, 4)).toBe(1_700_000_000n);
  });

  it('maps the GIC distributor and one redistributor block per CPU', () => {
    const { vm } = boot({ cpus: 3 });
    const maps = vm.mem.mmio.mappings.map((m) => [m.base, m.size, m.device.name]);
    expect(maps).toEqual([
      [0x0800_0000, 0x1_0000, 'gicv3-distributor'],
      [0x080a_0000, 3 * 0x2_0000, 'gicv3-redistributors'],
      [0x0900_0000, 0x1000, 'pl011'],
      [0x0901_0000, 0x1000, 'pl031'],
    ]);
  });

  it('wires the UART interrupt to SPI 33 of the GIC', () => {
    const { vm } = boot();
    vm.uart.write(0x038, 4, 0x10n); // UARTIMSC.RXIM
    vm.uart.pushRx([0x61]);
    expect(vm.gic.isPending(0, 33)).toBe(true);
  });

  it('routes ICC_* system registers to the GIC instead of UNDEF', () => {
    const { vm, cpus } = boot();
    cpus[0]!.script.push({ kind: 'sysreg', reg: SysReg.ICC_SRE_EL1, isRead: true, rt: 0, value: 0n, esr: 0n });
    vm.machine.run({ maxInstructions: 4 });
    expect(cpus[0]!.calls).toContainEqual({ op: 'completeSysRegRead', value: 7n });
  });

  it('feeds the timer output into the GIC after each slice and raises IRQ', () => {
    const { vm, cpus } = boot({ kernel: image });
    // As a guest would: GICD_CTLR.EnableGrp1, then GICR_ISENABLER0 bit 27 in CPU 0's SGI_base frame.
    vm.mem.mmio.find(0x0800_0000)!.device.write(0, 4, 2n, 0);
    vm.mem.mmio.find(0x080b_0000)!.device.write(0x1_0000 + GICR_ISENABLER0, 4, BigInt(1 << 27), 0);
    for (const [reg, v] of [
      [SysReg.ICC_PMR_EL1, 0xffn],
      [SysReg.ICC_IGRPEN1_EL1, 1n],
    ] as const)
      cpus[0]!.script.push({ kind: 'sysreg', reg, isRead: false, rt: 0, value: v, esr: 0n });
    cpus[0]!.timer.virt = true;
    vm.machine.run({ maxInstructions: 100 });
    expect(vm.gic.isPending(0, 27)).toBe(true);
    expect(cpus[0]!.irqLine).toBe(true);
  });

  it('resets interrupts to Group 1 for an Image and to Group 0 for an ELF, as QEMU', () => {
    expect(boot({ kernel: image }).vm.gic.cpuIf(0).group).toBe(0xffff_ffff);
    expect(boot({ kernel: elf }).vm.gic.cpuIf(0).group).toBe(0);
  });

  it('does not install PSCI: an HVC gets the machine s default UNDEF', () => {
    const { vm, cpus } = boot();
    cpus[0]!.script.push({ kind: 'hvc', imm: 0 });
    vm.machine.run({ maxInstructions: 4 });
    expect(cpus[0]!.calls).toContainEqual({ op: 'injectException', e: { kind: 'undef' } });
  });
});

describe('createVirtMachine argument checks', () => {
  const codeOf = (over: Partial<VirtMachineOptions>) => {
    try {
      boot(over);
    } catch (e) {
      expect(e).toBeInstanceOf(HvlabError);
      return (e as HvlabError).code;
    }
    return 'ok';
  };

  it('rejects bad CPU counts', () => {
    expect(codeOf({ cpus: 0 })).toBe('EINVAL');
    expect(codeOf({ cpus: 124 })).toBe('EINVAL');
    expect(codeOf({ cpus: 1.5 })).toBe('EINVAL');
  });

  it('rejects bad memory sizes', () => {
    expect(codeOf({ memoryBytes: 1000 })).toBe('EINVAL');
    expect(codeOf({ memoryBytes: 0 })).toBe('EINVAL');
    expect(codeOf({ memoryBytes: 256 * 1024 * MiB })).toBe('EINVAL');
  });

  it('rejects bad kernels, initrds, bootargs and PSCI methods', () => {
    expect(codeOf({ kernel: 'x' as unknown as Uint8Array })).toBe('EINVAL');
    expect(codeOf({ kernel: new Uint8Array(0) })).toBe('ENOEXEC');
    expect(codeOf({ initrd: [1] as unknown as Uint8Array })).toBe('EINVAL');
    expect(codeOf({ bootargs: 'a\0' })).toBe('EINVAL');
    expect(codeOf({ psciMethod: 'svc' as 'hvc' })).toBe('EINVAL');
  });

  it('rejects a kernel that does not fit in RAM', () => {
    expect(codeOf({ kernel: image, memoryBytes: 1 * MiB })).toBe('EINVAL');
  });

  it('reports RAM the JavaScript engine cannot allocate as RamAllocationError (a host limit)', () => {
    // 255 GiB is the board's own limit: above any engine's buffer limit or this host's memory.
    let err: unknown;
    try {
      boot({ memoryBytes: 255 * 1024 * MiB });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RamAllocationError);
    expect(err).toBeInstanceOf(HvlabError);
    expect((err as RamAllocationError).bytes).toBe(255 * 1024 * MiB);
    expect((err as RamAllocationError).message).toMatch(/^virt: cannot allocate 273804165120 bytes of RAM \(.+\)$/);
  });
});

describe('createVirtMachine with a user DTB (fuzz)', () => {
  it('accepts any blob that parses, or refuses it with HvlabError; never anything else', () => {
    const base = buildVirtDtb({ cpus: 2, memoryBytes: 4 * MiB, psciMethod: 'hvc', bootargs: 'x' });
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 6,
        }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        (edits, bootargs) => {
          const dtb = base.slice();
          for (const e of edits) dtb[e.at] = e.byte;
          try {
            const { vm } = boot({ dtb, memoryBytes: 4 * MiB, bootargs: bootargs?.replaceAll('\0', '') });
            expect(vm.mem.read(vm.dtbAddress, vm.dtb.length)).toEqual(vm.dtb);
          } catch (e) {
            expect(e).toBeInstanceOf(HvlabError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('buildVirtBoardDtb', () => {
  it('is the DTB createVirtMachine generates for the same options, without an initrd', () => {
    const opts = { cpus: 3, memoryBytes: 256 * MiB, bootargs: 'console=ttyAMA0', psciMethod: 'smc' } as const;
    expect(buildVirtBoardDtb(opts)).toEqual(boot(opts).vm.dtb);
    expect(buildVirtBoardDtb({})).toEqual(boot().vm.dtb);
    const v01 = { psciVersion: 1, psci01Ids: { cpuSuspend: 1, cpuOff: 2, cpuOn: 3, migrate: 4 } };
    expect(buildVirtBoardDtb(v01)).toEqual(boot(v01).vm.dtb);
  });

  it('validates its options as createVirtMachine does', () => {
    expect(() => buildVirtBoardDtb({ cpus: 124 })).toThrow(/cpus must be 1\.\.123/);
    expect(() => buildVirtBoardDtb({ memoryBytes: 4095 })).toThrow(/multiple of 4 KiB/);
    expect(() => buildVirtBoardDtb({ bootargs: 'a\0' })).toThrow(/NUL/);
    expect(() => buildVirtBoardDtb(null as never)).toThrow(HvlabError);
  });
});

describe('addVirtPvTimeRegion', () => {
  it('maps a page of RAM at VIRT_PVTIME and returns one 64-byte record per CPU', () => {
    const mem = new PhysMem();
    expect(addVirtPvTimeRegion(mem, 3)).toEqual([0x090a_0000n, 0x090a_0040n, 0x090a_0080n]);
    expect(mem.isRam(0x090a_0000, 4096)).toBe(true);
    expect(mem.isRam(0x090a_1000)).toBe(false);
  });

  it('refuses a CPU count the 64 KiB window cannot hold', () => {
    expect(() => addVirtPvTimeRegion(new PhysMem(), 1025)).toThrow(HvlabError);
    expect(() => addVirtPvTimeRegion(new PhysMem(), 0)).toThrow(HvlabError);
  });
});
