#include "audit/trail.hpp"

#include "audit/audit.hpp"
#include "crypto/certificate.hpp"
#include "crypto/pki.hpp"
#include "pdf/qpdf.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/text.hpp"
#include "verify/verify.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace signet::audit {

const char* const k_completion_field = "signet_completion";
const char* const k_completion_reason_prefix = "signet completion; audit chain head ";

namespace {

// audit.cpp's canonical form: each part length-prefixed, so that no
// separator can be forged inside a value.
void add_part(std::string& out, const std::string& part) {
    out += std::to_string(part.size());
    out += ':';
    out += part;
}

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string short_hash(const std::string& h) { return h.size() > 16 ? h.substr(0, 16) + "…" : h; }

// "event 3 (sent)": how checks name an event, 1-based as people count.
std::string event_name(std::size_t index, const Event& e) {
    return "event " + std::to_string(index + 1) + " (" + e.action + ")";
}

// The details parsed by SQLite's JSON functions; empty when not valid JSON.
std::vector<DetailNode> parse_details(store::Statement& valid, store::Statement& tree,
                                      const std::string& details) {
    std::vector<DetailNode> nodes;
    valid.bind(1, details);
    const bool ok = valid.step() && valid.integer(0) == 1;
    valid.reset();
    if (!ok) {
        return nodes;
    }
    // Each container's depth and type, by json_tree's node id.
    std::map<std::int64_t, std::pair<int, std::string>> containers;
    tree.bind(1, details);
    while (tree.step()) {
        DetailNode n;
        const std::optional<std::int64_t> parent = tree.optional_integer(0);
        n.type = tree.text(3);
        if (parent) {
            const auto& [parent_depth, parent_type] = containers[*parent];
            n.depth = parent_depth + 1;
            // Array elements have integer keys; only object members are named.
            if (parent_type == "object") {
                n.key = tree.text(2);
            }
        }
        if (n.type == "array" || n.type == "object") {
            containers[tree.integer(1)] = {n.depth, n.type};
            n.json = tree.text(5);
        } else if (n.type == "text") {
            n.atom = tree.text(4);
            util::append_json_string(n.json, n.atom);
        } else if (n.type == "null") {
            n.json = "null";
        } else if (n.type == "true" || n.type == "false") {
            n.json = n.type;
        } else {
            n.atom = tree.text(4);
            n.json = n.atom;
        }
        nodes.push_back(std::move(n));
    }
    tree.reset();
    return nodes;
}

// The text of a top-level member of the details, when it is a string.
std::optional<std::string> detail_text(const Event& e, const std::string& key) {
    for (const DetailNode& n : e.details_tree) {
        if (n.depth == 1 && n.key == key && n.type == "text") {
            return n.atom;
        }
    }
    return std::nullopt;
}

struct EnvelopeRow {
    std::int64_t seq = 0;
    std::string id;
    std::string status;
    std::string document_sha256;
    std::string current_sha256;
};

struct RevisionRow {
    std::int64_t number = 0;
    std::string sha256;
    std::string kind;
};

EnvelopeRow load_envelope_row(store::Store& store, const std::string& envelope_id) {
    store::Statement q = store.db().prepare(
        "SELECT seq, id, status, document_sha256, current_sha256 FROM envelopes WHERE id = ?");
    q.bind(1, envelope_id);
    if (!q.step()) {
        throw not_found("no envelope \"" + envelope_id + "\" in the store \"" +
                            store.dir().string() + "\"",
                        {"list the envelopes with: signet status"});
    }
    return {q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4)};
}

// What is wrong with the stored file of `sha`, or "" when it is there and
// matches.
std::string stored_file_problem(const store::Store& store, const std::string& sha) {
    if (!is_sha256_hex(sha)) {
        return "its recorded hash \"" + sha + "\" is not a SHA-256";
    }
    const std::filesystem::path path = store.document_path(sha);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return "\"" + path.string() + "\" is missing";
    }
    try {
        if (util::sha256_file_hex(path) != sha) {
            return "\"" + path.string() + "\" does not match its SHA-256 " + short_hash(sha) +
                   ": it was changed or damaged";
        }
    } catch (const std::exception& e) {
        return "\"" + path.string() + "\" cannot be read: " + e.what();
    }
    return {};
}

