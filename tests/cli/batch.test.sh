#!/usr/bin/env bash
# sign --batch: after a bulk send the company's signatory signs every
# envelope waiting for them after one code, one review and one consent;
# each envelope still gets its own signature, audit event and next
# invitations; an interrupted batch resumes (issue 5, item 8).
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

# Envelopes for four clients, all signed first by the same director.
ids=()
for client in "Пётр Иванов" "Zofia Wójcik" "Jürgen Groß" "Chiara Rossi"; do
    id=$(signet create "$FIXTURES/contract.pdf" --title "Faktura dla $client" \
        --party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,kind=organization,stamp=required,auth=sms,phone=+48 601 000 001' \
        --party "role=client,name=$client,email=client$RANDOM@example.test,order=2")
    signet add-field "$id" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
    signet add-field "$id" --type stamp --role company --page last --rect 260,90,110,110 >/dev/null
    signet add-field "$id" --type signature --role client --page last --rect 380,100,180,50 >/dev/null
    ids+=("$id")
done
# Another envelope for someone else: never part of Anna's batch.
other=$(signet create "$FIXTURES/contract.pdf" --title "Not Anna's" \
    --party 'role=company,name=Jan Kowalski,email=jan@acme.test,order=1')
signet add-field "$other" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet send "${ids[@]}" "$other" >/dev/null 2>&1
anna_token=$(next_token "${ids[0]}")

# The director signed one envelope on its own already: a batch interrupted
# after it, or a signature before the batch; it is not signed twice.
first_token=$(next_token "${ids[1]}")
sign_as_next "${ids[1]}" --signature-image "$FIXTURES/sig.png" --stamp "$FIXTURES/stamp.png" --agree

expect "--batch with an envelope id is bad usage" 2 --unchanged --error 'give no ENVELOPE' -- \
    signet sign "${ids[0]}" --batch --token "$anna_token"
expect "the batch asks for a code for the token's party" 0 --out 'sent by SMS to \+48\*+001' -- \
    env SIGNET_NOW=2026-11-23T09:05:00Z "$SIGNET" sign --batch --token "$anna_token" --send-code
code=$(code_in "$(outbox_newest code)")
expect "without the stamp nothing is signed (every envelope checked first)" 2 --unchanged \
    --err 'signet: error: .*missing the stamp' -- signet sign --batch --token "$anna_token" --code "$code" \
    --signature-image "$FIXTURES/sig.png" --agree
expect "without consent nothing is signed" 2 --unchanged --err 'signet: error: .*consent' -- \
    signet sign --batch --token "$anna_token" --code "$code" \
    --signature-image "$FIXTURES/sig.png" --stamp "$FIXTURES/stamp.png"
expect "a wrong code signs nothing" 4 --err 'signet: error: wrong code' -- \
    signet sign --batch --token "$anna_token" --code 000000 \
    --signature-image "$FIXTURES/sig.png" --stamp "$FIXTURES/stamp.png" --agree
expect "the batch lists the three envelopes still waiting for Anna and signs them" 0 \
    --out '^3 envelope\(s\) wait for Anna Nowak' --out 'Faktura dla Jürgen Groß' \
    --no-out "Not Anna's" --no-out "${ids[1]}" --out 'Signed 3 envelope' -- \
    signet sign --batch --token "$anna_token" --code "$code" \
    --signature-image "$FIXTURES/sig.png" --stamp "$FIXTURES/stamp.png" --agree
for id in "${ids[@]}"; do
    check "$id: the company signed, the client is invited" \
        test "$(sql "SELECT group_concat(p.status) FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.id='$id' ORDER BY p.position")" = "signed,invited"
    check "$id: its own signed revision and audit event" \
        test "$(sql "SELECT count(*) FROM events v JOIN envelopes e ON e.seq = v.envelope_seq WHERE e.id='$id' AND v.action='signed'")" = 1
done
check "the other signatory's envelope is untouched" \
    test "$(envelope_status "$other")" = sent
check "each client got an invitation" test "$(grep -l 'asks you to sign' "$SIGNET_HOME"/outbox/*invitation*.eml | wc -l)" -ge 5
check "the batch events say how the signer was authenticated" \
    test "$(sql "SELECT count(*) FROM events WHERE action='signed' AND json_extract(details, '\$.authenticated_by') LIKE 'batch:%'")" = 3
pdf=$(document "${ids[0]}")
check "each batch-signed PDF passes qpdf --check" qpdf --check "$pdf"
check "... and pdfsig calls its signatures valid" sh -c "test \$(pdfsig '$pdf' 2>/dev/null | grep -c 'Signature is Valid') = 2"
expect "... and signet verify too" 0 -- signet verify "$pdf"
expect "the anchor's token is spent after the batch" 4 -- \
    signet sign --batch --token "$anna_token" --code "$code" --agree
expect "the token of the envelope signed before the batch is spent too" 4 --err 'used already' -- \
    signet sign --batch --token "$first_token" --code "$code" --agree
