#include "verify/digest_ranges.hpp"

#include "crypto/openssl.hpp"

#include <algorithm>
#include <memory>

namespace signet::verify {
namespace {

constexpr std::size_t k_buffer = 1 << 20;

struct Group {
    crypto::EvpMdCtxPtr ctx;
    std::vector<std::size_t> members;
};

bool includes(const RangeDigest& r, std::uint64_t begin, std::uint64_t end) {
    for (const auto& [b, e] : r.ranges) {
        if (b <= begin && end <= e) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::vector<std::string> digest_ranges(const PdfFile& file,
                                       const std::vector<RangeDigest>& requests) {
    std::vector<std::uint64_t> cuts;
    std::vector<Group> groups;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (requests[i].md == nullptr) {
            continue;
        }
        for (const auto& [b, e] : requests[i].ranges) {
            cuts.push_back(std::min(b, file.size()));
            cuts.push_back(std::min(e, file.size()));
        }
        auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return EVP_MD_get_type(requests[g.members.front()].md) ==
                   EVP_MD_get_type(requests[i].md);
        });
        if (same != groups.end()) {
            same->members.push_back(i);
            continue;
        }
        Group g;
        g.ctx.reset(EVP_MD_CTX_new());
        if (!g.ctx || EVP_DigestInit_ex(g.ctx.get(), requests[i].md, nullptr) != 1) {
            throw crypto::openssl_error("cannot start a digest");
        }
        g.members.push_back(i);
        groups.push_back(std::move(g));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    std::unique_ptr<char[]> buffer(new char[k_buffer]);
    for (std::size_t s = 0; s + 1 < cuts.size(); ++s) {
        const std::uint64_t begin = cuts[s];
        const std::uint64_t end = cuts[s + 1];
        // Split groups whose members disagree about this segment.
        std::vector<Group*> hashing;
        const std::size_t count = groups.size();
        for (std::size_t gi = 0; gi < count; ++gi) {
            std::vector<std::size_t> in;
            std::vector<std::size_t> out;
            for (const std::size_t m : groups[gi].members) {
                (includes(requests[m], begin, end) ? in : out).push_back(m);
            }
            if (!in.empty() && !out.empty()) {
                Group rest;
                rest.ctx.reset(EVP_MD_CTX_new());
                if (!rest.ctx || EVP_MD_CTX_copy_ex(rest.ctx.get(), groups[gi].ctx.get()) != 1) {
                    throw crypto::openssl_error("cannot copy a digest");
                }
                rest.members = std::move(out);
                groups[gi].members = std::move(in);
                groups.push_back(std::move(rest));
            }
        }
        for (Group& g : groups) {
            if (includes(requests[g.members.front()], begin, end)) {
                hashing.push_back(&g);
            }
        }
        if (hashing.empty()) {
            continue;
        }
        for (std::uint64_t at = begin; at < end;) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(k_buffer, end - at));
            const std::size_t got = file.read_at(at, buffer.get(), want);
            if (got == 0) {
                break;
            }
            for (Group* g : hashing) {
                if (EVP_DigestUpdate(g->ctx.get(), buffer.get(), got) != 1) {
                    throw crypto::openssl_error("cannot hash");
                }
            }
            at += got;
        }
    }

    std::vector<std::string> out(requests.size());
    for (Group& g : groups) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(g.ctx.get(), md, &len) != 1) {
            throw crypto::openssl_error("cannot finish a digest");
        }
        for (const std::size_t m : g.members) {
            out[m].assign(reinterpret_cast<const char*>(md), len);
        }
    }
    return out;
}

}  // namespace signet::verify
