#include "envelope/repository.hpp"

#include "delivery/outbox.hpp"

#include "signet/error.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace signet::envelope {
namespace {

const char* const k_envelope_columns =
    "e.seq, e.id, e.title, e.status, e.owner, e.created_at, e.expires_at, e.waiting_since, "
    "e.waiting_for, e.document_sha256, e.current_sha256, e.revisions, "
    "(SELECT page_count FROM documents d WHERE d.sha256 = e.document_sha256), "
    "e.expires_in, e.timezone, e.date_format, e.locale";

// The read_*_into functions fill an object in place, reusing the memory its
// strings hold: a listing reads 100 000 envelopes into the same few objects.
void assign_text(std::string& to, const store::Statement& q, int column) {
    to.assign(q.text_view(column));
}

void assign_text(std::optional<std::string>& to, const store::Statement& q, int column) {
    if (q.is_null(column)) {
        to.reset();
    } else if (to) {
        to->assign(q.text_view(column));
    } else {
        to.emplace(q.text_view(column));
    }
}

void read_envelope_into(const store::Statement& q, Envelope& e) {
    e.seq = q.integer(0);
    assign_text(e.id, q, 1);
    assign_text(e.title, q, 2);
    e.status = parse_envelope_status(q.text_view(3)).value_or(EnvelopeStatus::draft);
    assign_text(e.owner, q, 4);
    e.created_at = q.integer(5);
    e.expires_at = q.optional_integer(6);
    e.waiting_since = q.integer(7);
    assign_text(e.waiting_for, q, 8);
    assign_text(e.document.sha256, q, 9);
    assign_text(e.document.current_sha256, q, 10);
    e.document.revisions = static_cast<int>(q.integer(11));
    e.document.pages = static_cast<int>(q.integer(12));
    // A value this build cannot read (edited by hand) leaves the store's
    // expiry to apply, as for an envelope without one.
    e.expires_in = q.is_null(13) ? std::nullopt : parse_expiry(q.text_view(13));
    e.timezone = q.is_null(14) ? std::nullopt : std::optional<std::string>(q.text(14));
    e.date_format = q.is_null(15) ? std::nullopt : std::optional<std::string>(q.text(15));
    e.locale = q.is_null(16) ? std::nullopt : std::optional<std::string>(q.text(16));
}

Envelope read_envelope_row(const store::Statement& q) {
    Envelope e;
    read_envelope_into(q, e);
    return e;
}

const char* const k_party_columns =
    "p.envelope_seq, p.role, p.name, p.email, p.phone, p.routing_order, p.kind, p.action, "
    "p.auth, p.stamp, p.status";

void read_party_into(const store::Statement& q, Party& p) {
    assign_text(p.role, q, 1);
    assign_text(p.name, q, 2);
    assign_text(p.email, q, 3);
    assign_text(p.phone, q, 4);
    p.order = static_cast<int>(q.integer(5));
    p.kind = parse_party_kind(q.text_view(6)).value_or(PartyKind::person);
    p.action = parse_party_action(q.text_view(7)).value_or(PartyAction::sign);
    p.auth = parse_auth_method(q.text_view(8)).value_or(AuthMethod::email);
    p.stamp = parse_stamp_rule(q.text_view(9)).value_or(StampRule::none);
    p.status = parse_party_status(q.text_view(10)).value_or(PartyStatus::waiting);
}

Party read_party_row(const store::Statement& q) {
    Party p;
    read_party_into(q, p);
    return p;
}

const char* const k_field_columns =
    "f.envelope_seq, f.name, f.type, f.role, f.page, f.x, f.y, f.width, f.height, f.required, "
    "f.label, f.value, f.filled";

void read_field_into(const store::Statement& q, Field& f) {
    assign_text(f.name, q, 1);
    f.type = parse_field_type(q.text_view(2)).value_or(FieldType::text);
    assign_text(f.role, q, 3);
    f.page = static_cast<int>(q.integer(4));
    f.rect = pdf::Box{q.real(5), q.real(6), q.real(7), q.real(8)};
    f.required = q.integer(9) != 0;
    assign_text(f.label, q, 10);
    assign_text(f.value, q, 11);
    f.filled = q.integer(12) != 0;
}

Field read_field_row(const store::Statement& q) {
    Field f;
    read_field_into(q, f);
    return f;
}

}  // namespace

