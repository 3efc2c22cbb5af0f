// Embedding a TrueType font subset in a PDF as a Type0 / CIDFontType2 font
// with Identity-H encoding and a /ToUnicode CMap, so that text drawn with
// it can be copied and searched.
#pragma once

#include "pdf/font.hpp"
#include "pdf/qpdf.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace signet::pdf {

// One character as drawn: the glyph, the text it stands for and its advance
// in thousandths of an em.
struct ShapedGlyph {
    std::uint16_t glyph = 0;
    char32_t character = 0;
    double advance = 0;
};

// Collects the text of several appearances and emits one embedded font
// subset holding just their glyphs: one font object per incremental update.
//
// Use: make one builder per document update, draw every text appearance
// with it (text_appearance() in appearance.hpp), then call finish() once,
// before the document is written. The font dictionary exists (as an empty
// indirect object) from the first font_object() call and is filled in by
// finish(); an update written before finish() holds a broken font.
class FontSubsetBuilder {
public:
    explicit FontSubsetBuilder(QPDF& qpdf, const TrueTypeFont& font = text_font());

    FontSubsetBuilder(const FontSubsetBuilder&) = delete;
    FontSubsetBuilder& operator=(const FontSubsetBuilder&) = delete;

    const TrueTypeFont& font() const { return m_font; }

    // Maps text to glyphs. Characters the font lacks are drawn as U+FFFD
    // (or "?" when the font has no U+FFFD either); control characters as
    // spaces. Records nothing: see show().
    std::vector<ShapedGlyph> shape(std::u32string_view text) const;
    std::vector<ShapedGlyph> shape(std::string_view utf8) const;

    // The width of shaped text at `size` points.
    static double width(const std::vector<ShapedGlyph>& glyphs, double size);

    // Font-wide metrics in thousandths of an em.
    double ascent() const;
    double descent() const;  // negative
    double cap_height() const;
    double line_height() const;  // ascent - descent + line gap

    // Records glyphs for the subset and returns them as a PDF hex string of
    // 2-byte glyph ids ("<0041004F>"), ready for Tj. Throws internal_error
    // after finish().
    std::string show(const std::vector<ShapedGlyph>& glyphs);

    // The indirect Type0 font dictionary to put in /Resources /Font.
    QPDFObjectHandle font_object();

    // Writes the subset (FontFile2), descriptor, CIDFont and ToUnicode and
    // fills in the font dictionary. Does nothing when font_object() was
    // never asked for. Throws internal_error when called twice.
    void finish();

    // The subset tag ("ABCDEF"), derived from the glyphs used; valid after
    // finish().
    const std::string& tag() const { return m_tag; }

private:
    QPDF& m_qpdf;
    const TrueTypeFont& m_font;
    QPDFObjectHandle m_font_object;
    std::set<std::uint16_t> m_glyphs;
    std::map<std::uint16_t, char32_t> m_to_unicode;
    std::string m_tag;
    bool m_finished = false;
};

// The /ToUnicode CMap for glyph ids drawn with Identity-H (exposed for tests).
std::string to_unicode_cmap(const std::map<std::uint16_t, char32_t>& glyph_to_unicode);

}  // namespace signet::pdf
