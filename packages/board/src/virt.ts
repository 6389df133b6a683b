/**
 * createVirtMachine: a QEMU `virt`-compatible machine (`-M virt,gic-version=3 -cpu cortex-a57`,
 * direct kernel boot) built from a CPU factory and a kernel image.
 *
 * What it does, in order (every argument is validated first; a bad one throws HvlabError):
 *   1. RAM at 0x4000_0000 (128 MiB by default), the kernel loaded as ELF / Image / raw
 *      (loader/kernel.ts), the initrd after it and the DTB after that, as hw/arm/boot.c does.
 *   2. The DTB: generated (fdt/virt-dtb.ts), or the caller's, validated and patched like QEMU
 *      patches a `-dtb` file (load_dtb: /memory reg, /chosen bootargs and initrd range).
 *   3. A Machine with the CPUs (MPIDR per QEMU's virt rule: Aff0 = index for ≤ 16 CPUs, bit 31
 *      RES1), a GICv3 (distributor and redistributors on the MMIO bus, ICC_* system registers
 *      as handlers, InterruptPlatform feeding timer PPIs), a PL011 on SPI 1 and a PL031 on SPI 2.
 *   4. CPU 0 set up as QEMU's boot stub leaves it (hw/arm/boot.c bootloader_aarch64): PC =
 *      entry, X0 = DTB address, X1..X3 = 0, PSTATE = EL1h with D, A, I, F masked, MMU and data
 *      cache off (linux Documentation/arch/arm64/booting.rst). Secondary CPUs stay powered off
 *      until PSCI CPU_ON.
 *
 * It does not install PSCI or SMCCC: the caller (the CLI) wires @hvlab/psci onto the machine.
 */
import {
  COUNTER_FREQUENCY_HZ,
  CoreReg,
  type CpuFactory,
  HvlabError,
  INSNS_PER_COUNTER_TICK,
  Machine,
  PhysMem,
  PSTATE,
  type RamOptions,
  SysReg,
} from '@hvlab/core';
import type { InvalidAccessHandler } from './devices/irq.js';
import { Pl011 } from './devices/pl011.js';
import { Pl031 } from './devices/pl031.js';
import { ensureChild, type Fdt, fdtFindNode, fdtProp, parseFdt, propCells, setProp, writeFdt } from './fdt/reader.js';
import { buildVirtDtb, type VirtDtbConfig } from './fdt/virt-dtb.js';
import { registerIccHandlers } from './gic/cpu-interface.js';
import { GicDistributor } from './gic/distributor.js';
import { GicV3 } from './gic/gicv3.js';
import { GicRedistributors } from './gic/redistributor.js';
import {
  DEFAULT_RAM_SIZE,
  MAX_RAM_SIZE,
  RAM_BASE,
  RTC_INTID,
  UART_INTID,
  VIRT_MAX_CPUS,
  VIRT_MEMMAP,
  virtMpidr,
} from './layout.js';
import { initrdAddress, loadDtb, loadInitrd, loadKernel } from './loader/kernel.js';
import type { LoadedKernel, RamRange } from './loader/types.js';

export interface VirtMachineOptions {
  readonly cpuFactory: CpuFactory;
  /** Number of CPUs, 1..123 (default 1). */
  readonly cpus?: number;
  /** RAM size in bytes, a multiple of 4 KiB (default 128 MiB, as QEMU). */
  readonly memoryBytes?: number;
  /** ELF, arm64 Image, or raw binary. */
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  /** Kernel command line (/chosen bootargs). */
  readonly bootargs?: string;
  /** A DTB that replaces the generated one (validated, then patched as QEMU patches -dtb). */
  readonly dtb?: Uint8Array;
  /** PSCI conduit written to the DTB (default 'hvc', as QEMU without virtualization=on). */
  readonly psciMethod?: 'hvc' | 'smc';
  /** The firmware's PSCI version and, for 0.1, its function IDs: they shape the DTB's /psci node. */
  readonly psciVersion?: VirtDtbConfig['psciVersion'];
  readonly psci01Ids?: VirtDtbConfig['psci01Ids'];
  /** Receives the guest's UART output, unaltered. */
  readonly onConsole?: (bytes: Uint8Array) => void;
  /**
   * The RTC's clock in seconds. Default: derived from instruction time (the latest CPU's
   * retired + warped instructions at the generic counter's rate), so runs are deterministic.
   */
  readonly rtcClock?: () => number;
  /** Where to allocate RAM (for example inside a WebAssembly.Memory for a Wasm backend). */
  readonly ramOptions?: RamOptions;
  /** Diagnostics for guest accesses to undecoded device registers. */
  readonly onInvalidAccess?: (device: string, access: Parameters<InvalidAccessHandler>[0]) => void;
}

