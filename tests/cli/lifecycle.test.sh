#!/usr/bin/env bash
# decline, void, remind and expiry: the rest of the envelope life cycle
# (issue 3, item 7). Each ends (or nudges) an envelope, tells the parties
# and runs hooks.<event>; each refuses what does not apply.
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

# Every hook writes "EVENT ENVELOPE" to hooks.log and keeps its stdin.
cat >"$TEST_TMP/hook.sh" <<SH
printf '%s %s\\n' "\$SIGNET_EVENT" "\$SIGNET_ENVELOPE" >>"$TEST_TMP/hooks.log"
cat >"$TEST_TMP/\$SIGNET_EVENT-\$SIGNET_ENVELOPE.json"
SH
cat >>"$SIGNET_HOME/config.yaml" <<YAML
hooks:
  declined: [/bin/sh, "$TEST_TMP/hook.sh"]
  voided: [/bin/sh, "$TEST_TMP/hook.sh"]
  expired: [/bin/sh, "$TEST_TMP/hook.sh"]
YAML

REASON='Kwota w § 3 jest błędna — Сумма в акте неверна'

# --- decline --------------------------------------------------------------------------------
d=$(two_party_sent)
token=$(next_token "$d")
check "the company's invitation carries a token" test -n "$token"

expect "decline without --reason is bad usage" 2 --unchanged --error 'reason' -- \
    signet decline "$d" --token "$token"
expect "a reason with a tab is refused, naming --reason" 2 --unchanged --error '--reason' -- \
    signet decline "$d" --token "$token" --reason $'wrong\tamount'
expect "a reason with a line break is refused" 2 --unchanged --error '--reason' -- \
    signet decline "$d" --token "$token" --reason $'wrong\namount'
expect "a blank reason is refused" 2 --unchanged --error '--reason' -- \
    signet decline "$d" --token "$token" --reason '   '
expect "a reason over 500 bytes is refused" 2 --unchanged --error '500' -- \
    signet decline "$d" --token "$token" --reason "$(printf 'ж%.0s' {1..251})"
expect "a bad reason is refused before the token is asked for" 2 --unchanged --error '--reason' -- \
    setsid -w env -u SIGNET_TOKEN "$SIGNET" decline "$d" --reason $'a\x01b'
expect "no token and no terminal is bad input" 2 --unchanged --error 'token' -- \
    setsid -w env -u SIGNET_TOKEN "$SIGNET" decline "$d" --reason "no"
expect "a wrong token fails authentication" 4 --unchanged --error 'does not open' -- \
    signet decline "$d" --token abcdefghijklmnopqrstuvwxyz --reason "no"
expect "an unknown envelope is bad input" 2 --unchanged --error 'no envelope "zzzzzzzz"' -- \
    signet decline zzzzzzzz --token "$token" --reason "no"

expect "the company declines with its token from SIGNET_TOKEN" 0 \
    --out "^$d: declined by company; told company, client\$" -- \
    env SIGNET_TOKEN="$token" "$SIGNET" decline "$d" --reason "$REASON"
check "the envelope is declined" test "$(envelope_status "$d")" = declined
check "the company is declined, the client still waits" \
    test "$(party_status "$d" company) $(party_status "$d" client)" = "declined waiting"
check "it no longer waits for anyone" test "$(sql "SELECT waiting_for FROM envelopes WHERE id='$d'")" = ""
check "the audit event is the party's, with the reason" \
    test "$(sql "SELECT action || ' ' || actor FROM events WHERE envelope_seq = (SELECT seq FROM envelopes WHERE id='$d') ORDER BY seq DESC LIMIT 1")" = "declined party:company"
check "the event keeps the reason intact" \
    sh -c "sqlite3 '$DB' \"SELECT details FROM events WHERE action = 'declined'\" | grep -qF '$REASON'"

mail=$(outbox_messages declined "$d" eml)
sms=$(outbox_messages declined "$d" sms)
check "the company is told by e-mail" test "$(wc -w <<<"$mail")" = 1
check "the client is told by SMS" test "$(wc -w <<<"$sms")" = 1
check "... the mail is to the company" grep -q '^To: Anna Nowak <anna@acme.test>' "$mail"
check "... its subject names the title, Polish intact" \
    test "$(eml_subject "$mail")" = "Declined: Umowa № 7 — Łódź"
check "... its text has the reason, Cyrillic and Polish intact" mail_has "$mail" "$REASON"
check "... who declined" mail_has "$mail" "You declined to sign"
check "... the envelope id" mail_has "$mail" "(envelope $d)"
check "... and the audit chain head" mail_matches "$mail" '^Audit chain head: +[0-9a-f]{64}$'
check "... the SMS goes to the client's number" grep -qx 'To: +48601234567' "$sms"
check "... and names the envelope and the reason" \
    sh -c "grep -q '($d) was declined by Anna Nowak' '$sms' && grep -qF 'Сумма' '$sms'"
