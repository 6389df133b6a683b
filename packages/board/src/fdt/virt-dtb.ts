/**
 * The device tree of the virt board, written to match what QEMU 7.2 generates for
 * `-M virt,gic-version=3,its=off -cpu cortex-a57` (qemu/qemu hw/arm/virt.c create_fdt,
 * fdt_add_cpu_nodes, fdt_add_gic_node, fdt_add_timer_nodes, create_uart, create_rtc;
 * hw/arm/boot.c fdt_add_psci_node and load_dtb for /memory and /chosen).
 *
 * Nodes and properties are emitted in the order `dtc -I dtb -O dts` prints QEMU's blob, so a
 * decompiled hvlab DTB diffs cleanly against QEMU's. Phandles are numbered as QEMU numbers
 * them (0x8000 the clock, then the CPUs from the last to the first, then the GIC).
 *
 * Left out on purpose, because the board does not implement the device: flash, fw-cfg,
 * virtio-mmio, platform-bus, PL061 + gpio-keys, PCIe, the PMU node and the GIC ITS. Left out
 * because it would make runs non-deterministic: /chosen rng-seed and kaslr-seed.
 */
import { HvlabError } from '@hvlab/core';
import {
  APB_PCLK_HZ,
  ARCH_TIMER_NS_EL1_IRQ,
  ARCH_TIMER_NS_EL2_IRQ,
  ARCH_TIMER_S_EL1_IRQ,
  ARCH_TIMER_VIRT_IRQ,
  mpidrAffinity,
  RAM_BASE,
  VIRT_IRQMAP,
  VIRT_MAX_CPUS,
  VIRT_MEMMAP,
  virtMpidr,
} from '../layout.js';
import { FdtWriter } from './writer.js';

/** PSCI 0.2 function IDs QEMU writes into /psci for 0.1-style clients (hw/arm/boot.c; PSCI spec DEN0022 5.1). */
export const PSCI_0_2_FN_CPU_SUSPEND = 0xc400_0001; // SMC64
export const PSCI_0_2_FN_CPU_OFF = 0x8400_0002;
export const PSCI_0_2_FN_CPU_ON = 0xc400_0003; // SMC64
export const PSCI_0_2_FN_MIGRATE = 0xc400_0005; // SMC64

/** GIC DT interrupt specifier: type cell (include/dt-bindings/interrupt-controller/arm-gic.h). */
export const GIC_FDT_IRQ_TYPE_SPI = 0;
export const GIC_FDT_IRQ_TYPE_PPI = 1;
/** Flags cell: level-triggered, active high (IRQ_TYPE_LEVEL_HIGH). */
export const GIC_FDT_IRQ_FLAGS_LEVEL_HI = 4;

/** PSCI_VERSION values (DEN0022 5.1.1: major in bits 31:16, minor in 15:0). */
const PSCI_VERSION_0_2 = 0x2;
const PSCI_VERSION_1_0 = 0x1_0000;

/** QEMU's first phandle (include/sysemu/device_tree.h: qemu_fdt_alloc_phandle starts at 0x8000). */
const PHANDLE_BASE = 0x8000;

export interface VirtDtbConfig {
  /** Number of CPUs (1..123). */
  readonly cpus: number;
  /** RAM size in bytes (RAM starts at 0x4000_0000). */
  readonly memoryBytes: number;
  /** PSCI conduit written to /psci `method`. */
  readonly psciMethod: 'hvc' | 'smc';
  /**
   * The PSCI version the firmware implements, as PSCI_VERSION returns it (major << 16 | minor).
   * It selects /psci `compatible` (default 1.0 and later: all three strings).
   */
  readonly psciVersion?: number;
  /**
   * The function IDs of a PSCI 0.1 firmware (the 0.1 binding has no fixed IDs), required when
   * psciVersion is 0.1: KVM's are 0x95c1ba5e.. (linux uapi asm/kvm.h KVM_PSCI_FN_*).
   */
  readonly psci01Ids?: {
    readonly cpuSuspend: number;
    readonly cpuOff: number;
    readonly cpuOn: number;
    readonly migrate: number;
  };
  /** Kernel command line (/chosen bootargs), omitted when empty, as QEMU does. */
  readonly bootargs?: string;
  /** initrd physical range [start, end) (/chosen linux,initrd-start/end). */
  readonly initrd?: { readonly start: number; readonly end: number };
  /** MPIDR of CPU i (default: QEMU's virt rule, see layout.ts virtMpidr). */
  readonly mpidr?: (index: number) => bigint;
}

const u64Cells = (v: number | bigint): [number, number] => {
  const b = BigInt(v);
  return [Number(b >> 32n), Number(b & 0xffff_ffffn)];
};

/** `reg` for #address-cells = #size-cells = 2. */
const reg2 = (...pairs: [number | bigint, number | bigint][]): number[] =>
  pairs.flatMap(([base, size]) => [...u64Cells(base), ...u64Cells(size)]);

const hexName = (n: number): string => n.toString(16);

