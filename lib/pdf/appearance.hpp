// Widget appearances: the form XObjects (/AP /N) that show a field's value.
// Page content never changes after preparation, so everything a signer adds
// (text, signature and stamp images, check marks) is drawn here.
//
// Sizes are the field's size as the page is displayed (W x H points, after
// the page's /Rotate); `rotate` is the page's /Rotate. The widget's /Rect is
// in user space (DisplayedPage::to_user_space), i.e. H x W on a page turned
// 90 or 270 degrees. Each appearance is drawn upright in a W x H box and
// its /Matrix turns it so that it looks upright on the displayed page; the
// widget's /MK /R must say the same rotation (apply_appearance() sets it).
#pragma once

#include "pdf/font_embed.hpp"
#include "pdf/png.hpp"
#include "pdf/qpdf.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signet::pdf {

// What a widget needs to show a field's value.
struct Appearance {
    // The widget's /AP /N: an indirect form XObject, or for check boxes a
    // direct dictionary of states (/Yes and /Off) whose values are form
    // XObjects.
    QPDFObjectHandle normal;
    // Check boxes: the state to put in /AS ("/Yes" or "/Off"); empty for
    // other appearances (then /AS must be absent).
    std::string state;
    // The page rotation the appearance is turned by, for the widget's /MK /R.
    int rotate = 0;
};

// Sets the appearance on a widget dictionary (a merged field/widget or a
// bare widget): /AP << /N ... >> (replacing any earlier one), /AS for check
// boxes, and /MK /R when the rotation differs from what /MK says (an /MK
// without /R counts as 0; other /MK entries are kept).
void apply_appearance(QPDFObjectHandle widget, const Appearance& appearance);

// The /MK dictionary for a new widget on a page with /Rotate `rotate`:
// << /R rotate >>. Preparation sets it so that later signing steps change
// only /AP (and /AS).
QPDFObjectHandle widget_mk(int rotate);

// An image's stream data as image_xobject() writes it: the samples with
// PNG predictors (/Predictor 15), Flate-compressed. Encoding is most of
// the cost of an image appearance, so a signer's image is encoded once and
// the bytes reused for every document it goes into.
struct EncodedImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::string rgb;                   // the /DeviceRGB samples
    std::optional<std::string> alpha;  // the /SMask's /DeviceGray samples; none when opaque
};

// Encodes the image (an /SMask only when it has transparency). Throws
// internal_error for an Image whose buffers do not match its size.
EncodedImage encode_image(const Image& image);

// An image XObject (/DeviceRGB, 8 bits, FlateDecode) with the encoded
// bytes, with an /SMask (/DeviceGray) for its alpha when it has one: new
// stream objects in `qpdf` each call. It can be shared by several
// appearances of the same document. Throws internal_error for an empty
// EncodedImage.
QPDFObjectHandle image_xobject(QPDF& qpdf, const EncodedImage& image);
// The same, encoding the image first.
QPDFObjectHandle image_xobject(QPDF& qpdf, const Image& image);

// An appearance that draws the image as large as fits inside W x H,
// keeping its aspect ratio, centred. `xobject` comes from image_xobject().
Appearance image_appearance(QPDF& qpdf, QPDFObjectHandle xobject, double width, double height,
                            int rotate);
Appearance image_appearance(QPDF& qpdf, const Image& image, double width, double height,
                            int rotate);

enum class TextAlign { left, center, right };

// How a text value is laid out in its box.
struct TextStyle {
    bool multiline = false;      // wrap on spaces (and line breaks) over several lines
    double font_size = 0;        // 0: automatic, from the box and the text
    double max_font_size = 12;   // the automatic size is at most this
    double min_font_size = 5;    // and shrinks to fit down to this, then text is cut with "…"
    TextAlign align = TextAlign::left;
};

// An appearance that shows a text value in black DejaVu Sans, with the
// glyphs recorded in `fonts` (call fonts.finish() after the last text
// appearance of the update). Single line: the size follows the box height
// (at most max_font_size), shrinks to fit the width down to min_font_size,
// then the text is cut with an ellipsis; vertically centred. Multiline:
// lines wrap on spaces (words longer than a line are broken), the size
// shrinks until the lines fit the height, and what still does not fit is
// cut with an ellipsis at the end of the last line shown.
Appearance text_appearance(QPDF& qpdf, FontSubsetBuilder& fonts, std::string_view utf8,
                           double width, double height, int rotate, const TextStyle& style = {});

// The same with a font subset of its own (finished before it returns): for
// a single text field in an update.
Appearance text_appearance(QPDF& qpdf, std::string_view utf8, double width, double height,
                           int rotate, bool multiline);

// A check box: /AP /N << /Yes (a check mark drawn with lines) /Off (empty) >>
// and state /Yes or /Off. `on_state` is the name of the on state without
// the slash ("Yes" unless the field's export value says otherwise).
Appearance checkbox_appearance(QPDF& qpdf, bool checked, double width, double height, int rotate,
                               std::string_view on_state = "Yes");

// An empty appearance for an unfilled field (as created at preparation).
// For check boxes use checkbox_appearance(qpdf, false, ...), which has the
// states a check box needs.
Appearance empty_appearance(QPDF& qpdf, double width, double height, int rotate);

// The /Matrix that turns content drawn upright in a W x H box so that it
// looks upright on a page displayed with /Rotate `rotate`; the result's
// bounding box starts at (0, 0).
QPDFObjectHandle appearance_matrix(double width, double height, int rotate);

}  // namespace signet::pdf
