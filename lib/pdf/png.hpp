// Raster images for appearances: an 8-bit RGB + alpha Image, and decoding
// the PNG files signers give (signature and stamp images).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace signet::pdf {

// An image as drawn in a PDF: 8-bit RGB samples, row by row from the top,
// and one 8-bit alpha sample per pixel (255 is opaque).
struct Image {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> rgb;    // width * height * 3 bytes
    std::vector<std::uint8_t> alpha;  // width * height bytes

    // True when some pixel is not fully opaque (the PDF image then gets an
    // /SMask).
    bool has_transparency() const;
};

// Limits for images given by users.
constexpr std::uint32_t k_max_image_side = 4096;               // pixels
constexpr std::size_t k_max_png_bytes = 5 * 1024 * 1024;        // 5 MB

// Decodes a PNG held in memory: any colour type and bit depth (palette,
// grey, 16-bit, with or without tRNS/alpha) becomes 8-bit RGB + alpha.
// `name` is the file as the user named it, for messages. Throws bad_input
// ("\"NAME\": ...", one line) for data that is not PNG, is corrupt or
// truncated, or is larger than k_max_png_bytes or k_max_image_side.
Image decode_png(std::string_view bytes, const std::string& name);

// Reads and decodes a PNG file; its size is checked before it is read.
// Throws bad_input naming the path when it cannot be read or decoded.
Image load_png(const std::filesystem::path& path);

}  // namespace signet::pdf
