// Envelopes from templates and from other envelopes: `create --template`,
// `create --like`, and the rendering that `send --bulk` shares.
#pragma once

#include "envelope/model.hpp"
#include "envelope/workflow.hpp"
#include "store/store.hpp"
#include "templates/data.hpp"
#include "templates/template.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signet::templates {

// A template filled from one row: the envelope's title, parties (in the
// template's order) and fields (values filled and checked, pages resolved,
// rectangles in points) and its own expiry (expires_in), ready to insert;
// document fields set from the template's PDF.
struct RenderedEnvelope {
    envelope::Envelope envelope;
    std::optional<std::string> key;  // the idempotency key: "NAME:KEY"
};

// Fills the template from the row. Throws bad_input starting with the
// row's place ("rows.csv:7: ..."): a placeholder without a value (naming
// it and where the template uses it), a value that does not fit its field
// or party (an e-mail address, a phone number, a number field).
RenderedEnvelope render_row(const Template& t, const DataRow& row, const std::string& phone_region);

// The keys of `t`'s placeholders the row has no value for, each with where
// the template uses it.
std::vector<std::pair<std::string, Place>> missing_placeholders(const Template& t, const DataRow& row);

struct TemplateCreateRequest {
    std::filesystem::path template_file;
    std::filesystem::path data_file;
    std::optional<int> row;  // 1-based; needed when the file has several rows
    std::optional<std::string> owner;
};

// create --template FILE --data FILE [--row N]: a draft from the template
// and one row. The row's key (the template's `key`) makes a retried create
// return the envelope made before.
envelope::CreateResult create_from_template(store::Store& store, const TemplateCreateRequest& request);

struct LikeRequest {
    std::string envelope_id;
    std::optional<std::filesystem::path> pdf;  // a new document with the same page count
    std::vector<std::string> party_specs;     // new details by role
    std::optional<std::string> title;
    std::optional<std::string> owner;
    std::optional<std::string> key;
};

// create --like ENVELOPE [PDF] [--party SPEC]...: a new draft with the same
// parties, fields (fields a party fills come empty; values the sender fixed
// are kept) and own expiry, optionally another document and new party
// details. A
// --party SPEC names an existing role; keys it gives replace the party's,
// and an email or phone in it replaces both contacts.
envelope::CreateResult create_like(store::Store& store, const LikeRequest& request);

// Inserts a new draft envelope (id chosen here) with its parties and
// fields and its "created" audit event, inside the caller's write
// transaction. The document must be in the store (Store::put_document).
void insert_draft(store::Store& store, envelope::Envelope& e, const std::optional<std::string>& key,
                  const pdf::DocumentInfo& info, std::size_t document_size, const std::string& details_json);

}  // namespace signet::templates
