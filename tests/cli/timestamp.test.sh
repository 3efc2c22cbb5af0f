#!/usr/bin/env bash
# timestamp: PAdES B-T (issue 3, item 5). With config.yaml's timestamp
# command every signature signet makes (certification, each party, the
# completion seal) carries an RFC 3161 signature timestamp; `openssl ts
# -reply` is the local TSA. A TSA command that fails is a temporary failure
# (exit 75) that leaves the envelope as it was.
source "$(dirname "$0")/lib.sh"
# The TSA stamps the real time: the signer's certificates must be valid then.
export SIGNET_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
init_store --org "Zażółć Gęślą Sp. z o.o."
CONFIG=$SIGNET_HOME/config.yaml
cp "$CONFIG" "$TEST_TMP/config.orig"

# --- a local TSA: a root CA, a TSA certificate (EKU critical timeStamping) --------------------
TSA=$TEST_TMP/tsa
mkdir -p "$TSA"
cat >"$TSA/ext.cnf" <<'EOF'
[ tsa_cert ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
EOF
cat >"$TSA/tsa.cnf" <<EOF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $TSA
serial = \$dir/serial
signer_cert = \$dir/tsa.crt
signer_key = \$dir/tsa.key
certs = \$dir/ca.crt
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
EOF
echo 01 >"$TSA/serial"
if ! { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Test TSA Root" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$TSA/ca.key" -out "$TSA/ca.crt" &&
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Test TSA" \
        -keyout "$TSA/tsa.key" -out "$TSA/tsa.csr" &&
    openssl x509 -req -in "$TSA/tsa.csr" -CA "$TSA/ca.crt" -CAkey "$TSA/ca.key" -set_serial 2 \
        -days 30 -extfile "$TSA/ext.cnf" -extensions tsa_cert -out "$TSA/tsa.crt"; } \
    >"$TEST_TMP/openssl.log" 2>&1; then
    cat "$TEST_TMP/openssl.log" >&2
    exit 1
fi
# The TSA client: the TimeStampReq on stdin, the TimeStampResp on stdout.
cat >"$TSA/tsa-client" <<EOF
#!/bin/sh
exec openssl ts -reply -config "$TSA/tsa.cnf" -queryfile /dev/stdin -out /dev/stdout
EOF
# A client whose service is down.
cat >"$TSA/tsa-down" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "tsa.example.test: connection refused" >&2
exit 3
EOF
chmod +x "$TSA/tsa-client" "$TSA/tsa-down"
# config_with YAML: config.yaml as init wrote it, with YAML added (\n
# for a line break).
config_with() {
    cp "$TEST_TMP/config.orig" "$CONFIG"
    printf '%b' "$1" >>"$CONFIG"
}
# use_tsa COMMAND: config.yaml with timestamp: {command: [COMMAND]}.
use_tsa() { config_with "timestamp:\n  command: [$1]\n  timeout: 20\n"; }

# --- config.yaml's timestamp setting is checked like the other commands -----------------------
config_with 'timestamp: "openssl ts -reply"\n'
expect "a timestamp command given as one string is refused, naming file:line:col" 2 \
    --error "config.yaml:[0-9]+:[0-9]+: timestamp must be a list of arguments" -- signet status
config_with 'timestamp:\n  timeout: 5\n'
expect "a timestamp setting without a command is refused" 2 \
    --error "config.yaml:[0-9]+:[0-9]+: timestamp needs a command list" -- signet status
config_with 'timestamp:\n  command: [x]\n  timeout: 0\n'
expect "a timeout out of range is refused" 2 \
    --error "config.yaml:[0-9]+:[0-9]+: timestamp.timeout must be a number of seconds" -- signet status
config_with 'timestamp:\n  command: [x]\n  url: https://tsa.example.test\n'
expect "an unknown timestamp setting is refused" 2 \
    --error 'config.yaml:[0-9]+:[0-9]+: unknown setting "timestamp.url"' -- signet status
check "the commented default config.yaml documents the setting" grep -q '^#timestamp:' "$TEST_TMP/config.orig"
config_with ""

# --- a TSA that is down: exit 75, the envelope stays a draft ------------------------------------
id=$(signet create "$FIXTURES/contract.pdf" --title "Umowa № 17 — Łódź" \
    --party 'role=client,name=Пётр Иванов,email=petr@example.ru,auth=email')
signet add-field "$id" --type signature --role client --page last --rect 300,100,180,50 \
    --name client_signature >/dev/null
use_tsa "$TSA/tsa-down"
sqlite3 "$DB" .dump >"$TEST_TMP/db.before"
expect "send with the TSA down is a temporary failure carrying the command's stderr" 75 \
    --error 'cannot get a timestamp: .*tsa-down" exited with status 3: tsa.example.test: connection refused' \
    -- signet send "$id"
check "... the envelope is still a draft" test "$(envelope_status "$id")" = draft
check "... and nothing was recorded" cmp -s "$TEST_TMP/db.before" <(sqlite3 "$DB" .dump)
check "... no invitation went out" test -z "$(ls "$SIGNET_HOME/outbox" 2>/dev/null)"

# --- with the TSA: every signature is B-T ----------------------------------------------------------
use_tsa "$TSA/tsa-client"
expect "send certifies with a timestamped signature" 0 -- signet send "$id"
check "... the envelope is sent" test "$(envelope_status "$id")" = sent
expect "the certified PDF carries a signature timestamp the TSA's root proves" 0 -- \
    signet verify --trust "$TSA/ca.crt" "$(document "$id")" --json
json_check "... its time is reported and the signer is checked at that time" \
    '(lambda s: s["timestamp"] is not None and s["time_proven"] is True and s["trust_checked_at"] == s["timestamp"] and s["trusted"] is True and s["verdict"] == "valid")(d["files"][0]["signatures"][0])'

t=$(next_token "$id")
c=$(send_code "$id" "$t")
use_tsa "$TSA/tsa-down"
documents() { find "$SIGNET_HOME/documents" -type f | sort; }
documents >"$TEST_TMP/documents.before"
expect "a party's signature with the TSA down fails with 75 and signs nothing" 75 \
    --error 'cannot get a timestamp: .*connection refused' -- \
    signet sign "$id" --token "$t" --code "$c" --signature-text "Пётр Иванов" --agree --quiet
check "... the envelope waits for the party still" test "$(envelope_status "$id")" = sent
check "... and no document was left behind" cmp -s "$TEST_TMP/documents.before" <(documents)
use_tsa "$TSA/tsa-client"
expect "with the TSA back the party signs and the envelope completes" 0 -- \
    signet sign "$id" --token "$t" --code "$c" --signature-text "Пётр Иванов" --agree --json
json_check "... completed" 'd["status"] == "completed"'
pdf=$(document "$id")

expect "verify --json: three signatures, each with a proven timestamp" 0 -- \
    signet verify --trust "$TSA/ca.crt" "$pdf" --json
json_check "... certification, the party and the completion seal, all valid and timestamped" \
    '[s["field"] for s in d["files"][0]["signatures"]] == ["signet_certification", "client_signature", "signet_completion"] and all(s["verdict"] == "valid" and s["timestamp"] is not None and s["time_proven"] and s["trust_checked_at"] == s["timestamp"] for s in d["files"][0]["signatures"]) and d["files"][0]["verdict"] == "valid"'
expect "verify in words says the time is proven" 0 --out 'timestamp: .*\(proven\)' -- \
    signet verify --trust "$TSA/ca.crt" "$pdf"
expect "without the TSA's root the signatures stay valid, the time is not proven" 0 -- \
    signet verify "$pdf" --json
json_check "... no proven timestamp, trust checked at the claimed time" \
    'all(s["timestamp"] is None and s["time_proven"] is False and s["trusted"] for s in d["files"][0]["signatures"])'
check "qpdf --check passes" qpdf --check "$pdf"
pdfsig "$pdf" >"$TEST_TMP/pdfsig.txt" 2>/dev/null
check "pdfsig: three signatures, each valid" \
    test "$(grep -c 'Signature Validation: Signature is Valid\.' "$TEST_TMP/pdfsig.txt"),$(grep -c '^Signature #' "$TEST_TMP/pdfsig.txt")" = "3,3"
has_tokens='
import re, sys
data = open(sys.argv[1], "rb").read()
contents = re.findall(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
assert len(contents) == 3, len(contents)
oid = bytes.fromhex("060b2a864886f70d010910020e")  # DER of 1.2.840.113549.1.9.16.2.14
for hexed in contents:
    assert oid in bytes.fromhex(hexed.decode()), "no signatureTimeStampToken"
'
check "each CMS carries id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14)" \
    py -c "$has_tokens" "$pdf"

# --- the TSA goes down between the last signature and the completion seal ----------------------
# A client that answers while $TSA/tickets holds a ticket, one per call.
cat >"$TSA/tsa-tickets" <<EOF2
#!/bin/sh
n=\$(cat "$TSA/tickets")
if [ "\$n" -gt 0 ]; then
    echo \$((n - 1)) >"$TSA/tickets"
    exec "$TSA/tsa-client"
fi
exec "$TSA/tsa-down"
EOF2
chmod +x "$TSA/tsa-tickets"
id2=$(signet create "$FIXTURES/contract.pdf" --title "Umowa № 18" \
    --party 'role=client,name=Łukasz Żółć,email=lukasz@example.pl,auth=email')
signet add-field "$id2" --type signature --role client --page last --rect 300,100,180,50 >/dev/null
use_tsa "$TSA/tsa-client"
signet send "$id2" >/dev/null 2>&1
t=$(next_token "$id2")
c=$(send_code "$id2" "$t")
echo 1 >"$TSA/tickets"
use_tsa "$TSA/tsa-tickets"
expect "the party's signature is timestamped, the seal is not: exit 75" 75 \
    --error 'cannot get a timestamp: .*connection refused' -- \
    signet sign "$id2" --token "$t" --code "$c" --signature-text "Łukasz Żółć" --agree --quiet
check "... the party's signature is kept; the envelope awaits its seal" \
    test "$(party_status "$id2" client),$(envelope_status "$id2")" = "signed,in_progress"
echo 1 >"$TSA/tickets"
expect "with the TSA back, deliver seals the envelope" 0 --out "$id2: completed" -- signet deliver
check "... completed" test "$(envelope_status "$id2")" = completed
expect "... and every signature of it carries a proven timestamp" 0 -- \
    signet verify --trust "$TSA/ca.crt" "$(document "$id2")" --json
json_check "... three of them" \
    'len(d["files"][0]["signatures"]) == 3 and all(s["verdict"] == "valid" and s["time_proven"] for s in d["files"][0]["signatures"])'
