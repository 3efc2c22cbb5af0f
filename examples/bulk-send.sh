#!/usr/bin/env bash
# Bulk send from a CRM export: one act of completed work per row of a CSV
# (examples/deals.csv: semicolons, a byte-order mark, Polish and Cyrillic,
# as a spreadsheet saves it), each sent once. Every row is checked before
# anything is created; run it again and rows already sent are skipped, so
# an interrupted run is finished, never duplicated.
#
#   SIGNET_HOME=STORE examples/bulk-send.sh [ROWS.csv [TEMPLATE.yaml]]
#
# Needs signet (or SIGNET=path/to/signet) and jq. The key passphrase comes
# from SIGNET_KEY_PASSPHRASE or the terminal. Prints one line per row (line,
# key, envelope, status) and a summary; exits as `signet send` does: 0 every
# row sent, 2 a bad row (its line is named; nothing sent), 75 a delivery
# failed (run it again later).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
signet=${SIGNET:-signet}
rows=${1:-$here/deals.csv}
template=${2:-$here/../templates/act-of-work.yaml}
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

"$signet" template lint "$template"
status=0
"$signet" send --template "$template" --bulk "$rows" --json >"$summary" || status=$?
if [[ -s "$summary" ]]; then
    jq -r '.rows[] | [.line, .key, (.envelope // "-"), .status, (.error // "")] | @tsv' "$summary"
    jq -r '"\(.new) new, \(.already_sent) already sent, \(.failed) failed"' "$summary"
fi
exit "$status"
