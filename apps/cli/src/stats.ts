/**
 * `--stats`: what a run cost, on stderr. One `name  value` pair per line so scripts (the
 * benchmark harness) can read it:
 *
 *   instructions retired  110017263
 *   wall time             1.234 s
 *   MIPS                  89.15
 *   exits                 hvc 1, mmio 1843, budget 12
 */
import type { MachineStats } from '@hvlab/core';
import { EXIT_KINDS } from '@hvlab/core';

export function formatStats(stats: MachineStats, seconds: number): string {
  const { retired, exits } = stats;
  const mips = seconds > 0 ? retired / seconds / 1e6 : 0;
  const kinds = EXIT_KINDS.filter((k) => exits[k] > 0).map((k) => `${k} ${exits[k]}`);
  const rows: [string, string][] = [
    ['instructions retired', String(retired)],
    ['wall time', `${seconds.toFixed(3)} s`],
    ['MIPS', mips.toFixed(2)],
    ['exits', kinds.length > 0 ? kinds.join(', ') : 'none'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(22)}${v}\n`).join('');
}
