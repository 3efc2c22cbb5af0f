# tests/cli/lib.sh: what every CLI test script sources.
#
# A test file is a list of cases. Each case says what it guards, runs one
# command and checks its exit status and output:
#
#   expect "re-running init is a no-op" 0 --out 'already initialised' -- \
#       signet init
#
# expect DESCRIPTION STATUS [CHECK...] -- COMMAND [ARG...]
#   STATUS       the exit status the command must give
#   --out PAT    stdout matches the extended regular expression PAT
#                (a bare PAT, not starting with --, means the same)
#   --no-out PAT stdout does not match PAT
#   --err PAT    stderr matches PAT (--stderr PAT is the same)
#   --no-err PAT stderr does not match PAT
#   --out-empty  nothing on stdout
#   --err-empty  nothing on stderr
#   --error PAT  CLI.md's error shape: nothing on stdout; stderr is one line
#                "signet: error: ..." that matches PAT, then only "hint: ..."
#                lines
#   --unchanged  the store is the same after the command as before it
#                (store_snapshot): "nothing was written"
#
# The command runs with stdin from /dev/null. Its output stays in the files
# $OUT and $ERR (and its status in $STATUS) until the next case, for
# checks that need more than a pattern: `check` and `json_check`.
#
# Each test file gets a fresh store: SIGNET_HOME points at a directory that
# does not exist yet inside a private temporary directory ($TEST_TMP),
# removed on exit. `init_store` creates it. The clock is fixed with
# SIGNET_NOW, and the environment is cleared of settings that would make
# output depend on the machine (locale, time zone, colour, XDG, HOME).
#
# At the end, `finish` (called on exit) prints "N passed, M failed" and the
# script exits 1 if any case failed.

set -u

if [[ -z "${SIGNET:-}" || ! -x "$SIGNET" ]]; then
    echo "lib.sh: SIGNET must name the signet binary (ctest sets it)" >&2
    exit 2
fi
: "${FIXTURES:?lib.sh: FIXTURES must name tests/fixtures}"

