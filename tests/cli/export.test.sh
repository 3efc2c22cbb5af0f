#!/usr/bin/env bash
# export: the envelope's current PDF and its certificate of completion
# (issue 3, item 6).
source "$(dirname "$0")/lib.sh"
init_store --org "Spółka Łódź sp. z o.o."
sed -i 's/^timezone: .*/timezone: Europe\/Warsaw/' "$SIGNET_HOME/config.yaml"

id=$(signet create "$FIXTURES/contract.pdf" --title "Акт № 17 — Łódź" \
    --party 'role=company,name=Zażółć Gęślą Jaźń,email=anna@acme.test,order=1' \
    --party 'role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2')
signet add-field "$id" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$id" --type signature --role client --page last --rect 360,100,180,50 >/dev/null
out=$TEST_TMP/out
mkdir -p "$out"

# --- refused -------------------------------------------------------------------------
expect "a draft has nothing signed: exit 5" 5 --unchanged \
    --error "envelope $id is a draft: nothing is signed yet" -- \
    signet export "$id" --out "$out/signed.pdf" --certificate "$out/cert.pdf"
check "... and writes no file" test -z "$(ls -A "$out")"
expect "an unknown envelope is refused" 2 --unchanged --error 'no envelope "zzzzzzzz"' -- \
    signet export zzzzzzzz --out "$out/signed.pdf"
expect "--out is required" 2 --error 'out' -- signet export "$id"

signet send "$id" >/dev/null 2>&1
sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id='$id'")

expect "--out and --certificate naming one file is refused" 2 --unchanged \
    --error 'name the same file' -- signet export "$id" --out "$out/x.pdf" --certificate "$out/./x.pdf"
expect "a directory as --out is refused" 2 --unchanged --error 'is a directory' -- \
    signet export "$id" --out "$out"
expect "a directory that does not exist is refused" 2 --unchanged --error 'does not exist' -- \
    signet export "$id" --out "$out/no/such/dir/signed.pdf"
expect "a file inside the store is refused" 2 --unchanged --error 'inside the store' -- \
    signet export "$id" --out "$SIGNET_HOME/documents/x.pdf" --force
check "... and nothing was written" test -z "$(ls -A "$out")"

# --- a sent envelope: its current (certified) revision -----------------------------------
expect "a sent envelope exports, with a warning that it is not completed" 0 --unchanged \
    --out "^$id: wrote \"$out/signed.pdf\" \\(sent, revision 2, SHA-256 $sha\\)\$" \
    --err "warning: envelope $id is sent, not completed" -- \
    signet export "$id" --out "$out/signed.pdf" --certificate "$out/cert.pdf"
check "... the PDF is the current revision, byte for byte" \
    test "$(sha256sum <"$out/signed.pdf" | cut -c1-64)" = "$sha"
check "... mode 0600" test "$(stat -c %a "$out/signed.pdf") $(stat -c %a "$out/cert.pdf")" = "600 600"
check "... no temporary file is left" test "$(ls -A "$out" | wc -l)" = 2
check "... the certificate passes qpdf --check" qpdf --check "$out/cert.pdf"
pdftotext -enc UTF-8 "$out/cert.pdf" "$TEST_TMP/cert.txt"
check "... it names the envelope and the organisation" \
    sh -c "grep -q 'Certificate of completion' '$TEST_TMP/cert.txt' && grep -q '$id' '$TEST_TMP/cert.txt' && grep -q 'Spółka Łódź sp. z o.o.' '$TEST_TMP/cert.txt'"
check "... the parties by name, in any script" \
    sh -c "grep -q 'Zażółć Gęślą Jaźń' '$TEST_TMP/cert.txt' && grep -q 'Пётр Иванов' '$TEST_TMP/cert.txt'"
