#!/usr/bin/env bash
# signet status [ENVELOPE] [--stage S] [--owner NAME] [--board] [--limit N]
# (CLI.md "status ENVELOPE --json", "status --json"; DESIGN.md: managers see
# where documents are stuck).
source "$(dirname "$0")/lib.sh"
init_store

# CLI.md's keys, exactly: scripts depend on them.
ENVELOPE_KEYS='{"id", "title", "status", "owner", "created_at", "expires_at", "waiting_since", "document", "parties", "fields", "undelivered"}'
DOCUMENT_KEYS='{"sha256", "current_sha256", "pages", "revisions"}'
PARTY_KEYS='{"role", "name", "email", "phone", "order", "kind", "action", "auth", "stamp", "status"}'
FIELD_KEYS='{"name", "type", "role", "page", "rect", "required", "filled"}'
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
# A Python predicate: t is null or an RFC 3339 UTC time.
time_ok() { echo "($1 is None or re.fullmatch(\"$TIME_RE\", $1) is not None)"; }

# --- an empty store -------------------------------------------------------------------

expect "status on an empty store says there are no envelopes" 0 --out '^\(no envelopes yet\)$' -- \
    signet status
expect "status --json on an empty store" 0 -- signet status --json
json_check 'gives {"schema": 1, "envelopes": []}' 'd == {"schema": 1, "envelopes": []}'

# --- envelopes in several states ----------------------------------------------------------

