#include "pdf/font.hpp"
#include "pdf/font_embed.hpp"
#include "pdf/font_raster.hpp"
#include "signet/error.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <tuple>

using namespace signet;

namespace {

std::set<std::uint16_t> glyphs_of(const pdf::TrueTypeFont& font, std::u32string_view text) {
    std::set<std::uint16_t> out;
    for (char32_t c : text) {
        out.insert(font.glyph_for(c));
    }
    return out;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(s[at])} << 24) |
           (std::uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
           (std::uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
           std::uint32_t{static_cast<unsigned char>(s[at + 3])};
}


void add16(std::string& out, int v) {
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
    out.push_back(static_cast<char>(v & 0xFF));
}

void add32(std::string& out, std::uint32_t v) {
    add16(out, static_cast<int>(v >> 16));
    add16(out, static_cast<int>(v & 0xFFFF));
}

// A tiny TrueType font built by hand: four glyphs (0 and 1 and 3 simple,
// 2 a composite of 1), two long metrics (glyphs 2 and 3 take glyph 1's
// advance), and a format 4 cmap with a delta segment (A, B -> 1, 2) and a
// glyph-array segment (x -> 2, y -> none).
std::string tiny_font() {
    std::string point_glyph;  // one contour of one point
    add16(point_glyph, 1);
    for (int v : {0, 0, 100, 100}) {
        add16(point_glyph, v);
    }
    add16(point_glyph, 0);  // endPtsOfContours[0]
    add16(point_glyph, 0);  // no instructions
    point_glyph.push_back('\x01');  // on curve, 16-bit x and y
    add16(point_glyph, 50);
    add16(point_glyph, 50);
    point_glyph.push_back('\0');
    std::string composite;
    add16(composite, -1);
    for (int v : {0, 0, 100, 100}) {
        add16(composite, v);
    }
    add16(composite, 0x0003);  // arguments are 16-bit x/y offsets, last component
    add16(composite, 1);
    add16(composite, 0);
    add16(composite, 0);
    composite += std::string(2, '\0');
    const std::string glyf = point_glyph + point_glyph + composite + point_glyph;
    std::string loca;
    for (std::uint32_t off : {0u, 20u, 40u, 60u, 80u}) {
        add32(loca, off);
    }

    std::string head;
    add32(head, 0x00010000);
    add32(head, 0x00010000);
    add32(head, 0);           // checkSumAdjustment
    add32(head, 0x5F0F3CF5);  // magic
    add16(head, 0);
    add16(head, 1000);        // unitsPerEm
    head += std::string(16, '\0');
    for (int v : {0, -200, 1000, 800}) {
        add16(head, v);
    }
    for (int v : {0, 8, 2, 1, 0}) {  // macStyle, lowestRecPPEM, direction, long loca, format
        add16(head, v);
    }
    std::string hhea;
    add32(hhea, 0x00010000);
    for (int v : {800, -200, 0, 600}) {
        add16(hhea, v);
    }
    hhea += std::string(22, '\0');
    add16(hhea, 2);  // numberOfHMetrics
    std::string maxp;
    add32(maxp, 0x00010000);
    for (int v : {4, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 1, 1}) {
        add16(maxp, v);
    }
    std::string hmtx;
    for (int v : {500, 0, 600, 0, 0, 0}) {
        add16(hmtx, v);
    }
    std::string cmap;
    add16(cmap, 0);
    add16(cmap, 1);
    add16(cmap, 3);
    add16(cmap, 1);
    add32(cmap, 12);
    std::string sub;
    for (int v : {0x42, 0x79, 0xFFFF}) {  // endCode
        add16(sub, v);
    }
    add16(sub, 0);
    for (int v : {0x41, 0x78, 0xFFFF}) {  // startCode
        add16(sub, v);
    }
    for (int v : {1 - 0x41, 0, 1}) {  // idDelta
        add16(sub, v);
    }
    for (int v : {0, 4, 0}) {  // idRangeOffset: the second points at the array
        add16(sub, v);
    }
    for (int v : {2, 0}) {  // glyphIdArray
        add16(sub, v);
    }
    std::string format4;
    add16(format4, 4);
    add16(format4, static_cast<int>(14 + sub.size()));
    add16(format4, 0);
    add16(format4, 6);  // segCountX2
    for (int v : {4, 1, 2}) {
        add16(format4, v);
    }
    cmap += format4 + sub;

    const std::vector<std::pair<std::string, std::string>> tables{
        {"cmap", cmap}, {"glyf", glyf}, {"head", head}, {"hhea", hhea},
        {"hmtx", hmtx}, {"loca", loca}, {"maxp", maxp}};
    std::string font;
    add32(font, 0x00010000);
    add16(font, static_cast<int>(tables.size()));
    add16(font, 64);
    add16(font, 2);
    add16(font, static_cast<int>(tables.size() * 16 - 64));
    std::size_t offset = 12 + tables.size() * 16;
    std::string bodies;
    for (const auto& [tag, body] : tables) {
        font += tag;
        add32(font, 0);
        add32(font, static_cast<std::uint32_t>(offset + bodies.size()));
        add32(font, static_cast<std::uint32_t>(body.size()));
        bodies += body;
        while (bodies.size() % 4 != 0) {
            bodies.push_back('\0');
        }
    }
    return font + bodies;
}
}  // namespace

