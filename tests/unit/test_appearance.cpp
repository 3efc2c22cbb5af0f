#include "pdf/appearance.hpp"
#include "pdf/font_raster.hpp"
#include "pdf/geometry.hpp"
#include "signet/error.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>

using namespace signet;

namespace {

void make_document(QPDF& qpdf) { qpdf.emptyPDF(); }

// The hex glyph id of "…" as it appears at the end of a Tj string.
std::string ellipsis_hex(const pdf::FontSubsetBuilder& fonts) {
    const auto glyphs = fonts.shape(std::string_view("…"));
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X>", glyphs.at(0).glyph);
    return buf;
}

std::string content_of(QPDFObjectHandle stream) {
    const auto data = stream.getStreamData();
    return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
}

std::vector<double> numbers(QPDFObjectHandle array) {
    std::vector<double> out;
    for (auto item : array.aitems()) {
        out.push_back(item.getNumericValue());
    }
    return out;
}

// Maps a point by a PDF matrix [a b c d e f].
std::pair<double, double> apply(const std::vector<double>& m, double x, double y) {
    return {m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]};
}

// The Tf size and the lines shown (count of Tj) in a text appearance.
std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

double font_size_of(const std::string& content) {
    const std::size_t at = content.find("/F0 ");
    REQUIRE(at != std::string::npos);
    return std::stod(content.substr(at + 4));
}

}  // namespace

TEST_CASE("the appearance matrix turns an upright W x H box to the page's rotation") {
    const double w = 200;
    const double h = 50;
    SUBCASE("no rotation: identity") {
        CHECK(numbers(pdf::appearance_matrix(w, h, 0)) == std::vector<double>{1, 0, 0, 1, 0, 0});
    }
    SUBCASE("90: the text's baseline runs up the page, the box lands at (0, 0) as H x W") {
        const auto m = numbers(pdf::appearance_matrix(w, h, 90));
        // Displayed 90 degrees clockwise, "up" in user space is "right" on screen.
        CHECK(apply(m, 1, 0).first == doctest::Approx(apply(m, 0, 0).first));
        CHECK(apply(m, 1, 0).second > apply(m, 0, 0).second);
        CHECK(apply(m, 0, 0) == std::pair<double, double>{h, 0});
        CHECK(apply(m, w, h) == std::pair<double, double>{0, w});
    }
    SUBCASE("180: upside down, the box still at (0, 0)") {
        const auto m = numbers(pdf::appearance_matrix(w, h, 180));
        CHECK(apply(m, 0, 0) == std::pair<double, double>{w, h});
        CHECK(apply(m, w, h) == std::pair<double, double>{0, 0});
    }
    SUBCASE("270 (and -90): the baseline runs down the page") {
        const auto m = numbers(pdf::appearance_matrix(w, h, 270));
        CHECK(apply(m, 1, 0).second < apply(m, 0, 0).second);
        CHECK(apply(m, w, h) == std::pair<double, double>{h, 0});
        CHECK(numbers(pdf::appearance_matrix(w, h, -90)) == m);
    }
}

TEST_CASE("apply_appearance sets /AP, /AS and /MK /R on a widget and keeps other /MK entries") {
    QPDF qpdf;
    make_document(qpdf);
    QPDFObjectHandle widget = QPDFObjectHandle::parse("<< /Type /Annot /Subtype /Widget /AS /Yes "
                                                      "/MK << /BC [ 0 0 1 ] >> >>");
    pdf::Appearance empty = pdf::empty_appearance(qpdf, 100, 20, 90);
    pdf::apply_appearance(widget, empty);
    CHECK(widget.getKey("/AP").getKey("/N").isStream());
    CHECK_FALSE(widget.hasKey("/AS"));
    CHECK(widget.getKey("/MK").getKey("/R").getIntValue() == 90);
    CHECK(widget.getKey("/MK").hasKey("/BC"));

    QPDFObjectHandle plain = QPDFObjectHandle::parse("<< /Type /Annot /Subtype /Widget >>");
    pdf::apply_appearance(plain, pdf::empty_appearance(qpdf, 100, 20, 0));
    CHECK_FALSE(plain.hasKey("/MK"));  // nothing to say for an unrotated page

    QPDFObjectHandle box = QPDFObjectHandle::parse("<< /Type /Annot /Subtype /Widget >>");
    pdf::apply_appearance(box, pdf::checkbox_appearance(qpdf, true, 12, 12, 0));
    CHECK(box.getKey("/AS").getName() == "/Yes");
    CHECK(box.getKey("/AP").getKey("/N").getKey("/Yes").isStream());
    CHECK(box.getKey("/AP").getKey("/N").getKey("/Off").isStream());
    CHECK(pdf::widget_mk(-90).unparse() == "<< /R 270 >>");
}