CheckItem check_revisions(const store::Store& store, const EnvelopeRow& env,
                          const std::vector<RevisionRow>& revisions) {
    CheckItem item{"revisions", false, ""};
    std::vector<std::string> problems;
    if (const std::string p = stored_file_problem(store, env.document_sha256); !p.empty()) {
        problems.push_back("the original document: " + p);
    }
    std::string kinds;
    for (std::size_t i = 0; i < revisions.size(); ++i) {
        const RevisionRow& r = revisions[i];
        const std::string name = "revision " + std::to_string(r.number) + " (" + r.kind + ")";
        if (r.number != static_cast<std::int64_t>(i) + 1) {
            problems.push_back(name + ": expected revision " + std::to_string(i + 1) +
                               " here; the record has a gap");
        }
        if (const std::string p = stored_file_problem(store, r.sha256); !p.empty()) {
            problems.push_back(name + ": " + p);
        }
        kinds += (kinds.empty() ? "" : ", ") + r.kind;
    }
    const std::string newest = revisions.empty() ? env.document_sha256 : revisions.back().sha256;
    if (env.current_sha256 != newest) {
        problems.push_back("the envelope's current document " + short_hash(env.current_sha256) +
                           " is not its newest revision " + short_hash(newest));
    }
    if (problems.empty()) {
        item.ok = true;
        if (revisions.empty()) {
            item.detail = "the original document is stored with its SHA-256 and is the current "
                          "one (no revision yet)";
        } else {
            item.detail = "the original document and " + std::to_string(revisions.size()) +
                          " revision(s) (" + kinds + ") are stored with their SHA-256; the "
                          "current document is revision " +
                          std::to_string(revisions.back().number);
        }
    } else {
        for (const std::string& p : problems) {
            item.detail += (item.detail.empty() ? "" : "; ") + p;
        }
    }
    return item;
}

// The final PDF's completion signature: intact, the last thing in the file,
// by a certificate the store's PKI issued. Without it the /Reason could be
// rewritten by anyone who can write the store.
CheckItem check_seal(const store::Store& store, const std::filesystem::path& pdf) {
    CheckItem item{"seal", false, ""};
    const std::filesystem::path keys = store.dir() / "keys";
    std::vector<crypto::X509Ptr> anchors;
    try {
        if (crypto::OrganizationPki::exists(keys)) {
            anchors = crypto::load_trust_anchors(keys);
        }
    } catch (const std::exception& e) {
        item.detail = std::string("cannot read the store's root CA: ") + e.what();
        return item;
    }
    if (anchors.empty()) {
        item.detail = "the store has no root CA (keys/) to check the completion seal against";
        return item;
    }
    std::vector<X509*> raw;
    for (const auto& a : anchors) {
        raw.push_back(a.get());
    }
    const crypto::X509StorePtr trust = crypto::make_trust_store(raw);
    const verify::FileReport report = verify::verify_file(pdf, trust.get());
    const verify::SignatureReport* seal = nullptr;
    for (const auto& s : report.signatures) {
        if (s.field == k_completion_field) {
            seal = &s;
        }
    }
    if (seal == nullptr) {
        item.detail = "the final PDF \"" + pdf.string() + "\" has no completion signature (" +
                      k_completion_field + ")";
        for (const std::string& r : report.reasons) {
            item.detail += "; " + r;
        }
        return item;
    }
    std::vector<std::string> problems;
    if (!seal->digest_ok || !seal->signature_ok || !seal->structure_ok) {
        problems.emplace_back("it does not verify");
    }
    if (!seal->covers_whole_file) {
        problems.emplace_back("the file was changed after it (it does not cover the whole file)");
    }
    if (!seal->trusted) {
        problems.emplace_back("its signer \"" + seal->signer +
                              "\" does not chain to the store's root CA");
    }
    if (problems.empty()) {
        item.ok = true;
        item.detail = "the final PDF's completion signature by \"" + seal->signer +
                      "\" is intact, covers the whole file and chains to the store's root CA";
        return item;
    }
    item.detail = "the final PDF's completion signature: ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
        item.detail += (i == 0 ? "" : "; ") + problems[i];
    }
    for (const std::string& r : seal->reasons) {
        item.detail += "; " + r;
    }
    return item;
}

