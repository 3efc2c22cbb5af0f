#!/usr/bin/env bash
# verify on PDFs that other tools signed (issue 4, item 5): poppler's pdfsig
# (NSS: adbe.pkcs7.detached, BER with indefinite lengths), the openssl
# command line (adbe.pkcs7.detached and ETSI.CAdES.detached, certifications,
# BER, no signed attributes, other digests), and both mixed with signet's own
# signatures. Several signatures are reported one by one.
#
# pdfsig 22.12 cannot make ETSI.CAdES.detached: -etsi with -add-signature is
# "not supported yet", and with -sign it still writes adbe.pkcs7.detached;
# the ETSI signatures here come from `openssl cms -sign -cades`.
source "$(dirname "$0")/lib.sh"
TAMPER=$(cd "$(dirname "$0")" && pwd)/pdf_tamper.py
tamper() { py "$TAMPER" "$@"; }
C=$TEST_TMP/corpus
K=$TEST_TMP/keys
mkdir -p "$C"
tamper keys "$K" || exit 1
ALICE=(--key "$K/alice.key" --cert "$K/alice.crt" --chain "$K/ca.crt")
pdfsig_sign() { pdfsig -add-signature -nssdir "sql:$K/nss" -nick alice "$@" >/dev/null 2>&1; }
pdfsig_bob() { pdfsig -add-signature -nssdir "sql:$K/nss" -nick bob "$@" >/dev/null 2>&1; }
# Verifies without a store, trusting the outside CA (and more with --trust).
outside() { env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify --trust "$K/ca.crt" "$@"; }

# --- poppler's pdfsig, twice: alice (outside CA), then bob (a second, EC CA) ----
pdfsig_sign "$FIXTURES/contract.pdf" "$C/p1.pdf" &&
    pdfsig_bob -new-signature-field-name second "$C/p1.pdf" "$C/pdfsig-twice.pdf" || exit 1
check "pdfsig writes BER with indefinite lengths (the CMS starts 30 80)" \
    grep -aq '/Contents <3080' "$C/pdfsig-twice.pdf"
expect "a PDF signed twice by pdfsig is untrusted without --trust (exit 3)" 3 \
    --out 'pdfsig-twice.pdf: untrusted \(2 signatures, 3 revisions' \
    --out 'signature 1, field "[0-9A-F]+": untrusted' --out 'signature 2, field "second": untrusted' \
    --out 'signer: +Alice Outside <alice@outside.test>' --out 'signer: +Bob Second <bob@second.test>' \
    --out 'kind: +adbe.pkcs7.detached, approval' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$C/pdfsig-twice.pdf"
expect "... still untrusted with only the first signer's CA (exit 3)" 3 \
    --out 'pdfsig-twice.pdf: untrusted' --out 'signature 1, field "[0-9A-F]+": valid' \
    --out 'signature 2, field "second": untrusted' -- outside "$C/pdfsig-twice.pdf"
expect "... and valid with --trust given both CAs (exit 0)" 0 \
    --out 'pdfsig-twice.pdf: valid' --out 'CN=Outside Test CA,O=Outside Tools \(.*ca\.crt' \
    --out 'CN=Second Test CA,O=Second Tools \(.*ca2\.crt' -- outside --trust "$K/ca2.crt" "$C/pdfsig-twice.pdf"
expect "... --json reports each signature" 0 -- outside --trust "$K/ca2.crt" "$C/pdfsig-twice.pdf" --json
json_check "... intact, trusted, the first with the second's revision allowed after it" \
    '(lambda s: len(s) == 2 and [x["index"] for x in s] == [1, 2] and s[1]["field"] == "second" and [x["signer"]["name"] for x in s] == ["Alice Outside", "Bob Second"] and all(x["subfilter"] == "adbe.pkcs7.detached" and x["digest_ok"] and x["signature_ok"] and x["trusted"] for x in s) and s[0]["modified_after"] and all(c["allowed"] for c in s[0]["modified_after"]) and s[1]["covers_whole_file"])(d["files"][0]["signatures"])'

