/**
 * The QEMU conformance oracle: runs the backend conformance cases on QEMU and judges QEMU's
 * results with the suite's own comparison. Used by packages/core/test/qemu-conformance.test.ts;
 * README.md beside this file explains the pieces:
 *
 *   plan.ts         which cases/phases QEMU can run, and their exact setup (from setUpCase)
 *   session.ts      one qemu-system-aarch64 + gdb-multiarch session (tools, port, timeouts)
 *   oracle.py       the gdb-side script that drives QEMU's gdbstub
 *   verdict.ts      QEMU state → StateView/Exit → compareState
 *   divergences.ts  the allow-list of known, explained divergences (and -cpu overrides)
 */
import { EL2_SCRATCH, type OracleJob, type OraclePlan, pagesToClear, type QemuCpu } from './plan.js';
import { DEFAULT_LIMITS, type OracleTools, runSession, type SessionLimits } from './session.js';
import type { WireJobResult } from './verdict.js';

export * from './divergences.js';
export * from './plan.js';
export * from './session.js';
export * from './verdict.js';

export interface SessionStats {
  readonly cpu: QemuCpu;
  readonly jobs: number;
  readonly ms: number;
}

export interface OracleRun {
  readonly results: ReadonlyMap<number, WireJobResult>;
  readonly sessions: readonly SessionStats[];
  readonly ms: number;
}

export interface RunOptions {
  /** QEMU sessions run at once (each is one QEMU + one gdb process, mostly CPU-bound). */
  readonly parallel?: number;
  readonly limits?: SessionLimits;
}

/**
 * Runs every job of `plan` on QEMU. Jobs are grouped by `-cpu` model; the cortex-a57 jobs (nearly
 * all) are dealt round-robin into `parallel` sessions so the sessions take similar time.
 */
export async function runOracle(plan: OraclePlan, tools: OracleTools, opts: RunOptions = {}): Promise<OracleRun> {
  const parallel = Math.max(1, opts.parallel ?? 2);
  const byCpu = new Map<QemuCpu, OracleJob[]>();
  for (const j of plan.jobs) byCpu.set(j.cpu, [...(byCpu.get(j.cpu) ?? []), j]);
  const batches: { cpu: QemuCpu; jobs: OracleJob[] }[] = [];
  for (const [cpu, jobs] of byCpu) {
    const n = Math.min(parallel, Math.ceil(jobs.length / 50));
    for (let k = 0; k < n; k++) batches.push({ cpu, jobs: jobs.filter((_, i) => i % n === k) });
  }
  batches.sort((a, b) => b.jobs.length - a.jobs.length);

  const start = performance.now();
  const results = new Map<number, WireJobResult>();
  const sessions: SessionStats[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const b = batches[next++]!;
      const t0 = performance.now();
      const out = await runSession(
        tools,
        { cpu: b.cpu, scratch: EL2_SCRATCH, clear: pagesToClear(b.jobs), jobs: b.jobs.map((j) => j.wire) },
        opts.limits ?? DEFAULT_LIMITS,
      );
      for (const r of out) results.set(r.id, r);
      sessions.push({ cpu: b.cpu, jobs: b.jobs.length, ms: performance.now() - t0 });
    }
  };
  // allSettled, not all: when one session fails the others still end (and reap their
  // children) before the error is reported; no further batches start after a failure.
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(parallel, batches.length) }, () =>
      worker().catch((e: unknown) => {
        next = batches.length;
        throw e;
      }),
    ),
  );
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return { results, sessions, ms: performance.now() - start };
}
