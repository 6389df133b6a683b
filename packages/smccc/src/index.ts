/**
 * @hvlab/smccc: the SMC Calling Convention (Arm DEN0028) for firmware and hypervisor models.
 * Function-ID types and their encoding, status codes, the dispatch table that HVC/SMC exits
 * reach, and the services KVM implements in the kernel (KvmSmccc): Arm architecture calls and
 * Spectre workarounds, TRNG, KVM vendor calls, PV time, the firmware pseudo-registers with
 * ONE_REG access, and the SMCCC filter.
 */
export * from './arch.js';
export * from './dispatch.js';
export * from './fid.js';
export * from './filter.js';
export * from './fwregs.js';
export * from './kvm.js';
export * from './kvm-vendor.js';
export * from './pvtime.js';
export * from './status.js';
export * from './trng.js';
export * from './uuid.js';
export * from './workarounds.js';
