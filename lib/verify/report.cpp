#include "verify/report.hpp"

#include "util/time.hpp"

#include <algorithm>
#include <map>

namespace signet::verify {
namespace {

std::string when(const std::optional<util::UnixTime>& t) {
    return t ? util::rfc3339_utc(*t) : std::string("none");
}

std::string docmdp_words(int p) {
    switch (p) {
    case 1:
        return "DocMDP P 1: no changes allowed";
    case 2:
        return "DocMDP P 2: form filling and signing allowed";
    default:
        return "DocMDP P 3: form filling, signing and annotations allowed";
    }
}

std::string file_summary(const FileReport& f) {
    if (f.verdict == "error") {
        return f.reasons.empty() ? "cannot be read" : f.reasons.front();
    }
    const std::size_t n = f.signatures.size();
    std::string s = std::to_string(n) + (n == 1 ? " signature" : " signatures") + ", " +
                    std::to_string(f.revisions) + (f.revisions == 1 ? " revision" : " revisions");
    if (f.verdict == "valid") {
        return s + "; every signature intact and trusted, nothing disallowed changed after";
    }
    if (f.verdict == "untrusted") {
        return s + "; intact and nothing disallowed changed after, but a signer is not trusted";
    }
    if (!f.reasons.empty()) {
        return s + "; " + f.reasons.front();
    }
    // The most telling reason: a broken signature before a change after it,
    // either before a signer nobody trusts (which is no reason to be invalid).
    auto trust_only = [](const std::string& r) {
        return r.find("does not chain to a trust anchor") != std::string::npos ||
               r.find("timestamp authority") != std::string::npos;
    };
    auto modified = [](const std::string& r) { return r.rfind("modified after", 0) == 0; };
    for (const auto& want : {0, 1, 2}) {
        for (const auto& sig : f.signatures) {
            if (sig.verdict != "invalid") {
                continue;
            }
            for (const auto& r : sig.reasons) {
                const bool pick = want == 0 ? !trust_only(r) && !modified(r)
                                            : want == 1 ? modified(r) : true;
                if (pick) {
                    return s + "; signature " + std::to_string(sig.index) + ": " + r;
                }
            }
        }
    }
    return s;
}

}  // namespace

std::string render_text(const VerifyReport& report, bool verbose) {
    std::string out;
    for (const FileReport& f : report.files) {
        out += f.file + ": " + f.verdict + " (" + file_summary(f) + ")\n";
        for (std::size_t i = 1; i < f.reasons.size(); ++i) {
            out += "  " + f.reasons[i] + "\n";
        }
        if (f.verdict == "error") {
            continue;
        }
        for (const SignatureReport& s : f.signatures) {
            out += "  signature " + std::to_string(s.index) + ", field \"" + s.field + "\": " +
                   s.verdict + "\n";
            std::string signer = s.signer.empty() ? "(unknown)" : s.signer;
            if (!s.signer_email.empty()) {
                signer += " <" + s.signer_email + ">";
            }
            out += "    signer:     " + signer + "\n";
            if (!s.signer_issuer.empty()) {
                out += "    issuer:     " + s.signer_issuer + "\n";
            }
            out += "    claimed:    " + when(s.signed_at) + "\n";
            out += "    timestamp:  " +
                   (s.timestamp ? when(s.timestamp) + (s.time_proven ? " (proven)" : " (TSA not trusted)")
                                : std::string("none; time not proven")) +
                   "\n";
            std::string kind = s.subfilter.empty() ? "unknown" : s.subfilter;
            if (s.certification && s.docmdp) {
                kind += ", certification (" + docmdp_words(*s.docmdp) + ")";
            } else {
                kind += ", approval";
            }
            if (!s.locks.empty()) {
                std::string locks;
                for (const auto& l : s.locks) {
                    locks += (locks.empty() ? "" : ", ") + l;
                }
                kind += "; locks " + locks;
            }
            out += "    kind:       " + kind + "\n";
            if (s.revision > 0) {
                out += "    signs:      revision " + std::to_string(s.revision) + " of " +
                       std::to_string(s.revisions) +
                       (s.covers_whole_file ? " (the whole file)" : "") + "\n";
            }
            for (const auto& c : s.checks) {
                out += "    ok:         " + c + "\n";
            }
            std::size_t allowed = 0;
            std::map<int, std::size_t> allowed_by_rev;
            for (const Change& c : s.modified_after) {
                if (c.allowed) {
                    ++allowed;
                    ++allowed_by_rev[c.revision];
                }
                if (!c.allowed || verbose) {
                    out += std::string("    ") + (c.allowed ? "allowed:    " : "CHANGED:    ") +
                           "revision " + std::to_string(c.revision) + ", " + c.object + ": " +
                           c.change + "\n";
                }
            }
            if (s.modified_after.empty() && s.revision > 0) {
                out += "    after:      nothing changed after this signature\n";
            } else if (!verbose && allowed > 0) {
                std::string revs;
                for (const auto& [r, n] : allowed_by_rev) {
                    revs += (revs.empty() ? "" : ", ") + std::to_string(r);
                }
                out += "    after:      " + std::to_string(allowed) +
                       " allowed change(s) in revision(s) " + revs +
                       " (form filling, signing, bookkeeping; -v lists them)\n";
            }
            for (const auto& r : s.reasons) {
                out += "    problem:    " + r + "\n";
            }
        }
        if (f.store) {
            out += std::string("  store:      ") +
                   (!f.store->known ? "unknown to the store"
                                    : (f.store->revisions_match && f.store->chain_intact
                                           ? "matches envelope " + f.store->envelope
                                           : "does NOT match envelope " + f.store->envelope)) +
                   "\n";
            for (const auto& n : f.store->notes) {
                out += "    " + n + "\n";
            }
        }
    }
    if (report.trust_anchors.empty()) {
        out += "trust anchors: none (give --trust PEM, or run where a signet store is)\n";
    } else {
        out += "trust anchors:\n";
        for (const auto& a : report.trust_anchors) {
            out += "  " + a.subject + " (" + a.source + ", SHA-256 " + a.sha256.substr(0, 16) +
                   "...)\n";
        }
    }
    return out;
}

void write_json(util::JsonWriter& w, const VerifyReport& report) {
    w.key("trust_anchors").begin_array();
    for (const auto& a : report.trust_anchors) {
        w.begin_object();
        w.field("subject", a.subject);
        w.field("sha256", a.sha256);
        w.field("source", a.source);
        w.end_object();
    }
    w.end_array();
    w.key("files").begin_array();
    for (const FileReport& f : report.files) {
        w.begin_object();
        w.field("file", f.file);
        w.field("verdict", f.verdict);
        w.field("revisions", f.revisions);
        w.key("reasons").begin_array();
        for (const auto& r : f.reasons) {
            w.value(r);
        }
        w.end_array();
        w.key("signatures").begin_array();
        for (const SignatureReport& s : f.signatures) {
            w.begin_object();
            w.field("index", s.index);
            w.field("field", s.field);
            w.key("signer").begin_object();
            w.field("name", s.signer);
            w.key("email").value_or_null(s.signer_email.empty() ? std::nullopt
                                                                 : std::optional<std::string>(s.signer_email));
            w.field("subject", s.signer_subject);
            w.field("issuer", s.signer_issuer);
            w.end_object();
            w.key("signed_at").value_or_null(s.signed_at ? std::optional<std::string>(util::rfc3339_utc(*s.signed_at))
                                                         : std::nullopt);
            w.key("timestamp").value_or_null(s.timestamp && s.time_proven
                                                 ? std::optional<std::string>(util::rfc3339_utc(*s.timestamp))
                                                 : std::nullopt);
            w.field("time_proven", s.time_proven);
            w.key("trust_checked_at").value_or_null(s.trust_time ? std::optional<std::string>(util::rfc3339_utc(*s.trust_time))
                                                                 : std::nullopt);
            w.field("subfilter", s.subfilter);
            w.field("digest_algorithm", s.digest_algorithm);
            w.field("certification", s.certification);
            w.key("docmdp");
            if (s.docmdp) {
                w.value(*s.docmdp);
            } else {
                w.null();
            }
            w.key("locks").begin_array();
            for (const auto& l : s.locks) {
                w.value(l);
            }
            w.end_array();
            w.field("name", s.name);
            w.field("reason", s.reason);
            w.field("verdict", s.verdict);
            w.field("revision", s.revision);
            w.field("covers_whole_revision", s.covers_whole_revision);
            w.field("covers_whole_file", s.covers_whole_file);
            w.key("byte_range").begin_array();
            for (const auto n : s.byte_range) {
                w.value(static_cast<std::int64_t>(n));
            }
            w.end_array();
            w.field("digest_ok", s.digest_ok);
            w.field("signature_ok", s.signature_ok);
            w.field("trusted", s.trusted);
            w.key("modified_after").begin_array();
            for (const Change& c : s.modified_after) {
                w.begin_object();
                w.field("revision", c.revision);
                w.field("object", c.object);
                w.field("change", c.change);
                w.field("allowed", c.allowed);
                w.end_object();
            }
            w.end_array();
            w.key("checks").begin_array();
            for (const auto& c : s.checks) {
                w.value(c);
            }
            w.end_array();
            w.key("reasons").begin_array();
            for (const auto& r : s.reasons) {
                w.value(r);
            }
            w.end_array();
            w.end_object();
        }
        w.end_array();
        if (f.store) {
            w.key("store").begin_object();
            w.field("known", f.store->known);
            w.key("envelope").value_or_null(f.store->envelope.empty() ? std::nullopt
                                                                      : std::optional<std::string>(f.store->envelope));
            w.field("revisions_match", f.store->revisions_match);
            w.field("chain_intact", f.store->chain_intact);
            w.key("notes").begin_array();
            for (const auto& n : f.store->notes) {
                w.value(n);
            }
            w.end_array();
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
}

}  // namespace signet::verify
