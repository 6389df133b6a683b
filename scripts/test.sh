#!/usr/bin/env bash
# scripts/test.sh — THE test command (README, .ci/run). From a fresh Debian machine with only
# Node 20 and npm it:
#   1. makes sure pnpm 10 is there (npm i -g pnpm@10),
#   2. installs the toolchain the tests use when a tool is missing (as root: apt-get install
#      gcc-aarch64-linux-gnu qemu-system-arm device-tree-compiler gdb-multiarch); under CI a tool
#      that is still missing is fatal,
#   3. pnpm install --frozen-lockfile,
#   4. builds (turbo), typechecks, lints (biome),
#   5. rebuilds the guests and fails if they differ from guests/prebuilt (guests/build.sh --check),
#   6. runs every package's tests (turbo run test, vitest),
# then prints one plain line `N passed, N failed` (tests, plus one failure per failed step) and
# exits non-zero if anything failed. Every step runs even after an earlier one failed (except
# when the install itself fails; turbo runs with --continue), so one run shows every problem.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1
RESULT_FILE=.vitest-results.json
T0=$(date +%s)
failed_steps=()

log() { printf '\n==> %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - T0))s"; }
# step NAME COMMAND... : runs a step, records its failure, never exits.
step() {
  local name="$1"
  shift
  local t=$(date +%s)
  log "$name"
  if "$@"; then
    echo "--- $name: ok ($(($(date +%s) - t))s)"
  else
    echo "--- $name: FAILED ($(($(date +%s) - t))s)"
    failed_steps+=("$name")
  fi
}
abort() {
  echo "scripts/test.sh: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# ---- 1. pnpm 10 -----------------------------------------------------------------------------
log "node $(node --version), npm $(npm --version)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || abort "Node >= 20 is required"
pnpm_major() { pnpm --version 2>/dev/null | cut -d. -f1; }
if [ "$(pnpm_major)" != "10" ]; then
  log "installing pnpm 10 (npm i -g pnpm@10)"
  npm i -g pnpm@10 || abort "could not install pnpm 10"
  hash -r
fi
[ "$(pnpm_major)" = "10" ] || abort "pnpm 10 is not on PATH after installing it"
echo "pnpm $(pnpm --version)"

# ---- 2. toolchain ---------------------------------------------------------------------------
# tool -> Debian package
declare -A PKG=(
  [aarch64-linux-gnu-gcc]=gcc-aarch64-linux-gnu
  [qemu-system-aarch64]=qemu-system-arm
  [dtc]=device-tree-compiler
  [gdb-multiarch]=gdb-multiarch
)
missing_tools() {
  local t
  for t in "${!PKG[@]}"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done
}
missing=$(missing_tools)
if [ -n "$missing" ]; then
  pkgs=$(for t in $missing; do echo "${PKG[$t]}"; done | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing the toolchain: $pkgs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs </dev/null >/dev/null
  fi
  missing=$(missing_tools)
fi
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then
    abort "missing tools under CI: $(echo $missing) — install: apt-get install -y gcc-aarch64-linux-gnu qemu-system-arm device-tree-compiler gdb-multiarch"
  fi
  echo "warning: missing tools: $(echo $missing); tests that need them will fail" >&2
fi
echo "toolchain: $(aarch64-linux-gnu-gcc --version 2>/dev/null | head -1); $(qemu-system-aarch64 --version 2>/dev/null | head -1)"

# ---- 3. dependencies ------------------------------------------------------------------------
log "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only </dev/null || abort "pnpm install failed"

# ---- 4-5. build, typecheck, lint, guests ----------------------------------------------------
step build pnpm exec turbo run build --continue --output-logs=errors-only
step typecheck pnpm exec turbo run typecheck --continue --output-logs=errors-only
step lint pnpm exec biome check .
step guests bash guests/build.sh --check

# ---- 6. tests -------------------------------------------------------------------------------
find . -name "$RESULT_FILE" -not -path '*/node_modules/*' -delete
# --force: always run (a cached test task would replay its log without producing results).
step test pnpm exec turbo run test --force --continue --concurrency=1 --output-logs=new-only \
  -- --reporter=default --reporter=json "--outputFile.json=$RESULT_FILE"

# ---- summary --------------------------------------------------------------------------------
counts=$(node --input-type=module -e '
import { readFileSync } from "node:fs";
let passed = 0, failed = 0;
for (const f of process.argv.slice(1)) {
  const r = JSON.parse(readFileSync(f, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A test file that failed to load has no failed test of its own: count it once.
  for (const s of r.testResults) if (s.status === "failed" && !s.assertionResults.some((a) => a.status === "failed")) failed++;
  console.error(`  ${f.replace(/\/?\.vitest-results\.json$/, "") || "."}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}
console.log(`${passed} ${failed}`);
' $(find . -name "$RESULT_FILE" -not -path '*/node_modules/*' | sort)) || counts="0 0"
find . -name "$RESULT_FILE" -not -path '*/node_modules/*' -delete
read -r passed failed <<<"$counts"
# Each failed step counts once; the test step only when no failing test explains it.
for s in "${failed_steps[@]}"; do
  if [ "$s" != test ] || [ "$failed" -eq 0 ]; then failed=$((failed + 1)); fi
done
echo
if [ "${#failed_steps[@]}" -gt 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
echo "total time $(elapsed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
