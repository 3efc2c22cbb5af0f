#include "verify/verify.hpp"

#include "crypto/certificate.hpp"
#include "crypto/pki.hpp"
#include "signet/error.hpp"
#include "verify/cms_check.hpp"
#include "verify/digest_ranges.hpp"
#include "verify/revisions.hpp"
#include "verify/source.hpp"
#include "verify/store_check.hpp"

#include <qpdf/QPDFTokenizer.hh>

#include <algorithm>
#include <cctype>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <system_error>

namespace signet::verify {
namespace {

constexpr std::size_t k_max_contents = 4 * 1024 * 1024;  // hex bytes of /Contents
constexpr std::size_t k_max_signatures = 200;

std::string hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// A qpdf document over a prefix of the file, without repairs: a damaged
// cross-reference section is an error, not something to guess around.
std::unique_ptr<QPDF> open_prefix(const std::shared_ptr<const PdfFile>& file, std::uint64_t end) {
    auto q = std::make_unique<QPDF>();
    q->setSuppressWarnings(true);
    q->setAttemptRecovery(false);
    q->processInputSource(std::make_shared<PrefixSource>(file, end));
    return q;
}

struct Signature {
    SignatureReport report;
    QPDFObjGen dict;
    std::optional<std::size_t> revision;  // index into the scan
    std::string der;
    std::uint64_t a = 0, b = 0, c = 0;
    bool ranges_ok = false;
    std::unique_ptr<CmsCheck> cms;
    Constraints adds;  // what it locks once signed
};

// FT, inherited through /Parent.
std::string field_type(QPDFObjectHandle f) {
    for (int i = 0; i < 32 && f.isDictionary(); ++i) {
        if (f.getKey("/FT").isName()) {
            return f.getKey("/FT").getName();
        }
        f = f.getKey("/Parent");
    }
    return {};
}

std::string text_value(QPDFObjectHandle h) { return h.isString() ? h.getUTF8Value() : std::string(); }

bool is_hex(char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; }

int hex_value(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    return std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10;
}

// Reads the signature dictionary's own bytes at `offset`: /Contents must be
// the hex string at exactly [a, b), each key once.
std::string check_dict_bytes(const std::shared_ptr<const PdfFile>& file, std::uint64_t offset,
                             std::uint64_t end, const Signature& s) {
    auto src = std::make_shared<PrefixSource>(file, end);
    src->seek(static_cast<qpdf_offset_t>(offset), SEEK_SET);
    QPDFTokenizer tok;
    tok.allowEOF();
    auto next = [&]() { return tok.readToken(src, "signature dictionary", true, k_max_contents + 16); };
    if (next().getType() != QPDFTokenizer::tt_integer ||
        next().getType() != QPDFTokenizer::tt_integer || !next().isWord("obj") ||
        next().getType() != QPDFTokenizer::tt_dict_open) {
        return "the signature dictionary is not where the xref says";
    }
    int depth = 1;
    bool expect_key = true;
    std::set<std::string> keys;
    bool contents_found = false;
    std::string key;
    for (int steps = 0; depth > 0 && steps < 100000; ++steps) {
        const QPDFTokenizer::Token t = next();
        const auto at = static_cast<std::uint64_t>(src->getLastOffset());
        const auto type = t.getType();
        if (type == QPDFTokenizer::tt_eof || type == QPDFTokenizer::tt_bad) {
            return "the signature dictionary is malformed";
        }
        if (depth == 1 && expect_key) {
            if (type == QPDFTokenizer::tt_dict_close) {
                depth = 0;
                break;
            }
            if (type != QPDFTokenizer::tt_name) {
                return "the signature dictionary is malformed";
            }
            key = t.getValue();
            if (!keys.insert(key).second) {
                return "the signature dictionary has the key " + key + " twice";
            }
            expect_key = false;
            continue;
        }
        if (depth == 1 && key == "/Contents") {
            const auto after = static_cast<std::uint64_t>(src->tell());
            if (type != QPDFTokenizer::tt_string || at != s.a || after != s.b ||
                file->read_string(at, 1) != "<") {
                return "the gap in /ByteRange is not exactly the /Contents hex string";
            }
            contents_found = true;
        }
        if (type == QPDFTokenizer::tt_dict_open || type == QPDFTokenizer::tt_array_open) {
            ++depth;
        } else if (type == QPDFTokenizer::tt_dict_close || type == QPDFTokenizer::tt_array_close) {
            --depth;
        }
        if (depth == 1) {
            // A value is complete unless it is the start of "N G R".
            if (type == QPDFTokenizer::tt_integer) {
                const auto pos = src->tell();
                const QPDFTokenizer::Token g = next();
                const QPDFTokenizer::Token r = next();
                if (!(g.getType() == QPDFTokenizer::tt_integer && r.isWord("R"))) {
                    src->seek(pos, SEEK_SET);
                }
            }
            expect_key = true;
        }
    }
    if (!contents_found) {
        return "the signature dictionary has no /Contents hex string";
    }
    return {};
}

std::optional<int> docmdp_level(QPDFObjectHandle sig) {
    QPDFObjectHandle refs = sig.getKey("/Reference");
    if (!refs.isArray()) {
        return std::nullopt;
    }
    for (QPDFObjectHandle r : refs.aitems()) {
        if (r.isDictionary() && r.getKey("/TransformMethod").isNameAndEquals("/DocMDP")) {
            QPDFObjectHandle p = r.getKey("/TransformParams").getKey("/P");
            if (p.isInteger()) {
                const long long v = p.getIntValue();
                return v >= 1 && v <= 3 ? static_cast<int>(v) : 1;
            }
            return 2;
        }
    }
    return std::nullopt;
}

void add_lock(QPDFObjectHandle lock, Constraints& c, std::vector<std::string>& names) {
    if (!lock.isDictionary()) {
        return;
    }
    QPDFObjectHandle action = lock.getKey("/Action");
    QPDFObjectHandle fields = lock.getKey("/Fields");
    if (action.isNameAndEquals("/All")) {
        c.lock_all = true;
        names.emplace_back("*");
        return;
    }
    std::set<std::string> list;
    if (fields.isArray()) {
        for (QPDFObjectHandle f : fields.aitems()) {
            if (f.isString()) {
                list.insert(f.getUTF8Value());
            }
        }
    }
    if (action.isNameAndEquals("/Exclude")) {
        c.has_exclude = true;
        c.lock_all_except.insert(list.begin(), list.end());
        names.emplace_back("* except " + std::to_string(list.size()) + " field(s)");
    } else {
        c.locked_fields.insert(list.begin(), list.end());
        names.insert(names.end(), list.begin(), list.end());
    }
}

std::string revision_words(int n) { return "revision " + std::to_string(n); }

}  // namespace

std::optional<util::UnixTime> parse_pdf_date(const std::string& text) {
    std::string s = text;
    if (s.rfind("D:", 0) == 0) {
        s = s.substr(2);
    }
    auto num = [&s](std::size_t at, std::size_t len, int dflt) -> std::optional<int> {
        if (s.size() < at + len) {
            return dflt;
        }
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
                return std::nullopt;
            }
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    if (s.size() < 4) {
        return std::nullopt;
    }
    const auto y = num(0, 4, 0), mo = num(4, 2, 1), d = num(6, 2, 1), h = num(8, 2, 0),
               mi = num(10, 2, 0), se = num(12, 2, 0);
    if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 ||
        *h > 23 || *mi > 59 || *se > 60) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = *y - 1900;
    tm.tm_mon = *mo - 1;
    tm.tm_mday = *d;
    tm.tm_hour = *h;
    tm.tm_min = *mi;
    tm.tm_sec = *se;
    util::UnixTime t = static_cast<util::UnixTime>(timegm(&tm));
    if (s.size() > 14 && (s[14] == '+' || s[14] == '-')) {
        const auto oh = num(15, 2, 0);
        const auto om = s.size() >= 20 ? num(18, 2, 0) : std::optional<int>(0);
        if (!oh || !om) {
            return std::nullopt;
        }
        const int offset = (*oh * 60 + *om) * 60;
        t += s[14] == '+' ? -offset : offset;
    }
    return t;
}

