/**
 * @hvlab/cli: the `hvlab` command (bin/hvlab.mjs runs main() from the built dist).
 */
export { type Booted, type BootInput, boot } from './compose.js';
export { EXIT, EXIT_TABLE, type ExitStatus, outcomeOf } from './exit-codes.js';
export { type CliIo, main, processIo } from './main.js';
export { BACKEND_NAMES, checkRunOptions, type RunConfig } from './options.js';
