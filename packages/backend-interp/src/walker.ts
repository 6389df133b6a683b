/**
 * The reference stage-1/stage-2 walker of @hvlab/core (packages/core/src/mmu), which the TLB
 * fills and AT instructions use. team.md says core's index re-exports it; until that export
 * exists this module imports the workspace source directly, so that only this file changes
 * when it does.
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
  s1ptwFetch,
  s2MemAttrIsDevice,
  type Stage1Config,
  type Stage2Config,
  walkStage1,
  walkStage2,
} from '../../core/src/mmu/index.js';
