#include "pdf/page_text.hpp"

#include "i18n/catalog.hpp"
#include "pdf/appearance_stream.hpp"
#include "pdf/font.hpp"
#include "pdf/font_embed.hpp"
#include "pdf/qpdf.hpp"
#include "signet/error.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace signet::pdf {
namespace {

using detail::num;

const char* const k_bold_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
const char* const k_mono_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

const TrueTypeFont& font_for(PageFont font) {
    switch (font) {
    case PageFont::bold: {
        static const TrueTypeFont bold = TrueTypeFont::load(k_bold_font_path, k_text_font_package);
        return bold;
    }
    case PageFont::mono: {
        static const TrueTypeFont mono = TrueTypeFont::load(k_mono_font_path, k_text_font_package);
        return mono;
    }
    case PageFont::regular:
        break;
    }
    return text_font();
}

std::size_t index_of(PageFont font) { return static_cast<std::size_t>(font); }

const char* const k_font_names[] = {"/F1", "/F2", "/F3"};

// Line pitch as a multiple of the font size.
constexpr double k_leading = 1.3;

}  // namespace

struct TextPages::Impl {
    PageLayout layout;
    QPDF qpdf;
    std::array<std::unique_ptr<FontSubsetBuilder>, 3> fonts;
    std::array<bool, 3> used{};
    std::vector<std::string> pages;  // content streams
    double cursor = 0;               // the top of the next line, in points from the bottom
    bool written = false;

    explicit Impl(PageLayout l) : layout(std::move(l)) {
        qpdf.emptyPDF();
        for (PageFont f : {PageFont::regular, PageFont::bold, PageFont::mono}) {
            fonts[index_of(f)] = std::make_unique<FontSubsetBuilder>(qpdf, font_for(f));
        }
        new_page();
    }

    double top() const { return layout.height - layout.margin; }
    // Text stops above the footer.
    double bottom() const { return layout.margin; }
    double content_width() const { return layout.width - 2 * layout.margin; }

    void new_page() {
        pages.emplace_back();
        cursor = top();
    }

    void ensure(double height) {
        if (cursor - height < bottom() && cursor < top()) {
            new_page();
        }
    }

    FontSubsetBuilder& builder(PageFont f) {
        used[index_of(f)] = true;
        return *fonts[index_of(f)];
    }

    // Breaks text into lines no wider than `width` at `size` points.
    std::vector<std::vector<ShapedGlyph>> wrap(std::string_view utf8, const RunStyle& style,
                                               double width) {
        const std::u32string text = utf8_to_codepoints(utf8);
        FontSubsetBuilder& font = builder(style.font);
        const double limit = width * 1000.0 / style.size;
        std::vector<std::vector<ShapedGlyph>> lines;
        std::size_t start = 0;
        while (start <= text.size()) {
            // One paragraph: up to the next line feed.
            std::size_t end = text.find(U'\n', start);
            if (end == std::u32string::npos) {
                end = text.size();
            }
            const std::vector<ShapedGlyph> glyphs =
                font.shape(std::u32string_view(text).substr(start, end - start));
            std::size_t line_start = 0;
            while (true) {
                double w = 0;
                std::size_t i = line_start;
                std::size_t last_space = std::string::npos;
                while (i < glyphs.size() && (w + glyphs[i].advance <= limit || i == line_start)) {
                    if (glyphs[i].character == U' ') {
                        last_space = i;
                    }
                    w += glyphs[i].advance;
                    ++i;
                }
                std::size_t line_end = i;
                std::size_t next = i;
                if (i < glyphs.size()) {
                    if (glyphs[i].character == U' ') {
                        next = i + 1;
                    } else if (last_space != std::string::npos && last_space > line_start) {
                        line_end = last_space;
                        next = last_space + 1;
                    }
                }
                while (line_end > line_start && glyphs[line_end - 1].character == U' ') {
                    --line_end;
                }
                lines.emplace_back(glyphs.begin() + static_cast<std::ptrdiff_t>(line_start),
                                   glyphs.begin() + static_cast<std::ptrdiff_t>(line_end));
                if (next >= glyphs.size()) {
                    break;
                }
                line_start = next;
            }
            start = end + 1;
        }
        return lines;
    }

    void draw(std::string& out, const std::vector<ShapedGlyph>& line, const RunStyle& style,
              double x, double baseline) {
        if (line.empty()) {
            return;
        }
        FontSubsetBuilder& font = builder(style.font);
        out += num(style.gray) + " g BT " + k_font_names[index_of(style.font)] + " " +
               num(style.size) + " Tf 1 0 0 1 " + num(x) + " " + num(baseline) + " Tm " +
               font.show(line) + " Tj ET\n";
    }

    double baseline_below(double line_top, const RunStyle& style) {
        return line_top - style.size * builder(style.font).ascent() / 1000.0 -
               style.size * (k_leading - 1) / 2;
    }

    void draw_lines(const std::vector<std::vector<ShapedGlyph>>& lines, const RunStyle& style,
                    double x, double line_top) {
        for (const auto& line : lines) {
            draw(pages.back(), line, style, x, baseline_below(line_top, style));
            line_top -= style.size * k_leading;
        }
    }
};

TextPages::TextPages(PageLayout layout) : m_impl(std::make_unique<Impl>(std::move(layout))) {}

TextPages::~TextPages() = default;

double TextPages::content_width() const { return m_impl->content_width(); }

