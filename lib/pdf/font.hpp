// TrueType fonts for text in appearances: parsing what layout and PDF
// embedding need (cmap, metrics, glyph outlines) and subsetting.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace signet::pdf {

// DejaVu Sans, the font field values are drawn with (Debian: fonts-dejavu-core).
inline const char* const k_text_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline const char* const k_text_font_package = "fonts-dejavu-core";

// The font-wide metrics a PDF font descriptor and a layout need, in font units.
struct FontMetrics {
    int units_per_em = 1000;
    int x_min = 0;
    int y_min = 0;
    int x_max = 0;
    int y_max = 0;
    int ascent = 0;       // above the baseline (positive)
    int descent = 0;      // below the baseline (negative)
    int line_gap = 0;
    int cap_height = 0;
    double italic_angle = 0;  // degrees, counter-clockwise from vertical
    int weight_class = 400;   // 100..900
    bool fixed_pitch = false;
    bool italic = false;
};

// A TrueType font program with glyf outlines.
class TrueTypeFont {
public:
    // Parses a font held in memory. `name` names it in messages. Throws
    // internal_error when the data is not a TrueType font with the tables
    // signet needs (head, hhea, hmtx, maxp, loca, glyf; a cmap of format 4
    // or 12 when there is one: without, no character has a glyph).
    static TrueTypeFont parse(std::string data, const std::string& name);

    // Reads a font file installed by a Debian package. A missing file throws
    // internal_error naming the file and `debian_package`.
    static TrueTypeFont load(const std::filesystem::path& path, std::string_view debian_package);

    // The glyph the font's cmap gives the character, 0 (.notdef) when none.
    std::uint16_t glyph_for(char32_t c) const;

    std::uint16_t glyph_count() const { return m_glyph_count; }
    const FontMetrics& metrics() const { return m_metrics; }

    // The glyph's advance width in font units (0 for an unknown glyph).
    int advance(std::uint16_t glyph) const;

    // True when the glyph has outline data (a space has none).
    bool has_outline_data(std::uint16_t glyph) const;

    // The glyphs a composite glyph is built from (empty for simple glyphs).
    std::vector<std::uint16_t> components(std::uint16_t glyph) const;

    // The PostScript name (name ID 6), e.g. "DejaVuSans"; without spaces.
    const std::string& postscript_name() const { return m_postscript_name; }

    // The whole font program as read.
    const std::string& data() const { return m_data; }

    // A font program that keeps only `glyphs`, .notdef and the components of
    // composite glyphs among them; every other glyph is left empty. Glyph ids
    // do not change (the glyph count is cut after the highest one kept). Only
    // the tables a PDF CIDFontType2 needs are kept: head hhea maxp loca glyf
    // hmtx cvt fpgm prep, with new checksums.
    std::string subset(const std::set<std::uint16_t>& glyphs) const;

private:
    TrueTypeFont() = default;

    struct Table {
        std::size_t offset = 0;
        std::size_t length = 0;
    };

    std::string_view table(const char* tag) const;
    bool has_table(const char* tag) const;
    std::string_view glyph_data(std::uint16_t glyph) const;
    void read_cmap();
    void read_metrics();
    void read_name();

    std::string m_data;
    std::string m_name;
    std::unordered_map<std::string, Table> m_tables;
    std::unordered_map<char32_t, std::uint16_t> m_cmap;
    std::vector<std::uint32_t> m_loca;  // glyph_count + 1 byte offsets into glyf
    std::uint16_t m_glyph_count = 0;
    std::uint16_t m_hmetrics = 0;
    FontMetrics m_metrics;
    std::string m_postscript_name;
};

// DejaVu Sans (k_text_font_path), read once and shared. Throws as
// TrueTypeFont::load does when the font is not installed.
const TrueTypeFont& text_font();

// Decodes UTF-8; malformed sequences become U+FFFD.
std::u32string utf8_to_codepoints(std::string_view utf8);

}  // namespace signet::pdf
