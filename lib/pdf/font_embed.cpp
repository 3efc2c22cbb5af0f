#include "pdf/font_embed.hpp"

#include "pdf/appearance_stream.hpp"
#include "signet/error.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace signet::pdf {
namespace {

using detail::num;

std::string hex4(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v & 0xFFFFu);
    return buf;
}

// UTF-16BE hex of one character, for the CMap.
std::string utf16_hex(char32_t c) {
    if (c >= 0x10000) {
        const char32_t v = c - 0x10000;
        return hex4(0xD800u + (v >> 10)) + hex4(0xDC00u + (v & 0x3FFu));
    }
    return hex4(c);
}

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

// The streams of a text font subset, compressed.
struct EncodedSubset {
    detail::EncodedStream program;
    std::size_t program_size = 0;  // /Length1
    detail::EncodedStream to_unicode;
};

// Subsets of the shared text font by the glyphs they hold (and the text
// those stand for): a bulk send draws the same few characters in thousands
// of documents, and making and compressing the program was a fifth of each.
class SubsetCache {
public:
    std::shared_ptr<const EncodedSubset> find(const std::string& key) {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_entries.find(key);
        return it == m_entries.end() ? nullptr : it->second;
    }

    void add(std::string key, std::shared_ptr<const EncodedSubset> subset) {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_entries.size() >= k_max_entries) {
            m_entries.clear();  // bounded memory (tens of kB an entry)
        }
        m_entries.emplace(std::move(key), std::move(subset));
    }

private:
    static constexpr std::size_t k_max_entries = 256;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::shared_ptr<const EncodedSubset>> m_entries;
};

SubsetCache& subset_cache() {
    static SubsetCache cache;
    return cache;
}

std::string subset_key(const std::set<std::uint16_t>& glyphs,
                       const std::map<std::uint16_t, char32_t>& to_unicode) {
    std::string key = std::to_string(glyphs.size()) + ":";
    key.reserve(key.size() + glyphs.size() * 2 + to_unicode.size() * 6);
    for (const std::uint16_t g : glyphs) {
        key.push_back(static_cast<char>(g >> 8));
        key.push_back(static_cast<char>(g & 0xFF));
    }
    for (const auto& [g, c] : to_unicode) {
        key.push_back(static_cast<char>(g >> 8));
        key.push_back(static_cast<char>(g & 0xFF));
        for (int shift = 24; shift >= 0; shift -= 8) {
            key.push_back(static_cast<char>((c >> shift) & 0xFF));
        }
    }
    return key;
}

}  // namespace

std::string to_unicode_cmap(const std::map<std::uint16_t, char32_t>& glyph_to_unicode) {
    std::string out =
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n"
        "<0000> <FFFF>\n"
        "endcodespacerange\n";
    // At most 100 entries per block (PostScript's limit on a CMap operator).
    auto it = glyph_to_unicode.begin();
    while (it != glyph_to_unicode.end()) {
        std::string block;
        std::size_t n = 0;
        for (; it != glyph_to_unicode.end() && n < 100; ++it, ++n) {
            block += "<" + hex4(it->first) + "> <" + utf16_hex(it->second) + ">\n";
        }
        out += std::to_string(n) + " beginbfchar\n" + block + "endbfchar\n";
    }
    out +=
        "endcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end\n";
    return out;
}

FontSubsetBuilder::FontSubsetBuilder(QPDF& qpdf, const TrueTypeFont& font)
    : m_qpdf(qpdf), m_font(font) {}

std::vector<ShapedGlyph> FontSubsetBuilder::shape(std::string_view utf8) const {
    return shape(utf8_to_codepoints(utf8));
}

std::vector<ShapedGlyph> FontSubsetBuilder::shape(std::u32string_view text) const {
    const double scale = 1000.0 / m_font.metrics().units_per_em;
    std::vector<ShapedGlyph> out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (is_control(c)) {
            c = U' ';
        }
        std::uint16_t g = m_font.glyph_for(c);
        if (g == 0) {
            c = U'\uFFFD';
            g = m_font.glyph_for(c);
        }
        if (g == 0) {
            c = U'?';
            g = m_font.glyph_for(c);
        }
        out.push_back(ShapedGlyph{g, c, m_font.advance(g) * scale});
    }
    return out;
}

