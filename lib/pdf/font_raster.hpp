// Fonts rasterised with FreeType: typed signatures (a name drawn in a
// script font as a handwriting-like image), and loading any font program
// the way viewers do (which tests use to check font subsets).
#pragma once

#include "pdf/png.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace signet::pdf {

// URW Z003 (a Zapf Chancery clone, Latin Extended-A and Cyrillic), the
// typed-signature font (Debian: fonts-urw-base35).
inline const char* const k_signature_font_path =
    "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf";
inline const char* const k_signature_font_package = "fonts-urw-base35";

// A font loaded by FreeType (TrueType, OpenType/CFF, Type 1 ...).
class OutlineFont {
public:
    // Loads a font file installed by a Debian package. A missing file throws
    // internal_error naming the file and the package; a file FreeType cannot
    // read throws internal_error.
    static OutlineFont load(const std::filesystem::path& path, std::string_view debian_package);

    // Loads a font program held in memory; throws internal_error naming
    // `name` when FreeType cannot read it.
    static OutlineFont from_memory(std::string data, const std::string& name);

    OutlineFont(OutlineFont&&) noexcept;
    OutlineFont& operator=(OutlineFont&&) noexcept;
    ~OutlineFont();

    std::uint32_t glyph_count() const;

    // The glyph for a character by the font's own cmap, 0 when none.
    std::uint32_t glyph_for(char32_t c) const;

    // True when the glyph loads and has outline points (composite glyphs
    // count their components' points).
    bool has_outline(std::uint32_t glyph) const;

private:
    struct Impl;
    explicit OutlineFont(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;

    friend Image render_typed_signature(std::string_view name, double width, double height);
};

// Draws a typed name as a signature: dark blue ink in URW Z003 on a
// transparent background, as large as fits a box of width x height points
// (the image has the box's aspect ratio, about 4 pixels per point, at most
// 2000 pixels a side), centred. Characters Z003 lacks come from DejaVu Serif
// Italic (else DejaVu Sans Oblique, else DejaVu Sans); characters none of
// them has are left out. Throws bad_input for a blank name, one none of
// whose characters can be drawn, or one too long to be legible in the box,
// and internal_error naming the Debian package when a font is not
// installed.
Image render_typed_signature(std::string_view name, double width, double height);

}  // namespace signet::pdf
