/**
 * Helpers for placing translation tables in the conformance world. The descriptors themselves
 * come from the core MMU module (core/src/mmu/descriptor.ts: tableDesc, s1BlockDesc, s1PageDesc,
 * s2BlockDesc, s2PageDesc), which implements Arm ARM DDI 0487 D8.3 "Translation table descriptor
 * formats". Their defaults matter here: AF = 1, SH = Inner Shareable, stage-1 AttrIndx 0 and
 * AP = EL1 read/write, stage-2 MemAttr Normal Write-Back and S2AP read/write, no XN.
 */
import type { MemSpec } from './types.js';

/** MAIR_EL1 for the stage-1 cases: Attr0 = 0xff (Normal WB RA/WA), Attr1 = 0x00 (Device-nGnRnE). */
export const MAIR_MMU = 0x00ffn;
/** AttrIndx of the Device-nGnRnE entry of MAIR_MMU. */
export const ATTR_DEVICE = 1;

/** Memory specs placing `entries` (index → descriptor) in the table at `base`. */
export function tableEntries(base: number, entries: Readonly<Record<number, bigint>>): MemSpec[] {
  return Object.entries(entries).map(([i, d]) => ({ at: base + Number(i) * 8, u64: [d] }));
}
