#include "pdf/font.hpp"

#include "signet/error.hpp"
#include "util/fs.hpp"

#include <algorithm>
#include <memory>
#include <mutex>

namespace signet::pdf {
namespace {

// Big-endian reads with bounds checks: a font file is input like any other.
class Reader {
public:
    Reader(std::string_view data, const std::string& name) : m_data(data), m_name(name) {}

    std::uint8_t u8(std::size_t at) const {
        need(at, 1);
        return static_cast<std::uint8_t>(m_data[at]);
    }
    std::uint16_t u16(std::size_t at) const {
        need(at, 2);
        return static_cast<std::uint16_t>((byte(at) << 8) | byte(at + 1));
    }
    std::int16_t i16(std::size_t at) const { return static_cast<std::int16_t>(u16(at)); }
    std::uint32_t u32(std::size_t at) const {
        need(at, 4);
        return (std::uint32_t{byte(at)} << 24) | (std::uint32_t{byte(at + 1)} << 16) |
               (std::uint32_t{byte(at + 2)} << 8) | std::uint32_t{byte(at + 3)};
    }
    std::int32_t i32(std::size_t at) const { return static_cast<std::int32_t>(u32(at)); }
    std::size_t size() const { return m_data.size(); }
    std::string_view sub(std::size_t at, std::size_t length) const {
        need(at, length);
        return m_data.substr(at, length);
    }

private:
    unsigned byte(std::size_t at) const { return static_cast<unsigned char>(m_data[at]); }
    void need(std::size_t at, std::size_t n) const {
        if (at > m_data.size() || n > m_data.size() - at) {
            throw internal_error("font \"" + m_name + "\": malformed (data ends early)");
        }
    }

    std::string_view m_data;
    const std::string& m_name;
};

void put16(std::string& out, std::size_t at, std::uint16_t v) {
    out[at] = static_cast<char>(v >> 8);
    out[at + 1] = static_cast<char>(v & 0xFF);
}

void put32(std::string& out, std::size_t at, std::uint32_t v) {
    out[at] = static_cast<char>(v >> 24);
    out[at + 1] = static_cast<char>((v >> 16) & 0xFF);
    out[at + 2] = static_cast<char>((v >> 8) & 0xFF);
    out[at + 3] = static_cast<char>(v & 0xFF);
}

void append16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xFF));
}

void append32(std::string& out, std::uint32_t v) {
    append16(out, static_cast<std::uint16_t>(v >> 16));
    append16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

void pad4(std::string& out) {
    while (out.size() % 4 != 0) {
        out.push_back('\0');
    }
}

// The sfnt checksum: the sum of the data as big-endian 32-bit words, padded
// with zeros.
std::uint32_t checksum(std::string_view data) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < data.size(); i += 4) {
        std::uint32_t word = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            word <<= 8;
            if (i + k < data.size()) {
                word |= static_cast<unsigned char>(data[i + k]);
            }
        }
        sum += word;
    }
    return sum;
}

// Composite glyph flags (OpenType glyf table).
constexpr std::uint16_t k_arg_words = 0x0001;
constexpr std::uint16_t k_have_scale = 0x0008;
constexpr std::uint16_t k_more_components = 0x0020;
constexpr std::uint16_t k_xy_scale = 0x0040;
constexpr std::uint16_t k_two_by_two = 0x0080;

constexpr std::size_t k_max_cmap_entries = 0x110000;

}  // namespace

std::u32string utf8_to_codepoints(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t c = 0;
        char32_t min = 0;
        if (b0 < 0x80) {
            out.push_back(b0);
            ++i;
            continue;
        }
        if ((b0 & 0xE0) == 0xC0) {
            len = 2;
            c = b0 & 0x1Fu;
            min = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3;
            c = b0 & 0x0Fu;
            min = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4;
            c = b0 & 0x07u;
            min = 0x10000;
        }
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) {
                ok = false;
            } else {
                c = (c << 6) | (b & 0x3Fu);
            }
        }
        if (ok && (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))) {
            ok = false;
        }
        if (ok) {
            out.push_back(c);
            i += len;
        } else {
            out.push_back(U'\uFFFD');
            ++i;
        }
    }
    return out;
}