# --- object streams and cross-reference streams ---------------------------------
# pdfsig appends its updates with cross-reference streams when the document
# has them; openssl's signature here is appended with a classic table.
qpdf --object-streams=generate "$FIXTURES/contract.pdf" "$C/objstm.pdf" &&
    pdfsig_sign "$C/objstm.pdf" "$C/objstm-1.pdf" &&
    pdfsig_bob -new-signature-field-name second "$C/objstm-1.pdf" "$C/objstm-2.pdf" || exit 1
tamper sign "$C/objstm-2.pdf" "$C/objstm-3.pdf" "${ALICE[@]}"
check "pdfsig wrote its updates with cross-reference streams" grep -aq '/Type */XRef' "$C/objstm-2.pdf"
expect "object and xref streams, two pdfsig signatures and openssl's: valid" 0 \
    --out 'objstm-3.pdf: valid \(3 signatures, 4 revisions' -- outside --trust "$K/ca2.crt" "$C/objstm-3.pdf"
tamper isa-content "$C/objstm-2.pdf" "$C/objstm-isa.pdf"
expect "... new content appended after them: invalid" 1 \
    --out "objstm-isa.pdf: invalid .*changed: page 1's /Contents" -- outside --trust "$K/ca2.crt" "$C/objstm-isa.pdf"
tamper isa-hidden-object "$C/objstm-2.pdf" "$C/objstm-hidden.pdf"
expect "... an object hidden from the xref after them: invalid" 1 \
    --out "objstm-hidden.pdf: invalid .*is not in the revision's xref" -- outside --trust "$K/ca2.crt" "$C/objstm-hidden.pdf"

# --- the openssl command line ---------------------------------------------------
tamper sign "$FIXTURES/contract.pdf" "$C/cades.pdf" "${ALICE[@]}" --cades
expect "ETSI.CAdES.detached from openssl (signing-certificate-v2) is valid" 0 \
    --out 'cades.pdf: valid' --out 'kind: +ETSI.CAdES.detached, approval' -- outside "$C/cades.pdf"
tamper sign "$FIXTURES/contract.pdf" "$C/ber.pdf" "${ALICE[@]}" --ber
check "... a CMS re-encoded with indefinite lengths, as NSS writes" grep -aq '/Contents <3080' "$C/ber.pdf"
expect "BER with indefinite lengths is accepted" 0 --out 'ber.pdf: valid' -- outside "$C/ber.pdf"
tamper sign "$FIXTURES/contract.pdf" "$C/noattr.pdf" "${ALICE[@]}" --noattr
expect "a CMS without signed attributes is valid" 0 --out 'noattr.pdf: valid' -- outside "$C/noattr.pdf"
tamper sign "$FIXTURES/contract.pdf" "$C/sha512.pdf" "${ALICE[@]}" --md sha512
expect "SHA-512 is valid" 0 --out 'sha512.pdf: valid' \
    --out 'the SHA-512 digest of the signed bytes matches' -- outside "$C/sha512.pdf"
tamper sign "$FIXTURES/contract.pdf" "$C/sha1.pdf" "${ALICE[@]}" --md sha1
expect "SHA-1 is refused" 1 --out 'sha1.pdf: invalid .*the signature uses the digest SHA1, not SHA-256 or stronger' \
    -- outside "$C/sha1.pdf"
tamper sign-two-signers "$FIXTURES/contract.pdf" "$C/two-signers.pdf" "${ALICE[@]}"
expect "a CMS with two SignerInfos is refused" 1 \
    --out 'two-signers.pdf: invalid .*the CMS has 2 SignerInfos instead of exactly one' -- outside "$C/two-signers.pdf"

