#!/usr/bin/env bash
# The SSH signing host (examples/ssh-signing-host): the forced command that
# external signers reach, driven as sshd drives it — SSH_ORIGINAL_COMMAND
# and SSH_CLIENT set, on a pseudo-terminal — through a whole signature at
# the prompt, and every other request refused (issue 3, item 9).
source "$(dirname "$0")/lib.sh"
# Real time: the wrapper clears SIGNET_NOW, as it clears everything a
# client could send.
unset SIGNET_NOW
init_store --org "ACME Sp. z o.o."
WRAPPER=$SOURCE_DIR/examples/ssh-signing-host/signet-ssh-sign
DIALOG=$SOURCE_DIR/tests/cli/pty_dialog.py

id=$(signet create "$FIXTURES/contract.pdf" --title "Umowa NDA — Łódź" \
    --party 'role=client,name=Пётр Иванов,phone=+48 601 234 567,auth=sms')
signet add-field "$id" --type text --role client --page 1 --rect 72,500,250,18 --name client_address --label "Your address" >/dev/null
signet add-field "$id" --type signature --role client --page last --rect 330,140,180,50 >/dev/null
signet send "$id" >/dev/null 2>&1
token=$(next_token "$id")

# The host's settings, as /etc/signet/ssh-sign.conf would hold them; the
# passphrase in a file, not in the environment.
echo "$SIGNET_KEY_PASSPHRASE" >"$TEST_TMP/key-passphrase"
chmod 0400 "$TEST_TMP/key-passphrase"
cat >"$TEST_TMP/ssh-sign.conf" <<CONF
# test settings
SIGNET_BIN=$SIGNET
SIGNET_HOME=$SIGNET_HOME
SIGNET_KEY_PASSPHRASE_FILE=$TEST_TMP/key-passphrase
CONF
# What sshd gives the forced command, and nothing the test itself set.
as_sshd() {
    env -i PATH=/usr/bin:/bin HOME="$HOME" TERM=xterm LANG=C.UTF-8 \
        SSH_CLIENT="203.0.113.7 50122 22" SSH_CONNECTION="203.0.113.7 50122 10.0.0.1 22" \
        SIGNET_SSH_CONF="$TEST_TMP/ssh-sign.conf" SIGNET_TOKEN=smuggled SIGNET_NOW=2001-01-01T00:00:00Z \
        SSH_ORIGINAL_COMMAND="$1" "${@:2}"
}

# --- anything but "sign ENVELOPE" is refused before signet runs ---------------
for request in "status" "sign $id; sh" "sign $id --p12 /etc/shadow" "sign $id --token x" \
    "init --org Evil" "sign ../../etc" 'sign $(id)' "sign $id extra words"; do
    expect "the request \"$request\" is refused" 2 --unchanged --err 'signet-ssh-sign: ' -- \
        as_sshd "$request" "$WRAPPER"
done
expect "without a terminal the wrapper says to use ssh -t" 2 --unchanged --err 'needs a terminal' -- \
    as_sshd "sign $id" "$WRAPPER"

# --- a whole signature at the prompt ---------------------------------------------
cat >"$TEST_TMP/dialog" <<'DIALOG'
Access token => TOKEN
One-time code: => @code
Your address => ul. Piotrkowska 104, 90-001 Łódź
Signature: => Пётр Иванов
Sign now\? => yes
Completed
DIALOG
sed -i "s/TOKEN/$token/" "$TEST_TMP/dialog"
expect "the client signs over SSH at the prompt: token, code, address, typed name, consent" 0 \
    --out 'sent by SMS to \+48\*+567' --out "Umowa NDA — Łódź" --out 'Signed: '"$id" -- \
    as_sshd "sign $id" python3 "$DIALOG" --outbox "$SIGNET_HOME/outbox" "$TEST_TMP/dialog" -- "$WRAPPER"
check "the token was not echoed" sh -c "! grep -q '$token' '$OUT'"
check "the envelope is completed" test "$(envelope_status "$id")" = completed
check "the address is stored as typed" \
    test "$(sql "SELECT value FROM fields WHERE name='client_address'")" = "ul. Piotrkowska 104, 90-001 Łódź"
check "the audit trail names the SSH client as the terminal" \
    test "$(sql "SELECT terminal FROM events WHERE action='signed'")" = "ssh 203.0.113.7"
check "the smuggled SIGNET_NOW did not set the clock" \
    test "$(sql "SELECT at > 1700000000 FROM events WHERE action='signed'")" = 1

# --- the same through the wrapper, asking for the envelope --------------------
expect "a spent token is refused at the prompt" 4 --out 'used already' -- \
    as_sshd "" python3 "$DIALOG" --outbox "$SIGNET_HOME/outbox" <(printf 'Envelope => %s\nAccess token => %s\n' "$id" "$token") -- "$WRAPPER"
