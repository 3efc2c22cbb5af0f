#!/usr/bin/env bash
# signet create PDF --title T --party SPEC... [--party-file F] [--owner] [--key]
# (CLI.md "Subcommands", "Idempotency"; DESIGN.md "Text, languages, time").
source "$(dirname "$0")/lib.sh"
init_store

ID_RE='[23456789abcdefghjkmnpqrstuvwxyz]{8}'
CONTRACT=$FIXTURES/contract.pdf
COMPANY='role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required'
CLIENT='role=client,name=Jan Kowalski,phone=+48 601 234 567,order=2'

# Prints one envelope's JSON (status ID --json) for json_check.
show() { expect "status --json of that envelope succeeds" 0 -- signet status "$1" --json; }

# --- the id on stdout ---------------------------------------------------------

# CLI.md: create prints the new envelope's id alone on stdout, so that
# id=$(signet create ...) works in scripts.
expect "create prints the id alone on stdout" 0 --out "^$ID_RE\$" --err-empty -- \
    signet create "$CONTRACT" --title "Act No. 17" --party "$COMPANY" --party "$CLIENT"
id=$(last_out)
check "... and nothing else (one line)" test "$(wc -l <"$OUT")" = 1
check "the envelope exists in the store" test "$(sql "SELECT count(*) FROM envelopes WHERE id='$id'")" = 1
check "... as a draft" test "$(sql "SELECT status FROM envelopes WHERE id='$id'")" = draft
check "... with a 'created' event in its audit trail" \
    test "$(sql "SELECT action FROM events JOIN envelopes e ON e.seq = envelope_seq WHERE e.id='$id'")" = created
show "$id"
json_check "status shows the id, title, draft status and 3 pages" \
    'd["id"] == "'"$id"'" and d["title"] == "Act No. 17" and d["status"] == "draft" and d["document"]["pages"] == 3'
json_check "created_at is the (fixed) clock's time" 'd["created_at"] == "2026-11-23T09:00:00Z"'
json_check "parties are kept in the order given, with their routing order" \
    '[(p["role"], p["order"]) for p in d["parties"]] == [("company", 1), ("client", 2)]'
# Defaults: stamp=required makes an organisation; auth follows the contact.
json_check "company: stamp required implies kind organization, auth email" \
    '{**d["parties"][0], "kind": "organization", "stamp": "required", "auth": "email", "action": "sign", "status": "waiting"} == d["parties"][0]'
json_check "client: a person, auth sms (phone only), no stamp" \
    'd["parties"][1]["kind"] == "person" and d["parties"][1]["auth"] == "sms" and d["parties"][1]["stamp"] == "none" and d["parties"][1]["email"] is None'
json_check "the document hash is the PDF's SHA-256" \
    'd["document"]["sha256"] == "'"$(sha256sum "$CONTRACT" | cut -d' ' -f1)"'" == d["document"]["current_sha256"]'

# Scripts use -q; the id is what they need.
expect "create -q still prints the id" 0 --out "^$ID_RE\$" -- \
    signet -q create "$CONTRACT" --title "Quiet" --party "$CLIENT"

# CLI.md: {"id": ...} with --json, and every JSON document has "schema": 1.
expect "create --json prints one JSON document" 0 --err-empty -- \
    signet create "$CONTRACT" --title "JSON" --party "$CLIENT" --json
json_check 'create --json gives {"schema": 1, "id": ...}' \
    'd["schema"] == 1 and re.fullmatch("'"$ID_RE"'", d["id"]) is not None'
json_id=$(json_get 'd["id"]')
expect "... and that id is an envelope" 0 --out "Envelope $json_id" -- signet status "$json_id"
expect "--json before the subcommand works the same" 0 -- \
    signet --json create "$CONTRACT" --title "JSON" --party "$CLIENT"
json_check "... schema 1 and an id" 'd["schema"] == 1 and len(d["id"]) == 8'

# --- party specs: quoting, UTF-8, normalisation --------------------------------

# CLI.md: a value with a comma or a quote is double-quoted, CSV style.
expect "a quoted item may hold a comma" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "Quoting" \
    --party '"name=ACME, Inc.",role=company,email=office@acme.test' \
    --party 'role=client,name="Jan ""Kuba"" Kowalski",email=jan@example.com'
quoted=$(last_out)
show "$quoted"
json_check 'the name "ACME, Inc." is kept whole' 'd["parties"][0]["name"] == "ACME, Inc."'
json_check 'a doubled quote inside a quoted value is one quote' \
    'd["parties"][1]["name"] == "Jan \"Kuba\" Kowalski"'