TEST_NAME=$(basename "$0" .test.sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/signet-cli-$TEST_NAME.XXXXXX")
OUT=$TEST_TMP/.stdout
ERR=$TEST_TMP/.stderr
STATUS=
PASSED=0
FAILED=0
CASE_NO=0

# A predictable environment: no machine locale or zone guessed into the
# store's config, no colour, no default store outside $TEST_TMP.
unset LC_ALL LC_TELEPHONE LANG LANGUAGE NO_COLOR XDG_DATA_HOME COLUMNS SSH_CLIENT
export TZ=UTC
export TERM=xterm
export HOME=$TEST_TMP/home
mkdir -p "$HOME"
export SIGNET_HOME=$TEST_TMP/store
export SIGNET_NOW=2026-11-23T09:00:00Z
# The organisation keys made by init are encrypted with this passphrase.
export SIGNET_KEY_PASSPHRASE=cli-test-passphrase
DB=$SIGNET_HOME/signet.db

# The interpreter itself, not a version manager's shim, and without site
# packages: JSON checks run often and should start fast.
if [[ -x /usr/bin/python3 ]]; then
    PYTHON=/usr/bin/python3
else
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PYTHON=python3
fi
py() { "$PYTHON" -S "$@"; }

finish() {
    local rc=$?
    rm -rf "$TEST_TMP"
    echo "$TEST_NAME: $PASSED passed, $FAILED failed"
    if ((FAILED > 0)); then
        exit 1
    fi
    # A script that stopped on its own (not through a case), or ran no
    # case at all, fails too.
    if ((rc != 0)); then
        echo "$TEST_NAME: the script stopped with status $rc" >&2
        exit "$rc"
    fi
    if ((PASSED == 0)); then
        echo "$TEST_NAME: no case ran" >&2
        exit 1
    fi
    exit 0
}
trap finish EXIT

# signet as a command name, so cases read like what users type.
signet() { "$SIGNET" "$@"; }

# Creates the test file's store (SIGNET_HOME); a failure stops the script.
init_store() {
    if ! "$SIGNET" init "$@" >/dev/null 2>"$TEST_TMP/.init-err"; then
        echo "lib.sh: signet init failed:" >&2
        cat "$TEST_TMP/.init-err" >&2
        FAILED=$((FAILED + 1))
        exit 1
    fi
}

# Prints the store's whole state: the database as SQL, and every other
# file and directory with its type, size, mode, inode and modification
# time, so that a file rewritten even with the same bytes shows. (The
# store directory's own time is left out: SQLite creates and removes its
# -wal and -shm files beside the database on every open.) Two equal
# snapshots mean nothing was written.
store_snapshot() {
    local dir=$SIGNET_HOME
    echo "== database"
    if [[ -f "$dir/signet.db" ]]; then
        sqlite3 "$dir/signet.db" .dump
    fi
    echo "== files"
    if [[ -d "$dir" ]]; then
        find "$dir" -mindepth 1 \( -path "$dir/signet.db" -o -path "$dir/signet.db-*" \) -prune -o \
            -printf '%P %y %s %m %i %T@\n' | LC_ALL=C sort
    fi
}

pass() {
    PASSED=$((PASSED + 1))
    echo "ok $CASE_NO - $1"
}

# fail DESCRIPTION REASON...: reports a failed case with why, and the
# command's output.
fail() {
    local description=$1
    shift
    FAILED=$((FAILED + 1))
    echo "FAIL $CASE_NO - $description"
    local reason
    for reason in "$@"; do
        echo "#   $reason"
    done
    if [[ -s "$OUT" ]]; then
        echo "#   stdout:"
        head -n 20 "$OUT" | sed 's/^/#     /'
    fi
    if [[ -s "$ERR" ]]; then
        echo "#   stderr:"
        head -n 20 "$ERR" | sed 's/^/#     /'
    fi
}

expect() {
    local description=$1 want=$2
    shift 2
    CASE_NO=$((CASE_NO + 1))
    local -a checks=()
    local unchanged=0
    while (($# > 0)) && [[ "$1" != "--" ]]; do
        case "$1" in
        --unchanged) unchanged=1 ;;
        --out-empty | --err-empty) checks+=("$1" "") ;;
        --out | --no-out | --err | --stderr | --no-err | --error)
            if (($# < 2)); then
                echo "lib.sh: $1 needs a pattern (case: $description)" >&2
                exit 2
            fi
            checks+=("$1" "$2")
            shift
            ;;
        --*)
            echo "lib.sh: unknown check $1 (case: $description)" >&2
            exit 2
            ;;
        *) checks+=(--out "$1") ;;
        esac
        shift
    done
    if (($# == 0)) || [[ "$1" != "--" ]] || (($# < 2)); then
        echo "lib.sh: expect needs -- COMMAND (case: $description)" >&2
        exit 2
    fi
    shift

    local before=
    if ((unchanged)); then
        before=$(store_snapshot)
    fi
    "$@" </dev/null >"$OUT" 2>"$ERR"
    STATUS=$?

    local -a problems=()
    if [[ "$STATUS" != "$want" ]]; then
        problems+=("exit status $STATUS, expected $want")
    fi
    local i kind pattern
    for ((i = 0; i < ${#checks[@]}; i += 2)); do
        kind=${checks[i]}
        pattern=${checks[i + 1]}
        case "$kind" in
        --out) grep -Eq -- "$pattern" "$OUT" || problems+=("stdout does not match: $pattern") ;;
        --no-out) ! grep -Eq -- "$pattern" "$OUT" || problems+=("stdout matches: $pattern") ;;
        --err | --stderr) grep -Eq -- "$pattern" "$ERR" || problems+=("stderr does not match: $pattern") ;;
        --no-err) ! grep -Eq -- "$pattern" "$ERR" || problems+=("stderr matches: $pattern") ;;
        --out-empty) [[ ! -s "$OUT" ]] || problems+=("stdout is not empty") ;;
        --err-empty) [[ ! -s "$ERR" ]] || problems+=("stderr is not empty") ;;
        --error)
            [[ ! -s "$OUT" ]] || problems+=("stdout is not empty")
            # Shell built-ins only: this check runs in most cases.
            local first='' line='' n=0 extra=0
            while IFS= read -r line || [[ -n "$line" ]]; do
                if ((n++ == 0)); then
                    first=$line
                elif [[ "$line" != "hint: "* ]]; then
                    extra=1
                fi
            done <"$ERR"
            if [[ "$first" != "signet: error: "* ]]; then
                problems+=("stderr does not start with 'signet: error: '")
            elif ! [[ "$first" =~ $pattern ]]; then
                problems+=("the error line does not match: $pattern")
            fi
            if ((extra)); then
                problems+=("stderr has more than one error line (other lines must be 'hint: ...')")
            fi
            ;;
        esac
    done
    if ((unchanged)); then
        local after
        after=$(store_snapshot)
        if [[ "$before" != "$after" ]]; then
            problems+=("the store changed:")
            local line
            while IFS= read -r line; do
                problems+=("  $line")
            done < <(diff <(echo "$before") <(echo "$after") | head -n 20)
        fi
    fi
    if ((${#problems[@]} == 0)); then
        pass "$description"
    else
        fail "$description" "${problems[@]}"
    fi
}

# check DESCRIPTION COMMAND [ARG...]: a case that passes when COMMAND
# succeeds; for facts that are not one command's output (a file's mode, a
# row in the database). $OUT and $ERR still hold the last case's output.
check() {
    local description=$1
    shift
    CASE_NO=$((CASE_NO + 1))
    local output
    if output=$("$@" 2>&1 </dev/null); then
        pass "$description"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL $CASE_NO - $description"
        echo "#   failed: $*"
        if [[ -n "$output" ]]; then
            sed 's/^/#     /' <<<"$output" | head -n 20
        fi
    fi
}

# json_check DESCRIPTION PYTHON-EXPRESSION: a case that passes when the
# expression is true with `d` bound to the JSON document on the last
# case's stdout (and `json`, `re` imported). The document must also be
# the only thing there.
json_check() {
    local description=$1 expression=$2
    CASE_NO=$((CASE_NO + 1))
    local output
    if output=$(py - "$OUT" "$expression" 2>&1 <<'PY'
import json, re, sys
path, expression = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    text = f.read()
try:
    d = json.loads(text)
except ValueError as e:
    sys.exit("stdout is not one JSON document: %s" % e)
result = eval(expression, {"json": json, "re": re, "d": d})
if result is not True:
    sys.exit("false: %s" % expression)
PY
    ); then
        pass "$description"
    else
        fail "$description" "$output"
    fi
}

# json_get PYTHON-EXPRESSION: prints the expression's value with `d` bound
# to the JSON document on the last case's stdout (strings bare, others as
# JSON), for use in later commands.
json_get() {
    py - "$OUT" "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
v = eval(sys.argv[2], {"json": json, "d": d})
print(v if isinstance(v, str) else json.dumps(v))
PY
}

# last_out: the last case's stdout, without the final newline.
last_out() { cat "$OUT"; }

# sql QUERY: runs QUERY on the store's database and prints the result.
sql() { sqlite3 "$DB" "$1"; }

# --- messages ---------------------------------------------------------------
# The outbox transport (the default) writes each message to
# $SIGNET_HOME/outbox as TIME-KIND-ID.eml (a mail) or TIME-KIND-ID.sms, KIND
# being invitation, code, reminder, completed, declined, voided or expired.

# eml_text FILE: a mail's text part, decoded (its charset, its transfer
# encoding), with LF line ends.
eml_text() {
    py - "$1" <<'PY'
import email, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f)
for part in m.walk():
    if part.get_content_type() == "text/plain":
        text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        sys.stdout.write(text.replace("\r\n", "\n"))
PY
}

# eml_header FILE NAME: a mail's header NAME (To, Subject, ...), decoded.
eml_header() {
    py - "$1" "$2" <<'PY'
import email, email.header, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f)
print(str(email.header.make_header(email.header.decode_header(m[sys.argv[2]]))))
PY
}

