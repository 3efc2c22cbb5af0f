// Envelopes in the store's database: insert, load, list. Every write here
// runs inside a transaction the caller opened with Database::write.
#pragma once

#include "envelope/model.hpp"
#include "pdf/document_info.hpp"
#include "store/database.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace signet::envelope {

class EnvelopeRepository {
public:
    explicit EnvelopeRepository(store::Database& db) : m_db(db) {}

    // Records a document's page geometry once per SHA-256.
    void put_document(const std::string& sha256, std::size_t size,
                      const pdf::DocumentInfo& info, util::UnixTime now);

    // The pages of a stored document, as recorded by put_document.
    std::vector<pdf::PageInfo> document_pages(const std::string& sha256);

    // Inserts the envelope and its parties and fields; sets envelope.seq.
    // Throws when the id is taken (the caller retries with a new id).
    void insert(Envelope& envelope, const std::optional<std::string>& idempotency_key);

    // The envelope created with this idempotency key, if any.
    std::optional<std::string> find_id_by_key(const std::string& key);

    bool id_exists(const std::string& id);

    // Loads one envelope with its parties and fields; throws not_found.
    Envelope load(const std::string& id);
    // The same by the store's row number; nothing when there is none.
    std::optional<Envelope> load_by_seq(std::int64_t seq);

    void insert_field(std::int64_t envelope_seq, int position, const Field& field);
    void touch(std::int64_t envelope_seq, util::UnixTime now);

private:
    // The envelope of a row of k_envelope_columns, with parties and fields.
    Envelope load_rest(const store::Statement& envelope_row);

    store::Database& m_db;
};

// Which envelopes a listing shows.
struct ListFilter {
    std::optional<std::string> stage;  // an envelope status, or "waiting"
    std::optional<std::string> owner;
};

// Checks a --stage value; throws bad_input listing the stages.
void check_stage(const std::string& stage);

// Calls fn for each envelope matching the filter, oldest first, with its
// parties, fields and undelivered messages, streaming (memory does not grow
// with the store). Runs in a read transaction of its own.
void for_each_envelope(store::Database& db, const ListFilter& filter,
                       const std::function<void(const Envelope&)>& fn);

// The WHERE clause (" WHERE ...", or "" for no filter) that selects the
// filter's envelopes, aliased "e", keeping a scan in seq order; bind_filter
// binds its parameters from 1 on.
std::string filter_sql(const ListFilter& filter);
void bind_filter(store::Statement& q, const ListFilter& filter);

// for_each_envelope's merged scan, inside the caller's transaction, over
// the envelopes `where` selects (as filter_sql makes it; bind binds its
// parameters to each query), oldest first. Leaves undelivered empty.
void scan_envelopes(store::Database& db, const std::string& where,
                    const std::function<void(store::Statement&)>& bind,
                    const std::function<void(Envelope&)>& fn);

// One column of the board: a stage (and for waiting envelopes, the roles
// whose turn it is), how many envelopes it holds and the first few.
struct BoardColumn {
    std::string title;   // "draft", "waiting: client", "completed", "ended"
    std::int64_t count = 0;
    std::vector<Envelope> top;  // without parties and fields
};

// The board: draft · waiting for each role · completed · declined/voided/
// expired, each with its count and up to `per_column` envelopes, those that
// have waited longest first (most recent first for ended ones).
std::vector<BoardColumn> load_board(store::Database& db, const ListFilter& filter,
                                    int per_column);

}  // namespace signet::envelope
