#!/usr/bin/env bash
# Templates as code (issue 5, items 1-4 and 7): template lint with
# FILE:LINE:COL errors, template show, create --template --data [--row],
# data rows from YAML, JSON and CSV as spreadsheets export it.
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

: "${SOURCE_DIR:?SOURCE_DIR must name the repository root}"
TPL=$SOURCE_DIR/templates
W=$TEST_TMP/work
mkdir -p "$W"
cp "$FIXTURES/contract.pdf" "$W/contract.pdf"

# A good template (3-page contract.pdf); the broken ones below differ from it in one place.
cat >"$W/good.yaml" <<'YAML'
signet: 1
name: act
title: "Act No. {{deal.number}}"
document: contract.pdf
key: "{{deal.number}}"
timezone: Europe/Warsaw
parties:
  - role: company
    name: "{{company.director}}"
    email: "{{company.email}}"
    order: 1
    stamp: required
  - role: client
    name: "{{client.name}}"
    phone: "{{client.phone}}"
    order: 2
fields:
  - name: amount
    type: text
    value: "{{deal.amount}} PLN"
    page: 1
    rect: [72, 640, 200, 16]
  - name: client_address
    type: text
    role: client
    page: 1
    rect: [72, 500, 250, 18]
  - name: company_signature
    type: signature
    role: company
    page: last
    rect: [72, 100, 180, 50]
  - name: company_stamp
    type: stamp
    role: company
    page: last
    unit: mm
    rect: [95, 30, 30, 30]
  - name: client_signature
    type: signature
    role: client
    page: last
    rect: [360, 100, 180, 50]
YAML

# broken NAME SED-EXPRESSION: a copy of good.yaml with one change.
broken() { sed -e "$2" "$W/good.yaml" >"$W/$1.yaml"; }

# --- the shipped templates ------------------------------------------------------
expect "the shipped templates lint clean" 0 --out-empty --err '3 templates checked: 0 errors, 0 warnings' -- \
    signet template lint "$TPL"
expect "a good template lints clean" 0 --out-empty -- signet template lint "$W/good.yaml"

# --- each way of breaking a template: exit 1, the error at its line ------------
broken type '29s/type: signature/type: signatur/'
expect "an unknown field type" 1 --out "^$W/type.yaml:29:11: error: unknown field type \"signatur\"" -- \
    signet template lint "$W/type.yaml"
broken role '25s/role: client/role: buyer/'
expect "a role that is no party" 1 --out "^$W/role.yaml:25:11: error: role \"buyer\" is not a party of this template \\(parties: company, client\\)" -- \
    signet template lint "$W/role.yaml"
broken offpage 's/rect: \[360, 100, 180, 50\]/rect: [500, 100, 180, 50]/'
expect "a rectangle off the page" 1 --out "^$W/offpage.yaml:43:11: error: field \"client_signature\": the rectangle lies outside page 3" -- \
    signet template lint "$W/offpage.yaml"
broken indent '11s/^    order: 1/     order: 1/'
expect "bad indentation: the parser's position" 1 --out "^$W/indent.yaml:11:6: error: YAML: .*check the indentation" -- \
    signet template lint "$W/indent.yaml"
broken misspelled 's/^title:/tilte:/'
expect "a misspelled key, with a suggestion" 1 \
    --out "^$W/misspelled.yaml:3:1: error: unknown key \"tilte\" in the template \\(did you mean \"title\"\\?\\)" \
    --out "error: the template needs title" -- signet template lint "$W/misspelled.yaml"
broken nostamp '/name: company_stamp/,/rect: \[95/d'
expect "a party with stamp: required and no stamp field" 1 \
    --out "^$W/nostamp.yaml:8:5: error: party \"company\" has stamp: required but no stamp field" -- \
    signet template lint "$W/nostamp.yaml"
broken nopdf 's/document: contract.pdf/document: missing.pdf/'
expect "a missing PDF" 1 --out "^$W/nopdf.yaml:4:11: error: document \".*missing.pdf\" does not exist" -- \
    signet template lint "$W/nopdf.yaml"
