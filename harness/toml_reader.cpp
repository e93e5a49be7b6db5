#include "harness/toml_reader.hpp"

#include <algorithm>

#include "base/edit_distance.hpp"

namespace pbxbench::harness::detail {

void ProfileErrors::add(std::string message) {
    ++total_;
    // The same rule can fail for several scenarios with the same words; once is enough.
    if (std::find(messages_.begin(), messages_.end(), message) != messages_.end()) {
        --total_;
        return;
    }
    if (messages_.size() < limit) messages_.push_back(std::move(message));
}

std::string ProfileErrors::text() const {
    std::string out;
    for (const auto& m : messages_) out += (out.empty() ? "" : "\n") + m;
    if (total_ > messages_.size())
        out += "\n... and " + std::to_string(total_ - messages_.size()) +
               " more errors (fix these first)";
    return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = 0;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (best.empty() || d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    // A third of the word's length catches transpositions and a missing letter without
    // suggesting unrelated keys for short words.
    std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    return best_distance <= limit ? best : std::string{};
}

std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        default:
            return "nothing";
    }
}

TableReader::TableReader(const toml::table& table, std::string file, std::string path,
                         ProfileErrors& errors)
    : table_(&table), file_(std::move(file)), path_(std::move(path)), errors_(&errors) {}

std::string TableReader::field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string TableReader::location(const toml::node* node) const {
    const toml::source_region& src = node ? node->source() : table_->source();
    if (src.begin.line == 0) return file_;
    return file_ + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

void TableReader::error(std::string_view key, const std::string& message) const {
    const toml::node* node = table_->get(key);
    throw ProfileError(location(node) + ": " + field(key) + ": " + message);
}

void TableReader::report(std::string_view key, const std::string& message) const {
    const toml::node* node = table_->get(key);
    errors_->add(location(node) + ": " + field(key) + ": " + message);
}

const toml::node* TableReader::get(std::string_view key) {
    read_.insert(std::string(key));
    return table_->get(key);
}

std::optional<std::string> TableReader::string(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) {
        report(key, "expected a string, got " + describe(*n));
        return std::nullopt;
    }
    return n->as_string()->get();
}

std::optional<std::string> TableReader::string_or_integer(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return std::to_string(n->as_integer()->get());
    if (!n->is_string()) {
        report(key, "expected an integer or a string, got " + describe(*n));
        return std::nullopt;
    }
    return n->as_string()->get();
}

std::string TableReader::missing(std::string_view key, const std::string& expected) const {
    // A required key is often missing because it is misspelled; say so here, since the
    // unknown-key check only runs after every field has been read.
    std::vector<std::string> present;
    for (const auto& [k, v] : *table_) present.emplace_back(k.str());
    std::string hint = did_you_mean(key, present);
    return "missing (expected " + expected + ")" +
           (hint.empty() ? "" : "; is '" + hint + "' a misspelling of it?");
}

std::string TableReader::required_string(std::string_view key) {
    // A missing or empty value is reported and read as "", so the rest still gets checked.
    if (!table_->get(key)) {
        read_.insert(std::string(key));
        report(key, missing(key, "a string"));
        return {};
    }
    auto s = string(key);
    if (s && s->empty()) report(key, "must not be empty");
    return s.value_or("");
}

std::optional<bool> TableReader::boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) {
        report(key, "expected a boolean (true or false), got " + describe(*n));
        return std::nullopt;
    }
    return n->as_boolean()->get();
}

std::optional<double> TableReader::number(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    double v = 0;
    if (n->is_integer())
        v = static_cast<double>(n->as_integer()->get());
    else if (n->is_floating_point())
        v = n->as_floating_point()->get();
    else {
        report(key, "expected a number, got " + describe(*n));
        return std::nullopt;
    }
    if (v < 0) {
        report(key, "expected a number >= 0");
        return std::nullopt;
    }
    return v;
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_array()) {
        report(key, "expected an array of strings, got " + describe(*n));
        return std::nullopt;
    }
    std::vector<std::string> out;
    const toml::array& a = *n->as_array();
    bool all_strings = true;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string()) {
            errors_->add(location(&a[i]) + ": " + field(key) + "[" + std::to_string(i) +
                         "]: expected a string, got " + describe(a[i]));
            all_strings = false;
            continue;
        }
        out.push_back(a[i].as_string()->get());
    }
    if (!all_strings) return std::nullopt;
    return out;
}

std::vector<std::string> TableReader::required_strings(std::string_view key) {
    if (!table_->get(key)) {
        read_.insert(std::string(key));
        report(key, missing(key, "an array of strings"));
        return {};
    }
    auto v = strings(key);
    if (v && v->empty()) report(key, "must not be empty");
    return v.value_or(std::vector<std::string>{});
}

std::optional<std::map<std::string, std::string>> TableReader::string_map(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) {
        report(key, "expected a table of strings, got " + describe(*n));
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : *n->as_table()) {
        std::string name(k.str());
        // Numbers are accepted and kept as written, so `UDP_WORKERS = 4` needs no quotes.
        if (v.is_string())
            out[name] = v.as_string()->get();
        else if (v.is_integer())
            out[name] = std::to_string(v.as_integer()->get());
        else
            errors_->add(location(&v) + ": " + field(key) + "." + name +
                         ": expected a string, got " + describe(v));
    }
    return out;
}

std::optional<TableReader> TableReader::table(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) {
        report(key, "expected a table, got " + describe(*n));
        return std::nullopt;
    }
    return TableReader(*n->as_table(), file_, field(key), *errors_);
}

std::vector<TableReader> TableReader::tables(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return {};
    if (!n->is_array()) {
        report(key,
               "expected an array of tables ([[" + std::string(key) + "]]), got " + describe(*n));
        return {};
    }
    std::vector<TableReader> out;
    const toml::array& a = *n->as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string item = field(key) + "[" + std::to_string(i) + "]";
        if (!a[i].is_table()) {
            errors_->add(location(&a[i]) + ": " + item + ": expected a table, got " +
                         describe(a[i]));
            continue;
        }
        out.emplace_back(*a[i].as_table(), file_, item, *errors_);
    }
    return out;
}

bool TableReader::holds_array(std::string_view key) const {
    const toml::node* n = table_->get(key);
    return n && n->is_array();
}

void TableReader::finish() const {
    std::vector<std::string> known(read_.begin(), read_.end());
    for (const auto& [k, v] : *table_) {
        std::string_view key = k.str();
        if (read_.contains(key)) continue;
        std::string hint = did_you_mean(key, known);
        std::string message =
            "unknown key" + (hint.empty() ? std::string{} : "; did you mean '" + hint + "'?");
        const auto& at = k.source().begin.line ? k.source() : v.source();
        std::string where =
            file_ + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
        errors_->add(where + ": " + field(key) + ": " + message);
    }
}

}  // namespace pbxbench::harness::detail
