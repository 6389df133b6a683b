import { readFileSync } from 'node:fs';
import { HvlabError } from '@hvlab/core';
import { describe, expect, it } from 'vitest';
import { VIRT_MAX_CPUS } from '../layout.js';
import { dtcDecompile, hasDtc } from '../testing/dtc.js';
import { fdtToDts } from './dts.js';
import { fdtFindNode, fdtProp, parseFdt, propCells, propStrings, readCellsAsBigInts } from './reader.js';
import { buildVirtDtb, type VirtDtbConfig } from './virt-dtb.js';

const MiB = 1024 * 1024;
/** The configuration of the committed golden file testdata/virt-2cpu.dts. */
const GOLDEN: VirtDtbConfig = {
  cpus: 2,
  memoryBytes: 128 * MiB,
  psciMethod: 'hvc',
  bootargs: 'console=ttyAMA0 earlycon',
  initrd: { start: 0x4400_0000, end: 0x4400_1388 },
};
const golden = readFileSync(new URL('./testdata/virt-2cpu.dts', import.meta.url), 'utf8');

const tree = (c: Partial<VirtDtbConfig> = {}) =>
  parseFdt(buildVirtDtb({ cpus: 1, memoryBytes: 128 * MiB, psciMethod: 'hvc', ...c })).root;
const strings = (root: ReturnType<typeof tree>, path: string, prop: string) =>
  propStrings(fdtProp(fdtFindNode(root, path)!, prop)!);
const cells = (root: ReturnType<typeof tree>, path: string, prop: string) =>
  propCells(fdtProp(fdtFindNode(root, path)!, prop)!);

describe('virt DTB golden', () => {
  it('matches the committed golden DTS for 2 CPUs, 128 MiB, bootargs and an initrd', () => {
    expect(fdtToDts(parseFdt(buildVirtDtb(GOLDEN)))).toBe(golden);
  });

  it('is deterministic', () => {
    expect(buildVirtDtb(GOLDEN)).toEqual(buildVirtDtb(GOLDEN));
  });
});

