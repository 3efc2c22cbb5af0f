#!/usr/bin/env python3
"""Writes the small A4 PDFs the ready templates use (invoice.pdf,
act-of-work.pdf, nda.pdf), with nothing but the standard library.

The PDFs are committed; run this only to change them:

    python3 templates/make-pdfs.py templates/

Each page is plain Helvetica text (WinAnsi) with blank lines and boxes
where the templates place their fields; the rectangles in the YAML files
match the coordinates used here (points from the bottom-left of A4,
595 x 842).
"""
import sys
import zlib
from pathlib import Path

A4 = (595, 842)


def esc(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def page_stream(items):
    ops = []
    for item in items:
        kind = item[0]
        if kind == "text":
            _, x, y, size, text = item
            font = "/F2" if size >= 14 else "/F1"
            ops.append(f"BT {font} {size} Tf {x} {y} Td ({esc(text)}) Tj ET")
        elif kind == "box":
            _, x, y, w, h = item
            ops.append(f"0.6 G 0.5 w {x} {y} {w} {h} re S")
        elif kind == "line":
            _, x1, y1, x2 = item
            ops.append(f"0 G 0.5 w {x1} {y1} m {x2} {y1} l S")
    return "\n".join(ops).encode("latin-1")


def write_pdf(path, pages):
    objects = []  # bytes of objects 1..n

    def add(body):
        objects.append(body)
        return len(objects)

    font1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    font2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)
    kids = []
    for items in pages:
        data = zlib.compress(page_stream(items))
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
            % (pages_id, A4[0], A4[1], content, font1, font2)))
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>"
               % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    Path(path).write_bytes(bytes(out))


def signature_block(left_title, right_title, y=200):
    """Two signature boxes and a stamp box at the foot of a page."""
    return [
        ("text", 72, y + 90, 10, left_title),
        ("box", 72, y + 20, 180, 60),
        ("box", 260, y + 10, 100, 80),
        ("text", 262, y + 2, 8, "stamp"),
        ("text", 380, y + 90, 10, right_title),
        ("box", 380, y + 20, 160, 60),
        ("text", 380, y + 4, 8, "date:"),
    ]


def invoice():
    page = [
        ("text", 72, 780, 16, "INVOICE"),
        ("text", 72, 750, 10, "Number:"),
        ("line", 140, 748, 320),
        ("text", 340, 750, 10, "Issued:"),
        ("line", 390, 748, 523),
        ("text", 72, 720, 10, "Seller:"),
        ("line", 140, 718, 523),
        ("text", 72, 700, 10, "Buyer:"),
        ("line", 140, 698, 523),
        ("text", 72, 660, 12, "Item"),
        ("text", 400, 660, 12, "Amount"),
        ("line", 72, 655, 523),
        ("line", 72, 630, 523),
        ("text", 72, 600, 10, "Total due:"),
        ("line", 140, 598, 320),
        ("text", 72, 570, 10, "Pay to account:"),
        ("line", 160, 568, 523),
        ("text", 72, 540, 10, "Due date:"),
        ("line", 140, 538, 320),
    ] + signature_block("Issued by (seller)", "Received by (buyer)")
    return [page]


def act_of_work():
    first = [
        ("text", 72, 780, 16, "ACT OF COMPLETED WORK"),
        ("text", 72, 750, 10, "No."),
        ("line", 100, 748, 320),
        ("text", 340, 750, 10, "Date:"),
        ("line", 380, 748, 523),
        ("text", 72, 720, 10, "Contractor:"),
        ("line", 140, 718, 523),
        ("text", 72, 700, 10, "Client:"),
        ("line", 140, 698, 523),
        ("text", 72, 670, 10, "The contractor has completed and the client accepts the work described below."),
        ("text", 72, 640, 10, "Work:"),
        ("line", 140, 638, 523),
        ("text", 72, 610, 10, "Amount:"),
        ("line", 140, 608, 320),
        ("text", 72, 580, 10, "The client's remarks:"),
        ("box", 72, 480, 451, 90),
    ]
    second = [
        ("text", 72, 780, 12, "Acceptance"),
        ("text", 72, 750, 10, "The parties have no claims against each other concerning the work above."),
    ] + signature_block("For the contractor", "For the client")
    return [first, second]


def nda():
    clauses = [
        "1. Each party keeps the other's confidential information secret and uses it",
        "   only for the purpose of the cooperation named above.",
        "2. Confidential information is everything disclosed in writing or orally",
        "   and marked or reasonably understood as confidential.",
        "3. The obligations last for the term stated below after this agreement ends.",
        "4. On request, each party returns or destroys the other's information.",
        "5. This agreement is governed by the law stated below.",
    ]
    first = [
        ("text", 72, 780, 16, "MUTUAL NON-DISCLOSURE AGREEMENT"),
        ("text", 72, 750, 10, "Between:"),
        ("line", 140, 748, 523),
        ("text", 72, 730, 10, "and:"),
        ("line", 140, 728, 523),
        ("text", 72, 710, 10, "Purpose:"),
        ("line", 140, 708, 523),
    ] + [("text", 72, 670 - 18 * i, 10, c) for i, c in enumerate(clauses)] + [
        ("text", 72, 520, 10, "Term (years):"),
        ("line", 150, 518, 250),
        ("text", 280, 520, 10, "Governing law:"),
        ("line", 360, 518, 523),
    ]
    second = [
        ("text", 72, 780, 12, "Signatures"),
        ("text", 72, 750, 10, "Signed by the parties' representatives on the dates shown."),
    ] + signature_block("Disclosing party", "Receiving party")
    return [first, second]


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    write_pdf(out / "invoice.pdf", invoice())
    write_pdf(out / "act-of-work.pdf", act_of_work())
    write_pdf(out / "nda.pdf", nda())


if __name__ == "__main__":
    main()