# DESIGN.md: Cyrillic and Polish text is normal input.
TITLE_UTF8='Договор поставки № 5 — Łódź, Żółć'
expect "Cyrillic and Polish names and title are accepted" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "$TITLE_UTF8" \
    --party 'role=company,name=Łukasz Żółć-Wąsik,email=łukasz@acme.test,order=1' \
    --party 'role=client,name=Пётр Ильич Чайковский,email=pyotr@example.ru,order=2'
utf8=$(last_out)
show "$utf8"
json_check "status --json keeps the title intact" 'd["title"] == "'"$TITLE_UTF8"'"'
json_check "status --json keeps the names intact" \
    '[p["name"] for p in d["parties"]] == ["Łukasz Żółć-Wąsik", "Пётр Ильич Чайковский"]'
json_check "an internationalised e-mail address is kept" 'd["parties"][0]["email"] == "łukasz@acme.test"'
expect "status shows the title intact" 0 --out "Title +$TITLE_UTF8\$" -- signet status "$utf8"
expect "status shows the Polish name intact" 0 --out 'Łukasz Żółć-Wąsik' -- signet status "$utf8"
expect "status shows the Cyrillic name intact" 0 --out 'Пётр Ильич Чайковский' -- signet status "$utf8"
expect "the list shows the title intact" 0 --out "$utf8 .*Договор поставки" -- signet status
check "the database holds the title as UTF-8" \
    test "$(sql "SELECT title FROM envelopes WHERE id='$utf8'")" = "$TITLE_UTF8"

# CLI.md: phone numbers are normalised to E.164; e-mail domains are
# case-insensitive and kept in lower case.
expect "contacts in everyday notation are accepted" 0 -- \
    signet create "$CONTRACT" --title "Contacts" \
    --party 'role=a,name=A,phone=+48 (601) 234-567' \
    --party 'role=b,name=B,phone=+7 912 345-67-89' \
    --party 'role=c,name=C,phone=0048 601 234 568' \
    --party 'role=d,name=D,email=Office@ACME.Test,phone=+49 30 901820'
show "$(sql "SELECT id FROM envelopes WHERE title='Contacts'")"
json_check "a Polish number with brackets and dashes becomes +48601234567" 'd["parties"][0]["phone"] == "+48601234567"'
json_check "a Russian number becomes +79123456789" 'd["parties"][1]["phone"] == "+79123456789"'
json_check "00 as the international prefix becomes +" 'd["parties"][2]["phone"] == "+48601234568"'
json_check "a German landline becomes +4930901820" 'd["parties"][3]["phone"] == "+4930901820"'
json_check "the e-mail domain is lower-cased, the local part kept" \
    'd["parties"][3]["email"] == "Office@acme.test"'
json_check "with both contacts auth defaults to email" 'd["parties"][3]["auth"] == "email"'

# A national number needs the store's default region (config.yaml).
regional=$TEST_TMP/regional
signet --store "$regional" init >/dev/null
sed -i 's/^phone_region:.*/phone_region: "PL"/' "$regional/config.yaml"
expect "a national number is read in the store's phone_region" 0 --out "^$ID_RE\$" -- \
    signet --store "$regional" create "$CONTRACT" --title "National" \
    --party 'role=client,name=Jan,phone=601 234 567'
expect "... and stored in E.164" 0 --out '"phone": "\+48601234567"' -- \
    signet --store "$regional" status "$(last_out)" --json

# --- owner ----------------------------------------------------------------------

# DESIGN.md: the owner is the sender; by default the user who runs signet.
show "$id"
json_check "the owner defaults to the current user" 'd["owner"] == "'"$(id -un)"'"'
expect "--owner sets the owner" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "Owned" --party "$CLIENT" --owner "Łucja Wiśniewska"
show "$(last_out)"
json_check "... to the name given, UTF-8 intact" 'd["owner"] == "Łucja Wiśniewska"'

# --- idempotency: --key ------------------------------------------------------------

# CLI.md: create --key KEY returns the existing envelope for a key already
# used, so an ops script can be re-run after a crash.
count() { sql "SELECT count(*) FROM envelopes"; }
before=$(count)
expect "create --key makes an envelope" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "Deal 4711" --party "$CLIENT" --key crm-deal-4711
keyed=$(last_out)
expect "the same --key again returns the same id" 0 --out "^$keyed\$" --unchanged -- \
    signet create "$CONTRACT" --title "Deal 4711" --party "$CLIENT" --key crm-deal-4711