TEST_CASE("form XObjects have the displayed box, the rotation matrix and resources") {
    QPDF qpdf;
    make_document(qpdf);
    pdf::Appearance a = pdf::empty_appearance(qpdf, 120.5, 30, 270);
    QPDFObjectHandle dict = a.normal.getDict();
    CHECK(dict.getKey("/Subtype").getName() == "/Form");
    CHECK(numbers(dict.getKey("/BBox")) == std::vector<double>{0, 0, 120.5, 30});
    CHECK(numbers(dict.getKey("/Matrix")) == numbers(pdf::appearance_matrix(120.5, 30, 270)));
    CHECK(dict.getKey("/Resources").isDictionary());
    CHECK(a.rotate == 270);
    CHECK_THROWS_AS(pdf::empty_appearance(qpdf, 0, 30, 0), Error);
}

TEST_CASE("a check box has a check mark when on and nothing when off") {
    QPDF qpdf;
    make_document(qpdf);
    pdf::Appearance off = pdf::checkbox_appearance(qpdf, false, 14, 14, 0, "Agree");
    CHECK(off.state == "/Off");
    const std::string mark = content_of(off.normal.getKey("/Agree"));
    CHECK(mark.find(" m ") != std::string::npos);
    CHECK(mark.find(" l ") != std::string::npos);
    CHECK(mark.find("S\n") != std::string::npos);
    CHECK(content_of(off.normal.getKey("/Off")).empty());
    CHECK(pdf::checkbox_appearance(qpdf, true, 14, 14, 0, "Agree").state == "/Agree");
}

TEST_CASE("an image XObject has an SMask only when the image is transparent") {
    QPDF qpdf;
    make_document(qpdf);
    pdf::Image image = pdf::load_png(test::fixture("sig.png"));
    QPDFObjectHandle with_alpha = pdf::image_xobject(qpdf, image);
    CHECK(with_alpha.getDict().getKey("/Width").getIntValue() == 240);
    CHECK(with_alpha.getDict().getKey("/ColorSpace").getName() == "/DeviceRGB");
    CHECK(with_alpha.getDict().getKey("/Filter").getName() == "/FlateDecode");
    QPDFObjectHandle smask = with_alpha.getDict().getKey("/SMask");
    REQUIRE(smask.isStream());
    CHECK(smask.getDict().getKey("/ColorSpace").getName() == "/DeviceGray");
    // The predictor-coded data decodes back to the pixels.
    const auto decoded = with_alpha.getStreamData(qpdf_dl_generalized);
    REQUIRE(decoded->getSize() == image.rgb.size());
    CHECK(std::equal(image.rgb.begin(), image.rgb.end(), decoded->getBuffer()));
    const auto alpha = smask.getStreamData(qpdf_dl_generalized);
    REQUIRE(alpha->getSize() == image.alpha.size());
    CHECK(std::equal(image.alpha.begin(), image.alpha.end(), alpha->getBuffer()));

    std::fill(image.alpha.begin(), image.alpha.end(), std::uint8_t{255});
    CHECK_FALSE(pdf::image_xobject(qpdf, image).getDict().hasKey("/SMask"));
}

