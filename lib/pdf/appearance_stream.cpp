#include "pdf/appearance_stream.hpp"

#include "signet/error.hpp"

#include <zlib.h>

#include <charconv>
#include <cmath>

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

EncodedStream flate_encode(std::string_view data) {
    // Below this, compressing saves a few bytes at the price of setting up
    // zlib's 256 kB of state: an empty field's appearance, a short value.
    constexpr std::size_t k_worth_compressing = 512;
    if (data.size() < k_worth_compressing) {
        return {std::string(data), false};
    }
    return {deflate(data), true};
}

QPDFObjectHandle encoded_stream(QPDF& qpdf, const EncodedStream& encoded) {
    if (!encoded.flate) {
        return QPDFObjectHandle::newStream(&qpdf, encoded.data);
    }
    QPDFObjectHandle stream = QPDFObjectHandle::newStream(&qpdf, std::string());
    stream.replaceStreamData(encoded.data, QPDFObjectHandle::newName("/FlateDecode"),
                             QPDFObjectHandle::newNull());
    return stream;
}

QPDFObjectHandle flate_stream(QPDF& qpdf, std::string_view data) {
    return encoded_stream(qpdf, flate_encode(data));
}

std::string num(double value) {
    if (!std::isfinite(value)) {
        throw internal_error("non-finite number in an appearance stream");
    }
    // to_chars rounds as printf's "%.4f" does, without its locale and
    // format parsing (appearances hold hundreds of numbers).
    char buf[400];  // room for any double in fixed notation
    const std::to_chars_result r =
        std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 4);
    if (r.ec != std::errc()) {
        throw internal_error("cannot format a number for an appearance stream");
    }
    std::string s(buf, r.ptr);
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
