/**
 * The reference stage-1/stage-2 walker of @hvlab/core (packages/core/src/mmu), used by the TLB
 * fills and the AT instructions (mmu.ts): one place naming what this backend takes from it.
 */
export {
  CORTEX_A57_MMU,
  checkS1Permission,
  checkS2Permission,
  type DescFetch,
  decodeStage1,
  decodeStage2,
  FETCH_EXTERNAL_ABORT,
  type MmuFault,
  type Stage1Config,
  type Stage2Config,
  s1ptwFetch,
  s2MemAttrIsDevice,
  walkStage1,
  walkStage2,
} from '@hvlab/core';