describe('virt DTB contents', () => {
  it('describes the root as QEMU does', () => {
    const root = tree();
    expect(strings(root, '/', 'compatible')).toEqual(['linux,dummy-virt']);
    expect(strings(root, '/', 'model')).toEqual(['linux,dummy-virt']);
    expect(cells(root, '/', '#address-cells')).toEqual([2]);
    expect(cells(root, '/', '#size-cells')).toEqual([2]);
    expect(cells(root, '/', 'interrupt-parent')).toEqual(cells(root, '/intc@8000000', 'phandle'));
  });

  it('has one cpu@N per CPU with reg = MPIDR affinity and the cortex-a57 compatible', () => {
    const root = tree({ cpus: 20 });
    for (let i = 0; i < 20; i++) {
      const reg = cells(root, `/cpus/cpu@${i}`, 'reg');
      expect(reg).toEqual([((i >> 4) << 8) | (i & 15)]);
      expect(strings(root, `/cpus/cpu@${i}`, 'compatible')).toEqual(['arm,cortex-a57']);
      expect(strings(root, `/cpus/cpu@${i}`, 'device_type')).toEqual(['cpu']);
    }
    expect(cells(root, '/cpus', '#address-cells')).toEqual([1]);
    expect(cells(root, '/cpus', '#size-cells')).toEqual([0]);
  });

  it('uses two address cells in /cpus when an MPIDR has Aff3', () => {
    const root = tree({ cpus: 2, mpidr: (i) => (1n << 32n) | BigInt(i) });
    expect(cells(root, '/cpus', '#address-cells')).toEqual([2]);
    expect(cells(root, '/cpus/cpu@1', 'reg')).toEqual([1, 1]);
  });

  it('adds enable-method = "psci" only with more than one CPU', () => {
    expect(fdtProp(fdtFindNode(tree({ cpus: 1 }), '/cpus/cpu@0')!, 'enable-method')).toBeUndefined();
    expect(strings(tree({ cpus: 2 }), '/cpus/cpu@1', 'enable-method')).toEqual(['psci']);
  });

  it('links every cpu-map core to its CPU phandle', () => {
    const root = tree({ cpus: 3 });
    for (let i = 0; i < 3; i++)
      expect(cells(root, `/cpus/cpu-map/socket0/cluster0/core${i}`, 'cpu')).toEqual(
        cells(root, `/cpus/cpu@${i}`, 'phandle'),
      );
  });

  it('describes the memory at 0x40000000 with the configured size', () => {
    const root = tree({ memoryBytes: 5 * 1024 * MiB });
    expect(readCellsAsBigInts(fdtProp(fdtFindNode(root, '/memory@40000000')!, 'reg')!, 2)).toEqual([
      0x4000_0000n,
      5n * 1024n * 1024n * 1024n,
    ]);
    expect(strings(root, '/memory', 'device_type')).toEqual(['memory']);
  });

  it('describes the PL011 at 0x9000000, SPI 1 level-high, with the 24 MHz apb-pclk', () => {
    const root = tree();
    expect(strings(root, '/pl011@9000000', 'compatible')).toEqual(['arm,pl011', 'arm,primecell']);
    expect(cells(root, '/pl011@9000000', 'interrupts')).toEqual([0, 1, 4]);
    expect(cells(root, '/pl011@9000000', 'reg')).toEqual([0, 0x0900_0000, 0, 0x1000]);
    expect(strings(root, '/pl011@9000000', 'clock-names')).toEqual(['uartclk', 'apb_pclk']);
    const clk = cells(root, '/apb-pclk', 'phandle')[0];
    expect(cells(root, '/pl011@9000000', 'clocks')).toEqual([clk, clk]);
    expect(cells(root, '/apb-pclk', 'clock-frequency')).toEqual([24_000_000]);
    expect(strings(root, '/apb-pclk', 'compatible')).toEqual(['fixed-clock']);
  });

  it('describes the PL031 at 0x9010000, SPI 2', () => {
    const root = tree();
    expect(strings(root, '/pl031@9010000', 'compatible')).toEqual(['arm,pl031', 'arm,primecell']);
    expect(cells(root, '/pl031@9010000', 'interrupts')).toEqual([0, 2, 4]);
    expect(cells(root, '/pl031@9010000', 'reg')).toEqual([0, 0x0901_0000, 0, 0x1000]);
  });

  it('describes a GICv3 with distributor and one redistributor region', () => {
    const root = tree();
    const gic = fdtFindNode(root, '/intc@8000000')!;
    expect(strings(root, '/intc@8000000', 'compatible')).toEqual(['arm,gic-v3']);
    expect(cells(root, '/intc@8000000', '#interrupt-cells')).toEqual([3]);
    expect(cells(root, '/intc@8000000', '#redistributor-regions')).toEqual([1]);
    expect(readCellsAsBigInts(fdtProp(gic, 'reg')!, 2)).toEqual([0x0800_0000n, 0x1_0000n, 0x080a_0000n, 0xf6_0000n]);
    expect(fdtProp(gic, 'interrupt-controller')).toEqual(new Uint8Array(0));
  });

  it('lists the timer PPIs 13, 14, 11, 10 level-high', () => {
    expect(cells(tree(), '/timer', 'interrupts')).toEqual([1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
    expect(strings(tree(), '/timer', 'compatible')).toEqual(['arm,armv8-timer', 'arm,armv7-timer']);
  });

  it('describes PSCI with the conduit and the 0.2 function IDs', () => {
    for (const method of ['hvc', 'smc'] as const) {
      const root = tree({ psciMethod: method });
      expect(strings(root, '/psci', 'method')).toEqual([method]);
      expect(strings(root, '/psci', 'compatible')).toEqual(['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
      expect(cells(root, '/psci', 'cpu_suspend')).toEqual([0xc400_0001]);
      expect(cells(root, '/psci', 'cpu_off')).toEqual([0x8400_0002]);
      expect(cells(root, '/psci', 'cpu_on')).toEqual([0xc400_0003]);
      expect(cells(root, '/psci', 'migrate')).toEqual([0xc400_0005]);
    }
  });

  it('puts stdout-path, bootargs and initrd in /chosen', () => {
    const root = tree({ bootargs: 'a b', initrd: { start: 0x4400_0000, end: 0x4400_1000 } });
    expect(strings(root, '/chosen', 'stdout-path')).toEqual(['/pl011@9000000']);
    expect(strings(root, '/chosen', 'bootargs')).toEqual(['a b']);
    expect(cells(root, '/chosen', 'linux,initrd-start')).toEqual([0x4400_0000]);
    expect(cells(root, '/chosen', 'linux,initrd-end')).toEqual([0x4400_1000]);
  });

  it('omits empty bootargs and a missing initrd', () => {
    const chosen = fdtFindNode(tree({ bootargs: '' }), '/chosen')!;
    expect(chosen.properties.map((p) => p.name)).toEqual(['stdout-path']);
  });

  it('writes initrd addresses above 4 GiB as two cells', () => {
    const root = tree({ memoryBytes: 8 * 1024 * MiB, initrd: { start: 0x1_0000_0000, end: 0x1_0000_1000 } });
    expect(cells(root, '/chosen', 'linux,initrd-start')).toEqual([1, 0]);
  });

  it('rejects bad configurations with EINVAL', () => {
    const bad = (c: Partial<VirtDtbConfig>) => () => tree(c);
    expect(bad({ cpus: 0 })).toThrow(HvlabError);
    expect(bad({ cpus: VIRT_MAX_CPUS + 1 })).toThrow(/CPUs/);
    expect(bad({ memoryBytes: -1 })).toThrow(/memory/);
    expect(bad({ psciMethod: 'svc' as 'hvc' })).toThrow(/PSCI method/);
    expect(bad({ initrd: { start: 10, end: 5 } })).toThrow(/initrd/);
    expect(bad({ bootargs: 'a\0b' })).toThrow(/NUL/);
  });
});

describe('virt DTB through dtc', () => {
  it('dtc is installed (scripts/test.sh installs device-tree-compiler)', () => {
    expect(hasDtc(), 'dtc is missing: apt-get install device-tree-compiler').toBe(true);
  });

  it('decompiles without warnings, exactly as fdtToDts prints it', () => {
    for (const c of [GOLDEN, { ...GOLDEN, cpus: 1, bootargs: undefined, initrd: undefined }, { ...GOLDEN, cpus: 8 }]) {
      const dtb = buildVirtDtb(c);
      const r = dtcDecompile(dtb);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(fdtToDts(parseFdt(dtb)));
    }
  });

  it('agrees with the committed golden DTS', () => {
    expect(dtcDecompile(buildVirtDtb(GOLDEN)).stdout).toBe(golden);
  });
});

describe('/psci follows the firmware version (hw/arm/boot.c fdt_add_psci_node)', () => {
  const psciNode = (extra: Partial<VirtDtbConfig>) => {
    const fdt = parseFdt(buildVirtDtb({ ...GOLDEN, ...extra }));
    const node = fdtFindNode(fdt.root, '/psci')!;
    return { compatible: propStrings(fdtProp(node, 'compatible')!), cpuOn: propCells(fdtProp(node, 'cpu_on')!)[0] };
  };

  it('1.x lists three compatibles and the 0.2 IDs; 0.2 two; 0.1 one and its own IDs', () => {
    expect(psciNode({ psciVersion: 0x1_0003 })).toEqual({
      compatible: ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'],
      cpuOn: 0xc400_0003,
    });
    expect(psciNode({ psciVersion: 0x2 }).compatible).toEqual(['arm,psci-0.2', 'arm,psci']);
    const ids = { cpuSuspend: 0x95c1_ba5e, cpuOff: 0x95c1_ba5f, cpuOn: 0x95c1_ba60, migrate: 0x95c1_ba61 };
    expect(psciNode({ psciVersion: 0x1, psci01Ids: ids })).toEqual({ compatible: ['arm,psci'], cpuOn: 0x95c1_ba60 });
  });

  it('refuses PSCI 0.1 without the firmware function IDs', () => {
    expect(() => buildVirtDtb({ ...GOLDEN, psciVersion: 0x1 })).toThrow(/psci01Ids/);
  });
});