function checkConfig(c: VirtDtbConfig): void {
  if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > VIRT_MAX_CPUS)
    throw new HvlabError('EINVAL', `virt DTB: ${c.cpus} CPUs (must be 1..${VIRT_MAX_CPUS})`);
  if (!Number.isSafeInteger(c.memoryBytes) || c.memoryBytes <= 0)
    throw new HvlabError('EINVAL', `virt DTB: bad memory size ${c.memoryBytes}`);
  if (c.psciMethod !== 'hvc' && c.psciMethod !== 'smc')
    throw new HvlabError('EINVAL', `virt DTB: PSCI method must be 'hvc' or 'smc', not '${c.psciMethod}'`);
  if (
    c.psciVersion !== undefined &&
    (!Number.isInteger(c.psciVersion) || c.psciVersion < 0 || c.psciVersion > 0xffff_ffff)
  )
    throw new HvlabError('EINVAL', `virt DTB: bad PSCI version ${c.psciVersion}`);
  if (c.psciVersion !== undefined && c.psciVersion < PSCI_VERSION_0_2 && !c.psci01Ids)
    throw new HvlabError('EINVAL', 'virt DTB: PSCI 0.1 needs the firmware function IDs (psci01Ids)');
  if (c.initrd) {
    const { start, end } = c.initrd;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
      throw new HvlabError('EINVAL', `virt DTB: bad initrd range ${start}..${end}`);
  }
}

/** Builds the virt board's DTB. */
export function buildVirtDtb(config: VirtDtbConfig): Uint8Array {
  checkConfig(config);
  const n = config.cpus;
  const mpidr = config.mpidr ?? virtMpidr;
  const clockPhandle = PHANDLE_BASE;
  const cpuPhandle = (i: number) => PHANDLE_BASE + (n - i);
  const gicPhandle = PHANDLE_BASE + n + 1;
  const w = new FdtWriter();

  const root = w.beginNode('');
  w.propertyU32('interrupt-parent', gicPhandle);
  w.propertyString('model', 'linux,dummy-virt');
  w.propertyU32('#size-cells', 2);
  w.propertyU32('#address-cells', 2);
  w.propertyString('compatible', 'linux,dummy-virt');

  // hw/arm/boot.c fdt_add_psci_node: the compatibles follow the version (1.0 and later list all
  // three, 0.2 two, 0.1 only "arm,psci"), and the function IDs for clients that only know the
  // 0.1 binding are the 0.2 IDs, or a 0.1 firmware's own (Documentation/devicetree/bindings/arm/psci.yaml).
  const version = config.psciVersion ?? PSCI_VERSION_1_0;
  const ids =
    version < PSCI_VERSION_0_2
      ? config.psci01Ids!
      : {
          migrate: PSCI_0_2_FN_MIGRATE,
          cpuOn: PSCI_0_2_FN_CPU_ON,
          cpuOff: PSCI_0_2_FN_CPU_OFF,
          cpuSuspend: PSCI_0_2_FN_CPU_SUSPEND,
        };
  const psci = w.beginNode('psci');
  w.propertyU32('migrate', ids.migrate);
  w.propertyU32('cpu_on', ids.cpuOn);
  w.propertyU32('cpu_off', ids.cpuOff);
  w.propertyU32('cpu_suspend', ids.cpuSuspend);
  w.propertyString('method', config.psciMethod);
  w.propertyStringList(
    'compatible',
    version >= PSCI_VERSION_1_0
      ? ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']
      : version >= PSCI_VERSION_0_2
        ? ['arm,psci-0.2', 'arm,psci']
        : ['arm,psci'],
  );
  w.endNode(psci);

  const mem = w.beginNode(`memory@${hexName(RAM_BASE)}`);
  w.propertyArrayU32('reg', reg2([RAM_BASE, config.memoryBytes]));
  w.propertyString('device_type', 'memory');
  w.endNode(mem);

  const rtc = w.beginNode(`pl031@${hexName(VIRT_MEMMAP.RTC.base)}`);
  w.propertyString('clock-names', 'apb_pclk');
  w.propertyU32('clocks', clockPhandle);
  w.propertyArrayU32('interrupts', [GIC_FDT_IRQ_TYPE_SPI, VIRT_IRQMAP.RTC, GIC_FDT_IRQ_FLAGS_LEVEL_HI]);
  w.propertyArrayU32('reg', reg2([VIRT_MEMMAP.RTC.base, VIRT_MEMMAP.RTC.size]));
  w.propertyStringList('compatible', ['arm,pl031', 'arm,primecell']);
  w.endNode(rtc);

  const uart = w.beginNode(`pl011@${hexName(VIRT_MEMMAP.UART.base)}`);
  w.propertyStringList('clock-names', ['uartclk', 'apb_pclk']);
  w.propertyArrayU32('clocks', [clockPhandle, clockPhandle]);
  w.propertyArrayU32('interrupts', [GIC_FDT_IRQ_TYPE_SPI, VIRT_IRQMAP.UART, GIC_FDT_IRQ_FLAGS_LEVEL_HI]);
  w.propertyArrayU32('reg', reg2([VIRT_MEMMAP.UART.base, VIRT_MEMMAP.UART.size]));
  w.propertyStringList('compatible', ['arm,pl011', 'arm,primecell']);
  w.endNode(uart);

  // fdt_add_gic_node: the redistributor entry covers the whole first region, as QEMU writes it.
  const gic = w.beginNode(`intc@${hexName(VIRT_MEMMAP.GIC_DIST.base)}`);
  w.propertyPhandle(gicPhandle);
  w.propertyArrayU32(
    'reg',
    reg2(
      [VIRT_MEMMAP.GIC_DIST.base, VIRT_MEMMAP.GIC_DIST.size],
      [VIRT_MEMMAP.GIC_REDIST.base, VIRT_MEMMAP.GIC_REDIST.size],
    ),
  );
  w.propertyU32('#redistributor-regions', 1);
  w.propertyString('compatible', 'arm,gic-v3');
  w.propertyNull('ranges');
  w.propertyU32('#size-cells', 2);
  w.propertyU32('#address-cells', 2);
  w.propertyNull('interrupt-controller');
  w.propertyU32('#interrupt-cells', 3);
  w.endNode(gic);

  writeCpus(w, n, mpidr, cpuPhandle);

  const timer = w.beginNode('timer');
  const ppi = (irq: number) => [GIC_FDT_IRQ_TYPE_PPI, irq, GIC_FDT_IRQ_FLAGS_LEVEL_HI];
  w.propertyArrayU32('interrupts', [
    ...ppi(ARCH_TIMER_S_EL1_IRQ),
    ...ppi(ARCH_TIMER_NS_EL1_IRQ),
    ...ppi(ARCH_TIMER_VIRT_IRQ),
    ...ppi(ARCH_TIMER_NS_EL2_IRQ),
  ]);
  w.propertyNull('always-on');
  w.propertyStringList('compatible', ['arm,armv8-timer', 'arm,armv7-timer']);
  w.endNode(timer);

  const clk = w.beginNode('apb-pclk');
  w.propertyPhandle(clockPhandle);
  w.propertyString('clock-output-names', 'clk24mhz');
  w.propertyU32('clock-frequency', APB_PCLK_HZ);
  w.propertyU32('#clock-cells', 0);
  w.propertyString('compatible', 'fixed-clock');
  w.endNode(clk);

  const chosen = w.beginNode('chosen');
  if (config.initrd) {
    // hw/arm/boot.c load_dtb writes these as single cells when they fit (qemu_fdt_setprop_cell).
    writeAddressProp(w, 'linux,initrd-end', config.initrd.end);
    writeAddressProp(w, 'linux,initrd-start', config.initrd.start);
  }
  if (config.bootargs) w.propertyString('bootargs', config.bootargs);
  w.propertyString('stdout-path', `/pl011@${hexName(VIRT_MEMMAP.UART.base)}`);
  w.endNode(chosen);

  w.endNode(root);
  return w.finish();
}

