#!/usr/bin/env bash
# The scripts in examples/ (issue 5, item 7) run as their headers say, against
# a temporary store: bulk send from a CSV, the pre-commit hook in a git
# repository, the CI lint job's step, the auditor's folder check and the CRM
# hook.
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

: "${SOURCE_DIR:?SOURCE_DIR must name the repository root}"
EX=$SOURCE_DIR/examples
TPL=$SOURCE_DIR/templates
W=$TEST_TMP/work
mkdir -p "$W" "$TEST_TMP/bin"
# The examples call `signet` (or $SIGNET); the CI job finds it on PATH.
export SIGNET
ln -s "$SIGNET" "$TEST_TMP/bin/signet"
export PATH=$TEST_TMP/bin:$PATH
invitations() { find "$SIGNET_HOME/outbox" -type f -name '*invitation*' | wc -l; }

# --- bulk-send.sh ---------------------------------------------------------------------
expect "bulk-send.sh sends one act per row of examples/deals.csv" 0 \
    --out $'^4\t2026/11/044\t[a-z2-9]{8}\tnew\t$' --out '^3 new, 0 already sent, 0 failed$' -- \
    bash "$EX/bulk-send.sh"
check "... three invitations in the outbox" test "$(invitations)" = 3
expect "bulk-send.sh again sends nothing" 0 --out '^0 new, 3 already sent, 0 failed$' -- \
    bash "$EX/bulk-send.sh"
check "... still three invitations" test "$(invitations)" = 3
sed '3s/petr@example.ru/petr at example.ru/' "$EX/deals.csv" >"$W/bad-deals.csv"
expect "bulk-send.sh with a bad row: exit 2, the row's line, nothing sent" 2 --out-empty \
    --err "hint: $W/bad-deals.csv:3: party \"client\": email" -- \
    bash "$EX/bulk-send.sh" "$W/bad-deals.csv"
check "... still three envelopes" test "$(sql "SELECT count(*) FROM envelopes")" = 3

# --- crm-hook.sh -----------------------------------------------------------------------
cat >"$W/deal.json" <<'JSON'
{"deal": {"number": "2026/11/077", "date": "25.11.2026", "work": "Datenmigration, Phase 2",
          "amount": "9 999,00", "currency": "EUR"},
 "company": {"name": "ACME Sp. z o.o.", "director": "Anna Nowak", "email": "anna@acme.test"},
 "client": {"name": "Jürgen Groß", "email": "juergen@example.de", "phone": "+49 151 23456789"}}
JSON
expect "crm-hook.sh: a deal reaching work-accepted gets its act, sent" 0 --out '^[a-z2-9]{8}$' -- \
    bash "$EX/crm-hook.sh" work-accepted "$W/deal.json"
deal_id=$(last_out)
check "... the envelope is sent, titled with the deal's number" \
    test "$(sql "SELECT status || '|' || title FROM envelopes WHERE id = '$deal_id'")" = "sent|Act of completed work No. 2026/11/077"
check "... one more invitation" test "$(invitations)" = 4
expect "crm-hook.sh called again for the same deal (a CRM retry): the same envelope" 0 \
    --out "^$deal_id\$" --err 'already sent' -- bash "$EX/crm-hook.sh" work-accepted "$W/deal.json"
CASE_NO=$((CASE_NO + 1))
if out=$(bash "$EX/crm-hook.sh" work-accepted <"$W/deal.json" 2>/dev/null) && [[ "$out" == "$deal_id" ]]; then
    pass "crm-hook.sh takes the deal on stdin too: still the same envelope"
else
    fail "crm-hook.sh takes the deal on stdin too: still the same envelope" "got: $out"
fi
check "... no second invitation" test "$(invitations)" = 4
expect "crm-hook.sh ignores a stage without a document" 0 --out-empty --err 'has no document; nothing to do' -- \
    bash "$EX/crm-hook.sh" lead "$W/deal.json"
sed 's/"phone": "+49 151 23456789"/"fax": "none"/' "$W/deal.json" | sed 's/2026\/11\/077/2026\/11\/078/' >"$W/deal-nophone.json"
expect "crm-hook.sh with a deal lacking a key: exit 2, the placeholder named, nothing made" 2 --out-empty \
    --err 'no value for \{\{client.phone\}\}' -- bash "$EX/crm-hook.sh" work-accepted "$W/deal-nophone.json"
check "... four envelopes in all" test "$(sql "SELECT count(*) FROM envelopes")" = 4

