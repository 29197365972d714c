#!/bin/sh
# Starts the reference chip on QEMU mps2-an385 (Cortex-M3) with the arguments run-chip.sh takes
# (--upstream PTY [--downstream PTY ...] --flash FILE --model-id ID --baud N --name NAME ...), building
# build/hilrig-chip-qemu.elf first when it is missing or older than its sources (build.sh qemu; on a bench
# the wiring's `build:` has done it already). UART0 is the upstream port, UART1 and UART2 the downstream ones; each is
# wired to the pty the rig gives (the rig holds the other end, so QEMU never drops output). The flash is
# the file the rig names, reached through semihosting from the file's own directory (a guest can open
# any host file: each chip only sees where its flash lives). Killing this process (exec'd into QEMU) is
# the chip's power cut; the flash file keeps everything written before it.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
if ! command -v "${QEMU:-qemu-system-arm}" >/dev/null 2>&1; then
    echo "run-chip-qemu.sh: ${QEMU:-qemu-system-arm} is not installed; ./setup.sh qemu installs QEMU and the Cortex-M toolchain" >&2
    exit 127
fi
sh "$dir/build.sh" qemu || exit $?

upstream=""; downstream=""; ports=1; flash=""; pass=""
while [ $# -gt 0 ]; do
    case "$1" in
        --upstream) upstream=$2; shift 2 ;;
        --downstream) downstream="$downstream $2"; ports=$((ports + 1)); shift 2 ;;
        --flash) flash=$2; shift 2 ;;
        --operating|--log-flash-ops) pass="$pass,arg=$1"; shift ;;
        *) case "$2" in *,*) echo "run-chip-qemu.sh: '$2' holds a comma, which QEMU's options cannot carry" >&2; exit 2 ;; esac
           pass="$pass,arg=$1,arg=$2"; shift 2 ;;
    esac
done
[ -n "$upstream" ] || { echo "run-chip-qemu.sh: --upstream is required" >&2; exit 2; }
[ -n "$flash" ] || { echo "run-chip-qemu.sh: --flash is required" >&2; exit 2; }
[ "$ports" -le 3 ] || { echo "run-chip-qemu.sh: mps2-an385 wires at most 2 downstream ports here (UART1, UART2)" >&2; exit 2; }
# A powered-off MCU receives nothing, but the pty kept what the rig wrote while QEMU was down (a half
# frame, say): drop it, as the host build and the C# chip do with tcflush when they open their ports.
for port in $upstream $downstream; do
    stty -F "$port" raw -echo 2>/dev/null
    dd if="$port" of=/dev/null iflag=nonblock bs=4096 2>/dev/null
done
flash_dir=$(CDPATH= cd -- "$(dirname -- "$flash")" && pwd) || exit 1
cd "$flash_dir" || exit 1

set -- -M mps2-an385 -cpu cortex-m3 -nodefaults -display none -monitor none -net none \
    -kernel "$dir/build/hilrig-chip-qemu.elf" \
    -chardev "serial,id=u0,path=$upstream" -serial chardev:u0
n=1
for d in $downstream; do
    set -- "$@" -chardev "serial,id=u$n,path=$d" -serial "chardev:u$n"
    n=$((n + 1))
done
# QEMU_DEBUG=int,guest_errors (for example) logs what QEMU sees into qemu-<flash file>.log beside the flash.
if [ -n "${QEMU_DEBUG:-}" ]; then
    set -- "$@" -d "$QEMU_DEBUG" -D "qemu-$(basename -- "$flash").log"
fi
exec "${QEMU:-qemu-system-arm}" "$@" \
    -semihosting-config "enable=on,target=native,arg=hilrig-chip,arg=--ports,arg=$ports,arg=--flash,arg=$(basename -- "$flash")$pass"