export interface VirtMachine {
  readonly machine: Machine;
  readonly mem: PhysMem;
  /** The DTB placed in RAM (generated, or the caller's after patching). */
  readonly dtb: Uint8Array;
  readonly dtbAddress: number;
  /** CPU 0's entry point. */
  readonly entry: bigint;
  readonly kernel: LoadedKernel;
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
  readonly ram: RamRange;
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly gic: GicV3;
}

/** PSTATE at entry: EL1h, DAIF masked (booting.rst; QEMU do_cpu_reset + the boot stub). */
export const BOOT_PSTATE = BigInt(PSTATE.M_EL1h | PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F);
/** SCTLR_EL1 bits that must be clear at entry: M (MMU) and C (data cache) (booting.rst). */
const SCTLR_M = 1n << 0n;
const SCTLR_C = 1n << 2n;
const PAGE = 4096;
/** Instruction-times per second: the counter runs at CNTFRQ, one tick per INSNS_PER_COUNTER_TICK. */
const INSNS_PER_SECOND = COUNTER_FREQUENCY_HZ * INSNS_PER_COUNTER_TICK;

/** The options that shape the board's DTB (a subset of VirtMachineOptions). */
export type VirtBoardOptions = Pick<
  VirtMachineOptions,
  'cpus' | 'memoryBytes' | 'bootargs' | 'psciMethod' | 'psciVersion' | 'psci01Ids'
>;

const bad = (msg: string): never => {
  throw new HvlabError('EINVAL', `virt: ${msg}`);
};

/** Validates the options every virt board has, kernel or not. */
function checkBoardOptions(o: VirtBoardOptions): { cpus: number; memoryBytes: number; psci: 'hvc' | 'smc' } {
  if (typeof o !== 'object' || o === null) bad('options must be an object');
  const cpus = o.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > VIRT_MAX_CPUS) bad(`cpus must be 1..${VIRT_MAX_CPUS}, not ${cpus}`);
  const memoryBytes = o.memoryBytes ?? DEFAULT_RAM_SIZE;
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes <= 0 || memoryBytes % PAGE !== 0)
    bad(`memoryBytes must be a positive multiple of 4 KiB, not ${memoryBytes}`);
  if (memoryBytes > MAX_RAM_SIZE) bad(`memoryBytes ${memoryBytes} exceeds the virt board's ${MAX_RAM_SIZE}`);
  if (o.bootargs !== undefined && (typeof o.bootargs !== 'string' || o.bootargs.includes('\0')))
    bad('bootargs must be a string without NUL characters');
  const psci = o.psciMethod ?? 'hvc';
  if (psci !== 'hvc' && psci !== 'smc') bad(`psciMethod must be 'hvc' or 'smc', not '${String(psci)}'`);
  return { cpus, memoryBytes, psci };
}

function checkOptions(o: VirtMachineOptions): { cpus: number; memoryBytes: number; psci: 'hvc' | 'smc' } {
  const board = checkBoardOptions(o);
  if (typeof o.cpuFactory !== 'function') bad('cpuFactory must be a function');
  if (!(o.kernel instanceof Uint8Array)) bad('kernel must be a Uint8Array');
  if (o.initrd !== undefined && !(o.initrd instanceof Uint8Array)) bad('initrd must be a Uint8Array');
  if (o.dtb !== undefined && !(o.dtb instanceof Uint8Array)) bad('dtb must be a Uint8Array');
  if (o.onConsole !== undefined && typeof o.onConsole !== 'function') bad('onConsole must be a function');
  if (o.rtcClock !== undefined && typeof o.rtcClock !== 'function') bad('rtcClock must be a function');
  return board;
}

/** The generated DTB's configuration for validated options and the initrd's place. */
function dtbConfig(
  o: VirtBoardOptions,
  checked: ReturnType<typeof checkBoardOptions>,
  initrd: { start: number; end: number } | undefined,
): VirtDtbConfig {
  return {
    cpus: checked.cpus,
    memoryBytes: checked.memoryBytes,
    psciMethod: checked.psci,
    bootargs: o.bootargs,
    initrd,
    ...(o.psciVersion === undefined ? {} : { psciVersion: o.psciVersion }),
    ...(o.psci01Ids === undefined ? {} : { psci01Ids: o.psci01Ids }),
  };
}

