/**
 * Seeded random-instruction differential test: each program of harness/randprog.ts (fixed seed
 * list) runs on QEMU and on hvlab; the dumps of x0..x30, NZCV and the scratch checksum must be
 * identical. On a mismatch the failure names the seed, lists the body (objdump when the cross
 * binutils are installed, else the harness's own syntax) and the differing registers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { wordsToBytes } from '../harness/encode.js';
import { describeEnd, runHvlab } from '../harness/hvlab.js';
import { runQemuBytes } from '../harness/qemu.js';
import { DIFF_SEEDS, type RandomProgram, SLOT_NAMES, generateProgram, listing, parseOutput } from '../harness/randprog.js';

/** The body disassembled by objdump if present, else listing(). */
function disassembly(p: RandomProgram): string {
  const objdump = `${process.env.CROSS_COMPILE ?? 'aarch64-linux-gnu-'}objdump`;
  const dir = mkdtempSync(join(tmpdir(), 'hvlab-diff-'));
  try {
    const file = join(dir, 'body.bin');
    writeFileSync(file, wordsToBytes(p.body.map((b) => b.word)));
    const start = `0x${p.body[0]!.addr.toString(16)}`;
    const r = spawnSync(objdump, ['-D', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=${start}`, file], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.split('\n').filter((l) => /^\s*[0-9a-f]+:/.test(l)).join('\n');
    return listing(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hex = (v: bigint | undefined) => (v === undefined ? '(none)' : `0x${v.toString(16).padStart(16, '0')}`);

function report(p: RandomProgram, qemu: string, hvlab: string, end: string): string {
  const q = parseOutput(qemu);
  const h = parseOutput(hvlab);
  const lines = [`seed ${p.seed} (0x${p.seed.toString(16)}): hvlab differs from QEMU; hvlab run ended: ${end}`];
  if (q.kind === 'state' && h.kind === 'state') {
    for (let i = 0; i < SLOT_NAMES.length; i++)
      if (q.values[i] !== h.values[i])
        lines.push(`  ${SLOT_NAMES[i]!.padEnd(8)} QEMU ${hex(q.values[i])}  hvlab ${hex(h.values[i])}  (initial ${hex(p.initial[i])})`);
  } else {
    lines.push(`  QEMU output:\n${qemu}`, `  hvlab output:\n${hvlab}`);
  }
  lines.push('body:', disassembly(p));
  return lines.join('\n');
}

describe('random instruction sequences: hvlab against QEMU', () => {
  test.each(DIFF_SEEDS.map((s) => [s]))('seed %i', async (seed) => {
    const p = generateProgram(seed);
    const q = await runQemuBytes(p.image, { timeoutMs: 20_000 });
    expect(q.code, `QEMU: ${q.stderr}`).toBe(0);
    expect(parseOutput(q.stdout).kind, `QEMU did not dump state for seed ${seed}:\n${q.stdout}`).toBe('state');
    const h = runHvlab(p.image, { maxInstructions: 1_000_000 });
    const end = describeEnd(h.result);
    if (h.stdout !== q.stdout) throw new Error(report(p, q.stdout, h.stdout, end));
    expect(end).toMatch(/^system event shutdown/);
  });
});
