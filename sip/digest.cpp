#include "sip/digest.hpp"

#include <array>
#include <initializer_list>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sip/text.hpp"

namespace pbxbench::sip {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::string to_hex(const unsigned char* data, std::size_t size) {
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(hex_digits[data[i] >> 4]);
        out.push_back(hex_digits[data[i] & 0x0f]);
    }
    return out;
}

bool is_sha256(DigestAlgorithm a) {
    return a == DigestAlgorithm::sha256 || a == DigestAlgorithm::sha256_sess;
}

bool is_sess(DigestAlgorithm a) {
    return a == DigestAlgorithm::md5_sess || a == DigestAlgorithm::sha256_sess;
}

// H(data) of RFC 7616, lowercase hex.
std::string hash_hex(DigestAlgorithm a, std::string_view data) {
    const EVP_MD* md = is_sha256(a) ? EVP_sha256() : EVP_md5();
    std::array<unsigned char, EVP_MAX_MD_SIZE> buf{};
    unsigned int len = 0;
    // Fails only when the provider lacks the algorithm (MD5 under a FIPS-only configuration).
    if (md == nullptr || EVP_Digest(data.data(), data.size(), buf.data(), &len, md, nullptr) != 1) {
        throw Fatal("OpenSSL cannot compute " + std::string(to_string(a)) +
                    "; enable the default provider (MD5 is unavailable in FIPS-only mode)");
    }
    return to_hex(buf.data(), len);
}

// Joins the parts with ':' as every Digest formula does.
std::string colon_join(std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (std::string_view p : parts) {
        if (!first) out += ':';
        out += p;
        first = false;
    }
    return out;
}

