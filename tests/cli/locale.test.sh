#!/usr/bin/env bash
# Messages in the envelope's language (issue 5, item 1: a template's
# `locale`; DESIGN.md, Delivery: texts from catalogues, English first, the
# workflow used in Polish, Russian, German, French and Italian). The
# language is the template's, copied by --like, else config.yaml's locale;
# dates in messages are in the envelope's zone and date format.
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

: "${SOURCE_DIR:?SOURCE_DIR must name the repository root}"
W=$TEST_TMP/work
mkdir -p "$W"
cp "$FIXTURES/contract.pdf" "$W/contract.pdf"

set_locale() { sed -i "s/^locale: .*/locale: $1/" "$SIGNET_HOME/config.yaml"; }

# --- the store's locale -----------------------------------------------------------------------
set_locale ru
r=$(two_party_sent)
mail=$(outbox_newest invitation "$r" eml)
check "a store in Russian invites in Russian: the subject" \
    test "$(eml_subject "$mail")" = "Просьба подписать: $TWO_PARTY_TITLE"
check "... the greeting" mail_has "$mail" "Здравствуйте, Anna Nowak!"
check "... the page count in its plural form" mail_has "$mail" "«$TWO_PARTY_TITLE» (3 страницы)"
check "... the command, the same in every language" mail_matches "$mail" "^    signet sign $r --token [a-z2-7]{26}\$"
check "... the code's channel" mail_has "$mail" "одноразовый код по электронной почте"
check "... and says its language (Content-Language)" grep -q '^Content-Language: ru' "$mail"
expect "a reminder" 0 -- signet remind "$r"
reminder=$(outbox_newest reminder "$r" eml)
check "... is Russian too" test "$(eml_subject "$reminder")" = "Напоминание, просьба подписать: $TWO_PARTY_TITLE"
check "... says it is a reminder, then repeats the invitation" mail_has "$reminder" "Напоминаем: документ всё ещё ждёт вашей подписи."
check "... with the same token" test "$(token_in "$reminder")" = "$(token_in "$mail")"
check "the company signs with the code sent in Russian" \
    sign_as_next "$r" --signature-text "Anna Nowak" --agree
code_mail=$(outbox_newest code "$r" eml)
check "... the code's subject is Russian" \
    bash -c '[[ $1 =~ ^Код\ для\ подписи:\ [0-9]{6}$ ]]' _ "$(eml_subject "$code_mail")"
check "... and its validity in minutes, plural form" mail_has "$code_mail" "Срок действия: 10 минут."
sms=$(outbox_newest invitation "$r" sms)
check "the client's SMS invitation starts with the command" \
    sh -c "sed -n 2p '$sms' | grep -Eq '^signet sign $r --token [a-z2-7]{26}\$'"
check "... and asks in Russian" grep -q "просит вас подписать «" "$sms"
check "the client signs with an SMS code sent in Russian" \
    sign_as_next "$r" --signature-text "Пётр Иванов" --agree
code_sms=$(outbox_newest code "$r" sms)
check "... which starts with signet: and the code" grep -Eq '^signet: [0-9]{6} — код' "$code_sms"
check "the envelope is completed" test "$(envelope_status "$r")" = completed
done_mail=$(outbox_newest completed "$r" eml)
check "the completion mail is Russian" test "$(eml_subject "$done_mail")" = "Подписано всеми сторонами: $TWO_PARTY_TITLE"
check "... and still carries the signed PDF and the certificate" \
    test "$(grep -c '^Content-Disposition: attachment' "$done_mail")" = 2
check "... the certificate named in Russian" \
    py -c "import email,sys; m=email.message_from_binary_file(open('$done_mail','rb'), policy=__import__('email.policy').policy.default); sys.exit('сертификат-завершения-$r.pdf' not in [p.get_filename() for p in m.iter_attachments()])"
expect "export writes the certificate of completion" 0 -- \
    signet export "$r" --out "$TEST_TMP/ru.pdf" --certificate "$TEST_TMP/ru-certificate.pdf"
pdftotext -enc UTF-8 "$TEST_TMP/ru-certificate.pdf" "$TEST_TMP/ru-certificate.txt"
check "... in Russian: its title" grep -q '^Сертификат завершения$' "$TEST_TMP/ru-certificate.txt"
check "... the parties' section and how they acted" \
    sh -c "grep -q '^Стороны$' '$TEST_TMP/ru-certificate.txt' && grep -q '^Подписала$' '$TEST_TMP/ru-certificate.txt'"
check "... the envelope's state in words" grep -q '^завершён$' "$TEST_TMP/ru-certificate.txt"
check "... and it passes qpdf --check" qpdf --check "$TEST_TMP/ru-certificate.pdf"
check "the client's completion SMS is Russian" grep -q '^Подписано всеми: «' "$(outbox_newest completed "$r" sms)"

