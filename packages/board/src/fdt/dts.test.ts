import { describe, expect, it } from 'vitest';
import { dtsValue, fdtToDts } from './dts.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const str = (s: string) => new TextEncoder().encode(s);

describe('dtsValue (dtc guess_value_type)', () => {
  it('prints NUL-terminated printable text as a string', () => {
    expect(dtsValue(str('hvc\0'))).toBe('"hvc"');
  });

  it('prints string lists with \\0 separators', () => {
    expect(dtsValue(str('arm,pl011\0arm,primecell\0'))).toBe('"arm,pl011\\0arm,primecell"');
  });

  it('escapes quotes, backslashes and control characters', () => {
    expect(dtsValue(str('a"b\\c\td\n\0'))).toBe('"a\\"b\\\\c\\td\\n"');
  });

  it('prints 4-byte multiples that are not strings as cells, at least two hex digits each', () => {
    expect(dtsValue(bytes(0, 0, 0, 1, 0xc4, 0, 0, 1))).toBe('<0x01 0xc4000001>');
  });

  it('treats mostly-NUL data as cells, not strings', () => {
    expect(dtsValue(bytes(0, 0, 0, 0))).toBe('<0x00>');
    expect(dtsValue(bytes(0x61, 0, 0, 0))).toBe('<0x61000000>');
  });

  it('prints other lengths as bytes', () => {
    expect(dtsValue(bytes(1, 0xab, 3))).toBe('[01 ab 03]');
  });
});

describe('fdtToDts', () => {
  it('prints the header, reservations, properties and nested nodes like dtc', () => {
    const text = fdtToDts({
      memReserve: [{ address: 0x1000n, size: 0x20n }],
      root: {
        name: '',
        properties: [{ name: 'flag', value: new Uint8Array(0) }],
        children: [{ name: 'a@1', properties: [], children: [{ name: 'b', properties: [], children: [] }] }],
      },
    });
    expect(text).toBe(
      '/dts-v1/;\n\n/memreserve/\t0x0000000000001000 0x0000000000000020;\n/ {\n\tflag;\n\n\ta@1 {\n\n\t\tb {\n\t\t};\n\t};\n};\n',
    );
  });
});
