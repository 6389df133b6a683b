/**
 * `hvlab` entry point: parse, compose, run, report. main() never throws and never prints a stack
 * trace: user errors and guest outcomes become one stderr line and an exit status (exit-codes.ts);
 * anything unexpected is reported as an internal error (status 1) with a hint to report it.
 * Set HVLAB_DEBUG=1 to get the stack trace of an internal error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { CommanderError } from '@commander-js/extra-typings';
import { type HypercallExit, isHvlabError, type Machine, type RunResult } from '@hvlab/core';
import pc from 'picocolors';
import { type Booted, boot } from './compose.js';
import { ConsoleIn, ConsoleOut, type InStream, type OutStream } from './console.js';
import { EXIT, outcomeOf } from './exit-codes.js';
import { checkRunOptions, type RunConfig } from './options.js';
import { buildProgram, type RawRunOptions } from './program.js';
import { formatStats } from './stats.js';
import { UserError } from './values.js';

export interface CliIo {
  readonly stdin: InStream;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Install SIGINT handling (only for the real process). */
  readonly handleSignals?: boolean;
}

export const processIo = (): CliIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  handleSignals: true,
});

const REPORT_HINT = 'this is a bug in hvlab: please report it with the command line (HVLAB_DEBUG=1 shows the stack)';

/** Maps a failed file operation to a one-line message. */
function fileError(what: string, path: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOTDIR'
            ? 'a path component is not a directory'
            : (code ?? String(e));
  return new UserError(EXIT.FILE, `cannot ${what} '${path}': ${why}`);
}

async function readInput(flag: string, path: string | undefined): Promise<Uint8Array | undefined> {
  if (path === undefined) return undefined;
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw fileError(`read ${flag}`, path, e);
  }
}

/** Runs `hvlab` with `argv` (without node and the script path) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const colour = io.stderr.isTTY === true && !('NO_COLOR' in io.env);
  const c = pc.createColors(colour);
  const say = (line: string) => io.stderr.write(`${c.bold('hvlab:')} ${line}\n`);
  const fail = (status: number, line: string) => {
    say(`${c.red('error:')} ${line}`);
    return status;
  };
  try {
    let raw: RawRunOptions | undefined;
    const program = buildProgram(
      { writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) },
      (opts) => {
        raw = opts;
      },
    );
    try {
      await program.parseAsync([...argv], { from: 'user' });
    } catch (e) {
      if (!(e instanceof CommanderError)) throw e;
      // --help / --version print and end with exitCode 0; a bare `hvlab` shows help on stderr.
      if (e.exitCode === 0) return EXIT.OK;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return EXIT.USAGE;
      const msg = e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
      const where = e.code === 'commander.unknownCommand' ? 'hvlab --help' : 'hvlab run --help';
      return fail(EXIT.USAGE, `${msg} (see ${where})`);
    }
    if (!raw) {
      io.stderr.write(program.helpInformation());
      return EXIT.USAGE;
    }
    return await runCommand(checkRunOptions(raw), io, say);
  } catch (e) {
    if (e instanceof UserError) {
      if (!e.bare) return fail(e.status, e.message);
      say(e.message);
      return e.status;
    }
    if (isHvlabError(e)) {
      const status = e.code === 'EINVAL' ? EXIT.USAGE : e.code === 'ENOENT' ? EXIT.FILE : EXIT.IMAGE;
      return fail(status, e.message);
    }
    if (io.env.HVLAB_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    const msg = e instanceof Error ? e.message : String(e);
    return fail(EXIT.INTERNAL, `internal error: ${msg.split('\n')[0]} — ${REPORT_HINT}`);
  }
}

/** The VMM's answer to a forwarded call: SMCCC NOT_SUPPORTED in X0, X1..X3 zero (as KVM's own). */
function answerForwardedCall(machine: Machine, call: HypercallExit, say: (line: string) => void): void {
  const cpu = machine.cpus[call.cpu]!;
  const fid = `0x${(call.nr >>> 0).toString(16).padStart(8, '0')}`;
  say(
    `CPU ${call.cpu}: ${call.conduit.toUpperCase()} #${call.imm} call ${fid} forwarded to the VMM: answered NOT_SUPPORTED`,
  );
  cpu.setReg(0, 0xffff_ffff_ffff_ffffn);
  for (let i = 1; i <= 3; i++) cpu.setReg(i, 0n);
}

async function runCommand(cfg: RunConfig, io: CliIo, say: (line: string) => void): Promise<number> {
  const kernel = await readInput('--kernel', cfg.kernelPath);
  const initrd = await readInput('--initrd', cfg.initrdPath);
  const dtb = await readInput('--dtb', cfg.dtbPath);
  const out = new ConsoleOut(io.stdout);
  let booted: Booted;
  try {
    booted = boot({ cfg, kernel, initrd, dtb, onConsole: out.write });
  } catch (e) {
    if (e instanceof UserError) throw e;
    // Every flag value was checked before: what the board refuses now is a file's content
    // (a malformed image or DTB, or one that does not fit in RAM).
    if (isHvlabError(e)) throw new UserError(EXIT.IMAGE, e.message);
    throw e;
  }

  if (cfg.dumpDtbPath !== undefined) {
    try {
      await writeFile(cfg.dumpDtbPath, booted.dtb);
    } catch (e) {
      throw fileError('write --dump-dtb', cfg.dumpDtbPath, e);
    }
    return EXIT.OK;
  }

  const { machine } = booted;
  if (!machine) throw new Error('boot() returned no machine for a run with a kernel');
  const input = new ConsoleIn(io.stdin, booted.sendInput, () => machine.stop());
  const onSigint = () => {
    machine.stop();
    input.wake();
  };
  if (io.handleSignals) process.on('SIGINT', onSigint);
  input.start();
  let result: RunResult;
  const t0 = performance.now();
  const limit = cfg.maxInstructions;
  try {
    for (;;) {
      const left = limit === undefined ? undefined : Math.max(0, limit - machine.stats.retired);
      result = await machine.runAsync(left === undefined ? {} : { maxInstructions: left });
      // A call the SMCCC filter forwards to the VMM (FWD_TO_USER, KVM_EXIT_HYPERCALL): hvlab run
      // implements no such service, so it logs the call and answers NOT_SUPPORTED, then resumes.
      if (result.reason === 'hypercall') {
        answerForwardedCall(machine, result.call, say);
        continue;
      }
      // A guest waiting (WFI) for console input halts the machine: nothing it knows of can wake
      // it. While stdin is open the input can: wait for it, then resume.
      const waiting = machine.cpus.some((_, i) => machine.powerState(i) === 'waiting');
      if (result.reason !== 'halted' || !waiting || input.ended) break;
      await input.activity();
    }
  } finally {
    input.stop();
    if (io.handleSignals) process.off('SIGINT', onSigint);
    await out.drain();
  }
  const seconds = (performance.now() - t0) / 1000;
  const outcome = outcomeOf(result, cfg.maxInstructions);
  if (outcome.message !== undefined) say(outcome.message);
  if (cfg.stats) io.stderr.write(formatStats(machine.stats, seconds));
  return outcome.status;
}