broken nosig '/name: client_signature/,$d'
expect "a signing party without a signature field" 1 \
    --out "^$W/nosig.yaml:13:5: error: party \"client\" signs but has no signature field" -- \
    signet template lint "$W/nosig.yaml"
broken twice '5a key: "{{client.name}}"'
expect "a key given twice in one mapping" 1 --out "^$W/twice.yaml:6:1: error: key \"key\" is given twice in this mapping \\(first on line 5\\)" -- \
    signet template lint "$W/twice.yaml"
broken unquoted 's/^title: .*/title: {{deal.number}}/'
expect "an unquoted placeholder" 1 --out "^$W/unquoted.yaml:3:8: error: title: an unquoted \"\\{\\{\" starts a YAML flow mapping" -- \
    signet template lint "$W/unquoted.yaml"
broken plain 's/^title: .*/title: Act {{deal.number}}/'
expect "a placeholder in a plain (unquoted) string" 1 --out "^$W/plain.yaml:3:8: error: title: a value with placeholders must be a quoted string" -- \
    signet template lint "$W/plain.yaml"
broken malformed 's/{{deal.amount}} PLN/{{deal amount}} PLN/'
expect "a malformed placeholder" 1 --out "^$W/malformed.yaml:20:12: error: value: malformed placeholder" -- \
    signet template lint "$W/malformed.yaml"
broken zone 's#Europe/Warsaw#Europe/Wawa#'
expect "an unknown time zone" 1 --out "^$W/zone.yaml:6:11: error: unknown time zone \"Europe/Wawa\"" -- \
    signet template lint "$W/zone.yaml"
broken dupname 's/name: client_address/name: amount/'
expect "a field name used twice" 1 --out "^$W/dupname.yaml:23:5: error: field name \"amount\" is used twice \\(first on line 18\\)" -- \
    signet template lint "$W/dupname.yaml"
broken overlap 's/rect: \[72, 500, 250, 18\]/rect: [72, 630, 250, 18]/'
expect "overlapping fields are a warning, exit 0" 0 --out "^$W/overlap.yaml:27:11: warning: field \"client_address\" overlaps field \"amount\" on page 1" -- \
    signet template lint "$W/overlap.yaml"
printf 'signet: 1\nname: x\ntitle: "caf\xe9"\n' >"$W/latin1.yaml"
expect "a template that is not UTF-8" 1 --out "^$W/latin1.yaml:3: error: not UTF-8" -- signet template lint "$W/latin1.yaml"
expect "a path that does not exist" 1 --out "nothing.yaml: error: no such file or directory" -- \
    signet template lint "$W/nothing.yaml"

expect "a directory is linted recursively; every problem listed" 1 --out "type.yaml:29:11" --out "nopdf.yaml:4:11" \
    --err 'templates checked: [0-9]+ errors' -- signet template lint "$W"
expect "lint --json for pipelines" 1 -- signet template lint "$W/role.yaml" "$W/good.yaml" --json
json_check "files, counts and diagnostics with line and column" \
    'd["schema"] == 1 and len(d["files"]) == 2 and d["errors"] == 1 and d["diagnostics"] == [{"file": "'"$W/role.yaml"'", "line": 25, "column": 11, "severity": "error", "message": "role \"buyer\" is not a party of this template (parties: company, client)"}]'

# --- --data: every placeholder filled in every row -----------------------------
cat >"$W/rows.csv" <<'CSV'
deal.number,deal.amount,company.director,company.email,client.name,client.phone
17,"12 300,00",Anna Nowak,anna@acme.test,Jan Kowalski,+48 601 234 567
CSV
expect "lint --data with a row for every placeholder" 0 --out-empty -- \
    signet template lint "$W/good.yaml" --data "$W/rows.csv"
cat >"$W/short.yaml" <<'YAML'
- deal: {number: "17", amount: "1,00"}
  company: {director: Anna Nowak, email: anna@acme.test}
  client: {name: Jan Kowalski, phone: "+48 601 234 567"}
