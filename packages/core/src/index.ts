export * from './addr.js';
export * from './cpu.js';
export * from './errors.js';
export * from './exit.js';
export * from './machine.js';
export * from './memory.js';
export * from './regs.js';
export * from './sysregs.js';