std::string filter_sql(const ListFilter& filter) {
    std::string sql;
    auto add = [&](const std::string& cond) { sql += (sql.empty() ? " WHERE " : " AND ") + cond; };
    // "+e.status": not through the stage index, whose order is not the
    // listing's (sorting by seq afterwards would sort whole rows).
    if (filter.stage) {
        if (*filter.stage == "waiting") {
            add("+e.status IN ('sent', 'in_progress')");
        } else {
            add("+e.status = ?");
        }
    }
    if (filter.owner) {
        add("e.owner = ?");
    }
    return sql;
}

void bind_filter(store::Statement& q, const ListFilter& filter) {
    int i = 1;
    if (filter.stage && *filter.stage != "waiting") {
        q.bind(i++, *filter.stage);
    }
    if (filter.owner) {
        q.bind(i++, *filter.owner);
    }
}

void check_stage(const std::string& stage) {
    if (stage != "waiting" && !parse_envelope_status(stage)) {
        throw bad_input("unknown stage \"" + stage + "\"",
                        {"stages: draft sent in_progress waiting completed declined voided "
                         "expired"});
    }
}

void EnvelopeRepository::put_document(const std::string& sha256, std::size_t size,
                                      const pdf::DocumentInfo& info, util::UnixTime now) {
    store::Statement doc = m_db.prepare(
        "INSERT OR IGNORE INTO documents (sha256, size, page_count, created_at) VALUES (?,?,?,?)");
    doc.bind(1, sha256)
        .bind(2, static_cast<std::int64_t>(size))
        .bind(3, static_cast<std::int64_t>(info.pages.size()))
        .bind(4, now)
        .run();
    if (m_db.changes() == 0) {
        return;  // stored before: same bytes, same pages
    }
    store::Statement page = m_db.prepare(
        "INSERT INTO document_pages (sha256, page, media_x, media_y, media_w, media_h,"
        " crop_x, crop_y, crop_w, crop_h, rotate) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < info.pages.size(); ++i) {
        const pdf::PageInfo& p = info.pages[i];
        page.bind(1, sha256)
            .bind(2, static_cast<std::int64_t>(i + 1))
            .bind(3, p.media_box.x)
            .bind(4, p.media_box.y)
            .bind(5, p.media_box.width)
            .bind(6, p.media_box.height)
            .bind(7, p.crop_box.x)
            .bind(8, p.crop_box.y)
            .bind(9, p.crop_box.width)
            .bind(10, p.crop_box.height)
            .bind(11, p.rotate)
            .run();
    }
}

std::vector<pdf::PageInfo> EnvelopeRepository::document_pages(const std::string& sha256) {
    store::Statement q = m_db.prepare(
        "SELECT media_x, media_y, media_w, media_h, crop_x, crop_y, crop_w, crop_h, rotate"
        " FROM document_pages WHERE sha256 = ? ORDER BY page");
    q.bind(1, sha256);
    std::vector<pdf::PageInfo> pages;
    while (q.step()) {
        pdf::PageInfo p;
        p.media_box = pdf::Box{q.real(0), q.real(1), q.real(2), q.real(3)};
        p.crop_box = pdf::Box{q.real(4), q.real(5), q.real(6), q.real(7)};
        p.rotate = static_cast<int>(q.integer(8));
        pages.push_back(p);
    }
    return pages;
}