int VerifyReport::exit_code() const {
    bool invalid = false, error = false, untrusted = false;
    for (const auto& f : files) {
        invalid = invalid || f.verdict == "invalid";
        error = error || f.verdict == "error";
        untrusted = untrusted || f.verdict == "untrusted";
    }
    return invalid ? 1 : error ? 2 : untrusted ? 3 : 0;
}

FileReport verify_file(const std::filesystem::path& path, X509_STORE* trusted) {
    FileReport report;
    report.file = path.string();
    std::shared_ptr<const PdfFile> file;
    try {
        file = std::make_shared<const PdfFile>(path);
    } catch (const Error& e) {
        report.verdict = "error";
        report.reasons.emplace_back(e.what());
        return report;
    }
    const std::string head = file->read_string(0, 1024);
    if (head.find("%PDF-") == std::string::npos) {
        report.verdict = "error";
        report.reasons.emplace_back("not a PDF: no %PDF- header");
        return report;
    }
    std::unique_ptr<QPDF> full;
    try {
        full = open_prefix(file, file->size());
    } catch (const std::exception& e) {
        report.verdict = "error";
        report.reasons.emplace_back(std::string("not readable as a PDF: ") + e.what());
        return report;
    }
    if (full->isEncrypted()) {
        report.verdict = "invalid";
        report.reasons.emplace_back("the PDF is encrypted; signet verifies unencrypted PDFs only");
        return report;
    }

    const RevisionScan scan = scan_revisions(file);
    report.revisions = static_cast<int>(scan.revisions.size());
    for (const auto& p : scan.problems) {
        report.reasons.push_back("structure: " + p);
    }

    // Revision documents, opened on demand.
    std::map<std::size_t, std::unique_ptr<QPDF>> docs;
    auto doc_at = [&](std::size_t r) -> QPDF& {
        if (scan.revisions[r].end >= file->size()) {
            return *full;  // the last revision is the whole file, opened already
        }
        auto it = docs.find(r);
        if (it == docs.end()) {
            it = docs.emplace(r, open_prefix(file, scan.revisions[r].end)).first;
        }
        return *it->second;
    };

    // The signatures, as the final revision lists them.
    std::vector<Signature> sigs;
    try {
        for (auto& [name, f] : form_fields(*full)) {
            if (field_type(f) != "/Sig" || f.getKey("/V").isNull()) {
                continue;
            }
            if (sigs.size() >= k_max_signatures) {
                report.reasons.emplace_back("more than " + std::to_string(k_max_signatures) +
                                            " signatures; the rest were not checked");
                break;
            }
            Signature s;
            s.report.field = name;
            QPDFObjectHandle v = f.getKey("/V");
            s.dict = v.getObjGen();
            if (!v.isIndirect() || !v.isDictionary()) {
                s.report.reasons.emplace_back("the signature value is not an indirect dictionary");
                sigs.push_back(std::move(s));
                continue;
            }
            QPDFObjectHandle br = v.getKey("/ByteRange");
            bool form = br.isArray() && br.getArrayNItems() == 4;
            std::vector<long long> n;
            for (int i = 0; form && i < 4; ++i) {
                QPDFObjectHandle x = br.getArrayItem(i);
                form = x.isInteger() && !x.isIndirect() && x.getIntValue() >= 0;
                n.push_back(form ? x.getIntValue() : 0);
            }
            if (form) {
                s.a = static_cast<std::uint64_t>(n[1]);
                s.b = static_cast<std::uint64_t>(n[2]);
                s.c = static_cast<std::uint64_t>(n[3]);
                s.report.byte_range = {0, s.a, s.b, s.c};
                form = n[0] == 0 && s.a > 0 && s.b > s.a + 1 && s.b + s.c <= file->size() &&
                       s.c > 0;
            }
            if (!form) {
                s.report.reasons.emplace_back(
                    "the /ByteRange is not [0 a b c] with 0 < a < b and b + c within the file");
                sigs.push_back(std::move(s));
                continue;
            }
            s.ranges_ok = true;
            const std::uint64_t e = s.b + s.c;
            for (std::size_t r = 0; r < scan.revisions.size(); ++r) {
                if (scan.revisions[r].end == e || scan.revisions[r].eof_end == e) {
                    s.revision = r;
                }
            }
            sigs.push_back(std::move(s));
        }
    } catch (const std::exception& e) {
        report.verdict = "error";
        report.reasons.emplace_back(std::string("not readable as a PDF: ") + e.what());
        return report;
    }
    std::stable_sort(sigs.begin(), sigs.end(), [](const Signature& x, const Signature& y) {
        return x.b + x.c < y.b + y.c;
    });

    // Each signature in the revision it signs: structure and the CMS.
    std::vector<RangeDigest> requests;
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        Signature& s = sigs[i];
        SignatureReport& sr = s.report;
        sr.index = static_cast<int>(i) + 1;
        sr.revisions = report.revisions;
        requests.emplace_back();
        // One revision open at a time (besides the whole file): a file with
        // many signatures must not hold a document per signature.
        if (i == 0 || !sigs[i - 1].revision || sigs[i - 1].revision != s.revision) {
            docs.clear();
        }
        if (!s.ranges_ok) {
            continue;
        }
        sr.checks.emplace_back("/ByteRange is [0 a b c] within the file");
        if (!s.revision) {
            sr.reasons.emplace_back("the signed bytes do not end at the end of a revision of "
                                    "this document (byte " + std::to_string(s.b + s.c) + ")");
            continue;
        }
        if (scan.too_many) {
            sr.reasons.emplace_back("not checked further: the file has more revisions than verify "
                                    "analyses");
            continue;
        }
        const Revision& rev = scan.revisions[*s.revision];
        sr.revision = static_cast<int>(*s.revision) + 1;
        sr.covers_whole_revision = true;
        sr.covers_whole_file = s.b + s.c >= scan.revisions.back().end ||
                               *s.revision + 1 == scan.revisions.size();
        sr.checks.push_back("the signed bytes end at the end of " + revision_words(sr.revision));
        bool xref_inside = true;
        for (const std::uint64_t x : rev.sections) {
            xref_inside = xref_inside && (x < s.a || x >= s.b);
        }
        if (!xref_inside) {
            sr.reasons.emplace_back("the revision's cross-reference section lies in the unsigned gap");
            continue;
        }
        try {
            QPDF& doc = doc_at(*s.revision);
            // The field and its signature dictionary, as signed.
            QPDFObjectHandle field;
            for (auto& [name, f] : form_fields(doc)) {
                if (name == sr.field && f.getKey("/V").isIndirect() &&
                    f.getKey("/V").getObjGen() == s.dict) {
                    field = f;
                }
            }
            if (!field.isInitialized() || field.isNull()) {
                sr.reasons.emplace_back("the signed " + revision_words(sr.revision) +
                                        " has no field \"" + sr.field +
                                        "\" holding this signature");
                continue;
            }
            const auto table = doc.getXRefTable();
            auto entry = table.find(s.dict);
            if (entry == table.end() || entry->second.getType() != 1) {
                sr.reasons.emplace_back("the signature dictionary is not a plain object of the "
                                        "signed revision");
                continue;
            }
            QPDFObjectHandle d = doc.getObject(s.dict);
            const std::string problem = check_dict_bytes(
                file, static_cast<std::uint64_t>(entry->second.getOffset()), rev.end, s);
            if (!problem.empty()) {
                sr.reasons.push_back(problem);
                continue;
            }
            sr.checks.emplace_back("the unsigned gap is exactly the /Contents hex string");
            // /ByteRange as signed must be the one we hash.
            QPDFObjectHandle br = d.getKey("/ByteRange");
            if (!br.isArray() || br.getArrayNItems() != 4 ||
                br.getArrayItem(1).getIntValue() != static_cast<long long>(s.a) ||
                br.getArrayItem(2).getIntValue() != static_cast<long long>(s.b) ||
                br.getArrayItem(3).getIntValue() != static_cast<long long>(s.c)) {
                sr.reasons.emplace_back("the /ByteRange changed after signing");
                continue;
            }
            const std::string raw = file->read_string(s.a + 1, static_cast<std::size_t>(
                                                                   std::min<std::uint64_t>(s.b - s.a - 2, k_max_contents)));
            if (s.b - s.a - 2 > k_max_contents || raw.size() % 2 != 0 ||
                !std::all_of(raw.begin(), raw.end(), is_hex) ||
                file->read_string(s.b - 1, 1) != ">") {
                sr.reasons.emplace_back("/Contents is not a plain hex string of even length");
                continue;
            }
            s.der.reserve(raw.size() / 2);
            for (std::size_t k = 0; k + 1 < raw.size(); k += 2) {
                s.der += static_cast<char>(hex_value(raw[k]) * 16 + hex_value(raw[k + 1]));
            }
            if (!d.getKey("/Contents").isString() || d.getKey("/Contents").getStringValue() != s.der) {
                sr.reasons.emplace_back("/Contents as parsed differs from the bytes in the gap");
                continue;
            }
            QPDFObjectHandle type = d.getKey("/Type");
            sr.subfilter = d.getKey("/SubFilter").isName() ? d.getKey("/SubFilter").getName().substr(1) : "";
            const bool timestamp = sr.subfilter == "ETSI.RFC3161";
            if (!(type.isNameAndEquals("/Sig") || (timestamp && type.isNameAndEquals("/DocTimeStamp")))) {
                sr.reasons.emplace_back(timestamp ? "the document timestamp lacks /Type /DocTimeStamp"
                                                  : "the signature dictionary lacks /Type /Sig");
                continue;
            }
            if (sr.subfilter != "adbe.pkcs7.detached" && sr.subfilter != "ETSI.CAdES.detached" &&
                !timestamp) {
                sr.reasons.push_back(sr.subfilter.empty()
                                         ? std::string("the signature has no /SubFilter")
                                         : "the /SubFilter " + sr.subfilter +
                                               " is not supported (SHA-1 or unknown)");
                continue;
            }
            sr.name = text_value(d.getKey("/Name"));
            sr.reason = text_value(d.getKey("/Reason"));
            if (d.getKey("/M").isString()) {
                sr.signed_at = parse_pdf_date(d.getKey("/M").getUTF8Value());
            }
            sr.docmdp = docmdp_level(d);
            sr.certification = sr.docmdp.has_value();
            // FieldMDP locks: the field's /Lock and the dictionary's /Reference.
            add_lock(field.getKey("/Lock"), s.adds, sr.locks);
            QPDFObjectHandle refs = d.getKey("/Reference");
            if (refs.isArray()) {
                for (QPDFObjectHandle r : refs.aitems()) {
                    if (r.isDictionary() && r.getKey("/TransformMethod").isNameAndEquals("/FieldMDP")) {
                        std::vector<std::string> more;
                        add_lock(r.getKey("/TransformParams"), s.adds, more);
                        for (auto& m : more) {
                            if (std::find(sr.locks.begin(), sr.locks.end(), m) == sr.locks.end()) {
                                sr.locks.push_back(m);
                            }
                        }
                    }
                }
            }
            s.adds.signed_fields.insert(sr.field);
            if (sr.certification) {
                s.adds.docmdp = sr.docmdp;
                QPDFObjectHandle perms = doc.getRoot().getKey("/Perms").getKey("/DocMDP");
                if (!perms.isIndirect() || perms.getObjGen() != s.dict) {
                    sr.reasons.emplace_back("a certification signature that the catalog's "
                                            "/Perms /DocMDP does not name");
                    continue;
                }
            }
            sr.checks.emplace_back("the signature dictionary and its field belong to the signed "
                                   "revision");
        } catch (const std::exception& e) {
            sr.reasons.push_back(std::string("the signed revision cannot be read: ") + e.what());
            continue;
        }
        s.cms = std::make_unique<CmsCheck>(s.der, sr.subfilter);
        if (s.cms->md() != nullptr) {
            requests.back().md = s.cms->md();
            requests.back().ranges = {{0, s.a}, {s.b, s.b + s.c}};
        }
        sr.structure_ok = true;
    }

    // One pass over the file hashes every signature's ranges, on a thread
    // of its own while the revisions are compared below: the two only read
    // the file (pread), and each is most of the work.
    auto hash = [&file, &requests] { return digest_ranges(*file, requests); };
    std::future<std::vector<std::string>> hashing;
    try {
        hashing = std::async(std::launch::async, hash);
    } catch (const std::system_error&) {
        hashing = std::async(std::launch::deferred, hash);  // no thread to be had: hash later
    }

    // A certification signature must come first.
    for (std::size_t i = 1; i < sigs.size(); ++i) {
        if (sigs[i].report.certification) {
            sigs[i].report.reasons.emplace_back("a certification signature that is not the first "
                                                "signature");
            sigs[i].report.structure_ok = false;
        }
    }

    // Every revision after the first signed one, object by object.
    std::optional<std::size_t> first;
    for (const auto& s : sigs) {
        if (s.revision && s.report.structure_ok) {
            first = first ? std::min(*first, *s.revision) : *s.revision;
        }
    }
    std::map<std::size_t, std::vector<Change>> changes;  // by revision index
    if (first && scan.problems.empty()) {
        for (std::size_t j = *first + 1; j < scan.revisions.size(); ++j) {
            Constraints c;
            std::set<QPDFObjGen> signed_here;
            for (const auto& s : sigs) {
                if (!s.revision || !s.report.structure_ok) {
                    continue;
                }
                if (*s.revision < j) {
                    if (s.adds.docmdp) {
                        c.docmdp = c.docmdp ? std::min(*c.docmdp, *s.adds.docmdp) : *s.adds.docmdp;
                    }
                    c.signed_fields.insert(s.adds.signed_fields.begin(), s.adds.signed_fields.end());
                    c.locked_fields.insert(s.adds.locked_fields.begin(), s.adds.locked_fields.end());
                    c.lock_all = c.lock_all || s.adds.lock_all;
                    if (s.adds.has_exclude) {
                        c.has_exclude = true;
                        c.lock_all_except.insert(s.adds.lock_all_except.begin(),
                                                 s.adds.lock_all_except.end());
                    }
                } else if (*s.revision == j) {
                    signed_here.insert(s.dict);
                }
            }
            try {
                changes[j] = diff_revision(doc_at(j - 1), doc_at(j), scan.revisions[j - 1].end,
                                           static_cast<int>(j) + 1, c, signed_here);
                for (const auto& problem :
                     unlisted_bytes(file, scan.revisions[j], scan.revisions[j - 1].end, doc_at(j))) {
                    changes[j].push_back(
                        {static_cast<int>(j) + 1, "revision bytes", problem, false, false});
                }
            } catch (const std::exception& e) {
                changes[j] = {{static_cast<int>(j) + 1, "revision",
                               std::string("cannot be analysed: ") + e.what(), false, false}};
            }
            docs.erase(j - 1);  // not needed again: memory stays at two revisions
        }
    }

    // Form filling after the last signature is vouched for by nobody: a
    // field planted before signing and filled afterwards paints whatever
    // it likes over the signed page (a shadow "replace"). Where a later
    // signature covers it, its signer did vouch.
    std::optional<std::size_t> last_signed;
    for (const auto& s : sigs) {
        if (s.revision && s.report.structure_ok) {
            last_signed = last_signed ? std::max(*last_signed, *s.revision) : *s.revision;
        }
    }
    for (auto& [j, list] : changes) {
        if (!last_signed || j <= *last_signed) {
            continue;
        }
        for (Change& ch : list) {
            if (ch.allowed && ch.form_fill) {
                ch.allowed = false;
                ch.change += ", after the last signature: form filling that no signature covers";
            }
        }
    }

    std::vector<std::string> digests;
    try {
        digests = hashing.get();
    } catch (const std::exception& e) {
        report.verdict = "error";
        report.reasons.push_back(std::string("cannot read the file: ") + e.what());
        return report;
    }
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        Signature& s = sigs[i];
        SignatureReport& sr = s.report;
        if (!s.cms) {
            continue;
        }
        const CmsResult r = s.cms->finish(digests[i], trusted, sr.signed_at);
        sr.signer = r.signer_cn;
        sr.signer_email = r.signer_email;
        sr.signer_subject = r.signer_subject;
        sr.signer_issuer = r.signer_issuer;
        sr.digest_algorithm = r.digest_algorithm;
        sr.digest_ok = r.digest_ok;
        sr.signature_ok = r.signature_ok;
        sr.trusted = r.trusted;
        sr.timestamp = r.timestamp;
        sr.time_proven = r.time_proven;
        sr.trust_time = r.trust_time;
        for (const auto& reason : r.reasons) {
            sr.reasons.push_back(reason);
        }
        if (r.digest_ok) {
            sr.checks.push_back("the " + r.digest_algorithm +
                                " digest of the signed bytes matches the signature");
        }
        if (r.signature_ok) {
            sr.checks.emplace_back("the signature value verifies with the signer's key");
        }
        if (r.trusted) {
            sr.checks.emplace_back(std::string("the signer chains to a trust anchor ") +
                                   (r.time_proven ? "at the timestamp's proven time"
                                                  : "at the claimed signing time (time not proven)"));
        }
    }

    bool any_invalid = !report.reasons.empty();
    bool any_untrusted = false;
    for (auto& s : sigs) {
        SignatureReport& sr = s.report;
        if (s.revision) {
            for (std::size_t j = *s.revision + 1; j < scan.revisions.size(); ++j) {
                for (const Change& ch : changes[j]) {
                    sr.modified_after.push_back(ch);
                }
            }
        }
        const auto refused = std::count_if(sr.modified_after.begin(), sr.modified_after.end(),
                                           [](const Change& ch) { return !ch.allowed; });
        const bool disallowed = refused > 0;
        if (disallowed) {
            // Name the first change in the reason itself: the one-line
            // verdict shows it.
            const Change& first_refused = *std::find_if(
                sr.modified_after.begin(), sr.modified_after.end(),
                [](const Change& ch) { return !ch.allowed; });
            sr.reasons.push_back(
                "modified after this signature: " + revision_words(first_refused.revision) + ", " +
                first_refused.object + ": " + first_refused.change +
                (refused > 1 ? " (and " + std::to_string(refused - 1) + " more change(s) a later "
                                                                        "signing step may not make)"
                             : std::string()));
        }
        const bool intact = sr.structure_ok && sr.digest_ok && sr.signature_ok && !disallowed;
        const bool only_trust = intact && std::all_of(sr.reasons.begin(), sr.reasons.end(), [](const std::string& r) {
                                    return r.find("does not chain to a trust anchor") != std::string::npos ||
                                           r.find("timestamp authority") != std::string::npos;
                                });
        if (intact && sr.trusted && only_trust) {
            sr.verdict = "valid";
        } else if (intact && only_trust) {
            sr.verdict = "untrusted";
            any_untrusted = true;
        } else {
            sr.verdict = "invalid";
            any_invalid = true;
        }
        report.signatures.push_back(std::move(sr));
    }
    if (sigs.empty()) {
        report.reasons.emplace_back("no signature: the document is not signed");
        any_invalid = true;
    }
    report.verdict = any_invalid ? "invalid" : any_untrusted ? "untrusted" : "valid";
    return report;
}