int TextPages::pages() const { return static_cast<int>(m_impl->pages.size()); }

void TextPages::paragraph(std::string_view utf8, const RunStyle& style, double indent) {
    Impl& d = *m_impl;
    const double pitch = style.size * k_leading;
    for (const auto& line : d.wrap(utf8, style, d.content_width() - indent)) {
        d.ensure(pitch);
        d.draw(d.pages.back(), line, style, d.layout.margin + indent,
               d.baseline_below(d.cursor, style));
        d.cursor -= pitch;
    }
}

void TextPages::labelled(std::string_view label, std::string_view value, double indent,
                         double label_width, const RunStyle& label_style,
                         const RunStyle& value_style) {
    Impl& d = *m_impl;
    const double gap = 6;
    const auto label_lines = d.wrap(label, label_style, label_width - gap);
    const auto value_lines =
        d.wrap(value, value_style, d.content_width() - indent - label_width);
    const double height =
        std::max(static_cast<double>(label_lines.size()) * label_style.size * k_leading,
                 static_cast<double>(value_lines.size()) * value_style.size * k_leading);
    d.ensure(height);
    d.draw_lines(label_lines, label_style, d.layout.margin + indent, d.cursor);
    d.draw_lines(value_lines, value_style, d.layout.margin + indent + label_width, d.cursor);
    d.cursor -= height;
}

void TextPages::space(double points) {
    Impl& d = *m_impl;
    d.cursor = std::max(d.bottom(), d.cursor - points);
}

void TextPages::rule(double gray) {
    Impl& d = *m_impl;
    d.ensure(4);
    const double y = d.cursor - 2;
    d.pages.back() += num(gray) + " G 0.5 w " + num(d.layout.margin) + " " + num(y) + " m " +
                      num(d.layout.width - d.layout.margin) + " " + num(y) + " l S\n";
    d.cursor -= 4;
}

void TextPages::keep(double points) { m_impl->ensure(points); }

std::string TextPages::write(const PdfMetadata& metadata) {
    Impl& d = *m_impl;
    if (d.written) {
        throw internal_error("a text document written twice");
    }
    d.written = true;

    // Footers, now that the page count is known.
    const RunStyle footer{PageFont::regular, 8, 0.35};
    const double footer_baseline = d.layout.margin / 2;
    const int count = static_cast<int>(d.pages.size());
    for (int i = 0; i < count; ++i) {
        std::string& content = d.pages[static_cast<std::size_t>(i)];
        const std::string number = i18n::fill_placeholders(
            d.layout.page_number, {{"n", std::to_string(i + 1)}, {"count", std::to_string(count)}},
            "the page number");
        FontSubsetBuilder& font = d.builder(footer.font);
        const auto right = font.shape(std::string_view(number));
        const double right_x =
            d.layout.width - d.layout.margin - FontSubsetBuilder::width(right, footer.size);
        if (!d.layout.footer.empty()) {
            // One line: what does not fit is left out.
            const auto left = d.wrap(d.layout.footer, footer, right_x - d.layout.margin - 12);
            d.draw(content, left.front(), footer, d.layout.margin, footer_baseline);
        }
        d.draw(content, right, footer, right_x, footer_baseline);
    }

    QPDFObjectHandle font_dict = QPDFObjectHandle::newDictionary();
    for (PageFont f : {PageFont::regular, PageFont::bold, PageFont::mono}) {
        if (d.used[index_of(f)]) {
            font_dict.replaceKey(k_font_names[index_of(f)], d.fonts[index_of(f)]->font_object());
        }
    }
    QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
    resources.replaceKey("/Font", font_dict);
    resources = d.qpdf.makeIndirectObject(resources);

    QPDFPageDocumentHelper page_helper(d.qpdf);
    for (const std::string& content : d.pages) {
        QPDFObjectHandle media_box = QPDFObjectHandle::newArray();
        for (double v : {0.0, 0.0, d.layout.width, d.layout.height}) {
            media_box.appendItem(QPDFObjectHandle::newReal(num(v)));
        }
        QPDFObjectHandle page = QPDFObjectHandle::newDictionary();
        page.replaceKey("/Type", QPDFObjectHandle::newName("/Page"));
        page.replaceKey("/MediaBox", media_box);
        page.replaceKey("/Resources", resources);
        page.replaceKey("/Contents", detail::flate_stream(d.qpdf, content));
        page_helper.addPage(QPDFPageObjectHelper(d.qpdf.makeIndirectObject(page)), false);
    }
    for (auto& font : d.fonts) {
        font->finish();
    }

    QPDFObjectHandle info = QPDFObjectHandle::newDictionary();
    const std::pair<const char*, const std::string*> entries[] = {
        {"/Title", &metadata.title},
        {"/Author", &metadata.author},
        {"/Producer", &metadata.producer},
        {"/CreationDate", &metadata.creation_date},
    };
    for (const auto& [key, text] : entries) {
        if (!text->empty()) {
            info.replaceKey(key, QPDFObjectHandle::newUnicodeString(*text));
        }
    }
    d.qpdf.getTrailer().replaceKey("/Info", d.qpdf.makeIndirectObject(info));

    QPDFWriter writer(d.qpdf);
    writer.setOutputMemory();
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.setLinearization(false);
    writer.setDeterministicID(true);
    writer.write();
    const std::shared_ptr<Buffer> buffer = writer.getBufferSharedPointer();
    return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

}  // namespace signet::pdf
