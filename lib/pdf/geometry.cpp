#include "pdf/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace signet::pdf {
namespace {
constexpr double k_tolerance = 0.01;
}

bool operator==(const Box& a, const Box& b) {
    return std::fabs(a.x - b.x) < 1e-9 && std::fabs(a.y - b.y) < 1e-9 &&
           std::fabs(a.width - b.width) < 1e-9 && std::fabs(a.height - b.height) < 1e-9;
}

int normalise_rotation(long degrees) {
    long r = degrees % 360;
    if (r < 0) {
        r += 360;
    }
    // Not a multiple of 90 is invalid; viewers round down, and so do we.
    return static_cast<int>(r - r % 90);
}

double DisplayedPage::width() const {
    return (rotate == 90 || rotate == 270) ? visible.height : visible.width;
}

double DisplayedPage::height() const {
    return (rotate == 90 || rotate == 270) ? visible.width : visible.height;
}

bool DisplayedPage::contains(const Box& rect) const {
    return rect.width > 0 && rect.height > 0 && rect.x >= -k_tolerance &&
           rect.y >= -k_tolerance && rect.right() <= width() + k_tolerance &&
           rect.top() <= height() + k_tolerance;
}

Box DisplayedPage::to_user_space(const Box& rect) const {
    const double w = visible.width;
    const double h = visible.height;
    // Map one displayed point (dx, dy) to a point relative to the visible
    // box's lower-left corner. The page is shown turned `rotate` degrees
    // clockwise, so we turn it back.
    auto map = [&](double dx, double dy, double& ux, double& uy) {
        switch (rotate) {
        case 90: ux = w - dy; uy = dx; break;
        case 180: ux = w - dx; uy = h - dy; break;
        case 270: ux = dy; uy = h - dx; break;
        default: ux = dx; uy = dy; break;
        }
    };
    double x1 = 0;
    double y1 = 0;
    double x2 = 0;
    double y2 = 0;
    map(rect.x, rect.y, x1, y1);
    map(rect.right(), rect.top(), x2, y2);
    return Box{visible.x + std::min(x1, x2), visible.y + std::min(y1, y2), std::fabs(x2 - x1),
               std::fabs(y2 - y1)};
}

}  // namespace signet::pdf
