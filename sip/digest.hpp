#pragma once
// HTTP Digest authentication as SIP uses it (RFC 2617, RFC 7616, RFC 3261 §22):
// challenge parsing, Authorization building, and verification for a test registrar.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace pbxbench::sip {

enum class DigestAlgorithm { md5, md5_sess, sha256, sha256_sess };

// The quality of protection a response uses; `none` is RFC 2069 compatibility.
enum class Qop { none, auth, auth_int };

// The token as it appears in headers: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess".
std::string_view to_string(DigestAlgorithm a);

// "", "auth" or "auth-int".
std::string_view to_string(Qop q);

// The algorithm named by `token` (case-insensitive), or nullopt if unknown.
std::optional<DigestAlgorithm> parse_algorithm(std::string_view token);

// A parsed WWW-Authenticate or Proxy-Authenticate Digest challenge.
struct Challenge {
    std::string realm;
    std::string nonce;
    std::optional<std::string> opaque;  // echoed back verbatim when present
    std::string domain;                 // space-separated URIs; empty if absent
    DigestAlgorithm algorithm = DigestAlgorithm::md5;
    bool qop_auth = false;
    bool qop_auth_int = false;
    bool stale = false;
};

// Parses a WWW-Authenticate or Proxy-Authenticate header value; fails unless it is a Digest
// challenge with a realm and a nonce and an algorithm we implement.
Result<Challenge> parse_challenge(std::string_view header_value);

struct Credentials {
    std::string username;
    std::string password;
};

// The qop a client answers `c` with: auth if offered, else auth-int if offered, else none.
Qop choose_qop(const Challenge& c);

// The lowercase hex request-digest of RFC 7616 §3.4.1; `nc_hex`, `cnonce` and `body` are
// ignored where the algorithm and qop do not use them.
std::string digest_response(DigestAlgorithm algorithm, std::string_view username,
                            std::string_view realm, std::string_view password,
                            std::string_view nonce, std::string_view nc_hex,
                            std::string_view cnonce, Qop qop, std::string_view method,
                            std::string_view uri, std::string_view body);

// The value of an Authorization or Proxy-Authorization header answering `c`.
std::string build_authorization(const Challenge& c, const Credentials& creds,
                                std::string_view method, std::string_view digest_uri,
                                std::uint32_t nonce_count, std::string_view cnonce,
                                std::string_view body = {});

// A parsed Authorization or Proxy-Authorization Digest header value.
struct AuthorizationFields {
    std::string username;
    std::string realm;
    std::string nonce;
    std::string uri;
    std::string response;
    std::string cnonce;
    std::string nc;  // eight hex digits when qop is not none
    std::optional<std::string> opaque;
    DigestAlgorithm algorithm = DigestAlgorithm::md5;
    Qop qop = Qop::none;
};

// Parses an Authorization or Proxy-Authorization header value; fails if a field a verifier
// needs is missing or malformed.
Result<AuthorizationFields> parse_authorization(std::string_view header_value);

// Whether `f.response` is right for `password`, `method` and (for auth-int) `body`.
// Checks only the digest: nonce freshness and realm are the verifier's business.
bool verify_authorization(const AuthorizationFields& f, std::string_view password,
                          std::string_view method, std::string_view body = {});

// 32 lowercase hex digits from RAND_bytes, for the cnonce parameter.
std::string make_cnonce();

}  // namespace pbxbench::sip
