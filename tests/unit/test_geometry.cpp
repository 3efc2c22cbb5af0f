#include "pdf/geometry.hpp"

#include <doctest/doctest.h>

using signet::pdf::Box;
using signet::pdf::DisplayedPage;

TEST_CASE("rotation is normalised to a quarter turn in 0..270") {
    CHECK(signet::pdf::normalise_rotation(0) == 0);
    CHECK(signet::pdf::normalise_rotation(-90) == 270);
    CHECK(signet::pdf::normalise_rotation(450) == 90);
    CHECK(signet::pdf::normalise_rotation(360) == 0);
}

TEST_CASE("an unrotated page maps displayed rectangles by the visible box's origin") {
    const DisplayedPage page{Box{50, 60, 600, 830}, 0};
    CHECK(page.width() == 600);
    CHECK(page.height() == 830);
    CHECK(page.to_user_space(Box{10, 20, 100, 40}) == Box{60, 80, 100, 40});
}

TEST_CASE("a page rotated 90 degrees swaps width and height as displayed") {
    const DisplayedPage page{Box{0, 0, 595, 842}, 90};
    CHECK(page.width() == 842);
    CHECK(page.height() == 595);
    CHECK(page.contains(Box{600, 10, 200, 50}));       // only fits landscape
    CHECK_FALSE(page.contains(Box{10, 600, 50, 200}));  // only fits portrait
}

TEST_CASE("rotated pages map the displayed bottom-left corner to the right user corner") {
    const Box r{0, 0, 10, 20};
    SUBCASE("90: displayed bottom-left is user bottom-right") {
        const DisplayedPage page{Box{0, 0, 595, 842}, 90};
        CHECK(page.to_user_space(r) == Box{575, 0, 20, 10});
    }
    SUBCASE("180: displayed bottom-left is user top-right") {
        const DisplayedPage page{Box{0, 0, 595, 842}, 180};
        CHECK(page.to_user_space(r) == Box{585, 822, 10, 20});
    }
    SUBCASE("270: displayed bottom-left is user top-left") {
        const DisplayedPage page{Box{0, 0, 595, 842}, 270};
        CHECK(page.to_user_space(r) == Box{0, 832, 20, 10});
    }
}

TEST_CASE("mapping honours an offset crop box on a rotated page") {
    const DisplayedPage page{Box{50, 60, 600, 800}, 90};
    // Displayed (0,0) is the crop box's bottom-right corner in user space.
    CHECK(page.to_user_space(Box{0, 0, 10, 20}) == Box{630, 60, 20, 10});
}

TEST_CASE("a rectangle must lie inside the displayed page") {
    const DisplayedPage page{Box{0, 0, 595.28, 841.89}, 0};
    CHECK(page.contains(Box{0, 0, 595.28, 841.89}));
    CHECK_FALSE(page.contains(Box{-1, 0, 10, 10}));
    CHECK_FALSE(page.contains(Box{500, 800, 100, 10}));
    CHECK_FALSE(page.contains(Box{10, 10, 0, 10}));
}
