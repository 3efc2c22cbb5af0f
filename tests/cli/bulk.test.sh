#!/usr/bin/env bash
# send --template FILE --bulk ROWS (issue 5, item 6): every row checked
# before anything is written, one envelope per row sent, idempotent by the
# template's key (a re-run sends nothing; a draft an interrupted run left is
# sent, not duplicated), the --json summary, the template's PDF stored once.
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

: "${SOURCE_DIR:?SOURCE_DIR must name the repository root}"
W=$TEST_TMP/work
mkdir -p "$W"
# The shipped act of completed work, with the client's name in the title.
cp "$SOURCE_DIR/templates/act-of-work.pdf" "$W/"
sed 's/^title: .*/title: "Act {{deal.number}} — {{client.name}}"/' \
    "$SOURCE_DIR/templates/act-of-work.yaml" >"$W/act.yaml"
header='deal.number;deal.date;deal.work;deal.amount;deal.currency;company.name;company.director;company.email;client.name;client.email;client.phone'
row() { # row NUMBER CLIENT EMAIL PHONE
    printf '%s;23.11.2026;"Works, stage 1";12 300,00;PLN;ACME Sp. z o.o.;Anna Nowak;anna@acme.test;%s;%s;%s\n' "$@"
}
{
    printf '\xef\xbb\xbf%s\n' "$header"
    row 2026/11/042 "Jan Kowalski" jan@example.com "+48 601 234 567"
    row 2026/11/043 "Пётр Иванов" petr@example.ru "+48 601 234 568"
    row 2026/11/044 "Żaneta Wójcik-Żółć" zaneta@example.pl "+48 601 234 569"
} >"$W/deals.csv"
outbox_count() { find "$SIGNET_HOME/outbox" -type f -name '*invitation*' | wc -l; }
envelope_count() { sql "SELECT count(*) FROM envelopes"; }

# --- usage: the two forms of send exclude each other -------------------------
expect "envelope ids and --template together are refused" 2 --unchanged \
    --error 'give envelope ids or --template FILE --bulk ROWS, not both' -- \
    signet send k7q2m9xd --template "$W/act.yaml" --bulk "$W/deals.csv"
expect "--template without --bulk is refused" 2 --unchanged --error '--template needs --bulk ROWS' -- \
    signet send --template "$W/act.yaml"
expect "--bulk without --template is refused" 2 --unchanged --error '--bulk needs --template FILE' -- \
    signet send --bulk "$W/deals.csv"
expect "send with nothing to send is refused" 2 --unchanged --error 'name at least one envelope' -- \
    signet send
grep -v '^key:' "$W/act.yaml" >"$W/nokey.yaml"
expect "a template without a key is refused: re-runs could not tell rows apart" 2 --unchanged \
    --error 'has no key: a bulk send needs one' -- signet send --template "$W/nokey.yaml" --bulk "$W/deals.csv"

# --- bad rows: every one named by its line, nothing created, nothing sent -------
{
    printf '%s\n' "$header"
    row 2026/11/042 "Jan Kowalski" jan@example.com "+48 601 234 567"
    row 2026/11/043 "Пётр Иванов" not-an-address "+48 601 234 568"
    row 2026/11/044 "Żaneta Wójcik-Żółć" zaneta@example.pl "+48 601 234 569"
    row "" "Ewa Lis" ewa@example.pl "+48 601 234 570"
    row 2026/11/042 "Jan Kowalski" jan@example.com "+48 601 234 567"
} >"$W/bad.csv"
expect "a CSV with bad rows sends nothing (exit 2, store unchanged)" 2 --unchanged \
    --error "bad.csv\": 3 of 5 rows are bad; nothing was created or sent" -- \
    signet send --template "$W/act.yaml" --bulk "$W/bad.csv"
check "... the bad e-mail address is named with its line" \
    grep -q "^hint: $W/bad.csv:3: party \"client\": email: not a valid e-mail address" "$ERR"
check "... the empty key with its line" grep -q "^hint: $W/bad.csv:5: the key is empty" "$ERR"
check "... a key given twice with both lines" \
    grep -q "^hint: $W/bad.csv:6: the key \"2026/11/042\" is also the key of line 2" "$ERR"
