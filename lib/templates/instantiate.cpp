#include "templates/instantiate.hpp"

#include "audit/audit.hpp"
#include "envelope/field.hpp"
#include "envelope/party.hpp"
#include "envelope/repository.hpp"
#include "signet/error.hpp"
#include "templates/placeholder.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

#include <cmath>
#include <set>

namespace signet::templates {
namespace {

constexpr std::size_t k_max_title_bytes = 500;

std::string place_text(const Template& t, Place p) {
    return t.file.string() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string owner_or_user(const std::optional<std::string>& owner) {
    const std::string o = owner ? util::trim(*owner) : util::current_user();
    util::require_clean_line(o, "--owner");
    return o;
}

}  // namespace

std::vector<std::pair<std::string, Place>> missing_placeholders(const Template& t, const DataRow& row) {
    std::vector<std::pair<std::string, Place>> missing;
    for (const auto& [key, place] : template_placeholders(t)) {
        if (row.values.count(key) == 0) {
            missing.emplace_back(key, place);
        }
    }
    return missing;
}

RenderedEnvelope render_row(const Template& t, const DataRow& row, const std::string& phone_region) {
    const std::string at = row.where();
    auto fill = [&](const Text& text) {
        return render_placeholders(
            text.value, [&](const std::string& key) { return row.get(key); },
            [&](const std::string& key) {
                return at + ": no value for {{" + key + "}} (used at " + place_text(t, text.place) + ")";
            });
    };
    RenderedEnvelope out;
    envelope::Envelope& e = out.envelope;
    e.title = util::trim(fill(t.title));
    util::require_clean_line(e.title, at + ": title");
    if (e.title.size() > k_max_title_bytes) {
        throw bad_input(at + ": the title is too long (at most " + std::to_string(k_max_title_bytes) +
                        " bytes)");
    }
    if (t.key) {
        const std::string key = util::trim(fill(*t.key));
        if (key.empty()) {
            throw bad_input(at + ": the key is empty (" + place_text(t, t.key->place) + ")");
        }
        util::require_clean_line(key, at + ": key");
        out.key = t.name + ":" + key;
    }
    for (const TemplateParty& p : t.parties) {
        envelope::KeyValues keys;
        const std::string where = at + ": party \"" + p.role + "\"";
        for (const auto& [name, text] : p.keys) {
            std::string value = fill(text);
            if ((name == "email" || name == "phone") && util::trim(value).empty()) {
                continue;  // an empty cell: the party has no such contact
            }
            keys.push_back(envelope::KeyValue{name, std::move(value), where});
        }
        e.parties.push_back(envelope::party_from_keys(keys, phone_region, where));
    }
    envelope::check_parties(e.parties);

    const int pages = static_cast<int>(t.document_info.pages.size());
    for (const TemplateField& tf : t.fields) {
        const std::string where = at + ": field \"" + tf.name + "\"";
        envelope::Field f;
        f.name = tf.name;
        f.type = tf.type;
        f.role = tf.role;
        f.page = envelope::resolve_page(tf.page, pages, where + ": page");
        const double scale = tf.mm ? pdf::k_points_per_mm : 1.0;
        auto pt = [&](double v) { return std::round(v * scale * 100.0) / 100.0; };
        f.rect = pdf::Box{pt(tf.rect[0]), pt(tf.rect[1]), pt(tf.rect[2]), pt(tf.rect[3])};
        f.required = tf.required.value_or(envelope::default_required(tf.type));
        if (tf.label) {
            const std::string label = util::trim(fill(*tf.label));
            if (!label.empty()) {
                util::require_clean_line(label, where + ": label");
                f.label = label;
            }
        }
        if (tf.value) {
            const std::string value = fill(*tf.value);
            if (util::trim(value).empty()) {
                throw bad_input(where + ": the value is empty");
            }
            f.value = envelope::check_field_value(tf.type, value, where);
            f.filled = true;
        }
        e.fields.push_back(std::move(f));
    }
    e.document = envelope::DocumentRef{t.document_sha256, t.document_sha256, pages, 1};
    e.expires_in = t.expires_in;
    e.timezone = t.timezone;
    e.date_format = t.date_format;
    e.locale = t.locale;
    return out;
}

void insert_draft(store::Store& store, envelope::Envelope& e, const std::optional<std::string>& key,
                  const pdf::DocumentInfo& info, std::size_t document_size, const std::string& details_json) {
    envelope::EnvelopeRepository repo(store.db());
    repo.put_document(e.document.sha256, document_size, info, e.created_at);
    do {
        e.id = envelope::new_envelope_id();
    } while (repo.id_exists(e.id));
    repo.insert(e, key);
    audit::append_event(store.db(), e.seq, audit::current_actor(), e.created_at,
                        {"created", details_json, std::nullopt, e.document.sha256});
}

envelope::CreateResult create_from_template(store::Store& store, const TemplateCreateRequest& request) {
    const Template t = require_template(request.template_file);
    const std::vector<DataRow> rows = read_data_file(request.data_file);
    if (rows.empty()) {
        throw bad_input("\"" + request.data_file.string() + "\" has no rows");
    }
    std::size_t index = 0;
    if (request.row) {
        if (*request.row < 1 || static_cast<std::size_t>(*request.row) > rows.size()) {
            throw bad_input("--row " + std::to_string(*request.row) + ": \"" + request.data_file.string() +
                            "\" has " + std::to_string(rows.size()) +
                            (rows.size() == 1 ? " row" : " rows"));
        }
        index = static_cast<std::size_t>(*request.row - 1);
    } else if (rows.size() > 1) {
        throw bad_input("\"" + request.data_file.string() + "\" has " + std::to_string(rows.size()) +
                            " rows: say which with --row N",
                        {"to send one envelope per row: signet send --template " +
                         request.template_file.string() + " --bulk " + request.data_file.string()});
    }
    const DataRow& row = rows[index];
    RenderedEnvelope rendered = render_row(t, row, store.config().phone_region);
    envelope::Envelope& e = rendered.envelope;
    e.owner = owner_or_user(request.owner);
    if (rendered.key) {
        envelope::EnvelopeRepository repo(store.db());
        if (auto existing = repo.find_id_by_key(*rendered.key)) {
            return envelope::CreateResult{*existing, true};
        }
    }
    const std::string bytes = util::read_file(t.document);
    if (store.put_document(bytes) != t.document_sha256) {
        throw bad_input("\"" + t.document.string() + "\" changed while it was read; try again");
    }
    e.created_at = util::now();
    e.waiting_since = e.created_at;
    const std::string details = util::json_object([&](util::JsonWriter& w) {
        w.field("title", e.title);
        w.field("owner", e.owner);
        w.field("file", t.document.filename().string());
        w.field("parties", static_cast<int>(e.parties.size()));
        w.field("fields", static_cast<int>(e.fields.size()));
        w.field("template", t.name);
        w.field("row", row.where());
    });
    envelope::CreateResult result;
    store.db().write([&] {
        if (rendered.key) {
            envelope::EnvelopeRepository repo(store.db());
            if (auto existing = repo.find_id_by_key(*rendered.key)) {
                result = envelope::CreateResult{*existing, true};
                return;
            }
        }
        insert_draft(store, e, rendered.key, t.document_info, bytes.size(), details);
        result = envelope::CreateResult{e.id, false};
    });
    return result;
}

envelope::CreateResult create_like(store::Store& store, const LikeRequest& request) {
    envelope::EnvelopeRepository reader(store.db());
    const envelope::Envelope source = reader.load(request.envelope_id);
    const std::string owner = owner_or_user(request.owner);
    std::string title = source.title;
    if (request.title) {
        title = util::trim(*request.title);
        util::require_clean_line(title, "--title");
        if (title.size() > k_max_title_bytes) {
            throw bad_input("--title is too long (at most " + std::to_string(k_max_title_bytes) + " bytes)");
        }
    }
    if (request.key) {
        util::require_clean_line(*request.key, "--key");
        if (auto existing = reader.find_id_by_key(*request.key)) {
            return envelope::CreateResult{*existing, true};
        }
    }

    // The document: the source's original, or a new one that fits its fields.
    std::string bytes;
    pdf::DocumentInfo info;
    std::string file_name;
    if (request.pdf) {
        bytes = util::read_file(*request.pdf);
        info = pdf::read_document_info(bytes, request.pdf->string());
        file_name = request.pdf->filename().string();
        const int pages = static_cast<int>(info.pages.size());
        if (pages != source.document.pages) {
            throw bad_input("\"" + request.pdf->string() + "\" has " + std::to_string(pages) +
                                (pages == 1 ? " page" : " pages") + ", envelope " + source.id + "'s document " +
                                std::to_string(source.document.pages) +
                                ": its fields are placed on those pages",
                            {"give a PDF with " + std::to_string(source.document.pages) +
                             " pages, or make a new envelope: signet create PDF --title ..."});
        }
        for (const envelope::Field& f : source.fields) {
            const pdf::DisplayedPage page = info.pages.at(static_cast<std::size_t>(f.page - 1)).displayed();
            if (!page.contains(f.rect)) {
                throw bad_input("\"" + request.pdf->string() + "\": field \"" + f.name +
                                "\" would lie outside page " + std::to_string(f.page) +
                                " of the new document");
            }
        }
    } else {
        bytes = util::read_file(store.document_path(source.document.sha256));
        info.pages = reader.document_pages(source.document.sha256);
        file_name = source.document.sha256.substr(0, 12) + ".pdf";
    }

    envelope::Envelope e;
    e.title = title;
    e.owner = owner;
    e.expires_in = source.expires_in;
    e.timezone = source.timezone;
    e.date_format = source.date_format;
    e.locale = source.locale;
    e.parties = source.parties;
    for (envelope::Party& p : e.parties) {
        p.status = envelope::PartyStatus::waiting;
    }
    const std::string& region = store.config().phone_region;
    std::set<std::string> replaced;
    for (std::size_t i = 0; i < request.party_specs.size(); ++i) {
        const std::string where = "--party " + std::to_string(i + 1);
        const envelope::KeyValues spec = envelope::split_spec(request.party_specs[i], where);
        std::string role;
        bool contact = false;
        bool auth = false;
        for (const auto& kv : spec) {
            role = kv.key == "role" ? util::trim(kv.value) : role;
            contact = contact || kv.key == "email" || kv.key == "phone";
            auth = auth || kv.key == "auth";
        }
        auto it = std::find_if(e.parties.begin(), e.parties.end(),
                               [&](const envelope::Party& p) { return p.role == role; });
        if (role.empty() || it == e.parties.end()) {
            std::string roles;
            for (const envelope::Party& p : source.parties) {
                roles += (roles.empty() ? "" : ", ") + p.role;
            }
            throw bad_input(where + (role.empty() ? ": role is missing: say whose details these are"
                                                  : ": \"" + role + "\" is not a party of envelope " + source.id),
                            {"parties: " + roles});
        }
        if (!replaced.insert(role).second) {
            throw bad_input(where + ": the party \"" + role + "\" is given twice");
        }
        const envelope::Party& old = *it;
        envelope::KeyValues merged = {
            {"role", old.role, where},
            {"name", old.name, where},
            {"order", std::to_string(old.order), where},
            {"kind", std::string(envelope::to_string(old.kind)), where},
            {"stamp", std::string(envelope::to_string(old.stamp)), where},
            {"action", std::string(envelope::to_string(old.action)), where},
        };
        if (!contact) {
            if (old.email) {
                merged.push_back({"email", *old.email, where});
            }
            if (old.phone) {
                merged.push_back({"phone", *old.phone, where});
            }
            if (!auth) {
                merged.push_back({"auth", std::string(envelope::to_string(old.auth)), where});
            }
        }
        for (const auto& kv : spec) {
            auto same = std::find_if(merged.begin(), merged.end(),
                                     [&](const envelope::KeyValue& m) { return m.key == kv.key; });
            if (same != merged.end()) {
                *same = kv;
            } else {
                merged.push_back(kv);
            }
        }
        *it = envelope::party_from_keys(merged, region, where);
    }
    envelope::check_parties(e.parties);

    for (const envelope::Field& f : source.fields) {
        envelope::Field copy = f;
        if (copy.role) {
            copy.value.reset();
            copy.filled = false;
        }
        e.fields.push_back(std::move(copy));
    }

    const std::string sha = store.put_document(bytes);
    e.document = envelope::DocumentRef{sha, sha, static_cast<int>(info.pages.size()), 1};
    e.created_at = util::now();
    e.waiting_since = e.created_at;
    const std::string details = util::json_object([&](util::JsonWriter& w) {
        w.field("title", e.title);
        w.field("owner", e.owner);
        w.field("file", file_name);
        w.field("parties", static_cast<int>(e.parties.size()));
        w.field("fields", static_cast<int>(e.fields.size()));
        w.field("like", source.id);
    });
    envelope::CreateResult result;
    store.db().write([&] {
        if (request.key) {
            envelope::EnvelopeRepository repo(store.db());
            if (auto existing = repo.find_id_by_key(*request.key)) {
                result = envelope::CreateResult{*existing, true};
                return;
            }
        }
        insert_draft(store, e, request.key, info, bytes.size(), details);
        result = envelope::CreateResult{e.id, false};
    });
    return result;
}

}  // namespace signet::templates