void EnvelopeRepository::insert(Envelope& e, const std::optional<std::string>& idempotency_key) {
    m_db.prepare(
            "INSERT INTO envelopes (id, title, status, owner, created_at, updated_at, expires_at,"
            " waiting_since, waiting_for, document_sha256, current_sha256, revisions,"
            " idempotency_key, expires_in, timezone, date_format, locale)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, e.id)
        .bind(2, e.title)
        .bind(3, to_string(e.status))
        .bind(4, e.owner)
        .bind(5, e.created_at)
        .bind(6, e.created_at)
        .bind(7, e.expires_at)
        .bind(8, e.waiting_since)
        .bind(9, e.waiting_for)
        .bind(10, e.document.sha256)
        .bind(11, e.document.current_sha256)
        .bind(12, e.document.revisions)
        .bind(13, idempotency_key)
        .bind(14, e.expires_in ? std::optional<std::string>(to_string(*e.expires_in)) : std::nullopt)
        .bind(15, e.timezone)
        .bind(16, e.date_format)
        .bind(17, e.locale)
        .run();
    e.seq = m_db.last_insert_rowid();

    store::Statement party = m_db.prepare(
        "INSERT INTO parties (envelope_seq, position, role, name, email, phone, routing_order,"
        " kind, action, auth, stamp, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < e.parties.size(); ++i) {
        const Party& p = e.parties[i];
        party.bind(1, e.seq)
            .bind(2, static_cast<std::int64_t>(i + 1))
            .bind(3, p.role)
            .bind(4, p.name)
            .bind(5, p.email)
            .bind(6, p.phone)
            .bind(7, p.order)
            .bind(8, to_string(p.kind))
            .bind(9, to_string(p.action))
            .bind(10, to_string(p.auth))
            .bind(11, to_string(p.stamp))
            .bind(12, to_string(p.status))
            .run();
    }
    for (std::size_t i = 0; i < e.fields.size(); ++i) {
        insert_field(e.seq, static_cast<int>(i + 1), e.fields[i]);
    }
}

void EnvelopeRepository::insert_field(std::int64_t envelope_seq, int position, const Field& f) {
    m_db.prepare(
            "INSERT INTO fields (envelope_seq, position, name, type, role, page, x, y, width,"
            " height, required, label, value, filled) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, envelope_seq)
        .bind(2, position)
        .bind(3, f.name)
        .bind(4, to_string(f.type))
        .bind(5, f.role)
        .bind(6, f.page)
        .bind(7, f.rect.x)
        .bind(8, f.rect.y)
        .bind(9, f.rect.width)
        .bind(10, f.rect.height)
        .bind(11, f.required)
        .bind(12, f.label)
        .bind(13, f.value)
        .bind(14, f.filled)
        .run();
}

void EnvelopeRepository::touch(std::int64_t envelope_seq, util::UnixTime now) {
    m_db.prepare("UPDATE envelopes SET updated_at = ? WHERE seq = ?")
        .bind(1, now)
        .bind(2, envelope_seq)
        .run();
}

void EnvelopeRepository::insert_revision(std::int64_t envelope_seq, int number,
                                         const std::string& sha256, const std::string& kind,
                                         const std::optional<std::string>& party_role,
                                         util::UnixTime now) {
    m_db.prepare("INSERT INTO revisions (envelope_seq, number, sha256, kind, party_role,"
                 " created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, envelope_seq)
        .bind(2, number)
        .bind(3, sha256)
        .bind(4, kind)
        .bind(5, party_role)
        .bind(6, now)
        .run();
}

std::optional<std::string> EnvelopeRepository::find_id_by_key(const std::string& key) {
    store::Statement q = m_db.prepare("SELECT id FROM envelopes WHERE idempotency_key = ?");
    q.bind(1, key);
    if (q.step()) {
        return q.text(0);
    }
    return std::nullopt;
}

bool EnvelopeRepository::id_exists(const std::string& id) {
    store::Statement q = m_db.prepare("SELECT 1 FROM envelopes WHERE id = ?");
    q.bind(1, id);
    return q.step();
}

Envelope EnvelopeRepository::load(const std::string& id) {
    store::Statement q = m_db.prepare(std::string("SELECT ") + k_envelope_columns +
                                      " FROM envelopes e WHERE e.id = ?");
    q.bind(1, id);
    if (!q.step()) {
        throw not_found("no envelope \"" + id + "\" in the store",
                        {"list the envelopes with: signet status"});
    }
    Envelope e = read_envelope_row(q);
    store::Statement parties = m_db.prepare(std::string("SELECT ") + k_party_columns +
                                            " FROM parties p WHERE p.envelope_seq = ?"
                                            " ORDER BY p.position");
    parties.bind(1, e.seq);
    while (parties.step()) {
        e.parties.push_back(read_party_row(parties));
    }
    store::Statement fields = m_db.prepare(std::string("SELECT ") + k_field_columns +
                                           " FROM fields f WHERE f.envelope_seq = ?"
                                           " ORDER BY f.position");
    fields.bind(1, e.seq);
    while (fields.step()) {
        e.fields.push_back(read_field_row(fields));
    }
    return e;
}

EnvelopeLoader::EnvelopeLoader(store::Database& db)
    : m_envelope(db.prepare(std::string("SELECT ") + k_envelope_columns +
                            " FROM envelopes e WHERE e.seq = ?")),
      m_parties(db.prepare(std::string("SELECT ") + k_party_columns +
                           " FROM parties p WHERE p.envelope_seq = ? ORDER BY p.position")),
      m_fields(db.prepare(std::string("SELECT ") + k_field_columns +
                          " FROM fields f WHERE f.envelope_seq = ? ORDER BY f.position")) {}

bool EnvelopeLoader::load(std::int64_t seq, Envelope& e) {
    m_envelope.reset();
    m_envelope.bind(1, seq);
    if (!m_envelope.step()) {
        return false;
    }
    read_envelope_into(m_envelope, e);
    m_parties.reset();
    m_parties.bind(1, seq);
    std::size_t n = 0;
    for (; m_parties.step(); ++n) {
        if (n == e.parties.size()) {
            e.parties.emplace_back();
        }
        read_party_into(m_parties, e.parties[n]);
    }
    e.parties.resize(n);
    m_fields.reset();
    m_fields.bind(1, seq);
    n = 0;
    for (; m_fields.step(); ++n) {
        if (n == e.fields.size()) {
            e.fields.emplace_back();
        }
        read_field_into(m_fields, e.fields[n]);
    }
    e.fields.resize(n);
    e.undelivered.clear();
    return true;
}

namespace {

// for_each_envelope's merged scan, inside the caller's transaction, over
// the envelopes `where` selects (bind binds its parameters to each query),
// oldest first. Leaves undelivered empty.
void scan_envelopes(store::Database& db, const std::string& where,
                    const std::function<void(store::Statement&)>& bind,
                    const std::function<void(Envelope&)>& fn) {
    const bool filtered = !where.empty();
    // Three ordered scans merged by envelope_seq: one pass over each table
    // instead of two queries per envelope.
    store::Statement envelopes = db.prepare(std::string("SELECT ") + k_envelope_columns +
                                            " FROM envelopes e" + where + " ORDER BY e.seq");
    bind(envelopes);
    auto join = [&](const char* alias) {
        return filtered ? std::string(" JOIN envelopes e ON e.seq = ") + alias +
                              ".envelope_seq" + where
                        : std::string();
    };
    store::Statement parties =
        db.prepare(std::string("SELECT ") + k_party_columns + " FROM parties p" + join("p") +
                   " ORDER BY p.envelope_seq, p.position");
    bind(parties);
    store::Statement fields =
        db.prepare(std::string("SELECT ") + k_field_columns + " FROM fields f" + join("f") +
                   " ORDER BY f.envelope_seq, f.position");
    bind(fields);

    bool party_row = parties.step();
    bool field_row = fields.step();
    // One envelope object, refilled in place for each row.
    Envelope e;
    while (envelopes.step()) {
        read_envelope_into(envelopes, e);
        while (party_row && parties.integer(0) < e.seq) {
            party_row = parties.step();
        }
        std::size_t n = 0;
        for (; party_row && parties.integer(0) == e.seq; ++n) {
            if (n == e.parties.size()) {
                e.parties.emplace_back();
            }
            read_party_into(parties, e.parties[n]);
            party_row = parties.step();
        }
        e.parties.resize(n);
        while (field_row && fields.integer(0) < e.seq) {
            field_row = fields.step();
        }
        n = 0;
        for (; field_row && fields.integer(0) == e.seq; ++n) {
            if (n == e.fields.size()) {
                e.fields.emplace_back();
            }
            read_field_into(fields, e.fields[n]);
            field_row = fields.step();
        }
        e.fields.resize(n);
        e.undelivered.clear();
        fn(e);
    }
}

}  // namespace

void for_each_envelope(store::Database& db, const ListFilter& filter,
                       const std::function<void(const Envelope&)>& fn) {
    db.read([&] {
        const auto pending = delivery::pending_by_envelope(db);
        scan_envelopes(
            db, filter_sql(filter), [&](store::Statement& q) { bind_filter(q, filter); },
            [&](Envelope& e) {
                const auto undelivered = pending.find(e.seq);
                if (undelivered != pending.end()) {
                    e.undelivered = undelivered->second;
                }
                fn(e);
            });
    });
}

std::vector<BoardColumn> load_board(store::Database& db, const ListFilter& filter,
                                    int per_column) {
    if (filter.stage) {
        check_stage(*filter.stage);
    }
    // Every query here walks the (status, waiting_for, waiting_since) index:
    // counts scan their range of it, and a column's first few are found by
    // one short seek per (status, role set) group, merged here. A column of
    // 35 000 envelopes is neither read nor sorted row by row.
    const std::string owner_sql = filter.owner ? " AND e.owner = ?" : "";
    store::Statement first_roles = db.prepare(
        "SELECT e.waiting_for FROM envelopes e WHERE e.status = ? ORDER BY e.waiting_for LIMIT 1");
    store::Statement next_roles =
        db.prepare("SELECT e.waiting_for FROM envelopes e WHERE e.status = ? AND e.waiting_for > ?"
                   " ORDER BY e.waiting_for LIMIT 1");
    store::Statement by_seq = db.prepare(std::string("SELECT ") + k_envelope_columns +
                                         " FROM envelopes e WHERE e.seq = ?");
    // The distinct waiting_for values of envelopes in `status`, in order.
    auto role_sets_of = [&](const std::string& status) {
        std::vector<std::string> sets;
        first_roles.bind(1, status);
        if (first_roles.step()) {
            sets.push_back(first_roles.text(0));
            for (;;) {
                next_roles.bind(1, status).bind(2, sets.back());
                const bool more = next_roles.step();
                if (more) {
                    sets.push_back(next_roles.text(0));
                }
                next_roles.reset();
                if (!more) {
                    break;
                }
            }
        }
        first_roles.reset();
        return sets;
    };
    auto fill = [&](BoardColumn& column, const std::vector<std::string>& statuses,
                    const std::optional<std::string>& waiting_for, bool newest_first) {
        std::string in = "?";
        for (std::size_t n = 1; n < statuses.size(); ++n) {
            in += ", ?";
        }
        store::Statement count =
            db.prepare("SELECT count(*) FROM envelopes e WHERE e.status IN (" + in + ")" +
                       (waiting_for ? " AND e.waiting_for = ?" : "") + owner_sql);
        int i = 1;
        for (const std::string& status : statuses) {
            count.bind(i++, status);
        }
        if (waiting_for) {
            count.bind(i++, *waiting_for);
        }
        if (filter.owner) {
            count.bind(i++, *filter.owner);
        }
        count.step();
        column.count = count.integer(0);

        struct Candidate {
            util::UnixTime waiting_since;
            std::int64_t seq;
        };
        auto before = [newest_first](const Candidate& a, const Candidate& b) {
            if (a.waiting_since != b.waiting_since) {
                return newest_first ? a.waiting_since > b.waiting_since
                                    : a.waiting_since < b.waiting_since;
            }
            return a.seq < b.seq;
        };
        store::Statement group = db.prepare(
            std::string("SELECT e.waiting_since, e.seq FROM envelopes e"
                        " WHERE e.status = ? AND e.waiting_for = ?") +
            owner_sql + " ORDER BY e.waiting_since " + (newest_first ? "DESC" : "ASC") +
            ", e.seq LIMIT ?");
        std::vector<Candidate> candidates;
        for (const std::string& status : statuses) {
            const std::vector<std::string> sets =
                waiting_for ? std::vector<std::string>{*waiting_for} : role_sets_of(status);
            for (const std::string& roles : sets) {
                group.bind(1, status).bind(2, roles);
                if (filter.owner) {
                    group.bind(3, *filter.owner);
                }
                group.bind(filter.owner ? 4 : 3, per_column);
                while (group.step()) {
                    candidates.push_back(Candidate{group.integer(0), group.integer(1)});
                }
                group.reset();
            }
        }
        std::sort(candidates.begin(), candidates.end(), before);
        candidates.resize(std::min(candidates.size(), static_cast<std::size_t>(per_column)));
        for (const Candidate& c : candidates) {
            by_seq.bind(1, c.seq);
            if (by_seq.step()) {
                column.top.push_back(read_envelope_row(by_seq));
            }
            by_seq.reset();
        }
    };
    auto wanted = [&](std::initializer_list<const char*> statuses) {
        if (!filter.stage) {
            return true;
        }
        for (const char* s : statuses) {
            if (*filter.stage == s) {
                return true;
            }
        }
        return false;
    };
    std::vector<BoardColumn> columns;
    db.read([&] {
        if (wanted({"draft"})) {
            BoardColumn draft{"draft", 0, {}};
            fill(draft, {"draft"}, std::nullopt, false);
            columns.push_back(std::move(draft));
        }
        if (wanted({"waiting", "sent", "in_progress"})) {
            const std::vector<std::string> waiting =
                filter.stage && *filter.stage != "waiting"
                    ? std::vector<std::string>{*filter.stage}
                    : std::vector<std::string>{"sent", "in_progress"};
            // A column per role set waiting in any stage, shown when it holds
            // envelopes that match the filter.
            std::set<std::string> distinct;
            for (const char* status : {"sent", "in_progress"}) {
                for (std::string& roles : role_sets_of(status)) {
                    distinct.insert(std::move(roles));
                }
            }
            for (const std::string& roles_text : distinct) {
                BoardColumn column{"waiting: " + (roles_text.empty() ? "-" : roles_text), 0, {}};
                fill(column, waiting, roles_text, false);
                if (column.count > 0) {
                    columns.push_back(std::move(column));
                }
            }
            if (distinct.empty()) {
                columns.push_back(BoardColumn{"waiting", 0, {}});
            }
        }
        if (wanted({"completed"})) {
            BoardColumn done{"completed", 0, {}};
            fill(done, {"completed"}, std::nullopt, true);
            columns.push_back(std::move(done));
        }
        if (wanted({"declined", "voided", "expired"})) {
            BoardColumn ended{"declined/voided/expired", 0, {}};
            fill(ended,
                 filter.stage ? std::vector<std::string>{*filter.stage}
                              : std::vector<std::string>{"declined", "voided", "expired"},
                 std::nullopt, true);
            columns.push_back(std::move(ended));
        }
    });
    return columns;
}

}  // namespace signet::envelope