- deal: {number: "18"}
  company: {director: Anna Nowak, email: anna@acme.test}
  client: {name: Ewa Lis, phone: "+48 601 234 568"}
YAML
expect "lint --data names the row's line and the placeholder it lacks" 1 \
    --out "^$W/short.yaml:4: error: row 2 has no value for \\{\\{deal.amount\\}\\} \\(used at $W/good.yaml:20:12\\)" -- \
    signet template lint "$W/good.yaml" --data "$W/short.yaml"

# --- template show ---------------------------------------------------------------
expect "show lists parties, fields per page and placeholders" 0 \
    --out '^Template  act-of-work' --out '1  company  \{\{company.director\}\}' --out '  page 2 \(last\)' \
    --out '\{\{deal.amount\}\}' -- signet template show "$TPL/act-of-work.yaml"
expect "show --json" 0 -- signet template show "$TPL/invoice.yaml" --json
json_check "name, pages, parties in order, placeholders" \
    'd["name"] == "invoice" and d["document"]["pages"] == 1 and [p["role"] for p in d["parties"]] == ["seller", "buyer"] and "invoice.number" in d["placeholders"] and d["fields"][0]["value"] == "{{invoice.number}}"'
expect "show of a broken template is refused with its first error" 2 --error "nopdf.yaml:4:11: document" -- \
    signet template show "$W/nopdf.yaml"

# --- create --template --data ----------------------------------------------------
cat >"$W/deal.yaml" <<'YAML'
deal:
  number: "2026/17"
  amount: "12 300,00"
company: {director: Anna Nowak, email: anna@acme.test}
client: {name: Пётр Иванов, phone: "+48 601 234 567"}
YAML
expect "create from a template and a YAML row prints the id" 0 --out '^[2-9a-z]{8}$' -- \
    signet create --template "$W/good.yaml" --data "$W/deal.yaml"
id=$(last_out)
expect "status of it" 0 -- signet status "$id" --json
json_check "the title is rendered" 'd["title"] == "Act No. 2026/17"'
json_check "the parties are in the template's order, filled from the row" \
    '[(p["role"], p["name"], p["order"]) for p in d["parties"]] == [("company", "Anna Nowak", 1), ("client", "Пётр Иванов", 2)] and d["parties"][1]["phone"] == "+48601234567"'
json_check "the value field is filled, the others wait for their party" \
    '[(f["name"], f["filled"]) for f in d["fields"]] == [("amount", True), ("client_address", False), ("company_signature", False), ("company_stamp", False), ("client_signature", False)]'
json_check "mm are turned into points, page last into a number" \
    'd["fields"][3]["rect"] == [269.29, 85.04, 85.04, 85.04] and d["fields"][3]["page"] == 3'
check "the value is kept as written" test "$(sql "SELECT value FROM fields WHERE name='amount'")" = "12 300,00 PLN"
expect "a retried create returns the same envelope (the template's key)" 0 --out "^$id\$" --unchanged -- \
    signet create --template "$W/good.yaml" --data "$W/deal.yaml"
expect "... and says so with --json" 0 -- signet create --template "$W/good.yaml" --data "$W/deal.yaml" --json
json_check "existed" 'd["id"] == "'"$id"'" and d["existed"] is True'
expect "the envelope sends: the value is drawn in the prepared revision" 0 --out "^$id: sent" -- signet send "$id"
sha=$(sql "SELECT sha256 FROM revisions r JOIN envelopes e ON e.seq = r.envelope_seq WHERE e.id='$id' AND kind='prepared'")
check "... with the row's value in the PDF" sh -c "qpdf --json=2 --json-key=qpdf '$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf' | grep -q 'u:12 300,00 PLN'"

expect "a file of several rows needs --row" 2 --unchanged --error 'has 2 rows: say which with --row N' -- \
    signet create --template "$W/good.yaml" --data "$W/short.yaml"
expect "a missing value names the placeholder, the data file and line" 2 --unchanged \
    --error "$W/short.yaml:4: no value for \\{\\{deal.amount\\}\\} \\(used at $W/good.yaml:20:12\\)" -- \
    signet create --template "$W/good.yaml" --data "$W/short.yaml" --row 2
