#include "uac/caller_digest.hpp"

namespace pbxbench::uac {

namespace {

std::string header_line(bool proxy, const std::string& value) {
    return std::string(proxy ? "Proxy-Authorization" : "Authorization") + ": " + value;
}

std::string_view challenge_header(const sip::Message& r) {
    return r.header(r.status() == 407 ? sip::HeaderId::proxy_authenticate
                                      : sip::HeaderId::www_authenticate);
}

}  // namespace

std::string CallerDigest::cached_line(const sip::Credentials& creds, std::string_view method,
                                      std::string_view uri) {
    if (!challenge_ || creds.password.empty()) return {};
    return header_line(proxy_, sip::build_authorization(*challenge_, creds, method, uri,
                                                        ++nonce_count_, sip::make_cnonce()));
}

CallerDigest::Answer CallerDigest::answer(const sip::Message& r, const sip::Credentials& creds,
                                          std::string_view method, std::string_view uri,
                                          std::string& line) {
    auto challenge = sip::parse_challenge(challenge_header(r));
    if (!challenge) return Answer::unsupported;
    if (creds.username.empty() || creds.password.empty()) return Answer::no_credentials;
    challenge_ = std::move(*challenge);
    proxy_ = r.status() == 407;
    nonce_count_ = 1;
    line = header_line(
        proxy_, sip::build_authorization(*challenge_, creds, method, uri, 1, sip::make_cnonce()));
    return Answer::answered;
}

bool CallerDigest::is_stale(const sip::Message& r) {
    auto challenge = sip::parse_challenge(challenge_header(r));
    return challenge && challenge->stale;
}

}  // namespace pbxbench::uac
