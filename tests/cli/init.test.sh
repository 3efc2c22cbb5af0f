#!/usr/bin/env bash
# signet init: creating the store, re-running it, and finding the store
# (CLI.md "Global", "Idempotency"; DESIGN.md "Concepts: Store").
source "$(dirname "$0")/lib.sh"

mode() { stat -c %a "$1"; }

# --- creating a store -------------------------------------------------------

# The first init creates the store directory and says so.
expect "init creates a new store" 0 --out '^initialised store .*/store$' --err-empty -- \
    signet init --org "ACME Sp. z o.o."

# The store holds signed documents and personal data: private, as ssh keeps ~/.ssh.
check "the store directory is mode 0700" test "$(mode "$SIGNET_HOME")" = 700
check "signet.db exists and is mode 0600" test "$(mode "$SIGNET_HOME/signet.db")" = 600
check "config.yaml exists and is mode 0600" test "$(mode "$SIGNET_HOME/config.yaml")" = 600
check "documents/ exists and is mode 0700" test "$(mode "$SIGNET_HOME/documents")" = 700

# DESIGN.md: SQLite in WAL mode (crash safety, readers beside a writer).
check "the database is in WAL mode" test "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal

# config.yaml is the user's to edit: every setting present and explained.
check "config.yaml sets phone_region" grep -Eq '^phone_region:' "$SIGNET_HOME/config.yaml"
check "config.yaml sets timezone" grep -Eq '^timezone:' "$SIGNET_HOME/config.yaml"
check "config.yaml sets date_format" grep -Eq '^date_format:' "$SIGNET_HOME/config.yaml"
check "config.yaml explains its settings in comments" \
    grep -Eq '^# .*(phone|region)' "$SIGNET_HOME/config.yaml"
check "config.yaml comments the time zone" grep -Eq '^# .*[Tt]ime zone' "$SIGNET_HOME/config.yaml"
check "config.yaml comments the date format" grep -Eq '^# .*date' "$SIGNET_HOME/config.yaml"
# With no locale in the environment no region is guessed: national phone
# numbers are then refused rather than read in the wrong country.
check "phone_region is empty when the locale names no region" \
    grep -Eq '^phone_region: *(""|'"''"')? *$' "$SIGNET_HOME/config.yaml"

# --- idempotency -------------------------------------------------------------

# CLI.md: init on an existing store gives 0 and "already initialised".
expect "re-running init succeeds and says already initialised" 0 \
    --out 'already initialised' --unchanged -- signet init
expect "re-running init with the same --org succeeds" 0 --out 'already initialised' \
    --unchanged -- signet init --org "ACME Sp. z o.o."
# CLI.md: ... but 2 if --org names a different organisation.
expect "re-running init with a different --org is refused" 2 \
    --error 'already initialised.*ACME Sp\. z o\.o\.' --unchanged -- signet init --org "Other Ltd"
expect "init --json reports an existing store" 0 --unchanged -- signet init --json
json_check "init --json has schema 1, created false and the organisation" \
    'd == {"schema": 1, "store": d["store"], "created": False, "organization": "ACME Sp. z o.o.", "keys_created": False}'
expect "init -q prints nothing" 0 --out-empty --err-empty -- signet -q init

expect "init refuses an --org with a control character" 2 --error 'org.*control' -- \
    signet --store "$TEST_TMP/ctl" init --org $'ACME\x01'
check "... and creates no store" test ! -e "$TEST_TMP/ctl"

# --- finding the store -------------------------------------------------------

other=$TEST_TMP/other-store
# CLI.md: --store DIR first.
expect "init --store creates the store there" 0 --out 'initialised store .*other-store' -- \
    signet --store "$other" init
check "... with its own database" test -f "$other/signet.db"
expect "--store after the subcommand works too" 0 --out 'already initialised' -- \
    signet init --store "$other"
# --store wins over SIGNET_HOME.
expect "--store is used over SIGNET_HOME" 0 -- \
    env SIGNET_HOME="$TEST_TMP/nowhere" "$SIGNET" --store "$other" status
check "... and SIGNET_HOME's directory is not created" test ! -e "$TEST_TMP/nowhere"
# Then SIGNET_HOME.
expect "SIGNET_HOME locates the store" 0 --out 'no envelopes yet' -- signet status

# Then the default that init documents: $XDG_DATA_HOME/signet, else
# ~/.local/share/signet.
expect "without --store or SIGNET_HOME init uses \$XDG_DATA_HOME/signet" 0 \
    --out 'initialised store .*/xdg/signet$' -- \
    env -u SIGNET_HOME XDG_DATA_HOME="$TEST_TMP/xdg" "$SIGNET" init
check "... which exists afterwards" test -f "$TEST_TMP/xdg/signet/signet.db"
expect "without XDG_DATA_HOME either init uses ~/.local/share/signet" 0 \
    --out 'initialised store .*/home/\.local/share/signet$' -- env -u SIGNET_HOME "$SIGNET" init