expect "--row out of range" 2 --unchanged --error '--row 3: .* has 2 rows' -- \
    signet create --template "$W/good.yaml" --data "$W/short.yaml" --row 3
expect "a broken template is refused at its line" 2 --unchanged --error "role.yaml:25:11: role \"buyer\"" -- \
    signet create --template "$W/role.yaml" --data "$W/deal.yaml"
expect "--template needs --data" 2 --unchanged --error '--template needs --data' -- \
    signet create --template "$W/good.yaml"
expect "--template takes no PDF" 2 --unchanged --error 'a PDF cannot be used with --template' -- \
    signet create "$FIXTURES/contract.pdf" --template "$W/good.yaml" --data "$W/deal.yaml"
expect "a plain create still needs --title" 2 --unchanged --error 'title is required' -- \
    signet create "$FIXTURES/contract.pdf" --party 'role=client,name=A,email=a@b.test'

# A value that does not fit its party: the row's line and the party.
cat >"$W/bad-email.json" <<'JSON'
{"deal": {"number": "99", "amount": "1"},
 "company": {"director": "Anna Nowak", "email": "not-an-address"},
 "client": {"name": "Jan", "phone": "+48 601 234 567"}}
JSON
expect "a bad value in a JSON row names the row and the party" 2 --unchanged \
    --error "bad-email.json:1: party \"company\": email" -- \
    signet create --template "$W/good.yaml" --data "$W/bad-email.json"

# --- CSV as spreadsheets export it ----------------------------------------------
# Polish/Russian/German Excel: semicolons, a byte-order mark, CRLF, a quoted
# field with the delimiter, a doubled quote and a line break.
printf '\xef\xbb\xbfdeal.number;deal.amount;company.director;company.email;client.name;client.phone\r\n' >"$W/excel.csv"
printf '"A;1";"12 300,00";Anna Nowak;anna@acme.test;"Żaneta ""Żółć"" Wójcik";+48 601 234 567\r\n' >>"$W/excel.csv"
printf 'B-2;"4 500,00";Anna Nowak;anna@acme.test;Jürgen Groß;+48 601 234 568\r\n' >>"$W/excel.csv"
expect "a semicolon CSV with a BOM and CRLF: row 1" 0 -- \
    signet create --template "$W/good.yaml" --data "$W/excel.csv" --row 1 --json
a1=$(json_get 'd["id"]')
expect "its status" 0 -- signet status "$a1" --json
json_check "the delimiter inside quotes and the doubled quote are kept" \
    'd["title"] == "Act No. A;1" and d["parties"][1]["name"] == "Żaneta \"Żółć\" Wójcik"'
printf 'deal.number\tdeal.amount\tcompany.director\tcompany.email\tclient.name\tclient.phone\nT-1\t"5,5"\tAnna\tanna@acme.test\tFrançois\t+48 601 234 569\n' >"$W/tabs.csv"
expect "a tab-separated export" 0 -- signet create --template "$W/good.yaml" --data "$W/tabs.csv" --json
expect "its status" 0 -- signet status "$(json_get 'd["id"]')" --json
json_check "values from the tab-separated row" 'd["title"] == "Act No. T-1" and d["parties"][1]["name"] == "François"'

# A quoted cell with a line break: the row after it is numbered by its line.
printf 'deal.number,deal.amount,company.director,company.email,client.name,client.phone\n1,"first\nsecond",Anna,anna@acme.test,Jan,+48 601 234 567\n2,5,Anna,anna@acme.test,Jan,12\n' >"$W/multi.csv"
expect "a row after a multi-line cell is named by its own line" 2 --unchanged \
    --error "multi.csv:4: party \"client\": phone" -- \
    signet create --template "$W/good.yaml" --data "$W/multi.csv" --row 2
