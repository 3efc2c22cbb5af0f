#!/usr/bin/env bash
# audit: an envelope's trail as a timeline and its JSON, and --check: the
# hash chain, the stored revisions, the sealed head (issue 3, item 8).
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."
sed -i 's/^timezone: .*/timezone: Europe\/Warsaw/' "$SIGNET_HOME/config.yaml"

id=$(TWO_PARTY_TITLE="Акт № 17 — Łódź" TWO_PARTY_COMPANY="$TWO_PARTY_COMPANY,stamp=required" \
    two_party_draft)
signet add-field "$id" --type stamp --role company --page last --rect 260,90,110,110 >/dev/null

# --- a draft ----------------------------------------------------------------------
expect "a draft's trail holds: created and its fields, no revision yet" 0 --unchanged \
    --out '^ok +revisions +the original document is stored' --out "^$id: the audit trail holds" \
    -- signet audit "$id" --check

signet send "$id" >/dev/null 2>&1
seq=$(sql "SELECT seq FROM envelopes WHERE id='$id'")

# --- the timeline -------------------------------------------------------------------
expect "the timeline lists every event, oldest first, and writes nothing" 0 --unchanged \
    --out "^$id \\(sent\\): 6 event\\(s\\), times in Europe/Warsaw and UTC; chain head [0-9a-f]{12}…\$" \
    --out '^1\. 2026-11-23 10:00:00 CET \(UTC\+01:00\) · 2026-11-23 09:00:00 UTC  created$' \
    --out '^4\. .*  field_added$' --out '^5\. .*  sent$' --out '^6\. .*  invited$' \
    --out '^   title: Акт № 17 — Łódź, owner: ' --out '^   name: .*, type: stamp, role: company, page: 3$' \
    --out '^   role: company, channel: mail, to: anna@acme.test$' \
    --out '^   by [^ ]+ \(OS user [^ ]+, host [^ ]+, no terminal\)$' \
    --out '^   document - → [0-9a-f]{12}…$' --out '^   document [0-9a-f]{12}… → [0-9a-f]{12}…$' \
    --no-out 'hash ' --err-empty \
    -- signet audit "$id"
expect "-v shows each event's hash and the one before" 0 \
    --out "^   prev 0{64}\$" --out "^   hash $(sql "SELECT hash FROM events WHERE envelope_seq=$seq ORDER BY seq DESC LIMIT 1")\$" \
    -- signet audit "$id" -v
expect "the SSH client is shown for a remote actor" 0 --out '^   by [^ ]+ \(OS user [^ ]+, host [^ ]+, SSH client 192\.0\.2\.7\)$' \
    -- env SSH_CLIENT='192.0.2.7 50022 22' "$SIGNET" audit "$(
        env SSH_CLIENT='192.0.2.7 50022 22' "$SIGNET" create "$FIXTURES/contract.pdf" --title remote \
            --party 'role=client,name=Jan,email=jan@example.test')"
expect "--json: the events with their fields, details as objects, and the chain head" 0 \
    -- signet --json audit "$id"
json_check "... keys" \
    'd["schema"] == 1 and d["envelope"] == "'"$id"'" and len(d["events"]) == 6 and all(list(e) == ["seq", "at", "actor", "os_user", "host", "terminal", "action", "details", "doc_before", "doc_after", "prev_hash", "hash"] for e in d["events"])'
json_check "... actions in order, times in UTC" \
    '[e["action"] for e in d["events"]] == ["created", "field_added", "field_added", "field_added", "sent", "invited"] and d["events"][0]["at"] == "2026-11-23T09:00:00Z"'
json_check "... details are the JSON objects themselves" \
    'd["events"][0]["details"]["title"] == "Акт № 17 — Łódź" and d["events"][0]["details"]["parties"] == 2 and d["events"][5]["details"] == {"role": "company", "channel": "mail", "to": "anna@acme.test"}'
json_check "... the chain links from the genesis hash to the head" \
    'd["events"][0]["prev_hash"] == "0" * 64 and all(a["hash"] == b["prev_hash"] for a, b in zip(d["events"], d["events"][1:])) and d["chain_head"] == d["events"][-1]["hash"] and d["events"][0]["doc_before"] is None and re.fullmatch("[0-9a-f]{64}", d["events"][4]["doc_after"]) is not None'

# --- --check ------------------------------------------------------------------------
expect "--check passes on a sent envelope" 0 --unchanged \
    --out '^ok +chain +6 event\(s\); each hash re-computes' \
    --out '^ok +revisions +the original document and 2 revision\(s\) \(prepared, certified\)' \
    --out '^ok +seal +not completed' --out '^ok +sealed_head +not completed' \
    --out "^$id: the audit trail holds \\(4 checks passed\\)\$" \
    -- signet audit "$id" --check
expect "--check --json" 0 -- signet audit "$id" --check --json
json_check "... every check holds" \
    'd == {"schema": 1, "envelope": "'"$id"'", "ok": True, "checks": d["checks"]} and [c["check"] for c in d["checks"]] == ["chain", "revisions", "seal", "sealed_head"] and all(c["ok"] and c["detail"] for c in d["checks"])'

