/**
 * The QEMU `virt` machine's physical memory map and interrupt assignments, as QEMU 7.2 lays
 * them out (qemu/qemu hw/arm/virt.c: base_memmap[] and a15irqmap[]; see also
 * shared/reference/virt-platform.md §0.1–0.2). The board implements only the regions
 * marked with `*`; the others are listed so that nobody maps something else on top of them.
 *
 *   0x0000_0000 ┌──────────────────────────────┐
 *               │ flash (2 × 64 MiB pflash)    │
 *   0x0800_0000 ├──────────────────────────────┤
 *               │ GIC distributor (GICD)     * │ 64 KiB
 *   0x0801_0000 │ GICv2 CPU interface          │ (unused with GICv3)
 *   0x0802_0000 │ GICv2m MSI frame             │
 *   0x0803_0000 │ GICv2 GICH / GICV            │
 *   0x0808_0000 │ GICv3 ITS                    │ 128 KiB (not implemented)
 *   0x080A_0000 │ GIC redistributors (GICR)  * │ 0x20000 per CPU (RD_base + SGI_base), 123 max
 *   0x0900_0000 ├──────────────────────────────┤
 *               │ PL011 UART0                * │ SPI 1 (INTID 33)
 *   0x0901_0000 │ PL031 RTC                  * │ SPI 2 (INTID 34)
 *   0x0902_0000 │ fw_cfg                       │
 *   0x0903_0000 │ PL061 GPIO                   │ SPI 7
 *   0x0904_0000 │ secure UART                  │ SPI 8
 *   0x0905_0000 │ SMMUv3                       │
 *   0x0A00_0000 │ virtio-mmio × 32             │ SPI 16..47
 *   0x0C00_0000 │ platform bus                 │ SPI 112..
 *   0x0E00_0000 │ secure RAM                   │
 *   0x1000_0000 │ PCIe MMIO / PIO / ECAM       │ SPI 3..6
 *   0x4000_0000 ├──────────────────────────────┤
 *               │ RAM                        * │ 128 MiB by default (QEMU's -m default)
 *               │   +0x0008_0000  raw image / Image with text_offset 0x80000
 *               │   +min(RAM/2, 128 MiB)  initrd, then the DTB (2 MiB aligned)
 *               └──────────────────────────────┘
 *
 * Addresses are plain numbers: everything here is below 2^53.
 */