function writeCpus(w: FdtWriter, n: number, mpidr: (i: number) => bigint, phandle: (i: number) => number): void {
  const affs = Array.from({ length: n }, (_, i) => mpidrAffinity(mpidr(i)));
  // fdt_add_cpu_nodes: two address cells only when some CPU has a non-zero Aff3.
  const addrCells = affs.some((a) => a >> 32n !== 0n) ? 2 : 1;
  const cpus = w.beginNode('cpus');
  w.propertyU32('#size-cells', 0);
  w.propertyU32('#address-cells', addrCells);
  // QEMU 7.2's default topology for virt: one socket, one cluster, `n` cores.
  const map = w.beginNode('cpu-map');
  const socket = w.beginNode('socket0');
  const cluster = w.beginNode('cluster0');
  for (let i = 0; i < n; i++) {
    const core = w.beginNode(`core${i}`);
    w.propertyU32('cpu', phandle(i));
    w.endNode(core);
  }
  w.endNode(cluster);
  w.endNode(socket);
  w.endNode(map);
  for (let i = 0; i < n; i++) {
    const cpu = w.beginNode(`cpu@${i}`);
    w.propertyPhandle(phandle(i));
    const aff = affs[i]!;
    if (addrCells === 2) w.propertyU64('reg', aff);
    else w.propertyU32('reg', Number(aff));
    // QEMU adds enable-method only for SMP guests (PSCI is how secondaries start).
    if (n > 1) w.propertyString('enable-method', 'psci');
    w.propertyString('compatible', 'arm,cortex-a57');
    w.propertyString('device_type', 'cpu');
    w.endNode(cpu);
  }
  w.endNode(cpus);
}

function writeAddressProp(w: FdtWriter, name: string, value: number): void {
  if (value <= 0xffff_ffff) w.propertyU32(name, value);
  else w.propertyU64(name, BigInt(value));
}