# --- audit-folder.sh -----------------------------------------------------------------------
mkdir -p "$W/audit/2026"
sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id = '$deal_id'")
cp "$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf" "$W/audit/act-077.pdf"
expect "audit-folder.sh: a folder of intact, trusted PDFs" 0 \
    --out $'^valid\t'"$W/audit/act-077.pdf"$'\tACME Sp. z o.o.$' --out '^verdicts: 1 valid$' -- \
    bash "$EX/audit-folder.sh" "$W/audit"
# The same file with one byte of the signed revision changed.
py - "$W/audit/act-077.pdf" "$W/audit/2026/act-077-edited.pdf" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"/Helv")
data[at + 2] ^= 0x20
open(sys.argv[2], "wb").write(data)
PY
cp "$TPL/invoice.pdf" "$W/audit/2026/unsigned.pdf"
expect "audit-folder.sh: an edited and an unsigned file are invalid (exit 1)" 1 \
    --out $'^invalid\t'"$W/audit/2026/act-077-edited.pdf"$'\t.*changed after signing' \
    --out $'^invalid\t'"$W/audit/2026/unsigned.pdf"$'\t.*not signed' \
    --out '^verdicts: 2 invalid, 1 valid$' -- bash "$EX/audit-folder.sh" "$W/audit"
expect "audit-folder.sh: an empty folder is refused" 2 --err 'no PDF under' -- \
    bash "$EX/audit-folder.sh" "$W/nothing-here"

# --- pre-commit --------------------------------------------------------------------------
R=$TEST_TMP/repo
git init -q "$R"
cp "$EX/pre-commit" "$R/.git/hooks/pre-commit"
chmod +x "$R/.git/hooks/pre-commit"
mkdir -p "$R/templates" "$R/.github/workflows"
cp "$TPL/act-of-work.yaml" "$TPL/act-of-work.pdf" "$TPL/invoice.yaml" "$TPL/invoice.pdf" "$R/templates/"
sed 's/type: signature/type: signatur/' "$TPL/invoice.yaml" >"$R/templates/invoice.yaml"
cp "$EX/ci-lint.yml" "$R/.github/workflows/templates.yml"
gitc() { git -C "$R" -c user.name=Ops -c user.email=ops@acme.test "$@"; }
gitc add -A
# git shows a hook's output on stderr.
expect "pre-commit refuses a commit with a broken template, at its line" 1 \
    --err '^templates/invoice.yaml:[0-9]+:11: error: unknown field type "signatur"' \
    --no-err 'act-of-work.yaml:' --err 'fix the template' -- gitc commit -q -m "templates"
check "... nothing was committed" sh -c "! git -C '$R' rev-parse -q --verify HEAD"
cp "$TPL/invoice.yaml" "$R/templates/invoice.yaml"
gitc add templates/invoice.yaml
expect "pre-commit lets the fixed templates through" 0 -- gitc commit -q -m "templates"
sed 's/type: signature/type: signatur/' "$TPL/invoice.yaml" >"$R/templates/invoice.yaml"
echo "# another act" >>"$R/templates/act-of-work.yaml"
gitc add templates/act-of-work.yaml
expect "pre-commit lints what is staged, not the working tree's unstaged edits" 0 -- \
    gitc commit -q -m "comment"
gitc add templates/invoice.yaml
expect "... and catches the same edit once it is staged" 1 --err '^templates/invoice.yaml:' -- \
    gitc commit -q -m "broken"
gitc reset -q templates/invoice.yaml
echo "name: not a template" >"$R/.github/workflows/other.yml"
gitc add .github/workflows/other.yml
expect "pre-commit ignores YAML files that are not templates" 0 -- gitc commit -q -m "other"

# --- ci-lint.yml: its lint step, run as the CI runner runs it --------------------------------
if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    /usr/bin/python3 - "$EX/ci-lint.yml" >"$W/lint-step.sh" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
lint = job["jobs"]["lint"]
assert lint["container"].startswith("debian"), "not a Debian runner"
step = [s for s in lint["steps"] if s.get("name") == "Lint templates"][0]
print(step["run"])
PY
    mkdir -p "$W/ci/templates"
    cp "$TPL"/* "$W/ci/templates/"
    expect "the CI job's lint step passes on the shipped templates" 0 --out-empty -- \
        sh -ec "cd '$W/ci' && . '$W/lint-step.sh'"
    sed 's/type: signature/type: signatur/' "$TPL/nda.yaml" >"$W/ci/templates/nda.yaml"
    expect "... and fails on a broken one, with an annotation at its line" 1 \
        --out '^::error file=templates/nda.yaml,line=[0-9]+,col=11::unknown field type "signatur"' -- \
        sh -ec "cd '$W/ci' && . '$W/lint-step.sh'"
else
    check "ci-lint.yml names the lint command (python3-yaml is missing: not run)" \
        grep -q 'signet template lint --json templates/' "$EX/ci-lint.yml"
fi
