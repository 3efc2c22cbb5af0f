#!/usr/bin/env bash
# Completion: the seal over the finished document carries the audit chain
# head, so a trail rewritten later — even consistently — is caught by
# `audit --check`; a signing process stopped before the seal is finished by
# `signet deliver` (issue 3, items 6 and 8).
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

TWO_PARTY_TITLE="Договор № 5 — Żółć"
TWO_PARTY_COMPANY='role=company,name=Łukasz Żółć,email=lukasz@acme.test,order=1'
TWO_PARTY_CLIENT='role=client,name=Пётр Иванов,email=petr@vector.test,order=2'
minute=0
# sign_next ENVELOPE NAME: the next party signs with its name typed, a
# minute later than the last (one code a minute at most).
sign_next() {
    minute=$((minute + 1))
    SIGNET_NOW=$(date -u -d "2026-11-23T09:00:00Z + $minute minutes" +%Y-%m-%dT%H:%M:%SZ) \
        sign_as_next "$1" --signature-text "$2" --agree
}
# An envelope with two signers, sent and signed by both: completed.
completed_envelope() {
    local id
    id=$(two_party_sent) || return 1
    sign_next "$id" "Łukasz Żółć"
    sign_next "$id" "Пётр Иванов"
    echo "$id"
}

id=$(completed_envelope)
check "the envelope is completed" test "$(envelope_status "$id")" = completed
expect "audit --check passes on a completed envelope" 0 --out 'sealed_head.*ok|ok.*sealed' -- signet audit "$id" --check
check "the completed event records the sealed head" \
    test "$(sql "SELECT json_extract(details, '\$.sealed_chain_head') = prev_hash FROM events WHERE action='completed'")" = 1

# Rewrite the trail consistently: edit the first event, then recompute every
# hash after it exactly as signet does (length-prefixed fields, SHA-256).
py - "$DB" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT seq, envelope_seq, at, actor, os_user, host, terminal, action, details,"
                  " doc_before, doc_after FROM events ORDER BY seq").fetchall()
db.execute("UPDATE events SET details = replace(details, 'Договор', 'Подлог') WHERE seq = ?", (rows[0][0],))
prev = {}
for seq, env in [(r[0], r[1]) for r in rows]:
    r = db.execute("SELECT seq, envelope_seq, at, actor, os_user, host, terminal, action, details,"
                   " doc_before, doc_after FROM events WHERE seq = ?", (seq,)).fetchone()
    p = prev.get(env, "0" * 64)
    parts = [p, str(r[1]), str(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9] or "", r[10] or ""]
    canon = "".join("%d:%s" % (len(x.encode()), x) for x in parts)
    h = hashlib.sha256(canon.encode()).hexdigest()
    db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (p, h, seq))
    prev[env] = h
db.commit()
PY
expect "a trail rewritten consistently keeps its chain but not its sealed head" 1 \
    -- signet audit "$id" --check --json
json_check "... the chain itself re-computes (a consistent rewrite), the sealed head does not" \
    '[c["ok"] for c in d["checks"] if c["check"] == "chain"] == [True] and [c["ok"] for c in d["checks"] if c["check"] == "sealed_head"] == [False] and d["ok"] is False'
expect "the human report names the failed sealed head" 1 --out 'sealed_head' -- signet audit "$id" --check

# --- a signing process stopped before the seal ---------------------------------
other=$(completed_envelope)
seq=$(sql "SELECT seq FROM envelopes WHERE id='$other'")
signed_sha=$(sql "SELECT sha256 FROM revisions WHERE envelope_seq=$seq AND kind='signed' ORDER BY number DESC LIMIT 1")
# Back to the state right after the last signature's transaction.
sql "DELETE FROM messages WHERE envelope_seq=$seq AND kind='completed';
     DELETE FROM events WHERE envelope_seq=$seq AND action='completed';
     DELETE FROM revisions WHERE envelope_seq=$seq AND kind='completed';
     UPDATE envelopes SET status='in_progress', current_sha256='$signed_sha', revisions=revisions-1 WHERE seq=$seq;"
rm -f "$SIGNET_HOME"/outbox/*completed*
expect "deliver seals and completes an envelope whose signing stopped before the seal" 0 \
    --out "$other: completed" -- signet deliver
check "it is completed" test "$(envelope_status "$other")" = completed
check "every party got the completion message" test "$(ls "$SIGNET_HOME"/outbox/*completed*.eml | wc -l)" = 2
expect "and its trail and seal check" 0 -- signet audit "$other" --check
expect "deliver has nothing more to complete" 0 --no-out completed -- signet deliver
