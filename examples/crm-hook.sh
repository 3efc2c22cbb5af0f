#!/usr/bin/env bash
# A CRM automation hook: when a deal reaches a stage, the CRM runs
#
#   examples/crm-hook.sh STAGE [DEAL.json]      (or the deal's JSON on stdin)
#
# and the stage's document is made from its template with the deal as the
# data row, then sent. Idempotent by the deal: the template's key (the
# deal's number) makes a repeated call return the envelope made before,
# and sending a sent envelope is a no-op, so the CRM may retry freely.
# Stages without a document are ignored. Edit the table to your pipeline.
#
# Needs signet (or SIGNET=path/to/signet) and its store (SIGNET_HOME) with
# SIGNET_KEY_PASSPHRASE set for the seal. Prints the envelope id. Exits as
# signet does: 0 sent (now or before), 2 the deal lacks what the template
# needs (nothing made; signet names the key), 75 try again later.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
signet=${SIGNET:-signet}
templates=${SIGNET_TEMPLATES:-$here/../templates}
stage=${1:?usage: crm-hook.sh STAGE [DEAL.json]}

case $stage in
nda) template=$templates/nda.yaml ;;
won) template=$templates/invoice.yaml ;;
work-accepted) template=$templates/act-of-work.yaml ;;
*)
    echo "crm-hook: stage \"$stage\" has no document; nothing to do" >&2
    exit 0
    ;;
esac

deal=${2:--}
if [[ "$deal" == - ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cat >"$tmp/deal.json"
    deal=$tmp/deal.json
fi
id=$("$signet" create --template "$template" --data "$deal")
"$signet" send "$id" >&2
echo "$id"
