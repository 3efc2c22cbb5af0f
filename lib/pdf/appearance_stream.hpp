// Helpers for writing appearance objects: Flate-compressed streams and PDF
// numbers. Internal to lib/pdf's appearance and font code.
#pragma once

#include "pdf/qpdf.hpp"

#include <string>
#include <string_view>

namespace signet::pdf::detail {

// zlib-compresses data (FlateDecode).
std::string deflate(std::string_view data);

// A new stream object in qpdf holding data, Flate-compressed (/Filter
// /FlateDecode) unless it is too short to gain from it; /Length is set by
// qpdf.
QPDFObjectHandle flate_stream(QPDF& qpdf, std::string_view data);

// A stream's data as flate_stream() stores it, made once and put in any
// number of documents with encoded_stream().
struct EncodedStream {
    std::string data;
    bool flate = false;  // /Filter /FlateDecode
};
EncodedStream flate_encode(std::string_view data);
QPDFObjectHandle encoded_stream(QPDF& qpdf, const EncodedStream& encoded);

// A number for a content stream: fixed notation, at most 4 decimals,
// trailing zeros dropped, never "-0".
std::string num(double value);

}  // namespace signet::pdf::detail
