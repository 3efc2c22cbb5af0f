#include "pdf/appearance.hpp"

#include "pdf/appearance_stream.hpp"
#include "pdf/geometry.hpp"
#include "signet/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace signet::pdf {
namespace {

using detail::num;

constexpr char32_t k_ellipsis = U'\u2026';

void check_size(double width, double height) {
    if (!(width > 0) || !(height > 0) || !std::isfinite(width) || !std::isfinite(height)) {
        throw internal_error("appearance of size " + num(width) + "x" + num(height) +
                             ": sizes must be positive");
    }
}

QPDFObjectHandle real(double v) { return QPDFObjectHandle::newReal(num(v)); }

// A form XObject of displayed size W x H turned for the page rotation.
QPDFObjectHandle make_form(QPDF& qpdf, double width, double height, int rotate,
                           const std::string& content, QPDFObjectHandle resources) {
    QPDFObjectHandle form = detail::flate_stream(qpdf, content);
    QPDFObjectHandle dict = form.getDict();
    QPDFObjectHandle bbox = QPDFObjectHandle::newArray();
    bbox.appendItem(QPDFObjectHandle::newInteger(0));
    bbox.appendItem(QPDFObjectHandle::newInteger(0));
    bbox.appendItem(real(width));
    bbox.appendItem(real(height));
    dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
    dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Form"));
    dict.replaceKey("/FormType", QPDFObjectHandle::newInteger(1));
    dict.replaceKey("/BBox", bbox);
    dict.replaceKey("/Matrix", appearance_matrix(width, height, rotate));
    dict.replaceKey("/Resources",
                    resources.isInitialized() ? resources : QPDFObjectHandle::newDictionary());
    return form;
}

// PNG predictors (PDF /Predictor 15): each row gets the filter that makes
// its bytes smallest, which shrinks scanned stamps a lot under Flate.
std::string png_predict(const std::uint8_t* data, std::size_t rows, std::size_t row_bytes,
                        std::size_t bpp) {
    std::string out;
    out.reserve(rows * (row_bytes + 1));
    std::vector<std::uint8_t> zero(row_bytes, 0);
    std::string best;
    std::string candidate(row_bytes, '\0');
    for (std::size_t y = 0; y < rows; ++y) {
        const std::uint8_t* row = data + y * row_bytes;
        const std::uint8_t* up = y == 0 ? zero.data() : row - row_bytes;
        long best_cost = -1;
        char best_type = 0;
        for (char type = 0; type <= 4; ++type) {
            long cost = 0;
            for (std::size_t i = 0; i < row_bytes; ++i) {
                const int a = i >= bpp ? row[i - bpp] : 0;
                const int b = up[i];
                const int c = i >= bpp ? up[i - bpp] : 0;
                int predicted = 0;
                switch (type) {
                case 1: predicted = a; break;
                case 2: predicted = b; break;
                case 3: predicted = (a + b) / 2; break;
                case 4: {
                    const int p = a + b - c;
                    const int pa = std::abs(p - a);
                    const int pb = std::abs(p - b);
                    const int pc = std::abs(p - c);
                    predicted = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
                    break;
                }
                default: break;
                }
                const auto v = static_cast<std::uint8_t>(row[i] - predicted);
                candidate[i] = static_cast<char>(v);
                cost += v < 128 ? v : 256 - v;
            }
            if (best_cost < 0 || cost < best_cost) {
                best_cost = cost;
                best_type = type;
                best = candidate;
            }
        }
        out.push_back(best_type);
        out += best;
    }
    return out;
}

// Samples with PNG predictors, Flate-compressed: an image stream's data.
std::string encode_samples(const std::uint8_t* data, std::uint32_t width, std::uint32_t height,
                           int colors) {
    const auto bpp = static_cast<std::size_t>(colors);
    return detail::deflate(png_predict(data, height, std::size_t{width} * bpp, bpp));
}

QPDFObjectHandle image_stream(QPDF& qpdf, const std::string& encoded, std::uint32_t width,
                              std::uint32_t height, int colors) {
    QPDFObjectHandle stream = QPDFObjectHandle::newStream(&qpdf, std::string());
    QPDFObjectHandle parms = QPDFObjectHandle::newDictionary();
    parms.replaceKey("/Predictor", QPDFObjectHandle::newInteger(15));
    parms.replaceKey("/Colors", QPDFObjectHandle::newInteger(colors));
    parms.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(8));
    parms.replaceKey("/Columns", QPDFObjectHandle::newInteger(width));
    stream.replaceStreamData(encoded, QPDFObjectHandle::newName("/FlateDecode"), parms);
    QPDFObjectHandle dict = stream.getDict();
    dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
    dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
    dict.replaceKey("/Width", QPDFObjectHandle::newInteger(width));
    dict.replaceKey("/Height", QPDFObjectHandle::newInteger(height));
    dict.replaceKey("/ColorSpace",
                    QPDFObjectHandle::newName(colors == 3 ? "/DeviceRGB" : "/DeviceGray"));
    dict.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(8));
    return stream;
}