printf 'deal.number,deal.amount,company.director,company.email,client.name,client.phone\n1,"12,00",Anna,anna@acme.test,Jan,+48 601 234 567\n2,"3,00",Anna,anna@acme.test,Ma\xf1ana,+48 601 234 567\n' >"$W/latin1.csv"
expect "a CSV that is not UTF-8 is refused with its line" 2 --unchanged \
    --error "latin1.csv:3:[0-9]+: not UTF-8 text \\(byte 0xF1\\)" -- \
    signet create --template "$W/good.yaml" --data "$W/latin1.csv" --row 1
check "... with a hint to convert it" grep -q 'hint: convert it to UTF-8, e.g. iconv' "$ERR"
printf 'deal.number,deal.amount\n1,"open\n' >"$W/open.csv"
expect "an unclosed quote names the line it opens on" 2 --unchanged --error "open.csv:2: a quoted field is not closed" -- \
    signet create --template "$W/good.yaml" --data "$W/open.csv"
expect "an unknown data format" 2 --unchanged --error 'unknown data format' -- \
    signet create --template "$W/good.yaml" --data "$W/good.pdf"

# --- the shipped templates with the examples' data -------------------------------
expect "the act of work from the example CSV" 0 -- \
    signet create --template "$TPL/act-of-work.yaml" --data "$SOURCE_DIR/examples/deals.csv" --row 2 --json
expect "its status" 0 -- signet status "$(json_get 'd["id"]')" --json
json_check "Cyrillic from the CSV" 'd["title"] == "Act of completed work No. 2026/11/043" and d["parties"][1]["name"] == "Пётр Иванов"'
expect "the invoice from the example JSON" 0 --out '^[2-9a-z]{8}$' -- \
    signet create --template "$TPL/invoice.yaml" --data "$SOURCE_DIR/examples/invoices.json" --row 2
expect "the NDA lints with the example data" 0 -- \
    signet template lint "$TPL/nda.yaml" --data "$SOURCE_DIR/examples/nda.yaml"

# --- create --like: the same kind of document again -----------------------------
expect "--like copies parties and fields into a new draft" 0 --out '^[2-9a-z]{8}$' -- \
    signet create --like "$id" --party 'role=client,name=Ewa Lis,email=ewa@lis.test'
like=$(last_out)
expect "its status" 0 -- signet status "$like" --json
json_check "draft, same title, the client replaced (contact and auth), the company kept" \
    'd["status"] == "draft" and d["title"] == "Act No. 2026/17" and [(p["role"], p["name"], p["email"], p["phone"], p["auth"]) for p in d["parties"]] == [("company", "Anna Nowak", "anna@acme.test", None, "email"), ("client", "Ewa Lis", "ewa@lis.test", None, "email")] and d["parties"][0]["stamp"] == "required"'
json_check "the same fields; the sender's value kept, the parties' empty" \
    '[(f["name"], f["type"], f["role"], f["page"], f["rect"], f["filled"]) for f in d["fields"]] == [("amount", "text", None, 1, [72, 640, 200, 16], True), ("client_address", "text", "client", 1, [72, 500, 250, 18], False), ("company_signature", "signature", "company", 3, [72, 100, 180, 50], False), ("company_stamp", "stamp", "company", 3, [269.29, 85.04, 85.04, 85.04], False), ("client_signature", "signature", "client", 3, [360, 100, 180, 50], False)]'
expect "--like with a new PDF of the same page count and a new title" 0 -- \
    signet create --like "$id" "$FIXTURES/contract.pdf" --title "Act No. 18" --json
expect "its status" 0 -- signet status "$(json_get 'd["id"]')" --json
json_check "the new title" 'd["title"] == "Act No. 18" and len(d["fields"]) == 5'
expect "--like with a PDF of another page count is refused" 2 --unchanged \
    --error "invoice.pdf\" has 1 page, envelope $id's document 3: its fields are placed on those pages" -- \
    signet create --like "$id" "$TPL/invoice.pdf"
expect "--like --party for a role the envelope lacks" 2 --unchanged \
    --error "--party 1: \"buyer\" is not a party of envelope $id" -- \
    signet create --like "$id" --party 'role=buyer,name=X,email=x@y.test'
