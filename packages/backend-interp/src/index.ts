/**
 * @hvlab/backend-interp: an AArch64 CPU (EL0/EL1) in TypeScript implementing the core Cpu
 * contract, translating basic blocks to JavaScript. See README.md for the design.
 */
export { createInterpCpu, InterpCpu } from './cpu.js';
