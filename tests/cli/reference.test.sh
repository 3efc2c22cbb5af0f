#!/usr/bin/env bash
# The issue's reference case, end to end with the commands built so far:
# an act signed first by the company (order 1, by e-mail, with a stamp)
# and then by the client (order 2, by phone), five fields, and the
# envelope as `status --json` shows it (DESIGN.md "The flow").
source "$(dirname "$0")/lib.sh"
init_store --org "ACME Sp. z o.o."

expect "create the envelope with the company and the client" 0 --out '^[2-9a-z]{8}$' --err-empty -- \
    signet create "$FIXTURES/contract.pdf" --title "Akt odbioru nr 17/2026" \
    --party 'role=company,name=Anna Nowak,email=anna@acme.test,order=1,stamp=required' \
    --party 'role=client,name=Jan Kowalski,phone=+48 601 234 567,order=2'
id=$(last_out)

expect "company signature on the last page" 0 --out 'added signature field company_signature on page 3 ' -- \
    signet add-field "$id" --type signature --role company --page last --rect 72,100,180,50
expect "company stamp on the last page" 0 --out 'added stamp field company_stamp on page 3 ' -- \
    signet add-field "$id" --type stamp --role company --page last --rect 260,90,110,110
expect "client address on page 1, in mm" 0 --out 'added text field client_address on page 1 ' -- \
    signet add-field "$id" --type text --role client --page 1 --unit mm --rect 25,200,120,10 \
    --name client_address --label "Adres klienta"
expect "client date_signed on the last page" 0 --out 'added date_signed field client_date_signed on page 3 ' -- \
    signet add-field "$id" --type date_signed --role client --page last --rect 360,60,120,20
expect "client signature on the last page" 0 --out 'added signature field client_signature on page 3 ' -- \
    signet add-field "$id" --type signature --role client --page last --rect 360,100,180,50

expect "status --json shows the envelope" 0 --err-empty -- signet status "$id" --json
json_check "top level: exactly CLI.md's keys" \
    'set(d) == {"schema", "id", "title", "status", "owner", "created_at", "expires_at", "waiting_since", "document", "parties", "fields", "undelivered"}'
json_check "document: exactly CLI.md's keys" 'set(d["document"]) == {"sha256", "current_sha256", "pages", "revisions"}'
json_check "parties: exactly CLI.md's keys" \
    'all(set(p) == {"role", "name", "email", "phone", "order", "kind", "action", "auth", "stamp", "status"} for p in d["parties"])'
json_check "fields: exactly CLI.md's keys" \
    'all(set(f) == {"name", "type", "role", "page", "rect", "required", "filled"} for f in d["fields"])'
json_check "the envelope is a draft of 3 pages, times in UTC" \
    'd["schema"] == 1 and d["id"] == "'"$id"'" and d["status"] == "draft" and d["document"]["pages"] == 3 and d["created_at"] == "2026-11-23T09:00:00Z" and d["created_at"].endswith("Z") and d["waiting_since"].endswith("Z")'
json_check "the company: order 1, e-mail, a stamp, an organisation" \
    'd["parties"][0] == {"role": "company", "name": "Anna Nowak", "email": "anna@acme.test", "phone": None, "order": 1, "kind": "organization", "action": "sign", "auth": "email", "stamp": "required", "status": "waiting"}'
json_check "the client: order 2, phone in E.164, SMS, a person, no stamp" \
    'd["parties"][1] == {"role": "client", "name": "Jan Kowalski", "email": None, "phone": "+48601234567", "order": 2, "kind": "person", "action": "sign", "auth": "sms", "stamp": "none", "status": "waiting"}'
json_check "five fields: two for the company, three for the client" \
    '[(f["name"], f["type"], f["role"]) for f in d["fields"]] == [("company_signature", "signature", "company"), ("company_stamp", "stamp", "company"), ("client_address", "text", "client"), ("client_date_signed", "date_signed", "client"), ("client_signature", "signature", "client")]'
json_check "page last is resolved to 3" \
    '[f["page"] for f in d["fields"]] == [3, 3, 1, 3, 3]'
json_check "the mm rect is stored in points" 'd["fields"][2]["rect"] == [70.87, 566.93, 340.16, 28.35]'
json_check "all five are required and none is filled" \
    'all(f["required"] is True and f["filled"] is False for f in d["fields"])'
json_check "nothing is undelivered" 'd["undelivered"] == []'
