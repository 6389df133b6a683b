/**
 * The import direction of ARCHITECTURE.md, enforced: arrows only point down.
 *
 *   cli ──► cca-rmm ──► pkvm ──► psci ──► board ──► core
 *               └──────────┴──────┴──► smccc ──► core
 *   backend-interp / backend-wasm ──► a64 ──► core
 *
 * Firmware packages never import a backend; backends never import firmware or the board.
 * Checked on both package.json dependencies and the import statements in src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  a64: ['core'],
  board: ['core'],
  smccc: ['core'],
  psci: ['board', 'smccc', 'core'],
  pkvm: ['psci', 'board', 'smccc', 'core'],
  'cca-rmm': ['pkvm', 'psci', 'board', 'smccc', 'core'],
  'backend-interp': ['a64', 'core'],
  'backend-wasm': ['a64', 'core'],
  cli: ['cca-rmm', 'pkvm', 'psci', 'board', 'smccc', 'core', 'a64', 'backend-interp', 'backend-wasm'],
};

function packageDirs(): [string, string][] {
  const out: [string, string][] = [];
  for (const parent of ['packages', 'apps']) {
    for (const d of readdirSync(join(ROOT, parent))) {
      const dir = join(ROOT, parent, d);
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
        out.push([pkg.name.replace('@hvlab/', ''), dir]);
      } catch {
        // A package that is only a README (not built yet) has nothing to check.
      }
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs)$/.test(e)) files.push(p);
    }
  };
  walk(join(dir, 'src'));
  return files;
}

const isTest = (f: string) => /\.test\.ts$/.test(f) || f.includes('/conformance/');

describe('package layering', () => {
  for (const [name, dir] of packageDirs()) {
    it(`${name} depends only on packages below it`, () => {
      const allowed = ALLOWED[name];
      expect(allowed, `package ${name} is missing from the layering table`).toBeDefined();
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      const deps = Object.keys(pkg.dependencies ?? {})
        .filter((d) => d.startsWith('@hvlab/'))
        .map((d) => d.replace('@hvlab/', ''));
      expect(deps.filter((d) => !allowed!.includes(d))).toEqual([]);

      const bad: string[] = [];
      for (const file of sourceFiles(dir)) {
        if (isTest(file)) continue;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
          const spec = m[1]!;
          if (spec.startsWith('@hvlab/')) {
            const target = spec.slice('@hvlab/'.length).split('/')[0]!;
            if (target !== name && !allowed!.includes(target)) bad.push(`${relative(ROOT, file)} imports ${spec}`);
          } else if (spec.startsWith('.')) {
            const target = resolve(file, '..', spec);
            if (!target.startsWith(`${dir}/`)) bad.push(`${relative(ROOT, file)} reaches outside its package: ${spec}`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
