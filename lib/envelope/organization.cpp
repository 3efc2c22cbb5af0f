#include "envelope/organization.hpp"

#include "auth/tokens.hpp"
#include "crypto/passphrase.hpp"
#include "signet/error.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"

#include <unistd.h>

namespace signet::envelope {
namespace {

std::string host_name() {
    const std::string& host = util::host_name();
    return host.empty() ? "signet" : host;
}

}  // namespace

std::filesystem::path keys_dir(const store::Store& store) { return store.dir() / "keys"; }

InitResult initialise(const InitRequest& request) {
    const auto keys = request.dir / "keys";
    const bool need_keys = !crypto::OrganizationPki::exists(keys);
    if (!need_keys && request.seal_p12) {
        throw bad_input("the store \"" + request.dir.string() + "\" already has its keys",
                        {"import a seal into a new store"});
    }
    // Passphrases first: a refused or missing one leaves nothing written.
    std::string passphrase;
    std::string p12_passphrase;
    if (need_keys) {
        passphrase = crypto::key_passphrase("Passphrase for the organisation's keys: ",
                                            crypto::Confirm::yes);
        if (request.seal_p12) {
            crypto::PassphraseSource p12_source;
            p12_source.env_var = "SIGNET_P12_PASSPHRASE";
            p12_source.file_env_var = "";
            p12_source.what = "PKCS#12 passphrase";
            p12_passphrase = crypto::key_passphrase(
                "Passphrase of \"" + request.seal_p12->string() + "\": ", crypto::Confirm::no,
                p12_source);
        }
    }
    const store::InitResult made = store::Store::init(request.dir, request.organization);
    InitResult result;
    result.dir = made.dir;
    result.created = made.created;
    store::Store store(request.dir);
    result.organization = store.organization();
    auth::TokenKey::load_or_create(keys);
    if (!need_keys) {
        return result;
    }
    if (request.seal_p12) {
        crypto::OrganizationPki::import_seal_p12(keys, *request.seal_p12, p12_passphrase,
                                                 passphrase);
    } else {
        const std::string organization =
            result.organization.empty() ? host_name() : result.organization;
        crypto::OrganizationPki::create(keys, organization, passphrase, util::now());
    }
    result.keys_created = true;
    return result;
}

crypto::OrganizationPki load_pki(const store::Store& store) {
    const auto keys = keys_dir(store);
    if (!crypto::OrganizationPki::exists(keys)) {
        throw bad_input("the store \"" + store.dir().string() + "\" has no organisation keys",
                        {"create them with: signet init"});
    }
    return crypto::OrganizationPki::load(
        keys, crypto::key_passphrase("Passphrase for the organisation's keys: "));
}

}  // namespace signet::envelope
