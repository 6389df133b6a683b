import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HvlabError, PhysMem } from '@hvlab/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildElf, words } from '../testing/elf.js';
import { loadElf, parseElf64 } from './elf.js';

const RAM = { base: 0x4000_0000, size: 0x100_0000 };
const mem = () => {
  const m = new PhysMem();
  m.addRam(RAM.base, RAM.size);
  return m;
};
const code = words(0xd503_201f, 0xd503_201f, 0x1400_0000); // nop; nop; b .
const simple = (over: Partial<Parameters<typeof buildElf>[0]> = {}) =>
  buildElf({ entry: 0x4008_0000n, segments: [{ paddr: 0x4008_0000n, data: code }], ...over });

const expectCode = (f: () => unknown, code: string, msg: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HvlabError);
    expect((e as HvlabError).code).toBe(code);
    expect((e as HvlabError).message).toMatch(msg);
    return;
  }
  throw new Error('expected an HvlabError');
};

describe('loadElf', () => {
  it('copies PT_LOAD segments to p_paddr and returns the entry point', () => {
    const m = mem();
    const k = loadElf(m, simple(), RAM);
    expect(k).toMatchObject({ format: 'elf', entry: 0x4008_0000n, low: 0x4008_0000, high: 0x4008_000c });
    expect(m.read(0x4008_0000, 12)).toEqual(code);
  });

  it('uses the physical address, not the virtual one', () => {
    const m = mem();
    const elf = buildElf({
      entry: 0xffff_0000_0000_0000n,
      segments: [{ paddr: 0x4020_0000n, vaddr: 0xffff_0000_0000_0000n, data: code }],
    });
    const k = loadElf(m, elf, RAM);
    expect(m.read(0x4020_0000, 12)).toEqual(code);
    expect(k.entry).toBe(0xffff_0000_0000_0000n);
  });

  it('zero-fills .bss (p_memsz beyond p_filesz)', () => {
    const m = mem();
    m.write(0x4008_000c, new Uint8Array(32).fill(0xaa));
    const k = loadElf(m, simple({ segments: [{ paddr: 0x4008_0000n, data: code, memsz: 44n }] }), RAM);
    expect(m.read(0x4008_000c, 32)).toEqual(new Uint8Array(32));
    expect(k.high).toBe(0x4008_0000 + 44);
  });

  it('loads several segments and reports the span', () => {
    const m = mem();
    const k = loadElf(
      m,
      buildElf({
        entry: 0x4008_0000n,
        segments: [
          { paddr: 0x4008_0000n, data: code },
          { paddr: 0x4010_0000n, data: new Uint8Array([1, 2]), memsz: 0x100n, flags: 6 },
        ],
      }),
      RAM,
    );
    expect(k.regions).toEqual([
      { base: 0x4008_0000, size: 12 },
      { base: 0x4010_0000, size: 0x100 },
    ]);
    expect([k.low, k.high]).toEqual([0x4008_0000, 0x4010_0100]);
    expect(m.read(0x4010_0000, 2)).toEqual(new Uint8Array([1, 2]));
  });

  it('ignores non-PT_LOAD and empty segments', () => {
    const k = loadElf(
      mem(),
      simple({
        segments: [
          { paddr: 0x4008_0000n, data: code },
          { paddr: 0n, type: 4, data: new Uint8Array(4) }, // PT_NOTE outside RAM
          { paddr: 0x10n, memsz: 0n }, // empty PT_LOAD outside RAM
        ],
      }),
      RAM,
    );
    expect(k.regions).toHaveLength(1);
  });

  it('writes nothing when a later segment is invalid', () => {
    const m = mem();
    const elf = buildElf({
      entry: 0x4008_0000n,
      segments: [
        { paddr: 0x4008_0000n, data: code },
        { paddr: 0x8000_0000n, data: code },
      ],
    });
    expect(() => loadElf(m, elf, RAM)).toThrow(HvlabError);
    expect(m.read(0x4008_0000, 12)).toEqual(new Uint8Array(12));
  });
});

