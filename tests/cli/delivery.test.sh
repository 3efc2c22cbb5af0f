#!/usr/bin/env bash
# signet deliver: the transactional outbox, the default outbox/ files, a
# mail command (msmtp through a local SMTP server), failures kept and
# retried with back-off (DESIGN.md "Delivery"; CLI.md exit code 75).
#
# No workflow command enqueues messages yet, so the cases put rows into the
# messages table the way lib/delivery/outbox.cpp's enqueue() does.
source "$(dirname "$0")/lib.sh"

init_store --org "ACME"
config=$SIGNET_HOME/config.yaml
cp "$config" "$TEST_TMP/config.default.yaml"

pdf_sha=$(sha256sum "$FIXTURES/contract.pdf" | cut -d' ' -f1)
install -d -m 700 "$SIGNET_HOME/documents/${pdf_sha:0:2}"
install -m 600 "$FIXTURES/contract.pdf" "$SIGNET_HOME/documents/${pdf_sha:0:2}/$pdf_sha.pdf"

# enqueue ID CHANNEL RECIPIENT PAYLOAD-JSON
enqueue() {
    sql "INSERT INTO messages (message_id, kind, channel, recipient, payload, created_at,
             next_attempt_at)
         VALUES ('$1', 'completed', '$2', '$3', '$4', strftime('%s', '2026-11-23 09:00:00'),
             strftime('%s', '2026-11-23 09:00:00'))"
}

mail_payload='{"name":"Пётр Иванов","params":{"subject":"Договор подписан — Łódź","body":"Здравствуйте!\nДокумент подписан."},"attachments":[{"sha256":"'$pdf_sha'","filename":"contract.pdf"}]}'

# What python3's email package reads in a mail: subject, recipient, and
# "filename sha256" for each attachment.
read_mail() {
    python3 - "$1" <<'PY'
import email, hashlib, sys
from email import policy
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=policy.default)
print("subject:", msg["Subject"])
print("to:", msg["To"].addresses[0].addr_spec)
print("message-id:", msg["Message-ID"])
for part in msg.iter_attachments():
    print("attachment:", part.get_filename(), hashlib.sha256(part.get_payload(decode=True)).hexdigest())
PY
}

# --- nothing to do --------------------------------------------------------------

expect "deliver with an empty outbox succeeds" 0 --out '^0 delivered, 0 failed, 0 pending$' \
    --err-empty -- signet deliver
expect "deliver --json reports the counts" 0 -- signet deliver --json
json_check "deliver --json: schema 1, all counts zero, no messages" \
    'd == {"schema": 1, "delivered": 0, "failed": 0, "pending": 0, "messages": []}'

# --- the default: files in outbox/ ------------------------------------------------

enqueue '<m1@signet.test>' mail p@example.ru "$mail_payload"
expect "deliver writes a due mail into outbox/" 0 --out '^1 delivered, 0 failed, 0 pending$' \
    -- signet deliver
eml=$(find "$SIGNET_HOME/outbox" -name '*.eml' | head -n 1)
check "the .eml is named for time, kind and message id" \
    test "$(basename "$eml")" = 20261123T090000Z-completed-m1_signet.test.eml
check "the .eml is mode 0600" test "$(stat -c %a "$eml")" = 600
read_mail "$eml" >"$TEST_TMP/m1.txt"
check "the .eml's Subject decodes to the UTF-8 text" \
    grep -qx 'subject: Договор подписан — Łódź' "$TEST_TMP/m1.txt"
check "the .eml carries the Message-ID recorded in the outbox" \
    grep -qx 'message-id: <m1@signet.test>' "$TEST_TMP/m1.txt"
check "the .eml carries the stored PDF" grep -qx "attachment: contract.pdf $pdf_sha" "$TEST_TMP/m1.txt"
check "the message is marked delivered once" \
    test "$(sql "SELECT attempts, delivered_at IS NOT NULL FROM messages WHERE message_id = '<m1@signet.test>'")" = "1|1"
expect "a delivered message is not delivered again" 0 --out '^0 delivered, 0 failed, 0 pending$' \
    -- signet deliver

enqueue '<s1@signet.test>' sms +48601234567 '{"params":{"body":"Kod signet: 482913"}}'
expect "deliver writes a due SMS into outbox/" 0 --out '^1 delivered' -- signet deliver
sms=$(find "$SIGNET_HOME/outbox" -name '*.sms' | head -n 1)
check "the .sms starts with To: NUMBER, then the text" \
    test "$(cat "$sms")" = $'To: +48601234567\nKod signet: 482913'
check "the .sms is mode 0600" test "$(stat -c %a "$sms")" = 600

# --- a mail command: msmtp through an SMTP server on 127.0.0.1 --------------------

cat >"$TEST_TMP/smtp.py" <<'PY'
# A minimal SMTP server: one message to DIR/msg.eml, then exit (30 s at most).
import os, socket, sys, time
out = sys.argv[1]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(0.5)
with open(os.path.join(out, "port"), "w") as f:
    f.write(str(srv.getsockname()[1]))
