/**
 * @hvlab/psci: the Power State Coordination Interface (Arm DEN0022) served to guests through
 * the SMCCC dispatcher of @hvlab/smccc.
 */
export * from './ids.js';
export * from './psci.js';
