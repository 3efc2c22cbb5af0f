// A small writer of text documents: flowing, wrapped lines on A4 pages in
// DejaVu Sans (regular and bold) and DejaVu Sans Mono, each an embedded
// subset with a /ToUnicode map, so any script renders and can be copied.
// For reports that signet writes itself, such as the certificate of
// completion; page content is drawn directly, there are no forms.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace signet::pdf {

enum class PageFont { regular, bold, mono };

// How a run of text is drawn.
struct RunStyle {
    PageFont font = PageFont::regular;
    double size = 10;   // points
    double gray = 0;    // 0 black .. 1 white
};

struct PageLayout {
    double width = 595.276;   // A4 in points
    double height = 841.89;
    double margin = 56.69;    // 20 mm on every side
    // Shown at the foot of every page, left; the page number at the right,
    // `page_number` with {n} and {count} filled in.
    std::string footer;
    std::string page_number = "page {n} of {count}";
};

// What the document's /Info says of it. Strings may be in any script.
struct PdfMetadata {
    std::string title;
    std::string author;
    std::string producer;
    std::string creation_date;  // a PDF date ("D:20261123090000Z"); empty: none
};

// Lays text out top to bottom, starting a new page when the next block does
// not fit. Every call starts on a new line. Text is wrapped on spaces (and
// breaks at line feeds); a word longer than the line is broken where it
// must be. Characters the fonts lack are drawn as U+FFFD.
//
// The output depends only on what was drawn: the same calls give the same
// bytes (a deterministic /ID, no dates but the one given).
class TextPages {
public:
    explicit TextPages(PageLayout layout = {});
    ~TextPages();
    TextPages(const TextPages&) = delete;
    TextPages& operator=(const TextPages&) = delete;

    // The width between the margins, in points.
    double content_width() const;

    // Text from `indent` points right of the left margin to the right margin.
    void paragraph(std::string_view utf8, const RunStyle& style = {}, double indent = 0);

    // A label and its value side by side: the label at `indent`, the value
    // in the column that starts `label_width` points further right, both
    // wrapped in their columns; kept on one page.
    void labelled(std::string_view label, std::string_view value, double indent,
                  double label_width, const RunStyle& label_style, const RunStyle& value_style);

    // Vertical space.
    void space(double points);

    // A thin horizontal line across the content width.
    void rule(double gray = 0.7);

    // Starts a new page unless `points` of height are left on this one (for
    // a heading that should stand with what follows it).
    void keep(double points);

    // The number of pages so far.
    int pages() const;

    // The finished PDF: classic cross-reference table, no object streams.
    // Call once; throws internal_error when called again.
    std::string write(const PdfMetadata& metadata);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace signet::pdf
