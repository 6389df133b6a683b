/**
 * installPsci: PSCI alone on a machine's SMCCC conduit, with nothing else of KVM's firmware — the
 * firmware QEMU's `virt` board gives an EL1 guest (QEMU 7.2 target/arm/psci.c answers PSCI 1.1
 * and no other SMCCC service but SMCCC_VERSION/ARCH_FEATURES). The PSCI calls are served by the
 * vPSCI policy (vpsci.ts) at version 1.1 unless told otherwise; the guests harness compares
 * guests against QEMU with it. installKvmFirmware (kvm.ts) is the KVM-complete alternative.
 */
import type { Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import type { Conduit, SmcccDispatcher } from '@hvlab/smccc';
import { SmcccDispatcher as Dispatcher } from '@hvlab/smccc';
import { PSCI_VERSION_1_1 } from './ids.js';
import { VPsci } from './vpsci.js';

export interface PsciOptions {
  /** The conduit(s) whose calls reach firmware; the DTB's /psci `method` names the same one. */
  readonly conduit: Conduit | readonly Conduit[];
  /** Register into this dispatcher (shared with other services) instead of a new one. */
  readonly smccc?: SmcccDispatcher;
  /** PSCI version (default 1.1, QEMU 7.2's); 0.2 .. 1.3 as KVM_REG_ARM_PSCI_VERSION allows. */
  readonly version?: number;
  /** Serve SYSTEM_SUSPEND (KVM_CAP_ARM_SYSTEM_SUSPEND; default false, as QEMU). */
  readonly systemSuspend?: boolean;
}

export class Psci extends VPsci {
  readonly conduits: readonly Conduit[];
  readonly smccc: SmcccDispatcher;
  private readonly fids: readonly number[];

  constructor(machine: Machine, opts: PsciOptions) {
    const conduits: readonly Conduit[] = typeof opts.conduit === 'string' ? [opts.conduit] : [...(opts.conduit ?? [])];
    if (conduits.length === 0 || conduits.some((c) => c !== 'hvc' && c !== 'smc'))
      throw new HvlabError('EINVAL', `PSCI conduit must be 'hvc' or 'smc', got ${JSON.stringify(opts.conduit)}`);
    if (opts.smccc !== undefined && !(opts.smccc instanceof Dispatcher))
      throw new HvlabError('EINVAL', 'smccc must be an SmcccDispatcher');
    super(machine, {
      version: opts.version ?? PSCI_VERSION_1_1,
      ...(opts.systemSuspend === undefined ? {} : { systemSuspend: opts.systemSuspend }),
    });
    const smccc = opts.smccc ?? new Dispatcher();
    const service = this.service();
    smccc.register(service);
    smccc.attach(machine, conduits);
    this.conduits = conduits;
    this.smccc = smccc;
    this.fids = service.functions.map((f) => f.fid);
  }

  /** The function IDs this instance registered. */
  implemented(): readonly number[] {
    return this.fids;
  }
}

/**
 * Serves PSCI to the guests of `machine` through the given conduit (QEMU virt and KVM use HVC;
 * SMC when the guest owns EL2). Returns the Psci, whose `smccc` dispatcher other services can
 * register into.
 */
export function installPsci(machine: Machine, opts: PsciOptions): Psci {
  return new Psci(machine, opts);
}