TrueTypeFont TrueTypeFont::load(const std::filesystem::path& path,
                                std::string_view debian_package) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        const std::string package(debian_package);
        throw Error(ErrorKind::internal,
                    "font file \"" + path.string() + "\" is missing (Debian package " + package +
                        ")",
                    {"install it: apt install " + package});
    }
    return parse(util::read_file(path), path.string());
}

TrueTypeFont TrueTypeFont::parse(std::string data, const std::string& name) {
    TrueTypeFont font;
    font.m_data = std::move(data);
    font.m_name = name;
    const Reader r(font.m_data, font.m_name);

    const std::uint32_t version = r.u32(0);
    if (version != 0x00010000 && version != 0x74727565 /* 'true' */) {
        throw internal_error("font \"" + name + "\": not a TrueType font");
    }
    const std::uint16_t tables = r.u16(4);
    for (std::uint16_t i = 0; i < tables; ++i) {
        const std::size_t rec = 12 + std::size_t{i} * 16;
        std::string tag(r.sub(rec, 4));
        Table t{r.u32(rec + 8), r.u32(rec + 12)};
        r.sub(t.offset, t.length);  // inside the file
        font.m_tables[tag] = t;
    }
    for (const char* tag : {"head", "hhea", "hmtx", "maxp", "loca", "glyf"}) {
        if (!font.has_table(tag)) {
            throw internal_error("font \"" + name + "\": no " + tag +
                                 " table (not a TrueType font with glyf outlines)");
        }
    }

    const Reader head(font.table("head"), name);
    const Reader maxp(font.table("maxp"), name);
    const Reader hhea(font.table("hhea"), name);
    font.m_glyph_count = maxp.u16(4);
    font.m_hmetrics = hhea.u16(34);
    if (font.m_glyph_count == 0 || font.m_hmetrics == 0 || font.m_hmetrics > font.m_glyph_count) {
        throw internal_error("font \"" + name + "\": malformed (glyph counts)");
    }
    const std::size_t long_metrics = font.m_hmetrics;
    if (font.table("hmtx").size() <
        long_metrics * 4 + (std::size_t{font.m_glyph_count} - long_metrics) * 2) {
        throw internal_error("font \"" + name + "\": malformed (hmtx too short)");
    }

    const Reader loca(font.table("loca"), name);
    const bool long_loca = head.i16(50) == 1;
    const std::size_t glyf_size = font.table("glyf").size();
    font.m_loca.resize(std::size_t{font.m_glyph_count} + 1);
    for (std::size_t g = 0; g <= font.m_glyph_count; ++g) {
        const std::uint32_t off = long_loca ? loca.u32(g * 4) : std::uint32_t{loca.u16(g * 2)} * 2;
        if (off > glyf_size || (g > 0 && off < font.m_loca[g - 1])) {
            throw internal_error("font \"" + name + "\": malformed (loca)");
        }
        font.m_loca[g] = off;
    }

    if (font.has_table("cmap")) {
        // Fonts embedded in PDFs may have none: they are used by glyph id.
        font.read_cmap();
    }
    font.read_metrics();
    font.read_name();
    return font;
}

bool TrueTypeFont::has_table(const char* tag) const { return m_tables.count(tag) != 0; }

std::string_view TrueTypeFont::table(const char* tag) const {
    const auto it = m_tables.find(tag);
    if (it == m_tables.end()) {
        return {};
    }
    return std::string_view(m_data).substr(it->second.offset, it->second.length);
}

