/**
 * @hvlab/smccc/testing: test support for this package and the ones built on it (@hvlab/psci):
 * a Machine of FakeCpus with a KvmSmccc (vm.ts) and an executable model of KVM's rules
 * (kvm-model.ts). Not part of the library API.
 */
export * from './kvm-model.js';
export * from './vm.js';