CheckItem check_sealed_head(const std::filesystem::path& pdf, const EnvelopeRow& env,
                            const std::vector<Event>& events, const ChainCheck& chain) {
    CheckItem item{"sealed_head", false, ""};
    std::vector<std::size_t> completed;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].action == "completed") {
            completed.push_back(i);
        }
    }
    if (completed.empty()) {
        item.detail = "the envelope is completed but its trail has no \"completed\" event";
        return item;
    }
    if (completed.size() > 1) {
        item.detail = "the trail has " + std::to_string(completed.size()) +
                      " \"completed\" events; an envelope is completed once";
        return item;
    }
    const std::size_t at = completed.front();
    const Event& done = events[at];
    SealedHead sealed;
    try {
        sealed = read_sealed_head(pdf);
    } catch (const std::exception& e) {
        item.detail = std::string("cannot read the final PDF: ") + e.what();
        return item;
    }
    if (!sealed.field_found || !sealed.signed_field) {
        item.detail = "the final PDF \"" + pdf.string() + "\" has no signed " +
                      k_completion_field + " field to read the sealed head from";
        return item;
    }
    if (!sealed.head) {
        item.detail = "the completion signature's /Reason does not name a chain head: " +
                      util::quoted(sealed.reason);
        return item;
    }
    const std::string& head = *sealed.head;
    const std::string expected = at == 0 ? std::string(k_genesis_hash) : chain.recomputed[at - 1];
    std::vector<std::string> problems;
    if (head != expected) {
        problems.push_back("the final PDF seals chain head " + short_hash(head) +
                           ", but the trail re-computes " + short_hash(expected) + " before " +
                           event_name(at, done) + ": the trail was changed after it was sealed");
    }
    const std::optional<std::string> recorded = detail_text(done, "sealed_chain_head");
    if (!recorded) {
        problems.push_back(event_name(at, done) + " records no sealed_chain_head");
    } else if (*recorded != head) {
        problems.push_back(event_name(at, done) + " records sealed_chain_head " +
                           short_hash(*recorded) + ", not the head the PDF seals");
    }
    if (const auto final_sha = detail_text(done, "sha256");
        final_sha && *final_sha != env.current_sha256) {
        problems.push_back(event_name(at, done) + " names the final PDF " + short_hash(*final_sha) +
                           ", not the current document " + short_hash(env.current_sha256));
    }
    if (problems.empty()) {
        item.ok = true;
        item.detail = "the final PDF seals chain head " + short_hash(head) +
                      ", the re-computed hash of the trail before " + event_name(at, done);
    } else {
        for (const std::string& p : problems) {
            item.detail += (item.detail.empty() ? "" : "; ") + p;
        }
    }
    return item;
}

}  // namespace

std::string event_hash(std::int64_t envelope_seq, const std::string& prev_hash, const Event& e) {
    std::string canonical;
    for (const std::string& part :
         {prev_hash, std::to_string(envelope_seq), std::to_string(e.at), e.actor, e.os_user, e.host,
          e.terminal, e.action, e.details, e.doc_before.value_or(""), e.doc_after.value_or("")}) {
        add_part(canonical, part);
    }
    return util::sha256_hex(canonical);
}

std::vector<Event> load_events(store::Database& db, std::int64_t envelope_seq) {
    store::Statement q = db.prepare(
        "SELECT seq, at, actor, os_user, host, terminal, action, details, doc_before, doc_after,"
        " prev_hash, hash FROM events WHERE envelope_seq = ? ORDER BY seq");
    store::Statement valid = db.prepare("SELECT json_valid(?)");
    store::Statement tree =
        db.prepare("SELECT parent, id, key, type, atom, value FROM json_tree(?) ORDER BY id");
    q.bind(1, envelope_seq);
    std::vector<Event> events;
    while (q.step()) {
        Event e;
        e.seq = q.integer(0);
        e.at = q.integer(1);
        e.actor = q.text(2);
        e.os_user = q.text(3);
        e.host = q.text(4);
        e.terminal = q.text(5);
        e.action = q.text(6);
        e.details = q.text(7);
        e.doc_before = q.optional_text(8);
        e.doc_after = q.optional_text(9);
        e.prev_hash = q.text(10);
        e.hash = q.text(11);
        e.details_tree = parse_details(valid, tree, e.details);
        events.push_back(std::move(e));
    }
    return events;
}

