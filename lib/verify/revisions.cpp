#include "verify/revisions.hpp"

#include <qpdf/QPDFTokenizer.hh>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace signet::verify {
namespace {

constexpr std::size_t k_max_sections = 10000;
// Each revision is opened on its own and compared with the one before: the
// work grows with the square of their number. Real documents have a few
// dozen; more is refused rather than analysed for minutes.
constexpr std::size_t k_max_revisions = 256;
constexpr std::size_t k_max_token = 1 << 20;
constexpr std::size_t k_max_objects = 10000000;

class Tokens {
public:
    Tokens(std::shared_ptr<const PdfFile> file, std::uint64_t at)
        : m_src(std::make_shared<PrefixSource>(file, file->size())) {
        m_src->seek(static_cast<qpdf_offset_t>(at), SEEK_SET);
        m_tok.allowEOF();
        m_tok.includeIgnorable();
    }
    // The next token that is not white space; comments only when `comments`.
    QPDFTokenizer::Token next(bool comments = false) {
        for (;;) {
            QPDFTokenizer::Token t = m_tok.readToken(m_src, "xref", true, k_max_token);
            if (t.getType() == QPDFTokenizer::tt_space) {
                continue;
            }
            if (t.getType() == QPDFTokenizer::tt_comment && !comments) {
                continue;
            }
            m_last = static_cast<std::uint64_t>(m_src->getLastOffset());
            return t;
        }
    }
    std::uint64_t last_offset() const { return m_last; }
    std::uint64_t tell() { return static_cast<std::uint64_t>(m_src->tell()); }
    void seek(std::uint64_t at) { m_src->seek(static_cast<qpdf_offset_t>(at), SEEK_SET); }
    PrefixSource& source() { return *m_src; }

private:
    std::shared_ptr<PrefixSource> m_src;
    QPDFTokenizer m_tok;
    std::uint64_t m_last = 0;
};

bool to_offset(const QPDFTokenizer::Token& t, std::uint64_t& out) {
    if (t.getType() != QPDFTokenizer::tt_integer) {
        return false;
    }
    const std::string& v = t.getValue();
    if (v.empty() || v.size() > 15 || v[0] == '-' || v[0] == '+') {
        return false;
    }
    out = std::stoull(v);
    return true;
}

struct Section {
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> prev;
    std::optional<std::uint64_t> xref_stream;  // a hybrid file's /XRefStm
    std::optional<std::uint64_t> eof_end;
    std::optional<std::uint64_t> end;
    std::string problem;
};

// After a dictionary's "<<" has been read: reads to its ">>", noting the
// integer values of /Prev and /Length at the top level.
bool read_dict(Tokens& t, std::optional<std::uint64_t>& prev, std::optional<std::uint64_t>& length,
               std::string& problem, std::optional<std::uint64_t>* xref_stream = nullptr) {
    int depth = 1;
    std::string pending_key;
    while (depth > 0) {
        const QPDFTokenizer::Token tok = t.next();
        switch (tok.getType()) {
        case QPDFTokenizer::tt_dict_open:
        case QPDFTokenizer::tt_array_open:
            ++depth;
            pending_key.clear();
            break;
        case QPDFTokenizer::tt_dict_close:
        case QPDFTokenizer::tt_array_close:
            --depth;
            pending_key.clear();
            break;
        case QPDFTokenizer::tt_eof:
        case QPDFTokenizer::tt_bad:
            problem = "the trailer dictionary is malformed";
            return false;
        case QPDFTokenizer::tt_name:
            if (depth == 1 && pending_key.empty()) {
                pending_key = tok.getValue();
                continue;
            }
            pending_key.clear();
            break;
        default:
            if (depth == 1 && !pending_key.empty()) {
                std::uint64_t v = 0;
                if (pending_key == "/Prev" && to_offset(tok, v)) {
                    if (prev) {
                        problem = "the trailer has /Prev twice";
                        return false;
                    }
                    prev = v;
                } else if (pending_key == "/Length" && to_offset(tok, v)) {
                    length = v;
                } else if (pending_key == "/XRefStm" && xref_stream != nullptr && to_offset(tok, v)) {
                    *xref_stream = v;
                }
            }
            pending_key.clear();
            // A value followed by "R": keys and values alternate, so the
            // next token after an indirect reference's "R" is a key again.
            break;
        }
        if (depth == 1 && tok.getType() == QPDFTokenizer::tt_word) {
            pending_key.clear();
        }
    }
    return true;
}

// Reads "startxref N %%EOF" and the end-of-line after it.
void read_tail(Tokens& t, const PdfFile& file, Section& s) {
    const QPDFTokenizer::Token word = t.next();
    if (!word.isWord("startxref")) {
        s.problem = "no startxref after the xref section at offset " + std::to_string(s.offset);
        return;
    }
    std::uint64_t value = 0;
    if (!to_offset(t.next(), value)) {
        s.problem = "startxref without an offset after the xref section at offset " +
                    std::to_string(s.offset);
        return;
    }
    const QPDFTokenizer::Token eof = t.next(true);
    if (eof.getType() != QPDFTokenizer::tt_comment || eof.getValue().rfind("%%EOF", 0) != 0) {
        s.problem = "no %%EOF after the xref section at offset " + std::to_string(s.offset);
        return;
    }
    const std::uint64_t after = t.last_offset() + 5;
    s.eof_end = after;
    const std::string next = file.read_string(after, 2);
    std::uint64_t end = after;
    if (next.rfind("\r\n", 0) == 0) {
        end += 2;
    } else if (!next.empty() && (next[0] == '\n' || next[0] == '\r')) {
        end += 1;
    }
    s.end = end;
}

Section read_section(const std::shared_ptr<const PdfFile>& file, std::uint64_t at) {
    Section s;
    s.offset = at;
    if (at >= file->size()) {
        s.problem = "an xref offset (" + std::to_string(at) + ") is past the end of the file";
        return s;
    }
    try {
        Tokens t(file, at);
        QPDFTokenizer::Token first = t.next();
        if (t.last_offset() != at) {
            s.problem = "no xref section at offset " + std::to_string(at);
            return s;
        }
        std::optional<std::uint64_t> length;
        if (first.isWord("xref")) {
            for (;;) {
                QPDFTokenizer::Token tok = t.next();
                if (tok.isWord("trailer")) {
                    break;
                }
                std::uint64_t start = 0;
                std::uint64_t count = 0;
                if (!to_offset(tok, start) || !to_offset(t.next(), count)) {
                    s.problem = "a malformed xref table at offset " + std::to_string(at);
                    return s;
                }
                for (std::uint64_t i = 0; i < count; ++i) {
                    std::uint64_t a = 0;
                    std::uint64_t b = 0;
                    const bool ok = to_offset(t.next(), a) && to_offset(t.next(), b);
                    const QPDFTokenizer::Token kind = t.next();
                    if (!ok || !(kind.isWord("n") || kind.isWord("f"))) {
                        s.problem = "a malformed xref entry in the table at offset " +
                                    std::to_string(at);
                        return s;
                    }
                }
            }
            if (t.next().getType() != QPDFTokenizer::tt_dict_open ||
                !read_dict(t, s.prev, length, s.problem, &s.xref_stream)) {
                if (s.problem.empty()) {
                    s.problem = "no trailer dictionary after the xref table at offset " +
                                std::to_string(at);
                }
                return s;
            }
            read_tail(t, *file, s);
            return s;
        }
        // A cross-reference stream: "N G obj << ... >> stream".
        std::uint64_t num = 0;
        std::uint64_t gen = 0;
        if (!to_offset(first, num) || !to_offset(t.next(), gen) || !t.next().isWord("obj") ||
            t.next().getType() != QPDFTokenizer::tt_dict_open ||
            !read_dict(t, s.prev, length, s.problem)) {
            if (s.problem.empty()) {
                s.problem = "no xref section at offset " + std::to_string(at);
            }
            return s;
        }
        if (!t.next().isWord("stream") || !length) {
            s.problem = "the xref stream at offset " + std::to_string(at) +
                        " has no stream data or no direct /Length";
            return s;
        }
        std::uint64_t data = t.tell();
        const std::string eol = file->read_string(data, 2);
        if (eol.rfind("\r\n", 0) == 0) {
            data += 2;
        } else if (!eol.empty() && eol[0] == '\n') {
            data += 1;
        }
        if (*length > file->size() || data + *length > file->size()) {
            s.problem = "the xref stream at offset " + std::to_string(at) + " runs past the file";
            return s;
        }
        t.seek(data + *length);
        if (!t.next().isWord("endstream") || !t.next().isWord("endobj")) {
            s.problem = "the xref stream at offset " + std::to_string(at) + " is malformed";
            return s;
        }
        read_tail(t, *file, s);
    } catch (const std::exception& e) {
        s.problem = "the xref section at offset " + std::to_string(at) +
                    " cannot be read: " + e.what();
    }
    return s;
}

// The offset in the last "startxref N %%EOF" of the file.
std::optional<std::uint64_t> final_startxref(const PdfFile& file, std::string& problem) {
    const std::uint64_t tail_len = std::min<std::uint64_t>(file.size(), 2048);
    const std::string tail = file.read_string(file.size() - tail_len, tail_len);
    const std::size_t at = tail.rfind("startxref");
    if (at == std::string::npos) {
        problem = "no startxref near the end of the file";
        return std::nullopt;
    }
    std::size_t i = at + 9;
    while (i < tail.size() && (tail[i] == ' ' || tail[i] == '\r' || tail[i] == '\n' ||
                               tail[i] == '\t' || tail[i] == '\f' || tail[i] == '\0')) {
        ++i;
    }
    std::uint64_t v = 0;
    std::size_t digits = 0;
    while (i < tail.size() && tail[i] >= '0' && tail[i] <= '9' && digits < 16) {
        v = v * 10 + static_cast<std::uint64_t>(tail[i] - '0');
        ++i;
        ++digits;
    }
    if (digits == 0) {
        problem = "startxref without an offset at the end of the file";
        return std::nullopt;
    }
    return v;
}

}  // namespace