# main: a draft with two parties and fields, one of them without a role.
main=$(signet create "$FIXTURES/contract.pdf" --title "Umowa dostawy № 7" \
    --party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required' \
    --party 'role=client,name=Пётр Иванов,phone=+79123456789,order=2')
signet add-field "$main" --type signature --role company --page last --rect 72,100,180,50 >/dev/null
signet add-field "$main" --type text --page 1 --rect 72,700,200,20 --value "No. 7" >/dev/null
# older: anna's, created ten days earlier; `send` does not exist yet, so
# the database is edited to make it sent and waiting for the client.
older=$(SIGNET_NOW=2026-11-13T09:00:00Z signet create "$FIXTURES/contract.pdf" --title "Old act" \
    --party 'role=client,name=Jan,email=jan@example.com' --owner anna)
sql "UPDATE envelopes SET status='sent', waiting_for='client', expires_at=1796029200 WHERE id='$older'"
# prog: in progress (one party has acted), waiting for the client since
# two days ago.
prog=$(SIGNET_NOW=2026-11-21T09:00:00Z signet create "$FIXTURES/contract.pdf" --title "Half signed" \
    --party 'role=company,name=Anna,email=anna@acme.test' \
    --party 'role=client,name=Jan,email=jan@example.com,order=2')
sql "UPDATE envelopes SET status='in_progress', waiting_for='client' WHERE id='$prog'"
# done: anna's, voided (again by editing the database).
done_id=$(signet create "$FIXTURES/contract.pdf" --title "Voided act" \
    --party 'role=client,name=Jan,email=jan@example.com' --owner anna)
sql "UPDATE envelopes SET status='voided' WHERE id='$done_id'"

# --- the detail view ---------------------------------------------------------------------

expect "status ID shows the envelope" 0 --err-empty -- signet status "$main"
check "the first line is the id and status" grep -Eq "^Envelope $main  draft\$" "$OUT"
check "it shows the title" grep -Eq '^  Title +Umowa dostawy № 7$' "$OUT"
check "it shows the owner" grep -Eq "^  Owner +$(id -un)\$" "$OUT"
check "it shows when it was created, in UTC" grep -Eq '^  Created +2026-11-23 09:00 UTC$' "$OUT"
check "it shows who it waits for" grep -Eq '^  Waiting for +sender \(draft\) since 2026-11-23 09:00 UTC' "$OUT"
check "it shows the pages and revisions" grep -Eq '^  Document +3 pages, 1 revision$' "$OUT"
check "it shows the document's SHA-256" \
    grep -Eq "^  SHA-256 +$(sha256sum "$FIXTURES/contract.pdf" | cut -d' ' -f1)\$" "$OUT"
check "the parties table has its columns" \
    grep -Eq '^  ORDER +ROLE +NAME +CONTACT +KIND +ACTION +AUTH +STAMP +STATUS$' "$OUT"
check "the company's row" \
    grep -Eq '^  1 +company +Anna Nowak +anna@acme\.test +organization +sign +email +required +waiting$' "$OUT"
check "the client's row, Cyrillic intact" \
    grep -Eq '^  2 +client +Пётр Иванов +\+79123456789 +person +sign +sms +none +waiting$' "$OUT"
check "the fields table has its columns" \
    grep -Eq '^  NAME +TYPE +ROLE +PAGE +RECT \(pt\) +REQUIRED +FILLED$' "$OUT"
check "the signature field's row, page last as 3" \
    grep -Eq '^  company_signature +signature +company +3 +72,100,180,50 +yes +no$' "$OUT"
check "a field without a role shows -" grep -Eq '^  text +text +- +1 +72,700,200,20 +yes +yes$' "$OUT"
expect "an envelope without fields says how to add them" 0 \
    --out "none yet: add them with signet add-field $older" -- signet status "$older"
expect "a sent envelope shows the role it waits for and how long" 0 \
    --out '^  Waiting for +client since 2026-11-13 09:00 UTC \(10d\)$' -- signet status "$older"
expect "... and when it expires" 0 --out '^  Expires +2026-11-30 09:00 UTC$' -- signet status "$older"

# --- status ID --json: exactly CLI.md's keys -------------------------------------------------

expect "status ID --json prints one JSON document" 0 --err-empty -- signet status "$main" --json
cp "$OUT" "$TEST_TMP/main.json"
json_check "top level: schema plus exactly CLI.md's envelope keys" \
    "set(d) == {'schema'} | $ENVELOPE_KEYS and d['schema'] == 1"
json_check "document: exactly sha256 current_sha256 pages revisions" "set(d['document']) == $DOCUMENT_KEYS"
json_check "each party: exactly role name email phone order kind action auth stamp status" \
    "len(d['parties']) == 2 and all(set(p) == $PARTY_KEYS for p in d['parties'])"
json_check "each field: exactly name type role page rect required filled" \
    "len(d['fields']) == 2 and all(set(f) == $FIELD_KEYS for f in d['fields'])"
json_check "values: id, title, status, owner" \
    "(d['id'], d['title'], d['status'], d['owner']) == ('$main', 'Umowa dostawy № 7', 'draft', '$(id -un)')"
json_check "times are RFC 3339 UTC ending in Z" \
    "$(time_ok "d['created_at']") and $(time_ok "d['waiting_since']") and $(time_ok "d['expires_at']") and d['created_at'] == '2026-11-23T09:00:00Z'"
json_check "a draft does not expire yet" "d['expires_at'] is None"
json_check "document: hashes, 3 pages, 1 revision" \
    "d['document'] == {'sha256': '$(sha256sum "$FIXTURES/contract.pdf" | cut -d' ' -f1)', 'current_sha256': d['document']['sha256'], 'pages': 3, 'revisions': 1}"
json_check "a missing contact is null, not an empty string" \
    "d['parties'][0]['phone'] is None and d['parties'][1]['email'] is None"
json_check "party types: order a number, the rest strings" \
    "all(isinstance(p['order'], int) and all(isinstance(p[k], str) for k in ('role', 'name', 'kind', 'action', 'auth', 'stamp', 'status')) for p in d['parties'])"
json_check "field values: page last as 3, rect as four numbers, booleans" \
    "d['fields'][0] == {'name': 'company_signature', 'type': 'signature', 'role': 'company', 'page': 3, 'rect': [72, 100, 180, 50], 'required': True, 'filled': False}"
json_check "a field without a role has role null" "d['fields'][1]['role'] is None and d['fields'][1]['filled'] is True"
json_check "nothing is waiting in the outbox" "d['undelivered'] == []"

expect "status --json of a sent envelope" 0 -- signet status "$older" --json
json_check "its expires_at is an RFC 3339 UTC time" \
    "d['expires_at'] == '2026-11-30T09:00:00Z' and d['waiting_since'] == '2026-11-13T09:00:00Z' and d['status'] == 'sent'"
expect "status --json of a voided envelope" 0 -- signet status "$done_id" --json
json_check "has the same keys, and no longer waits" \
    "set(d) == {'schema'} | $ENVELOPE_KEYS and d['status'] == 'voided' and $(time_ok "d['waiting_since']")"

# --- the list ------------------------------------------------------------------------------

expect "status lists every envelope" 0 --out "^$main +draft " --out "^$older +sent " \
    --out "^$done_id +voided " -- signet status
check "the list has a header row" grep -Eq '^ID +STATUS +WAITING FOR +AGE +OWNER +TITLE$' "$OUT"
check "the sent envelope's row says whom it waits for and how long" \
    grep -Eq "^$older +sent +client +10d +anna +Old act\$" "$OUT"
expect "status --json lists every envelope" 0 --err-empty -- signet status --json
json_check 'as {"schema": 1, "envelopes": [...]}' "set(d) == {'schema', 'envelopes'} and d['schema'] == 1"
json_check "each with exactly CLI.md's envelope keys" \
    "len(d['envelopes']) == 4 and all(set(e) == $ENVELOPE_KEYS for e in d['envelopes'])"
json_check "... the same objects as status ID --json" \
    "[e for e in d['envelopes'] if e['id'] == '$main'] == [{k: v for k, v in json.load(open('$TEST_TMP/main.json', encoding='utf-8')).items() if k != 'schema'}]"

# CLI.md: --stage takes an envelope status or "waiting" (sent or in progress).
ids() { json_get "sorted(e['id'] for e in d['envelopes'])"; }
sorted_ids() { printf '%s\n' "$@" | sort | py -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))'; }
expect "--stage draft lists the drafts" 0 --out "^$main " --no-out "^($older|$done_id) " -- \
    signet status --stage draft