check "... and is short" test "$(tail -n +2 "$sms" | wc -m)" -le 200
check "hooks.declined ran with the envelope id" grep -qx "declined $d" "$TEST_TMP/hooks.log"
check "... its stdin is the envelope's JSON, declined, with the reason" \
    py -c "import json,sys; d=json.load(open('$TEST_TMP/declined-$d.json')); sys.exit(not (d['schema']==1 and d['id']=='$d' and d['status']=='declined' and d['reason']=='$REASON' and d['ended_by']=='party:company'))"

expect "declining again fails: the token is spent" 4 --unchanged --error 'used already' -- \
    signet decline "$d" --token "$token" --reason "again"
expect "the board puts it in the ended column" 0 -- signet status --board --json
json_check "ended column holds it" \
    '[c for c in d["columns"] if c["title"] == "declined/voided/expired"][0]["envelopes"][0]["id"] == "'"$d"'"'
expect "status --json shows it declined, waiting for no one" 0 -- signet status "$d" --json
json_check "declined in JSON" 'd["status"] == "declined" and d["waiting_since"] is None and [p["status"] for p in d["parties"]] == ["declined", "waiting"]'

# --- void -----------------------------------------------------------------------------------
v=$(two_party_sent)
other=$(two_party_sent --owner somebody-else)
expect "only the owner may void" 5 --unchanged --error 'only the owner .*somebody-else' -- \
    signet void "$other" --reason "not mine"
expect "void without --reason is bad usage" 2 --unchanged --error 'reason' -- signet void "$v"
expect "a reason with control characters is refused" 2 --unchanged --error '--reason' -- \
    signet void "$v" --reason $'bad\x1b[31m'
expect "void of an unknown envelope is bad input" 2 --unchanged --error 'no envelope' -- \
    signet void zzzzzzzz --reason "gone"
expect "the owner voids it; the invited company is told" 0 \
    --out "^$v: voided; told company\$" -- signet void "$v" --reason "Zła umowa — заменена"
check "the envelope is voided" test "$(envelope_status "$v")" = voided
check "the company is told by e-mail" test "$(outbox_messages voided "$v" eml | wc -l)" = 1
check "the client, never invited, is not told" test -z "$(outbox_messages voided "$v" sms)"
check "... the notice has the reason intact" mail_has "$(outbox_messages voided "$v" eml)" 'Zła umowa — заменена'
check "hooks.voided ran" grep -qx "voided $v" "$TEST_TMP/hooks.log"
check "the audit event is the owner's" \
    test "$(sql "SELECT action || ' ' || actor FROM events WHERE envelope_seq = (SELECT seq FROM envelopes WHERE id='$v') ORDER BY seq DESC LIMIT 1")" = "voided $(id -un)"
expect "voiding it again is not allowed" 5 --unchanged --error 'has ended: it is voided' -- \
    signet void "$v" --reason "again"
expect "voiding a declined envelope is not allowed" 5 --unchanged --error 'has ended: it is declined' -- \
    signet void "$d" --reason "too late"
vtoken=$(next_token "$v")
expect "declining a voided envelope is not allowed" 5 --unchanged --error 'has ended' -- \
    signet decline "$v" --token "$vtoken" --reason "late"
draft=$(signet create "$FIXTURES/contract.pdf" --title "Draft" --party 'role=client,name=Jan,email=jan@example.com')
expect "void --json reports the change" 0 -- signet void "$draft" --reason "never sent" --json
json_check "a draft is voided, nobody told" \
    'd == {"schema": 1, "id": "'"$draft"'", "status": "voided", "previous_status": "draft", "notified": [], "undelivered": 0}'

# --- remind ---------------------------------------------------------------------------------
r=$(two_party_sent) # invited at T0, as $other was
rtoken=$(next_token "$r")
later=2026-11-23T11:00:00Z # two hours on
draft2=$(signet create "$FIXTURES/contract.pdf" --title "Draft" --party 'role=client,name=Jan,email=jan@example.com')
expect "reminding a draft is not allowed" 5 --unchanged --error "$draft2 is a draft" -- \
    signet remind "$draft2"
expect "reminding an ended envelope is not allowed" 5 --unchanged --error "$v has ended" -- \
    signet remind "$v"
expect "all are checked first: nothing is sent when one is refused" 5 --unchanged -- \
    signet remind "$r" "$draft2"
expect "an unknown envelope is bad input" 2 --unchanged --error 'no envelope' -- signet remind zzzzzzzz
expect "a bad --older-than is bad input" 2 --unchanged --error '--older-than: "3 days"' -- \
    signet remind --older-than "3 days"
expect "a number without a unit is bad input" 2 --unchanged --error '--older-than' -- \
    signet remind --older-than 3

