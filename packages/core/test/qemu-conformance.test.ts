/**
 * The backend conformance cases (src/conformance), cross-checked against QEMU: where QEMU
 * implements the same behaviour, the cases' expectations must agree with it.
 *
 * Every case QEMU can run (scripts/qemu-oracle/plan.ts decides, and says why not for the rest)
 * is executed on `qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a57` (`-cpu max` for
 * the few divergences.ts names) through gdb-multiarch, and QEMU's final state is judged by the
 * suite's own compareState(). A case
 * passes when QEMU agrees, or when it is on the allow-list (scripts/qemu-oracle/divergences.ts)
 * and differs in exactly the recorded fields. A case that newly differs fails, and so does an
 * allow-listed case that starts to agree: the list stays true.
 *
 * Never skipped: without qemu-system-aarch64 and gdb-multiarch the file fails to load (in CI and
 * locally) with an install hint. Two QEMU sessions run side by side: about 15 s on 2 cores.
 * Per-group counts (agree / allow-listed / not runnable, and why) are printed after the run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CPU_OVERRIDES,
  caseKey,
  findTools,
  judge,
  KNOWN_DIVERGENCES,
  type OracleRun,
  planOracle,
  runOracle,
} from '../scripts/qemu-oracle/index.js';
import { CASE_GROUPS } from '../src/conformance/cases/index.js';

const overrides = new Map(CPU_OVERRIDES.map((o) => [caseKey(o.group, o.name), o]));
const allowList = new Map(KNOWN_DIVERGENCES.map((d) => [caseKey(d.group, d.name), d]));
const plan = planOracle(CASE_GROUPS, (group, name) => overrides.get(caseKey(group, name))?.cpu ?? 'cortex-a57');

// QEMU runs while the file loads, not in a hook: if the tools are missing or a session breaks,
// the file fails to load with that error, and no test is reported as skipped.
const tools = findTools();
const run: OracleRun = await runOracle(plan, tools);

type Outcome = 'agree' | 'allow-listed' | 'failed';
const outcomes = new Map<string, Outcome>();

afterAll(() => {
  console.log(summary());
});

describe('conformance cases on QEMU', () => {
  it('the allow-list and the -cpu overrides name distinct cases that QEMU runs', () => {
    const runnable = new Set(plan.jobs.map((j) => caseKey(j.group, j.case.name)));
    const named = [...KNOWN_DIVERGENCES, ...CPU_OVERRIDES].map((d) => caseKey(d.group, d.name));
    expect(
      named.filter((k) => !runnable.has(k)),
      'entries naming no case, or a case QEMU cannot run',
    ).toEqual([]);
    expect(
      named.filter((k, i) => named.indexOf(k) !== i),
      'cases named twice',
    ).toEqual([]);
  });

  for (const group of CASE_GROUPS) {
    const jobs = plan.jobs.filter((j) => j.group === group.name);
    if (jobs.length === 0) continue;
    describe(group.name, () => {
      for (const job of jobs) {
        const key = caseKey(job.group, job.case.name);
        it(job.case.name, () => {
          const v = judge(job, run.results.get(job.id), job.cpu);
          const known = allowList.get(key);
          if (!known) {
            outcomes.set(key, v.pass ? 'agree' : 'failed');
            expect(v.actual, v.message).toEqual(v.expected);
            return;
          }
          const reproduces = !v.pass && JSON.stringify(v.differing) === JSON.stringify(known.differs);
          outcomes.set(key, reproduces ? 'allow-listed' : 'failed');
          expect(
            v.pass,
            `${v.message}\n  QEMU now agrees with this allow-listed case: remove it from scripts/qemu-oracle/divergences.ts`,
          ).toBe(false);
          expect(
            v.differing,
            `${v.message}\n  differs from QEMU in other fields than divergences.ts records (${known.reason})\n` +
              `  expected ${JSON.stringify(v.expected)}\n  qemu     ${JSON.stringify(v.actual)}`,
          ).toEqual(known.differs);
        });
      }
    });
  }
});

/** Per-group counts, not-runnable reasons and session timings, printed after the run. */
function summary(): string {
  const rows = CASE_GROUPS.map((g) => {
    const keys = g.cases.map((c) => caseKey(g.name, c.name));
    const count = (o: Outcome) => keys.filter((k) => outcomes.get(k) === o).length;
    const notRunnable = plan.notRunnable.filter((n) => n.group === g.name).length;
    return [g.name, count('agree'), count('allow-listed'), count('failed'), notRunnable] as const;
  });
  const total = ([1, 2, 3, 4] as const).map((col) => rows.reduce((t, r) => t + r[col], 0));
  const line = (cells: readonly (string | number)[]) =>
    `  ${String(cells[0]).padEnd(34)}${cells
      .slice(1)
      .map((c) => String(c).padStart(13))
      .join('')}`;
  const reasons = new Map<string, number>();
  for (const n of plan.notRunnable) reasons.set(n.reason, (reasons.get(n.reason) ?? 0) + 1);
  const unchecked = plan.jobs.filter((j) => j.unchecked);
  return [
    `QEMU conformance oracle: ${tools.qemuVersion}, -M virt,virtualization=on`,
    `  ${run.sessions.map((s) => `-cpu ${s.cpu}: ${s.jobs} cases in ${(s.ms / 1000).toFixed(1)} s`).join('; ')}; wall ${(run.ms / 1000).toFixed(1)} s`,
    line(['group', 'agree', 'allow-listed', 'failed', 'not runnable']),
    ...rows.map(line),
    line(['total', ...total]),
    'not runnable on QEMU (checked against the Arm ARM only):',
    ...[...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${String(n).padStart(4)}  ${r}`),
    `later phases not replayed on QEMU (first phase compared): ${unchecked.length} cases`,
    ...unchecked.map((j) => `        ${j.case.name}: ${j.unchecked?.reason}`),
  ].join('\n');
}
