#!/usr/bin/env bash
# sign: a party's signing step, from its invitation to the completed, sealed
# PDF that every party receives (issue 3, items 4, 5, 6, 10, 12): the
# reference scenario with Polish and Russian names, the PDF as independent
# tools see it, the completion messages, what a signer cannot do, and the
# terminal prompt.
source "$(dirname "$0")/lib.sh"
ORG="Zażółć Gęślą Sp. z o.o."
init_store --org "$ORG"

OUTBOX=$SIGNET_HOME/outbox
SIG=$FIXTURES/sig.png
STAMP=$FIXTURES/stamp.png
DIRECTOR='role=company,name=Łukasz Żółć,email=lukasz@zazolc.test,order=1,kind=organization,stamp=required,auth=email'
CLIENT='role=client,"name=Пётр Иванов, ООО Вектор",phone=+48 601 234 567,order=2,auth=sms'
ADDRESS='ul. Żółkiewskiego 5/12, 90-001 Łódź'

# new_envelope: a draft with the reference fields (the director's signature
# and stamp on the last page; the client's address on page 1, its date and
# signature on the last page); prints its id.
new_envelope() {
    local id
    id=$(signet create "$FIXTURES/contract.pdf" --title "Akt № 17 — Łódź" \
        --party "$DIRECTOR" --party "$CLIENT") || return 1
    signet add-field "$id" --type signature --role company --page last --rect 72,140,180,50 \
        --name director_signature >/dev/null &&
        signet add-field "$id" --type stamp --role company --page last --unit mm \
            --rect 95,30,40,40 --name company_stamp >/dev/null &&
        signet add-field "$id" --type text --role client --page 1 --rect 72,80,250,18 \
            --name client_address --label "Your address" >/dev/null &&
        signet add-field "$id" --type date_signed --role client --page last \
            --rect 330,120,120,18 --name client_date >/dev/null &&
        signet add-field "$id" --type signature --role client --page last --rect 330,140,180,50 \
            --name client_signature >/dev/null || return 1
    echo "$id"
}

revisions() { sql "SELECT revisions FROM envelopes WHERE id='$1'"; }
at() { export SIGNET_NOW=$1; }

# The director's full non-interactive signature, with the code given.
director_signs() { # ENVELOPE TOKEN CODE [ARGS...]
    local id=$1 token=$2 code=$3
    shift 3
    signet sign "$id" --token "$token" --code "$code" --signature-image "$SIG" --stamp "$STAMP" --agree "$@"
}

# =============================================================================
# The reference scenario: the director (e-mail, stamp required) signs, only
# then is the client invited (SMS); the client fills its address and signs.
# =============================================================================
at 2026-11-23T09:00:00Z
a=$(new_envelope)
signet send "$a" >/dev/null 2>&1
check "after send only the director is invited, by e-mail" \
    test "$(outbox_messages invitation "$a" eml | wc -l),$(outbox_messages invitation "$a" sms | wc -l)" = "1,0"
t1=$(next_token "$a")

at 2026-11-23T09:01:00Z
expect "--send-code mails the director a one-time code" 0 \
    --out "^A one-time code was sent by e-mail to lu\*\*\*@zazolc.test; it is valid until 2026-11-23T09:11:00Z\.\$" -- \
    signet sign "$a" --token "$t1" --send-code
c1=$(code_in "$(outbox_newest code "$a" eml)")
check "... the code is six digits, in a message to the director" test "${#c1}" = 6
check "... the director has opened the envelope" test "$(party_status "$a" company)" = opened
expect "a second code within the minute is refused (rate limit)" 5 --unchanged \
    --err 'a code was sent 0 s ago' -- signet sign "$a" --token "$t1" --send-code

# --- what the director cannot do; nothing is written ---------------------------------------
expect "the director cannot fill the client's field" 2 --unchanged \
    --err 'field "client_address" is not a field of party "company"' -- \
    director_signs "$a" "$t1" "$c1" --field "client_address=$ADDRESS"
expect "--field needs NAME=VALUE" 2 --unchanged --err 'expected NAME=VALUE' -- \
    director_signs "$a" "$t1" "$c1" --field "client_address"
