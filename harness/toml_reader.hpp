#pragma once
// Typed, path-aware reads of a TOML table for profile loading (internal to the harness).
// Each read records the key, so finish() can reject unknown keys with a did-you-mean hint.
// Every error of a profile is reported at once (up to a limit), so a second typo does not
// wait for the first to be fixed: a field of the wrong type or an unknown key is noted in
// ProfileErrors and reading goes on; a rule that cannot go on throws ProfileError, which
// ends only the section being read (ProfileErrors::guard).
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace pbxbench::harness::detail {

// A profile error with its location and field already in the message.
struct ProfileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Every error found while loading one profile, in the order found, each "FILE:L:C: field:
// message". Past `limit` only the count grows: twenty errors are already a lot to fix.
class ProfileErrors {
  public:
    static constexpr std::size_t limit = 20;

    void add(std::string message);
    // Runs `read`; a ProfileError it throws is noted and reading goes on after it.
    template <class Read>
    void guard(Read&& read) {
        try {
            read();
        } catch (const ProfileError& e) {
            add(e.what());
        }
    }
    bool empty() const { return total_ == 0; }
    std::size_t count() const { return total_; }
    // One error per line, then "... and N more" past the limit.
    std::string text() const;

  private:
    std::vector<std::string> messages_;
    std::size_t total_ = 0;
};

// The closest of `candidates` to `word` when it is plausibly a typo, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a string", "an array", ... for messages like "expected X, got Y".
std::string describe(const toml::node& node);

class TableReader {
  public:
    // `file` prefixes every message; `path` is the field path of this table ("" for the root);
    // `errors` collects what can be reported without stopping.
    TableReader(const toml::table& table, std::string file, std::string path,
                ProfileErrors& errors);

    std::optional<std::string> string(std::string_view key);
    std::string required_string(std::string_view key);
    // A string, or an integer kept as its decimal text (ports: 5060 or "${SIP_PORT}").
    std::optional<std::string> string_or_integer(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<double> number(std::string_view key);  // integer or float; must be >= 0
    std::optional<std::vector<std::string>> strings(std::string_view key);
    std::vector<std::string> required_strings(std::string_view key);  // non-empty
    std::optional<std::map<std::string, std::string>> string_map(std::string_view key);
    std::optional<TableReader> table(std::string_view key);
    // [[key]] arrays of tables; each element must be a table.
    std::vector<TableReader> tables(std::string_view key);

    // Whether `key` is present and holds an array (without reading it).
    bool holds_array(std::string_view key) const;

    // Reports every key that was never read.
    void finish() const;

    // Throws "FILE:L:C: PATH.key: message" (location of the key's node, else of this table).
    [[noreturn]] void error(std::string_view key, const std::string& message) const;
    // The same message, noted without stopping.
    void report(std::string_view key, const std::string& message) const;
    std::string field(std::string_view key) const;
    const std::string& path() const { return path_; }

  private:
    const toml::node* get(std::string_view key);
    std::string missing(std::string_view key, const std::string& expected) const;
    std::string location(const toml::node* node) const;

    const toml::table* table_;
    std::string file_;
    std::string path_;
    ProfileErrors* errors_;
    std::set<std::string, std::less<>> read_;
};

}  // namespace pbxbench::harness::detail