QPDFObjectHandle resources_with(const char* category, const char* name, QPDFObjectHandle obj) {
    QPDFObjectHandle entries = QPDFObjectHandle::newDictionary();
    entries.replaceKey(name, obj);
    QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
    resources.replaceKey(category, entries);
    return resources;
}

// Cuts glyphs so that they and a trailing ellipsis fit in `room` points.
std::vector<ShapedGlyph> cut_with_ellipsis(const FontSubsetBuilder& fonts,
                                           std::vector<ShapedGlyph> glyphs, double size,
                                           double room) {
    const std::vector<ShapedGlyph> ellipsis = fonts.shape(std::u32string(1, k_ellipsis));
    const double left = room - FontSubsetBuilder::width(ellipsis, size);
    std::size_t keep = 0;
    double width = 0;
    while (keep < glyphs.size() && width + glyphs[keep].advance * size / 1000 <= left) {
        width += glyphs[keep].advance * size / 1000;
        ++keep;
    }
    while (keep > 0 && glyphs[keep - 1].character == U' ') {
        --keep;
    }
    glyphs.resize(keep);
    glyphs.insert(glyphs.end(), ellipsis.begin(), ellipsis.end());
    return glyphs;
}

bool is_space(const ShapedGlyph& g) { return g.character == U' '; }

// Greedy line breaking on spaces; a word wider than a line is broken
// between characters.
std::vector<std::vector<ShapedGlyph>> wrap(const FontSubsetBuilder& fonts,
                                           std::u32string_view text, double size, double room) {
    std::vector<std::vector<ShapedGlyph>> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(U'\n', start);
        if (end == std::u32string_view::npos) {
            end = text.size();
        }
        std::u32string_view paragraph = text.substr(start, end - start);
        if (!paragraph.empty() && paragraph.back() == U'\r') {
            paragraph.remove_suffix(1);
        }
        const std::vector<ShapedGlyph> glyphs = fonts.shape(paragraph);
        std::vector<ShapedGlyph> line;
        std::size_t i = 0;
        while (i < glyphs.size()) {
            // The next word and the spaces before it.
            std::size_t j = i;
            while (j < glyphs.size() && is_space(glyphs[j])) {
                ++j;
            }
            while (j < glyphs.size() && !is_space(glyphs[j])) {
                ++j;
            }
            std::vector<ShapedGlyph> candidate = line;
            candidate.insert(candidate.end(), glyphs.begin() + static_cast<std::ptrdiff_t>(i),
                             glyphs.begin() + static_cast<std::ptrdiff_t>(j));
            if (FontSubsetBuilder::width(candidate, size) <= room) {
                line = std::move(candidate);
                i = j;
                continue;
            }
            if (!line.empty()) {
                lines.push_back(std::move(line));
                line.clear();
                while (i < glyphs.size() && is_space(glyphs[i])) {
                    ++i;
                }
                continue;
            }
            // A word alone wider than the line: as many characters as fit
            // (at least one, so that the loop ends).
            while (i < j && is_space(glyphs[i])) {
                ++i;
            }
            if (i >= j) {
                continue;
            }
            line.push_back(glyphs[i++]);
            double used = FontSubsetBuilder::width(line, size);
            while (i < j && used + glyphs[i].advance * size / 1000 <= room) {
                used += glyphs[i].advance * size / 1000;
                line.push_back(glyphs[i++]);
            }
            lines.push_back(std::move(line));
            line.clear();
        }
        while (!line.empty() && is_space(line.back())) {
            line.pop_back();
        }
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

double aligned_x(TextAlign align, double box_width, double pad, double text_width) {
    switch (align) {
    case TextAlign::center: return (box_width - text_width) / 2;
    case TextAlign::right: return box_width - pad - text_width;
    case TextAlign::left: break;
    }
    return pad;
}

std::string text_line(FontSubsetBuilder& fonts, const std::vector<ShapedGlyph>& glyphs, double x,
                      double y) {
    return "1 0 0 1 " + num(x) + " " + num(y) + " Tm " + fonts.show(glyphs) + " Tj\n";
}

}  // namespace

QPDFObjectHandle appearance_matrix(double width, double height, int rotate) {
    double m[6] = {1, 0, 0, 1, 0, 0};
    // The page is shown turned `rotate` degrees clockwise, so the content
    // is turned as much counter-clockwise, then moved back to (0, 0).
    switch (normalise_rotation(rotate)) {
    case 90: m[0] = 0; m[1] = 1; m[2] = -1; m[3] = 0; m[4] = height; break;
    case 180: m[0] = -1; m[3] = -1; m[4] = width; m[5] = height; break;
    case 270: m[0] = 0; m[1] = -1; m[2] = 1; m[3] = 0; m[5] = width; break;
    default: break;
    }
    QPDFObjectHandle matrix = QPDFObjectHandle::newArray();
    for (double v : m) {
        matrix.appendItem(real(v));
    }
    return matrix;
}