TEST_CASE("DejaVu Sans has glyphs for Polish, Cyrillic and Western European letters") {
    const pdf::TrueTypeFont& font = pdf::text_font();
    for (char32_t c : std::u32string(U"ŻółćŁódźПётрИвановłßéà…\uFFFD")) {
        CAPTURE(static_cast<std::uint32_t>(c));
        CHECK(font.glyph_for(c) != 0);
        CHECK(font.advance(font.glyph_for(c)) > 0);
    }
    CHECK(font.glyph_for(U'\u4E2D') == 0);  // no CJK in DejaVu
    CHECK(font.postscript_name() == "DejaVuSans");
    CHECK(font.metrics().units_per_em == 2048);
    CHECK(font.metrics().cap_height > 1000);
    CHECK(font.metrics().descent < 0);
}

TEST_CASE("a font subset loads in FreeType with the used glyphs' outlines and the others empty") {
    const pdf::TrueTypeFont& font = pdf::text_font();
    const std::u32string used = U"Żółć Łódź Пётр Иванов";
    const std::set<std::uint16_t> glyphs = glyphs_of(font, used);
    const std::string subset = font.subset(glyphs);

    const pdf::OutlineFont loaded = pdf::OutlineFont::from_memory(subset, "subset");
    // Glyph ids are kept; the count ends after the last glyph kept (an
    // accent that a composite letter uses may come after all of them).
    CHECK(loaded.glyph_count() > *glyphs.rbegin());
    CHECK(loaded.glyph_count() <= font.glyph_count());
    for (char32_t c : used) {
        if (c != U' ') {
            CAPTURE(static_cast<std::uint32_t>(c));
            CHECK(loaded.has_outline(font.glyph_for(c)));
        }
    }
    CHECK(loaded.has_outline(0));  // .notdef is kept
    // Letters not used, nor parts of used ones (as z is of ź).
    for (char32_t c : std::u32string(U"AQxyk")) {
        CAPTURE(static_cast<std::uint32_t>(c));
        REQUIRE(font.glyph_for(c) < loaded.glyph_count());
        CHECK_FALSE(loaded.has_outline(font.glyph_for(c)));
    }
    // The full font is 740 KB; a subset for two names is a few per cent of
    // it, and less once compressed in the PDF.
    CHECK(subset.size() < font.data().size() / 10);
}

TEST_CASE("a font subset keeps the components of composite glyphs") {
    const pdf::TrueTypeFont& font = pdf::text_font();
    // Find an accented letter DejaVu builds from components.
    std::uint16_t composite = 0;
    for (char32_t c : std::u32string(U"óéàźżćÖÅĘ")) {
        if (!font.components(font.glyph_for(c)).empty()) {
            composite = font.glyph_for(c);
            break;
        }
    }
    REQUIRE(composite != 0);
    const std::string subset = font.subset({composite});
    const pdf::OutlineFont loaded = pdf::OutlineFont::from_memory(subset, "subset");
    CHECK(loaded.has_outline(composite));
    for (std::uint16_t part : font.components(composite)) {
        CHECK(loaded.has_outline(part));
    }
}

TEST_CASE("a font subset has a valid table directory and whole-file checksum") {
    const pdf::TrueTypeFont& font = pdf::text_font();
    const std::string subset = font.subset(glyphs_of(font, U"Łódź"));
    REQUIRE(subset.size() % 4 == 0);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < subset.size(); i += 4) {
        sum += be32(subset, i);
    }
    CHECK(sum == 0xB1B0AFBAu);
    const std::size_t tables = (std::size_t{static_cast<unsigned char>(subset[4])} << 8) |
                               static_cast<unsigned char>(subset[5]);
    std::set<std::string> tags;
    for (std::size_t i = 0; i < tables; ++i) {
        tags.insert(subset.substr(12 + i * 16, 4));
    }
    CHECK(tags == std::set<std::string>{"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca",
                                        "maxp", "prep"});
}

