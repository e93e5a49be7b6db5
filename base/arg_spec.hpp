#pragma once
// How one command-line option is declared in an args struct's `for_each_arg` (see
// base/arg_fields.hpp for what is made of the list). No CLI11 here.
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

namespace pbxbench::args {

struct ArgSpec {
    std::string_view names;  // CLI11 names, e.g. "-n,--total"; the last long name is the key
    std::string_view help;
    double min = -std::numeric_limits<double>::infinity();  // inclusive; checked on the
    double max = std::numeric_limits<double>::infinity();   // command line and in files
    bool hidden = false;                                    // a test aid: left out of --help
};

// "-n,--total" -> "total", "--from-user" -> "from_user": the JSON key of an option.
inline std::string arg_key(std::string_view names) {
    std::string_view last;
    for (std::size_t start = 0; start <= names.size();) {
        std::size_t comma = std::min(names.find(',', start), names.size());
        std::string_view name = names.substr(start, comma - start);
        if (name.starts_with("--")) last = name.substr(2);
        start = comma + 1;
    }
    std::string key(last);
    for (char& c : key)
        if (c == '-') c = '_';
    return key;
}

}  // namespace pbxbench::args