expect "--stage sent lists the sent" 0 --out "^$older " --no-out "^($main|$done_id) " -- \
    signet status --stage sent
expect "--stage waiting --json" 0 -- signet status --stage waiting --json
check "... gives the sent and the in-progress ones" test "$(ids)" = "$(sorted_ids "$older" "$prog")"
expect "--stage in_progress lists the one in progress" 0 --out "^$prog " \
    --no-out "^($main|$older|$done_id) " -- signet status --stage in_progress
expect "--stage voided --json" 0 -- signet status --stage voided --json
check "... gives only the voided one" test "$(ids)" = "$(sorted_ids "$done_id")"
expect "--stage completed says none match" 0 --out '^\(no envelopes match\)$' -- \
    signet status --stage completed
expect "--owner lists one sender's envelopes" 0 --out "^$older " --out "^$done_id " \
    --no-out "^$main " -- signet status --owner anna
expect "--owner and --stage together" 0 -- signet status --owner anna --stage sent --json
check "... narrow to both" test "$(ids)" = "$(sorted_ids "$older")"
expect "--owner nobody matches nothing" 0 -- signet status --owner nobody --json
json_check "... an empty list" "d == {'schema': 1, 'envelopes': []}"
expect "an unknown --stage is refused" 2 --error 'unknown stage "stuck"' --err '^hint: stages: ' \
    -- signet status --stage stuck

# --- status --json: compact in a pipe, indented on a terminal, cached -------------------------

# same_json TTY PIPED: the indented document, written compact by Python, is
# byte for byte the compact one (the compact list comes from the cache of
# each envelope's JSON, the indented one from the rows).
same_json() {
    py - "$1" "$2" <<'PY'
import json, sys
indented = open(sys.argv[1], encoding="utf-8").read()
compact = open(sys.argv[2], encoding="utf-8").read()
want = json.dumps(json.loads(indented), ensure_ascii=False, separators=(",", ":")) + "\n"
sys.exit(0 if compact == want else "differ:\n%s\n%s" % (want, compact))
PY
}
cached_rows() { sqlite3 "$SIGNET_HOME/cache/status.db" "SELECT count(*) FROM envelope_json"; }
expect "status --json in a pipe writes the list on one line" 0 --err-empty -- signet status --json
check "... one line, ending in a newline" test "$(wc -l <"$OUT")" = 1
check "... that starts with the schema" grep -q '^{"schema":1,"envelopes":\[{"id":' "$OUT"
check "... and leaves every envelope's JSON cached" test "$(cached_rows)" = 4
check "... in the store's cache directory, private" \
    test "$(stat -c %a "$SIGNET_HOME/cache") $(stat -c %a "$SIGNET_HOME/cache/status.db")" = "700 600"