/**
 * The DTB createVirtMachine would generate for these options on a board without a kernel (so
 * without an initrd in /chosen): QEMU's `-machine dumpdtb=FILE` without `-kernel`.
 */
export function buildVirtBoardDtb(opts: VirtBoardOptions): Uint8Array {
  return buildVirtDtb(dtbConfig(opts, checkBoardOptions(opts), undefined));
}

/**
 * The host could not allocate the guest's RAM: more than the JavaScript engine's largest
 * buffer (4 GiB in Node 20), or more memory than the host has. A resource limit of the host,
 * not a malformed argument; `reason` is the engine's words.
 */
export class RamAllocationError extends HvlabError {
  constructor(
    readonly bytes: number,
    readonly reason: string,
  ) {
    super('EINVAL', `virt: cannot allocate ${bytes} bytes of RAM (${reason})`);
  }
}

export function createVirtMachine(opts: VirtMachineOptions): VirtMachine {
  const checked = checkOptions(opts);
  const { cpus, memoryBytes } = checked;
  const userDtb = opts.dtb ? parseFdt(opts.dtb) : undefined;
  const ram: RamRange = { base: RAM_BASE, size: memoryBytes };

  const mem = new PhysMem();
  try {
    mem.addRam(RAM_BASE, memoryBytes, { name: 'ram', ...opts.ramOptions });
  } catch (e) {
    if (e instanceof RangeError) throw new RamAllocationError(memoryBytes, e.message);
    throw e;
  }
  const kernel = loadKernel(mem, opts.kernel, ram);
  const initrd = opts.initrd ? loadInitrd(mem, opts.initrd, kernel, ram) : undefined;
  const dtb = userDtb
    ? patchUserDtb(userDtb, memoryBytes, opts.bootargs, initrd)
    : buildVirtDtb(dtbConfig(opts, checked, initrd));
  const dtbAddress = loadDtb(mem, dtb, initrd ? initrd.end : initrdAddress(kernel, ram), ram);

  const machine = new Machine({ cpuFactory: opts.cpuFactory, cpuCount: cpus, mem, mpidr: virtMpidr });
  const invalid = (device: string): InvalidAccessHandler | undefined =>
    opts.onInvalidAccess ? (a) => opts.onInvalidAccess!(device, a) : undefined;

  // QEMU resets every interrupt to Group 1 only for a Linux (non-ELF) boot.
  const gic = new GicV3({ cpus: machine.cpus, mpidr: virtMpidr, resetToGroup1: kernel.format !== 'elf' });
  const redist = new GicRedistributors(gic, invalid('gicv3-redistributors'));
  mem.mmio.map(
    VIRT_MEMMAP.GIC_DIST.base,
    VIRT_MEMMAP.GIC_DIST.size,
    new GicDistributor(gic, invalid('gicv3-distributor')),
  );
  mem.mmio.map(VIRT_MEMMAP.GIC_REDIST.base, redist.size, redist);
  registerIccHandlers(machine, gic);

  const decoder = new TextDecoder('utf-8');
  const uart = new Pl011({
    irq: gic.spiLine(UART_INTID),
    onTx: (byte) => {
      const bytes = Uint8Array.of(byte);
      opts.onConsole?.(bytes);
      const text = decoder.decode(bytes, { stream: true });
      if (text.length > 0) machine.events.emit('console', text);
    },
    onInvalidAccess: invalid('pl011'),
  });
  mem.mmio.map(VIRT_MEMMAP.UART.base, VIRT_MEMMAP.UART.size, uart);

  const rtcClock =
    opts.rtcClock ??
    (() => {
      let t = 0;
      for (const c of machine.cpus) t = Math.max(t, c.time);
      return t / INSNS_PER_SECOND;
    });
  const rtc = new Pl031({ clock: rtcClock, irq: gic.spiLine(RTC_INTID), onInvalidAccess: invalid('pl031') });
  mem.mmio.map(VIRT_MEMMAP.RTC.base, VIRT_MEMMAP.RTC.size, rtc);

  machine.setInterruptPlatform({
    syncCpu: (cpu) => {
      // The RTC's match interrupt can only assert while it is unmasked; register reads sample the
      // counter themselves, so the per-slice poll is skipped otherwise (this runs on every exit).
      if (rtc.interruptUnmasked) rtc.poll();
      gic.syncCpu(cpu);
    },
  });

  const boot = machine.cpus[0]!;
  boot.setReg(CoreReg.PC, kernel.entry);
  boot.setReg(CoreReg.X0, BigInt(dtbAddress));
  boot.setReg(CoreReg.X1, 0n);
  boot.setReg(CoreReg.X2, 0n);
  boot.setReg(CoreReg.X3, 0n);
  boot.setReg(CoreReg.PSTATE, BOOT_PSTATE);
  const sctlr = boot.getSysReg(SysReg.SCTLR_EL1);
  if (sctlr & (SCTLR_M | SCTLR_C)) boot.setSysReg(SysReg.SCTLR_EL1, sctlr & ~(SCTLR_M | SCTLR_C));

  return { machine, mem, dtb, dtbAddress, entry: kernel.entry, kernel, initrd, ram, uart, rtc, gic };
}

