#include "store/schema.hpp"

#include "signet/error.hpp"
#include "store/database.hpp"

namespace signet::store {

const std::vector<std::string>& schema_migrations() {
    static const std::vector<std::string> migrations = {
        // 1: envelopes, their parties and fields, documents, the audit trail.
        R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    page_count  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE document_pages (
    sha256  TEXT NOT NULL REFERENCES documents(sha256),
    page    INTEGER NOT NULL,
    media_x REAL NOT NULL, media_y REAL NOT NULL, media_w REAL NOT NULL, media_h REAL NOT NULL,
    crop_x  REAL NOT NULL, crop_y  REAL NOT NULL, crop_w  REAL NOT NULL, crop_h  REAL NOT NULL,
    rotate  INTEGER NOT NULL,
    PRIMARY KEY (sha256, page)
) WITHOUT ROWID;
CREATE TABLE envelopes (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                      ('draft','sent','in_progress','completed','declined','voided','expired')),
    owner           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    waiting_since   INTEGER NOT NULL,
    waiting_for     TEXT NOT NULL DEFAULT '',
    document_sha256 TEXT NOT NULL REFERENCES documents(sha256),
    current_sha256  TEXT NOT NULL,
    revisions       INTEGER NOT NULL DEFAULT 1,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX envelopes_by_stage ON envelopes (status, waiting_for, waiting_since);
CREATE INDEX envelopes_by_owner ON envelopes (owner);
-- The board's waiting columns: who holds things up, longest first.
CREATE INDEX envelopes_waiting ON envelopes (waiting_for, waiting_since)
    WHERE status IN ('sent', 'in_progress');
CREATE TABLE parties (
    envelope_seq  INTEGER NOT NULL REFERENCES envelopes(seq),
    position      INTEGER NOT NULL,
    role          TEXT NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    routing_order INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    action        TEXT NOT NULL,
    auth          TEXT NOT NULL,
    stamp         TEXT NOT NULL,
    status        TEXT NOT NULL,
    PRIMARY KEY (envelope_seq, position),
    UNIQUE (envelope_seq, role)
) WITHOUT ROWID;
CREATE TABLE fields (
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    role         TEXT,
    page         INTEGER NOT NULL,
    x REAL NOT NULL, y REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL,
    required     INTEGER NOT NULL,
    label        TEXT,
    value        TEXT,
    filled       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (envelope_seq, position),
    UNIQUE (envelope_seq, name)
) WITHOUT ROWID;
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    os_user      TEXT NOT NULL,
    host         TEXT NOT NULL,
    terminal     TEXT NOT NULL,
    action       TEXT NOT NULL,
    details      TEXT NOT NULL,
    doc_before   TEXT,
    doc_after    TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX events_by_envelope ON events (envelope_seq, seq);
)sql",
        // 2: the transactional outbox (lib/delivery/outbox.hpp): messages recorded
        // with the change that causes them and delivered after commit. A row
        // holds what rendering needs, never a token or a rendered body.
        R"sql(
CREATE TABLE messages (
    seq             INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    envelope_seq    INTEGER REFERENCES envelopes(seq),
    party_role      TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('mail', 'sms', 'hook')),
    recipient       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    INTEGER,
    claim           TEXT,
    claimed_until   INTEGER
);
CREATE INDEX messages_pending ON messages (next_attempt_at, seq) WHERE delivered_at IS NULL;
CREATE INDEX messages_by_envelope ON messages (envelope_seq, seq) WHERE delivered_at IS NULL;
)sql",
        // 3: sending and signing. Per party: the invitation nonce (the token is
        // derived from it and keys/token.key, only its hash is kept), the
        // times of invitation, opening and action, and the one-time code's
        // keyed hash and counters. Every PDF revision of an envelope.
        R"sql(
ALTER TABLE parties ADD COLUMN invitation_nonce TEXT;
ALTER TABLE parties ADD COLUMN token_hash TEXT;
ALTER TABLE parties ADD COLUMN token_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parties ADD COLUMN invited_at INTEGER;
ALTER TABLE parties ADD COLUMN opened_at INTEGER;
ALTER TABLE parties ADD COLUMN acted_at INTEGER;
ALTER TABLE parties ADD COLUMN code_hash TEXT;
ALTER TABLE parties ADD COLUMN code_expires_at INTEGER;
ALTER TABLE parties ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parties ADD COLUMN certificate_serial TEXT;
CREATE INDEX parties_by_token ON parties (token_hash) WHERE token_hash IS NOT NULL;
CREATE TABLE code_sends (
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    role         TEXT NOT NULL,
    sent_at      INTEGER NOT NULL
);
CREATE INDEX code_sends_by_party ON code_sends (envelope_seq, role, sent_at);
CREATE TABLE revisions (
    envelope_seq INTEGER NOT NULL REFERENCES envelopes(seq),
    number       INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    party_role   TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (envelope_seq, number)
) WITHOUT ROWID;
)sql",
        // 4: a cache of each envelope's JSON for `status --json` (lib/envelope/
        // json_list.hpp): the compact keys from "id" to "fields", NULL when
        // stale. The triggers mark an envelope stale whenever a row its JSON
        // is made of changes, whoever writes it (signet or plain SQL); they
        // never rely on a conflict policy, which the statement that fires a
        // trigger would override (INSERT OR IGNORE INTO parties ...).
        // `status --json` fills stale rows back in; meta holds the format.
        // Replaced by 5.
        R"sql(
