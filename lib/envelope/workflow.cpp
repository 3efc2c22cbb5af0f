#include "envelope/workflow.hpp"

#include "audit/audit.hpp"
#include "delivery/outbox.hpp"
#include "envelope/field.hpp"
#include "envelope/party.hpp"
#include "envelope/repository.hpp"
#include "pdf/document_info.hpp"
#include "signet/error.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/json.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace signet::envelope {
namespace {

constexpr std::size_t k_max_title_bytes = 500;


std::vector<Party> collect_parties(const CreateRequest& request, const std::string& region) {
    std::vector<Party> parties;
    for (std::size_t i = 0; i < request.party_specs.size(); ++i) {
        parties.push_back(parse_party_spec(request.party_specs[i], region,
                                           "--party " + std::to_string(i + 1)));
    }
    if (request.party_file) {
        for (Party& p : read_party_file(*request.party_file, region)) {
            parties.push_back(std::move(p));
        }
    }
    check_parties(parties);
    return parties;
}

std::string generated_field_name(const Envelope& e, FieldType type,
                                 const std::optional<std::string>& role) {
    const std::string base = (role ? *role + "_" : std::string()) + std::string(to_string(type));
    if (e.find_field(base) == nullptr) {
        return base;
    }
    for (int n = 2;; ++n) {
        const std::string name = base + "_" + std::to_string(n);
        if (e.find_field(name) == nullptr) {
            return name;
        }
    }
}

}  // namespace

std::string new_envelope_id() {
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    constexpr std::size_t n = sizeof alphabet - 1;
    const std::string random = util::random_bytes(8);
    std::string id;
    for (const char c : random) {
        // 256 % 31 skews the first characters by under 0.4%: fine for ids.
        id += alphabet[static_cast<unsigned char>(c) % n];
    }
    return id;
}

CreateResult create_envelope(store::Store& store, const CreateRequest& request) {
    // Everything is checked before anything is written.
    util::require_clean_line(request.title, "--title");
    if (request.title.size() > k_max_title_bytes) {
        throw bad_input("--title is too long (at most " + std::to_string(k_max_title_bytes) +
                        " bytes)");
    }
    const std::string owner = request.owner ? util::trim(*request.owner) : util::current_user();
    util::require_clean_line(owner, "--owner");
    if (request.key) {
        util::require_clean_line(*request.key, "--key");
        EnvelopeRepository repo(store.db());
        if (auto existing = repo.find_id_by_key(*request.key)) {
            return CreateResult{*existing, true};
        }
    }
    std::vector<Party> parties = collect_parties(request, store.config().phone_region);
    const std::string bytes = util::read_file(request.pdf);
    const pdf::DocumentInfo info = pdf::read_document_info(bytes, request.pdf.string());

    const util::UnixTime now = util::now();
    const std::string sha = store.put_document(bytes);
    Envelope e;
    e.title = request.title;
    e.owner = owner;
    e.created_at = now;
    e.waiting_since = now;
    e.document = DocumentRef{sha, sha, static_cast<int>(info.pages.size()), 1};
    e.parties = std::move(parties);

    CreateResult result;
    store.db().write([&] {
        EnvelopeRepository repo(store.db());
        if (request.key) {
            // Re-checked under the lock: a concurrent retry may have won.
            if (auto existing = repo.find_id_by_key(*request.key)) {
                result = CreateResult{*existing, true};
                return;
            }
        }
        repo.put_document(sha, bytes.size(), info, now);
        do {
            e.id = new_envelope_id();
        } while (repo.id_exists(e.id));
        repo.insert(e, request.key);
        audit::append_event(store.db(), e.seq, audit::current_actor(), now,
                            {"created", util::json_object([&](util::JsonWriter& w) {
                                 w.field("title", e.title);
                                 w.field("owner", e.owner);
                                 w.field("file", request.pdf.filename().string());
                                 w.field("parties", static_cast<int>(e.parties.size()));
                             }),
                             std::nullopt, sha});
        result = CreateResult{e.id, false};
    });
    return result;
}

