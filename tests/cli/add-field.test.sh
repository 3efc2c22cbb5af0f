#!/usr/bin/env bash
# signet add-field ENVELOPE --type T --role R --page N|last --rect X,Y,W,H
#                  [--unit pt|mm] [--name] [--label] [--required|--optional] [--value]
# (CLI.md "Subcommands"; DESIGN.md "Concepts: Field", "Geometry").
source "$(dirname "$0")/lib.sh"
init_store

PARTIES=(--party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required'
    --party 'role=client,name=Jan Kowalski,phone=+48601234567,order=2')
new_envelope() { signet create "$FIXTURES/$1" --title "$1" "${PARTIES[@]}"; }

contract=$(new_envelope contract.pdf)
rotated=$(new_envelope rotated.pdf)
cropped=$(new_envelope cropped.pdf)
mixed=$(new_envelope mixed-sizes.pdf)

# The last case's envelope as JSON, for json_check on its fields.
fields_of() { expect "status --json of the envelope" 0 -- signet status "$1" --json; }

# --- every field type ----------------------------------------------------------------

# CLI.md's field types, each placed on the contract for the client.
y=40
for type in signature initials stamp date_signed text multiline number checkbox email name; do
    expect "field type $type can be added" 0 --out "^added $type field client_$type on page 1" -- \
        signet add-field "$contract" --type "$type" --role client --page 1 --rect "72,$y,100,30"
    y=$((y + 40))
done
fields_of "$contract"
json_check "all ten types are stored, in the order added" \
    '[f["type"] for f in d["fields"]] == "signature initials stamp date_signed text multiline number checkbox email name".split()'
# A checkbox may be left unticked; every other field must be filled.
json_check "fields are required by default, except a checkbox" \
    'all(f["required"] == (f["type"] != "checkbox") for f in d["fields"])'
json_check "no field is filled yet" 'not any(f["filled"] for f in d["fields"])'
json_check "each field belongs to the client" 'all(f["role"] == "client" for f in d["fields"])'

# --- generated names, --name and duplicates --------------------------------------------

# Without --name a field is named ROLE_TYPE, then ROLE_TYPE_2, ...
expect "a second client signature gets the name client_signature_2" 0 \
    --out 'field client_signature_2 ' -- \
    signet add-field "$contract" --type signature --role client --page 2 --rect 72,72,100,30
expect "a third gets client_signature_3" 0 --out 'field client_signature_3 ' -- \
    signet add-field "$contract" --type signature --role client --page 2 --rect 72,172,100,30
expect "--name names the field" 0 --out 'field client_address ' -- \
    signet add-field "$contract" --type text --role client --page 2 --rect 72,272,200,30 \
    --name client_address --label "Адрес / Adres"
# Two fields of one name would be one field in the PDF's AcroForm.
expect "a duplicate --name is refused" 2 --error 'already has a field "client_address"' \
    --unchanged -- signet add-field "$contract" --type text --role client --page 3 \
    --rect 72,72,100,30 --name client_address
expect "a name colliding with a generated one is refused" 2 --error 'client_signature' \
    --unchanged -- signet add-field "$contract" --type signature --role company --page 3 \
    --rect 72,72,100,30 --name client_signature
expect "a --name with a space is refused" 2 --error '--name' --unchanged -- \
    signet add-field "$contract" --type text --role client --page 3 --rect 72,72,100,30 \
    --name 'client address'

# --- --page last, --required/--optional, --value, --json ---------------------------------

# DESIGN.md: page is 1-based or "last"; the number is what is stored, so
# the field does not move if someone reads "last" differently later.
expect "--page last is accepted" 0 --out 'on page 3 ' -- \
    signet add-field "$contract" --type signature --role company --page last --rect 72,72,180,50 \
    --name company_sign
check "--page last is stored as the page number" \
    test "$(sql "SELECT page FROM fields WHERE name='company_sign'")" = 3
expect "--optional makes a signature optional" 0 -- \
    signet add-field "$contract" --type initials --role company --page 1 --rect 400,40,50,30 --optional --json
json_check "add-field --json describes the field" \
    'd == {"schema": 1, "envelope": "'"$contract"'", "name": "company_initials", "type": "initials", "role": "company", "page": 1, "rect": [400, 40, 50, 30], "required": False}'