CREATE TABLE envelope_json (
    envelope_seq INTEGER PRIMARY KEY,
    json         TEXT
);
CREATE INDEX envelope_json_stale ON envelope_json (envelope_seq) WHERE json IS NULL;
INSERT INTO envelope_json (envelope_seq, json) SELECT seq, NULL FROM envelopes;
CREATE TRIGGER envelope_json_insert AFTER INSERT ON envelopes BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = NEW.seq;
    INSERT INTO envelope_json (envelope_seq, json) SELECT NEW.seq, NULL
        WHERE NOT EXISTS (SELECT 1 FROM envelope_json WHERE envelope_seq = NEW.seq);
END;
CREATE TRIGGER envelope_json_update AFTER UPDATE ON envelopes BEGIN
    DELETE FROM envelope_json WHERE envelope_seq = OLD.seq AND OLD.seq <> NEW.seq;
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = NEW.seq;
    INSERT INTO envelope_json (envelope_seq, json) SELECT NEW.seq, NULL
        WHERE NOT EXISTS (SELECT 1 FROM envelope_json WHERE envelope_seq = NEW.seq);
END;
CREATE TRIGGER envelope_json_delete AFTER DELETE ON envelopes BEGIN
    DELETE FROM envelope_json WHERE envelope_seq = OLD.seq;
END;
CREATE TRIGGER envelope_json_party_insert AFTER INSERT ON parties BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = NEW.envelope_seq;
END;
CREATE TRIGGER envelope_json_party_update AFTER UPDATE ON parties BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq IN (OLD.envelope_seq, NEW.envelope_seq);
END;
CREATE TRIGGER envelope_json_party_delete AFTER DELETE ON parties BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = OLD.envelope_seq;
END;
CREATE TRIGGER envelope_json_field_insert AFTER INSERT ON fields BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = NEW.envelope_seq;
END;
CREATE TRIGGER envelope_json_field_update AFTER UPDATE ON fields BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq IN (OLD.envelope_seq, NEW.envelope_seq);
END;
CREATE TRIGGER envelope_json_field_delete AFTER DELETE ON fields BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq = OLD.envelope_seq;
END;
-- A document's page count is in its envelopes' JSON. With foreign keys on
-- no envelope can name a document before it is inserted.
CREATE TRIGGER envelope_json_document_update AFTER UPDATE ON documents BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq IN
        (SELECT seq FROM envelopes WHERE document_sha256 IN (OLD.sha256, NEW.sha256));
END;
CREATE TRIGGER envelope_json_document_delete AFTER DELETE ON documents BEGIN
    UPDATE envelope_json SET json = NULL WHERE envelope_seq IN
        (SELECT seq FROM envelopes WHERE document_sha256 = OLD.sha256);
END;
)sql",
        // 5: the JSON cache moves out of this file, into cache/status.db (lib/
        // envelope/json_list.hpp), which holds each envelope's JSON with the
        // version of the envelope it was made from. Here, a random version
        // per envelope, drawn again by triggers whenever a row its JSON is
        // made of changes, whoever writes it (signet or plain SQL); they never
        // rely on a conflict policy, which the statement that fires a trigger
        // would override (INSERT OR IGNORE INTO parties ...). Random, so that
        // a database restored from a backup never matches a newer cache.
        R"sql(
DROP TRIGGER envelope_json_insert;
DROP TRIGGER envelope_json_update;
DROP TRIGGER envelope_json_delete;
DROP TRIGGER envelope_json_party_insert;
DROP TRIGGER envelope_json_party_update;
DROP TRIGGER envelope_json_party_delete;
DROP TRIGGER envelope_json_field_insert;
DROP TRIGGER envelope_json_field_update;
DROP TRIGGER envelope_json_field_delete;
DROP TRIGGER envelope_json_document_update;
DROP TRIGGER envelope_json_document_delete;
DROP TABLE envelope_json;
DELETE FROM meta WHERE key = 'envelope_json_format';
CREATE TABLE envelope_versions (
    envelope_seq INTEGER PRIMARY KEY,
    version      INTEGER NOT NULL
);
INSERT INTO envelope_versions (envelope_seq, version) SELECT seq, random() FROM envelopes;
CREATE TRIGGER envelope_version_insert AFTER INSERT ON envelopes BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.seq);
END;
CREATE TRIGGER envelope_version_update AFTER UPDATE ON envelopes BEGIN
    DELETE FROM envelope_versions WHERE envelope_seq = OLD.seq AND OLD.seq <> NEW.seq;
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.seq);
END;
CREATE TRIGGER envelope_version_delete AFTER DELETE ON envelopes BEGIN
    DELETE FROM envelope_versions WHERE envelope_seq = OLD.seq;
