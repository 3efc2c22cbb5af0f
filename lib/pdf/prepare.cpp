#include "pdf/prepare.hpp"

#include "pdf/appearance.hpp"
#include "pdf/qpdf.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"

#include <set>

namespace signet::pdf {
namespace {

constexpr int k_flag_print = 4;
constexpr int k_flag_read_only = 1;
constexpr int k_flag_multiline = 1 << 12;
constexpr int k_flag_pushbutton = 1 << 16;

QPDFObjectHandle number_array(std::initializer_list<double> values) {
    QPDFObjectHandle a = QPDFObjectHandle::newArray();
    for (const double v : values) {
        a.appendItem(QPDFObjectHandle::newReal(v, 2, true));
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

}  // namespace

PrepareResult prepare_document(const std::filesystem::path& input,
                               const std::vector<WidgetSpec>& widgets,
                               const std::filesystem::path& output) {
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
    std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(qpdf).getAllPages();
    QPDFObjectHandle root = qpdf.getRoot();
    QPDFObjectHandle acroform = root.getKey("/AcroForm");
    if (!acroform.isDictionary()) {
        acroform = qpdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
        root.replaceKey("/AcroForm", acroform);
    }
    QPDFObjectHandle fields = acroform.getKey("/Fields");
    if (!fields.isArray()) {
        fields = QPDFObjectHandle::newArray();
        acroform.replaceKey("/Fields", fields);
    }
    const std::set<std::string> taken = existing_field_names(fields);

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
        const Appearance empty = empty_appearance(qpdf, w, h, shown.rotate);
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
            apply_appearance(widget, empty);
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
                apply_appearance(widget, text_appearance(qpdf, *spec.value, w, h, shown.rotate,
                                                         spec.kind == WidgetKind::multiline));
            } else {
                apply_appearance(widget, empty);
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
            apply_appearance(widget, empty);
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
    }
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
    }

    const std::filesystem::path tmp = util::temporary_path_beside(output);
    try {
        QPDFWriter writer(qpdf, tmp.c_str());
        writer.setObjectStreamMode(qpdf_o_disable);
        writer.setLinearization(false);
        writer.setDeterministicID(true);
        writer.write();
        PrepareResult result{util::sha256_file_hex(tmp), std::filesystem::file_size(tmp)};
        util::commit_file(tmp, output, 0600);
        return result;
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
}

}  // namespace signet::pdf
