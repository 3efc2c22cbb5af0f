#include "pdf/prepare.hpp"

#include "pdf/appearance.hpp"
#include "pdf/font_embed.hpp"
#include "pdf/incremental.hpp"
#include "pdf/qpdf.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <string_view>

namespace signet::pdf {
namespace {

constexpr int k_flag_print = 4;
constexpr int k_flag_read_only = 1;
constexpr int k_flag_multiline = 1 << 12;
constexpr int k_flag_pushbutton = 1 << 16;

// What QPDFObjectHandle::newReal(v, 2, true) writes (qpdf formats it
// through an ostringstream, a tenth of the widgets' cost): fixed with two
// decimals, trailing zeros and then the point trimmed.
QPDFObjectHandle real_2(double v) {
    char buf[400];  // room for any double in fixed notation
    const std::to_chars_result r =
        std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
    if (r.ec != std::errc()) {
        return QPDFObjectHandle::newReal(v, 2, true);
    }
    std::string s(buf, r.ptr);
    while (s.size() > 1 && s.back() == '0') {
        s.pop_back();
    }
    if (s.size() > 1 && s.back() == '.') {
        s.pop_back();
    }
    return QPDFObjectHandle::newReal(s);
}

QPDFObjectHandle number_array(std::initializer_list<double> values) {
    QPDFObjectHandle a = QPDFObjectHandle::newArray();
    for (const double v : values) {
        a.appendItem(real_2(v));
    }
    return a;
}

std::set<std::string> existing_field_names(QPDFObjectHandle fields) {
    std::set<std::string> names;
    if (!fields.isArray()) {
        return names;
    }
    for (QPDFObjectHandle f : fields.aitems()) {
        if (f.isDictionary() && f.getKey("/T").isString()) {
            names.insert(f.getKey("/T").getUTF8Value());
        }
    }
    return names;
}

// Adds the widgets to the document open in `update` (not yet written).
void add_widgets(IncrementalUpdate& update, const std::filesystem::path& input,
                 const std::vector<WidgetSpec>& widgets) {
    QPDF& qpdf = update.qpdf();
    std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(qpdf).getAllPages();
    QPDFObjectHandle root = qpdf.getRoot();
    QPDFObjectHandle acroform = root.getKey("/AcroForm");
    if (!acroform.isDictionary()) {
        acroform = qpdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
        root.replaceKey("/AcroForm", acroform);
        update.touch(root);
    }
    // What changes is written in the update: each changed object, or the
    // indirect object that holds it when it is direct.
    const QPDFObjectHandle acroform_holder = acroform.isIndirect() ? acroform : root;
    update.touch(acroform_holder);
    QPDFObjectHandle fields = acroform.getKey("/Fields");
    if (!fields.isArray()) {
        fields = QPDFObjectHandle::newArray();
        acroform.replaceKey("/Fields", fields);
    }
    update.touch(fields.isIndirect() ? fields : acroform_holder);
    const std::set<std::string> taken = existing_field_names(fields);
    // One font subset for every value drawn now: one font program to
    // compress and write, however many fields the sender filled.
    FontSubsetBuilder value_fonts(qpdf);

    for (const WidgetSpec& spec : widgets) {
        if (taken.count(spec.name) != 0) {
            throw bad_input("\"" + input.string() + "\": the PDF already has a form field named \"" +
                            spec.name + "\"");
        }
        if (spec.page < 1 || static_cast<std::size_t>(spec.page) > pages.size()) {
            throw internal_error("widget \"" + spec.name + "\" is on a page the PDF lacks");
        }
        QPDFPageObjectHelper& page = pages[static_cast<std::size_t>(spec.page - 1)];
        QPDFObjectHandle page_object = page.getObjectHandle();
        const DisplayedPage& shown = spec.shown;
        const Box user = spec.hidden ? Box{} : shown.to_user_space(spec.rect);

        QPDFObjectHandle widget = QPDFObjectHandle::newDictionary();
        widget.replaceKey("/Type", QPDFObjectHandle::newName("/Annot"));
        widget.replaceKey("/Subtype", QPDFObjectHandle::newName("/Widget"));
        widget.replaceKey("/T", QPDFObjectHandle::newUnicodeString(spec.name));
        widget.replaceKey("/F", QPDFObjectHandle::newInteger(k_flag_print));
        widget.replaceKey("/P", page_object);
        widget.replaceKey("/Rect", number_array({user.x, user.y, user.right(), user.top()}));
        widget.replaceKey("/MK", widget_mk(shown.rotate));
        // Appearances are drawn upright in the displayed size and turned by
        // their /Matrix; a hidden seal gets a minimal box.
        const double w = spec.hidden ? 1 : spec.rect.width;
        const double h = spec.hidden ? 1 : spec.rect.height;
        // Made only where used: each is a stream object, and a bulk send
        // fills most text fields.
        auto empty = [&] { return empty_appearance(qpdf, w, h, shown.rotate); };
        switch (spec.kind) {
        case WidgetKind::signature: {
            widget.replaceKey("/FT", QPDFObjectHandle::newName("/Sig"));
            if (!spec.locks.empty()) {
                QPDFObjectHandle lock = QPDFObjectHandle::newDictionary();
                lock.replaceKey("/Type", QPDFObjectHandle::newName("/SigFieldLock"));
                lock.replaceKey("/Action", QPDFObjectHandle::newName("/Include"));
                QPDFObjectHandle names = QPDFObjectHandle::newArray();
                for (const std::string& n : spec.locks) {
                    names.appendItem(QPDFObjectHandle::newUnicodeString(n));
                }
                lock.replaceKey("/Fields", names);
                widget.replaceKey("/Lock", lock);
            }
            apply_appearance(widget, empty());
            break;
        }
        case WidgetKind::text:
        case WidgetKind::multiline:
            widget.replaceKey("/FT", QPDFObjectHandle::newName("/Tx"));
            if (spec.kind == WidgetKind::multiline) {
                widget.replaceKey("/Ff", QPDFObjectHandle::newInteger(k_flag_multiline));
            }
            widget.replaceKey("/DA", QPDFObjectHandle::newString("/Helv 0 Tf 0 g"));
            if (spec.value) {
                widget.replaceKey("/V", QPDFObjectHandle::newUnicodeString(*spec.value));
                widget.replaceKey("/Ff", QPDFObjectHandle::newInteger(
                                             k_flag_read_only |
                                             (spec.kind == WidgetKind::multiline ? k_flag_multiline : 0)));
                TextStyle style;
                style.multiline = spec.kind == WidgetKind::multiline;
                apply_appearance(widget,
                                 text_appearance(qpdf, value_fonts, *spec.value, w, h, shown.rotate, style));
            } else {
                apply_appearance(widget, empty());
            }
            break;
        case WidgetKind::checkbox: {
            widget.replaceKey("/FT", QPDFObjectHandle::newName("/Btn"));
            widget.replaceKey("/V", QPDFObjectHandle::newName("/Off"));
            apply_appearance(widget, checkbox_appearance(qpdf, false, w, h, shown.rotate));
            break;
        }
        case WidgetKind::image:
            widget.replaceKey("/FT", QPDFObjectHandle::newName("/Btn"));
            widget.replaceKey("/Ff", QPDFObjectHandle::newInteger(k_flag_pushbutton));
            apply_appearance(widget, empty());
            break;
        }
        QPDFObjectHandle indirect = qpdf.makeIndirectObject(widget);
        fields.appendItem(indirect);
        QPDFObjectHandle annots = page_object.getKey("/Annots");
        if (!annots.isArray()) {
            annots = QPDFObjectHandle::newArray();
            page_object.replaceKey("/Annots", annots);
        }
        annots.appendItem(indirect);
        update.touch(annots.isIndirect() ? annots : page_object);
    }
    value_fonts.finish();
    acroform.replaceKey("/SigFlags", QPDFObjectHandle::newInteger(3));
    acroform.replaceKey("/NeedAppearances", QPDFObjectHandle::newBool(false));
    if (!acroform.hasKey("/DA")) {
        acroform.replaceKey("/DA", QPDFObjectHandle::newString("/Helv 0 Tf 0 g"));
    }
    QPDFObjectHandle dr = acroform.getKey("/DR");
    if (!dr.isDictionary()) {
        dr = QPDFObjectHandle::newDictionary();
        acroform.replaceKey("/DR", dr);
    }
    QPDFObjectHandle fonts = dr.getKey("/Font");
    if (!fonts.isDictionary()) {
        fonts = QPDFObjectHandle::newDictionary();
        dr.replaceKey("/Font", fonts);
    }
    if (!fonts.hasKey("/Helv")) {
        fonts.replaceKey("/Helv", QPDFObjectHandle::parse(
                                      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                                      "/Encoding /WinAnsiEncoding >>"));
        update.touch(fonts.isIndirect() ? fonts : dr.isIndirect() ? dr : acroform_holder);
    }
}

// True when qpdf read every object of the document where its tables say,
// without repairs, and none sits in an object stream: a revision appended
// to it then reads the same everywhere. (Adding the widgets resolved every
// object: qpdf does that to number the first new one.)
bool read_cleanly(QPDF& qpdf) {
    if (qpdf.anyWarnings()) {
        return false;
    }
    for (const auto& [og, entry] : qpdf.getXRefTable()) {
        if (entry.getType() == 2) {
            return false;
        }
    }
    return true;
}

// Rewrites `input` normalised (one classic cross-reference table, no object
// streams, no repairs left to make) into `output`.
void write_normalised(const std::filesystem::path& input, const std::filesystem::path& output) {
    QPDF qpdf;
    qpdf.setSuppressWarnings(true);
    try {
        qpdf.processFile(input.c_str());
    } catch (const std::exception& e) {
        throw bad_input("\"" + input.string() + "\": " + e.what());
    }
    if (qpdf.isEncrypted()) {
        throw bad_input("\"" + input.string() + "\": encrypted PDFs are not supported");
    }
    QPDFWriter writer(qpdf, output.c_str());
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.setLinearization(false);
    writer.setDeterministicID(true);
    writer.write();
}

}  // namespace

PreparedDocument prepare_document(const std::filesystem::path& input,
                                  const std::vector<WidgetSpec>& widgets,
                                  const std::filesystem::path& output) {
    // The original as it is when it can take a revision (its bytes then
    // open the prepared document unchanged), else a normalised copy.
    if (ends_with_xref_table(input)) {  // else IncrementalUpdate refuses it
        auto update = std::make_unique<IncrementalUpdate>(input);
        add_widgets(*update, input, widgets);
        if (read_cleanly(update->qpdf())) {
            const UpdateResult written = update->write(output);
            return {written.sha256, written.size, std::move(update)};
        }
    }
    const std::filesystem::path normalised = util::temporary_path_beside(output);
    try {
        write_normalised(input, normalised);
        auto update = std::make_unique<IncrementalUpdate>(normalised);
        add_widgets(*update, input, widgets);
        const UpdateResult written = update->write(output);
        std::filesystem::remove(normalised);
        return {written.sha256, written.size, std::move(update)};
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(normalised, ec);
        throw;
    }
}

}  // namespace signet::pdf
