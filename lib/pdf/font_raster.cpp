#include "pdf/font_raster.hpp"

#include "pdf/font.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace signet::pdf {

struct OutlineFont::Impl {
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    std::string data;  // FreeType reads the font from here while the face lives
    std::string name;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (face != nullptr) {
            FT_Done_Face(face);
        }
        if (library != nullptr) {
            FT_Done_FreeType(library);
        }
    }
};

OutlineFont::OutlineFont(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
OutlineFont::OutlineFont(OutlineFont&&) noexcept = default;
OutlineFont& OutlineFont::operator=(OutlineFont&&) noexcept = default;
OutlineFont::~OutlineFont() = default;

OutlineFont OutlineFont::from_memory(std::string data, const std::string& name) {
    auto impl = std::make_unique<Impl>();
    impl->data = std::move(data);
    impl->name = name;
    if (FT_Init_FreeType(&impl->library) != 0) {
        throw internal_error("cannot start FreeType");
    }
    const FT_Error rc = FT_New_Memory_Face(
        impl->library, reinterpret_cast<const FT_Byte*>(impl->data.data()),
        static_cast<FT_Long>(impl->data.size()), 0, &impl->face);
    if (rc != 0) {
        impl->face = nullptr;
        throw internal_error("font \"" + name + "\": FreeType cannot read it (error " +
                             std::to_string(rc) + ")");
    }
    // Unicode cmap when there is one; fonts without a cmap (PDF subsets)
    // are still usable by glyph id.
    FT_Select_Charmap(impl->face, FT_ENCODING_UNICODE);
    return OutlineFont(std::move(impl));
}

OutlineFont OutlineFont::load(const std::filesystem::path& path,
                              std::string_view debian_package) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        const std::string package(debian_package);
        throw Error(ErrorKind::internal,
                    "font file \"" + path.string() + "\" is missing (Debian package " + package +
                        ")",
                    {"install it: apt install " + package});
    }
    return from_memory(util::read_file(path), path.string());
}

std::uint32_t OutlineFont::glyph_count() const {
    return static_cast<std::uint32_t>(m_impl->face->num_glyphs);
}

std::uint32_t OutlineFont::glyph_for(char32_t c) const {
    if (m_impl->face->charmap == nullptr) {
        return 0;
    }
    return FT_Get_Char_Index(m_impl->face, c);
}

bool OutlineFont::has_outline(std::uint32_t glyph) const {
    if (FT_Load_Glyph(m_impl->face, glyph, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING) != 0) {
        return false;
    }
    const FT_GlyphSlot slot = m_impl->face->glyph;
    return slot->format == FT_GLYPH_FORMAT_OUTLINE && slot->outline.n_points > 0;
}

