#include "view/status_view.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace signet::view {
namespace {

using envelope::Envelope;
using envelope::EnvelopeStatus;

const char* const k_bold = "\033[1m";
const char* const k_dim = "\033[2m";
const char* const k_yellow = "\033[33m";
const char* const k_red = "\033[31m";
const char* const k_green = "\033[32m";
const char* const k_reset = "\033[0m";

std::string paint(const Style& style, const char* code, const std::string& text) {
    return style.colour && code != nullptr ? code + text + k_reset : text;
}

std::string status_colour(EnvelopeStatus s) {
    switch (s) {
    case EnvelopeStatus::completed: return k_green;
    case EnvelopeStatus::declined:
    case EnvelopeStatus::voided:
    case EnvelopeStatus::expired: return k_red;
    case EnvelopeStatus::sent:
    case EnvelopeStatus::in_progress: return k_yellow;
    default: return k_dim;
    }
}

// Long waits stand out: yellow after 3 days, red after 7.
const char* age_colour(std::int64_t seconds) {
    if (seconds >= 7 * 86400) {
        return k_red;
    }
    return seconds >= 3 * 86400 ? k_yellow : k_dim;
}

// Columns sized to their widest cell (by display width), left-aligned.
class Table {
public:
    explicit Table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }

    std::string render(const Style& style, std::size_t indent) const {
        std::vector<std::size_t> widths(m_rows.front().size(), 0);
        for (const auto& row : m_rows) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                widths[i] = std::max(widths[i], util::display_width(row[i]));
            }
        }
        std::string out;
        for (std::size_t r = 0; r < m_rows.size(); ++r) {
            std::string line(indent, ' ');
            for (std::size_t i = 0; i < m_rows[r].size(); ++i) {
                const bool last = i + 1 == m_rows[r].size();
                line += last ? m_rows[r][i] : util::pad_to_width(m_rows[r][i], widths[i] + 2);
            }
            while (!line.empty() && line.back() == ' ') {
                line.pop_back();
            }
            out += (r == 0 ? paint(style, k_bold, line) : line) + "\n";
        }
        return out;
    }

private:
    std::vector<std::vector<std::string>> m_rows;
};

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string contact_of(const envelope::Party& p) {
    std::string out = p.email.value_or("");
    if (p.phone) {
        out += (out.empty() ? "" : ", ") + *p.phone;
    }
    return out;
}

std::string waiting_text(const Envelope& e) {
    if (e.status == EnvelopeStatus::draft) {
        return "sender (draft)";
    }
    if (envelope::is_final(e.status) || e.waiting_for.empty()) {
        return "-";
    }
    return e.waiting_for;
}

}  // namespace

std::string human_time(util::UnixTime t) { return util::format_utc(t, "%Y-%m-%d %H:%M UTC"); }