expect "no signing without consent (no --agree, no terminal)" 2 --unchanged \
    --err 'missing consent to sign \(--agree\)' --no-err 'one-time code|stamp' -- \
    signet sign "$a" --token "$t1" --code "$c1" --signature-image "$SIG" --stamp "$STAMP"
expect "no signing without the required stamp" 2 --unchanged \
    --err 'missing the stamp \(--stamp PNG\)' --no-err 'consent' -- \
    signet sign "$a" --token "$t1" --code "$c1" --signature-image "$SIG" --agree
expect "no signing without the one-time code" 2 --unchanged \
    --err 'missing the one-time code sent by e-mail to lu\*\*\*@zazolc.test \(--code\)' -- \
    signet sign "$a" --token "$t1" --signature-image "$SIG" --stamp "$STAMP" --agree
expect "no signing without a signature" 2 --unchanged --err 'missing a signature' -- \
    signet sign "$a" --token "$t1" --code "$c1" --stamp "$STAMP" --agree
expect "everything missing is named at once" 2 --unchanged \
    --err 'one-time code.*a signature.*the stamp.*consent' -- signet sign "$a" --token "$t1"
expect "--signature-image and --signature-text exclude each other" 2 --unchanged -- \
    director_signs "$a" "$t1" "$c1" --signature-text "Łukasz Żółć"
expect "an image that is not a PNG is refused" 2 --unchanged -- \
    signet sign "$a" --token "$t1" --code "$c1" --signature-image "$FIXTURES/contract.pdf" \
    --stamp "$STAMP" --agree
expect "a wrong token opens nothing" 4 --unchanged --err 'this token does not open envelope' -- \
    director_signs "$a" abcdefghijklmnopqrstuvwxyz "$c1"
expect "a missing input is named before the code is checked (a wrong code does not count)" 2 \
    --unchanged --err 'consent' -- \
    signet sign "$a" --token "$t1" --code 000000 --signature-image "$SIG" --stamp "$STAMP"
