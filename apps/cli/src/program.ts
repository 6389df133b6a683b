/**
 * The command line, named as QEMU users expect (qemu-options.hx: -kernel, -initrd, -append,
 * -dtb, -smp, -m; -machine dumpdtb=FILE). Parsing only: values are checked in options.ts.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { exitTableText } from './exit-codes.js';

export const VERSION = '0.1.0';

export interface ProgramIo {
  readonly writeOut: (s: string) => void;
  readonly writeErr: (s: string) => void;
}

/** Raw option strings of `hvlab run`, as commander hands them over. */
export interface RawRunOptions {
  kernel?: string;
  initrd?: string;
  append?: string;
  dtb?: string;
  smp?: string;
  memory?: string;
  backend?: string;
  maxInstructions?: string;
  dumpDtb?: string;
  stats?: boolean;
  psciVersion?: string;
  systemSuspend?: boolean;
  fwReg?: string[];
  smcccFilter?: string[];
  /** Arguments that are not flags (`hvlab run` takes none: checkRunOptions reports them). */
  extra?: string[];
}

/** Collects a repeatable flag's values in command-line order. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function buildProgram(io: ProgramIo, onRun: (opts: RawRunOptions) => void): Command {
  const program = new Command('hvlab')
    .description('hvlab: an arm64 hypervisor stack as a TypeScript library; runs AArch64 guests on a QEMU-virt board')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => {} })
    .exitOverride();

  program
    .command('run')
    .description('boot a guest image on the QEMU-virt-compatible board and run it until it powers off')
    .addOption(
      new Option('--kernel <file>', 'guest image: ELF (loaded at its link addresses), arm64 Image or raw binary'),
    )
    .addOption(new Option('--initrd <file>', 'initial ramdisk, placed where QEMU places it'))
    .addOption(new Option('--append <string>', 'kernel command line (/chosen bootargs)'))
    .addOption(new Option('--dtb <file>', 'boot with this device tree blob instead of the generated one'))
    .addOption(new Option('--smp <n>', 'number of CPUs').default('1'))
    .addOption(
      new Option('-m, --memory <size>', 'RAM size, QEMU -m syntax: 128M, 1G (no suffix = MiB)').default('128M'),
    )
    .addOption(new Option('--backend <name>', 'CPU backend').default('interp'))
    .addOption(new Option('--max-instructions <n>', 'stop after n instructions in total (exit status 11)'))
    .addOption(new Option('--dump-dtb <file>', "write the generated DTB to file and exit 0 (QEMU's dumpdtb)"))
    .addOption(new Option('--stats', 'print instructions retired, wall time, MIPS and exits by kind to stderr'))
    .addOption(
      new Option(
        '--psci-version <X.Y>',
        "PSCI version the guest sees (KVM_REG_ARM_PSCI_VERSION): 0.1, 0.2, 1.0, 1.1, 1.2 or 1.3 (default 1.3, KVM's)",
      ),
    )
    .addOption(
      new Option(
        '--system-suspend',
        'serve PSCI SYSTEM_SUSPEND (KVM_CAP_ARM_SYSTEM_SUSPEND): the guest suspending ends the run (exit status 14)',
      ),
    )
    .addOption(
      new Option(
        '--fw-reg <ID=VALUE>',
        'set a firmware pseudo-register before the first run, as KVM_SET_ONE_REG (ID in hex or a name such as KVM_REG_ARM_STD_BMAP; repeatable)',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--smccc-filter <BASE:COUNT:ACTION>',
        'SMCCC filter range as KVM_ARM_VM_SMCCC_FILTER; ACTION handle, deny or fwd (fwd: hvlab logs the call on stderr and answers NOT_SUPPORTED; repeatable)',
      ).argParser(collect),
    )
    .addHelpText(
      'after',
      [
        '',
        'The guest console (PL011 UART) is stdout, byte for byte; stdin feeds its receiver.',
        "On a terminal stdin is raw: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A (as QEMU's -nographic).",
        "hvlab's own messages go to stderr.",
        '',
        'Exit status:',
        exitTableText(),
        '',
        "Firmware: KVM's (PSCI 1.3 over HVC, SMCCC 1.1, TRNG, KVM vendor calls, PV time).",
        'A refused --fw-reg or --smccc-filter is reported as KVM reports it, e.g.',
        '  hvlab: --fw-reg KVM_REG_ARM_STD_BMAP=0x2: EINVAL (unknown bits)',
        '',
        'Examples:',
        '  hvlab run --kernel guests/prebuilt/hello.elf --stats',
        '  hvlab run --kernel guests/prebuilt/smp.elf --smp 4 --psci-version 1.1',
        '  hvlab run --kernel guest.elf --fw-reg KVM_REG_ARM_STD_BMAP=0 --smccc-filter 0x84000015:1:deny',
      ].join('\n'),
    )
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => {} })
    // Stray arguments reach checkRunOptions, which can say which flag swallowed its neighbour.
    .allowExcessArguments(true)
    .action((opts, cmd) => onRun(cmd.args.length > 0 ? { ...opts, extra: [...cmd.args] } : opts));

  program.addHelpText('after', `\nExit status (hvlab run):\n${exitTableText()}`);
  return program;
}

/** The long and short names of every `hvlab run` flag (e.g. `--memory` and `-m`). */
export const RUN_FLAG_NAMES: readonly { readonly long: string; readonly short: string | undefined }[] = buildProgram(
  { writeOut: () => {}, writeErr: () => {} },
  () => {},
)
  .commands.find((c) => c.name() === 'run')!
  .options.map((o) => ({ long: o.long!, short: o.short }));
