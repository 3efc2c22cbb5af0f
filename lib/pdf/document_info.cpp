#include "pdf/document_info.hpp"

#include "pdf/podofo.hpp"
#include "signet/error.hpp"

#include <algorithm>
#include <mutex>

namespace signet::pdf {

void quiet_podofo() {
    static std::once_flag once;
    std::call_once(once, [] {
        PoDoFo::PdfError::EnableLogging(false);
        PoDoFo::PdfError::EnableDebug(false);
    });
}

namespace {

Box to_box(const PoDoFo::PdfRect& r) {
    return Box{r.GetLeft(), r.GetBottom(), r.GetWidth(), r.GetHeight()};
}

// The intersection of two boxes; an empty box when they do not overlap.
Box intersect(const Box& a, const Box& b) {
    const double x1 = std::max(a.x, b.x);
    const double y1 = std::max(a.y, b.y);
    const double x2 = std::min(a.right(), b.right());
    const double y2 = std::min(a.top(), b.top());
    if (x2 <= x1 || y2 <= y1) {
        return Box{};
    }
    return Box{x1, y1, x2 - x1, y2 - y1};
}

bool has_inherited_key(const PoDoFo::PdfObject* node, const char* key) {
    // Page attributes like /CropBox may be inherited from the page tree.
    for (int depth = 0; node != nullptr && depth < 64; ++depth) {
        if (!node->IsDictionary()) {
            return false;
        }
        if (node->GetDictionary().HasKey(key)) {
            return true;
        }
        const PoDoFo::PdfObject* parent = node->GetIndirectKey("Parent");
        if (parent == node) {
            return false;
        }
        node = parent;
    }
    return false;
}

std::string describe(const PoDoFo::PdfError& e) {
    switch (e.GetError()) {
    case PoDoFo::ePdfError_NoPdfFile:
        return "not a PDF file";
    case PoDoFo::ePdfError_NoXRef:
    case PoDoFo::ePdfError_InvalidXRef:
    case PoDoFo::ePdfError_InvalidXRefStream:
    case PoDoFo::ePdfError_InvalidXRefType:
    case PoDoFo::ePdfError_NoTrailer:
    case PoDoFo::ePdfError_NoEOFToken:
    case PoDoFo::ePdfError_UnexpectedEOF:
    case PoDoFo::ePdfError_BrokenFile:
    case PoDoFo::ePdfError_InvalidTrailerSize:
        return "the PDF is damaged or truncated (its cross-reference table cannot be read)";
    default: {
        const char* name = PoDoFo::PdfError::ErrorName(e.GetError());
        return std::string("the PDF cannot be read (") + (name != nullptr ? name : "parse error") +
               ")";
    }
    }
}

}  // namespace

DocumentInfo read_document_info(std::string_view bytes, const std::string& name) {
    quiet_podofo();
    const std::string where = "\"" + name + "\": ";
    if (bytes.size() < 8 || bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
        throw bad_input(where + "not a PDF file (no %PDF- header)");
    }
    const std::vector<std::string> encrypted_hints = {
        "encrypted PDFs are not supported: remove the encryption first, e.g. qpdf --decrypt "
        "--password=PASSWORD in.pdf out.pdf"};
    DocumentInfo info;
    try {
        PoDoFo::PdfMemDocument doc;
        doc.LoadFromBuffer(bytes.data(), static_cast<long>(bytes.size()));
        if (doc.GetEncrypted()) {
            throw bad_input(where + "the PDF is encrypted", encrypted_hints);
        }
        const int count = doc.GetPageCount();
        if (count <= 0) {
            throw bad_input(where + "the PDF has no pages");
        }
        info.pages.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            const PoDoFo::PdfPage* page = doc.GetPage(i);
            if (page == nullptr) {
                throw bad_input(where + "page " + std::to_string(i + 1) + " cannot be read");
            }
            PageInfo p;
            p.media_box = to_box(page->GetMediaBox());
            if (p.media_box.width <= 0 || p.media_box.height <= 0) {
                throw bad_input(where + "page " + std::to_string(i + 1) + " has no valid MediaBox");
            }
            p.crop_box = p.media_box;
            if (has_inherited_key(page->GetObject(), "CropBox")) {
                const Box crop = intersect(to_box(page->GetCropBox()), p.media_box);
                if (crop.width > 0 && crop.height > 0) {
                    p.crop_box = crop;
                }
            }
            p.rotate = normalise_rotation(page->GetRotation());
            info.pages.push_back(p);
        }
    } catch (const PoDoFo::PdfError& e) {
        if (e.GetError() == PoDoFo::ePdfError_InvalidPassword) {
            throw bad_input(where + "the PDF is encrypted", encrypted_hints);
        }
        throw bad_input(where + describe(e));
    }
    return info;
}

}  // namespace signet::pdf
