/**
 * One QEMU + gdb-multiarch session: finds the tools, starts
 * `qemu-system-aarch64 -M virt,virtualization=on -cpu <model> -S -gdb tcp:127.0.0.1:<port>`, runs
 * oracle.py inside gdb-multiarch against it, and collects one result line per job.
 *
 * Life of a session:
 *
 *   pick a free loopback port (bind port 0) ─► spawn QEMU (halted, -S) ─► spawn gdb + oracle.py
 *     ─► oracle.py connects (retrying until QEMU listens) and streams `HVLAB-ORACLE {json}` lines
 *     ─► `{"done": n}` ─► oracle.py sends `monitor quit` ─► gdb exits ─► resolve
 *
 * Every way out (success, a Python error, QEMU dying, the session deadline, no result for
 * `stallMs`, the test process exiting) kills both children: a `finally` SIGKILLs whichever is
 * still running, and a process 'exit' hook does the same if the test runner goes away first.
 * If QEMU cannot bind the port (another process took it between our probe and QEMU's bind),
 * the session is retried with a new port.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { QEMU_RAM_MIB, type QemuCpu, type WireJob } from './plan.js';
import type { WireJobResult } from './verdict.js';

const ORACLE_PY = fileURLToPath(new URL('./oracle.py', import.meta.url));
const MARK = 'HVLAB-ORACLE ';
export const INSTALL_HINT = 'apt-get install qemu-system-arm gdb-multiarch';

export interface OracleTools {
  readonly qemu: string;
  readonly gdb: string;
  /** First line of `qemu-system-aarch64 --version`. */
  readonly qemuVersion: string;
}

export interface SessionLimits {
  /** Whole session, from spawning QEMU to gdb's exit. */
  readonly sessionMs: number;
  /** Longest wait for the next result line (includes QEMU start-up and connecting). */
  readonly stallMs: number;
  /** How long oracle.py retries connecting to QEMU's gdbstub. */
  readonly connectS: number;
}

export const DEFAULT_LIMITS: SessionLimits = { sessionMs: 180_000, stallMs: 30_000, connectS: 15 };

function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Locates qemu-system-aarch64 and gdb-multiarch on PATH. Missing tools are an error, never a
 * reason to skip: in CI (env.CI set) the image must provide them; locally the message says how
 * to install them.
 */
export function findTools(env: NodeJS.ProcessEnv = process.env): OracleTools {
  const qemu = which('qemu-system-aarch64', env);
  const gdb = which('gdb-multiarch', env);
  const missing = [qemu ? undefined : 'qemu-system-aarch64', gdb ? undefined : 'gdb-multiarch'].filter(Boolean);
  if (!qemu || !gdb) {
    const what = `${missing.join(' and ')} not found on PATH`;
    throw new Error(
      env.CI
        ? `${what}. The QEMU conformance oracle is part of CI and never skips: the CI image must provide them (Debian: ${INSTALL_HINT}).`
        : `${what}. The QEMU conformance oracle needs them and does not skip; install them with: sudo ${INSTALL_HINT}`,
    );
  }
  const qemuVersion = execFileSync(qemu, ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0]!.trim();
  return { qemu, gdb, qemuVersion };
}

/** A free TCP port on 127.0.0.1, found by binding port 0 (QEMU binds it moments later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not learn a free port'))));
    });
  });
}

export const qemuArgs = (cpu: QemuCpu, port: number): string[] => [
  ...['-M', 'virt,virtualization=on', '-cpu', cpu, '-m', `${QEMU_RAM_MIB}M`],
  ...['-display', 'none', '-monitor', 'none', '-serial', 'none', '-nic', 'none'],
  ...['-S', '-gdb', `tcp:127.0.0.1:${port}`],
];

/** Keeps the last `max` characters a stream produced (for error messages). */
function tail(stream: NodeJS.ReadableStream | null, max = 4000): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-max);
  });
  return () => text.trim();
}

class PortInUse extends Error {}

export interface SessionInput {
  readonly cpu: QemuCpu;
  readonly scratch: number;
  readonly clear: readonly (readonly [number, number])[];
  readonly jobs: readonly WireJob[];
}

/** Runs `input.jobs` in one QEMU + gdb session; one result per job, in job order. */
export async function runSession(
  tools: OracleTools,
  input: SessionInput,
  limits: SessionLimits = DEFAULT_LIMITS,
): Promise<WireJobResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptSession(tools, input, limits, await freePort());
    } catch (e) {
      if (!(e instanceof PortInUse) || attempt >= 3) throw e;
    }
  }
}