check "... and only one envelope was created" test "$(count)" = $((before + 1))
expect "the same --key with --json says it existed" 0 --unchanged -- \
    signet create "$CONTRACT" --title "Deal 4711" --party "$CLIENT" --key crm-deal-4711 --json
json_check "... with the same id" 'd["schema"] == 1 and d["id"] == "'"$keyed"'" and d.get("existed", True) is True'
expect "a different --key makes a new envelope" 0 --out "^$ID_RE\$" --no-out "^$keyed\$" -- \
    signet create "$CONTRACT" --title "Deal 4712" --party "$CLIENT" --key crm-deal-4712

# --- documents are stored once, by hash -------------------------------------------------

# DESIGN.md: document blobs are addressed by SHA-256; the same PDF used by
# many envelopes is stored once.
contract_sha=$(sha256sum "$CONTRACT" | cut -d' ' -f1)
check "contract.pdf, used by many envelopes, is stored once in documents/" \
    test "$(find "$SIGNET_HOME/documents" -type f | wc -l)" = 1
check "... under its SHA-256" test -f "$SIGNET_HOME/documents/${contract_sha:0:2}/$contract_sha.pdf"
check "... byte for byte" cmp "$CONTRACT" "$SIGNET_HOME/documents/${contract_sha:0:2}/$contract_sha.pdf"
check "... mode 0600" test "$(stat -c %a "$SIGNET_HOME/documents/${contract_sha:0:2}/$contract_sha.pdf")" = 600
check "... with one row in the documents table" test "$(sql 'SELECT count(*) FROM documents')" = 1
expect "a second, different PDF" 0 -- \
    signet create "$FIXTURES/mixed-sizes.pdf" --title "Mixed" --party "$CLIENT"
check "... is stored beside it" test "$(find "$SIGNET_HOME/documents" -type f | wc -l)" = 2
expect "a PDF with object streams is accepted" 0 --out "^$ID_RE\$" -- \
    signet create "$FIXTURES/objstreams.pdf" --title "Objstreams" --party "$CLIENT"

# --- --party-file ----------------------------------------------------------------------

# CLI.md: --party-file takes the same as a YAML or JSON list.
cat >"$TEST_TMP/parties.yaml" <<'EOF'
# The company signs first and stamps; the client signs second.
- role: company
  name: "ACME, Inc."
  email: office@acme.test
  order: 1
  kind: organization
  stamp: required
- role: client
  name: Пётр Иванов
  phone: "+7 912 345-67-89"
  order: 2
- role: accountant
  name: Żaneta Łoś
  email: ksiegowa@acme.test
  order: 3
  action: copy
EOF
expect "--party-file reads a YAML list" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "From YAML" --party-file "$TEST_TMP/parties.yaml"
show "$(last_out)"
json_check "... every party, in the file's order" \
    '[p["role"] for p in d["parties"]] == ["company", "client", "accountant"]'
json_check "... names intact" \
    '[p["name"] for p in d["parties"]] == ["ACME, Inc.", "Пётр Иванов", "Żaneta Łoś"]'
json_check "... orders, stamp, action and the normalised phone" \
    '[p["order"] for p in d["parties"]] == [1, 2, 3] and d["parties"][0]["stamp"] == "required" and d["parties"][2]["action"] == "copy" and d["parties"][1]["phone"] == "+79123456789"'

cat >"$TEST_TMP/parties.json" <<'EOF'
[
  {"role": "company", "name": "Anna Nowak", "email": "anna@acme.test", "order": 1, "stamp": "required"},
  {"role": "client", "name": "Jürgen Groß", "phone": "+49 30 901820", "order": 2, "auth": "sms"}
]
EOF
expect "--party-file reads a JSON list" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "From JSON" --party-file "$TEST_TMP/parties.json"
show "$(last_out)"
json_check "... every party with its keys" \
    '[(p["role"], p["name"], p["order"]) for p in d["parties"]] == [("company", "Anna Nowak", 1), ("client", "Jürgen Groß", 2)] and d["parties"][1]["phone"] == "+4930901820"'

printf 'parties:\n  - role: client\n    name: Jan\n    email: jan@example.com\n' >"$TEST_TMP/mapping.yaml"
expect "--party-file also takes a mapping with a parties: list" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "Mapping" --party-file "$TEST_TMP/mapping.yaml"

expect "--party and --party-file together" 0 --out "^$ID_RE\$" -- \
    signet create "$CONTRACT" --title "Both" --party "role=witness,name=W,email=w@example.com" \
    --party-file "$TEST_TMP/parties.json"
show "$(last_out)"
json_check "... give the --party parties, then the file's" \
    '[p["role"] for p in d["parties"]] == ["witness", "company", "client"]'