void TrueTypeFont::read_cmap() {
    const Reader r(table("cmap"), m_name);
    const std::uint16_t count = r.u16(2);
    // Best first: a full-Unicode format 12 table, then a BMP format 4 one.
    std::size_t best = 0;
    int best_rank = 0;
    for (std::uint16_t i = 0; i < count; ++i) {
        const std::size_t rec = 4 + std::size_t{i} * 8;
        const std::uint16_t platform = r.u16(rec);
        const std::uint16_t encoding = r.u16(rec + 2);
        const std::uint32_t offset = r.u32(rec + 4);
        const std::uint16_t format = r.u16(offset);
        const bool unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
        int rank = 0;
        if (unicode && format == 12) {
            rank = 2;
        } else if (unicode && format == 4) {
            rank = 1;
        }
        if (rank > best_rank) {
            best_rank = rank;
            best = offset;
        }
    }
    if (best_rank == 0) {
        throw internal_error("font \"" + m_name + "\": no Unicode cmap (format 4 or 12)");
    }
    if (best_rank == 2) {
        const std::uint32_t groups = r.u32(best + 12);
        for (std::uint32_t i = 0; i < groups; ++i) {
            const std::size_t g = best + 16 + std::size_t{i} * 12;
            const std::uint32_t first = r.u32(g);
            const std::uint32_t last = std::min<std::uint32_t>(r.u32(g + 4), 0x10FFFF);
            const std::uint32_t glyph = r.u32(g + 8);
            for (std::uint32_t c = first; c <= last && m_cmap.size() < k_max_cmap_entries; ++c) {
                const std::uint32_t id = glyph + (c - first);
                if (id < m_glyph_count) {
                    m_cmap.emplace(c, static_cast<std::uint16_t>(id));
                }
            }
        }
        return;
    }
    const std::size_t seg_count = r.u16(best + 6) / 2u;
    const std::size_t ends = best + 14;
    const std::size_t starts = ends + seg_count * 2 + 2;
    const std::size_t deltas = starts + seg_count * 2;
    const std::size_t range_offsets = deltas + seg_count * 2;
    for (std::size_t s = 0; s < seg_count; ++s) {
        const std::uint16_t end = r.u16(ends + s * 2);
        const std::uint16_t start = r.u16(starts + s * 2);
        const std::uint16_t delta = r.u16(deltas + s * 2);
        const std::uint16_t range_offset = r.u16(range_offsets + s * 2);
        for (std::uint32_t c = start; c <= end && c != 0xFFFF; ++c) {
            std::uint32_t id = 0;
            if (range_offset == 0) {
                id = (c + delta) & 0xFFFFu;
            } else {
                const std::size_t at = range_offsets + s * 2 + range_offset + (c - start) * 2;
                id = r.u16(at);
                if (id != 0) {
                    id = (id + delta) & 0xFFFFu;
                }
            }
            if (id != 0 && id < m_glyph_count) {
                m_cmap.emplace(c, static_cast<std::uint16_t>(id));
            }
        }
    }
}

void TrueTypeFont::read_metrics() {
    const Reader head(table("head"), m_name);
    const Reader hhea(table("hhea"), m_name);
    m_metrics.units_per_em = head.u16(18);
    if (m_metrics.units_per_em < 16) {
        throw internal_error("font \"" + m_name + "\": malformed (unitsPerEm)");
    }
    m_metrics.x_min = head.i16(36);
    m_metrics.y_min = head.i16(38);
    m_metrics.x_max = head.i16(40);
    m_metrics.y_max = head.i16(42);
    m_metrics.italic = (head.u16(44) & 0x2) != 0;
    m_metrics.ascent = hhea.i16(4);
    m_metrics.descent = hhea.i16(6);
    m_metrics.line_gap = hhea.i16(8);
    if (has_table("OS/2")) {
        const Reader os2(table("OS/2"), m_name);
        m_metrics.weight_class = os2.u16(4);
        if (os2.u16(0) >= 2 && os2.size() >= 90) {
            m_metrics.cap_height = os2.i16(88);
        }
    }
    if (m_metrics.cap_height <= 0) {
        // No OS/2 capHeight (version 1 tables, as DejaVu's): the top of "H".
        const std::string_view h = glyph_data(glyph_for(U'H'));
        m_metrics.cap_height =
            h.size() >= 10 ? Reader(h, m_name).i16(8) : m_metrics.ascent * 7 / 10;
    }
    if (has_table("post")) {
        const Reader post(table("post"), m_name);
        m_metrics.italic_angle = post.i32(4) / 65536.0;
        m_metrics.fixed_pitch = post.u32(12) != 0;
        m_metrics.italic = m_metrics.italic || m_metrics.italic_angle != 0;
    }
}

