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

    void insert_field(std::int64_t envelope_seq, int position, const Field& field);
    void touch(std::int64_t envelope_seq, util::UnixTime now);

    // Records revision `number` of the envelope's document: its SHA-256,
    // what made it (prepared, certified, signed, completed) and, for a
    // signature, the party's role.
    void insert_revision(std::int64_t envelope_seq, int number, const std::string& sha256,
                         const std::string& kind, const std::optional<std::string>& party_role,
                         util::UnixTime now);

private:
    store::Database& m_db;
};

// Loads envelopes one at a time by seq with statements prepared once: for
// reading many envelopes that are not next to each other. Use it inside a
// transaction the caller holds.
class EnvelopeLoader {
public:
    explicit EnvelopeLoader(store::Database& db);
    // Fills e (reusing its memory) with the envelope, its parties and its
    // fields; false when there is none. Leaves undelivered empty.
    bool load(std::int64_t seq, Envelope& e);

private:
    store::Statement m_envelope;
    store::Statement m_parties;
    store::Statement m_fields;
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