# --- certifications by openssl, approvals by pdfsig on top ----------------------
tamper sign "$FIXTURES/contract.pdf" "$C/certified-p2.pdf" "${ALICE[@]}" --cades --docmdp 2 --field certification
pdfsig_sign "$C/certified-p2.pdf" "$C/certified-p2-approved.pdf" || exit 1
expect "a certification (P 2) by openssl, then pdfsig's approval: valid" 0 \
    --out 'certified-p2-approved.pdf: valid \(2 signatures' \
    --out 'kind: +ETSI.CAdES.detached, certification \(DocMDP P 2' -- outside "$C/certified-p2-approved.pdf"
tamper sign "$FIXTURES/contract.pdf" "$C/certified-p1.pdf" "${ALICE[@]}" --cades --docmdp 1 --field certification
pdfsig_sign "$C/certified-p1.pdf" "$C/certified-p1-approved.pdf" || exit 1
expect "... under P 1 (no changes) pdfsig's approval makes it invalid" 1 \
    --out 'certified-p1-approved.pdf: invalid' --out 'under a certification that allows no changes \(DocMDP P 1\)' \
    -- outside "$C/certified-p1-approved.pdf"

# --- signet's own PDFs, with pdfsig in the flow ----------------------------------
init_store --org "ACME Sp. z o.o."
OUTBOX=$SIGNET_HOME/outbox
newest() { ls -t "$OUTBOX"/*"$1"* | head -n1; }
token() { grep -ahEo -- "--token [a-z2-7]{26}" "$(newest invitation)" | head -n1 | cut -d' ' -f2; }
code() { grep -aEo '^    [0-9]{6}|signet( code|:) [0-9]{6}' "$(newest code)" | grep -Eo '[0-9]{6}' | head -n1; }
current() {
    local sha
    sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id = '$1'")
    echo "$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf"
}
id=$(signet create "$FIXTURES/contract.pdf" --title "Umowa" \
    --party "role=company,name=Anna Nowak,email=anna@acme.test,order=1,kind=organization,auth=email" \
    --party "role=client,name=Jan Kowalski,email=jan@example.test,order=2,auth=email") || exit 1
{
    signet add-field "$id" --type signature --role company --page last --rect 72,140,180,50 --name director_signature &&
        signet add-field "$id" --type signature --role client --page last --rect 330,140,180,50 --name client_signature &&
        signet send "$id" &&
        t=$(token) && signet sign "$id" --token "$t" --send-code && c=$(code) &&
        signet sign "$id" --token "$t" --code "$c" --signature-text "Anna Nowak" --agree &&
        cp "$(current "$id")" "$C/director-signed.pdf" &&
        t=$(token) && signet sign "$id" --token "$t" --send-code && c=$(code) &&
        signet sign "$id" --token "$t" --code "$c" --signature-text "Jan Kowalski" --agree &&
        cp "$(current "$id")" "$C/completed.pdf"
} >/dev/null 2>"$TEST_TMP/flow.err" || {
    cat "$TEST_TMP/flow.err" >&2
    exit 1
}
pdfsig -nssdir "sql:$K/nss" -nick alice -sign client_signature "$C/director-signed.pdf" \
    "$C/client-by-pdfsig.pdf" >/dev/null 2>&1 || exit 1
expect "pdfsig signs the client's field that signet prepared: valid with the store and its CA" 0 \
    --out 'client-by-pdfsig.pdf: valid \(3 signatures' \
    --out 'signature 3, field "client_signature": valid' -- signet verify --trust "$K/ca.crt" "$C/client-by-pdfsig.pdf"
pdfsig_sign "$C/completed.pdf" "$C/completed-countersigned.pdf" || exit 1
expect "pdfsig countersigns signet's completed PDF (an invisible field, allowed under P 2): valid" 0 \
    --out 'completed-countersigned.pdf: valid \(5 signatures' \
    -- signet verify --trust "$K/ca.crt" "$C/completed-countersigned.pdf"
expect "... untrusted when only the store's CA is trusted" 3 \
    --out 'completed-countersigned.pdf: untrusted' --out 'signature 4, field "signet_completion": valid' \
    --out 'signature 5, field "[0-9A-F]+": untrusted' -- signet verify "$C/completed-countersigned.pdf"
