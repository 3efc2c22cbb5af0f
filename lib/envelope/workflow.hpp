// The envelope workflow: what the subcommands do, as requests in and
// results out. Each call validates everything first, then changes the store
// in one transaction, so bad input leaves the store as it was.
#pragma once

#include "envelope/model.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signet::envelope {

struct CreateRequest {
    std::filesystem::path pdf;
    std::string title;
    std::vector<std::string> party_specs;          // --party, in order
    std::optional<std::filesystem::path> party_file;  // --party-file
    std::optional<std::string> owner;              // defaults to the OS user
    std::optional<std::string> key;                // idempotency key
};

struct CreateResult {
    std::string id;
    bool existed = false;  // --key named an envelope created before
};

CreateResult create_envelope(store::Store& store, const CreateRequest& request);

struct AddFieldRequest {
    std::string envelope_id;
    std::string type;
    std::optional<std::string> role;
    std::string page;  // "3" or "last"
    std::string rect;  // "X,Y,W,H"
    std::string unit = "pt";
    std::optional<std::string> name;
    std::optional<std::string> label;
    std::optional<bool> required;
    std::optional<std::string> value;
};

// Adds a field to a draft envelope; returns it as stored (page resolved,
// rectangle in points, name generated when not given).
Field add_field(store::Store& store, const AddFieldRequest& request);

// Loads one envelope; throws not_found.
Envelope load_envelope(store::Store& store, const std::string& id);

// Generates a short, typeable envelope id: 8 characters from an alphabet
// without look-alikes (no 0/o, 1/l/i).
std::string new_envelope_id();

}  // namespace signet::envelope
