#!/usr/bin/env bash
# verify against the known attacks on PDF signatures (issue 4, item 4): the
# test builds its own corpus, tampered variants of two multi-signature PDFs
# with shadow content planted before signing,
#   S  signet's completed PDF (certification DocMDP P 2, director, client,
#      completion seal), and
#   P  the same document signed by two signers with poppler's pdfsig (NSS,
#      BER CMS),
# with tests/cli/pdf_tamper.py (`pdf_tamper.py list` says what each variant
# does). Every tampered variant is invalid (exit 1) with a reason that names
# what changed; the untampered PDFs stay valid or untrusted (no false alarm).
# Classes: Universal Signature Forgery, Incremental Saving Attack, Signature
# Wrapping and gap injection, Shadow attacks (hide, replace,
# hide-and-replace), certification abuse (evil annotation, sneaky signature).
source "$(dirname "$0")/lib.sh"
TAMPER=$(cd "$(dirname "$0")" && pwd)/pdf_tamper.py
tamper() { py "$TAMPER" "$@"; }
C=$TEST_TMP/corpus
K=$TEST_TMP/keys
mkdir -p "$C"

# Outside keys: two CAs and their signers alice and bob (also in an NSS
# database for pdfsig), and mallory, a self-signed attacker.
tamper keys "$K" || exit 1

# The document, with shadow content planted before anyone signs: a form
# XObject /Cover drawn over a blue box, an unused /Shadow form, a layer that
# is off, a hidden text field "overlay", a visible text field "veil" whose
# white appearance hides a red line.
tamper plant "$FIXTURES/contract.pdf" "$C/planted-update.pdf" &&
    qpdf "$C/planted-update.pdf" "$C/planted.pdf" || exit 1