TEST_CASE("the ToUnicode CMap maps glyph ids to UTF-16 with surrogate pairs beyond the BMP") {
    const std::string cmap = pdf::to_unicode_cmap({{0x0123, U'Ż'}, {0x0456, U'\U0001F600'}});
    CHECK(cmap.find("2 beginbfchar\n<0123> <017B>\n<0456> <D83DDE00>\nendbfchar") !=
          std::string::npos);
    CHECK(cmap.find("<0000> <FFFF>") != std::string::npos);
}

TEST_CASE("the ToUnicode CMap splits more than 100 entries into blocks") {
    std::map<std::uint16_t, char32_t> map;
    for (std::uint16_t g = 1; g <= 150; ++g) {
        map[g] = U'A';
    }
    const std::string cmap = pdf::to_unicode_cmap(map);
    CHECK(cmap.find("100 beginbfchar") != std::string::npos);
    CHECK(cmap.find("50 beginbfchar") != std::string::npos);
}

TEST_CASE("shaping replaces characters the font lacks and control characters") {
    QPDF qpdf;
    qpdf.emptyPDF();
    pdf::FontSubsetBuilder fonts(qpdf);
    const auto glyphs = fonts.shape(std::string_view("a\t\u4E2D"));
    REQUIRE(glyphs.size() == 3);
    CHECK(glyphs[1].character == U' ');
    CHECK(glyphs[2].character == U'\uFFFD');
    CHECK(glyphs[2].glyph != 0);
}

TEST_CASE("a font subset builder emits one Type0 font with the glyphs of all its text") {
    QPDF qpdf;
    qpdf.emptyPDF();
    pdf::FontSubsetBuilder fonts(qpdf);
    QPDFObjectHandle font = fonts.font_object();
    CHECK(fonts.show(fonts.shape(std::string_view("Ab"))) == "<00240045>");
    fonts.show(fonts.shape(std::string_view("Пётр")));
    fonts.finish();

    CHECK(font.getKey("/Subtype").getName() == "/Type0");
    CHECK(font.getKey("/Encoding").getName() == "/Identity-H");
    const std::string base = font.getKey("/BaseFont").getName();
    CHECK(base == "/" + fonts.tag() + "+DejaVuSans");
    CHECK(fonts.tag().size() == 6);
    QPDFObjectHandle cid = font.getKey("/DescendantFonts").getArrayItem(0);
    CHECK(cid.getKey("/Subtype").getName() == "/CIDFontType2");
    CHECK(cid.getKey("/CIDToGIDMap").getName() == "/Identity");
    // Glyphs 36 (A) and 69 (b) are not neighbours: two runs, widths in 1/1000 em.
    QPDFObjectHandle widths = cid.getKey("/W");
    REQUIRE(widths.getArrayNItems() >= 4);
    CHECK(widths.getArrayItem(0).getIntValue() == 36);
    CHECK(widths.getArrayItem(1).getArrayItem(0).getNumericValue() ==
          doctest::Approx(1401 * 1000.0 / 2048).epsilon(0.0001));
    CHECK(widths.getArrayItem(2).getIntValue() == 69);
    QPDFObjectHandle descriptor = cid.getKey("/FontDescriptor");
    for (const char* key : {"/Flags", "/FontBBox", "/ItalicAngle", "/Ascent", "/Descent",
                            "/CapHeight", "/StemV", "/FontFile2"}) {
        CAPTURE(key);
        CHECK(descriptor.hasKey(key));
    }
    const auto cmap = font.getKey("/ToUnicode").getStreamData();
    const std::string text(reinterpret_cast<const char*>(cmap->getBuffer()), cmap->getSize());
    CHECK(text.find("<0024> <0041>") != std::string::npos);  // A
    CHECK(text.find("<041F>") != std::string::npos);         // П
    CHECK_THROWS_AS(fonts.finish(), Error);
    CHECK_THROWS_AS(fonts.show(fonts.shape(std::string_view("x"))), Error);
}

TEST_CASE("documents that draw the same glyphs embed the same font streams, others their own") {
    // The second document's subset comes from the process-wide cache.
    auto embed = [](std::string_view text, QPDF& qpdf) {
        qpdf.emptyPDF();
        pdf::FontSubsetBuilder fonts(qpdf);
        QPDFObjectHandle font = fonts.font_object();
        fonts.show(fonts.shape(text));
        fonts.finish();
        QPDFObjectHandle file = font.getKey("/DescendantFonts").getArrayItem(0)
                                    .getKey("/FontDescriptor").getKey("/FontFile2");
        auto raw = [](QPDFObjectHandle stream) {
            const auto data = stream.getRawStreamData();
            return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
        };
        return std::make_tuple(raw(file), file.getDict().getKey("/Length1").getIntValue(),
                               file.getDict().getKey("/Filter").unparse(),
                               raw(font.getKey("/ToUnicode")));
    };
    QPDF first;
    QPDF second;
    QPDF other;
    const auto a = embed("Żaneta 2026/B/00017", first);
    const auto b = embed("Żaneta 2026/B/00017", second);
    const auto c = embed("Żaneta 2026/B/00018", other);
    CHECK(a == b);
    CHECK(std::get<2>(a) == "/FlateDecode");
    CHECK(std::get<0>(c) != std::get<0>(a));
    CHECK(std::get<3>(c) != std::get<3>(a));
}

