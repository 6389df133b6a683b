/**
 * The guest catalogue: every image in guests/prebuilt/, its expected console output in
 * guests/expected/, and how long each side may run it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HvlabFirmware } from './hvlab.js';

export const GUESTS_DIR = fileURLToPath(new URL('..', import.meta.url));
export const PREBUILT_DIR = fileURLToPath(new URL('../prebuilt/', import.meta.url));
export const EXPECTED_DIR = fileURLToPath(new URL('../expected/', import.meta.url));

export interface GuestSpec {
  /** Image file name in prebuilt/ (the expected output is expected/<stem>.txt). */
  readonly file: string;
  readonly what: string;
  /**
   * Where expected/<stem>.txt comes from: 'qemu' — QEMU's output (test/qemu-oracle.test.ts
   * checks it, HVLAB_UPDATE_EXPECTED=1 rewrites it); 'reference' — written by hand from
   * ../shared/reference, because QEMU does not implement what the guest checks (the guest's
   * EXPECTED.md says which section each line comes from). QEMU never runs a 'reference' guest.
   */
  readonly oracle: 'qemu' | 'reference';
  /** Number of CPUs: QEMU's `-smp`, hvlab's `cpus` (default 1). */
  readonly cpus?: number;
  /** The firmware hvlab plays (harness/hvlab.ts HvlabFirmware; default 'qemu'). */
  readonly firmware?: HvlabFirmware;
  /** Run on hvlab in the parity test (bench-200/2000 are left to `pnpm bench`). */
  readonly hvlab: boolean;
  /** The test file that checks this guest on hvlab instead of test/parity.test.ts. */
  readonly ownTest?: string;
  /** Instruction limit on hvlab: generous, so only a hung guest reaches it. */
  readonly maxInstructions: number;
  /** Wall-clock limit on QEMU. */
  readonly qemuTimeoutMs: number;
  /** Console input, typed once the guest printed `after`. */
  readonly input?: { readonly text: string; readonly after: string };
}

export const GUESTS: readonly GuestSpec[] = [
  {
    file: 'hello.elf',
    what: 'greeting, integer arithmetic, ID registers',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'exceptions.elf',
    what: 'synchronous exceptions, EL0, stage-1 MMU faults, AT, TLBI, ASIDs',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'timer.elf',
    what: 'GICv3 + virtual timer interrupts, SGI',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'uart.elf',
    what: 'PL011 receive interrupts through a GICv3 SPI',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
    input: { text: 'hvlab reads a line\n', after: 'uart: waiting for a line\n' },
  },
  {
    file: 'boot.bin',
    what: 'raw-image boot contract, DTB, PL011 IDs, PSCI queries',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'boot-image.bin',
    what: 'the same through an arm64 Image header',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'bench-20.elf',
    what: 'standard benchmark, ITERS=20',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 100_000_000,
    qemuTimeoutMs: 30_000,
  },
  {
    file: 'bench-200.elf',
    what: 'standard benchmark, ITERS=200',
    oracle: 'qemu',
    hvlab: false,
    maxInstructions: 1_000_000_000,
    qemuTimeoutMs: 60_000,
  },
  {
    file: 'bench-2000.elf',
    what: 'standard benchmark, ITERS=2000',
    oracle: 'qemu',
    hvlab: false,
    maxInstructions: 10_000_000_000,
    qemuTimeoutMs: 120_000,
  },
  {
    file: 'smp.elf',
    what: '4 CPUs through PSCI: CPU_ON, AFFINITY_INFO, ALREADY_ON, bad MPIDR, spinlocks, CPU_OFF',
    oracle: 'qemu',
    cpus: 4,
    hvlab: true,
    maxInstructions: 100_000_000,
    qemuTimeoutMs: 30_000,
    ownTest: 'test/smp.test.ts',
  },
  {
    file: 'smccc.elf',
    what: 'every SMCCC service with KVM default answers (expected output from the reference)',
    oracle: 'reference',
    firmware: 'kvm',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
    ownTest: 'test/smccc.test.ts',
  },
  {
    file: 'hvc-bench-10000.elf',
    what: 'HVC round trip: 10,000 PSCI_VERSION calls',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
    ownTest: 'test/hvc-bench.test.ts',
  },
  {
    file: 'hvc-bench-1000000.elf',
    what: 'HVC round trip: 1,000,000 PSCI_VERSION calls',
    oracle: 'qemu',
    hvlab: true,
    maxInstructions: 100_000_000,
    qemuTimeoutMs: 60_000,
    ownTest: 'test/hvc-bench.test.ts',
  },
];

/** The HVC round-trip benchmark images and their call counts (`pnpm bench`: subtract the two). */
export const HVC_BENCH: Readonly<Record<string, number>> = {
  'hvc-bench-10000.elf': 10_000,
  'hvc-bench-1000000.elf': 1_000_000,
};

/** The benchmark results the acceptance list fixes (../shared/bench/README.md). */
export const BENCH_RESULTS: Readonly<Record<string, string>> = {
  'bench-20.elf': 'c1f2b37ba420713f\n',
  'bench-2000.elf': 'd30400d9b0cff082\n',
};

export const qemuGuests = (): GuestSpec[] => GUESTS.filter((g) => g.oracle === 'qemu');
export const guest = (file: string): GuestSpec => {
  const g = GUESTS.find((x) => x.file === file);
  if (!g) throw new Error(`no guest ${file} in the catalogue`);
  return g;
};

export const stem = (file: string): string => file.replace(/\.(elf|bin)$/, '');
export const prebuiltPath = (file: string): string => `${PREBUILT_DIR}${file}`;
export const expectedPath = (file: string): string => `${EXPECTED_DIR}${stem(file)}.txt`;
export const readExpected = (file: string): string => readFileSync(expectedPath(file), 'latin1');
export const prebuiltFiles = (): string[] =>
  readdirSync(PREBUILT_DIR)
    .filter((f) => /\.(elf|bin)$/.test(f))
    .sort();