async function attemptSession(
  tools: OracleTools,
  input: SessionInput,
  limits: SessionLimits,
  port: number,
): Promise<WireJobResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hvlab-qemu-oracle-'));
  const inputPath = join(dir, 'input.json');
  const { cpu, scratch, clear, jobs } = input;
  writeFileSync(inputPath, JSON.stringify({ port, connectTimeoutS: limits.connectS, scratch, clear, jobs }));

  const children: ChildProcess[] = [];
  const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  const killAll = () => {
    for (const c of children) if (alive(c)) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const timers: NodeJS.Timeout[] = [];
  let stall: NodeJS.Timeout | undefined;
  try {
    const qemu = spawn(tools.qemu, qemuArgs(cpu, port), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(qemu);
    const qemuOut = tail(qemu.stdout);
    const qemuErr = tail(qemu.stderr);
    const gdb = spawn(tools.gdb, ['-nx', '-q', '-batch', '-x', ORACLE_PY], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HVLAB_ORACLE_INPUT: inputPath },
    });
    children.push(gdb);
    const gdbErr = tail(gdb.stderr);
    /** gdb's own stdout lines (not oracle results), kept for error messages. */
    const otherLines: string[] = [];

    return await new Promise<WireJobResult[]>((resolve, reject) => {
      const results: WireJobResult[] = [];
      let done = false;
      let failure: Error | undefined;
      const fail = (e: Error) => {
        failure ??= e;
        killAll();
      };
      const where = () => {
        const next = jobs[results.length];
        return `${results.length}/${jobs.length} cases done${next ? `, at case "${next.key}"` : ''}`;
      };
      const detail = () =>
        [
          `QEMU (${qemuArgs(cpu, port).join(' ')}): ${qemuErr() || qemuOut() || '(no output)'}`,
          `gdb stderr: ${gdbErr() || '(none)'}`,
          `gdb stdout: ${otherLines.join('\n') || '(none)'}`,
        ].join('\n');

      timers.push(
        setTimeout(
          () => fail(new Error(`QEMU oracle session timed out after ${limits.sessionMs} ms (${where()})`)),
          limits.sessionMs,
        ),
      );
      const armStall = () => {
        clearTimeout(stall);
        stall = setTimeout(
          () => fail(new Error(`QEMU oracle: no result for ${limits.stallMs} ms (${where()})`)),
          limits.stallMs,
        );
      };
      armStall();

      createInterface({ input: gdb.stdout! }).on('line', (line) => {
        if (!line.startsWith(MARK)) {
          otherLines.push(line);
          if (otherLines.length > 20) otherLines.shift();
          return;
        }
        let msg: WireJobResult | { done: number } | { fatal: string };
        try {
          msg = JSON.parse(line.slice(MARK.length));
        } catch (e) {
          fail(new Error(`unreadable result line from oracle.py (${(e as Error).message}): ${line.slice(0, 200)}`));
          return;
        }
        if ('fatal' in msg) fail(new Error(`oracle.py failed: ${msg.fatal}`));
        else if ('done' in msg) done = true;
        else {
          results.push(msg);
          armStall();
        }
      });

      qemu.on('error', (e) => fail(new Error(`cannot start ${tools.qemu}: ${e.message}`)));
      gdb.on('error', (e) => {
        fail(new Error(`cannot start ${tools.gdb}: ${e.message}`));
        reject(failure); // 'close' may not follow a failed spawn
      });
      // 'close', not 'exit': QEMU's stderr (a bind error) has been read by then.
      qemu.on('close', (code, signal) => {
        if (done || failure) return;
        // QEMU leaves on its own only after oracle.py's `monitor quit`, which follows "done".
        // Give gdb a moment to deliver the last lines before declaring the session broken.
        if (/bind|address already in use/i.test(qemuErr())) fail(new PortInUse(`port ${port} in use`));
        else
          timers.push(
            setTimeout(() => fail(new Error(`QEMU exited during the session (${code ?? signal}); ${where()}`)), 2000),
          );
      });
      gdb.on('close', (code, signal) => {
        if (failure) {
          reject(failure instanceof PortInUse ? failure : new Error(`${failure.message}\n${detail()}`));
        } else if (!done || results.length !== jobs.length) {
          reject(new Error(`gdb-multiarch exited (${code ?? signal}) with ${where()}\n${detail()}`));
        } else {
          resolve(results);
        }
      });
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    clearTimeout(stall);
    killAll();
    await Promise.all(
      children.filter(alive).map((c) => Promise.race([once(c, 'exit'), new Promise((r) => setTimeout(r, 2000))])),
    );
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  }
}