double FontSubsetBuilder::width(const std::vector<ShapedGlyph>& glyphs, double size) {
    double w = 0;
    for (const auto& g : glyphs) {
        w += g.advance;
    }
    return w * size / 1000.0;
}

double FontSubsetBuilder::ascent() const {
    return m_font.metrics().ascent * 1000.0 / m_font.metrics().units_per_em;
}

double FontSubsetBuilder::descent() const {
    return m_font.metrics().descent * 1000.0 / m_font.metrics().units_per_em;
}

double FontSubsetBuilder::cap_height() const {
    return m_font.metrics().cap_height * 1000.0 / m_font.metrics().units_per_em;
}

double FontSubsetBuilder::line_height() const {
    const auto& m = m_font.metrics();
    return (m.ascent - m.descent + m.line_gap) * 1000.0 / m.units_per_em;
}

std::string FontSubsetBuilder::show(const std::vector<ShapedGlyph>& glyphs) {
    if (m_finished) {
        throw internal_error("text drawn with a font subset that is already finished");
    }
    std::string hex = "<";
    for (const auto& g : glyphs) {
        m_glyphs.insert(g.glyph);
        if (g.glyph != 0) {
            m_to_unicode.emplace(g.glyph, g.character);
        }
        hex += hex4(g.glyph);
    }
    return hex + ">";
}

QPDFObjectHandle FontSubsetBuilder::font_object() {
    if (m_finished) {
        throw internal_error("font object asked for after the font subset was finished");
    }
    if (!m_font_object.isInitialized()) {
        m_font_object = m_qpdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
    }
    return m_font_object;
}

