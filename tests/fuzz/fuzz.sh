#!/usr/bin/env bash
# Runs verify_fuzz over the seed corpus (tests/fuzz/corpus) for a while; the
# ctest test fuzz.verify_short runs it short. New inputs go to a temporary
# directory, so the seed corpus in the source tree stays as it is; a crash
# leaves its input in $FUZZ_ARTIFACTS (default: the temporary directory, kept
# then and printed).
#
#   tests/fuzz/fuzz.sh FUZZER [LIBFUZZER OPTION...]
#   tests/fuzz/fuzz.sh build-e/fuzz/verify_fuzz -runs=2000 -max_total_time=60
#
# Fails on a crash, a hang (-timeout=10 s per input), memory beyond
# -rss_limit_mb=512 or a verdict the target refuses.
set -u
fuzzer=${1:?usage: fuzz.sh FUZZER [OPTION...]}
shift
fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-fuzz.XXXXXX")
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$work/new" "$artifacts"
# Leaks: qpdf and OpenSSL keep process-wide caches; what matters here is
# memory that grows per input, which -rss_limit_mb catches.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# In the work directory: with -jobs, libFuzzer writes fuzz-N.log there.
cd "$work" || exit 2
"$fuzzer" -timeout=10 -rss_limit_mb=512 -max_len=262144 -print_final_stats=1 \
    -dict="$here/verify_fuzz.dict" -artifact_prefix="$artifacts/" "$@" "$work/new" "$here/corpus"
status=$?
if ((status != 0)); then
    tail -n 50 "$work"/fuzz-*.log 2>/dev/null
fi
if ((status == 0)); then
    rm -rf "$work"
else
    echo "fuzz.sh: the fuzzer failed (status $status); its input is in $artifacts" >&2
fi
exit "$status"
