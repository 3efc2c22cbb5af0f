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
    --out '^3 envelopes wait for Anna Nowak:' --out 'Faktura dla Jürgen Groß' \
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

# --- the images: decoded once, drawn into every envelope ---------------------------------
# The batch encodes the signature and stamp PNGs once and gives each
# document its own image objects with those bytes: every envelope of the
# batch shows both, and each PDF stands on its own.
for id in "${ids[0]}" "${ids[2]}" "${ids[3]}"; do
    signed=$(document "$id")
    before=$(document "$id" "$(($(sql "SELECT revisions FROM envelopes WHERE id='$id'") - 1))")
    check "$id: qpdf --check passes" qpdf --check "$signed"
    check "$id: pdfsig calls both signatures valid" \
        sh -c "test \$(pdfsig '$signed' 2>/dev/null | grep -c 'Signature is Valid') = 2"
    pdftoppm -r 50 -f 3 -l 3 -singlefile "$before" "$TEST_TMP/before-$id"
    pdftoppm -r 50 -f 3 -l 3 -singlefile "$signed" "$TEST_TMP/signed-$id"
    check "$id: the signature and the stamp are drawn in their fields" py - \
        "$TEST_TMP/before-$id.ppm" "$TEST_TMP/signed-$id.ppm" <<'PY'