/**
 * Patches a user DTB as QEMU's load_dtb patches a `-dtb` file: /memory reg gets the RAM range
 * (in the root's #address-cells/#size-cells), /chosen gets bootargs (when non-empty) and the
 * initrd range. QEMU fails when /chosen is missing; hvlab creates it.
 */
export function patchUserDtb(
  fdt: Fdt,
  memoryBytes: number,
  bootargs: string | undefined,
  initrd: { start: number; end: number } | undefined,
): Uint8Array {
  const bad = (msg: string): never => {
    throw new HvlabError('EINVAL', `user DTB: ${msg}`);
  };
  const cell = (name: string) => {
    const v = fdtProp(fdt.root, name);
    const c = v ? propCells(v) : [];
    if (c.length !== 1 || c[0] === 0 || c[0]! > 2) bad(`root ${name} is missing, 0, or not 1 or 2`);
    return c[0]!;
  };
  const acells = cell('#address-cells');
  const scells = cell('#size-cells');
  if (scells < 2 && memoryBytes >= 2 ** 32) bad('#size-cells = 1 cannot describe 4 GiB of RAM or more');
  if (acells < 2 && RAM_BASE + memoryBytes > 2 ** 32) bad('#address-cells = 1 cannot describe RAM above 4 GiB');
  const memNode = fdtFindNode(fdt.root, '/memory');
  if (!memNode) bad('no /memory node');
  setProp(
    memNode!,
    'reg',
    cells([
      [RAM_BASE, acells],
      [memoryBytes, scells],
    ]),
  );
  const chosen = ensureChild(fdt.root, 'chosen');
  if (bootargs) setProp(chosen, 'bootargs', new TextEncoder().encode(`${bootargs}\0`));
  if (initrd) {
    const width = initrd.end > 0xffff_ffff ? 2 : 1;
    setProp(chosen, 'linux,initrd-start', cells([[initrd.start, width]]));
    setProp(chosen, 'linux,initrd-end', cells([[initrd.end, width]]));
  }
  return writeFdt(fdt);
}

/** Big-endian cells for (value, number of cells) pairs. */
function cells(values: [number, number][]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, [, c]) => n + 4 * c, 0));
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const [v, c] of values) {
    if (c === 2) dv.setUint32(o, Math.floor(v / 2 ** 32));
    dv.setUint32(o + 4 * (c - 1), v >>> 0);
    o += 4 * c;
  }
  return out;
}

/** Bytes of one PV stolen-time record (struct pvclock_vcpu_stolen_time, DEN0057A). */
export const PVTIME_SIZE_PER_CPU = 64;

/**
 * Adds the PV stolen-time region QEMU's virt board gives a KVM guest (hw/arm/virt.c: VIRT_PVTIME,
 * RAM of cpus * 64 bytes rounded up to a page, not in the DT; virt_cpu_post_init sets each vCPU's
 * KVM_ARM_VCPU_PVTIME_IPA to base + 64 * index). Returns the record address of every CPU.
 */
export function addVirtPvTimeRegion(mem: PhysMem, cpus: number): bigint[] {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus * PVTIME_SIZE_PER_CPU > VIRT_MEMMAP.PVTIME.size)
    throw new HvlabError('EINVAL', `virt: no PV-time region for ${cpus} CPUs`);
  const size = Math.ceil((cpus * PVTIME_SIZE_PER_CPU) / PAGE) * PAGE;
  mem.addRam(VIRT_MEMMAP.PVTIME.base, size, { name: 'pvtime' });
  return Array.from({ length: cpus }, (_, i) => BigInt(VIRT_MEMMAP.PVTIME.base + i * PVTIME_SIZE_PER_CPU));
}
