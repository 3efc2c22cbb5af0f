// bench_make_store: fills a new store with many realistic envelopes, fast,
// for tests/bench/status_bench.sh. Not a test and not installed.
//
//   bench_make_store STORE_DIR PDF [COUNT]
//
// COUNT (default 100000) envelopes share the one document PDF; each has two
// parties (company, order 1, e-mail, stamp required; client, order 2,
// phone) and five fields. Statuses, ages (waiting_since within the 60 days
// before now; SIGNET_NOW is honoured), owners and titles (English, Polish,
// Russian) are spread deterministically, so two runs make the same store.
// At the end every envelope's JSON is cached, as after a `status --json`.
// Everything is written in one transaction, with the same INSERTs as
// EnvelopeRepository::insert and audit::append_event but each prepared once
// (preparing them per row would take most of the time).
#include "audit/audit.hpp"
#include "envelope/json_list.hpp"
#include "envelope/model.hpp"
#include "envelope/repository.hpp"
#include "pdf/document_info.hpp"
#include "signet/error.hpp"
#include "store/store.hpp"
#include "util/crypto_hash.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

using signet::envelope::AuthMethod;
using signet::envelope::Envelope;
using signet::envelope::EnvelopeStatus;
using signet::envelope::Field;
using signet::envelope::FieldType;
using signet::envelope::Party;
using signet::envelope::PartyKind;
using signet::envelope::PartyStatus;
using signet::envelope::StampRule;

constexpr std::int64_t k_day = 86400;

// Which state an envelope is in, with how often it occurs (per 100).
enum class Stage {
    draft,
    sent,
    waiting_company,  // in progress: the company opened it, has not signed
    waiting_client,   // in progress: the company signed, the client's turn
    completed,
    declined,
    voided,
    expired
};

Stage pick_stage(std::uint64_t r) {
    const auto p = static_cast<int>(r % 100);
    if (p < 10) {
        return Stage::draft;
    }
    if (p < 25) {
        return Stage::sent;
    }
    if (p < 35) {
        return Stage::waiting_company;
    }
    if (p < 50) {
        return Stage::waiting_client;
    }
    if (p < 85) {
        return Stage::completed;
    }
    if (p < 92) {
        return Stage::declined;
    }
    if (p < 96) {
        return Stage::voided;
    }
    return Stage::expired;
}

const std::vector<std::string> k_title_patterns = {
    "Service agreement No. %d",
    "Umowa zlecenia nr %d/2026 — Żółw Spółka",
    "Акт выполненных работ №%d",
    "NDA %d",
    "Aneks nr %d do umowy o dzieło — zmiana terminów płatności i zakresu prac",
    "Договор поставки №%d с ООО «Ромашка»",
    "Master subscription agreement for ACME, Inc. and all of its subsidiaries, renewal %d",
};

const std::vector<std::string> k_owners = {"anna", "jan", "olga", "piotr", "sales-bot"};

const std::vector<std::string> k_company_names = {"Anna Nowak", "Piotr Wójcik",
                                                  "Ольга Иванова"};
const std::vector<std::string> k_client_names = {"Jan Kowalski", "Małgorzata Łącka",
                                                 "Иван Петров", "John Smith"};

std::string format_title(const std::string& pattern, int n) {
    std::string title = pattern;
    title.replace(title.find("%d"), 2, std::to_string(n));
    return title;
}

Field make_field(const char* name, FieldType type, const char* role, int page,
                 signet::pdf::Box rect) {
    Field f;
    f.name = name;
    f.type = type;
    if (role != nullptr) {
        f.role = role;
    }
    f.page = page;
    f.rect = rect;
    f.required = true;
    return f;
}