RevisionScan scan_revisions(const std::shared_ptr<const PdfFile>& file) {
    RevisionScan scan;
    std::string problem;
    std::optional<std::uint64_t> at = final_startxref(*file, problem);
    if (!at) {
        scan.problems.push_back(problem);
        return scan;
    }
    std::vector<Section> chain;  // newest first
    std::set<std::uint64_t> seen;
    while (at) {
        if (!seen.insert(*at).second) {
            scan.problems.push_back("the xref chain loops back to offset " + std::to_string(*at));
            break;
        }
        if (chain.size() >= k_max_sections) {
            scan.problems.push_back("more than " + std::to_string(k_max_sections) +
                                    " xref sections");
            break;
        }
        Section s = read_section(file, *at);
        if (!s.problem.empty()) {
            scan.problems.push_back(s.problem);
            break;
        }
        at = s.prev;
        chain.push_back(std::move(s));
    }
    if (!scan.problems.empty()) {
        return scan;
    }
    // Oldest first: a section that ends after the revision before starts a
    // new revision; one that ends inside it (a linearised file's first-page
    // section) belongs to that revision.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const Section& s = *it;
        if (scan.revisions.empty() || *s.end > scan.revisions.back().end) {
            if (!scan.revisions.empty() && s.offset < scan.revisions.back().end) {
                scan.problems.push_back("the xref section at offset " + std::to_string(s.offset) +
                                        " lies inside an earlier revision");
            }
            scan.revisions.push_back({s.offset, *s.eof_end, *s.end, {s.offset}});
        } else {
            scan.revisions.back().sections.push_back(s.offset);
        }
        // A hybrid file's cross-reference stream is part of its section.
        if (s.xref_stream && *s.xref_stream < *s.end) {
            scan.revisions.back().sections.push_back(*s.xref_stream);
        }
    }
    if (scan.revisions.size() > k_max_revisions) {
        scan.too_many = true;
        scan.problems.push_back(std::to_string(scan.revisions.size()) + " revisions, more than the " +
                                std::to_string(k_max_revisions) + " verify analyses");
    }
    const std::uint64_t last_end = scan.revisions.back().end;
    if (last_end < file->size()) {
        const std::string rest = file->read_string(last_end, 4096);
        const bool blank = file->size() - last_end <= 4096 &&
                           std::all_of(rest.begin(), rest.end(), [](char c) {
                               return c == ' ' || c == '\r' || c == '\n' || c == '\t' ||
                                      c == '\0' || c == '\f';
                           });
        if (!blank) {
            scan.problems.push_back(std::to_string(file->size() - last_end) +
                                    " bytes after the last revision's %%EOF belong to no "
                                    "revision");
        }
    }
    return scan;
}

