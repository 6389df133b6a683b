/**
 * Checks `hvlab run`'s raw option strings and turns them into a RunConfig. Every rule here
 * answers with a one-line UsageError naming the flag.
 */
import { type FilterSpec, type FwRegSpec, parseFwReg, parsePsciVersionFlag, parseSmcccFilter } from './firmware.js';
import type { RawRunOptions } from './program.js';
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

const nonEmpty = (flag: string, v: string | undefined): string | undefined => {
  if (v !== undefined && v.length === 0) throw usageError(`${flag}: empty file name`);
  return v;
};

export function checkRunOptions(raw: RawRunOptions): RunConfig {
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
  const kernelPath = nonEmpty('--kernel', raw.kernel);
  const dumpDtbPath = nonEmpty('--dump-dtb', raw.dumpDtb);
  if (kernelPath === undefined && dumpDtbPath === undefined)
    throw usageError('--kernel <file> is required (the guest image to run)');
  if (dumpDtbPath !== undefined && raw.dtb !== undefined)
    throw usageError('--dump-dtb writes the generated DTB; it cannot be combined with --dtb');
  return {
    kernelPath,
    initrdPath: nonEmpty('--initrd', raw.initrd),
    dtbPath: nonEmpty('--dtb', raw.dtb),
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
