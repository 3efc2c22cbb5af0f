#!/usr/bin/env bash
# An auditor's check of a folder of signed PDFs: every PDF under FOLDER is
# verified with `signet verify --json` (byte ranges, CMS, signer chain,
# every change after each signature), one line per file, then how many
# files got each verdict.
#
#   examples/audit-folder.sh FOLDER [--trust CA.pem]...
#
# Needs signet (or SIGNET=path/to/signet) and jq; no store is needed (with
# one, its CA is trusted too). Exits as `signet verify` does, with the most
# serious verdict: 0 all valid, 1 a file invalid, 2 a file unreadable, 3 a
# signer not trusted.
set -euo pipefail
signet=${SIGNET:-signet}
folder=${1:?usage: audit-folder.sh FOLDER [--trust CA.pem]...}
shift

mapfile -d '' pdfs < <(find "$folder" -type f -iname '*.pdf' -print0 | sort -z)
if ((${#pdfs[@]} == 0)); then
    echo "audit-folder: no PDF under $folder" >&2
    exit 2
fi
status=0
report=$("$signet" verify --json "$@" -- "${pdfs[@]}") || status=$?
if [[ -z "$report" ]]; then
    exit "$status"  # signet said why on stderr
fi
# VERDICT  FILE  signers, or why not valid
jq -r '.files[] | [.verdict, .file,
    (if .verdict == "valid" then ([.signatures[].signer.name] | join(", "))
     else ((.reasons + [.signatures[].reasons[]]) | unique | join("; ")) end)] | @tsv' <<<"$report"
jq -r '[.files[].verdict] | group_by(.) | map("\(length) \(.[0])") | "verdicts: " + join(", ")' <<<"$report"
exit "$status"
