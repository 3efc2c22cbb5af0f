#!/usr/bin/env bash
# Regenerates the seed corpus of verify_fuzz (tests/fuzz/corpus/): small PDFs
# that take the verify path far, signed, tampered and broken, made from
# tests/fixtures/contract.pdf with tests/cli/pdf_tamper.py and openssl (EC
# keys made on the fly, so the CMS stays small). The corpus is committed;
# run this only to change it:
#
#   bash tests/fuzz/make_corpus.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tamper() { python3 "$root/tests/cli/pdf_tamper.py" "$@"; }
contract=$root/tests/fixtures/contract.pdf

cd "$tmp"
ec() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" -days 3650 2>/dev/null; }
ec -keyout ca.key -out ca.crt -subj "/CN=Fuzz CA" -addext basicConstraints=critical,CA:TRUE
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout a.key -out a.csr -subj "/CN=Fuzz Signer" 2>/dev/null
openssl x509 -req -in a.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out a.crt -days 3650 2>/dev/null
ec -keyout m.key -out m.crt -subj "/CN=Mallory"
A=(--key a.key --cert a.crt --chain ca.crt --room 1200)
M=(--key m.key --cert m.crt --room 1200)

rm -f "$out"/*.pdf
mkdir -p "$out"
tamper sign "$contract" "$out/signed-adbe-ber.pdf" "${A[@]}" --ber
tamper sign "$contract" "$out/signed-cades-certified.pdf" "${A[@]}" --cades --docmdp 2 --field certification
tamper sign "$out/signed-cades-certified.pdf" "$out/signed-twice.pdf" "${A[@]}" --noattr --field approval
tamper sign "$contract" "$out/signed-sha1.pdf" "${A[@]}" --md sha1
tamper isa-content "$out/signed-twice.pdf" "$out/isa-content.pdf"
tamper isa-annotation "$out/signed-twice.pdf" "$out/isa-annotation.pdf"
tamper isa-hidden-object "$out/signed-twice.pdf" "$out/isa-hidden-object.pdf"
tamper usf-byterange-missing "$out/signed-twice.pdf" "$out/usf-byterange-missing.pdf"
tamper swa-shorter-contents "$out/signed-adbe-ber.pdf" "$out/swa-shorter-contents.pdf"
tamper swa-signed-gap "$out/signed-cades-certified.pdf" "$out/swa-signed-gap.pdf" "${M[@]}"
tamper sneaky-signature-signed "$out/signed-cades-certified.pdf" "$out/sneaky-signature.pdf" "${M[@]}"
tamper plant "$contract" planted.pdf
tamper sign planted.pdf "$out/planted-signed.pdf" "${A[@]}"
tamper shadow-xref-only "$out/planted-signed.pdf" "$out/shadow-xref-only.pdf"
tamper shadow-hide-layer "$out/planted-signed.pdf" "$out/shadow-hide-layer.pdf"
# Broken: cut short, an xref chain that loops, only a header.
head -c 6000 "$out/signed-twice.pdf" >"$out/broken-truncated.pdf"
python3 - "$out/signed-adbe-ber.pdf" "$out/broken-xref-loop.pdf" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
last = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
data = re.sub(rb"/Prev \d+", b"/Prev %d" % last, data[:last]) + re.sub(rb"/Prev \d+", b"/Prev %d" % last, data[last:])
open(sys.argv[2], "wb").write(data)
PY
printf '%%PDF-1.7\n%%%%EOF\n' >"$out/broken-header-only.pdf"
ls -l "$out"