export interface MemRegion {
  readonly base: number;
  readonly size: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** QEMU hw/arm/virt.c base_memmap[] (the low region; names follow QEMU's VIRT_* enum). */
export const VIRT_MEMMAP = {
  FLASH: { base: 0x0000_0000, size: 0x0800_0000 },
  GIC_DIST: { base: 0x0800_0000, size: 0x0001_0000 },
  GIC_CPU: { base: 0x0801_0000, size: 0x0001_0000 },
  GIC_V2M: { base: 0x0802_0000, size: 0x0000_1000 },
  GIC_HYP: { base: 0x0803_0000, size: 0x0001_0000 },
  GIC_VCPU: { base: 0x0804_0000, size: 0x0001_0000 },
  GIC_ITS: { base: 0x0808_0000, size: 0x0002_0000 },
  /** The first redistributor region: 0xF60000 / 0x20000 = 123 CPUs. */
  GIC_REDIST: { base: 0x080a_0000, size: 0x00f6_0000 },
  UART: { base: 0x0900_0000, size: 0x0000_1000 },
  RTC: { base: 0x0901_0000, size: 0x0000_1000 },
  FW_CFG: { base: 0x0902_0000, size: 0x0000_0018 },
  GPIO: { base: 0x0903_0000, size: 0x0000_1000 },
  SECURE_UART: { base: 0x0904_0000, size: 0x0000_1000 },
  SMMU: { base: 0x0905_0000, size: 0x0002_0000 },
  /** PV stolen-time records for a KVM guest (VIRT_PVTIME; not described in the DT). */
  PVTIME: { base: 0x090a_0000, size: 0x0001_0000 },
  MMIO: { base: 0x0a00_0000, size: 0x0000_0200 },
  PLATFORM_BUS: { base: 0x0c00_0000, size: 0x0200_0000 },
  SECURE_MEM: { base: 0x0e00_0000, size: 0x0100_0000 },
  PCIE_MMIO: { base: 0x1000_0000, size: 0x2eff_0000 },
  PCIE_PIO: { base: 0x3eff_0000, size: 0x0001_0000 },
  PCIE_ECAM: { base: 0x3f00_0000, size: 0x0100_0000 },
  /** RAM: QEMU allows up to 255 GiB in the low region (LEGACY_RAMLIMIT_GB). */
  MEM: { base: 0x4000_0000, size: 255 * GiB },
} as const satisfies Record<string, MemRegion>;

/** QEMU hw/arm/virt.c a15irqmap[]: SPI numbers (INTID = 32 + SPI). */
export const VIRT_IRQMAP = {
  UART: 1,
  RTC: 2,
  PCIE: 3,
  GPIO: 7,
  SECURE_UART: 8,
  ACPI_GED: 9,
  MMIO: 16,
  SMMU: 74,
  PLATFORM_BUS: 112,
} as const;

/** First SPI INTID (GIC architecture spec IHI 0069, 2.2 "INTIDs"). */
export const GIC_SPI_BASE = 32;
/** First PPI INTID (IHI 0069 2.2: SGIs are 0..15, PPIs 16..31). */
export const GIC_PPI_BASE = 16;
/**
 * SPIs the virt GIC implements. QEMU creates NUM_IRQS = 256 SPIs (hw/arm/virt.h) but reports
 * GICD_TYPER.ITLinesNumber = 7 (hw/intc/arm_gicv3_dist.c computes it from num_irq - 32;
 * measured on QEMU 7.2), so guests see INTIDs up to 255: 224 SPIs. We implement exactly that.
 */
export const VIRT_NUM_SPIS = 224;

export const RAM_BASE = VIRT_MEMMAP.MEM.base;
/** QEMU's default `-m` for virt (hw/arm/virt.c: mc->default_ram_size = 128 MiB). */
export const DEFAULT_RAM_SIZE = 128 * MiB;
/** Largest RAM the board accepts: QEMU's low-RAM limit. */
export const MAX_RAM_SIZE = VIRT_MEMMAP.MEM.size;

/** One redistributor: RD_base frame + SGI_base frame, 64 KiB each (IHI 0069 12.10). */
export const GICR_FRAME_SIZE = 0x2_0000;
/** Offset of the SGI_base frame inside a redistributor (IHI 0069 12.10). */
export const GICR_SGI_BASE_OFFSET = 0x1_0000;
/** CPUs that fit in the first redistributor region. */
export const VIRT_MAX_CPUS = VIRT_MEMMAP.GIC_REDIST.size / GICR_FRAME_SIZE;

/** INTID of the PL011's interrupt (SPI 1). */
export const UART_INTID = GIC_SPI_BASE + VIRT_IRQMAP.UART;
/** INTID of the PL031's interrupt (SPI 2). */
export const RTC_INTID = GIC_SPI_BASE + VIRT_IRQMAP.RTC;

/**
 * Generic-timer PPI numbers as QEMU names them (include/hw/arm/virt.h: ARCH_TIMER_*_IRQ) and
 * writes them in the DT `timer` node, in that node's order (secure, non-secure, virtual, hyp).
 */
export const ARCH_TIMER_S_EL1_IRQ = 13;
export const ARCH_TIMER_NS_EL1_IRQ = 14;
export const ARCH_TIMER_VIRT_IRQ = 11;
export const ARCH_TIMER_NS_EL2_IRQ = 10;
/** INTID of the EL1 physical timer (PPI 14 → 30). */
export const TIMER_PHYS_INTID = GIC_PPI_BASE + ARCH_TIMER_NS_EL1_IRQ;
/** INTID of the EL1 virtual timer (PPI 11 → 27). */
export const TIMER_VIRT_INTID = GIC_PPI_BASE + ARCH_TIMER_VIRT_IRQ;

/**
 * Where QEMU copies an AArch64 kernel without an ELF header or Image header text_offset
 * (hw/arm/boot.c KERNEL64_LOAD_ADDR): RAM base + 0x80000.
 */
export const KERNEL64_LOAD_ADDR = 0x8_0000;
/**
 * QEMU's boot stub lives at the very bottom of RAM; an Image asking for a text_offset below
 * this is moved up by 2 MiB (hw/arm/boot.c load_aarch64_image, BOOTLOADER_MAX_SIZE).
 */
export const BOOTLOADER_MAX_SIZE = 0x1000;
/** The 2 MiB alignment booting.rst asks of the Image base and QEMU uses for the DTB. */
export const ALIGN_2M = 2 * MiB;
/** The PL011's reference clock in the DT (QEMU hw/arm/virt.c create_fdt: "clk24mhz"). */
export const APB_PCLK_HZ = 24_000_000;

/**
 * MPIDR_EL1 for CPU `index` as QEMU virt computes it with GICv3 (hw/arm/virt.c
 * virt_cpu_mp_affinity: clusters of GICV3_TARGETLIST_BITS = 16 CPUs), with bit 31 RES1
 * (Arm ARM D23.2 MPIDR_EL1). For up to 16 CPUs this is Aff0 = index.
 */
export function virtMpidr(index: number): bigint {
  return (1n << 31n) | (BigInt(index >> 4) << 8n) | BigInt(index & 15);
}

/** The affinity fields of an MPIDR (Aff3 at 39:32, Aff2..Aff0 at 23:0), bit 31 and U/MT dropped. */
export const mpidrAffinity = (mpidr: bigint): bigint => mpidr & 0xff_00ff_ffffn;