void fill_envelope(Envelope& e, Stage stage, std::int64_t now, std::mt19937_64& rng, int n,
                   int pages, const std::string& sha, const std::string& signed_sha) {
    e.title = format_title(k_title_patterns[rng() % k_title_patterns.size()], n);
    e.owner = k_owners[rng() % k_owners.size()];
    // Waited between 0 and 60 days; created up to a week before that.
    e.waiting_since = now - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(60 * k_day));
    e.created_at = e.waiting_since - static_cast<std::int64_t>(rng() % (7 * k_day));
    e.document = {sha, sha, pages, 1};

    Party company;
    company.role = "company";
    company.name = k_company_names[rng() % k_company_names.size()];
    company.email = "signer" + std::to_string(n % 97) + "@acme.test";
    company.order = 1;
    company.kind = PartyKind::organization;
    company.stamp = StampRule::required;
    Party client;
    client.role = "client";
    client.name = k_client_names[rng() % k_client_names.size()];
    char phone[32];
    std::snprintf(phone, sizeof phone, "+48601%06d", n % 1000000);
    client.phone = phone;
    client.order = 2;
    client.auth = AuthMethod::sms;

    std::vector<Field> fields = {
        make_field("company_signature", FieldType::signature, "company", pages, {72, 90, 180, 50}),
        make_field("company_stamp", FieldType::stamp, "company", pages, {72, 150, 120, 120}),
        // Placed with --unit mm: points kept to a hundredth, as parse_rect does.
        make_field("client_signature", FieldType::signature, "client", pages,
                   {340.16, 85.04, 170.08, 56.69}),
        make_field("client_date_signed", FieldType::date_signed, "client", pages,
                   {340.16, 56.69, 113.39, 17.01}),
        make_field("contract_number", FieldType::text, nullptr, 1, {400, 780, 140, 18.5}),
    };
    fields[4].value = std::to_string(n);
    fields[4].filled = true;
    fields[4].label = "Contract number";

    auto fill_role = [&](const char* role) {
        for (Field& f : fields) {
            if (f.role && *f.role == role) {
                f.filled = true;
            }
        }
    };
    if (stage != Stage::draft) {
        // Open envelopes expire after the benchmark's `now` (long-lived
        // envelopes, as a store configured with expires_in_days: 90 has):
        // otherwise the first status run would expire most of them.
        e.expires_at = e.waiting_since + 90 * k_day;
    }
    switch (stage) {
    case Stage::draft:
        break;
    case Stage::sent:
        e.status = EnvelopeStatus::sent;
        e.waiting_for = "company";
        company.status = PartyStatus::invited;
        break;
    case Stage::waiting_company:
        e.status = EnvelopeStatus::in_progress;
        e.waiting_for = "company";
        company.status = PartyStatus::opened;
        break;
    case Stage::waiting_client:
        e.status = EnvelopeStatus::in_progress;
        e.waiting_for = "client";
        company.status = PartyStatus::signed_;
        client.status = PartyStatus::invited;
        fill_role("company");
        e.document.current_sha256 = signed_sha;
        e.document.revisions = 2;
        break;
    case Stage::completed:
        e.status = EnvelopeStatus::completed;
        company.status = PartyStatus::signed_;
        client.status = PartyStatus::signed_;
        fill_role("company");
        fill_role("client");
        e.document.current_sha256 = signed_sha;
        e.document.revisions = 3;
        break;
    case Stage::declined:
        e.status = EnvelopeStatus::declined;
        company.status = PartyStatus::signed_;
        client.status = PartyStatus::declined;
        fill_role("company");
        e.document.current_sha256 = signed_sha;
        e.document.revisions = 2;
        break;
    case Stage::voided:
        e.status = EnvelopeStatus::voided;
        company.status = PartyStatus::invited;
        break;
    case Stage::expired:
        e.status = EnvelopeStatus::expired;
        e.waiting_since = now - 30 * k_day - static_cast<std::int64_t>(rng() % (30 * k_day));
        e.created_at = e.waiting_since - k_day;
        e.expires_at = e.waiting_since + 14 * k_day;
        company.status = PartyStatus::signed_;
        client.status = PartyStatus::invited;
        fill_role("company");
        break;
    }
    e.parties = {company, client};
    e.fields = std::move(fields);
}

std::string to_text(std::string_view s) { return std::string(s); }

