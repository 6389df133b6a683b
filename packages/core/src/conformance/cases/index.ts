/** Every conformance case group, in the order the suite registers them. */
import type { CaseGroup } from '../types.js';
import { branches } from './branch.js';
import { dpImmediate } from './dp-imm.js';
import { dpRegister } from './dp-reg.js';
import { exceptions } from './exceptions.js';
import { exits } from './exits.js';
import { loadStore } from './loadstore.js';
import { mmu4k } from './mmu.js';
import { stage2 } from './stage2.js';
import { system } from './system.js';

export const CASE_GROUPS: readonly CaseGroup[] = [
  dpImmediate,
  dpRegister,
  branches,
  loadStore,
  system,
  exits,
  exceptions,
  mmu4k,
  stage2,
];