expect "--required makes a checkbox required" 0 -- \
    signet add-field "$contract" --type checkbox --role client --page 2 --rect 400,40,12,12 \
    --name agree --required --json
json_check "... required is true" 'd["required"] is True'
expect "--required and --optional together are refused" 2 --error 'optional|required' --unchanged -- \
    signet add-field "$contract" --type checkbox --role client --page 2 --rect 400,80,12,12 \
    --required --optional
# A field without a role carries text fixed by the sender.
expect "a text field with --value needs no role" 0 --out 'added text field text ' -- \
    signet add-field "$contract" --type text --page 1 --rect 300,800,200,20 --value 'Umowa № 5/2026'
fields_of "$contract"
json_check "... it is stored filled, with no role" \
    '[(f["role"], f["filled"]) for f in d["fields"] if f["name"] == "text"] == [(None, True)]'
expect "a number field takes an amount as people write it" 0 -- \
    signet add-field "$contract" --type number --page 1 --rect 300,770,100,20 --value '12 300,00'
expect "a signature cannot be given a --value" 2 --error 'signature.*cannot be given a value' \
    --unchanged -- signet add-field "$contract" --type signature --role client --page 1 \
    --rect 300,740,100,20 --value 'Jan'
expect "a field without --role and without --value is refused" 2 --error '--role is missing' \
    --unchanged -- signet add-field "$contract" --type text --page 1 --rect 300,740,100,20

# --- units --------------------------------------------------------------------------

# 25.4 mm is one inch, 72 points.
expect "--unit mm converts millimetres to points" 0 --out 'at 72,72,144,36 pt' -- \
    signet add-field "$mixed" --type signature --role client --page 1 --unit mm \
    --rect 25.4,25.4,50.8,12.7 --name mm_field
check "... and stores points" \
    test "$(sql "SELECT x || ',' || y || ',' || width || ',' || height FROM fields WHERE name='mm_field'")" = 72.0,72.0,144.0,36.0
expect "--unit pt is the default made explicit" 0 --out 'at 72,72,144,36 pt' -- \
    signet add-field "$mixed" --type initials --role client --page 1 --unit pt --rect 72,72,144,36
# 200 mm = 566.93 pt fits across A4 (595 pt); 300 mm = 850.39 pt does not fit up it (842 pt).
expect "a rect in mm that leaves the page is refused" 2 --error 'outside page 1' --unchanged -- \
    signet add-field "$mixed" --type text --role client --page 1 --unit mm --rect 10,10,20,300

# --- geometry: the page as displayed (DESIGN.md "Geometry") ------------------------------------

# The whole page is a valid rectangle; a hair beyond it is not.
expect "a rect covering the whole A4 page is accepted" 0 -- \
    signet add-field "$contract" --type text --role client --page 3 --rect 0,0,595,842 --name full
expect "a rect just past the right edge is refused" 2 --error 'outside page 3' --unchanged -- \
    signet add-field "$contract" --type text --role client --page 3 --rect 0,0,595.5,842

# rotated.pdf: A4 portrait pages with /Rotate 90, displayed landscape 842 x 595.
expect "rotated page: a rect that fits only the landscape (displayed) page is accepted" 0 -- \
    signet add-field "$rotated" --type signature --role client --page 1 --rect 700,100,120,50
expect "rotated page: a rect that fits only the unrotated portrait page is refused" 2 \
    --error 'outside page 1 \(842\.00 x 595\.00 pt as displayed\)' --unchanged -- \
    signet add-field "$rotated" --type signature --role client --page 1 --rect 100,700,120,50
fields_of "$rotated"
json_check "rotated page: the rect is stored as given, in displayed coordinates" \
    'd["fields"][0]["rect"] == [700, 100, 120, 50]'

# cropped.pdf: MediaBox 700 x 950, CropBox from (50,60) to (645,902): the
# visible page is 595 x 842, and x,y count from the CropBox's corner.
expect "cropped page: a rect filling the CropBox from (0,0) is accepted" 0 -- \
    signet add-field "$cropped" --type text --role client --page 1 --rect 0,0,595,842
expect "cropped page: a rect inside the MediaBox but right of the CropBox is refused" 2 \
    --error 'outside page 1 \(595\.00 x 842\.00 pt as displayed\)' --unchanged -- \
    signet add-field "$cropped" --type signature --role client --page 1 --rect 600,100,40,50