TEST_CASE("an image encoded once gives each document its own streams with the same bytes") {
    // sign --batch encodes the signer's images once and puts them into
    // every document it signs.
    const pdf::Image image = pdf::load_png(test::fixture("stamp.png"));
    const pdf::EncodedImage encoded = pdf::encode_image(image);
    CHECK(encoded.width == image.width);
    CHECK(encoded.height == image.height);
    REQUIRE(encoded.alpha.has_value());
    QPDF first;
    make_document(first);
    QPDF second;
    make_document(second);
    QPDFObjectHandle a = pdf::image_xobject(first, encoded);
    QPDFObjectHandle b = pdf::image_xobject(second, encoded);
    QPDFObjectHandle c = pdf::image_xobject(second, encoded);
    CHECK(a.getOwningQPDF() == &first);
    CHECK(b.getOwningQPDF() == &second);
    CHECK(b.getObjGen() != c.getObjGen());  // a new object each call
    const auto raw = [](QPDFObjectHandle stream) {
        const auto data = stream.getRawStreamData();
        return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
    };
    CHECK(raw(a) == encoded.rgb);
    CHECK(raw(b) == encoded.rgb);
    CHECK(raw(a.getDict().getKey("/SMask")) == *encoded.alpha);
    CHECK(raw(b.getDict().getKey("/SMask")) == *encoded.alpha);
    // The same bytes as an image encoded for one document alone.
    CHECK(raw(pdf::image_xobject(first, image)) == encoded.rgb);
    // And they decode to the pixels in either document.
    for (QPDFObjectHandle x : {a, b}) {
        const auto rgb = x.getStreamData(qpdf_dl_generalized);
        REQUIRE(rgb->getSize() == image.rgb.size());
        CHECK(std::equal(image.rgb.begin(), image.rgb.end(), rgb->getBuffer()));
        const auto alpha = x.getDict().getKey("/SMask").getStreamData(qpdf_dl_generalized);
        REQUIRE(alpha->getSize() == image.alpha.size());
        CHECK(std::equal(image.alpha.begin(), image.alpha.end(), alpha->getBuffer()));
    }
}

TEST_CASE("encoding an opaque image gives no alpha, and bad buffers are refused") {
    pdf::Image image = pdf::load_png(test::fixture("sig.png"));
    std::fill(image.alpha.begin(), image.alpha.end(), std::uint8_t{255});
    const pdf::EncodedImage encoded = pdf::encode_image(image);
    CHECK_FALSE(encoded.alpha.has_value());
    QPDF qpdf;
    make_document(qpdf);
    CHECK_FALSE(pdf::image_xobject(qpdf, encoded).getDict().hasKey("/SMask"));
    image.rgb.pop_back();
    CHECK_THROWS_AS(pdf::encode_image(image), Error);
    CHECK_THROWS_AS(pdf::image_xobject(qpdf, pdf::EncodedImage{}), Error);
}

TEST_CASE("an image is fitted inside the box keeping its aspect ratio, centred") {
    QPDF qpdf;
    make_document(qpdf);
    const pdf::Image image = pdf::load_png(test::fixture("sig.png"));  // 3:1
    SUBCASE("a wide box: full height, centred horizontally") {
        const std::string c = content_of(pdf::image_appearance(qpdf, image, 200, 40, 0).normal);
        CHECK(c == "q 120 0 0 40 40 0 cm /Im0 Do Q\n");
    }
    SUBCASE("a tall box: full width, centred vertically") {
        const std::string c = content_of(pdf::image_appearance(qpdf, image, 60, 100, 0).normal);
        CHECK(c == "q 60 0 0 20 0 40 cm /Im0 Do Q\n");
    }
}

TEST_CASE("single-line text keeps the size the box allows, shrinks to fit, then is cut") {
    QPDF qpdf;
    make_document(qpdf);
    pdf::FontSubsetBuilder fonts(qpdf);
    SUBCASE("a short value in a roomy box: the maximum size") {
        auto a = pdf::text_appearance(qpdf, fonts, "Łódź", 200, 30, 0);
        CHECK(font_size_of(content_of(a.normal)) == doctest::Approx(12));
    }
    SUBCASE("a low box: the size follows the height") {
        auto a = pdf::text_appearance(qpdf, fonts, "Łódź", 200, 10, 0);
        const double size = font_size_of(content_of(a.normal));
        CHECK(size < 8);
        CHECK(size > 6);
    }
    SUBCASE("a long value shrinks to fit the width") {
        auto a = pdf::text_appearance(qpdf, fonts, "Пётр Иванов Сидоров", 100, 30, 0);
        const double size = font_size_of(content_of(a.normal));
        CHECK(size < 12);
        CHECK(size > 5);
        CHECK(content_of(a.normal).find(ellipsis_hex(fonts)) == std::string::npos);
    }
    SUBCASE("a value too long even at the minimum size is cut with an ellipsis") {
        const std::string long_text(300, 'W');
        auto a = pdf::text_appearance(qpdf, fonts, long_text, 100, 30, 0);
        const std::string c = content_of(a.normal);
        CHECK(font_size_of(c) == doctest::Approx(5));
        CHECK(c.find(ellipsis_hex(fonts)) != std::string::npos);
    }
    fonts.finish();
}

