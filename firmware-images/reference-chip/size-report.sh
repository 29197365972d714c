#!/bin/sh
# Prints the flash (text + data) and RAM (data + bss) the portable core takes, its largest stack
# frames (from -fstack-usage), and the host board layer's buffers. Usage: size-report.sh BUILD core.o... -- host.o...
build=$1; shift
core=""; host=""; side=core
for f in "$@"; do
    if [ "$f" = "--" ]; then side=host; continue; fi
    if [ $side = core ]; then core="$core $f"; else host="$host $f"; fi
done
size -t $core | awk 'END { printf "reference chip core: flash %d bytes (text %d + data %d), static RAM %d bytes (data %d + bss %d)\n", $1 + $2, $1, $2, $2 + $3, $2, $3 }'
cat "$build"/core/*.su 2>/dev/null | sort -t"$(printf '\t')" -k2 -n -r | head -4 |
    awk -F'\t' '{ n = split($1, p, ":"); s = s sprintf(" %s %d,", p[n], $2) } END { sub(/,$/, "", s); printf "  largest stack frames:%s bytes\n", s }'
size -t $host | awk 'END { printf "host board layer: flash %d bytes, static RAM %d bytes (UART queues, flash buffers)\n", $1 + $2, $2 + $3 }'
size "$build/hilrig-chip" | awk 'NR == 2 { printf "hilrig-chip (host binary): text %d, data %d, bss %d\n", $1, $2, $3 }'