TEST_CASE("a missing font file is reported with its Debian package") {
    try {
        pdf::TrueTypeFont::load("/nonexistent/DejaVuSans.ttf", "fonts-dejavu-core");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) ==
              "font file \"/nonexistent/DejaVuSans.ttf\" is missing (Debian package "
              "fonts-dejavu-core)");
        REQUIRE(e.hints().size() == 1);
        CHECK(e.hints()[0] == "install it: apt install fonts-dejavu-core");
    }
    CHECK_THROWS_WITH(pdf::OutlineFont::load("/nonexistent/Z003.otf", "fonts-urw-base35"),
                      doctest::Contains("fonts-urw-base35"));
}

TEST_CASE("UTF-8 decoding turns malformed bytes into U+FFFD") {
    CHECK(pdf::utf8_to_codepoints("Łó\xff" "a") == std::u32string(U"Łó\uFFFDa"));
    CHECK(pdf::utf8_to_codepoints("\xC0\xAF") == std::u32string(U"\uFFFD\uFFFD"));  // overlong
    CHECK(pdf::utf8_to_codepoints("\xED\xA0\x80").front() == U'\uFFFD');          // surrogate
    CHECK(pdf::utf8_to_codepoints("\xF0\x9F\x98\x80") == std::u32string(U"\U0001F600"));
}

TEST_CASE("a format 4 cmap maps characters by delta and by glyph array") {
    const pdf::TrueTypeFont font = pdf::TrueTypeFont::parse(tiny_font(), "tiny");
    CHECK(font.glyph_count() == 4);
    CHECK(font.glyph_for(U'A') == 1);
    CHECK(font.glyph_for(U'B') == 2);
    CHECK(font.glyph_for(U'x') == 2);
    CHECK(font.glyph_for(U'y') == 0);
    CHECK(font.glyph_for(U'C') == 0);
    CHECK(font.advance(0) == 500);
    CHECK(font.advance(1) == 600);
    CHECK(font.advance(3) == 600);  // past numberOfHMetrics: the last advance
    CHECK(font.components(2) == std::vector<std::uint16_t>{1});
    CHECK(font.components(1).empty());
}

TEST_CASE("subsetting keeps glyph ids, the components asked for and .notdef, and ends the font "
          "after the last glyph kept") {
    const pdf::TrueTypeFont font = pdf::TrueTypeFont::parse(tiny_font(), "tiny");
    const std::string bytes = font.subset({2});
    const pdf::TrueTypeFont subset = pdf::TrueTypeFont::parse(bytes, "subset");
    CHECK(subset.glyph_count() == 3);
    CHECK(subset.has_outline_data(0));
    CHECK(subset.has_outline_data(1));  // the component of 2
    CHECK(subset.has_outline_data(2));
    CHECK(subset.glyph_for(U'A') == 0);  // no cmap in a PDF subset

    const pdf::TrueTypeFont only_one = pdf::TrueTypeFont::parse(font.subset({1}), "subset");
    CHECK(only_one.glyph_count() == 2);
    const pdf::TrueTypeFont with_gap = pdf::TrueTypeFont::parse(font.subset({3}), "subset");
    CHECK(with_gap.glyph_count() == 4);
    CHECK_FALSE(with_gap.has_outline_data(1));
    CHECK_FALSE(with_gap.has_outline_data(2));
    CHECK(with_gap.has_outline_data(3));

    const pdf::OutlineFont loaded = pdf::OutlineFont::from_memory(bytes, "subset");
    CHECK(loaded.has_outline(2));
}

TEST_CASE("data that is not a TrueType font is refused") {
    CHECK_THROWS_WITH_AS(pdf::TrueTypeFont::parse("OTTO and more bytes here", "x.otf"),
                         "font \"x.otf\": not a TrueType font", Error);
    std::string cut = tiny_font();
    cut.resize(cut.size() / 2);
    CHECK_THROWS_WITH_AS(pdf::TrueTypeFont::parse(cut, "cut.ttf"),
                         doctest::Contains("malformed"), Error);
}
