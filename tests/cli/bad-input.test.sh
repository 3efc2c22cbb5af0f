#!/usr/bin/env bash
# Bad input is refused with exit 2, one error line that names the file or
# flag at fault, and nothing written (CLI.md "Exit codes"; DESIGN.md
# "Reliability and security": "Bad input ... gets a clear error naming the
# file and place, exit 2, and nothing written").
#
# Every case here runs with --unchanged: the store's database, documents
# and files are compared before and after.
source "$(dirname "$0")/lib.sh"
init_store

CONTRACT=$FIXTURES/contract.pdf
CLIENT='role=client,name=Jan Kowalski,email=jan@example.com'
# The store is not empty, so "unchanged" means something.
envelope=$(signet create "$CONTRACT" --title "Existing" \
    --party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required' \
    --party "role=client,name=Jan Kowalski,phone=+48601234567,order=2")
signet add-field "$envelope" --type signature --role client --page 1 --rect 72,72,100,30 >/dev/null

# refused DESCRIPTION ERROR-PATTERN COMMAND...: exit 2, the error shape,
# nothing written.
refused() {
    local description=$1 pattern=$2
    shift 2
    expect "$description" 2 --error "$pattern" --unchanged -- "$@"
}
# create with one good party and the given arguments.
create() { signet create "$@"; }

# --- the PDF --------------------------------------------------------------------------------

refused "a PNG is not a PDF" '"[^"]*sig\.png": not a PDF' create "$FIXTURES/sig.png" --title T --party "$CLIENT"
: >"$TEST_TMP/empty.pdf"
refused "an empty file is not a PDF" '"[^"]*empty\.pdf": not a PDF' create "$TEST_TMP/empty.pdf" --title T --party "$CLIENT"
head -c 1000 "$CONTRACT" >"$TEST_TMP/truncated.pdf"
refused "a truncated PDF (first 1000 bytes) is refused" '"[^"]*truncated\.pdf": .*(damaged|truncated)' \
    create "$TEST_TMP/truncated.pdf" --title T --party "$CLIENT"
head -c 2000 "$CONTRACT" >"$TEST_TMP/no-trailer.pdf"
refused "a PDF cut before its trailer is refused" '"[^"]*no-trailer\.pdf": .*(damaged|truncated)' \
    create "$TEST_TMP/no-trailer.pdf" --title T --party "$CLIENT"
head -c 1000 "$FIXTURES/objstreams.pdf" >"$TEST_TMP/objstreams-cut.pdf"
refused "a truncated PDF with object streams is refused" '"[^"]*objstreams-cut\.pdf": ' \
    create "$TEST_TMP/objstreams-cut.pdf" --title T --party "$CLIENT"
refused "a missing file is refused, naming it" 'cannot read "[^"]*no-such\.pdf"' \
    create "$TEST_TMP/no-such.pdf" --title T --party "$CLIENT"
refused "a directory is not a PDF" "\"$TEST_TMP\": is a directory" \
    create "$TEST_TMP" --title T --party "$CLIENT"
expect "an encrypted PDF is refused: encrypted PDFs are not supported" 2 \
    --error '"[^"]*encrypted\.pdf": .*encrypted' --err 'encrypted PDFs are not supported' --unchanged -- \
    create "$FIXTURES/encrypted.pdf" --title T --party "$CLIENT"

# --- the title and owner -----------------------------------------------------------------------

refused "a control character in the title is refused" '--title contains a control character' \
    create "$CONTRACT" --title $'Act\x01' --party "$CLIENT"
refused "a newline in the title is refused" '--title contains a control character' \
    create "$CONTRACT" --title $'Act\nNo. 5' --party "$CLIENT"
refused "an ANSI escape in the owner is refused" '--owner contains a control character' \
    create "$CONTRACT" --title T --party "$CLIENT" --owner $'eve\x1b[31m'
refused "an empty title is refused" '--title is empty' create "$CONTRACT" --title '' --party "$CLIENT"
refused "a title over 500 bytes is refused" '--title is too long' \
    create "$CONTRACT" --title "$(printf 'x%.0s' {1..501})" --party "$CLIENT"

# --- party specs ------------------------------------------------------------------------------------

# Each names the flag and which --party it is.
party() { create "$CONTRACT" --title T --party "$@"; }
expect "an unknown party key is refused, with a hint listing the keys" 2 \
    --error '--party 1: unknown key "mobile"' \
    --err '^hint: keys: role name email phone order kind stamp action auth$' --unchanged -- \
    party 'role=client,name=Jan,mobile=+48601234567'
refused "the second --party is named as such" '--party 2: unknown key "mail"' \
    create "$CONTRACT" --title T --party "$CLIENT" --party 'role=company,name=A,mail=a@acme.test'
refused "an item without = is refused" '--party 1: expected key=value, got "Jan"' \
    party 'role=client,Jan,email=jan@example.com'
refused "an unterminated quote is refused" '--party 1: unterminated quote' \
    party 'role=client,"name=ACME, Inc.,email=office@acme.test'
refused "a stray quote inside a value is refused" '--party 1: stray quote' \
    party 'role=client,name=Jan "Kuba" Kowalski,email=jan@example.com'
refused "text after a closing quote is refused" '--party 1: text after a closing quote' \
    party 'role=client,"name=Jan"x,email=jan@example.com'
refused "an empty spec is refused" '--party 1: expected key=value' party ''
refused "a key given twice is refused" '--party 1: email is given twice' \
    party 'role=client,name=Jan,email=a@example.com,email=b@example.com'
refused "a missing role is refused" '--party 1: role is missing' party 'name=Jan,email=jan@example.com'
refused "a missing name is refused" '--party 1: name is missing' party 'role=client,email=jan@example.com'
refused "a role with capitals and spaces is refused" '--party 1: role must be' \
    party 'role=The Client,name=Jan,email=jan@example.com'
refused "two parties with one role are refused" 'role "client" is given to two parties' \
    create "$CONTRACT" --title T --party "$CLIENT" --party 'role=client,name=Ewa,email=ewa@example.com'
refused "a bad e-mail address is refused" '--party 1: email: not a valid e-mail address: "jan@example"' \
    party 'role=client,name=Jan,email=jan@example'
refused "an e-mail address with two @ is refused" '--party 1: email: not a valid e-mail' \
    party 'role=client,name=Jan,email=jan@@example.com'
refused "a bad phone number is refused" '--party 1: phone: not a valid phone number: "\+48 12"' \
    party 'role=client,name=Jan,phone=+48 12'
refused "letters in a phone number are refused" '--party 1: phone: not a valid phone number' \
    party 'role=client,name=Jan,phone=+48 call me'
# config.yaml's phone_region is empty in this store.
expect "a national phone number without phone_region is refused, with a hint" 2 \
    --error '--party 1: phone: "601 234 567" has no country code and the store has no default region' \
    --err '^hint: .*country code.*phone_region' --unchanged -- \
    party 'role=client,name=Jan,phone=601 234 567'
refused "a control character in a name is refused" '--party 1: name contains a control character' \
    party $'role=client,name=Jan\x01Kowalski,email=jan@example.com'
refused "an escape sequence in a name is refused" '--party 1: name contains a control character' \
    party $'role=client,name=Jan\x1b[2J,email=jan@example.com'
refused "invalid UTF-8 in a name is refused" '--party 1: name contains a control character or invalid UTF-8' \
    party $'role=client,name=Jan \xff,email=jan@example.com'
refused "order 0 is refused" '--party 1: order must be a positive whole number, not "0"' \
    party 'role=client,name=Jan,email=jan@example.com,order=0'
refused "order x is refused" '--party 1: order must be a positive whole number, not "x"' \
    party 'role=client,name=Jan,email=jan@example.com,order=x'
refused "a negative order is refused" '--party 1: order must be a positive whole number' \
    party 'role=client,name=Jan,email=jan@example.com,order=-1'
refused "an unknown kind is refused" '--party 1: kind must be person or organization, not "company"' \
    party 'role=client,name=Jan,email=jan@example.com,kind=company'
refused "an unknown stamp rule is refused" '--party 1: stamp must be required or none, not "yes"' \
    party 'role=client,name=Jan,email=jan@example.com,stamp=yes'
refused "an unknown action is refused" '--party 1: action must be sign, approve or copy, not "witness"' \
    party 'role=client,name=Jan,email=jan@example.com,action=witness'
refused "an unknown auth method is refused" '--party 1: auth must be email or sms, not "password"' \
    party 'role=client,name=Jan,email=jan@example.com,auth=password'
refused "auth=sms without a phone is refused" '--party 1: auth=sms needs a phone' \
    party 'role=client,name=Jan,email=jan@example.com,auth=sms'
refused "a stamp for a party that only approves is refused" '--party 1: stamp=required needs action=sign' \
    party 'role=client,name=Jan,email=jan@example.com,stamp=required,action=approve'
refused "a party with no contact is refused" '--party 1: give an email or a phone' \
    party 'role=client,name=Jan'
refused "an envelope with no party is refused" 'an envelope needs at least one party' \
    create "$CONTRACT" --title T
refused "an envelope where everyone only gets a copy is refused" 'at least one must sign or approve' \
    party 'role=client,name=Jan,email=jan@example.com,action=copy'

# --- --party-file: errors say file:line:col -------------------------------------------------------

refused "a missing --party-file is refused, naming it" 'cannot read "[^"]*no-parties\.yaml"' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/no-parties.yaml"
refused "a directory as --party-file is refused" "\"$TEST_TMP\": is a directory" \
    create "$CONTRACT" --title T --party-file "$TEST_TMP"
printf -- '- role: client\n  name: [Jan\n' >"$TEST_TMP/syntax.yaml"
refused "broken YAML is refused with file:line:col" 'syntax\.yaml:[0-9]+:[0-9]+: ' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/syntax.yaml"
printf 'role: client\n' >"$TEST_TMP/not-a-list.yaml"
refused "a mapping instead of a list is refused" 'not-a-list\.yaml:1:1: expected a list of parties' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/not-a-list.yaml"
printf -- '- role: client\n  name: Jan\n  email: jan@example.com\n- role: company\n  name: ACME\n  email: nope\n' \
    >"$TEST_TMP/bad-email.yaml"
refused "a bad e-mail in the second entry names the line of its key" 'bad-email\.yaml:6:3: email: not a valid e-mail' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/bad-email.yaml"
printf '[{"role": "client", "name": "Jan", "email": "jan@example.com", "tel": "1"}]' >"$TEST_TMP/bad-key.json"
refused "an unknown key in a JSON party file is refused" 'bad-key\.json:1:[0-9]+: unknown key "tel"' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/bad-key.json"
printf -- '- role: client\n  name: [Jan, Kowalski]\n  email: jan@example.com\n' >"$TEST_TMP/nested.yaml"
refused "a list where one value belongs is refused" 'nested\.yaml:2:[0-9]+: name must be a single value' \
    create "$CONTRACT" --title T --party-file "$TEST_TMP/nested.yaml"
printf -- '- role: client\n  name: Jan\n  email: jan@example.com\n' >"$TEST_TMP/client.yaml"
refused "a role in both --party and --party-file is refused" 'role "client" is given to two parties' \
    create "$CONTRACT" --title T --party "$CLIENT" --party-file "$TEST_TMP/client.yaml"

# --- add-field --------------------------------------------------------------------------------------

field() { signet add-field "$@"; }
refused "an unknown envelope id is refused" 'no envelope "k7q2m9xd"' \
    field k7q2m9xd --type signature --role client --page 1 --rect 72,200,100,30
refused "status of an unknown envelope id is refused" 'no envelope "k7q2m9xd"' signet status k7q2m9xd
refused "a page out of range is refused" '--page: page 9 is out of range: the document has 3 pages' \
    field "$envelope" --type signature --role client --page 9 --rect 72,200,100,30
refused "a rect outside the page is refused" '--rect: the rectangle lies outside page 1' \
    field "$envelope" --type signature --role client --page 1 --rect 500,200,100,30
refused "a negative rect origin is refused" '--rect: the rectangle lies outside page 1' \
    field "$envelope" --type signature --role client --page 1 --rect -5,200,100,30
refused "a rect that is not numbers is refused" '--rect: the rectangle must be four numbers' \
    field "$envelope" --type signature --role client --page 1 --rect 72,200,wide,30
refused "an unknown role is refused" '--role: "notary" is not a party of envelope' \
    field "$envelope" --type signature --role notary --page 1 --rect 72,200,100,30
refused "an unknown field type is refused" 'unknown field type "autograph"' \
    field "$envelope" --type autograph --role client --page 1 --rect 72,200,100,30
refused "a bad --unit is refused" '--unit must be pt or mm, not "in"' \
    field "$envelope" --type signature --role client --page 1 --rect 1,2,1,0.5 --unit in
refused "a bad e-mail --value is refused" '--value: not a valid e-mail address' \
    field "$envelope" --type email --role client --page 1 --rect 72,200,100,30 --value nobody
refused "a control character in a text --value is refused" '--value' \
    field "$envelope" --type text --role client --page 1 --rect 72,200,100,30 --value $'a\x01b'
refused "a checkbox --value that is not true/false is refused" 'checkbox value is true or false' \
    field "$envelope" --type checkbox --role client --page 1 --rect 72,200,10,10 --value maybe
refused "a --name already used is refused" 'already has a field "client_signature"' \
    field "$envelope" --type signature --role client --page 2 --rect 72,200,100,30 --name client_signature

# --- the store's config.yaml ------------------------------------------------------------------------

cp "$SIGNET_HOME/config.yaml" "$TEST_TMP/config.yaml.good"
sed -i 's/^timezone:.*/timezone: Mars\/Olympus_Mons/' "$SIGNET_HOME/config.yaml"
refused "an unknown time zone in config.yaml is refused with file:line:col" \
    'config\.yaml:[0-9]+:[0-9]+: unknown time zone "Mars/Olympus_Mons"' signet status
cp "$TEST_TMP/config.yaml.good" "$SIGNET_HOME/config.yaml"
printf 'phone_region: Poland\n' >>"$SIGNET_HOME/config.yaml"
refused "a phone_region that is not a country code is refused" 'config\.yaml:[0-9]+:[0-9]+: phone_region' \
    create "$CONTRACT" --title T --party "$CLIENT"
cp "$TEST_TMP/config.yaml.good" "$SIGNET_HOME/config.yaml"

# --- usage errors from the parser: also 2, in the same shape -------------------------------------

# SIGNET's own error lines, never CLI11's exit codes 100-127.
expect "an unknown flag is refused, with a hint to see the subcommand's --help" 2 --error 'bogus' \
    --err '^hint: see: signet create --help$' --unchanged -- \
    create "$CONTRACT" --title T --party "$CLIENT" --bogus
refused "a missing --title is refused" '--title is required' create "$CONTRACT" --party "$CLIENT"
refused "a missing PDF is refused" 'PDF is required' create --title T --party "$CLIENT"
refused "add-field without --rect is refused" '--rect is required' \
    field "$envelope" --type signature --role client --page 1
refused "a flag without its value is refused" 'title' create "$CONTRACT" --party "$CLIENT" --title
refused "a non-number --limit is refused" '--limit' signet status --board --limit many
refused "an unknown global flag is refused" 'colour' signet --colour status
refused "no subcommand is refused" 'subcommand' signet
refused "an unknown subcommand is refused" '' signet frobnicate
refused "an extra positional argument is refused" '' signet status "$envelope" extra
