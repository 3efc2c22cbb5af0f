#include "pdf/png.hpp"
#include "signet/error.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <vector>

using namespace signet;

namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((v >> shift) & 0xFF));
    }
}

void chunk(std::string& png, const char* type, const std::string& data) {
    put32(png, static_cast<std::uint32_t>(data.size()));
    const std::string body = std::string(type, 4) + data;
    png += body;
    const uLong crc =
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    put32(png, static_cast<std::uint32_t>(crc));
}

// A PNG built by hand: rows are raw scanlines without the filter byte.
std::string make_png(std::uint32_t width, std::uint32_t height, int bit_depth, int colour_type,
                     const std::string& rows, std::size_t row_bytes, const std::string& plte = {},
                     const std::string& trns = {}) {
    std::string png = "\x89PNG\r\n\x1a\n";
    std::string ihdr;
    put32(ihdr, width);
    put32(ihdr, height);
    ihdr.push_back(static_cast<char>(bit_depth));
    ihdr.push_back(static_cast<char>(colour_type));
    ihdr += std::string(3, '\0');
    chunk(png, "IHDR", ihdr);
    if (!plte.empty()) {
        chunk(png, "PLTE", plte);
    }
    if (!trns.empty()) {
        chunk(png, "tRNS", trns);
    }
    std::string raw;
    for (std::uint32_t y = 0; y < height; ++y) {
        raw.push_back('\0');
        raw += rows.substr(y * row_bytes, row_bytes);
    }
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string z(size, '\0');
    compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
             static_cast<uLong>(raw.size()));
    z.resize(size);
    chunk(png, "IDAT", z);
    chunk(png, "IEND", "");
    return png;
}

std::string error_of(const std::string& bytes, const std::string& name) {
    try {
        pdf::decode_png(bytes, name);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_input);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("the signature fixture decodes to 240x80 RGB with transparency") {
    const pdf::Image image = pdf::load_png(test::fixture("sig.png"));
    CHECK(image.width == 240);
    CHECK(image.height == 80);
    CHECK(image.rgb.size() == 240u * 80u * 3u);
    CHECK(image.alpha.size() == 240u * 80u);
    CHECK(image.has_transparency());
    // Some ink and some fully transparent background.
    CHECK(std::count(image.alpha.begin(), image.alpha.end(), 0) > 1000);
    CHECK(std::count(image.alpha.begin(), image.alpha.end(), 255) > 100);
}

TEST_CASE("the stamp fixture decodes to 120x120 with transparency") {
    const pdf::Image image = pdf::load_png(test::fixture("stamp.png"));
    CHECK(image.width == 120);
    CHECK(image.height == 120);
    CHECK(image.has_transparency());
}

TEST_CASE("a truncated PNG is refused with the file name in a one-line message") {
    const std::string bytes = util::read_file(test::fixture("sig.png"));
    const std::string message = error_of(bytes.substr(0, bytes.size() / 2), "sig.png");
    CHECK(message == "\"sig.png\": truncated PNG image");
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("a PNG with a damaged chunk is refused") {
    std::string bytes = util::read_file(test::fixture("stamp.png"));
    bytes[40] = static_cast<char>(bytes[40] ^ 0x55);  // inside the first chunks: CRC mismatch
    CHECK(error_of(bytes, "stamp.png").rfind("\"stamp.png\": corrupt PNG image: ", 0) == 0);
}

TEST_CASE("a file that is not a PNG is refused naming the file") {
    CHECK(error_of("%PDF-1.7\n...", "scan.pdf") == "\"scan.pdf\": not a PNG image");
    CHECK(error_of("", "empty.png") == "\"empty.png\": not a PNG image");
    const std::string jpeg = "\xFF\xD8\xFF\xE0\x00\x10JFIF";
    CHECK(error_of(jpeg, "photo.jpg") == "\"photo.jpg\": not a PNG image");
}

TEST_CASE("an image wider than 4096 pixels is refused") {
    const std::string png = make_png(5000, 1, 8, 0, std::string(5000, '\x80'), 5000);
    const std::string message = error_of(png, "wide.png");
    CHECK(message.find("\"wide.png\": image is 5000x1 pixels") == 0);
}

TEST_CASE("an image file over 5 MB is refused before decoding") {
    std::string bytes = util::read_file(test::fixture("sig.png"));
    bytes.resize(5 * 1024 * 1024 + 1, '\0');
    CHECK(error_of(bytes, "big.png").find("\"big.png\": image file too large") == 0);
}

TEST_CASE("grey, palette and 16-bit PNGs decode to 8-bit RGB and alpha") {
    SUBCASE("8-bit grey: opaque, grey levels copied to R, G and B") {
        const std::string png = make_png(2, 1, 8, 0, std::string("\x00\xFF", 2), 2);
        const pdf::Image image = pdf::decode_png(png, "grey.png");
        REQUIRE(image.width == 2);
        CHECK(image.rgb == std::vector<std::uint8_t>{0, 0, 0, 255, 255, 255});
        CHECK_FALSE(image.has_transparency());
    }
    SUBCASE("palette with tRNS: the transparent entry gets alpha 0") {
        const std::string plte("\xFF\x00\x00\x00\x00\xFF", 6);  // red, blue
        const std::string trns("\x00", 1);                       // red is transparent
        const pdf::Image image =
            pdf::decode_png(make_png(2, 1, 8, 3, std::string("\x00\x01", 2), 2, plte, trns),
                            "palette.png");
        CHECK(image.alpha == std::vector<std::uint8_t>{0, 255});
        CHECK(image.rgb[3] == 0);
        CHECK(image.rgb[5] == 255);
        CHECK(image.has_transparency());
    }
    SUBCASE("16-bit RGBA") {
        const std::string px("\xFF\xFF\x00\x00\x80\x00\xFF\xFF", 8);  // yellow-ish, opaque
        const pdf::Image image = pdf::decode_png(make_png(1, 1, 16, 6, px, 8), "deep.png");
        CHECK(image.rgb[0] == 255);
        CHECK(image.rgb[1] == 0);
        CHECK(image.alpha[0] == 255);
    }
}
