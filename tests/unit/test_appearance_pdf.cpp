// End to end: appearances put on widgets of real PDFs, written with qpdf and
// checked with tools nobody here wrote (qpdf --check, poppler's pdftotext
// and pdftoppm).
#include "pdf/appearance.hpp"
#include "pdf/font_raster.hpp"
#include "pdf/geometry.hpp"
#include "pdf/png.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <sys/wait.h>

using namespace signet;

namespace {

struct Run {
    int status = -1;
    std::string output;
};

Run run(const std::string& command) {
    Run result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        result.output.append(buf, n);
    }
    const int raw = ::pclose(pipe);
    result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return result;
}

std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

pdf::DisplayedPage displayed(QPDFPageObjectHelper page) {
    const QPDFObjectHandle::Rectangle r = page.getCropBox().getArrayAsRectangle();
    QPDFObjectHandle rotate = page.getAttribute("/Rotate", false);
    const long degrees = rotate.isInteger() ? rotate.getIntValue() : 0;
    return pdf::DisplayedPage{pdf::Box{r.llx, r.lly, r.urx - r.llx, r.ury - r.lly},
                              pdf::normalise_rotation(degrees)};
}

// Adds a bare widget annotation (no form field) showing the appearance at a
// rectangle given as the page is displayed.
void add_widget(QPDF& qpdf, QPDFPageObjectHelper page, const pdf::Box& rect,
                const pdf::Appearance& appearance) {
    const pdf::Box user = displayed(page).to_user_space(rect);
    QPDFObjectHandle widget = QPDFObjectHandle::parse("<< /Type /Annot /Subtype /Widget /F 4 >>");
    widget.replaceKey("/Rect", QPDFObjectHandle::newFromRectangle(QPDFObjectHandle::Rectangle(
                                   user.x, user.y, user.right(), user.top())));
    pdf::apply_appearance(widget, appearance);
    QPDFObjectHandle page_dict = page.getObjectHandle();
    if (!page_dict.getKey("/Annots").isArray()) {
        page_dict.replaceKey("/Annots", QPDFObjectHandle::newArray());
    }
    page_dict.getKey("/Annots").appendItem(qpdf.makeIndirectObject(widget));
}

// Where each field goes, as displayed; all fit an A4 page either way up.
const pdf::Box k_name{60, 330, 220, 24};
const pdf::Box k_place{60, 300, 220, 24};
const pdf::Box k_note{300, 290, 220, 64};
const pdf::Box k_signature{60, 200, 180, 60};
const pdf::Box k_stamp{260, 160, 100, 100};
const pdf::Box k_typed{380, 200, 200, 60};
const pdf::Box k_check{60, 160, 14, 14};

void write(QPDF& qpdf, const std::filesystem::path& path) {
    QPDFWriter writer(qpdf, path.string().c_str());
    writer.setStaticID(true);
    writer.write();
}

// Writes page 1 of a fixture (turned to `rotate` when given) as
// original.pdf, then fills it with every kind of appearance and writes
// filled.pdf.
void fill(const std::string& fixture, std::optional<int> turn, const std::filesystem::path& dir) {
    QPDF qpdf;
    qpdf.processFile(test::fixture(fixture).string().c_str());
    QPDFPageObjectHelper page = QPDFPageDocumentHelper(qpdf).getAllPages().at(0);
    if (turn) {
        page.getObjectHandle().replaceKey("/Rotate", QPDFObjectHandle::newInteger(*turn));
    }
    write(qpdf, dir / "original.pdf");
    const int rotate = displayed(page).rotate;

    pdf::FontSubsetBuilder fonts(qpdf);
    auto text = [&](const pdf::Box& box, const char* value, bool multiline) {
        pdf::TextStyle style;
        style.multiline = multiline;
        add_widget(qpdf, page, box,
                   pdf::text_appearance(qpdf, fonts, value, box.width, box.height, rotate, style));
    };
    text(k_name, "Пётр Иванов", false);
    text(k_place, "Żółć Łódź", false);
    text(k_note, "Uwagi: ł, ß, é, à — dostawa w terminie 30 dni od daty zamówienia.", true);
    fonts.finish();

    auto image = [&](const pdf::Box& box, const pdf::Image& img) {
        add_widget(qpdf, page, box,
                   pdf::image_appearance(qpdf, img, box.width, box.height, rotate));
    };
    image(k_signature, pdf::load_png(test::fixture("sig.png")));
    image(k_stamp, pdf::load_png(test::fixture("stamp.png")));
    image(k_typed,
          pdf::render_typed_signature("Пётр Иванов", k_typed.width, k_typed.height));
    add_widget(qpdf, page, k_check,
               pdf::checkbox_appearance(qpdf, true, k_check.width, k_check.height, rotate));

    write(qpdf, dir / "filled.pdf");
}

