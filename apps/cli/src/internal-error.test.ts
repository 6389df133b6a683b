/** An unexpected exception is an internal error: one line, status 1, a hint to report it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

vi.mock('./compose.js', () => ({
  boot: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");
  },
}));

const dir = mkdtempSync(join(tmpdir(), 'hvlab-ie-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withEnv(env: Record<string, string>) {
  const kernel = join(dir, 'k.bin');
  writeFileSync(kernel, Buffer.alloc(4));
  let err = '';
  const sink = {
    write(c: Uint8Array | string, cb?: () => void) {
      err += Buffer.from(c).toString();
      cb?.();
      return true;
    },
  };
  const stdin = new PassThrough();
  stdin.end();
  const status = await main(['run', '--kernel', kernel], { stdin, stdout: sink, stderr: sink, env });
  return { status, err };
}

describe('internal errors', () => {
  it('are one line with a hint to report them, exit 1', async () => {
    const { status, err } = await withEnv({});
    expect(status).toBe(1);
    expect(err).toBe(
      "hvlab: error: internal error: Cannot read properties of undefined (reading 'x') — this is a bug in hvlab: please report it with the command line (HVLAB_DEBUG=1 shows the stack)\n",
    );
  });

  it('show the stack with HVLAB_DEBUG=1', async () => {
    const { status, err } = await withEnv({ HVLAB_DEBUG: '1' });
    expect(status).toBe(1);
    expect(err).toMatch(/^TypeError: Cannot read properties/);
    expect(err).toMatch(/\n {4}at /);
  });
});
