#include "templates/lint.hpp"

#include "signet/error.hpp"
#include "templates/data.hpp"
#include "templates/instantiate.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <map>

namespace signet::templates {
namespace {

// An error from reading or filling data ("rows.csv:7: message" or
// "rows.csv:7:3: message") as a diagnostic at that place.
Diagnostic data_diagnostic(const std::string& file, const std::string& what) {
    Diagnostic d{file, {}, Severity::error, what};
    if (what.compare(0, file.size() + 1, file + ":") != 0) {
        return d;
    }
    std::size_t i = file.size() + 1;
    auto number = [&]() {
        int n = 0;
        const std::size_t start = i;
        while (i < what.size() && what[i] >= '0' && what[i] <= '9' && i - start < 9) {
            n = n * 10 + (what[i] - '0');
            ++i;
        }
        return i > start ? n : 0;
    };
    const std::size_t before = i;
    d.place.line = number();
    if (d.place.line == 0 || i >= what.size() || what[i] != ':') {
        i = before;
        d.place = {};
        d.message = what.substr(file.size() + 2 <= what.size() ? file.size() + 1 : 0);
        d.message = util::trim(d.message);
        return d;
    }
    ++i;
    const std::size_t after_line = i;
    d.place.column = number();
    if (d.place.column == 0 || i >= what.size() || what[i] != ':') {
        d.place.column = 0;
        i = after_line;
    } else {
        ++i;
    }
    d.message = util::trim(what.substr(i));
    return d;
}

bool is_template_name(const std::filesystem::path& p) {
    const std::string ext = util::to_lower_ascii(p.extension().string());
    return ext == ".yaml" || ext == ".yml";
}

}  // namespace

std::vector<std::filesystem::path> template_files(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
        return {path};
    }
    std::vector<std::filesystem::path> files;
    auto it = std::filesystem::recursive_directory_iterator(
        path, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
            if (it->is_directory(ec)) {
                it.disable_recursion_pending();
            }
            continue;
        }
        if (it->is_regular_file(ec) && is_template_name(it->path())) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

LintReport lint(const LintRequest& request) {
    LintReport report;
    std::vector<DataRow> rows;
    bool rows_ok = false;
    std::vector<Diagnostic> data_problems;
    if (request.data) {
        try {
            rows = read_data_file(*request.data);
            rows_ok = true;
            if (rows.empty()) {
                data_problems.push_back(
                    Diagnostic{request.data->string(), {}, Severity::error, "the file has no rows"});
            }
        } catch (const Error& e) {
            data_problems.push_back(data_diagnostic(request.data->string(), e.what()));
        }
    }
    for (const std::filesystem::path& path : request.paths) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            report.diagnostics.push_back(
                Diagnostic{path.string(), {}, Severity::error, "no such file or directory"});
            continue;
        }
        const std::vector<std::filesystem::path> files = template_files(path);
        if (files.empty()) {
            report.diagnostics.push_back(
                Diagnostic{path.string(), {}, Severity::warning, "no *.yaml or *.yml templates here"});
        }
        for (const std::filesystem::path& file : files) {
            report.files.push_back(file);
            LoadResult loaded = load_template(file);
            for (Diagnostic& d : loaded.diagnostics) {
                report.diagnostics.push_back(std::move(d));
            }
            if (!rows_ok || !loaded.tmpl || loaded.has_errors()) {
                continue;
            }
            const Template& t = *loaded.tmpl;
            std::map<std::string, int> keys;
            for (const DataRow& row : rows) {
                const auto missing = missing_placeholders(t, row);
                for (const auto& [key, place] : missing) {
                    report.diagnostics.push_back(Diagnostic{
                        row.file, {row.line, 0}, Severity::error,
                        "row " + std::to_string(row.number) + " has no value for {{" + key + "}} (used at " +
                            file.string() + ":" + std::to_string(place.line) + ":" +
                            std::to_string(place.column) + ")"});
                }
                if (!missing.empty()) {
                    continue;
                }
                try {
                    const RenderedEnvelope r = render_row(t, row, request.phone_region);
                    if (r.key) {
                        const auto [it, fresh] = keys.emplace(*r.key, row.line);
                        if (!fresh) {
                            report.diagnostics.push_back(Diagnostic{
                                row.file, {row.line, 0}, Severity::error,
                                "the key \"" + r.key->substr(t.name.size() + 1) + "\" is also the key of line " +
                                    std::to_string(it->second) + ": a bulk send would skip this row"});
                        }
                    }
                } catch (const Error& e) {
                    report.diagnostics.push_back(data_diagnostic(row.file, e.what()));
                }
            }
        }
    }
    for (Diagnostic& d : data_problems) {
        report.diagnostics.push_back(std::move(d));
    }
    for (const Diagnostic& d : report.diagnostics) {
        (d.severity == Severity::error ? report.errors : report.warnings) += 1;
    }
    return report;
}

}  // namespace signet::templates
