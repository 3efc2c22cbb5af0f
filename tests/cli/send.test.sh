#!/usr/bin/env bash
# send: readiness checks, the prepared and certified document, the
# invitation in the outbox and its token (issue 3, item 2).
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

new_envelope() {
    signet create "$FIXTURES/contract.pdf" --title "Акт № 17 — Łódź" \
        --party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required' \
        --party 'role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2'
}
id=$(new_envelope)

# --- not ready: refused, nothing written --------------------------------------
expect "a signing party without a signature field is refused" 2 --unchanged \
    --error "envelope $id: party \"company\" signs but has no signature field" -- signet send "$id"
signet add-field "$id" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$id" --type signature --role client --page last --rect 360,100,180,50 >/dev/null
expect "a party that must stamp without a stamp field is refused" 2 --unchanged \
    --error "party \"company\" must stamp but has no stamp field" -- signet send "$id"
signet add-field "$id" --type stamp --role company --page last --rect 260,90,110,110 >/dev/null
signet add-field "$id" --type text --role client --page 1 --rect 72,500,250,18 --name client_address >/dev/null
signet add-field "$id" --type number --page 1 --rect 72,640,200,16 --name amount --value "12 300,00" >/dev/null

other=$(new_envelope)
expect "several envelopes are checked before any is sent" 2 --unchanged \
    --error "envelope $other: party \"company\" signs but has no signature field" -- signet send "$id" "$other"
expect "an unknown envelope is refused" 2 --unchanged --error 'no envelope "zzzzzzzz"' -- signet send zzzzzzzz

# --- sent ------------------------------------------------------------------------
expect "send invites the company first and warns about one channel" 0 \
    --out "^$id: sent; invited company\$" --err 'warning: .*invitation and the one-time code by e-mail' -- \
    signet send "$id"
check "the envelope is sent" test "$(sql "SELECT status FROM envelopes WHERE id='$id'")" = sent
check "the company is invited, the client waits" \
    test "$(sql "SELECT group_concat(p.role || '=' || p.status) FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.id='$id'")" = "company=invited,client=waiting"
check "it expires in 14 days" \
    test "$(sql "SELECT expires_at - waiting_since FROM envelopes WHERE id='$id'")" = 1209600
expect "status shows it sent, waiting for the company, 2 revisions" 0 -- signet status "$id" --json
json_check "status and revisions" 'd["status"] == "sent" and d["document"]["revisions"] == 2 and d["expires_at"] == "2026-12-07T09:00:00Z" and d["document"]["current_sha256"] != d["document"]["sha256"]'

sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id='$id'")
pdf=$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf
check "the certified document is stored under its hash" test "$(sha256sum < "$pdf" | cut -c1-64)" = "$sha"
check "qpdf --check passes" qpdf --check "$pdf"
check "pdfsig calls the seal's certification valid" sh -c "pdfsig '$pdf' | grep -q 'Signature is Valid'"
check "the certification is signed by the organisation" sh -c "pdfsig '$pdf' | grep -q 'Common Name: ACME Sp. z o.o.'"
check "the prepared document has no object streams" sh -c "! grep -aq ObjStm '$pdf'"
check "every field is in the PDF" sh -c "pdfsig '$pdf' | grep -q 'Field Name: client_signature'"

eml=$(ls "$SIGNET_HOME"/outbox/*invitation*.eml)
check "one invitation, by e-mail, to the company" test "$(ls "$SIGNET_HOME"/outbox | wc -l)" = 1
check "... To: names the director" grep -q '^To: Anna Nowak <anna@acme.test>' "$eml"
check "... with the exact command line" sh -c "tr -d '\\r' < '$eml' | grep -Eq '^    signet sign $id --token [a-z2-7]{26}\$'"
check "... and the document's SHA-256" sh -c "tr -d '=\r\n' < '$eml' | grep -q '$sha'"
check "... mode 0600" test "$(stat -c %a "$eml")" = 600
token=$(grep -Eo -- "--token [a-z2-7]{26}" "$eml" | cut -d' ' -f2)
check "the token is not in the database or its WAL" \
    sh -c "! grep -qa '$token' '$SIGNET_HOME/signet.db' '$SIGNET_HOME/signet.db-wal' 2>/dev/null"
check "only its hash is" test "$(sql "SELECT count(*) FROM parties WHERE token_hash = '$(printf %s "$token" | sha256sum | cut -c1-64)'")" = 1

expect "sending again is a no-op" 0 --out "^$id: already sent \\(sent\\)\$" --unchanged -- signet send "$id"
expect "fields cannot be added once sent" 5 --unchanged --error 'only to a draft' -- \
    signet add-field "$id" --type text --role client --page 1 --rect 10,10,50,20
expect "send --json reports each envelope" 0 -- signet send "$id" --json
json_check "already sent in JSON" 'd == {"schema": 1, "envelopes": [{"id": "'"$id"'", "status": "sent", "already_sent": True, "invited": []}]}'


# --- a failing mail hook: sent all the same, the message kept for a retry ----
id2=$(new_envelope)
signet add-field "$id2" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$id2" --type signature --role client --page last --rect 360,100,180,50 >/dev/null
signet add-field "$id2" --type stamp --role company --page last --rect 260,90,110,110 >/dev/null
cat >>"$SIGNET_HOME/config.yaml" <<'YAML'
delivery:
  mail: {transport: command, command: [sh, -c, "echo relay refused >&2; exit 1"], timeout: 10}
YAML
expect "a failed delivery gives 75 after the envelope is sent" 75 --err 'could not be delivered' -- \
    signet send "$id2"
check "... the envelope is sent" test "$(sql "SELECT status FROM envelopes WHERE id='$id2'")" = sent
expect "status shows the undelivered invitation with its error" 0 -- signet status "$id2" --json
json_check "undelivered: one invitation to the company, the hook's stderr kept" \
    'len(d["undelivered"]) == 1 and d["undelivered"][0]["to"] == "anna@acme.test" and d["undelivered"][0]["attempts"] == 1 and "relay refused" in d["undelivered"][0]["last_error"]'
expect "the list shows the same undelivered message as the detail view" 0 -- signet status --json
json_check "list and detail agree" \
    '[x for x in d["envelopes"] if x["id"] == "'"$id2"'"][0]["undelivered"][0]["to"] == "anna@acme.test"'