check "... the good rows are not listed" sh -c "! grep -q 'bad.csv:[24]:' '$ERR'"
check "... no envelope exists" test "$(envelope_count)" = 0
check "... no message in the outbox" test "$(outbox_count)" = 0
cut -d';' -f1-10 "$W/deals.csv" >"$W/short.csv"
expect "a column the template needs is missing: every row says which placeholder" 2 --unchanged \
    --error '3 of 3 rows are bad' -- signet send --template "$W/act.yaml" --bulk "$W/short.csv"
check "... naming the placeholder and where the template uses it" \
    grep -q "^hint: $W/short.csv:4: no value for {{client.phone}} (used at $W/act.yaml:" "$ERR"

# --- an interrupted run left a draft for one row --------------------------------
expect "a draft made from row 2 (as a run killed before sending leaves it)" 0 -- \
    signet create --template "$W/act.yaml" --data "$W/deals.csv" --row 2
draft=$(last_out)

# --- the good CSV: one envelope and one invitation per row ---------------------------
expect "the bulk send sends every row" 0 --no-err 'sending \[' -- \
    signet send --template "$W/act.yaml" --bulk "$W/deals.csv" --json
json_check "the summary has the documented keys" \
    'set(d) == {"schema", "template", "rows", "new", "already_sent", "failed"} and d["schema"] == 1 and d["template"] == "act-of-work"'
json_check "each row has line, key, envelope, status and error" \
    'all(set(r) == {"line", "key", "envelope", "status", "error"} for r in d["rows"])'
json_check "three new, in file order, with their lines and keys" \
    '[(r["line"], r["key"], r["status"], r["error"]) for r in d["rows"]] == [(2, "2026/11/042", "new", None), (3, "2026/11/043", "new", None), (4, "2026/11/044", "new", None)] and (d["new"], d["already_sent"], d["failed"]) == (3, 0, 0)'
json_check "the draft the interrupted run left is the one sent for its row" \
    'd["rows"][1]["envelope"] == "'"$draft"'"'
check "no duplicate: three envelopes for three rows" test "$(envelope_count)" = 3
check "all three are sent" test "$(sql "SELECT group_concat(status) FROM envelopes")" = "sent,sent,sent"
check "one invitation per row in the outbox" test "$(outbox_count)" = 3
check "Polish and Cyrillic names are intact in the titles" \
    test "$(sql "SELECT group_concat(title, '|') FROM (SELECT title FROM envelopes ORDER BY title)")" \
    = "Act 2026/11/042 — Jan Kowalski|Act 2026/11/043 — Пётр Иванов|Act 2026/11/044 — Żaneta Wójcik-Żółć"
check "... and in the invitations' subjects (RFC 2047)" \
    sh -c "grep -h '^Subject:' '$SIGNET_HOME'/outbox/*.eml | grep -q '=?UTF-8?'"
sha=$(sha256sum <"$W/act-of-work.pdf" | cut -c1-64)
check "the template's PDF is stored once for all rows" \
    test "$(find "$SIGNET_HOME/documents" -name "$sha*" | wc -l)" = 1
check "... and every envelope refers to it" \
    test "$(sql "SELECT count(*) FROM envelopes WHERE document_sha256 = '$sha'")" = 3
check "each envelope has its own certified document" \
    test "$(sql "SELECT count(DISTINCT current_sha256) FROM envelopes")" = 3
id=$(sql "SELECT id FROM envelopes WHERE title LIKE '%Żaneta%'")
cur=$(sql "SELECT current_sha256 FROM envelopes WHERE id = '$id'")
check "its certification is valid (pdfsig)" \
    sh -c "pdfsig '$SIGNET_HOME/documents/${cur:0:2}/$cur.pdf' | grep -q 'Signature is Valid'"
check "the row's value fields are filled" \
    test "$(sql "SELECT value FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id = '$id' AND f.name = 'client'")" = "Żaneta Wójcik-Żółć"
check "the audit trail says which row made it" \
    sh -c "'$SIGNET' audit '$id' --json | grep -q 'deals.csv:4'"

# --- re-runs send nothing ---------------------------------------------------------------
expect "a re-run sends nothing and says so" 0 --unchanged \
    --out "^3 rows of $W/deals.csv: 0 new, 3 already sent, 0 failed\$" -- \
    signet send --template "$W/act.yaml" --bulk "$W/deals.csv"