// The store's INSERTs, each prepared once.
class BulkInserter {
public:
    explicit BulkInserter(signet::store::Database& db)
        : m_db(db),
          m_envelope(db.prepare(
              "INSERT INTO envelopes (id, title, status, owner, created_at, updated_at,"
              " expires_at, waiting_since, waiting_for, document_sha256, current_sha256,"
              " revisions, idempotency_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL)")),
          m_party(db.prepare(
              "INSERT INTO parties (envelope_seq, position, role, name, email, phone,"
              " routing_order, kind, action, auth, stamp, status)"
              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")),
          m_field(db.prepare(
              "INSERT INTO fields (envelope_seq, position, name, type, role, page, x, y, width,"
              " height, required, label, value, filled) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")),
          m_event(db.prepare(
              "INSERT INTO events (envelope_seq, at, actor, os_user, host, terminal, action,"
              " details, doc_before, doc_after, prev_hash, hash)"
              " VALUES (?,?,?,?,?,?,?,?,NULL,?,?,?)")) {}

    void envelope(Envelope& e) {
        m_envelope.bind(1, e.id)
            .bind(2, e.title)
            .bind(3, to_text(to_string(e.status)))
            .bind(4, e.owner)
            .bind(5, e.created_at)
            .bind(6, e.waiting_since)
            .bind(7, e.expires_at)
            .bind(8, e.waiting_since)
            .bind(9, e.waiting_for)
            .bind(10, e.document.sha256)
            .bind(11, e.document.current_sha256)
            .bind(12, e.document.revisions)
            .run();
        e.seq = m_db.last_insert_rowid();
        for (std::size_t i = 0; i < e.parties.size(); ++i) {
            const Party& p = e.parties[i];
            m_party.bind(1, e.seq)
                .bind(2, static_cast<std::int64_t>(i + 1))
                .bind(3, p.role)
                .bind(4, p.name)
                .bind(5, p.email)
                .bind(6, p.phone)
                .bind(7, p.order)
                .bind(8, to_text(to_string(p.kind)))
                .bind(9, to_text(to_string(p.action)))
                .bind(10, to_text(to_string(p.auth)))
                .bind(11, to_text(to_string(p.stamp)))
                .bind(12, to_text(to_string(p.status)))
                .run();
        }
        for (std::size_t i = 0; i < e.fields.size(); ++i) {
            const Field& f = e.fields[i];
            m_field.bind(1, e.seq)
                .bind(2, static_cast<std::int64_t>(i + 1))
                .bind(3, f.name)
                .bind(4, to_text(to_string(f.type)))
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
        created_event(e);
    }

private:
    // The "created" event that starts the envelope's audit chain, hashed
    // over the same length-prefixed parts as audit::append_event.
    void created_event(const Envelope& e) {
        const std::string details = "{\"title\":\"bench\",\"owner\":\"" + e.owner +
                                    "\",\"file\":\"contract.pdf\",\"parties\":2}";
        std::string canonical;
        for (const std::string& part :
             {std::string(signet::audit::k_genesis_hash), std::to_string(e.seq),
              std::to_string(e.created_at), e.owner, e.owner, std::string("bench-host"),
              std::string("-"), std::string("created"), details, std::string(),
              e.document.sha256}) {
            canonical += std::to_string(part.size());
            canonical += ':';
            canonical += part;
        }
        m_event.bind(1, e.seq)
            .bind(2, e.created_at)
            .bind(3, e.owner)
            .bind(4, e.owner)
            .bind(5, "bench-host")
            .bind(6, "-")
            .bind(7, "created")
            .bind(8, details)
            .bind(9, e.document.sha256)
            .bind(10, signet::audit::k_genesis_hash)
            .bind(11, signet::util::sha256_hex(canonical))
            .run();
    }

    signet::store::Database& m_db;
    signet::store::Statement m_envelope;
    signet::store::Statement m_party;
    signet::store::Statement m_field;
    signet::store::Statement m_event;
};

// A short id from the same alphabet as new_envelope_id, but seeded: the
// same store every run.
std::string make_id(std::mt19937_64& rng, std::unordered_set<std::string>& taken) {
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    constexpr std::size_t n = sizeof alphabet - 1;
    for (;;) {
        std::string id;
        std::uint64_t r = rng();
        for (int i = 0; i < 8; ++i) {
            id += alphabet[r % n];
            r /= n;
        }
        if (taken.insert(id).second) {
            return id;
        }
    }
}

int run(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: bench_make_store STORE_DIR PDF [COUNT]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const std::filesystem::path pdf = argv[2];
    const long count = argc == 4 ? std::strtol(argv[3], nullptr, 10) : 100000;
    if (count <= 0) {
        std::fprintf(stderr, "bench_make_store: COUNT must be a positive number\n");
        return 2;
    }
    std::error_code ec;
    if (std::filesystem::exists(dir, ec)) {
        std::fprintf(stderr, "bench_make_store: \"%s\" exists: give a new directory\n",
                     dir.string().c_str());
        return 2;
    }
    const auto started = std::chrono::steady_clock::now();

    signet::store::Store::init(dir, std::string("ACME Sp. z o.o."));
    signet::store::Store store(dir);
    const std::string bytes = signet::util::read_file(pdf);
    const signet::pdf::DocumentInfo info = signet::pdf::read_document_info(bytes, pdf.string());
    const std::string sha = store.put_document(bytes);
    // Signed revisions are not stored as blobs: status only shows their hash.
    const std::string signed_sha(64, 'e');
    const int pages = static_cast<int>(info.pages.size());
    const std::int64_t now = signet::util::now();

    std::mt19937_64 rng(20260101);
    std::unordered_set<std::string> taken;
    taken.reserve(static_cast<std::size_t>(count) * 2);
    signet::store::Database& db = store.db();
    // One big transaction: keep its pages in memory rather than spilling,
    // and skip the fsyncs (a throwaway store).
    db.exec("PRAGMA cache_size=-1000000");
    db.exec("PRAGMA synchronous=OFF");
    db.write([&] {
        signet::envelope::EnvelopeRepository(db).put_document(sha, bytes.size(), info, now);
        BulkInserter insert(db);
        for (long i = 0; i < count; ++i) {
            Envelope e;
            e.id = make_id(rng, taken);
            fill_envelope(e, pick_stage(rng()), now, rng, static_cast<int>(i + 1), pages, sha,
                          signed_sha);
            insert.envelope(e);
        }
    });
    // As after a first `status --json`: every envelope's JSON cached.
    signet::envelope::JsonListOptions list;
    list.pretty = false;
    signet::envelope::write_envelope_list(store, list, [](std::string_view) {});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "bench_make_store: %ld envelopes in %s (%.1f s)\n", count,
                 dir.string().c_str(), seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_make_store: error: %s\n", e.what());
        return 1;
    }
}