std::string render_detail(const Envelope& e, const Style& style) {
    std::string out;
    out += paint(style, k_bold, "Envelope " + e.id) + "  " +
           paint(style, status_colour(e.status).c_str(), std::string(to_string(e.status))) + "\n";
    Table info({"", ""});
    info.add({"Title", e.title});
    info.add({"Owner", e.owner});
    info.add({"Created", human_time(e.created_at)});
    if (e.expires_at) {
        info.add({"Expires", human_time(*e.expires_at)});
    } else if (e.expires_in) {
        info.add({"Expires", envelope::to_string(*e.expires_in) + " after it is sent"});
    }
    if (!envelope::is_final(e.status)) {
        info.add({"Waiting for", waiting_text(e) + " since " + human_time(e.waiting_since) + " (" +
                                     util::short_duration(style.now - e.waiting_since) + ")"});
    }
    info.add({"Document", std::to_string(e.document.pages) +
                              (e.document.pages == 1 ? " page, " : " pages, ") +
                              std::to_string(e.document.revisions) +
                              (e.document.revisions == 1 ? " revision" : " revisions")});
    info.add({"SHA-256", e.document.sha256});
    if (e.document.current_sha256 != e.document.sha256) {
        info.add({"Current", e.document.current_sha256});
    }
    // The first row of a Table is its header; this one has none to show.
    std::string info_text = info.render(Style{false, style.width, style.now}, 2);
    out += info_text.substr(info_text.find('\n') + 1);

    out += "\n" + paint(style, k_bold, "Parties") + "\n";
    Table parties({"ORDER", "ROLE", "NAME", "CONTACT", "KIND", "ACTION", "AUTH", "STAMP", "STATUS"});
    for (const auto& p : e.parties) {
        parties.add({std::to_string(p.order), p.role, p.name, contact_of(p),
                     std::string(to_string(p.kind)), std::string(to_string(p.action)),
                     std::string(to_string(p.auth)), std::string(to_string(p.stamp)),
                     std::string(to_string(p.status))});
    }
    out += parties.render(style, 2);

    out += "\n" + paint(style, k_bold, "Fields") + "\n";
    if (e.fields.empty()) {
        out += "  (none yet: add them with signet add-field " + e.id + " ...)\n";
    } else {
        Table fields({"NAME", "TYPE", "ROLE", "PAGE", "RECT (pt)", "REQUIRED", "FILLED"});
        for (const auto& f : e.fields) {
            fields.add({f.name, std::string(to_string(f.type)), f.role.value_or("-"),
                        std::to_string(f.page),
                        number(f.rect.x) + "," + number(f.rect.y) + "," + number(f.rect.width) +
                            "," + number(f.rect.height),
                        f.required ? "yes" : "no", f.filled ? "yes" : "no"});
        }
        out += fields.render(style, 2);
    }
    if (!e.undelivered.empty()) {
        out += "\n" + paint(style, k_bold, "Undelivered messages") + "\n";
        for (const auto& m : e.undelivered) {
            out += "  " + m.message_id + "  " + m.channel + " to " + m.to + ", " +
                   std::to_string(m.attempts) + " attempts" +
                   (m.last_error ? ": " + *m.last_error : std::string()) + "\n";
        }
    }
    return out;
}

namespace {
// ID, STATUS, WAITING FOR, AGE, OWNER; the title takes the rest.
constexpr std::size_t k_id_w = 10;
constexpr std::size_t k_status_w = 13;
constexpr std::size_t k_waiting_w = 16;
constexpr std::size_t k_age_w = 6;
constexpr std::size_t k_owner_w = 12;

std::size_t title_width(const Style& style) {
    const std::size_t used = k_id_w + k_status_w + k_waiting_w + k_age_w + k_owner_w;
    return style.width > used + 10 ? style.width - used - 1 : 10;
}
}  // namespace

std::string render_list_header(const Style& style) {
    const std::string line = util::pad_to_width("ID", k_id_w) +
                             util::pad_to_width("STATUS", k_status_w) +
                             util::pad_to_width("WAITING FOR", k_waiting_w) +
                             util::pad_to_width("AGE", k_age_w) +
                             util::pad_to_width("OWNER", k_owner_w) + "TITLE";
    return paint(style, k_bold, line) + "\n";
}

std::string render_list_row(const Envelope& e, const Style& style) {
    const std::int64_t age = style.now - e.waiting_since;
    const std::string status = util::pad_to_width(std::string(to_string(e.status)), k_status_w);
    const std::string age_text =
        util::pad_to_width(envelope::is_final(e.status) ? "-" : util::short_duration(age), k_age_w);
    return util::pad_to_width(e.id, k_id_w) + paint(style, status_colour(e.status).c_str(), status) +
           util::pad_to_width(waiting_text(e), k_waiting_w) +
           (envelope::is_final(e.status) ? age_text : paint(style, age_colour(age), age_text)) +
           util::pad_to_width(e.owner, k_owner_w) +
           util::truncate_to_width(e.title, title_width(style)) + "\n";
}

