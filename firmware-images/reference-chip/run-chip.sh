#!/bin/sh
# Starts the host build of the reference chip with the given arguments (see host/main.c), building it
# first when the binary is missing or older than its sources. Wiring files name it in a chip's
# `command:` (wiring/sim-chain-c.yaml). Chips of one bench start in parallel: the build runs under a
# lock (flock) so only one of them compiles and the others wait for it; `make` renames every output
# into place, so a start killed mid-build (a power cut) leaves nothing half-written behind.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
if ! command -v make >/dev/null 2>&1 || ! command -v "${CC:-gcc}" >/dev/null 2>&1; then
    echo "run-chip.sh: the reference chip needs make and ${CC:-gcc} to build (Debian: apt-get install --no-install-recommends gcc make)" >&2
    exit 127
fi
mkdir -p "$dir/build" || exit 1
if command -v flock >/dev/null 2>&1; then
    flock "$dir/build/.build-lock" make -s -C "$dir" build/hilrig-chip >&2
else
    make -s -C "$dir" build/hilrig-chip >&2
fi || { echo "run-chip.sh: building $dir/build/hilrig-chip failed" >&2; exit 1; }
exec "$dir/build/hilrig-chip" "$@"