cp "$OUT" "$TEST_TMP/piped.json"
expect "status --json on a terminal is indented" 0 --out '^    \{$' --out '^      "id": ' -- \
    on_tty "$SIGNET" status --json
check "... the same document as in a pipe" same_json "$OUT" "$TEST_TMP/piped.json"
expect "status --json from the cache, again" 0 -- signet status --json
check "... the same bytes" cmp -s "$OUT" "$TEST_TMP/piped.json"

# Rows changed with plain SQL, as another program might: the triggers
# mark the envelope stale and the list shows the change.
main_seq=$(sql "SELECT seq FROM envelopes WHERE id = '$main'")
version() { sql "SELECT version FROM envelope_versions WHERE envelope_seq = $main_seq"; }
before=$(version)
sql "UPDATE parties SET name = 'Zofia Łęcka' WHERE envelope_seq = $main_seq AND role = 'client'"
sql "UPDATE fields SET filled = 1, x = 80.5 WHERE envelope_seq = $main_seq AND name = 'company_signature'"
check "a change made with SQL gives the envelope a new version" test "$(version)" != "$before"
expect "status --json after changes made with SQL" 0 --err-empty -- signet status --json
json_check "... shows them" \
    "[(e['parties'][1]['name'], e['fields'][0]['filled'], e['fields'][0]['rect']) for e in d['envelopes'] if e['id'] == '$main'] == [('Zofia Łęcka', True, [80.5, 100, 180, 50])]"
check "... and caches the envelope again" test "$(sqlite3 "$SIGNET_HOME/cache/status.db" \
    "SELECT version FROM envelope_json WHERE envelope_seq = $main_seq")" = "$(version)"
cp "$OUT" "$TEST_TMP/piped.json"
expect "on a terminal too" 0 -- on_tty "$SIGNET" status --json
check "... the same document as in a pipe" same_json "$OUT" "$TEST_TMP/piped.json"
expect "status --json --stage draft from the cache" 0 -- signet status --json --stage draft
cp "$OUT" "$TEST_TMP/piped.json"
expect "... on a terminal" 0 -- on_tty "$SIGNET" status --json --stage draft
check "... the same document" same_json "$OUT" "$TEST_TMP/piped.json"

# --- the board --------------------------------------------------------------------------------

expect "--board shows the stages as columns" 0 --out '^DRAFT 1 +WAITING: CLIENT 2 +COMPLETED 0 +DECLINED/VOIDED/EXPIRED 1$' \
    -- env COLUMNS=120 "$SIGNET" status --board
check "... each envelope under its column, with its age" grep -Eq "^$main 0s +$older 10d +$done_id( |\$)" "$OUT"
check "... with its title below" grep -Eq '^  Umowa dostawy № 7 +Old act +Voided act$' "$OUT"
check "... the longest-waiting first" grep -Eq "^ +$prog 2d\$" "$OUT"
expect "--board fits 80 columns by default" 0 --out '^DRAFT 1 +WAITING: CLIENT 2 +COMPLETED 0 +DECLINED' -- \
    signet status --board
check "... no line is wider than 80" py -c 'import sys; sys.exit(max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()) > 80)' "$OUT"
expect "--board --owner anna leaves out the others' drafts" 0 --out '^DRAFT 0 ' -- \
    signet status --board --owner anna
expect "--board --json" 0 -- signet status --board --json
json_check "has a column per stage with counts" \
    "[(c['title'], c['count']) for c in d['columns']] == [('draft', 1), ('waiting: client', 2), ('completed', 0), ('declined/voided/expired', 1)]"
json_check "... and the envelopes in each" \
    "[[e['id'] for e in c['envelopes']] for c in d['columns']] == [['$main'], ['$older', '$prog'], [], ['$done_id']] and all($(time_ok "e['waiting_since']") for c in d['columns'] for e in c['envelopes'])"
signet create "$FIXTURES/contract.pdf" --title "Second draft" --party 'role=client,name=J,email=j@example.com' >/dev/null
expect "--board --limit 1 shows one envelope per column, and the full count" 0 -- \
    signet status --board --limit 1 --json
