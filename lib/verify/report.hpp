// How verify's findings read: the human report (verdict first, one line per
// file, then one block per signature) and the --json document.
#pragma once

#include "util/json.hpp"
#include "verify/verify.hpp"

#include <string>

namespace signet::verify {

// The text report. `verbose` lists every change after each signature, not
// only the refused ones and a count of the allowed.
std::string render_text(const VerifyReport& report, bool verbose);

// The keys of CLI.md's `verify --json` (without the enclosing object's
// "schema", which the caller writes).
void write_json(util::JsonWriter& w, const VerifyReport& report);

}  // namespace signet::verify