wrong=$(printf '%06d' $(((10#$c1 + 1) % 1000000)))
expect "a wrong code fails authentication" 4 --err 'wrong code \(4 tries left\)' -- \
    director_signs "$a" "$t1" "$wrong"
check "... and counts against the party" \
    test "$(sql "SELECT p.code_failures FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.id='$a' AND p.role='company'")" = 1
check "... nothing is signed" test "$(party_status "$a" company),$(revisions "$a")" = "opened,2"
check "the client is not invited before the director signs" \
    test -z "$(outbox_messages invitation "$a" sms)"

# --- the director signs ---------------------------------------------------------------------
expect "the director signs with a signature image, the stamp, the code and consent" 0 \
    --out "^You sign as Łukasz Żółć \\(company\\)" --out "^Signed: $a as company" \
    --out "^Invited next: client\$" -- director_signs "$a" "$t1" "$c1"
check "... the director has signed, the client is invited" \
    test "$(party_status "$a" company),$(party_status "$a" client),$(envelope_status "$a")" = "signed,invited,in_progress"
check "... one revision more (prepared, certified, the director's)" test "$(revisions "$a")" = 3
sms=$(outbox_newest invitation "$a" sms)
check "... only now the client gets its invitation, by SMS" test -n "$sms"
check "... to the client's number" grep -qx 'To: +48601234567' "$sms"
check "... with the command line first" grep -Eq "^signet sign $a --token [a-z2-7]{26}\$" "$sms"
check "... and no second invitation to the director" test "$(outbox_messages invitation "$a" eml | wc -l)" = 1
check "the director's fields are filled" \
    test "$(sql "SELECT group_concat(f.name) FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id='$a' AND f.filled = 1")" = "director_signature,company_stamp"
expect "the director's spent token cannot sign again" 4 --unchanged \
    --err 'this token was used already: party "company" has signed' -- director_signs "$a" "$t1" "$c1"
expect "... nor ask for a code" 4 --unchanged --err 'used already' -- \
    signet sign "$a" --token "$t1" --send-code
t2=$(token_in "$sms")

# --- the client, at 23:30 UTC: the date is the store's zone and format ----------------------
sed -i -e 's|^timezone: .*|timezone: Europe/Warsaw|' -e 's|^date_format: .*|date_format: "%d.%m.%Y"|' \
    "$SIGNET_HOME/config.yaml"
at 2026-11-23T23:30:00Z
expect "SIGNET_TOKEN works like --token" 0 --out 'sent by SMS to \+48\*+567' -- \
    env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --send-code
expect "without a token and without a terminal, sign fails naming SIGNET_TOKEN" 2 --unchanged \
    --error 'no access token: SIGNET_TOKEN is not set' -- setsid -w "$SIGNET" sign "$a" --send-code
c2=$(code_in "$(outbox_newest code "$a" sms)")
check "the client's code came by SMS" test "${#c2}" = 6
expect "the client cannot fill the director's field" 2 --unchanged \
    --err 'field "director_signature" is not a field of party "client"' -- \
    env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --code "$c2" --field "director_signature=x" \
    --signature-text "Пётр Иванов" --agree
expect "the date is filled by signet, not by the signer" 2 --unchanged \
    --err 'field "client_date" is filled by signet with the signing date' -- \
    env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --code "$c2" --field "client_address=$ADDRESS" \
    --field "client_date=01.01.2020" --signature-text "Пётр Иванов" --agree
expect "the client's address is required" 2 --unchanged \
    --err 'missing field "client_address" \(Your address\) \(--field client_address=VALUE\)' -- \
    env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --code "$c2" --signature-text "Пётр Иванов" --agree
expect "the client signs (address, typed Cyrillic name) and the envelope completes; --json" 0 \
    --err 'You sign as Пётр Иванов, ООО Вектор \(client\)' -- \
    env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --code "$c2" --field "client_address=$ADDRESS" \
    --signature-text "Пётр Иванов" --agree --json
json_check "... one JSON document: envelope, role, status, sha256, invited, completed" \
    'set(["envelope", "role", "status", "sha256", "invited", "completed"]) <= set(d) and d["schema"] == 1 and d["envelope"] == "'"$a"'" and d["role"] == "client" and d["status"] == "completed" and d["completed"] is True and d["invited"] == [] and re.fullmatch("[0-9a-f]{64}", d["sha256"]) is not None'
json_check "... the sealed document's hash follows the client's revision" \
    'd["final_sha256"] != d["sha256"] and d["final_sha256"] == "'"$(sql "SELECT current_sha256 FROM envelopes WHERE id='$a'")"'"'
expect "status: completed, every party signed, five revisions" 0 -- signet status "$a" --json
json_check "... prepared, certified, director, client, seal" \
    'd["status"] == "completed" and d["document"]["revisions"] == 5 and [p["status"] for p in d["parties"]] == ["signed", "signed"] and all(f["filled"] for f in d["fields"])'
check "the revisions are prepared, certified, signed by each party in turn, completed" \
    test "$(sql "SELECT group_concat(r.kind || ':' || COALESCE(r.party_role, '-'), ' ') FROM revisions r JOIN envelopes e ON e.seq = r.envelope_seq WHERE e.id='$a' ORDER BY r.number")" = "prepared:- certified:- signed:company signed:client completed:-"
check "date_signed is the signing time in the store's zone and format (Warsaw: the next day)" \
    test "$(sql "SELECT f.value FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id='$a' AND f.name='client_date'")" = 24.11.2026
check "the client's address is kept as given" \
    test "$(sql "SELECT f.value FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id='$a' AND f.name='client_address'")" = "$ADDRESS"
expect "the client's spent token cannot sign the completed envelope" 4 --unchanged \
    --err 'used already' -- env SIGNET_TOKEN="$t2" "$SIGNET" sign "$a" --code "$c2" \
    --field "client_address=$ADDRESS" --signature-text "Пётр Иванов" --agree

# --- the completed PDF, as independent tools see it ------------------------------------------
pdf=$(document "$a")
certified=$(document "$a" 2)
check "qpdf --check passes" qpdf --check "$pdf"
check "the signed PDF begins with the original, byte for byte (every revision is appended)" \
    cmp -s -n "$(stat -c %s "$FIXTURES/contract.pdf")" "$FIXTURES/contract.pdf" "$pdf"
pdfsig "$pdf" >"$TEST_TMP/pdfsig.txt" 2>/dev/null
check "pdfsig: four signatures (seal, director, client, completion), each valid" \
    test "$(grep -c 'Signature Validation: Signature is Valid\.' "$TEST_TMP/pdfsig.txt"),$(grep -c '^Signature #' "$TEST_TMP/pdfsig.txt")" = "4,4"
check "pdfsig names the director" grep -qx '  - Signer Certificate Common Name: Łukasz Żółć' "$TEST_TMP/pdfsig.txt"
check "pdfsig names the client, Cyrillic intact" \
    grep -qx '  - Signer Certificate Common Name: Пётр Иванов, ООО Вектор' "$TEST_TMP/pdfsig.txt"
check "pdfsig names the organisation for the certification and the completion seal" \
    test "$(grep -c "Common Name: $ORG\$" "$TEST_TMP/pdfsig.txt")" = 2
check "the signature fields are the director's, the client's and the seal's" \
    test "$(grep 'Signature Field Name' "$TEST_TMP/pdfsig.txt" | sed 's/.*: //' | tr '\n' ' ')" = "signet_certification director_signature client_signature signet_completion "

# The store's CA in an NSS database: every signer's certificate chains to it.
nss=$TEST_TMP/nss
mkdir -p "$nss"
certutil -N -d "sql:$nss" --empty-password &&
    certutil -A -d "sql:$nss" -n root -t "C,C,C" -i "$SIGNET_HOME/keys/root.crt" &&
    certutil -A -d "sql:$nss" -n issuing -t ",," -i "$SIGNET_HOME/keys/issuing.crt"
pdfsig -nssdir "sql:$nss" "$pdf" >"$TEST_TMP/pdfsig-trust.txt" 2>/dev/null
# poppler 22.12 reads the verdict from PORT_GetError() and ignores what
# CERT_PKIXVerifyCert returned, so a stale NSS error can show as "Unknown
# issue" for a certificate NSS accepts (here the seal's second signature):
# NSS itself (vfychain) decides below, pdfsig must merely not distrust.
check "pdfsig with the store's CA: the certification and both signers are trusted" \
    test "$(grep -c 'Certificate Validation: Certificate is Trusted\.' "$TEST_TMP/pdfsig-trust.txt")" -ge 3
check "... and no signature is untrusted, revoked or expired" \
    sh -c "! grep -Eq 'Certificate issuer (isn.t|is un)[Tt]rusted|Revoked|Expired' '$TEST_TMP/pdfsig-trust.txt'"
mkdir -p "$TEST_TMP/dump"
(cd "$TEST_TMP/dump" && cp "$pdf" final.pdf && pdfsig -dump final.pdf >/dev/null 2>&1)
leaf_ok=0
for sig in "$TEST_TMP"/dump/final.pdf.sig*; do
    openssl pkcs7 -inform DER -in "$sig" -print_certs |
        awk -v out="$sig" '/BEGIN CERT/ { n++ } n { print > (out "." n ".pem") }'
    for cert in "$sig".*.pem; do
        if openssl x509 -in "$cert" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:FALSE'; then
            openssl x509 -in "$cert" -outform DER -out "$sig.leaf.der"
        fi
    done
    vfychain -d "sql:$nss" -pp -u 4 "$sig.leaf.der" 2>&1 | grep -q 'Chain is good' && leaf_ok=$((leaf_ok + 1))
done
check "NSS (vfychain): each of the 4 signing certificates is trusted for signing by the store's CA" \
    test "$leaf_ok" = 4

pdftotext -layout "$pdf" "$TEST_TMP/final.txt"
pdftotext -layout "$FIXTURES/contract.pdf" "$TEST_TMP/original.txt"
check "pdftotext shows the client's Polish address" grep -qF "$ADDRESS" "$TEST_TMP/final.txt"
check "... and the date signed" grep -qF 24.11.2026 "$TEST_TMP/final.txt"
check "... and every line of the original text, unchanged" py - "$TEST_TMP/original.txt" "$TEST_TMP/final.txt" <<'PY'
import sys
original = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
final = open(sys.argv[2], encoding="utf-8").read()
missing = [l for l in original if l not in final]
sys.exit("missing: %r" % missing[:3] if missing else 0)
PY

expect "signet verify: valid with the store" 0 -- signet verify "$pdf"
expect "signet verify --store EMPTY: intact but untrusted (3)" 3 -- signet verify --store "$TEST_TMP/empty" "$pdf"
mkdir -p "$TEST_TMP/nohome"
expect "signet verify with no store at all: untrusted (3)" 3 -- \
    env -u SIGNET_HOME HOME="$TEST_TMP/nohome" "$SIGNET" verify "$pdf"

# The rendered pages: the values and images are drawn in their fields, and
# nothing outside the fields changed since the certified revision.
expect "status --json for the field rectangles" 0 -- signet status "$a" --json
cp "$OUT" "$TEST_TMP/fields.json"
for page in 1 3; do
    pdftoppm -r 50 -f $page -l $page -singlefile "$certified" "$TEST_TMP/certified-$page"
    pdftoppm -r 50 -f $page -l $page -singlefile "$pdf" "$TEST_TMP/final-$page"
    check "page $page: each field is drawn, nothing else changed" py - "$TEST_TMP/fields.json" $page \
        "$TEST_TMP/certified-$page.ppm" "$TEST_TMP/final-$page.ppm" <<'PY'
import json, sys
fields, page = json.load(open(sys.argv[1]))["fields"], int(sys.argv[2])
def ppm(path):
    data = open(path, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    assert parts[0] == b"P6", parts[0]
    w, h = int(parts[1]), int(parts[2])
    return w, h, data[pos + 1:]
w, h, before = ppm(sys.argv[3])
w2, h2, after = ppm(sys.argv[4])
assert (w, h) == (w2, h2)
s = 50 / 72
boxes = []
for f in fields:
    if f["page"] != page:
        continue
    x, y, fw, fh = f["rect"]
    boxes.append((f["name"], int(x * s) - 2, int(h - (y + fh) * s) - 2, int((x + fw) * s) + 2, int(h - y * s) + 2))
assert boxes, "no field on page %d" % page
def differs(px, py):
    i = 3 * (py * w + px)
    return before[i:i + 3] != after[i:i + 3]
problems = []
for name, x0, y0, x1, y1 in boxes:
    changed = sum(differs(px, py) for py in range(max(y0, 0), min(y1, h)) for px in range(max(x0, 0), min(x1, w)))
    if changed < 20:
        problems.append("%s: only %d pixels changed" % (name, changed))
outside = 0
for py in range(h):
    for px in range(w):
        if any(x0 <= px < x1 and y0 <= py < y1 for _, x0, y0, x1, y1 in boxes):
            continue
        outside += differs(px, py)
if outside:
    problems.append("%d pixels changed outside the fields" % outside)
sys.exit("; ".join(problems) if problems else 0)
PY
done

# --- the completion messages ----------------------------------------------------------------
done_mail=$(outbox_newest completed "$a" eml)
check "the director gets a completion e-mail" \
    test "$(eml_header "$done_mail" To)" = "Łukasz Żółć <lukasz@zazolc.test>"
check "... with the signed PDF attached: the envelope's current document, byte for byte" \
    py - "$done_mail" "$(sql "SELECT current_sha256 FROM envelopes WHERE id='$a'")" <<'PY'
import email, hashlib, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
pdfs = [p for p in m.walk() if p.get_content_type() == "application/pdf"]
signed = [p for p in pdfs if not p.get_filename().startswith("certificate-of-completion")]
assert len(signed) == 1, [p.get_filename() for p in pdfs]
assert signed[0].get_content_disposition() == "attachment"
assert signed[0].get_filename() == "Akt № 17 — Łódź.pdf", signed[0].get_filename()
digest = hashlib.sha256(signed[0].get_payload(decode=True)).hexdigest()
sys.exit(0 if digest == sys.argv[2] else "attachment %s, envelope %s" % (digest, sys.argv[2]))
PY
py - "$done_mail" "$TEST_TMP/certificate.pdf" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if (p.get_filename() or "").startswith("certificate-of-completion"):
        open(sys.argv[2], "wb").write(p.get_payload(decode=True))
PY
check "... and the certificate of completion, a PDF" sh -c "head -c 5 '$TEST_TMP/certificate.pdf' | grep -q '%PDF-'"
pdftotext "$TEST_TMP/certificate.pdf" "$TEST_TMP/certificate.txt" 2>/dev/null
check "... that names both signers" sh -c "grep -qF 'Łukasz Żółć' '$TEST_TMP/certificate.txt' && grep -qF 'Пётр Иванов' '$TEST_TMP/certificate.txt'"
check "... and the text of the mail names the envelope and the sealed document's hash" \
    mail_has "$done_mail" "$(sql "SELECT current_sha256 FROM envelopes WHERE id='$a'")"
done_sms=$(outbox_newest completed "$a" sms)
check "the client gets a completion SMS" test -n "$done_sms"
check "... to its number" grep -qx 'To: +48601234567' "$done_sms"
check "one completion message per party" \
    test "$(outbox_messages completed "$a" eml | wc -l),$(outbox_messages completed "$a" sms | wc -l)" = "1,1"
check "the audit trail records both signatures and the completion" \
    test "$(sql "SELECT group_concat(v.action, ' ') FROM events v JOIN envelopes e ON e.seq = v.envelope_seq WHERE e.id='$a' AND v.action IN ('signed', 'completed') ORDER BY v.seq")" = "signed signed completed"

# =============================================================================
# A party is locked after five wrong codes; the right code then fails too.
# =============================================================================
at 2026-11-24T09:00:00Z
b=$(new_envelope)
signet send "$b" >/dev/null 2>&1
tb=$(next_token "$b")
expect "a freshly invited party without its inputs and without a terminal: exit 2, nothing written" 2 \
    --unchanged --err 'missing the one-time code' -- signet sign "$b" --token "$tb"
cb=$(send_code "$b" "$tb")
wrong=$(printf '%06d' $(((10#$cb + 1) % 1000000)))
for n in 1 2 3 4; do
    expect "wrong code $n of 5" 4 --err "wrong code \\($((5 - n)) tries left\\)" -- director_signs "$b" "$tb" "$wrong"
done
expect "the fifth wrong code locks the party" 4 --err 'is now locked after too many wrong codes' -- \
    director_signs "$b" "$tb" "$wrong"
check "... the party is locked" test "$(party_status "$b" company)" = locked
expect "a locked party cannot sign even with the right code" 4 --unchanged \
    --err 'is locked after too many wrong codes' -- director_signs "$b" "$tb" "$cb"
expect "... nor ask for a new code" 4 --unchanged --err 'locked' -- \
    signet sign "$b" --token "$tb" --send-code
check "... nothing was signed" test "$(revisions "$b"),$(envelope_status "$b")" = "2,sent"

# =============================================================================
# At a terminal: signet sign asks for what it lacks (code, field, signature,
# consent); "no" at consent signs nothing.
# =============================================================================
at 2026-11-25T09:00:00Z
c=$(new_envelope)
signet send "$c" >/dev/null 2>&1
tc=$(next_token "$c")
director_signs "$c" "$tc" "$(send_code "$c" "$tc")" >/dev/null
tc2=$(next_token "$c")
at 2026-11-25T09:05:00Z
# client_dialog CONSENT: the client's answers at the prompts (pty_dialog.py),
# CONSENT at the last.
client_dialog() {
    cat <<DIALOG
One-time code: => @code
Your address \\[text\\]: => $ADDRESS
Signature: type your name as you sign it, or the path of a PNG image: => Пётр Иванов
Sign now\\? \\(yes/no\\): => $1
DIALOG
}
# Signing on a loaded machine can take a while: a minute per prompt.
DIALOG=("$SOURCE_DIR/tests/cli/pty_dialog.py" --timeout 60)
expect "answering no at the consent prompt signs nothing (exit 2)" 2 \
    --out 'A one-time code is sent by SMS to \+48\*+567' --out 'You sign as Пётр Иванов, ООО Вектор \(client\)' \
    --out 'client_address +text +page 1 +Your address' --out 'not signed: consent was not given' -- \
    py "${DIALOG[@]}" <(client_dialog no) -- "$SIGNET" sign "$c" --token "$tc2"
check "... the client has not signed" test "$(party_status "$c" client),$(revisions "$c")" = "opened,3"
expect "answering the prompts signs: code, address, typed name, yes" 0 \
    --out 'A one-time code was sent by SMS' --out "Signed: $c as client" --out 'Completed: every party has signed' -- \
    py "${DIALOG[@]}" <(client_dialog yes) -- "$SIGNET" sign "$c" --token "$tc2"
check "... the envelope is completed with the address typed" \
    test "$(envelope_status "$c"),$(sql "SELECT f.value FROM fields f JOIN envelopes e ON e.seq = f.envelope_seq WHERE e.id='$c' AND f.name='client_address'")" = "completed,$ADDRESS"
check "... and its PDF passes qpdf --check" qpdf --check "$(document "$c")"

# =============================================================================
# Ended envelopes: voided (5), expired (4). (Exit 5 for "not yet this
# party's turn" cannot be reached from here: a party gets its token only
# with its invitation, when its turn comes.)
# =============================================================================
at 2026-11-26T09:00:00Z
v=$(new_envelope)
signet send "$v" >/dev/null 2>&1
tv=$(next_token "$v")
cv=$(send_code "$v" "$tv")
signet void "$v" --reason "Replaced" >/dev/null 2>&1
expect "a voided envelope cannot be signed: not allowed now (5)" 5 --unchanged \
    --err "envelope $v has ended: it is voided" -- director_signs "$v" "$tv" "$cv"

x=$(new_envelope)
signet send "$x" >/dev/null 2>&1
tx=$(next_token "$x")
at 2026-12-11T09:00:00Z
expect "after the envelope expired its token fails (4)" 4 --err "this token expired with envelope $x" -- \
    signet sign "$x" --token "$tx" --send-code

# =============================================================================
# A message that cannot be delivered now: the signature stands; exit 75.
# =============================================================================
u=$(new_envelope)
signet send "$u" >/dev/null 2>&1
tu=$(next_token "$u")
cu=$(send_code "$u" "$tu")
cp "$SIGNET_HOME/config.yaml" "$TEST_TMP/config.yaml"
cat >>"$SIGNET_HOME/config.yaml" <<'YAML'
delivery:
  sms: {transport: command, command: [sh, -c, "echo gateway down >&2; exit 1"], timeout: 10}
YAML
expect "the client's SMS invitation fails: exit 75 after the director's signature" 75 \
    --out "^Signed: $u as company" --err 'could not be delivered' --err 'hint: retry with: signet deliver' -- \
    director_signs "$u" "$tu" "$cu"
check "... the signature stands and the client is invited" \
    test "$(party_status "$u" company),$(party_status "$u" client),$(revisions "$u")" = "signed,invited,3"
expect "... status shows the undelivered invitation" 0 -- signet status "$u" --json
json_check "... to the client's number, with the gateway's error" \
    'len(d["undelivered"]) == 1 and d["undelivered"][0]["to"] == "+48601234567" and "gateway down" in d["undelivered"][0]["last_error"]'
cp "$TEST_TMP/config.yaml" "$SIGNET_HOME/config.yaml"
expect "signet deliver sends it once the gateway works" 0 -- signet deliver --now
check "... the client's invitation is in the outbox" test -n "$(outbox_newest invitation "$u" sms)"

# =============================================================================
# No token or code in clear in the database or its WAL.
# =============================================================================
mapfile -t tokens < <(for f in "$OUTBOX"/*; do message_text "$f"; done | grep -Eo -- '--token [a-z2-7]{26}' | cut -d' ' -f2 | sort -u)
mapfile -t codes < <(for f in "$OUTBOX"/*-code-*; do code_in "$f"; done | sort -u)
check "the outbox held tokens (${#tokens[@]}) and codes (${#codes[@]})" test "${#tokens[@]}" -ge 7 -a "${#codes[@]}" -ge 5
leaks=()
for secret in "${tokens[@]}" "${codes[@]}"; do
    for file in "$DB" "$DB-wal"; do
        [[ -f $file ]] && grep -qaw -- "$secret" "$file" && leaks+=("$secret in ${file##*/}")
    done
done
check "no token or code appears in signet.db or signet.db-wal${leaks:+: ${leaks[*]}}" test "${#leaks[@]}" = 0
