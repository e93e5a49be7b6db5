#pragma once
// One caller's digest state for out-of-dialog requests (MESSAGE today): the challenge it last
// answered, kept so its next request carries credentials at once with the nonce count
// incremented (RFC 7616 §3.4), as UacCore does for INVITEs. Pure logic over sip/digest.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/digest.hpp"
#include "sip/message.hpp"

namespace pbxbench::uac {

class CallerDigest {
  public:
    // The header line ("Proxy-Authorization: Digest ...") for a new request from the cached
    // challenge, or empty when there is none (or no password to answer with).
    std::string cached_line(const sip::Credentials& creds, std::string_view method,
                            std::string_view uri);

    enum class Answer : std::uint8_t { answered, unsupported, no_credentials };
    // Answers the 401/407 `challenge` with a fresh nonce count; the line goes to `line`.
    // `unsupported`: another scheme or an algorithm we lack.
    Answer answer(const sip::Message& challenge, const sip::Credentials& creds,
                  std::string_view method, std::string_view uri, std::string& line);

    // Whether the challenge in this 401/407 says stale=true (our credentials were right, only
    // the nonce was refused: one more answer is deserved).
    static bool is_stale(const sip::Message& challenge);

    // Forgets the cached challenge: the next request starts from a fresh one.
    void forget() { challenge_.reset(); }
    bool has_challenge() const { return challenge_.has_value(); }

  private:
    std::optional<sip::Challenge> challenge_;
    bool proxy_ = false;
    std::uint32_t nonce_count_ = 0;
};

}  // namespace pbxbench::uac
