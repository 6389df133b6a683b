/**
 * @hvlab/smccc: the SMC Calling Convention (Arm DEN0028) for firmware and hypervisor models.
 * Function-ID types and their encoding, status codes, the dispatch table that HVC/SMC exits
 * reach, and the Arm architecture calls.
 */
export * from './arch.js';
export * from './dispatch.js';
export * from './fid.js';
export * from './status.js';