// Renders page 1 at 50 dpi.
pdf::Image render(const std::filesystem::path& pdf_path, const std::filesystem::path& dir,
                  const std::string& name) {
    const auto prefix = dir / name;
    const Run r = run("pdftoppm -r 50 -png -f 1 -l 1 -singlefile " + quote(pdf_path) + " " +
                      quote(prefix));
    REQUIRE_MESSAGE(r.status == 0, r.output);
    return pdf::load_png(prefix.string() + ".png");
}

// How many pixels inside a displayed rectangle differ clearly between two
// renderings of the same page.
int changed_pixels(const pdf::Image& before, const pdf::Image& after, const pdf::Box& rect,
                   double page_height) {
    REQUIRE(before.width == after.width);
    REQUIRE(before.height == after.height);
    const double k = 50.0 / 72.0;
    const auto x0 = static_cast<std::uint32_t>(rect.x * k);
    const auto x1 = static_cast<std::uint32_t>(rect.right() * k);
    const auto y0 = static_cast<std::uint32_t>((page_height - rect.top()) * k);
    const auto y1 = static_cast<std::uint32_t>((page_height - rect.y) * k);
    int changed = 0;
    for (std::uint32_t y = y0; y < y1 && y < after.height; ++y) {
        for (std::uint32_t x = x0; x < x1 && x < after.width; ++x) {
            const std::size_t i = (std::size_t{y} * after.width + x) * 3;
            int diff = 0;
            for (std::size_t c = 0; c < 3; ++c) {
                diff += std::abs(int{after.rgb[i + c]} - int{before.rgb[i + c]});
            }
            changed += diff > 60 ? 1 : 0;
        }
    }
    return changed;
}

struct Word {
    double x_min, y_min, x_max, y_max;
};

