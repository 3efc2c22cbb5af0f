#!/usr/bin/env bash
# Benchmark (not a test: never part of ctest) for `signet status` over a big
# store: makes a store of 100 000 envelopes in a temporary directory, then
# times `status --json` and `status --board` and prints the figures against
# the target of 100 ms each.
#
# Run from the repository root:
#
#   bash tests/bench/status_bench.sh
#
# It configures and builds signet and bench_make_store in build-bench/ unless
# told where they are. Environment:
#   BUILD_DIR   build directory to use (default: build-bench)
#   SIGNET      a built signet binary      } both given: nothing is built
#   MAKE_STORE  a built bench_make_store   }
#   COUNT       envelopes in the store (default 100000)
#   RUNS        timed runs per command (default 7), after WARMUP (default 2)
#   STORE       an existing store to time instead of making one (kept)
#   KEEP=1      keep the temporary store and print where it is
#
# The store is made with every envelope's JSON cached, as after a first
# `status --json` (see signet-status(1), JSON); after the table, one run
# without the cache shows what the first list after an upgrade costs.
#
# For each command it prints the median and the fastest wall time (warm
# cache), the median CPU time (user + system, both threads), the peak RSS of
# one more run (/usr/bin/time -f %M) and the median wall time as a multiple
# of the target. Other work on the machine inflates the wall times: compare
# them with the CPU column. Then it shows the board at 80 columns and
# checks that colour appears on a terminal only, and never with NO_COLOR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
count=${COUNT:-100000}
runs=${RUNS:-7}
warmup=${WARMUP:-2}
target_ms=100
# A fixed "now", so that ages and the board are the same on every run.
export SIGNET_NOW=${SIGNET_NOW:-2026-03-01T12:00:00Z}
export LC_ALL=C.UTF-8
unset NO_COLOR

if [[ -z "${SIGNET:-}" || -z "${MAKE_STORE:-}" ]]; then
    build=${BUILD_DIR:-$root/build-bench}
    echo "building signet and bench_make_store in $build ..." >&2
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j2 --target signet bench_make_store >/dev/null
    SIGNET=${SIGNET:-$build/signet}
    MAKE_STORE=${MAKE_STORE:-$build/tests/bench_make_store}
fi

if [[ ! -x /usr/bin/time ]]; then
    echo "status_bench: /usr/bin/time is missing (apt-get install time)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
if [[ "${KEEP:-}" == 1 ]]; then
    echo "keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
if [[ -n "${STORE:-}" ]]; then
    store=$STORE
else
    store=$tmp/store
    "$MAKE_STORE" "$store" "$root/tests/fixtures/contract.pdf" "$count"
    # Let the kernel write the new store out first: its writeback would
    # otherwise be timed with the first commands (about +40 ms here).
    sync
fi
export SIGNET_HOME=$store
unset COLUMNS

# bench LABEL COMMAND: runs COMMAND (shell code, with $WRAP before signet)
# warm and prints a row of figures. Wall and CPU times come from bash's
# `time` (the CPU time of the children: on a shared machine it shows what
# the command costs when the wall time also shows waiting for a core).
bench() {
    local label=$1 command=$2 i real user sys
    local -a walls=() cpus=()
    WRAP=
    for ((i = 0; i < warmup; i++)); do
        eval "$command"
    done
    for ((i = 0; i < runs; i++)); do
        { time eval "$command" 2>>"$tmp/stderr"; } 2>"$tmp/time"
        read -r real user sys <"$tmp/time"
        walls+=("$real")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
    done
    # Peak RSS of signet itself, from one more run under /usr/bin/time.
    WRAP="/usr/bin/time -f %M -o $tmp/rss"
    eval "$command"
    local rss_kb median min cpu
    rss_kb=$(tail -n 1 "$tmp/rss")
    median=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    min=$(printf '%s\n' "${walls[@]}" | sort -g | head -n 1)
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    awk -v label="$label" -v median="$median" -v min="$min" -v cpu="$cpu" -v rss="$rss_kb" \
        -v target="$target_ms" 'BEGIN {
            printf "%-44s %9.1f ms %9.1f ms %9.1f ms %7.1f MB %7.2fx\n", label, median * 1000,
                   min * 1000, cpu * 1000, rss / 1024, median * 1000 / target
        }'
}

TIMEFORMAT='%3R %3U %3S'
: >"$tmp/stderr"
envelopes=$("$SIGNET" status --board --json | tr -d ' \n' | grep -o '"count":[0-9]*' |
    awk -F: '{ n += $2 } END { print n + 0 }')
echo
echo "signet status over $envelopes envelopes ($(du -sh "$store/signet.db" | cut -f1) database)," \
     "$runs runs each after $warmup warm-up, target $target_ms ms"
printf '%-44s %12s %12s %12s %10s %8s\n' "command" "wall median" "wall min" "CPU median" \
    "peak RSS" "/target"
bench 'status --json > /dev/null' '$WRAP "$SIGNET" status --json > /dev/null'
bench 'status --json | cat' '$WRAP "$SIGNET" status --json | cat > /dev/null'
bench 'status --board > /dev/null (160 columns)' \
    'COLUMNS=160 $WRAP "$SIGNET" status --board > /dev/null'
bench 'COLUMNS=80 status --board | cat' 'COLUMNS=80 $WRAP "$SIGNET" status --board | cat > /dev/null'
bench 'status > /dev/null (the list, for reference)' '$WRAP "$SIGNET" status > /dev/null'

# Once, not a median: the first list without the cache (as after an
# upgrade, or with cache/ removed), which writes the list from the rows and
# caches every envelope's JSON; then the next one.
rm -rf "$store/cache"
for run in "first, no cache" "next, cached again"; do
    { time "$SIGNET" status --json > /dev/null 2>>"$tmp/stderr"; } 2>"$tmp/time"
    read -r real user sys <"$tmp/time"
    awk -v label="status --json > /dev/null ($run)" -v real="$real" -v u="$user" -v s="$sys" \
        'BEGIN { printf "%-44s %9.1f ms (one run)   %9.1f ms CPU\n", label, real * 1000,
                 (u + s) * 1000 }'
done

if [[ -s "$tmp/stderr" ]]; then
    echo "status_bench: signet wrote to stderr:" >&2
    cat "$tmp/stderr" >&2
    exit 1
fi

echo
echo "The board at 80 columns, piped:"
COLUMNS=80 "$SIGNET" status --board | tee "$tmp/board80" | cat
widest=$(wc -L < "$tmp/board80")
status=0
check() {
    if [[ "$2" == ok ]]; then
        echo "ok    $1"
    else
        echo "FAIL  $1"
        status=1
    fi
}
echo
check "board lines fit in 80 columns (widest: $widest)" "$([[ $widest -le 80 ]] && echo ok)"
check "no colour when piped" "$(grep -q $'\033' "$tmp/board80" || echo ok)"
if command -v script >/dev/null; then
    # script(1) gives signet a terminal; stty sets its width.
    script -qec "stty cols 80; \"$SIGNET\" status --board" /dev/null > "$tmp/board-tty"
    script -qec "stty cols 80; NO_COLOR=1 \"$SIGNET\" status --board" /dev/null \
        > "$tmp/board-tty-nocolor"
    check "colour on a terminal" "$(grep -q $'\033\\[' "$tmp/board-tty" && echo ok)"
    check "no colour on a terminal with NO_COLOR" \
        "$(grep -q $'\033' "$tmp/board-tty-nocolor" || echo ok)"
else
    echo "skip  colour on a terminal (script(1) is missing)"
fi
exit $status
