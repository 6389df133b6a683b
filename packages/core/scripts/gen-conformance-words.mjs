#!/usr/bin/env node
/**
 * Regenerates the instruction words of the conformance cases from their assembly.
 *
 * Every `asm: '…', words: [ … ]` pair in packages/core/src/conformance/** is assembled with
 * Debian's binutils (aarch64-linux-gnu-as, -ld, -objcopy; package binutils-aarch64-linux-gnu),
 * linked at the conformance CODE address (0x40010000, so ADRP sees the same page offsets as at
 * run time), and the words array is rewritten in place. Statements in `asm` are separated by
 * `;` (the GNU as statement separator for AArch64); `//` starts a comment.
 *
 *   node packages/core/scripts/gen-conformance-words.mjs          rewrite the words
 *   node packages/core/scripts/gen-conformance-words.mjs --check  only report differences (exit 1)
 *
 * Run `npx biome check --write packages/core/src/conformance` afterwards to re-wrap long arrays.
 * Tests never run this: the generated words are committed beside their assembly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE = '0x40010000';
const MARCH = 'armv8.3-a'; // accepts every mnemonic the cases use (incl. LSE/PAuth, which must UNDEF)
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../src/conformance');
const check = process.argv.includes('--check');

const PAIR = /asm:(\s*)'((?:[^'\\\n]|\\.)*)',(\s*)words:\s*\[([^\]]*)\]/g;

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const unquote = (s) => s.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));

const work = mkdtempSync(join(tmpdir(), 'hvlab-conf-'));
const cache = new Map();

function assemble(asm) {
  const hit = cache.get(asm);
  if (hit) return hit;
  const s = join(work, 'c.s');
  const o = join(work, 'c.o');
  const elf = join(work, 'c.elf');
  const bin = join(work, 'c.bin');
  writeFileSync(s, `.text\n${asm}\n`);
  try {
    execFileSync('aarch64-linux-gnu-as', [`-march=${MARCH}`, '-o', o, s], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('aarch64-linux-gnu-ld', ['-Ttext', CODE, '-e', CODE, '-o', elf, o], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
  } catch (e) {
    throw new Error(`cannot assemble ${JSON.stringify(asm)}:\n${e.stderr?.toString() ?? e.message}`);
  }
  const bytes = readFileSync(bin);
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new Error(`${JSON.stringify(asm)} is ${bytes.length} bytes`);
  const words = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
  cache.set(asm, words);
  return words;
}

const hex = (w) => `0x${w.toString(16).padStart(8, '0')}`;
const parseWords = (text) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => Number(t.replaceAll('_', '')) >>> 0);

let pairs = 0;
let changed = 0;
try {
  for (const file of listTs(root)) {
    const src = readFileSync(file, 'utf8');
    const out = src.replace(PAIR, (_m, sp1, asmLit, sp2, oldWords) => {
      pairs++;
      const words = assemble(unquote(asmLit));
      const old = parseWords(oldWords);
      if (old.length !== words.length || old.some((w, i) => w !== words[i])) {
        changed++;
        if (check)
          console.error(`${relative(process.cwd(), file)}: '${asmLit}' is [${old.map(hex)}], want [${words.map(hex)}]`);
      }
      return `asm:${sp1}'${asmLit}',${sp2}words: [${words.map(hex).join(', ')}]`;
    });
    if (!check && out !== src) writeFileSync(file, out);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${pairs} asm/words pairs, ${changed} ${check ? 'out of date' : 'rewritten'}`);
if (check && changed > 0) process.exit(1);
