#!/usr/bin/env bash
# The end-to-end demo: a store in a fresh directory and the reference
# scenario on one envelope: the director signs first (signature image and
# stamp), then the client (an address and a typed signature), every party
# gets the result, and the signed PDF is verified.
#
#   SIGNET=path/to/signet examples/demo.sh      (scripts/setup demo runs it)
#
# The store is left in place so you can look around; its path is printed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
signet=${SIGNET:-signet}
# The demo store's keys are encrypted with this passphrase (use your own).
export SIGNET_KEY_PASSPHRASE=${SIGNET_KEY_PASSPHRASE:-demo-passphrase}
export SIGNET_HOME=${SIGNET_DEMO_HOME:-$(mktemp -d /tmp/signet-demo.XXXXXX)/store}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() {
    printf '$ %s\n' "$*"
    "$@"
}

step "1. A store (SQLite in WAL mode, documents, outbox) in $SIGNET_HOME"
show "$signet" init --org "ACME Sp. z o.o."

step "2. An envelope: the director signs first (with a stamp), then the client"
id=$(
    "$signet" create "$here/act-of-work.pdf" \
        --title "Act of completed work No. 17 — Łódź" \
        --party "role=company,name=Anna Nowak,email=anna@acme.test,order=1,kind=organization,stamp=required" \
        --party "role=client,\"name=Пётр Иванов, ООО Вектор\",phone=+48 601 234 567,order=2,auth=sms"
)
echo "created envelope $id"

step "3. Fields, placed on the page as it is displayed"
show "$signet" add-field "$id" --type signature --role company --page last --rect 72,140,180,50 --name director_signature
show "$signet" add-field "$id" --type stamp --role company --page last --unit mm --rect 95,30,40,40 --name company_stamp
show "$signet" add-field "$id" --type text --role client --page 1 --rect 72,80,250,18 --name client_address --label "Your address"
show "$signet" add-field "$id" --type date_signed --role client --page last --rect 330,120,120,18
show "$signet" add-field "$id" --type signature --role client --page last --rect 330,140,180,50 --name client_signature

step "4. The envelope in detail"
show "$signet" status "$id"

step "5. The same for scripts (JSON, first lines)"
"$signet" status "$id" --json | head -n 12
echo "  ..."

step "6. Bad input is refused with exit 2 and nothing written"
set +e
"$signet" add-field "$id" --type signature --role notary --page 1 --rect 10,10,100,40
echo "exit status: $?"
"$signet" add-field "$id" --type text --role client --page 9 --rect 10,10,100,20
echo "exit status: $?"
set -e

step "7. The board: which envelope waits for whom"
show "$signet" status --board

step "8. Send: the document is prepared, certified with the seal, the director invited"
show "$signet" send "$id"
echo "invitation in the outbox:"
ls "$SIGNET_HOME"/outbox/

# What a signer copies from a message: the token from the invitation, the
# one-time code from the code message (files in the outbox, newest first).
newest() { ls -t "$SIGNET_HOME"/outbox/*"$1"* | head -n 1; }
token_in() { grep -aEo -- '--token [a-z2-7]{26}' "$1" | head -n 1 | cut -d' ' -f2; }
code_in() { grep -aEo '^    [0-9]{6}|signet( code|:) [0-9]{6}' "$1" | grep -Eo '[0-9]{6}' | head -n 1; }

step "9. The director signs with a signature image and the company stamp"
director_token=$(token_in "$(newest invitation)")
# The token could also come from SIGNET_TOKEN or be typed at the prompt.
show "$signet" sign "$id" --token "$director_token" --send-code
show "$signet" sign "$id" --token "$director_token" --code "$(code_in "$(newest code)")" \
    --signature-image "$here/signature.png" --stamp "$here/stamp.png" --agree
echo "only now is the client invited, by SMS:"
cat "$(newest invitation)"

step "10. The client fills the address and signs with a typed name"
client_token=$(token_in "$(newest invitation)")
# Another minute: one code a minute at most.
export SIGNET_NOW=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
show "$signet" sign "$id" --token "$client_token" --send-code
show "$signet" sign "$id" --token "$client_token" --code "$(code_in "$(newest code)")" \
    --field "client_address=ul. Piotrkowska 104, 90-001 Łódź" \
    --signature-text "Пётр Иванов" --agree

step "11. Completed: every party got the signed PDF (e-mail) or a notice (SMS)"
show "$signet" status "$id"
ls "$SIGNET_HOME"/outbox/ | grep completed
out=$(dirname "$SIGNET_HOME")/signed.pdf
show "$signet" export "$id" --out "$out" --certificate "$(dirname "$SIGNET_HOME")/certificate.pdf"

step "12. Anyone can check that nobody changed the terms or the amount"
show qpdf --check "$out"
pdfsig "$out" 2>/dev/null | grep -E 'Field Name|Common Name|Signature Validation' || true
show "$signet" verify "$out"
show "$signet" audit "$id" --check

step "Where to look"
cat <<EOT
  store:        $SIGNET_HOME   (signet.db, config.yaml, keys/, documents/, outbox/)
  outbox:       $SIGNET_HOME/outbox   (invitations, codes, the completion mails with the PDF)
  signed PDF:   $out
  certificate:  $(dirname "$SIGNET_HOME")/certificate.pdf
  envelope:     $id
  try:          SIGNET_HOME=$SIGNET_HOME $signet audit $id
  manuals:      man/signet.1 and man/signet-*.1 (man -l man/signet.1)
EOT