describe('loadElf rejects malformed files', () => {
  it('a truncated header', () => expectCode(() => parseElf64(simple().subarray(0, 40)), 'ENOEXEC', /truncated header/));
  it('no magic', () => expectCode(() => parseElf64(new Uint8Array(64)), 'ENOEXEC', /no ELF magic/));
  it('ELFCLASS32', () => expectCode(() => parseElf64(simple({ eiClass: 1 })), 'ENOEXEC', /ELFCLASS64/));
  it('big-endian', () => expectCode(() => parseElf64(simple({ eiData: 2 })), 'ENOEXEC', /little-endian/));
  it('a relocatable object', () => expectCode(() => parseElf64(simple({ type: 1 })), 'ENOEXEC', /e_type 1/));
  it('another machine (x86-64)', () => expectCode(() => parseElf64(simple({ machine: 62 })), 'ENOEXEC', /EM_AARCH64/));
  it('no program headers', () => expectCode(() => parseElf64(simple({ segments: [] })), 'ENOEXEC', /no program/));

  it('a bad e_phentsize', () => {
    const b = simple();
    new DataView(b.buffer).setUint16(54, 32, true);
    expectCode(() => parseElf64(b), 'ENOEXEC', /e_phentsize/);
  });

  it('PN_XNUM', () => {
    const b = simple();
    new DataView(b.buffer).setUint16(56, 0xffff, true);
    expectCode(() => parseElf64(b), 'ENOEXEC', /PN_XNUM/);
  });

  it('program headers past the end of the file', () => {
    const b = simple();
    new DataView(b.buffer).setBigUint64(32, 0xffff_ffffn, true);
    expectCode(() => parseElf64(b), 'ENOEXEC', /program headers end/);
  });

  it('segment data past the end of the file', () =>
    expectCode(() => parseElf64(simple().subarray(0, 64 + 56 + 4)), 'ENOEXEC', /run past the end/));

  it('p_filesz larger than p_memsz', () =>
    expectCode(
      () => parseElf64(simple({ segments: [{ paddr: 0x4008_0000n, data: code, memsz: 4n }] })),
      'ENOEXEC',
      /exceeds p_memsz/,
    ));

  it('no loadable segment', () =>
    expectCode(
      () => parseElf64(simple({ segments: [{ paddr: 0x4008_0000n, type: 4, data: code }] })),
      'ENOEXEC',
      /no PT_LOAD/,
    ));

  it('overlapping segments', () =>
    expectCode(
      () =>
        parseElf64(
          simple({
            segments: [
              { paddr: 0x4008_0000n, data: code },
              { paddr: 0x4008_0008n, data: code },
            ],
          }),
        ),
      'ENOEXEC',
      /overlap/,
    ));

  it('an entry point outside every segment', () =>
    expectCode(() => parseElf64(simple({ entry: 0x4000_0000n })), 'ENOEXEC', /entry point/));

  it('a segment outside RAM', () =>
    expectCode(
      () => loadElf(mem(), simple({ entry: 0x1000n, segments: [{ paddr: 0x1000n, data: code }] }), RAM),
      'EINVAL',
      /outside RAM/,
    ));

  it('a segment running off the end of RAM', () =>
    expectCode(
      () =>
        loadElf(
          mem(),
          simple({ entry: 0x40ff_fff0n, segments: [{ paddr: 0x40ff_fff0n, data: code, memsz: 0x20n }] }),
          RAM,
        ),
      'EINVAL',
      /outside RAM/,
    ));

  it('an absurd p_memsz', () =>
    expectCode(
      () => loadElf(mem(), simple({ segments: [{ paddr: 0x4008_0000n, data: code, memsz: 1n << 62n }] }), RAM),
      'EINVAL',
      /larger than RAM/,
    ));
});