void append_quoted(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += "=\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

struct Param {
    std::string_view name;
    std::string value;  // unquoted
};

// Whether `raw` is one complete quoted-string, honouring \-escapes.
bool is_quoted_string(std::string_view raw) {
    if (raw.size() < 2 || raw.front() != '"') return false;
    for (std::size_t i = 1; i < raw.size(); ++i) {
        if (raw[i] == '\\') {
            ++i;
        } else if (raw[i] == '"') {
            return i + 1 == raw.size();
        }
    }
    return false;
}

// Splits `Digest name=value, name="value"...`; `what` names the header kind in errors.
Result<std::vector<Param>> parse_digest_params(std::string_view header_value,
                                               std::string_view what) {
    std::string_view v = trim(header_value);
    std::size_t sp = v.find_first_of(" \t");
    std::string_view scheme = v.substr(0, sp);
    if (!iequals(scheme, "Digest")) {
        return fail(std::string(what) + " scheme is \"" + std::string(scheme.substr(0, 32)) +
                    "\", not Digest");
    }
    std::vector<Param> params;
    CommaList list(sp == std::string_view::npos ? std::string_view{} : v.substr(sp));
    while (auto item = list.next()) {
        std::size_t eq = item->find('=');
        std::string_view name = trim(item->substr(0, eq));
        std::string shown(item->substr(0, 64));
        if (eq == std::string_view::npos || !is_token(name)) {
            return fail(std::string(what) + " parameter is not name=value: " + shown);
        }
        std::string_view raw = trim(item->substr(eq + 1));
        bool quoted = !raw.empty() && raw.front() == '"';
        if (quoted ? !is_quoted_string(raw)
                   : raw.empty() || raw.find_first_of("\" \t") != std::string_view::npos) {
            return fail(std::string(what) + " parameter has a malformed value: " + shown);
        }
        for (const Param& p : params) {
            // Two nonces (say) would leave us guessing which one the server meant.
            if (iequals(p.name, name)) {
                return fail(std::string(what) + " repeats parameter " + std::string(name));
            }
        }
        params.push_back(Param{name, unquote(raw)});
    }
    return params;
}

const std::string* find_param(const std::vector<Param>& params, std::string_view name) {
    for (const Param& p : params) {
        if (iequals(p.name, name)) return &p.value;
    }
    return nullptr;
}

Result<DigestAlgorithm> algorithm_param(const std::vector<Param>& params, std::string_view what) {
    const std::string* a = find_param(params, "algorithm");
    if (!a) return DigestAlgorithm::md5;  // RFC 2617 §3.2.1 default
    auto alg = parse_algorithm(*a);
    if (!alg) return fail(std::string(what) + " uses unsupported algorithm " + a->substr(0, 32));
    return *alg;
}

bool is_hex8(std::string_view s) {
    if (s.size() != 8) return false;
    for (char c : s) {
        if (!is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
}

}  // namespace

std::string_view to_string(DigestAlgorithm a) {
    switch (a) {
        case DigestAlgorithm::md5:
            return "MD5";
        case DigestAlgorithm::md5_sess:
            return "MD5-sess";
        case DigestAlgorithm::sha256:
            return "SHA-256";
        case DigestAlgorithm::sha256_sess:
            return "SHA-256-sess";
    }
    return "MD5";
}

std::string_view to_string(Qop q) {
    switch (q) {
        case Qop::none:
            return "";
        case Qop::auth:
            return "auth";
        case Qop::auth_int:
            return "auth-int";
    }
    return "";
}

std::optional<DigestAlgorithm> parse_algorithm(std::string_view token) {
    for (DigestAlgorithm a : {DigestAlgorithm::md5, DigestAlgorithm::md5_sess,
                              DigestAlgorithm::sha256, DigestAlgorithm::sha256_sess}) {
        if (iequals(token, to_string(a))) return a;
    }
    return std::nullopt;
}

Result<Challenge> parse_challenge(std::string_view header_value) {
    constexpr std::string_view what = "Digest challenge";
    auto params = parse_digest_params(header_value, what);
    if (!params) return tl::unexpected(params.error());
    Challenge c;
    const std::string* realm = find_param(*params, "realm");
    const std::string* nonce = find_param(*params, "nonce");
    if (!realm) return fail("Digest challenge has no realm");
    if (!nonce || nonce->empty()) return fail("Digest challenge has no nonce");
    c.realm = *realm;
    c.nonce = *nonce;
    if (const std::string* o = find_param(*params, "opaque")) c.opaque = *o;
    if (const std::string* d = find_param(*params, "domain")) c.domain = *d;
    if (const std::string* s = find_param(*params, "stale")) c.stale = iequals(*s, "true");
    auto alg = algorithm_param(*params, what);
    if (!alg) return tl::unexpected(alg.error());
    c.algorithm = *alg;
    if (const std::string* q = find_param(*params, "qop")) {
        CommaList options(*q);
        while (auto opt = options.next()) {
            if (iequals(*opt, "auth")) c.qop_auth = true;
            if (iequals(*opt, "auth-int")) c.qop_auth_int = true;
        }
        // A qop list we cannot satisfy must not fall back to RFC 2069 silently.
        if (!c.qop_auth && !c.qop_auth_int) {
            return fail("Digest challenge offers neither qop auth nor auth-int: " +
                        q->substr(0, 32));
        }
    }
    return c;
}

Qop choose_qop(const Challenge& c) {
    if (c.qop_auth) return Qop::auth;
    if (c.qop_auth_int) return Qop::auth_int;
    return Qop::none;
}

std::string digest_response(DigestAlgorithm algorithm, std::string_view username,
                            std::string_view realm, std::string_view password,
                            std::string_view nonce, std::string_view nc_hex,
                            std::string_view cnonce, Qop qop, std::string_view method,
                            std::string_view uri, std::string_view body) {
    std::string ha1 = hash_hex(algorithm, colon_join({username, realm, password}));
    if (is_sess(algorithm)) ha1 = hash_hex(algorithm, colon_join({ha1, nonce, cnonce}));
    std::string ha2 =
        qop == Qop::auth_int
            ? hash_hex(algorithm, colon_join({method, uri, hash_hex(algorithm, body)}))
            : hash_hex(algorithm, colon_join({method, uri}));
    if (qop == Qop::none) return hash_hex(algorithm, colon_join({ha1, nonce, ha2}));
    return hash_hex(algorithm, colon_join({ha1, nonce, nc_hex, cnonce, to_string(qop), ha2}));
}

std::string build_authorization(const Challenge& c, const Credentials& creds,
                                std::string_view method, std::string_view digest_uri,
                                std::uint32_t nonce_count, std::string_view cnonce,
                                std::string_view body) {
    Qop qop = choose_qop(c);
    std::string nc(8, '0');
    for (int i = 7; i >= 0; --i, nonce_count >>= 4) nc[i] = hex_digits[nonce_count & 0x0f];
    std::string response = digest_response(c.algorithm, creds.username, c.realm, creds.password,
                                           c.nonce, nc, cnonce, qop, method, digest_uri, body);
    std::string out = "Digest ";
    append_quoted(out, "username", creds.username);
    append_quoted(out, ", realm", c.realm);
    append_quoted(out, ", nonce", c.nonce);
    append_quoted(out, ", uri", digest_uri);
    append_quoted(out, ", response", response);
    out += ", algorithm=";
    out += to_string(c.algorithm);
    // The -sess algorithms hash the cnonce into HA1, so the server needs it even without qop.
    if (qop != Qop::none || is_sess(c.algorithm)) append_quoted(out, ", cnonce", cnonce);
    if (qop != Qop::none) {
        out += ", qop=";
        out += to_string(qop);
        out += ", nc=";
        out += nc;
    }
    if (c.opaque) append_quoted(out, ", opaque", *c.opaque);
    return out;
}

Result<AuthorizationFields> parse_authorization(std::string_view header_value) {
    constexpr std::string_view what = "Digest authorization";
    auto params = parse_digest_params(header_value, what);
    if (!params) return tl::unexpected(params.error());
    AuthorizationFields f;
    struct Required {
        const char* name;
        std::string* field;
    };
    for (Required r : {Required{"username", &f.username}, Required{"realm", &f.realm},
                       Required{"nonce", &f.nonce}, Required{"uri", &f.uri},
                       Required{"response", &f.response}}) {
        const std::string* v = find_param(*params, r.name);
        if (!v) return fail("Digest authorization has no " + std::string(r.name));
        *r.field = *v;
    }
    auto alg = algorithm_param(*params, what);
    if (!alg) return tl::unexpected(alg.error());
    f.algorithm = *alg;
    if (const std::string* o = find_param(*params, "opaque")) f.opaque = *o;
    if (const std::string* cn = find_param(*params, "cnonce")) f.cnonce = *cn;
    if (const std::string* q = find_param(*params, "qop")) {
        if (iequals(*q, "auth")) {
            f.qop = Qop::auth;
        } else if (iequals(*q, "auth-int")) {
            f.qop = Qop::auth_int;
        } else {
            return fail("Digest authorization has unknown qop " + q->substr(0, 32));
        }
        const std::string* nc = find_param(*params, "nc");
        if (!nc || !is_hex8(*nc))
            return fail("Digest authorization with qop needs nc of 8 hex digits");
        f.nc = *nc;
    }
    if ((f.qop != Qop::none || is_sess(f.algorithm)) && f.cnonce.empty()) {
        return fail("Digest authorization has no cnonce");
    }
    return f;
}

bool verify_authorization(const AuthorizationFields& f, std::string_view password,
                          std::string_view method, std::string_view body) {
    std::string expected = digest_response(f.algorithm, f.username, f.realm, password, f.nonce,
                                           f.nc, f.cnonce, f.qop, method, f.uri, body);
    if (f.response.size() != expected.size()) return false;
    std::string got = f.response;
    for (char& ch : got) {
        if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch + 32);  // hex is case-insensitive
    }
    // Constant time, since a test registrar may face a real client.
    return CRYPTO_memcmp(got.data(), expected.data(), got.size()) == 0;
}

std::string make_cnonce() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw Fatal("OpenSSL RAND_bytes failed: the system random source is unavailable");
    }
    return to_hex(bytes.data(), bytes.size());
}

}  // namespace pbxbench::sip
