#!/usr/bin/env bash
# build.sh — builds every hvlab guest into guests/build/ with a fixed, reproducible command line.
#
#   bash guests/build.sh            build into guests/build/
#   bash guests/build.sh --install  build, then copy the images into guests/prebuilt/ (committed)
#   bash guests/build.sh --check    build, then fail (exit 1, naming each file) if any image differs
#                                   byte for byte from guests/prebuilt/, or one is missing/extra
#
# Toolchain: Debian's gcc-aarch64-linux-gnu (override the prefix with CROSS_COMPILE=...).
# Reproducibility: sources are compiled from this directory with relative paths and
# -ffile-prefix-map, no debug info, no build ID, .comment/.note discarded by common/link.ld,
# LC_ALL=C; the ELF format has no timestamps. Same compiler version => same bytes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
export LC_ALL=C
CROSS="${CROSS_COMPILE:-aarch64-linux-gnu-}"
CC="${CROSS}gcc"
OBJCOPY="${CROSS}objcopy"

mode=build
case "${1:-}" in
  "") ;;
  --install) mode=install ;;
  --check) mode=check ;;
  -h | --help)
    sed -n '2,12p' "$0"
    exit 0
    ;;
  *)
    echo "build.sh: unknown argument '$1' (use --install or --check)" >&2
    exit 2
    ;;
esac

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "build.sh: $CC not found; install it with: apt-get install gcc-aarch64-linux-gnu" >&2
  exit 127
fi

OUT=build
rm -rf "$OUT"
mkdir -p "$OUT"

# Flags shared by every guest built on the common runtime.
CFLAGS=(
  -O2 -std=gnu11 -Wall -Wextra -Werror
  -mgeneral-regs-only -mstrict-align -ffreestanding -fno-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -g0
  "-ffile-prefix-map=$HERE=."
  -Icommon
)
LDFLAGS=(-nostdlib -static -no-pie -Wl,-T,common/link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments)
COMMON_SRCS=(common/start.S common/vectors.S common/exc.c common/uart.c common/psci.c)

# Each source is compiled to an object with a fixed name (the linker records object names as
# STT_FILE symbols; gcc's one-step build would leave random temporary names there).
# compile DIR SRC... : prints the objects.
compile() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  for src in "$@"; do
    local obj
    obj="$dir/$(basename "${src%.*}").o"
    "$CC" "${CFLAGS[@]}" "${EXTRA_CFLAGS[@]}" -c -o "$obj" "$src"
    echo "$obj"
  done
}

# guest NAME SOURCES... : NAME.elf from the common runtime plus the guest's own sources.
# GUEST_CFLAGS (a space-separated string, normally empty) adds compiler flags, e.g. -DHVC_CALLS=N.
guest() {
  local name="$1"
  shift
  local objs
  read -r -a EXTRA_CFLAGS <<<"${GUEST_CFLAGS:-}"
  mapfile -t objs < <(compile "$OUT/obj/$name" "${COMMON_SRCS[@]}" "$@")
  "$CC" "${LDFLAGS[@]}" -o "$OUT/$name.elf" "${objs[@]}"
}

# raw NAME : NAME.bin, the flat image of NAME.elf (loaded at 0x40080000 like any raw image).
raw() {
  "$OBJCOPY" -O binary "$OUT/$1.elf" "$OUT/$1.bin"
  rm "$OUT/$1.elf"
}

guest hello hello/main.c
guest exceptions exceptions/main.c exceptions/mmu.c exceptions/probes.S
guest timer timer/main.c
guest uart uart/main.c
guest boot boot/main.c
raw boot
guest boot-image common/image_header.S boot/main.c
raw boot-image
guest smp common/smccc.c smp/main.c smp/entry.S
guest smccc common/smccc.c smccc/main.c
# The HVC round-trip benchmark for N = 10,000 and 1,000,000 calls (subtraction method).
for calls in 10000 1000000; do
  GUEST_CFLAGS="-DHVC_CALLS=$calls" guest "hvc-bench-$calls" common/smccc.c hvc-bench/main.c hvc-bench/loop.S
done

# The standard benchmark (../shared/bench, copied unchanged into bench/), built with the flags of
# its README (-O2 -mgeneral-regs-only -ffreestanding -nostdlib -static -fno-pie -no-pie, its own
# link.ld, ITERS by --defsym) plus --build-id=none, compiled per object as above.
for iters in 20 200 2000; do
  mkdir -p "$OUT/obj/bench-$iters"
  for src in start.S work.c; do
    "$CC" -O2 -mgeneral-regs-only -ffreestanding -fno-pie "-ffile-prefix-map=$HERE=." \
      -c -o "$OUT/obj/bench-$iters/${src%.*}.o" "bench/$src"
  done
  "$CC" -nostdlib -static -no-pie -Wl,-T,bench/link.ld -Wl,--no-warn-rwx-segments -Wl,--build-id=none \
    "-Wl,--defsym=ITERS=$iters" -o "$OUT/bench-$iters.elf" "$OUT/obj/bench-$iters/start.o" \
    "$OUT/obj/bench-$iters/work.o"
done
rm -rf "$OUT/obj"

case "$mode" in
  install)
    mkdir -p prebuilt
    rm -f prebuilt/*.elf prebuilt/*.bin
    cp "$OUT"/* prebuilt/
    echo "build.sh: installed $(ls "$OUT" | wc -l) images into guests/prebuilt/"
    ;;
  check)
    status=0
    for f in "$OUT"/*; do
      base="$(basename "$f")"
      if [ ! -f "prebuilt/$base" ]; then
        echo "build.sh --check: guests/prebuilt/$base is missing (rebuilt image has no committed copy)" >&2
        status=1
      elif ! cmp -s "$f" "prebuilt/$base"; then
        echo "build.sh --check: guests/prebuilt/$base differs from the rebuilt guests/build/$base" >&2
        status=1
      fi
    done
    for f in prebuilt/*; do
      base="$(basename "$f")"
      if [ ! -f "$OUT/$base" ]; then
        echo "build.sh --check: guests/prebuilt/$base is not produced by build.sh" >&2
        status=1
      fi
    done
    if [ "$status" -eq 0 ]; then echo "build.sh --check: all $(ls "$OUT" | wc -l) prebuilt images match"; fi
    exit "$status"
    ;;
  build) echo "build.sh: built $(ls "$OUT" | wc -l) images into guests/build/" ;;
esac