check "... no new invitation" test "$(outbox_count)" = 3
expect "a re-run with --json reports each row already sent with its envelope" 0 -- \
    signet send --template "$W/act.yaml" --bulk "$W/deals.csv" --json
json_check "already sent, the same envelopes" \
    '[r["status"] for r in d["rows"]] == ["already_sent"] * 3 and (d["new"], d["already_sent"], d["failed"]) == (0, 3, 0) and d["rows"][1]["envelope"] == "'"$draft"'"'

# --- more rows later: only the new ones go out; the rest are skipped ---------------------
cp "$W/deals.csv" "$W/more.csv"
row 2026/11/045 "Grzegorz Brzęczyszczykiewicz" grzegorz@example.pl "+48 601 234 571" >>"$W/more.csv"
expect "rows added to the file: only they are sent (-v lists every row)" 0 \
    --out "^$W/more.csv:5: [a-z2-9]{8}: sent \\(2026/11/045\\)\$" \
    --out "^$W/more.csv:2: [a-z2-9]{8}: already sent \\(2026/11/042\\)\$" \
    --out "^4 rows of $W/more.csv: 1 new, 3 already sent, 0 failed\$" -- \
    signet send --template "$W/act.yaml" --bulk "$W/more.csv" -v
check "... one more invitation" test "$(outbox_count)" = 4

# --- expires_in: the template's, counted from sending; else the store's ---------------------
# The shipped act of work says 14d, as the store's default does: a copy that
# says 5d, and one without expires_in under a store that says 21d.
sed -i 's/^expires_in: .*/expires_in: 21d/' "$SIGNET_HOME/config.yaml"
sed -e 's/^name: .*/name: act-5d/' -e 's/^expires_in: .*/expires_in: 5d/' "$W/act.yaml" >"$W/act-5d.yaml"
check "the 5-day copy has its own expires_in" grep -qx 'expires_in: 5d' "$W/act-5d.yaml"
expect "a bulk send from a template with expires_in: 5d" 0 -- \
    signet send --template "$W/act-5d.yaml" --bulk "$W/deals.csv" --json
json_check "three new envelopes" '(d["new"], d["already_sent"], d["failed"]) == (3, 0, 0)'
five=$(json_get 'd["rows"][2]["envelope"]')
check "each records the template's expiry" \
    test "$(sql "SELECT group_concat(DISTINCT expires_in || ' ' || timezone) FROM envelopes WHERE idempotency_key LIKE 'act-5d:%'")" = "5d Europe/Warsaw"
check "each expires exactly 5 days after it was sent, not the store's 21" \
    test "$(sql "SELECT group_concat(DISTINCT expires_at - waiting_since) FROM envelopes WHERE idempotency_key LIKE 'act-5d:%'")" = 432000
expect "status --json of one" 0 -- signet status "$five" --json
json_check "expires_at is the send time plus 5 days" \
    'd["waiting_since"] == "2026-11-23T09:00:00Z" and d["expires_at"] == "2026-11-28T09:00:00Z"'
grep -v '^expires_in:' "$W/act.yaml" | sed 's/^name: .*/name: act-plain/' >"$W/act-plain.yaml"
expect "a bulk send from a template without expires_in" 0 -- \
    signet send --template "$W/act-plain.yaml" --bulk "$W/deals.csv" --json
json_check "three new envelopes" 'd["new"] == 3'
check "none records an expiry of its own" \
    test "$(sql "SELECT count(*) FROM envelopes WHERE idempotency_key LIKE 'act-plain:%' AND expires_in IS NULL")" = 3
check "each expires after the store's 21 days" \
    test "$(sql "SELECT group_concat(DISTINCT expires_at - waiting_since) FROM envelopes WHERE idempotency_key LIKE 'act-plain:%'")" = $((21 * 86400))
sed -i 's/^expires_in: .*/expires_in: 14d/' "$SIGNET_HOME/config.yaml"

# --- killed mid-run (kill -9), then run again: every row sent once ------------------------------
{
    printf '%s\n' "$header"
    for i in $(seq 1 150); do
        row "2026/K/$i" "Klient $i" "k$i@example.pl" "+48 602 000 $(printf %03d "$i")"
    done
} >"$W/kill.csv"
"$SIGNET" send --template "$W/act.yaml" --bulk "$W/kill.csv" >/dev/null 2>&1 &
pid=$!
sleep 0.7
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect "the re-run after a kill -9 finishes the file" 0 -- \
    signet send --template "$W/act.yaml" --bulk "$W/kill.csv" --json