void TrueTypeFont::read_name() {
    if (has_table("name")) {
        const Reader r(table("name"), m_name);
        const std::uint16_t count = r.u16(2);
        const std::size_t strings = r.u16(4);
        for (std::uint16_t i = 0; i < count && m_postscript_name.empty(); ++i) {
            const std::size_t rec = 6 + std::size_t{i} * 12;
            const std::uint16_t platform = r.u16(rec);
            if (r.u16(rec + 6) != 6 || (platform != 1 && platform != 3)) {
                continue;
            }
            const std::string_view raw = r.sub(strings + r.u16(rec + 10), r.u16(rec + 8));
            std::string name;
            const std::size_t step = platform == 3 ? 2 : 1;
            for (std::size_t k = step - 1; k < raw.size(); k += step) {
                const char ch = raw[k];
                const bool high_zero = step == 1 || raw[k - 1] == '\0';
                if (high_zero && ch > ' ' && ch < 127 && std::string_view("[](){}<>/%").find(ch) ==
                                                             std::string_view::npos) {
                    name.push_back(ch);
                }
            }
            m_postscript_name = name;
        }
    }
    if (m_postscript_name.empty()) {
        m_postscript_name = "Font";
    }
}

std::uint16_t TrueTypeFont::glyph_for(char32_t c) const {
    const auto it = m_cmap.find(c);
    return it == m_cmap.end() ? 0 : it->second;
}

int TrueTypeFont::advance(std::uint16_t glyph) const {
    if (glyph >= m_glyph_count) {
        return 0;
    }
    const Reader r(table("hmtx"), m_name);
    const std::size_t index = std::min<std::size_t>(glyph, m_hmetrics - 1u);
    return r.u16(index * 4);
}

std::string_view TrueTypeFont::glyph_data(std::uint16_t glyph) const {
    if (glyph >= m_glyph_count) {
        return {};
    }
    return table("glyf").substr(m_loca[glyph], m_loca[glyph + 1u] - m_loca[glyph]);
}

bool TrueTypeFont::has_outline_data(std::uint16_t glyph) const {
    return !glyph_data(glyph).empty();
}

std::vector<std::uint16_t> TrueTypeFont::components(std::uint16_t glyph) const {
    std::vector<std::uint16_t> out;
    const std::string_view data = glyph_data(glyph);
    if (data.size() < 10) {
        return out;
    }
    const Reader r(data, m_name);
    if (r.i16(0) >= 0) {
        return out;
    }
    std::size_t at = 10;
    for (int guard = 0; guard < 256; ++guard) {
        const std::uint16_t flags = r.u16(at);
        out.push_back(r.u16(at + 2));
        at += 4;
        at += (flags & k_arg_words) != 0 ? 4 : 2;
        if ((flags & k_have_scale) != 0) {
            at += 2;
        } else if ((flags & k_xy_scale) != 0) {
            at += 4;
        } else if ((flags & k_two_by_two) != 0) {
            at += 8;
        }
        if ((flags & k_more_components) == 0) {
            break;
        }
    }
    return out;
}