namespace {

// Ink colour of typed signatures: a dark blue, as of a pen.
constexpr std::uint8_t k_ink[3] = {0x1A, 0x2B, 0x7C};
constexpr double k_pixels_per_point = 4.0;
constexpr double k_max_side_pixels = 2000.0;

struct FallbackFont {
    const char* path;
    const char* package;
};

// Tried in order for characters the script font lacks. Debian ships the
// italic and oblique faces in fonts-dejavu-extra, the upright ones in core.
constexpr FallbackFont k_fallbacks[] = {
    {"/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf", "fonts-dejavu-extra"},
    {"/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf", "fonts-dejavu-extra"},
    {k_text_font_path, k_text_font_package},
};

// One glyph placed on the line.
struct Placed {
    FT_Face face;
    FT_UInt glyph;
    double pen_x;  // pixels from the line's start
};

struct Ink {
    double left = 0;
    double right = 0;
    double top = 0;     // above the baseline
    double bottom = 0;  // above the baseline (negative below)
    bool any = false;
};

FT_Int32 load_flags() { return FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP; }

void set_size(FT_Face face, double pixels) {
    const auto px = static_cast<FT_F26Dot6>(std::lround(pixels * 64));
    if (FT_Set_Char_Size(face, px, px, 72, 72) != 0) {
        throw internal_error("FreeType cannot size the signature font");
    }
}

// The height of "x" as a fraction of the em, to match a fallback font's
// letters to the script font's.
double x_height(FT_Face face) {
    const FT_UInt x = FT_Get_Char_Index(face, U'x');
    if (x == 0 || FT_Load_Glyph(face, x, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING) != 0 ||
        face->glyph->format != FT_GLYPH_FORMAT_OUTLINE || face->units_per_EM == 0) {
        return 0;
    }
    FT_BBox box;
    FT_Outline_Get_CBox(&face->glyph->outline, &box);
    return static_cast<double>(box.yMax) / face->units_per_EM;
}

// Places the glyphs and measures their ink at the faces' current size.
Ink layout(const std::vector<std::pair<FT_Face, FT_UInt>>& glyphs, std::vector<Placed>& placed) {
    placed.clear();
    Ink ink;
    double pen = 0;
    for (const auto& [face, glyph] : glyphs) {
        if (FT_Load_Glyph(face, glyph, load_flags()) != 0) {
            continue;
        }
        const FT_GlyphSlot slot = face->glyph;
        placed.push_back(Placed{face, glyph, pen});
        if (slot->format == FT_GLYPH_FORMAT_OUTLINE && slot->outline.n_points > 0) {
            FT_BBox box;
            FT_Outline_Get_CBox(&slot->outline, &box);
            const double l = pen + static_cast<double>(box.xMin) / 64;
            const double r = pen + static_cast<double>(box.xMax) / 64;
            const double t = static_cast<double>(box.yMax) / 64;
            const double b = static_cast<double>(box.yMin) / 64;
            if (!ink.any) {
                ink = Ink{l, r, t, b, true};
            } else {
                ink.left = std::min(ink.left, l);
                ink.right = std::max(ink.right, r);
                ink.top = std::max(ink.top, t);
                ink.bottom = std::min(ink.bottom, b);
            }
        }
        pen += static_cast<double>(slot->advance.x) / 64;
    }
    return ink;
}

}  // namespace

