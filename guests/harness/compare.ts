/** Console comparison helpers for the guest tests' failure messages. */

/**
 * The first line where two console outputs differ, as "line N:" followed by both lines
 * (JSON-quoted, so trailing spaces and missing newlines show), or 'no difference'.
 */
export function firstDifference(want: string, got: string, wantName: string, gotName: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const width = Math.max(wantName.length, gotName.length);
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i])
      return (
        `line ${i + 1}:\n  ${wantName.padEnd(width)}: ${a[i] === undefined ? '(end of output)' : JSON.stringify(a[i])}\n` +
        `  ${gotName.padEnd(width)}: ${b[i] === undefined ? '(end of output)' : JSON.stringify(b[i])}`
      );
  return 'no difference';
}