expect "cropped page: a rect inside the MediaBox but above the CropBox is refused" 2 \
    --error 'outside page 2' --unchanged -- \
    signet add-field "$cropped" --type signature --role client --page 2 --rect 100,850,100,50
expect "cropped page: a rect left of the CropBox's corner is refused" 2 \
    --error 'outside page 1' --unchanged -- \
    signet add-field "$cropped" --type signature --role client --page 1 --rect -30,100,100,50

# mixed-sizes.pdf: A4 portrait, A4 landscape, Letter.
expect "mixed sizes: a wide rect fits on landscape page 2" 0 -- \
    signet add-field "$mixed" --type signature --role client --page 2 --rect 600,100,200,50
expect "mixed sizes: the same rect is refused on portrait page 1" 2 \
    --error 'outside page 1 \(595\.00 x 842\.00' --unchanged -- \
    signet add-field "$mixed" --type signature --role client --page 1 --rect 600,100,200,50
expect "mixed sizes: the whole Letter page fits on page 3 (last)" 0 -- \
    signet add-field "$mixed" --type text --role client --page last --rect 0,0,612,792
expect "mixed sizes: a Letter-wide rect is refused on A4 page 1" 2 --error 'outside page 1' \
    --unchanged -- signet add-field "$mixed" --type text --role client --page 1 --rect 0,0,612,792

# --- refused input (exit 2, nothing written) -------------------------------------------

expect "an unknown role is refused, naming the parties" 2 \
    --error '--role: "witness" is not a party' --err '^hint: parties: company, client$' \
    --unchanged -- signet add-field "$contract" --type signature --role witness --page 1 \
    --rect 72,72,100,30
expect "an unknown type is refused, listing the types" 2 --error 'unknown field type "seal"' \
    --err '^hint: types: .*signature.*date_signed' --unchanged -- \
    signet add-field "$contract" --type seal --role client --page 1 --rect 72,72,100,30
expect "page 0 is refused" 2 --error 'page 0 is out of range: the document has 3 pages' \
    --unchanged -- signet add-field "$contract" --type signature --role client --page 0 \
    --rect 72,72,100,30
expect "page 4 of 3 is refused" 2 --error 'page 4 is out of range' --unchanged -- \
    signet add-field "$contract" --type signature --role client --page 4 --rect 72,72,100,30
expect "a page that is not a number is refused" 2 --error '--page' --unchanged -- \
    signet add-field "$contract" --type signature --role client --page first --rect 72,72,100,30
expect "a rect outside the page is refused" 2 --error '--rect: .*outside page 1' --unchanged -- \
    signet add-field "$contract" --type signature --role client --page 1 --rect 500,800,200,100
expect "a rect of three numbers is refused" 2 --error 'four numbers' --unchanged -- \
    signet add-field "$contract" --type signature --role client --page 1 --rect 72,72,100
expect "a rect with zero width is refused" 2 --error 'width and height must be positive' \
    --unchanged -- signet add-field "$contract" --type signature --role client --page 1 --rect 72,72,0,30
expect "--unit cm is refused" 2 --error '--unit must be pt or mm' --unchanged -- \
    signet add-field "$contract" --type signature --role client --page 1 --rect 72,72,100,30 --unit cm
expect "an unknown envelope is refused" 2 --error 'no envelope "zzzzzzzz"' --unchanged -- \
    signet add-field zzzzzzzz --type signature --role client --page 1 --rect 72,72,100,30
expect "a --label with a control character is refused" 2 --error '--label' --unchanged -- \
    signet add-field "$contract" --type text --role client --page 1 --rect 72,72,100,30 \
    --label $'Address\x07'

# --- only drafts take fields ------------------------------------------------------------

# `send` does not exist yet, so the envelope is made "sent" directly in the
# database; replace this with `signet send` once it does.
sent=$(new_envelope contract.pdf)
sql "UPDATE envelopes SET status='sent' WHERE id='$sent'"
expect "add-field on a sent envelope is not allowed now (5)" 5 \
    --error "envelope $sent is sent: fields can be added only to a draft" --unchanged -- \
    signet add-field "$sent" --type signature --role client --page 1 --rect 72,72,100,30
sql "UPDATE envelopes SET status='completed' WHERE id='$sent'"
expect "add-field on a completed envelope is not allowed now (5)" 5 --error 'completed' \
    --unchanged -- signet add-field "$sent" --type signature --role client --page 1 --rect 72,72,100,30