json_check "... every row new or already sent, none failed" \
    'd["new"] + d["already_sent"] == 150 and d["failed"] == 0 and len({r["envelope"] for r in d["rows"]}) == 150'
check "... one envelope per row, all sent" \
    test "$(sql "SELECT count(*) || ',' || sum(status = 'sent') FROM envelopes WHERE title LIKE 'Act 2026/K/%'")" = "150,150"
check "... one invitation per row" \
    test "$(sql "SELECT count(*) FROM messages m JOIN envelopes e ON e.seq = m.envelope_seq WHERE e.title LIKE 'Act 2026/K/%'")" = 150
# A message the killed process had claimed waits for its claim to lapse
# (signet-deliver(1)); every other one is delivered, each to one file.
check "... delivered, but for a message claimed when the process died" \
    test "$(sql "SELECT count(*) FROM messages WHERE delivered_at IS NULL AND claim IS NULL")" = 0
files=$(ls "$SIGNET_HOME/outbox" | wc -l)
check "... a file for every delivered message, none for a message twice" \
    test "$files" -ge "$(sql "SELECT count(*) FROM messages WHERE delivered_at IS NOT NULL")" -a \
    "$files" -le "$(sql "SELECT count(*) FROM messages")"

# --- the progress bar: on a terminal only -------------------------------------------------
cp "$W/more.csv" "$W/tty.csv"
row 2026/11/046 "Ewa Lis" ewa@example.pl "+48 601 234 572" >>"$W/tty.csv"
CASE_NO=$((CASE_NO + 1))
if on_tty "$SIGNET" send --template "$W/act.yaml" --bulk "$W/tty.csv" >"$OUT" 2>&1 &&
    grep -q 'sending \[#*\] 5/5 rows' "$OUT"; then
    pass "a terminal shows a progress bar"
else
    fail "a terminal shows a progress bar" "no progress line on the terminal"
fi
row 2026/11/047 "Ewa Lis" ewa2@example.pl "+48 601 234 573" >>"$W/tty.csv"
expect "a pipe gets no progress bar" 0 --no-err 'sending|rows\]' -- \
    signet send --template "$W/act.yaml" --bulk "$W/tty.csv"

# --- a failed delivery: the row is sent, reported failed, exit 75 ------------------------
cat >>"$SIGNET_HOME/config.yaml" <<'YAML'
delivery:
  mail: {transport: command, command: [sh, -c, "echo relay refused >&2; exit 1"], timeout: 10}
YAML
cp "$W/tty.csv" "$W/relay.csv"
row 2026/11/048 "Olga Nowak" olga@example.pl "+48 601 234 574" >>"$W/relay.csv"
expect "a delivery that fails gives 75 and names the row" 75 --out-empty \
    --err "^signet: error: 1 of 7 rows failed\$" --err "^hint: $W/relay.csv:8: sent, but the invitation to anna@acme.test could not be delivered" \
    --err '^hint: undelivered messages are kept; retry them with: signet deliver' -- \
    signet send --template "$W/act.yaml" --bulk "$W/relay.csv" -q
failed_id=$(sql "SELECT id FROM envelopes WHERE title LIKE 'Act 2026/11/048%'")
check "... the envelope is sent, its invitation kept for a retry" \
    test "$(sql "SELECT e.status || ',' || count(m.seq) FROM envelopes e JOIN messages m ON m.envelope_seq = e.seq WHERE e.id = '$failed_id' AND m.delivered_at IS NULL")" = "sent,1"
expect "the re-run finds it sent: nothing is sent twice" 0 -- \
    signet send --template "$W/act.yaml" --bulk "$W/relay.csv" --json
json_check "seven already sent" '(d["new"], d["already_sent"], d["failed"]) == (0, 7, 0)'
check "still one message for that envelope" \
    test "$(sql "SELECT count(*) FROM messages m JOIN envelopes e ON e.seq = m.envelope_seq WHERE e.id = '$failed_id'")" = 1