void FontSubsetBuilder::finish() {
    if (m_finished) {
        throw internal_error("font subset finished twice");
    }
    m_finished = true;
    if (!m_font_object.isInitialized()) {
        return;
    }

    // A tag from the glyph set: the same text gives the same file.
    std::uint32_t h = 2166136261u;
    for (std::uint16_t g : m_glyphs) {
        h = (h ^ (g & 0xFFu)) * 16777619u;
        h = (h ^ (g >> 8u)) * 16777619u;
    }
    m_tag.clear();
    for (int i = 0; i < 6; ++i) {
        m_tag.push_back(static_cast<char>('A' + h % 26));
        h /= 26;
    }
    const std::string base_font = "/" + m_tag + "+" + m_font.postscript_name();

    const FontMetrics& m = m_font.metrics();
    const double scale = 1000.0 / m.units_per_em;
    auto scaled = [&](int v) { return QPDFObjectHandle::newReal(num(v * scale)); };

    // Only the shared font lives as long as the cache (other fonts could
    // be freed and another be made at the same address).
    const bool cached = &m_font == &text_font();
    std::shared_ptr<const EncodedSubset> encoded;
    std::string key;
    if (cached) {
        key = subset_key(m_glyphs, m_to_unicode);
        encoded = subset_cache().find(key);
    }
    if (!encoded) {
        auto made = std::make_shared<EncodedSubset>();
        const std::string program = m_font.subset(m_glyphs);
        made->program = detail::flate_encode(program);
        made->program_size = program.size();
        made->to_unicode = detail::flate_encode(to_unicode_cmap(m_to_unicode));
        encoded = made;
        if (cached) {
            subset_cache().add(std::move(key), encoded);
        }
    }
    QPDFObjectHandle file = detail::encoded_stream(m_qpdf, encoded->program);
    file.getDict().replaceKey("/Length1", QPDFObjectHandle::newInteger(
                                              static_cast<long long>(encoded->program_size)));

    // Flags: symbolic (glyphs beyond the standard Latin set), plus what the
    // font says of itself.
    int flags = 4;
    if (m.fixed_pitch) {
        flags |= 1;
    }
    if (m.italic) {
        flags |= 64;
    }
    const double stem_v = 10 + 220 * std::max(0.0, (m.weight_class - 50) / 900.0);

    QPDFObjectHandle bbox = QPDFObjectHandle::newArray();
    bbox.appendItem(scaled(m.x_min));
    bbox.appendItem(scaled(m.y_min));
    bbox.appendItem(scaled(m.x_max));
    bbox.appendItem(scaled(m.y_max));

    QPDFObjectHandle descriptor = QPDFObjectHandle::newDictionary();
    descriptor.replaceKey("/Type", QPDFObjectHandle::newName("/FontDescriptor"));
    descriptor.replaceKey("/FontName", QPDFObjectHandle::newName(base_font));
    descriptor.replaceKey("/Flags", QPDFObjectHandle::newInteger(flags));
    descriptor.replaceKey("/FontBBox", bbox);
    descriptor.replaceKey("/ItalicAngle", QPDFObjectHandle::newReal(num(m.italic_angle)));
    descriptor.replaceKey("/Ascent", scaled(m.ascent));
    descriptor.replaceKey("/Descent", scaled(m.descent));
    descriptor.replaceKey("/CapHeight", scaled(m.cap_height));
    descriptor.replaceKey("/StemV", QPDFObjectHandle::newInteger(std::lround(stem_v)));
    descriptor.replaceKey("/FontFile2", file);
    descriptor = m_qpdf.makeIndirectObject(descriptor);

    // /W: runs of consecutive glyph ids share one array: [g [w1 w2 ...] ...].
    QPDFObjectHandle widths = QPDFObjectHandle::newArray();
    QPDFObjectHandle run;
    int previous = -2;
    for (std::uint16_t g : m_glyphs) {
        if (g != previous + 1) {
            if (run.isInitialized()) {
                widths.appendItem(run);
            }
            widths.appendItem(QPDFObjectHandle::newInteger(g));
            run = QPDFObjectHandle::newArray();
        }
        run.appendItem(QPDFObjectHandle::newReal(num(m_font.advance(g) * scale)));
        previous = g;
    }
    if (run.isInitialized()) {
        widths.appendItem(run);
    }

    QPDFObjectHandle system_info = QPDFObjectHandle::newDictionary();
    system_info.replaceKey("/Registry", QPDFObjectHandle::newString("Adobe"));
    system_info.replaceKey("/Ordering", QPDFObjectHandle::newString("Identity"));
    system_info.replaceKey("/Supplement", QPDFObjectHandle::newInteger(0));

    QPDFObjectHandle cid_font = QPDFObjectHandle::newDictionary();
    cid_font.replaceKey("/Type", QPDFObjectHandle::newName("/Font"));
    cid_font.replaceKey("/Subtype", QPDFObjectHandle::newName("/CIDFontType2"));
    cid_font.replaceKey("/BaseFont", QPDFObjectHandle::newName(base_font));
    cid_font.replaceKey("/CIDSystemInfo", system_info);
    cid_font.replaceKey("/FontDescriptor", descriptor);
    cid_font.replaceKey("/DW", QPDFObjectHandle::newInteger(1000));
    cid_font.replaceKey("/W", widths);
    cid_font.replaceKey("/CIDToGIDMap", QPDFObjectHandle::newName("/Identity"));
    cid_font = m_qpdf.makeIndirectObject(cid_font);

    QPDFObjectHandle descendants = QPDFObjectHandle::newArray();
    descendants.appendItem(cid_font);

    QPDFObjectHandle font = m_font_object;
    font.replaceKey("/Type", QPDFObjectHandle::newName("/Font"));
    font.replaceKey("/Subtype", QPDFObjectHandle::newName("/Type0"));
    font.replaceKey("/BaseFont", QPDFObjectHandle::newName(base_font));
    font.replaceKey("/Encoding", QPDFObjectHandle::newName("/Identity-H"));
    font.replaceKey("/DescendantFonts", descendants);
    font.replaceKey("/ToUnicode", detail::encoded_stream(m_qpdf, encoded->to_unicode));
}

}  // namespace signet::pdf
