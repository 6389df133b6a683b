/**
 * The guest catalogue: every image in guests/prebuilt/, its expected console output in
 * guests/expected/, and how long each side may run it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GUESTS_DIR = fileURLToPath(new URL('..', import.meta.url));
export const PREBUILT_DIR = fileURLToPath(new URL('../prebuilt/', import.meta.url));
export const EXPECTED_DIR = fileURLToPath(new URL('../expected/', import.meta.url));

export interface GuestSpec {
  /** Image file name in prebuilt/ (the expected output is expected/<stem>.txt). */
  readonly file: string;
  readonly what: string;
  /** Run on hvlab in the parity test (bench-200/2000 are left to `pnpm bench`). */
  readonly hvlab: boolean;
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
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'exceptions.elf',
    what: 'synchronous exceptions, EL0, stage-1 MMU faults, AT, TLBI, ASIDs',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'timer.elf',
    what: 'GICv3 + virtual timer interrupts, SGI',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'uart.elf',
    what: 'PL011 receive interrupts through a GICv3 SPI',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
    input: { text: 'hvlab reads a line\n', after: 'uart: waiting for a line\n' },
  },
  {
    file: 'boot.bin',
    what: 'raw-image boot contract, DTB, PL011 IDs, PSCI queries',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'boot-image.bin',
    what: 'the same through an arm64 Image header',
    hvlab: true,
    maxInstructions: 20_000_000,
    qemuTimeoutMs: 20_000,
  },
  {
    file: 'bench-20.elf',
    what: 'standard benchmark, ITERS=20',
    hvlab: true,
    maxInstructions: 100_000_000,
    qemuTimeoutMs: 30_000,
  },
  {
    file: 'bench-200.elf',
    what: 'standard benchmark, ITERS=200',
    hvlab: false,
    maxInstructions: 1_000_000_000,
    qemuTimeoutMs: 60_000,
  },
  {
    file: 'bench-2000.elf',
    what: 'standard benchmark, ITERS=2000',
    hvlab: false,
    maxInstructions: 10_000_000_000,
    qemuTimeoutMs: 120_000,
  },
];

/** The benchmark results the acceptance list fixes (../shared/bench/README.md). */
export const BENCH_RESULTS: Readonly<Record<string, string>> = {
  'bench-20.elf': 'c1f2b37ba420713f\n',
  'bench-2000.elf': 'd30400d9b0cff082\n',
};

export const stem = (file: string): string => file.replace(/\.(elf|bin)$/, '');
export const prebuiltPath = (file: string): string => `${PREBUILT_DIR}${file}`;
export const expectedPath = (file: string): string => `${EXPECTED_DIR}${stem(file)}.txt`;
export const readExpected = (file: string): string => readFileSync(expectedPath(file), 'latin1');
export const prebuiltFiles = (): string[] =>
  readdirSync(PREBUILT_DIR)
    .filter((f) => /\.(elf|bin)$/.test(f))
    .sort();
