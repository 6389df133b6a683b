/**
 * The QEMU oracle: runs an image on `qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a57`
 * exactly as a user would (`-kernel FILE`: an ELF at its link addresses, an arm64 Image at its
 * text_offset, a raw blob at 0x40080000 with x0 = DTB; QEMU hw/arm/boot.c) and captures the
 * PL011 console (QEMU's stdio serial) byte for byte.
 *
 * `-net none` is added because the default virtio-net device needs QEMU's efi-virtio.rom, which
 * Debian ships in a separate package (ipxe-qemu) that minimal installs lack; the guests use no
 * network, so the machine is otherwise the team's reference command line.
 *
 * A missing QEMU is an error, never a skip: in CI (process.env.CI set) the message says the CI
 * image is broken; elsewhere it says how to install QEMU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const QEMU_BINARY = 'qemu-system-aarch64';
/** The machine every comparison uses (team.md "Behaviour decisions"). */
export const QEMU_MACHINE_ARGS: readonly string[] = [
  '-M',
  'virt,gic-version=3',
  '-cpu',
  'cortex-a57',
  '-m',
  '128M',
  '-nographic',
  '-net',
  'none',
];
/** RAM size matching QEMU_MACHINE_ARGS, for the hvlab side. */
export const GUEST_RAM_BYTES = 128 * 1024 * 1024;

export interface QemuResult {
  /** Everything the guest wrote to the PL011, one char per byte (latin1), unaltered. */
  readonly stdout: string;
  /** QEMU's exit status (0 after PSCI SYSTEM_OFF); null if it was killed. */
  readonly code: number | null;
  /** True if the run hit the timeout and QEMU was killed. */
  readonly timedOut: boolean;
  /** QEMU's own diagnostics. */
  readonly stderr: string;
}

export interface QemuOptions {
  /** Wall-clock limit; QEMU is killed after it (default 30 s). */
  readonly timeoutMs?: number;
  /** Number of CPUs (`-smp N`; default 1). QEMU's PSCI starts the secondaries powered off. */
  readonly cpus?: number;
  /** Extra arguments appended to the command line. */
  readonly extraArgs?: readonly string[];
  /**
   * Console input: typed once the guest has printed `after` (QEMU drops input that arrives
   * before the guest is ready), like a user answering a prompt. stdin stays open until exit.
   */
  readonly input?: { readonly text: string; readonly after: string };
}

/** Searches $HVLAB_QEMU, then $PATH. Returns undefined if there is no usable QEMU. */
export function findQemu(): string | undefined {
  const override = process.env.HVLAB_QEMU;
  const candidates = override
    ? [override]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, QEMU_BINARY));
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0 && /QEMU emulator version/.test(r.stdout)) return c;
  }
  return undefined;
}

const found = new Map<string, string | undefined>();

/** The QEMU binary, or an Error explaining how to get one (in CI: that the image is broken). */
export function requireQemu(): string {
  const key = `${process.env.HVLAB_QEMU ?? ''}\0${process.env.PATH ?? ''}`;
  if (!found.has(key)) found.set(key, findQemu());
  const qemu = found.get(key);
  if (qemu) return qemu;
  if (process.env.CI)
    throw new Error(
      `${QEMU_BINARY} not found, but CI is set: the oracle tests must run in CI. ` +
        'The CI image must install Debian package qemu-system-arm (or set HVLAB_QEMU).',
    );
  throw new Error(
    `${QEMU_BINARY} not found: the guest tests compare hvlab against QEMU. ` +
      'Install it with `apt-get install qemu-system-arm` (Debian/Ubuntu), or point HVLAB_QEMU at the binary.',
  );
}

/** QEMU's version string, e.g. "7.2.19". */
export function qemuVersion(): string {
  const r = spawnSync(requireQemu(), ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /QEMU emulator version (\S+)/.exec(r.stdout);
  if (!m) throw new Error(`cannot parse QEMU version from ${JSON.stringify(r.stdout)}`);
  return m[1]!;
}

/** Runs the image file `path` on QEMU until it powers off (or the timeout). */
export function runQemu(path: string, opts: QemuOptions = {}): Promise<QemuResult> {
  const qemu = requireQemu();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const cpus = opts.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1) throw new Error(`runQemu: cpus must be a positive integer, not ${cpus}`);
  const smp = cpus === 1 ? [] : ['-smp', String(cpus)];
  const args = [...QEMU_MACHINE_ARGS, ...smp, '-kernel', path, ...(opts.extraArgs ?? [])];
  return new Promise((resolve, reject) => {
    const input = opts.input;
    const child = spawn(qemu, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let typed = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdin?.on('error', () => {}); // QEMU may exit before reading everything
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b);
      if (input && !typed && Buffer.concat(out).toString('latin1').includes(input.after)) {
        typed = true;
        child.stdin?.write(Buffer.from(input.text, 'latin1'));
      }
    });
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      resolve({
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
        timedOut,
      });
    });
  });
}

/** Runs an in-memory image (an ELF, an Image or a raw blob) on QEMU through a temporary file. */
export async function runQemuBytes(image: Uint8Array, opts: QemuOptions = {}): Promise<QemuResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hvlab-qemu-'));
  try {
    const file = join(dir, 'image.bin');
    writeFileSync(file, image);
    return await runQemu(file, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