Envelope load_envelope(store::Store& store, const std::string& id) {
    EnvelopeRepository repo(store.db());
    Envelope e = repo.load(id);
    e.undelivered = delivery::pending_for_envelope(store.db(), e.seq);
    return e;
}

Field add_field(store::Store& store, const AddFieldRequest& request) {
    const auto type = parse_field_type(request.type);
    if (!type) {
        throw bad_input("unknown field type " + util::quoted(request.type),
                        {"types: " + field_type_names()});
    }
    const auto unit = parse_unit(request.unit);
    if (!unit) {
        throw bad_input("--unit must be pt or mm, not " + util::quoted(request.unit));
    }
    Field field;
    store.db().write([&] {
        EnvelopeRepository repo(store.db());
        const Envelope e = repo.load(request.envelope_id);
        if (e.status != EnvelopeStatus::draft) {
            throw not_allowed("envelope " + e.id + " is " + std::string(to_string(e.status)) +
                                  ": fields can be added only to a draft",
                              {"make a new draft with the same fields: signet create --like " +
                               e.id});
        }
        field.type = *type;
        if (request.role) {
            if (e.find_party(*request.role) == nullptr) {
                std::string roles;
                for (const Party& p : e.parties) {
                    roles += (roles.empty() ? "" : ", ") + p.role;
                }
                throw bad_input("--role: \"" + *request.role + "\" is not a party of envelope " +
                                    e.id,
                                {"parties: " + roles});
            }
            field.role = *request.role;
        } else if (is_signing_type(*type)) {
            throw bad_input("--role is missing: a " + std::string(to_string(*type)) +
                            " field is filled by the party that signs");
        } else if (!request.value) {
            throw bad_input("--role is missing: say which party fills the field",
                            {"a field without a role needs --value (text fixed by the sender)"});
        }
        if (request.value) {
            field.value = check_field_value(*type, *request.value, "--value");
            field.filled = true;
        }
        field.page = resolve_page(request.page, e.document.pages, "--page");
        field.rect = parse_rect(request.rect, *unit, "--rect");
        const std::vector<pdf::PageInfo> pages = repo.document_pages(e.document.sha256);
        const pdf::DisplayedPage page = pages.at(static_cast<std::size_t>(field.page - 1)).displayed();
        if (!page.contains(field.rect)) {
            char size[64];
            std::snprintf(size, sizeof size, "%.2f x %.2f pt", page.width(), page.height());
            throw bad_input("--rect: the rectangle lies outside page " + std::to_string(field.page) +
                                " (" + size + " as displayed)",
                            {"measure from the bottom-left corner of the page as shown, after "
                             "rotation; --unit mm takes millimetres"});
        }
        if (request.name) {
            check_field_name(*request.name, "--name");
            if (e.find_field(*request.name) != nullptr) {
                throw bad_input("--name: envelope " + e.id + " already has a field \"" +
                                *request.name + "\"");
            }
            field.name = *request.name;
        } else {
            field.name = generated_field_name(e, *type, field.role);
        }
        if (request.label) {
            util::require_clean_line(*request.label, "--label");
            field.label = util::trim(*request.label);
        }
        field.required = request.required.value_or(default_required(*type));

        const util::UnixTime now = util::now();
        repo.insert_field(e.seq, static_cast<int>(e.fields.size()) + 1, field);
        repo.touch(e.seq, now);
        audit::append_event(store.db(), e.seq, audit::current_actor(), now,
                            {"field_added", util::json_object([&](util::JsonWriter& w) {
                                 w.field("name", field.name);
                                 w.field("type", to_string(field.type));
                                 w.key("role").value_or_null(field.role);
                                 w.field("page", field.page);
                             }),
                             std::nullopt, std::nullopt});
    });
    return field;
}

}  // namespace signet::envelope
