/**
 * PSCI for guests: the power-state machine a VMM exposes through the SMCCC dispatcher.
 *
 * State machine (DEN0022 section 5.1 power states; KVM arch/arm64/kvm/psci.c):
 *
 *   per CPU                                    the system
 *
 *   ┌────┐                                     RUNNING ──SYSTEM_OFF (any ON CPU)───► every CPU OFF,
 *   │ ON │  = Machine power state                 │                                  run ends with
 *   └────┘    'running' or 'waiting'              │                                  SystemEvent 'shutdown'
 *   ┌─────┐                                       └────SYSTEM_RESET (any ON CPU)───► every CPU OFF,
 *   │ OFF │ = Machine power state 'off'                                              run ends with
 *   └─────┘                                                                          SystemEvent 'reset'
 *
 * The CPU states live in the Machine (core/src/machine.ts), which this module drives; it keeps
 * no copy. The system transitions are KVM's: the calling CPU gets X0 = INTERNAL_FAILURE,
 * X1..X3 = 0 (what it would see if a VMM resumed it instead of ending the run), every CPU is
 * powered off and the run ends with the system event, as KVM_EXIT_SYSTEM_EVENT does.
 *
 * The calls served here are PSCI_VERSION, PSCI_FEATURES, SYSTEM_OFF and SYSTEM_RESET. Every
 * other PSCI ID reaches no row and answers NOT_SUPPORTED (-1), the dispatcher's default. The
 * per-CPU transitions (CPU_ON: OFF -> ON, CPU_OFF: ON -> OFF, AFFINITY_INFO reading them,
 * CPU_SUSPEND) and the ON_PENDING state of the firmware policy are the next issue's; they are
 * added as rows here, next to the ones below.
 *
 * Version: PSCI 1.1, which QEMU 7.2's built-in PSCI reports (target/arm/psci.c) — the oracle we
 * compare guests against. KVM's default is 1.3 since Linux 6.13 (reference/psci-smccc.md 3.2);
 * selecting the version (KVM_REG_ARM_PSCI_VERSION) comes with vPSCI.
 */
import type { Machine } from '@hvlab/core';
import { HvlabError } from '@hvlab/core';
import type { Conduit, SmcccCall, SmcccDispatcher, SmcccFunction } from '@hvlab/smccc';
import { SmcccDispatcher as Dispatcher, SMCCC_VERSION } from '@hvlab/smccc';
import {
  PSCI_0_2_FN_PSCI_VERSION,
  PSCI_0_2_FN_SYSTEM_OFF,
  PSCI_0_2_FN_SYSTEM_RESET,
  PSCI_1_0_FN_PSCI_FEATURES,
  PSCI_RET_INTERNAL_FAILURE,
  PSCI_RET_NOT_SUPPORTED,
  PSCI_RET_SUCCESS,
  PSCI_VERSION_1_1,
} from './ids.js';

export interface PsciOptions {
  /** The conduit(s) whose calls reach firmware; the DTB's /psci `method` names the same one. */
  readonly conduit: Conduit | readonly Conduit[];
  /** Register into this dispatcher (shared with other services) instead of a new one. */
  readonly smccc?: SmcccDispatcher;
}

export type PsciCpuState = 'on' | 'off';

export class Psci {
  /** The PSCI_VERSION answer. */
  readonly version = PSCI_VERSION_1_1;
  readonly conduits: readonly Conduit[];
  readonly smccc: SmcccDispatcher;
  private readonly rows: readonly SmcccFunction[];

  constructor(
    private readonly machine: Machine,
    opts: PsciOptions,
  ) {
    const conduits: readonly Conduit[] = typeof opts.conduit === 'string' ? [opts.conduit] : [...opts.conduit];
    if (conduits.length === 0 || conduits.some((c) => c !== 'hvc' && c !== 'smc'))
      throw new HvlabError('EINVAL', `PSCI conduit must be 'hvc' or 'smc', got ${JSON.stringify(opts.conduit)}`);
    this.conduits = conduits;
    this.smccc = opts.smccc ?? new Dispatcher();
    this.rows = [
      { fid: PSCI_0_2_FN_PSCI_VERSION, name: 'PSCI_VERSION', argCount: 0, resultCount: 1, handler: () => this.version },
      {
        fid: PSCI_1_0_FN_PSCI_FEATURES,
        name: 'PSCI_FEATURES',
        argCount: 1,
        resultCount: 1,
        handler: (call) => this.features(Number(call.args[0]!)),
      },
      {
        fid: PSCI_0_2_FN_SYSTEM_OFF,
        name: 'SYSTEM_OFF',
        argCount: 0,
        resultCount: 1,
        handler: (call) => this.systemEvent(call, 'shutdown', 'PSCI SYSTEM_OFF'),
      },
      {
        fid: PSCI_0_2_FN_SYSTEM_RESET,
        name: 'SYSTEM_RESET',
        argCount: 0,
        resultCount: 1,
        handler: (call) => this.systemEvent(call, 'reset', 'PSCI SYSTEM_RESET'),
      },
    ];
    this.smccc.register({ name: 'PSCI', functions: this.rows });
    this.smccc.attach(machine, conduits);
  }

  /** The PSCI IDs this instance serves. */
  implemented(): readonly number[] {
    return this.rows.map((r) => r.fid);
  }

  /**
   * PSCI_FEATURES (DEN0022 5.1.14): 0 for an implemented PSCI call (none of the calls served
   * here has feature flags) and for SMCCC_VERSION when SMCCC >= 1.1 is implemented (how callers
   * discover SMCCC 1.1); NOT_SUPPORTED for anything else.
   */
  features(fid: number): number {
    if (fid === SMCCC_VERSION) return this.smccc.has(SMCCC_VERSION) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
    return this.rows.some((r) => r.fid === fid) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
  }

  /** A CPU's PSCI power state, read from the Machine. */
  cpuState(index: number): PsciCpuState {
    return this.machine.powerState(index) === 'off' ? 'off' : 'on';
  }

  private systemEvent(call: SmcccCall, type: 'shutdown' | 'reset', reason: string): number {
    for (let i = 0; i < this.machine.cpus.length; i++) this.machine.powerOff(i);
    this.machine.requestStop({ type, reason, cpu: call.cpu.index });
    return PSCI_RET_INTERNAL_FAILURE;
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