VerifyReport verify_files(const VerifyOptions& options) {
    VerifyReport report;
    std::vector<crypto::X509Ptr> anchors;
    for (const auto& path : options.trust_files) {
        for (auto& cert : crypto::load_certificates(path)) {
            report.trust_anchors.push_back({crypto::subject_line(cert.get()),
                                            hex(std::string(reinterpret_cast<const char*>(
                                                                crypto::certificate_sha256(cert.get()).data()),
                                                            crypto::certificate_sha256(cert.get()).size())),
                                            path.string()});
            anchors.push_back(std::move(cert));
        }
    }
    if (options.store_dir) {
        const auto keys = *options.store_dir / "keys";
        if (crypto::OrganizationPki::exists(keys)) {
            for (auto& cert : crypto::load_trust_anchors(keys)) {
                const auto fp = crypto::certificate_sha256(cert.get());
                report.trust_anchors.push_back(
                    {crypto::subject_line(cert.get()),
                     hex(std::string(reinterpret_cast<const char*>(fp.data()), fp.size())),
                     "store " + options.store_dir->string()});
                anchors.push_back(std::move(cert));
            }
        }
    }
    std::vector<X509*> raw;
    for (const auto& a : anchors) {
        raw.push_back(a.get());
    }
    crypto::X509StorePtr store = crypto::make_trust_store(raw);
    for (const auto& path : options.files) {
        FileReport f = verify_file(path, store.get());
        if (options.check_store && f.verdict != "error") {
            f.store = check_against_store(path, options.store_dir);
            if (f.store && f.store->known && (!f.store->revisions_match || !f.store->chain_intact)) {
                f.verdict = "invalid";
                f.reasons.emplace_back("the store's record of this document does not match it");
            }
        }
        report.files.push_back(std::move(f));
    }
    return report;
}

}  // namespace signet::verify
