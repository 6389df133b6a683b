/** Test support for packages that drive CPUs (subpath `@hvlab/core/testing`). */
export * from './fake-cpu.js';