std::string TrueTypeFont::subset(const std::set<std::uint16_t>& glyphs) const {
    // The closure: .notdef, the glyphs asked for and their components.
    std::set<std::uint16_t> keep;
    std::vector<std::uint16_t> todo(glyphs.begin(), glyphs.end());
    todo.push_back(0);
    while (!todo.empty()) {
        const std::uint16_t g = todo.back();
        todo.pop_back();
        if (g >= m_glyph_count || !keep.insert(g).second) {
            continue;
        }
        for (std::uint16_t c : components(g)) {
            todo.push_back(c);
        }
    }
    const std::uint16_t count = static_cast<std::uint16_t>(*keep.rbegin() + 1u);

    std::string glyf;
    std::vector<std::uint32_t> offsets;
    offsets.reserve(std::size_t{count} + 1);
    for (std::uint16_t g = 0; g < count; ++g) {
        offsets.push_back(static_cast<std::uint32_t>(glyf.size()));
        if (keep.count(g) != 0) {
            glyf += glyph_data(g);
            pad4(glyf);
        }
    }
    offsets.push_back(static_cast<std::uint32_t>(glyf.size()));
    const bool long_loca = glyf.size() > 0x1FFFE;
    std::string loca;
    for (std::uint32_t off : offsets) {
        if (long_loca) {
            append32(loca, off);
        } else {
            append16(loca, static_cast<std::uint16_t>(off / 2));
        }
    }

    const std::uint16_t hmetrics = std::min(m_hmetrics, count);
    std::string hmtx(table("hmtx").substr(
        0, std::size_t{hmetrics} * 4 + (std::size_t{count} - hmetrics) * 2));
    // Unused glyphs' metrics are zeroed too: PDF takes widths from /W, and
    // zeros compress to nothing.
    for (std::uint16_t g = 0; g < count; ++g) {
        if (keep.count(g) == 0) {
            const std::size_t long_part = std::size_t{hmetrics} * 4;
            const std::size_t at =
                g < hmetrics ? std::size_t{g} * 4 : long_part + (std::size_t{g} - hmetrics) * 2;
            const std::size_t n = g < hmetrics ? 4 : 2;
            hmtx.replace(at, n, n, '\0');
        }
    }

    std::string head(table("head"));
    if (head.size() < 54) {
        throw internal_error("font \"" + m_name + "\": malformed (head)");
    }
    put32(head, 8, 0);  // checkSumAdjustment, set below
    put16(head, 50, long_loca ? 1 : 0);
    std::string hhea(table("hhea"));
    put16(hhea, 34, hmetrics);
    std::string maxp(table("maxp"));
    put16(maxp, 4, count);

    // Sorted by tag, as the table directory must be.
    std::vector<std::pair<std::string, std::string>> tables;
    if (has_table("cvt ")) {
        tables.emplace_back("cvt ", std::string(table("cvt ")));
    }
    if (has_table("fpgm")) {
        tables.emplace_back("fpgm", std::string(table("fpgm")));
    }
    tables.emplace_back("glyf", std::move(glyf));
    tables.emplace_back("head", std::move(head));
    tables.emplace_back("hhea", std::move(hhea));
    tables.emplace_back("hmtx", std::move(hmtx));
    tables.emplace_back("loca", std::move(loca));
    tables.emplace_back("maxp", std::move(maxp));
    if (has_table("prep")) {
        tables.emplace_back("prep", std::string(table("prep")));
    }

    const auto n = static_cast<std::uint16_t>(tables.size());
    std::uint16_t power = 1;
    std::uint16_t selector = 0;
    while (power * 2u <= n) {
        power = static_cast<std::uint16_t>(power * 2u);
        ++selector;
    }
    std::string out;
    append32(out, 0x00010000);
    append16(out, n);
    append16(out, static_cast<std::uint16_t>(power * 16u));
    append16(out, selector);
    append16(out, static_cast<std::uint16_t>(n * 16u - power * 16u));
    std::size_t offset = 12 + std::size_t{n} * 16;
    std::size_t head_offset = 0;
    for (const auto& [tag, body] : tables) {
        out += tag;
        append32(out, checksum(body));
        append32(out, static_cast<std::uint32_t>(offset));
        append32(out, static_cast<std::uint32_t>(body.size()));
        if (tag == "head") {
            head_offset = offset;
        }
        offset += (body.size() + 3) / 4 * 4;
    }
    for (const auto& entry : tables) {
        out += entry.second;
        pad4(out);
    }
    put32(out, head_offset + 8, 0xB1B0AFBAu - checksum(out));
    return out;
}

const TrueTypeFont& text_font() {
    static std::once_flag once;
    static std::unique_ptr<TrueTypeFont> font;
    std::call_once(once, [] {
        font = std::make_unique<TrueTypeFont>(
            TrueTypeFont::load(k_text_font_path, k_text_font_package));
    });
    return *font;
}

}  // namespace signet::pdf
