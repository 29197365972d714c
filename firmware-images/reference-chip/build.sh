#!/bin/sh
# Builds the reference chip: `build.sh host` (build/hilrig-chip, the machine's gcc) or `build.sh qemu`
# (build/hilrig-chip-qemu.elf, arm-none-eabi-gcc for mps2-an385). Up-to-date outputs are left alone.
# Benches and tests build at the same time: the build runs under a lock (flock) so only one compiles and
# the others wait for it; `make` renames every output into place, so a build killed midway leaves
# nothing half-written behind. Wiring files name it in a chip's `build:` (the rig runs it once before
# powering the bench on); run-chip.sh and run-chip-qemu.sh call it too, for a chip started by hand.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
case "${1:-}" in
    host)
        target=build/hilrig-chip
        tools="make ${CC:-gcc}"
        hint="Debian: apt-get install --no-install-recommends gcc make" ;;
    qemu)
        target=build/hilrig-chip-qemu.elf
        tools="make ${ARM_CC:-arm-none-eabi-gcc}"
        hint="./setup.sh qemu installs QEMU and the Cortex-M toolchain" ;;
    *)
        echo "usage: build.sh host|qemu" >&2
        exit 2 ;;
esac
# HILRIG_C_DEFECT=NAME builds a defective variant into build/defect-NAME/ (docs/faults.md): the scenarios must catch it.
if [ -n "${HILRIG_C_DEFECT:-}" ]; then
    case "$HILRIG_C_DEFECT" in
        acts-on-others-frames|upgrade-forwards-frames|sleep-answers-status|acks-every-other-data|answers-upstream) ;;
        *) echo "build.sh: unknown HILRIG_C_DEFECT '$HILRIG_C_DEFECT' (acts-on-others-frames, upgrade-forwards-frames, sleep-answers-status, acks-every-other-data, answers-upstream)" >&2
           exit 2 ;;
    esac
    flag="-DHR_DEFECT_$(echo "$HILRIG_C_DEFECT" | tr 'a-z-' 'A-Z_')"
    variant="build/defect-$HILRIG_C_DEFECT"
    target="$variant/${target#build/}"
    set -- "$1" "BUILD=$variant" "DEFECT_FLAG=$flag"
else
    set -- "$1"
fi
for tool in $tools; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: the reference chip needs $tool to build ($hint)" >&2
        exit 127
    fi
done
mkdir -p "$dir/build" || exit 1
if command -v flock >/dev/null 2>&1; then
    flock "$dir/build/.build-lock" make -s -C "$dir" ${2:+"$2"} ${3:+"$3"} "$target" >&2
else
    make -s -C "$dir" ${2:+"$2"} ${3:+"$3"} "$target" >&2
fi || { echo "build.sh: building $dir/$target failed" >&2; exit 1; }
