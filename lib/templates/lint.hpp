// signet template lint: every template under the paths given, checked as
// load_template checks one, and with data rows, every row filled.
#pragma once

#include "templates/template.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signet::templates {

struct LintRequest {
    std::vector<std::filesystem::path> paths;  // files, or directories searched for *.yaml / *.yml
    std::optional<std::filesystem::path> data;  // --data: rows every template must be filled from
    std::string phone_region;                   // for national phone numbers in the rows
};

struct LintReport {
    std::vector<std::filesystem::path> files;  // the templates checked, in order
    std::vector<Diagnostic> diagnostics;       // file by file, in file order
    int errors = 0;
    int warnings = 0;
};

// Lints the templates. Problems are diagnostics, never exceptions: a path
// that does not exist, a directory without templates, an unreadable data
// file each become an error in the report.
LintReport lint(const LintRequest& request);

// The templates under a path: the file itself, or *.yaml and *.yml below a
// directory (recursively, sorted, hidden directories skipped).
std::vector<std::filesystem::path> template_files(const std::filesystem::path& path);

}  // namespace signet::templates