describe('loadElf fuzz', () => {
  const seed = buildElf({
    entry: 0x4008_0004n,
    segments: [
      { paddr: 0x4008_0000n, data: code, memsz: 0x40n },
      { paddr: 0x4009_0000n, data: new Uint8Array([1, 2, 3, 4]), flags: 6 },
    ],
  });
  const FUZZ_RAM = { base: 0x4000_0000, size: 0x20_0000 };
  const fuzzMem = new PhysMem();
  fuzzMem.addRam(FUZZ_RAM.base, FUZZ_RAM.size);
  const tryLoad = (b: Uint8Array) => {
    try {
      loadElf(fuzzMem, b, FUZZ_RAM);
    } catch (e) {
      expect(e).toBeInstanceOf(HvlabError);
      expect(['ENOEXEC', 'EINVAL']).toContain((e as HvlabError).code);
    }
  };

  it('random bytes with an ELF magic never throw anything but HvlabError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), (tail) => {
        const b = new Uint8Array(4 + tail.length);
        b.set([0x7f, 0x45, 0x4c, 0x46]);
        b.set(tail, 4);
        tryLoad(b);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated and truncated valid ELFs never throw anything but HvlabError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: seed.length - 1 }), v: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat({ max: seed.length }),
        (edits, len) => {
          const b = seed.slice(0, len);
          for (const e of edits) if (e.at < b.length) b[e.at] = e.v;
          tryLoad(b);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated 64-bit header fields (offsets, sizes, addresses) never throw anything but HvlabError', () => {
    const fields = [24, 32, 64 + 8, 64 + 16, 64 + 24, 64 + 32, 64 + 40, 120 + 8, 120 + 24, 120 + 32, 120 + 40];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (at, v) => {
        const b = seed.slice();
        new DataView(b.buffer).setBigUint64(at, v, true);
        tryLoad(b);
      }),
      { numRuns: 2000 },
    );
  });
});

const hasCrossGcc = spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0;

describe('the standard benchmark guest (built with aarch64-linux-gnu-gcc)', () => {
  it('the cross compiler is installed (scripts/test.sh installs gcc-aarch64-linux-gnu)', () => {
    expect(hasCrossGcc, 'aarch64-linux-gnu-gcc is missing: apt-get install gcc-aarch64-linux-gnu').toBe(true);
  });

  it('loads at its link address with the entry point readelf reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvlab-board-'));
    const out = join(dir, 'bm20.elf');
    // guests/bench holds the standard benchmark's sources, copied unchanged from shared/bench.
    const bench = resolve(import.meta.dirname, '../../../../guests/bench');
    const cc = spawnSync(
      'aarch64-linux-gnu-gcc',
      [
        ...'-O2 -mgeneral-regs-only -ffreestanding -nostdlib -static -fno-pie -no-pie'.split(' '),
        `-Wl,-T,${bench}/link.ld`,
        '-Wl,--no-warn-rwx-segments',
        '-Wl,--defsym=ITERS=20',
        '-o',
        out,
        `${bench}/start.S`,
        `${bench}/work.c`,
      ],
      { encoding: 'utf8' },
    );
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const readelf = spawnSync('aarch64-linux-gnu-readelf', ['-lhW', out], { encoding: 'utf8' }).stdout;
    const entry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(readelf)![1]!);
    const m = mem();
    const k = loadElf(m, bytes, RAM);
    expect(k.entry).toBe(entry);
    expect(k.low).toBe(0x4008_0000);
    const loads = [...readelf.matchAll(/^\s+LOAD\s+(0x\w+) (0x\w+) (0x\w+) (0x\w+) (0x\w+)/gm)];
    expect(k.regions.length).toBe(loads.length);
    for (const [, off, , paddr, filesz, memsz] of loads) {
      const pa = Number(paddr);
      const fsz = Number(filesz);
      expect(m.read(pa, fsz)).toEqual(bytes.subarray(Number(off), Number(off) + fsz));
      expect(m.read(pa + fsz, Number(memsz) - fsz)).toEqual(new Uint8Array(Number(memsz) - fsz));
    }
  });
});
