#pragma once
// How one command-line option is declared in an args struct's `for_each_arg` (see
// base/arg_fields.hpp for what is made of the list). No CLI11 here.
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration_text.hpp"

namespace pbxbench::args {

struct ArgSpec {
    std::string_view names;  // CLI11 names, e.g. "-n,--total"; the last long name is the key
    std::string_view help;
    double min = -std::numeric_limits<double>::infinity();  // inclusive, in the field's unit;
    double max =
        std::numeric_limits<double>::infinity();  // checked on the command line and in files
    bool hidden = false;                                    // a test aid: left out of --help
    // A duration stored in this unit: the option takes "500ms", "3s", "2m" (a bare number is
    // seconds) and config files hold the same text.
    Unit duration = Unit::none;
    // Earlier spellings, e.g. "-n,--count": still accepted (hidden, with a note on stderr) on
    // the command line and as config keys, so scripts written for them keep working. An old
    // name ending in -ms took a bare number of milliseconds, and still does.
    std::string_view old_names = {};
};

// The long and short names in a CLI11 name list: "-n,--total" -> {"-n", "--total"}.
inline std::vector<std::string_view> split_names(std::string_view names) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0; start < names.size();) {
        std::size_t comma = std::min(names.find(',', start), names.size());
        if (comma > start) out.push_back(names.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

// "-n,--total" -> "total", "--from-user" -> "from_user": the JSON key of an option.
inline std::string arg_key(std::string_view names) {
    std::string_view last;
    for (std::string_view name : split_names(names))
        if (name.starts_with("--")) last = name.substr(2);
    std::string key(last);
    for (char& c : key)
        if (c == '-') c = '_';
    return key;
}

// The description of an old spelling's hidden option: "renamed to --t1". Config-file merging
// reads it back to find the key the value belongs to.
inline constexpr std::string_view renamed_to = "renamed to ";

}  // namespace pbxbench::args