std::vector<std::string> unlisted_bytes(const std::shared_ptr<const PdfFile>& file,
                                        const Revision& revision, std::uint64_t begin, QPDF& doc) {
    std::vector<std::string> out;
    auto at_words = [](std::uint64_t at) { return "offset " + std::to_string(at); };
    try {
        std::map<std::uint64_t, QPDFObjGen> listed;
        for (const auto& [og, entry] : doc.getXRefTable()) {
            if (entry.getType() == 1 && entry.getOffset() >= 0) {
                listed.emplace(static_cast<std::uint64_t>(entry.getOffset()), og);
            }
        }
        const std::set<std::uint64_t> sections(revision.sections.begin(), revision.sections.end());
        Tokens t(file, begin);
        for (std::size_t n = 0; n < k_max_objects; ++n) {
            QPDFTokenizer::Token tok = t.next(true);
            std::uint64_t at = t.last_offset();
            while (tok.getType() == QPDFTokenizer::tt_comment) {
                if (tok.getValue().find("obj") != std::string::npos) {
                    out.push_back("a comment at " + at_words(at) +
                                  " holds what a repairing reader takes for an object");
                    return out;
                }
                tok = t.next(true);
                at = t.last_offset();
            }
            if (at >= revision.end || tok.getType() == QPDFTokenizer::tt_eof ||
                tok.isWord("startxref") || (tok.isWord("xref") && sections.count(at) != 0)) {
                return out;
            }
            std::uint64_t num = 0;
            std::uint64_t gen = 0;
            if (!to_offset(tok, num) || !to_offset(t.next(), gen) || !t.next().isWord("obj") ||
                num > 0x7fffffff || gen > 0xffff) {
                out.push_back("bytes at " + at_words(at) + " that are neither an object nor the xref");
                return out;
            }
            const QPDFObjGen og(static_cast<int>(num), static_cast<int>(gen));
            const auto it = listed.find(at);
            const bool is_section = sections.count(at) != 0;
            if (!is_section && (it == listed.end() || it->second != og)) {
                out.push_back("the object " + std::to_string(num) + " " + std::to_string(gen) +
                              " at " + at_words(at) +
                              " is not in the revision's xref: hidden from readers that trust "
                              "the xref, found by those that rebuild it");
                return out;
            }
            // To the end of the object: "endobj", or a stream's data first.
            int depth = 0;
            std::string key;
            std::optional<std::uint64_t> length;
            for (;;) {
                const QPDFTokenizer::Token v = t.next();
                const auto type = v.getType();
                if (type == QPDFTokenizer::tt_eof || type == QPDFTokenizer::tt_bad) {
                    out.push_back("the object at " + at_words(at) + " is malformed");
                    return out;
                }
                if (v.isWord("endobj")) {
                    break;
                }
                if (v.isWord("stream")) {
                    if (!is_section) {
                        QPDFObjectHandle o = doc.getObject(og);
                        QPDFObjectHandle l =
                            o.isStream() ? o.getDict().getKey("/Length") : QPDFObjectHandle::newNull();
                        if (l.isInteger() && l.getIntValue() >= 0) {
                            length = static_cast<std::uint64_t>(l.getIntValue());
                        }
                    }
                    std::uint64_t data = t.tell();
                    const std::string eol = file->read_string(data, 2);
                    if (eol.rfind("\r\n", 0) == 0) {
                        data += 2;
                    } else if (!eol.empty() && eol[0] == '\n') {
                        data += 1;
                    }
                    if (!length || data + *length > revision.end) {
                        out.push_back("the stream at " + at_words(at) + " has no usable /Length");
                        return out;
                    }
                    t.seek(data + *length);
                    if (!t.next().isWord("endstream") || !t.next().isWord("endobj")) {
                        out.push_back("the stream at " + at_words(at) +
                                      " does not end where its /Length says");
                        return out;
                    }
                    break;
                }
                if (type == QPDFTokenizer::tt_dict_open || type == QPDFTokenizer::tt_array_open) {
                    ++depth;
                } else if (type == QPDFTokenizer::tt_dict_close ||
                           type == QPDFTokenizer::tt_array_close) {
                    --depth;
                }
                std::uint64_t value = 0;
                if (depth == 1 && key == "/Length" && to_offset(v, value)) {
                    length = value;  // an indirect /Length is read from `doc` above
                }
                key = depth == 1 && type == QPDFTokenizer::tt_name && key.empty() ? v.getValue()
                                                                                   : std::string();
            }
        }
        out.emplace_back("too many objects in one revision");
    } catch (const std::exception& e) {
        out.push_back(std::string("its bytes cannot be read: ") + e.what());
    }
    return out;
}

}  // namespace signet::verify
