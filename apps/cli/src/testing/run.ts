/**
 * main() in-process for tests: injected stdin, stdout and stderr, the exit status and what was
 * written. `failingStdout` stands for a pipe whose reader went away (EPIPE) or a full disk
 * (ENOSPC): like a Node stream it fails the write's callback and emits 'error'.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { InStream, OutStream } from '../console.js';
import { main } from '../main.js';

export interface MainResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** A stdout that takes everything. */
export function collectingStdout(): OutStream & { readonly chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return {
    chunks,
    write(chunk, cb) {
      chunks.push(Buffer.from(chunk));
      cb?.();
      return true;
    },
  };
}

/** A stdout that accepts `okBytes` bytes, then fails every write with `code`, as a Node stream does. */
export function failingStdout(okBytes: number, code: 'EPIPE' | 'ENOSPC'): OutStream & { readonly chunks: Buffer[] } {
  const emitter = new EventEmitter();
  const chunks: Buffer[] = [];
  let taken = 0;
  let failed = false;
  return {
    chunks,
    on: (ev, fn) => emitter.on(ev, fn),
    off: (ev, fn) => emitter.off(ev, fn),
    write(chunk, cb) {
      const b = Buffer.from(chunk);
      if (!failed && taken + b.length <= okBytes) {
        taken += b.length;
        chunks.push(b);
        cb?.();
        return true;
      }
      const err = Object.assign(new Error(`write ${code}`), { code, errno: code === 'EPIPE' ? -32 : -28 });
      const first = !failed;
      failed = true;
      process.nextTick(() => {
        cb?.(err);
        if (first) emitter.emit('error', err);
      });
      return false;
    },
  };
}

/** A stdin at end of input. */
export function closedStdin(): InStream {
  const s = new PassThrough();
  s.end();
  return s;
}

export async function runMain(
  argv: readonly string[],
  opts: { readonly stdin?: InStream; readonly stdout?: OutStream & { readonly chunks: Buffer[] } } = {},
): Promise<MainResult> {
  const stdout = opts.stdout ?? collectingStdout();
  let err = '';
  const status = await main(argv, {
    stdin: opts.stdin ?? closedStdin(),
    stdout,
    stderr: {
      write(chunk, cb) {
        err += Buffer.from(chunk).toString('utf8');
        cb?.();
        return true;
      },
    },
    env: {},
  });
  return { status, stdout: Buffer.concat(stdout.chunks), stderr: err };
}
