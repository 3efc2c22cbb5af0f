#include "test_verify_support.hpp"

#include "pdf/qpdf.hpp"

#include <cstdio>

namespace signet::test {
namespace {

std::unique_ptr<QPDF> load(const std::string& bytes) {
    auto q = std::make_unique<QPDF>();
    q->setSuppressWarnings(true);
    q->processMemoryFile("test.pdf", bytes.data(), bytes.size());
    return q;
}

std::string last_startxref(const std::string& bytes) {
    const std::size_t at = bytes.rfind("startxref");
    std::size_t i = at + 9;
    while (bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == ' ') {
        ++i;
    }
    std::size_t j = i;
    while (j < bytes.size() && bytes[j] >= '0' && bytes[j] <= '9') {
        ++j;
    }
    return bytes.substr(i, j - i);
}

}  // namespace

std::string append_update(const std::string& bytes, const std::map<std::string, std::string>& objects,
                          const std::string& trailer_extra, const std::vector<std::string>& freed) {
    auto q = load(bytes);
    QPDFObjectHandle trailer = q->getTrailer();
    long long size = trailer.getKey("/Size").getIntValue();
    std::string out = bytes;
    if (out.back() != '\n') {
        out += '\n';
    }
    std::string xref = "xref\n";
    for (const auto& [id, body] : objects) {
        const std::size_t offset = out.size();
        out += id + " obj\n" + body + "\nendobj\n";
        int num = 0;
        int gen = 0;
        std::sscanf(id.c_str(), "%d %d", &num, &gen);
        size = std::max<long long>(size, num + 1);
        char entry[64];
        std::snprintf(entry, sizeof entry, "%d 1\n%010zu %05d n \n", num, offset, gen);
        xref += entry;
    }
    for (const auto& id : freed) {
        int num = 0;
        int gen = 0;
        std::sscanf(id.c_str(), "%d %d", &num, &gen);
        char entry[64];
        std::snprintf(entry, sizeof entry, "%d 1\n0000000000 %05d f \n", num, gen + 1);
        xref += entry;
    }
    const std::size_t xref_at = out.size();
    out += xref;
    out += "trailer\n<< /Size " + std::to_string(size) + " /Root " +
           trailer.getKey("/Root").unparse() + " /Prev " + last_startxref(bytes) + " " +
           trailer_extra + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
    return out;
}

std::string object_body(const std::string& bytes, int number) {
    auto q = load(bytes);
    QPDFObjectHandle o = q->getObject(number, 0);
    if (o.isStream()) {
        std::shared_ptr<Buffer> data = o.getRawStreamData();
        QPDFObjectHandle dict = o.getDict().shallowCopy();
        dict.replaceKey("/Length", QPDFObjectHandle::newInteger(static_cast<long long>(data->getSize())));
        return dict.unparse() + "\nstream\n" +
               std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize()) +
               "\nendstream";
    }
    return o.unparseResolved();
}

int field_object(const std::string& bytes, const std::string& name) {
    auto q = load(bytes);
    for (QPDFObjectHandle f : q->getRoot().getKey("/AcroForm").getKey("/Fields").aitems()) {
        if (f.getKey("/T").getUTF8Value() == name) {
            return f.getObjectID();
        }
    }
    return 0;
}

int page_object(const std::string& bytes, int n) {
    auto q = load(bytes);
    return QPDFPageDocumentHelper(*q).getAllPages().at(static_cast<std::size_t>(n - 1)).getObjectHandle().getObjectID();
}

verify::FileReport verify_bytes(const SignedFlow& flow, const std::string& bytes,
                                const std::string& name) {
    const auto path = flow.tmp.path() / name;
    util::write_file_atomic(path, bytes);
    return flow.verify(path);
}

bool names(const verify::FileReport& report, const std::string& what) {
    for (const auto& r : report.reasons) {
        if (r.find(what) != std::string::npos) {
            return true;
        }
    }
    for (const auto& s : report.signatures) {
        for (const auto& r : s.reasons) {
            if (r.find(what) != std::string::npos) {
                return true;
            }
        }
        for (const auto& c : s.modified_after) {
            if (!c.allowed && c.change.find(what) != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace signet::test