# S: signet's flow on it, director (image and stamp) then client (address).
init_store --org "ACME Sp. z o.o."
OUTBOX=$SIGNET_HOME/outbox
newest() { ls -t "$OUTBOX"/*"$1"* | head -n1; }
token() { grep -ahEo -- "--token [a-z2-7]{26}" "$(newest invitation)" | head -n1 | cut -d' ' -f2; }
code() { grep -aEo '^    [0-9]{6}|signet( code|:) [0-9]{6}' "$(newest code)" | grep -Eo '[0-9]{6}' | head -n1; }
id=$(signet create "$C/planted.pdf" --title "Act № 17" \
    --party "role=company,name=Anna Nowak,email=anna@acme.test,order=1,kind=organization,stamp=required,auth=email" \
    --party "role=client,name=Jan Kowalski,phone=+48 601 234 567,order=2,auth=sms") || exit 1
{
    signet add-field "$id" --type signature --role company --page last --rect 72,140,180,50 --name director_signature &&
        signet add-field "$id" --type stamp --role company --page last --unit mm --rect 95,30,40,40 --name company_stamp &&
        signet add-field "$id" --type text --role client --page 1 --rect 72,80,250,18 --name client_address &&
        signet add-field "$id" --type signature --role client --page last --rect 330,140,180,50 --name client_signature &&
        signet send "$id" &&
        t=$(token) && signet sign "$id" --token "$t" --send-code && at_code=$(code) &&
        signet sign "$id" --token "$t" --code "$at_code" --signature-image "$FIXTURES/sig.png" \
            --stamp "$FIXTURES/stamp.png" --agree &&
        t=$(token) && signet sign "$id" --token "$t" --send-code && at_code=$(code) &&
        signet sign "$id" --token "$t" --code "$at_code" --field "client_address=ul. Prosta 1, Łódź" \
            --signature-text "Jan Kowalski" --agree
} >/dev/null 2>"$TEST_TMP/flow.err" || {
    cat "$TEST_TMP/flow.err" >&2
    exit 1
}
sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id = '$id'")
cp "$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf" "$C/S.pdf"
cp "$SIGNET_HOME/keys/root.crt" "$C/root.pem"

# P: pdfsig signs the planted document twice, alice then bob (approvals).
pdfsig_sign() { pdfsig -add-signature -nssdir "sql:$K/nss" "$@" >/dev/null 2>&1; }
pdfsig_sign -nick alice "$C/planted.pdf" "$C/P1.pdf" &&
    pdfsig_sign -nick bob -new-signature-field-name second "$C/P1.pdf" "$C/P.pdf" || {
    echo "pdfsig could not sign" >&2
    exit 1
}

# verify_with BASE ARGS...: signet verify with the trust anchors BASE needs.
verify_with() {
    local base=$1
    shift
    if [[ $base == S ]]; then
        signet verify --trust "$C/root.pem" "$@"
    else
        signet verify --trust "$K/ca.crt" --trust "$K/ca2.crt" "$@"
    fi
}

# =============================================================================
# No false alarms: the untampered PDFs.
# =============================================================================
expect "S, signet's completed PDF, is valid with its store (exit 0)" 0 \
    --out 'S.pdf: valid \(4 signatures, 6 revisions' -- signet verify "$C/S.pdf"
expect "... untrusted without a store (exit 3)" 3 --out 'S.pdf: untrusted' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$C/S.pdf"
expect "... every signature reported, none modified after in a disallowed way" 0 \
    --out 'signature 4, field "signet_completion": valid' --no-out 'CHANGED' -- signet verify "$C/S.pdf"
expect "P, signed twice by pdfsig, is untrusted without --trust (exit 3)" 3 \
    --out 'P.pdf: untrusted \(2 signatures, 3 revisions' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify "$C/P.pdf"
expect "... and valid with --trust given both CAs (exit 0)" 0 --out 'P.pdf: valid' \
    -- env SIGNET_HOME="$TEST_TMP/none" "$SIGNET" verify --trust "$K/ca.crt" --trust "$K/ca2.crt" "$C/P.pdf"
for base in S P; do
    tamper allowed-info "$C/$base.pdf" "$C/$base-allowed-info.pdf"
    expect "$base: a document-info update after the last signature is allowed (still valid)" 0 \
        --out 'valid' -- verify_with $base "$C/$base-allowed-info.pdf"
done

# =============================================================================
# The attacks. attack VARIANT PATTERN [BASES]: each base's variant is
# invalid, and the report matches PATTERN (what changed, in words).
# =============================================================================
attack() {
    local variant=$1 pattern=$2 bases=${3:-S P} base
    for base in $bases; do
        local out=$C/$base-$variant.pdf
        if ! tamper "$variant" "$C/$base.pdf" "$out" --key "$K/mallory.key" --cert "$K/mallory.crt" \
            --field client_address 2>"$TEST_TMP/tamper.err"; then
            CASE_NO=$((CASE_NO + 1))
            fail "$base: $variant" "pdf_tamper failed: $(tail -n1 "$TEST_TMP/tamper.err")"
            continue
        fi
        expect "$base: $variant is invalid, naming what changed" 1 \
            --out "^$out: invalid \(" --out "$pattern" -- verify_with $base "$out"
    done
}

# --- Universal Signature Forgery: the signature dictionaries rewritten so that
# a viewer skips the check, and page 1's content replaced. --------------------
attack usf-byterange-missing 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-empty 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-null 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-zeros 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-offset 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-overlap 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-byterange-beyond-eof 'signature [0-9]: the /ByteRange is not \[0 a b c\]'
attack usf-contents-missing 'CHANGED: +revision [0-9], [0-9]+ 0 R: changed: a signature dictionary not signed in this revision'
attack usf-contents-empty 'CHANGED: +revision [0-9], [0-9]+ 0 R: changed: a signature dictionary not signed in this revision'
attack usf-contents-zeroed 'CHANGED: +revision [0-9], [0-9]+ 0 R: changed: a signature dictionary not signed in this revision'
attack usf-inplace-byterange-offset 'the /ByteRange is not \[0 a b c\]'
attack usf-inplace-byterange-blank 'the /ByteRange is not \[0 a b c\]'
attack usf-inplace-contents-zeroed 'the CMS signature does not parse'

# --- Incremental Saving Attack: an update after the last signature. ----------
attack isa-content "modified after this signature: revision [0-9], [0-9]+ 0 R: changed: page 1's /Contents"
attack isa-content-appended "changed: page 1's /Contents"
attack isa-content-rewritten 'changed: page content or resources of page 1'
attack isa-annotation 'an annotation [0-9]+ 0 R \(/FreeText\) was added to page 1'
attack isa-resources "changed: page 1's /Resources"
attack isa-font-redefined 'changed: page content or resources of page 1'
attack isa-openaction "changed: the catalog's /OpenAction"
attack isa-names-javascript "changed: the catalog's /Names"
attack isa-page-action "changed: page 1's /AA"
attack isa-new-page 'changed: the page tree'
attack isa-free 'freed \(was page content or resources\)'
attack isa-xref-repoint 're-pointed by the xref into the bytes of an earlier revision'
attack isa-no-xref "bytes after the last revision's %%EOF belong to no revision"
attack isa-hidden-object "the object [0-9]+ 0 at offset [0-9]+ is not in the revision's xref"
attack isa-no-prev 'the signed bytes do not end at the end of a revision'
attack isa-signed-appearance 'the field "[^"]+" was already signed'
attack isa-acroform-xfa "changed: the form dictionary's /XFA"
attack isa-field-value 'the field "client_address" is locked by an earlier signature \(FieldMDP\)' S

# --- Signature wrapping and gap injection. -----------------------------------
attack swa-widened-gap 'the gap in /ByteRange is not exactly the /Contents hex string|the /ByteRange is not \[0 a b c\]'
attack swa-shorter-contents 'the gap in /ByteRange is not exactly the /Contents hex string'
attack swa-moved-gap 'the gap in /ByteRange is not exactly the /Contents hex string'
# The attacker's own signature verifies over its ranges: only the gap check
# stops the stream injected into its gap.
attack swa-signed-gap 'signature 5: the gap in /ByteRange is not exactly the /Contents hex string' S
attack swa-signed-gap 'signature 3: the gap in /ByteRange is not exactly the /Contents hex string' P

# --- Shadow attacks: content planted before signing, revealed after. ---------
attack shadow-hide 'changed: page content or resources of page 1'
attack shadow-hide-layer "changed: part of the catalog's /OCProperties"
attack shadow-replace 'changed: page content or resources of page 1'
attack shadow-replace-field "changed: the field \"overlay\"'s /F"
attack shadow-replace-dr-font "changed: the form dictionary's /DR \\(replaces /Font /[A-Za-z0-9]+.*/NeedAppearances true"
attack shadow-hide-field "the appearance of the field \"veil\", after the last signature: form filling that no signature covers"
attack shadow-replace-overlay "changed: the field \"veil\"'s /AP /V, after the last signature: form filling that no signature covers"
attack shadow-hide-and-replace "changed: page 1's /Contents"
attack shadow-xref-only 're-pointed by the xref into the bytes of an earlier revision'

# --- Certification abuse. ----------------------------------------------------
attack evil-annotation 'an annotation [0-9]+ 0 R \(/Stamp\) was added to page 1'
attack evil-annotation-widget 'an annotation [0-9]+ 0 R \(/Widget\) was added to page 1'
attack sneaky-signature 'a new signature field "sneaky" with a visible appearance that is not signed'
attack sneaky-signature-signed 'a new signature field "sneaky" with a visible appearance added after the certification \(sneaky signature\)' S
attack cert-perms-removed "changed: the catalog's /Perms" S
# Outside a certification a second approval signature may be added, visible
# or not: the attacker's is intact but nobody trusts it.
tamper sneaky-signature-signed "$C/P.pdf" "$C/P-sneaky-signed.pdf" --key "$K/mallory.key" --cert "$K/mallory.crt"
expect "P (no certification): a visible signature added by an unknown signer is untrusted, not valid" 3 \
    --out 'P-sneaky-signed.pdf: untrusted' --out 'signature 3, field "sneaky": untrusted' \
    --out '"CN=Mallory" does not chain to a trust anchor' -- verify_with P "$C/P-sneaky-signed.pdf"

# pdfsig itself, the outside check: it calls an incremental-saving attack
# "Signature is Valid" (PDF-SIGNATURES.md), which is why verify goes further.
expect "pdfsig is fooled by the incremental-saving attack that verify catches" 0 \
    --out 'Signature Validation: Signature is Valid' -- pdfsig "$C/P-isa-content.pdf"
