// What signet needs to know about a PDF before it prepares one: its pages,
// their boxes and rotation. Reading only; writing lives elsewhere.
#pragma once

#include "pdf/geometry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace signet::pdf {

struct PageInfo {
    Box media_box;
    Box crop_box;  // the visible box: CropBox clipped to MediaBox, else MediaBox
    int rotate = 0;  // 0, 90, 180 or 270 (clockwise, as displayed)

    // The page as a viewer shows it.
    DisplayedPage displayed() const { return DisplayedPage{crop_box, rotate}; }
};

struct DocumentInfo {
    std::vector<PageInfo> pages;
};

// Parses a PDF held in memory. `name` is used in error messages (the file
// the user gave). Throws bad_input with a one-line reason when the bytes are
// not a readable, unencrypted PDF with at least one page.
DocumentInfo read_document_info(std::string_view bytes, const std::string& name);

}  // namespace signet::pdf