# eml_subject FILE: a mail's Subject, decoded.
eml_subject() { eml_header "$1" Subject; }

# message_text FILE: the text of an outbox message: a mail's decoded, an
# SMS's as it is.
message_text() {
    if [[ $1 == *.eml ]]; then eml_text "$1"; else cat "$1"; fi
}

# mail_has FILE TEXT: true when a mail's decoded text holds TEXT.
mail_has() { eml_text "$1" | grep -qF -- "$2"; }

# mail_matches FILE REGEX: true when a line of a mail's decoded text matches
# the extended regular expression REGEX.
mail_matches() { eml_text "$1" | grep -qE -- "$2"; }

# outbox_messages KIND [ENVELOPE [EXT]]: the outbox files of one kind, oldest
# first, one a line: only those whose text names ENVELOPE (a word) when it is
# given and not empty, and only mails (EXT eml) or SMS (sms) when EXT is.
outbox_messages() {
    local order=-tr first=0
    if [[ $1 == --newest ]]; then
        order=-t first=1
        shift
    fi
    local kind=$1 envelope=${2-} ext=${3:-*} file
    # shellcheck disable=SC2086 # $ext is a glob ("*") when no EXT is given
    while IFS= read -r file; do
        if [[ -z $envelope ]] || message_text "$file" | grep -qw -- "$envelope"; then
            echo "$file"
            ((first)) && break
        fi
    done < <(ls "$order" "$SIGNET_HOME"/outbox/*-"$kind"-*.$ext 2>/dev/null)
    return 0
}

# outbox_newest KIND [ENVELOPE [EXT]]: the newest of those files; nothing
# when there is none.
outbox_newest() { outbox_messages --newest "$@"; }

# token_in FILE: the access token in a message's command line (an
# invitation's or a reminder's "signet sign ENVELOPE --token TOKEN").
token_in() {
    message_text "$1" | grep -Eo -- '--token [a-z2-7]{26}' | head -n 1 | cut -d' ' -f2
}

# code_in FILE: the one-time code of a code message, in any language: on a
# line of its own in a mail's text ("    123456"; quoted-printable leaves it
# as it is), after "signet code" or "signet:" at the start of an SMS.
code_in() { grep -aEo '^    [0-9]{6}|signet( code|:) [0-9]{6}' "$1" | grep -Eo '[0-9]{6}' | head -n 1; }

# --- envelopes and signing --------------------------------------------------

# envelope_status ENVELOPE: its status as the database has it (draft, sent,
# ...).
envelope_status() { sql "SELECT status FROM envelopes WHERE id='$1'"; }

# party_status ENVELOPE ROLE: the status of one of its parties (invited,
# signed, ...).
party_status() {
    sql "SELECT p.status FROM parties p JOIN envelopes e ON e.seq = p.envelope_seq WHERE e.id='$1' AND p.role='$2'"
}

# document ENVELOPE [REVISION]: the path in the store of its current
# document, or of the revision numbered REVISION.
document() {
    local sha
    if [[ -n ${2-} ]]; then
        sha=$(sql "SELECT r.sha256 FROM revisions r JOIN envelopes e ON e.seq = r.envelope_seq WHERE e.id='$1' AND r.number=$2")
    else
        sha=$(sql "SELECT current_sha256 FROM envelopes WHERE id='$1'")
    fi
    echo "$SIGNET_HOME/documents/${sha:0:2}/$sha.pdf"
}

# The envelope two_party_draft and two_party_sent make: its title and its
# two signers in turn, the company then the client (by SMS). A test file may
# set others, for all its envelopes or for one call (VAR=... two_party_sent).
TWO_PARTY_TITLE='Umowa № 7 — Łódź'
TWO_PARTY_COMPANY='role=company,name=Anna Nowak,email=anna@acme.test,order=1'
TWO_PARTY_CLIENT='role=client,name=Пётр Иванов,phone=+48 601 234 567,order=2'

# two_party_draft [CREATE-ARGS...]: creates a draft of contract.pdf titled
# $TWO_PARTY_TITLE, with the parties $TWO_PARTY_COMPANY and
# $TWO_PARTY_CLIENT and a signature field for each on the last page; prints
# its id. CREATE-ARGS go to signet create too (--owner NAME).
two_party_draft() {
    local id
    id=$("$SIGNET" create "$FIXTURES/contract.pdf" --title "$TWO_PARTY_TITLE" \
        --party "$TWO_PARTY_COMPANY" --party "$TWO_PARTY_CLIENT" "$@") || return 1
    "$SIGNET" add-field "$id" --type signature --role company --page last \
        --rect 72,100,180,50 >/dev/null &&
        "$SIGNET" add-field "$id" --type signature --role client --page last \
            --rect 360,100,180,50 >/dev/null || return 1
    echo "$id"
}

# two_party_sent [CREATE-ARGS...]: the same draft, sent (the company is
# invited); prints its id.
two_party_sent() {
    local id
    id=$(two_party_draft "$@") && "$SIGNET" send "$id" >/dev/null 2>&1 || return 1
    echo "$id"
}

# next_token ENVELOPE: the token of the party the envelope waits for: the
# one in the newest invitation that names it.
next_token() { token_in "$(outbox_newest invitation "$1")"; }

# send_code ENVELOPE TOKEN: asks for a one-time code for the token's party
# (signet sign --send-code) and prints the code that was sent.
send_code() {
    "$SIGNET" sign "$1" --token "$2" --send-code >/dev/null &&
        code_in "$(outbox_newest code "$1")"
}

# sign_as_next ENVELOPE [SIGN-ARGS...]: the party the envelope waits for
# signs it with its token (next_token), a code sent for it (send_code) and
# SIGN-ARGS (--signature-text NAME --agree, ...). Prints nothing; fails as
# signet sign does.
sign_as_next() {
    local id=$1 token code
    shift
    token=$(next_token "$id") && code=$(send_code "$id" "$token") &&
        "$SIGNET" sign "$id" --token "$token" --code "$code" "$@" >/dev/null
}

# on_tty COMMAND [ARG...]: runs COMMAND with stdout on a pseudo-terminal
# (80 columns), printing what it wrote there. For colour checks: output to
# a pipe is never coloured, so only a terminal shows that NO_COLOR and
# --no-color turn colour off.
on_tty() {
    py - "$@" <<'PY'
import fcntl, os, pty, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
chunks = []
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(b"".join(chunks).replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