END;
CREATE TRIGGER envelope_version_party_insert AFTER INSERT ON parties BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.envelope_seq);
END;
CREATE TRIGGER envelope_version_party_update AFTER UPDATE ON parties BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = OLD.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT OLD.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = OLD.envelope_seq);
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.envelope_seq);
END;
CREATE TRIGGER envelope_version_party_delete AFTER DELETE ON parties BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = OLD.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT OLD.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = OLD.envelope_seq);
END;
CREATE TRIGGER envelope_version_field_insert AFTER INSERT ON fields BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.envelope_seq);
END;
CREATE TRIGGER envelope_version_field_update AFTER UPDATE ON fields BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = OLD.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT OLD.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = OLD.envelope_seq);
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = NEW.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT NEW.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = NEW.envelope_seq);
END;
CREATE TRIGGER envelope_version_field_delete AFTER DELETE ON fields BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq = OLD.envelope_seq;
    INSERT INTO envelope_versions (envelope_seq, version) SELECT OLD.envelope_seq, random()
        WHERE NOT EXISTS (SELECT 1 FROM envelope_versions WHERE envelope_seq = OLD.envelope_seq);
END;
-- A document's page count is in its envelopes' JSON. With foreign keys on
-- no envelope can name a document before it is inserted.
CREATE TRIGGER envelope_version_document_update AFTER UPDATE ON documents BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq IN
        (SELECT seq FROM envelopes WHERE document_sha256 IN (OLD.sha256, NEW.sha256));
END;
CREATE TRIGGER envelope_version_document_delete AFTER DELETE ON documents BEGIN
    UPDATE envelope_versions SET version = random() WHERE envelope_seq IN
        (SELECT seq FROM envelopes WHERE document_sha256 = OLD.sha256);
END;
)sql",
        // 6: expiry (lib/envelope/lifecycle.hpp, expire_due): every command
        // looks for waiting envelopes whose time has run out, so that
        // question is one seek, however many envelopes the store holds.
        R"sql(
CREATE INDEX envelopes_expiring ON envelopes (expires_at)
    WHERE status IN ('sent', 'in_progress');
)sql",
        // 7: an envelope's own expiry (a template's expires_in), recorded when
        // it is created and applied when it is sent (envelope::expiry_end):
        // "48h", "14d" or "2w", days counted in the envelope's zone (8). NULL:
        // config.yaml's expires_in at send.
        R"sql(
ALTER TABLE envelopes ADD COLUMN expires_in TEXT;
)sql",
        // 8: an envelope's own zone and date format (a template's timezone
        // and date_format): date_signed, the days of its expiry and the dates
        // of its certificate of completion. NULL: the store's (config.yaml).
        R"sql(
ALTER TABLE envelopes ADD COLUMN timezone TEXT;
ALTER TABLE envelopes ADD COLUMN date_format TEXT;
)sql",
        // 9: the language of an envelope's messages (a template's locale:
        // en pl ru de fr it). NULL: the store's (config.yaml).
        R"sql(
ALTER TABLE envelopes ADD COLUMN locale TEXT;
)sql",
    };
    return migrations;
}

void apply_migrations(Database& db, const std::vector<std::string>& migrations,
                      const std::string& name) {
    const int newest = static_cast<int>(migrations.size());
    const int current = db.schema_version();
    if (current > newest) {
        throw bad_input("the store \"" + name + "\" has schema version " +
                            std::to_string(current) + ", newer than this signet knows (" +
                            std::to_string(newest) + ")",
                        {"use the newer signet that made this store"});
    }
    for (int version = current; version < newest; ++version) {
        db.write([&] {
            // Re-read inside the lock: another process may have migrated.
            if (db.schema_version() > version) {
                return;
            }
            db.exec(migrations[static_cast<std::size_t>(version)]);
            if (version == 0) {
                db.exec("INSERT INTO schema_version (version) VALUES (1)");
            } else {
                db.prepare("UPDATE schema_version SET version = ?")
                    .bind(1, version + 1)
                    .run();
            }
        });
    }
}

}  // namespace signet::store