# An edited row: the chain breaks at that event.
sent_details=$(sql "SELECT details FROM events WHERE envelope_seq=$seq AND action='sent'")
sql "UPDATE events SET details = '{\"expires_at\":\"2030-01-01T00:00:00Z\"}' WHERE envelope_seq=$seq AND action='sent'"
expect "--check finds an edited row and names the event" 1 \
    --out '^FAIL +chain +event 5 \(sent\): its hash does not re-compute from its fields' \
    --out "^$id: the audit trail does NOT hold: 1 of 4 checks failed\$" --err-empty \
    -- signet audit "$id" --check
expect "... in JSON too" 1 -- signet audit "$id" --check --json
json_check "... ok is false, the chain check says which event" \
    'd["ok"] is False and d["checks"][0]["ok"] is False and "event 5 (sent)" in d["checks"][0]["detail"] and all(c["ok"] for c in d["checks"][1:])'
expect "the timeline still shows the edited trail" 0 --out 'expires_at: 2030-01-01T00:00:00Z' -- signet audit "$id"
expect "-q: only the verdict" 1 --out "^$id: the audit trail does NOT hold" --no-out '^(ok|FAIL) ' \
    -- signet audit "$id" --check -q

# The same edit with every hash after it re-computed: nothing in the store
# itself can tell (the sealed head of a completed envelope can).
rewrite_chain() {
    py - "$DB" "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq = int(sys.argv[2])
prev = "0" * 64
rows = db.execute("SELECT seq, at, actor, os_user, host, terminal, action, details, doc_before,"
                  " doc_after FROM events WHERE envelope_seq = ? ORDER BY seq", (seq,)).fetchall()
for row in rows:
    # lib/audit/audit.cpp: each part length-prefixed (bytes), then SHA-256.
    parts = [prev, str(seq), str(row[1])] + [v if v is not None else "" for v in row[2:]]
    canonical = "".join("%d:%s" % (len(p.encode()), p) for p in parts)
    h = hashlib.sha256(canonical.encode()).hexdigest()
    db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, row[0]))
    prev = h
db.commit()
PY
}
rewrite_chain "$seq"
expect "a chain rewritten consistently passes the chain check (it cannot know)" 0 \
    --out '^ok +chain' -- signet audit "$id" --check
sql "UPDATE events SET details = '$sent_details' WHERE envelope_seq=$seq AND action='sent'"
rewrite_chain "$seq"
expect "... and so does the original, re-hashed" 0 -- signet audit "$id" --check

# Stored revisions.
certified=$(sql "SELECT sha256 FROM revisions WHERE envelope_seq=$seq AND number=2")
certified_pdf=$SIGNET_HOME/documents/${certified:0:2}/$certified.pdf
cp "$certified_pdf" "$TEST_TMP/certified.pdf"
printf 'x' >>"$certified_pdf"
expect "a changed revision file fails --check" 1 \
    --out '^ok +chain' \
    --out '^FAIL +revisions +revision 2 \(certified\): ".*" does not match its SHA-256' \
    -- signet audit "$id" --check
rm "$certified_pdf"
expect "a missing revision file fails --check" 1 \
    --out '^FAIL +revisions +revision 2 \(certified\): ".*" is missing' -- signet audit "$id" --check
cp "$TEST_TMP/certified.pdf" "$certified_pdf"
expect "the file put back, the trail holds again" 0 -- signet audit "$id" --check
sql "UPDATE envelopes SET current_sha256 = document_sha256 WHERE seq=$seq"
expect "a current document that is not the newest revision fails --check" 1 \
    --out '^FAIL +revisions +the envelope.s current document [0-9a-f]{16}… is not its newest revision' \
    -- signet audit "$id" --check
sql "UPDATE envelopes SET current_sha256 = '$certified' WHERE seq=$seq"
sql "DELETE FROM revisions WHERE envelope_seq=$seq AND number=1"
expect "a revision removed from the record fails --check" 1 \
    --out '^FAIL +revisions +revision 2 \(certified\): expected revision 1 here' -- signet audit "$id" --check

# --- a completed envelope without its seal ------------------------------------------
sql "UPDATE envelopes SET status = 'completed' WHERE seq=$seq"
expect "a completed envelope whose PDF has no completion signature fails --check" 1 \
    --out '^FAIL +seal +the final PDF ".*" has no completion signature \(signet_completion\)' \
    --out '^FAIL +sealed_head +.*no "completed" event' \
    -- signet audit "$id" --check

# --- usage ----------------------------------------------------------------------------
expect "an unknown envelope is not found" 2 --unchanged --error 'no envelope "zzzzzzzz"' \
    -- signet audit zzzzzzzz
expect "... with --check too" 2 --unchanged --error 'no envelope "zzzzzzzz"' \
    -- signet audit zzzzzzzz --check
expect "an envelope is required" 2 --error 'ENVELOPE' -- signet audit
