#!/usr/bin/env bash
# sign --p12: a signer who has a certificate of their own signs with it
# instead of one issued by the organisation's CA (issue 3, item 5).
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

# The signer's own CA and certificate, as a qualified provider would issue.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -utf8 \
    -subj "/CN=Trust Service Łódź/O=TSP" -keyout "$TEST_TMP/ca.key" -out "$TEST_TMP/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
    -subj "/CN=Zofia Wójcik" -keyout "$TEST_TMP/zofia.key" -out "$TEST_TMP/zofia.csr" 2>/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' >"$TEST_TMP/ext"
openssl x509 -req -in "$TEST_TMP/zofia.csr" -CA "$TEST_TMP/ca.crt" -CAkey "$TEST_TMP/ca.key" \
    -CAcreateserial -days 3650 -extfile "$TEST_TMP/ext" -out "$TEST_TMP/zofia.crt" 2>/dev/null
openssl pkcs12 -export -inkey "$TEST_TMP/zofia.key" -in "$TEST_TMP/zofia.crt" -certfile "$TEST_TMP/ca.crt" \
    -passout pass:zofia-p12 -out "$TEST_TMP/zofia.p12"
# The certificate was made by openssl just now: sign at a time after that,
# or it would not be valid yet at the signing time verify checks it at.
sleep 1
export SIGNET_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

id=$(signet create "$FIXTURES/contract.pdf" --title "Umowa z własnym certyfikatem" \
    --party 'role=client,name=Zofia Wójcik,email=zofia@example.pl,auth=email')
signet add-field "$id" --type signature --role client --page last --rect 330,140,180,50 >/dev/null
signet send "$id" >/dev/null 2>&1
token=$(next_token "$id")
code=$(send_code "$id" "$token")

expect "a wrong PKCS#12 passphrase is an authentication failure and signs nothing" 4 --unchanged \
    --err 'signet: error: .*wrong passphrase' -- env SIGNET_P12_PASSPHRASE=wrong "$SIGNET" sign "$id" --token "$token" \
    --code "$code" --p12 "$TEST_TMP/zofia.p12" --signature-text "Zofia Wójcik" --agree
expect "with no passphrase and no terminal it says where the passphrase comes from" 2 --unchanged \
    --err 'signet: error: .*SIGNET_P12_PASSPHRASE' -- signet sign "$id" --token "$token" \
    --code "$code" --p12 "$TEST_TMP/zofia.p12" --signature-text "Zofia Wójcik" --agree
expect "the signer signs with their own certificate" 0 --out 'Completed' -- \
    env SIGNET_P12_PASSPHRASE=zofia-p12 "$SIGNET" sign "$id" --token "$token" \
    --code "$code" --p12 "$TEST_TMP/zofia.p12" --signature-text "Zofia Wójcik" --agree
pdf=$(document "$id")
check "pdfsig names the signer's own certificate and calls every signature valid" \
    sh -c "pdfsig '$pdf' 2>/dev/null | grep -q 'Common Name: Zofia Wójcik' && test \$(pdfsig '$pdf' 2>/dev/null | grep -c 'Signature is Valid') = 3"
check "the audit event records the own certificate" \
    test "$(sql "SELECT json_extract(details, '\$.own_certificate') FROM events WHERE action='signed'")" = 1
# Both without leading zeros: a serial whose first byte is below 0x10
# starts with "0" (1 run in 16).
check "... and its serial" \
    test "$(sql "SELECT certificate_serial FROM parties" | sed 's/^0*//')" = "$(openssl x509 -in "$TEST_TMP/zofia.crt" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')"
expect "verify: intact but the signer does not chain to the store's CA (exit 3)" 3 \
    --out 'untrusted' -- signet verify "$pdf"
expect "... and valid when the signer's CA is trusted too" 0 --out ': valid' -- \
    signet verify --trust "$TEST_TMP/ca.crt" "$pdf"
