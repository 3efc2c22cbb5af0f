#include "pdf/appearance_stream.hpp"

#include "signet/error.hpp"

#include <zlib.h>

#include <cmath>
#include <cstdio>

namespace signet::pdf::detail {

// zlib's default level: on font programs it is within a few per cent of
// level 9 in size and several times faster (bulk sends draw thousands).
std::string deflate(std::string_view data) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string out(size, '\0');
    const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                             reinterpret_cast<const Bytef*>(data.data()),
                             static_cast<uLong>(data.size()), Z_DEFAULT_COMPRESSION);
    if (rc != Z_OK) {
        throw internal_error("zlib compression failed (" + std::to_string(rc) + ")");
    }
    out.resize(size);
    return out;
}

QPDFObjectHandle flate_stream(QPDF& qpdf, std::string_view data) {
    // Below this, compressing saves a few bytes at the price of setting up
    // zlib's 256 kB of state: an empty field's appearance, a short value.
    constexpr std::size_t k_worth_compressing = 512;
    if (data.size() < k_worth_compressing) {
        return QPDFObjectHandle::newStream(&qpdf, std::string(data));
    }
    QPDFObjectHandle stream = QPDFObjectHandle::newStream(&qpdf, std::string());
    stream.replaceStreamData(deflate(data), QPDFObjectHandle::newName("/FlateDecode"),
                             QPDFObjectHandle::newNull());
    return stream;
}

std::string num(double value) {
    if (!std::isfinite(value)) {
        throw internal_error("non-finite number in an appearance stream");
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", value);
    std::string s(buf);
    while (!s.empty() && s.back() == '0') {
        s.pop_back();
    }
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    if (s == "-0" || s.empty()) {
        s = "0";
    }
    return s;
}

}  // namespace signet::pdf::detail
