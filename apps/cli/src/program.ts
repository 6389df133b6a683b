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
}

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
        'Example:',
        '  hvlab run --kernel guests/prebuilt/hello.elf --stats',
      ].join('\n'),
    )
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => {} })
    .action((opts) => onRun(opts));

  program.addHelpText('after', `\nExit status (hvlab run):\n${exitTableText()}`);
  return program;
}
