// sign: one party's signing step. The party shows its token (access.hpp),
// reviews what it signs, proves its contact with a one-time code, fills its
// own fields, adds its signature (and stamp where asked) and consents; the
// document gets one incremental update holding only this party's values and
// appearances and its signature (PAdES B-B, FieldMDP lock over its fields),
// then the next parties are invited, or the envelope is completed.
#pragma once

#include "envelope/access.hpp"
#include "envelope/model.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace signet::envelope {

// What a party is shown before it signs.
struct SigningReview {
    std::string envelope_id;
    std::string title;
    std::string sender;      // "owner (Organisation)"
    int pages = 0;
    std::string sha256;      // the revision being signed
    std::string role;
    std::string party_name;
    std::optional<std::string> party_email;  // an e-mail field defaults to it
    std::vector<Field> fields;  // this party's fields, in the envelope's order
    bool must_stamp = false;    // the party has stamp fields (required or not)
    std::string code_channel;   // "mail" or "sms": where the one-time code goes
    std::string code_to;        // the contact, partly hidden
    std::string locale;         // the envelope's language (message_locale): the prompt's
};

SigningReview review_signing(store::Store& store, const PartyAccess& access);

// What the signer gives. Values are by field name; only this party's fields.
struct SignInput {
    std::optional<std::string> code;
    std::map<std::string, std::string> values;
    std::optional<std::filesystem::path> signature_image;
    std::optional<std::string> signature_text;
    std::optional<std::filesystem::path> stamp_image;
    bool agreed = false;
    // The signer's own certificate and key instead of one issued by the
    // organisation's CA; its passphrase comes from SIGNET_P12_PASSPHRASE or
    // the terminal.
    std::optional<std::filesystem::path> p12;
};

// Something sign_envelope() still needs, for a prompt or an error message.
struct MissingInput {
    enum class Kind { code, field, signature, stamp, consent };
    Kind kind;
    std::string field;  // Kind::field: the field's name
    std::string what;   // for people: "the one-time code", "field \"address\" (Your address)"
};

// What is still missing from `input` for this party, in the order a prompt
// asks for it: the code, required fields without a value (date_signed,
// name and email fields are filled by signet), the signature, the stamp,
// consent.
std::vector<MissingInput> missing_inputs(const SigningReview& review, const SignInput& input);

// Checks the given values without signing: each names a field of this
// party (another party's field, an unknown one or one signet fills is
// refused) and is valid for its type. Throws bad_input naming the field.
void check_values(const SigningReview& review, const SignInput& input);

struct SignResult {
    std::string envelope_id;
    std::string role;
    std::string sha256;            // the revision this party signed (its update)
    std::string status;            // the envelope's status after
    std::vector<std::string> invited;  // roles invited next
    bool completed = false;
    std::string final_sha256;      // when completed: the sealed document
    std::string certificate_serial;  // the signer's certificate, hex
    int undelivered = 0;           // messages whose delivery failed now (kept for retry)
};

// Signs as the authenticated party: checks everything first (the inputs,
// then the code: a wrong one counts against the party and throws
// auth_failed), then writes the update and records it in one transaction
// (party signed, its fields filled, the revision, an audit event, the next
// parties' invitations), delivers, and completes the envelope after the
// last party. Throws bad_input naming what is missing or wrong (nothing
// written), not_allowed when the envelope moved on meanwhile.
SignResult sign_envelope(store::Store& store, const PartyAccess& access, const SignInput& input,
                         util::UnixTime now);

// sign --batch: the company's signatory with hundreds of envelopes waiting
// signs them all after one authentication and one review.
struct BatchEntry {
    std::string envelope_id;
    std::string title;
    std::string role;
    std::string counterparties;  // the other parties' names, comma-separated
    std::string sha256;          // the revision to be signed
};

struct BatchReview {
    PartyAccess anchor;         // the party the token opens
    std::string code_channel;   // "mail" or "sms"
    std::string code_to;        // the contact, partly hidden
    // Every envelope whose turn it is for a party with the same contact
    // (the one codes go to) as the anchor, the anchor's own envelope last:
    // its token stays valid until the end, so an interrupted batch is
    // resumed by running the same command again.
    std::vector<BatchEntry> entries;
};

// Authenticates the token alone (the envelope is found by the token) and
// lists the envelopes waiting for the same person. Throws as authenticate().
BatchReview review_batch(store::Store& store, const std::string& token, util::UnixTime now);

struct BatchResult {
    std::vector<SignResult> envelopes;  // in the order signed
    int undelivered = 0;
};

// Called after each envelope is signed: how many are done, of how many.
using BatchProgress = std::function<void(std::size_t done, std::size_t total,
                                         const SignResult& last)>;

// Checks the inputs against every envelope of the review first (one bad
// envelope: bad_input naming it, nothing signed), then the code once, then
// signs each envelope — its own update, signature, audit event, next
// invitations and completion — with one certificate issued for the signer
// and the images decoded once. The documents are written on worker
// threads while this thread records them in the review's order, so the
// anchor's envelope is recorded after every other one; an error in one
// envelope stops the batch there, the envelopes before it staying signed.
// Values given for fields that an envelope lacks are ignored there.
BatchResult sign_batch(store::Store& store, const BatchReview& review, const SignInput& input,
                       util::UnixTime now, const BatchProgress& progress = {});

}  // namespace signet::envelope