# Each language's invitation, its subject and its plural of 3 pages. French
# puts a no-break space before a colon.
nbsp=$'\xc2\xa0'
per_language=()
for want in "de|Bitte unterschreiben: |3 Seiten|Guten Tag Anna Nowak," \
    "fr|À signer${nbsp}: |3 pages|Bonjour Anna Nowak," \
    "it|Da firmare: |3 pagine|Gentile Anna Nowak," \
    "pl|Prośba o podpis: |3 strony|Dzień dobry Anna Nowak," \
    "en|Please sign: |3 pages|Hello Anna Nowak,"; do
    IFS='|' read -r locale subject pages greeting <<<"$want"
    set_locale "$locale"
    e=$(two_party_sent)
    per_language+=("$e")
    m=$(outbox_newest invitation "$e" eml)
    check "$locale: the invitation's subject" test "$(eml_subject "$m")" = "$subject$TWO_PARTY_TITLE"
    check "$locale: the greeting" mail_has "$m" "$greeting"
    check "$locale: the page count" mail_has "$m" "($pages)"
    check "$locale: Content-Language" grep -q "^Content-Language: $locale" "$m"
    check "$locale: the token still opens it" test -n "$(token_in "$m")"
done

# --- a template's locale ----------------------------------------------------------------------
set_locale en
cat >"$W/umowa.yaml" <<'YAML'
signet: 1
name: umowa
title: "Umowa {{deal.number}}"
document: contract.pdf
locale: pl
timezone: Europe/Warsaw
date_format: "%d.%m.%Y"
expires_in: 14d
parties:
  - role: company
    name: "{{company.director}}"
    email: "{{company.email}}"
    order: 1
  - role: client
    name: "{{client.name}}"
    phone: "{{client.phone}}"
    order: 2
fields:
  - {name: company_signature, type: signature, role: company, page: last, rect: [72, 100, 180, 50]}
  - {name: client_signature, type: signature, role: client, page: last, rect: [360, 100, 180, 50]}
YAML
cat >"$W/deal.yaml" <<'YAML'
deal: {number: "7/2026"}
company: {director: Anna Nowak, email: anna@acme.test}
client: {name: Zofia Wójcik, phone: "+48 601 234 567"}
YAML
expect "template show names the template's language" 0 --out '^Locale    pl, Europe/Warsaw, dates %d.%m.%Y, expires in 14d$' -- \
    signet template show "$W/umowa.yaml"
expect "an envelope from a Polish template in an English store" 0 -- \
    signet create --template "$W/umowa.yaml" --data "$W/deal.yaml"
p=$(last_out)
check "... records the template's language" test "$(sql "SELECT locale FROM envelopes WHERE id='$p'")" = pl
signet send "$p" >/dev/null 2>&1
mail=$(outbox_newest invitation "$p" eml)
check "... and invites in Polish" test "$(eml_subject "$mail")" = "Prośba o podpis: Umowa 7/2026"
check "... with the expiry in the template's zone and date format" \
    mail_matches "$mail" '^Ważne do: +[0-3][0-9]\.[01][0-9]\.20[0-9]{2} [0-2][0-9]:[0-5][0-9] CES?T$'
expect "--like copies the language" 0 -- signet create --like "$p"
check "... of the envelope it copies" test "$(sql "SELECT locale FROM envelopes WHERE id='$(last_out)'")" = pl
sed '/^locale:/d' "$W/umowa.yaml" >"$W/plain.yaml"
expect "template show --json gives a template's locale" 0 -- signet --json template show "$W/umowa.yaml"
json_check "... as pl" 'd["locale"] == "pl"'
expect "... and null for a template that leaves it to the store" 0 -- signet --json template show "$W/plain.yaml"
json_check "... null" 'd["locale"] is None'
expect "a template without a locale" 0 -- signet create --template "$W/plain.yaml" --data "$W/deal.yaml"
check "... leaves the envelope to the store's language" \
    test "$(sql "SELECT locale IS NULL FROM envelopes WHERE id='$(last_out)'")" = 1

# Ending notices in the envelope's language.
REASON='Kwota w § 3 jest błędna'
token=$(next_token "$p")
expect "the company declines the Polish envelope" 0 -- \
    env SIGNET_TOKEN="$token" "$SIGNET" decline "$p" --reason "$REASON"
mail=$(outbox_messages declined "$p" eml)
sms=$(outbox_messages declined "$p" sms)
check "the decliner's notice is Polish" test "$(eml_subject "$mail")" = "Odrzucono: Umowa 7/2026"
check "... in the second person" mail_has "$mail" "zostało przez Ciebie odrzucone"
check "... with the reason" mail_has "$mail" "$REASON"
check "... and the chain head" mail_matches "$mail" '^Skrót łańcucha audytu: +[0-9a-f]{64}$'
check "the client's SMS says who declined, in Polish" grep -q "^signet: Anna Nowak odrzuca „Umowa 7/2026” ($p). Powód: $REASON\$" "$sms"