check "... which exists afterwards" test -f "$HOME/.local/share/signet/signet.db"

# --- no store, or a store others can read -----------------------------------

missing=$TEST_TMP/missing
expect "a command on a missing store is bad input" 2 --error 'no signet store at ".*missing"' \
    -- signet --store "$missing" status
expect "... with a hint to run signet init" 2 --err '^hint: .*signet init' -- \
    signet --store "$missing" status
check "... and the store is not created" test ! -e "$missing"

loose=$TEST_TMP/loose
signet --store "$loose" init >/dev/null
chmod 755 "$loose"
expect "a store readable by others is refused" 2 --error 'readable by other users' -- \
    signet --store "$loose" status
expect "... with a hint to chmod 700" 2 --err '^hint: .*chmod 700' -- signet --store "$loose" status
chmod 750 "$loose"
expect "a store readable by its group is refused too" 2 --error 'readable by other users' -- \
    signet --store "$loose" status
expect "init does not accept an existing store others can read" 2 \
    --error 'readable by other users' -- signet --store "$loose" init
chmod 700 "$loose"
expect "the same store once private is accepted" 0 -- signet --store "$loose" status

# An empty directory made by the user beforehand becomes the store.
mkdir -m 755 "$TEST_TMP/premade"
expect "init accepts an existing empty directory" 0 --out '^initialised store' -- \
    signet --store "$TEST_TMP/premade" init
check "... and makes it mode 0700" test "$(mode "$TEST_TMP/premade")" = 700

# A directory holding other things is never taken over (nor made 0700).
mkdir -m 755 "$TEST_TMP/documents-folder"
touch "$TEST_TMP/documents-folder/letter.txt"
expect "init refuses a non-empty directory that is not a store" 2 \
    --error '"[^"]*documents-folder" exists and is not a signet store' -- \
    signet --store "$TEST_TMP/documents-folder" init
check "... and leaves its mode alone" test "$(mode "$TEST_TMP/documents-folder")" = 755

touch "$TEST_TMP/a-file"
expect "init where a file stands is bad input naming the path" 2 --error 'a-file' -- \
    signet --store "$TEST_TMP/a-file" init

# --- defaults guessed for config.yaml ---------------------------------------

# A Polish user's national numbers (601 234 567) should just work.
expect "init takes phone_region and locale from LANG" 0 -- \
    env LANG=pl_PL.UTF-8 "$SIGNET" --store "$TEST_TMP/pl" init
check "... phone_region is PL" grep -Eq '^phone_region: *"PL"' "$TEST_TMP/pl/config.yaml"
check "... locale is pl" grep -Eq '^locale: *pl$' "$TEST_TMP/pl/config.yaml"
if [[ -f /usr/share/zoneinfo/Europe/Warsaw ]]; then
    expect "init takes the time zone from TZ" 0 -- \
        env TZ=Europe/Warsaw "$SIGNET" --store "$TEST_TMP/waw" init
    check "... timezone is Europe/Warsaw" \
        grep -Eq '^timezone: *"?Europe/Warsaw"?$' "$TEST_TMP/waw/config.yaml"
fi

# --- the organisation's keys (issue 3, item 1) ------------------------------

expect "init makes the organisation's keys" 0 --out "created the organisation's keys" -- \
    signet --store "$TEST_TMP/keys" init --org "ООО Вектор — Łódź"
for file in root.crt issuing.crt seal.crt token.key root.key issuing.key seal.key; do
    check "... keys/$file exists" test -s "$TEST_TMP/keys/keys/$file"
done
check "... keys/ is private" test "$(mode "$TEST_TMP/keys/keys")" = 700
for key in root.key issuing.key seal.key token.key; do
    check "... keys/$key is mode 0600" test "$(mode "$TEST_TMP/keys/keys/$key")" = 600
done
for key in root.key issuing.key seal.key; do
    check "... keys/$key is encrypted" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$TEST_TMP/keys/keys/$key"
done
check "... the seal names the organisation in UTF-8" \
    sh -c "openssl x509 -in '$TEST_TMP/keys/keys/seal.crt' -noout -subject -nameopt utf8 | grep -q 'ООО Вектор — Łódź'"
check "... the seal chains to the root" \
    openssl verify -CAfile "$TEST_TMP/keys/keys/root.crt" -untrusted "$TEST_TMP/keys/keys/issuing.crt" \
    "$TEST_TMP/keys/keys/seal.crt"
expect "init again keeps the keys" 0 --out '^already initialised' --no-out 'created the organisation' -- \
    signet --store "$TEST_TMP/keys" init

# Without a passphrase (no SIGNET_KEY_PASSPHRASE, no terminal) nothing is made.
expect "init without a key passphrase is refused" 2 --error 'SIGNET_KEY_PASSPHRASE' -- \
    env -u SIGNET_KEY_PASSPHRASE setsid "$SIGNET" --store "$TEST_TMP/nopass" init
check "... and creates nothing" test ! -e "$TEST_TMP/nopass"
