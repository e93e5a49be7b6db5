#pragma once
// One definition per command-line option, three uses: a struct's `for_each_arg` names every
// field once with an ArgSpec, and these helpers turn that list into CLI11 options bound to the
// fields, a JSON object (the config file the harness writes) and back, strictly. Included only
// by the .cpp files that define an args struct, so CLI11 stays out of every other header.
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/arg_spec.hpp"
#include "base/error.hpp"

namespace pbxbench::args {

// A duration field's value as text: "500ms" or "3s" in the field's unit.
template <class T>
std::string duration_text(const ArgSpec& s, const T& field) {
    return format_duration(static_cast<double>(field), s.duration);
}

// "[1ms - 10s]", the range of a duration option as its help shows it.
inline std::string duration_range(const ArgSpec& s) {
    if (!std::isfinite(s.min) && !std::isfinite(s.max)) return {};
    auto end = [&](double v) { return std::isfinite(v) ? format_duration(v, s.duration) : "any"; };
    return "[" + end(s.min) + " - " + end(s.max) + "]";
}

// Converts duration text to the field's unit and checks the range: the number CLI11 then
// stores, or an error that says how to write one. `bare` is the unit of a bare number.
template <class T>
std::string to_field_unit(const ArgSpec& s, std::string& text, Unit bare) {
    auto seconds = parse_duration_seconds(text, bare);
    if (!seconds)
        return "'" + text + "' is not a duration: write it like 500ms, 3s or 2m (a bare number " +
               "is " + (bare == Unit::milliseconds ? "milliseconds" : "seconds") + ")";
    double value = *seconds / unit_seconds(s.duration);
    if constexpr (std::is_integral_v<T>) value = std::round(value);
    if (value < s.min || value > s.max) {
        // `--t1 20` meant as milliseconds by habit: say how the bare number was read.
        const bool bare_number =
            !text.empty() &&
            (std::isdigit(static_cast<unsigned char>(text.back())) != 0 || text.back() == '.');
        return text + " is outside " + duration_range(s) +
               (bare_number && bare == Unit::seconds
                    ? " (a bare number is seconds: write " + text + "ms for milliseconds)"
                    : std::string());
    }
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, std::is_integral_v<T> ? "%.0f" : "%.17g", value);
    text = buffer;
    return {};
}

// The unit a bare number had under an old spelling: "--t1-ms" took milliseconds.
inline Unit old_bare_unit(std::string_view old_name) {
    return old_name.ends_with("-ms") || old_name.ends_with("_ms") ? Unit::milliseconds
                                                                  : Unit::seconds;
}

// Registers each old spelling of `s` as a hidden option bound to the same field; using one
// prints a one-line note on stderr and otherwise behaves as it always did.
template <class T>
void add_old_names(CLI::App& app, const ArgSpec& s, T& field) {
    std::string now;
    for (std::string_view n : split_names(s.names))
        if (n.starts_with("--")) now = std::string(n);
    for (std::string_view old : split_names(s.old_names)) {
        const std::string note =
            "pbxbench: " + std::string(old) + " is now " + now +
            (s.duration != Unit::none ? " (it takes a unit: 500ms, 3s, 2m)" : "") +
            "; the old name still works\n";
        const std::string description = std::string(renamed_to) + now;
        CLI::Option* o = nullptr;
        if constexpr (std::is_same_v<T, bool>) {
            o = app.add_flag_callback(
                std::string(old),
                [&field, note] {
                    std::cerr << note;
                    field = true;
                },
                description);
        } else {
            o = app.add_option(std::string(old), field, description);
            if constexpr (std::is_same_v<T, std::vector<std::string>>) o->delimiter(',');
            const Unit bare = old_bare_unit(old);
            o->transform(CLI::Validator(
                [s, note, bare](std::string& text) {
                    std::cerr << note;
                    if (s.duration == Unit::none) return std::string();
                    return to_field_unit<T>(s, text, bare);
                },
                ""));
            if (s.duration == Unit::none && (std::isfinite(s.min) || std::isfinite(s.max)))
                o->check(CLI::Range(s.min, s.max));
        }
        o->group("");
    }
}

// Registers one field as a CLI11 option (a flag for bool), with its default shown and its
// range, and its old spellings as hidden aliases. Returns the option, to ask whether it was
// given.
template <class T>
CLI::Option* add_arg(CLI::App& app, const ArgSpec& s, T& field) {
    CLI::Option* o = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
        o = app.add_flag(std::string(s.names), field, std::string(s.help));
    } else {
        o = app.add_option(std::string(s.names), field, std::string(s.help));
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            o->delimiter(',');
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (s.duration != Unit::none) {
                o->type_name("DURATION");
                o->default_str(duration_text(s, field));
                o->transform(CLI::Validator(
                    [s](std::string& text) { return to_field_unit<T>(s, text, Unit::seconds); },
                    duration_range(s)));
            } else {
                o->capture_default_str();
            }
        } else {
            o->capture_default_str();
        }
        if (s.duration == Unit::none && (std::isfinite(s.min) || std::isfinite(s.max)))
            o->check(CLI::Range(s.min, s.max));
    }
    if (s.hidden) o->group("");
    add_old_names(app, s, field);
    return o;
}

// Thrown by get_arg while a file is read; turned into a Result by the caller.
struct ArgError {
    std::string message;
};

template <class T>
void put_arg(nlohmann::json& j, const ArgSpec& s, const T& field) {
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (s.duration != Unit::none) {
            j[arg_key(s.names)] = duration_text(s, field);
            return;
        }
    }
    j[arg_key(s.names)] = field;
}

// The key `s` is read from in `j`: its own, else one of its old spellings' (with the unit a
// bare number had under that name). Two of them at once is an error: which one would win?
inline std::pair<std::string, Unit> find_key(const nlohmann::json& j, const ArgSpec& s) {
    std::string found;
    Unit bare = Unit::seconds;
    auto consider = [&](const std::string& key, Unit unit) {
        if (key.empty() || !j.contains(key)) return;
        if (!found.empty())
            throw ArgError{"\"" + found + "\" and \"" + key + "\" are the same option: keep \"" +
                           arg_key(s.names) + "\""};
        found = key;
        bare = unit;
    };
    consider(arg_key(s.names), Unit::seconds);
    for (std::string_view old : split_names(s.old_names))
        if (old.starts_with("--")) consider(arg_key(old), old_bare_unit(old));
    return {found, bare};
}

// Reads `field` from j[key] if present: the JSON type must fit and the value lie in range.
template <class T>
void get_arg(const nlohmann::json& j, const ArgSpec& s, T& field) {
    const auto [key, bare] = find_key(j, s);
    if (key.empty()) return;
    const nlohmann::json& v = j.at(key);
    auto wrong = [&](std::string_view expected) {
        throw ArgError{"\"" + key + "\": expected " + std::string(expected) + ", got " + v.dump()};
    };
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
        if (s.duration != Unit::none) {
            if (!v.is_string() && !v.is_number()) wrong("a duration such as \"500ms\" or \"3s\"");
            std::string text = v.is_string() ? v.get<std::string>() : v.dump();
            if (std::string error = to_field_unit<T>(s, text, bare); !error.empty())
                throw ArgError{"\"" + key + "\": " + error};
            field = static_cast<T>(std::stod(text));
            return;
        }
    }
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
        for (std::string_view old : split_names(s.old_names))
            if (old.starts_with("--")) known.insert(arg_key(old));
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
