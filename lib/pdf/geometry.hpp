// Geometry of fields: rectangles are given as the page is displayed (from
// the bottom-left corner of the visible box, after /Rotate) and mapped to
// the page's user space.
#pragma once

namespace signet::pdf {

// An axis-aligned rectangle: lower-left corner, width and height, in points.
struct Box {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;

    double right() const { return x + width; }
    double top() const { return y + height; }
};

bool operator==(const Box& a, const Box& b);

constexpr double k_points_per_mm = 72.0 / 25.4;

// A page as a viewer shows it: its visible box in user space and its
// rotation (0, 90, 180, 270 degrees clockwise).
struct DisplayedPage {
    Box visible;
    int rotate = 0;

    double width() const;   // displayed width in points
    double height() const;  // displayed height in points

    // True when rect (in displayed coordinates) lies inside the page, with a
    // tolerance of a hundredth of a point for rounding.
    bool contains(const Box& rect) const;

    // Maps a rectangle in displayed coordinates to the page's user space.
    Box to_user_space(const Box& rect) const;
};

// Normalises a /Rotate value to 0, 90, 180 or 270 (the PDF spec allows any
// multiple of 90, negative included).
int normalise_rotation(long degrees);

}  // namespace signet::pdf