ChainCheck check_chain(std::int64_t envelope_seq, const std::vector<Event>& events) {
    ChainCheck check;
    check.events = events.size();
    std::string recomputed = k_genesis_hash;
    std::string stored_prev = k_genesis_hash;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        recomputed = event_hash(envelope_seq, recomputed, e);
        check.recomputed.push_back(recomputed);
        if (check.broken_at) {
            continue;
        }
        if (e.prev_hash != stored_prev) {
            check.broken_at = i + 1;
            check.problem =
                event_name(i, e) +
                (i == 0 ? ": its prev_hash is not the genesis hash (an event before it was removed)"
                        : ": its prev_hash is not the hash of the event before it (an event was "
                          "removed, inserted or moved)");
        } else if (e.hash != event_hash(envelope_seq, e.prev_hash, e)) {
            check.broken_at = i + 1;
            check.problem = event_name(i, e) +
                            ": its hash does not re-compute from its fields (the row was edited)";
        }
        stored_prev = e.hash;
    }
    check.head = recomputed;
    if (events.empty()) {
        check.problem = "the trail has no events";
    }
    check.intact = !events.empty() && !check.broken_at;
    return check;
}

Timeline read_timeline(store::Store& store, const std::string& envelope_id) {
    Timeline t;
    t.timezone = store.config().timezone;
    store.db().read([&] {
        const EnvelopeRow env = load_envelope_row(store, envelope_id);
        t.envelope = env.id;
        t.status = env.status;
        t.events = load_events(store.db(), env.seq);
    });
    if (!t.events.empty()) {
        t.chain_head = t.events.back().hash;
    }
    return t;
}

std::string details_summary(const Event& event) {
    if (event.details_tree.empty() || event.details_tree.front().type != "object") {
        return event.details;
    }
    std::string out;
    for (const DetailNode& n : event.details_tree) {
        if (n.depth != 1) {
            continue;
        }
        out += (out.empty() ? "" : ", ") + n.key + ": ";
        if (n.type == "text") {
            out += is_sha256_hex(n.atom) ? n.atom.substr(0, 12) + "…" : n.atom;
        } else {
            out += n.json;
        }
    }
    return out;
}

void write_details(util::JsonWriter& w, const Event& event) {
    if (event.details_tree.empty()) {
        w.value(event.details);
        return;
    }
    // Containers still open: their depth and type.
    std::vector<const DetailNode*> open;
    auto close_to = [&](int depth) {
        while (!open.empty() && open.back()->depth >= depth) {
            if (open.back()->type == "object") {
                w.end_object();
            } else {
                w.end_array();
            }
            open.pop_back();
        }
    };
    for (const DetailNode& n : event.details_tree) {
        close_to(n.depth);
        if (!open.empty() && open.back()->type == "object") {
            w.key(n.key);
        }
        if (n.type == "object") {
            w.begin_object();
            open.push_back(&n);
        } else if (n.type == "array") {
            w.begin_array();
            open.push_back(&n);
        } else if (n.type == "text") {
            w.value(n.atom);
        } else if (n.type == "null") {
            w.null();
        } else if (n.type == "true" || n.type == "false") {
            w.value(n.type == "true");
        } else if (n.type == "integer") {
            try {
                w.value(static_cast<std::int64_t>(std::stoll(n.atom)));
            } catch (const std::exception&) {
                w.value(n.atom);
            }
        } else {
            try {
                w.value(std::stod(n.atom));
            } catch (const std::exception&) {
                w.value(n.atom);
            }
        }
    }
    close_to(0);
}

std::string completion_reason(const std::string& head) {
    return k_completion_reason_prefix + head;
}

std::optional<std::string> parse_completion_reason(const std::string& reason) {
    const std::string prefix = k_completion_reason_prefix;
    if (reason.size() != prefix.size() + 64 || reason.compare(0, prefix.size(), prefix) != 0) {
        return std::nullopt;
    }
    std::string head = reason.substr(prefix.size());
    if (!is_sha256_hex(head)) {
        return std::nullopt;
    }
    return head;
}

