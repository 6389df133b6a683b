/**
 * @hvlab/board: a QEMU `virt`-compatible board — memory map, DTB writer/reader, kernel/initrd/DTB
 * loaders, PL011 UART, PL031 RTC, GICv3 — and createVirtMachine() that assembles them on a
 * Machine from @hvlab/core. See README.md.
 */
export * from './devices/irq.js';
export * from './devices/pl011.js';
export * from './devices/pl031.js';
export * from './fdt/dts.js';
export * from './fdt/format.js';
export * from './fdt/reader.js';
export * from './fdt/virt-dtb.js';
export * from './fdt/writer.js';
export * from './gic/cpu-interface.js';
export * from './gic/distributor.js';
export * from './gic/gicv3.js';
export * from './gic/redistributor.js';
export * from './gic/regs.js';
export * from './layout.js';
export * from './loader/elf.js';
export * from './loader/image.js';
export * from './loader/kernel.js';
export * from './loader/types.js';
export * from './virt.js';
