#!/usr/bin/env bash
# Benchmark (not a test: never part of ctest) for `signet verify` on a big
# signed PDF, next to poppler's pdfsig and a plain `openssl dgst -sha256` of
# the same file in the same run (issue 4, item 9). Targets: signet at most
# 0.5x pdfsig's wall time and 1.5x the plain digest's, and a peak RSS of at
# most 32 MB whatever the file size.
#
# Run from the repository root:
#
#   bash tests/bench/verify_bench.sh
#
# The file: bench_sign_pdf (tests/bench/sign_pdf.cpp) makes MB pages, each
# with a 1 MB uncompressed image of noise, prepared and certified with the
# organisation seal as `signet send` does, then signs the client's field as
# `signet sign` does: two signatures, three revisions. signet verifies it
# with the organisation's root as --trust (so the verdict is "valid": every
# check runs, the chain included); pdfsig checks both signatures and their
# certificates; openssl only hashes the whole file once.
#
# It configures and builds signet and bench_sign_pdf in build-bench/ unless
# told where they are. Environment:
#   BUILD_DIR   build directory to use (default: build-bench)
#   SIGNET      a built signet, SIGN_PDF a built bench_sign_pdf (then
#               nothing is built)
#   MB          size of the document in MB (default 100)
#   RUNS        timed runs of each tool (default 5), interleaved, after one
#               warm-up run of each (the file is then in the page cache)
#   KEEP=1      keep the temporary directory and print where it is
#
# Wall times are taken around each run (bash's EPOCHREALTIME), CPU time and
# peak RSS come from /usr/bin/time; with hyperfine installed it also prints
# hyperfine's own comparison. Needs bash 5.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=${MB:-100}
runs=${RUNS:-5}
export LC_ALL=C.UTF-8

for tool in pdfsig openssl; do
    if ! command -v "$tool" >/dev/null; then
        echo "verify_bench: $tool is missing (scripts/setup installs it)" >&2
        exit 2
    fi
done
if [[ ! -x /usr/bin/time ]]; then
    echo "verify_bench: /usr/bin/time is missing (apt-get install time)" >&2
    exit 2
fi

if [[ -z "${SIGNET:-}" || -z "${SIGN_PDF:-}" ]]; then
    build=${BUILD_DIR:-$root/build-bench}
    echo "building signet and bench_sign_pdf in $build ..." >&2
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j2 --target signet bench_sign_pdf >/dev/null
    SIGNET=$build/signet
    SIGN_PDF=$build/tests/bench_sign_pdf
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/signet-verify-bench.XXXXXX")
if [[ "${KEEP:-}" == 1 ]]; then
    echo "keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi

echo "making a $mb MB document, certified and signed ..." >&2
"$SIGN_PDF" make "$tmp/doc" "$mb" "$root/tests/fixtures/sig.png" >&2
"$SIGN_PDF" sign "$tmp/doc" "$tmp/signed.pdf" >/dev/null
pdf=$tmp/signed.pdf
bytes=$(stat -c %s "$pdf")
export SIGNET_HOME=$tmp/no-store  # no store: only --trust counts
trust=$tmp/doc/keys/root.crt

signet_cmd=("$SIGNET" verify --trust "$trust" "$pdf")
pdfsig_cmd=(pdfsig "$pdf")
digest_cmd=(openssl dgst -sha256 "$pdf")

# measure NAME: one run of NAME's command under /usr/bin/time (CPU, peak
# RSS), its wall time taken around it to the microsecond; appends
# "wall user sys maxrss_kb" to $tmp/NAME.times and keeps its output.
measure() {
    local -n cmd=$1_cmd
    local start=$EPOCHREALTIME
    /usr/bin/time -f '%U %S %M' -o "$tmp/time" "${cmd[@]}" >"$tmp/$1.out" 2>&1 || true
    local end=$EPOCHREALTIME
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $(tail -n 1 "$tmp/time")" \
        >>"$tmp/$1.times"
}

tools=(signet pdfsig digest)
for t in "${tools[@]}"; do
    measure "$t"  # warm-up: the file in the page cache for all three
    : >"$tmp/$t.times"
done
for ((i = 0; i < runs; i++)); do
    for t in "${tools[@]}"; do
        measure "$t"
    done
done

median() { awk -v c="$1" '{ print $c }' "$2" | sort -g | sed -n "$(((runs + 1) / 2))p"; }
fastest() { awk -v c="$1" '{ print $c }' "$2" | sort -g | head -n 1; }
cpu_median() { awk '{ print $2 + $3 }' "$1" | sort -g | sed -n "$(((runs + 1) / 2))p"; }

echo
echo "verify a $((bytes / 1000000)) MB PDF ($bytes bytes, 2 signatures, 3 revisions)," \
     "$runs runs each after a warm-up"
printf '%-16s %12s %12s %12s %12s\n' tool "wall median" "wall min" "CPU median" "peak RSS"
declare -A wall rss
for t in "${tools[@]}"; do
    wall[$t]=$(median 1 "$tmp/$t.times")
    rss[$t]=$(median 4 "$tmp/$t.times")
    name=$t
    [[ $t == signet ]] && name="signet verify"
    [[ $t == digest ]] && name="openssl dgst"
    printf '%-16s %10.3f s %10.3f s %10.3f s %9.1f MB\n' "$name" "${wall[$t]}" \
        "$(fastest 1 "$tmp/$t.times")" "$(cpu_median "$tmp/$t.times")" \
        "$(awk -v k="${rss[$t]}" 'BEGIN { print k / 1024 }')"
done
awk -v s="${wall[signet]}" -v p="${wall[pdfsig]}" -v d="${wall[digest]}" -v r="${rss[signet]}" \
    'BEGIN {
        printf "signet / pdfsig:       %.2fx wall (target <= 0.50x)\n", s / (p > 0 ? p : 0.001)
        printf "signet / openssl dgst: %.2fx wall (target <= 1.50x)\n", s / (d > 0 ? d : 0.001)
        printf "signet peak RSS:       %.1f MB (target <= 32 MB)\n", r / 1024
    }'

if command -v hyperfine >/dev/null; then
    echo
    hyperfine --warmup 1 --runs "$runs" -N \
        -n "signet verify" "$SIGNET verify --trust $trust $pdf" \
        -n pdfsig "pdfsig $pdf" -n "openssl dgst" "openssl dgst -sha256 $pdf" || true
fi

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
check "signet wall time <= 0.5x pdfsig's" \
    "$(awk -v s="${wall[signet]}" -v p="${wall[pdfsig]}" 'BEGIN { if (s <= 0.5 * p) print "ok" }')"
check "signet wall time <= 1.5x openssl dgst's" \
    "$(awk -v s="${wall[signet]}" -v d="${wall[digest]}" 'BEGIN { if (s <= 1.5 * d) print "ok" }')"
check "signet peak RSS <= 32 MB" "$([[ ${rss[signet]} -le 32768 ]] && echo ok)"
check "signet's verdict: valid" "$(head -n1 "$tmp/signet.out" | grep -q ': valid (' && echo ok)"
valid=$(grep -c 'Signature is Valid' "$tmp/pdfsig.out" || true)
check "pdfsig calls both signatures valid ($valid)" "$([[ $valid == 2 ]] && echo ok)"
exit $status
