/**
 * `hvlab` entry point: parse, compose, run, report. main() never throws and never prints a stack
 * trace: user errors and guest outcomes become one stderr line and an exit status (exit-codes.ts);
 * anything unexpected is reported as an internal error (status 1) with a hint to report it.
 * Set HVLAB_DEBUG=1 to get the stack trace of an internal error.
 *
 * The host's streams may fail too: a stdout whose reader went away (EPIPE) or whose disk is
 * full (ENOSPC) stops the run and exits 3; a failing stderr, or help text nobody reads, is
 * dropped. Messages escape control characters, so a file name cannot break the one-line rule.
 */
import { writeFile } from 'node:fs/promises';
import { CommanderError } from '@commander-js/extra-typings';
import { RamAllocationError } from '@hvlab/board';
import { type HypercallExit, isHvlabError, type Machine, type RunResult } from '@hvlab/core';
import { SMCCC_RET_NOT_SUPPORTED } from '@hvlab/smccc';
import pc from 'picocolors';
import { type Booted, boot } from './compose.js';
import { ConsoleIn, ConsoleOut, type InStream, type OutStream } from './console.js';
import { EXIT, outcomeOf } from './exit-codes.js';
import { errnoText, fileError, readInput } from './files.js';
import { checkRunOptions, type RunConfig } from './options.js';
import { buildProgram, type RawRunOptions } from './program.js';
import { formatStats } from './stats.js';
import { formatSize, UserError } from './values.js';

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

/**
 * One line for stderr: control characters (a newline in a file name, an escape sequence in a
 * flag value) are shown as escapes, so every message stays on one line and cannot drive the
 * terminal.
 */
export function oneLine(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    if (!control) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Writes to stderr, ignoring a stderr that fails (a closed pipe): there is nobody left to tell. */
function writeErr(io: CliIo, text: string): void {
  try {
    io.stderr.write(text, () => {});
  } catch {
    // stderr is gone: nothing to report to.
  }
}

/** Resolves once `out` has taken everything written so far (or failed). */
function settle(out: OutStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      out.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

/** Writes help or version text to stdout; a stdout nobody reads any more loses it. */
function writeOut(io: CliIo, text: string): void {
  try {
    io.stdout.write(text, () => {});
  } catch {
    // stdout is gone: the text has no reader.
  }
}

/** Runs `hvlab` with `argv` (without node and the script path) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const colour = io.stderr.isTTY === true && !('NO_COLOR' in io.env);
  const c = pc.createColors(colour);
  const say = (line: string) => writeErr(io, `${c.bold('hvlab:')} ${oneLine(line)}\n`);
  const fail = (status: number, line: string) => {
    writeErr(io, `${c.bold('hvlab:')} ${c.red('error:')} ${oneLine(line)}\n`);
    return status;
  };
  // A stdout or stderr whose reader went away (EPIPE) reports it as an 'error' event. Help text
  // and messages that cannot be written are lost, not a crash; a run's console output on a
  // broken stdout is reported by ConsoleOut (exit status 3).
  const ignore = () => {};
  io.stdout.on?.('error', ignore);
  io.stderr.on?.('error', ignore);
  try {
    let raw: RawRunOptions | undefined;
    const program = buildProgram({ writeOut: (s) => writeOut(io, s), writeErr: (s) => writeErr(io, s) }, (opts) => {
      raw = opts;
    });
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
      writeErr(io, program.helpInformation());
      return EXIT.USAGE;
    }
    return await runCommand(checkRunOptions(raw), io, say, fail);
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
    if (io.env.HVLAB_DEBUG && e instanceof Error && e.stack) writeErr(io, `${e.stack}\n`);
    const msg = e instanceof Error ? e.message : String(e);
    return fail(EXIT.INTERNAL, `internal error: ${msg.split('\n')[0]} — ${REPORT_HINT}`);
  } finally {
    // Failures of what was written last arrive asynchronously: wait for both streams to take
    // everything before the listeners go.
    await Promise.all([settle(io.stdout), settle(io.stderr)]);
    io.stdout.off?.('error', ignore);
    io.stderr.off?.('error', ignore);
  }
}

/** The VMM's answer to a forwarded call: SMCCC NOT_SUPPORTED in X0, X1..X3 zero (as KVM's own). */
function answerForwardedCall(machine: Machine, call: HypercallExit, say: (line: string) => void): void {
  const cpu = machine.cpus[call.cpu]!;
  const fid = `0x${(call.nr >>> 0).toString(16).padStart(8, '0')}`;
  say(
    `CPU ${call.cpu}: ${call.conduit.toUpperCase()} #${call.imm} call ${fid} forwarded to the VMM: answered NOT_SUPPORTED`,
  );
  cpu.setReg(0, BigInt.asUintN(64, BigInt(SMCCC_RET_NOT_SUPPORTED)));
  for (let i = 1; i <= 3; i++) cpu.setReg(i, 0n);
}

async function runCommand(
  cfg: RunConfig,
  io: CliIo,
  say: (line: string) => void,
  fail: (status: number, line: string) => number,
): Promise<number> {
  // Nothing larger than the guest's RAM can be loaded, so nothing larger is read.
  const kernel = await readInput('--kernel', cfg.kernelPath, cfg.memory);
  const initrd = await readInput('--initrd', cfg.initrdPath, cfg.memory);
  const dtb = await readInput('--dtb', cfg.dtbPath, cfg.memory);
  const out = new ConsoleOut(io.stdout);
  let booted: Booted;
  try {
    booted = boot({ cfg, kernel, initrd, dtb, onConsole: out.write });
  } catch (e) {
    await out.drain();
    if (e instanceof UserError) throw e;
    // More RAM than this JavaScript engine can allocate is a --memory the host cannot serve.
    if (e instanceof RamAllocationError)
      throw new UserError(
        EXIT.USAGE,
        `--memory: ${formatSize(cfg.memory)} is more RAM than this host can allocate (${e.reason})`,
      );
    // Every flag value was checked before: what the board refuses now is a file's content
    // (a malformed image or DTB, or one that does not fit in RAM).
    if (isHvlabError(e)) throw new UserError(EXIT.IMAGE, e.message);
    throw e;
  }

  if (cfg.dumpDtbPath !== undefined) {
    await out.drain();
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
  const stop = () => {
    machine.stop();
    input.wake();
  };
  // stdout failing (the reader of the pipe went away) ends the run: its output has nowhere to go.
  out.onError = stop;
  if (io.handleSignals) process.on('SIGINT', stop);
  input.start();
  let result: RunResult;
  const t0 = performance.now();
  const limit = cfg.maxInstructions;
  try {
    for (;;) {
      const left = limit === undefined ? undefined : Math.max(0, limit - machine.stats.retired);
      result = await machine.runAsync(left === undefined ? {} : { maxInstructions: left });
      if (out.error) break;
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
    if (io.handleSignals) process.off('SIGINT', stop);
    await out.drain();
  }
  const seconds = (performance.now() - t0) / 1000;
  // The run's one line, then the --stats block. A broken stdout outranks how the run ended:
  // the machine was stopped because its output had nowhere to go.
  let status: number;
  if (out.error) {
    status = fail(EXIT.FILE, `cannot write the guest console to stdout: ${errnoText(out.error)}`);
  } else {
    const outcome = outcomeOf(result, cfg.maxInstructions);
    if (outcome.message !== undefined) say(outcome.message);
    status = outcome.status;
  }
  if (cfg.stats) writeErr(io, formatStats(machine.stats, seconds));
  return status;
}
