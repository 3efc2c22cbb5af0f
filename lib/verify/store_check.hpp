// verify --check-store: a PDF's revisions against the hashes its envelope's
// audit trail recorded, and the trail's hash chain.
#pragma once

#include "verify/verify.hpp"

#include <filesystem>
#include <optional>

namespace signet::verify {

// Never throws for a PDF the store does not know: `known` is false then.
// Without a store (`store_dir` empty or no database there) the check says so.
StoreCheck check_against_store(const std::filesystem::path& pdf,
                               const std::optional<std::filesystem::path>& store_dir);

}  // namespace signet::verify