Image render_typed_signature(std::string_view name, double width, double height) {
    if (!(width > 0) || !(height > 0) || !std::isfinite(width) || !std::isfinite(height)) {
        throw internal_error("typed signature box must have a positive size");
    }
    const std::string shown = util::trim(name);
    if (shown.empty()) {
        throw bad_input("typed signature: the name is blank");
    }

    OutlineFont script = OutlineFont::load(k_signature_font_path, k_signature_font_package);
    std::optional<OutlineFont> fallback;
    auto fallback_font = [&]() -> OutlineFont& {
        if (!fallback) {
            std::error_code ec;
            for (const auto& candidate : k_fallbacks) {
                if (std::filesystem::is_regular_file(candidate.path, ec)) {
                    fallback.emplace(OutlineFont::load(candidate.path, candidate.package));
                    break;
                }
            }
            if (!fallback) {
                // Names the last, most basic one: fonts-dejavu-core.
                fallback.emplace(OutlineFont::load(k_text_font_path, k_text_font_package));
            }
        }
        return *fallback;
    };

    // Each character from the script font, else from the fallback; those
    // neither has are left out.
    std::vector<std::pair<FT_Face, FT_UInt>> glyphs;
    bool drawable = false;
    for (char32_t c : utf8_to_codepoints(shown)) {
        if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
            c = U' ';
        }
        std::uint32_t g = script.glyph_for(c);
        FT_Face face = script.m_impl->face;
        if (g == 0) {
            OutlineFont& other = fallback_font();
            g = other.glyph_for(c);
            face = other.m_impl->face;
        }
        if (g != 0) {
            glyphs.emplace_back(face, g);
            drawable = drawable || c != U' ';
        }
    }
    if (!drawable) {
        throw bad_input("typed signature " + util::quoted(shown) +
                        ": none of its characters are in the installed fonts");
    }

    const double scale = std::min(k_pixels_per_point, k_max_side_pixels / std::max(width, height));
    const auto px_w = static_cast<std::uint32_t>(std::max(1L, std::lround(width * scale)));
    const auto px_h = static_cast<std::uint32_t>(std::max(1L, std::lround(height * scale)));
    const double room_w = px_w * 0.94;
    const double room_h = px_h * 0.88;

    // Start from the size whose ascent and descent fill the height, then
    // shrink until the ink fits.
    const FT_Face main = script.m_impl->face;
    const double line = static_cast<double>(main->ascender - main->descender) / main->units_per_EM;
    double size = room_h / std::max(line, 0.5);
    // Fallback letters at the script font's x-height, not at the same em.
    double fallback_scale = 1;
    if (fallback) {
        const double ours = x_height(main);
        const double theirs = x_height(fallback->m_impl->face);
        if (ours > 0 && theirs > 0) {
            fallback_scale = std::clamp(ours / theirs, 0.5, 1.5);
        }
    }
    std::vector<Placed> placed;
    Ink ink;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (size < 4) {
            throw bad_input("typed signature " + util::quoted(shown) +
                            ": the name is too long for its box");
        }
        set_size(main, size);
        if (fallback) {
            set_size(fallback->m_impl->face, size * fallback_scale);
        }
        ink = layout(glyphs, placed);
        const double ink_w = ink.right - ink.left;
        const double ink_h = ink.top - ink.bottom;
        const double fit = std::min(room_w / std::max(ink_w, 1.0), room_h / std::max(ink_h, 1.0));
        if (!ink.any || fit >= 1.0) {
            break;
        }
        size *= fit * 0.995;
    }

    if (!ink.any) {
        throw bad_input("typed signature " + util::quoted(shown) +
                        ": none of its characters has a visible shape");
    }

    Image out;
    out.width = px_w;
    out.height = px_h;
    out.alpha.assign(std::size_t{px_w} * px_h, 0);
    out.rgb.resize(std::size_t{px_w} * px_h * 3);
    for (std::size_t i = 0; i < out.alpha.size(); ++i) {
        std::copy(std::begin(k_ink), std::end(k_ink), out.rgb.begin() + static_cast<long>(i * 3));
    }
    // Centre the ink: the origin of the line in image pixels (y down).
    const double origin_x = (px_w - (ink.right - ink.left)) / 2 - ink.left;
    const double origin_y = (px_h - (ink.top - ink.bottom)) / 2 + ink.top;
    for (const Placed& p : placed) {
        // Subpixel position: FreeType shifts the outline before rendering.
        const double x = origin_x + p.pen_x;
        const double ix = std::floor(x);
        const double iy = std::floor(origin_y);
        if (FT_Load_Glyph(p.face, p.glyph, load_flags()) != 0) {
            continue;
        }
        FT_GlyphSlot slot = p.face->glyph;
        if (slot->format != FT_GLYPH_FORMAT_OUTLINE || slot->outline.n_points == 0) {
            continue;
        }
        FT_Outline_Translate(&slot->outline, static_cast<FT_Pos>(std::lround((x - ix) * 64)),
                             static_cast<FT_Pos>(-std::lround((origin_y - iy) * 64)));
        if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0) {
            continue;
        }
        const FT_Bitmap& bm = slot->bitmap;
        const long left = static_cast<long>(ix) + slot->bitmap_left;
        const long top = static_cast<long>(iy) - slot->bitmap_top;
        for (unsigned row = 0; row < bm.rows; ++row) {
            const long y = top + static_cast<long>(row);
            if (y < 0 || y >= static_cast<long>(px_h)) {
                continue;
            }
            const unsigned char* src = bm.buffer + static_cast<long>(row) * bm.pitch;
            for (unsigned col = 0; col < bm.width; ++col) {
                const long xx = left + static_cast<long>(col);
                if (xx < 0 || xx >= static_cast<long>(px_w)) {
                    continue;
                }
                std::uint8_t& a =
                    out.alpha[static_cast<std::size_t>(y) * px_w + static_cast<std::size_t>(xx)];
                a = std::max(a, static_cast<std::uint8_t>(src[col]));
            }
        }
    }
    return out;
}

}  // namespace signet::pdf
