/**
 * The failure report of the differential test: the seed, the differing registers with their
 * initial values, and the body disassembled by objdump when the cross binutils are installed
 * (else the harness's own listing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wordsToBytes } from './encode.js';
import { listing, parseOutput, type RandomProgram, SLOT_NAMES } from './randprog.js';

/** The body disassembled by `aarch64-linux-gnu-objdump -D -b binary -m aarch64`, or listing(). */
export function disassembly(p: RandomProgram): string {
  const objdump = `${process.env.CROSS_COMPILE ?? 'aarch64-linux-gnu-'}objdump`;
  const dir = mkdtempSync(join(tmpdir(), 'hvlab-diff-'));
  try {
    const file = join(dir, 'body.bin');
    writeFileSync(file, wordsToBytes(p.body.map((b) => b.word)));
    const start = `0x${p.body[0]!.addr.toString(16)}`;
    const r = spawnSync(objdump, ['-D', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=${start}`, file], {
      encoding: 'utf8',
    });
    if (r.status === 0)
      return r.stdout
        .split('\n')
        .filter((l) => /^\s*[0-9a-f]+:/.test(l))
        .join('\n');
    return listing(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hex = (v: bigint | undefined) => (v === undefined ? '(none)' : `0x${v.toString(16).padStart(16, '0')}`);

/** A multi-line report of how hvlab's output differs from QEMU's for program `p`. */
export function diffReport(p: RandomProgram, qemu: string, hvlab: string, end: string): string {
  const q = parseOutput(qemu);
  const h = parseOutput(hvlab);
  const lines = [`seed ${p.seed} (0x${p.seed.toString(16)}): hvlab differs from QEMU; hvlab run ended: ${end}`];
  if (q.kind === 'state' && h.kind === 'state') {
    for (let i = 0; i < SLOT_NAMES.length; i++)
      if (q.values[i] !== h.values[i])
        lines.push(
          `  ${SLOT_NAMES[i]!.padEnd(8)} QEMU ${hex(q.values[i])}  hvlab ${hex(h.values[i])}  (initial ${hex(p.initial[i])})`,
        );
  } else {
    lines.push(`  QEMU output:\n${qemu}`, `  hvlab output:\n${hvlab}`);
  }
  lines.push('body:', disassembly(p));
  return lines.join('\n');
}