import sys
def ppm(path):
    data = open(path, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    return int(parts[1]), int(parts[2]), data[pos + 1:]
w, h, before = ppm(sys.argv[1])
_, _, after = ppm(sys.argv[2])
s = 50 / 72
problems = []
for name, (x, y, fw, fh) in {"signature": (72, 100, 180, 50), "stamp": (260, 90, 110, 110)}.items():
    changed = 0
    for py in range(int(h - (y + fh) * s), int(h - y * s)):
        for px in range(int(x * s), int((x + fw) * s)):
            i = 3 * (py * w + px)
            changed += before[i:i + 3] != after[i:i + 3]
    if changed < 20:
        problems.append("%s: only %d pixels changed" % (name, changed))
sys.exit("; ".join(problems) if problems else 0)
PY
done

# --- parallel parties and the completion seal in a batch --------------------------------
# Anna signs one envelope twice, as two parties of the same turn (the
# second step is written again on top of the first), which completes it:
# the organisation seals it. The anchor's envelope still comes last.
ANNA_SMS='name=Anna Nowak,email=anna@acme.test,order=1,auth=sms,phone=+48 601 000 001'
both=$(signet create "$FIXTURES/contract.pdf" --title "Anna twice" \
    --party "role=company,$ANNA_SMS" --party "role=accountant,$ANNA_SMS")
signet add-field "$both" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$both" --type signature --role accountant --page last --rect 300,100,180,50 >/dev/null
anchor=$(signet create "$FIXTURES/contract.pdf" --title "Anchor" \
    --party "role=company,$ANNA_SMS" --party 'role=client,name=Ola Lis,email=ola@example.test,order=2')
signet add-field "$anchor" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$anchor" --type signature --role client --page last --rect 300,100,180,50 >/dev/null
signet send "$both" "$anchor" >/dev/null 2>&1
anchor_token=$(next_token "$anchor")
"$SIGNET" sign --batch --token "$anchor_token" --send-code >/dev/null 2>&1
code=$(code_in "$(outbox_newest code)")
expect "a batch with both of Anna's parties of one envelope signs all three steps" 0 \
    --out '^3 envelopes wait for Anna Nowak:' --out 'Signed 3 envelope' -- \
    signet sign --batch --token "$anchor_token" --code "$code" --signature-text "Anna Nowak" --agree
check "the envelope signed twice is completed" test "$(envelope_status "$both")" = completed
check "... both of its parties signed" \
    test "$(party_status "$both" company),$(party_status "$both" accountant)" = "signed,signed"
sealed=$(document "$both")
check "... sealed: pdfsig calls all four signatures valid (certification, two parties, seal)" \
    sh -c "test \$(pdfsig '$sealed' 2>/dev/null | grep -c 'Signature is Valid') = 4"
check "... qpdf --check passes" qpdf --check "$sealed"
expect "... signet verify --check-store agrees" 0 -- signet verify --check-store "$sealed"
expect "... its audit trail checks out" 0 -- signet audit "$both" --check
check "the anchor's envelope was recorded after every other one" \
    test "$(sql "SELECT e.id FROM events v JOIN envelopes e ON e.seq = v.envelope_seq WHERE v.action = 'signed' ORDER BY v.seq DESC LIMIT 1")" = "$anchor"

# --- killed mid-batch (kill -9), then run again ---------------------------------------------
# 60 envelopes from the act of completed work for another director. The
# batch delivers the clients' invitations every 50 envelopes; a mail
# command that kills signet stops it there, with the anchor's envelope not
# signed yet, so that the same command signs the rest: none twice.
W=$TEST_TMP/kill
mkdir -p "$W"
cp "$SOURCE_DIR/templates/act-of-work.pdf" "$SOURCE_DIR/templates/act-of-work.yaml" "$W/"
{
    echo 'deal.number;deal.date;deal.work;deal.amount;deal.currency;company.name;company.director;company.email;client.name;client.email;client.phone'
    for i in $(seq 1 60); do
        printf '2026/K/%s;23.11.2026;Works;100,00;PLN;ACME Sp. z o.o.;Ewa Kos;ewa@acme.test;Klient %s;k%s@example.pl;+48 602 000 %03d\n' \
            "$i" "$i" "$i" "$i"
    done
} >"$W/deals.csv"
signet send --template "$W/act-of-work.yaml" --bulk "$W/deals.csv" >/dev/null 2>&1
kill_anchor=$(sql "SELECT id FROM envelopes WHERE title LIKE '%2026/K/7'")
ewa_token=$(next_token "$kill_anchor")
"$SIGNET" sign --batch --token "$ewa_token" --send-code >/dev/null 2>&1
ewa_code=$(code_in "$(outbox_newest code)")
cp "$SIGNET_HOME/config.yaml" "$W/config.yaml"
cat >>"$SIGNET_HOME/config.yaml" <<'YAML'
delivery:
  mail: {transport: command, command: [sh, -c, "kill -9 $PPID; exit 1"], timeout: 10}
  sms: {transport: command, command: [sh, -c, "kill -9 $PPID; exit 1"], timeout: 10}
YAML
batch_args=(--token "$ewa_token" --code "$ewa_code" --signature-image "$FIXTURES/sig.png"
    --stamp "$FIXTURES/stamp.png" --agree)
"$SIGNET" sign --batch "${batch_args[@]}" >/dev/null 2>&1 &
wait $! 2>/dev/null
killed=$?
signed_of_ewa() {
    sql "SELECT count(*) FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.title LIKE 'Act of completed work No. 2026/K/%' AND p.role = 'company' AND p.status = 'signed'"
}
check "the batch was killed (by its mail command) at its first delivery" test "$killed" = 137
first_run=$(signed_of_ewa)
check "... after at least 50 envelopes were recorded, not all 60" \
    test "$first_run" -ge 50 -a "$first_run" -lt 60
check "... the anchor's envelope not among them: its token still opens the batch" \
    test "$(party_status "$kill_anchor" company)" != signed
cp "$W/config.yaml" "$SIGNET_HOME/config.yaml"
expect "the same command signs the rest" 0 --out "^Podpisano: $((60 - first_run)) koper(ta|ty|t)," -- \
    signet sign --batch "${batch_args[@]}"
check "... every envelope signed by the director" test "$(signed_of_ewa)" = 60
check "... each once: one signature event and one signed revision per envelope" \
    test "$(sql "SELECT count(*) FROM envelopes e WHERE e.title LIKE 'Act of completed work No. 2026/K/%' AND (SELECT count(*) FROM events v WHERE v.envelope_seq = e.seq AND v.action = 'signed') = 1 AND (SELECT count(*) FROM revisions r WHERE r.envelope_seq = e.seq AND r.kind = 'signed') = 1")" = 60
check "... each client invited once" \
    test "$(sql "SELECT count(*) FROM messages m JOIN envelopes e ON e.seq = m.envelope_seq WHERE e.title LIKE 'Act of completed work No. 2026/K/%' AND m.kind = 'invitation' AND m.party_role = 'client'")" = 60
check "... the anchor's envelope last" \
    test "$(sql "SELECT e.id FROM events v JOIN envelopes e ON e.seq = v.envelope_seq WHERE v.action = 'signed' ORDER BY v.seq DESC LIMIT 1")" = "$kill_anchor"
some=$(sql "SELECT id FROM envelopes WHERE title LIKE '%2026/K/3'")
check "... a PDF signed before the kill passes pdfsig" \
    sh -c "test \$(pdfsig '$(document "$some")' 2>/dev/null | grep -c 'Signature is Valid') = 2"

# --- one envelope fails to record mid-batch ------------------------------------------------
# (A trigger makes recording the 5th envelope fail, as a disk error or a
# concurrent change would.) The envelopes before it stay signed, it and
# those after it are not touched, and a re-run signs them.
{
    echo 'deal.number;deal.date;deal.work;deal.amount;deal.currency;company.name;company.director;company.email;client.name;client.email;client.phone'
    for i in $(seq 1 12); do
        printf '2026/F/%s;23.11.2026;Works;100,00;PLN;ACME Sp. z o.o.;Iga Bąk;iga@acme.test;Klient %s;f%s@example.pl;+48 603 000 %03d\n' \
            "$i" "$i" "$i" "$i"
    done
} >"$W/fail.csv"
signet send --template "$W/act-of-work.yaml" --bulk "$W/fail.csv" >/dev/null 2>&1
iga_anchor=$(sql "SELECT id FROM envelopes WHERE title LIKE '%2026/F/1'")
iga_token=$(next_token "$iga_anchor")
"$SIGNET" sign --batch --token "$iga_token" --send-code >/dev/null 2>&1
iga_code=$(code_in "$(outbox_newest code)")
fifth=$(sql "SELECT seq FROM envelopes WHERE title LIKE '%2026/F/%' AND id != '$iga_anchor' ORDER BY seq LIMIT 1 OFFSET 4")
sql "CREATE TRIGGER test_fail_fifth BEFORE UPDATE OF status ON parties
     WHEN NEW.envelope_seq = $fifth AND NEW.status = 'signed'
     BEGIN SELECT RAISE(ABORT, 'test: cannot record this one'); END"
iga_args=(--token "$iga_token" --code "$iga_code" --signature-image "$FIXTURES/sig.png"
    --stamp "$FIXTURES/stamp.png" --agree)
iga_signed() {
    sql "SELECT group_concat(e.seq - $fifth) FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.title LIKE '%2026/F/%' AND p.role = 'company' AND p.status = 'signed' ORDER BY e.seq"
}
expect "a batch whose 5th envelope cannot be recorded fails there (internal error)" 70 \
    --err 'cannot record this one' -- signet sign --batch "${iga_args[@]}"
check "... the four before it are signed, it and those after it are not" \
    test "$(iga_signed)" = "-4,-3,-2,-1"
check "... nothing of the failed one is recorded" \
    test "$(sql "SELECT count(*) FROM events WHERE envelope_seq = $fifth AND action = 'signed'"),$(sql "SELECT count(*) FROM revisions WHERE envelope_seq = $fifth AND kind = 'signed'")" = "0,0"
sql "DROP TRIGGER test_fail_fifth"
expect "the re-run signs the other eight" 0 --out 'Podpisano: 8 kopert,' -- \
    signet sign --batch "${iga_args[@]}"
check "... each of the twelve signed once" \
    test "$(sql "SELECT count(*) FROM events v JOIN envelopes e ON e.seq = v.envelope_seq WHERE e.title LIKE '%2026/F/%' AND v.action = 'signed'")" = 12