std::string render_board(std::vector<envelope::BoardColumn> columns, const Style& style) {
    constexpr std::size_t k_min_column = 14;
    constexpr std::size_t k_gap = 2;
    const std::size_t width = std::max<std::size_t>(style.width, k_min_column);
    const std::size_t max_columns = std::max<std::size_t>(1, (width + k_gap) / (k_min_column + k_gap));
    // Too many waiting columns for the width: fold the smallest into one.
    while (columns.size() > max_columns) {
        std::vector<std::size_t> waiting;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (columns[i].title.rfind("waiting", 0) == 0) {
                waiting.push_back(i);
            }
        }
        if (waiting.size() < 2) {
            break;
        }
        std::sort(waiting.begin(), waiting.end(),
                  [&](std::size_t a, std::size_t b) { return columns[a].count < columns[b].count; });
        envelope::BoardColumn& into = columns[waiting[1]];
        envelope::BoardColumn& from = columns[waiting[0]];
        const std::size_t keep = std::max(into.top.size(), from.top.size());
        into.count += from.count;
        into.top.insert(into.top.end(), from.top.begin(), from.top.end());
        std::stable_sort(into.top.begin(), into.top.end(), [](const Envelope& a, const Envelope& b) {
            return a.waiting_since < b.waiting_since;
        });
        into.top.resize(std::min(into.top.size(), keep));
        into.title = "waiting: other";
        columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(waiting[0]));
    }
    const std::size_t n = std::max<std::size_t>(1, std::min(columns.size(), max_columns));
    const std::size_t column_width = (width - (n - 1) * k_gap) / n;

    std::string out;
    auto emit_line = [&](const std::vector<std::string>& cells, const char* code) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const bool last = i + 1 == cells.size();
            const std::string cell = util::pad_to_width(cells[i], column_width);
            line += paint(style, code, cell) + (last ? "" : std::string(k_gap, ' '));
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    };
    // "WAITING: CLIENT", or "WAIT: CLIENT" when that is what fits.
    auto fit_waiting = [&](std::string title, std::size_t room) {
        const std::string waiting = "WAITING: ";
        if (util::display_width(title) > room && title.rfind(waiting, 0) == 0) {
            title = "WAIT: " + title.substr(waiting.size());
        }
        return title;
    };
    // One band of columns side by side.
    auto emit_band = [&](std::size_t first, std::size_t end) {
        std::vector<std::string> titles;
        std::vector<std::string> counts;
        std::vector<std::string> headers;
        std::vector<std::string> rules;
        std::set<std::string> shown;  // the titles as cut to fit beside their counts
        bool lost_role = false;       // a waiting column no longer says whose turn it is
        std::size_t rows = 0;
        for (std::size_t i = first; i < end; ++i) {
            const envelope::BoardColumn& c = columns[i];
            rows = std::max(rows, c.top.size());
            std::string title = c.title;
            for (char& ch : title) {
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            }
            counts.push_back(std::to_string(c.count));
            const std::string count = " " + counts.back();
            const std::size_t room = column_width - std::min(column_width, count.size());
            const std::string fitted = fit_waiting(title, room);
            lost_role = lost_role || (fitted != title && util::display_width(fitted) > room);
            const std::string cut = util::truncate_to_width(fitted, room);
            shown.insert(cut);
            headers.push_back(cut + count);
            titles.push_back(fit_waiting(title, column_width));
            rules.push_back(std::string(column_width, '-'));
        }
        if (!lost_role && shown.size() == headers.size()) {
            emit_line(headers, k_bold);
        } else {
            // Narrow columns and big counts would cut the titles to
            // "WAITING… 15244", twice: the titles get a line of their own,
            // and the counts the next.
            emit_line(titles, k_bold);
            emit_line(counts, k_bold);
        }
        emit_line(rules, k_dim);
        for (std::size_t r = 0; r < rows; ++r) {
            std::vector<std::string> ids;
            std::vector<std::string> names;
            for (std::size_t i = first; i < end; ++i) {
                const envelope::BoardColumn& c = columns[i];
                if (r < c.top.size()) {
                    const Envelope& e = c.top[r];
                    const std::int64_t age = style.now - e.waiting_since;
                    ids.push_back(e.id + " " + util::short_duration(age));
                    names.push_back("  " + e.title);
                } else {
                    ids.emplace_back();
                    names.emplace_back();
                }
            }
            emit_line(ids, nullptr);
            emit_line(names, k_dim);
        }
    };
    // Columns that neither fit nor fold go below, in bands as wide as the
    // terminal: no line is wider than it.
    for (std::size_t first = 0; first == 0 || first < columns.size(); first += n) {
        if (first > 0) {
            out += "\n";
        }
        emit_band(first, std::min(columns.size(), first + n));
    }
    return out;
}

}  // namespace signet::view
