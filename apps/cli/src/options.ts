/**
 * Checks `hvlab run`'s raw option strings and turns them into a RunConfig. Every rule here
 * answers with a one-line UsageError naming the flag.
 */
import { type FilterSpec, type FwRegSpec, parseFwReg, parsePsciVersionFlag, parseSmcccFilter } from './firmware.js';
import { type RawRunOptions, RUN_FLAG_NAMES } from './program.js';
import { formatSize, parseMemorySize, parsePositiveInt, usageError } from './values.js';

/** CPU backends hvlab can run (backend-wasm joins when it exists). */
export const BACKEND_NAMES = ['interp'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** QEMU virt's first GICv3 redistributor region holds 123 CPUs (board layout.ts). */
export const MAX_SMP = 123;
/** QEMU virt's low RAM region allows up to 255 GiB (hw/arm/virt.c LEGACY_RAMLIMIT_GB). */
export const MAX_MEMORY = 255 * 2 ** 30;
export const MIN_MEMORY = 2 ** 20;
const PAGE = 4096;

export interface RunConfig {
  readonly kernelPath: string | undefined;
  readonly initrdPath: string | undefined;
  readonly dtbPath: string | undefined;
  readonly append: string | undefined;
  readonly smp: number;
  readonly memory: number;
  readonly backend: BackendName;
  readonly maxInstructions: number | undefined;
  readonly dumpDtbPath: string | undefined;
  readonly stats: boolean;
  /** --psci-version as a PSCI_VERSION value (undefined: KVM's default, 1.3). */
  readonly psciVersion: number | undefined;
  /** --system-suspend: KVM_CAP_ARM_SYSTEM_SUSPEND. */
  readonly systemSuspend: boolean;
  /** --fw-reg, in command-line order. */
  readonly fwRegs: readonly FwRegSpec[];
  /** --smccc-filter, in command-line order. */
  readonly smcccFilters: readonly FilterSpec[];
}

/** Every flag of `hvlab run`, to recognise one taken as another flag's value. */
const RUN_FLAGS = new Set(RUN_FLAG_NAMES.flatMap((f) => (f.short === undefined ? [f.long] : [f.long, f.short])));

/** A file-name value: not empty, and not the next flag (`--kernel --smp 2` took `--smp`). */
const fileName = (flag: string, v: string | undefined): string | undefined => {
  if (v === undefined) return v;
  if (v.length === 0) throw usageError(`${flag}: empty file name`);
  if (RUN_FLAGS.has(v.split('=')[0]!))
    throw usageError(`${flag}: missing file name (the next argument is the flag ${v})`);
  return v;
};

export function checkRunOptions(raw: RawRunOptions): RunConfig {
  // Flag values first: a file flag that swallowed the next flag explains the stray argument.
  const kernelPath = fileName('--kernel', raw.kernel);
  const initrdPath = fileName('--initrd', raw.initrd);
  const dtbPath = fileName('--dtb', raw.dtb);
  const dumpDtbPath = fileName('--dump-dtb', raw.dumpDtb);
  const extra = raw.extra ?? [];
  if (extra.length > 0)
    throw usageError(`unexpected argument '${extra[0]}': hvlab run takes only flags (see hvlab run --help)`);
  const smp = parsePositiveInt('--smp', raw.smp ?? '1');
  if (smp > MAX_SMP) throw usageError(`--smp: ${smp} CPUs is more than the virt board's ${MAX_SMP}`);
  const memory = parseMemorySize(raw.memory ?? '128M');
  if (memory < MIN_MEMORY || memory > MAX_MEMORY)
    throw usageError(`--memory: ${raw.memory} is outside ${formatSize(MIN_MEMORY)}..${formatSize(MAX_MEMORY)}`);
  if (memory % PAGE !== 0) throw usageError(`--memory: ${raw.memory} is not a multiple of 4K`);
  const backend = raw.backend ?? 'interp';
  if (!(BACKEND_NAMES as readonly string[]).includes(backend))
    throw usageError(`--backend: unknown backend '${backend}' (available: ${BACKEND_NAMES.join(', ')})`);
  const maxInstructions =
    raw.maxInstructions === undefined ? undefined : parsePositiveInt('--max-instructions', raw.maxInstructions);
  if (raw.append?.includes('\0')) throw usageError('--append: the command line contains a NUL character');
  if (kernelPath === undefined && dumpDtbPath === undefined)
    throw usageError('--kernel <file> is required (the guest image to run)');
  if (dumpDtbPath !== undefined && dtbPath !== undefined)
    throw usageError('--dump-dtb writes the generated DTB; it cannot be combined with --dtb');
  return {
    kernelPath,
    initrdPath,
    dtbPath,
    append: raw.append,
    smp,
    memory,
    backend: backend as BackendName,
    maxInstructions,
    dumpDtbPath,
    stats: raw.stats === true,
    psciVersion: raw.psciVersion === undefined ? undefined : parsePsciVersionFlag(raw.psciVersion),
    systemSuspend: raw.systemSuspend === true,
    fwRegs: (raw.fwReg ?? []).map(parseFwReg),
    smcccFilters: (raw.smcccFilter ?? []).map(parseSmcccFilter),
  };
}
