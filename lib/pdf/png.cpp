#include "pdf/png.hpp"

#include "signet/error.hpp"
#include "util/fs.hpp"

#include <png.h>

#include <algorithm>
#include <string>

namespace signet::pdf {
namespace {

std::string prefix(const std::string& name) { return "\"" + name + "\": "; }

// libpng's messages end up in one line of ours.
std::string corrupt(const std::string& name, std::string text) {
    if (text.find("beyond end of data") != std::string::npos) {
        return prefix(name) + "truncated PNG image";
    }
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && (text.back() == ' ' || text.back() == '.')) {
        text.pop_back();
    }
    return prefix(name) + "corrupt PNG image: " + text;
}

struct PngImageGuard {
    png_image* image;
    ~PngImageGuard() { png_image_free(image); }
};

}  // namespace

bool Image::has_transparency() const {
    return std::any_of(alpha.begin(), alpha.end(), [](std::uint8_t a) { return a != 255; });
}

Image decode_png(std::string_view bytes, const std::string& name) {
    if (bytes.size() > k_max_png_bytes) {
        throw bad_input(prefix(name) + "image file too large (" +
                        std::to_string(bytes.size() / 1024) + " KB, at most " +
                        std::to_string(k_max_png_bytes / 1024 / 1024) + " MB)");
    }
    if (bytes.size() < 8 ||
        png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) != 0) {
        throw bad_input(prefix(name) + "not a PNG image");
    }

    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    PngImageGuard guard{&image};
    if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
        throw bad_input(corrupt(name, image.message));
    }
    if (image.width == 0 || image.height == 0 || image.width > k_max_image_side ||
        image.height > k_max_image_side) {
        throw bad_input(prefix(name) + "image is " + std::to_string(image.width) + "x" +
                        std::to_string(image.height) + " pixels, at most " +
                        std::to_string(k_max_image_side) + "x" +
                        std::to_string(k_max_image_side) + " are allowed");
    }

    image.format = PNG_FORMAT_RGBA;
    const std::size_t pixels = std::size_t{image.width} * image.height;
    std::vector<std::uint8_t> rgba(pixels * 4);
    if (png_image_finish_read(&image, nullptr, rgba.data(), 0, nullptr) == 0) {
        throw bad_input(corrupt(name, image.message));
    }

    Image out;
    out.width = image.width;
    out.height = image.height;
    out.rgb.resize(pixels * 3);
    out.alpha.resize(pixels);
    for (std::size_t i = 0; i < pixels; ++i) {
        out.rgb[i * 3] = rgba[i * 4];
        out.rgb[i * 3 + 1] = rgba[i * 4 + 1];
        out.rgb[i * 3 + 2] = rgba[i * 4 + 2];
        out.alpha[i] = rgba[i * 4 + 3];
    }
    return out;
}

Image load_png(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > k_max_png_bytes) {
        throw bad_input(prefix(path.string()) + "image file too large (" +
                        std::to_string(size / 1024) + " KB, at most " +
                        std::to_string(k_max_png_bytes / 1024 / 1024) + " MB)");
    }
    return decode_png(util::read_file(path), path.string());
}

}  // namespace signet::pdf