QPDFObjectHandle widget_mk(int rotate) {
    QPDFObjectHandle mk = QPDFObjectHandle::newDictionary();
    mk.replaceKey("/R", QPDFObjectHandle::newInteger(normalise_rotation(rotate)));
    return mk;
}

void apply_appearance(QPDFObjectHandle widget, const Appearance& appearance) {
    QPDFObjectHandle ap = QPDFObjectHandle::newDictionary();
    ap.replaceKey("/N", appearance.normal);
    widget.replaceKey("/AP", ap);
    if (appearance.state.empty()) {
        widget.removeKey("/AS");
    } else {
        widget.replaceKey("/AS", QPDFObjectHandle::newName(appearance.state));
    }
    QPDFObjectHandle mk = widget.getKey("/MK");
    const int wanted = normalise_rotation(appearance.rotate);
    int current = 0;
    if (mk.isDictionary() && mk.getKey("/R").isInteger()) {
        current = normalise_rotation(mk.getKey("/R").getIntValueAsInt());
    }
    if (current == wanted && (mk.isDictionary() || wanted == 0)) {
        return;
    }
    if (mk.isDictionary()) {
        mk.replaceKey("/R", QPDFObjectHandle::newInteger(wanted));
    } else {
        widget.replaceKey("/MK", widget_mk(wanted));
    }
}

EncodedImage encode_image(const Image& image) {
    const std::size_t pixels = std::size_t{image.width} * image.height;
    if (pixels == 0 || image.rgb.size() != pixels * 3 || image.alpha.size() != pixels) {
        throw internal_error("encode_image: inconsistent image buffers");
    }
    EncodedImage out;
    out.width = image.width;
    out.height = image.height;
    out.rgb = encode_samples(image.rgb.data(), image.width, image.height, 3);
    if (image.has_transparency()) {
        out.alpha = encode_samples(image.alpha.data(), image.width, image.height, 1);
    }
    return out;
}

QPDFObjectHandle image_xobject(QPDF& qpdf, const EncodedImage& image) {
    if (image.width == 0 || image.height == 0 || image.rgb.empty()) {
        throw internal_error("image_xobject: an empty image");
    }
    QPDFObjectHandle xobject = image_stream(qpdf, image.rgb, image.width, image.height, 3);
    if (image.alpha) {
        xobject.getDict().replaceKey(
            "/SMask", image_stream(qpdf, *image.alpha, image.width, image.height, 1));
    }
    return xobject;
}

QPDFObjectHandle image_xobject(QPDF& qpdf, const Image& image) {
    return image_xobject(qpdf, encode_image(image));
}

Appearance image_appearance(QPDF& qpdf, QPDFObjectHandle xobject, double width, double height,
                            int rotate) {
    check_size(width, height);
    QPDFObjectHandle dict = xobject.getDict();
    const double iw = dict.getKey("/Width").getNumericValue();
    const double ih = dict.getKey("/Height").getNumericValue();
    if (!(iw > 0) || !(ih > 0)) {
        throw internal_error("image_appearance: the image has no size");
    }
    const double scale = std::min(width / iw, height / ih);
    const double dw = iw * scale;
    const double dh = ih * scale;
    const std::string content = "q " + num(dw) + " 0 0 " + num(dh) + " " +
                                num((width - dw) / 2) + " " + num((height - dh) / 2) +
                                " cm /Im0 Do Q\n";
    Appearance out;
    out.normal = make_form(qpdf, width, height, rotate, content,
                           resources_with("/XObject", "/Im0", xobject));
    out.rotate = normalise_rotation(rotate);
    return out;
}

Appearance image_appearance(QPDF& qpdf, const Image& image, double width, double height,
                            int rotate) {
    return image_appearance(qpdf, image_xobject(qpdf, image), width, height, rotate);
}