SealedHead read_sealed_head(const std::filesystem::path& pdf) {
    SealedHead sealed;
    try {
        QPDF q;
        q.setSuppressWarnings(true);
        q.setAttemptRecovery(false);
        q.processFile(pdf.c_str());
        QPDFObjectHandle fields = q.getRoot().getKey("/AcroForm").getKey("/Fields");
        if (!fields.isArray()) {
            return sealed;
        }
        // Fields by full name, through /Kids; each object once.
        std::vector<std::pair<QPDFObjectHandle, std::string>> todo;
        for (int i = fields.getArrayNItems() - 1; i >= 0; --i) {
            todo.emplace_back(fields.getArrayItem(i), "");
        }
        std::set<QPDFObjGen> seen;
        while (!todo.empty() && seen.size() < 100000) {
            auto [field, parent_name] = todo.back();
            todo.pop_back();
            if (!field.isDictionary() ||
                (field.isIndirect() && !seen.insert(field.getObjGen()).second)) {
                continue;
            }
            std::string name = parent_name;
            if (field.getKey("/T").isString()) {
                name += (name.empty() ? "" : ".") + field.getKey("/T").getUTF8Value();
            }
            if (name == k_completion_field) {
                sealed.field_found = true;
                QPDFObjectHandle v = field.getKey("/V");
                if (v.isDictionary() && (v.getKey("/Type").isNameAndEquals("/Sig") ||
                                         v.getKey("/ByteRange").isArray())) {
                    sealed.signed_field = true;
                    if (v.getKey("/Reason").isString()) {
                        sealed.reason = v.getKey("/Reason").getUTF8Value();
                    }
                    sealed.head = parse_completion_reason(sealed.reason);
                }
                return sealed;
            }
            QPDFObjectHandle kids = field.getKey("/Kids");
            if (kids.isArray()) {
                for (int i = kids.getArrayNItems() - 1; i >= 0; --i) {
                    todo.emplace_back(kids.getArrayItem(i), name);
                }
            }
        }
    } catch (const std::exception& e) {
        throw bad_input("cannot read the PDF \"" + pdf.string() + "\": " + e.what());
    }
    return sealed;
}

TrailCheck check_trail(store::Store& store, const std::string& envelope_id) {
    TrailCheck result;
    EnvelopeRow env;
    std::vector<RevisionRow> revisions;
    std::vector<Event> events;
    store.db().read([&] {
        env = load_envelope_row(store, envelope_id);
        store::Statement q = store.db().prepare(
            "SELECT number, sha256, kind FROM revisions WHERE envelope_seq = ? ORDER BY number");
        q.bind(1, env.seq);
        while (q.step()) {
            revisions.push_back({q.integer(0), q.text(1), q.text(2)});
        }
        events = load_events(store.db(), env.seq);
    });
    result.envelope = env.id;
    result.status = env.status;

    const ChainCheck chain = check_chain(env.seq, events);
    CheckItem chain_item{"chain", chain.intact, chain.problem};
    if (chain.intact) {
        chain_item.detail = std::to_string(chain.events) +
                            " event(s); each hash re-computes from its row and links to the one "
                            "before (head " +
                            short_hash(chain.head) + ")";
    }
    result.checks.push_back(chain_item);
    result.checks.push_back(check_revisions(store, env, revisions));

    const bool completed =
        env.status == "completed" ||
        std::any_of(revisions.begin(), revisions.end(),
                    [](const RevisionRow& r) { return r.kind == "completed"; }) ||
        std::any_of(events.begin(), events.end(),
                    [](const Event& e) { return e.action == "completed"; });
    if (!completed) {
        result.checks.push_back({"seal", true, "not completed: the PDF is not sealed yet"});
        result.checks.push_back(
            {"sealed_head", true, "not completed: no chain head is sealed yet"});
    } else {
        const std::filesystem::path final_pdf = is_sha256_hex(env.current_sha256)
                                                    ? store.document_path(env.current_sha256)
                                                    : std::filesystem::path();
        std::error_code ec;
        if (final_pdf.empty() || !std::filesystem::is_regular_file(final_pdf, ec)) {
            const std::string missing = "the final PDF \"" + final_pdf.string() + "\" is missing";
            result.checks.push_back({"seal", false, missing});
            result.checks.push_back({"sealed_head", false, missing});
        } else {
            result.checks.push_back(check_seal(store, final_pdf));
            result.checks.push_back(check_sealed_head(final_pdf, env, events, chain));
        }
    }
    result.ok = std::all_of(result.checks.begin(), result.checks.end(),
                            [](const CheckItem& c) { return c.ok; });
    return result;
}

}  // namespace signet::audit
