#include "pdf/document_info.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

using namespace signet;

namespace {
pdf::DocumentInfo read_fixture(const std::string& name) {
    return pdf::read_document_info(util::read_file(test::fixture(name)), name);
}
}  // namespace

TEST_CASE("reading a plain PDF gives its pages with A4 boxes and no rotation") {
    const auto info = read_fixture("contract.pdf");
    REQUIRE(info.pages.size() == 3);
    CHECK(info.pages[0].rotate == 0);
    CHECK(info.pages[0].media_box.width == doctest::Approx(595.28).epsilon(0.001));
    CHECK(info.pages[0].crop_box == info.pages[0].media_box);
}

TEST_CASE("reading a rotated PDF reports /Rotate 90 and a landscape displayed page") {
    const auto info = read_fixture("rotated.pdf");
    REQUIRE(info.pages.size() == 3);
    CHECK(info.pages[2].rotate == 90);
    const auto shown = info.pages[2].displayed();
    CHECK(shown.width() > shown.height());
}

TEST_CASE("reading a cropped PDF uses the crop box as the visible box") {
    const auto info = read_fixture("cropped.pdf");
    REQUIRE(!info.pages.empty());
    CHECK(info.pages[0].media_box.width == doctest::Approx(700));
    CHECK(info.pages[0].media_box.height == doctest::Approx(950));
    CHECK(info.pages[0].crop_box.x == doctest::Approx(50));
    CHECK(info.pages[0].crop_box.y == doctest::Approx(60));
    CHECK(info.pages[0].crop_box.width < 700);
}

TEST_CASE("reading a PDF of mixed page sizes keeps each page's own box") {
    const auto info = read_fixture("mixed-sizes.pdf");
    REQUIRE(info.pages.size() == 3);
    CHECK(info.pages[1].displayed().width() > info.pages[1].displayed().height());
    CHECK(info.pages[2].media_box.width == doctest::Approx(612));
}

TEST_CASE("reading a PDF with object streams works") {
    CHECK(read_fixture("objstreams.pdf").pages.size() == 3);
}

TEST_CASE("an encrypted PDF is refused as not supported") {
    CHECK_THROWS_WITH_AS(read_fixture("encrypted.pdf"), doctest::Contains("encrypted"), Error);
}

TEST_CASE("bytes that are not a PDF are refused naming the file") {
    CHECK_THROWS_WITH_AS(pdf::read_document_info("hello, world\n", "notes.txt"),
                         "\"notes.txt\": not a PDF file (no %PDF- header)", Error);
}

TEST_CASE("a truncated PDF is refused, not crashed on") {
    const std::string bytes = util::read_file(test::fixture("contract.pdf"));
    for (const std::size_t keep : {std::size_t{20}, bytes.size() / 3, bytes.size() - 40}) {
        CAPTURE(keep);
        try {
            const auto info = pdf::read_document_info(bytes.substr(0, keep), "cut.pdf");
            // PoDoFo may rebuild a cut xref; it must then still give real pages.
            CHECK(!info.pages.empty());
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::bad_input);
            CHECK(std::string(e.what()).rfind("\"cut.pdf\": ", 0) == 0);
        }
    }
}