json_check "... draft: count 2, one shown" "d['columns'][0]['count'] == 2 and len(d['columns'][0]['envelopes']) == 1"
expect "--limit 0 is refused" 2 --error 'limit' -- signet status --board --limit 0
expect "an envelope id with --board is refused" 2 --error 'cannot be combined' -- \
    signet status "$main" --board

# --- unknown envelopes ---------------------------------------------------------------------------

expect "an unknown envelope is bad input" 2 --error 'no envelope "nosuch99"' \
    --err '^hint: .*signet status' -- signet status nosuch99

# --- colour: never in a pipe, never with NO_COLOR or --no-color -----------------------------

ESC=$'\x1b'
expect "the detail view has no ANSI escapes when piped" 0 --no-out "$ESC" -- signet status "$main"
expect "the list has no ANSI escapes when piped" 0 --no-out "$ESC" -- signet status
expect "the board has no ANSI escapes when piped" 0 --no-out "$ESC" -- signet status --board
# The control: on a terminal the same commands do colour (bold headers).
expect "on a terminal the detail view is coloured" 0 --out "$ESC\\[" -- on_tty "$SIGNET" status "$main"
expect "on a terminal the list is coloured" 0 --out "$ESC\\[" -- on_tty "$SIGNET" status
expect "on a terminal the board is coloured" 0 --out "$ESC\\[" -- on_tty "$SIGNET" status --board
expect "NO_COLOR turns colour off on a terminal (detail)" 0 --out "Envelope $main" --no-out "$ESC" -- \
    on_tty env NO_COLOR=1 "$SIGNET" status "$main"
expect "NO_COLOR turns colour off on a terminal (list)" 0 --out "^$main " --no-out "$ESC" -- \
    on_tty env NO_COLOR=1 "$SIGNET" status
expect "NO_COLOR turns colour off on a terminal (board)" 0 --out '^DRAFT' --no-out "$ESC" -- \
    on_tty env NO_COLOR=1 "$SIGNET" status --board
expect "--no-color turns colour off on a terminal" 0 --out "Envelope $main" --no-out "$ESC" -- \
    on_tty "$SIGNET" --no-color status "$main"
expect "--no-color after the subcommand too" 0 --out "^$main " --no-out "$ESC" -- \
    on_tty "$SIGNET" status --no-color
expect "TERM=dumb gets no colour" 0 --out "^$main " --no-out "$ESC" -- \
    on_tty env TERM=dumb "$SIGNET" status

# --- global options before and after the subcommand ------------------------------------------

# same DESCRIPTION COMMAND... --versus COMMAND...: both print the same.
same() {
    local description=$1
    shift
    local -a first=()
    while [[ "$1" != "--versus" ]]; do
        first+=("$1")
        shift
    done
    shift
    "${first[@]}" >"$TEST_TMP/before" 2>&1
    local first_status=$?
    "$@" >"$TEST_TMP/after" 2>&1
    check "$description" both_succeed_alike "$first_status" $? "$TEST_TMP/before" "$TEST_TMP/after"
}
both_succeed_alike() { [[ "$1" == 0 && "$2" == 0 && -s "$3" ]] && cmp "$3" "$4"; }
# CLI.md: `signet status ID --json` and `signet --json status ID` are the same.
same "--json before or after status ID gives the same output" \
    signet --json status "$main" --versus signet status "$main" --json
same "--json before or after status gives the same output" \
    signet --json status --stage draft --versus signet status --stage draft --json
same "--store before or after gives the same output" \
    env -u SIGNET_HOME "$SIGNET" --store "$SIGNET_HOME" status "$main" \
    --versus env -u SIGNET_HOME "$SIGNET" status "$main" --store "$SIGNET_HOME"
same "--no-color before or after gives the same output" \
    signet --no-color status --board --versus signet status --board --no-color
same "several global options mixed before and after give the same output" \
    signet --store "$SIGNET_HOME" --json --no-color status --owner anna \
    --versus signet status --owner anna --no-color --json --store "$SIGNET_HOME"
same "-q before or after gives the same output" \
    signet -q status --stage completed --versus signet status --stage completed -q