TEST_CASE("multiline text wraps on spaces and shrinks until the lines fit") {
    QPDF qpdf;
    make_document(qpdf);
    pdf::FontSubsetBuilder fonts(qpdf);
    pdf::TextStyle style;
    style.multiline = true;
    SUBCASE("a paragraph over several lines") {
        auto a = pdf::text_appearance(
            qpdf, fonts, "Dostawa w terminie do 30 dni od daty zamówienia, płatność przelewem.",
            150, 80, 0, style);
        const std::string c = content_of(a.normal);
        CHECK(count_of(c, " Tj") >= 3);
        CHECK(font_size_of(c) == doctest::Approx(12));
    }
    SUBCASE("line breaks are kept") {
        auto a = pdf::text_appearance(qpdf, fonts, "ul. Prosta 1\n00-001 Warszawa", 300,
                                            80, 0, style);
        CHECK(count_of(content_of(a.normal), " Tj") == 2);
    }
    SUBCASE("too much text for the box: smaller, then cut") {
        std::string text;
        for (int i = 0; i < 80; ++i) {
            text += "słowo ";
        }
        auto a = pdf::text_appearance(qpdf, fonts, text, 100, 30, 0, style);
        const std::string c = content_of(a.normal);
        CHECK(font_size_of(c) == doctest::Approx(5));
        CHECK(count_of(c, " Tj") >= 3);
        CHECK(c.find(ellipsis_hex(fonts)) != std::string::npos);
    }
    SUBCASE("a word longer than the line is broken") {
        auto a = pdf::text_appearance(qpdf, fonts, std::string(60, 'M'), 100, 200, 0, style);
        CHECK(count_of(content_of(a.normal), " Tj") >= 3);
    }
    fonts.finish();
}

TEST_CASE("a typed signature is drawn in ink at four pixels per point with the box's shape") {
    const pdf::Image image = pdf::render_typed_signature("Jan Kowalski", 150, 50);
    CHECK(image.width == 600);
    CHECK(image.height == 200);
    CHECK(image.has_transparency());
    const auto inked = std::count_if(image.alpha.begin(), image.alpha.end(),
                                     [](std::uint8_t a) { return a > 128; });
    CHECK(inked > 2000);
    // Dark blue ink.
    CHECK(image.rgb[2] > image.rgb[0]);
    // The ink fills the box and is centred: the leftmost and rightmost inked
    // columns are near the sides, at about equal distance.
    std::uint32_t left = image.width;
    std::uint32_t right = 0;
    for (std::uint32_t y = 0; y < image.height; ++y) {
        for (std::uint32_t x = 0; x < image.width; ++x) {
            if (image.alpha[std::size_t{y} * image.width + x] > 0) {
                left = std::min(left, x);
                right = std::max(right, x);
            }
        }
    }
    CHECK(left < 60);
    CHECK(image.width - right < 60);
    CHECK(std::abs(static_cast<int>(left) - static_cast<int>(image.width - 1 - right)) < 6);
}

TEST_CASE("a typed signature in Cyrillic, and with letters the script font lacks, has ink") {
    const auto inked = [](const pdf::Image& image) {
        return std::count_if(image.alpha.begin(), image.alpha.end(),
                             [](std::uint8_t a) { return a > 128; });
    };
    CHECK(inked(pdf::render_typed_signature("Пётр Иванов", 150, 50)) > 1000);
    // Z003 has no Vietnamese letters: they come from the fallback font.
    const pdf::OutlineFont script =
        pdf::OutlineFont::load(pdf::k_signature_font_path, pdf::k_signature_font_package);
    REQUIRE(script.glyph_for(U'\u1EC5') == 0);
    CHECK(inked(pdf::render_typed_signature("\u1EC5", 50, 50)) > 200);
}

TEST_CASE("a typed signature refuses a blank name and one no font can draw") {
    CHECK_THROWS_WITH_AS(pdf::render_typed_signature("  ", 100, 40),
                         "typed signature: the name is blank", Error);
    CHECK_THROWS_WITH_AS(pdf::render_typed_signature("漢字", 100, 40),
                         doctest::Contains("none of its characters"), Error);
    CHECK_THROWS_WITH_AS(pdf::render_typed_signature(std::string(3000, 'W'), 20, 10),
                         doctest::Contains("too long for its box"), Error);
}