check "... every revision's SHA-256" sh -c "for s in \$(sqlite3 '$DB' 'SELECT sha256 FROM revisions'); do grep -q \"\$s\" '$TEST_TMP/cert.txt' || exit 1; done"
check "... the audit chain head" grep -q "$(sql "SELECT hash FROM events ORDER BY seq DESC LIMIT 1")" "$TEST_TMP/cert.txt"
check "... the invitation time in the store's zone, named, and in UTC" \
    grep -q '2026-11-23 10:00:00 CET (UTC+01:00) · 2026-11-23 09:00:00 UTC' "$TEST_TMP/cert.txt"
check "... the channel and authentication" \
    sh -c "grep -q 'e-mail, invitation delivered' '$TEST_TMP/cert.txt' && grep -q 'one-time code by' '$TEST_TMP/cert.txt'"
cp "$out/cert.pdf" "$TEST_TMP/cert-first.pdf"

# --- never replaced without --force ---------------------------------------------------------
echo "mine" >"$out/mine.pdf"
expect "an existing --out is not replaced" 2 --unchanged \
    --error "\"$out/mine.pdf\" exists; refusing to replace it" -- \
    signet export "$id" --out "$out/mine.pdf"
check "... it keeps its content" test "$(cat "$out/mine.pdf")" = mine
expect "an existing --certificate is not replaced either, and --out is not written" 2 \
    --error "\"$out/mine.pdf\" exists" -- \
    signet export "$id" --out "$out/new.pdf" --certificate "$out/mine.pdf"
check "... no new.pdf" test ! -e "$out/new.pdf"
expect "--force replaces both" 0 --out "wrote \"$out/mine.pdf\"" -- \
    signet export "$id" --out "$out/signed.pdf" --certificate "$out/mine.pdf" --force
check "... with the PDF" test "$(sha256sum <"$out/signed.pdf" | cut -c1-64)" = "$sha"
check "... and the same certificate, byte for byte (same store state)" cmp "$out/mine.pdf" "$TEST_TMP/cert-first.pdf"

# --- JSON ------------------------------------------------------------------------------------
expect "--json names the files with their SHA-256" 0 -- \
    signet export "$id" --out "$out/j.pdf" --certificate "$out/j-cert.pdf" --json
json_check "schema 1, id, status, absolute paths" \
    "d['schema'] == 1 and d['id'] == '$id' and d['status'] == 'sent' and d['revisions'] == 2 and d['document']['path'] == '$out/j.pdf' and d['certificate']['path'] == '$out/j-cert.pdf'"
json_check "the document's SHA-256 is the current revision's" "d['document']['sha256'] == '$sha'"
cert_sha=$(sha256sum <"$out/j-cert.pdf" | cut -c1-64)
json_check "the certificate's SHA-256 and sizes are the files'" \
    "d['certificate']['sha256'] == '$cert_sha' and d['document']['size'] == $(stat -c %s "$out/j.pdf") and d['certificate']['size'] == $(stat -c %s "$out/j-cert.pdf")"
(cd "$out" && signet export "$id" --out rel.pdf --json >"$TEST_TMP/rel.json" 2>/dev/null)
check "a relative --out is reported as an absolute path; no certificate is null" \
    py -c "import json,sys; d=json.load(open('$TEST_TMP/rel.json')); sys.exit(not (d['document']['path'] == '$out/rel.pdf' and d['certificate'] is None))"
expect "--quiet prints nothing" 0 --out-empty --err-empty -- signet export "$id" --out "$out/q.pdf" -q

# --- a damaged store ----------------------------------------------------------------------------
stored=$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf
chmod u+w "$stored"
printf '%%%% tampered\n' >>"$stored"
expect "a stored PDF that does not match its hash is not exported" 70 \
    --error "does not match its recorded SHA-256" --err "hint: check the store with: signet audit $id --check" -- \
    signet export "$id" --out "$out/bad.pdf"
check "... and nothing is written" test ! -e "$out/bad.pdf"
check "... not even a temporary file" sh -c "! ls -A '$out' | grep -q tmp"
rm "$stored"
expect "a stored PDF that is missing is reported" 70 --error "missing from the store" -- \
    signet export "$id" --out "$out/bad.pdf"