# The signer's prompt at the terminal speaks the envelope's language too.
expect "another envelope from the Polish template" 0 -- \
    signet create --template "$W/umowa.yaml" --data "$W/deal.yaml"
q=$(last_out)
signet send "$q" >/dev/null 2>&1
tq=$(next_token "$q")
polish_dialog() {
    cat <<'DIALOG'
Kod jednorazowy: => @code
Podpis: wpisz imię i nazwisko .* obrazu PNG: => Anna Nowak
Podpisać teraz\? \(tak/nie\): => tak
DIALOG
}
expect "the company signs at a Polish prompt, answering tak" 0 \
    --out '^Koperta +'"$q"'$' --out '^Strony +3$' \
    --out 'Podpisujesz jako Anna Nowak \(company\)\. Twoje pola:' --out 'company_signature +signature +strona 3' \
    --out 'Jednorazowy kod wysłano e-mailem na an\*+@acme\.test \(ważny do [0-9]{2}\.[0-9]{2}\.20[0-9]{2} ' \
    --out 'Wpisując „tak”, podpisujesz elektronicznie dokument „Umowa 7/2026”' \
    --out "^Podpisano: $q jako company" --out '^Następni zaproszeni: client$' -- \
    py "$SOURCE_DIR/tests/cli/pty_dialog.py" --timeout 60 <(polish_dialog) -- "$SIGNET" sign "$q" --token "$tq"
check "... and the company has signed" test "$(party_status "$q" company)" = signed

# The director's batch at a terminal, in the language of the envelope her
# token opened: the list with its plural, the code, consent with "TAK".
for e in "${per_language[@]}"; do
    signet void "$e" --reason "not for the batch" >/dev/null 2>&1
done
for n in 1 2; do
    id=$(signet create --template "$W/umowa.yaml" --data "$W/deal.yaml") && signet send "$id" >/dev/null 2>&1
done
batch_ids=$(sql "SELECT e.id FROM envelopes e JOIN parties p ON p.envelope_seq = e.seq WHERE p.role = 'company' AND p.status = 'invited' AND e.status = 'sent' ORDER BY e.seq")
check "two Polish envelopes wait for Anna" test "$(wc -l <<<"$batch_ids")" = 2
tb=$(next_token "$(tail -n 1 <<<"$batch_ids")")
batch_dialog() {
    cat <<'DIALOG'
Kod jednorazowy: => @code
Podpisać wszystkie z listy \(2 koperty\)\? \(tak/nie\): => TAK
DIALOG
}
expect "the director signs both in one batch at a Polish prompt" 0 \
    --out '^2 koperty czekają na podpis \(Anna Nowak\):$' --out 'Jednorazowy kod wysłano e-mailem' \
    --out '^Podpisano: 2 koperty, jednym certyfikatem' -- \
    py "$SOURCE_DIR/tests/cli/pty_dialog.py" --timeout 60 <(batch_dialog) -- \
    "$SIGNET" sign --batch --token "$tb" --signature-text "Anna Nowak"
for id in $batch_ids; do
    check "... $id: the company signed" test "$(party_status "$id" company)" = signed
done

# An expiry notice in the store's language, its date in the store's zone
# and format.
set_locale de
x=$(two_party_sent)
expect "a command after the expiry ends the German envelope" 0 -- \
    env SIGNET_NOW=2027-01-15T12:00:00Z "$SIGNET" status "$x"
notice=$(outbox_messages expired "$x" eml)
check "the invited company is told in German" test "$(eml_subject "$notice")" = "Abgelaufen: $TWO_PARTY_TITLE"
check "... with the day it expired" mail_matches "$notice" '^„.*“ \(Umschlag '"$x"'\) von .* ist am 20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9] [A-Z]+ abgelaufen'
set_locale en

# A message queued before the catalogues (its text in its own subject and
# body parameters) is still delivered as it was written.
sql "INSERT INTO messages (message_id, envelope_seq, party_role, kind, channel, recipient, payload, created_at, next_attempt_at)
     VALUES ('<old-notice@signet.test>', NULL, 'company', 'voided', 'mail', 'anna@acme.test',
             '{\"name\":\"Anna Nowak\",\"params\":{\"subject\":\"Voided: old\",\"body\":\"Hello Anna Nowak,\\n\\nold text\\n\"}}', 0, 0)"
expect "signet deliver sends the old notice" 0 -- signet deliver
old=$(outbox_newest voided "" eml)
check "... with its own subject and text" sh -c "grep -q '^Subject: Voided: old' '$old' && grep -q '^old text' '$old'"

finish
