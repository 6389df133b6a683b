/**
 * @hvlab/psci: the Power State Coordination Interface (Arm DEN0022) served through the SMCCC
 * dispatcher of @hvlab/smccc: one power-state machine (power.ts) with two policies, KVM's vPSCI
 * (vpsci.ts) and TF-A-like EL3 firmware (firmware.ts); installPsci (QEMU-virt PSCI alone) and
 * installKvmFirmware (everything KVM gives a guest).
 */
export * from './firmware.js';
export * from './ids.js';
export * from './kvm.js';
export * from './power.js';
export * from './psci.js';
export * from './vpsci.js';