// Words and their boxes on the displayed page, from pdftotext -bbox.
std::vector<std::pair<std::string, Word>> words(const std::filesystem::path& pdf_path) {
    const Run r = run("pdftotext -bbox -f 1 -l 1 " + quote(pdf_path) + " -");
    REQUIRE(r.status == 0);
    std::vector<std::pair<std::string, Word>> out;
    const std::regex word(R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" )re"
                          R"re(xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
    for (std::sregex_iterator it(r.output.begin(), r.output.end(), word), end; it != end; ++it) {
        const auto& m = *it;
        out.emplace_back(m[5].str(), Word{std::stod(m[1].str()), std::stod(m[2].str()),
                                          std::stod(m[3].str()), std::stod(m[4].str())});
    }
    return out;
}

Word find_word(const std::vector<std::pair<std::string, Word>>& all, const std::string& text) {
    for (const auto& [t, w] : all) {
        if (t == text) {
            return w;
        }
    }
    FAIL("word not found: " << text);
    return {};
}

void check_document(const std::string& fixture, std::optional<int> turn = std::nullopt) {
    CAPTURE(fixture);
    CAPTURE(turn.value_or(-1));
    test::TempDir tmp;
    // SIGNET_KEEP_APPEARANCE_OUTPUT=DIR keeps the files to look at.
    const char* keep = std::getenv("SIGNET_KEEP_APPEARANCE_OUTPUT");
    const std::filesystem::path dir =
        keep != nullptr
            ? std::filesystem::path(keep) / (fixture + (turn ? "-" + std::to_string(*turn) : ""))
            : tmp.path();
    std::filesystem::create_directories(dir);

    fill(fixture, turn, dir);
    const auto original = dir / "original.pdf";
    const auto filled = dir / "filled.pdf";

    const Run check = run("qpdf --check " + quote(filled));
    CHECK_MESSAGE(check.status == 0, check.output);
    CHECK(check.output.find("No syntax or stream encoding errors") != std::string::npos);

    const auto flat = dir / "flat.pdf";
    const Run flatten = run("qpdf --flatten-annotations=all " + quote(filled) + " " + quote(flat));
    REQUIRE_MESSAGE(flatten.status == 0, flatten.output);

    // The text comes back out exactly: the ToUnicode map works.
    const Run text = run("pdftotext -f 1 -l 1 " + quote(flat) + " -");
    REQUIRE(text.status == 0);
    CHECK(text.output.find("Пётр Иванов") != std::string::npos);
    CHECK(text.output.find("Żółć Łódź") != std::string::npos);
    CHECK(text.output.find("ł, ß, é, à") != std::string::npos);

    // Upright on the displayed page: the words of a line run left to right
    // at one height, wider than tall, where the field is.
    QPDF original_pdf;
    original_pdf.processFile(original.string().c_str());
    const pdf::DisplayedPage page =
        displayed(QPDFPageDocumentHelper(original_pdf).getAllPages().at(0));
    const auto all = words(flat);
    const Word first = find_word(all, "Пётр");
    const Word second = find_word(all, "Иванов");
    CHECK(first.x_max < second.x_min);
    CHECK(first.y_min == doctest::Approx(second.y_min).epsilon(0.01));
    CHECK(second.x_max - second.x_min > 2 * (second.y_max - second.y_min));
    // pdftotext's y runs down from the top of the displayed page.
    CHECK(first.x_min >= k_name.x);
    CHECK(second.x_max <= k_name.right());
    CHECK(first.y_min >= page.height() - k_name.top());
    CHECK(first.y_max <= page.height() - k_name.y);

    // The images are visible where their widgets are; both the flattened
    // file and the one with annotations render them.
    const pdf::Image before = render(original, dir, "before");
    for (const auto& [name, file] :
         {std::pair<std::string, std::filesystem::path>{"flat", flat}, {"filled", filled}}) {
        CAPTURE(name);
        const pdf::Image after = render(file, dir, name);
        REQUIRE(std::abs(after.width - page.width() * 50 / 72) < 1);
        const double h = page.height();
        CHECK(changed_pixels(before, after, k_signature, h) > 100);
        CHECK(changed_pixels(before, after, k_stamp, h) > 300);
        CHECK(changed_pixels(before, after, k_typed, h) > 100);
        CHECK(changed_pixels(before, after, k_name, h) > 30);
        CHECK(changed_pixels(before, after, k_check, h) > 5);
        // Nothing drawn outside the fields: a band below them stays as it was.
        CHECK(changed_pixels(before, after, pdf::Box{40, 60, 500, 80}, h) == 0);
    }
}

}  // namespace

TEST_CASE("appearances on an upright page pass qpdf --check, extract as text and render") {
    check_document("contract.pdf");
}

TEST_CASE("appearances on a page with /Rotate 90 are upright as displayed") {
    check_document("rotated.pdf");
}

TEST_CASE("appearances on pages turned 180 and 270 degrees are upright as displayed") {
    SUBCASE("180") { check_document("contract.pdf", 180); }
    SUBCASE("270") { check_document("contract.pdf", 270); }
    SUBCASE("-90, as some producers write it") { check_document("contract.pdf", -90); }
}
