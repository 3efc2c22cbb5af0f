#!/usr/bin/env bash
# signet verify on the CLI: verdicts and exit codes (the most serious across
# files), the JSON keys of CLI.md, trust from the store and from --trust,
# and --check-store.
source "$(dirname "$0")/lib.sh"

init_store --org "ACME Sp. z o.o. — Łódź"
id=$(signet create "$FIXTURES/contract.pdf" --title "Umowa № 7" \
    --party 'role=client,name=Пётр Иванов,email=petr@example.ru')
signet add-field "$id" --type signature --role client --page last --rect 300,100,180,50 >/dev/null
signet add-field "$id" --type text --role client --page 1 --rect 72,500,250,18 --name client_address >/dev/null
signet send "$id" >/dev/null 2>&1
sha=$(sqlite3 "$DB" "SELECT current_sha256 FROM envelopes WHERE id = '$id'")
certified=$TEST_TMP/certified.pdf
cp "$(find "$SIGNET_HOME/documents" -name "$sha*" | head -n 1)" "$certified"
cp "$SIGNET_HOME/keys/root.crt" "$TEST_TMP/root.pem"
printf 'not a pdf\n' >"$TEST_TMP/notes.txt"
tampered=$TEST_TMP/tampered.pdf
# A byte flipped inside the signed range: the digest no longer matches.
py - "$certified" "$tampered" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.index(b"/MediaBox")
data[i + 1] = ord("m")
open(sys.argv[2], "wb").write(bytes(data))
PY

expect "the certified PDF is valid with the store's CA" 0 \
    --out '^.*certified.pdf: valid \(1 signature, 3 revisions; every signature intact and trusted' \
    --out 'signer: +ACME Sp\. z o\.o\. — Łódź' \
    --out 'certification \(DocMDP P 2' \
    --out 'ok: +the SHA-256 digest of the signed bytes matches the signature' \
    --out 'time not proven' \
    --out 'trust anchors:' --out 'Root CA \(store ' \
    --unchanged -- signet verify "$certified"
expect "without a store it is intact but untrusted (exit 3)" 3 \
    --out 'certified.pdf: untrusted' --out 'does not chain to a trust anchor' \
    --out 'trust anchors: none' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$certified"
expect "... and valid again with --trust (one file per --trust)" 0 --out 'certified.pdf: valid' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify --trust "$TEST_TMP/root.pem" "$certified"
expect "--json has CLI.md's keys" 0 -- signet verify "$certified" --json
json_check "... schema, trust anchors and files" \
    'd["schema"] == 1 and len(d["trust_anchors"]) == 1 and d["trust_anchors"][0]["source"].startswith("store") and d["files"][0]["verdict"] == "valid"'
json_check "... every signature key" \
    'all(k in d["files"][0]["signatures"][0] for k in ["index", "field", "signer", "signed_at", "timestamp", "subfilter", "certification", "verdict", "covers_whole_revision", "digest_ok", "signature_ok", "trusted", "modified_after", "reasons"])'
json_check "... with the values of a certification" \
    '(lambda s: s["field"] == "signet_certification" and s["certification"] is True and s["docmdp"] == 2 and s["subfilter"] == "ETSI.CAdES.detached" and s["timestamp"] is None and s["signed_at"].endswith("Z") and s["trusted"] is True and s["modified_after"] == [])(d["files"][0]["signatures"][0])'

expect "an unsigned PDF is invalid (exit 1)" 1 --out 'contract.pdf: invalid .*no signature' \
    -- signet verify "$FIXTURES/contract.pdf"
expect "a text file is an error (exit 2)" 2 --out 'notes.txt: error \(not a PDF' \
    -- signet verify "$TEST_TMP/notes.txt"
expect "a missing file is an error (exit 2)" 2 --out 'missing.pdf: error' \
    -- signet verify "$TEST_TMP/missing.pdf"
expect "a changed byte makes it invalid, naming the digest" 1 \
    --out 'tampered.pdf: invalid' --out 'problem: +the signed digest does not match' \
    -- signet verify "$tampered"
expect "several files: invalid wins over error and untrusted" 1 \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$certified" "$TEST_TMP/notes.txt" "$FIXTURES/contract.pdf"
expect "several files: error wins over untrusted" 2 \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$certified" "$TEST_TMP/notes.txt"
expect "--json reports each file" 1 -- signet verify "$certified" "$TEST_TMP/notes.txt" "$tampered" --json
json_check "... with its own verdict" \
    '[f["verdict"] for f in d["files"]] == ["valid", "error", "invalid"]'
expect "an unreadable --trust file is bad input" 2 --error 'trust.pem' \
    -- signet verify --trust "$TEST_TMP/trust.pem" "$certified"
expect "no file is bad usage" 2 --error 'PDF' -- signet verify

expect "--check-store: the certified PDF matches its envelope's trail" 0 \
    --out "store: +matches envelope $id" --out 'hash chain is intact' \
    -- signet verify --check-store "$certified"
expect "--check-store --json" 0 -- signet verify --check-store "$certified" --json
json_check "... says known, revisions match, chain intact" \
    '(lambda s: s["known"] and s["envelope"] == "'"$id"'" and s["revisions_match"] and s["chain_intact"])(d["files"][0]["store"])'
expect "--check-store: a PDF signet never produced is unknown to the store" 1 \
    --out 'store: +unknown to the store' -- signet verify --check-store "$FIXTURES/contract.pdf"
sqlite3 "$DB" "UPDATE events SET details = '{}' WHERE envelope_seq = (SELECT seq FROM envelopes WHERE id = '$id') AND action = 'sent'"
expect "--check-store: an edited audit trail breaks the chain" 1 \
    --out 'does NOT match' --out 'hash chain breaks at event' \
    -- signet verify --check-store "$certified"