Appearance text_appearance(QPDF& qpdf, FontSubsetBuilder& fonts, std::string_view utf8,
                           double width, double height, int rotate, const TextStyle& style) {
    check_size(width, height);
    const double pad_x = std::min(2.0, width * 0.1);
    const double pad_y = std::min(1.0, height * 0.1);
    const double room_w = width - 2 * pad_x;
    const double room_h = height - 2 * pad_y;
    const double ascent = fonts.ascent() / 1000;
    const double descent = fonts.descent() / 1000;  // negative
    const double line_em = ascent - descent;
    const double height_size = room_h / line_em;
    const double max_size =
        style.font_size > 0 ? style.font_size : std::min(style.max_font_size, height_size);
    const double min_size =
        style.font_size > 0 ? style.font_size : std::min(style.min_font_size, max_size);
    const std::u32string text = utf8_to_codepoints(utf8);

    std::string body;
    double size = max_size;
    if (!style.multiline) {
        std::vector<ShapedGlyph> glyphs = fonts.shape(text);
        const double natural = FontSubsetBuilder::width(glyphs, size);
        if (natural > room_w && natural > 0) {
            size = std::max(min_size, size * room_w / natural);
        }
        if (FontSubsetBuilder::width(glyphs, size) > room_w * 1.0001) {
            glyphs = cut_with_ellipsis(fonts, std::move(glyphs), size, room_w);
        }
        const double text_w = FontSubsetBuilder::width(glyphs, size);
        // Centre the capitals; keep descenders inside the box.
        const double cap = fonts.cap_height() / 1000 * size;
        const double y = std::max((height - cap) / 2, pad_y - descent * size);
        if (!glyphs.empty()) {
            body = text_line(fonts, glyphs, aligned_x(style.align, width, pad_x, text_w), y);
        }
    } else {
        const double leading = fonts.line_height() / 1000;
        auto fits = [&](std::size_t lines, double s) {
            return lines == 0 || line_em * s + static_cast<double>(lines - 1) * leading * s <=
                                     room_h * 1.0001;
        };
        std::vector<std::vector<ShapedGlyph>> lines = wrap(fonts, text, size, room_w);
        while (!fits(lines.size(), size) && size > min_size) {
            size = std::max(min_size, size - 0.5);
            lines = wrap(fonts, text, size, room_w);
        }
        std::size_t shown = lines.size();
        while (shown > 1 && !fits(shown, size)) {
            --shown;
        }
        if (shown < lines.size()) {
            lines.resize(shown);
            lines.back() = cut_with_ellipsis(fonts, std::move(lines.back()), size, room_w);
        }
        double y = height - pad_y - ascent * size;
        for (const auto& line : lines) {
            if (!line.empty()) {
                const double text_w = FontSubsetBuilder::width(line, size);
                body += text_line(fonts, line, aligned_x(style.align, width, pad_x, text_w), y);
            }
            y -= leading * size;
        }
    }

    const std::string content = "/Tx BMC\nq\n0 0 " + num(width) + " " + num(height) +
                                " re W n\nBT\n/F0 " + num(size) + " Tf\n0 g\n" + body +
                                "ET\nQ\nEMC\n";
    Appearance out;
    out.normal = make_form(qpdf, width, height, rotate, content,
                           resources_with("/Font", "/F0", fonts.font_object()));
    out.rotate = normalise_rotation(rotate);
    return out;
}

Appearance text_appearance(QPDF& qpdf, std::string_view utf8, double width, double height,
                           int rotate, bool multiline) {
    FontSubsetBuilder fonts(qpdf);
    TextStyle style;
    style.multiline = multiline;
    Appearance out = text_appearance(qpdf, fonts, utf8, width, height, rotate, style);
    fonts.finish();
    return out;
}

Appearance checkbox_appearance(QPDF& qpdf, bool checked, double width, double height, int rotate,
                               std::string_view on_state) {
    check_size(width, height);
    if (on_state.empty() || on_state == "Off") {
        throw internal_error("a check box's on state cannot be empty or Off");
    }
    // A check mark in the largest centred square, drawn with two strokes.
    const double side = std::min(width, height);
    const double x0 = (width - side) / 2;
    const double y0 = (height - side) / 2;
    auto pt = [&](double fx, double fy) {
        return num(x0 + fx * side) + " " + num(y0 + fy * side);
    };
    const std::string mark = "q 0 g 0 G " + num(side * 0.1) + " w 1 J 1 j\n" + pt(0.2, 0.52) +
                             " m " + pt(0.42, 0.27) + " l " + pt(0.8, 0.78) + " l S\nQ\n";
    QPDFObjectHandle states = QPDFObjectHandle::newDictionary();
    states.replaceKey("/" + std::string(on_state),
                      make_form(qpdf, width, height, rotate, mark, QPDFObjectHandle()));
    states.replaceKey("/Off", make_form(qpdf, width, height, rotate, "", QPDFObjectHandle()));
    Appearance out;
    out.normal = states;
    out.state = checked ? "/" + std::string(on_state) : "/Off";
    out.rotate = normalise_rotation(rotate);
    return out;
}

Appearance empty_appearance(QPDF& qpdf, double width, double height, int rotate) {
    check_size(width, height);
    Appearance out;
    out.normal = make_form(qpdf, width, height, rotate, "", QPDFObjectHandle());
    out.rotate = normalise_rotation(rotate);
    return out;
}

}  // namespace signet::pdf
