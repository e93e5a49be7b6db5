#pragma once
// One definition per command-line option, three uses: a struct's `for_each_arg` names every
// field once with an ArgSpec, and these helpers turn that list into CLI11 options bound to the
// fields, a JSON object (the config file the harness writes) and back, strictly. Included only
// by the .cpp files that define an args struct, so CLI11 stays out of every other header.
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/arg_spec.hpp"
#include "base/error.hpp"

namespace pbxbench::args {

// Registers one field as a CLI11 option (a flag for bool), with its default shown and its range.
template <class T>
void add_arg(CLI::App& app, const ArgSpec& s, T& field) {
    CLI::Option* o = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
        o = app.add_flag(std::string(s.names), field, std::string(s.help));
    } else {
        o = app.add_option(std::string(s.names), field, std::string(s.help));
        if constexpr (std::is_same_v<T, std::vector<std::string>>)
            o->delimiter(',');
        else
            o->capture_default_str();
        if (std::isfinite(s.min) || std::isfinite(s.max)) o->check(CLI::Range(s.min, s.max));
    }
    if (s.hidden) o->group("");
}

// Thrown by get_arg while a file is read; turned into a Result by the caller.
struct ArgError {
    std::string message;
};

template <class T>
void put_arg(nlohmann::json& j, const ArgSpec& s, const T& field) {
    j[arg_key(s.names)] = field;
}

// Reads `field` from j[key] if present: the JSON type must fit and the value lie in range.
template <class T>
void get_arg(const nlohmann::json& j, const ArgSpec& s, T& field) {
    const std::string key = arg_key(s.names);
    auto it = j.find(key);
    if (it == j.end()) return;
    const nlohmann::json& v = *it;
    auto wrong = [&](std::string_view expected) {
        throw ArgError{"\"" + key + "\": expected " + std::string(expected) + ", got " + v.dump()};
    };
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean()) wrong("true or false");
        field = v.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!v.is_string()) wrong("a string");
        field = v.get<std::string>();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (!v.is_array()) wrong("an array of strings");
        field.clear();
        for (const auto& item : v) {
            if (!item.is_string()) wrong("an array of strings");
            field.push_back(item.get<std::string>());
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number()) wrong("a number");
        field = v.get<T>();
    } else {
        static_assert(std::is_integral_v<T>);
        if (!v.is_number_integer()) wrong("an integer");
        const double d = v.get<double>();
        if (std::is_unsigned_v<T> && d < 0) wrong("a non-negative integer");
        if (d < static_cast<double>(std::numeric_limits<T>::min()) ||
            d > static_cast<double>(std::numeric_limits<T>::max()))
            wrong("an integer that fits");
        field = v.get<T>();
    }
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        const auto d = static_cast<double>(field);
        if (d < s.min || d > s.max) {
            throw ArgError{"\"" + key + "\": " + v.dump() + " is outside " +
                           nlohmann::json(s.min).dump() + " to " + nlohmann::json(s.max).dump()};
        }
    }
}

// The three visitors `for_each_arg(args, visitor)` is called with.
struct CliVisitor {
    CLI::App& app;
    template <class T>
    void operator()(const ArgSpec& s, T& field) const {
        add_arg(app, s, field);
    }
};

struct JsonWriter {
    nlohmann::json& out;
    template <class T>
    void operator()(const ArgSpec& s, const T& field) const {
        put_arg(out, s, field);
    }
};

struct JsonReader {
    const nlohmann::json& in;
    std::set<std::string>& known;  // every key visited, to find the unknown ones after
    template <class T>
    void operator()(const ArgSpec& s, T& field) const {
        known.insert(arg_key(s.names));
        get_arg(in, s, field);
    }
};

// Fills `args` (already holding its defaults) from `j` through `for_each`: every key must be
// one of the options, with a value of its type and range. `what` names the file in errors.
template <class Args, class ForEach>
Result<void> read_args(const nlohmann::json& j, Args& args, ForEach for_each,
                       std::string_view what) {
    if (!j.is_object()) return fail(std::string(what) + ": expected a JSON object of options");
    std::set<std::string> known;
    try {
        for_each(args, JsonReader{j, known});
    } catch (const ArgError& e) {
        return fail(std::string(what) + ": " + e.message);
    }
    for (const auto& [key, value] : j.items()) {
        if (!known.contains(key)) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            return fail(std::string(what) + ": unknown option \"" + key + "\" (known: " + list +
                        ")");
        }
    }
    return {};
}

}  // namespace pbxbench::args