expect "--older-than 3d: nobody invited that long ago" 0 --unchanged --out '^nobody to remind$' -- \
    env SIGNET_NOW=$later "$SIGNET" remind --older-than 3d
expect "naming the envelope shows nobody is due" 0 --out "^$r: nobody to remind now\$" -- \
    env SIGNET_NOW=$later "$SIGNET" remind "$r" --older-than 3d
expect "remind one envelope: its company is reminded" 0 --out "^$r: reminded company\$" -- \
    env SIGNET_NOW=$later "$SIGNET" remind "$r"
reminder=$(outbox_messages reminder "$r" eml)
check "one reminder, by e-mail" test "$(wc -w <<<"$reminder")" = 1
check "... with the same token as the invitation" test "$(token_in "$reminder")" = "$rtoken"
check "... to the company" grep -q '^To: Anna Nowak <anna@acme.test>' "$reminder"
check "an audit event 'reminded'" \
    test "$(sql "SELECT count(*) FROM events WHERE action='reminded' AND envelope_seq = (SELECT seq FROM envelopes WHERE id='$r')")" = 1
expect "--older-than 1h: every waiting envelope's company" 0 -- \
    env SIGNET_NOW=$later "$SIGNET" remind --older-than 1h --json
json_check "both waiting envelopes, only them" \
    'sorted(e["id"] for e in d["envelopes"]) == sorted(["'"$r"'", "'"$other"'"]) and all(e["reminded"] == ["company"] for e in d["envelopes"]) and d["reminded"] == 2 and d["expired"] == 0'
check "the reminded token still works to decline (not spent by a reminder)" \
    test "$(party_status "$r" company)" = invited

# --- expiry ---------------------------------------------------------------------------------
# Every envelope sent at T0 expires 14 days later. A command 15 days on ends
# them: $r and $other here (the voided and declined ones have ended already).
e2=$(SIGNET_NOW=2026-11-30T09:00:00Z two_party_sent) # sent a week later: not due yet
e2token=$(next_token "$e2")
expect "a status 15 days on expires the overdue envelopes" 0 -- \
    env SIGNET_NOW=2026-12-08T09:00:00Z "$SIGNET" status "$r" --json
json_check "status shows it expired" 'd["status"] == "expired" and d["waiting_since"] is None'
check "the other overdue envelope expired too" test "$(envelope_status "$other")" = expired
check "the one sent later did not" test "$(envelope_status "$e2")" = sent
check "the declined one stays declined" test "$(envelope_status "$d")" = declined
check "the company is told it expired" test "$(outbox_messages expired "$r" eml | wc -l)" = 1
check "... the client, never invited, is not" test -z "$(outbox_messages expired "$r" sms)"
check "... the notice says when it expired" \
    mail_has "$(outbox_messages expired "$r" eml)" 'expired on 2026-12-07 09:00 UTC'
check "hooks.expired ran for each" \
    sh -c "grep -qx 'expired $r' '$TEST_TMP/hooks.log' && grep -qx 'expired $other' '$TEST_TMP/hooks.log'"
check "an audit event 'expired' each" \
    test "$(sql "SELECT count(*) FROM events WHERE action='expired'")" = 2
expect "its token now fails authentication" 4 --error 'expired' -- \
    env SIGNET_NOW=2026-12-08T09:00:00Z "$SIGNET" decline "$r" --token "$rtoken" --reason "late"
expect "a second command finds nothing more to expire: nothing written" 0 --unchanged \
    --out "^Envelope $r  expired\$" -- env SIGNET_NOW=2026-12-08T10:00:00Z "$SIGNET" status "$r"
expect "the waiting list" 0 -- env SIGNET_NOW=2026-12-08T10:00:00Z "$SIGNET" status --stage waiting --json
json_check "only the later envelope waits" '[x["id"] for x in d["envelopes"]] == ["'"$e2"'"]'
expect "remind of an expired envelope is not allowed" 5 --unchanged --error "$r has ended: it is expired" -- \
    env SIGNET_NOW=2026-12-08T10:00:00Z "$SIGNET" remind "$r"

# The token's own command ends an overdue envelope too (authenticate).
expect "decline after expires_at: the envelope expires first and the token fails" 4 --error 'expired' -- \
    env SIGNET_NOW=2026-12-15T09:00:00Z "$SIGNET" decline "$e2" --token "$e2token" --reason "late"
check "... it is expired" test "$(envelope_status "$e2")" = expired
check "... and its company told" test "$(outbox_messages expired "$e2" eml | wc -l)" = 1
expect "the board counts the ended envelopes" 0 -- \
    env SIGNET_NOW=2026-12-15T09:00:00Z "$SIGNET" status --board --json
json_check "declined, voided twice, expired three times" \
    '[c for c in d["columns"] if c["title"] == "declined/voided/expired"][0]["count"] == 6'
