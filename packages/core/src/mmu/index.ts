/**
 * @hvlab/core MMU: the VMSAv8-64 descriptor format, a reference stage-1/stage-2 walker, the
 * permission checks and a table builder. See README.md in this directory.
 */
export * from './builder.js';
export * from './config.js';
export * from './descriptor.js';
export * from './granule.js';
export * from './permissions.js';
export type * from './types.js';
export * from './walk.js';
