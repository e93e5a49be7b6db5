#pragma once
// The two error tiers (see ARCHITECTURE.md): expected failures travel as values,
// unrecoverable ones throw Fatal, which main() catches once.
#include <stdexcept>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace pbxbench {

// An expected failure: a message that does not parse, a peer that times out.
struct Error {
    std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string message) {
    return tl::unexpected<Error>(Error{std::move(message)});
}

// Process exit codes, shared by every subcommand.
enum class ExitCode : int {
    success = 0,
    failed = 1,        // benchmark failed its thresholds, calls failed, or the SUT failed
    usage = 2,         // bad command line or profile
    interrupted = 130  // SIGINT/SIGTERM
};

// Unrecoverable: main() prints "error: <what>" and exits with `code`.
class Fatal : public std::runtime_error {
  public:
    explicit Fatal(const std::string& what, ExitCode code = ExitCode::failed)
        : std::runtime_error(what), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

}  // namespace pbxbench