deadline, done = time.time() + 30, False
while not done and time.time() < deadline:
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    conn.settimeout(10)
    f = conn.makefile("rb")
    send = lambda s: conn.sendall(s.encode() + b"\r\n")
    send("220 127.0.0.1 test")
    while True:
        line = f.readline()
        verb = line.decode("ascii", "replace").strip().split(" ")[0].split(":")[0].upper()
        if not line or verb == "QUIT":
            send("221 bye") if line else None
            break
        if verb == "DATA":
            send("354 go on")
            data = []
            while True:
                l = f.readline()
                if not l or l.rstrip(b"\r\n") == b".":
                    break
                data.append(l[1:] if l.startswith(b"..") else l)
            with open(os.path.join(out, "msg.eml"), "wb") as fh:
                fh.write(b"".join(data))
            done = True
            send("250 queued")
        else:
            send("250 OK")
    conn.close()
PY
mkdir -p "$TEST_TMP/smtp"
python3 "$TEST_TMP/smtp.py" "$TEST_TMP/smtp" &
smtp_pid=$!
for _ in $(seq 100); do
    [[ -s "$TEST_TMP/smtp/port" ]] && break
    sleep 0.05
done
port=$(cat "$TEST_TMP/smtp/port")
install -m 600 /dev/null "$TEST_TMP/msmtprc" # msmtp reads no configuration of the machine's
cat "$TEST_TMP/config.default.yaml" >"$config"
cat >>"$config" <<EOF
delivery:
  mail: {transport: command, command: [msmtp, "--file=$TEST_TMP/msmtprc", --host=127.0.0.1, "--port=$port", --from=signing@acme.test, -t], timeout: 20}
  from: "ACME Signing <signing@acme.test>"
EOF

enqueue '<m2@signet.test>' mail p@example.ru "$mail_payload"
expect "deliver sends a mail with msmtp -t" 0 -- signet deliver --json
json_check "deliver --json: one delivered, nothing pending" \
    'd["delivered"] == 1 and d["failed"] == 0 and d["pending"] == 0 and d["messages"][0]["message_id"] == "<m2@signet.test>" and d["messages"][0]["error"] is None'
kill "$smtp_pid" 2>/dev/null
wait "$smtp_pid" 2>/dev/null
check "the SMTP server received the mail" test -s "$TEST_TMP/smtp/msg.eml"
read_mail "$TEST_TMP/smtp/msg.eml" >"$TEST_TMP/m2.txt" 2>&1
check "the received mail is for the party" grep -qx 'to: p@example.ru' "$TEST_TMP/m2.txt"
check "the received mail carries the PDF, byte for byte" \
    grep -qx "attachment: contract.pdf $pdf_sha" "$TEST_TMP/m2.txt"

# --- a failing command: stderr kept, retried with back-off ------------------------

cat "$TEST_TMP/config.default.yaml" >"$config"
cat >>"$config" <<'EOF'
delivery:
  mail: {transport: command, command: [sh, -c, "echo 'relay refused' >&2; exit 1"]}
EOF
enqueue '<m3@signet.test>' mail p@example.ru "$mail_payload"
expect "a failed delivery exits 75 and says why on stderr" 75 \
    --out '^0 delivered, 1 failed, 1 pending$' --err 'warning: .*p@example\.ru.*relay refused' \
    -- signet deliver
check "the failure keeps the command's stderr and counts the attempt" \
    test "$(sql "SELECT attempts, last_error FROM messages WHERE message_id = '<m3@signet.test>'")" = \
    '1|"sh" exited with status 1: relay refused'
check "the retry waits a minute" \
    test "$(sql "SELECT next_attempt_at - strftime('%s', '2026-11-23 09:00:00') FROM messages WHERE message_id = '<m3@signet.test>'")" = 60
expect "deliver before the back-off ran out tries nothing" 0 \
    --out '^0 delivered, 0 failed, 1 pending$' -- signet deliver
expect "deliver after the back-off tries again" 75 --out '^0 delivered, 1 failed, 1 pending$' -- \
    env SIGNET_NOW=2026-11-23T09:01:00Z "$SIGNET" deliver
check "the second failure doubles the wait" \
    test "$(sql "SELECT attempts, next_attempt_at - strftime('%s', '2026-11-23 09:01:00') FROM messages WHERE message_id = '<m3@signet.test>'")" = "2|120"
expect "deliver --now does not wait for the back-off" 75 -- signet deliver --now --json
json_check "deliver --json names the failed message and its error" \
    'd["failed"] == 1 and d["pending"] == 1 and d["messages"][0]["message_id"] == "<m3@signet.test>" and "relay refused" in d["messages"][0]["error"] and d["messages"][0]["next_attempt_at"].endswith("Z")'

# --- configuration errors ---------------------------------------------------------

cat "$TEST_TMP/config.default.yaml" >"$config"
cat >>"$config" <<'EOF'
delivery:
  mail: {transport: command, command: "msmtp -t"}
EOF
line=$(grep -n 'msmtp -t"' "$config" | cut -d: -f1)
expect "a command given as one string is refused with its place in config.yaml" 2 \
    --error "config\.yaml:$line:[0-9]+: delivery\.mail\.command must be a list of arguments" \
    --unchanged -- signet deliver

# Back to the outbox: the message that failed goes out.
cp "$TEST_TMP/config.default.yaml" "$config"
expect "after the hook is fixed the waiting message is delivered" 0 \
    --out '^1 delivered, 0 failed, 0 pending$' -- signet deliver --now
