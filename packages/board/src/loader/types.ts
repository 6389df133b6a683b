/** Types shared by the kernel, initrd and DTB loaders. */

/** A RAM range the loaders may place things in. */
export interface RamRange {
  readonly base: number;
  readonly size: number;
}

/** How a kernel file was recognised (reference/virt-platform.md §0.4). */
export type KernelFormat = 'elf' | 'image' | 'raw';

/** Where a kernel landed in RAM and where it starts. */
export interface LoadedKernel {
  readonly format: KernelFormat;
  /** The PC to start at (ELF e_entry may be a virtual address, so it is kept as bigint). */
  readonly entry: bigint;
  /** Lowest physical address the kernel occupies. */
  readonly low: number;
  /** End (exclusive) of the kernel's footprint, including .bss / Image image_size. */
  readonly high: number;
  /** The physical ranges written (ELF: one per PT_LOAD segment). */
  readonly regions: readonly { readonly base: number; readonly size: number }[];
}
