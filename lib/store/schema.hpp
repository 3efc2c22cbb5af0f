// The store's schema as a list of migrations. Migration i (0-based) brings
// the schema from version i to version i + 1. Append only: a released
// migration is never edited, so a store made by an older build is upgraded
// step by step.
#pragma once

#include <string>
#include <vector>

namespace signet::store {

class Database;

const std::vector<std::string>& schema_migrations();

// Applies the migrations the database lacks, each in its own write
// transaction. Throws bad_input when the database is newer than the list
// (made by a newer signet): it is never silently used or downgraded.
void apply_migrations(Database& db, const std::vector<std::string>& migrations,
                      const std::string& name);

}  // namespace signet::store
