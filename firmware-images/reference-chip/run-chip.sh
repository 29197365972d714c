#!/bin/sh
# Starts the host build of the reference chip with the given arguments (see host/main.c), building it
# first when the binary is missing or older than its sources. Wiring files name it in a chip's
# `command:` (wiring/sim-chain-c.yaml), whose `build:` builds it first (build.sh host), so the build here
# is a no-op on a bench; it builds for a chip started by hand.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
sh "$dir/build.sh" host || exit $?
exec "$dir/build${HILRIG_C_DEFECT:+/defect-$HILRIG_C_DEFECT}/hilrig-chip" "$@"
