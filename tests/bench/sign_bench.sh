#!/usr/bin/env bash
# Benchmark (not a test: never part of ctest) for one signing step on a big
# PDF: signet's incremental update (lib/pdf/incremental.hpp, driven by
# bench_sign_pdf exactly as `signet sign` drives it) next to podofosign
# (PoDoFo 0.9.8's own tool, package libpodofo-utils) signing the same file in
# the same run. Target: signet at most 0.5x podofosign's wall time, and a
# peak RSS of at most 64 MB.
#
# Run from the repository root:
#
#   bash tests/bench/sign_bench.sh
#
# It configures and builds bench_sign_pdf in build-bench/ unless told where
# it is. Environment:
#   BUILD_DIR   build directory to use (default: build-bench)
#   SIGN_PDF    a built bench_sign_pdf (then nothing is built)
#   MB          size of the document in MB (default 100)
#   RUNS        timed runs of each tool (default 5), alternating, after one
#               warm-up run of each
#   KEEP=1      keep the temporary directory and print where it is
#
# The file: MB pages, each with a 1 MB uncompressed image of noise; prepared
# (normalised, the fields created) and certified with the organisation seal
# as `signet send` does. One step: fill the client's address (/V and an
# appearance with an embedded DejaVu subset), draw the signature image on
# the signature widget, sign (PAdES B-B, FieldMDP lock) with a certificate
# that the organisation's issuing CA makes for the signer. podofosign signs
# the same pre-created signature field (-field-use-existing: it draws
# nothing). Both decrypt one scrypt-encrypted key. signet also fsyncs the
# file before renaming it into place; podofosign does not.
#
# For each tool it prints the median and fastest wall time, the median CPU
# time (user + system) and the median peak RSS (/usr/bin/time -f), then
# signet / podofosign for each. Then it checks both outputs with
# `qpdf --check` and pdfsig, and prints signet's phases (SIGNET_BENCH_PHASES).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=${MB:-100}
runs=${RUNS:-5}
export LC_ALL=C.UTF-8

for tool in podofosign qpdf pdfsig; do
    if ! command -v "$tool" >/dev/null; then
        echo "sign_bench: $tool is missing (scripts/setup installs it)" >&2
        exit 2
    fi
done
if [[ ! -x /usr/bin/time ]]; then
    echo "sign_bench: /usr/bin/time is missing (apt-get install time)" >&2
    exit 2
fi

if [[ -z "${SIGN_PDF:-}" ]]; then
    build=${BUILD_DIR:-$root/build-bench}
    echo "building bench_sign_pdf in $build ..." >&2
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" -j2 --target bench_sign_pdf >/dev/null
    SIGN_PDF=$build/tests/bench_sign_pdf
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/signet-sign-bench.XXXXXX")
if [[ "${KEEP:-}" == 1 ]]; then
    echo "keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi

echo "making a $mb MB document, prepared and certified ..." >&2
"$SIGN_PDF" make "$tmp/doc" "$mb" "$root/tests/fixtures/sig.png" >&2
doc=$tmp/doc
input_bytes=$(stat -c %s "$doc/certified.pdf")

run_signet() {
    "$SIGN_PDF" sign "$doc" "$tmp/signet.pdf" >/dev/null
}
run_podofo() {
    podofosign -in "$doc/certified.pdf" -out "$tmp/podofo.pdf" -cert "$doc/signer.crt" \
        -pkey "$doc/signer.key" -password bench -digest SHA256 \
        -field-name client_signature -field-use-existing -reason "I agree" >/dev/null
}

# measure NAME FUNCTION: one run under /usr/bin/time, appending
# "wall user sys maxrss_kb" to $tmp/NAME.
measure() {
    rm -f "$tmp/$1.pdf"
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" bash -c "$(declare -f "$2"); $(declare -p SIGN_PDF doc tmp); $2"
    tail -n 1 "$tmp/time" >>"$tmp/$1.times"
}

: >"$tmp/signet.times"
: >"$tmp/podofo.times"
run_signet
run_podofo  # warm-up: the input in the page cache for both
for ((i = 0; i < runs; i++)); do
    measure signet run_signet
    measure podofo run_podofo
done

# median COLUMN FILE
median() { awk -v c="$1" '{ print $c }' "$2" | sort -g | sed -n "$(((runs + 1) / 2))p"; }
fastest() { awk -v c="$1" '{ print $c }' "$2" | sort -g | head -n 1; }
cpu_median() { awk '{ print $2 + $3 }' "$1" | sort -g | sed -n "$(((runs + 1) / 2))p"; }

s_wall=$(median 1 "$tmp/signet.times")
p_wall=$(median 1 "$tmp/podofo.times")
s_cpu=$(cpu_median "$tmp/signet.times")
p_cpu=$(cpu_median "$tmp/podofo.times")
s_rss=$(median 4 "$tmp/signet.times")
p_rss=$(median 4 "$tmp/podofo.times")

echo
echo "one signing step on a $((input_bytes / 1000000)) MB PDF ($input_bytes bytes)," \
     "$runs runs each after a warm-up"
printf '%-12s %12s %12s %12s %12s\n' tool "wall median" "wall min" "CPU median" "peak RSS"
printf '%-12s %10.2f s %10.2f s %10.2f s %9.1f MB\n' signet "$s_wall" \
    "$(fastest 1 "$tmp/signet.times")" "$s_cpu" "$(awk -v k="$s_rss" 'BEGIN { print k / 1024 }')"
printf '%-12s %10.2f s %10.2f s %10.2f s %9.1f MB\n' podofosign "$p_wall" \
    "$(fastest 1 "$tmp/podofo.times")" "$p_cpu" "$(awk -v k="$p_rss" 'BEGIN { print k / 1024 }')"
awk -v sw="$s_wall" -v pw="$p_wall" -v sc="$s_cpu" -v pc="$p_cpu" -v sr="$s_rss" -v pr="$p_rss" \
    'BEGIN {
        printf "signet / podofosign: wall %.2fx (target <= 0.50x), CPU %.2fx, peak RSS %.2fx\n",
               sw / (pw > 0 ? pw : 0.01), sc / (pc > 0 ? pc : 0.01), sr / pr
        printf "signet peak RSS: %.1f MB (target <= 64 MB)\n", sr / 1024
    }'

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
s_ok=$(awk -v sw="$s_wall" -v pw="$p_wall" 'BEGIN { if (sw <= 0.5 * pw) print "ok" }')
check "signet wall time <= 0.5x podofosign's" "$s_ok"
check "signet peak RSS <= 64 MB" "$([[ $s_rss -le 65536 ]] && echo ok)"
for tool in signet podofo; do
    out=$tmp/$tool.pdf
    check "$tool: qpdf --check" "$(qpdf --check "$out" >"$tmp/qpdf.log" 2>&1 && echo ok)"
    # Two signatures: the seal's certification and this step's.
    valid=$(pdfsig "$out" 2>&1 | grep -c 'Signature is Valid' || true)
    check "$tool: pdfsig calls both signatures valid ($valid)" "$([[ $valid == 2 ]] && echo ok)"
done
prefix_ok=$(cmp -n "$input_bytes" "$doc/certified.pdf" "$tmp/signet.pdf" >/dev/null && echo ok)
check "signet's output starts with the input unchanged (an incremental update)" "$prefix_ok"

echo
echo "signet's phases (one more run):"
rm -f "$tmp/signet.pdf"  # written as a new file
SIGNET_BENCH_PHASES=1 "$SIGN_PDF" sign "$doc" "$tmp/signet.pdf" >/dev/null
exit $status
