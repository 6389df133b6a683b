#!/usr/bin/env node
// The `hvlab` command: runs the tsup-built CLI (apps/cli/dist). Build it with `pnpm build`.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/index.js', import.meta.url);
if (!existsSync(dist)) {
  process.stderr.write('hvlab: error: apps/cli is not built; run `pnpm build` first\n');
  process.exit(1);
}
const { main } = await import(dist.href);
// A stdout or stderr whose reader went away (EPIPE) fails asynchronously with an 'error' event;
// main() reports a failed stdout itself (exit status 3), so a late event must not crash Node.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
const status = await main(process.argv.slice(2));
// Let stdout/stderr drain, then exit even if stdin is still open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