expect "--like of an unknown envelope" 2 --unchanged --error 'no envelope "zzzzzzzz"' -- \
    signet create --like zzzzzzzz
expect "--like with --key is idempotent" 0 -- signet create --like "$id" --key again-1 --json
k1=$(json_get 'd["id"]')
expect "... the second time returns the first" 0 --out "^$k1\$" --unchanged -- signet create --like "$id" --key again-1

# --- expires_in: recorded with the envelope, applied when it is sent ----------
# The template's expires_in wins over the store's; days end at the local time
# of sending in the template's zone; --like keeps it; without one the store's
# config applies.
broken badexpiry '6a expires_in: 0d'
expect "expires_in of zero is refused by lint at its line" 1 \
    --out "^$W/badexpiry.yaml:7:13: error: expires_in must be a whole number of hours, days or weeks above zero" -- \
    signet template lint "$W/badexpiry.yaml"
broken minutes '6a expires_in: 90m'
expect "expires_in in minutes is refused by lint at its line" 1 \
    --out "^$W/minutes.yaml:7:13: error: expires_in must be .* not \"90m\"" -- signet template lint "$W/minutes.yaml"
expect "create refuses a template with a bad expires_in at its line" 2 --unchanged \
    --error "badexpiry.yaml:7:13: expires_in must be" -- \
    signet create --template "$W/badexpiry.yaml" --data "$W/deal.yaml"

sed -i 's/^expires_in: .*/expires_in: 30d/' "$SIGNET_HOME/config.yaml"
check "the store's config now keeps envelopes open 30 days" grep -qx 'expires_in: 30d' "$SIGNET_HOME/config.yaml"
sed -e 's/^name: act$/name: act-3d/' -e '6a expires_in: 3d' "$W/good.yaml" >"$W/expiring.yaml"
expect "a template with expires_in: 3d lints clean" 0 --out-empty -- signet template lint "$W/expiring.yaml"
expect "template show lists the expiry with the settings" 0 --out '^Locale    store default, Europe/Warsaw, expires in 3d$' -- \
    signet template show "$W/expiring.yaml"
expect "template show --json gives it in seconds" 0 -- signet template show "$W/expiring.yaml" --json
json_check "expires_in is 3 days" 'd["expires_in"] == 3 * 86400 and d["timezone"] == "Europe/Warsaw"'
expect "create from it" 0 --out '^[2-9a-z]{8}$' -- signet create --template "$W/expiring.yaml" --data "$W/deal.yaml"
exp=$(last_out)
check "the envelope records the template's expiry and zone" \
    test "$(sql "SELECT expires_in || ' ' || timezone FROM envelopes WHERE id='$exp'")" = "3d Europe/Warsaw"
expect "the draft's detail says how long after sending it expires" 0 --out '^  Expires +3d after it is sent$' -- \
    signet status "$exp"
expect "... and its JSON has no expires_at yet" 0 -- signet status "$exp" --json
json_check "expires_at is null" 'd["status"] == "draft" and d["expires_at"] is None'
expect "--like copies the expiry" 0 --out '^[2-9a-z]{8}$' -- \
    signet create --like "$exp" --party 'role=client,name=Ewa Lis,email=ewa@lis.test'
exp_like=$(last_out)
expect "send both (at 2026-11-23T09:00:00Z)" 0 -- signet send "$exp" "$exp_like"
expect "status --json of the one from the template" 0 -- signet status "$exp" --json
json_check "it expires exactly 3 days after sending, not the config's 30" \
    'd["status"] == "sent" and d["waiting_since"] == "2026-11-23T09:00:00Z" and d["expires_at"] == "2026-11-26T09:00:00Z"'
expect "its detail shows the time" 0 --out '^  Expires +2026-11-26 09:00 UTC$' -- signet status "$exp"
expect "status --json of the --like copy" 0 -- signet status "$exp_like" --json
json_check "the copy expires 3 days after sending too" 'd["expires_at"] == "2026-11-26T09:00:00Z"'
check "the sent event records it" sh -c "'$SIGNET' audit '$exp' --json | grep -q '2026-11-26T09:00:00Z'"
expect "a --like copy of an envelope without expires_in" 0 --out '^[2-9a-z]{8}$' -- signet create --like "$id" --key plain-1
plain=$(last_out)
expect "... sent" 0 -- signet send "$plain"
expect "... takes the store's 30 days" 0 -- signet status "$plain" --json
json_check "expires_at is 30 days on" 'd["expires_at"] == "2026-12-23T09:00:00Z"'
# Days are calendar days in the template's zone: across the start of summer
# time (2027-03-28 in Poland) 3 days from 10:00 CET end at 10:00 CEST.
printf 'deal:\n  number: "2027/03"\n  amount: "1,00"\ncompany: {director: Anna Nowak, email: anna@acme.test}\nclient: {name: Jan, phone: "+48 601 234 567"}\n' >"$W/march.yaml"
expect "create in March" 0 --out '^[2-9a-z]{8}$' -- \
    env SIGNET_NOW=2027-03-26T09:00:00Z "$SIGNET" create --template "$W/expiring.yaml" --data "$W/march.yaml"
march=$(last_out)
expect "send it at 10:00 CET on the Friday before summer time" 0 -- \
    env SIGNET_NOW=2027-03-26T09:00:00Z "$SIGNET" send "$march"
expect "its status" 0 -- env SIGNET_NOW=2027-03-26T09:00:00Z "$SIGNET" status "$march" --json
json_check "it expires at 10:00 CEST on the Monday (71 hours)" 'd["expires_at"] == "2027-03-29T08:00:00Z"'

# A template's timezone and date_format reach date_signed (and the
# certificate's dates): signed at 20:00 UTC it is already the next day in
# Tokyo, still the same day in the store's Warsaw.
sed -e 's/^name: act$/name: act-tokyo/' -e 's|^timezone: Europe/Warsaw$|timezone: Asia/Tokyo\ndate_format: "%Y/%m/%d"|' \
    "$W/good.yaml" >"$W/tokyo.yaml"
cat >>"$W/tokyo.yaml" <<'YAML'
  - name: client_date
    type: date_signed
    role: client
    page: last
    rect: [360, 60, 120, 16]
YAML
expect "a template with its own zone and date format lints clean" 0 --out-empty -- \
    signet template lint "$W/tokyo.yaml"
printf 'deal:\n  number: "2026/TK/1"\n  amount: "5,00"\ncompany: {director: Anna Nowak, email: anna@acme.test}\nclient: {name: Jan Kowalski, phone: "+48 601 234 568"}\n' >"$W/tokyo-deal.yaml"
expect "create from it" 0 --out '^[2-9a-z]{8}$' -- \
    signet create --template "$W/tokyo.yaml" --data "$W/tokyo-deal.yaml"
tokyo=$(last_out)
check "the envelope records the template's zone and format" \
    test "$(sql "SELECT timezone || ' ' || date_format FROM envelopes WHERE id='$tokyo'")" = "Asia/Tokyo %Y/%m/%d"
expect "--like copies them" 0 --out '^[2-9a-z]{8}$' -- signet create --like "$tokyo" --key tokyo-2
check "... into the copy" \
    test "$(sql "SELECT timezone || ' ' || date_format FROM envelopes WHERE id='$(last_out)'")" = "Asia/Tokyo %Y/%m/%d"
expect "send it" 0 -- signet send "$tokyo"
export SIGNET_NOW=2026-11-23T20:00:00Z
check "the company signs" sign_as_next "$tokyo" --signature-image "$FIXTURES/sig.png" \
    --stamp "$FIXTURES/stamp.png" --agree
check "the client signs at 20:00 UTC" sign_as_next "$tokyo" --field "client_address=ul. Żółć 5" \
    --signature-text "Jan Kowalski" --agree
check "date_signed is the Tokyo date in the template's format, not the store's" \
    test "$(sql "SELECT f.value FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id='$tokyo' AND f.name='client_date'")" = 2026/11/24
export SIGNET_NOW=2026-11-23T09:00:00Z
